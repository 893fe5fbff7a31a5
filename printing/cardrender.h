/*
 * printing/cardrender.h - drawing one Re-Up card, front or back, on a cairo context.
 *
 * The front: brand band, plan ("1 year of service"), the PIN in groups of four, a QR
 * code of the redemption URL with the PIN, three numbered instructions, a line pointing
 * to the store locator, the serial as Code 128 and in groups, and a terms line. Every text
 * is laid out with pango in a box of its own and shrunk (and wrapped where the box allows
 * two lines) until it fits; a text that does not fit even at its smallest size is an
 * error, never a clipped card. The parts that are the same on every card of a language
 * and plan are drawn once and replayed, so a PDF holds them once.
 */
#ifndef REUP_PRINTING_CARDRENDER_H
#define REUP_PRINTING_CARDRENDER_H
#include <cairo.h>
#include "common/status.h"
#include "printing/template.h"

struct cardrender;

/* What differs from card to card; strings borrowed for the call. */
struct card_face {
    const char *serial; /* 16 digits */
    const char *pin;    /* 16 digits; drawn, never kept */
    const char *plan;   /* a plan code of the template */
    const char *lang;   /* NULL: the template's language */
};

/* A renderer for cards of template T (copied). RU_ERR_NOMEM, or RU_ERR_NOT_FOUND /
 * RU_ERR_INVALID when the template's logo cannot be read as PNG (errmsg says which). */
enum ru_status cardrender_new(const struct card_template *t, struct cardrender **out, char *err,
                              size_t errlen) RU_WARN_UNUSED;
void cardrender_free(struct cardrender *r);

/* Draw the front (or back) of CARD with its top-left corner at X,Y (points) on CR.
 * RU_ERR_INVALID for an unknown plan or language, RU_ERR_LIMIT when a text does not fit
 * its box (cardrender_errmsg() names the text and the language), RU_ERR_NOMEM. */
enum ru_status cardrender_front(struct cardrender *r, cairo_t *cr, double x, double y,
                                const struct card_face *card) RU_WARN_UNUSED;
enum ru_status cardrender_back(struct cardrender *r, cairo_t *cr, double x, double y,
                               const struct card_face *card) RU_WARN_UNUSED;

/* Lay out every text of the front and back for LANG and MONTHS without drawing.
 * RU_OK when all fit; else as above. For checks before a batch and for tests. */
enum ru_status cardrender_check(struct cardrender *r, const char *lang, int months) RU_WARN_UNUSED;

/* Why the last call failed (borrowed). */
const char *cardrender_errmsg(const struct cardrender *r);

/* The smallest size, in points, any text was drawn at so far; for tests. */
double cardrender_smallest_pt(const struct cardrender *r);
#endif
