/* Alpha and beta diversity, vegan semantics (layout and conventions in diversity.h).
 *
 * Distances: every pairwise sum runs in 4 lanes written with GCC vector extensions, so the
 * compiler emits the same lane arithmetic as 2 x SSE2 or 1 x AVX2 operations; the tile routine
 * is cloned for AVX2 and chosen at load time, with bitwise identical results. A tile is 4
 * consecutive rows i; each row j below the tile is loaded once and compared with all 4, which
 * keeps the loop limited by arithmetic rather than by L2 bandwidth; bands of 8 tiles share
 * L2-sized blocks of rows j, which keeps large matrices from being memory-bound. */
#pragma GCC optimize("fp-contract=off") /* d*d + acc must not become an FMA in one path only */
#include "diversity.h"
#include "gb_clones.h"
#include "gb_status.h"
#include "transform.h"
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

/* ---- alpha ------------------------------------------------------------------------------- */

static void alpha_one(const double *x, size_t p, diversity_alpha_t *out)
{
    long double total_ld = 0.0L; /* apply(x, 1, sum) */
    for (size_t k = 0; k < p; k++) total_ld += x[k];
    double total = (double)total_ld;
    long double shannon = 0.0L, squares = 0.0L;
    double observed = 0, f1 = 0, f2 = 0;
    int integer = 1;
    for (size_t k = 0; k < p; k++) {
        double prop = x[k] / total;
        double h = -prop * log(prop); /* 0 ln 0 and 0/0 are NaN: na.rm skips them */
        double s = prop * prop;
        if (!isnan(h)) shannon += h;
        if (!isnan(s)) squares += s;
        observed += x[k] > 0;
        f1 += x[k] == 1;
        f2 += x[k] == 2;
        integer &= x[k] == nearbyint(x[k]);
    }
    out->observed = observed;
    out->shannon = (double)shannon;
    out->simpson = 1 - (double)squares;
    /* estimateR: S.obs + SSC * a[1] * (a[1] - 1) / (a[2] + 1) / 2 with SSC = 1 */
    out->chao1 = integer ? observed + f1 * (f1 - 1) / (f2 + 1) / 2 : NAN;
}

int diversity_alpha(const double *counts, size_t n, size_t p, size_t ld, diversity_alpha_t *out)
{
    if (!counts || !out || ld < p) return GB_E_USAGE;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < p; k++)
            if (!(counts[i * ld + k] >= 0) || isinf(counts[i * ld + k])) return GB_E_FORMAT;
    for (size_t i = 0; i < n; i++) alpha_one(counts + i * ld, p, &out[i]);
    return GB_OK;
}

/* ---- beta: lane arithmetic ---------------------------------------------------------------- */

/* 4 lanes of doubles; GCC lowers the arithmetic to 2 x SSE2 or 1 x AVX2 instructions. The
 * helpers pass vectors by pointer (always inlined, so no memory traffic results): passing
 * them by value would involve the AVX calling convention in the non-AVX build. */
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4i __attribute__((vector_size(32)));

typedef enum { METRIC_BRAY, METRIC_EUCLIDEAN } metric_t;

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* acc += |a - b| (sign bit cleared, as fabs) or (a - b)^2, lane by lane, for a[0..4), b[0..4). */
ALWAYS_INLINE void add_term4(metric_t metric, v4d *acc, const double *a, const double *b)
{
    v4d va, vb;
    memcpy(&va, a, sizeof va);
    memcpy(&vb, b, sizeof vb);
    v4d d = va - vb;
    if (metric == METRIC_BRAY) {
        const v4i mask = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
        *acc += (v4d)((v4i)d & mask);
    } else {
        *acc += d * d;
    }
}

ALWAYS_INLINE void add_load4(v4d *acc, const double *a)
{
    v4d va;
    memcpy(&va, a, sizeof va);
    *acc += va;
}

/* The last p % 4 elements of a row, zero-padded to 4. Adding the padded lanes changes
 * nothing (|0 - 0| = 0^2 = 0 and acc + 0 = acc for acc >= +0), and keeps every accumulator in
 * a register: indexing a vector lane by a variable would force it to memory. */
ALWAYS_INLINE void tail4(const double *a, size_t k, size_t p, double out[4])
{
    out[0] = out[1] = out[2] = out[3] = 0.0;
    memcpy(out, a + k, (p - k) * sizeof *out);
}

