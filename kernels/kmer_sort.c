/* Radix sorting of (hash, taxon) pairs (see kmer_sort.h). LSD radix with 9-bit digits: the
 * hashes are uniform (fmix64), so every pass is a plain counting scatter with no bad cases,
 * and passes over digits that are constant in a partition are skipped (12 partition bits
 * leave 52 bits: 6 passes). */
#include "kmer_sort.h"
#include <string.h>
#include "taxonomy.h"

#define DIGIT_BITS 9
#define DIGITS     (1u << DIGIT_BITS)

void kmer_sort_partition(const uint64_t *h, const uint32_t *t, size_t n, int bits, uint64_t *h_out, uint32_t *t_out,
                         uint64_t *start)
{
    const size_t np = (size_t)1 << bits;
    const int shift = 64 - bits;
    memset(start, 0, (np + 1) * sizeof *start);
    for (size_t i = 0; i < n; i++) start[(h[i] >> shift) + 1]++;
    for (size_t p = 0; p < np; p++) start[p + 1] += start[p];
    /* start[p] is used as the fill cursor of p, then restored from its neighbour's */
    for (size_t i = 0; i < n; i++) {
        uint64_t at = start[h[i] >> shift]++;
        h_out[at] = h[i];
        t_out[at] = t[i];
    }
    for (size_t p = np; p > 0; p--) start[p] = start[p - 1];
    start[0] = 0;
}

/* One stable counting pass on the digit at `shift`, from (h, t) to (h2, t2). */
static void radix_pass(const uint64_t *h, const uint32_t *t, size_t n, int shift, uint64_t *h2, uint32_t *t2)
{
    size_t count[DIGITS] = {0};
    for (size_t i = 0; i < n; i++) count[(h[i] >> shift) & (DIGITS - 1)]++;
    size_t sum = 0;
    for (unsigned d = 0; d < DIGITS; d++) {
        size_t c = count[d];
        count[d] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++) {
        size_t at = count[(h[i] >> shift) & (DIGITS - 1)]++;
        h2[at] = h[i];
        t2[at] = t[i];
    }
}

size_t kmer_sort_merge(uint64_t *h, uint32_t *t, size_t n, int bits, uint64_t *h_tmp, uint32_t *t_tmp,
                       const uint32_t *parent)
{
    if (n == 0) return 0;
    int passes = (64 - bits + DIGIT_BITS - 1) / DIGIT_BITS;
    uint64_t *src_h = h, *dst_h = h_tmp;
    uint32_t *src_t = t, *dst_t = t_tmp;
    for (int p = 0; p < passes; p++) {
        radix_pass(src_h, src_t, n, p * DIGIT_BITS, dst_h, dst_t);
        uint64_t *sh = src_h;
        uint32_t *st = src_t;
        src_h = dst_h, src_t = dst_t, dst_h = sh, dst_t = st;
    }
    /* merge runs of equal hashes from the sorted copy (src) into h, t */
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        if (d && h[d - 1] == src_h[i]) {
            t[d - 1] = taxonomy_lca(parent, t[d - 1], src_t[i]);
        } else {
            h[d] = src_h[i];
            t[d++] = src_t[i];
        }
    }
    return d;
}
