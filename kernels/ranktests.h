/* Rank tests with R's large-sample conventions (docs/STATS.md S3):
 *   Wilcoxon rank-sum   = wilcox.test(x, y, exact = FALSE, correct = TRUE)
 *   Kruskal-Wallis      = kruskal.test(x, g)
 *   Spearman            = cor.test(x, y, method = "spearman", exact = FALSE)
 * BH over features is NOT here: use lm_p_adjust(..., LM_ADJUST_BH, ...) in kernels/lm.h.
 *
 * Pure compute: no I/O, no globals, no threads, no allocation. Every call writes only its
 * output struct(s) and the caller's scratch buffer; calls with different scratch buffers may
 * run concurrently (the pipeline splits features across threads, each with its own scratch).
 * Results never depend on how features are split.
 *
 * Ranks are R's rank(ties.method = "average"): a tie means two doubles compare equal (-0 ties
 * with +0), so relative abundances must come from one division count/total (transform_tss).
 * Missing values: NaN (R's NA) is removed as R does (wilcox.test drops NA per sample; kruskal
 * and cor.test keep complete cases). +-Inf is an ordinary value, as in R 4.2.
 * Tails come from libRmath (pnorm/pchisq/pt with lower_tail = 0 for upper tails), so p values
 * equal R's to the last bits whenever the statistic does.
 *
 * When R would stop() (an empty group, fewer than two groups present, too few observations)
 * or returns NA/NaN (all values tied, constant input), the call still returns 0 and fills the
 * affected fields with NaN; the counts (n, n_x, n_y, ...) say what was used. A negative GB_E_*
 * code is returned only for bad arguments (NULL pointer, group code out of range, n >= 2^32).
 *
 * Cost: a radix sort per feature; 20,000 samples x 500 features take about 0.2-0.3 s per test
 * on one core (R's loops: ~1 s for 2,000 samples).
 *
 * Layout of the batched (_matrix) variants: x is samples x features, row-major, with row
 * stride ld >= n_features: x[i*ld + f] = sample i, feature f. Pass x + f0 and a smaller
 * n_features to process a block of columns [f0, f0 + n_features). out[f] is feature f. */
#ifndef GB_RANKTESTS_H
#define GB_RANKTESTS_H
#include <stddef.h>

typedef enum {
    RANKTEST_TWO_SIDED = 0, /* R's default alternative */
    RANKTEST_LESS = 1,      /* x is shifted to the left of y / negative association */
    RANKTEST_GREATER = 2
} ranktest_alternative_t;

/* wilcox.test(x, y, exact = FALSE, correct = TRUE, mu = 0). */
typedef struct {
    double statistic; /* W = sum of the ranks of x - n_x (n_x + 1) / 2 */
    double sigma;     /* sqrt(n_x n_y / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))) */
    double z;         /* (W - n_x n_y / 2 - correction) / sigma; correction = sign(.) 0.5
                       * two-sided, +0.5 "greater", -0.5 "less" */
    double p;         /* two-sided 2 min(Phi(z), upper tail at z), NaN if sigma = 0 (all
                       * values tied); "less" Phi(z), "greater" the upper tail (both 1 when
                       * all values are tied, as R) */
    size_t n_x, n_y;  /* non-NaN values in each group; a zero count gives NaN fields */
} ranktest_wilcoxon_t;

/* kruskal.test(x, g). */
typedef struct {
    double statistic; /* H, tie-corrected ("Kruskal-Wallis chi-squared") */
    double df;        /* groups present - 1 */
    double p;         /* pchisq(H, df, lower.tail = FALSE); NaN if df < 1, n < 2 or all tied */
    size_t n;         /* complete cases used */
} ranktest_kruskal_t;

/* cor.test(x, y, method = "spearman", exact = FALSE). */
typedef struct {
    double rho;       /* Pearson correlation of the average ranks (R's cor()) */
    double statistic; /* S = (n^3 - n)(1 - rho) / 6 */
    double t;         /* r / sqrt((1 - r^2) / (n - 2)), r = 1 - S / (n (n^2 - 1) / 6) */
    double p;         /* t approximation on n - 2 df, two-sided min(1, 2 p); rho = +-1
                       * gives 0; NaN if rho is NaN (constant input) or n < 3 */
    size_t n;         /* complete cases used */
} ranktest_spearman_t;

/* Bytes of scratch any call below needs for n samples and (Kruskal-Wallis) n_groups group
 * codes: 56 n + 16 n_groups + 8 KiB. One buffer serves every function and the _matrix
 * variants; it must be aligned for double (malloc is). Content on entry is irrelevant. */
size_t ranktest_scratch_bytes(size_t n, size_t n_groups);

/* R's rank(x, ties.method = "average") of x[0..n) into rank[0..n): NaN gets NaN (R's
 * na.last = "keep"), the others are ranked among themselves. Returns 0 or GB_E_USAGE. */
int ranktest_average_ranks(const double *x, size_t n, void *scratch, double *rank);

/* Two-sample Wilcoxon rank-sum test on x[0..n) with group[i] = 0 for the first sample
 * (R's x: the FIRST factor level in the formula interface), 1 for the second (R's y) and
 * negative for samples to leave out. NaN values are left out. Returns 0, or GB_E_USAGE
 * (a group code > 1, NULL pointer). */
int ranktest_wilcoxon(const double *x, const int *group, size_t n, ranktest_alternative_t alternative, void *scratch,
                      ranktest_wilcoxon_t *out);

/* Kruskal-Wallis test on x[0..n) with group[i] in [0, n_groups) (negative = missing).
 * Levels without any complete case are dropped (R refactors g); pass codes in R's level order
 * to reproduce R's summation order. The tie correction counts ties the way R's table(x) does:
 * values that print alike to 15 significant digits tie there even when ranked apart (e.g.
 * 0.1 + 0.2 and 0.3); this reproduces R exactly. Returns 0 or GB_E_USAGE. */
int ranktest_kruskal(const double *x, const int *group, size_t n, size_t n_groups, void *scratch,
                     ranktest_kruskal_t *out);

/* Spearman correlation test of x[0..n) against y[0..n), complete cases (both non-NaN).
 * Returns 0 or GB_E_USAGE. */
int ranktest_spearman(const double *x, const double *y, size_t n, ranktest_alternative_t alternative, void *scratch,
                      ranktest_spearman_t *out);

/* Batched variants: one test per feature column of x (n_samples x n_features, stride ld),
 * the grouping / y shared by all features; out has n_features entries. Serial; scratch as
 * above for n_samples. The Spearman variant ranks y once and reuses it for every feature
 * whose column has no NaN where y is present. Return 0 or GB_E_USAGE. */
int ranktest_wilcoxon_matrix(const double *x, size_t n_samples, size_t n_features, size_t ld, const int *group,
                             ranktest_alternative_t alternative, void *scratch, ranktest_wilcoxon_t *out);
int ranktest_kruskal_matrix(const double *x, size_t n_samples, size_t n_features, size_t ld, const int *group,
                            size_t n_groups, void *scratch, ranktest_kruskal_t *out);
int ranktest_spearman_matrix(const double *x, size_t n_samples, size_t n_features, size_t ld, const double *y,
                             ranktest_alternative_t alternative, void *scratch, ranktest_spearman_t *out);

#endif
