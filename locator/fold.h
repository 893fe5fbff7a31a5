/*
 * locator/fold.h - the matching form of place names and queries.
 *
 * "København", "KOBENHAVN" and "Kobenhavn" all fold to "kobenhavn": Unicode compatibility
 * decomposition, case folding, marks stripped, letters that do not decompose mapped to
 * their usual Latin spelling (ø→o, æ→ae, ß→ss, ł→l, đ→d, þ→th), apostrophes dropped and
 * every other run of punctuation, spaces or control characters turned into one space.
 * Names and queries go through the same function, so whatever matches once always matches.
 */
#ifndef REUP_LOCATOR_FOLD_H
#define REUP_LOCATOR_FOLD_H
#include <stddef.h>
#include "common/status.h"
#include "common/strbuf.h"

/* Append the folded form of the LEN bytes at TEXT to OUT (no leading or trailing space).
 * RU_ERR_INVALID for invalid UTF-8, RU_ERR_LIMIT past OUT's cap; OUT is unchanged on
 * failure. */
enum ru_status fold_text(const char *text, size_t len, struct strbuf *out) RU_WARN_UNUSED;

/* True when the LEN bytes at TEXT are valid UTF-8 without control characters. */
int fold_is_clean_utf8(const char *text, size_t len);
/* The length of the longest prefix of S of at most MAX bytes that ends on a character
 * boundary, for cutting names to a field without splitting a character. Cannot fail. */
size_t fold_utf8_prefix(const char *s, size_t max);

/* True when the LEN bytes at TEXT are valid UTF-8 (control characters allowed). */
int fold_is_utf8(const char *text, size_t len);

#endif
