/* issuer/redeempage.c - the redemption page's HTML from its template and the catalogue. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "issuer/redeempage.h"
#include "i18n/catalog.h"
#include "i18n/pagetemplate.h"
#include "common/wipe.h"
#include "common/banned.h"

/* embedded by issuer/CMakeLists.txt in this order */
extern const char *const issuer_page[];
enum { PAGE_HTML, PAGE_CSS, PAGE_JS, PAGE_ICON };

int redeempage_status(const struct redeempage *p)
{
    static const int status[] = {
        [REDEEMPAGE_FORM] = 200,    [REDEEMPAGE_DONE] = 200,     [REDEEMPAGE_LOCKED] = 429,
        [REDEEMPAGE_EXPIRED] = 403, [REDEEMPAGE_BAD_FORM] = 400, [REDEEMPAGE_UNAVAILABLE] = 503,
    };
    if (p->status)
        return p->status;
    if (p->view == REDEEMPAGE_FORM &&
        (p->pin_problem != REDEEMPAGE_NONE || p->account_problem != REDEEMPAGE_NONE))
        return 422;
    return status[p->view];
}

const char *redeempage_asset(const char *path, const char **type)
{
    static const struct {
        const char *path, *type;
        int file;
    } assets[] = {
        {"/redeem.css", "text/css; charset=utf-8", PAGE_CSS},
        {"/redeem.js", "text/javascript; charset=utf-8", PAGE_JS},
        {"/redeem-icon.svg", "image/svg+xml", PAGE_ICON},
    };
    for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
        if (!strcmp(path, assets[i].path)) {
            *type = assets[i].type;
            return issuer_page[assets[i].file];
        }
    return NULL;
}

int redeempage_check(struct redeempage *p, const char *pin_text, const char *account)
{
    const char *why;
    char digits[CARD_DIGITS + 1];
    if (!*pin_text)
        p->pin_problem = REDEEMPAGE_EMPTY;
    else if (card_pin_parse(pin_text, digits, &why) != RU_OK)
        p->pin_problem = REDEEMPAGE_INVALID;
    else
        memcpy(p->pin, digits, sizeof(p->pin));
    wipe(digits, sizeof(digits));
    if (!*account)
        p->account_problem = REDEEMPAGE_EMPTY;
    else if (strlen(account) > 64)
        p->account_problem = REDEEMPAGE_INVALID;
    return p->pin_problem == REDEEMPAGE_NONE && p->account_problem == REDEEMPAGE_NONE;
}

