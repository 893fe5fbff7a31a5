/*
 * reup-print batch - a batch file of reup-issuer as card stock: to one PDF, or to a
 * print queue in jobs of --job-size cards with every card's fate in the print ledger.
 *
 * The file is read twice and never held: the first pass checks every row (and records
 * the serials in the ledger) before anything prints; the second renders the cards to
 * send, a job at a time, into a temporary file that is removed when the job ends.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "printing/batchread.h"
#include "printing/cardrender.h"
#include "printing/cardsheet.h"
#include "printing/cardtext.h"
#include "printing/cmd.h"
#include "printing/printjob.h"
#include "printing/printledger.h"
#include "printing/progress.h"
#include "common/banned.h"

#define USAGE_BATCH                                                                                  \
    "usage: reup-print batch FILE.csv --layout L (--out batch.pdf | --printer QUEUE)\n"              \
    "                        [--job-size N] [--resume] [--reprint SERIAL,...] [--lang L]\n"          \
    "                        [--template F] [--ledger DB] [-h HOST:PORT] [--timeout S]\n"            \
    "\n"                                                                                             \
    "  --layout L      cr80, sheet-letter-10 or sheet-a4-10\n"                                       \
    "  --job-size N    cards a print job (default 100)\n"                                            \
    "  --resume        go on with a batch printed before: cards whose job did not complete\n"        \
    "  --reprint S,... print these cards again, whatever the ledger says\n"                          \
    "  --ledger DB     the print ledger (default $REUP_PRINT_LEDGER, then\n"                         \
    "                  $XDG_STATE_HOME/reup/print-ledger.db, ~/.local/state/reup/print-ledger.db)\n" \
    "  --timeout S     give up on a job that has not finished after S seconds (default 600)\n"

#define BAD_LINES_SHOWN 20

struct run {
    const char *file;
    const struct layout *layout;
    struct card_template t;
    const char *lang; /* NULL: the template's */
    struct cardrender *r;
    struct printledger *lg;
    struct cupsprint *p;
    const char *printer;
    char batch[BATCHREAD_CODE_MAX + 1];
    unsigned long rows;
    uint64_t *reprint; /* sorted serials */
    size_t nreprint;
    long long job_size, copies, timeout_s;
    int resume;
    /* the job being filled */
    FILE *doc;
    struct cardsheet *sheet;
    char (*serials)[CARD_DIGITS + 1];
    size_t in_job;
    unsigned long sent, jobs;
    struct progress prog;
};

static uint64_t serial_number(const char *s)
{
    return strtoull(s, NULL, 10);
}

/* A set of serials, open addressing: finds duplicates in a batch of any size. */
struct serialset {
    uint64_t *slot;
    size_t cap, n;
};

