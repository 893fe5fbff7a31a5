/*
 * pos/config.h - the terminal's configuration: an INI file (docs/pos.md).
 *
 *     [store]    id, terminal, currency, language, name, address
 *     [issuer]   url, ca, credentials, connect_timeout_ms, timeout_ms
 *     [journal]  path
 *     [printers] receipt, card (CUPS queue names; empty: do not print), server,
 *                card_template (the card template of on-demand cards)
 *     [sales]    void_window_s, training
 */
#ifndef REUP_POS_CONFIG_H
#define REUP_POS_CONFIG_H
#include <stddef.h>
#include "common/status.h"
#include "printing/template.h"

#define POS_CONFIG_TEXT_MAX 256
#define POS_CONFIG_PATH_MAX 1024

struct pos_config {
    char store_id[65], terminal[65], currency[4], language[3];
    char store_name[POS_CONFIG_TEXT_MAX], store_address[POS_CONFIG_TEXT_MAX];
    char issuer_url[POS_CONFIG_TEXT_MAX];
    char issuer_ca[POS_CONFIG_PATH_MAX], credentials[POS_CONFIG_PATH_MAX];
    long connect_timeout_ms, timeout_ms;
    char journal[POS_CONFIG_PATH_MAX];
    char receipt_printer[POS_CONFIG_TEXT_MAX], card_printer[POS_CONFIG_TEXT_MAX];
    char cups_server[POS_CONFIG_TEXT_MAX];        /* "" : $CUPS_SERVER or the system's */
    char card_template_path[POS_CONFIG_PATH_MAX]; /* "": the built-in template */
    struct card_template card_template;           /* what on-demand cards are drawn from */
    long void_window_s;
};

/* Parse TEXT (NUL-terminated). Relative paths are resolved against BASE_DIR (NULL: as
 * is). No file is read: card_template is the built-in template even when
 * card_template_path names one (pos_config_load reads it). RU_ERR_INVALID with ERR naming
 * the line and what is wrong, or the key missing. */
enum ru_status pos_config_parse(const char *text, const char *base_dir, struct pos_config *out, char *err,
                                size_t errlen) RU_WARN_UNUSED;

/* Read PATH (at most 64 kB) and parse it, and read the card template it names.
 * RU_ERR_NOT_FOUND, RU_ERR_IO, RU_ERR_INVALID (also when group or others may write the
 * file or the template: ERR names its mode and the chmod; a template that cannot be read
 * or is invalid: ERR names the line of [printers] card_template and what is wrong). */
enum ru_status pos_config_load(const char *path, struct pos_config *out, char *err,
                               size_t errlen) RU_WARN_UNUSED;

/* The configuration file to use: EXPLICIT when given, else /etc/reup/pos.conf when it
 * exists, else $XDG_CONFIG_HOME/reup/pos.conf (~/.config/reup/pos.conf). Cannot fail. */
void pos_config_path(const char *explicit_path, char *out, size_t outlen);
#endif
