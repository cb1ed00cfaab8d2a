/* MaAsLin2 data preparation (docs/STATS.md S1). See transform.h for the contracts.
 * Where R accumulates in long double (sum, rowSums, colMeans, var), so do we: on x86-64 both
 * use the x87 80-bit type, which makes sums of non-integer values agree to the last bit. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "transform.h"

/* R's var() of column j (cov.c: two-pass long double mean with a correction pass, then the
 * sum of products of double deviations in long double, divided by n - 1). */
static double column_variance(const double *x, size_t n, size_t ld, size_t j)
{
    long double sum = 0.0L;
    for (size_t i = 0; i < n; i++) sum += x[i * ld + j];
    long double mean = sum / (long double)n;
    if (isfinite((double)mean)) {
        sum = 0.0L;
        for (size_t i = 0; i < n; i++) sum += (long double)x[i * ld + j] - mean;
        mean += sum / (long double)n;
    }
    double m = (double)mean;
    long double ss = 0.0L;
    for (size_t i = 0; i < n; i++) {
        double d = x[i * ld + j] - m;
        ss += d * d;
    }
    return (double)(ss / (long double)(n - 1));
}

size_t transform_filter(const double *counts, size_t n, size_t m, size_t ldc, double min_abundance,
                        double min_prevalence, double min_variance, unsigned char *keep, size_t *nonzero)
{
    double needed = (double)n * min_prevalence;
    size_t kept = 0;
    for (size_t j = 0; j < m; j++) {
        size_t above = 0, positive = 0;
        for (size_t i = 0; i < n; i++) {
            double v = counts[i * ldc + j];
            above += v > min_abundance;
            positive += v > 0.0;
        }
        if (nonzero) nonzero[j] = positive;
        /* R compares the integer count with the double product: strictly greater. */
        int ok = (double)above > needed;
        /* var() is NA for n < 2 and NA > 0 keeps nothing; NaN comparisons are false too. */
        if (ok) ok = n >= 2 && column_variance(counts, n, ldc, j) > min_variance;
        keep[j] = (unsigned char)ok;
        kept += (size_t)ok;
    }
    return kept;
}

void transform_select(const double *counts, size_t n, size_t m, size_t ldc, const unsigned char *keep, double *out)
{
    size_t k = 0;
    for (size_t j = 0; j < m; j++) k += keep[j] != 0;
    for (size_t i = 0; i < n; i++) {
        double *row = out + i * k;
        size_t c = 0;
        for (size_t j = 0; j < m; j++)
            if (keep[j]) row[c++] = counts[i * ldc + j];
    }
}

void transform_tss(const double *x, size_t n, size_t m, double *rel)
{
    for (size_t i = 0; i < n; i++) {
        const double *row = x + i * m;
        long double sum = 0.0L;
        for (size_t j = 0; j < m; j++)
            if (!isnan(row[j])) sum += row[j];
        /* pmax(.Machine$double.eps, sum): an all-zero sample stays zero instead of NaN. */
        double total = (double)sum;
        if (!(total > DBL_EPSILON)) total = DBL_EPSILON;
        for (size_t j = 0; j < m; j++) rel[i * m + j] = row[j] / total; /* one division */
    }
}

void transform_log2(double *y, size_t n, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        double smallest = INFINITY; /* R: min(numeric(0)) is Inf */
        for (size_t i = 0; i < n; i++) {
            double v = y[i * m + j];
            if (v > 0.0 && v < smallest) smallest = v;
        }
        double fill = smallest / 2.0;
        for (size_t i = 0; i < n; i++) {
            double *v = &y[i * m + j];
            *v = log2(*v == 0.0 ? fill : *v);
        }
    }
}

void transform_ast(double *y, size_t n, size_t m)
{
    for (size_t idx = 0; idx < n * m; idx++) {
        double v = y[idx];
        double s = v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : 0.0; /* R's sign(); sign(NaN) is NaN */
        y[idx] = isnan(v) ? v : s * asin(sqrt(fabs(v)));
    }
}

int transform_clr(const double *x, size_t n, size_t m, double pseudocount, double *out)
{
    for (size_t idx = 0; idx < n * m; idx++)
        if (!(x[idx] + pseudocount > 0.0)) return GB_E_USAGE;
    for (size_t i = 0; i < n; i++) {
        const double *row = x + i * m;
        double *dst = out + i * m;
        long double sum = 0.0L;
        for (size_t j = 0; j < m; j++) {
            dst[j] = log(row[j] + pseudocount);
            sum += dst[j];
        }
        double mean = (double)(sum / (long double)m); /* rowMeans */
        for (size_t j = 0; j < m; j++) dst[j] -= mean;
    }
    return 0;
}

