/*
 * printing/qrcode.h - a QR code drawn as vector modules (libqrencode + cairo).
 */
#ifndef REUP_PRINTING_QRCODE_H
#define REUP_PRINTING_QRCODE_H
#include <cairo.h>
#include "common/status.h"

#define QRCODE_QUIET_MODULES 4

/* Draw TEXT as a QR code (error correction M, 8-bit mode) in the square at X,Y of side
 * SIZE (user units): a white square, then the modules in black, the symbol centred with
 * a quiet zone of at least QRCODE_QUIET_MODULES modules on every side. RU_ERR_LIMIT when
 * TEXT does not fit a QR code, RU_ERR_NOMEM. */
enum ru_status qrcode_draw(cairo_t *cr, const char *text, double x, double y, double size) RU_WARN_UNUSED;
#endif
