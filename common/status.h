/*
 * common/status.h - the status every fallible library function returns.
 * Libraries report what went wrong through a status and a message on their handle;
 * programs turn statuses into exit codes.
 */
#ifndef REUP_COMMON_STATUS_H
#define REUP_COMMON_STATUS_H

#define RU_WARN_UNUSED __attribute__((warn_unused_result))

enum ru_status {
    RU_OK = 0,
    RU_ERR_INVALID,   /* input is malformed or out of range */
    RU_ERR_NOT_FOUND, /* the thing asked for does not exist */
    RU_ERR_NOMEM,     /* allocation failed */
    RU_ERR_IO,        /* reading or writing a file failed (never the network: see below) */
    RU_ERR_DB,        /* the database (SQLite or PostgreSQL) reported an error */
    RU_ERR_SCHEMA,    /* the database was written by a newer program */
    RU_ERR_LIMIT,     /* input exceeds a documented limit */
    RU_ERR_EXISTS,    /* the thing to create exists already */
    RU_ERR_NETWORK,   /* no answer from the network: refused, timed out, TLS failed, cut off; a
                       * request may have been applied all the same */
    RU_ERR_DECLINED,  /* the other side answered and refused */
    RU_ERR_RETRY,     /* a concurrent transaction (another thread or node) got in the way:
                       * nothing was done; roll back and run the whole transaction again */
};

/* A short lowercase phrase for a status ("not found"). Never NULL; cannot fail. */
const char *ru_status_str(enum ru_status s);

#endif
