/*
 * reup-pos backup, restore - the journal copied while the till sells, and put back after
 * the checks of verify.
 */
#include <stdio.h>
#include "pos/cmd.h"
#include "pos/tillbackup.h"
#include "common/banned.h"

#define USAGE_BACKUP                                                                         \
    "usage: reup-pos backup --out FILE\n"                                                    \
    "  a consistent copy of the journal, taken while the till sells; FILE must not exist,\n" \
    "  and is written with mode 0600 (it holds sales and the cashiers' PIN hashes)\n"
#define USAGE_RESTORE                                                                            \
    "usage: reup-pos restore --from FILE\n"                                                      \
    "  checks FILE (made by reup-pos backup: its integrity, schema and the replay of verify),\n" \
    "  then puts it in place of the journal; no other reup-pos may have the journal open.\n"     \
    "  Exit 2 not a reup-pos backup, truncated or corrupt; 1 its journal fails verify; 4 its\n"  \
    "  schema is newer; 6 the journal is in use. Nothing is changed on failure. The issuer\n"    \
    "  still holds the journal heads it saw: verify shows what an older copy lacks.\n"

int cmd_backup(int argc, char **argv)
{
    struct args a;
    struct pos_config cfg;
    char err[1400];
    if (args_parse(argc, argv, "out", "help", 0, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_BACKUP, err);
    if (args_has(&a, "help")) {
        fputs(USAGE_BACKUP, stdout);
        return EXIT_OK;
    }
    if (!args_get(&a, "out"))
        return usage_error(USAGE_BACKUP, "backup needs --out FILE (a new file)");
    int code = load_config(&cfg);
    if (code != EXIT_OK)
        return code;
    enum ru_status rc = till_backup(&cfg, args_get(&a, "out"), err, sizeof(err));
    if (rc == RU_ERR_EXISTS)
        return fail(EXIT_USAGE, "exists", "%s", err);
    if (rc == RU_ERR_NOT_FOUND)
        return fail(EXIT_CONFIG, "journal", "no journal to back up: %s", err);
    if (rc != RU_OK)
        return fail(EXIT_SYSTEM, "journal", "%s", err);
    printf("backed up the journal %s to %s (mode 0600)\n", cfg.journal, args_get(&a, "out"));
    return EXIT_OK;
}

int cmd_restore(int argc, char **argv)
{
    struct args a;
    struct pos_config cfg;
    struct till_restored done;
    char err[1400];
    if (args_parse(argc, argv, "from", "help", 0, &a, err, sizeof(err)) != RU_OK)
        return usage_error(USAGE_RESTORE, err);
    if (args_has(&a, "help")) {
        fputs(USAGE_RESTORE, stdout);
        return EXIT_OK;
    }
    if (!args_get(&a, "from"))
        return usage_error(USAGE_RESTORE, "restore needs --from FILE (a file made by reup-pos backup)");
    int code = load_config(&cfg);
    if (code != EXIT_OK)
        return code;
    enum ru_status rc = till_restore(&cfg, args_get(&a, "from"), &done, err, sizeof(err));
    if (rc == RU_ERR_INVALID && done.verify_failed)
        return fail(EXIT_NO_MATCH, "verify_failed", "%s", err);
    if (rc == RU_ERR_INVALID)
        return fail(EXIT_USAGE, "bad_backup", "%s", err);
    if (rc == RU_ERR_NOT_FOUND)
        return fail(EXIT_NOT_FOUND, "not_found", "%s", err);
    if (rc == RU_ERR_SCHEMA)
        return fail(EXIT_CONFIG, "schema", "%s", err);
    if (rc == RU_ERR_DECLINED)
        return fail(EXIT_REFUSED, "in_use", "%s", err);
    if (rc != RU_OK)
        return fail(EXIT_SYSTEM, "journal", "%s", err);
    printf("restored the journal %s from %s: its chain and tables agree, up to entry %lld\n", cfg.journal,
           args_get(&a, "from"), done.seq);
    printf("run reup-pos verify: the issuer still holds every journal head it saw, and an older copy that "
           "lacks sales made since fails that check\n");
    return EXIT_OK;
}
