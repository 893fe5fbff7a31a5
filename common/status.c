/* common/status.c - names for statuses, for messages. */
#include "common/status.h"

const char *ru_status_str(enum ru_status s)
{
    switch (s) {
    case RU_OK: return "ok";
    case RU_ERR_INVALID: return "invalid input";
    case RU_ERR_NOT_FOUND: return "not found";
    case RU_ERR_NOMEM: return "out of memory";
    case RU_ERR_IO: return "input/output error";
    case RU_ERR_DB: return "database error";
    case RU_ERR_SCHEMA: return "database schema is newer than this program";
    case RU_ERR_LIMIT: return "limit exceeded";
    case RU_ERR_EXISTS: return "already exists";
    case RU_ERR_NETWORK: return "no answer from the network";
    case RU_ERR_DECLINED: return "declined";
    case RU_ERR_RETRY: return "conflict with a concurrent transaction";
    }
    return "unknown status";
}
