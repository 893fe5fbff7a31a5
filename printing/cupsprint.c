/*
 * printing/cupsprint.c - libcups: cupsGetNamedDest, httpConnect2, cupsCopyDestInfo,
 * cupsCreateDestJob, cupsStartDestDocument / cupsWriteRequestData /
 * cupsFinishDestDocument, then Get-Job-Attributes and Get-Printer-Attributes on the
 * same connection until the job ends. cupsConnectDest is not used: it follows the
 * printer's advertised URI, which a server on a private address or socket gets wrong.
 */
#include <cups/cups.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "printing/cupsprint.h"
#include "common/banned.h"

struct cupsprint {
    http_t *http;
    cups_dest_t *dest;
    cups_dinfo_t *info;
    char queue[256];
    char server[512];
    char uri[1024];
};

static int server_gone(void)
{
    ipp_status_t s = cupsLastError();
    return s == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || s == IPP_STATUS_ERROR_INTERNAL;
}

enum ru_status cupsprint_open(const char *server, const char *queue, struct cupsprint **out, char *err,
                              size_t errlen)
{
    if (server)
        cupsSetServer(server);
    struct cupsprint *p = calloc(1, sizeof(*p));
    if (!p)
        return RU_ERR_NOMEM;
    snprintf(p->queue, sizeof(p->queue), "%s", queue);
    const char *host = cupsServer();
    if (host[0] == '/')
        snprintf(p->server, sizeof(p->server), "%s", host);
    else
        snprintf(p->server, sizeof(p->server), "%s:%d", host, ippPort());
    p->http = httpConnect2(host, ippPort(), NULL, AF_UNSPEC, cupsEncryption(), 1, 5000, NULL);
    if (!p->http) {
        snprintf(err, errlen, "the print server %s cannot be reached (is cupsd running? CUPS_SERVER, -h)",
                 p->server);
        cupsprint_free(p);
        return RU_ERR_IO;
    }
    p->dest = cupsGetNamedDest(p->http, queue, NULL);
    if (!p->dest) {
        int gone = server_gone();
        if (gone)
            snprintf(err, errlen, "the print server %s cannot be reached: %s", p->server,
                     cupsLastErrorString());
        else
            snprintf(err, errlen, "there is no print queue '%s' on %s (lpstat -p lists them)", queue,
                     p->server);
        cupsprint_free(p);
        return gone ? RU_ERR_IO : RU_ERR_NOT_FOUND;
    }
    p->info = cupsCopyDestInfo(p->http, p->dest);
    httpAssembleURIf(HTTP_URI_CODING_ALL, p->uri, sizeof(p->uri), "ipp", NULL, "localhost", ippPort(),
                     "/printers/%s", queue);
    *out = p;
    return RU_OK;
}

void cupsprint_free(struct cupsprint *p)
{
    if (!p)
        return;
    if (p->info)
        cupsFreeDestInfo(p->info);
    if (p->dest)
        cupsFreeDests(1, p->dest);
    if (p->http)
        httpClose(p->http);
    free(p);
}

const char *cupsprint_server(const struct cupsprint *p)
{
    return p->server;
}

