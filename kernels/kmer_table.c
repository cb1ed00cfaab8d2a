/* Compact minimizer -> taxon table (layout in kmer_table.h).
 *
 * Approach: bucketised linear probing. A key's home bucket is one 64-byte cache line of
 * 16 cells, filled left to right, so a hit almost always touches one line and a miss
 * stops at the first empty cell. Measured for misses (1M keys): 1.16 buckets and 13 cells
 * compared at load 0.7, 1.55 / 20 at 0.8, 3.9 / 58 at 0.9, so keep the load <= 0.8; the
 * false-positive rate grows with the cells compared. A bucket is compared in
 * one go with SSE2 (four 4-cell compares and a 16-bit mask), with a scalar path for other
 * targets. Because cells are never deleted, the empty cells of a bucket are a suffix:
 * "first empty cell" is the lowest set bit of the empty mask. kmer_table_lookup_batch hides
 * memory latency by prefetching the home bucket of the key KMER_TABLE_BATCH places ahead of the
 * one it resolves, so that many cache misses are in flight at once. (Measured on a 177 MB
 * table: ~2.3x faster than one lookup at a time with per-mate batches; once the classifier
 * looked up a group of fragments in one call, the rolling prefetch beat hashing and prefetching
 * in separate groups of 16 by ~3 % of classify CPU.) Only fragments are compared (Kraken 2 does
 * the same), so absent keys can return a value; see the header. */
#include <assert.h>
#include "kmer_table.h"
#include "gb_status.h"
#include "taxonomy.h"
#if defined(__SSE2__) && !defined(KMER_TABLE_SCALAR) /* -DKT_SCALAR tests the portable path */
#include <emmintrin.h>
#endif

#define KMER_TABLE_BATCH 16 /* prefetch distance: lookups in flight */

int kmer_table_value_bits(uint64_t node_count)
{
    int b = 1;
    while (b < 64 && (UINT64_C(1) << b) < node_count) b++;
    return b;
}

uint64_t kmer_table_buckets_for(uint64_t n, double load)
{
    double cells = (double)n / load;
    uint64_t buckets = (uint64_t)(cells / KMER_TABLE_BUCKET_CELLS);
    while ((double)buckets * KMER_TABLE_BUCKET_CELLS < cells) buckets++; /* round up */
    return buckets ? buckets : 1;
}

uint64_t kmer_table_home_mul(uint64_t nbuckets, uint64_t min_hash)
{
    if (!min_hash) return nbuckets;
    unsigned __int128 span = ((unsigned __int128)1 << 64) - min_hash;
    return (uint64_t)((((unsigned __int128)nbuckets) << 64) / span);
}

/* What a probe compares: the fragment, already shifted to its place in a cell. */
typedef struct {
    uint32_t frag;  /* fragment << value_bits */
    uint32_t vmask; /* value part of a cell */
} kmer_table_probe_t;

static inline kmer_table_probe_t probe_for(const kmer_table_t *t, uint64_t h)
{
    kmer_table_probe_t p;
    int vb = t->value_bits;
    p.vmask = vb >= 32 ? UINT32_MAX : (UINT32_C(1) << vb) - 1;
    /* Low key_bits of h, placed above the value; with key_bits 0 every cell matches. */
    p.frag = vb >= 32 ? 0 : (uint32_t)(h << vb);
    return p;
}

/* Bitmasks over the 16 cells of a bucket: cells that are empty, cells whose fragment
 * matches. Bit i is cell i. */
static inline void bucket_masks(const uint32_t *cell, kmer_table_probe_t p, unsigned *empty, unsigned *match)
{
#if defined(__SSE2__) && !defined(KMER_TABLE_SCALAR)
    const __m128i vmask = _mm_set1_epi32((int)p.vmask), fmask = _mm_set1_epi32((int)~p.vmask);
    const __m128i zero = _mm_setzero_si128(), frag = _mm_set1_epi32((int)p.frag);
    unsigned e = 0, m = 0;
    for (int q = 0; q < 4; q++) {
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(cell + 4 * q));
        __m128i ce = _mm_cmpeq_epi32(_mm_and_si128(c, vmask), zero);
        __m128i cm = _mm_cmpeq_epi32(_mm_and_si128(c, fmask), frag);
        e |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(ce)) << (4 * q);
        m |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(cm)) << (4 * q);
    }
    *empty = e;
    *match = m;
