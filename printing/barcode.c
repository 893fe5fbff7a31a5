/*
 * printing/barcode.c - Code 128 through libzint's vector output, scaled into a box.
 */
#include <string.h>
#include <zint.h>
#include "printing/barcode.h"
#include "common/banned.h"

enum ru_status barcode_draw(cairo_t *cr, const char *text, double x, double y, double w, double h)
{
    size_t len = strlen(text);
    if (len == 0 || len > 80)
        return RU_ERR_INVALID;
    struct zint_symbol *s = ZBarcode_Create();
    if (!s)
        return RU_ERR_NOMEM;
    s->symbology = BARCODE_CODE128;
    s->show_hrt = 0;
    enum ru_status rc = RU_OK;
    if (ZBarcode_Encode_and_Buffer_Vector(s, (const unsigned char *)text, (int)len, 0) >= ZINT_ERROR ||
        !s->vector || s->width <= 0) {
        rc = RU_ERR_INVALID;
        goto out;
    }
    /* zint's vector units per module, whatever its scale */
    double unit = s->vector->width / s->width;
    double module = w / (s->width + 2 * BARCODE_QUIET_MODULES);
    double x0 = x + BARCODE_QUIET_MODULES * module;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (const struct zint_vector_rect *r = s->vector->rectangles; r; r = r->next)
        cairo_rectangle(cr, x0 + r->x / unit * module, y, r->width / unit * module, h);
    cairo_fill(cr);
    cairo_restore(cr);
out:
    ZBarcode_Delete(s);
    return rc;
}