enum ru_status cupsprint_submit(struct cupsprint *p, FILE *f, const struct cupsprint_options *o, int *job_id,
                                char *err, size_t errlen)
{
    rewind(f);
    cups_option_t *opts = NULL;
    int nopts = 0;
    char copies[16];
    snprintf(copies, sizeof(copies), "%d", o->copies > 0 ? o->copies : 1);
    nopts = cupsAddOption(CUPS_COPIES, copies, nopts, &opts);
    if (o->media)
        nopts = cupsAddOption(CUPS_MEDIA, o->media, nopts, &opts);
    enum ru_status rc = RU_OK;
    *job_id = 0;
    ipp_status_t st = cupsCreateDestJob(p->http, p->dest, p->info, job_id, o->job_name, nopts, opts);
    if (st > IPP_STATUS_OK_CONFLICTING || *job_id <= 0) {
        int gone = server_gone();
        snprintf(err, errlen, "queue '%s' %s: %s", p->queue, gone ? "cannot be reached" : "refused the job",
                 strstr(cupsLastErrorString(), "ccepting")
                     ? "it is not accepting jobs (cupsaccept to allow them)"
                     : cupsLastErrorString());
        *job_id = 0;
        rc = gone ? RU_ERR_IO : RU_ERR_INVALID;
        goto out;
    }
    if (cupsStartDestDocument(p->http, p->dest, p->info, *job_id, o->job_name, CUPS_FORMAT_PDF, 0, NULL, 1) !=
        HTTP_STATUS_CONTINUE) {
        snprintf(err, errlen, "the print server stopped taking the document: %s", cupsLastErrorString());
        rc = RU_ERR_IO;
        goto out;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (cupsWriteRequestData(p->http, buf, n) != HTTP_STATUS_CONTINUE) {
            rc = RU_ERR_IO;
            break;
        }
    if (ferror(f))
        rc = RU_ERR_IO;
    if (cupsFinishDestDocument(p->http, p->dest, p->info) > IPP_STATUS_OK_CONFLICTING || rc != RU_OK) {
        snprintf(err, errlen, "the document was not fully sent: %s", cupsLastErrorString());
        rc = RU_ERR_IO;
    }
out:
    cupsFreeOptions(nopts, opts);
    return rc;
}

/* A printer-state-reasons keyword in plain words; NULL for those that say nothing. */
static const char *reason_words(const char *kw)
{
    static const struct {
        const char *prefix, *words;
    } words[] = {
        {"none", NULL},
        {"processing-to-stop-point", NULL},
        {"printer-stopped", NULL},
        {"job-printing", NULL},
        {"job-incoming", NULL},
        {"job-queued", NULL},
        {"paused", "the printer is stopped (disabled): enable it with cupsenable"},
        {"media-empty", "the printer is out of media (card stock)"},
        {"media-needed", "the printer is out of media (card stock)"},
        {"media-jam", "the media is jammed"},
        {"door-open", "a cover of the printer is open"},
        {"cover-open", "a cover of the printer is open"},
        {"offline", "the printer is offline"},
        {"connecting-to-device", "the printer cannot be reached by the print server"},
        {"toner-empty", "the printer is out of ink or ribbon"},
        {"marker-supply-empty", "the printer is out of ink or ribbon"},
        {"cups-missing-filter", "the print server cannot convert the document for this printer"},
        {"shutdown", "the printer is shutting down"},
        {"resources-are-not-ready", "the printer failed the job (device error)"},
        {"job-canceled-by-user", "the job was cancelled"},
        {"aborted-by-system", "the print server aborted the job"},
        {"job-completed-with-errors", "the job completed with errors"},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (!strncmp(kw, words[i].prefix, strlen(words[i].prefix)))
            return words[i].words;
    return kw;
}

/* The keywords of ATTR in plain words, joined by "; ", without repeats. */
static void reasons(ipp_attribute_t *attr, char *out, size_t outlen)
{
    size_t used = strlen(out);
    for (int i = 0; attr && i < ippGetCount(attr); i++) {
        const char *w = reason_words(ippGetString(attr, i, NULL));
        if (!w || strstr(out, w))
            continue;
        int n = snprintf(out + used, outlen - used, "%s%s", used ? "; " : "", w);
        if (n < 0 || (size_t)n >= outlen - used)
            break;
        used += (size_t)n;
    }
}

/* The printer's state; -1 when the server does not answer. */
static int printer_state(struct cupsprint *p, char *msg, size_t msglen)
{
    static const char *const want[] = {"printer-state", "printer-state-reasons", "printer-state-message"};
    ipp_t *req = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 3, NULL, want);
    ipp_t *resp = cupsDoRequest(p->http, req, "/");
    if (!resp || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
        ippDelete(resp);
        return -1;
    }
    int state = ippGetInteger(ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM), 0);
    reasons(ippFindAttribute(resp, "printer-state-reasons", IPP_TAG_KEYWORD), msg, msglen);
    ippDelete(resp);
    return state;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

enum cupsprint_end cupsprint_wait(struct cupsprint *p, int job_id, const char *job_name, int timeout_s,
                                  void (*progress)(void *ctx), void *ctx, char *msg, size_t msglen)
{
    static const char *const want[] = {"job-state", "job-state-reasons", "job-name",
                                       "job-printer-state-message"};
    double start = now_s(), last_progress = start;
    struct timespec pause = {0, 50 * 1000 * 1000};
    for (;;) {
        msg[0] = '\0';
        ipp_t *req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
        ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
        ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", 4, NULL, want);
        ipp_t *resp = cupsDoRequest(p->http, req, "/");
        if (!resp || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
            int gone = !resp || server_gone();
            snprintf(msg, msglen, "%s (%s)",
                     gone ? "the print server stopped answering" : "the print server no longer knows the job",
                     cupsLastErrorString());
            ippDelete(resp);
            return CUPSPRINT_UNKNOWN;
        }
        /* ids are reused after a cupsd restart: the name tells whether it is still ours */
        const char *name = ippGetString(ippFindAttribute(resp, "job-name", IPP_TAG_NAME), 0, NULL);
        if (!name || strcmp(name, job_name) != 0) {
            snprintf(msg, msglen, "CUPS job %d is no longer this job (the print server was restarted)",
                     job_id);
            ippDelete(resp);
            return CUPSPRINT_UNKNOWN;
        }
        ipp_jstate_t js = (ipp_jstate_t)ippGetInteger(ippFindAttribute(resp, "job-state", IPP_TAG_ENUM), 0);
        reasons(ippFindAttribute(resp, "job-state-reasons", IPP_TAG_KEYWORD), msg, msglen);
        ippDelete(resp);
        if (js == IPP_JSTATE_COMPLETED)
            return CUPSPRINT_COMPLETED;
        if (js == IPP_JSTATE_ABORTED || js == IPP_JSTATE_CANCELED) {
            size_t used = strlen(msg);
            if (!strstr(msg, "cancelled"))
                snprintf(msg + used, msglen - used, "%s%s", used ? "; " : "",
                         js == IPP_JSTATE_ABORTED ? "the job was aborted (the printer failed it)"
                                                  : "the job was cancelled");
            return CUPSPRINT_FAILED;
        }
        if (js == IPP_JSTATE_HELD || js == IPP_JSTATE_PENDING) {
            char pmsg[300] = "";
            int ps = printer_state(p, pmsg, sizeof(pmsg));
            if (ps < 0) {
                snprintf(msg, msglen, "the print server stopped answering");
                return CUPSPRINT_UNKNOWN;
            }
            if (ps == IPP_PSTATE_STOPPED || js == IPP_JSTATE_HELD) {
                size_t used = strlen(msg);
                if (pmsg[0])
                    snprintf(msg + used, msglen - used, "%s%s", used ? "; " : "", pmsg);
                if (!msg[0])
                    snprintf(msg, msglen,
                             js == IPP_JSTATE_HELD ? "the job is held" : "the printer is stopped");
                return CUPSPRINT_STOPPED;
            }
        }
        double t = now_s();
        if (timeout_s > 0 && t - start > timeout_s) {
            snprintf(msg, msglen, "the job did not finish within %d s", timeout_s);
            return CUPSPRINT_TIMEOUT;
        }
        if (progress && t - last_progress >= 1.0) {
            progress(ctx);
            last_progress = t;
        }
        nanosleep(&pause, NULL);
    }
}

enum ru_status cupsprint_cancel(struct cupsprint *p, int job_id)
{
    return cupsCancelDestJob(p->http, p->dest, job_id) <= IPP_STATUS_OK_CONFLICTING ? RU_OK : RU_ERR_IO;
}
