// C shims for memscan: the few hot loops and the C libraries (xxHash, zstd, zlib).
// Everything here is `static inline` so that Swift inlines it into the callers.
#ifndef MEMSCAN_SHIMS_H
#define MEMSCAN_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// Swift's Clang importer parses headers as if optimizing for size, which turns
// xxHash's inlining hints off; force them back on (see shared/NOTES.md).
#define XXH_NO_INLINE_HINTS 0
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <zstd.h>
#include <zdict.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <zlib.h>

#define MS_INLINE static inline __attribute__((always_inline, flatten))

/// XXH3-64 of a byte range. A wrapper because under XXH_INLINE_ALL the public
/// name is a renaming macro that Swift cannot call.
MS_INLINE uint64_t ms_xxh3(const void *data, ptrdiff_t length, uint64_t seed) {
    return XXH3_64bits_withSeed(data, (size_t)length, seed);
}

/// Streaming XXH3-64 (seed 0) of a section written in pieces: equal to ms_xxh3 of
/// the concatenation.
MS_INLINE void *ms_xxh3_stream_new(void) {
    XXH3_state_t *state = XXH3_createState();
    if (state) XXH3_64bits_reset(state);
    return state;
}
MS_INLINE void ms_xxh3_stream_update(void *state, const void *data, ptrdiff_t length) {
    XXH3_64bits_update((XXH3_state_t *)state, data, (size_t)length);
}
MS_INLINE uint64_t ms_xxh3_stream_digest(const void *state) { return XXH3_64bits_digest((const XXH3_state_t *)state); }
MS_INLINE void ms_xxh3_stream_free(void *state) { XXH3_freeState((XXH3_state_t *)state); }

/// Murmur3's 64-bit finalizer: a bijection that decorrelates the table key
/// from the winnowing order (minimizers are biased towards small hashes).
MS_INLINE uint64_t ms_fmix64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

MS_INLINE void ms_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

