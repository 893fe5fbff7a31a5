/* issuer/server.c - routing, authentication and answers of the activation host. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "issuer/server.h"
#include "issuer/activation.h"
#include "issuer/auth.h"
#include "issuer/journalhead.h"
#include "issuer/ledger.h"
#include "issuer/redeem.h"
#include "issuer/redeemform.h"
#include "issuer/redeempage.h"
#include "issuer/termcache.h"
#include "issuer/api.h"
#include "issuer/tlspolicy.h"
#include "i18n/catalog.h"
#include "i18n/langpick.h"
#include "common/privatefile.h"
#include "common/accesslog.h"
#include "common/httpguard.h"
#include "common/listenaddr.h"
#include "common/strbuf.h"
#include "common/wipe.h"
#include "common/banned.h"

enum job_kind { JOB_ACTIVATE, JOB_CARD, JOB_REVERSE, JOB_VOID, JOB_REDEEM, JOB_HEAD };

/* A write request waiting for a writer. */
struct job {
    enum job_kind kind;
    struct activation_caller who;
    const void *req;              /* the parsed request body */
    const char *request_id;       /* JOB_VOID: from the path */
    const struct auth_head *head; /* the request's journal head, recorded first; NULL: none */
    const char *address, *body;
    size_t len;
    long long retry_after_s;
    struct activation_answer *out;
    enum ru_status rc;
    struct MHD_Connection *conn; /* parked until a writer resumes it; NULL: a head_job */
    struct job *next;
};

/* The journal head of a read request (GET /v1/plans, /v1/cards/...): recorded by the
 * writers with a next batch while the read is answered at once, so that a sale's reads
 * never wait for a commit. The writer frees it. */
struct head_job {
    struct job job; /* first: a head_job is freed through its job */
    char terminal[AUTH_TERMINAL_MAX + 1];
    char store[65];
    struct auth_head head;
};

/* A thread that applies batches of jobs through a ledger connection of its own. */
struct writer {
    struct server *srv;
    struct ledger *lg;
    struct job *batch; /* the batch it is applying (under qlock): its terminals wait for it */
    pthread_t thread;
    int started;
};

struct server {
    struct MHD_Daemon *daemon;
    struct httpguard *guard;
    unsigned shutdown_timeout_s;
    struct ledger *rd; /* reads (signatures, catalog, card status) never wait for a commit */
    pthread_mutex_t rdlock;
    struct termcache *terminals; /* secrets read through rd, kept a while */
    /* hears of terminal rotations on any node (PostgreSQL) and drops them from the cache,
     * on a connection of its own; without it the cache is not trusted (termcache.h) */
    pthread_t listener;
    int listener_started;
    atomic_int listener_stop;
    struct ledger *ear; /* its connection, listening, handed over when it starts */
    char *dir;
    /* group commit: requests queue here, their connections parked; a writer applies a
     * batch of them in one transaction and wakes them after its commit */
    pthread_mutex_t qlock;
    pthread_cond_t queued;
    struct job *head, *tail;
    int stopping;
    struct writer *writers;
    unsigned nwriters, batch_max;
    int bare; /* batches run first without savepoints (PostgreSQL: a statement is a round trip) */
    atomic_ullong batches, retries;
    char *cert, *key;
    FILE *log;
    long long void_window_s;
    atomic_int in_flight;
    unsigned port;
};

struct req {
    char *uri; /* as sent, with the query string: the signed PATH */
    struct strbuf body;
    int too_large, started;
    int ambiguous; /* a header that must come once came twice: answered 400, then closed */
    struct timespec t0;
    char method[8];
    char terminal[AUTH_TERMINAL_MAX + 1];
    char request_id[REQUEST_UUID_LEN + 1];
    int status;
    int has_head; /* the request carried ReUp-Journal-Head (in head) */
    struct auth_head head;
    /* a write request lives here while its connection is parked */
    int queued;
    struct job job;
    union {
        struct activation_request activation;
        struct card_request card;
        struct reversal_request reversal;
        struct void_request void_;
    } parsed;
    struct activation_answer answer;
    char store[65];
    char address[64];
    /* a post of the redemption page: its answer is the page (redeempage.h) */
    int page;
    struct redeemform form; /* the post's fields (its PIN: wiped with the request) */
    char *page_json;        /* the body the redemption rules take, made from the form */
    const char *lang;       /* one of catalog_languages */
    int lang_in_address;
    char csrf[REDEEMFORM_TOKEN_HEX + 1];
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct server *srv = cls;
    (void)c;
    struct req *rq = calloc(1, sizeof(*rq));
    if (!rq)
        return NULL;
    rq->uri = strdup(uri);
    strbuf_init_secret(&rq->body, REQUEST_BODY_MAX); /* redemptions carry PINs */
    clock_gettime(CLOCK_MONOTONIC, &rq->t0);
    atomic_fetch_add(&srv->in_flight, 1);
    return rq;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct req *rq = *con_cls;
    (void)toe;
    httpguard_answered(c);
    if (!rq)
        return;
    /* a query string is logged only for the API's paths: the page's carries a PIN */
    if (rq->uri && strncmp(rq->uri, "/v1/", 4) != 0)
        rq->uri[strcspn(rq->uri, "?")] = '\0';
    if (srv->log && rq->started)
        accesslog_line(srv->log, &rq->t0, rq->terminal, rq->method, rq->uri, rq->status,
                       *rq->request_id ? rq->request_id : "-");
    activation_answer_release(&rq->answer);
    redeemform_release(&rq->form);
    wipe_free(rq->page_json);
    free(rq->uri);
    strbuf_release(&rq->body);
    free(rq);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* A response with a copy of BODY (LEN bytes) of our own, zeroed when libmicrohttpd is done
 * with it: an on-demand card's answer holds its PIN, the redemption page's too. NULL:
 * out of memory. */
static struct MHD_Response *response_copy(const char *body, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, body, len + 1);
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, copy, wipe_free);
    if (!r)
        wipe_free(copy);
    return r;
}

/* Send R (NULL: out of memory) as STATUS with what every answer may need: Retry-After,
 * and closing the connection after an ambiguous request. */
