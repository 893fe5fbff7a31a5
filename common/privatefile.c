/* common/privatefile.c - refuse secrets and ledgers that group or others can open. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "common/privatefile.h"
#include "common/banned.h"

enum ru_status privatefile_check(const char *path, enum privatefile_flags flags, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT && (flags & PRIVATEFILE_MISSING_OK))
            return RU_OK;
        snprintf(err, errlen, "cannot examine '%s': %s", path, strerror(errno));
        return errno == ENOENT ? RU_ERR_NOT_FOUND : RU_ERR_IO;
    }
    mode_t bad = (flags & PRIVATEFILE_WRITE_ONLY) ? 022 : 077;
    if (!(st.st_mode & bad))
        return RU_OK;
    int dir = S_ISDIR(st.st_mode);
    mode_t want = (st.st_mode & 07777) & ~bad;
    if (!(flags & PRIVATEFILE_WRITE_ONLY))
        want = dir ? 0700 : 0600;
    snprintf(err, errlen, "'%s' is mode %04o: %s %s; run chmod %o '%s'", path, (unsigned)(st.st_mode & 07777),
             (flags & PRIVATEFILE_WRITE_ONLY) ? "group and others may change it, and it decides"
                                              : "group or others may open it, and it holds",
             (flags & PRIVATEFILE_WRITE_ONLY) ? "what the program trusts" : "secrets or money",
             (unsigned)want, path);
    return RU_ERR_INVALID;
}

enum ru_status privatefile_check_db(const char *path, char *err, size_t errlen)
{
    enum ru_status rc = privatefile_check(path, 0, err, errlen);
    static const char *const sides[] = {"-wal", "-shm"};
    for (size_t i = 0; rc == RU_OK && i < sizeof(sides) / sizeof(sides[0]); i++) {
        char side[4200];
        if ((size_t)snprintf(side, sizeof(side), "%s%s", path, sides[i]) >= sizeof(side)) {
            snprintf(err, errlen, "the path '%.200s' is too long", path);
            return RU_ERR_LIMIT;
        }
        rc = privatefile_check(side, PRIVATEFILE_MISSING_OK, err, errlen);
    }
    return rc;
}
