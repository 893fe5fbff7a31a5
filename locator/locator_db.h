/*
 * locator/locator_db.h - the locator database's schema and spatial-index storage.
 */
#ifndef REUP_LOCATOR_LOCATOR_DB_H
#define REUP_LOCATOR_LOCATOR_DB_H
#include "common/status.h"
#include "db/db.h"
#include "locator/geoindex.h"

/* The migrations of the locator database, for db_open(). */
extern const char *const locator_migrations[];
/* The schema version that brought the place labels (0003-labels.sql), the newest. */
#define LOCATOR_SCHEMA_LABELS 3

enum locator_point_set {
    LOCATOR_SET_STORES = 1,
    LOCATOR_SET_PLACES = 2,
};

/* Points per leaf of the stored indexes. */
#define LOCATOR_LEAF_SIZE 16

/* Rebuild the stored index of SET from its table, inside the caller's transaction. */
enum ru_status locator_db_build_index(struct db *db, enum locator_point_set set) RU_WARN_UNUSED;

struct locator_index;

/* Open the stored index of SET. With PRELOAD every leaf is read into memory (for a server
 * or many queries); without, leaves are read as a search needs them. RU_ERR_NOT_FOUND when
 * the database has no such index (an empty or never-imported database). The index keeps
 * using DB, which must outlive it. */
enum ru_status locator_index_open(struct db *db, enum locator_point_set set, int preload,
                                  struct locator_index **out) RU_WARN_UNUSED;
const struct geoindex *locator_index_tree(const struct locator_index *li);
void locator_index_free(struct locator_index *li);

#endif
