/*
 * printing/layout.c - the page layouts. A 2 x 5 grid of cards, edge to edge, centred
 * on the sheet: 171.2 x 270 mm fits both Letter and A4.
 */
#include <string.h>
#include "printing/layout.h"
#include "common/banned.h"

#define GRID_W (2 * LAYOUT_CARD_W_MM)
#define GRID_H (5 * LAYOUT_CARD_H_MM)

static const struct layout layouts[] = {
    {"cr80", "iso_id-1_53.98x85.6mm", LAYOUT_CARD_W_MM, LAYOUT_CARD_H_MM, 1, 1, 0, 0, 0},
    {"sheet-letter-10", "na_letter_8.5x11in", 215.9, 279.4, 2, 5, (215.9 - GRID_W) / 2, (279.4 - GRID_H) / 2,
     1},
    {"sheet-a4-10", "iso_a4_210x297mm", 210.0, 297.0, 2, 5, (210.0 - GRID_W) / 2, (297.0 - GRID_H) / 2, 1},
};

const struct layout *layout_find(const char *name)
{
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
        if (name && !strcmp(layouts[i].name, name))
            return &layouts[i];
    return NULL;
}

const char *layout_names(void)
{
    return "cr80, sheet-letter-10, sheet-a4-10";
}

int layout_per_page(const struct layout *l)
{
    return l->cols * l->rows;
}

void layout_slot(const struct layout *l, int i, int back, double *x_pt, double *y_pt)
{
    int col = i % l->cols, row = i / l->cols;
    if (back)
        col = l->cols - 1 - col;
    double x = l->x0_mm + col * LAYOUT_CARD_W_MM;
    if (back) /* the grid mirrored about the page's vertical centre line */
        x = l->page_w_mm - (l->x0_mm + l->cols * LAYOUT_CARD_W_MM) + col * LAYOUT_CARD_W_MM;
    *x_pt = LAYOUT_PT(x);
    *y_pt = LAYOUT_PT(l->y0_mm + row * LAYOUT_CARD_H_MM);
}

void layout_draw_crop_marks(const struct layout *l, cairo_t *cr)
{
    if (!l->crop_marks)
        return;
    /* marks stop 1 mm short of the cards and run at most 4 mm into the margin */
    const double gap = 1.0, len = 4.0;
    double left = l->x0_mm, right = l->x0_mm + l->cols * LAYOUT_CARD_W_MM;
    double top = l->y0_mm, bottom = l->y0_mm + l->rows * LAYOUT_CARD_H_MM;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.25);
    for (int c = 0; c <= l->cols; c++) {
        double x = LAYOUT_PT(left + c * LAYOUT_CARD_W_MM);
        double a = top - gap, b = top - gap - len;
        cairo_move_to(cr, x, LAYOUT_PT(a));
        cairo_line_to(cr, x, LAYOUT_PT(b < 0 ? 0 : b));
        a = bottom + gap, b = bottom + gap + len;
        cairo_move_to(cr, x, LAYOUT_PT(a));
        cairo_line_to(cr, x, LAYOUT_PT(b > l->page_h_mm ? l->page_h_mm : b));
    }
    for (int r = 0; r <= l->rows; r++) {
        double y = LAYOUT_PT(top + r * LAYOUT_CARD_H_MM);
        double a = left - gap, b = left - gap - len;
        cairo_move_to(cr, LAYOUT_PT(a), y);
        cairo_line_to(cr, LAYOUT_PT(b < 0 ? 0 : b), y);
        a = right + gap, b = right + gap + len;
        cairo_move_to(cr, LAYOUT_PT(a), y);
        cairo_line_to(cr, LAYOUT_PT(b > l->page_w_mm ? l->page_w_mm : b), y);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}
