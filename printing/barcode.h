/*
 * printing/barcode.h - a Code 128 barcode drawn as vector bars (libzint + cairo).
 */
#ifndef REUP_PRINTING_BARCODE_H
#define REUP_PRINTING_BARCODE_H
#include <cairo.h>
#include "common/status.h"

#define BARCODE_QUIET_MODULES 10

/* Draw TEXT (printable ASCII, at most 80 characters) as Code 128 in the box X,Y,W,H
 * (user units): white box, black bars scaled to fill the width after a quiet zone of
 * BARCODE_QUIET_MODULES modules on each side, no human-readable line (the caller prints
 * it). RU_ERR_INVALID when libzint refuses TEXT, RU_ERR_NOMEM. */
enum ru_status barcode_draw(cairo_t *cr, const char *text, double x, double y, double w,
                            double h) RU_WARN_UNUSED;
#endif
