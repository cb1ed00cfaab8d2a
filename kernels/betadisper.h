/* Multivariate dispersion: vegan's betadisper(type = "centroid"), its anova and the
 * permutest.betadisper permutation test (docs/STATS.md S7), on a Gower matrix (gower.h).
 *
 * Conventions. Samples 0..n-1 in the order of the Gower matrix g (packed lower, see gower.h);
 * group[i] in 0..ngroup-1 is sample i's group (empty groups are allowed and ignored). Every
 * array is owned by the caller. Functions return GB_OK or a negative GB_E_* code
 * (kernels/gb_status.h); pure compute, no I/O, no globals.
 *
 * Typical use: betadisper_centroid(g, ...) -> z; betadisper_anova(z, ...) -> F and its
 * F-distribution p; betadisper_count_random or _explicit (plans as perm_plan in perm.h)
 * -> exceed, p = (exceed + 1) / (nperm + 1). */
#ifndef GB_BETADISPER_H
#define GB_BETADISPER_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

/* Distance of each sample to its group centroid in PCoA space, imaginary (negative-eigenvalue)
 * axes included as vegan does: z_i^2 = ||pos. axes diff||^2 - ||neg. axes diff||^2, computed
 * without an eigen-decomposition as z_i^2 = G_ii - 2 mean_{j in g} G_ij + mean_{j,k in g} G_jk
 * (identical up to the ~0 axes vegan drops). A negative z_i^2 gives z_i = 0 (R warns) and is
 * counted in *nneg (may be NULL). z: n doubles. group_mean: ngroup doubles (NaN for an empty
 * group), may be NULL. GB_E_USAGE on n < 2, ngroup 0 or a bad group index, GB_E_NOMEM.
 * O(n^2), single-threaded. */
int betadisper_centroid(const double *g, size_t n, const int *group, size_t ngroup, double *z, double *group_mean,
                        size_t *nneg) GB_MUST_CHECK;

/* The same from the sums it needs, for a Gower matrix held in row blocks (rowblk.h): diag[i] =
 * G_ii and rowsum (n x ngroup row-major) = sum_{j in h} G_ij over the whole row i (rowblk_symv
 * with X = the group indicators). Same outputs and errors as betadisper_centroid. O(n). */
int betadisper_centroid_sums(const double *diag, const double *rowsum, size_t n, const int *group, size_t ngroup,
                             double *z, double *group_mean, size_t *nneg) GB_MUST_CHECK;

/* anova(betadisper): one-way ANOVA of z on the groups (empty groups ignored, k = non-empty
 * groups). Outputs F, df1 = k-1, df2 = n-k and p = P(F_{df1,df2} > F) (R's pf upper tail).
 * GB_E_USAGE if k < 2 or n <= k. */
int betadisper_anova(const double *z, size_t n, const int *group, size_t ngroup, double *f, double *df1, double *df2,
                     double *p) GB_MUST_CHECK;

/* permutest.betadisper exceedance counts: residuals e = z - group mean are permuted
 * (y_i = e_perm[i]), refitted on the groups, F* = (sum (fit - mean fit)^2 / (k-1)) /
 * (sum (y - fit)^2 / (n-k)), *exceed += (F* >= f_obs - sqrt(DBL_EPSILON)); ADDED to, so
 * ranges can be accumulated.
 *   _random:   permutations [from, to) of the stream perm_draw(seed, .) (perm.h);
 *   _explicit: nperm rows of perm (nperm x n, 0-based), checked first (GB_E_USAGE).
 * permutest draws its permutations as adonis2 does, so for n <= 7 follow perm_plan too
 * (complete or distinct sets through _explicit). nthreads <= 0 uses omp_get_max_threads();
 * counts are integers, so results do not depend on nthreads. O(n) per permutation.
 * GB_E_USAGE (fewer than 2 non-empty groups, n <= k, to < from), GB_E_NOMEM. */
int betadisper_count_random(const double *z, size_t n, const int *group, size_t ngroup, double f_obs, uint64_t seed,
                            uint64_t from, uint64_t to, int nthreads, uint64_t *exceed) GB_MUST_CHECK;
int betadisper_count_explicit(const double *z, size_t n, const int *group, size_t ngroup, double f_obs,
                              const int32_t *perm, size_t nperm, int nthreads, uint64_t *exceed) GB_MUST_CHECK;

#endif