// Byte-sized atomics for the shared block cache's per-block states.
MS_INLINE uint8_t ms_atomic_load_u8(const uint8_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
MS_INLINE void ms_atomic_store_u8(uint8_t *p, uint8_t value) { __atomic_store_n(p, value, __ATOMIC_RELEASE); }
MS_INLINE int ms_atomic_cas_u8(uint8_t *p, uint8_t expected, uint8_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

// ---------------------------------------------------------------------------
// Byte equality of two short strings (a generation token against its vocabulary
// entry, once per generation token): overlapping word loads instead of a memcmp call.

MS_INLINE int ms_bytes_equal(const uint8_t *a, const uint8_t *b, ptrdiff_t n) {
    if (n > 16 && n <= 32) {
        uint64_t a0, b0, a1, b1, a2, b2, a3, b3;
        memcpy(&a0, a, 8); memcpy(&b0, b, 8);
        memcpy(&a1, a + 8, 8); memcpy(&b1, b + 8, 8);
        memcpy(&a2, a + n - 16, 8); memcpy(&b2, b + n - 16, 8);
        memcpy(&a3, a + n - 8, 8); memcpy(&b3, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2) | (a3 ^ b3)) == 0;
    }
    if (n >= 8 && n <= 16) {
        uint64_t a0, b0, a1, b1;
        memcpy(&a0, a, 8); memcpy(&b0, b, 8);
        memcpy(&a1, a + n - 8, 8); memcpy(&b1, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 4 && n < 8) {
        uint32_t a0, b0, a1, b1;
        memcpy(&a0, a, 4); memcpy(&b0, b, 4);
        memcpy(&a1, a + n - 4, 4); memcpy(&b1, b + n - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n < 4) {
        for (ptrdiff_t i = 0; i < n; i++) if (a[i] != b[i]) return 0;
        return 1;
    }
    return memcmp(a, b, (size_t)n) == 0;
}

// ---------------------------------------------------------------------------
// Shingle table probe. Layout (docs/INDEX_FORMAT.md): buckets of 64 bytes, each a
// bit-packed array of `slots` fields of `slot_bits` bits; a field is a tag (low
// bits: fingerprint << displacement_bits | displacement from the home bucket) and a
// value above it. Tag 0 marks an empty slot; the first empty slot ends the probe.
// Field widths follow the corpus size, so a slot costs ~40 bits instead of 64.

#define MS_PROBE_MISS 0xFFFFFFFFu
#define MS_MULTI_FLAG 0x80000000u

typedef struct {
    const uint8_t *bytes;  // bucket_count * 64 bytes
    uint64_t bucket_count;
    uint64_t fingerprint_mask;
    uint32_t max_displacement;
    uint32_t slots;
    uint32_t slot_bits;
    uint32_t value_bits;
    uint32_t displacement_bits;
} ms_table;

MS_INLINE uint64_t ms_table_fingerprint(uint64_t key, uint64_t mask) {
    uint64_t fp = key & mask;
    return fp == 0 ? 1u : fp;
}

/// Stable LSD radix sort, by their 64-bit key, of n 16-byte records laid out as Swift's
/// ShingleOccurrence (key, then a 32-bit position, then padding), through `scratch`
/// (room for n records); the result is in `items`. n must be below 2^32.
void ms_radix_sort_by_key(void *items, void *scratch, ptrdiff_t n);

/// Home bucket by multiply-shift range reduction of the key's top 32 bits, so the
/// bucket count need not be a power of two (the table can stay ~95% full).
MS_INLINE uint64_t ms_home_bucket(uint64_t key, uint64_t bucket_count) {
    return ((key >> 32) * bucket_count) >> 32;
}

/// Field `slot` of a bucket. slot_bits <= 57, so one unaligned 8-byte load holds it;
/// the load never starts past byte 56, so it never touches the next cache line.
MS_INLINE uint64_t ms_table_field(const ms_table *t, const uint8_t *bucket, uint32_t slot) {
    uint32_t bit = slot * t->slot_bits;
    uint32_t byte = (bit >> 3) < 56 ? (bit >> 3) : 56;
    uint64_t word;
    memcpy(&word, bucket + byte, 8);
    return (word >> (bit - byte * 8)) & ((1ull << t->slot_bits) - 1);
}

/// A field's value in the probe's convention: a position, or MS_MULTI_FLAG | multi-entry index.
MS_INLINE uint32_t ms_table_value(const ms_table *t, uint64_t field) {
    uint64_t value = field >> (t->slot_bits - t->value_bits);
    uint64_t multi = 1ull << (t->value_bits - 1);
    return (value & multi) ? (MS_MULTI_FLAG | (uint32_t)(value & (multi - 1))) : (uint32_t)value;
}

/// Probes one key. Returns the slot value or MS_PROBE_MISS. `max_displacement`
/// bounds the walk so that a corrupted table (no empty slot) cannot loop forever.
/// The builder places entries in (home bucket, fingerprint) order from bucket 0 on
/// (docs/INDEX_FORMAT.md), so, until the walk wraps past the last bucket, the first
/// entry beyond the key's place in that order ends it: a miss reads the entries before
/// it instead of every slot up to the next empty one, in a table 95% full.
MS_INLINE uint32_t ms_table_probe(const ms_table *t, uint64_t key) {
    uint64_t home = ms_home_bucket(key, t->bucket_count);
    uint64_t fp = ms_table_fingerprint(key, t->fingerprint_mask);
    uint64_t tag_mask = (1ull << (t->slot_bits - t->value_bits)) - 1;
    uint64_t displacement_mask = (1ull << t->displacement_bits) - 1;
    uint64_t bucket = home;
    for (uint32_t d = 0; d <= t->max_displacement; d++) {
        const uint8_t *b = t->bytes + bucket * 64;
        int ordered = bucket >= home;
        if (++bucket == t->bucket_count) bucket = 0;
        uint64_t want = fp << t->displacement_bits | d;
        for (uint32_t s = 0; s < t->slots; s++) {
            uint64_t field = ms_table_field(t, b, s);
            uint64_t tag = field & tag_mask;
            if (tag == want) return ms_table_value(t, field);
            if (tag == 0) return MS_PROBE_MISS;
            // An entry displaced less than d has a later home; one displaced d, a
            // larger fingerprint.
            uint64_t displacement = tag & displacement_mask;
            if (ordered && (displacement < d || (displacement == d && (tag >> t->displacement_bits) > fp))) return MS_PROBE_MISS;
        }
    }
    return MS_PROBE_MISS;
}

/// Batched probe: prefetches `distance` keys ahead so that independent DRAM
/// misses overlap (3-4x faster than dependent probes on these machines).
MS_INLINE void ms_table_probe_batch(const ms_table *t, const uint64_t *keys, uint32_t *values, ptrdiff_t count) {
    const ptrdiff_t distance = 16;
    for (ptrdiff_t i = 0; i < count && i < distance; i++)
        ms_prefetch(t->bytes + ms_home_bucket(keys[i], t->bucket_count) * 64);
    for (ptrdiff_t i = 0; i < count; i++) {
        if (i + distance < count)
            ms_prefetch(t->bytes + ms_home_bucket(keys[i + distance], t->bucket_count) * 64);
        values[i] = ms_table_probe(t, keys[i]);
    }
}

// ---------------------------------------------------------------------------
// Offset intersection of sorted position lists: the chains of common seeds spend
// their time here, so the merge is branchless.

/// Writes to `out` every a[i] such that a[i] + offset occurs in b (both ascending);
/// returns how many. `out` may alias `a` (it never runs ahead of the read position).
MS_INLINE ptrdiff_t ms_intersect_offset(const uint32_t *a, ptrdiff_t n, const uint32_t *b, ptrdiff_t m,
                                        int64_t offset, uint32_t *out) {
    ptrdiff_t i = 0, j = 0, k = 0;
    while (i < n && j < m) {
        int64_t av = (int64_t)a[i] + offset;
        int64_t bv = (int64_t)b[j];
        out[k] = a[i];
        k += (av == bv);
        i += (av <= bv);
        j += (bv <= av);
    }
    return k;
}

/// How many of a[0], a[1], ... equal b[0], b[1], ... (at most n): the forward extension of
/// a verbatim match. Four tokens per step as two 64-bit words, so that the long matches of
/// a copied record (or a repetition loop's thousands of diagonals) are compared at memory
/// speed; the first differing token of a word is where its low (earlier) half differs.
MS_INLINE ptrdiff_t ms_common_prefix_u32(const uint32_t *a, const uint32_t *b, ptrdiff_t n) {
    ptrdiff_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; i + 4 <= n; i += 4) {
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, a + i, 8);
        memcpy(&a1, a + i + 2, 8);
        memcpy(&b0, b + i, 8);
        memcpy(&b1, b + i + 2, 8);
        const uint64_t x0 = a0 ^ b0, x1 = a1 ^ b1;
        if (x0 | x1) return x0 ? i + (__builtin_ctzll(x0) >> 5) : i + 2 + (__builtin_ctzll(x1) >> 5);
    }
#endif
    while (i < n && a[i] == b[i]) i++;
    return i;
}

/// How many of a[0], a[-1], ... equal b[0], b[-1], ... (at most n): the backward extension.
/// A word read at a - i - 1 holds a[-i] in its high (later) half.
MS_INLINE ptrdiff_t ms_common_suffix_u32(const uint32_t *a, const uint32_t *b, ptrdiff_t n) {
    ptrdiff_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; i + 4 <= n; i += 4) {
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, a - i - 1, 8);
        memcpy(&a1, a - i - 3, 8);
        memcpy(&b0, b - i - 1, 8);
        memcpy(&b1, b - i - 3, 8);
        const uint64_t x0 = a0 ^ b0, x1 = a1 ^ b1;
        if (x0 | x1) return x0 ? i + (__builtin_clzll(x0) >> 5) : i + 2 + (__builtin_clzll(x1) >> 5);
    }
