/*
 * reup-print card - one card: to a PDF, a PNG preview, or a print queue.
 */
#include <stdio.h>
#include <string.h>
#include "printing/cardtext.h"
#include "printing/cmd.h"
#include "printing/counterprint.h"
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
    struct card_template t;
    int code = template_from_args(&a, &t);
    if (code != EXIT_OK)
        return code;
    const char *lang = args_get(&a, "lang") ? args_get(&a, "lang") : t.language;
    if (!cardtext_known(lang)) {
        fprintf(stderr, "reup-print: --lang '%.20s' is not a language we print: use en, da or es\n", lang);
        return EXIT_USAGE;
    }
    if (!template_plan(&t, args_get(&a, "plan"))) {
        fprintf(stderr, "reup-print: the plan '%.40s' is not in the card template ([plans])\n",
                args_get(&a, "plan"));
        return EXIT_USAGE;
    }
    /* read last, so that no error above leaves it in memory */
    if (!read_pin(args_get(&a, "pin"), pin_text, sizeof(pin_text)) ||
        card_pin_parse(pin_text, pin, &why) != RU_OK) {
        explicit_bzero(pin_text, sizeof(pin_text));
        fprintf(stderr, "reup-print: the PIN is wrong: %s\n", why ? why : "nothing on standard input");
        return EXIT_USAGE;
    }
    explicit_bzero(pin_text, sizeof(pin_text));
    struct counterprint_card card = {.serial = serial,
                                     .pin = pin,
                                     .plan = args_get(&a, "plan"),
                                     .lang = lang,
                                     .back = args_has(&a, "back")};
    char masked[CARD_DIGITS + 1];
    card_mask(serial, masked);
    if (!args_has(&a, "printer")) {
        /* a file: a PDF to keep, or a PNG preview */
        const char *path = args_has(&a, "png") ? args_get(&a, "png") : args_get(&a, "out");
        FILE *f = out_open(path);
        if (!f) {
            explicit_bzero(pin, sizeof(pin));
            return EXIT_SYSTEM;
        }
        enum ru_status rc =
            counterprint_card_draw(f, &t, &card, args_has(&a, "png") ? (int)dpi : 0, err, sizeof(err));
        if (rc != RU_OK)
            fprintf(stderr, "reup-print: %s\n", err);
        code = out_close(f, path, rc == RU_OK);
        return rc == RU_ERR_INVALID ? EXIT_CONFIG : code;
    }
    struct counterprint_queue q = {.server = args_get(&a, "h"),
                                   .queue = args_get(&a, "printer"),
                                   .copies = (int)copies,
                                   .timeout_s = (int)timeout_s};
    struct counterprint_result res;
    /* a card at the counter that will not print now should not print later by surprise */
    switch (counterprint_card(&t, &card, &q, &res)) {
    case RU_OK:
        printf("printed card %s on '%s' (CUPS job %d)\n", masked, q.queue, res.cups_job);
        return EXIT_OK;
    case RU_ERR_INVALID: fprintf(stderr, "reup-print: %s\n", res.message); return EXIT_CONFIG;
    case RU_ERR_NOT_FOUND: fprintf(stderr, "reup-print: %s\n", res.message); return EXIT_NOT_FOUND;
    case RU_ERR_DECLINED:
        fprintf(stderr, "reup-print: card %s did not print: %s\n", masked, res.message);
        return EXIT_REFUSED;
    case RU_ERR_NETWORK:
        if (res.maybe_printed)
            fprintf(stderr, "reup-print: card %s may or may not have printed: %s\n", masked, res.message);
        else
            fprintf(stderr, "reup-print: card %s was not sent: %s\n", masked, res.message);
        return EXIT_NO_ANSWER;
    default: fprintf(stderr, "reup-print: %s\n", res.message); return EXIT_SYSTEM;
    }
}
