/*
 * printing/template.c - the card template file, parsed with inih.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "printing/template.h"
#include "printing/cardtext.h"
#include "common/inifile.h"
#include "common/textfile.h"
#include "common/banned.h"

void template_default(struct card_template *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->brand, sizeof(t->brand), "Re-Up");
    snprintf(t->redeem_url, sizeof(t->redeem_url), "https://my.example.com/redeem?pin={pin}");
    snprintf(t->support_url, sizeof(t->support_url), "https://my.example.com/help");
    snprintf(t->locator_url, sizeof(t->locator_url), "https://my.example.com/stores");
    snprintf(t->language, sizeof(t->language), "en");
    t->brand_colour = (struct template_rgb){0.05, 0.33, 0.62};
    t->text_colour = (struct template_rgb){0.10, 0.10, 0.10};
    t->accent_colour = (struct template_rgb){0.85, 0.35, 0.05};
    static const struct template_plan plans[] = {{"1m", 1}, {"3m", 3}, {"6m", 6}, {"1y", 12}, {"2y", 24}};
    memcpy(t->plans, plans, sizeof(plans));
    t->nplans = sizeof(plans) / sizeof(plans[0]);
}

struct parse {
    struct card_template *t;
    const char *base_dir;
    int plans_seen; /* a [plans] section replaces the default plans */
    char *why;      /* INIFILE_WHY_MAX bytes */
};

static int colour(const char *v, struct template_rgb *out)
{
    unsigned r, g, b;
    char tail;
    if (strlen(v) != 7 || v[0] != '#' || sscanf(v + 1, "%2x%2x%2x%c", &r, &g, &b, &tail) != 3)
        return 0;
    for (const char *p = v + 1; *p; p++)
        if (!strchr("0123456789abcdefABCDEF", *p))
            return 0;
    *out = (struct template_rgb){r / 255.0, g / 255.0, b / 255.0};
    return 1;
}

static int text(char *dst, size_t cap, const char *v, const char *name, struct parse *p)
{
    return inifile_text(dst, cap, v, 1, name, p->why);
}

static int web_address(const char *v)
{
    return !strncmp(v, "https://", 8) || !strncmp(v, "http://", 7);
}

static int card_key(struct parse *p, const char *name, const char *v)
{
    struct card_template *t = p->t;
    if (!strcmp(name, "brand"))
        return text(t->brand, sizeof(t->brand), v, name, p);
    if (!strcmp(name, "redeem_url")) {
        const char *at = strstr(v, "{pin}");
        if (!web_address(v) || !at || strstr(at + 1, "{pin}")) {
            snprintf(p->why, INIFILE_WHY_MAX,
                     "redeem_url must start with https:// and hold {pin} once, as in "
                     "https://my.example.com/redeem?pin={pin}");
            return 0;
        }
        t->redeem_url_given = 1;
        return text(t->redeem_url, sizeof(t->redeem_url) - 16, v, name, p);
    }
    if (!strcmp(name, "support_url") || !strcmp(name, "locator_url")) {
        if (!web_address(v)) {
            snprintf(p->why, INIFILE_WHY_MAX, "%s must start with https://", name);
            return 0;
        }
        return text(!strcmp(name, "support_url") ? t->support_url : t->locator_url, sizeof(t->support_url), v,
                    name, p);
    }
    if (!strcmp(name, "language")) {
        if (!cardtext_known(v)) {
            snprintf(p->why, INIFILE_WHY_MAX, "language '%.20s' is not one we print: use en, da or es", v);
            return 0;
        }
        memcpy(t->language, v, 3);
        return 1;
    }
    if (!strcmp(name, "back")) {
        if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
            snprintf(p->why, INIFILE_WHY_MAX, "back must be yes or no");
            return 0;
        }
        t->back = !strcmp(v, "yes");
        return 1;
    }
    if (!strcmp(name, "logo")) {
        char path[sizeof(t->logo)];
        if (!*v) {
            t->logo[0] = '\0';
            return 1;
        }
        if (v[0] != '/' && p->base_dir)
            snprintf(path, sizeof(path), "%.2000s/%.2000s", p->base_dir, v);
        else
            snprintf(path, sizeof(path), "%.4000s", v);
        return text(t->logo, sizeof(t->logo), path, name, p);
    }
    snprintf(p->why, INIFILE_WHY_MAX, "unknown key '%.40s' in [card]", name);
    return 0;
}

