/*
 * locator/webserver.h - `reup-locate serve`: the JSON API (webapi.h) and the page's
 * static files over HTTP (libmicrohttpd), one log line per request, a graceful stop.
 */
#ifndef REUP_LOCATOR_WEBSERVER_H
#define REUP_LOCATOR_WEBSERVER_H
#include <stdio.h>
#include "common/netlimits.h"
#include "common/status.h"

struct webserver;

struct webserver_config {
    const char *listen;  /* "127.0.0.1:8080", "[::1]:8080", "[::]:8080"; port 0 picks a free one */
    const char *db_path; /* the locator database */
    const char *web_dir; /* the page's files; NULL: the API only */
    unsigned threads;    /* 0: one a processor */
    unsigned rate;       /* API requests a second per client address (bursts of twice as many); 0: no limit */
    FILE *log;           /* request lines; NULL for none */
    /* An online tile layer for the page's map, offered in /config.json and allowed by
     * the Content-Security-Policy: "https://{s}.tile.example.org/{z}/{x}/{y}.png".
     * NULL: the offline borders only. */
    const char *tiles_url;
    const char *tiles_attribution;
    struct netlimits limits; /* connections, timeouts, the wait at stop; all zero: the defaults */
};

/* Start serving. RU_ERR_INVALID (listen address, tile URL, a web folder without
 * index.html), RU_ERR_NOT_FOUND / RU_ERR_SCHEMA /
 * RU_ERR_DB (the database), RU_ERR_IO (cannot listen); ERR says which. */
enum ru_status webserver_start(const struct webserver_config *cfg, struct webserver **out, char *err,
                               size_t errlen) RU_WARN_UNUSED;
unsigned webserver_port(const struct webserver *s);

/* Open the database again at its path (webapi_reload()): new requests are answered from
 * the file there now, requests under way finish on the old one, no connection is closed.
 * A file that cannot be used changes nothing; ERR says why. */
enum ru_status webserver_reload(struct webserver *s, char *err, size_t errlen) RU_WARN_UNUSED;

/* Stop listening at once (a new connection is refused), give the requests in flight up
 * to the configured shutdown timeout, close every connection, free S. NULL does nothing. */
void webserver_stop(struct webserver *s);
/* webapi_has_labels() of the database served now. */
int webserver_has_labels(struct webserver *s);
#endif
