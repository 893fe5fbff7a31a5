/*
 * locator/webserver.c - HTTP for the locator: GET and HEAD only; the API's JSON; static
 * files from one folder, without listings or a way out of it, with Cache-Control,
 * a Content-Security-Policy that allows only the page's own files, and the gzip copy of
 * a file (FILE.gz beside it) when the client accepts gzip. The page itself comes in the
 * reader's language: index.LANG.html, as langpick() chooses from ?lang= and
 * Accept-Language.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "locator/webserver.h"
#include "locator/webapi.h"
#include "locator/ratelimit.h"
#include "locator/webquery.h"
#include "common/accesslog.h"
#include "common/httpguard.h"
#include "common/listenaddr.h"
#include "i18n/langpick.h"
#include "common/banned.h"

#define CSP_FORMAT                                                                                    \
    "default-src 'self'; img-src 'self' data:%s%s; style-src 'self'; script-src 'self'; connect-src " \
    "'self'; "                                                                                        \
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

struct webserver {
    struct MHD_Daemon *daemon;
    struct httpguard *guard;
    unsigned shutdown_timeout_s;
    unsigned rate;
    pthread_mutex_t bucket_lock;
    struct ratelimit limit; /* guarded by bucket_lock */
    struct webapi *api;
    char web_dir[4096];
    int web_fd; /* web_dir, opened once; -1: the API alone */
    char csp[1024];
    char *config_json; /* the page's /config.json */
    FILE *log;
    atomic_int in_flight;
    unsigned port;
};

struct req {
    const struct webserver *server;
    char *uri; /* as sent, with the query string */
    char method[8];
    struct timespec t0;
    int status;
    int started; /* the handler has been called once */
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct webserver *s = cls;
    (void)c;
    struct req *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->server = s;
    r->uri = strdup(uri);
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    atomic_fetch_add(&s->in_flight, 1);
    return r;
}

/* The address of C's client. NULL when libmicrohttpd does not know it. */
static const struct sockaddr *client_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci ? ci->client_addr : NULL;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct webserver *s = cls;
    struct req *r = *con_cls;
    (void)toe;
    httpguard_answered(c);
    if (!r)
        return;
    if (s->log) {
        char addr[INET6_ADDRSTRLEN] = "-";
        const struct sockaddr *sa = client_of(c);
        if (sa && sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr, sizeof(addr));
        else if (sa && sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr,
                      sizeof(addr));
        accesslog_line(s->log, &r->t0, addr, r->method, r->uri, r->status, NULL);
    }
    free(r->uri);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

static enum MHD_Result respond(struct MHD_Connection *c, struct req *r, int status, struct MHD_Response *resp,
                               const char *type, const char *cache)
{
    const struct webserver *s = r->server;
    const char *csp = s->csp;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    r->status = status;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result send_json(struct MHD_Connection *c, struct req *r, int status, const char *json)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    return respond(c, r, status, resp, "application/json", "no-store");
}

static const char *mime_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript"},
                 {".css", "text/css"},
                 {".json", "application/json"},
                 {".png", "image/png"},
                 {".svg", "image/svg+xml"},
                 {".ico", "image/x-icon"},
                 {".map", "application/json"}};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* Open the regular file at PATH ("/a/b.js", decoded) below the folder DIR, one name at a
 * time with openat(): every name must be a plain one (not empty, not starting with '.',
 * so no "..", no "//" and no hidden files) and no symbolic link is followed, so nothing
 * outside the folder can be reached whatever the names hold. With GZIP, NAME.gz beside
 * the file is opened instead when there is one (*zipped = 1). -1 when there is no such
 * file; O_NONBLOCK keeps a FIFO from stalling the thread until fstat() refuses it. */
static int open_below(int dir, const char *path, int gzip, int *zipped)
{
    char name[256];
    int at = dir, fd = -1;
    *zipped = 0;
    for (const char *p = path + 1;;) {
        size_t len = strcspn(p, "/");
        if (!len || p[0] == '.' || len + 4 > sizeof(name))
            break;
        memcpy(name, p, len);
        name[len] = '\0';
        if (p[len] == '/') {
            int next = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (at != dir)
                close(at);
            at = next;
            if (at < 0)
                break;
            p += len + 1;
            continue;
        }
        struct stat st;
        const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
        if (gzip) {
            memcpy(name + len, ".gz", 4);
            fd = openat(at, name, flags);
            if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
                *zipped = 1;
            else if (fd >= 0)
                close(fd);
            name[len] = '\0';
        }
        if (!*zipped)
            fd = openat(at, name, flags);
        if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
            close(fd);
            fd = -1;
        }
        break;
    }
    if (at != dir && at >= 0)
        close(at);
    return fd;
}

/* A file of the page, for the request target as sent (r->uri, read by webquery_path):
 * only regular files below the web folder (open_below). */