/* The one fixed order in which the 4 lanes become a sum. */
ALWAYS_INLINE double lanes_combine(const v4d *acc) { return ((*acc)[0] + (*acc)[2]) + ((*acc)[1] + (*acc)[3]); }

/* Row sum in the lane order (Bray's denominators). */
ALWAYS_INLINE double row_sum(const double *a, size_t p)
{
    v4d acc = {0, 0, 0, 0};
    size_t k = 0;
    for (; k + 4 <= p; k += 4) add_load4(&acc, a + k);
    if (k < p) {
        double ta[4];
        tail4(a, k, p, ta);
        add_load4(&acc, ta);
    }
    return lanes_combine(&acc);
}

/* Sum of terms over one pair of rows. */
ALWAYS_INLINE double pair_sum(metric_t metric, const double *a, const double *b, size_t p)
{
    v4d acc = {0, 0, 0, 0};
    size_t k = 0;
    for (; k + 4 <= p; k += 4) add_term4(metric, &acc, a + k, b + k);
    if (k < p) {
        double ta[4], tb[4];
        tail4(a, k, p, ta);
        tail4(b, k, p, tb);
        add_term4(metric, &acc, ta, tb);
    }
    return lanes_combine(&acc);
}

/* Four rows a[0..3] against row b: sums[r] = pair_sum(a[r], b), bit for bit, and *b_sum =
 * row_sum(b) (Bray only); b is read once for all four. */
ALWAYS_INLINE void block_sum4(metric_t metric, const double *const a[4], const double *b, size_t p, double sums[4],
                              double *b_sum)
{
    v4d c0 = {0, 0, 0, 0}, c1 = c0, c2 = c0, c3 = c0, cb = c0;
    size_t k = 0;
    for (; k + 4 <= p; k += 4) {
        add_term4(metric, &c0, a[0] + k, b + k);
        add_term4(metric, &c1, a[1] + k, b + k);
        add_term4(metric, &c2, a[2] + k, b + k);
        add_term4(metric, &c3, a[3] + k, b + k);
        if (metric == METRIC_BRAY) add_load4(&cb, b + k);
    }
    if (k < p) {
        double ta[4][4], tb[4];
        tail4(b, k, p, tb);
        for (int r = 0; r < 4; r++) tail4(a[r], k, p, ta[r]);
        add_term4(metric, &c0, ta[0], tb);
        add_term4(metric, &c1, ta[1], tb);
        add_term4(metric, &c2, ta[2], tb);
        add_term4(metric, &c3, ta[3], tb);
        if (metric == METRIC_BRAY) add_load4(&cb, tb);
    }
    sums[0] = lanes_combine(&c0);
    sums[1] = lanes_combine(&c1);
    sums[2] = lanes_combine(&c2);
    sums[3] = lanes_combine(&c3);
    *b_sum = lanes_combine(&cb);
}

/* ---- beta: tiles and storage ------------------------------------------------------------- */

typedef struct {
    const double *x;
    size_t n, p;
    metric_t metric;
    diversity_dist_t out;
} dist_job_t;

/* Sum -> distance, then vegdist's ZAP (d < 1e-15 becomes 0; NaN stays). */
ALWAYS_INLINE double finish(metric_t metric, double sum, double s_i, double s_j)
{
    double d = metric == METRIC_BRAY ? sum / (s_i + s_j) : sqrt(sum);
    return d < 1e-15 ? 0.0 : d;
}

/* Store d(i,j), j < i, in the lower part of the layout (FULL mirrors afterwards). */
ALWAYS_INLINE void store(const dist_job_t *job, size_t i, size_t j, double d)
{
    size_t at = job->out.layout == DIVERSITY_LOWER  ? i * (i - 1) / 2 + j
                : job->out.layout == DIVERSITY_ROWS ? i * (i + 1) / 2 - job->out.row0 * (job->out.row0 + 1) / 2 + j
                                                    : i * job->n + j;
    if (job->out.f64) job->out.f64[at] = d;
    else job->out.f32[at] = (float)d;
}

/* A tile: rows i0 .. i0+rows-1 (rows <= 4), their row pointers and (Bray) row sums. */
typedef struct {
    size_t i0, rows;
    const double *a[4];
    double sum[4];
} tile_t;

