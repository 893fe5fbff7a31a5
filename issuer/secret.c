/* issuer/secret.c - random bytes and 0600 secret files. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "issuer/secret.h"
#include "common/wipe.h"
#include "common/banned.h"

enum ru_status secret_random(unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return RU_ERR_IO;
        got += (size_t)r;
    }
    return RU_OK;
}

static pthread_once_t json_once = PTHREAD_ONCE_INIT;

static void json_install(void)
{
    json_set_alloc_funcs(malloc, wipe_free);
}

void secret_json_wiping(void)
{
    pthread_once(&json_once, json_install);
}

void secret_hex(const unsigned char *buf, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[buf[i] >> 4];
        out[2 * i + 1] = hex[buf[i] & 15];
    }
    out[2 * n] = '\0';
}

enum ru_status secret_file_create(const char *path, const unsigned char *buf, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? RU_ERR_INVALID : RU_ERR_IO;
    /* the umask may not take bits away from 0600, but may not add any either: be explicit */
    int ok = fchmod(fd, 0600) == 0 && write(fd, buf, n) == (ssize_t)n && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        unlink(path);
        return RU_ERR_IO;
    }
    return RU_OK;
}

enum ru_status secret_file_read(const char *path, unsigned char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? RU_ERR_NOT_FOUND : RU_ERR_IO;
    struct stat sb;
    enum ru_status rc = RU_OK;
    if (fstat(fd, &sb) != 0)
        rc = RU_ERR_IO;
    else if ((sb.st_mode & 077) || sb.st_size != (off_t)n)
        rc = RU_ERR_INVALID;
    else if (read(fd, buf, n) != (ssize_t)n)
        rc = RU_ERR_IO;
    close(fd);
    return rc;
}
