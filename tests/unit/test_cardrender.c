/*
 * tests/unit/test_cardrender.c - the card's words fit their boxes.
 *
 * Covers: every text of every language is there; every text of the front and back, in
 * every language, with every plan length from 1 to 120 months (the longest plan names)
 * and the widest PIN and serial, fits its box without clipping; a brand or a store-locator
 * address too long for the card is refused with the text named, never
 * clipped; a character the font lacks is refused; a card is drawn (front and back) on an
 * image surface with ink where the PIN goes; an unknown plan or language is refused.
 */
#include <cairo.h>
#include "tests/testlib.h"
#include "printing/cardrender.h"
#include "printing/cardtext.h"
#include "printing/layout.h"

static void test_texts_exist(void **state)
{
    (void)state;
    for (const char *const *l = cardtext_languages; *l; l++)
        for (int k = 0; k < CARDTEXT_KEYS; k++) {
            const char *t = cardtext_get(*l, (enum cardtext_key)k);
            assert_non_null(t);
            assert_true(strlen(t) > 1);
        }
    assert_null(cardtext_get("de", CARDTEXT_TITLE));
}

static void test_everything_fits(void **state)
{
    (void)state;
    struct card_template t;
    struct cardrender *r;
    char err[300];
    template_default(&t);
    assert_int_equal(cardrender_new(&t, &r, err, sizeof(err)), RU_OK);
    int checked = 0;
    for (const char *const *l = cardtext_languages; *l; l++)
        for (int months = 1; months <= 120; months++) {
            if (cardrender_check(r, *l, months) != RU_OK)
                fail_msg("%s, %d months: %s", *l, months, cardrender_errmsg(r));
            checked++;
        }
    assert_int_equal(checked, 360);
    /* the shrinking is real: some text needed less than its largest size */
    assert_true(cardrender_smallest_pt(r) < 6.0);
    assert_true(cardrender_smallest_pt(r) >= 3.0);
    cardrender_free(r);
}

static void does_not_fit(const char *field, const char *value, const char *names)
{
    struct card_template t;
    struct cardrender *r;
    char err[300];
    template_default(&t);
    if (!strcmp(field, "brand"))
        snprintf(t.brand, sizeof(t.brand), "%s", value);
    else
        snprintf(t.locator_url, sizeof(t.locator_url), "%s", value);
    assert_int_equal(cardrender_new(&t, &r, err, sizeof(err)), RU_OK);
    assert_int_equal(cardrender_check(r, "en", 12), RU_ERR_LIMIT);
    if (!strstr(cardrender_errmsg(r), names))
        fail_msg("'%s' does not name '%s'", cardrender_errmsg(r), names);
    assert_non_null(strstr(cardrender_errmsg(r), "does not fit"));
    cardrender_free(r);
}

static void test_too_long_refused(void **state)
{
    (void)state;
    does_not_fit("brand", "Transcontinental Telecommunications Incorporated", "the brand text");
    char url[TEMPLATE_TEXT_MAX + 1];
    snprintf(url, sizeof(url), "https://stores.example.com/%0120d", 1);
    does_not_fit("locator_url", url, "the locator line text");
}

static void test_missing_glyph(void **state)
{
    (void)state;
    struct card_template t;
    struct cardrender *r;
    char err[300];
    template_default(&t);
    snprintf(t.brand, sizeof(t.brand), "Re\xee\x80\x80Up"); /* U+E000, private use */
    assert_int_equal(cardrender_new(&t, &r, err, sizeof(err)), RU_OK);
    assert_int_equal(cardrender_check(r, "en", 12), RU_ERR_INVALID);
    assert_non_null(strstr(cardrender_errmsg(r), "cannot show"));
    cardrender_free(r);
}

/* Share of dark pixels in a box of an RGB24 surface, in mm on the card at DPI. */
static double ink(cairo_surface_t *img, double dpi, double x, double y, double w, double h)
{
    int stride = cairo_image_surface_get_stride(img);
    const unsigned char *px = cairo_image_surface_get_data(img);
    double s = dpi / 25.4;
    long dark = 0, all = 0;
    for (int yy = (int)(y * s); yy < (int)((y + h) * s); yy++)
        for (int xx = (int)(x * s); xx < (int)((x + w) * s); xx++, all++) {
            const unsigned char *p = px + yy * stride + xx * 4;
            dark += p[0] + p[1] + p[2] < 3 * 128;
        }
    return all ? (double)dark / (double)all : 0;
}

static void test_draw(void **state)
{
    (void)state;
    struct card_template t;
    struct cardrender *r;
    char err[300];
    template_default(&t);
    assert_int_equal(cardrender_new(&t, &r, err, sizeof(err)), RU_OK);
    double dpi = 200, s = dpi / 72.0;
    cairo_surface_t *img = cairo_image_surface_create(
        CAIRO_FORMAT_RGB24, (int)(LAYOUT_PT(LAYOUT_CARD_W_MM) * s), (int)(LAYOUT_PT(LAYOUT_CARD_H_MM) * s));
    cairo_t *cr = cairo_create(img);
    cairo_scale(cr, s, s);
    struct card_face c = {
        .serial = "4242000000000018", .pin = "1234567890123452", .plan = "1y", .lang = "es"};
    assert_int_equal(cardrender_front(r, cr, 0, 0, &c), RU_OK);
    cairo_surface_flush(img);
    assert_true(ink(img, dpi, 4, 20, 50, 4.5) > 0.10);   /* the PIN */
    assert_true(ink(img, dpi, 62, 11, 20, 20) > 0.25);   /* the QR code */
    assert_true(ink(img, dpi, 6, 43, 30, 5) > 0.30);     /* the barcode */
    assert_true(ink(img, dpi, 1, 10.5, 1.5, 38) < 0.01); /* the left margin stays clear */
    assert_int_equal(cardrender_back(r, cr, 0, 0, &c), RU_OK);
    cairo_surface_flush(img);
    assert_true(ink(img, dpi, 62, 11, 20, 20) < 0.05); /* no QR code on the back */
    c.plan = "7y";
    assert_int_equal(cardrender_front(r, cr, 0, 0, &c), RU_ERR_INVALID);
    assert_non_null(strstr(cardrender_errmsg(r), "plan '7y'"));
    c.plan = "1y";
    c.lang = "fr";
    assert_int_equal(cardrender_front(r, cr, 0, 0, &c), RU_ERR_INVALID);
    cairo_destroy(cr);
    cairo_surface_destroy(img);
    cardrender_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_texts_exist),
        cmocka_unit_test(test_everything_fits),
        cmocka_unit_test(test_too_long_refused),
        cmocka_unit_test(test_missing_glyph),
        cmocka_unit_test(test_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
