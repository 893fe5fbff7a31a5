/* common/textfile.c - bounded line reader over stdio. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "common/textfile.h"
#include "common/banned.h"

struct textfile {
    FILE *fp;
    int owned;
    char *buf;
    size_t cap;
    unsigned long lineno;
};

enum ru_status textfile_open(const char *path, size_t max_line, struct textfile **out)
{
    struct textfile *tf = calloc(1, sizeof(*tf));
    if (!tf)
        return RU_ERR_NOMEM;
    tf->cap = max_line;
    tf->buf = malloc(max_line + 2);
    if (!tf->buf) {
        free(tf);
        return RU_ERR_NOMEM;
    }
    if (strcmp(path, "-") == 0) {
        tf->fp = stdin;
    } else {
        tf->fp = fopen(path, "rb");
        tf->owned = 1;
        if (!tf->fp) {
            int e = errno;
            free(tf->buf);
            free(tf);
            errno = e;
            return e == ENOENT ? RU_ERR_NOT_FOUND : RU_ERR_IO;
        }
    }
    *out = tf;
    return RU_OK;
}

enum ru_status textfile_next(struct textfile *tf, char **line, size_t *len)
{
    size_t n = 0;
    int c, over = 0;
    /* getc_unlocked keeps the per-byte cost near memchr speed without a second buffer. */
    while ((c = getc_unlocked(tf->fp)) != EOF) {
        if (c == '\n')
            break;
        if (n < tf->cap)
            tf->buf[n++] = (char)c;
        else
            over = 1;
    }
    if (c == EOF) {
        if (ferror(tf->fp))
            return RU_ERR_IO;
        if (n == 0 && !over)
            return RU_ERR_NOT_FOUND;
    }
    tf->lineno++;
    if (over)
        return RU_ERR_LIMIT;
    if (n > 0 && tf->buf[n - 1] == '\r')
        n--;
    tf->buf[n] = '\0';
    *line = tf->buf;
    *len = n;
    return RU_OK;
}

unsigned long textfile_lineno(const struct textfile *tf)
{
    return tf->lineno;
}

int textfile_is_regular(const struct textfile *tf)
{
    struct stat st;
    return fstat(fileno(tf->fp), &st) == 0 && S_ISREG(st.st_mode);
}

void textfile_free(struct textfile *tf)
{
    if (!tf)
        return;
    if (tf->owned && tf->fp)
        fclose(tf->fp);
    free(tf->buf);
    free(tf);
}

enum ru_status textfile_read_all(const char *path, size_t cap, char **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? RU_ERR_NOT_FOUND : RU_ERR_IO;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return RU_ERR_NOMEM;
    }
    size_t n = fread(buf, 1, cap + 1, f);
    int e = errno, failed = ferror(f);
    fclose(f);
    enum ru_status rc = failed                 ? RU_ERR_IO
                        : n > cap              ? RU_ERR_LIMIT
                        : memchr(buf, '\0', n) ? RU_ERR_INVALID
                                               : RU_OK;
    if (rc != RU_OK) {
        free(buf);
        errno = e;
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    return RU_OK;
}

void textfile_dirname(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, outlen, ".");
    else if (slash == path)
        snprintf(out, outlen, "/");
    else
        snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}