ALWAYS_INLINE void tile_init(const dist_job_t *job, size_t i0, size_t rows, metric_t metric, tile_t *t)
{
    t->i0 = i0;
    t->rows = rows;
    for (size_t r = 0; r < 4; r++) {
        t->a[r] = job->x + (i0 + (r < rows ? r : 0)) * job->p;
        t->sum[r] = metric == METRIC_BRAY && r < rows ? row_sum(t->a[r], job->p) : 0.0;
    }
}

/* The tile's rows against rows j0 .. j1-1 (all below the tile). */
ALWAYS_INLINE void tile_range(const dist_job_t *job, const tile_t *t, size_t j0, size_t j1, metric_t metric)
{
    const double *x = job->x;
    size_t p = job->p;
    if (t->rows == 4) {
        for (size_t j = j0; j < j1; j++) {
            double sums[4], s_j;
            block_sum4(metric, t->a, x + j * p, p, sums, &s_j);
            for (size_t r = 0; r < 4; r++) store(job, t->i0 + r, j, finish(metric, sums[r], t->sum[r], s_j));
        }
        return;
    }
    for (size_t r = 0; r < t->rows; r++)
        for (size_t j = j0; j < j1; j++) {
            double s_j = metric == METRIC_BRAY ? row_sum(x + j * p, p) : 0.0;
            store(job, t->i0 + r, j, finish(metric, pair_sum(metric, t->a[r], x + j * p, p), t->sum[r], s_j));
        }
}

/* Pairs inside the tile. */
ALWAYS_INLINE void tile_inner(const dist_job_t *job, const tile_t *t, metric_t metric)
{
    for (size_t r = 1; r < t->rows; r++)
        for (size_t s = 0; s < r; s++)
            store(job, t->i0 + r, t->i0 + s,
                  finish(metric, pair_sum(metric, t->a[r], t->a[s], job->p), t->sum[r], t->sum[s]));
}

/* A band: rows b0 .. b0+rows-1 (rows <= BAND_ROWS, in tiles of 4) against every row below
 * them. Rows below the band are visited in blocks of about BLOCK_BYTES, each block
 * passing through all tiles of the band while it sits in L2, so a large matrix is read from
 * memory once per band rather than once per tile. Each pair is still computed by one
 * block_sum4 or pair_sum call, so the blocking does not change any result. metric is a
 * constant in each caller, so the inner loops carry no metric branch. */
enum { BAND_ROWS = 32, BLOCK_BYTES = 256 * 1024 };

ALWAYS_INLINE void band_body(const dist_job_t *job, size_t b0, size_t rows, metric_t metric)
{
    tile_t tiles[BAND_ROWS / 4];
    size_t ntiles = (rows + 3) / 4;
    for (size_t t = 0; t < ntiles; t++) {
        size_t i0 = b0 + 4 * t;
        tile_init(job, i0, b0 + rows - i0 < 4 ? b0 + rows - i0 : 4, metric, &tiles[t]);
    }
    size_t block = BLOCK_BYTES / (job->p * sizeof(double));
    if (block < 8) block = 8;
    for (size_t j0 = 0; j0 < b0; j0 += block) {
        size_t j1 = j0 + block < b0 ? j0 + block : b0;
        for (size_t t = 0; t < ntiles; t++) tile_range(job, &tiles[t], j0, j1, metric);
    }
    for (size_t t = 0; t < ntiles; t++) { /* pairs inside the band */
        tile_range(job, &tiles[t], b0, tiles[t].i0, metric);
        tile_inner(job, &tiles[t], metric);
    }
}

GB_TARGET_CLONES("avx2", "default") static void band_bray(const dist_job_t *job, size_t b0, size_t rows)
{
    band_body(job, b0, rows, METRIC_BRAY);
}

GB_TARGET_CLONES("avx2", "default") static void band_euclidean(const dist_job_t *job, size_t b0, size_t rows)
{
    band_body(job, b0, rows, METRIC_EUCLIDEAN);
}

/* FULL layout: copy the lower triangle onto the upper one in 64 x 64 blocks, zero diagonal.
 * Called inside the parallel region; block rows are shared out. */
