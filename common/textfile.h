/*
 * common/textfile.h - reading outside text files line by line in bounded memory.
 * Importers stream files of any size (a GeoNames allCountries.txt has 12 million rows)
 * through one reusable line buffer; a line longer than the cap is an error, not a crash.
 */
#ifndef REUP_COMMON_TEXTFILE_H
#define REUP_COMMON_TEXTFILE_H
#include <stdio.h>
#include <stddef.h>
#include "common/status.h"

struct textfile;

/* Open PATH ("-" reads standard input) with lines capped at max_line bytes.
 * RU_ERR_NOT_FOUND if it does not exist, RU_ERR_IO otherwise; errno is kept. */
enum ru_status textfile_open(const char *path, size_t max_line, struct textfile **out) RU_WARN_UNUSED;

/* Next line without its "\n" or "\r\n", NUL-terminated, in *line (borrowed until the
 * next call) with its length in *len. RU_ERR_NOT_FOUND at end of file, RU_ERR_LIMIT for
 * a line over the cap (the rest of that line is skipped, reading can go on), RU_ERR_IO. */
enum ru_status textfile_next(struct textfile *tf, char **line, size_t *len) RU_WARN_UNUSED;

/* 1-based number of the line last returned. Cannot fail. */
unsigned long textfile_lineno(const struct textfile *tf);

/* 1 when TF reads a regular file, which ends and can be read again; 0 for a pipe, a
 * terminal, a device such as /dev/zero or a folder. Cannot fail. */
int textfile_is_regular(const struct textfile *tf);

void textfile_free(struct textfile *tf);

/* The whole of a small text file PATH, NUL-terminated, in *OUT (the caller's to free).
 * RU_ERR_NOT_FOUND, RU_ERR_IO (errno kept), RU_ERR_LIMIT over CAP bytes, RU_ERR_INVALID
 * when it holds a NUL byte. */
enum ru_status textfile_read_all(const char *path, size_t cap, char **out) RU_WARN_UNUSED;

/* The folder of PATH ("." for a bare name), for names relative to a file. Cannot fail. */
void textfile_dirname(const char *path, char *out, size_t outlen);

#endif