static int plan_key(struct parse *p, const char *name, const char *v)
{
    struct card_template *t = p->t;
    if (!p->plans_seen) {
        t->nplans = 0;
        p->plans_seen = 1;
    }
    size_t len = strlen(name);
    int ok = len >= 1 && len <= TEMPLATE_CODE_MAX;
    for (const char *c = name; ok && *c; c++)
        ok = (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '-' ||
             *c == '_' || *c == '.';
    if (!ok) {
        snprintf(p->why, INIFILE_WHY_MAX, "plan code '%.40s' must be 1 to 16 letters, digits, -, _ or .",
                 name);
        return 0;
    }
    char *end;
    errno = 0;
    long months = strtol(v, &end, 10);
    if (errno || end == v || *end || months < 1 || months > 120) {
        snprintf(p->why, INIFILE_WHY_MAX, "plan %s: the months must be a whole number from 1 to 120", name);
        return 0;
    }
    if (template_plan(t, name)) {
        snprintf(p->why, INIFILE_WHY_MAX, "plan %s is listed twice", name);
        return 0;
    }
    if (t->nplans == TEMPLATE_PLANS_MAX) {
        snprintf(p->why, INIFILE_WHY_MAX, "more than %d plans", TEMPLATE_PLANS_MAX);
        return 0;
    }
    memcpy(t->plans[t->nplans].code, name, len + 1);
    t->plans[t->nplans++].months = (int)months;
    return 1;
}

static int on_value(void *user, const char *section, const char *name, const char *v, char *why)
{
    struct parse *p = user;
    p->why = why;
    if (!strcmp(section, "card"))
        return card_key(p, name, v);
    if (!strcmp(section, "colours")) {
        struct template_rgb *dst = !strcmp(name, "brand")    ? &p->t->brand_colour
                                   : !strcmp(name, "text")   ? &p->t->text_colour
                                   : !strcmp(name, "accent") ? &p->t->accent_colour
                                                             : NULL;
        if (!dst) {
            snprintf(p->why, INIFILE_WHY_MAX, "unknown colour '%.40s': use brand, text or accent", name);
            return 0;
        }
        if (!colour(v, dst)) {
            snprintf(p->why, INIFILE_WHY_MAX, "colour %s must be #rrggbb, as in #0b5fff", name);
            return 0;
        }
        return 1;
    }
    if (!strcmp(section, "plans"))
        return plan_key(p, name, v);
    snprintf(p->why, INIFILE_WHY_MAX, "unknown section [%.40s]: use [card], [colours] or [plans]", section);
    return 0;
}

enum ru_status template_parse(const char *text_in, const char *base_dir, struct card_template *out, char *err,
                              size_t errlen)
{
    struct card_template t;
    template_default(&t);
    struct parse p = {.t = &t, .base_dir = base_dir};
    if (inifile_parse(text_in, on_value, &p, err, errlen) != RU_OK)
        return RU_ERR_INVALID;
    if (t.nplans == 0) {
        snprintf(err, errlen, "[plans] lists no plan");
        return RU_ERR_INVALID;
    }
    *out = t;
    return RU_OK;
}

enum ru_status template_load(const char *path, struct card_template *out, char *err, size_t errlen)
{
    char *text = NULL;
    enum ru_status rc = textfile_read_all(path, 64 * 1024, &text);
    if (rc != RU_OK) {
        if (rc == RU_ERR_NOT_FOUND || rc == RU_ERR_IO)
            snprintf(err, errlen, "cannot open the template '%s': %s", path, strerror(errno));
        else
            snprintf(err, errlen, "the template '%s' is not a text file of at most 64 kB", path);
        return rc == RU_ERR_LIMIT ? RU_ERR_INVALID : rc;
    }
    char dir[4096];
    textfile_dirname(path, dir, sizeof(dir));
    char why[300];
    rc = template_parse(text, dir, out, why, sizeof(why));
    if (rc != RU_OK)
        snprintf(err, errlen, "%s: %s", path, why);
    free(text);
    return rc;
}

const struct template_plan *template_plan(const struct card_template *t, const char *code)
{
    for (size_t i = 0; i < t->nplans; i++)
        if (!strcmp(t->plans[i].code, code))
            return &t->plans[i];
    return NULL;
}

enum ru_status template_redeem_url(const struct card_template *t, const char *pin, char *out, size_t outlen)
{
    const char *at = strstr(t->redeem_url, "{pin}");
    if (!at)
        return RU_ERR_INVALID;
    int n = snprintf(out, outlen, "%.*s%s%s", (int)(at - t->redeem_url), t->redeem_url, pin, at + 5);
    return n < 0 || (size_t)n >= outlen ? RU_ERR_LIMIT : RU_OK;
}
