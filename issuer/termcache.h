/*
 * issuer/termcache.h - terminals' secrets and stores, kept for a while once read.
 *
 * The server checks the signature of every request with the terminal's secret. Read from
 * the ledger each time, that is a query per request on the server's one read connection:
 * on PostgreSQL a round trip, during which every other request waits for that connection.
 * A terminal's secret changes only by `terminal rotate`, and the old one must stop working
 * at once, on every node: so the cache is trusted only while someone tells it of each
 * rotation (termcache_trust(): the server's listener, which hears every rotation as it
 * commits: on PostgreSQL of every node, on SQLite of the machine), and termcache_forget()
 * drops the terminal it hears of. A secret read from the ledger before a forget is not kept after it (the
 * generation). The time to live bounds how long a terminal changed behind the issuer's
 * back (by hand, in the database) is still served. Unknown terminals are never kept, so
 * a terminal added on another node is found at once. A fixed number of slots, each terminal in one of them (a
 * newcomer takes the slot over), so the memory is bounded whatever the requests name. Safe for use by several
 * threads at once.
 */
#ifndef REUP_ISSUER_TERMCACHE_H
#define REUP_ISSUER_TERMCACHE_H
#include "common/status.h"
#include "issuer/auth.h"
#include "issuer/secret.h"

#define TERMCACHE_SLOTS 4096
#define TERMCACHE_TTL_S 60

struct termcache;

/* A cache whose entries live TTL_S seconds (0: nothing is kept). RU_ERR_NOMEM. */
enum ru_status termcache_new(long ttl_s, struct termcache **out) RU_WARN_UNUSED;

/* The secret and store of TERMINAL when kept and younger than the time to live: 1, else 0
 * (and SECRET and STORE untouched). */
int termcache_get(struct termcache *c, const char *terminal, unsigned char secret[SECRET_BYTES],
                  char store[65]);

/* Keep what the ledger said of TERMINAL (an id longer than AUTH_TERMINAL_MAX is not
 * kept), read after termcache_generation() returned GEN: not kept when a forget or a
 * change of trust came since, nor while the cache is not trusted. */
void termcache_put(struct termcache *c, unsigned long gen, const char *terminal,
                   const unsigned char secret[SECRET_BYTES], const char *store);

/* Counts forgets and changes of trust: taken before reading the ledger, for termcache_put(). */
unsigned long termcache_generation(struct termcache *c);

/* TERMINAL's secret changed: drop what is kept of it. */
void termcache_forget(struct termcache *c, const char *terminal);

/* Whether rotations are heard (1, the default of termcache_new()) or may go unheard (0:
 * nothing is found or kept, and everything kept is dropped). */
void termcache_trust(struct termcache *c, int on);

/* The secrets zeroed, then freed. NULL does nothing. */
void termcache_free(struct termcache *c);

#endif
