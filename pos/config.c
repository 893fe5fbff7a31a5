/*
 * pos/config.c - the terminal's INI file, parsed with inih.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pos/config.h"
#include "common/inifile.h"
#include "common/privatefile.h"
#include "common/textfile.h"
#include "common/banned.h"

struct parse {
    struct pos_config *c;
    const char *base_dir;
    int read_files; /* read the card template it names */
    char *why;      /* INIFILE_WHY_MAX bytes */
};

static int set_text(struct parse *p, char *dst, size_t cap, const char *v, const char *name)
{
    return inifile_text(dst, cap, v, 0, name, p->why);
}

static int set_path(struct parse *p, char *dst, size_t cap, const char *v, const char *name)
{
    char full[POS_CONFIG_PATH_MAX * 2];
    if (v[0] && v[0] != '/' && p->base_dir)
        snprintf(full, sizeof(full), "%s/%s", p->base_dir, v);
    else
        snprintf(full, sizeof(full), "%s", v);
    return set_text(p, dst, cap, full, name);
}

static int set_id(struct parse *p, char *dst, size_t cap, const char *v, const char *name)
{
    size_t n = strlen(v);
    int ok = n >= 1 && n < cap;
    for (const char *c = v; ok && *c; c++)
        ok = (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '-' ||
             *c == '_' || *c == '.';
    if (!ok)
        snprintf(p->why, INIFILE_WHY_MAX, "%s must be 1 to %zu letters, digits, -, _ or .", name, cap - 1);
    else
        memcpy(dst, v, n + 1);
    return ok;
}

static int set_number(struct parse *p, long *dst, const char *v, long min, long max, const char *name)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max) {
        snprintf(p->why, INIFILE_WHY_MAX, "%s must be a whole number from %ld to %ld", name, min, max);
        return 0;
    }
    *dst = n;
    return 1;
}

/* The card template: read here, so that a bad one is refused with this line. */
static int set_card_template(struct parse *p, const char *v, const char *name)
{
    struct pos_config *c = p->c;
    char err[INIFILE_WHY_MAX];
    if (!v[0]) {
        snprintf(p->why, INIFILE_WHY_MAX, "%s names no file: leave it out for the built-in template", name);
        return 0;
    }
    if (!set_path(p, c->card_template_path, sizeof(c->card_template_path), v, name))
        return 0;
    if (!p->read_files)
        return 1;
    /* it decides the address every PIN is printed into */
    enum ru_status rc = privatefile_check(c->card_template_path, PRIVATEFILE_WRITE_ONLY, err, sizeof(err));
    if (rc == RU_OK)
        rc = template_load(c->card_template_path, &c->card_template, err, sizeof(err));
    if (rc != RU_OK)
        snprintf(p->why, INIFILE_WHY_MAX, "%.30s: %.200s", name, err);
    return rc == RU_OK;
}

static int on_value(void *user, const char *section, const char *name, const char *v, char *why)
{
    struct parse *p = user;
    p->why = why;
    struct pos_config *c = p->c;
    char key[80];
    snprintf(key, sizeof(key), "%s.%s", section, name);
    if (!strcmp(key, "store.id"))
        return set_id(p, c->store_id, sizeof(c->store_id), v, key);
    if (!strcmp(key, "store.terminal"))
        return set_id(p, c->terminal, sizeof(c->terminal), v, key);
    if (!strcmp(key, "store.currency")) {
        if (strlen(v) != 3 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3) {
            snprintf(p->why, INIFILE_WHY_MAX, "store.currency must be an ISO 4217 code such as USD");
            return 0;
        }
        memcpy(c->currency, v, 4);
        return 1;
    }
    if (!strcmp(key, "store.language")) {
        if (strcmp(v, "en") && strcmp(v, "da") && strcmp(v, "es")) {
            snprintf(p->why, INIFILE_WHY_MAX, "store.language must be en, da or es");
            return 0;
        }
        memcpy(c->language, v, 3);
        return 1;
    }
    if (!strcmp(key, "store.name"))
        return set_text(p, c->store_name, sizeof(c->store_name), v, key);
    if (!strcmp(key, "store.address"))
        return set_text(p, c->store_address, sizeof(c->store_address), v, key);
    if (!strcmp(key, "issuer.url")) {
        if (strncmp(v, "https://", 8) != 0) {
            snprintf(p->why, INIFILE_WHY_MAX, "issuer.url must start with https://");
            return 0;
        }
        return set_text(p, c->issuer_url, sizeof(c->issuer_url), v, key);
    }
    if (!strcmp(key, "issuer.ca"))
        return set_path(p, c->issuer_ca, sizeof(c->issuer_ca), v, key);
    if (!strcmp(key, "issuer.credentials"))
        return set_path(p, c->credentials, sizeof(c->credentials), v, key);
    if (!strcmp(key, "issuer.connect_timeout_ms"))
        return set_number(p, &c->connect_timeout_ms, v, 100, 60000, key);
    if (!strcmp(key, "issuer.timeout_ms"))
        return set_number(p, &c->timeout_ms, v, 100, 120000, key);
    if (!strcmp(key, "journal.path"))
        return set_path(p, c->journal, sizeof(c->journal), v, key);
    if (!strcmp(key, "printers.receipt"))
        return set_text(p, c->receipt_printer, sizeof(c->receipt_printer), v, key);
    if (!strcmp(key, "printers.card"))
        return set_text(p, c->card_printer, sizeof(c->card_printer), v, key);
    if (!strcmp(key, "printers.server"))
        return set_text(p, c->cups_server, sizeof(c->cups_server), v, key);
    if (!strcmp(key, "printers.card_template"))
        return set_card_template(p, v, key);
    if (!strcmp(key, "sales.void_window_s"))
        return set_number(p, &c->void_window_s, v, 60, 86400, key);
    snprintf(p->why, INIFILE_WHY_MAX, "unknown key '%.30s' in [%.30s]", name, section);
    return 0;
}

