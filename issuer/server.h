/*
 * issuer/server.h - the activation host: the HTTPS API of docs/design.md and docs/api.md on
 * libmicrohttpd.
 *
 * TLS with the state directory's certificate and key; every terminal request is
 * authenticated (auth.h) before its body is looked at; bodies are capped at
 * REQUEST_BODY_MAX; answers and errors are JSON. One log line per request: time,
 * terminal, method, path, status, duration, request_id. Write requests are
 * group-committed: a writer (a thread with its own connection to the ledger) takes what
 * queued while it was busy and applies it in one transaction, each request in its own
 * savepoint, and none is answered before that transaction is committed; a transaction
 * another writer's or another node's got in the way of runs again as a whole (after a
 * short random wait). SQLite (synchronous=FULL) has one writer; on PostgreSQL several take
 * batches from the same queue, each a SERIALIZABLE transaction of its own, so that their
 * round trips to the server overlap. There a batch runs first without the savepoints, its
 * writes sent without waiting, in the round trip of the next read or of the commit
 * (store_set_savepoints()), and again with savepoints only when one of its requests must
 * be undone. A writer never takes a request of a terminal whose earlier one another
 * writer is still applying: each terminal's requests are applied in the order they came.
 */
#ifndef REUP_ISSUER_SERVER_H
#define REUP_ISSUER_SERVER_H
#include <stdio.h>
#include "common/netlimits.h"
#include "common/status.h"

struct server;

/* Worker threads serve connections (TLS, signatures, parsing); a request waiting for its
 * commit parks its connection instead of holding a thread, so a few threads suffice. */
#define SERVER_THREADS 4u

/* Writers on PostgreSQL unless told otherwise, and the most a server takes; SQLite has one.
 * More writers overlap more round trips but add threads and server processes to share
 * the cores; two did best on 2 cores (docs/benchmarks.md, issue 13). */
#define SERVER_WRITERS_PG       2
#define SERVER_WRITERS_MAX      64
#define SERVER_WRITERS_TEXT_(n) #n
#define SERVER_WRITERS_TEXT(n)  SERVER_WRITERS_TEXT_(n)
#define SERVER_WRITERS_PG_TEXT  SERVER_WRITERS_TEXT(SERVER_WRITERS_PG) /* for --help */

struct server_config {
    const char *dir;       /* the state directory */
    const char *listen;    /* "127.0.0.1:8443", "[::1]:8443", "[::]:8443"; port 0 picks a free one */
    const char *cert_path; /* NULL: DIR/tls/cert.pem */
    const char *key_path;  /* NULL: DIR/tls/key.pem */
    unsigned threads;      /* worker threads; 0 for SERVER_THREADS */
    unsigned writers;      /* 0: 1 on SQLite, SERVER_WRITERS_PG on PostgreSQL; SQLite takes only 1 */
    unsigned batch_max;    /* the most requests a batch takes; 0: all that queued */
    long long void_window_s;
    FILE *log;                /* request log lines; NULL for none */
    struct netlimits limits;  /* connections, timeouts, the wait at stop; all zero: the defaults */
    const char *tls_priority; /* GnuTLS priority string; NULL for TLSPOLICY_DEFAULT */
};

/* Start serving. On failure ERR says why: RU_ERR_INVALID (a bad listen address or TLS
 * priority string, writers above SERVER_WRITERS_MAX, or above 1 on SQLite), RU_ERR_NOT_FOUND (state directory
 * or TLS files missing, or open to group or others, or the ledger's schema older or newer than this
 * program's), RU_ERR_NETWORK (no PostgreSQL server answers), RU_ERR_IO (cannot listen, or the database
 * fails). */
enum ru_status server_start(const struct server_config *cfg, struct server **out, char *err,
                            size_t errlen) RU_WARN_UNUSED;

/* The port actually listened on. */
unsigned server_port(const struct server *s);

/* How many writers commit; batches committed so far, and how many runs of a batch a
 * concurrent transaction got in the way of (run again): for benchmarks. */
unsigned server_writers(const struct server *s);
void server_batch_counts(const struct server *s, unsigned long long *batches, unsigned long long *retries);

/* Stop listening at once (a new connection is refused); give the requests in flight up to
 * the shutdown timeout; then apply the writes queued for the committer and send their
 * answers (a second more at least), close every connection, free S. No write is answered
 * as done unless committed. NULL does nothing. */
void server_stop(struct server *s);

#endif
