/* db/uselock.c - a folder's flock(2), shared by the users of its database, exclusive for restore. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "db/uselock.h"
#include "common/banned.h"

enum ru_status uselock_take(const char *dir, int exclusive, int *fd, char *err, size_t errlen)
{
    *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0 && errno == EACCES && !exclusive)
        /* a folder its user may search but not read (0711): the database is used all the
         * same, and restore, which must write there, is its owner's to run */
        return RU_OK;
    if (*fd < 0) {
        snprintf(err, errlen, "cannot open '%s': %s", dir, strerror(errno));
        return errno == ENOENT ? RU_ERR_NOT_FOUND : RU_ERR_IO;
    }
    if (flock(*fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
        return RU_OK;
    int e = errno;
    close(*fd);
    *fd = -1;
    if (e == EWOULDBLOCK) {
        snprintf(err, errlen,
                 exclusive ? "'%s' is in use: a program has its database open (stop it first)"
                           : "'%s' is being restored: try again when the restore is done",
                 dir);
        return RU_ERR_DECLINED;
    }
    snprintf(err, errlen, "cannot lock '%s': %s", dir, strerror(e));
    return RU_ERR_IO;
}

enum ru_status uselock_take_file(const char *path, int *fd, char *err, size_t errlen)
{
    char copy[4096];
    if ((size_t)snprintf(copy, sizeof(copy), "%s", path) >= sizeof(copy)) {
        snprintf(err, errlen, "the path '%.200s...' is too long", path);
        return RU_ERR_INVALID;
    }
    return uselock_take(dirname(copy), 0, fd, err, errlen);
}

void uselock_release(int fd)
{
    if (fd >= 0)
        close(fd);
}
