/* Lookups in a Kraken 2 hash.k2d (layout in k2_table.h).
 *
 * Approach: as kmer_table_lookup_batch, prefetch the home cell of the key K2_TABLE_BATCH
 * places ahead of the one being resolved, so that many cache misses are in flight at once
 * (software pipelining: on the 180 MB table of benchmarks/k2db_speed.sh, 11 % less classify CPU
 * than hashing and prefetching groups of 16 then resolving them, which let the misses in flight
 * drain to zero at the end of every group; a distance of 24 or 32 was slower).
 * The probe is Kraken 2's: one cell at a time from h mod capacity, stop at an empty cell
 * or after a full turn. The cell width is fixed per table, so the batch dispatches once
 * to a probe loop specialised for 32- or 40-bit cells. The home cell h mod capacity is
 * computed with multiplications (k2_table_home) rather than a 64-bit division per lookup. */
#include <string.h>
#include "k2_table.h"
#include "kmer_table.h"

#define K2_TABLE_BATCH 16 /* prefetch distance: lookups in flight */

/* The stored key bits of cell i, and its value bits in *value. A 40-bit cell's key is
 * assembled in 32 bits, as Kraken 2 does, so it only differs from the fragment when
 * value_bits < 8: then a cell matches only if the fragment's top 8 - value_bits bits are zero,
 * in Kraken 2 too (tests/integration/kraken2_db40.sh: a 5-value-bit database agrees read for
 * read). */
static inline uint64_t cell_at(const unsigned char *cells, uint64_t i, int cell_bytes, int vb, uint32_t *value)
{
    uint32_t a;
    memcpy(&a, cells + i * (uint64_t)cell_bytes, 4);
    *value = a & ((UINT32_C(1) << vb) - 1);
    if (cell_bytes == 4) return a >> vb;
    uint32_t b = cells[i * 5 + 4];
    return (uint32_t)((a >> vb) | (b << (32 - vb)));
}

/* Probe from home = h mod capacity for the fragment of h (the top key_bits bits). */
static inline uint32_t probe(const k2_table_t *t, uint64_t h, uint64_t home, int cell_bytes)
{
    const int vb = t->value_bits;
    const uint64_t frag = h >> (64 - 8 * cell_bytes + vb);
    uint64_t i = home;
    do {
        uint32_t value;
        uint64_t key = cell_at(t->cells, i, cell_bytes, vb, &value);
        if (value == 0) return 0;
        if (key == frag) return value <= t->max_value ? value : 0;
        if (++i == t->capacity) i = 0;
    } while (i != home);
    return 0;
}

static inline uint32_t lookup_hashed(const k2_table_t *t, uint64_t h)
{
    if (!kmer_table_kept(h, t->min_hash)) return 0;
    uint64_t home = k2_table_home(t, h);
    return t->cell_bytes == 4 ? probe(t, h, home, 4) : probe(t, h, home, 5);
}

void k2_table_set_capacity(k2_table_t *t, uint64_t capacity)
{
    t->capacity = capacity;
    t->mod_magic = ~(unsigned __int128)0 / capacity + 1; /* 0 for capacity 1: every home is 0 */
}

uint32_t k2_table_lookup(const k2_table_t *t, uint64_t m) { return lookup_hashed(t, kmer_table_hash(m)); }

/* Software-pipelined: the home cell of key i + K2_TABLE_BATCH is prefetched just before key i
 * is probed, so K2_TABLE_BATCH misses stay in flight over the whole array. */
static inline void lookup_batch(const k2_table_t *t, const uint64_t *keys, size_t n, uint32_t *out, int cell_bytes)
{
    uint64_t h[K2_TABLE_BATCH], home[K2_TABLE_BATCH];
    size_t ahead = n < K2_TABLE_BATCH ? n : K2_TABLE_BATCH;
    for (size_t i = 0; i < ahead; i++) {
        h[i] = kmer_table_hash(keys[i]);
        home[i] = k2_table_home(t, h[i]);
        __builtin_prefetch(t->cells + home[i] * (uint64_t)cell_bytes, 0, 0);
    }
    for (size_t i = 0; i < n; i++) {
        size_t slot = i % K2_TABLE_BATCH;
        uint64_t hi = h[slot], homei = home[slot];
        if (i + K2_TABLE_BATCH < n) {
            h[slot] = kmer_table_hash(keys[i + K2_TABLE_BATCH]);
            home[slot] = k2_table_home(t, h[slot]);
            __builtin_prefetch(t->cells + home[slot] * (uint64_t)cell_bytes, 0, 0);
        }
        out[i] = keys[i] == UINT64_MAX || !kmer_table_kept(hi, t->min_hash) ? 0 : probe(t, hi, homei, cell_bytes);
    }
}

void k2_table_lookup_batch(const k2_table_t *t, const uint64_t *keys, size_t n, uint32_t *out)
{
    if (t->cell_bytes == 4) lookup_batch(t, keys, n, out, 4);
    else lookup_batch(t, keys, n, out, 5);
}
