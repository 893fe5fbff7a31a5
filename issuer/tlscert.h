/*
 * issuer/tlscert.h - a self-signed TLS certificate for development installations.
 * A real deployment points the configuration at its own certificate; `init` makes this
 * one so that the activation host runs over verified TLS from the first minute.
 */
#ifndef REUP_ISSUER_TLSCERT_H
#define REUP_ISSUER_TLSCERT_H
#include "common/status.h"

/* A P-256 key (PKCS#8 PEM, mode 0600, at KEY_PATH) and a self-signed certificate for
 * localhost, 127.0.0.1 and ::1, valid for ten years (PEM at CERT_PATH). Neither file may
 * exist yet (RU_ERR_INVALID). RU_ERR_IO when OpenSSL or the file system fails. */
enum ru_status tlscert_generate(const char *cert_path, const char *key_path) RU_WARN_UNUSED;

#endif
