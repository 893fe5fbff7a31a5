/*
 * issuer/journalhead.h - the journal heads terminals send (ReUp-Journal-Head, docs/api.md),
 * kept in the ledger's append-only journal_head table (issuer/schema/sqlite/0003-journal-head.sql
 * and its PostgreSQL twin).
 *
 * The latest head of a terminal is the one with the highest sequence number it ever sent.
 * A head that goes back (a lower sequence number than recorded) or names another hash at a
 * sequence number already recorded is what a journal rolled back or rebuilt sends: it is
 * kept as an anomaly, with a line in the audit log, and the latest head stays. A sale is
 * never refused for it: the terminal's `verify` is where it is caught.
 */
#ifndef REUP_ISSUER_JOURNALHEAD_H
#define REUP_ISSUER_JOURNALHEAD_H
#include "common/status.h"
#include "issuer/api.h"
#include "issuer/auth.h"
#include "issuer/ledger.h"

/* Record head H of terminal TERMINAL of STORE, inside the caller's transaction. RU_ERR_DB. */
enum ru_status journalhead_record(struct ledger *lg, const char *store, const char *terminal,
                                  const struct auth_head *h) RU_WARN_UNUSED;

/* The latest head of TERMINAL of STORE into *out; RU_ERR_NOT_FOUND when it never sent one,
 * RU_ERR_DB. */
enum ru_status journalhead_get(struct ledger *lg, const char *store, const char *terminal,
                               struct auth_head *out) RU_WARN_UNUSED;
/* One page of what TERMINAL of STORE sent (GET /v1/terminals/me/journal-heads): at most
 * LIMIT heads above sequence number AFTER, and the distinct anomalies in the same range,
 * into *out (owned: journal_heads_release()). Each list is read along the table's index,
 * so a page costs the same at any number of heads. When more than API_HEADS_MAX
 * anomalies fall in the range the page ends before the number of the first left out; if
 * they all share one number, the page ends at it with API_HEADS_MAX of its hashes, of
 * which the terminal's chain can hold at most one. RU_ERR_DB, RU_ERR_NOMEM. */
enum ru_status journalhead_list(struct ledger *lg, const char *store, const char *terminal, long long after,
                                long limit, struct journal_heads *out) RU_WARN_UNUSED;
#endif
