/* MaAsLin2's data preparation for the per-feature linear models (docs/STATS.md S1):
 * prevalence/variance filter, TSS, LOG / CLR / AST transforms, z-scored covariates and
 * treatment contrasts for categorical covariates.
 *
 * Pure compute: no I/O, no globals, no threads, no allocation; every output is caller-owned.
 * Layout: an abundance table is samples x features, row-major doubles: x[i*ld + j] is sample i,
 * feature j, ld >= number of features (ld = m for a dense table). Metadata columns are plain
 * vectors of n values. Missing values (R's NA) are NaN for numbers and NULL for strings.
 *
 * The arithmetic mirrors R's so values agree to the last bit or nearly: sums are accumulated in
 * long double as R's sum()/rowSums()/colMeans() do, and relative abundance is ONE division
 * count/total (docs/STATS.md S0: count*(1/total) can break ties).
 *
 * Typical order (MaAsLin2): transform_filter on the raw counts -> transform_select ->
 * transform_tss -> transform_log2 (or transform_ast); transform_clr works on the selected counts
 * instead of TSS values. Numeric covariates: transform_zscore. Categorical covariates:
 * transform_factor_levels then transform_treatment_columns. */
#ifndef GB_TRANSFORM_H
#define GB_TRANSFORM_H
#include <stddef.h>
#include "gb_status.h"

/* MaAsLin2 defaults. */
#define TRANSFORM_MIN_PREVALENCE  0.1
#define TRANSFORM_MIN_ABUNDANCE   0.0
#define TRANSFORM_MIN_VARIANCE    0.0
/* Pseudocount of the CLR transform (docs/STATS.md S1 step 7: ln(count + 0.5)). */
#define TRANSFORM_CLR_PSEUDOCOUNT 0.5

/* Feature filter on the raw counts (n samples x m features, row stride ldc), MaAsLin2 steps 3-4.
 * keep[j] = 1 iff both
 *   (a) #{i : counts[i][j] > min_abundance} > n * min_prevalence   (strictly greater; the right
 *       side is the double product, as in R; NaN never counts), and
 *   (b) the sample variance of column j (n-1 denominator, computed as R's var()) is
 *       > min_variance. With min_variance = 0 this drops exactly the constant columns.
 * (b) is evaluated only on columns that pass (a). keep[j] = 0 otherwise.
 * nonzero (may be NULL): nonzero[j] = #{i : counts[i][j] > 0} for every column, filtered or not
 * (MaAsLin2's N.not.0). Requires n >= 2 (R's var() is NA for one sample: nothing is kept).
 * Counts are expected finite; a NaN makes the variance NaN and the column is dropped.
 * Returns the number of kept features. */
size_t transform_filter(const double *counts, size_t n, size_t m, size_t ldc, double min_abundance,
                        double min_prevalence, double min_variance, unsigned char *keep, size_t *nonzero);

/* Copy the kept columns (keep[j] != 0, in column order) of counts (n x m, stride ldc) into
 * out (n x k row-major dense, k = number of kept columns). out must not overlap counts. */
void transform_select(const double *counts, size_t n, size_t m, size_t ldc, const unsigned char *keep, double *out);

/* Total-sum scaling, vegan decostand(method = "total"): rel[i][j] = x[i][j] / max(eps, S_i)
 * with S_i = sum_j x[i][j] (long double accumulation, NaN skipped as na.rm = TRUE) and
 * eps = DBL_EPSILON, so an all-zero row stays all zero. x and rel are n x m dense row-major;
 * rel may equal x (in place). */
void transform_tss(const double *x, size_t n, size_t m, double *rel);

/* MaAsLin2 LOG, in place on y (n x m dense row-major, TSS values), column by column: entries
 * exactly 0 become (smallest strictly positive value of that column) / 2, then every entry
 * becomes log2 of itself. As in R, a column with no positive entry has min = Inf, so its
 * zeros become +Inf (the filter never lets such a column through). NaN stays NaN. */
void transform_log2(double *y, size_t n, size_t m);

/* MaAsLin2 AST, in place: y = sign(y) * asin(sqrt(|y|)) (= asin(sqrt(p)) for p >= 0). */
void transform_ast(double *y, size_t n, size_t m);

