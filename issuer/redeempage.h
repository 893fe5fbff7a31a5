/*
 * issuer/redeempage.h - the redemption page's HTML, without HTTP: what a customer sees
 * at each step (the form, its field errors, the card redeemed, the lockout, a form that
 * came from elsewhere or could not be read, the issuer unavailable), in the reader's
 * language (i18n/catalog.h), from the template issuer/page/redeem.html. The template, its
 * style sheet and script are embedded at build time, so the program needs no files.
 *
 * A refusal of the PIN (wrong, unsold, redeemed or blocked: redeem.h gives one answer
 * for all) is shown as one message on the PIN field, with the form again.
 */
#ifndef REUP_ISSUER_REDEEMPAGE_H
#define REUP_ISSUER_REDEEMPAGE_H
#include "common/cardnum.h"
#include "common/status.h"
#include "common/strbuf.h"

enum redeempage_view {
    REDEEMPAGE_FORM,        /* 200, or 422 with a field error or a refusal */
    REDEEMPAGE_DONE,        /* 200: the plan's months added, the new expiry when known */
    REDEEMPAGE_LOCKED,      /* 429: too many refusals, when to try again in words */
    REDEEMPAGE_EXPIRED,     /* 403: the post lacks the page's token or comes from elsewhere */
    REDEEMPAGE_BAD_FORM,    /* 400: the post could not be read (also 413, 415: see status) */
    REDEEMPAGE_UNAVAILABLE, /* 503: nothing was decided, try again in a moment */
};

enum redeempage_problem {
    REDEEMPAGE_NONE,
    REDEEMPAGE_EMPTY,   /* the field is empty */
    REDEEMPAGE_INVALID, /* not a PIN (digits, check digit); an account too long */
    REDEEMPAGE_REFUSED, /* the PIN: the redemption rules refused it */
    REDEEMPAGE_LINK,    /* the PIN: the address held one that cannot be read */
};

struct redeempage {
    enum redeempage_view view;
    int status;                /* the HTTP status; 0: the view's (redeempage_status()) */
    const char *lang;          /* one of catalog_languages */
    int lang_in_address;       /* ?lang= chose it: the form and the links keep it */
    const char *csrf;          /* the token for the form's hidden field */
    char pin[CARD_DIGITS + 1]; /* a PIN the address or the form gave, bare digits: sent hidden,
                                  shown masked; "": the form has a PIN field */
    const char *pin_typed;     /* what the PIN field shows; NULL: empty */
    const char *account;       /* what the account field shows; NULL: empty */
    enum redeempage_problem pin_problem, account_problem;
    int months;              /* DONE: the plan's months */
    char expires_on[11];     /* DONE: YYYY-MM-DD of the new expiry; "": not known */
    long long retry_after_s; /* LOCKED */
};

/* P's HTTP status: P->status when set, else the view's. Cannot fail. */
int redeempage_status(const struct redeempage *p);

/* The page P as HTML onto OUT. RU_ERR_INVALID (a template fault, found by the tests),
 * RU_ERR_LIMIT / RU_ERR_NOMEM from the buffer. */
enum ru_status redeempage_render(const struct redeempage *p, struct strbuf *out) RU_WARN_UNUSED;

/* Check the fields before anything is redeemed: a PIN that card_pin_parse() takes (its
 * digits into P->pin) and an account of 1 to 64 bytes. 1 when both are fine; else 0 with
 * the problems in P (nothing is counted against the customer: a typo is caught here, as
 * the terminal catches it before any request). PIN_TEXT and ACCOUNT may be "". */
int redeempage_check(struct redeempage *p, const char *pin_text, const char *account);

/* P from the answer of the redemption rules (redeem.h): HTTP_STATUS, its JSON BODY and
 * Retry-After: 200 DONE, 429 LOCKED, any other refusal the PIN REFUSED on the form (its
 * PIN field empty again). Cannot fail: an answer that does not read is UNAVAILABLE. */
void redeempage_answer(struct redeempage *p, int http_status, const char *body, long long retry_after_s);

/* The page's files by path ("/redeem.css", "/redeem.js", "/redeem-icon.svg"): the
 * content (static) with its Content-Type in *TYPE, or NULL for another path. */
const char *redeempage_asset(const char *path, const char **type);
#endif
