// The shims are header-inline, except the radix sort below (a few calls per index build,
// nothing to inline); this file is also SwiftPM's compilation unit for the target.
#include "memscan_shims.h"

// ---------------------------------------------------------------------------
// Index build: sorting the sampled shingle occurrences.

typedef struct {
    uint64_t key;
    uint32_t position;
    uint32_t padding;
} ms_occurrence;

enum { MS_RADIX_BITS = 11, MS_RADIX_BUCKETS = 1 << MS_RADIX_BITS, MS_RADIX_PASSES = (64 + MS_RADIX_BITS - 1) / MS_RADIX_BITS };

void ms_radix_sort_by_key(void *items, void *scratch, ptrdiff_t n) {
    if (n < 2) return;
    static _Thread_local uint32_t counts[MS_RADIX_PASSES][MS_RADIX_BUCKETS];
    memset(counts, 0, sizeof counts);
    ms_occurrence *from = (ms_occurrence *)items, *to = (ms_occurrence *)scratch;
    for (ptrdiff_t i = 0; i < n; i++) {
        uint64_t key = from[i].key;
        for (int pass = 0; pass < MS_RADIX_PASSES; pass++)
            counts[pass][(key >> (pass * MS_RADIX_BITS)) & (MS_RADIX_BUCKETS - 1)]++;
    }
    for (int pass = 0; pass < MS_RADIX_PASSES; pass++) {
        uint32_t *count = counts[pass];
        int shift = pass * MS_RADIX_BITS;
        // A digit every key shares leaves the order as it is.
        if (count[(from[0].key >> shift) & (MS_RADIX_BUCKETS - 1)] == (uint32_t)n) continue;
        uint32_t sum = 0;
        for (int b = 0; b < MS_RADIX_BUCKETS; b++) {
            uint32_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (ptrdiff_t i = 0; i < n; i++) to[count[(from[i].key >> shift) & (MS_RADIX_BUCKETS - 1)]++] = from[i];
        ms_occurrence *swap = from;
        from = to;
        to = swap;
    }
    if (from != (ms_occurrence *)items) memcpy(items, from, (size_t)n * sizeof(ms_occurrence));
}