#endif
    while (i < n && a[-i] == b[-i]) i++;
    return i;
}

/// For each value a[i] (ascending) whose a[i] - offset is some b[j] (ascending) with
/// b_ends[j] >= min_end, copies b_ends[j] to a_ends[i]; writes the indices i of the other
/// values to `uncovered` and returns how many.
MS_INLINE ptrdiff_t ms_cover_offset(const uint32_t *a, ptrdiff_t n, const uint32_t *b, const int64_t *b_ends,
                                    ptrdiff_t m, int64_t offset, int64_t min_end, int64_t *a_ends,
                                    int32_t *uncovered) {
    ptrdiff_t j = 0, k = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        int64_t want = (int64_t)a[i] - offset;
        while (j < m && (int64_t)b[j] < want) j++;
        if (j < m && (int64_t)b[j] == want && b_ends[j] >= min_end) {
            a_ends[i] = b_ends[j];
        } else {
            uncovered[k++] = (int32_t)i;
        }
    }
    return k;
}

/// As ms_intersect_offset for a short `a` and a long `b`: gallops through b, so the
/// cost grows with n log(m / n) rather than m.
MS_INLINE ptrdiff_t ms_intersect_offset_gallop(const uint32_t *a, ptrdiff_t n, const uint32_t *b, ptrdiff_t m,
                                               int64_t offset, uint32_t *out) {
    ptrdiff_t j = 0, k = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        int64_t want = (int64_t)a[i] + offset;
        ptrdiff_t step = 1;
        while (j + step < m && (int64_t)b[j + step] < want) { j += step; step <<= 1; }
        ptrdiff_t hi = j + step < m ? j + step : m - 1;
        while (j < hi) {  // first index in [j, hi] with b >= want
            ptrdiff_t mid = j + ((hi - j) >> 1);
            if ((int64_t)b[mid] < want) j = mid + 1; else hi = mid;
        }
        if (j >= m) break;
        if ((int64_t)b[j] < want) break;
        out[k] = a[i];
        k += ((int64_t)b[j] == want);
    }
    return k;
}

