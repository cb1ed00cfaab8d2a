/* Ordered linear probing: an insert walks from the home slot past smaller keys and shifts
 * the rest of the run one slot right. The invariant slot(key) = max(home(key), slot(prev)+1)
 * over keys in ascending order makes the layout canonical. */
#include "kmer_map.h"
#include "gb_status.h"
#include "taxonomy.h"

static inline uint64_t kmer_map_home(const kmer_map_t *m, uint64_t key)
{
    return (uint64_t)(((unsigned __int128)(key << m->shift) * m->cap) >> 64);
}

int kmer_map_insert(kmer_map_t *m, uint64_t key, uint32_t taxon, const uint32_t *parent)
{
    if (key == 0) {
        m->count += m->zero_val == 0;
        m->zero_val = taxonomy_lca(parent, m->zero_val, taxon);
        return GB_OK;
    }
    const uint64_t end = m->cap + KMER_MAP_SLACK;
    uint64_t *keys = m->keys, i = kmer_map_home(m, key);
    while (i < end && keys[i] && keys[i] < key) i++; /* empty (0) stops the walk */
    if (i == end) return GB_E_FULL;
    if (keys[i] == key) {
        m->vals[i] = taxonomy_lca(parent, m->vals[i], taxon);
        return GB_OK;
    }
    uint64_t j = i;
    while (j < end && keys[j]) j++;
    if (j == end) return GB_E_FULL;
    /* shift [i, j) right by one: runs are short, a plain loop beats memmove */
    for (; j > i; j--) {
        keys[j] = keys[j - 1];
        m->vals[j] = m->vals[j - 1];
    }
    keys[i] = key;
    m->vals[i] = taxon;
    m->count++;
    return GB_OK;
}

int kmer_map_rehash(const kmer_map_t *src, kmer_map_t *dst)
{
    const uint64_t end = dst->cap + KMER_MAP_SLACK, src_end = src->cap + KMER_MAP_SLACK;
    uint64_t next = 0;
    for (uint64_t i = 0; i < src_end; i++) {
        if (!src->keys[i]) continue;
        uint64_t slot = kmer_map_home(dst, src->keys[i]);
        if (slot < next) slot = next;
        if (slot >= end) return GB_E_FULL;
        dst->keys[slot] = src->keys[i];
        dst->vals[slot] = src->vals[i];
        next = slot + 1;
    }
    dst->zero_val = src->zero_val;
    dst->count = src->count;
    return GB_OK;
}
