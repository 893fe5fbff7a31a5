/* issuer/client.c - signed HTTPS requests on libcurl. */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include "issuer/client.h"
#include "issuer/auth.h"
#include "common/cardnum.h"
#include "common/strbuf.h"
#include "common/wipe.h"
#include "common/banned.h"

struct issuer_client {
    CURL *curl;
    struct issuer_client_config cfg;
    char *url, *ca_path, *terminal;
    struct strbuf answer;
    long long retry_after_s;      /* of the answer being read */
    char head[AUTH_HEAD_MAX + 1]; /* ReUp-Journal-Head to send; "" none */
    char err[CURL_ERROR_SIZE + 128];
    char curl_err[CURL_ERROR_SIZE];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    secret_json_wiping(); /* answers of on-demand cards hold PINs */
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    struct issuer_client *c = ctx;
    /* a short count makes curl stop with CURLE_WRITE_ERROR: the answer is over the cap */
    return strbuf_add(&c->answer, p, size * n) == RU_OK ? size * n : 0;
}

/* Retry-After in seconds (a 429): digits only, an HTTP date is not what the issuer sends. */
static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    static const char name[] = "retry-after:";
    struct issuer_client *c = ctx;
    size_t len = size * n, i = sizeof(name) - 1;
    if (len > i && !strncasecmp(p, name, i)) {
        long long v = 0;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        for (; i < len && p[i] >= '0' && p[i] <= '9' && v < 1000000000LL; i++)
            v = v * 10 + (p[i] - '0');
        c->retry_after_s = v;
    }
    return len;
}

enum ru_status issuer_client_new(const struct issuer_client_config *cfg, struct issuer_client **out)
{
    if (!cfg->url || strncmp(cfg->url, "https://", 8) != 0 || !cfg->terminal)
        return RU_ERR_INVALID;
    pthread_once(&global_once, global_init);
    struct issuer_client *c = calloc(1, sizeof(*c));
    if (!c)
        return RU_ERR_NOMEM;
    c->cfg = *cfg;
    c->url = strdup(cfg->url);
    c->terminal = strdup(cfg->terminal);
    c->ca_path = cfg->ca_path ? strdup(cfg->ca_path) : NULL;
    c->curl = curl_easy_init();
    strbuf_init_secret(&c->answer, ISSUER_CLIENT_ANSWER_MAX);
    if (!c->url || !c->terminal || (cfg->ca_path && !c->ca_path) || !c->curl) {
        issuer_client_free(c);
        return RU_ERR_NOMEM;
    }
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_path)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_path);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 3000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "reup-terminal/1");
    *out = c;
    return RU_OK;
}

void issuer_client_free(struct issuer_client *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    strbuf_release(&c->answer);
    wipe(c->cfg.secret, sizeof(c->cfg.secret));
    free(c->url);
    free(c->ca_path);
    free(c->terminal);
    free(c);
}

void issuer_client_set_journal_head(struct issuer_client *c, const struct auth_head *h)
{
    if (h)
        auth_head_format(h, c->head);
    else
        c->head[0] = '\0';
}

const char *issuer_client_errmsg(const struct issuer_client *c)
{
    return c->err;
}

void issuer_answer_release(struct issuer_answer *a)
{
    wipe_free(a->body); /* an on-demand card's answer holds its PIN */
    a->body = NULL;
    a->len = 0;
}

enum ru_status issuer_client_request(struct issuer_client *c, const char *method, const char *path,
                                     const char *body, struct issuer_answer *out)
{
    char auth[AUTH_HEADER_MAX + 32], header[AUTH_HEADER_MAX], head[AUTH_HEAD_MAX + 32];
    struct strbuf url;
    struct curl_slist *headers = NULL;
    size_t blen = body ? strlen(body) : 0;
    enum ru_status rc =
        auth_header_make(c->cfg.secret, sizeof(c->cfg.secret), c->terminal, method, path, (int64_t)time(NULL),
                         body ? body : "", blen, *c->head ? c->head : NULL, header);
    if (rc != RU_OK) {
        snprintf(c->err, sizeof(c->err), "cannot sign the request");
        return rc;
    }
    strbuf_init(&url, 8192);
    if (strbuf_adds(&url, c->url) != RU_OK || strbuf_adds(&url, path) != RU_OK) {
        strbuf_release(&url);
        snprintf(c->err, sizeof(c->err), "the URL is too long");
        return RU_ERR_LIMIT;
    }
    snprintf(auth, sizeof(auth), "Authorization: %s", header);
    headers = curl_slist_append(headers, auth);
    if (*c->head) {
        snprintf(head, sizeof(head), AUTH_HEAD_HEADER ": %s", c->head);
        headers = curl_slist_append(headers, head);
    }
    if (body)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_URL, strbuf_str(&url));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPGET, body ? 0L : 1L);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)blen);
    }
    strbuf_reset(&c->answer);
    c->retry_after_s = 0;
    c->curl_err[0] = '\0';
    CURLcode cc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    strbuf_release(&url);
    if (cc == CURLE_WRITE_ERROR) {
        snprintf(c->err, sizeof(c->err), "the answer is larger than %d bytes", ISSUER_CLIENT_ANSWER_MAX);
        return RU_ERR_LIMIT;
    }
    if (cc != CURLE_OK) {
        snprintf(c->err, sizeof(c->err), "no answer from %s: %s", c->url,
                 *c->curl_err ? c->curl_err : curl_easy_strerror(cc));
        return RU_ERR_NETWORK;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    out->http_status = status;
    out->len = c->answer.len;
    out->retry_after_s = c->retry_after_s;
    out->body = strdup(strbuf_str(&c->answer));
    strbuf_reset(&c->answer); /* zeroed: the caller has the one copy now */
    return out->body ? RU_OK : RU_ERR_NOMEM;
}

