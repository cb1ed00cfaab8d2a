/* The PERMANOVA test (adonis2): design bases, the permutation product kernel, counting and the
 * table. Contracts in permanova.h; the Gower matrix comes from gower.c, the permutations and
 * the threaded count loop from perm.c.
 *
 * Speed comes from never forming a permuted n x n matrix. With U an orthonormal basis (n x u)
 * of every model space tested, any projection SS of the permuted Gower matrix is
 *   tr(H G^pi) = <P, M^pi>,  M^pi = U~' G U~,  U~[pi_i,:] = U[i,:]
 * (P = the model's projector in U coordinates), so one permutation costs one product of G
 * with a thin n x u matrix. Permutations are done in batches whose U~ blocks sit side by
 * side (n x w, w ~ 128 columns), so G is streamed once per batch, and only G's lower triangle
 * is used: M = U~'Z + Z'U~ with Z = (strict lower G + diag(G)/2) U~, half the multiply-adds.
 * Each column of Z is summed in a fixed order whatever the batch it sits in, so the observed
 * statistic (computed by the same code with the identity) and every F* are bitwise the same
 * for any thread count or permutation range split. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "permanova.h"
#include "gower.h"
#include "lm.h"
#include "microtile.h"
#include "perm.h"
#include "rowblk.h"
#include "rsum.h"

#define QR_TOL        1e-7  /* R's qr() default, used by adonis2 (docs/STATS.md S8) */
#define BASIS_NEW_TOL 1e-10 /* residual norm above which a reduced model adds a basis column */

/* Kernel shape, tuned on the 2-core AMD EPYC (Zen 4) of the project machine at n = 2000:
 * MR 6 x NR 8 gives 12 independent 4-wide accumulators (enough to cover FMA latency) and
 * reached ~40 GFLOPS per core against ~24 for 4 x 8 and ~26 for 8 x 8; a 128-column batch
 * beat 64 by ~8%; KC between 120 and 480 made no difference. KC must be a multiple of MR. */
enum {
    MR = MICROTILE_MR, /* rows of Z per register tile */
    NR = MICROTILE_NR, /* columns of Z per register tile (two 4-double vectors) */
    KC = 240,          /* rows of U~ per cache block (KC x w doubles stay in L2) */
    W_TARGET = 128     /* batch width in columns: batch = W_TARGET / u permutations */
};
_Static_assert(KC % MR == 0, "a row block must not straddle a cache block");

struct permanova {
    const double *g; /* borrowed packed-lower Gower matrix: rows rb.r0 .. rb.r1-1 (rowblk.h) */
    rowblk_t rb;
    double maxabs;        /* max |G| over the whole matrix */
    permanova_sum_fn sum; /* sums accumulators over the parts (NULL: one part) */
    void *sum_ctx;
    const double *xt; /* or, for Euclidean distances, the centred data (m x n, feature-major) */
    size_t m;
    double *zero;        /* n zeros: the padding rows of xt */
    rsum_scale_t mscale; /* grids of the sums of M over rows */
    size_t nm;           /* doubles of one permutation's M accumulators: u x u x RSUM_LEVELS */
    size_t n, nterm, ntests;
    permanova_by_t by;
    size_t rank;             /* rank of the full design */
    size_t u;                /* basis columns; the first `rank` span the full design in order */
    double *basis;           /* n x u row-major */
    size_t *col_lo, *col_hi; /* by terms: basis columns of term k are [col_lo, col_hi) */
    double *proj;            /* by margin: nterm u x u projectors of the reduced designs */
    double *df;              /* ntests */
    double df_resid, ss_total;
    double *ss, *f; /* ntests observed */
    double ss_model;
};

/* ---- design: bases of the model spaces ------------------------------------------------------ */

/* Columns cols[0..k) of x (n x ncol row-major), each centred (mean in long double, as R's
 * colMeans), into out (n x k row-major). */
static void centred_columns(const double *x, size_t n, size_t ncol, const size_t *cols, size_t k, double *out)
{
    for (size_t c = 0; c < k; c++) {
        long double sum = 0.0L;
        for (size_t i = 0; i < n; i++) sum += x[i * ncol + cols[c]];
        double mean = (double)(sum / (long double)n);
        for (size_t i = 0; i < n; i++) out[i * k + c] = x[i * ncol + cols[c]] - mean;
    }
}

