/*
 * issuer/termcache.h - terminals' secrets and stores, kept for a while once read.
 *
 * The server checks the signature of every request with the terminal's secret. Read from
 * the ledger each time, that is a query per request on the server's one read connection:
 * on PostgreSQL a round trip, during which every other request waits for that connection.
 * A terminal's secret and store never change once it is added (`terminal add`; there is
 * no command that changes or removes one), so what was read is kept for a while: the time
 * to live bounds how long a terminal taken out of the ledger behind the issuer's back is
 * still served. Unknown terminals are never kept, so a terminal added on another node is
 * found at once. A fixed number of slots, each terminal in one of them (a newcomer
 * takes the slot over), so the memory is bounded whatever the requests name. Safe for
 * use by several threads at once.
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
 * kept). */
void termcache_put(struct termcache *c, const char *terminal, const unsigned char secret[SECRET_BYTES],
                   const char *store);

/* The secrets zeroed, then freed. NULL does nothing. */
void termcache_free(struct termcache *c);

#endif
