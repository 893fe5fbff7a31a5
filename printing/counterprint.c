/*
 * printing/counterprint.c - one card or one receipt, drawn and printed at the counter.
 */
#include <string.h>
#include "printing/counterprint.h"
#include "printing/cardrender.h"
#include "printing/cardsheet.h"
#include "printing/cardtext.h"
#include "printing/layout.h"
#include "printing/printjob.h"
#include "printing/receipt.h"
#include "common/cardnum.h"
#include "common/money.h"
#include "common/banned.h"

#define RECEIPT_LINES 16

/* The plan of C in T, added to T with C's months when T lacks it; NULL with MSG. */
static const struct template_plan *plan_of(struct card_template *t, const struct counterprint_card *c,
                                           char *msg, size_t msglen)
{
    const struct template_plan *plan = template_plan(t, c->plan);
    /* the catalog is the issuer's: a plan the template lacks still prints when its length is known */
    if (!plan && c->months >= 1 && c->months <= 120 && t->nplans < TEMPLATE_PLANS_MAX &&
        strlen(c->plan) <= TEMPLATE_CODE_MAX) {
        snprintf(t->plans[t->nplans].code, sizeof(t->plans[0].code), "%s", c->plan);
        t->plans[t->nplans].months = c->months;
        plan = &t->plans[t->nplans++];
    }
    if (!plan)
        snprintf(msg, msglen, "the plan '%.40s' is not in the card template ([plans])", c->plan);
    return plan;
}

static enum ru_status draw(FILE *out, const struct card_template *given, const struct counterprint_card *c,
                           int png_dpi, const char *title, char *msg, size_t msglen)
{
    struct card_template t = *given;
    const char *lang = c->lang && *c->lang ? c->lang : t.language;
    const struct template_plan *plan = plan_of(&t, c, msg, msglen);
    if (!plan)
        return RU_ERR_INVALID;
    if (!cardtext_known(lang)) {
        snprintf(msg, msglen, "the language '%.20s' is not one we print: use en, da or es", lang);
        return RU_ERR_INVALID;
    }
    struct cardrender *r = NULL;
    enum ru_status rc = cardrender_new(&t, &r, msg, msglen);
    if (rc != RU_OK)
        return rc == RU_ERR_NOMEM ? rc : RU_ERR_INVALID;
    /* every text is laid out before anything is drawn: a card that does not fit is no card */
    if ((rc = cardrender_check(r, lang, plan->months)) != RU_OK) {
        snprintf(msg, msglen, "%s (language %s)", cardrender_errmsg(r), lang);
        cardrender_free(r);
        return rc == RU_ERR_NOMEM ? rc : RU_ERR_INVALID;
    }
    struct card_face face = {.serial = c->serial, .pin = c->pin, .plan = plan->code, .lang = lang};
    struct cardsheet *sheet = NULL;
    if (png_dpi > 0)
        rc = cardsheet_png(out, r, &face, c->back, png_dpi);
    else if ((rc = cardsheet_new(out, layout_find("cr80"), r, c->back, title, &sheet)) == RU_OK &&
             (rc = cardsheet_add(sheet, &face)) == RU_OK)
        rc = cardsheet_finish(sheet);
    cardsheet_free(sheet);
    if (rc == RU_ERR_IO)
        snprintf(msg, msglen, "the card could not be written: the disk may be full");
    else if (rc != RU_OK)
        snprintf(msg, msglen, "the card could not be drawn: %s", cardrender_errmsg(r));
    cardrender_free(r);
    return rc == RU_OK || rc == RU_ERR_IO || rc == RU_ERR_NOMEM ? rc : RU_ERR_INVALID;
}

/* "reup card ************1234": the job's and the document's name, never the serial. */
static void card_name(const char *serial, char *out, size_t outlen)
{
    char masked[CARD_DIGITS + 1];
    card_mask(serial, masked);
    snprintf(out, outlen, "reup card %s", masked);
}

enum ru_status counterprint_card_draw(FILE *out, const struct card_template *t,
                                      const struct counterprint_card *c, int png_dpi, char *msg,
                                      size_t msglen)
{
    char name[64];
    card_name(c->serial, name, sizeof(name));
    enum ru_status rc = draw(out, t, c, png_dpi, name, msg, msglen);
    explicit_bzero(c->pin, strlen(c->pin));
    return rc;
}

