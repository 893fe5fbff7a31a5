/*
 * locator/ratelimit.h - how many API requests a client address may make: a token bucket
 * per address (RATE a second on average, bursts of 2 x RATE), in a bounded table.
 *
 * Keys. An IPv4 address is a key of its own. An IPv6 address counts by its /64 prefix:
 * one subscriber is usually given a whole /64, and could otherwise multiply its budget
 * by changing the low bits. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4
 * address. The key is kept in its bucket and compared whole, so two addresses never
 * share or reset each other's bucket.
 *
 * Table. RATELIMIT_SLOTS buckets with open addressing: a key lives in one of the
 * RATELIMIT_PROBE slots from its hash, keyed with a random number drawn at init, so
 * nobody can pick addresses that land on another client's slots. A new key takes an
 * empty slot of its window, else the slot of the stalest full bucket there: a full
 * bucket is what a new one would be, so dropping it costs its address nothing. A spent
 * (not yet refilled) bucket is never dropped. When every slot of the window holds a spent
 * bucket, the new key shares one overflow bucket with all other keys in that case.
 *
 * What many addresses buy. Each address gets RATE of its own, as the limit intends,
 * whatever the table holds: no address can reset another's bucket. Keeping the table full
 * takes thousands of addresses each asking at its limit all the time; then new
 * addresses are not refused outright but share the overflow bucket's RATE among them
 * (so the attacker's extra addresses gain nothing either), until buckets refill.
 *
 * Not thread-safe: the caller holds a lock around ratelimit_take.
 */
#ifndef REUP_LOCATOR_RATELIMIT_H
#define REUP_LOCATOR_RATELIMIT_H
#include <stdint.h>
#include <sys/socket.h>

#define RATELIMIT_SLOTS 4096
#define RATELIMIT_PROBE 16

struct ratelimit_key {
    unsigned char bytes[16]; /* an IPv6 /64 prefix (the rest zero), or ::ffff:IPv4 */
};

struct ratelimit_bucket {
    struct ratelimit_key key;
    double tokens, at_s; /* tokens left at at_s (seconds of a monotonic clock) */
    int used;
};

struct ratelimit {
    double rate, burst;
    uint64_t seed[2];
    struct ratelimit_bucket overflow;
    struct ratelimit_bucket slots[RATELIMIT_SLOTS];
};

/* Set RL up for RATE requests a second (more than 0), all buckets empty. Cannot fail. */
void ratelimit_init(struct ratelimit *rl, unsigned rate);

/* The key of the address SA (AF_INET or AF_INET6); every other address, and NULL,
 * share the all-zero key. Cannot fail. */
void ratelimit_key_of(const struct sockaddr *sa, struct ratelimit_key *out);

/* 1 when KEY may make a request at NOW_S (seconds, monotonic), which then spends a
 * token; 0 when its bucket is empty. Cannot fail. */
int ratelimit_take(struct ratelimit *rl, const struct ratelimit_key *key, double now_s);
#endif
