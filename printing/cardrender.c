/*
 * printing/cardrender.c - the card's drawing. Coordinates are millimetres on the card
 * (85.6 x 54), converted to points as they are drawn; pango works at 72 dpi so that a
 * font size in points is a size on paper.
 */
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "printing/cardrender.h"
#include "printing/barcode.h"
#include "printing/cardtext.h"
#include "i18n/catalog.h"
#include "printing/layout.h"
#include "printing/qrcode.h"
#include "common/cardnum.h"
#include "common/banned.h"

#define MM(x) LAYOUT_PT(x)

#define FONT      "DejaVu Sans"
#define FONT_MONO "DejaVu Sans Mono"

enum ink { INK_TEXT, INK_WHITE, INK_BRAND, INK_ACCENT };
enum align { ALIGN_LEFT, ALIGN_RIGHT };

/* A text's box on the card, in mm, with the sizes it may take and whether it may wrap. */
struct box {
    const char *what; /* names the text in messages */
    double x, y, w, h;
    double max_pt, min_pt;
    int wrap, bold, mono;
    enum align align;
    enum ink ink;
};

/* clang-format off */
static const struct box
    BOX_BRAND   = {"brand",        3.0,  1.2, 40.0, 6.6, 13.0, 6.0, 0, 1, 0, ALIGN_LEFT,  INK_WHITE},
    BOX_TITLE   = {"title",       44.0,  1.0, 38.6, 7.0,  7.5, 4.0, 1, 0, 0, ALIGN_RIGHT, INK_WHITE},
    BOX_PLAN    = {"plan",         3.0, 10.3, 55.0, 5.8, 12.0, 6.0, 0, 1, 0, ALIGN_LEFT,  INK_BRAND},
    BOX_PINLBL  = {"PIN label",    3.0, 16.4, 55.0, 3.0,  6.5, 4.5, 0, 0, 0, ALIGN_LEFT,  INK_TEXT},
    BOX_PIN     = {"PIN",          3.0, 19.2, 55.0, 5.6, 13.0, 8.0, 0, 1, 1, ALIGN_LEFT,  INK_TEXT},
    BOX_STEPNO1 = {"step number",  3.0, 25.4,  3.6, 3.0,  6.5, 4.5, 0, 1, 0, ALIGN_LEFT,  INK_ACCENT},
    BOX_STEPNO2 = {"step number",  3.0, 31.7,  3.6, 3.0,  6.5, 4.5, 0, 1, 0, ALIGN_LEFT,  INK_ACCENT},
    BOX_STEPNO3 = {"step number",  3.0, 35.0,  3.6, 3.0,  6.5, 4.5, 0, 1, 0, ALIGN_LEFT,  INK_ACCENT},
    BOX_STEP1   = {"first step",   6.8, 25.4, 51.2, 6.1,  6.5, 4.0, 1, 0, 0, ALIGN_LEFT,  INK_TEXT},
    BOX_STEP2   = {"second step",  6.8, 31.7, 51.2, 3.1,  6.5, 4.0, 0, 0, 0, ALIGN_LEFT,  INK_TEXT},
    BOX_STEP3   = {"third step",   6.8, 35.0, 51.2, 3.1,  6.5, 4.0, 0, 0, 0, ALIGN_LEFT,  INK_TEXT},
    BOX_LOCATOR = {"locator line", 3.0, 38.6, 79.6, 3.2,  6.0, 4.0, 0, 0, 0, ALIGN_LEFT,  INK_BRAND},
    BOX_SERIAL  = {"serial",      43.0, 43.4, 39.6, 4.2,  8.0, 5.0, 0, 0, 1, ALIGN_RIGHT, INK_TEXT},
    BOX_TERMS   = {"terms line",   3.0, 49.2, 79.6, 4.4,  4.5, 3.0, 1, 0, 0, ALIGN_LEFT,  INK_TEXT},
    BOX_BTITLE  = {"back title",   3.0, 12.0, 79.6, 7.0, 12.0, 6.0, 0, 1, 0, ALIGN_LEFT,  INK_BRAND},
    BOX_BBODY   = {"back text",    3.0, 20.5, 79.6, 20.0, 8.0, 4.5, 1, 0, 0, ALIGN_LEFT,  INK_TEXT},
    BOX_BSERIAL = {"back serial",  3.0, 47.0, 79.6, 4.0,  6.0, 4.0, 0, 0, 1, ALIGN_LEFT,  INK_TEXT};
/* clang-format on */

