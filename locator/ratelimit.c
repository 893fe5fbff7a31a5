/*
 * locator/ratelimit.c - token buckets per client address in a bounded table with open
 * addressing (ratelimit.h says what an attacker with many addresses can and cannot do).
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "locator/ratelimit.h"
#include "common/banned.h"

void ratelimit_init(struct ratelimit *rl, unsigned rate)
{
    memset(rl, 0, sizeof(*rl));
    rl->rate = rate;
    rl->burst = 2.0 * rate;
    /* without the kernel's randomness the clock still keeps slots hard to aim at */
    if (getrandom(rl->seed, sizeof(rl->seed), GRND_NONBLOCK) != (ssize_t)sizeof(rl->seed)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        rl->seed[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t)ts.tv_sec;
        rl->seed[1] = (uint64_t)(uintptr_t)rl ^ rl->seed[0] << 7;
    }
}

void ratelimit_key_of(const struct sockaddr *sa, struct ratelimit_key *out)
{
    memset(out, 0, sizeof(*out));
    const unsigned char *v4 = NULL;
    if (sa && sa->sa_family == AF_INET) {
        v4 = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a))
            v4 = a->s6_addr + 12;
        else
            memcpy(out->bytes, a->s6_addr, 8);
    }
    if (v4) {
        out->bytes[10] = out->bytes[11] = 0xff;
        memcpy(out->bytes + 12, v4, 4);
    }
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53u;
    return x ^ x >> 33;
}

static size_t slot_of(const struct ratelimit *rl, const struct ratelimit_key *key)
{
    uint64_t w[2];
    memcpy(w, key->bytes, sizeof(w));
    return (size_t)(mix(mix(w[0] ^ rl->seed[0]) ^ w[1] ^ rl->seed[1]) % RATELIMIT_SLOTS);
}

/* B's tokens at NOW_S, refilled since it was last used. */
static double tokens_at(const struct ratelimit *rl, const struct ratelimit_bucket *b, double now_s)
{
    /* threads read the clock before they queue for the lock: time may seem to step back */
    double t = b->tokens + (now_s > b->at_s ? now_s - b->at_s : 0) * rl->rate;
    return t > rl->burst ? rl->burst : t;
}

int ratelimit_take(struct ratelimit *rl, const struct ratelimit_key *key, double now_s)
{
    size_t h = slot_of(rl, key);
    struct ratelimit_bucket *b = NULL, *victim = NULL;
    for (size_t i = 0; i < RATELIMIT_PROBE && !b; i++) {
        struct ratelimit_bucket *s = &rl->slots[(h + i) % RATELIMIT_SLOTS];
        if (s->used && !memcmp(&s->key, key, sizeof(*key)))
            b = s;
        else if (!s->used)
            victim = victim && !victim->used ? victim : s; /* an empty slot beats any */
        else if (tokens_at(rl, s, now_s) >= rl->burst &&
                 (!victim || (victim->used && s->at_s < victim->at_s)))
            victim = s;
    }
    if (!b && victim)
        *(b = victim) = (struct ratelimit_bucket){.key = *key, .tokens = rl->burst, .at_s = now_s, .used = 1};
    if (!b) {
        b = &rl->overflow;
        if (!b->used)
            *b = (struct ratelimit_bucket){.tokens = rl->burst, .at_s = now_s, .used = 1};
    }
    b->tokens = tokens_at(rl, b, now_s);
    b->at_s = now_s > b->at_s ? now_s : b->at_s;
    if (b->tokens < 1.0)
        return 0;
    b->tokens -= 1.0;
    return 1;
}
