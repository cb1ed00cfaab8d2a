/* Reproducible sums: a sum of doubles whose result is bitwise the same whatever the order
 * the terms are added in and however they are split between threads and MPI ranks, so that
 * 'gutbrain stats' gives one answer for any rank and thread count (docs/STATS.md, "Ranks and
 * threads").
 *
 * Approach (pre-rounding, as in the "binned" sums of the reproducible-BLAS literature): given
 * a bound on the magnitude of every term and on their number, each term x is split exactly
 * into RSUM_LEVELS parts on fixed grids g1 > g2 > g3 (x = q1 + q2 + q3 + a tiny rest that is
 * dropped); q_l is a multiple of g_l and every partial sum of the q_l stays below 2^53 g_l, so
 * adding them is EXACT in any order. An accumulator is RSUM_LEVELS doubles; accumulators are
 * added element by element (also exact), e.g. by MPI_Allreduce with MPI_SUM, and turned into
 * one double at the end. Accuracy: the dropped rests total at most nterms x g3 / 2, about
 * nterms^3 x bound x 2^-154, far below the rounding error of a plain sum of the same terms.
 *
 * Terms above the bound would break exactness silently, so callers derive the bound from
 * maxima (order-independent) of their inputs. Pure compute; no allocation. */
#ifndef GB_RSUM_H
#define GB_RSUM_H
#include <stddef.h>

enum { RSUM_LEVELS = 3 };

typedef struct {
    double m[RSUM_LEVELS]; /* 1.5 x 2^52 x g_l: adding and removing it rounds to the grid g_l */
} rsum_scale_t;

/* The grids for sums of at most nterms terms, each of magnitude <= bound (finite, >= 0). */
void rsum_scale_init(rsum_scale_t *s, double bound, size_t nterms);

/* acc[0..RSUM_LEVELS) += x. The additions cannot be reassociated or contracted by the
 * compiler (no multiplications; GCC keeps (x + m) - m without -ffast-math). */
static inline void rsum_add(const rsum_scale_t *s, double *acc, double x)
{
    for (int l = 0; l < RSUM_LEVELS; l++) {
        double q = (x + s->m[l]) - s->m[l];
        acc[l] += q;
        x -= q;
    }
}

/* The sum held by an accumulator (the levels combined in one fixed order). */
static inline double rsum_value(const double *acc) { return (acc[0] + acc[1]) + acc[2]; }

#endif