/* v minus its projection on the nu orthonormal columns of u (n x nu, column-major), two
 * classical Gram-Schmidt passes ("twice is enough"); returns the norm of what is left. */
static double orthogonalise(const double *u, size_t n, size_t nu, double *v)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t b = 0; b < nu; b++) {
            const double *ub = u + b * n;
            double dot = 0.0;
            for (size_t i = 0; i < n; i++) dot += ub[i] * v[i];
            for (size_t i = 0; i < n; i++) v[i] -= dot * ub[i];
        }
    double norm = 0.0;
    for (size_t i = 0; i < n; i++) norm += v[i] * v[i];
    return sqrt(norm);
}

static void scale(double *v, size_t n, double by)
{
    for (size_t i = 0; i < n; i++) v[i] /= by;
}

/* Orthonormal basis of the non-aliased columns of xc (n x k row-major, centred), in R's pivot
 * order, so the first j basis columns span the first j kept columns (sequential SS need this).
 * Which columns are aliased is decided by lm.h's dqrdc2 port (R's qr(), tol 1e-7); the
 * basis is then Gram-Schmidt on the kept columns (no LAPACK call, so OpenBLAS's thread pool
 * is not woken to spin next to our threads). On success *q (n x rank, column-major,
 * malloc'd; NULL if rank 0) and kept[0..rank) = original column indices. */
static int design_basis(const double *xc, size_t n, size_t k, double **q, size_t *rank, size_t *kept)
{
    *q = NULL;
    *rank = 0;
    if (k == 0) return GB_OK;
    lm_design_t *d = NULL;
    int rc = lm_design_create(xc, n, k, k, QR_TOL, &d);
    if (rc) return rc == GB_E_NOMEM ? rc : GB_E_INTERNAL;
    size_t r = lm_design_rank(d);
    memcpy(kept, lm_design_pivot(d), r * sizeof *kept);
    lm_design_destroy(d);
    if (r == 0) return GB_OK;
    double *a = malloc(n * r * sizeof *a);
    if (!a) return GB_E_NOMEM;
    for (size_t c = 0; c < r; c++) {
        double *v = a + c * n, norm = 0.0;
        for (size_t i = 0; i < n; i++) norm += xc[i * k + kept[c]] * xc[i * k + kept[c]];
        for (size_t i = 0; i < n; i++) v[i] = xc[i * k + kept[c]] / sqrt(norm);
        norm = orthogonalise(a, n, c, v);
        if (!(norm > 0.0)) { /* dqrdc2 kept it, so it cannot vanish */
            free(a);
            return GB_E_INTERNAL;
        }
        scale(v, n, norm);
    }
    *q = a;
    *rank = r;
    return GB_OK;
}

/* Append to the union basis u (n x *nu, column-major, room for more) the part of each column
 * of q (n x r, orthonormal) that it does not span yet, when its norm exceeds BASIS_NEW_TOL.
 * Normally nothing is added (reduced designs are nested in the full one); only numerically
 * borderline aliasing can add columns. */
static void basis_extend(double *u, size_t n, size_t *nu, const double *q, size_t r)
{
    for (size_t c = 0; c < r; c++) {
        double *v = u + *nu * n;
        memcpy(v, q + c * n, n * sizeof *v);
        double norm = orthogonalise(u, n, *nu, v);
        if (norm <= BASIS_NEW_TOL) continue;
        scale(v, n, norm);
        (*nu)++;
    }
}

/* proj (nu x nu) = W W' with W = U' q (nu x r, in w): the projector on span(q) in basis
 * coordinates. */
static void projector(const double *u, size_t n, size_t nu, const double *q, size_t r, double *w, double *proj)
{
    for (size_t a = 0; a < nu; a++)
        for (size_t c = 0; c < r; c++) {
            double dot = 0.0;
            for (size_t i = 0; i < n; i++) dot += u[a * n + i] * q[c * n + i];
            w[a * r + c] = dot;
        }
    for (size_t a = 0; a < nu; a++)
        for (size_t b = 0; b < nu; b++) {
            double s = 0.0;
            for (size_t c = 0; c < r; c++) s += w[a * r + c] * w[b * r + c];
            proj[a * nu + b] = s;
        }
}

/* ---- the permutation kernel ----------------------------------------------------------------- */

