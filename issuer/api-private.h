/*
 * issuer/api-private.h - what api.c (requests) and answer.c (answers) share.
 */
#ifndef REUP_ISSUER_API_PRIVATE_H
#define REUP_ISSUER_API_PRIVATE_H
#include <jansson.h>
#include "common/status.h"

/* Compact JSON of O (its reference taken; NULL: RU_ERR_NOMEM) into *JSON, owned: the
 * bytes the API has always sent. RU_ERR_NOMEM. */
enum ru_status api_dump(json_t *o, char **json) RU_WARN_UNUSED;

#endif
