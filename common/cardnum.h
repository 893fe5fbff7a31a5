/*
 * common/cardnum.h - Re-Up card numbers: serials and PINs (docs/design.md, "Numbers and formats").
 *
 * Serial: 16 digits = 4-digit issuer prefix + 11-digit sequence + Luhn check digit,
 * printed in groups of four and as a Code 128 barcode. PIN: 15 digits from the OS CSPRNG
 * (getrandom, about 50 bits) + a Damm check digit, so a typo is caught before any request.
 * Used by the issuer, the card printer and the POS; pure functions apart from
 * card_pin_generate().
 */
#ifndef REUP_COMMON_CARDNUM_H
#define REUP_COMMON_CARDNUM_H
#include <stddef.h>
#include <stdint.h>
#include "common/status.h"

#define CARD_DIGITS       16
#define CARD_PREFIX_MAX   9999
#define CARD_SEQUENCE_MAX 99999999999ULL /* 11 digits */

/* Check digits over the N ASCII digits at DIGITS. Both return -1 if a byte is not a digit. */
int card_luhn_digit(const char *digits, size_t n);
int card_damm_digit(const char *digits, size_t n);

/* The serial for PREFIX and SEQUENCE, NUL-terminated in OUT. RU_ERR_LIMIT when either is
 * out of range. */
enum ru_status card_serial_make(unsigned prefix, uint64_t sequence, char out[CARD_DIGITS + 1]) RU_WARN_UNUSED;

/* Read a serial or PIN as people and scanners type them: 16 digits, spaces and dashes
 * between them allowed ("1234 5678 9012 3452", "1234-5678-..."). RU_ERR_INVALID with a
 * static reason in *why for anything else: other characters, another number of digits,
 * a wrong check digit. OUT gets the bare digits. */
enum ru_status card_serial_parse(const char *text, char out[CARD_DIGITS + 1],
                                 const char **why) RU_WARN_UNUSED;
enum ru_status card_pin_parse(const char *text, char out[CARD_DIGITS + 1], const char **why) RU_WARN_UNUSED;

/* A new random PIN (15 CSPRNG digits, uniformly distributed, + Damm digit).
 * RU_ERR_IO when the OS has no randomness to give. */
enum ru_status card_pin_generate(char out[CARD_DIGITS + 1]) RU_WARN_UNUSED;

/* "1234 5678 9012 3456" for 16 digits. Cannot fail. */
void card_format_groups(const char *digits, char out[CARD_DIGITS + 4]);

/* "************3456": only the last four digits, for receipts, logs and JSON answers
 * (ASCII, so every receipt printer prints it). Cannot fail. */
void card_mask(const char *digits, char out[CARD_DIGITS + 1]);

#endif