static size_t batch_perms(size_t u) { return u >= W_TARGET ? 1 : W_TARGET / u; }
/* Columns of U~ and Z for nb permutations: nb * u rounded up to whole register tiles. A
 * column's arithmetic does not depend on the width, so a short batch (the observed statistic,
 * a range's last batch) gives bitwise the same F* as a full one. */
static size_t batch_width(size_t u, size_t nb) { return (nb * u + NR - 1) / NR * NR; }

/* z ((r1 - r0) x w) = L ut for the block's rows [r0, r1), with L = strict lower triangle of G
 * plus half its diagonal; G packed lower in row blocks (rowblk.h). Blocked by KC rows of ut
 * (kept in cache while all rows of G below stream past). Row i sums chunk by chunk, then its
 * diagonal block row by row: a fixed order for every column. Blocks start on multiples of
 * ROWBLK_TILE, a multiple of MR, so row i falls in the same register tile for any split. */
MICROTILE_CLONES
static void lower_times(const double *g, const rowblk_t *rb, const double *ut, size_t w, double *z)
{
    size_t r0 = rb->r0, r1 = rb->r1, n = rb->n;
    memset(z, 0, (r1 - r0) * w * sizeof *z);
    for (size_t jc = 0; jc < r1; jc += KC) {
        size_t je = jc + KC < n ? jc + KC : n;
        for (size_t i0 = jc > r0 ? jc : r0; i0 < r1; i0 += MR) {
            size_t rows = r1 - i0 < MR ? r1 - i0 : MR;
            size_t jfull = je < i0 ? je : i0; /* columns below every row of this block */
            double *zi = z + (i0 - r0) * w;
            if (rows == MR && jfull > jc) {
                const double *grow[MR];
                for (int r = 0; r < MR; r++) grow[r] = g + rowblk_offset(rb, i0 + (size_t)r);
                microtile_rows(grow, ut, w, jc, jfull, zi);
            } else if (jfull > jc) {
                for (size_t r = 0; r < rows; r++)
                    microtile_row(g + rowblk_offset(rb, i0 + r), ut, w, jc, jfull, 0, zi + r * w);
            }
            if (i0 < je) /* the block's diagonal lies in this chunk: its small triangle */
                for (size_t r = 0; r < rows; r++)
                    microtile_row(g + rowblk_offset(rb, i0 + r), ut, w, i0, i0 + r, 1, zi + r * w);
        }
    }
}

typedef struct {
    double *ut, *z;      /* n x w, rows x w */
    const int32_t *perm; /* batch x n */
} work_t;

/* Rows of xt rounded up to whole register tiles. */
static size_t data_rows(const permanova_t *t) { return (t->m + MR - 1) / MR * MR; }

static size_t work_doubles(const permanova_t *t)
{
    size_t zrows = t->xt ? data_rows(t) : t->rb.r1 - t->rb.r0;
    return (t->n + zrows) * batch_width(t->u, batch_perms(t->u));
}

static void work_carve(const permanova_t *t, double *d, const int32_t *p, work_t *wk)
{
    wk->ut = d;
    wk->z = d + t->n * batch_width(t->u, batch_perms(t->u));
    wk->perm = p;
}

/* Euclidean distances: G = Xc Xc', so M_b = W_b' W_b with W = Xc' U~ (m x w): m x n x w
 * multiply-adds per batch instead of n^2/2 x w, 10x fewer at 20,000 samples x 1,000 features.
 * Each W element is summed over the samples in order, each M element over the features
 * (deposited, as the row-block path does). */
MICROTILE_CLONES
static void data_products(const permanova_t *t, work_t *wk, size_t nb, size_t w, double *acc)
{
    size_t u = t->u;
    memset(wk->z, 0, data_rows(t) * w * sizeof *wk->z);
    for (size_t jc = 0; jc < t->n; jc += KC) { /* KC samples of U~ stay in cache for all features */
        size_t je = jc + KC < t->n ? jc + KC : t->n;
        for (size_t k0 = 0; k0 < t->m; k0 += MR) {
            const double *grow[MR];
            for (size_t r = 0; r < MR; r++) grow[r] = k0 + r < t->m ? t->xt + (k0 + r) * t->n : t->zero;
            microtile_rows(grow, wk->ut, w, jc, je, wk->z + k0 * w);
        }
    }
    for (size_t k = 0; k < t->m; k++)
        for (size_t b = 0; b < nb; b++) {
            double *m = acc + b * t->nm;
            const double *wb = wk->z + k * w + b * u;
            for (size_t a = 0; a < u; a++)
                for (size_t c = a; c < u; c++) rsum_add(&t->mscale, m + (a * u + c) * RSUM_LEVELS, wb[a] * wb[c]);
        }
}

