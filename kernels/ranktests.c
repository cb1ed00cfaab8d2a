/* Rank tests with R's exact=FALSE conventions (layout and semantics in ranktests.h).
 *
 * Every test ranks a compacted copy of the usable values: the values become order-preserving
 * 64-bit keys, an LSD radix sort (8 bits per pass, passes whose digit is constant skipped)
 * orders them with their compact positions, and one walk over the sorted keys gives R's
 * average ranks. Equal keys are exactly the equal doubles (-0 is folded onto +0), so ties are
 * R's ties. The arithmetic after ranking follows R's expressions operation by operation, with
 * long double where R's sum() or cor() accumulates in long double. */
#define MATHLIB_STANDALONE 1
#include "ranktests.h"
#include "gb_status.h"
#include <Rmath.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { RADIX_BITS = 8, RADIX_BUCKETS = 1 << RADIX_BITS, RADIX_PASSES = 64 / RADIX_BITS };
enum { INSERTION_SORT_MAX = 32 }; /* below this a histogram pass costs more than it saves */

/* Views into the caller's scratch buffer (ranktest_scratch_bytes). */
typedef struct {
    uint64_t *key, *key_tmp; /* sort keys and the radix ping-pong buffer */
    uint32_t *idx, *idx_tmp; /* compact position of each key */
    double *rank_a, *rank_b; /* ranks by compact position */
    double *rank_c;          /* Spearman batch: ranks of y, kept across features */
    double *group_sum;       /* Kruskal-Wallis: rank sum per group code */
    double *group_count;     /* Kruskal-Wallis: complete cases per group code */
    int32_t *grp;            /* group code by compact position */
    uint32_t *list;          /* Spearman batch: samples where y is present */
    uint32_t *hist;          /* RADIX_PASSES x RADIX_BUCKETS counts */
} work_t;

size_t ranktest_scratch_bytes(size_t n, size_t n_groups)
{
    if (n == 0) n = 1;
    return n * (2 * sizeof(uint64_t) + 3 * sizeof(double) + 4 * sizeof(uint32_t)) + n_groups * 2 * sizeof(double) +
           (size_t)RADIX_PASSES * RADIX_BUCKETS * sizeof(uint32_t);
}

/* Carve the scratch buffer; 8-byte arrays first so every array stays aligned. */
static work_t work_carve(void *scratch, size_t n, size_t n_groups)
{
    work_t w;
    if (n == 0) n = 1;
    uint64_t *p64 = scratch;
    w.key = p64;
    w.key_tmp = p64 + n;
    double *pd = (double *)(p64 + 2 * n);
    w.rank_a = pd;
    w.rank_b = pd + n;
    w.rank_c = pd + 2 * n;
    w.group_sum = pd + 3 * n;
    w.group_count = w.group_sum + n_groups;
    uint32_t *p32 = (uint32_t *)(w.group_count + n_groups);
    w.idx = p32;
    w.idx_tmp = p32 + n;
    w.grp = (int32_t *)(p32 + 2 * n);
    w.list = p32 + 3 * n;
    w.hist = p32 + 4 * n;
    return w;
}

/* Order-preserving key of a non-NaN double: positives get the sign bit set, negatives are
 * complemented. Adding +0.0 turns -0.0 into +0.0 so the two tie, as in R. */