static enum MHD_Result queue(struct MHD_Connection *c, struct req *rq, int status, struct MHD_Response *r,
                             long long retry_after_s)
{
    if (!r)
        return MHD_NO;
    /* where this request's body ends is in doubt, so where the next one starts is too */
    if (rq->ambiguous)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (retry_after_s > 0) {
        char secs[24];
        snprintf(secs, sizeof(secs), "%lld", retry_after_s);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    rq->status = status;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result respond_with(struct MHD_Connection *c, struct req *rq, int status, const char *body,
                                    const char *allow, long long retry_after_s)
{
    struct MHD_Response *r = response_copy(body, strlen(body));
    if (r) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (allow)
            MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    }
    return queue(c, rq, status, r, retry_after_s);
}

static enum MHD_Result respond(struct MHD_Connection *c, struct req *rq, int status, const char *body,
                               const char *allow)
{
    return respond_with(c, rq, status, body, allow, 0);
}

static enum MHD_Result respond_error_with(struct MHD_Connection *c, struct req *rq, int status,
                                          const char *code, const char *message, const char *allow)
{
    char *text = NULL;
    if (answer_encode_error(code, message, &text) != RU_OK)
        text = NULL;
    enum MHD_Result r = respond(c, rq, status, text ? text : "{\"error\":{\"code\":\"internal\"}}", allow);
    free(text);
    return r;
}

static enum MHD_Result respond_error(struct MHD_Connection *c, struct req *rq, int status, const char *code,
                                     const char *message)
{
    return respond_error_with(c, rq, status, code, message, NULL);
}

/* Seconds a 503 tells the client to wait: the ledger's database is back, or a standby
 * promoted, within seconds, and every request sooner would only be refused again. */
#define UNAVAILABLE_RETRY_S 1

/* 503 `unavailable`, with Retry-After: nothing was decided (the ledger could not be read
 * or written, or the server is stopping), so the same request may come again. */
static enum MHD_Result respond_unavailable(struct MHD_Connection *c, struct req *rq, const char *message)
{
    char *text = NULL;
    if (answer_encode_error("unavailable", message, &text) != RU_OK)
        text = NULL;
    enum MHD_Result r = respond_with(c, rq, 503, text ? text : "{\"error\":{\"code\":\"unavailable\"}}", NULL,
                                     UNAVAILABLE_RETRY_S);
    free(text);
    return r;
}

static enum MHD_Result method_not_allowed(struct MHD_Connection *c, struct req *rq, const char *allow)
{
    return respond_error_with(c, rq, 405, "method_not_allowed",
                              "the Allow header names the method this path takes; see docs/api.md", allow);
}

/* Headers a request may carry once: with two, the issuer and a proxy in front of it could
 * each read another one (which body is signed, where the body ends). */
static const char *const single_headers[] = {MHD_HTTP_HEADER_AUTHORIZATION, MHD_HTTP_HEADER_CONTENT_LENGTH,
                                             MHD_HTTP_HEADER_CONTENT_TYPE, MHD_HTTP_HEADER_TRANSFER_ENCODING,
                                             AUTH_HEAD_HEADER};
#define SINGLE_HEADERS (sizeof(single_headers) / sizeof(single_headers[0]))

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    unsigned *seen = cls;
    (void)kind;
    (void)value;
    for (size_t i = 0; key && i < SINGLE_HEADERS; i++)
        if (!strcasecmp(key, single_headers[i]))
            seen[i]++;
    return MHD_YES;
}

/* Whether the request's headers can be read two ways: a header of single_headers
 * repeated, or both Content-Length and Transfer-Encoding. */
static int ambiguous_headers(struct MHD_Connection *c)
{
    unsigned seen[SINGLE_HEADERS] = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, seen);
    for (size_t i = 0; i < SINGLE_HEADERS; i++)
        if (seen[i] > 1)
            return 1;
    return seen[1] && seen[3];
}

