/*
 * printing/batchread.c - the batch file, line by line through common/textfile.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "printing/batchread.h"
#include "common/textfile.h"
#include "common/banned.h"

#define LINE_MAX_BYTES 256

struct batchread {
    struct textfile *tf;
};

static int code_ok(const char *s, size_t n)
{
    if (n == 0 || n > BATCHREAD_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
              c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

static int digits16(const char *s, size_t n)
{
    if (n != CARD_DIGITS)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

enum ru_status batchread_parse_line(const char *line, size_t len, struct batchrow *row, const char **why)
{
    const char *f[4];
    size_t flen[4];
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != ',')
            continue;
        if (k == 4) {
            *why = "more than 4 fields: expected serial,pin,plan,batch";
            return RU_ERR_INVALID;
        }
        f[k] = line + start;
        flen[k++] = i - start;
        start = i + 1;
    }
    if (k != 4) {
        *why = "fewer than 4 fields: expected serial,pin,plan,batch";
        return RU_ERR_INVALID;
    }
    struct batchrow r;
    const char *reason;
    if (!digits16(f[0], flen[0])) {
        *why = "the serial is not 16 digits";
        return RU_ERR_INVALID;
    }
    memcpy(r.serial, f[0], CARD_DIGITS);
    r.serial[CARD_DIGITS] = '\0';
    if (card_serial_parse(r.serial, r.serial, &reason) != RU_OK) {
        *why = "the serial's check digit (Luhn) is wrong";
        return RU_ERR_INVALID;
    }
    if (!digits16(f[1], flen[1])) {
        *why = "the PIN is not 16 digits";
        return RU_ERR_INVALID;
    }
    memcpy(r.pin, f[1], CARD_DIGITS);
    r.pin[CARD_DIGITS] = '\0';
    if (card_pin_parse(r.pin, r.pin, &reason) != RU_OK) {
        explicit_bzero(&r, sizeof(r));
        *why = "the PIN's check digit (Damm) is wrong";
        return RU_ERR_INVALID;
    }
    if (!code_ok(f[2], flen[2]) || !code_ok(f[3], flen[3])) {
        explicit_bzero(&r, sizeof(r));
        *why = "the plan or batch code is empty, too long or holds characters other than letters, digits, -, "
               "_, .";
        return RU_ERR_INVALID;
    }
    memcpy(r.plan, f[2], flen[2]);
    r.plan[flen[2]] = '\0';
    memcpy(r.batch, f[3], flen[3]);
    r.batch[flen[3]] = '\0';
    *row = r;
    explicit_bzero(&r, sizeof(r));
    return RU_OK;
}

enum ru_status batchread_open(const char *path, struct batchread **out, char *err, size_t errlen)
{
    struct batchread *b = calloc(1, sizeof(*b));
    if (!b)
        return RU_ERR_NOMEM;
    /* a pipe would block the open itself: look before opening, and again after */
    struct stat st;
    enum ru_status rc = stat(path, &st) == 0 && !S_ISREG(st.st_mode)
                            ? RU_ERR_INVALID
                            : textfile_open(path, LINE_MAX_BYTES, &b->tf);
    if (rc == RU_OK && !textfile_is_regular(b->tf))
        rc = RU_ERR_INVALID;
    if (rc == RU_ERR_INVALID) {
        snprintf(err, errlen,
                 "the batch file '%s' is not a regular file: give the CSV file that reup-issuer batch create "
                 "wrote",
                 path);
        batchread_free(b);
        return rc;
    }
    if (rc != RU_OK) {
        snprintf(err, errlen, "cannot open the batch file '%s': %s", path, strerror(errno));
        free(b);
        return rc;
    }
    char *line;
    size_t len;
    rc = textfile_next(b->tf, &line, &len);
    if (rc != RU_OK || strcmp(line, BATCHREAD_HEADER) != 0) {
        if (rc == RU_ERR_IO)
            snprintf(err, errlen, "cannot read the batch file '%s'", path);
        else
            snprintf(err, errlen, "%s:1: the first line must be '%s': is this a batch file from reup-issuer?",
                     path, BATCHREAD_HEADER);
        batchread_free(b);
        return rc == RU_ERR_IO ? RU_ERR_IO : RU_ERR_INVALID;
    }
    *out = b;
    return RU_OK;
}

enum ru_status batchread_next(struct batchread *b, struct batchrow *row, char *err, size_t errlen)
{
    char *line;
    size_t len;
    enum ru_status rc = textfile_next(b->tf, &line, &len);
    if (rc == RU_ERR_LIMIT) {
        snprintf(err, errlen, "the line is longer than %d bytes", LINE_MAX_BYTES);
        return RU_ERR_INVALID;
    }
    if (rc != RU_OK)
        return rc;
    const char *why;
    rc = batchread_parse_line(line, len, row, &why);
    explicit_bzero(line, len);
    if (rc != RU_OK)
        snprintf(err, errlen, "%s", why);
    return rc;
}

unsigned long batchread_line(const struct batchread *b)
{
    return textfile_lineno(b->tf);
}

void batchread_free(struct batchread *b)
{
    if (!b)
        return;
    textfile_free(b->tf);
    free(b);
}
