/*
 * common/strbuf.h - a growable, always NUL-terminated byte buffer with a hard cap.
 * Every buffer that grows from outside input has a cap, so hostile input fails cleanly
 * with RU_ERR_LIMIT instead of exhausting memory.
 */
#ifndef REUP_COMMON_STRBUF_H
#define REUP_COMMON_STRBUF_H
#include <stdarg.h>
#include <stddef.h>
#include "common/status.h"

struct strbuf {
    char *buf;    /* owned; NULL until the first append; always NUL-terminated after */
    size_t len;   /* bytes used, excluding the NUL */
    size_t alloc; /* bytes allocated */
    size_t cap;   /* most bytes len may reach; 0 means SIZE_MAX / 2 */
    int secret;   /* strbuf_init_secret(): zeroed on growth, reset and release */
};

/* Caller-owned struct; strbuf_release() frees the memory. Cannot fail. */
void strbuf_init(struct strbuf *sb, size_t cap);
/* The same for a buffer that may hold secrets (PINs, keys): growing it moves the content
 * without leaving the old copy behind, and strbuf_reset() and strbuf_release() zero it. */
void strbuf_init_secret(struct strbuf *sb, size_t cap);
void strbuf_release(struct strbuf *sb);
/* Empties the buffer and keeps its memory. Cannot fail. */
void strbuf_reset(struct strbuf *sb);

/* Append; RU_ERR_LIMIT past the cap, RU_ERR_NOMEM; on failure the content is unchanged. */
enum ru_status strbuf_add(struct strbuf *sb, const void *data, size_t n) RU_WARN_UNUSED;
enum ru_status strbuf_adds(struct strbuf *sb, const char *s) RU_WARN_UNUSED;
enum ru_status strbuf_addch(struct strbuf *sb, char c) RU_WARN_UNUSED;
enum ru_status strbuf_addf(struct strbuf *sb, const char *fmt, ...) RU_WARN_UNUSED
    __attribute__((format(printf, 2, 3)));
enum ru_status strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) RU_WARN_UNUSED
    __attribute__((format(printf, 2, 0)));

/* The content as a C string: "" for an empty buffer. Borrowed; valid until the next change. */
const char *strbuf_str(const struct strbuf *sb);

#endif