static inline uint64_t order_key(double v)
{
    uint64_t u;
    v += 0.0;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static inline double key_value(uint64_t k)
{
    uint64_t u = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void insertion_sort(uint64_t *key, uint32_t *idx, size_t m)
{
    for (size_t i = 1; i < m; i++) {
        uint64_t k = key[i];
        uint32_t x = idx[i];
        size_t j = i;
        for (; j > 0 && key[j - 1] > k; j--) {
            key[j] = key[j - 1];
            idx[j] = idx[j - 1];
        }
        key[j] = k;
        idx[j] = x;
    }
}

/* Sort w->key[0..m) carrying w->idx along. On return w->key/w->idx point at the sorted
 * buffers (the ping-pong buffers may have been swapped). */
static void sort_keys(work_t *w, size_t m)
{
    if (m <= INSERTION_SORT_MAX) {
        insertion_sort(w->key, w->idx, m);
        return;
    }
    uint32_t *h = w->hist;
    memset(h, 0, (size_t)RADIX_PASSES * RADIX_BUCKETS * sizeof *h);
    for (size_t i = 0; i < m; i++)
        for (int b = 0; b < RADIX_PASSES; b++)
            h[b * RADIX_BUCKETS + ((w->key[i] >> (b * RADIX_BITS)) & (RADIX_BUCKETS - 1))]++;
    for (int b = 0; b < RADIX_PASSES; b++) {
        uint32_t *hb = h + b * RADIX_BUCKETS;
        int shift = b * RADIX_BITS;
        if (hb[(w->key[0] >> shift) & (RADIX_BUCKETS - 1)] == m) continue; /* constant digit */
        uint32_t sum = 0;
        for (int d = 0; d < RADIX_BUCKETS; d++) {
            uint32_t c = hb[d];
            hb[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < m; i++) {
            uint32_t pos = hb[(w->key[i] >> shift) & (RADIX_BUCKETS - 1)]++;
            w->key_tmp[pos] = w->key[i];
            w->idx_tmp[pos] = w->idx[i];
        }
        uint64_t *tk = w->key;
        w->key = w->key_tmp;
        w->key_tmp = tk;
        uint32_t *ti = w->idx;
        w->idx = w->idx_tmp;
        w->idx_tmp = ti;
    }
}

/* R's average ranks from the sorted keys: rank[idx] = mean of the 1-based positions of its
 * tie group. Returns sum over tie groups of t^3 - t (exact: t is an integer below 2^32). */
static double assign_ranks(const work_t *w, size_t m, double *rank)
{
    double ties = 0.0;
    for (size_t s = 0, e; s < m; s = e) {
        for (e = s + 1; e < m && w->key[e] == w->key[s]; e++)
            ;
        double r = (double)(s + e + 1) / 2.0; /* R: (i + j + 2) / 2 over 0-based i..j */
        for (size_t q = s; q < e; q++) rank[w->idx[q]] = r;
        double t = (double)(e - s);
        ties += t * t * t - t;
    }
    return ties;
}

/* Do a and b (a < b, adjacent in sorted order) print alike in R's as.character, i.e. to 15
 * significant digits? Only values within 1e-14 relative of each other can (2e-14 leaves a
 * margin); the string test runs only then, so the common case costs one comparison. */
static int print_alike(double a, double b)
{
    if (!(b - a <= 2e-14 * fmax(fabs(a), fabs(b)))) return 0;
    char sa[40], sb[40];
    snprintf(sa, sizeof sa, "%.14e", a);
    snprintf(sb, sizeof sb, "%.14e", b);
    return strcmp(sa, sb) == 0;
}

/* kruskal.test's tie term sum(TIES^3 - TIES) with TIES <- table(x): table() groups values by
 * their 15-digit strings, so runs of print-alike sorted values form one group. */
static double ties_as_printed(const work_t *w, size_t m)
{
    double ties = 0.0;
    for (size_t s = 0, e; s < m; s = e) {
        for (e = s + 1; e < m; e++)
            if (w->key[e] != w->key[e - 1] && !print_alike(key_value(w->key[e - 1]), key_value(w->key[e]))) break;
        double t = (double)(e - s);
        ties += t * t * t - t;
    }
    return ties;
}

/* ---- Wilcoxon rank-sum ---- */

static void wilcoxon_finish(long double rank_sum_x, size_t nx, size_t ny, double ties,
                            ranktest_alternative_t alternative, ranktest_wilcoxon_t *out)
{
    double n_x = (double)nx, n_y = (double)ny;
    out->n_x = nx;
    out->n_y = ny;
    if (nx == 0 || ny == 0) { /* R: "not enough observations" */
        out->statistic = out->sigma = out->z = out->p = NAN;
        return;
    }
    double w = (double)rank_sum_x - n_x * (n_x + 1) / 2;
    double z = w - n_x * n_y / 2;
    double sigma = sqrt((n_x * n_y / 12) * ((n_x + n_y + 1) - ties / ((n_x + n_y) * (n_x + n_y - 1))));
    double correction; /* R: sign(z) * 0.5 two-sided, sign(0) = 0 */
    if (alternative == RANKTEST_GREATER) correction = 0.5;
    else if (alternative == RANKTEST_LESS) correction = -0.5;
    else correction = z > 0 ? 0.5 : z < 0 ? -0.5 : 0.0;
    z = (z - correction) / sigma;
    double p;
    if (alternative == RANKTEST_LESS) p = pnorm(z, 0.0, 1.0, 1, 0);
    else if (alternative == RANKTEST_GREATER) p = pnorm(z, 0.0, 1.0, 0, 0);
    else if (isnan(z)) p = NAN;
    else p = 2 * fmin(pnorm(z, 0.0, 1.0, 1, 0), pnorm(z, 0.0, 1.0, 0, 0));
    out->statistic = w;
    out->sigma = sigma;
    out->z = z;
    out->p = p;
}

static void wilcoxon_strided(const double *x, size_t stride, const int *group, size_t n,
                             ranktest_alternative_t alternative, work_t *w, ranktest_wilcoxon_t *out)
{
    size_t m = 0, nx = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (group[i] < 0 || isnan(v)) continue;
        w->key[m] = order_key(v);
        w->idx[m] = (uint32_t)m;
        w->grp[m] = group[i];
        nx += group[i] == 0;
        m++;
    }
    sort_keys(w, m);
    double ties = assign_ranks(w, m, w->rank_a);
    long double rank_sum_x = 0.0L; /* R's sum(r[seq_along(x)]) */
    for (size_t q = 0; q < m; q++)
        if (w->grp[q] == 0) rank_sum_x += w->rank_a[q];
    wilcoxon_finish(rank_sum_x, nx, m - nx, ties, alternative, out);
}

static int wilcoxon_args_ok(const double *x, const int *group, size_t n, void *scratch,
                            ranktest_alternative_t alternative, const void *out)
{
    if (!x || !group || !scratch || !out || n >= UINT32_MAX) return 0;
    if (alternative != RANKTEST_TWO_SIDED && alternative != RANKTEST_LESS && alternative != RANKTEST_GREATER) return 0;
    for (size_t i = 0; i < n; i++)
        if (group[i] > 1) return 0;
    return 1;
}

int ranktest_wilcoxon(const double *x, const int *group, size_t n, ranktest_alternative_t alternative, void *scratch,
                      ranktest_wilcoxon_t *out)
{
    if (!wilcoxon_args_ok(x, group, n, scratch, alternative, out)) return GB_E_USAGE;
    work_t w = work_carve(scratch, n, 0);
    wilcoxon_strided(x, 1, group, n, alternative, &w, out);
    return GB_OK;
}

int ranktest_wilcoxon_matrix(const double *x, size_t n_samples, size_t n_features, size_t ld, const int *group,
                             ranktest_alternative_t alternative, void *scratch, ranktest_wilcoxon_t *out)
{
    if (!wilcoxon_args_ok(x, group, n_samples, scratch, alternative, out)) return GB_E_USAGE;
    if (ld < n_features) return GB_E_USAGE;
    for (size_t f = 0; f < n_features; f++) {
        work_t w = work_carve(scratch, n_samples, 0);
        wilcoxon_strided(x + f, ld, group, n_samples, alternative, &w, &out[f]);
    }
    return GB_OK;
}

/* ---- Kruskal-Wallis ---- */

static void kruskal_strided(const double *x, size_t stride, const int *group, size_t n, size_t n_groups, work_t *w,
                            ranktest_kruskal_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i * stride];
        if (group[i] < 0 || isnan(v)) continue;
        w->key[m] = order_key(v);
        w->idx[m] = (uint32_t)m;
        w->grp[m] = group[i];
        m++;
    }
    sort_keys(w, m);
    assign_ranks(w, m, w->rank_a);
    double ties = ties_as_printed(w, m);
    for (size_t g = 0; g < n_groups; g++) w->group_sum[g] = w->group_count[g] = 0.0;
    for (size_t q = 0; q < m; q++) { /* tapply(r, g, sum): exact, ranks are half-integers */
        w->group_sum[w->grp[q]] += w->rank_a[q];
        w->group_count[w->grp[q]] += 1.0;
    }
    long double s = 0.0L; /* sum(tapply(r, g, sum)^2 / tapply(r, g, length)) over levels */
    size_t levels = 0;
    for (size_t g = 0; g < n_groups; g++) {
        if (w->group_count[g] == 0.0) continue; /* R refactors g: empty levels vanish */
        s += w->group_sum[g] * w->group_sum[g] / w->group_count[g];
        levels++;
    }
    double nn = (double)m;
    out->n = m;
    if (levels < 2 || m < 2) { /* R stops */
        out->statistic = out->df = out->p = NAN;
        return;
    }
    out->df = (double)(levels - 1);
    double h = (12 * (double)s / (nn * (nn + 1)) - 3 * (nn + 1)) / (1 - ties / (nn * nn * nn - nn));
    out->statistic = h;
    out->p = pchisq(h, out->df, 0, 0);
}

