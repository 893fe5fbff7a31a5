/*
 * printing/receipt.h - a till receipt as a PDF for an 80 mm roll: lines of monospaced
 * text, as long as they need to be.
 */
#ifndef REUP_PRINTING_RECEIPT_H
#define REUP_PRINTING_RECEIPT_H
#include <stddef.h>
#include <stdio.h>
#include "common/status.h"

#define RECEIPT_WIDTH_CHARS 40

/* Write the N LINES (UTF-8, at most RECEIPT_WIDTH_CHARS each; longer ones wrap) as a PDF
 * on OUT; a line starting with '!' is printed bold and centred, without the '!'.
 * RU_ERR_IO when writing fails, RU_ERR_NOMEM. */
enum ru_status receipt_pdf(FILE *out, const char *const *lines, size_t n) RU_WARN_UNUSED;
#endif