// ---------------------------------------------------------------------------
// LEB128 varints for the token store: ids are ranked by frequency, so most take
// one byte before zstd even sees them (smaller frames, faster decompression).

/// Encodes n values into `out` (room for 5 n bytes); returns the bytes written.
MS_INLINE ptrdiff_t ms_varint_encode(const uint32_t *values, ptrdiff_t n, uint8_t *out) {
    uint8_t *p = out;
    for (ptrdiff_t i = 0; i < n; i++) {
        uint32_t v = values[i];
        while (v >= 0x80) { *p++ = (uint8_t)(v | 0x80); v >>= 7; }
        *p++ = (uint8_t)v;
    }
    return p - out;
}

/// Decodes exactly n values from exactly `size` bytes; -1 if the bytes are not that.
MS_INLINE ptrdiff_t ms_varint_decode(const uint8_t *in, ptrdiff_t size, uint32_t *out, ptrdiff_t n) {
    const uint8_t *p = in, *end = in + size;
    for (ptrdiff_t i = 0; i < n; i++) {
        uint32_t v = 0;
        int shift = 0;
        for (;;) {
            if (p == end || shift > 28) return -1;
            uint8_t b = *p++;
            v |= (uint32_t)(b & 0x7F) << shift;
            if (!(b & 0x80)) break;
            shift += 7;
        }
        out[i] = v;
    }
    return p == end ? n : -1;
}

// ---------------------------------------------------------------------------
// JSON token arrays: generations arrive as arrays of short strings without escapes,
// and locating them is a fifth of a scan that finds little. The general parser
// (Swift) handles everything else.

/// Locates the strings of the JSON array whose '[' is at bytes[pos], when every
/// element is a string without escapes or control characters. Writes the content
/// bounds (start, end) of each string to `bounds` (room for `capacity` pairs) and
/// the offset just past ']' to *end. Returns the number of strings, -1 when the array
/// is not of that form (the caller then parses it in full), -2 when it holds more
/// than `capacity` strings.
MS_INLINE ptrdiff_t ms_json_plain_strings(const uint8_t *bytes, ptrdiff_t n, ptrdiff_t pos,
                                          int64_t *bounds, ptrdiff_t capacity, ptrdiff_t *end) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    ptrdiff_t p = pos + 1, count = 0;
