/* issuer/batchfile.c - writing batch files safely. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "issuer/batchfile.h"
#include "common/wipe.h"
#include "common/banned.h"

struct batchfile {
    FILE *f;
    char *path, *tmp;
    int done;
    char buf[BUFSIZ]; /* the stream's buffer, ours so that it can be zeroed: it holds PINs */
};

/* Close the stream and zero its buffer. 0, or EOF when the last write failed. */
static int close_stream(struct batchfile *bf)
{
    int r = fclose(bf->f);
    bf->f = NULL;
    wipe(bf->buf, sizeof(bf->buf));
    return r;
}

enum ru_status batchfile_open(const char *path, struct batchfile **out)
{
    struct batchfile *bf = calloc(1, sizeof(*bf));
    size_t n = strlen(path) + 5;
    if (!bf || !(bf->path = strdup(path)) || !(bf->tmp = malloc(n))) {
        batchfile_free(bf);
        return RU_ERR_NOMEM;
    }
    snprintf(bf->tmp, n, "%s.tmp", path);
    if (access(path, F_OK) == 0) {
        bf->done = 1; /* nothing of ours to remove */
        batchfile_free(bf);
        return RU_ERR_EXISTS;
    }
    int fd = open(bf->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        bf->done = 1;
        batchfile_free(bf);
        return e == EEXIST ? RU_ERR_EXISTS : RU_ERR_IO;
    }
    if (fchmod(fd, 0600) != 0 || !(bf->f = fdopen(fd, "w"))) {
        close(fd);
        batchfile_free(bf);
        return RU_ERR_IO;
    }
    setvbuf(bf->f, bf->buf, _IOFBF, sizeof(bf->buf));
    if (fputs("serial,pin,plan,batch\n", bf->f) < 0) {
        batchfile_free(bf);
        return RU_ERR_IO;
    }
    *out = bf;
    return RU_OK;
}

enum ru_status batchfile_row(void *ctx, const char *serial, const char *pin, const char *plan,
                             const char *batch)
{
    struct batchfile *bf = ctx;
    /* Plan codes and batch ids are checked to be [A-Za-z0-9-], so no field needs quoting. */
    return fprintf(bf->f, "%s,%s,%s,%s\n", serial, pin, plan, batch) < 0 ? RU_ERR_IO : RU_OK;
}

enum ru_status batchfile_finish(void *ctx)
{
    struct batchfile *bf = ctx;
    int ok = fflush(bf->f) == 0 && fsync(fileno(bf->f)) == 0;
    ok = close_stream(bf) == 0 && ok;
    if (!ok || rename(bf->tmp, bf->path) != 0)
        return RU_ERR_IO;
    bf->done = 1;
    return RU_OK;
}

void batchfile_discard(struct batchfile *bf)
{
    if (bf->done)
        unlink(bf->path);
}

void batchfile_free(struct batchfile *bf)
{
    if (!bf)
        return;
    if (bf->f)
        close_stream(bf);
    if (!bf->done && bf->tmp)
        unlink(bf->tmp);
    free(bf->path);
    free(bf->tmp);
    free(bf);
}
