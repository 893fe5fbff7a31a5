/* issuer/termcache.c - terminals' secrets and stores, kept for a while once read. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "issuer/termcache.h"
#include "common/wipe.h"
#include "common/banned.h"

struct slot {
    char terminal[AUTH_TERMINAL_MAX + 1]; /* "": empty */
    char store[65];
    unsigned char secret[SECRET_BYTES];
    double at; /* when it was read (CLOCK_MONOTONIC seconds) */
};

struct termcache {
    pthread_mutex_t lock;
    double ttl_s;
    unsigned long gen; /* forgets and changes of trust so far */
    int trusted;
    struct slot slots[TERMCACHE_SLOTS];
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* FNV-1a of the id. */
static struct slot *slot_of(struct termcache *c, const char *terminal)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)terminal; *p; p++)
        h = (h ^ *p) * 16777619u;
    return &c->slots[h % TERMCACHE_SLOTS];
}

enum ru_status termcache_new(long ttl_s, struct termcache **out)
{
    struct termcache *c = calloc(1, sizeof(*c));
    *out = c;
    if (!c)
        return RU_ERR_NOMEM;
    pthread_mutex_init(&c->lock, NULL);
    c->ttl_s = (double)ttl_s;
    c->trusted = 1;
    return RU_OK;
}

int termcache_get(struct termcache *c, const char *terminal, unsigned char secret[SECRET_BYTES],
                  char store[65])
{
    if (!*terminal || strlen(terminal) > AUTH_TERMINAL_MAX)
        return 0;
    pthread_mutex_lock(&c->lock);
    struct slot *s = slot_of(c, terminal);
    int hit = c->trusted && !strcmp(s->terminal, terminal) && now_s() - s->at < c->ttl_s;
    if (hit) {
        memcpy(secret, s->secret, SECRET_BYTES);
        memcpy(store, s->store, sizeof(s->store));
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void termcache_put(struct termcache *c, unsigned long gen, const char *terminal,
                   const unsigned char secret[SECRET_BYTES], const char *store)
{
    size_t len = strlen(terminal), slen = strlen(store);
    if (!len || len > AUTH_TERMINAL_MAX || slen > 64)
        return;
    pthread_mutex_lock(&c->lock);
    if (!c->trusted || gen != c->gen) {
        /* read before a rotation was heard: it may be the old secret */
        pthread_mutex_unlock(&c->lock);
        return;
    }
    struct slot *s = slot_of(c, terminal);
    memcpy(s->terminal, terminal, len + 1);
    memcpy(s->store, store, slen + 1);
    memcpy(s->secret, secret, SECRET_BYTES);
    s->at = now_s();
    pthread_mutex_unlock(&c->lock);
}

unsigned long termcache_generation(struct termcache *c)
{
    pthread_mutex_lock(&c->lock);
    unsigned long gen = c->gen;
    pthread_mutex_unlock(&c->lock);
    return gen;
}

void termcache_forget(struct termcache *c, const char *terminal)
{
    pthread_mutex_lock(&c->lock);
    struct slot *s = slot_of(c, terminal);
    if (!strcmp(s->terminal, terminal))
        wipe(s, sizeof(*s));
    c->gen++;
    pthread_mutex_unlock(&c->lock);
}

void termcache_trust(struct termcache *c, int on)
{
    pthread_mutex_lock(&c->lock);
    if (!on)
        wipe(c->slots, sizeof(c->slots));
    c->trusted = on;
    c->gen++;
    pthread_mutex_unlock(&c->lock);
}

void termcache_free(struct termcache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    wipe(c, sizeof(*c));
    free(c);
}
