/* Canonical spaced minimizers with Kraken 2 (2.1.2) semantics.
 *
 * Approach: the sequence is handled in chunks of MINIMIZER_CHUNK bases, in two passes each.
 * 1. Keys: two rolling l-mers, the forward value (new base in the low 2 bits) and its
 *    reverse complement (complemented base entering at the top), so the canonical form
 *    costs a compare, not a reversal. key = (canonical AND spaced mask) XOR toggle, or
 *    NO_KEY when the l-mer holds an ambiguous base. This pass is branch-free.
 * 2. Window minimum over w = k-l+1 consecutive keys by doubling (min of 2, of 4, ...,
 *    then two overlapping blocks): about log2(w)+1 vectorisable passes, no data-dependent
 *    branches. A monotone deque does O(1) amortised work too but mispredicts on random
 *    keys; it measured ~3x slower here (8-10 vs ~2.9 ns/base at k=35 l=31 s=7).
 * The last k-l keys of a chunk are carried to the next one. No division, no allocation.
 *
 * Ambiguity: `run` counts the unambiguous bases ending at the current position. An item
 * is reported only when run >= k-1 (run >= k when k == l): this is Kraken 2's rule that
 * a k-mer whose only ambiguous base is its first one still gets a minimizer (from k-1
 * bases), so an isolated N yields k-1 ambiguous items. l-mers that overlap the last
 * ambiguous base are NO_KEY, which gives the window max(e-k+1, p+1) .. e-l+1. */
#include <assert.h>
#include <string.h>
#include "minimizer.h"

#define MINIMIZER_TOGGLE 0xe37e28c4271b5a2dULL
#define MINIMIZER_CHUNK  512 /* bases per chunk */
#define NO_KEY           INT64_MAX

#define A4  4, 4, 4, 4
#define A16 A4, A4, A4, A4
#define A64 A16, A16, A16, A16

/* Every byte but ACGT/acgt is ambiguous (code 4). */
/* clang-format off */
const uint8_t minimizer_dna_code[256] = {
    A64,                                     /* 0x00 - 0x3f */
    4, 0, 4, 1, 4, 4, 4, 2, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x40 '@' A . C . . . G */
    4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x50 . . . . T */
    4, 0, 4, 1, 4, 4, 4, 2, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x60 '`' a . c . . . g */
    4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x70 . . . . t */
    A64, A64                                 /* 0x80 - 0xff */
};
/* clang-format on */

static uint64_t low_bits_mask(int bits) { return bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1; }

uint64_t minimizer_spaced_mask(int l, int s)
{
    /* Template "1"x(l-2s) + "01"x s: bit i (from the right) is 0 exactly for odd i < 2s;
     * widened, the 2-bit digit of each such base is cleared. */
    uint64_t mask = low_bits_mask(2 * l);
    for (int j = 0; j < s && 2 * j + 1 < l; j++) mask &= ~(UINT64_C(3) << (2 * (2 * j + 1)));
    return mask;
}

void minimizer_params_init(minimizer_params_t *p, int k, int l, int spaced)
{
    assert(l >= 1 && l <= 31 && l <= k && k - l <= MINIMIZER_MAX_SPAN);
    p->k = k;
    p->l = l;
    p->spaced = spaced;
    p->mask = minimizer_spaced_mask(l, spaced);
    p->toggle = MINIMIZER_TOGGLE & low_bits_mask(2 * l);
    p->legacy_revcom = 0;
}

/* Scratch for one chunk: keys of the l-mers ending at each position, preceded by the
 * last `span` keys of the previous chunk, and the window minima. Keys are below 2^62, so
 * they fit int64_t and NO_KEY (an l-mer with an ambiguous base) compares above all. */
typedef struct {
    int64_t key[MINIMIZER_MAX_SPAN + MINIMIZER_CHUNK];
    int64_t tmp[2][MINIMIZER_MAX_SPAN + MINIMIZER_CHUNK];
    uint64_t amb[MINIMIZER_CHUNK]; /* MINIMIZER_AMBIGUOUS for an ambiguous item, else 0 */
} minimizer_chunk_t;

/* dst[j] = min(src[j], src[j - d]) for j in [lo, hi). */
static void min_shifted(int64_t *restrict dst, const int64_t *restrict src, size_t lo, size_t hi, size_t d)
{
    for (size_t j = lo; j < hi; j++) dst[j] = src[j] < src[j - d] ? src[j] : src[j - d];
}

