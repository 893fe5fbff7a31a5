/*
 * tests/fuzz/fuzz_posconfig.c - libFuzzer target for the terminal's configuration parser.
 * An accepted configuration names its store, terminal, an https:// issuer, credentials
 * and a journal, with timeouts in range, and a card template path resolved against the
 * configuration's folder (the file itself is read only by pos_config_load); a refusal
 * must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pos/config.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct pos_config c;
    char err[300] = "";
    if (pos_config_parse(text, "/etc/reup", &c, err, sizeof(err)) != RU_OK) {
        if (!err[0])
            abort();
    } else if (!c.store_id[0] || !c.terminal[0] || strncmp(c.issuer_url, "https://", 8) != 0 ||
               !c.credentials[0] || !c.journal[0] || c.timeout_ms < 100 || c.connect_timeout_ms < 100 ||
               strlen(c.currency) != 3 || (c.card_template_path[0] && c.card_template_path[0] != '/')) {
        abort();
    }
    free(text);
    return 0;
}
