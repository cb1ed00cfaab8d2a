/* One way to grow arrays (as htslib's hts_resize and minimap2's kvec do it): a pointer and a
 * capacity kept by the caller, grown geometrically so n appends cost O(n) copies in all.
 *
 *   uint32_t *v = NULL; size_t n = 0, cap = 0;
 *   if (GB_GROW(v, cap, n + 1)) goto fail;     // GB_E_NOMEM, v and cap unchanged
 *   v[n++] = x;
 *   ...
 *   free(v);
 *
 * Pure memory management (no I/O, no logging), so kernels may use it as well as the pipeline;
 * callers that must name a file in the error message log it themselves. */
#ifndef GB_ARRAY_H
#define GB_ARRAY_H
#include <stddef.h>
#include "gb_status.h"

/* The growth itself, out of line (kernels/gb_array.c): the check below stays small enough to
 * inline into hot loops. */
int gb_array_grow_slow(void *ptr_addr, size_t *cap, size_t need, size_t elem) GB_MUST_CHECK;

/* Make room for at least `need` elements of `elem` bytes in *(void **)ptr_addr, whose capacity
 * is *cap elements. The new capacity is max(need, 1.5 x cap, 16). New elements are not
 * initialised. Returns GB_OK, or GB_E_NOMEM (also on size overflow) with both unchanged. */
static inline int gb_array_grow(void *ptr_addr, size_t *cap, size_t need, size_t elem)
{
    return need <= *cap ? GB_OK : gb_array_grow_slow(ptr_addr, cap, need, elem);
}

/* GB_GROW(p, cap, need): gb_array_grow for a typed pointer variable p and its size_t cap. */
#define GB_GROW(p, cap, need) gb_array_grow(&(p), &(cap), (need), sizeof *(p))

#endif