/* Minimum of key[j - w + 1 .. j] for j in [w - 1, hi), by doubling: after the step to
 * width, m[j] covers key[j - width + 1 .. j] (valid from j = width - 1); the last step
 * overlaps two such blocks. Only valid entries are ever read. */
static const int64_t *window_min(minimizer_chunk_t *c, size_t w, size_t hi)
{
    const int64_t *src = c->key;
    size_t width = 1, which = 0;
    while (2 * width <= w) {
        min_shifted(c->tmp[which], src, 2 * width - 1, hi, width);
        src = c->tmp[which];
        which ^= 1;
        width *= 2;
    }
    if (width < w) {
        min_shifted(c->tmp[which], src, w - 1, hi, w - width);
        src = c->tmp[which];
    }
    return src;
}

/* Pass 1 over bases [i0, i0 + len): keys and item masks, branch-free (an ambiguous base only
 * zeroes run). fwd keeps stale high bits (masked on use) to keep its dependency chain short.
 * `legacy` is a constant at each call, so the current canonical form pays nothing for it. */
static inline __attribute__((always_inline)) void chunk_keys(const minimizer_params_t *p, const unsigned char *s,
                                                             size_t len, size_t span, minimizer_chunk_t *c,
                                                             uint64_t *fwd, uint64_t *rev, size_t *run, int legacy)
{
    const size_t l = (size_t)p->l, need = (size_t)p->k > l ? (size_t)p->k - 1 : l;
    const uint64_t lmask = low_bits_mask(2 * p->l), smask = p->mask, tog = p->toggle;
    const unsigned top = 2 * (unsigned)(l - 1), shift = 2 * (32 - (unsigned)l);
    const uint64_t fill = legacy ? low_bits_mask((int)shift) : 0;
    uint64_t f0 = *fwd, r0 = *rev;
    size_t r = *run;
    for (size_t t = 0; t < len; t++) {
        uint64_t b = minimizer_dna_code[s[t]];
        r = b > 3 ? 0 : r + 1;
        b &= 3;
        f0 = (f0 << 2) | b;
        r0 = (r0 >> 2) | ((3 - b) << top);
        uint64_t f = f0 & lmask, rc = legacy ? ((r0 << shift) | fill) & lmask : r0, canon = f < rc ? f : rc;
        c->key[span + t] = r >= l ? (int64_t)((canon & smask) ^ tog) : NO_KEY;
        c->amb[t] = r >= need ? 0 : MINIMIZER_AMBIGUOUS;
    }
    *fwd = f0;
    *rev = r0;
    *run = r;
}

size_t minimizer_scan(const minimizer_params_t *p, const char *seq, size_t n, uint64_t *out)
{
    const size_t k = (size_t)p->k, l = (size_t)p->l;
    if (n < k) return 0;
    assert(p->l >= 1 && p->l <= 31 && k >= l && k - l <= MINIMIZER_MAX_SPAN);
    const uint64_t tog = p->toggle;
    const size_t span = k - l; /* window = l-mers ending in [e-span, e] */
    const unsigned char *s = (const unsigned char *)seq;
    minimizer_chunk_t c;
    uint64_t fwd = 0, rev = 0;
    size_t run = 0;

    for (size_t j = 0; j < span; j++) c.key[j] = NO_KEY;
    for (size_t i0 = 0; i0 < n; i0 += MINIMIZER_CHUNK) {
        size_t len = n - i0 < MINIMIZER_CHUNK ? n - i0 : MINIMIZER_CHUNK;
        if (p->legacy_revcom) chunk_keys(p, s + i0, len, span, &c, &fwd, &rev, &run, 1);
        else chunk_keys(p, s + i0, len, span, &c, &fwd, &rev, &run, 0);
        const int64_t *win = window_min(&c, span + 1, span + len);
        size_t t0 = i0 + 1 >= k ? 0 : k - 1 - i0; /* first position that ends a k-mer */
        uint64_t *o = out + i0 + t0 + 1 - k;
        for (size_t t = t0; t < len; t++)
            o[t - t0] = ((uint64_t)win[span + t] ^ tog) | c.amb[t]; /* MINIMIZER_AMBIGUOUS is all ones */
        memmove(c.key, c.key + len, span * sizeof c.key[0]);
    }
    return n - k + 1;
}
