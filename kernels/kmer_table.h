/* Compact minimizer -> taxon table. Pure compute over a caller-owned cell array.
 *
 * Layout: nbuckets buckets of KMER_TABLE_BUCKET_CELLS 32-bit cells (one 64-byte cache line each).
 * A cell is (fragment << value_bits) | value; value 0 means empty, so taxon 0 is never stored.
 * h = kmer_table_hash(m) (MurmurHash3 fmix64). The home bucket is the high product
 * (h * nbuckets) >> 64, the fragment is the low key_bits (= 32 - value_bits) bits of h, so
 * bucket and fragment come from independent bits. A bucket is filled left to right; a
 * full bucket overflows into the next one (wrapping). Lookup stops at the first empty cell.
 * Only the fragment is compared (as Kraken 2 does): a lookup of an absent minimizer
 * returns a value with probability about probe_cells * 2^-key_bits.
 * A capped table (build --max-db-size) holds only hashes >= min_hash; lookups of smaller ones
 * are misses without a probe, as Kraken 2 does with min_clear_hash_value (kmer_table_kept). */
#ifndef GB_KMER_TABLE_H
#define GB_KMER_TABLE_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

#define KMER_TABLE_BUCKET_CELLS 16

typedef struct {
    uint32_t *cells; /* nbuckets * KMER_TABLE_BUCKET_CELLS cells, 64-byte aligned, owned by caller */
    uint64_t nbuckets;
    int value_bits;    /* bits of a cell that hold the taxon */
    uint64_t min_hash; /* capped tables: hashes below it are not stored (0 = none) */
    uint64_t home_mul; /* capped tables: kmer_table_home_mul(nbuckets, min_hash); 0 = nbuckets */
} kmer_table_t;

static inline uint64_t kmer_table_hash(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Whether a table capped at min_hash (0 = none) may hold hash h: one rule for both table
 * kinds (k2_table.c applies it to Kraken 2's min_clear_hash_value). */
static inline int kmer_table_kept(uint64_t h, uint64_t min_hash) { return h >= min_hash; }

/* The home bucket spreads the stored hashes [min_hash, 2^64) over all buckets:
 * ((h - min_hash) * home_mul) >> 64, which is (h * nbuckets) >> 64 when uncapped. */
static inline uint64_t kmer_table_home_bucket(const kmer_table_t *t, uint64_t h)
{
    uint64_t mul = t->home_mul ? t->home_mul : t->nbuckets;
    return (uint64_t)(((unsigned __int128)(h - t->min_hash) * mul) >> 64);
}

/* floor(nbuckets * 2^64 / (2^64 - min_hash)): the multiplier that maps [min_hash, 2^64) onto
 * [0, nbuckets) (min_hash 0 gives nbuckets; nbuckets < 2^64 - min_hash). */
uint64_t kmer_table_home_mul(uint64_t nbuckets, uint64_t min_hash);

/* Smallest b >= 1 with 2^b >= node_count (node_count includes the dummy node 0). */
int kmer_table_value_bits(uint64_t node_count);

/* Buckets needed for n keys at the given load factor (0 < load <= 0.95). */
uint64_t kmer_table_buckets_for(uint64_t n, double load);

/* Taxon stored for minimizer m, or 0. */
uint32_t kmer_table_lookup(const kmer_table_t *t, uint64_t m);

/* out[i] = kmer_table_lookup(t, keys[i]) for i < n, with software prefetch; keys equal to
 * UINT64_MAX give 0 without a lookup. */
void kmer_table_lookup_batch(const kmer_table_t *t, const uint64_t *keys, size_t n, uint32_t *out);

/* Insert m with taxon (1 .. 2^value_bits-1): an empty cell takes it, a cell with the same
 * fragment becomes LCA(old, taxon) under parent[]. Not thread-safe. Returns 1 when a new
 * cell was used, 0 when merged (the kernels' convention: a non-negative result on success),
 * GB_E_FULL when the table is full. */
int kmer_table_insert(kmer_table_t *t, uint64_t m, uint32_t taxon, const uint32_t *parent) GB_MUST_CHECK;

/* kmer_table_insert for a key already hashed: h = kmer_table_hash(m). */
int kmer_table_insert_hashed(kmer_table_t *t, uint64_t h, uint32_t taxon, const uint32_t *parent) GB_MUST_CHECK;

#endif