/* ---- typed calls ----------------------------------------------------------------------- */

/* Send METHOD PATH with BODY (the encoder's result ENCODED; BODY is freed here) and sort
 * the answer: RU_OK with *A holding the WANT answer (release it), or RU_ERR_DECLINED /
 * RU_ERR_NETWORK with *ERR and the message filled, *A released. */
static enum ru_status exchange(struct issuer_client *c, const char *method, const char *path,
                               enum ru_status encoded, char *body, long want, struct issuer_answer *a,
                               struct api_error *err)
{
    memset(err, 0, sizeof(*err));
    memset(a, 0, sizeof(*a));
    enum ru_status rc = encoded == RU_OK ? issuer_client_request(c, method, path, body, a) : encoded;
    free(body);
    if (rc == RU_ERR_LIMIT && encoded == RU_OK)
        rc = RU_ERR_NETWORK; /* an answer over the cap is none the terminal can use */
    if (rc != RU_OK)
        return rc;
    err->http_status = (int)a->http_status;
    err->retry_after_s = a->retry_after_s;
    if (a->http_status == want)
        return RU_OK;
    if (a->http_status >= 500) {
        snprintf(c->err, sizeof(c->err), "the issuer could not decide (HTTP %ld)", a->http_status);
        rc = RU_ERR_NETWORK;
    } else {
        if (answer_parse_error(a->body, a->len, err) != RU_OK)
            err->code[0] = err->message[0] = '\0';
        snprintf(c->err, sizeof(c->err), "refused (HTTP %ld%s%s)", a->http_status, *err->code ? " " : "",
                 err->code);
        rc = RU_ERR_DECLINED;
    }
    issuer_answer_release(a);
    return rc;
}

/* The end of a typed call: the parser's PARSED on A's body, which is released. */
static enum ru_status parsed(struct issuer_client *c, enum ru_status rc, const char *path,
                             struct issuer_answer *a)
{
    issuer_answer_release(a);
    if (rc == RU_ERR_INVALID) {
        snprintf(c->err, sizeof(c->err), "the answer to %.80s is not what docs/api.md says", path);
        return RU_ERR_NETWORK;
    }
    return rc;
}

enum ru_status issuer_activate(struct issuer_client *c, const struct activation_request *rq,
                               struct activation_result *out, struct api_error *err)
{
    static const char path[] = "/v1/activations";
    char *body = NULL;
    struct issuer_answer a;
    enum ru_status rc = request_encode_activation(rq, &body);
    rc = exchange(c, "POST", path, rc, body, 201, &a, err);
    return rc == RU_OK ? parsed(c, answer_parse_activation(a.body, a.len, out), path, &a) : rc;
}

enum ru_status issuer_on_demand(struct issuer_client *c, const struct card_request *rq,
                                struct ondemand_card *out, struct api_error *err)
{
    static const char path[] = "/v1/cards";
    char *body = NULL;
    struct issuer_answer a;
    enum ru_status rc = request_encode_card(rq, &body);
    rc = exchange(c, "POST", path, rc, body, 201, &a, err);
    return rc == RU_OK ? parsed(c, answer_parse_ondemand(a.body, a.len, out), path, &a) : rc;
}

enum ru_status issuer_void(struct issuer_client *c, const char *request_id, const struct void_request *rq,
                           struct void_result *out, struct api_error *err)
{
    char path[96], *body = NULL;
    struct issuer_answer a;
    enum ru_status rc = request_is_uuid(request_id) ? request_encode_void(rq, &body) : RU_ERR_INVALID;
    snprintf(path, sizeof(path), "/v1/activations/%.36s/void", request_id);
    rc = exchange(c, "POST", path, rc, body, 200, &a, err);
    return rc == RU_OK ? parsed(c, answer_parse_void(a.body, a.len, out), path, &a) : rc;
}