#define QR_X     61.0
#define QR_Y     9.8
#define QR_SIZE  23.0
#define BAR_X    3.0
#define BAR_Y    42.4
#define BAR_W    38.0
#define BAR_H    6.2
#define BAND_H   9.0
#define CACHE_N  8
#define TEXT_MAX 600

/* The static part of a card (everything but PIN, QR code, barcode and serial), drawn
 * once per language, plan and side. */
struct cached {
    char lang[3];
    int months, back;
    cairo_surface_t *rec;
};

struct cardrender {
    struct card_template t;
    PangoFontMap *fonts;
    PangoContext *ctx;
    cairo_surface_t *logo;
    struct cached cache[CACHE_N];
    int next_slot;
    double smallest_pt;
    char url_shown[TEMPLATE_TEXT_MAX + 1], locator_shown[TEMPLATE_TEXT_MAX + 1],
        support_shown[TEMPLATE_TEXT_MAX + 1];
    char err[400];
};

/* An address as a person types it: no scheme, nothing from the query or the PIN on. */
static void shown(const char *url, char *out, size_t outlen)
{
    const char *p = url;
    if (!strncmp(p, "https://", 8))
        p += 8;
    else if (!strncmp(p, "http://", 7))
        p += 7;
    size_t n = strcspn(p, "?{#");
    while (n > 0 && p[n - 1] == '/')
        n--;
    snprintf(out, outlen, "%.*s", (int)n, p);
}

enum ru_status cardrender_new(const struct card_template *t, struct cardrender **out, char *err,
                              size_t errlen)
{
    struct cardrender *r = calloc(1, sizeof(*r));
    if (!r)
        return RU_ERR_NOMEM;
    r->t = *t;
    r->smallest_pt = 1e9;
    shown(t->redeem_url, r->url_shown, sizeof(r->url_shown));
    shown(t->locator_url, r->locator_shown, sizeof(r->locator_shown));
    shown(t->support_url, r->support_shown, sizeof(r->support_shown));
    r->fonts = pango_cairo_font_map_new();
    r->ctx = r->fonts ? pango_font_map_create_context(r->fonts) : NULL;
    if (!r->ctx) {
        cardrender_free(r);
        return RU_ERR_NOMEM;
    }
    /* sizes in points on paper, and layout that does not depend on the output device */
    pango_cairo_context_set_resolution(r->ctx, 72);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(r->ctx, fo);
    cairo_font_options_destroy(fo);
    if (t->logo[0]) {
        r->logo = cairo_image_surface_create_from_png(t->logo);
        if (cairo_surface_status(r->logo) != CAIRO_STATUS_SUCCESS) {
            int missing = cairo_surface_status(r->logo) == CAIRO_STATUS_FILE_NOT_FOUND;
            snprintf(err, errlen, "the logo '%s' %s", t->logo,
                     missing ? "does not exist" : "is not a PNG image");
            cardrender_free(r);
            return missing ? RU_ERR_NOT_FOUND : RU_ERR_INVALID;
        }
    }
    *out = r;
    return RU_OK;
}

void cardrender_free(struct cardrender *r)
{
    if (!r)
        return;
    for (int i = 0; i < CACHE_N; i++)
        if (r->cache[i].rec)
            cairo_surface_destroy(r->cache[i].rec);
    if (r->logo)
        cairo_surface_destroy(r->logo);
    if (r->ctx)
        g_object_unref(r->ctx);
    if (r->fonts)
        g_object_unref(r->fonts);
    free(r);
}

const char *cardrender_errmsg(const struct cardrender *r)
{
    return r->err;
}

double cardrender_smallest_pt(const struct cardrender *r)
{
    return r->smallest_pt;
}

static void set_ink(const struct cardrender *r, cairo_t *cr, enum ink ink)
{
    const struct template_rgb *c = ink == INK_BRAND    ? &r->t.brand_colour
                                   : ink == INK_ACCENT ? &r->t.accent_colour
                                                       : &r->t.text_colour;
    if (ink == INK_WHITE)
        cairo_set_source_rgb(cr, 1, 1, 1);
    else
        cairo_set_source_rgb(cr, c->r, c->g, c->b);
}

/* Lay TEXT out in box B, from its largest size down in quarter points until both its
 * logical and its ink extents are inside the box, and draw it at the card's X,Y
 * (points) when CR is given. RU_ERR_LIMIT when it does not fit at the smallest size. */