/* 1 when S was in the set already, 0 when added, -1 out of memory. */
static int serialset_add(struct serialset *set, uint64_t s)
{
    if (set->n * 2 >= set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 1024;
        uint64_t *slot = calloc(cap, sizeof(*slot));
        if (!slot)
            return -1;
        for (size_t i = 0; i < set->cap; i++)
            for (size_t j = set->slot[i] % cap; set->slot[i]; j = (j + 1) % cap)
                if (!slot[j]) {
                    slot[j] = set->slot[i];
                    break;
                }
        free(set->slot);
        set->slot = slot;
        set->cap = cap;
    }
    /* serials are never 0: the issuer prefix is at least 1 */
    for (size_t j = s % set->cap;; j = (j + 1) % set->cap) {
        if (set->slot[j] == s)
            return 1;
        if (!set->slot[j]) {
            set->slot[j] = s;
            set->n++;
            return 0;
        }
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int in_reprint(const struct run *r, const char *serial)
{
    uint64_t s = serial_number(serial);
    return r->nreprint && bsearch(&s, r->reprint, r->nreprint, sizeof(s), cmp_u64) != NULL;
}

/* --reprint: serials separated by commas, each with a valid check digit. */
static int parse_reprint(struct run *r, const char *list)
{
    size_t cap = 1;
    for (const char *c = list; *c; c++)
        cap += *c == ',';
    r->reprint = calloc(cap, sizeof(*r->reprint));
    if (!r->reprint)
        return EXIT_SYSTEM;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        char text[64], serial[CARD_DIGITS + 1];
        const char *why;
        snprintf(text, sizeof(text), "%.*s", (int)(n < 63 ? n : 63), p);
        if (card_serial_parse(text, serial, &why) != RU_OK) {
            fprintf(stderr, "reup-print: --reprint: '%s' is not a serial: %s\n", text, why);
            return EXIT_USAGE;
        }
        r->reprint[r->nreprint++] = serial_number(serial);
        p += n + (p[n] == ',');
    }
    qsort(r->reprint, r->nreprint, sizeof(*r->reprint), cmp_u64);
    return EXIT_OK;
}

/* The first pass: every row checked, every plan's texts fitted, the serials recorded in
 * the ledger (when printing) in one transaction that commits only if all rows are good. */
static int check_rows(struct run *r)
{
    char err[600];
    struct batchread *br = NULL;
    enum ru_status rc = batchread_open(r->file, &br, err, sizeof(err));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", err);
        return rc == RU_ERR_IO ? EXIT_SYSTEM : EXIT_USAGE;
    }
    struct serialset seen = {0};
    int months_checked[121] = {0};
    unsigned long bad = 0;
    int code = EXIT_OK;
    if (r->lg && printledger_begin(r->lg) != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", printledger_errmsg(r->lg));
        batchread_free(br);
        return EXIT_SYSTEM;
    }
    struct batchrow row;
    while ((rc = batchread_next(br, &row, err, sizeof(err))) != RU_ERR_NOT_FOUND) {
        const struct template_plan *plan = NULL;
        if (rc == RU_ERR_IO) {
            fprintf(stderr, "reup-print: cannot read '%s': %s\n", r->file, strerror(errno));
            code = EXIT_SYSTEM;
            break;
        }
        if (rc == RU_OK) {
            explicit_bzero(row.pin, sizeof(row.pin));
            int dup = serialset_add(&seen, serial_number(row.serial));
            if (dup < 0) {
                code = EXIT_SYSTEM;
                break;
            }
            if (dup) {
                snprintf(err, sizeof(err), "serial %s appears twice in the file", row.serial);
                rc = RU_ERR_INVALID;
            } else if (!(plan = template_plan(&r->t, row.plan))) {
                snprintf(err, sizeof(err), "the plan '%s' is not in the card template ([plans])", row.plan);
                rc = RU_ERR_INVALID;
            } else if (r->batch[0] && strcmp(r->batch, row.batch) != 0) {
                snprintf(err, sizeof(err), "batch %s differs from batch %s before it: one batch a file",
                         row.batch, r->batch);
                rc = RU_ERR_INVALID;
            }
        }
        if (rc == RU_OK && !r->batch[0])
            memcpy(r->batch, row.batch, sizeof(r->batch));
        if (rc == RU_OK && !months_checked[plan->months]) {
            months_checked[plan->months] = 1;
            if (cardrender_check(r->r, r->lang ? r->lang : r->t.language, plan->months) != RU_OK) {
                fprintf(stderr, "reup-print: %s\n", cardrender_errmsg(r->r));
                code = EXIT_CONFIG;
                break;
            }
        }
        if (rc == RU_OK && r->lg) {
            rc = printledger_add(r->lg, row.serial, row.batch, batchread_line(br));
            if (rc == RU_ERR_EXISTS)
                snprintf(err, sizeof(err), "serial %s belongs to another batch in the print ledger",
                         row.serial);
            else if (rc != RU_OK) {
                fprintf(stderr, "reup-print: %s\n", printledger_errmsg(r->lg));
                code = EXIT_SYSTEM;
                break;
            }
        }
        if (rc != RU_OK) {
            if (++bad <= BAD_LINES_SHOWN)
                fprintf(stderr, "%s:%lu: %s\n", r->file, batchread_line(br), err);
            continue;
        }
        r->rows++;
    }
    batchread_free(br);
    free(seen.slot);
    if (code == EXIT_OK && bad) {
        fprintf(stderr, "reup-print: %lu bad line%s in '%s'%s; nothing was printed\n", bad,
                bad == 1 ? "" : "s", r->file, bad > BAD_LINES_SHOWN ? " (the first 20 are shown)" : "");
        code = EXIT_USAGE;
    }
    if (code == EXIT_OK && r->rows == 0) {
        fprintf(stderr, "reup-print: '%s' holds no cards\n", r->file);
        code = EXIT_USAGE;
    }
    if (r->lg) {
        if (code != EXIT_OK)
            printledger_rollback(r->lg);
        else if (printledger_commit(r->lg) != RU_OK) {
            fprintf(stderr, "reup-print: %s\n", printledger_errmsg(r->lg));
            code = EXIT_SYSTEM;
        }
    }
    return code;
}