/* This block's share of M_b = U~_b' G U~_b (u x u, upper triangle) for the nb permutations in
 * wk->perm, deposited into acc (nb x nm, zeroed by the caller): row i gives
 * U~_i Z_i' + Z_i U~_i'. The rows' terms are summed reproducibly (rsum.h), so M is bitwise the
 * same however the rows are split over ranks. */
static void batch_products(const permanova_t *t, work_t *wk, size_t nb, double *acc)
{
    size_t n = t->n, u = t->u, w = batch_width(u, nb);
    memset(wk->ut, 0, n * w * sizeof *wk->ut);
    for (size_t b = 0; b < nb; b++) {
        const int32_t *perm = wk->perm + b * n;
        for (size_t i = 0; i < n; i++)
            memcpy(wk->ut + (size_t)perm[i] * w + b * u, t->basis + i * u, u * sizeof(double));
    }
    if (t->xt) {
        data_products(t, wk, nb, w, acc);
        return;
    }
    lower_times(t->g, &t->rb, wk->ut, w, wk->z);
    for (size_t i = t->rb.r0; i < t->rb.r1; i++) {
        const double *ur = wk->ut + i * w, *zr = wk->z + (i - t->rb.r0) * w;
        for (size_t b = 0; b < nb; b++) {
            double *m = acc + b * t->nm;
            const double *ub = ur + b * u, *zb = zr + b * u;
            for (size_t a = 0; a < u; a++)
                for (size_t c = a; c < u; c++)
                    rsum_add(&t->mscale, m + (a * u + c) * RSUM_LEVELS, ub[a] * zb[c] + ub[c] * zb[a]);
        }
    }
}

/* M (u x u, full) from one permutation's summed accumulators. */
static void m_value(const permanova_t *t, const double *acc, double *m)
{
    size_t u = t->u;
    for (size_t a = 0; a < u; a++)
        for (size_t c = a; c < u; c++) m[a * u + c] = m[c * u + a] = rsum_value(acc + (a * u + c) * RSUM_LEVELS);
}

/* SS and F of the tested rows from one M (the observed and every permuted one alike). */
static double stats_from_m(const permanova_t *t, const double *m, double *ss, double *f)
{
    size_t u = t->u;
    double ss_model = 0.0;
    for (size_t a = 0; a < t->rank; a++) ss_model += m[a * u + a];
    double resid_ms = (t->ss_total - ss_model) / t->df_resid;
    for (size_t k = 0; k < t->ntests; k++) {
        double s = ss_model;
        if (t->by == PERMANOVA_BY_TERMS) {
            s = 0.0;
            for (size_t a = t->col_lo[k]; a < t->col_hi[k]; a++) s += m[a * u + a];
        } else if (t->by == PERMANOVA_BY_MARGIN) {
            const double *p = t->proj + k * u * u;
            double reduced = 0.0;
            for (size_t a = 0; a < u * u; a++) reduced += p[a] * m[a];
            s = ss_model - reduced;
        }
        ss[k] = s;
        f[k] = t->df[k] > 0 ? (s / t->df[k]) / resid_ms : NAN;
    }
    return ss_model;
}

typedef struct {
    const permanova_t *t;
    double *acc; /* the round's permutations x nm */
} eval_ctx_t;

/* perm_eval_t.eval: one batch's accumulators into its slots of the round. */
static void eval_batch(const void *ctx, const int32_t *perm, size_t nb, uint64_t first, double *scratch)
{
    const eval_ctx_t *e = ctx;
    work_t wk;
    work_carve(e->t, scratch, perm, &wk);
    batch_products(e->t, &wk, nb, e->acc + first * e->t->nm);
}

/* What is done with each permutation's M, in permutation order. */
typedef void (*use_m_fn)(const permanova_t *t, const double *m, void *arg);

/* Every permutation of src through batch_products, ROUND permutations at a time: their
 * accumulators are summed over the parts (one collective call per round), then use(m). */