#define MS_SKIP_SPACE while (p < n && (bytes[p] == ' ' || bytes[p] == '\n' || bytes[p] == '\r' || bytes[p] == '\t')) p++
    MS_SKIP_SPACE;
    if (p < n && bytes[p] == ']') { *end = p + 1; return 0; }
    for (;;) {
        if (p >= n || bytes[p] != '"') return -1;
        ptrdiff_t start = ++p;
        // First '"', '\\' or control byte, sixteen or eight at a time (the lowest flagged
        // byte is exact).
        for (;;) {
#if defined(__SSE2__)
            if (p + 16 <= n) {
                __m128i v = _mm_loadu_si128((const __m128i *)(bytes + p));
                __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                            _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xE0)), _mm_setzero_si128()));
                int mask = _mm_movemask_epi8(hits);
                if (mask) { p += __builtin_ctz((unsigned)mask); break; }
                p += 16;
                continue;
            }
#endif
            if (p + 8 <= n) {
                uint64_t word;
                memcpy(&word, bytes + p, 8);
                uint64_t quotes = word ^ (ones * 0x22), slashes = word ^ (ones * 0x5C);
                uint64_t hits = (((quotes - ones) & ~quotes) | ((slashes - ones) & ~slashes) | ((word - ones * 0x20) & ~word)) & highs;
                if (hits) { p += __builtin_ctzll(hits) >> 3; break; }
                p += 8;
            } else {
                while (p < n && bytes[p] != '"' && bytes[p] != '\\' && bytes[p] >= 0x20) p++;
                break;
            }
        }
        if (p >= n || bytes[p] != '"') return -1;
        if (count == capacity) return -2;
        bounds[2 * count] = start;
        bounds[2 * count + 1] = p;
        count++;
        p++;
        MS_SKIP_SPACE;
        if (p < n && bytes[p] == ',') { p++; MS_SKIP_SPACE; continue; }
        if (p < n && bytes[p] == ']') { *end = p + 1; return count; }
        return -1;
    }
#undef MS_SKIP_SPACE
}

/// Copies the strings at `bounds` (start, end pairs into `line`) end to end into `out`
/// and writes each one's end offset to `ends`. Tokens are short: small copies are
/// two overlapping word moves instead of a memcpy call each.
MS_INLINE void ms_gather_strings(const uint8_t *line, const int64_t *bounds, ptrdiff_t count, uint8_t *out, int32_t *ends) {
    int64_t at = 0;
    for (ptrdiff_t i = 0; i < count; i++) {
        const uint8_t *from = line + bounds[2 * i];
        ptrdiff_t n = (ptrdiff_t)(bounds[2 * i + 1] - bounds[2 * i]);
        uint8_t *to = out + at;
        if (n >= 8 && n <= 16) {
            uint64_t head, tail;
            memcpy(&head, from, 8); memcpy(&tail, from + n - 8, 8);
            memcpy(to, &head, 8); memcpy(to + n - 8, &tail, 8);
        } else if (n > 16 && n <= 32) {
            uint64_t w0, w1, w2, w3;
            memcpy(&w0, from, 8); memcpy(&w1, from + 8, 8); memcpy(&w2, from + n - 16, 8); memcpy(&w3, from + n - 8, 8);
            memcpy(to, &w0, 8); memcpy(to + 8, &w1, 8); memcpy(to + n - 16, &w2, 8); memcpy(to + n - 8, &w3, 8);
        } else if (n > 0) {
            memcpy(to, from, (size_t)n);
        }
        at += n;
        ends[i] = (int32_t)at;
    }
}

// ---------------------------------------------------------------------------
// zstd, with errors folded into -1 so that Swift never sees size_t error codes.

MS_INLINE ptrdiff_t ms_zstd_bound(ptrdiff_t size) { return (ptrdiff_t)ZSTD_compressBound((size_t)size); }