/* The second pass: call SEND for each row that goes out, with its PIN. */
static int each_card(struct run *r, int (*take)(struct run *r, const struct batchrow *row),
                     int (*send)(struct run *r, const struct batchrow *row))
{
    char err[300];
    struct batchread *br = NULL;
    if (batchread_open(r->file, &br, err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", err);
        return EXIT_SYSTEM;
    }
    struct batchrow row;
    enum ru_status rc;
    int code = EXIT_OK;
    while (code == EXIT_OK && (rc = batchread_next(br, &row, err, sizeof(err))) != RU_ERR_NOT_FOUND) {
        if (rc != RU_OK) {
            /* it was good a moment ago */
            fprintf(stderr, "reup-print: '%s' changed while printing (line %lu)\n", r->file,
                    batchread_line(br));
            code = EXIT_SYSTEM;
            break;
        }
        if (take(r, &row))
            code = send(r, &row);
        explicit_bzero(&row, sizeof(row));
    }
    batchread_free(br);
    return code;
}

static int take_all(struct run *r, const struct batchrow *row)
{
    (void)r, (void)row;
    return 1;
}

static int render_one(struct run *r, const struct batchrow *row)
{
    struct card_face face = {.serial = row->serial, .pin = row->pin, .plan = row->plan, .lang = r->lang};
    enum ru_status rc = cardsheet_add(r->sheet, &face);
    if (rc != RU_OK) {
        if (rc == RU_ERR_IO)
            fprintf(stderr, "reup-print: cannot write the document: %s\n", strerror(errno));
        else
            fprintf(stderr, "reup-print: card %s: %s\n", row->serial, cardrender_errmsg(r->r));
        return rc == RU_ERR_LIMIT || rc == RU_ERR_INVALID ? EXIT_CONFIG : EXIT_SYSTEM;
    }
    progress_update(&r->prog, cardsheet_cards(r->sheet));
    return EXIT_OK;
}

static int to_file(struct run *r, const char *path)
{
    FILE *f = out_open(path);
    if (!f)
        return EXIT_SYSTEM;
    int code = EXIT_SYSTEM;
    char title[80];
    snprintf(title, sizeof(title), "reup %s", r->batch);
    if (cardsheet_new(f, r->layout, r->r, r->t.back, title, &r->sheet) == RU_OK) {
        progress_init(&r->prog, stderr, r->rows, "rendered");
        code = each_card(r, take_all, render_one);
        if (code == EXIT_OK && cardsheet_finish(r->sheet) != RU_OK) {
            fprintf(stderr, "reup-print: cannot write '%s': %s\n", path, strerror(errno));
            code = EXIT_SYSTEM;
        }
        if (code == EXIT_OK)
            progress_finish(&r->prog);
    }
    unsigned long pages = r->sheet ? cardsheet_pages(r->sheet) : 0;
    cardsheet_free(r->sheet);
    r->sheet = NULL;
    code = out_close(f, path, code == EXIT_OK) == EXIT_OK ? code : (code ? code : EXIT_SYSTEM);
    if (code == EXIT_OK)
        printf("wrote %lu cards of batch %s on %lu pages (%s) to %s\n", r->rows, r->batch, pages,
               r->layout->name, path);
    return code;
}

/* Whether ROW goes out in this run. */
static int take_for_printing(struct run *r, const struct batchrow *row)
{
    enum printledger_status st;
    long long job;
    if (printledger_card(r->lg, row->serial, &st, &job) != RU_OK)
        return 0;
    if (in_reprint(r, row->serial))
        return 1;
    if (r->nreprint && !r->resume)
        return 0; /* only the cards named */
    return st == PRINTLEDGER_PENDING || st == PRINTLEDGER_FAILED;
}

static void tick(void *ctx)
{
    progress_tick(ctx);
}

/* Finish the document being filled and send it as one job; the cards' fate goes to the
 * ledger. EXIT_OK to go on. */
static int send_document(struct run *r)
{
    char msg[600], name[96];
    long long job = 0;
    int code = EXIT_OK;
    enum ru_status rc = cardsheet_finish(r->sheet);
    cardsheet_free(r->sheet);
    r->sheet = NULL;
    if (rc != RU_OK) {
        fprintf(stderr, "reup-print: cannot write the print document: %s\n", strerror(errno));
        return EXIT_SYSTEM;
    }
    if (printledger_job_start(r->lg, r->batch, r->printer, cupsprint_server(r->p),
                              (const char(*)[CARD_DIGITS + 1]) r->serials, r->in_job, &job) != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", printledger_errmsg(r->lg));
        return EXIT_SYSTEM;
    }
    snprintf(name, sizeof(name), "reup %s job %lld", r->batch, job);
    int cups_job = 0;
    struct cupsprint_options o = {.job_name = name, .media = r->layout->media, .copies = (int)r->copies};
    enum cupsprint_end end =
        printjob_send(r->p, r->doc, &o, (int)r->timeout_s, tick, &r->prog, &cups_job, msg, sizeof(msg));
    fclose(r->doc);
    r->doc = NULL;
    if (cups_job && printledger_job_queued(r->lg, job, cups_job) != RU_OK)
        fprintf(stderr, "reup-print: %s\n", printledger_errmsg(r->lg));
    enum printledger_end le = end == CUPSPRINT_COMPLETED                           ? PRINTLEDGER_JOB_COMPLETED
                              : end == CUPSPRINT_FAILED || end == CUPSPRINT_UNSENT ? PRINTLEDGER_JOB_FAILED
                                                                                   : PRINTLEDGER_JOB_UNKNOWN;
    if (printledger_job_end(r->lg, job, le, end == CUPSPRINT_COMPLETED ? NULL : msg) != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", printledger_errmsg(r->lg));
        return EXIT_SYSTEM;
    }
    r->jobs++;
    if (end == CUPSPRINT_COMPLETED) {
        r->sent += r->in_job;
        progress_update(&r->prog, r->sent);
    } else if (end == CUPSPRINT_UNSENT) {
        fprintf(stderr, "\nreup-print: printing stopped: job %lld (%zu cards) was not sent: %s\n", job,
                r->in_job, msg);
        code = EXIT_NO_ANSWER;
    } else if (end == CUPSPRINT_FAILED) {
        fprintf(stderr, "\nreup-print: printing stopped: job %lld (%zu cards) did not print: %s\n", job,
                r->in_job, msg);
        code = EXIT_REFUSED;
    } else {
        fprintf(stderr,
                "\nreup-print: printing stopped: job %lld (%zu cards) may or may not have printed: %s\n"
                "reup-print: its cards are marked possibly printed; --resume lists them\n",
                job, r->in_job, msg);
        code = EXIT_NO_ANSWER;
    }
    r->in_job = 0;
    return code;
}

static int queue_one(struct run *r, const struct batchrow *row)
{
    if (!r->sheet) {
        char title[80];
        snprintf(title, sizeof(title), "reup %s", r->batch);
        char err[300];
        if (!(r->doc = printjob_tmpfile(err, sizeof(err)))) {
            fprintf(stderr, "reup-print: %s\n", err);
            return EXIT_SYSTEM;
        }
        if (cardsheet_new(r->doc, r->layout, r->r, r->t.back, title, &r->sheet) != RU_OK) {
            fclose(r->doc);
            r->doc = NULL;
            return EXIT_SYSTEM;
        }
    }
    struct card_face face = {.serial = row->serial, .pin = row->pin, .plan = row->plan, .lang = r->lang};
    enum ru_status rc = cardsheet_add(r->sheet, &face);
    if (rc != RU_OK) {
        fprintf(stderr, "reup-print: card %s: %s\n", row->serial,
                rc == RU_ERR_IO ? "cannot write the print document" : cardrender_errmsg(r->r));
        return rc == RU_ERR_IO ? EXIT_SYSTEM : EXIT_CONFIG;
    }
    memcpy(r->serials[r->in_job++], row->serial, CARD_DIGITS + 1);
    return r->in_job == (size_t)r->job_size ? send_document(r) : EXIT_OK;
}

static void list_possibly(void *ctx, const char *serial, long long job)
{
    unsigned long *n = ctx;
    if (++*n <= 50)
        fprintf(stderr, "possibly printed: %s (job %lld)\n", serial, job);
}

static const char *ledger_path(const struct args *a, char *buf, size_t len)
{
    const char *p = args_get(a, "ledger"), *env = getenv("REUP_PRINT_LEDGER");
    if (p)
        return p;
    if (env && *env)
        return env;
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char dir[4096];
    if (state && *state)
        snprintf(dir, sizeof(dir), "%.4000s/reup", state);
    else
        snprintf(dir, sizeof(dir), "%.4000s/.local/state/reup", home && *home ? home : ".");
    /* make the folders one by one, mode 0700 */
    for (char *s = dir + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(dir, 0700);
            *s = '/';
        }
    mkdir(dir, 0700);
    snprintf(buf, len, "%.4000s/print-ledger.db", dir);
    return buf;
}

static int to_printer(struct run *r, const struct args *a)
{
    char err[600], lpath[4200];
    const char *path = ledger_path(a, lpath, sizeof(lpath));
    enum ru_status rc = printledger_open(path, &r->lg);
    if (rc != RU_OK) {
        fprintf(stderr, "reup-print: cannot open the print ledger: %s\n", printledger_errmsg(r->lg));
        return EXIT_SYSTEM;
    }
    rc = cupsprint_open(args_get(a, "h"), r->printer, &r->p, err, sizeof(err));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", err);
        return rc == RU_ERR_NOT_FOUND ? EXIT_NOT_FOUND : EXIT_NO_ANSWER;
    }
    int code = check_rows(r);
    if (code != EXIT_OK)
        return code;
    unsigned long settled = 0, counts[PRINTLEDGER_STATUSES], possibly = 0;
    if (printledger_settle(r->lg, r->batch, &settled) != RU_OK ||
        printledger_counts(r->lg, r->batch, counts) != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", printledger_errmsg(r->lg));
        return EXIT_SYSTEM;
    }
    if (settled)
        fprintf(stderr,
                "reup-print: %lu cards of batch %s were in a job when the last run ended: possibly printed\n",
                settled, r->batch);
    unsigned long started = counts[PRINTLEDGER_PRINTED] + counts[PRINTLEDGER_FAILED] +
                            counts[PRINTLEDGER_POSSIBLY_PRINTED] + counts[PRINTLEDGER_QUEUED];
    if (started && !r->resume && !r->nreprint) {
        fprintf(stderr,
                "reup-print: batch %s was printed before (%lu printed, %lu to go, %lu possibly printed):\n"
                "reup-print: use --resume to print the rest, or --reprint SERIALS for particular cards\n",
                r->batch, counts[PRINTLEDGER_PRINTED],
                counts[PRINTLEDGER_PENDING] + counts[PRINTLEDGER_FAILED],
                counts[PRINTLEDGER_POSSIBLY_PRINTED]);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < r->nreprint; i++) {
        char s[CARD_DIGITS + 1];
        enum printledger_status st;
        long long job;
        snprintf(s, sizeof(s), "%016llu", (unsigned long long)r->reprint[i]);
        if (printledger_card(r->lg, s, &st, &job) != RU_OK) {
            fprintf(stderr, "reup-print: --reprint: serial %s is not in batch %s\n", s, r->batch);
            return EXIT_USAGE;
        }
    }
    if (counts[PRINTLEDGER_POSSIBLY_PRINTED]) {
        if (printledger_each(r->lg, r->batch, PRINTLEDGER_POSSIBLY_PRINTED, list_possibly, &possibly) !=
            RU_OK) {
            fprintf(stderr, "reup-print: %s\n", printledger_errmsg(r->lg));
            return EXIT_SYSTEM;
        }
        fprintf(
            stderr,
            "reup-print: %lu card%s possibly printed: check the printed stock and name those to print again "
            "with --reprint\n",
            possibly, possibly == 1 ? " is" : "s are");
    }
    unsigned long todo =
        (r->nreprint && !r->resume) ? 0 : counts[PRINTLEDGER_PENDING] + counts[PRINTLEDGER_FAILED];
    todo += r->nreprint;
    if (!(r->serials = calloc((size_t)r->job_size, sizeof(*r->serials))))
        return EXIT_SYSTEM;
    progress_init(&r->prog, stderr, todo, "printed");
    code = each_card(r, take_for_printing, queue_one);
    if (code == EXIT_OK && r->in_job)
        code = send_document(r);
    if (r->sheet) { /* stopped with a document half made */
        cardsheet_free(r->sheet);
        r->sheet = NULL;
        fclose(r->doc);
        r->doc = NULL;
    }
    if (printledger_counts(r->lg, r->batch, counts) == RU_OK) {
        if (code == EXIT_OK)
            progress_finish(&r->prog);
        fprintf(code == EXIT_OK ? stdout : stderr,
                "batch %s on '%s': %lu cards sent in %lu jobs this run; %lu printed, %lu to go, %lu possibly "
                "printed\n",
                r->batch, r->printer, r->sent, r->jobs, counts[PRINTLEDGER_PRINTED],
                counts[PRINTLEDGER_PENDING] + counts[PRINTLEDGER_FAILED],
                counts[PRINTLEDGER_POSSIBLY_PRINTED]);
    }
    if (code == EXIT_REFUSED)
        fprintf(stderr, "reup-print: fix the printer, then run the same command with --resume\n");
    return code;
}

