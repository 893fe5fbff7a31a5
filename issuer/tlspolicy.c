/* issuer/tlspolicy.c - checking a GnuTLS priority string before the server uses it. */
#include <stdio.h>
#include <gnutls/gnutls.h>
#include "issuer/tlspolicy.h"
#include "common/banned.h"

enum ru_status tlspolicy_check(const char *priority, char *err, size_t errlen)
{
    gnutls_priority_t cache;
    const char *where = NULL;
    int r = gnutls_priority_init2(&cache, priority, &where, 0);
    if (r != GNUTLS_E_SUCCESS) {
        /* libmicrohttpd would only fail to start: say which part GnuTLS did not take */
        snprintf(err, errlen,
                 "--tls-priority '%.300s' is not a GnuTLS priority string GnuTLS accepts (%s%s%.80s)",
                 priority, gnutls_strerror(r), where ? " at: " : "", where ? where : "");
        return RU_ERR_INVALID;
    }
    const unsigned *protocols = NULL;
    unsigned suite;
    int nprotocols = gnutls_priority_protocol_list(cache, &protocols);
    int suites = 0;
    for (unsigned i = 0; !suites; i++) {
        r = gnutls_priority_get_cipher_suite_index(cache, i, &suite);
        if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        suites = r == 0;
    }
    gnutls_priority_deinit(cache);
    if (nprotocols <= 0 || !suites) {
        snprintf(err, errlen,
                 "--tls-priority '%.300s' leaves no TLS version or no cipher suite: no client could connect",
                 priority);
        return RU_ERR_INVALID;
    }
    return RU_OK;
}