static enum ru_status place(struct cardrender *r, cairo_t *cr, double x, double y, const struct box *b,
                            const char *text)
{
    /* pango would only warn on stderr and draw nothing that can be checked */
    if (!g_utf8_validate(text, -1, NULL)) {
        snprintf(r->err, sizeof(r->err), "the %s text is not valid UTF-8", b->what);
        return RU_ERR_INVALID;
    }
    enum ru_status rc = RU_ERR_LIMIT;
    PangoLayout *l = pango_layout_new(r->ctx);
    PangoFontDescription *fd = pango_font_description_new();
    if (!l || !fd) {
        rc = RU_ERR_NOMEM;
        goto out;
    }
    double w = MM(b->w), h = MM(b->h);
    pango_font_description_set_family(fd, b->mono ? FONT_MONO : FONT);
    pango_font_description_set_weight(fd, b->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_text(l, text, -1);
    if (b->wrap) {
        pango_layout_set_width(l, (int)(w * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_alignment(l, b->align == ALIGN_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    }
    for (double pt = b->max_pt; pt >= b->min_pt - 1e-9; pt -= 0.25) {
        pango_font_description_set_absolute_size(fd, pt * PANGO_SCALE);
        pango_layout_set_font_description(l, fd);
        PangoRectangle ink, lg;
        pango_layout_get_extents(l, &ink, &lg);
        double left = (ink.x < lg.x ? ink.x : lg.x) / (double)PANGO_SCALE;
        double right =
            (ink.x + ink.width > lg.x + lg.width ? ink.x + ink.width : lg.x + lg.width) / (double)PANGO_SCALE;
        double top = (ink.y < lg.y ? ink.y : lg.y) / (double)PANGO_SCALE;
        double bottom = (ink.y + ink.height > lg.y + lg.height ? ink.y + ink.height : lg.y + lg.height) /
                        (double)PANGO_SCALE;
        /* ink may overhang the logical box by a fraction of a point: shift it inside */
        double dx = b->align == ALIGN_RIGHT && !b->wrap ? w - right : (left < 0 || !b->wrap ? -left : 0);
        if (left + dx < -0.01 || right + dx > w + 0.01 || top < -0.01 || bottom - top > h + 0.01)
            continue;
        if (pango_layout_get_unknown_glyphs_count(l) > 0) {
            snprintf(r->err, sizeof(r->err), "the %s text '%.80s' has characters the card's font cannot show",
                     b->what, text);
            rc = RU_ERR_INVALID;
            goto out;
        }
        if (cr) {
            double dy = (h - (bottom - top)) / 2 - top; /* centred in its box */
            set_ink(r, cr, b->ink);
            cairo_move_to(cr, x + MM(b->x) + dx, y + MM(b->y) + dy);
            pango_cairo_show_layout(cr, l);
        }
        if (pt < r->smallest_pt)
            r->smallest_pt = pt;
        rc = RU_OK;
        goto out;
    }
    snprintf(r->err, sizeof(r->err),
             "the %s text '%.80s' does not fit on the card even at %.1f pt: shorten it", b->what, text,
             b->min_pt);
out:
    if (fd)
        pango_font_description_free(fd);
    if (l)
        g_object_unref(l);
    return rc;
}

/* KEY's text in LANG with {url}, {locator}, {support} and {brand} filled in. */
static void expand(const struct cardrender *r, const char *lang, enum cardtext_key key, char *out,
                   size_t outlen)
{
    const char *p = cardtext_get(lang, key);
    size_t n = 0;
    out[0] = '\0';
    while (p && *p && n + 1 < outlen) {
        const char *with = NULL;
        size_t skip = 0;
        if (*p == '{') {
            static const char *const names[] = {"{url}", "{locator}", "{support}", "{brand}"};
            const char *values[] = {r->url_shown, r->locator_shown, r->support_shown, r->t.brand};
            for (int i = 0; i < 4 && !with; i++)
                if (!strncmp(p, names[i], strlen(names[i])))
                    with = values[i], skip = strlen(names[i]);
        }
        if (with) {
            int k = snprintf(out + n, outlen - n, "%s", with);
            n = k < 0 || (size_t)k >= outlen - n ? outlen - 1 : n + (size_t)k;
            p += skip;
        } else {
            out[n++] = *p++;
            out[n] = '\0';
        }
    }
}

/* The band across the top: brand colour, logo, brand name and (front) the title. */
static enum ru_status draw_band(struct cardrender *r, cairo_t *cr, const char *lang, int back)
{
    char title[TEXT_MAX];
    struct box brand = BOX_BRAND;
    if (cr) {
        cairo_set_source_rgb(cr, r->t.brand_colour.r, r->t.brand_colour.g, r->t.brand_colour.b);
        cairo_rectangle(cr, 0, 0, MM(LAYOUT_CARD_W_MM), MM(BAND_H));
        cairo_fill(cr);
    }
    if (r->logo) {
        /* the logo keeps its proportions inside a 7 mm square; the brand moves right */
        double iw = cairo_image_surface_get_width(r->logo), ih = cairo_image_surface_get_height(r->logo);
        double side = MM(7.0), s = side / (iw > ih ? iw : ih);
        if (cr) {
            cairo_save(cr);
            cairo_translate(cr, MM(3.0) + (side - iw * s) / 2, MM(1.0) + (side - ih * s) / 2);
            cairo_scale(cr, s, s);
            cairo_set_source_surface(cr, r->logo, 0, 0);
            cairo_paint(cr);
            cairo_restore(cr);
        }
        brand.x += 8.0;
        brand.w -= 8.0;
    }
    enum ru_status rc = place(r, cr, 0, 0, &brand, r->t.brand);
    if (rc == RU_OK && !back) {
        expand(r, lang, CARDTEXT_TITLE, title, sizeof(title));
        rc = place(r, cr, 0, 0, &BOX_TITLE, title);
    }
    return rc;
}

/* Everything on a side that is the same for all cards of LANG and MONTHS. CR may be NULL
 * (only lay out, to check). */
static enum ru_status draw_static(struct cardrender *r, cairo_t *cr, const char *lang, int months, int back)
{
    char text[TEXT_MAX];
    if (cr) {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_rectangle(cr, 0, 0, MM(LAYOUT_CARD_W_MM), MM(LAYOUT_CARD_H_MM));
        cairo_fill(cr);
    }
    enum ru_status rc = draw_band(r, cr, lang, back);
    if (rc != RU_OK)
        return rc;
    if (back) {
        expand(r, lang, CARDTEXT_BACK_TITLE, text, sizeof(text));
        if ((rc = place(r, cr, 0, 0, &BOX_BTITLE, text)) != RU_OK)
            return rc;
        expand(r, lang, CARDTEXT_BACK_BODY, text, sizeof(text));
        return place(r, cr, 0, 0, &BOX_BBODY, text);
    }
    static const struct {
        const struct box *box;
        enum cardtext_key key;
    } texts[] = {{&BOX_PINLBL, CARDTEXT_PIN_LABEL}, {&BOX_STEP1, CARDTEXT_STEP1},
                 {&BOX_STEP2, CARDTEXT_STEP2},      {&BOX_STEP3, CARDTEXT_STEP3},
                 {&BOX_LOCATOR, CARDTEXT_LOCATOR},  {&BOX_TERMS, CARDTEXT_TERMS}};
    catalog_plan(lang, months, text, sizeof(text));
    if ((rc = place(r, cr, 0, 0, &BOX_PLAN, text)) != RU_OK)
        return rc;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        expand(r, lang, texts[i].key, text, sizeof(text));
        if ((rc = place(r, cr, 0, 0, texts[i].box, text)) != RU_OK)
            return rc;
    }
    const struct box *numbers[] = {&BOX_STEPNO1, &BOX_STEPNO2, &BOX_STEPNO3};
    for (int i = 0; i < 3; i++) {
        char no[4] = {(char)('1' + i), '.', '\0'};
        if ((rc = place(r, cr, 0, 0, numbers[i], no)) != RU_OK)
            return rc;
    }
    return RU_OK;
}

/* The recorded static side for CARD, drawn on first use. */
static enum ru_status static_side(struct cardrender *r, const struct card_face *card, int back,
                                  cairo_surface_t **out)
{
    const char *lang = card->lang ? card->lang : r->t.language;
    const struct template_plan *plan = template_plan(&r->t, card->plan);
    if (!cardtext_known(lang)) {
        snprintf(r->err, sizeof(r->err), "language '%.20s' is not one we print: use en, da or es", lang);
        return RU_ERR_INVALID;
    }
    if (!plan) {
        snprintf(r->err, sizeof(r->err), "plan '%.40s' is not in the card template", card->plan);
        return RU_ERR_INVALID;
    }
    for (int i = 0; i < CACHE_N; i++) {
        struct cached *c = &r->cache[i];
        if (c->rec && c->months == plan->months && c->back == back && !strcmp(c->lang, lang)) {
            *out = c->rec;
            return RU_OK;
        }
    }
    cairo_rectangle_t card_box = {0, 0, MM(LAYOUT_CARD_W_MM), MM(LAYOUT_CARD_H_MM)};
    cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &card_box);
    cairo_t *cr = cairo_create(rec);
    enum ru_status rc = draw_static(r, cr, lang, plan->months, back);
    if (rc == RU_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        rc = RU_ERR_NOMEM;
    cairo_destroy(cr);
    if (rc != RU_OK) {
        cairo_surface_destroy(rec);
        return rc;
    }
    struct cached *c = &r->cache[r->next_slot];
    r->next_slot = (r->next_slot + 1) % CACHE_N;
    if (c->rec)
        cairo_surface_destroy(c->rec);
    *c = (struct cached){.months = plan->months, .back = back, .rec = rec};
    memcpy(c->lang, lang, sizeof(c->lang));
    *out = rec;
    return RU_OK;
}

static void paint_static(cairo_t *cr, cairo_surface_t *rec, double x, double y)
{
    cairo_save(cr);
    cairo_set_source_surface(cr, rec, x, y);
    cairo_paint(cr);
    cairo_restore(cr);
}

enum ru_status cardrender_front(struct cardrender *r, cairo_t *cr, double x, double y,
                                const struct card_face *card)
{
    cairo_surface_t *rec;
    char pin[CARD_DIGITS + 4], serial[CARD_DIGITS + 4], url[TEMPLATE_TEXT_MAX + 32];
    if (strlen(card->pin) != CARD_DIGITS || strlen(card->serial) != CARD_DIGITS) {
        snprintf(r->err, sizeof(r->err), "the serial and the PIN must have 16 digits");
        return RU_ERR_INVALID;
    }
    enum ru_status rc = static_side(r, card, 0, &rec);
    if (rc != RU_OK)
        return rc;
    paint_static(cr, rec, x, y);
    card_format_groups(card->pin, pin);
    card_format_groups(card->serial, serial);
    if ((rc = place(r, cr, x, y, &BOX_PIN, pin)) != RU_OK ||
        (rc = place(r, cr, x, y, &BOX_SERIAL, serial)) != RU_OK)
        return rc;
    if (template_redeem_url(&r->t, card->pin, url, sizeof(url)) != RU_OK ||
        qrcode_draw(cr, url, x + MM(QR_X), y + MM(QR_Y), MM(QR_SIZE)) != RU_OK) {
        snprintf(r->err, sizeof(r->err), "the redemption URL is too long for a QR code");
        return RU_ERR_LIMIT;
    }
    if (barcode_draw(cr, card->serial, x + MM(BAR_X), y + MM(BAR_Y), MM(BAR_W), MM(BAR_H)) != RU_OK) {
        snprintf(r->err, sizeof(r->err), "the serial cannot be drawn as Code 128");
        return RU_ERR_INVALID;
    }
    explicit_bzero(pin, sizeof(pin));
    explicit_bzero(url, sizeof(url));
    return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? RU_OK : RU_ERR_NOMEM;
}

enum ru_status cardrender_back(struct cardrender *r, cairo_t *cr, double x, double y,
                               const struct card_face *card)
{
    cairo_surface_t *rec;
    char serial[CARD_DIGITS + 4];
    if (strlen(card->serial) != CARD_DIGITS) {
        snprintf(r->err, sizeof(r->err), "the serial must have 16 digits");
        return RU_ERR_INVALID;
    }
    enum ru_status rc = static_side(r, card, 1, &rec);
    if (rc != RU_OK)
        return rc;
    paint_static(cr, rec, x, y);
    card_format_groups(card->serial, serial);
    if ((rc = place(r, cr, x, y, &BOX_BSERIAL, serial)) != RU_OK)
        return rc;
    return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? RU_OK : RU_ERR_NOMEM;
}

enum ru_status cardrender_check(struct cardrender *r, const char *lang, int months)
{
    if (!cardtext_known(lang)) {
        snprintf(r->err, sizeof(r->err), "language '%.20s' is not one we print: use en, da or es", lang);
        return RU_ERR_INVALID;
    }
    enum ru_status rc = draw_static(r, NULL, lang, months, 0);
    if (rc == RU_OK)
        rc = draw_static(r, NULL, lang, months, 1);
    /* the widest PIN and serial a card can carry */
    if (rc == RU_OK)
        rc = place(r, NULL, 0, 0, &BOX_PIN, "8888 8888 8888 8888");
    if (rc == RU_OK)
        rc = place(r, NULL, 0, 0, &BOX_SERIAL, "8888 8888 8888 8888");
    return rc;
}
