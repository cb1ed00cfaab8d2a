/* Register-tiled micro-kernels shared by the PERMANOVA product (permanova.c) and the row-block
 * symmetric product (rowblk.c): small dense products of rows of a packed-lower matrix with a
 * thin row-major matrix, in which every output element is summed in one fixed order (so the
 * results never depend on how the work is split).
 *
 * Shape, tuned on the 2-core AMD EPYC (Zen 4) of the project machine at n = 2000 for
 * PERMANOVA: MR 6 x NR 8 gives 12 independent 4-wide accumulators (enough to cover FMA
 * latency) and reached ~40 GFLOPS per core against ~24 for 4 x 8 and ~26 for 8 x 8. */
#ifndef GB_MICROTILE_H
#define GB_MICROTILE_H
#include <stddef.h>
#include "gb_clones.h"

enum {
    MICROTILE_MR = 6, /* rows (or columns, microtile_cols) per register tile */
    MICROTILE_NR = 8  /* output columns per register tile: two 4-double vectors */
};
_Static_assert(MICROTILE_NR % 4 == 0, "register tiles are whole 4-double vectors");

#define MICROTILE_INLINE static inline __attribute__((always_inline))

/* The product kernel is also compiled for x86-64-v3 (AVX2 + FMA) and picked at load time;
 * one machine always runs the same clone, so its results are reproducible there. (An AVX-512
 * clone was no faster on Zen 4, which splits 512-bit FMAs in two.) Not in sanitizer builds
 * (gb_clones.h). */
#define MICROTILE_CLONES GB_TARGET_CLONES("arch=x86-64-v3", "default")

/* 4 doubles, GCC vector extension (SSE pairs on the default target); microtile_v4u may be unaligned. */
typedef double microtile_v4 __attribute__((vector_size(32)));
typedef double microtile_v4u __attribute__((vector_size(32), aligned(8)));
enum { MICROTILE_NV = MICROTILE_NR / 4 };

/* z[r] += sum_{j0 <= j < j1} grow[r][j] * ut[j], for MICROTILE_MR rows r, all w columns (w % MICROTILE_NR == 0).
 * Register tile MICROTILE_MR x MICROTILE_NR; every z element is summed over j in increasing order. */
MICROTILE_INLINE void microtile_rows(const double *const grow[MICROTILE_MR], const double *ut, size_t w, size_t j0,
                                     size_t j1, double *z)
{
    for (size_t c = 0; c < w; c += MICROTILE_NR) {
        microtile_v4 acc[MICROTILE_MR][MICROTILE_NV];
        for (int r = 0; r < MICROTILE_MR; r++)
            for (int h = 0; h < MICROTILE_NV; h++) acc[r][h] = *(const microtile_v4u *)(z + r * w + c + 4 * h);
        for (size_t j = j0; j < j1; j++) {
            microtile_v4 u[MICROTILE_NV];
            for (int h = 0; h < MICROTILE_NV; h++) u[h] = *(const microtile_v4u *)(ut + j * w + c + 4 * h);
            for (int r = 0; r < MICROTILE_MR; r++) {
                double a = grow[r][j];
                for (int h = 0; h < MICROTILE_NV; h++) acc[r][h] += a * u[h];
            }
        }
        for (int r = 0; r < MICROTILE_MR; r++)
            for (int h = 0; h < MICROTILE_NV; h++) *(microtile_v4u *)(z + r * w + c + 4 * h) = acc[r][h];
    }
}

/* One row: z += sum_{j0 <= j < j1} grow[j] * ut[j], then (if diag) + (grow[j1]/2) ut[j1]. */
MICROTILE_INLINE void microtile_row(const double *grow, const double *ut, size_t w, size_t j0, size_t j1, int diag,
                                    double *z)
{
    for (size_t c = 0; c < w; c += 4) {
        microtile_v4 acc = *(const microtile_v4u *)(z + c);
        for (size_t j = j0; j < j1; j++) acc += grow[j] * *(const microtile_v4u *)(ut + j * w + c);
        if (diag) acc += (0.5 * grow[j1]) * *(const microtile_v4u *)(ut + j1 * w + c);
        *(microtile_v4u *)(z + c) = acc;
    }
}

/* c[m] += sum_{r < nrows} grow[r][j0 + m] * x[r] for MICROTILE_MR columns m (the transposed
 * product A' X over a band of rows: grow[r] is row r of A, x + r * w its row of X), all w
 * columns (w % MICROTILE_NR == 0). Every c element is summed over r in increasing order. */
MICROTILE_INLINE void microtile_cols(const double *const *grow, size_t nrows, size_t j0, const double *x, size_t w,
                                     double *c)
{
    for (size_t cc = 0; cc < w; cc += MICROTILE_NR) {
        microtile_v4 acc[MICROTILE_MR][MICROTILE_NV];
        for (int m = 0; m < MICROTILE_MR; m++)
            for (int h = 0; h < MICROTILE_NV; h++) acc[m][h] = *(const microtile_v4u *)(c + m * w + cc + 4 * h);
        for (size_t r = 0; r < nrows; r++) {
            microtile_v4 u[MICROTILE_NV];
            for (int h = 0; h < MICROTILE_NV; h++) u[h] = *(const microtile_v4u *)(x + r * w + cc + 4 * h);
            const double *a = grow[r] + j0;
            for (int m = 0; m < MICROTILE_MR; m++)
                for (int h = 0; h < MICROTILE_NV; h++) acc[m][h] += a[m] * u[h];
        }
        for (int m = 0; m < MICROTILE_MR; m++)
            for (int h = 0; h < MICROTILE_NV; h++) *(microtile_v4u *)(c + m * w + cc + 4 * h) = acc[m][h];
    }
}

#endif
