/* issuer/journalhead.c - the terminals' journal heads in the ledger. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "issuer/journalhead.h"
#include "common/banned.h"

enum ru_status journalhead_get(struct ledger *lg, const char *store, const char *terminal,
                               struct auth_head *out)
{
    return store_head_latest(ledger_store(lg), store, terminal, out);
}

enum ru_status journalhead_record(struct ledger *lg, const char *store, const char *terminal,
                                  const struct auth_head *h)
{
    struct auth_head last;
    enum ru_status rc = journalhead_get(lg, store, terminal, &last);
    const char *kind = "head";
    if (rc == RU_OK && h->seq <= last.seq) {
        /* the same head again (a request sent before the last one answered) changes nothing */
        int seen = 0;
        if ((rc = store_head_seen(ledger_store(lg), store, terminal, h, &seen)) != RU_OK || seen)
            return rc;
        kind = "anomaly";
    } else if (rc != RU_OK && rc != RU_ERR_NOT_FOUND)
        return rc;
    rc = store_head_insert(ledger_store(lg), store, terminal, h, kind);
    if (rc == RU_OK && !strcmp(kind, "anomaly")) {
        char actor[AUTH_TERMINAL_MAX + 16], detail[160];
        snprintf(actor, sizeof(actor), "terminal:%s", terminal);
        snprintf(detail, sizeof(detail), "sent %lld:%.64s after %lld:%.64s", h->seq, h->hash, last.seq,
                 last.hash);
        rc = ledger_audit(lg, actor, "journal head", NULL, NULL, "anomaly", detail);
    }
    return rc;
}

/* The heads (ANOMALIES: the distinct anomalies) of TERMINAL of STORE with seq in
 * (AFTER, UPTO], by seq then hash, at most MAX of them, into HEADS. */
static enum ru_status list_kind(struct ledger *lg, const char *store, const char *terminal, int anomalies,
                                long long after, long long upto, struct auth_head *heads, size_t max,
                                size_t *n)
{
    return store_head_list(ledger_store(lg), store, terminal, anomalies, after, upto, heads, max, n);
}

enum ru_status journalhead_list(struct ledger *lg, const char *store, const char *terminal, long long after,
                                long limit, struct journal_heads *out)
{
    struct journal_heads p = {NULL, 0, NULL, 0, 0};
    size_t want = limit < 1 ? 1 : limit > API_HEADS_MAX ? API_HEADS_MAX : (size_t)limit;
    enum ru_status rc = RU_ERR_NOMEM;
    /* one more anomaly than a page holds, to know where the page must end */
    if (!(p.heads = calloc(want, sizeof(*p.heads))) ||
        !(p.anomalies = calloc(API_HEADS_MAX + 1, sizeof(*p.anomalies))))
        goto out;
    if ((rc = list_kind(lg, store, terminal, 0, after, LLONG_MAX, p.heads, want, &p.n)) != RU_OK)
        goto out;
    /* a full page ends at its last head; the next one starts after it */
    long long upto = p.n == want ? p.heads[p.n - 1].seq : LLONG_MAX;
    if ((rc = list_kind(lg, store, terminal, 1, after, upto, p.anomalies, API_HEADS_MAX + 1,
                        &p.n_anomalies)) != RU_OK)
        goto out;
    p.next = p.n == want ? upto : 0;
    if (p.n_anomalies > API_HEADS_MAX) {
        /* end before the number of the first anomaly left out; when every one shares the
         * first number, end at it: the chain holds at most one of its hashes, so those
         * listed already tell */
        long long cut = p.anomalies[API_HEADS_MAX].seq;
        p.next = cut - 1 > after ? cut - 1 : cut;
        while (p.n && p.heads[p.n - 1].seq > p.next)
            p.n--;
        p.n_anomalies = API_HEADS_MAX;
        while (p.n_anomalies && p.anomalies[p.n_anomalies - 1].seq > p.next)
            p.n_anomalies--;
    }
out:
    if (rc == RU_OK)
        *out = p;
    else
        journal_heads_release(&p);
    return rc;
}