static enum MHD_Result static_file(struct webserver *s, struct MHD_Connection *c, struct req *r)
{
    char buf[401];
    const char *path = buf;
    if (!r->uri || webquery_path(r->uri, buf, sizeof(buf)) != RU_OK)
        return send_json(c, r, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no such file\"}}");
    char page[32];
    const char *lang = NULL;
    if (!strcmp(path, "/") || !strcmp(path, "/index.html")) {
        lang = langpick(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang"),
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
        snprintf(page, sizeof(page), "/index.%s.html", lang);
        path = page;
    }
    if (!strcmp(path, "/config.json")) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            strlen(s->config_json), (void *)s->config_json, MHD_RESPMEM_PERSISTENT);
        return respond(c, r, 200, resp, "application/json", "no-cache");
    }
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    int zipped, fd = open_below(s->web_fd, path, ae && strstr(ae, "gzip"), &zipped);
    if (fd < 0 && lang) {
        /* a folder assembled before the page had languages: its one page */
        path = "/index.html";
        lang = NULL;
        fd = open_below(s->web_fd, path, ae && strstr(ae, "gzip"), &zipped);
    }
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return send_json(c, r, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no such file\"}}");
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (resp && zipped)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (resp)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
                                lang ? "Accept-Encoding, Accept-Language" : "Accept-Encoding");
    if (resp && lang)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_LANGUAGE, lang);
    /* the page itself is small and changes with releases; its libraries rarely */
    const char *cache = strstr(path, ".html") ? "no-cache" : "public, max-age=3600";
    return respond(c, r, 200, resp, mime_of(path), cache);
}

/* 1 when the client of C may make another API request now (ratelimit.h). */
static int allowed(struct webserver *s, struct MHD_Connection *c)
{
    if (!s->rate)
        return 1;
    struct ratelimit_key key;
    ratelimit_key_of(client_of(c), &key);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    pthread_mutex_lock(&s->bucket_lock);
    int ok = ratelimit_take(&s->limit, &key, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    pthread_mutex_unlock(&s->bucket_lock);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size,
                                  void **con_cls)
{
    struct webserver *s = cls;
    struct req *r = *con_cls;
    (void)version, (void)upload;
    if (!r)
        return MHD_NO;
    /* An answer queued in the first call ends the connection ("Connection: close"):
     * libmicrohttpd keeps it open only for one queued once the request is read. */
    if (!r->started) {
        r->started = 1;
        return MHD_YES;
    }
    snprintf(r->method, sizeof(r->method), "%s", method);
    if (*upload_size) {
        *upload_size = 0; /* a GET has no body worth reading */
        return MHD_YES;
    }
    httpguard_received(c);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            strlen("{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"use GET\"}}"),
            (void *)"{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"use GET\"}}",
            MHD_RESPMEM_PERSISTENT);
        if (resp)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        return respond(c, r, 405, resp, "application/json", "no-store");
    }
    const char *qs = r->uri ? strchr(r->uri, '?') : NULL;
    if (webapi_handles(url) && !allowed(s, c)) {
        static const char body[] =
            "{\"error\":{\"code\":\"rate_limited\",\"message\":\"too many requests from "
            "your address: try again in a second\"}}";
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
        if (resp)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
        return respond(c, r, 429, resp, "application/json", "no-store");
    }
    if (webapi_handles(url)) {
        int status = 500;
        char *body = NULL;
        if (webapi_answer(s->api, url, qs ? qs + 1 : "", &status, &body) != RU_OK)
            return MHD_NO;
        enum MHD_Result ok = send_json(c, r, status, body);
        free(body);
        return ok;
    }
    if (s->web_fd >= 0 && strncmp(url, "/api/", 5) != 0)
        return static_file(s, c, r);
    return send_json(c, r, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no such path\"}}");
}

/* The CSP source of the tile server in URL into OUT: the scheme and host, with a "{s}."
 * subdomain placeholder as a wildcard. 0 when URL is not an http(s) tile URL. */
static int tiles_origin(const char *url, char *out, size_t len)
{
    const char *host = !strncmp(url, "https://", 8) ? url + 8 : !strncmp(url, "http://", 7) ? url + 7 : NULL;
    if (!host || strlen(url) > 500)
        return 0;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || strchr("\"'<>;,`\\", *p))
            return 0;
    const char *end = host + strcspn(host, "/");
    if (end == host)
        return 0;
    size_t o = (size_t)(host - url);
    snprintf(out, len, "%.*s", (int)o, url);
    for (const char *p = host; p < end; p++) {
        if (!strncmp(p, "{s}.", 4)) {
            snprintf(out + o, len - o, "*.");
            o += 2;
            p += 3;
            continue;
        }
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:", *p) || o + 2 > len)
            return 0;
        out[o++] = *p;
        out[o] = '\0';
    }
    return 1;
}

/* The page's settings (/config.json), the policy that lets the page use them, and its
 * folder. page_release() frees what this made, whether it succeeded or not. */
