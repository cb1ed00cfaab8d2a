/* Exact hash -> taxon map with a canonical layout (ordered linear probing, Amble & Knuth):
 * keys sit in ascending order across the array, each at or after its home slot, so the
 * layout depends only on the set of keys, never on insertion order or thread count.
 * Used by the database build: one map per shard of the 64-bit minimizer hash space, then
 * read out in ascending hash order. Pure compute over caller-owned arrays.
 * Key 0 marks an empty slot, so the probe loop reads one array; the key 0 itself (the hash
 * of minimizer 0) is kept aside in zero_val. */
#ifndef GB_KMER_MAP_H
#define GB_KMER_MAP_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

#define KMER_MAP_SLACK 256 /* slots past the last home slot, so runs never wrap */

typedef struct {
    uint64_t *keys;    /* cap + KMER_MAP_SLACK keys, 0 = empty (zeroed by the caller) */
    uint32_t *vals;    /* taxon per occupied slot */
    uint64_t cap;      /* home slots */
    uint64_t count;    /* entries, the key 0 included */
    uint32_t zero_val; /* taxon of key 0, 0 when absent */
    int shift;         /* key bits used for the shard; home = mulhi(key << shift, cap) */
} kmer_map_t;

/* Insert key with taxon (>0), merging with LCA(parent) when present.
 * Returns GB_OK, or GB_E_FULL when the map has no room (grow with kmer_map_rehash and retry;
 * m is then unchanged). */
int kmer_map_insert(kmer_map_t *m, uint64_t key, uint32_t taxon, const uint32_t *parent) GB_MUST_CHECK;

/* Move every entry of src into dst (whose keys the caller zeroed, with a larger cap).
 * Returns GB_OK, or GB_E_FULL if dst is too small. */
int kmer_map_rehash(const kmer_map_t *src, kmer_map_t *dst) GB_MUST_CHECK;

#endif