int cmd_batch(int argc, char **argv)
{
    struct args a;
    char err[600];
    struct run r = {0};
    if (args_parse(argc, argv, "layout out printer job-size reprint template lang h copies timeout ledger",
                   "resume help", 1, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_BATCH, err);
    if (args_has(&a, "help")) {
        fputs(USAGE_BATCH, stdout);
        return EXIT_OK;
    }
    r.file = a.npositional ? a.positional[0] : NULL;
    r.layout = layout_find(args_get(&a, "layout"));
    r.printer = args_get(&a, "printer");
    r.resume = args_has(&a, "resume");
    if (!r.file || !args_get(&a, "layout") || args_has(&a, "out") + args_has(&a, "printer") != 1)
        return usage_error(USAGE_BATCH, "give the batch file, --layout and one of --out, --printer");
    if (!r.layout) {
        snprintf(err, sizeof(err), "--layout '%.40s' is not one of %s", args_get(&a, "layout"),
                 layout_names());
        return usage_error(USAGE_BATCH, err);
    }
    if (args_has(&a, "out") && (r.resume || args_has(&a, "reprint")))
        return usage_error(USAGE_BATCH, "--resume and --reprint go with --printer");
    if (args_number(&a, "job-size", 1, 100000, 100, &r.job_size, err, sizeof(err)) != RU_OK ||
        args_number(&a, "copies", 1, 100, 1, &r.copies, err, sizeof(err)) != RU_OK ||
        args_number(&a, "timeout", 1, 86400, 600, &r.timeout_s, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_BATCH, err);
    int code = template_from_args(&a, &r.t);
    if (code != EXIT_OK)
        return code;
    r.lang = args_get(&a, "lang");
    if (r.lang && !cardtext_known(r.lang)) {
        fprintf(stderr, "reup-print: --lang '%.20s' is not a language we print: use en, da or es\n", r.lang);
        return EXIT_USAGE;
    }
    if (args_get(&a, "reprint") && (code = parse_reprint(&r, args_get(&a, "reprint"))) != EXIT_OK)
        goto out;
    if (cardrender_new(&r.t, &r.r, err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", err);
        code = EXIT_CONFIG;
        goto out;
    }
    if (args_has(&a, "out")) {
        code = check_rows(&r);
        if (code == EXIT_OK)
            code = to_file(&r, args_get(&a, "out"));
    } else {
        code = to_printer(&r, &a);
    }
out:
    cardrender_free(r.r);
    cupsprint_free(r.p);
    printledger_free(r.lg);
    free(r.reprint);
    free(r.serials);
    return code;
}
