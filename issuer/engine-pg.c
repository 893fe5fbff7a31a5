/* issuer/engine-pg.c - TEMPORARY: the PostgreSQL engine is written in parallel and replaces
 * this file at the merge. Until then a PostgreSQL ledger cannot be opened. */
#include <stdlib.h>
#include "issuer/engine.h"
#include "common/banned.h"

struct engine {
    const char *err;
};

static enum ru_status pg_open(const char *target, int create, struct engine **out)
{
    (void)target, (void)create;
    struct engine *e = calloc(1, sizeof(*e));
    if (!e)
        return RU_ERR_NOMEM;
    e->err = "PostgreSQL support is not built yet";
    *out = e;
    return RU_ERR_DB;
}

static void pg_close(struct engine *e)
{
    free(e);
}

static const char *pg_errmsg(const struct engine *e)
{
    return e->err;
}

static int pg_schema_latest(void)
{
    return 0;
}

const struct engine_ops engine_pg = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .schema_latest = pg_schema_latest,
};