static void mirror_full(const dist_job_t *job)
{
    enum { B = 64 };
    size_t n = job->n, nb = (n + B - 1) / B;
#pragma omp for schedule(dynamic, 1)
    for (size_t bi = 0; bi < nb; bi++)
        for (size_t bj = 0; bj <= bi; bj++)
            for (size_t i = bi * B; i < n && i < (bi + 1) * B; i++)
                for (size_t j = bj * B; j < i && j < (bj + 1) * B; j++) {
                    if (job->out.f64) job->out.f64[j * n + i] = job->out.f64[i * n + j];
                    else job->out.f32[j * n + i] = job->out.f32[i * n + j];
                }
#pragma omp for schedule(static)
    for (size_t i = 0; i < n; i++) {
        if (job->out.f64) job->out.f64[i * n + i] = 0.0;
        else job->out.f32[i * n + i] = 0.0f;
    }
}

static int dist_args_ok(const double *x, size_t n, size_t p, const diversity_dist_t *out)
{
    if (!x || !out || n < 1 || p < 1) return GB_E_USAGE;
    if (!out->f64 == !out->f32) return GB_E_USAGE; /* exactly one destination */
    if (out->layout != DIVERSITY_LOWER && out->layout != DIVERSITY_FULL && out->layout != DIVERSITY_ROWS)
        return GB_E_USAGE;
    if (out->layout == DIVERSITY_ROWS && (out->f32 || out->row0 > out->row1 || out->row1 > n)) return GB_E_USAGE;
    for (size_t k = 0; k < n * p; k++)
        if (!isfinite(x[k])) return GB_E_FORMAT;
    return GB_OK;
}

static int dist_run(const double *x, size_t n, size_t p, metric_t metric, int nthreads, const diversity_dist_t *out)
{
    int rc = dist_args_ok(x, n, p, out);
    if (rc) return rc;
    dist_job_t job = {x, n, p, metric, *out};
    const dist_job_t *jp = &job;
    /* a pair's value does not depend on the band it is computed in, so a block of rows
     * (DIVERSITY_ROWS) is banded from its own first row */
    size_t lo = out->layout == DIVERSITY_ROWS ? out->row0 : 0, hi = out->layout == DIVERSITY_ROWS ? out->row1 : n;
    size_t bands = (hi - lo + BAND_ROWS - 1) / BAND_ROWS;
    int nt = nthreads > 0 ? nthreads : omp_get_max_threads();
#pragma omp parallel num_threads(nt) default(none) shared(jp, bands, lo, hi)
    {
/* the last bands hold the most pairs: hand them out first */
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < bands; b++) {
            size_t b0 = lo + (bands - 1 - b) * BAND_ROWS;
            size_t rows = hi - b0 < BAND_ROWS ? hi - b0 : BAND_ROWS;
            if (jp->metric == METRIC_BRAY) band_bray(jp, b0, rows);
            else band_euclidean(jp, b0, rows);
        }
        if (jp->out.layout == DIVERSITY_FULL) mirror_full(jp);
        if (jp->out.layout == DIVERSITY_ROWS) {
#pragma omp for schedule(static)
            for (size_t i = lo; i < hi; i++) jp->out.f64[i * (i + 1) / 2 - lo * (lo + 1) / 2 + i] = 0.0;
        }
    }
    return GB_OK;
}

size_t diversity_dist_length(size_t n, diversity_layout_t layout)
{
    return layout == DIVERSITY_FULL ? n * n : n * (n - (n > 0)) / 2;
}

int diversity_bray_curtis(const double *x, size_t n, size_t p, int nthreads, const diversity_dist_t *out)
{
    return dist_run(x, n, p, METRIC_BRAY, nthreads, out);
}

int diversity_euclidean(const double *x, size_t n, size_t p, int nthreads, const diversity_dist_t *out)
{
    return dist_run(x, n, p, METRIC_EUCLIDEAN, nthreads, out);
}

int diversity_aitchison(const double *counts, size_t n, size_t p, double pseudocount, double *clr_work, int nthreads,
                        const diversity_dist_t *out)
{
    if (!counts || !clr_work) return GB_E_USAGE;
    if (transform_clr(counts, n, p, pseudocount, clr_work) != 0) return GB_E_FORMAT;
    return dist_run(clr_work, n, p, METRIC_EUCLIDEAN, nthreads, out);
}
