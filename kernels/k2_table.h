/* Lookups in a Kraken 2 compact hash table (hash.k2d), read in place. Pure compute over a
 * caller-owned cell array (docs/KRAKEN2-COMPAT.md K2).
 *
 * Layout: capacity cells of 4 bytes (32-bit cells) or 5 packed bytes (40-bit cells: a
 * little-endian u32 then one byte of the key's top bits). A cell is
 * (fragment << value_bits) | value with key_bits + value_bits = 32 or 40; value 0 = empty.
 * h = kmer_table_hash(m); the fragment is h >> (64 - key_bits); the home cell is h mod
 * capacity, probed one cell at a time with wrap-around. Only fragments are compared, so an
 * absent minimizer can be found, exactly as in Kraken 2. */
#ifndef GB_K2_TABLE_H
#define GB_K2_TABLE_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const unsigned char *cells;  /* capacity * cell_bytes bytes, owned by the caller */
    uint64_t capacity;           /* set with k2_table_set_capacity (it also sets mod_magic) */
    unsigned __int128 mod_magic; /* ceil(2^128 / capacity): h mod capacity without a division */
    int cell_bytes;              /* 4 or 5 */
    int value_bits;              /* 1 .. 31, key_bits = 8 * cell_bytes - value_bits */
    uint64_t min_hash;           /* capped databases: h < min_hash is a miss without lookup (0 = none) */
    uint32_t max_value;          /* values above it (a corrupt table) read as misses */
} k2_table_t;

/* Set t->capacity (>= 1) and the constant that reduces a hash modulo it. */
void k2_table_set_capacity(k2_table_t *t, uint64_t capacity);

/* h mod t->capacity, exactly, by multiplications (Lemire, Kaser and Kurz 2019, "Faster
 * remainder by direct computation": with a 128-bit ceil(2^128 / d) the remainder of every
 * 64-bit h is the high 64 bits of (magic * h mod 2^128) * d). */
static inline uint64_t k2_table_home(const k2_table_t *t, uint64_t h)
{
    unsigned __int128 low = t->mod_magic * h;
    unsigned __int128 bottom = ((unsigned __int128)(uint64_t)low * t->capacity) >> 64;
    unsigned __int128 top = (unsigned __int128)(uint64_t)(low >> 64) * t->capacity;
    return (uint64_t)((bottom + top) >> 64);
}

/* Internal taxon stored for minimizer m, or 0. */
uint32_t k2_table_lookup(const k2_table_t *t, uint64_t m);

/* out[i] = k2_table_lookup(t, keys[i]) for i < n, with the home cells prefetched in groups;
 * keys equal to UINT64_MAX give 0 without a lookup. */
void k2_table_lookup_batch(const k2_table_t *t, const uint64_t *keys, size_t n, uint32_t *out);

#endif