/* POST bodies are JSON and say so: anything else is answered 415 instead of parsed. */
static int not_json(struct MHD_Connection *c, struct req *rq, enum MHD_Result *answered)
{
    if (request_is_json_type(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
        return 0;
    *answered = respond_error(c, rq, 415, "unsupported_media_type", "send the body as application/json");
    return 1;
}

/* GET /v1/terminals/me/journal-head, after the request's own head is recorded. */
static enum ru_status head_answer(struct ledger *lg, const struct activation_caller *who,
                                  struct activation_answer *out)
{
    struct auth_head h;
    char *json = NULL;
    enum ru_status rc = journalhead_get(lg, who->store, who->terminal, &h);
    if (rc == RU_ERR_NOT_FOUND)
        return activation_answer_error(out, 404, "journal_head_not_found",
                                       "the issuer has no journal head of this terminal yet");
    if (rc == RU_OK && (rc = answer_encode_journal_head(&h, &json)) == RU_OK) {
        out->http_status = 200;
        out->body = json;
    }
    return rc;
}

/* Record the journal head job J carries, in a savepoint: a head that cannot be recorded
 * is never a reason to refuse the request (the terminal sends it again with the next
 * one), but the batch's transaction must go on. RU_ERR_RETRY: the batch must run again;
 * RU_ERR_DB: it failed in a batch without savepoints (run_batch()), which must run again
 * with them. */
static enum ru_status record_head(struct ledger *lg, int bare, const struct job *j)
{
    struct store *st = ledger_store(lg);
    enum ru_status rc = store_savepoint(st);
    if (rc != RU_OK)
        return rc == RU_ERR_RETRY ? rc : RU_OK;
    rc = journalhead_record(lg, j->who.store, j->who.terminal, j->head);
    enum ru_status rel = store_release(st, rc != RU_OK);
    if (rc == RU_ERR_RETRY || rel == RU_ERR_RETRY)
        return RU_ERR_RETRY;
    return bare && rc != RU_OK ? RU_ERR_DB : RU_OK;
}

static enum ru_status run_job(struct writer *w, int bare, struct job *j)
{
    struct ledger *lg = w->lg;
    enum ru_status rc;
    if (j->head && (rc = record_head(lg, bare, j)) != RU_OK)
        return rc;
    switch (j->kind) {
    case JOB_ACTIVATE: return activation_activate(lg, &j->who, j->req, j->out);
    case JOB_CARD: return activation_card(lg, &j->who, j->req, j->out);
    case JOB_REVERSE: return activation_reverse(lg, &j->who, j->req, j->out);
    case JOB_VOID: return activation_void(lg, &j->who, j->request_id, j->req, w->srv->void_window_s, j->out);
    case JOB_REDEEM: return redeem(lg, j->address, j->body, j->len, j->out, &j->retry_after_s);
    case JOB_HEAD: return j->out ? head_answer(lg, &j->who, j->out) : RU_OK;
    }
    return RU_ERR_INVALID;
}

/* Run the jobs of BATCH (the first COUNT, 0: all) in one transaction, each in a savepoint
 * of it, and commit. When the commit fails nothing of the batch is on disk, and none of
 * it may be answered as done. RU_ERR_RETRY: a concurrent transaction (another writer's or
 * node's, PostgreSQL) got in the way of a job or of the commit; nothing was done and the
 * batch runs again. BARE (PostgreSQL): without the savepoints, two statements fewer per
 * job; a job that fails otherwise then leaves what it wrote in the transaction, so the
 * batch is rolled back with *REDO set: run it again with savepoints. The list is left as
 * it is: other writers read it (terminal_busy()). */
static enum ru_status run_batch(struct writer *w, struct job *batch, unsigned count, int bare, int *redo)
{
    struct store *st = ledger_store(w->lg);
    enum ru_status rc = store_begin(st);
    unsigned k = 0;
    *redo = 0;
    ledger_set_batch(w->lg, rc == RU_OK);
    store_set_savepoints(st, !bare);
    for (struct job *j = batch; j && (!count || k < count); j = j->next, k++) {
        j->rc = rc == RU_OK ? run_job(w, bare, j) : rc;
        if (j->rc == RU_ERR_RETRY)
            rc = RU_ERR_RETRY; /* the rest of the batch waits for the next run */
        else if (bare && j->rc != RU_OK && rc == RU_OK) {
            rc = j->rc;
            *redo = 1;
        }
    }
    store_set_savepoints(st, 1);
    ledger_set_batch(w->lg, 0);
    if (rc == RU_OK && (rc = store_commit(st)) != RU_OK)
        store_rollback(st);
    else if (rc != RU_OK)
        store_rollback(st);
    k = 0;
    if (rc != RU_OK)
        for (struct job *j = batch; j && (!count || k < count); j = j->next, k++)
            if (j->rc == RU_OK) {
                if (j->out)
                    activation_answer_release(j->out);
                j->rc = rc;
            }
    return rc;
}

/* Run BATCH's first COUNT jobs (0: all) until committed: again, after a short random
 * wait, when a concurrent transaction got in the way (up to LEDGER_RETRIES runs in all,
 * TRIES made so far), and with savepoints when a job must be undone. A batch of several
 * that keeps colliding runs one job a time from its SPLIT_AFTERth run on: each holds
 * fewer locks, so it collides less, and one job's collisions no longer rerun the others. */
#define SPLIT_AFTER 3
static void commit_batch(struct writer *w, struct job *batch, unsigned count, int tries)
{
    struct server *srv = w->srv;
    int redo, bare = srv->bare;
    while (run_batch(w, batch, count, bare, &redo) == RU_ERR_RETRY || redo) {
        if (redo) {
            bare = 0; /* a job to undo: the same batch with a savepoint per job */
            continue;
        }
        atomic_fetch_add(&srv->retries, 1);
        if (++tries >= LEDGER_RETRIES)
            return;
        ledger_backoff(tries);
        if (tries == SPLIT_AFTER && count != 1 && batch->next) {
            unsigned k = 0;
            for (struct job *j = batch; j && (!count || k < count); j = j->next, k++)
                commit_batch(w, j, 1, tries);
            return;
        }
    }
}

/* Whether A and B come from the same terminal (a customer's redemption comes from none). */
static int same_terminal(const struct job *a, const struct job *b)
{
    return a->who.terminal && b->who.terminal && !strcmp(a->who.terminal, b->who.terminal) &&
           !strcmp(a->who.store, b->who.store);
}

/* Whether a writer other than SELF is applying a job of J's terminal (under qlock). */
static int terminal_busy(const struct server *srv, const struct writer *self, const struct job *j)
{
    for (unsigned i = 0; i < srv->nwriters; i++)
        if (&srv->writers[i] != self)
            for (const struct job *b = srv->writers[i].batch; b; b = b->next)
                if (same_terminal(b, j))
                    return 1;
    return 0;
}

/* Take W's next batch off the queue (under qlock): the queued jobs in order, up to
 * batch_max, but none of a terminal that another writer is applying a job of, so that
 * a terminal's requests (a read's journal head, then its next write) are applied in the
 * order they came. A job left behind keeps its place; every later job of its terminal
 * is left behind too, being busy the same way. NULL: nothing W may take now. */
static struct job *take_batch(struct server *srv, struct writer *w)
{
    struct job *batch = NULL, **end = &batch, **link = &srv->head, *prev = NULL;
    unsigned n = 0;
    while (*link && (!srv->batch_max || n < srv->batch_max)) {
        struct job *j = *link;
        if (srv->nwriters > 1 && terminal_busy(srv, w, j)) {
            prev = j;
            link = &j->next;
            continue;
        }
        *link = j->next;
        if (srv->tail == j)
            srv->tail = prev;
        j->next = NULL;
        *end = j;
        end = &j->next;
        n++;
    }
    return batch;
}

static void *committer(void *arg)
{
    struct writer *w = arg;
    struct server *srv = w->srv;
    prctl(PR_SET_NAME, "issuer-writer", 0, 0, 0); /* as top -H and perf show the thread */
    pthread_mutex_lock(&srv->qlock);
    for (;;) {
        struct job *batch;
        while (!(batch = take_batch(srv, w)) && !(srv->stopping && !srv->head))
            pthread_cond_wait(&srv->queued, &srv->qlock);
        if (!batch)
            break;
        w->batch = batch;
        /* what this writer left is another's to take */
        if (srv->head && srv->nwriters > 1)
            pthread_cond_signal(&srv->queued);
        pthread_mutex_unlock(&srv->qlock);

        commit_batch(w, batch, 0, 0);
        atomic_fetch_add(&srv->batches, 1);

        /* its terminals are free again: the jobs of theirs left behind may be taken */
        pthread_mutex_lock(&srv->qlock);
        w->batch = NULL;
        if (srv->head && srv->nwriters > 1)
            pthread_cond_broadcast(&srv->queued);
        pthread_mutex_unlock(&srv->qlock);
        /* once resumed, a connection may answer and free its job at once */
        for (struct job *j = batch, *next; j; j = next) {
            next = j->next;
            if (j->conn)
                MHD_resume_connection(j->conn);
            else
                free(j); /* a head_job */
        }
        pthread_mutex_lock(&srv->qlock);
    }
    pthread_mutex_unlock(&srv->qlock);
    return NULL;
}

static enum MHD_Result page_answer(struct MHD_Connection *c, struct req *rq);

/* Queue RQ's job and park its connection until the batch holding it has committed: the
 * worker thread goes on serving other connections meanwhile. Answers 503 itself once the
 * server is stopping. */
static enum MHD_Result submit(struct server *srv, struct MHD_Connection *c, struct req *rq)
{
    struct job *j = &rq->job;
    j->next = NULL;
    j->conn = c;
    pthread_mutex_lock(&srv->qlock);
    if (srv->stopping) {
        pthread_mutex_unlock(&srv->qlock);
        if (rq->page) { /* the redemption page says so in its own words */
            j->rc = RU_ERR_IO;
            return page_answer(c, rq);
        }
        return respond_unavailable(c, rq, "the issuer is shutting down; retry later");
    }
    MHD_suspend_connection(c);
    rq->queued = 1;
    if (srv->tail)
        srv->tail->next = j;
    else
        srv->head = j;
    srv->tail = j;
    pthread_cond_signal(&srv->queued);
    pthread_mutex_unlock(&srv->qlock);
    return MHD_YES;
}

/* Hand the journal head of read request RQ (authenticated) to the writers, without
 * waiting for it. Nothing is lost for the terminal when this fails: its next request
 * carries its head again. */
static void record_head_later(struct server *srv, const struct req *rq)
{
    if (!rq->has_head)
        return;
    struct head_job *hj = calloc(1, sizeof(*hj));
    if (!hj)
        return;
    memcpy(hj->terminal, rq->terminal, sizeof(hj->terminal));
    memcpy(hj->store, rq->store, sizeof(hj->store));
    hj->head = rq->head;
    hj->job = (struct job){.kind = JOB_HEAD, .who = {hj->terminal, hj->store}, .head = &hj->head};
    pthread_mutex_lock(&srv->qlock);
    if (srv->stopping) {
        pthread_mutex_unlock(&srv->qlock);
        free(hj);
        return;
    }
    if (srv->tail)
        srv->tail->next = &hj->job;
    else
        srv->head = &hj->job;
    srv->tail = &hj->job;
    pthread_cond_signal(&srv->queued);
    pthread_mutex_unlock(&srv->qlock);
}

/* Authenticate the request; on success fill the caller's store. Answers 401 itself. */
static int authenticate(struct server *srv, struct MHD_Connection *c, struct req *rq, const char *method,
                        char store[65], enum MHD_Result *answered)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *head = MHD_lookup_connection_value(c, MHD_HEADER_KIND, AUTH_HEAD_HEADER);
    struct auth_header ah;
    const char *why;
    unsigned char secret[SECRET_BYTES];
    if (!h) {
        *answered = respond_error(c, rq, 401, "missing_authorization", "sign the request: see docs/api.md");
        return 0;
    }
    if (auth_header_parse(h, &ah, &why) != RU_OK) {
        *answered = respond_error(c, rq, 401, "bad_authorization", why);
        return 0;
    }
    if (head && auth_head_parse(head, &rq->head, &why) != RU_OK) {
        *answered = respond_error(c, rq, 400, "bad_journal_head", why);
        return 0;
    }
    rq->has_head = head != NULL;
    snprintf(rq->terminal, sizeof(rq->terminal), "%s", ah.terminal);
    unsigned long gen = termcache_generation(srv->terminals);
    int cached = termcache_get(srv->terminals, ah.terminal, secret, store);
    enum ru_status rc = RU_OK;
again:
    if (!cached) {
        pthread_mutex_lock(&srv->rdlock);
        rc = ledger_terminal_get(srv->rd, ah.terminal, secret, store);
        pthread_mutex_unlock(&srv->rdlock);
    }
    if (rc == RU_ERR_NOT_FOUND) {
        *answered = respond_error(c, rq, 401, "unknown_terminal", "this terminal is not registered");
        return 0;
    }
    if (rc != RU_OK) {
        *answered = respond_unavailable(c, rq, "the issuer cannot read its ledger; retry later");
        return 0;
    }
    rc = auth_verify(&ah, secret, sizeof(secret), method, rq->uri, rq->body.buf ? rq->body.buf : "",
                     rq->body.len, head, (int64_t)time(NULL));
    if (rc != RU_OK && rc != RU_ERR_LIMIT && cached) {
        /* a secret rotated a moment ago, its news not heard yet: the ledger decides */
        cached = 0;
        goto again;
    }
    /* kept once a request proved it: names sent by others do not churn the cache */
    if (rc == RU_OK && !cached)
        termcache_put(srv->terminals, gen, ah.terminal, secret, store);
    wipe(secret, sizeof(secret));
    if (rc == RU_ERR_LIMIT) {
        *answered = respond_error(c, rq, 401, "stale_timestamp",
                                  "the request time is more than 300 s from the issuer's clock");
        return 0;
    }
    if (rc != RU_OK) {
        *answered = respond_error(c, rq, 401, "bad_signature", "the signature does not match the request");
        return 0;
    }
    return 1;
}

/* The answer to a write request whose batch has committed, or failed to. */
static enum MHD_Result answer(struct MHD_Connection *c, struct req *rq)
{
    struct activation_answer *a = &rq->answer;
    enum MHD_Result r;
    if (rq->job.rc != RU_OK)
        r = respond_unavailable(c, rq, "the issuer could not record the request; retry later");
    else
        r = respond_with(c, rq, a->http_status, a->body, NULL, rq->job.retry_after_s);
    activation_answer_release(a);
    return r;
}

static enum MHD_Result bad_request(struct MHD_Connection *c, struct req *rq, const struct request_error *e)
{
    char msg[240];
    snprintf(msg, sizeof(msg), "%s", e->message);
    return respond_error(c, rq, e->http_status, e->code, msg);
}

/* GET /v1/terminals/me/journal-heads?QUERY: one page of the heads the issuer recorded. */
static enum MHD_Result heads_page(struct server *srv, struct MHD_Connection *c, struct req *rq,
                                  const struct activation_caller *who)
{
    struct journal_heads_request hr;
    struct journal_heads page;
    struct request_error e;
    const char *q = strchr(rq->uri, '?');
    char *json = NULL;
    if (request_parse_journal_heads(q ? q + 1 : "", q ? strlen(q + 1) : 0, &hr, &e) != RU_OK)
        return bad_request(c, rq, &e);
    pthread_mutex_lock(&srv->rdlock);
    enum ru_status rc = journalhead_list(srv->rd, who->store, who->terminal, hr.after, hr.limit, &page);
    pthread_mutex_unlock(&srv->rdlock);
    if (rc == RU_OK) {
        rc = answer_encode_journal_heads(&page, &json);
        journal_heads_release(&page);
    }
    enum MHD_Result done = rc == RU_OK
                               ? respond(c, rq, 200, json, NULL)
                               : respond_unavailable(c, rq, "the journal heads cannot be read; retry later");
    free(json);
    return done;
}

/* The client's IP address as text into RQ->address ("unknown" when it cannot be told):
 * redemptions are counted against it. */
static void client_address(struct MHD_Connection *c, struct req *rq)
{
    snprintf(rq->address, sizeof(rq->address), "unknown");
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, rq->address,
                      sizeof(rq->address));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, rq->address,
                      sizeof(rq->address));
    }
}

