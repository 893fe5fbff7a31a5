/* common/wipe.c - zeroing secrets the compiler cannot optimize away. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include "common/wipe.h"
#include "common/banned.h"

void wipe(void *p, size_t n)
{
    if (p)
        explicit_bzero(p, n);
}

void wipe_free(void *p)
{
    if (!p)
        return;
    /* the usable size, not the size asked for: the whole block, whoever allocated it */
    explicit_bzero(p, malloc_usable_size(p));
    free(p);
}
