/* locator/query.c - query classification. */
#include <ctype.h>
#include <string.h>
#include "locator/query.h"
#include "locator/fold.h"
#include "common/banned.h"

const char *query_kind_name(enum query_kind k)
{
    return k == QUERY_POSITION ? "position" : k == QUERY_POSTAL ? "postal" : "place";
}

/* Digits only (3 to 10 of them), or a US ZIP+4; an optional ", COUNTRY" may follow. */
static int looks_postal(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strspn(s, "0123456789");
    const char *rest = s + n;
    if (n == 5 && rest[0] == '-' && strspn(rest + 1, "0123456789") == 4)
        rest += 5;
    else if (n < 3 || n > 10)
        return 0;
    while (isspace((unsigned char)*rest))
        rest++;
    return *rest == '\0' || *rest == ',';
}

enum ru_status query_parse(const char *text, struct query *out, const char **why)
{
    size_t len = strlen(text);
    struct query q = {0};
    if (len > QUERY_MAX_BYTES) {
        *why = "the query is too long (at most 256 bytes); type a city, a postal code or a position";
        return RU_ERR_LIMIT;
    }
    if (!fold_is_utf8(text, len)) {
        *why = "the query is not valid UTF-8 text";
        return RU_ERR_INVALID;
    }
    if (!fold_is_clean_utf8(text, len)) {
        *why = "the query contains control characters";
        return RU_ERR_INVALID;
    }
    size_t i;
    for (i = 0; i < len && (isspace((unsigned char)text[i]) || text[i] == ','); i++)
        ;
    if (i == len) {
        *why = "the query is empty; type a city (\"Rock Springs, WY\"), a postal code or a position";
        return RU_ERR_INVALID;
    }
    if (geo_looks_like_point(text)) {
        enum ru_status rc = geo_point_parse(text, &q.position);
        if (rc != RU_OK) {
            *why = rc == RU_ERR_LIMIT
                       ? "the position is out of range: latitude must be -90 to 90 and longitude -180 to 180"
                       : "the position is not two plain decimal numbers (\"41.58,-109.2\"; no +, exponents, "
                         "hex, "
                         "nan or inf)";
            return rc;
        }
        q.kind = QUERY_POSITION;
    } else {
        q.kind = looks_postal(text) ? QUERY_POSTAL : QUERY_PLACE;
    }
    *out = q;
    return RU_OK;
}
