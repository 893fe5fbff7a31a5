/*
 * printing/qrcode.c - QR codes from libqrencode, drawn as the outlines of their dark
 * regions: no seams between modules when rasterised, and few path points.
 */
#include <errno.h>
#include <qrencode.h>
#include <stddef.h>
#include <stdlib.h>
#include "printing/qrcode.h"
#include "common/banned.h"

/* 1 when module (ROW, COL) of Q is dark; outside the symbol is light. */
static int dark(const QRcode *q, int row, int col)
{
    return row >= 0 && col >= 0 && row < q->width && col < q->width && (q->data[row * q->width + col] & 1);
}

/* The outlines of the dark regions as closed paths through their corners only: about a
 * third of the numbers one rectangle a run would take, which is what a PDF spends its
 * bytes and its writer its time on. Edges run with the dark side on their right, so
 * holes wind the other way and the default fill rule leaves them open. */
static enum ru_status trace(cairo_t *cr, const QRcode *q, double x0, double y0, double module)
{
    static const int dx[4] = {1, 0, -1, 0}, dy[4] = {0, 1, 0, -1}; /* right, down, left, up */
    int n = q->width, side = n + 1;
    unsigned char *out = calloc((size_t)side * (size_t)side, 1); /* outgoing edges per corner */
    if (!out)
        return RU_ERR_NOMEM;
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) {
            if (!dark(q, r, c))
                continue;
            if (!dark(q, r - 1, c))
                out[r * side + c] |= 1 << 0;
            if (!dark(q, r, c + 1))
                out[r * side + c + 1] |= 1 << 1;
            if (!dark(q, r + 1, c))
                out[(r + 1) * side + c + 1] |= 1 << 2;
            if (!dark(q, r, c - 1))
                out[(r + 1) * side + c] |= 1 << 3;
        }
    for (int v0 = 0; v0 < side * side; v0++) {
        while (out[v0]) {
            int d = 0;
            while (!(out[v0] & (1 << d)))
                d++;
            int v = v0, first = d;
            cairo_move_to(cr, x0 + (v0 % side) * module, y0 + (v0 / side) * module);
            for (;;) {
                out[v] &= (unsigned char)~(1 << d);
                v += dx[d] + dy[d] * side;
                if (v == v0 && !(out[v] & (1 << first)))
                    break;
                /* at a corner two dark modules share, turn right: each keeps its own outline */
                int next = (d + 1) % 4;
                if (!(out[v] & (1 << next)))
                    next = (out[v] & (1 << d)) ? d : (d + 3) % 4;
                if (next != d)
                    cairo_line_to(cr, x0 + (v % side) * module, y0 + (v / side) * module);
                d = next;
                if (v == v0 && d == first)
                    break;
            }
            cairo_close_path(cr);
        }
    }
    free(out);
    return RU_OK;
}

enum ru_status qrcode_draw(cairo_t *cr, const char *text, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return errno == ENOMEM ? RU_ERR_NOMEM : RU_ERR_LIMIT;
    int n = q->width;
    double module = size / (n + 2 * QRCODE_QUIET_MODULES);
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    enum ru_status rc =
        trace(cr, q, x + QRCODE_QUIET_MODULES * module, y + QRCODE_QUIET_MODULES * module, module);
    if (rc == RU_OK)
        cairo_fill(cr);
    cairo_new_path(cr);
    cairo_restore(cr);
    QRcode_free(q);
    return rc;
}
