#include "gb_array.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int gb_array_grow_slow(void *ptr_addr, size_t *cap, size_t need, size_t elem)
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
