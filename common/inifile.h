/*
 * common/inifile.h - INI text (the card template, the terminal's configuration) read
 * through inih, with the errors people need: which line, and what is wrong with it.
 */
#ifndef REUP_COMMON_INIFILE_H
#define REUP_COMMON_INIFILE_H
#include <stddef.h>
#include "common/status.h"

/* inih reads at most 200 bytes a line and splits longer ones; longer lines are refused */
#define INIFILE_LINE_MAX 190

/* Called for each KEY = VALUE: 1 to go on, 0 to stop with WHY (INIFILE_WHY_MAX bytes)
 * saying what is wrong with it. */
#define INIFILE_WHY_MAX 240
typedef int (*inifile_fn)(void *ctx, const char *section, const char *key, const char *value, char *why);

/* Parse TEXT (NUL-terminated), calling FN for every value. RU_ERR_INVALID with ERR as
 * "line N: reason" for a line too long, a line that is not KEY = VALUE or [SECTION], or
 * the first value FN refuses. */
enum ru_status inifile_parse(const char *text, inifile_fn fn, void *ctx, char *err,
                             size_t errlen) RU_WARN_UNUSED;
/* Copy VALUE of the key NAME into DST (CAP bytes with the NUL) when it is at least
 * MIN_LEN bytes, fits, is well-formed UTF-8 and holds no control character; else 0 with WHY
 * (INIFILE_WHY_MAX bytes) saying which. */
int inifile_text(char *dst, size_t cap, const char *value, size_t min_len, const char *name, char *why);
#endif
