/*
 * printing/qrcode.c - QR codes from libqrencode, drawn one rectangle per run of dark
 * modules in a row: fewer path elements than one square a module, and no seams inside
 * a run when rasterised.
 */
#include <errno.h>
#include <qrencode.h>
#include <stddef.h>
#include "printing/qrcode.h"
#include "common/banned.h"

enum ru_status qrcode_draw(cairo_t *cr, const char *text, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return errno == ENOMEM ? RU_ERR_NOMEM : RU_ERR_LIMIT;
    int n = q->width;
    double module = size / (n + 2 * QRCODE_QUIET_MODULES);
    double x0 = x + QRCODE_QUIET_MODULES * module, y0 = y + QRCODE_QUIET_MODULES * module;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int row = 0; row < n; row++) {
        const unsigned char *m = q->data + (size_t)row * (size_t)n;
        for (int col = 0; col < n;) {
            if (!(m[col] & 1)) {
                col++;
                continue;
            }
            int start = col;
            while (col < n && (m[col] & 1))
                col++;
            cairo_rectangle(cr, x0 + start * module, y0 + row * module, (col - start) * module, module);
        }
    }
    cairo_fill(cr);
    cairo_restore(cr);
    QRcode_free(q);
    return RU_OK;
}