enum { ROUND = 1024 };

static int each_m(const permanova_t *t, const perm_source_t *src, int nthreads, use_m_fn use, void *arg)
{
    size_t round = src->total < ROUND ? (size_t)src->total : ROUND;
    double *acc = malloc((round ? round : 1) * t->nm * sizeof *acc), *m = malloc(t->u * t->u * sizeof *m);
    int rc = !acc || !m ? GB_E_NOMEM : GB_OK;
    eval_ctx_t ctx = {t, acc};
    perm_eval_t ev = {
        .n = t->n, .batch = batch_perms(t->u), .scratch = work_doubles(t), .eval = eval_batch, .ctx = &ctx};
    for (uint64_t r0 = 0; !rc && r0 < src->total; r0 += round) {
        perm_source_t sub = *src;
        sub.total = src->total - r0 < round ? src->total - r0 : round;
        if (sub.rows) sub.rows += r0 * t->n;
        else sub.from += r0;
        memset(acc, 0, sub.total * t->nm * sizeof *acc);
        rc = perm_each(&ev, &sub, nthreads);
        if (!rc && t->sum) rc = t->sum(t->sum_ctx, acc, sub.total * t->nm);
        for (size_t p = 0; !rc && p < sub.total; p++) {
            m_value(t, acc + p * t->nm, m);
            use(t, m, arg);
        }
    }
    free(acc);
    free(m);
    return rc;
}

typedef struct {
    uint64_t *exceed;
    double *ss, *f; /* ntests scratch */
} count_arg_t;

static void count_m(const permanova_t *t, const double *m, void *arg)
{
    count_arg_t *c = arg;
    stats_from_m(t, m, c->ss, c->f);
    for (size_t k = 0; k < t->ntests; k++) c->exceed[k] += perm_exceeds(c->f[k], t->f[k]);
}

/* exceed[k] += #{F*_k >= F_k - sqrt(eps)} over the permutations of src. */
static int count_permutations(const permanova_t *t, const perm_source_t *src, int nthreads, uint64_t *exceed)
{
    count_arg_t c = {exceed, malloc(t->ntests * sizeof *c.ss), malloc(t->ntests * sizeof *c.f)};
    int rc = c.ss && c.f ? each_m(t, src, nthreads, count_m, &c) : GB_E_NOMEM;
    free(c.ss);
    free(c.f);
    return rc;
}

typedef struct {
    double *ss, *f, ss_model;
} single_arg_t;

static void single_m(const permanova_t *t, const double *m, void *arg)
{
    single_arg_t *s = arg;
    s->ss_model = stats_from_m(t, m, s->ss, s->f);
}

/* SS, F and SS_model of one permutation (ss: ntests scratch or output). */
static int single_stats(const permanova_t *t, const int32_t *perm, single_arg_t *out)
{
    perm_source_t src = {perm, 0, 0, 1};
    return each_m(t, &src, 1, single_m, out);
}

int permanova_permuted_f(const permanova_t *t, const int32_t *perm, double *f)
{
    int rc = perm_check(perm, 1, t->n);
    single_arg_t out = {malloc(t->ntests * sizeof *out.ss), f, 0.0};
    if (!rc && !out.ss) rc = GB_E_NOMEM;
    if (!rc) rc = single_stats(t, perm, &out);
    free(out.ss);
    return rc;
}

int permanova_count_random(const permanova_t *t, uint64_t seed, uint64_t from, uint64_t to, int nthreads,
                           uint64_t *exceed)
{
    perm_source_t src;
    int rc = perm_source_random(seed, from, to, &src);
    return rc ? rc : count_permutations(t, &src, nthreads, exceed);
}

int permanova_count_explicit(const permanova_t *t, const int32_t *perm, size_t nperm, int nthreads, uint64_t *exceed)
{
    perm_source_t src;
    int rc = perm_source_explicit(perm, nperm, t->n, &src);
    return rc ? rc : count_permutations(t, &src, nthreads, exceed);
}

/* ---- preparing a test ----------------------------------------------------------------------- */

static int check_design(size_t n, size_t ncol, const int *assign, size_t nterm)
{
    if (n < 3 || ncol == 0 || nterm == 0 || !assign || assign[0] != 0) return GB_E_USAGE;
    for (size_t c = 1; c < ncol; c++)
        if (assign[c] != assign[c - 1] && assign[c] != assign[c - 1] + 1) return GB_E_USAGE;
    return (size_t)assign[ncol - 1] == nterm - 1 ? GB_OK : GB_E_USAGE;
}

