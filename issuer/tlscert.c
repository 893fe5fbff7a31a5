/* issuer/tlscert.c - self-signed certificates with OpenSSL. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "issuer/tlscert.h"
#include "issuer/secret.h"
#include "common/banned.h"

static int add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return 0;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* Open PATH for writing as a new file with MODE exactly, whatever the umask. */
static FILE *create(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return NULL;
    FILE *f = fchmod(fd, mode) == 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        close(fd);
    return f;
}

enum ru_status tlscert_generate(const char *cert_path, const char *key_path)
{
    enum ru_status rc = RU_ERR_IO;
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    FILE *kf = NULL, *cf = NULL;
    unsigned char serial[16];

    if (access(cert_path, F_OK) == 0 || access(key_path, F_OK) == 0)
        return RU_ERR_INVALID;
    if (secret_random(serial, sizeof(serial)) != RU_OK)
        return RU_ERR_IO;
    serial[0] &= 0x7f; /* a positive serial number */
    if (!(pkey = EVP_EC_gen("P-256")) || !(cert = X509_new()))
        goto out;
    BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    X509_NAME *name = X509_get_subject_name(cert);
    ok =
        ok && X509_set_version(cert, 2) && X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
        X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600) && X509_set_pubkey(cert, pkey) &&
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Re-Up development", -1,
                                   -1, 0) &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0) &&
        X509_set_issuer_name(cert, name) && add_ext(cert, NID_basic_constraints, "critical,CA:TRUE") &&
        add_ext(cert, NID_key_usage, "critical,digitalSignature,keyCertSign") &&
        add_ext(cert, NID_ext_key_usage, "serverAuth") &&
        add_ext(cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") &&
        add_ext(cert, NID_subject_key_identifier, "hash") && X509_sign(cert, pkey, EVP_sha256()) > 0;
    if (!ok)
        goto out;
    if (!(kf = create(key_path, 0600)) || !PEM_write_PrivateKey(kf, pkey, NULL, NULL, 0, NULL, NULL) ||
        fclose(kf) != 0) {
        kf = NULL;
        unlink(key_path);
        goto out;
    }
    kf = NULL;
    if (!(cf = create(cert_path, 0644)) || !PEM_write_X509(cf, cert) || fclose(cf) != 0) {
        cf = NULL;
        unlink(cert_path);
        unlink(key_path);
        goto out;
    }
    cf = NULL;
    rc = RU_OK;
out:
    if (kf)
        fclose(kf);
    if (cf)
        fclose(cf);
    X509_free(cert);
    EVP_PKEY_free(pkey);
    return rc;
}