static enum ru_status page_settings(struct webserver *s, const struct webserver_config *cfg, char *err,
                                    size_t errlen)
{
    char origin[600] = "";
    s->web_fd = -1;
    if (cfg->tiles_url && !tiles_origin(cfg->tiles_url, origin, sizeof(origin))) {
        snprintf(err, errlen,
                 "--tiles '%.300s' is not a tile URL: give http(s)://HOST/PATH with {z}, {x} and {y}, "
                 "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                 cfg->tiles_url);
        return RU_ERR_INVALID;
    }
    snprintf(s->csp, sizeof(s->csp), CSP_FORMAT, *origin ? " " : "", origin);
    json_t *root = cfg->tiles_url ? json_pack("{s:{s:s,s:s}}", "tiles", "url", cfg->tiles_url, "attribution",
                                              cfg->tiles_attribution ? cfg->tiles_attribution : "")
                                  : json_pack("{s:n}", "tiles");
    s->config_json = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (!s->config_json) {
        snprintf(err, errlen, "the tile attribution is not valid UTF-8");
        return RU_ERR_INVALID;
    }
    /* the folder is opened once: files are then found below this descriptor, whatever
     * becomes of the name */
    if (s->web_dir[0] && ((s->web_fd = open(s->web_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
                          faccessat(s->web_fd, "index.html", R_OK, 0) != 0)) {
        snprintf(err, errlen,
                 "--web %.300s: %.300s/index.html cannot be read (%s); build the page, or give --web \"\" "
                 "for the API alone",
                 s->web_dir, s->web_dir, strerror(errno));
        return RU_ERR_INVALID;
    }
    return RU_OK;
}

static void page_release(struct webserver *s)
{
    free(s->config_json);
    if (s->web_fd >= 0)
        close(s->web_fd);
}

enum ru_status webserver_start(const struct webserver_config *cfg, struct webserver **out, char *err,
                               size_t errlen)
{
    struct listenaddr addr;
    const char *why;
    if (listenaddr_parse(cfg->listen, &addr, &why) != RU_OK) {
        snprintf(err, errlen, "--listen '%.100s': %s", cfg->listen, why);
        return RU_ERR_INVALID;
    }
    struct webserver *s = calloc(1, sizeof(*s));
    if (!s)
        return RU_ERR_NOMEM;
    s->log = cfg->log;
    s->rate = cfg->rate;
    const struct netlimits lim = netlimits_or_defaults(&cfg->limits), *l = &lim;
    s->shutdown_timeout_s = l->shutdown_timeout_s;
    ratelimit_init(&s->limit, cfg->rate ? cfg->rate : 1);
    pthread_mutex_init(&s->bucket_lock, NULL);
    snprintf(s->web_dir, sizeof(s->web_dir), "%s", cfg->web_dir ? cfg->web_dir : "");
    /* SQLite's memory statistics take one process-wide lock on every allocation, which
     * the threads would queue on; nothing here reads them. Refused once SQLite is in use,
     * which costs only the speed. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    enum ru_status rc = page_settings(s, cfg, err, errlen);
    /* a request is all CPU once the index is in memory: one thread a processor */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : cpus > 0 && cpus < 64 ? (unsigned)cpus : 4u;
    if (rc == RU_OK)
        rc = webapi_new(cfg->db_path, threads, &s->api, err, errlen);
    if (rc == RU_OK && (rc = httpguard_new(l->request_timeout_s, &s->guard)) != RU_OK)
        snprintf(err, errlen, "cannot start the request-timeout thread");
    if (rc != RU_OK) {
        webapi_free(s->api);
        page_release(s);
        free(s);
        return rc;
    }
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
            (addr.dual_stack ? MHD_USE_DUAL_STACK
             : addr.ipv6     ? MHD_USE_IPv6
                             : 0),
        0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr.addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, l->idle_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, l->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        l->max_per_address, MHD_OPTION_NOTIFY_CONNECTION, httpguard_notify, s->guard,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s (in use, or not an address of this machine?)",
                 cfg->listen);
        httpguard_free(s->guard);
        webapi_free(s->api);
        page_release(s);
        free(s);
        return RU_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    *out = s;
    return RU_OK;
}

enum ru_status webserver_reload(struct webserver *s, char *err, size_t errlen)
{
    return webapi_reload(s->api, err, errlen);
}

int webserver_has_labels(struct webserver *s)
{
    return webapi_has_labels(s->api);
}

unsigned webserver_port(const struct webserver *s)
{
    return s->port;
}

void webserver_stop(struct webserver *s)
{
    if (!s)
        return;
    /* closed at once: a new connection is refused rather than left waiting */
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    for (unsigned i = 0; i < s->shutdown_timeout_s * 100 && atomic_load(&s->in_flight) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->daemon);
    httpguard_free(s->guard);
    webapi_free(s->api);
    pthread_mutex_destroy(&s->bucket_lock);
    page_release(s);
    free(s);
}
