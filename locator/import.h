/*
 * locator/import.h - loading gazetteer files and store lists into the locator database.
 *
 * An import is one transaction: every file given to one importer lands, or none does
 * (a crash or kill leaves the database as it was). Rows are keyed by their ids, so
 * importing a file again updates rows in place and never duplicates them. After the
 * files, the spatial indexes and the suggestion index are rebuilt in the same transaction.
 *
 * Bad rows are reported through a callback with file, line and reason. By default any bad
 * row fails the import (the rest of the files is still read so that every bad row is
 * reported at once); with IMPORT_SKIP_BAD they are left out and the rest is imported.
 */
#ifndef REUP_LOCATOR_IMPORT_H
#define REUP_LOCATOR_IMPORT_H
#include "common/status.h"
#include "db/db.h"

struct importer;

enum import_flags {
    IMPORT_SKIP_BAD = 1 << 0,     /* leave bad rows out instead of failing */
    IMPORT_ALL_FEATURES = 1 << 1, /* gazetteer: keep every feature class, not just places (P) */
};

enum import_kind {
    IMPORT_PLACES,    /* cities500.txt, allCountries.txt, XX.txt of the main dump */
    IMPORT_ADMIN1,    /* admin1CodesASCII.txt */
    IMPORT_COUNTRIES, /* countryInfo.txt */
    IMPORT_POSTAL,    /* postal-code dump: US.txt, allCountries.txt of the postal dump */
    IMPORT_STORES,    /* CSV store list */
};

struct import_stats {
    unsigned long places, names, admin1, countries, postal;
    unsigned long stores_added, stores_updated;
    unsigned long bad_rows;     /* reported through the callback */
    unsigned long skipped_rows; /* well-formed rows left out on purpose (feature class) */
};

/* Reports one bad row. Borrowed strings. */
typedef void (*import_bad_fn)(void *ctx, const char *file, unsigned long line, const char *why);

/* Starts the transaction. The database must have the locator schema (locator_migrations). */
enum ru_status importer_new(struct db *db, enum import_flags flags, import_bad_fn on_bad, void *ctx,
                            struct importer **out) RU_WARN_UNUSED;

/* Read one file ("-" for standard input). RU_ERR_NOT_FOUND / RU_ERR_IO for the file,
 * RU_ERR_INVALID for a fatal format problem (importer_errmsg() says what), RU_ERR_DB.
 * Bad rows alone do not fail this call: they fail importer_commit() unless skipped. */
enum ru_status importer_file(struct importer *imp, enum import_kind kind, const char *path) RU_WARN_UNUSED;

/* Rebuild the indexes and commit. RU_ERR_INVALID (nothing written) when there were bad
 * rows without IMPORT_SKIP_BAD. */
enum ru_status importer_commit(struct importer *imp) RU_WARN_UNUSED;

/* Counts so far. Borrowed. */
const struct import_stats *importer_stats(const struct importer *imp);

/* Message of the last failure. Borrowed; never NULL. */
const char *importer_errmsg(const struct importer *imp);

/* Rolls back anything not committed, then frees. NULL does nothing. */
void importer_free(struct importer *imp);

#endif