/* Centred log-ratio per sample, vegan's .calc_clr: l_ij = ln(x_ij + pseudocount), then
 * out_ij = l_ij - mean_j l_ij where the mean runs over the m columns given (for the models:
 * the features kept by the filter; for beta diversity: all features). The mean is R's
 * rowMeans (long double sum / m). x and out are n x m dense row-major; out may equal x.
 * Returns GB_OK, or GB_E_USAGE (out untouched) if some x_ij + pseudocount <= 0 or is NaN (vegan
 * stops).
 * This is the CLR (counts, pseudocount 0.5). MaAsLin2's own CLR option is different
 * (chemometrics::clr(x + 1) on TSS values, as a normalization; not reproduced here). */
int transform_clr(const double *x, size_t n, size_t m, double pseudocount, double *out) GB_MUST_CHECK;

/* z-score of one numeric column, R's scale() as used by MaAsLin2 (dplyr::mutate_if(is.numeric,
 * scale)): mean = colMeans(v, na.rm = TRUE) (long double sum / count), centred values
 * c_i = v_i - mean, sd = sqrt(sum(c_i^2) / max(1, count - 1)), out_i = c_i / sd.
 * NaN (NA) entries are skipped in mean and sd and stay NaN in out. v and out have n entries;
 * out may equal v. mean_out and sd_out may be NULL. A constant column has sd 0 and gives NaN
 * (0/0) as R does: the caller should reject it (sd_out == 0).
 * Returns the number of non-NaN values used. */
size_t transform_zscore(const double *v, size_t n, double *out, double *mean_out, double *sd_out);

/* How level names are ordered. R's factor() sorts levels with sort(), i.e. the session's
 * collation. R 4.2.2 on Debian is built with ICU and uses it in every locale except C/POSIX,
 * including C.UTF-8 (checked: capabilities("ICU") TRUE, icuGetCollate() "root"), so a
 * reviewer's R orders "control" < "Control" < "hc" < "HC" < "MDD" and "_x" < "a" < "A".
 *   TRANSFORM_COLLATE_R : ICU root collation (Unicode Collation Algorithm, non-ignorable), exact
 *                         for printable ASCII: primary order space _ - , ; : ! ? . ' " ( ) [ ]
 *                         { } @ * / \ & # % ` ^ + < = > | ~ $ 0-9 a-z (case folded), compared
 *                         over the whole string first; then case, lowercase first. Bytes
 *                         outside printable ASCII sort after 'z' by byte value (approximation).
 *   TRANSFORM_COLLATE_C : bytewise strcmp, R with LC_COLLATE=C ("A" < "MDD" < "_x" < "a"). */
typedef enum { TRANSFORM_COLLATE_R, TRANSFORM_COLLATE_C } transform_collation_t;

/* strcmp-like comparison of two level names under a collation (< 0, 0, > 0). */
int transform_collate(const char *a, const char *b, transform_collation_t collation);

/* Levels of a categorical column. values[i] is sample i's level name, NULL = NA.
 * Levels are sorted by `collation` (see above; TRANSFORM_COLLATE_R matches R on this system).
 * If reference != NULL that level is moved to the front (R's relevel); the others keep the
 * sorted order. Outputs:
 *   level_of[i]     : 0-based level of sample i (0 = reference), -1 for NA;
 *   level_sample[l] : index of the first sample carrying level l (so values[level_sample[l]]
 *                     names it); room for n entries;
 *   *nlevels        : number of distinct non-NA levels.
 * scratch: n size_t entries, overwritten.
 * Returns GB_OK, or GB_E_USAGE if reference is given but not among the values (outputs undefined).
 * Fewer than 2 levels is not an error here; the caller decides (MaAsLin2 stops). */
int transform_factor_levels(const char *const *values, size_t n, const char *reference, transform_collation_t collation,
                            int *level_of, size_t *level_sample, size_t *nlevels, size_t *scratch);

/* Treatment contrasts (R's contr.treatment, model.matrix column order): for levels
 * l = 1 .. nlevels-1, column col + l - 1 of X gets 1.0 where level_of[i] == l, else 0.0; the
 * reference level 0 has no column. Rows with level_of[i] < 0 (NA) get NaN in those columns.
 * X is n x ldx row-major; columns col .. col + nlevels - 2 are written, nothing else. */
void transform_treatment_columns(const int *level_of, size_t n, size_t nlevels, double *X, size_t ldx, size_t col);

#endif