void redeempage_answer(struct redeempage *p, int http_status, const char *body, long long retry_after_s)
{
    json_t *o = body ? json_loads(body, 0, NULL) : NULL;
    json_t *months = json_object_get(o, "months"), *expires = json_object_get(o, "expires_at");
    int y, m, d;
    char tail;
    p->status = 0;
    if (http_status == 200 && json_is_integer(months) && json_integer_value(months) > 0 &&
        json_integer_value(months) < 100000) {
        p->view = REDEEMPAGE_DONE;
        p->months = (int)json_integer_value(months);
        p->expires_on[0] = '\0';
        /* "2027-12-06T10:00:00Z": the date is what a customer needs */
        if (json_is_string(expires) &&
            sscanf(json_string_value(expires), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 4 && tail == 'T' &&
            y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31)
            snprintf(p->expires_on, sizeof(p->expires_on), "%04d-%02d-%02d", y, m, d);
    } else if (http_status == 429) {
        p->view = REDEEMPAGE_LOCKED;
        p->retry_after_s = retry_after_s > 0 ? retry_after_s : 60;
    } else if (http_status >= 400 && http_status < 500) {
        /* wrong, unsold, redeemed or blocked: one answer; the PIN is typed again */
        p->view = REDEEMPAGE_FORM;
        p->status = 422;
        p->pin_problem = REDEEMPAGE_REFUSED;
        wipe(p->pin, sizeof(p->pin));
        p->pin_typed = NULL;
    } else {
        p->view = REDEEMPAGE_UNAVAILABLE;
    }
    json_decref(o);
}

static const char *problem_text(const char *lang, const char *field, enum redeempage_problem e)
{
    static const char *const names[] = {"", "empty", "invalid", "refused", "link"};
    char key[48];
    if (e == REDEEMPAGE_NONE)
        return NULL;
    /* one message for every refusal, whichever field it is shown on */
    if (e == REDEEMPAGE_REFUSED)
        return catalog_text(lang, "redeem.refused");
    snprintf(key, sizeof(key), "redeem.%s.%s", field, names[e]);
    return catalog_text(lang, key);
}

enum ru_status redeempage_render(const struct redeempage *p, struct strbuf *out)
{
    const char *lang = p->lang;
    char plan[160] = "", date[80] = "", last4[5] = "", masked[64] = "", retry[160] = "", home[32], err[160];
    static const char *const stop_keys[][3] = {
        [REDEEMPAGE_LOCKED] = {"redeem.locked.title", "redeem.locked.body", "redeem.start_again"},
        [REDEEMPAGE_EXPIRED] = {"redeem.expired.title", "redeem.expired.body", "redeem.expired.reload"},
        [REDEEMPAGE_BAD_FORM] = {"redeem.bad.title", "redeem.bad.body", "redeem.expired.reload"},
        [REDEEMPAGE_UNAVAILABLE] = {"redeem.unavailable.title", "redeem.unavailable.body",
                                    "redeem.start_again"},
    };
    int stop = p->view != REDEEMPAGE_FORM && p->view != REDEEMPAGE_DONE;
    int form = p->view == REDEEMPAGE_FORM;
    snprintf(home, sizeof(home), "/redeem%s%s", p->lang_in_address ? "?lang=" : "",
             p->lang_in_address ? lang : "");
    if (p->view == REDEEMPAGE_DONE) {
        catalog_plan(lang, p->months, plan, sizeof(plan));
        int y, m, d;
        if (p->expires_on[0] && sscanf(p->expires_on, "%4d-%2d-%2d", &y, &m, &d) == 3)
            catalog_date(lang, y, m, d, date, sizeof(date));
    }
    if (p->view == REDEEMPAGE_LOCKED)
        catalog_count_text(lang, "redeem.locked.retry", (p->retry_after_s + 59) / 60, retry, sizeof(retry));
    if (form && p->pin[0]) {
        /* "•••• •••• •••• 3682": the card's grouping, only the last four digits */
        memcpy(last4, p->pin + CARD_DIGITS - 4, 4);
        snprintf(masked, sizeof(masked),
                 "\u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u2022 %s", last4);
    }
    /* the values {{t:}} fills placeholders from come first: it takes the first sixteen */
    const struct page_var vars[] = {
        {"lang", lang},
        {"plan", plan[0] ? plan : NULL},
        {"account", p->account ? p->account : ""},
        {"date", date[0] ? date : NULL},
        {"last4", last4[0] ? last4 : NULL},
        {"cur_en", !strcmp(lang, "en") ? "true" : NULL},
        {"cur_da", !strcmp(lang, "da") ? "true" : NULL},
        {"cur_es", !strcmp(lang, "es") ? "true" : NULL},
        {"name_en", catalog_text("en", "lang.name")}, /* each language in its own words */
        {"name_da", catalog_text("da", "lang.name")},
        {"name_es", catalog_text("es", "lang.name")},
        {"home", home},
        {"action", home},
        {"csrf", p->csrf ? p->csrf : ""},
        {"form", form ? "true" : NULL},
        {"done", p->view == REDEEMPAGE_DONE ? "true" : NULL},
        {"stop", stop ? "true" : NULL},
        /* the tab's title says how it went, as the page's heading does */
        {"state", stop                         ? catalog_text(lang, stop_keys[p->view][0])
                  : p->view == REDEEMPAGE_DONE ? catalog_text(lang, "redeem.done.title")
                                               : NULL},
        {"stop_title", stop ? catalog_text(lang, stop_keys[p->view][0]) : NULL},
        {"stop_body", stop ? catalog_text(lang, stop_keys[p->view][1]) : NULL},
        {"stop_link", stop ? catalog_text(lang, stop_keys[p->view][2]) : NULL},
        {"retry", retry[0] ? retry : NULL},
        {"pin_known", form && p->pin[0] ? p->pin : NULL},
        {"pin_masked", masked},
        {"pin_typed", p->pin_typed ? p->pin_typed : ""},
        {"pin_error", problem_text(lang, "pin", p->pin_problem)},
        {"account_error", problem_text(lang, "account", p->account_problem)},
    };
    enum ru_status rc = pagetemplate_render(issuer_page[PAGE_HTML], lang, vars,
                                            sizeof(vars) / sizeof(vars[0]), out, err, sizeof(err));
    wipe(masked, sizeof(masked));
    return rc;
}
