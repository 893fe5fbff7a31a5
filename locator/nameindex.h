/*
 * locator/nameindex.h - the distinct folded place names in memory with their trigrams,
 * for "did you mean" suggestions at server speed. The database's FTS5 trigram index
 * ranks candidates with bm25, which costs milliseconds for a name made of common
 * trigrams; counting shared trigrams over in-memory postings costs microseconds. Built
 * once (a server's start), then only read: threads may share it, each with its own
 * scratch.
 */
#ifndef REUP_LOCATOR_NAMEINDEX_H
#define REUP_LOCATOR_NAMEINDEX_H
#include <stddef.h>
#include <stdint.h>
#include "common/status.h"
#include "db/db.h"

struct name_index;

/* Per-thread working memory of a search; zeroed before first use. */
struct name_index_scratch {
    uint16_t *count;   /* shared trigrams per name */
    uint32_t *touched; /* names with a count, to clear them after */
    size_t size;
};

/* Read the names of DB's name_trigram table. RU_ERR_DB, RU_ERR_NOMEM. */
enum ru_status name_index_build(struct db *db, struct name_index **out) RU_WARN_UNUSED;
void name_index_free(struct name_index *ix);
size_t name_index_size(const struct name_index *ix);
void name_index_scratch_release(struct name_index_scratch *s);

/* Up to MAX names that share at least one trigram with FOLDED, those sharing the most
 * first (ties: the name closest in length, then the index's order), as pointers into
 * IX. Returns how many; 0 as well when the scratch cannot be allocated. */
size_t name_index_candidates(const struct name_index *ix, struct name_index_scratch *s, const char *folded,
                             const char **out, size_t max);
#endif
