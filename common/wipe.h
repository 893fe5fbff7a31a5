/*
 * common/wipe.h - erasing secrets (PINs, keys) from memory before it is freed or reused.
 * A plain memset before free() is a dead store the compiler may drop; these are not.
 */
#ifndef REUP_COMMON_WIPE_H
#define REUP_COMMON_WIPE_H
#include <stddef.h>

/* Zero N bytes at P (explicit_bzero). NULL does nothing. Cannot fail. */
void wipe(void *p, size_t n);

/* Zero a whole heap block, as large as the allocator made it, then free() it. For any
 * block from malloc, calloc, realloc or strdup, so it can replace free() anywhere (also
 * as jansson's free, for blocks allocated before it was installed). NULL does nothing. */
void wipe_free(void *p);

#endif