static int kruskal_args_ok(const double *x, const int *group, size_t n, size_t n_groups, void *scratch, const void *out)
{
    if (!x || !group || !scratch || !out || n >= UINT32_MAX || n_groups > INT32_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (group[i] >= 0 && (size_t)group[i] >= n_groups) return 0;
    return 1;
}

int ranktest_kruskal(const double *x, const int *group, size_t n, size_t n_groups, void *scratch,
                     ranktest_kruskal_t *out)
{
    if (!kruskal_args_ok(x, group, n, n_groups, scratch, out)) return GB_E_USAGE;
    work_t w = work_carve(scratch, n, n_groups);
    kruskal_strided(x, 1, group, n, n_groups, &w, out);
    return GB_OK;
}

int ranktest_kruskal_matrix(const double *x, size_t n_samples, size_t n_features, size_t ld, const int *group,
                            size_t n_groups, void *scratch, ranktest_kruskal_t *out)
{
    if (!kruskal_args_ok(x, group, n_samples, n_groups, scratch, out)) return GB_E_USAGE;
    if (ld < n_features) return GB_E_USAGE;
    for (size_t f = 0; f < n_features; f++) {
        work_t w = work_carve(scratch, n_samples, n_groups);
        kruskal_strided(x + f, ld, group, n_samples, n_groups, &w, &out[f]);
    }
    return GB_OK;
}

/* ---- Spearman ---- */

/* R's cov.c MEAN: long double mean, refined by a second pass over the residuals. */
static double r_mean(const double *v, size_t m)
{
    long double sum = 0.0L;
    for (size_t k = 0; k < m; k++) sum += v[k];
    long double mean = sum / (long double)m;
    if (isfinite((double)mean)) {
        sum = 0.0L;
        for (size_t k = 0; k < m; k++) sum += v[k] - mean;
        mean += sum / (long double)m;
    }
    return (double)mean;
}

/* R's cor(a, b) for complete vectors (cov_complete2 with cor = TRUE): NaN when either
 * standard deviation is 0 (R: NA with a warning). */
static double r_cor(const double *a, const double *b, size_t m)
{
    if (m < 2) return NAN;
    double ma = r_mean(a, m), mb = r_mean(b, m);
    long double sab = 0.0L, saa = 0.0L, sbb = 0.0L;
    for (size_t k = 0; k < m; k++) {
        sab += (a[k] - ma) * (b[k] - mb);
        saa += (a[k] - ma) * (a[k] - ma);
        sbb += (b[k] - mb) * (b[k] - mb);
    }
    long double n1 = (long double)(m - 1);
    double cov = (double)(sab / n1);
    double sd_a = (double)sqrtl(saa / n1), sd_b = (double)sqrtl(sbb / n1);
    if (sd_a == 0 || sd_b == 0) return NAN;
    double r = cov / (sd_a * sd_b);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

/* cor.test's spearman branch with exact = FALSE, continuity = FALSE. */
static void spearman_finish(double rho, size_t m, ranktest_alternative_t alternative, ranktest_spearman_t *out)
{
    out->n = m;
    out->rho = rho;
    if (!isfinite(rho)) {
        out->rho = out->statistic = out->t = out->p = NAN;
        return;
    }
    double nn = (double)m;
    double n3 = nn * (nn * nn); /* R_pow_di(n, 3) */
    double q = (n3 - nn) * (1 - rho) / 6;
    double den = (nn * (nn * nn - 1)) / 6;
    double r = 1 - q / den;
    double t = r / sqrt((1 - r * r) / (nn - 2));
    /* pspearman(q, n, lower.tail = L) = pt(t, n - 2, lower.tail = !L) */
    double p;
    if (alternative == RANKTEST_GREATER) p = pt(t, nn - 2, 0, 0);
    else if (alternative == RANKTEST_LESS) p = pt(t, nn - 2, 1, 0);
    else {
        p = q > (n3 - nn) / 6 ? pt(t, nn - 2, 1, 0) : pt(t, nn - 2, 0, 0);
        p = isnan(p) ? p : fmin(2 * p, 1.0);
    }
    out->statistic = q;
    out->t = t;
    out->p = p;
}

/* Keys of v[0..m) with compact positions, sorted, ranked into rank. */
static void rank_compact(work_t *w, const double *v, size_t m, double *rank)
{
    for (size_t q = 0; q < m; q++) {
        w->key[q] = order_key(v[q]);
        w->idx[q] = (uint32_t)q;
    }
    sort_keys(w, m);
    assign_ranks(w, m, rank);
}

static void spearman_strided(const double *x, size_t stride, const double *y, size_t n,
                             ranktest_alternative_t alternative, work_t *w, ranktest_spearman_t *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) { /* complete.cases(x, y) */
        double xv = x[i * stride];
        if (isnan(xv) || isnan(y[i])) continue;
        w->rank_a[m] = xv;
        w->rank_b[m] = y[i];
        m++;
    }
    /* rank_compact reads all values into keys before writing ranks, so in place is safe */
    rank_compact(w, w->rank_a, m, w->rank_a);
    rank_compact(w, w->rank_b, m, w->rank_b);
    spearman_finish(r_cor(w->rank_a, w->rank_b, m), m, alternative, out);
}

static int spearman_args_ok(const double *x, const double *y, size_t n, void *scratch,
                            ranktest_alternative_t alternative, const void *out)
{
    if (!x || !y || !scratch || !out || n >= UINT32_MAX) return 0;
    return alternative == RANKTEST_TWO_SIDED || alternative == RANKTEST_LESS || alternative == RANKTEST_GREATER;
}

int ranktest_spearman(const double *x, const double *y, size_t n, ranktest_alternative_t alternative, void *scratch,
                      ranktest_spearman_t *out)
{
    if (!spearman_args_ok(x, y, n, scratch, alternative, out)) return GB_E_USAGE;
    work_t w = work_carve(scratch, n, 0);
    spearman_strided(x, 1, y, n, alternative, &w, out);
    return GB_OK;
}

/* Fast path of the batch: the feature is present wherever y is, so the complete cases are
 * w->list[0..m_y) and y's ranks (w->rank_c) are reused. Returns 0 if a NaN forbids it. */
static int spearman_cached(const double *x, size_t stride, size_t m_y, ranktest_alternative_t alternative, work_t *w,
                           ranktest_spearman_t *out)
{
    for (size_t q = 0; q < m_y; q++) {
        double v = x[(size_t)w->list[q] * stride];
        if (isnan(v)) return 0;
        w->key[q] = order_key(v);
        w->idx[q] = (uint32_t)q;
    }
    sort_keys(w, m_y);
    assign_ranks(w, m_y, w->rank_a);
    spearman_finish(r_cor(w->rank_a, w->rank_c, m_y), m_y, alternative, out);
    return 1;
}

int ranktest_spearman_matrix(const double *x, size_t n_samples, size_t n_features, size_t ld, const double *y,
                             ranktest_alternative_t alternative, void *scratch, ranktest_spearman_t *out)
{
    if (!spearman_args_ok(x, y, n_samples, scratch, alternative, out)) return GB_E_USAGE;
    if (ld < n_features) return GB_E_USAGE;
    work_t w = work_carve(scratch, n_samples, 0);
    size_t m_y = 0;
    for (size_t i = 0; i < n_samples; i++)
        if (!isnan(y[i])) {
            w.list[m_y] = (uint32_t)i;
            w.rank_b[m_y++] = y[i];
        }
    rank_compact(&w, w.rank_b, m_y, w.rank_c);
    for (size_t f = 0; f < n_features; f++)
        if (!spearman_cached(x + f, ld, m_y, alternative, &w, &out[f]))
            spearman_strided(x + f, ld, y, n_samples, alternative, &w, &out[f]);
    return GB_OK;
}

/* ---- plain ranks ---- */

int ranktest_average_ranks(const double *x, size_t n, void *scratch, double *rank)
{
    if (!x || !scratch || !rank || n >= UINT32_MAX) return GB_E_USAGE;
    work_t w = work_carve(scratch, n, 0);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i])) {
            rank[i] = NAN;
            continue;
        }
        w.key[m] = order_key(x[i]);
        w.idx[m++] = (uint32_t)i;
    }
    sort_keys(&w, m);
    assign_ranks(&w, m, rank);
    return GB_OK;
}
