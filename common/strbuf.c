/* common/strbuf.c - growable buffers with caps. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/strbuf.h"
#include "common/wipe.h"
#include "common/banned.h"

void strbuf_init(struct strbuf *sb, size_t cap)
{
    sb->buf = NULL;
    sb->len = 0;
    sb->alloc = 0;
    sb->cap = cap ? cap : SIZE_MAX / 2;
    sb->secret = 0;
}

void strbuf_init_secret(struct strbuf *sb, size_t cap)
{
    strbuf_init(sb, cap);
    sb->secret = 1;
}

void strbuf_release(struct strbuf *sb)
{
    int secret = sb->secret;
    if (secret)
        wipe(sb->buf, sb->alloc);
    free(sb->buf);
    strbuf_init(sb, sb->cap);
    sb->secret = secret;
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->buf && sb->secret)
        wipe(sb->buf, sb->alloc);
    if (sb->buf)
        sb->buf[0] = '\0';
}

/* Make room for n more bytes plus the NUL. */
static enum ru_status grow(struct strbuf *sb, size_t n)
{
    if (n > sb->cap || sb->len > sb->cap - n)
        return RU_ERR_LIMIT;
    size_t need = sb->len + n + 1;
    if (need <= sb->alloc)
        return RU_OK;
    size_t alloc = sb->alloc ? sb->alloc : 64;
    while (alloc < need)
        alloc *= 2;
    char *p = sb->secret ? malloc(alloc) : realloc(sb->buf, alloc);
    if (!p)
        return RU_ERR_NOMEM;
    if (sb->secret && sb->buf) {
        /* realloc could leave the old copy in freed memory: move it by hand */
        memcpy(p, sb->buf, sb->len + 1);
        wipe(sb->buf, sb->alloc);
        free(sb->buf);
    }
    sb->buf = p;
    sb->alloc = alloc;
    return RU_OK;
}

enum ru_status strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
    enum ru_status st = grow(sb, n);
    if (st != RU_OK)
        return st;
    if (n)
        memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
    return RU_OK;
}

enum ru_status strbuf_adds(struct strbuf *sb, const char *s)
{
    return strbuf_add(sb, s, strlen(s));
}

enum ru_status strbuf_addch(struct strbuf *sb, char c)
{
    return strbuf_add(sb, &c, 1);
}

enum ru_status strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return RU_ERR_INVALID;
    enum ru_status st = grow(sb, (size_t)n);
    if (st != RU_OK)
        return st;
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return RU_OK;
}

enum ru_status strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum ru_status st = strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
    return st;
}

const char *strbuf_str(const struct strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}
