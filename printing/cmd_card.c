/*
 * reup-print card - one card: to a PDF, a PNG preview, or a print queue.
 */
#include <stdio.h>
#include <string.h>
#include "printing/cardrender.h"
#include "printing/cardsheet.h"
#include "printing/cardtext.h"
#include "printing/cmd.h"
#include "printing/printjob.h"
#include "common/cardnum.h"
#include "common/banned.h"

#define USAGE_CARD                                                                            \
    "usage: reup-print card --serial S --pin P --plan C [--lang L] [--back] [--template F]\n" \
    "                       (--out card.pdf | --png card.png [--dpi N] | --printer QUEUE\n"   \
    "                        [-h HOST:PORT] [--copies N] [--timeout S])\n"                    \
    "\n"                                                                                      \
    "  --pin -      read the PIN from standard input (keeps it out of the process list)\n"    \
    "  --back       also the back side (PDF: a second page; PNG: the back only)\n"            \
    "  --lang L     en, da or es (default: the template's)\n"

static int read_pin(const char *given, char *out, size_t outlen)
{
    if (strcmp(given, "-") != 0) {
        snprintf(out, outlen, "%s", given);
        return 1;
    }
    if (!fgets(out, (int)outlen, stdin))
        return 0;
    out[strcspn(out, "\r\n")] = '\0';
    return 1;
}

int cmd_card(int argc, char **argv)
{
    struct args a;
    char err[600], pin_text[64], serial[CARD_DIGITS + 1], pin[CARD_DIGITS + 1];
    const char *why;
    if (args_parse(argc, argv, "serial pin plan lang out png printer template copies h timeout dpi",
                   "back help", 0, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_CARD, err);
    if (args_has(&a, "help")) {
        fputs(USAGE_CARD, stdout);
        return EXIT_OK;
    }
    int outputs = args_has(&a, "out") + args_has(&a, "png") + args_has(&a, "printer");
    if (!args_get(&a, "serial") || !args_get(&a, "pin") || !args_get(&a, "plan") || outputs != 1)
        return usage_error(USAGE_CARD, "give --serial, --pin, --plan and one of --out, --png, --printer");
    long long copies, timeout_s, dpi;
    if (args_number(&a, "copies", 1, 100, 1, &copies, err, sizeof(err)) != RU_OK ||
        args_number(&a, "timeout", 1, 86400, 600, &timeout_s, err, sizeof(err)) != RU_OK ||
        args_number(&a, "dpi", 72, 1200, 300, &dpi, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_CARD, err);
    if (card_serial_parse(args_get(&a, "serial"), serial, &why) != RU_OK) {
        fprintf(stderr, "reup-print: the serial '%.40s' is wrong: %s\n", args_get(&a, "serial"), why);
        return EXIT_USAGE;
    }
    if (!read_pin(args_get(&a, "pin"), pin_text, sizeof(pin_text)) ||
        card_pin_parse(pin_text, pin, &why) != RU_OK) {
        explicit_bzero(pin_text, sizeof(pin_text));
        fprintf(stderr, "reup-print: the PIN is wrong: %s\n", why ? why : "nothing on standard input");
        return EXIT_USAGE;
    }
    explicit_bzero(pin_text, sizeof(pin_text));
    struct card_template t;
    int code = template_from_args(&a, &t);
    if (code != EXIT_OK)
        return code;
    const char *lang = args_get(&a, "lang") ? args_get(&a, "lang") : t.language;
    if (!cardtext_known(lang)) {
        fprintf(stderr, "reup-print: --lang '%.20s' is not a language we print: use en, da or es\n", lang);
        return EXIT_USAGE;
    }
    const struct template_plan *plan = template_plan(&t, args_get(&a, "plan"));
    if (!plan) {
        fprintf(stderr, "reup-print: the plan '%.40s' is not in the card template ([plans])\n",
                args_get(&a, "plan"));
        return EXIT_USAGE;
    }
    struct cardrender *r = NULL;
    if (cardrender_new(&t, &r, err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", err);
        return EXIT_CONFIG;
    }
    if (cardrender_check(r, lang, plan->months) != RU_OK) {
        fprintf(stderr, "reup-print: %s (language %s)\n", cardrender_errmsg(r), lang);
        cardrender_free(r);
        return EXIT_CONFIG;
    }
    struct card_face face = {.serial = serial, .pin = pin, .plan = plan->code, .lang = lang};
    int back = args_has(&a, "back");
    char masked[CARD_DIGITS + 1], name[64];
    card_mask(serial, masked);
    snprintf(name, sizeof(name), "reup card %s", masked);

    if (args_has(&a, "png")) {
        FILE *f = out_open(args_get(&a, "png"));
        code = f ? out_close(f, args_get(&a, "png"), cardsheet_png(f, r, &face, back, (int)dpi) == RU_OK)
                 : EXIT_SYSTEM;
        goto out;
    }
    const char *path = args_get(&a, "out");
    FILE *f = path ? out_open(path) : printjob_tmpfile(err, sizeof(err));
    struct cardsheet *sheet = NULL;
    enum ru_status rc = RU_ERR_IO;
    if (!f && !path)
        fprintf(stderr, "reup-print: %s\n", err);
    if (f && cardsheet_new(f, layout_find("cr80"), r, back, name, &sheet) == RU_OK &&
        (rc = cardsheet_add(sheet, &face)) == RU_OK)
        rc = cardsheet_finish(sheet);
    cardsheet_free(sheet);
    explicit_bzero(pin, sizeof(pin));
    if (rc != RU_OK && rc != RU_ERR_IO)
        fprintf(stderr, "reup-print: %s\n", cardrender_errmsg(r));
    if (path) {
        code = f ? out_close(f, path, rc == RU_OK) : EXIT_SYSTEM;
        goto out;
    }
    if (!f || rc != RU_OK) {
        if (f)
            fclose(f);
        code = EXIT_SYSTEM;
        goto out;
    }
    struct cupsprint *p = NULL;
    rc = cupsprint_open(args_get(&a, "h"), args_get(&a, "printer"), &p, err, sizeof(err));
    if (rc != RU_OK) {
        fprintf(stderr, "reup-print: %s\n", err);
        fclose(f);
        code = rc == RU_ERR_NOT_FOUND ? EXIT_NOT_FOUND : EXIT_NO_ANSWER;
        goto out;
    }
    int job = 0;
    struct cupsprint_options o = {
        .job_name = name, .media = layout_find("cr80")->media, .copies = (int)copies};
    /* a card at the counter that will not print now should not print later by surprise */
    enum cupsprint_end end = printjob_send(p, f, &o, (int)timeout_s, NULL, NULL, &job, err, sizeof(err));
    fclose(f);
    cupsprint_free(p);
    switch (end) {
    case CUPSPRINT_COMPLETED:
        printf("printed card %s on '%s' (CUPS job %d)\n", masked, args_get(&a, "printer"), job);
        code = EXIT_OK;
        break;
    case CUPSPRINT_FAILED:
        fprintf(stderr, "reup-print: card %s did not print: %s\n", masked, err);
        code = EXIT_REFUSED;
        break;
    case CUPSPRINT_UNSENT:
        fprintf(stderr, "reup-print: card %s was not sent: %s\n", masked, err);
        code = EXIT_NO_ANSWER;
        break;
    default:
        fprintf(stderr, "reup-print: card %s may or may not have printed: %s\n", masked, err);
        code = EXIT_NO_ANSWER;
        break;
    }
out:
    explicit_bzero(pin, sizeof(pin));
    cardrender_free(r);
    return code;
}