/// Compresses one frame with a content checksum, with `dictionary` when not NULL.
MS_INLINE ptrdiff_t ms_zstd_compress(void *dst, ptrdiff_t capacity, const void *src, ptrdiff_t size, int level,
                                     const ZSTD_CDict *dictionary) {
    ZSTD_CCtx *ctx = ZSTD_createCCtx();
    if (!ctx) return -1;
    ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, 1);
    if (dictionary) ZSTD_CCtx_refCDict(ctx, dictionary);
    size_t r = ZSTD_compress2(ctx, dst, (size_t)capacity, src, (size_t)size);
    ZSTD_freeCCtx(ctx);
    return ZSTD_isError(r) ? -1 : (ptrdiff_t)r;
}

/// Decompresses one frame; -1 when the frame is corrupt or does not fit. Reusing
/// one context per thread avoids allocating and clearing ~100 KB per block.
MS_INLINE ptrdiff_t ms_zstd_decompress(ZSTD_DCtx *ctx, void *dst, ptrdiff_t capacity, const void *src, ptrdiff_t size,
                                       const ZSTD_DDict *dictionary) {
    size_t r;
    if (ctx && dictionary) r = ZSTD_decompress_usingDDict(ctx, dst, (size_t)capacity, src, (size_t)size, dictionary);
    else if (ctx) r = ZSTD_decompressDCtx(ctx, dst, (size_t)capacity, src, (size_t)size);
    else if (dictionary) {
        ZSTD_DCtx *own = ZSTD_createDCtx();
        if (!own) return -1;
        r = ZSTD_decompress_usingDDict(own, dst, (size_t)capacity, src, (size_t)size, dictionary);
        ZSTD_freeDCtx(own);
    } else r = ZSTD_decompress(dst, (size_t)capacity, src, (size_t)size);
    return ZSTD_isError(r) ? -1 : (ptrdiff_t)r;
}

/// Trains a zstd dictionary of at most `capacity` bytes from `count` samples laid end
/// to end; returns its size, or -1 when the samples are too few or too small.
MS_INLINE ptrdiff_t ms_zstd_train_dictionary(void *dictionary, ptrdiff_t capacity, const void *samples,
                                             const size_t *sample_sizes, unsigned count) {
    size_t r = ZDICT_trainFromBuffer(dictionary, (size_t)capacity, samples, sample_sizes, count);
    return ZDICT_isError(r) ? -1 : (ptrdiff_t)r;
}

// ---------------------------------------------------------------------------
// Successor ranks (token store model, docs/INDEX_FORMAT.md): within a block, each
// token after the first is stored as its rank among the frequent successors of the
// token before it (0 = most frequent), or as count + id when it is not one of them.
// Most ranks are 0-3, which zstd's entropy stage codes in a few bits.

/// Ranks below this are decoded through the fast table (`ms_successor_fast_table`).
#define MS_FAST_RANKS 16

/// Fills `fast[p * MS_FAST_RANKS + r]` (p below `rows`, r below MS_FAST_RANKS) with the
/// token that rank r decodes to after token p, or UINT32_MAX where the model cannot
/// produce one (the plain decoder would fail there).
MS_INLINE void ms_successor_fast_table(uint32_t *fast, uint32_t rows, const uint32_t *offsets,
                                       const uint32_t *successors, uint32_t successor_count, uint32_t vocab) {
    for (uint32_t p = 0; p < rows; p++) {
        uint32_t start = offsets[p], end = offsets[p + 1];
        int valid = start <= end && end <= successor_count;
        uint32_t length = end - start;
        for (uint32_t r = 0; r < MS_FAST_RANKS; r++) {
            uint32_t token = UINT32_MAX;
            if (valid) token = r < length ? successors[start + r] : r - length;
            fast[(size_t)p * MS_FAST_RANKS + r] = token < vocab ? token : UINT32_MAX;
        }
    }
}