void permanova_destroy(permanova_t *t)
{
    if (!t) return;
    free(t->zero);
    free(t->basis);
    free(t->col_lo);
    free(t->col_hi);
    free(t->proj);
    free(t->df);
    free(t->ss);
    free(t->f);
    free(t);
}

size_t permanova_ntests(const permanova_t *t) { return t->ntests; }

/* by terms: the basis columns of each term (kept columns keep their order, so they are
 * adjacent) and its df. */
static void term_columns(permanova_t *t, const int *assign, const size_t *kept)
{
    for (size_t k = 0; k < t->nterm; k++) {
        size_t lo = t->rank, hi = 0;
        for (size_t c = 0; c < t->rank; c++)
            if ((size_t)assign[kept[c]] == k) {
                if (c < lo) lo = c;
                hi = c + 1;
            }
        if (hi == 0) lo = 0;
        t->col_lo[k] = lo;
        t->col_hi[k] = hi;
        t->df[k] = (double)(hi - lo);
    }
}

/* by margin: decompose every reduced design (all columns but term k's), extend the basis
 * with anything it does not span, then form the projectors. ucol has room for every
 * reduced basis column. */
static int margin_models(permanova_t *t, const double *xc, size_t ncol, const int *assign, double *ucol, size_t *nu)
{
    size_t n = t->n, nterm = t->nterm;
    double **q = calloc(nterm, sizeof *q), *xr = malloc(n * ncol * sizeof *xr), *w = NULL;
    size_t *r = calloc(nterm, sizeof *r), *kept = malloc(ncol * sizeof *kept);
    int rc = (!q || !xr || !r || !kept) ? GB_E_NOMEM : GB_OK;
    for (size_t k = 0; k < nterm && !rc; k++) {
        size_t kk = 0;
        for (size_t c = 0; c < ncol; c++)
            if ((size_t)assign[c] != k) kk++;
        for (size_t i = 0; i < n; i++) {
            size_t o = 0;
            for (size_t c = 0; c < ncol; c++)
                if ((size_t)assign[c] != k) xr[i * kk + o++] = xc[i * ncol + c];
        }
        rc = design_basis(xr, n, kk, &q[k], &r[k], kept);
        if (rc) break;
        t->df[k] = (double)(t->rank - r[k]);
        basis_extend(ucol, n, nu, q[k], r[k]);
    }
    if (!rc) {
        t->proj = malloc(nterm * *nu * *nu * sizeof *t->proj);
        w = malloc(*nu * ncol * sizeof *w);
        if (!t->proj || !w) rc = GB_E_NOMEM;
    }
    for (size_t k = 0; k < nterm && !rc; k++) projector(ucol, n, *nu, q[k], r[k], w, t->proj + k * *nu * *nu);
    for (size_t k = 0; q && k < nterm; k++) free(q[k]);
    free(q);
    free(xr);
    free(w);
    free(r);
    free(kept);
    return rc;
}

/* Observed SS and F: the same code with the identity permutation. */
static int observed_stats(permanova_t *t)
{
    int32_t *id = malloc(t->n * sizeof *id);
    if (!id) return GB_E_NOMEM;
    for (size_t i = 0; i < t->n; i++) id[i] = (int32_t)i;
    single_arg_t out = {t->ss, t->f, 0.0};
    int rc = single_stats(t, id, &out);
    t->ss_model = out.ss_model;
    free(id);
    return rc;
}

/* SS_total = tr(G), summed over the parts; then the grids of the M sums: a row's term is at
 * most 2 max|U|^2 n max|G| (|Z_i| <= n max|G| max|U|), n terms. */
