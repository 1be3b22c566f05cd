// Small C helpers that Swift cannot reach through its Glibc module. Everything here is
// `static inline`, so it inlines into Swift callers.
#ifndef BATON_CSHIMS_H
#define BATON_CSHIMS_H

#if defined(__linux__)
#include <malloc.h>
#endif

/// Raises glibc's mmap threshold and trim threshold (see Allocator.swift). No-op elsewhere.
static inline void baton_tune_malloc(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
#endif
}

#endif