size_t transform_zscore(const double *v, size_t n, double *out, double *mean_out, double *sd_out)
{
    long double sum = 0.0L;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            sum += v[i];
            count++;
        }
    double mean = (double)(sum / (long double)count); /* colMeans(na.rm = TRUE) */
    long double squares = 0.0L;
    for (size_t i = 0; i < n; i++) {
        out[i] = v[i] - mean; /* sweep(x, 2, center); NaN stays NaN */
        if (!isnan(out[i])) squares += out[i] * out[i];
    }
    double denom = count > 1 ? (double)(count - 1) : 1.0; /* max(1, length(v) - 1) */
    double sd = sqrt((double)squares / denom);
    for (size_t i = 0; i < n; i++) out[i] /= sd;
    if (mean_out) *mean_out = mean;
    if (sd_out) *sd_out = sd;
    return count;
}

/* ICU root primary order of printable ASCII, uppercase folded to lowercase (checked by sorting
 * every printable character in R 4.2.2). */
static const char UCA_ASCII_ORDER[] = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";

static int uca_primary(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
    const char *at = c >= 32 && c < 127 ? strchr(UCA_ASCII_ORDER, c) : NULL;
    return at ? (int)(at - UCA_ASCII_ORDER) : 256 + c;
}

/* UCA levels for ASCII: the primary weights of the whole strings decide first (a proper
 * prefix sorts first), then case position by position, lowercase first. */
static int collate_icu_root(const char *a, const char *b)
{
    size_t i = 0;
    for (; a[i] && b[i]; i++) {
        int wa = uca_primary((unsigned char)a[i]), wb = uca_primary((unsigned char)b[i]);
        if (wa != wb) return wa < wb ? -1 : 1;
    }
    if (a[i] || b[i]) return a[i] ? 1 : -1;
    for (i = 0; a[i]; i++) {
        int ua = a[i] >= 'A' && a[i] <= 'Z', ub = b[i] >= 'A' && b[i] <= 'Z';
        if (ua != ub) return ua ? 1 : -1;
    }
    return strcmp(a, b);
}

int transform_collate(const char *a, const char *b, transform_collation_t collation)
{
    return collation == TRANSFORM_COLLATE_C ? strcmp(a, b) : collate_icu_root(a, b);
}

typedef struct {
    const char *const *values;
    transform_collation_t collation;
} level_sort_t;

static int compare_by_name(const void *a, const void *b, void *context)
{
    const level_sort_t *ctx = context;
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    int c = transform_collate(ctx->values[ia], ctx->values[ib], ctx->collation);
    if (c) return c;
    return (ia > ib) - (ia < ib); /* equal names: first occurrence first */
}

int transform_factor_levels(const char *const *values, size_t n, const char *reference, transform_collation_t collation,
                            int *level_of, size_t *level_sample, size_t *nlevels, size_t *scratch)
{
    size_t present = 0;
    for (size_t i = 0; i < n; i++) {
        level_of[i] = -1;
        if (values[i]) scratch[present++] = i;
    }
    level_sort_t ctx = {values, collation};
    qsort_r(scratch, present, sizeof *scratch, compare_by_name, &ctx);

    /* Walk the sorted samples; a new name starts a new level. */
    size_t levels = 0, ref_level = (size_t)-1;
    for (size_t s = 0; s < present; s++) {
        size_t i = scratch[s];
        if (s == 0 || strcmp(values[i], values[scratch[s - 1]]) != 0) {
            level_sample[levels] = i;
            if (reference && strcmp(values[i], reference) == 0) ref_level = levels;
            levels++;
        }
        level_of[i] = (int)(levels - 1);
    }
    if (reference && ref_level == (size_t)-1) return GB_E_USAGE;

    /* relevel(): the reference becomes level 0, the levels before it shift up by one. */
    if (reference && ref_level > 0) {
        size_t first = level_sample[ref_level];
        memmove(level_sample + 1, level_sample, ref_level * sizeof *level_sample);
        level_sample[0] = first;
        for (size_t i = 0; i < n; i++) {
            if (level_of[i] < 0) continue;
            size_t l = (size_t)level_of[i];
            level_of[i] = l == ref_level ? 0 : l < ref_level ? (int)(l + 1) : (int)l;
        }
    }
    *nlevels = levels;
    return 0;
}

void transform_treatment_columns(const int *level_of, size_t n, size_t nlevels, double *X, size_t ldx, size_t col)
{
    for (size_t i = 0; i < n; i++)
        for (size_t l = 1; l < nlevels; l++)
            X[i * ldx + col + l - 1] = level_of[i] < 0 ? NAN : (level_of[i] == (int)l ? 1.0 : 0.0);
}