static int total_and_scale(permanova_t *t)
{
    double acc[RSUM_LEVELS] = {0}, maxu = 0.0, maxx = 0.0;
    rsum_scale_t s;
    for (size_t k = 0; k < t->n * t->u; k++) maxu = fabs(t->basis[k]) > maxu ? fabs(t->basis[k]) : maxu;
    if (t->xt) { /* tr(G) = ||Xc||^2; a term of M is at most (n max|X| max|U|)^2, m terms */
        for (size_t k = 0; k < t->m * t->n; k++) maxx = fabs(t->xt[k]) > maxx ? fabs(t->xt[k]) : maxx;
        rsum_scale_init(&s, maxx * maxx, t->m * t->n);
        for (size_t k = 0; k < t->m * t->n; k++) rsum_add(&s, acc, t->xt[k] * t->xt[k]);
        double wmax = (double)t->n * maxx * maxu;
        rsum_scale_init(&t->mscale, wmax * wmax, t->m);
    } else {
        rsum_scale_init(&s, t->maxabs, t->n);
        for (size_t i = t->rb.r0; i < t->rb.r1; i++) rsum_add(&s, acc, t->g[rowblk_offset(&t->rb, i) + i]);
        rsum_scale_init(&t->mscale, 2.0 * maxu * maxu * (double)t->n * t->maxabs, t->n);
    }
    int rc = t->sum ? t->sum(t->sum_ctx, acc, RSUM_LEVELS) : GB_OK;
    t->ss_total = rsum_value(acc);
    t->nm = t->u * t->u * RSUM_LEVELS;
    return rc;
}

/* Full-design basis into ucol (column-major, room for ncol * (nterm + 1) columns); xc = the
 * centred design. *xc_out and *ucol_out are the caller's to free, on failure too. */
static int full_model(permanova_t *t, const double *x, size_t ncol, double **xc_out, double **ucol_out, size_t *kept)
{
    size_t n = t->n, cap = ncol * (t->nterm + 1);
    size_t *cols = malloc(ncol * sizeof *cols);
    double *xc = malloc(n * ncol * sizeof *xc), *ucol = malloc(n * cap * sizeof *ucol), *q = NULL;
    int rc = (!cols || !xc || !ucol) ? GB_E_NOMEM : GB_OK;
    if (!rc) {
        for (size_t c = 0; c < ncol; c++) cols[c] = c;
        centred_columns(x, n, ncol, cols, ncol, xc);
        rc = design_basis(xc, n, ncol, &q, &t->rank, kept);
    }
    if (!rc && (t->rank == 0 || n < t->rank + 2)) rc = GB_E_USAGE; /* no model or no residual df */
    if (!rc) memcpy(ucol, q, n * t->rank * sizeof *ucol);
    free(q);
    free(cols);
    *xc_out = xc;
    *ucol_out = ucol;
    return rc;
}

int permanova_create(const double *g, size_t n, const double *x, size_t ncol, const int *assign, size_t nterm,
                     permanova_by_t by, permanova_t **out)
{
    permanova_parts_t whole = {{n, 0, n}, 0.0, NULL, NULL};
    if (g && n) whole.maxabs = rowblk_maxabs(g, &whole.rows, NULL);
    return permanova_create_parts(g, &whole, x, ncol, assign, nterm, by, out);
}

static int create(const double *g, const double *xt, size_t m, const permanova_parts_t *parts, const double *x,
                  size_t ncol, const int *assign, size_t nterm, permanova_by_t by, permanova_t **out);

int permanova_create_parts(const double *g, const permanova_parts_t *parts, const double *x, size_t ncol,
                           const int *assign, size_t nterm, permanova_by_t by, permanova_t **out)
{
    return create(g, NULL, 0, parts, x, ncol, assign, nterm, by, out);
}

int permanova_create_data(const double *xt, size_t m, size_t n, const double *x, size_t ncol, const int *assign,
                          size_t nterm, permanova_by_t by, permanova_t **out)
{
    permanova_parts_t whole = {{n, 0, n}, 0.0, NULL, NULL};
    if (!xt || m == 0) return *out = NULL, GB_E_USAGE;
    return create(NULL, xt, m, &whole, x, ncol, assign, nterm, by, out);
}

