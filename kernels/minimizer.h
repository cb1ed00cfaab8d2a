/* Canonical spaced minimizers with Kraken 2 (2.1.2) semantics.
 * Pure compute: no I/O, no allocation, no globals. */
#ifndef GB_MINIMIZER_H
#define GB_MINIMIZER_H
#include <stddef.h>
#include <stdint.h>

/* 2-bit code of a base: A/a=0 C/c=1 G/g=2 T/t=3, every other byte 4 (ambiguous). */
extern const uint8_t minimizer_dna_code[256];

#define MINIMIZER_AMBIGUOUS UINT64_MAX /* item value of an ambiguous k-mer */
#define MINIMIZER_MAX_SPAN  1024       /* supported k - l */

typedef struct {
    int k;             /* k-mer length (35) */
    int l;             /* minimizer length (31), 1 <= l <= 31, l <= k */
    int spaced;        /* spaced-seed s (7): 0 means no mask */
    uint64_t mask;     /* spaced-seed mask, widened to 2 bits per base */
    uint64_t toggle;   /* toggle mask, already cut to 2l bits */
    int legacy_revcom; /* 1: Kraken 2 before 2.0.8 (revcom_version 0), see minimizer_scan */
} minimizer_params_t;

/* Kraken 2 defaults: k=35, l=31, s=7, toggle 0xe37e28c4271b5a2d, current canonical form. */
void minimizer_params_init(minimizer_params_t *p, int k, int l, int spaced);

/* Spaced-seed mask for l and s: template "1"x(l-2s) + "01"x s, each bit widened to 2. */
uint64_t minimizer_spaced_mask(int l, int s);

/* Scan seq[0..n): write one item per k-mer end position e = k-1 .. n-1 into out
 * (out must hold n-k+1 items when n >= k). Each item is the masked canonical minimizer
 * (without toggle) or MINIMIZER_AMBIGUOUS. Returns the number of items (0 when n < k).
 * Kraken 2's rules, including its quirk that a k-mer whose only ambiguous base is
 * its first one is not ambiguous. With legacy_revcom the canonical choice compares the
 * l-mer with Kraken 2's pre-2.0.8 "reverse complement": the true one shifted up by 32 - l
 * bases, filled with T (code 3) below, cut to l bases (docs/KRAKEN2-COMPAT.md K2). */
size_t minimizer_scan(const minimizer_params_t *p, const char *seq, size_t n, uint64_t *out);

#endif
