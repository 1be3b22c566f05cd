// Small C helpers that Swift cannot reach through its Glibc module. Everything here is
// `static inline`, so it inlines into Swift callers.
#ifndef BATON_CSHIMS_H
#define BATON_CSHIMS_H

#include <stdint.h>
#if defined(__linux__)
#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Raises glibc's mmap threshold and trim threshold (see Allocator.swift). No-op elsewhere.
static inline void baton_tune_malloc(int mmap_threshold, int trim_threshold) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
#endif
}

/// Bit i is set when p[i] is one of a, b, c, d, for i in 0..<64 (p must have 64 readable
/// bytes). SSE2, the x86-64 baseline; a scalar loop elsewhere. The CSV tokenizer's structural
/// scan: it finds delimiters, line breaks and quotes 64 bytes at a time.
static inline uint64_t baton_match64(const uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
    const __m128i vc = _mm_set1_epi8((char)c), vd = _mm_set1_epi8((char)d);
    uint64_t mask = 0;
    for (int k = 0; k < 4; k++) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        const __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
                                       _mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vd)));
        mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(e) << (16 * k);
    }
    return mask;
#else
    uint64_t mask = 0;
    for (int i = 0; i < 64; i++) {
        const uint8_t x = p[i];
        if (x == a || x == b || x == c || x == d) mask |= (uint64_t)1 << i;
    }
    return mask;
#endif
}


/// Asks for the cache line holding `p` ahead of a random access (a hash table probe).
static inline void baton_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}


/// Starts writing the dirty pages of `fd`'s byte range back to disk without waiting for
/// them (Linux `sync_file_range` with `SYNC_FILE_RANGE_WRITE`); no-op elsewhere. An output
/// that does this as it goes leaves little for its final fsync to wait for.
static inline void baton_start_writeback(int fd, int64_t offset, int64_t length) {
#if defined(__linux__) && defined(SYS_sync_file_range)
    (void)syscall(SYS_sync_file_range, fd, (long long)offset, (long long)length, 2 /* SYNC_FILE_RANGE_WRITE */);
#endif
}

/// Returns the free memory at the top of malloc's heaps to the kernel (glibc); no-op elsewhere.
/// For the moment after a large working set was freed (a sorted run spilled).
static inline void baton_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

#endif
