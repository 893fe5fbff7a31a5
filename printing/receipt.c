/*
 * printing/receipt.c - receipts through cairo's PDF surface and pango.
 */
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <string.h>
#include "printing/receipt.h"
#include "printing/layout.h"
#include "common/banned.h"

#define WIDTH_MM  80.0
#define MARGIN_MM 4.0
#define FONT_PT   9.0

struct sink {
    FILE *f;
    int failed;
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
    struct sink *s = closure;
    if (fwrite(data, 1, len, s->f) != len) {
        s->failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* Lay out line I on L; returns its height in points. */
static double lay(PangoLayout *l, PangoFontDescription *fd, const char *line)
{
    int bold = line[0] == '!';
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_alignment(l, bold ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, bold ? line + 1 : line, -1);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return h / (double)PANGO_SCALE;
}

enum ru_status receipt_pdf(FILE *out, const char *const *lines, size_t n)
{
    PangoFontMap *fm = pango_cairo_font_map_new();
    PangoContext *ctx = pango_font_map_create_context(fm);
    PangoLayout *l = pango_layout_new(ctx);
    PangoFontDescription *fd = pango_font_description_from_string("DejaVu Sans Mono");
    pango_cairo_context_set_resolution(ctx, 72);
    pango_font_description_set_absolute_size(fd, FONT_PT * PANGO_SCALE);
    pango_layout_set_width(l, (int)(LAYOUT_PT(WIDTH_MM - 2 * MARGIN_MM) * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    /* the page is as long as the receipt: measure first */
    double height = 2 * LAYOUT_PT(MARGIN_MM);
    for (size_t i = 0; i < n; i++)
        height += lay(l, fd, lines[i]);
    struct sink sink = {out, 0};
    cairo_surface_t *pdf = cairo_pdf_surface_create_for_stream(write_out, &sink, LAYOUT_PT(WIDTH_MM), height);
    cairo_t *cr = cairo_create(pdf);
    double y = LAYOUT_PT(MARGIN_MM);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t i = 0; i < n; i++) {
        double h = lay(l, fd, lines[i]);
        cairo_move_to(cr, LAYOUT_PT(MARGIN_MM), y);
        pango_cairo_show_layout(cr, l);
        y += h;
    }
    cairo_show_page(cr);
    enum ru_status rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? RU_OK : RU_ERR_NOMEM;
    cairo_destroy(cr);
    cairo_surface_finish(pdf);
    if (sink.failed || cairo_surface_status(pdf) != CAIRO_STATUS_SUCCESS)
        rc = RU_ERR_IO;
    cairo_surface_destroy(pdf);
    pango_font_description_free(fd);
    g_object_unref(l);
    g_object_unref(ctx);
    g_object_unref(fm);
    return rc == RU_OK && fflush(out) != 0 ? RU_ERR_IO : rc;
}