/// Turns ranks back into token ids, in place. -1 on a value the model cannot produce
/// (a corrupt block or model): ids stay below `vocab`, lookups inside `successors`.
/// With `fast` (`fast_rows` rows of `ms_successor_fast_table`), a small rank after a
/// frequent token is one load instead of two dependent ones: decoding is a chain
/// through the previous token, so each step waits for its loads.
MS_INLINE ptrdiff_t ms_successor_decode(uint32_t *values, ptrdiff_t n, const uint32_t *offsets,
                                        const uint32_t *successors, uint32_t successor_count, uint32_t vocab,
                                        const uint32_t *fast, uint32_t fast_rows) {
    if (n == 0) return 0;
    uint32_t previous = values[0];
    if (previous >= vocab) return -1;
    if (successor_count == 0) {
        // No lists (codes without order-1 structure): every code is the id itself, and
        // a valid model's offsets are all zero.
        for (ptrdiff_t i = 1; i < n; i++) if (values[i] >= vocab) return -1;
        return n;
    }
    for (ptrdiff_t i = 1; i < n; i++) {
        uint32_t rank = values[i], token;
        if (rank < MS_FAST_RANKS && previous < fast_rows) {
            token = fast[(size_t)previous * MS_FAST_RANKS + rank];
        } else {
            uint32_t start = offsets[previous], end = offsets[previous + 1];
            if (start > end || end > successor_count) return -1;
            uint32_t length = end - start;
            token = rank < length ? successors[start + rank] : rank - length;
        }
        if (token >= vocab) return -1;
        values[i] = token;
        previous = token;
    }
    return n;
}


// ---- Context sorting (context orders of very common shingles) ----
// Multikey quicksort (Bentley and Sedgewick) of token strings: string i is
// contexts[i * depth ...], lengths[i] tokens. Each partition looks at one token
// position only, so a long shared template prefix is read once per string, not once
// per comparison. A string that ends sorts before its extensions; equal strings by
// index. `order` holds the indices to sort.

MS_INLINE int64_t ms_context_token(const uint32_t *contexts, const uint8_t *lengths, ptrdiff_t depth, int32_t i, ptrdiff_t d) {
    return d < (ptrdiff_t)lengths[i] ? (int64_t)contexts[(ptrdiff_t)i * depth + d] : -1;
}

MS_INLINE int ms_context_less(const uint32_t *contexts, const uint8_t *lengths, ptrdiff_t depth, int32_t a, int32_t b, ptrdiff_t d) {
    for (;; d++) {
        int64_t x = ms_context_token(contexts, lengths, depth, a, d), y = ms_context_token(contexts, lengths, depth, b, d);
        if (x != y) return x < y;
        if (x < 0 || d + 1 >= depth) return a < b;
    }
}

static inline void ms_sort_contexts_from(int32_t *a, ptrdiff_t n, ptrdiff_t d, const uint32_t *contexts,
                                         const uint8_t *lengths, ptrdiff_t depth) {
    while (n > 1) {
        if (n <= 12 || d >= depth) {
            for (ptrdiff_t i = 1; i < n; i++) {
                int32_t v = a[i];
                ptrdiff_t j = i;
                while (j > 0 && (d >= depth ? v < a[j - 1] : ms_context_less(contexts, lengths, depth, v, a[j - 1], d))) {
                    a[j] = a[j - 1];
                    j--;
                }
                a[j] = v;
            }
            return;
        }
        // Median of three tokens at position d.
        int64_t x = ms_context_token(contexts, lengths, depth, a[0], d);
        int64_t y = ms_context_token(contexts, lengths, depth, a[n / 2], d);
        int64_t z = ms_context_token(contexts, lengths, depth, a[n - 1], d);
        int64_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        // Three-way partition: [0, lt) below, [lt, gt) equal, [gt, n) above.
        ptrdiff_t lt = 0, i = 0, gt = n;
        while (i < gt) {
            int64_t t = ms_context_token(contexts, lengths, depth, a[i], d);
            if (t < pivot) { int32_t s = a[lt]; a[lt] = a[i]; a[i] = s; lt++; i++; }
            else if (t > pivot) { gt--; int32_t s = a[gt]; a[gt] = a[i]; a[i] = s; }
            else i++;
        }
        ms_sort_contexts_from(a, lt, d, contexts, lengths, depth);
        ms_sort_contexts_from(a + gt, n - gt, d, contexts, lengths, depth);
        a += lt;
        n = gt - lt;
        if (pivot < 0) d = depth;  // all ended here: equal strings, by index
        else d++;
    }
}

