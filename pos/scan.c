/*
 * pos/scan.c - scanner input.
 */
#include <string.h>
#include "pos/scan.h"
#include "common/banned.h"

void scan_read(const char *line, size_t len, struct scan *out)
{
    char buf[64];
    memset(out, 0, sizeof(*out));
    /* trim blanks and line ends; drop a Code 128 symbology identifier */
    while (len &&
           (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    while (len && (line[0] == ' ' || line[0] == '\t')) {
        line++;
        len--;
    }
    if (len >= 3 && line[0] == ']' && line[1] == 'C') {
        line += 3;
        len -= 3;
    }
    if (!len) {
        out->kind = SCAN_NOTHING;
        return;
    }
    if (len >= sizeof(buf)) {
        out->kind = SCAN_BAD;
        out->why = "too long for a serial";
        return;
    }
    memcpy(buf, line, len);
    buf[len] = '\0';
    if (strspn(buf, "0123456789 -") == len) {
        out->kind = card_serial_parse(buf, out->serial, &out->why) == RU_OK ? SCAN_SERIAL : SCAN_BAD;
        return;
    }
    int word = len < sizeof(out->word);
    for (size_t i = 0; word && i < len; i++)
        word = (buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'z') ||
               (buf[i] >= 'A' && buf[i] <= 'Z') || buf[i] == '-' || buf[i] == '_' || buf[i] == '.';
    if (word) {
        out->kind = SCAN_WORD;
        memcpy(out->word, buf, len + 1);
    } else {
        out->kind = SCAN_BAD;
        out->why = "not a serial: only digits, spaces and dashes";
    }
}
