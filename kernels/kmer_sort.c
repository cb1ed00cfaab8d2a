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

/* Merge runs of equal hashes of the sorted (sh, st)[0..n) into (h, t); returns the count.
 * sh may be h: the write index never passes the read index. */
static size_t merge_equal(const uint64_t *sh, const uint32_t *st, size_t n, uint64_t *h, uint32_t *t,
                          const uint32_t *parent)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        if (d && h[d - 1] == sh[i]) {
            t[d - 1] = taxonomy_lca(parent, t[d - 1], st[i]);
        } else {
            h[d] = sh[i];
            t[d++] = st[i];
        }
    }
    return d;
}

/* Merge the sorted ranges a = [a0, a1) and b = [a1, b1) of (h, t) into (h2, t2) from a0. */
static void merge_two(const uint64_t *h, const uint32_t *t, size_t a0, size_t a1, size_t b1, uint64_t *h2, uint32_t *t2)
{
    size_t i = a0, j = a1, o = a0;
    while (i < a1 && j < b1) {
        int take_b = h[j] < h[i];
        size_t k = take_b ? j++ : i++;
        h2[o] = h[k];
        t2[o++] = t[k];
    }
    for (; i < a1; i++, o++) h2[o] = h[i], t2[o] = t[i];
    for (; j < b1; j++, o++) h2[o] = h[j], t2[o] = t[j];
}

size_t kmer_sort_merge_runs(uint64_t *h, uint32_t *t, const size_t *bounds, size_t nruns, uint64_t *h_tmp,
                            uint32_t *t_tmp, const uint32_t *parent)
{
    size_t n = nruns ? bounds[nruns] : 0;
    uint64_t *src_h = h, *dst_h = h_tmp;
    uint32_t *src_t = t, *dst_t = t_tmp;
    for (size_t width = 1; width < nruns; width *= 2) { /* runs [r, r + width) are merged into one */
        for (size_t r = 0; r < nruns; r += 2 * width) {
            size_t mid = r + width < nruns ? r + width : nruns, end = r + 2 * width < nruns ? r + 2 * width : nruns;
            merge_two(src_h, src_t, bounds[r], bounds[mid], bounds[end], dst_h, dst_t);
        }
        uint64_t *sh = src_h;
        uint32_t *st = src_t;
        src_h = dst_h, src_t = dst_t, dst_h = sh, dst_t = st;
    }
    return merge_equal(src_h, src_t, n, h, t, parent);
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
    return merge_equal(src_h, src_t, n, h, t, parent);
}