enum ru_status issuer_reverse(struct issuer_client *c, const struct reversal_request *rq,
                              struct reversal_result *out, struct api_error *err)
{
    static const char path[] = "/v1/reversals";
    char *body = NULL;
    struct issuer_answer a;
    enum ru_status rc = request_encode_reversal(rq, &body);
    rc = exchange(c, "POST", path, rc, body, 200, &a, err);
    return rc == RU_OK ? parsed(c, answer_parse_reversal(a.body, a.len, out), path, &a) : rc;
}

enum ru_status issuer_card(struct issuer_client *c, const char *serial, struct card_status *out,
                           struct api_error *err)
{
    char path[64], digits[CARD_DIGITS + 1] = "";
    const char *why;
    struct issuer_answer a;
    enum ru_status rc = card_serial_parse(serial, digits, &why) == RU_OK ? RU_OK : RU_ERR_INVALID;
    snprintf(path, sizeof(path), "/v1/cards/%s", digits);
    rc = exchange(c, "GET", path, rc, NULL, 200, &a, err);
    return rc == RU_OK ? parsed(c, answer_parse_card_status(a.body, a.len, out), path, &a) : rc;
}

enum ru_status issuer_plans(struct issuer_client *c, struct plan_list *out, struct api_error *err)
{
    static const char path[] = "/v1/plans";
    struct issuer_answer a;
    enum ru_status rc = exchange(c, "GET", path, RU_OK, NULL, 200, &a, err);
    return rc == RU_OK ? parsed(c, answer_parse_plans(a.body, a.len, out), path, &a) : rc;
}

enum ru_status issuer_journal_head(struct issuer_client *c, struct auth_head *out, struct api_error *err)
{
    static const char path[] = "/v1/terminals/me/journal-head";
    struct issuer_answer a;
    enum ru_status rc = exchange(c, "GET", path, RU_OK, NULL, 200, &a, err);
    return rc == RU_OK ? parsed(c, answer_parse_journal_head(a.body, a.len, out), path, &a) : rc;
}

enum ru_status issuer_journal_heads(struct issuer_client *c, const struct journal_heads_request *rq,
                                    struct journal_heads *out, struct api_error *err)
{
    char path[96];
    struct issuer_answer a;
    struct journal_heads p;
    enum ru_status rc = request_encode_journal_heads(rq, path, sizeof(path));
    rc = exchange(c, "GET", rc == RU_OK ? path : "", rc, NULL, 200, &a, err);
    if (rc != RU_OK || (rc = parsed(c, answer_parse_journal_heads(a.body, a.len, &p), path, &a)) != RU_OK)
        return rc;
    /* both lists are in order: their first heads are the lowest */
    if ((p.n && p.heads[0].seq <= rq->after) || (p.n_anomalies && p.anomalies[0].seq <= rq->after) ||
        (p.next && p.next <= rq->after)) {
        journal_heads_release(&p);
        snprintf(c->err, sizeof(c->err), "the answer to %.80s is not what docs/api.md says", path);
        return RU_ERR_NETWORK;
    }
    *out = p;
    return RU_OK;
}

enum ru_status issuer_health(struct issuer_client *c, struct api_error *err)
{
    struct issuer_answer a;
    enum ru_status rc = exchange(c, "GET", "/v1/health", RU_OK, NULL, 200, &a, err);
    if (rc == RU_OK)
        issuer_answer_release(&a);
    return rc;
}

enum ru_status issuer_credentials_load(const char *path, char terminal[65], char store[65],
                                       unsigned char secret[SECRET_BYTES], char *err, size_t errlen)
{
    struct stat sb;
    secret_json_wiping();
    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "cannot read the terminal credentials '%s': %s", path, strerror(errno));
        return errno == ENOENT ? RU_ERR_NOT_FOUND : RU_ERR_IO;
    }
    if (sb.st_mode & 077) {
        snprintf(err, errlen, "'%s' holds a secret: only its owner may read it (chmod 600)", path);
        return RU_ERR_INVALID;
    }
    json_error_t je;
    json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    const char *t = NULL, *s = NULL, *hex = NULL;
    enum ru_status rc = RU_ERR_INVALID;
    if (o && json_unpack(o, "{s:s,s:s,s:s}", "terminal", &t, "store", &s, "secret", &hex) == 0 &&
        strlen(t) <= 64 && strlen(s) <= 64 && strlen(hex) == 2 * SECRET_BYTES) {
        rc = RU_OK;
        for (size_t i = 0; i < SECRET_BYTES && rc == RU_OK; i++) {
            unsigned v = 0;
            for (int k = 0; k < 2; k++) {
                char ch = hex[2 * i + (size_t)k];
                int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
                if (d < 0)
                    rc = RU_ERR_INVALID;
                v = v * 16 + (unsigned)(d < 0 ? 0 : d);
            }
            secret[i] = (unsigned char)v;
        }
        if (rc == RU_OK) {
            snprintf(terminal, 65, "%s", t);
            snprintf(store, 65, "%s", s);
        }
    }
    if (rc != RU_OK)
        snprintf(err, errlen, "'%s' is not the JSON that reup-issuer terminal add printed", path);
    json_decref(o);
    return rc;
}