#else
    unsigned e = 0, m = 0;
    for (int i = 0; i < KMER_TABLE_BUCKET_CELLS; i++) {
        e |= (unsigned)((cell[i] & p.vmask) == 0) << i;
        m |= (unsigned)((cell[i] & ~p.vmask) == p.frag) << i;
    }
    *empty = e;
    *match = m;
#endif
}

/* Index of the cell that holds the key or would take it: the first matching cell before
 * the first empty one, else the first empty one. Returns -1 when the table is full. */
static int64_t find_cell(const kmer_table_t *t, uint64_t h, kmer_table_probe_t p)
{
    uint64_t b = kmer_table_home_bucket(t, h);
    for (uint64_t step = 0; step < t->nbuckets; step++) {
        const uint32_t *cell = t->cells + b * KMER_TABLE_BUCKET_CELLS;
        unsigned empty, match;
        bucket_masks(cell, p, &empty, &match);
        /* Cells at or after the first empty one are all empty: keep matches before it. */
        unsigned before = empty ? (empty & -empty) - 1 : 0xFFFFu;
        unsigned hit = (match & before) | (empty & -empty);
        if (hit) return (int64_t)(b * KMER_TABLE_BUCKET_CELLS + (uint64_t)__builtin_ctz(hit));
        if (++b == t->nbuckets) b = 0;
    }
    return -1;
}

static inline uint32_t lookup_hashed(const kmer_table_t *t, uint64_t h)
{
    if (!kmer_table_kept(h, t->min_hash)) return 0;
    kmer_table_probe_t p = probe_for(t, h);
    int64_t i = find_cell(t, h, p);
    return i < 0 ? 0 : t->cells[i] & p.vmask; /* an empty cell reads as 0 */
}

uint32_t kmer_table_lookup(const kmer_table_t *t, uint64_t m) { return lookup_hashed(t, kmer_table_hash(m)); }

void kmer_table_lookup_batch(const kmer_table_t *t, const uint64_t *keys, size_t n, uint32_t *out)
{
    uint64_t h[KMER_TABLE_BATCH];
    size_t ahead = n < KMER_TABLE_BATCH ? n : KMER_TABLE_BATCH;
    for (size_t i = 0; i < ahead; i++) {
        h[i] = kmer_table_hash(keys[i]);
        __builtin_prefetch(t->cells + kmer_table_home_bucket(t, h[i]) * KMER_TABLE_BUCKET_CELLS, 0, 0);
    }
    for (size_t i = 0; i < n; i++) {
        size_t slot = i % KMER_TABLE_BATCH;
        uint64_t hi = h[slot];
        if (i + KMER_TABLE_BATCH < n) {
            h[slot] = kmer_table_hash(keys[i + KMER_TABLE_BATCH]);
            __builtin_prefetch(t->cells + kmer_table_home_bucket(t, h[slot]) * KMER_TABLE_BUCKET_CELLS, 0, 0);
        }
        out[i] = keys[i] == UINT64_MAX ? 0 : lookup_hashed(t, hi);
    }
}

int kmer_table_insert(kmer_table_t *t, uint64_t m, uint32_t taxon, const uint32_t *parent)
{
    return kmer_table_insert_hashed(t, kmer_table_hash(m), taxon, parent);
}

int kmer_table_insert_hashed(kmer_table_t *t, uint64_t h, uint32_t taxon, const uint32_t *parent)
{
    kmer_table_probe_t p = probe_for(t, h);
    assert(taxon != 0 && taxon <= p.vmask); /* 0 would read as an empty cell */
    int64_t i = find_cell(t, h, p);
    if (i < 0) return GB_E_FULL;
    uint32_t old = t->cells[i] & p.vmask;
    uint32_t val = old ? taxonomy_lca(parent, old, taxon) : taxon;
    t->cells[i] = p.frag | (val & p.vmask);
    return old == 0;
}
