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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gb_status.h"

/* Make room for at least `need` elements of `elem` bytes in *(void **)ptr_addr, whose capacity
 * is *cap elements. The new capacity is max(need, 1.5 x cap, 16). New elements are not
 * initialised. Returns GB_OK, or GB_E_NOMEM (also on size overflow) with both unchanged. */
static inline int gb_array_grow(void *ptr_addr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return GB_OK;
    size_t want = *cap + *cap / 2;
    if (want < need) want = need;
    if (want < 16) want = 16;
    if (elem && want > SIZE_MAX / elem) return GB_E_NOMEM;
    void *old;
    memcpy(&old, ptr_addr, sizeof old); /* ptr_addr is any T **: no aliasing assumptions */
    void *grown = realloc(old, want * elem);
    if (!grown) return GB_E_NOMEM;
    memcpy(ptr_addr, &grown, sizeof grown);
    *cap = want;
    return GB_OK;
}

/* GB_GROW(p, cap, need): gb_array_grow for a typed pointer variable p and its size_t cap. */
#define GB_GROW(p, cap, need) gb_array_grow(&(p), &(cap), (need), sizeof *(p))

#endif