static enum ru_status parse(const char *text, const char *base_dir, int read_files, struct pos_config *out,
                            char *err, size_t errlen)
{
    struct pos_config c = {.connect_timeout_ms = 3000, .timeout_ms = 10000, .void_window_s = 900};
    memcpy(c.currency, "USD", 4);
    memcpy(c.language, "en", 3);
    template_default(&c.card_template);
    struct parse p = {.c = &c, .base_dir = base_dir, .read_files = read_files};
    if (inifile_parse(text, on_value, &p, err, errlen) != RU_OK)
        return RU_ERR_INVALID;
    static const struct {
        size_t offset;
        const char *name;
    } required[] = {{offsetof(struct pos_config, store_id), "[store] id"},
                    {offsetof(struct pos_config, terminal), "[store] terminal"},
                    {offsetof(struct pos_config, issuer_url), "[issuer] url"},
                    {offsetof(struct pos_config, credentials), "[issuer] credentials"},
                    {offsetof(struct pos_config, journal), "[journal] path"}};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!((const char *)&c)[required[i].offset]) {
            snprintf(err, errlen, "%s is missing", required[i].name);
            return RU_ERR_INVALID;
        }
    /* A card sold here is redeemed at the issuer this till sells for, unless the template
     * says where: the built-in address is only an example. */
    if (!c.card_template.redeem_url_given) {
        size_t n = strlen(c.issuer_url);
        while (n && c.issuer_url[n - 1] == '/')
            n--;
        if (n + sizeof("/redeem?pin={pin}") <= sizeof(c.card_template.redeem_url) - 16)
            snprintf(c.card_template.redeem_url, sizeof(c.card_template.redeem_url), "%.*s/redeem?pin={pin}",
                     (int)n, c.issuer_url);
    }
    *out = c;
    return RU_OK;
}

enum ru_status pos_config_parse(const char *text, const char *base_dir, struct pos_config *out, char *err,
                                size_t errlen)
{
    return parse(text, base_dir, 0, out, err, errlen);
}

enum ru_status pos_config_load(const char *path, struct pos_config *out, char *err, size_t errlen)
{
    char *text = NULL, dir[POS_CONFIG_PATH_MAX], why[300];
    /* it says where the journal and the credentials are and whom to trust */
    enum ru_status rc = privatefile_check(path, PRIVATEFILE_WRITE_ONLY | PRIVATEFILE_MISSING_OK, err, errlen);
    if (rc != RU_OK)
        return rc;
    rc = textfile_read_all(path, 64 * 1024, &text);
    if (rc != RU_OK) {
        if (rc == RU_ERR_NOT_FOUND || rc == RU_ERR_IO)
            snprintf(err, errlen, "cannot read the configuration '%s': %s", path, strerror(errno));
        else
            snprintf(err, errlen, "the configuration '%s' is not a text file of at most 64 kB", path);
        return rc == RU_ERR_LIMIT ? RU_ERR_INVALID : rc;
    }
    textfile_dirname(path, dir, sizeof(dir));
    rc = parse(text, dir, 1, out, why, sizeof(why));
    if (rc != RU_OK)
        snprintf(err, errlen, "%s: %s", path, why);
    free(text);
    return rc;
}

void pos_config_path(const char *explicit_path, char *out, size_t outlen)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (explicit_path)
        snprintf(out, outlen, "%s", explicit_path);
    else if (access("/etc/reup/pos.conf", F_OK) == 0)
        snprintf(out, outlen, "/etc/reup/pos.conf");
    else if (xdg && *xdg)
        snprintf(out, outlen, "%s/reup/pos.conf", xdg);
    else
        snprintf(out, outlen, "%s/.config/reup/pos.conf", home && *home ? home : ".");
}
