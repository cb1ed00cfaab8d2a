/* Taxonomy as flat arrays of internal ids: 0 is "none", 1 the root, parent[i] < i.
 * Pure compute. */
#ifndef GB_TAXONOMY_H
#define GB_TAXONOMY_H
#include <stdint.h>

/* Lowest common ancestor; a 0 argument returns the other one. */
static inline uint32_t taxonomy_lca(const uint32_t *parent, uint32_t a, uint32_t b)
{
    if (a == 0) return b;
    if (b == 0) return a;
    while (a != b) {
        if (a > b) a = parent[a];
        else b = parent[b];
    }
    return a;
}

/* 1 when a is b or an ancestor of b; 0 when either is 0. */
static inline int taxonomy_is_ancestor(const uint32_t *parent, uint32_t a, uint32_t b)
{
    if (a == 0 || b == 0) return 0;
    while (b > a) b = parent[b];
    return b == a;
}

#endif
