/*
 * issuer/secret.h - random secrets and the files that hold them.
 * Secret files are created with mode 0600 and refused when anyone else may read them.
 */
#ifndef REUP_ISSUER_SECRET_H
#define REUP_ISSUER_SECRET_H
#include <stddef.h>
#include "common/status.h"

#define SECRET_BYTES 32

/* N bytes from the OS CSPRNG. RU_ERR_IO when it fails. */
enum ru_status secret_random(unsigned char *buf, size_t n) RU_WARN_UNUSED;

/* Make jansson zero every block it frees: its strings and buffers hold the PINs of
 * redemption requests and of on-demand cards' answers, and terminal secrets. Installs
 * malloc and wipe_free (common/wipe.h) as its allocators once per process; later calls do
 * nothing. Blocks jansson allocated before are freed correctly too, so it may come late,
 * but before a second thread uses jansson. ledger_open(), issuer_client_new() and
 * issuer_credentials_load() call it. Cannot fail. */
void secret_json_wiping(void);

/* Lowercase hex of N bytes into OUT (room for 2n + 1). Cannot fail. */
void secret_hex(const unsigned char *buf, size_t n, char *out);

/* Write N bytes to a new file PATH with mode 0600 (fails if it exists: RU_ERR_INVALID). */
enum ru_status secret_file_create(const char *path, const unsigned char *buf, size_t n) RU_WARN_UNUSED;

/* Read exactly N bytes from PATH. RU_ERR_NOT_FOUND, RU_ERR_IO, RU_ERR_INVALID (wrong size,
 * or readable by group or others). */
enum ru_status secret_file_read(const char *path, unsigned char *buf, size_t n) RU_WARN_UNUSED;

#endif