/* POST /v1/redemptions: customers, not terminals; limited per account and address. */
static enum MHD_Result redemption(struct server *srv, struct MHD_Connection *c, struct req *rq)
{
    if (rq->too_large)
        return respond_error(c, rq, 413, "body_too_large", "the body is larger than 16384 bytes");
    client_address(c, rq);
    rq->job = (struct job){.kind = JOB_REDEEM,
                           .address = rq->address,
                           .body = rq->body.buf ? rq->body.buf : "",
                           .len = rq->body.len,
                           .out = &rq->answer};
    return submit(srv, c, rq);
}

/* ---- the redemption page (GET and POST /redeem, its style sheet and script) ---------- */

/* What every answer of the page carries: nothing but its own files may run or load, it
 * is framed nowhere, tells no other site where the reader came from, and is never kept
 * (it may hold a PIN). */
static const char *const page_headers[][2] = {
    {"Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
    {"Referrer-Policy", "no-referrer"},
    {MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"},
    {"X-Content-Type-Options", "nosniff"},
};

/* Answer STATUS with BODY (LEN bytes) of TYPE and the page's headers; COPY: a copy wiped
 * when sent (a page may hold the PIN), else BODY is static. LANG (NULL: none) becomes
 * Content-Language, with Vary: Accept-Language; COOKIE (NULL: none) the CSRF cookie. */
static enum MHD_Result respond_page(struct MHD_Connection *c, struct req *rq, int status, const char *type,
                                    const char *body, size_t len, int copy, const char *lang,
                                    const char *cookie, long long retry_after_s)
{
    struct MHD_Response *r = copy
                                 ? response_copy(body, len)
                                 : MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    for (size_t i = 0; i < sizeof(page_headers) / sizeof(page_headers[0]); i++)
        MHD_add_response_header(r, page_headers[i][0], page_headers[i][1]);
    if (lang) {
        MHD_add_response_header(r, "Content-Language", lang);
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Language");
    }
    if (cookie) {
        char set[128];
        snprintf(set, sizeof(set), "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict", REDEEMFORM_COOKIE,
                 cookie);
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, set);
    }
    return queue(c, rq, status, r, retry_after_s);
}

/* Render P and answer with it. */
static enum MHD_Result respond_view(struct MHD_Connection *c, struct req *rq, const struct redeempage *p,
                                    const char *cookie, long long retry_after_s)
{
    struct strbuf html;
    strbuf_init_secret(&html, 1 << 20);
    enum MHD_Result done;
    if (redeempage_render(p, &html) != RU_OK)
        done =
            respond_page(c, rq, 500, "text/plain; charset=utf-8", "internal error\n", 15, 0, NULL, NULL, 0);
    else
        done = respond_page(c, rq, redeempage_status(p), "text/html; charset=utf-8", html.buf, html.len, 1,
                            p->lang, cookie, retry_after_s);
    strbuf_release(&html);
    return done;
}

/* The page as it stands for RQ: language, token, what the form held. */
static struct redeempage view_of(const struct req *rq, enum redeempage_view view)
{
    return (struct redeempage){.view = view,
                               .lang = rq->lang,
                               .lang_in_address = rq->lang_in_address,
                               .csrf = rq->csrf,
                               .pin_typed = rq->form.pin,
                               .account = rq->form.account};
}

/* The answer to a page's post once the redemption rules have decided (or failed to). */
static enum MHD_Result page_answer(struct MHD_Connection *c, struct req *rq)
{
    struct activation_answer *a = &rq->answer;
    struct redeempage p = view_of(rq, REDEEMPAGE_UNAVAILABLE);
    enum MHD_Result r;
    if (rq->job.rc == RU_OK)
        redeempage_answer(&p, a->http_status, a->body, rq->job.retry_after_s);
    r = respond_view(c, rq, &p, NULL,
                     p.view == REDEEMPAGE_LOCKED        ? p.retry_after_s
                     : p.view == REDEEMPAGE_UNAVAILABLE ? UNAVAILABLE_RETRY_S
                                                        : 0);
    wipe(&p, sizeof(p));
    activation_answer_release(a);
    return r;
}

/* GET /redeem[?pin=...][&lang=xx]: the form, the PIN from the address masked. */
static enum MHD_Result page_get(struct MHD_Connection *c, struct req *rq, const struct redeemform *query,
                                int query_ok, int have_cookie)
{
    struct redeempage p = view_of(rq, REDEEMPAGE_FORM);
    p.pin_typed = p.account = NULL;
    p.status = 200;
    if (!query_ok || (query->pin[0] && !redeempage_check(&p, query->pin, "-"))) {
        p.pin_problem = REDEEMPAGE_LINK; /* typed from the card instead */
        p.pin[0] = '\0';
    }
    enum MHD_Result r = respond_view(c, rq, &p, have_cookie ? NULL : rq->csrf, 0);
    wipe(&p, sizeof(p));
    return r;
}

/* POST /redeem: the form, from the page itself, redeemed through the writers as
 * POST /v1/redemptions is (the same rules, refusals and lockout). */
static enum MHD_Result page_post(struct server *srv, struct MHD_Connection *c, struct req *rq,
                                 int have_cookie)
{
    const char *why;
    struct redeempage p = view_of(rq, REDEEMPAGE_BAD_FORM);
    p.pin_typed = p.account = NULL;
    if (rq->too_large) {
        p.status = 413;
        return respond_view(c, rq, &p, NULL, 0);
    }
    if (!redeemform_is_form_type(
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        p.status = 415;
        return respond_view(c, rq, &p, NULL, 0);
    }
    /* a post from another site is refused before its body is looked at */
    if (!redeemform_same_origin(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"),
                                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
                                MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site"))) {
        p.view = REDEEMPAGE_EXPIRED;
        return respond_view(c, rq, &p, NULL, 0);
    }
    if (redeemform_parse_body(rq->body.buf, rq->body.len, &rq->form, &why) != RU_OK)
        return respond_view(c, rq, &p, NULL, 0);
    if (!have_cookie || !redeemform_token_match(rq->form.csrf, rq->csrf)) {
        p.view = REDEEMPAGE_EXPIRED;
        return respond_view(c, rq, &p, NULL, 0);
    }
    p = view_of(rq, REDEEMPAGE_FORM);
    if (!redeempage_check(&p, rq->form.pin, rq->form.account) || rq->form.intent == REDEEMFORM_SWITCH) {
        if (rq->form.intent == REDEEMFORM_SWITCH) {
            /* only shown again: no field is wrong yet */
            p.pin_problem = p.account_problem = REDEEMPAGE_NONE;
            p.status = 200;
        }
        enum MHD_Result r = respond_view(c, rq, &p, NULL, 0);
        wipe(&p, sizeof(p));
        return r;
    }
    wipe(&p, sizeof(p));
    if (redeemform_redemption_json(&rq->form, &rq->page_json) != RU_OK)
        return MHD_NO;
    client_address(c, rq);
    rq->page = 1;
    rq->job = (struct job){.kind = JOB_REDEEM,
                           .address = rq->address,
                           .body = rq->page_json,
                           .len = strlen(rq->page_json),
                           .out = &rq->answer};
    return submit(srv, c, rq);
}

/* The page's paths: PATH is "/redeem" or one of its files. */
static enum MHD_Result redeem_page(struct server *srv, struct MHD_Connection *c, struct req *rq,
                                   const char *method, const char *path)
{
    const char *type, *asset = redeempage_asset(path, &type), *why;
    int get = !strcmp(method, "GET");
    if (asset)
        return get ? respond_page(c, rq, 200, type, asset, strlen(asset), 0, NULL, NULL, 0)
                   : method_not_allowed(c, rq, "GET");
    if (!get && strcmp(method, "POST") != 0)
        return method_not_allowed(c, rq, "GET, POST");
    struct redeemform query;
    const char *q = strchr(rq->uri, '?');
    int query_ok = redeemform_parse_query(q ? q + 1 : NULL, q ? strlen(q + 1) : 0, &query, &why) == RU_OK;
    rq->lang_in_address = query_ok && catalog_known(query.lang);
    rq->lang = langpick(rq->lang_in_address ? query.lang : NULL,
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
    /* the CSRF token: the browser's cookie, or a new one that the answer sets */
    int have_cookie =
        redeemform_cookie_token(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE),
                                rq->csrf) == RU_OK;
    if (!have_cookie && get && redeemform_token_new(rq->csrf) != RU_OK) {
        redeemform_release(&query);
        struct redeempage p = view_of(rq, REDEEMPAGE_UNAVAILABLE);
        return respond_view(c, rq, &p, NULL, UNAVAILABLE_RETRY_S);
    }
    enum MHD_Result r =
        get ? page_get(c, rq, &query, query_ok, have_cookie) : page_post(srv, c, rq, have_cookie);
    redeemform_release(&query);
    return r;
}

/* Route a complete request. */
static enum MHD_Result route(struct server *srv, struct MHD_Connection *c, struct req *rq, const char *method)
{
    char path[256];
    char *store = rq->store;
    size_t plen = strcspn(rq->uri, "?");
    int get = !strcmp(method, "GET");
    enum MHD_Result done;
    struct request_error e;
    enum ru_status rc;
    if (rq->queued)
        return rq->page ? page_answer(c, rq) : answer(c, rq);
    if (rq->ambiguous)
        return respond_error(
            c, rq, 400, "ambiguous_request",
            "Authorization, Content-Length, Content-Type, Transfer-Encoding and ReUp-Journal-Head"
            " may come once,"
            " and Content-Length not with Transfer-Encoding");
    if (plen >= sizeof(path))
        return respond_error(c, rq, 404, "not_found", "no such path");
    memcpy(path, rq->uri, plen);
    path[plen] = '\0';

    const char *asset_type;
    if (!strcmp(path, "/redeem") || redeempage_asset(path, &asset_type))
        return redeem_page(srv, c, rq, method, path);
    if (!strcmp(path, "/v1/health"))
        return get ? respond(c, rq, 200, "{\"status\":\"ok\"}", NULL) : method_not_allowed(c, rq, "GET");
    if (!strcmp(path, "/v1/redemptions")) {
        if (strcmp(method, "POST") != 0)
            return method_not_allowed(c, rq, "POST");
        return not_json(c, rq, &done) ? done : redemption(srv, c, rq);
    }
    /* which method the path takes, before anything else is looked at */
    const char *want = NULL;
    const char *tail = NULL;
    if (!strcmp(path, "/v1/plans") || !strcmp(path, "/v1/terminals/me/journal-head") ||
        !strcmp(path, "/v1/terminals/me/journal-heads"))
        want = "GET";
    else if (!strcmp(path, "/v1/activations") || !strcmp(path, "/v1/reversals") || !strcmp(path, "/v1/cards"))
        want = "POST";
    else if (!strncmp(path, "/v1/cards/", 10) && path[10] && !strchr(path + 10, '/'))
        want = "GET", tail = path + 10;
    else if (!strncmp(path, "/v1/activations/", 16) && strlen(path) > 21 &&
             !strcmp(path + strlen(path) - 5, "/void"))
        want = "POST", tail = path + 16;
    if (!want)
        return respond_error(c, rq, 404, "not_found", "no such path");
    if (strcmp(method, want) != 0)
        return method_not_allowed(c, rq, want);
    if (rq->too_large)
        return respond_error(c, rq, 413, "body_too_large", "the body is larger than 16384 bytes");
    if (!get && not_json(c, rq, &done))
        return done;
    if (!authenticate(srv, c, rq, method, rq->store, &done))
        return done;
    struct activation_caller who = {rq->terminal, store};
    const char *body = rq->body.buf ? rq->body.buf : "";
    const struct auth_head *head = rq->has_head ? &rq->head : NULL;

    if (get && !strcmp(path, "/v1/terminals/me/journal-head")) {
        /* with a head of its own, it is recorded first and the answer is the latest after
         * it: through a writer. Without, a plain read. */
        if (head) {
            rq->job = (struct job){.kind = JOB_HEAD, .who = who, .head = head, .out = &rq->answer};
            return submit(srv, c, rq);
        }
        pthread_mutex_lock(&srv->rdlock);
        rc = head_answer(srv->rd, &who, &rq->answer);
        pthread_mutex_unlock(&srv->rdlock);
        rq->job.rc = rc;
        return answer(c, rq);
    }
    if (get)
        record_head_later(srv, rq);
    if (get && !strcmp(path, "/v1/terminals/me/journal-heads"))
        return heads_page(srv, c, rq, &who);

    if (get && !strcmp(path, "/v1/plans")) {
        char *json = NULL;
        pthread_mutex_lock(&srv->rdlock);
        rc = ledger_plans_json(srv->rd, &json);
        pthread_mutex_unlock(&srv->rdlock);
        done = rc == RU_OK ? respond(c, rq, 200, json, NULL)
                           : respond_unavailable(c, rq, "the catalog cannot be read; retry later");
        free(json);
        return done;
    }
    if (get) {
        char serial[CARD_DIGITS + 1], *json = NULL;
        const char *why;
        if (card_serial_parse(tail, serial, &why) != RU_OK)
            return respond_error(c, rq, 400, "invalid_serial", why);
        pthread_mutex_lock(&srv->rdlock);
        rc = ledger_card_json(srv->rd, serial, store, &json);
        pthread_mutex_unlock(&srv->rdlock);
        if (rc == RU_ERR_NOT_FOUND)
            return respond_error(c, rq, 404, "card_not_found", "no card has this serial");
        done = rc == RU_OK ? respond(c, rq, 200, json, NULL)
                           : respond_unavailable(c, rq, "the card cannot be read; retry later");
        free(json);
        return done;
    }
    if (!strcmp(path, "/v1/activations")) {
        struct activation_request *r = &rq->parsed.activation;
        if (request_parse_activation(body, rq->body.len, r, &e) != RU_OK)
            return bad_request(c, rq, &e);
        memcpy(rq->request_id, r->request_id, sizeof(r->request_id));
        rq->job = (struct job){.kind = JOB_ACTIVATE, .who = who, .req = r, .head = head, .out = &rq->answer};
        return submit(srv, c, rq);
    }
    if (!strcmp(path, "/v1/cards")) {
        struct card_request *r = &rq->parsed.card;
        if (request_parse_card(body, rq->body.len, r, &e) != RU_OK)
            return bad_request(c, rq, &e);
        memcpy(rq->request_id, r->request_id, sizeof(r->request_id));
        rq->job = (struct job){.kind = JOB_CARD, .who = who, .req = r, .head = head, .out = &rq->answer};
        return submit(srv, c, rq);
    }
    if (!strcmp(path, "/v1/reversals")) {
        struct reversal_request *r = &rq->parsed.reversal;
        if (request_parse_reversal(body, rq->body.len, r, &e) != RU_OK)
            return bad_request(c, rq, &e);
        memcpy(rq->request_id, r->request_id, sizeof(r->request_id));
        rq->job = (struct job){.kind = JOB_REVERSE, .who = who, .req = r, .head = head, .out = &rq->answer};
        return submit(srv, c, rq);
    }
    /* POST /v1/activations/{request_id}/void */
    char *id = rq->request_id;
    size_t idlen = strlen(tail) - 5;
    if (idlen != REQUEST_UUID_LEN)
        return respond_error(c, rq, 404, "activation_not_found",
                             "the path must hold the activation's request_id");
    memcpy(id, tail, idlen);
    id[idlen] = '\0';
    if (!request_is_uuid(id)) {
        *id = '\0';
        return respond_error(c, rq, 404, "activation_not_found",
                             "the path must hold the activation's request_id");
    }
    for (char *p = id; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
    struct void_request *v = &rq->parsed.void_;
    if (request_parse_void(body, rq->body.len, v, &e) != RU_OK)
        return bad_request(c, rq, &e);
    rq->job = (struct job){
        .kind = JOB_VOID, .who = who, .req = v, .request_id = id, .head = head, .out = &rq->answer};
    return submit(srv, c, rq);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size,
                                  void **con_cls)
{
    struct server *srv = cls;
    struct req *rq = *con_cls;
    (void)url;
    (void)version;
    if (!rq || !rq->uri)
        return MHD_NO;
    if (!rq->started) {
        rq->started = 1; /* headers only: the body, if any, comes in the next calls */
        snprintf(rq->method, sizeof(rq->method), "%s", method);
        rq->ambiguous = ambiguous_headers(c);
        return MHD_YES;
    }
    if (*upload_size) {
        /* keep reading past the cap, so that the answer is a clean 413 */
        if (!rq->too_large && strbuf_add(&rq->body, upload, *upload_size) != RU_OK)
            rq->too_large = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    httpguard_received(c);
    return route(srv, c, rq, method);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct strbuf sb;
    char buf[4096];
    size_t n;
    if (!f)
        return NULL;
    strbuf_init_secret(&sb, 1 << 20); /* the TLS key */
    setvbuf(f, NULL, _IONBF, 0);      /* no stdio buffer left behind with it */
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (strbuf_add(&sb, buf, n) != RU_OK)
            break;
    int ok = !ferror(f) && feof(f);
    fclose(f);
    wipe(buf, sizeof(buf));
    if (!ok || !sb.buf) {
        strbuf_release(&sb);
        return NULL;
    }
    return sb.buf;
}

/* The listener: (re)connects, listens, and drops each rotated terminal from the cache;
 * the cache is trusted only while it listens. */
static void *listener(void *arg)
{
    struct server *srv = arg;
    struct ledger *lg = srv->ear;
    int listening = lg != NULL;
    srv->ear = NULL;
    prctl(PR_SET_NAME, "reup-listener");
    while (!atomic_load(&srv->listener_stop)) {
        if (!listening) {
            ledger_free(lg);
            lg = NULL;
            if (ledger_open(srv->dir, &lg) == RU_OK && store_terminal_listen(ledger_store(lg)) == RU_OK) {
                listening = 1;
                termcache_trust(srv->terminals, 1);
            } else {
                struct timespec ts = {0, 250 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        char id[AUTH_TERMINAL_MAX + 2];
        if (store_terminal_heard(ledger_store(lg), 250, id, sizeof(id)) != RU_OK) {
            /* rotations may go unheard until it listens again: every secret from the ledger */
            termcache_trust(srv->terminals, 0);
            listening = 0;
            if (srv->log)
                fprintf(srv->log,
                        "reup-issuer: not hearing of terminal rotations (%s): secrets are read from the "
                        "ledger until the connection is back\n",
                        ledger_errmsg(lg));
        } else if (!strcmp(id, "*")) {
            /* some terminal's secret changed (SQLite does not say which): forget them all */
            termcache_trust(srv->terminals, 0);
            termcache_trust(srv->terminals, 1);
        } else if (*id)
            termcache_forget(srv->terminals, id);
    }
    ledger_free(lg);
    return NULL;
}

enum ru_status server_start(const struct server_config *cfg, struct server **out, char *err, size_t errlen)
{
    struct listenaddr addr;
    const char *why;
    char cert[4096], key[4096];
    if (listenaddr_parse(cfg->listen, &addr, &why) != RU_OK) {
        snprintf(err, errlen, "--listen '%.100s': %s", cfg->listen, why);
        return RU_ERR_INVALID;
    }
    const char *priority = cfg->tls_priority ? cfg->tls_priority : TLSPOLICY_DEFAULT;
    if (tlspolicy_check(priority, err, errlen) != RU_OK)
        return RU_ERR_INVALID;
    struct server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return RU_ERR_NOMEM;
    pthread_mutex_init(&srv->rdlock, NULL);
    pthread_mutex_init(&srv->qlock, NULL);
    pthread_cond_init(&srv->queued, NULL);
    srv->log = cfg->log;
    const struct netlimits lim = netlimits_or_defaults(&cfg->limits), *l = &lim;
    srv->shutdown_timeout_s = l->shutdown_timeout_s;
    srv->void_window_s = cfg->void_window_s > 0 ? cfg->void_window_s : ACTIVATION_VOID_WINDOW_S;
    if (cfg->writers > SERVER_WRITERS_MAX) {
        snprintf(err, errlen, "%u writers: at most %d", cfg->writers, SERVER_WRITERS_MAX);
        server_stop(srv);
        return RU_ERR_INVALID;
    }
    const struct ledger *bad = NULL;
    if (termcache_new(TERMCACHE_TTL_S, &srv->terminals) != RU_OK) {
        snprintf(err, errlen, "out of memory");
        server_stop(srv);
        return RU_ERR_NOMEM;
    }
    enum ru_status rc = ledger_open(cfg->dir, &srv->rd);
    bad = srv->rd;
    if (rc == RU_OK) {
        int pg = !strcmp(store_engine(ledger_store(srv->rd)), "postgresql");
        srv->nwriters = cfg->writers ? cfg->writers : pg ? SERVER_WRITERS_PG : 1;
        if (!pg && srv->nwriters > 1) {
            snprintf(err, errlen, "%u writers: a ledger on SQLite has one writer (several need PostgreSQL)",
                     srv->nwriters);
            server_stop(srv);
            return RU_ERR_INVALID;
        }
        srv->batch_max = cfg->batch_max;
        srv->bare = pg;
        if (!(srv->writers = calloc(srv->nwriters, sizeof(*srv->writers))))
            rc = RU_ERR_NOMEM;
    }
    for (unsigned i = 0; rc == RU_OK && i < srv->nwriters; i++) {
        srv->writers[i].srv = srv;
        rc = ledger_open(cfg->dir, &srv->writers[i].lg);
        bad = srv->writers[i].lg;
    }
    if (rc != RU_OK) {
        snprintf(err, errlen, "%s", bad ? ledger_errmsg(bad) : "out of memory");
        server_stop(srv);
        /* the database failing is a system error; no server answering is reported as such */
        return rc == RU_ERR_DB ? RU_ERR_IO : rc == RU_ERR_NETWORK ? RU_ERR_NETWORK : RU_ERR_NOT_FOUND;
    }
    snprintf(cert, sizeof(cert), "%s", cfg->cert_path ? cfg->cert_path : "");
    snprintf(key, sizeof(key), "%s", cfg->key_path ? cfg->key_path : "");
    if (!cfg->cert_path)
        snprintf(cert, sizeof(cert), "%.4000s/tls/cert.pem", cfg->dir);
    if (!cfg->key_path)
        snprintf(key, sizeof(key), "%.4000s/tls/key.pem", cfg->dir);
    if (privatefile_check(key, 0, err, errlen) == RU_ERR_INVALID) {
        server_stop(srv);
        return RU_ERR_NOT_FOUND;
    }
    if (!(srv->cert = read_file(cert)) || !(srv->key = read_file(key))) {
        snprintf(err, errlen, "cannot read the TLS certificate '%s' and key '%s'", cert, key);
        server_stop(srv);
        return RU_ERR_NOT_FOUND;
    }
    if (httpguard_new(l->request_timeout_s, &srv->guard) != RU_OK) {
        snprintf(err, errlen, "cannot start the request-timeout thread");
        server_stop(srv);
        return RU_ERR_IO;
    }
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_ITC | MHD_USE_EPOLL |
            MHD_ALLOW_SUSPEND_RESUME |
            (addr.dual_stack ? MHD_USE_DUAL_STACK
             : addr.ipv6     ? MHD_USE_IPv6
                             : 0),
        0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr.addr,
        MHD_OPTION_HTTPS_MEM_CERT, srv->cert, MHD_OPTION_HTTPS_MEM_KEY, srv->key, MHD_OPTION_THREAD_POOL_SIZE,
        cfg->threads ? cfg->threads : SERVER_THREADS, MHD_OPTION_CONNECTION_TIMEOUT, l->idle_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, l->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        l->max_per_address, MHD_OPTION_NOTIFY_CONNECTION, httpguard_notify, srv->guard,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_HTTPS_PRIORITIES, priority,
        MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "cannot listen on %s (in use, or not an address of this machine?)",
                 cfg->listen);
        server_stop(srv);
        return RU_ERR_IO;
    }
    for (unsigned i = 0; i < srv->nwriters; i++) {
        struct writer *w = &srv->writers[i];
        if (pthread_create(&w->thread, NULL, committer, w) != 0) {
            snprintf(err, errlen, "cannot start the writer threads");
            server_stop(srv);
            return RU_ERR_IO;
        }
        w->started = 1;
    }
    /* the cache is trusted while the listener hears rotations (and not without one) */
    termcache_trust(srv->terminals, 0);
    if (store_can_listen(ledger_store(srv->rd))) {
        /* listening before serve says it serves: the first requests are cached already,
         * and the connections a node holds are there to count */
        if (ledger_open(cfg->dir, &srv->ear) == RU_OK &&
            store_terminal_listen(ledger_store(srv->ear)) == RU_OK)
            termcache_trust(srv->terminals, 1);
        else {
            ledger_free(srv->ear);
            srv->ear = NULL;
        }
        if (!(srv->dir = strdup(cfg->dir)) || pthread_create(&srv->listener, NULL, listener, srv) != 0) {
            snprintf(err, errlen, "cannot start the listener thread");
            server_stop(srv);
            return RU_ERR_IO;
        }
        srv->listener_started = 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
    *out = srv;
    return RU_OK;
}

unsigned server_port(const struct server *s)
{
    return s->port;
}

unsigned server_writers(const struct server *s)
{
    return s->nwriters;
}

void server_batch_counts(const struct server *s, unsigned long long *batches, unsigned long long *retries)
{
    *batches = atomic_load(&s->batches);
    *retries = atomic_load(&s->retries);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait, until UNTIL_S (now_s()) at the latest, until no request is between its first byte
 * and its answer. */
static void wait_idle(struct server *s, double until_s)
{
    while (atomic_load(&s->in_flight) > 0 && now_s() < until_s) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

void server_stop(struct server *s)
{
    if (!s)
        return;
    /* closed at once: a new connection is refused rather than left waiting */
    MHD_socket fd = s->daemon ? MHD_quiesce_daemon(s->daemon) : MHD_INVALID_SOCKET;
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    /* requests already received are answered, within the bound */
    double until_s = now_s() + s->shutdown_timeout_s;
    if (s->daemon)
        wait_idle(s, until_s);
    /* from here a write request is answered 503 at once; the writers apply what is
     * queued, wake those connections and go */
    pthread_mutex_lock(&s->qlock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->queued);
    pthread_mutex_unlock(&s->qlock);
    for (unsigned i = 0; s->writers && i < s->nwriters; i++)
        if (s->writers[i].started)
            pthread_join(s->writers[i].thread, NULL);
    if (s->daemon) {
        /* the connections the writers woke have their answers to send: what is on disk
         * is worth telling, so a second at least even past the bound */
        wait_idle(s, until_s > now_s() + 1 ? until_s : now_s() + 1);
        MHD_stop_daemon(s->daemon);
    }
    httpguard_free(s->guard);
    atomic_store(&s->listener_stop, 1);
    if (s->listener_started)
        pthread_join(s->listener, NULL);
    ledger_free(s->ear); /* when the thread never started */
    free(s->dir);
    for (unsigned i = 0; s->writers && i < s->nwriters; i++)
        ledger_free(s->writers[i].lg);
    free(s->writers);
    ledger_free(s->rd);
    termcache_free(s->terminals);
    free(s->cert);
    wipe_free(s->key);
    pthread_mutex_destroy(&s->rdlock);
    pthread_mutex_destroy(&s->qlock);
    pthread_cond_destroy(&s->queued);
    free(s);
}