static int create(const double *g, const double *xt, size_t m, const permanova_parts_t *parts, const double *x,
                  size_t ncol, const int *assign, size_t nterm, permanova_by_t by, permanova_t **out)
{
    *out = NULL;
    size_t n = parts->rows.n;
    if (parts->rows.r0 > parts->rows.r1 || parts->rows.r1 > n || (parts->rows.r0 % ROWBLK_TILE && parts->rows.r0 < n))
        return GB_E_USAGE;
    int rc = check_design(n, ncol, assign, nterm);
    if (rc) return rc;
    permanova_t *t = calloc(1, sizeof *t);
    size_t *kept = malloc(ncol * sizeof *kept);
    double *xc = NULL, *ucol = NULL;
    rc = GB_E_NOMEM; /* until the allocations below succeed */
    if (!t || !kept) goto done;
    t->g = g;
    t->xt = xt;
    t->m = m;
    t->n = n;
    if (xt && !(t->zero = calloc(n, sizeof *t->zero))) goto done;
    t->rb = parts->rows;
    t->maxabs = parts->maxabs;
    t->sum = parts->sum;
    t->sum_ctx = parts->ctx;
    t->nterm = nterm;
    t->by = by;
    t->ntests = by == PERMANOVA_BY_MODEL ? 1 : nterm;
    t->df = calloc(t->ntests, sizeof *t->df);
    t->ss = calloc(t->ntests, sizeof *t->ss);
    t->f = calloc(t->ntests, sizeof *t->f);
    t->col_lo = calloc(nterm, sizeof *t->col_lo);
    t->col_hi = calloc(nterm, sizeof *t->col_hi);
    if (!t->df || !t->ss || !t->f || !t->col_lo || !t->col_hi) goto done;
    rc = full_model(t, x, ncol, &xc, &ucol, kept);
    if (rc) goto done;
    t->df_resid = (double)(n - t->rank - 1);
    size_t nu = t->rank;
    if (by == PERMANOVA_BY_TERMS) term_columns(t, assign, kept);
    if (by == PERMANOVA_BY_MODEL) t->df[0] = (double)t->rank;
    if (by == PERMANOVA_BY_MARGIN && (rc = margin_models(t, xc, ncol, assign, ucol, &nu))) goto done;
    t->u = nu;
    t->basis = malloc(n * nu * sizeof *t->basis);
    if (!t->basis) {
        rc = GB_E_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < nu; a++) t->basis[i * nu + a] = ucol[a * n + i];
    rc = total_and_scale(t);
    if (!rc) rc = observed_stats(t);
done:
    free(kept);
    free(xc);
    free(ucol);
    if (rc) permanova_destroy(t);
    else *out = t;
    return rc;
}

/* ---- results -------------------------------------------------------------------------------- */

void permanova_table(const permanova_t *t, const uint64_t *exceed, uint64_t nperm, permanova_row_t *rows)
{
    size_t k;
    for (k = 0; k < t->ntests; k++) {
        permanova_row_t *r = rows + k;
        r->df = t->df[k];
        if (t->df[k] > 0) {
            r->ss = t->ss[k];
            r->r2 = t->ss[k] / t->ss_total;
            r->f = t->f[k];
            r->p = exceed && nperm ? ((double)exceed[k] + 1.0) / ((double)nperm + 1.0) : NAN;
        } else {
            r->ss = r->r2 = 0.0;
            r->f = r->p = NAN;
        }
    }
    double ss_resid = t->ss_total - t->ss_model;
    rows[k] = (permanova_row_t){t->df_resid, ss_resid, ss_resid / t->ss_total, NAN, NAN};
    rows[k + 1] = (permanova_row_t){(double)(t->n - 1), t->ss_total, t->ss_total / t->ss_total, NAN, NAN};
}

int permanova_run(const permanova_t *t, uint64_t requested, uint64_t seed, int nthreads, permanova_row_t *rows)
{
    if (requested == 0) {
        permanova_table(t, NULL, 0, rows);
        return GB_OK;
    }
    perm_plan_t plan;
    int rc = perm_plan(t->n, requested, &plan);
    uint64_t *exceed = calloc(t->ntests, sizeof *exceed);
    int32_t *perm = NULL;
    if (!rc && !exceed) rc = GB_E_NOMEM;
    if (!rc && plan.mode == PERM_RANDOM) {
        rc = permanova_count_random(t, seed, 0, plan.nperm, nthreads, exceed);
    } else if (!rc) {
        perm = malloc(plan.nperm * t->n * sizeof *perm);
        rc = perm ? perm_set(t->n, &plan, seed, perm) : GB_E_NOMEM;
        if (!rc) rc = permanova_count_explicit(t, perm, plan.nperm, nthreads, exceed);
    }
    if (!rc) permanova_table(t, exceed, plan.nperm, rows);
    free(exceed);
    free(perm);
    return rc;
}
