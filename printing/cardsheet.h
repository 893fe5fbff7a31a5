/*
 * printing/cardsheet.h - a PDF of cards in one layout, written page by page to a stream,
 * so memory stays flat whatever the number of cards; and PNG previews of one card.
 */
#ifndef REUP_PRINTING_CARDSHEET_H
#define REUP_PRINTING_CARDSHEET_H
#include <stdio.h>
#include "common/status.h"
#include "printing/cardrender.h"
#include "printing/layout.h"

struct cardsheet;

/* Start a PDF on OUT (not closed here) laying cards out by L, drawn by R (both borrowed
 * for the sheet's life). With BACK, each page of fronts is followed by a page of backs,
 * mirrored for duplex. TITLE goes into the PDF's metadata. RU_ERR_NOMEM. */
enum ru_status cardsheet_new(FILE *out, const struct layout *l, struct cardrender *r, int back,
                             const char *title, struct cardsheet **sheet) RU_WARN_UNUSED;

/* Add a card. Errors of the renderer pass through (cardrender_errmsg() says why);
 * RU_ERR_IO when writing OUT failed. */
enum ru_status cardsheet_add(struct cardsheet *s, const struct card_face *card) RU_WARN_UNUSED;

/* Finish the last page and the document. RU_ERR_IO when writing OUT failed. */
enum ru_status cardsheet_finish(struct cardsheet *s) RU_WARN_UNUSED;

/* Cards and pages so far. Cannot fail. */
unsigned long cardsheet_cards(const struct cardsheet *s);
unsigned long cardsheet_pages(const struct cardsheet *s);

/* Free S; an unfinished document is left incomplete on its stream. */
void cardsheet_free(struct cardsheet *s);

/* One side of one card as a PNG on OUT at DPI dots per inch. Errors as cardsheet_add. */
enum ru_status cardsheet_png(FILE *out, struct cardrender *r, const struct card_face *card, int back,
                             int dpi) RU_WARN_UNUSED;
#endif
