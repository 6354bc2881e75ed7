/* LD_PRELOAD shim that counts malloc/calloc/realloc/posix_memalign/aligned_alloc calls per thread name
   prefix and prints the totals at exit: proof that the hashing threads ("nm-hash-*") allocate
   nothing while they hash. Used by scripts/alloc-check; not part of nightminer. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong hash_thread_allocations;
static atomic_ulong other_allocations;
static __thread int in_hook;

static void count(void) {
    if (in_hook) return;
    in_hook = 1;
    char name[32] = {0};
    pthread_getname_np(pthread_self(), name, sizeof name);
    if (strncmp(name, "nm-hash-", 8) == 0) atomic_fetch_add(&hash_thread_allocations, 1);
    else atomic_fetch_add(&other_allocations, 1);
    in_hook = 0;
}

#define FORWARD(ret, name, params, args)                          \
    ret name params {                                             \
        static ret(*real) params;                                 \
        if (!real) real = (ret(*) params)dlsym(RTLD_NEXT, #name); \
        count();                                                  \
        return real args;                                         \
    }

FORWARD(void *, malloc, (size_t size), (size))
FORWARD(void *, realloc, (void *pointer, size_t size), (pointer, size))
FORWARD(int, posix_memalign, (void **out, size_t alignment, size_t size), (out, alignment, size))
FORWARD(void *, aligned_alloc, (size_t alignment, size_t size), (alignment, size))

/* calloc is used by dlsym itself: serve those early calls from a static buffer. */
static char early[4096];
static size_t early_used;
void *calloc(size_t count_, size_t size) {
    static void *(*real)(size_t, size_t);
    if (!real) {
        static int resolving;
        if (resolving) {
            size_t bytes = (count_ * size + 15) & ~(size_t)15;
            if (early_used + bytes > sizeof early) return NULL;
            void *p = early + early_used;
            early_used += bytes;
            return p;
        }
        resolving = 1;
        real = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
        resolving = 0;
    }
    count();
    return real(count_, size);
}

__attribute__((destructor)) static void report(void) {
    fprintf(stderr, "malloc-counter: hashing threads %lu allocations, other threads %lu\n",
            atomic_load(&hash_thread_allocations), atomic_load(&other_allocations));
}
