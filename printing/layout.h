/*
 * printing/layout.h - where cards go on a page: one CR80 card a page for card printers,
 * or ten on a US Letter or A4 sheet with crop marks. Pure data and geometry.
 */
#ifndef REUP_PRINTING_LAYOUT_H
#define REUP_PRINTING_LAYOUT_H
#include <cairo.h>

#define LAYOUT_CARD_W_MM 85.6
#define LAYOUT_CARD_H_MM 54.0
#define LAYOUT_PT(mm)    ((mm)*72.0 / 25.4)

struct layout {
    const char *name;  /* "cr80", "sheet-letter-10", "sheet-a4-10" */
    const char *media; /* the PWG media name CUPS is asked for */
    double page_w_mm, page_h_mm;
    int cols, rows;
    double x0_mm, y0_mm; /* top-left corner of the first card */
    int crop_marks;
};

/* The layout NAME, or NULL (borrowed, static). */
const struct layout *layout_find(const char *name);

/* "cr80, sheet-letter-10, sheet-a4-10", for messages. */
const char *layout_names(void);

/* Cards a page. Cannot fail. */
int layout_per_page(const struct layout *l);

/* Top-left corner, in points, of slot I (0-based, row by row) on a front page, or on a
 * back page (mirrored left to right, for duplex printing that flips on the long edge). */
void layout_slot(const struct layout *l, int i, int back, double *x_pt, double *y_pt);

/* Crop marks in the margins at every card edge. Does nothing for a layout without. */
void layout_draw_crop_marks(const struct layout *l, cairo_t *cr);
#endif
