/*
 * issuer/client.h - talking to the activation host, for terminals (the POS) and tests.
 *
 * One keep-alive HTTPS connection (libcurl) with the certificate verified against a CA
 * file, every request signed as auth.h describes. The answer to a request is either an
 * HTTP answer (any status: the issuer decided something) or no answer at all: connection
 * refused, TLS failure, timeout, a broken connection. The POS must treat the second kind
 * as "unknown", never as "failed": the request may have been applied.
 */
#ifndef REUP_ISSUER_CLIENT_H
#define REUP_ISSUER_CLIENT_H
#include <stddef.h>
#include "common/status.h"
#include "issuer/secret.h"

#define ISSUER_CLIENT_ANSWER_MAX (256 * 1024)

struct issuer_client;

struct issuer_client_config {
    const char *url;      /* "https://127.0.0.1:8443" (no trailing slash) */
    const char *ca_path;  /* PEM file of the issuer's CA or certificate; NULL: the system's */
    const char *terminal; /* the terminal id */
    unsigned char secret[SECRET_BYTES];
    long timeout_ms;         /* whole request; 0: 10 s */
    long connect_timeout_ms; /* 0: 3 s */
};

/* RU_ERR_INVALID for a URL that is not https://. */
enum ru_status issuer_client_new(const struct issuer_client_config *cfg,
                                 struct issuer_client **out) RU_WARN_UNUSED;
void issuer_client_free(struct issuer_client *c);

struct issuer_answer {
    long http_status;
    char *body; /* owned, NUL-terminated */
    size_t len;
};

/* Send METHOD PATH with BODY (NULL: none), signed with the current time.
 * RU_OK: an HTTP answer is in *out (free with issuer_answer_release()).
 * RU_ERR_IO: no answer (issuer_client_errmsg() says why); RU_ERR_LIMIT: an answer over
 * ISSUER_CLIENT_ANSWER_MAX. */
enum ru_status issuer_client_request(struct issuer_client *c, const char *method, const char *path,
                                     const char *body, struct issuer_answer *out) RU_WARN_UNUSED;
const char *issuer_client_errmsg(const struct issuer_client *c);
void issuer_answer_release(struct issuer_answer *a);

/* Read the credentials `reup-issuer terminal add` printed, from a file that only its
 * owner may read: {"terminal", "store", "secret": 64 hex}. ERR says what is wrong. */
enum ru_status issuer_credentials_load(const char *path, char terminal[65], char store[65],
                                       unsigned char secret[SECRET_BYTES], char *err,
                                       size_t errlen) RU_WARN_UNUSED;

#endif
