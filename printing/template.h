/*
 * printing/template.h - the card template: what an operator changes without recompiling.
 *
 * An INI file (docs/printing.md) with the brand, the redemption URL pattern holding
 * {pin}, the support and store-locator addresses, colours, an optional logo (PNG), the
 * default language, whether cards get a back side, and the plans cards may carry with
 * their length in months. Without a file the built-in default template applies.
 */
#ifndef REUP_PRINTING_TEMPLATE_H
#define REUP_PRINTING_TEMPLATE_H
#include <stddef.h>
#include "common/status.h"

#define TEMPLATE_TEXT_MAX  200 /* brand, URLs: bytes */
#define TEMPLATE_PLANS_MAX 32
#define TEMPLATE_CODE_MAX  16

struct template_rgb {
    double r, g, b; /* 0 .. 1 */
};

struct template_plan {
    char code[TEMPLATE_CODE_MAX + 1]; /* as in the issuer's catalog: "1y" */
    int months;                       /* 1 .. 120 */
};

struct card_template {
    char brand[TEMPLATE_TEXT_MAX + 1];
    char redeem_url[TEMPLATE_TEXT_MAX + 1]; /* holds "{pin}" exactly once */
    int redeem_url_given;                   /* the file named one: the built-in is an example */
    char support_url[TEMPLATE_TEXT_MAX + 1];
    char locator_url[TEMPLATE_TEXT_MAX + 1];
    char logo[4096]; /* PNG path ("" for none), relative paths resolved against the file */
    char language[3];
    int back; /* print a back side */
    struct template_rgb brand_colour, text_colour, accent_colour;
    struct template_plan plans[TEMPLATE_PLANS_MAX];
    size_t nplans;
};

/* The built-in template. Cannot fail. */
void template_default(struct card_template *out);

/* Parse TEXT (NUL-terminated) over the default template. On failure ERR says which line
 * and what is wrong: RU_ERR_INVALID. BASE_DIR resolves a relative logo path (NULL: as is). */
enum ru_status template_parse(const char *text, const char *base_dir, struct card_template *out, char *err,
                              size_t errlen) RU_WARN_UNUSED;

/* Read and parse the file PATH (at most 64 kB). RU_ERR_NOT_FOUND, RU_ERR_IO, RU_ERR_INVALID. */
enum ru_status template_load(const char *path, struct card_template *out, char *err,
                             size_t errlen) RU_WARN_UNUSED;

/* The plan CODE, or NULL when the template does not know it (borrowed from T). */
const struct template_plan *template_plan(const struct card_template *t, const char *code);

/* The redemption URL for PIN (16 digits) into OUT. RU_ERR_LIMIT when it does not fit. */
enum ru_status template_redeem_url(const struct card_template *t, const char *pin, char *out,
                                   size_t outlen) RU_WARN_UNUSED;
#endif
