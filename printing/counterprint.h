/*
 * printing/counterprint.h - what is printed at the counter, one document at a time: a
 * card with its PIN, or the receipt of one sale. Each is drawn into a temporary file that
 * never has a name, sent to its CUPS queue as one job, and followed to its end; a job that
 * cannot print now is cancelled rather than left to come out later by surprise. reup-pos
 * prints through these calls, and so does `reup-print card`.
 */
#ifndef REUP_PRINTING_COUNTERPRINT_H
#define REUP_PRINTING_COUNTERPRINT_H
#include <stdio.h>
#include <time.h>
#include "common/status.h"
#include "printing/template.h"

#define COUNTERPRINT_TIMEOUT_S 120

/* Where a document goes; strings borrowed for the call. */
struct counterprint_queue {
    const char *server; /* "host:port" or a socket path; NULL or "": $CUPS_SERVER, then the system's */
    const char *queue;  /* the CUPS queue */
    int copies;         /* 0: 1 */
    int timeout_s;      /* how long the job is followed before it is cancelled; 0: COUNTERPRINT_TIMEOUT_S */
};

/* How a document that went to a queue ended. */
struct counterprint_result {
    int cups_job;      /* CUPS's id of the job; 0: no job was made */
    int maybe_printed; /* the server went away with the job in it: it may have printed */
    char message[300]; /* why it did not print, in plain words; "" when it printed */
};

/* One card; strings borrowed for the call. */
struct counterprint_card {
    const char *serial; /* 16 digits */
    char *pin;          /* 16 digits; wiped (explicit_bzero) by every call below, whatever happens */
    const char *plan;   /* a plan code of the template */
    int months;         /* for a plan the template lacks (the issuer's catalog knows it); 0: refused */
    const char *lang;   /* NULL: the template's language */
    int back;           /* the back side too */
};

/* Draw card C of template T alone into OUT (not closed here): a PDF in the cr80 layout
 * (with C->back, a second page for the back), or when PNG_DPI > 0 a PNG of the front (with
 * C->back, of the back) at that many dots per inch. RU_ERR_INVALID when the card cannot be
 * drawn from T (unknown plan or language, a text that does not fit, an unreadable logo),
 * RU_ERR_NOMEM, RU_ERR_IO when writing OUT failed; MSG says why. */
enum ru_status counterprint_card_draw(FILE *out, const struct card_template *t,
                                      const struct counterprint_card *c, int png_dpi, char *msg,
                                      size_t msglen) RU_WARN_UNUSED;

/* Print card C of template T on Q as one job named "reup card ************1234", and wait
 * for it. RU_OK: printed. Nothing was sent with RU_ERR_INVALID (as counterprint_card_draw),
 * RU_ERR_NOMEM, RU_ERR_IO (no temporary file) or RU_ERR_NOT_FOUND (no such queue). After
 * that: RU_ERR_DECLINED, nothing printed (the queue refused the job, or it was aborted, or
 * stopped or too slow and then cancelled); RU_ERR_NETWORK, the server cannot be reached or
 * went away (OUT->maybe_printed says whether the job was in it). OUT->message says why. */
enum ru_status counterprint_card(const struct card_template *t, const struct counterprint_card *c,
                                 const struct counterprint_queue *q,
                                 struct counterprint_result *out) RU_WARN_UNUSED;

/* One sale as its receipt shows it; strings borrowed for the call, NULL as "". */
struct counterprint_sale {
    const char *store_id, *terminal;
    const char *store_name;    /* the heading; "": the store id */
    const char *store_address; /* "": no line */
    long long sale_id;
    time_t when; /* printed in UTC */
    const char *plan;
    const char *serial; /* 16 digits, printed masked to its last four */
    const char *auth_code;
    const char *currency; /* ISO 4217 */
    long long amount_cents, cash_cents, change_cents;
    int card_tender; /* paid by card: no cash, no change */
    int training;    /* a training sale: said at the top and the bottom */
    int is_void;     /* the receipt of its void */
};

/* The receipt of S as a PDF on OUT (not closed here), 80 mm wide. RU_ERR_IO, RU_ERR_NOMEM. */
enum ru_status counterprint_receipt_draw(FILE *out, const struct counterprint_sale *s) RU_WARN_UNUSED;

/* Print the receipt of S on Q as one job named "reup receipt ID" ("reup receipt ID void"),
 * and wait for it. Statuses as counterprint_card(). */
enum ru_status counterprint_receipt(const struct counterprint_sale *s, const struct counterprint_queue *q,
                                    struct counterprint_result *out) RU_WARN_UNUSED;
#endif