MS_INLINE void ms_sort_contexts(int32_t *order, ptrdiff_t n, const uint32_t *contexts, const uint8_t *lengths, ptrdiff_t depth) {
    ms_sort_contexts_from(order, n, 0, contexts, lengths, depth);
}

/// Near record counting lists each candidate record once. Marks in `listed` (a bit per
/// record) the records of occurrences [0, n) inside the rectangle (right_rank in
/// [r0, r1) and left_rank in [l0, l1); no test when right_rank is NULL), writes to
/// `fresh` each such occurrence whose record was not marked before, and appends to
/// `touched` (room for one more than the words of `listed`) each word that was zero.
/// Returns how many were fresh. Branch-free: whether a record is listed already is
/// not predictable, and most are (every seed of a template lists its holders again).
MS_INLINE ptrdiff_t ms_mark_first_listings(const int32_t *records, ptrdiff_t n, const int32_t *right_rank, int32_t r0, int32_t r1,
                                           const int32_t *left_rank, int32_t l0, int32_t l1, uint64_t *listed,
                                           int32_t *fresh, int32_t *touched, ptrdiff_t *touched_count) {
    ptrdiff_t f = 0, t = *touched_count;
    for (ptrdiff_t o = 0; o < n; o++) {
        uint64_t inside = 1;
        if (right_rank) {
            inside = ((uint32_t)(right_rank[o] - r0) < (uint32_t)(r1 - r0)) & ((uint32_t)(left_rank[o] - l0) < (uint32_t)(l1 - l0));
        }
        int32_t r = records[o];
        uint64_t *word = listed + (r >> 6);
        uint64_t w = *word, bit = inside << (r & 63);
        touched[t] = r >> 6;
        t += (w == 0) & (bit != 0);
        fresh[f] = (int32_t)o;
        f += (bit != 0) & ((w & bit) == 0);
        *word = w | bit;
    }
    *touched_count = t;
    return f;
}

/// Sets bit (positions[i] >> shift) of `words` for each i, appending to `touched` (room
/// for one more than the words) each word that was zero. Branch-free: the near-count
/// filter sets thousands of granules per region, a few per word.
MS_INLINE void ms_set_granules(const uint32_t *positions, ptrdiff_t n, int shift, uint64_t *words,
                               int32_t *touched, ptrdiff_t *touched_count) {
    ptrdiff_t t = *touched_count;
    for (ptrdiff_t i = 0; i < n; i++) {
        uint32_t g = positions[i] >> shift;
        uint64_t *word = words + (g >> 6);
        uint64_t w = *word;
        touched[t] = (int32_t)(g >> 6);
        t += (w == 0);
        *word = w | ((uint64_t)1 << (g & 63));
    }
    *touched_count = t;
}

/// Trigram postings, counting pass: ends[buckets[i]] += 1 for each i, with the counters
/// prefetched some ahead (the buckets are random across a table larger than the caches).
MS_INLINE void ms_count_buckets(const uint32_t *buckets, ptrdiff_t n, uint32_t *ends) {
    for (ptrdiff_t i = 0; i < n; i++) {
        if (i + 16 < n) __builtin_prefetch(ends + buckets[i + 16], 1, 3);
        ends[buckets[i]]++;
    }
}

/// Trigram postings, filling pass: positions[ends[buckets[i]]++] = starts[i], with the
/// cursors prefetched 16 ahead and the slots they point at 8 ahead.
MS_INLINE void ms_scatter_starts(const uint32_t *buckets, const uint32_t *starts, ptrdiff_t n, uint32_t *ends,
                                 uint32_t *positions) {
    for (ptrdiff_t i = 0; i < n; i++) {
        if (i + 16 < n) __builtin_prefetch(ends + buckets[i + 16], 1, 3);
        if (i + 8 < n) __builtin_prefetch(positions + ends[buckets[i + 8]], 1, 3);
        positions[ends[buckets[i]]++] = starts[i];
    }
}

#endif