/* Send DOC (read from its start) to Q as job NAME and follow it to its end. */
static enum ru_status send_job(FILE *doc, const char *name, const char *media,
                               const struct counterprint_queue *q, struct counterprint_result *out)
{
    struct cupsprint *p = NULL;
    enum ru_status rc = cupsprint_open(q->server && *q->server ? q->server : NULL, q->queue, &p, out->message,
                                       sizeof(out->message));
    if (rc != RU_OK)
        return rc == RU_ERR_NOT_FOUND || rc == RU_ERR_NOMEM ? rc : RU_ERR_NETWORK;
    struct cupsprint_options o = {.job_name = name, .media = media, .copies = q->copies};
    enum cupsprint_end end =
        printjob_send(p, doc, &o, q->timeout_s > 0 ? q->timeout_s : COUNTERPRINT_TIMEOUT_S, NULL, NULL,
                      &out->cups_job, out->message, sizeof(out->message));
    cupsprint_free(p);
    switch (end) {
    case CUPSPRINT_COMPLETED: out->message[0] = '\0'; return RU_OK;
    case CUPSPRINT_FAILED: return RU_ERR_DECLINED;
    case CUPSPRINT_UNSENT: return RU_ERR_NETWORK;
    default: out->maybe_printed = 1; return RU_ERR_NETWORK;
    }
}

/* Draw into a temporary file with no name (a card's holds its PIN), then send it. */
static enum ru_status print_doc(const struct card_template *t, const struct counterprint_card *c,
                                const struct counterprint_sale *s, const char *name, const char *media,
                                const struct counterprint_queue *q, struct counterprint_result *out)
{
    memset(out, 0, sizeof(*out));
    FILE *f = printjob_tmpfile(out->message, sizeof(out->message));
    enum ru_status rc = RU_ERR_IO;
    if (f && c)
        rc = draw(f, t, c, 0, name, out->message, sizeof(out->message));
    else if (f && (rc = counterprint_receipt_draw(f, s)) != RU_OK)
        snprintf(out->message, sizeof(out->message), "the receipt could not be made: %s",
                 rc == RU_ERR_IO ? "the disk may be full" : "out of memory");
    if (c)
        explicit_bzero(c->pin, strlen(c->pin));
    if (rc == RU_OK)
        rc = send_job(f, name, media, q, out);
    if (f)
        fclose(f);
    return rc;
}

enum ru_status counterprint_card(const struct card_template *t, const struct counterprint_card *c,
                                 const struct counterprint_queue *q, struct counterprint_result *out)
{
    char name[64];
    card_name(c->serial, name, sizeof(name));
    return print_doc(t, c, NULL, name, layout_find("cr80")->media, q, out);
}

static const char *text(const char *s)
{
    return s ? s : "";
}

enum ru_status counterprint_receipt_draw(FILE *out, const struct counterprint_sale *s)
{
    char l[RECEIPT_LINES][96], masked[CARD_DIGITS + 1] = "", amount[32], cash[32], change[32], when[32] = "";
    const char *lines[RECEIPT_LINES];
    size_t n = 0;
    struct tm tm;
    if (gmtime_r(&s->when, &tm))
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
    if (strlen(text(s->serial)) == CARD_DIGITS)
        card_mask(s->serial, masked);
    money_format(s->amount_cents, amount, sizeof(amount));
    money_format(s->cash_cents, cash, sizeof(cash));
    money_format(s->change_cents, change, sizeof(change));
    const char *heading = *text(s->store_name) ? s->store_name : text(s->store_id);
#define LINE(...) snprintf(l[n], sizeof(l[n]), __VA_ARGS__), lines[n] = l[n], n++
    if (s->training)
        LINE("!*** TRAINING - NOT A SALE ***");
    LINE("!%.90s", heading);
    if (*text(s->store_address))
        LINE("!%.90s", s->store_address);
    LINE("Store %.32s  Terminal %.32s", text(s->store_id), text(s->terminal));
    LINE("%s  Sale %lld", when, s->sale_id);
    LINE("%s", s->is_void ? "!VOID" : "");
    LINE("Re-Up card, plan %.16s", text(s->plan));
    LINE("Card    %s", masked);
    LINE("Auth    %.32s", text(s->auth_code));
    LINE("Amount  %.3s %s%s", text(s->currency), s->is_void ? "-" : "", amount);
    if (!s->is_void)
        LINE("Tender  %s %s", s->card_tender ? "card" : "cash", s->card_tender ? amount : cash);
    if (!s->is_void && !s->card_tender)
        LINE("Change  %s", change);
    if (s->training)
        LINE("!*** TRAINING ***");
#undef LINE
    return receipt_pdf(out, lines, n);
}

enum ru_status counterprint_receipt(const struct counterprint_sale *s, const struct counterprint_queue *q,
                                    struct counterprint_result *out)
{
    char name[64];
    snprintf(name, sizeof(name), "reup receipt %lld%s", s->sale_id, s->is_void ? " void" : "");
    return print_doc(NULL, NULL, s, name, NULL, q, out);
}
