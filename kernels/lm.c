/* Batched least squares with R's QR (LINPACK dqrdc2 semantics) and R's summary/p.adjust
 * arithmetic. See lm.h for the contracts; docs/STATS.md S8 for R's rules. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#define MATHLIB_STANDALONE
#include <Rmath.h>
#include "lm.h"
#include "gb_status.h"

struct lm_design {
    size_t n, p, rank;
    size_t *pivot;    /* p: original column at each position (0-based qr()$pivot) */
    double *q1;       /* n x rank row-major: the first rank columns of Q */
    double *r;        /* rank x rank row-major upper triangle of R */
    double *unscaled; /* rank: diag((R^T R)^-1), summary's diag(chol2inv(R)) */
};

/* ---- dqrdc2 -------------------------------------------------------------------------- */

/* Working state of the limited-pivoting Householder QR, column-major like LINPACK. */
typedef struct {
    double *x;         /* n x p column-major; R above the diagonal, Householder data below */
    double *qraux;     /* p: current column norms, then the first Householder entries */
    double *norm_now;  /* p: dqrdc2's work(,1), kept for fidelity (recomputed norms) */
    double *norm_orig; /* p: original norms (1 for a zero column), the reference for tol */
    double *column;    /* n: scratch to move one column */
    size_t *pivot;
    size_t n, p;
} qr_state_t;

static double *col(const qr_state_t *s, size_t j) { return s->x + j * s->n; }

/* OpenBLAS splits ddot over its threads above 10000 elements (measured), which would make the
 * QR depend on the thread count. Chunks of at most 10000 summed in order keep it fixed, and
 * for n <= 10000 this is exactly the call R's dqrdc2 makes. */
#define DOT_CHUNK 10000
static double dot(int len, const double *x, const double *y)
{
    double sum = 0.0;
    for (int at = 0; at < len; at += DOT_CHUNK) {
        int part = len - at < DOT_CHUNK ? len - at : DOT_CHUNK;
        sum += cblas_ddot(part, x + at, 1, y + at, 1);
    }
    return sum;
}

/* Move column l to the far right, shifting l+1 .. p-1 one place left (with its bookkeeping). */
static void qr_move_to_end(qr_state_t *s, size_t l)
{
    size_t n = s->n, p = s->p, tail = p - l - 1;
    memcpy(s->column, col(s, l), n * sizeof(double));
    memmove(col(s, l), col(s, l + 1), tail * n * sizeof(double));
    memcpy(col(s, p - 1), s->column, n * sizeof(double));
    size_t pv = s->pivot[l];
    double q = s->qraux[l], now = s->norm_now[l], orig = s->norm_orig[l];
    memmove(s->pivot + l, s->pivot + l + 1, tail * sizeof(size_t));
    memmove(s->qraux + l, s->qraux + l + 1, tail * sizeof(double));
    memmove(s->norm_now + l, s->norm_now + l + 1, tail * sizeof(double));
    memmove(s->norm_orig + l, s->norm_orig + l + 1, tail * sizeof(double));
    s->pivot[p - 1] = pv;
    s->qraux[p - 1] = q;
    s->norm_now[p - 1] = now;
    s->norm_orig[p - 1] = orig;
}

/* Apply step l's reflector to column j (j > l) and downdate j's norm as dqrdc2 does: the
 * cheap update sqrt(1 - (x_lj/norm)^2) unless it loses too much, then a fresh dnrm2. */
static void qr_reflect_column(qr_state_t *s, size_t l, size_t j)
{
    int len = (int)(s->n - l);
    double *v = col(s, l) + l, *y = col(s, j) + l;
    double t = -dot(len, v, y) / v[0];
    cblas_daxpy(len, t, v, 1, y, 1);
    if (s->qraux[j] == 0.0) return;
    double ratio = fabs(y[0]) / s->qraux[j];
    double shrink = 1.0 - ratio * ratio;
    if (shrink < 0.0) shrink = 0.0;
    if (fabs(shrink) < 1e-6) {
        s->qraux[j] = cblas_dnrm2(len - 1, y + 1, 1);
        s->norm_now[j] = s->qraux[j];
    } else {
        s->qraux[j] *= sqrt(shrink);
    }
}

/* Householder step for column l (rows l .. n-1), LINPACK's normalisation: v = x/±||x|| with
 * v_0 = 1 + |x_0|/||x||, R_ll = -(±||x||), qraux[l] = v_0. */
static void qr_householder(qr_state_t *s, size_t l)
{
    int len = (int)(s->n - l);
    double *v = col(s, l) + l;
    double norm = cblas_dnrm2(len, v, 1);
    if (norm == 0.0) return;
    if (v[0] != 0.0) norm = copysign(norm, v[0]);
    cblas_dscal(len, 1.0 / norm, v, 1);
    v[0] = 1.0 + v[0];
    for (size_t j = l + 1; j < s->p; j++) qr_reflect_column(s, l, j);
    s->qraux[l] = v[0];
    v[0] = -norm;
}

/* dqrdc2: returns the rank. Columns are cycled left to right; a column whose current norm is
 * below tol x its original norm goes to the end (at most once per column: the l < k guard). */
static size_t qr_dqrdc2(qr_state_t *s, double tol)
{
    size_t n = s->n, p = s->p;
    for (size_t j = 0; j < p; j++) {
        s->qraux[j] = cblas_dnrm2((int)n, col(s, j), 1);
        s->norm_now[j] = s->qraux[j];
        s->norm_orig[j] = s->qraux[j] == 0.0 ? 1.0 : s->qraux[j];
        s->pivot[j] = j;
    }
    size_t steps = n < p ? n : p;
    size_t k = p + 1; /* 1-based, as in dqrdc2: columns k-1 .. p are the moved ones */
    for (size_t l = 0; l < steps; l++) {
        while (l + 1 < k && s->qraux[l] < s->norm_orig[l] * tol) {
            qr_move_to_end(s, l);
            k--;
        }
        if (l + 1 == n) continue; /* the last row needs no reflector */
        qr_householder(s, l);
    }
    k -= 1;
    return k < n ? k : n;
}

/* ---- design -------------------------------------------------------------------------- */

/* Q1 = H_0 H_1 ... H_{r-1} [I_rank; 0], r = min(rank, n-1) reflectors as dqrsl uses them. */
static void build_q1(lm_design_t *d, qr_state_t *s, double *z)
{
    size_t n = d->n, rank = d->rank, reflectors = rank < n - 1 ? rank : n - 1;
    for (size_t c = 0; c < rank; c++) {
        memset(z, 0, n * sizeof(double));
        z[c] = 1.0;
        for (size_t jj = reflectors; jj-- > 0;) {
            if (s->qraux[jj] == 0.0) continue;
            double *v = col(s, jj) + jj, keep = v[0];
            int len = (int)(n - jj);
            v[0] = s->qraux[jj];
            double t = -dot(len, v, z + jj) / v[0];
            cblas_daxpy(len, t, v, 1, z + jj, 1);
            v[0] = keep;
        }
        for (size_t i = 0; i < n; i++) d->q1[i * rank + c] = z[i];
    }
}

/* R factor (row-major) and diag((R^T R)^-1) by dpotri, as summary's chol2inv does. */
static int build_r(lm_design_t *d, const qr_state_t *s, double *scratch)
{
    size_t rank = d->rank;
    for (size_t a = 0; a < rank; a++)
        for (size_t b = 0; b < rank; b++) {
            double v = b >= a ? s->x[a + b * d->n] : 0.0;
            d->r[a * rank + b] = v;
            scratch[a + b * rank] = v; /* column-major copy for LAPACK */
        }
    if (rank == 0) return 0;
    if (LAPACKE_dpotri(LAPACK_COL_MAJOR, 'U', (lapack_int)rank, scratch, (lapack_int)rank)) return GB_E_USAGE;
    for (size_t a = 0; a < rank; a++) d->unscaled[a] = scratch[a + a * rank];
    return 0;
}

void lm_design_destroy(lm_design_t *d)
{
    if (!d) return;
    free(d->pivot);
    free(d->q1);
    free(d->r);
    free(d->unscaled);
    free(d);
}

/* Allocate the state; every buffer is sized for p columns so rank is not needed yet. */
static int design_alloc(size_t n, size_t p, lm_design_t **dp, qr_state_t *s, double **scratch)
{
    lm_design_t *d = calloc(1, sizeof *d);
    /* QR matrix, 3 norm vectors, one moved column, then the p x p LAPACK copy of R */
    *scratch = malloc((n * p + 3 * p + n + p * p) * sizeof(double));
    if (!d || !*scratch) goto fail;
    d->n = n;
    d->p = p;
    d->pivot = malloc(p * sizeof(size_t));
    d->q1 = malloc(n * p * sizeof(double));
    d->r = malloc(p * p * sizeof(double));
    d->unscaled = malloc(p * sizeof(double));
    if (!d->pivot || !d->q1 || !d->r || !d->unscaled) goto fail;
    double *w = *scratch;
    *s = (qr_state_t){.x = w,
                      .qraux = w + n * p,
                      .norm_now = w + n * p + p,
                      .norm_orig = w + n * p + 2 * p,
                      .column = w + n * p + 3 * p,
                      .pivot = d->pivot,
                      .n = n,
                      .p = p};
    *dp = d;
    return 0;
fail:
    lm_design_destroy(d);
    free(*scratch);
    *scratch = NULL;
    return GB_E_NOMEM;
}

int lm_design_create(const double *X, size_t n, size_t p, size_t ldx, double tol, lm_design_t **out)
{
    *out = NULL;
    if (n == 0 || p == 0 || ldx < p) return GB_E_USAGE;
    lm_design_t *d;
    qr_state_t s;
    double *scratch;
    if (design_alloc(n, p, &d, &s, &scratch)) return GB_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++) s.x[i + j * n] = X[i * ldx + j];
    d->rank = qr_dqrdc2(&s, tol);
    double *tail = s.column + n; /* the p x p part of scratch */
    build_q1(d, &s, s.column);
    int rc = build_r(d, &s, tail);
    free(scratch);
    if (rc) {
        lm_design_destroy(d);
        return rc;
    }
    *out = d;
    return GB_OK;
}

size_t lm_design_rows(const lm_design_t *d) { return d->n; }
size_t lm_design_cols(const lm_design_t *d) { return d->p; }
size_t lm_design_rank(const lm_design_t *d) { return d->rank; }
size_t lm_design_df(const lm_design_t *d) { return d->n - d->rank; }
const size_t *lm_design_pivot(const lm_design_t *d) { return d->pivot; }
const double *lm_design_q1(const lm_design_t *d) { return d->q1; }
const double *lm_design_r(const lm_design_t *d) { return d->r; }

int lm_design_aliased(const lm_design_t *d, size_t j)
{
    for (size_t k = d->rank; k < d->p; k++)
        if (d->pivot[k] == j) return 1;
    return 0;
}

/* ---- fit ------------------------------------------------------------------------------ */

size_t lm_fit_work_size(const lm_design_t *d) { return 2 * d->p * LM_FIT_BLOCK; }

static void set_if(double *a, size_t idx, double v)
{
    if (a) a[idx] = v;
}

/* Summary rows of one response: coefficient, SE, t, p per original column (NaN if aliased). */
static void summarize(const lm_design_t *d, const double *beta, size_t stride, double rss, size_t f,
                      const lm_fit_out_t *out)
{
    size_t df = d->n - d->rank;
    double sigma2 = rss / (double)df; /* summary.lm: resvar <- rss/rdf */
    set_if(out->rss, f, rss);
    set_if(out->sigma2, f, sigma2);
    for (size_t k = 0; k < d->p; k++) {
        size_t idx = f * out->ld + d->pivot[k];
        if (k >= d->rank) {
            set_if(out->coef, idx, NAN);
            set_if(out->se, idx, NAN);
            set_if(out->tval, idx, NAN);
            set_if(out->pval, idx, NAN);
            continue;
        }
        double b = beta[k * stride];
        double se = df > 0 ? sqrt(d->unscaled[k] * sigma2) : NAN;
        double t = b / se;
        set_if(out->coef, idx, b);
        set_if(out->se, idx, se);
        set_if(out->tval, idx, t);
        set_if(out->pval, idx, df > 0 ? 2.0 * pt(fabs(t), (double)df, 0, 0) : NAN);
    }
}

/* Rows per partial sum: summing each chunk of samples on its own and then the chunk totals
 * makes rounding grow with ~(chunk + n/chunk) terms instead of n (3-10x closer to R at n=2000). */
#define ROW_CHUNK 64

/* C = Q1^T Y for B responses (C is rank x B; part is rank x B scratch). Plain loops rather
 * than dgemm: every sum runs over the samples in a fixed order, so a response's result does not
 * depend on the block it falls in, on how the caller splits the features, or on BLAS threads;
 * the inner loop runs over contiguous responses and vectorises. */
static void project(const lm_design_t *d, const double *restrict Y, size_t ldy, size_t B, double *restrict C,
                    double *restrict part)
{
    size_t rank = d->rank;
    memset(C, 0, rank * B * sizeof(double));
    for (size_t i0 = 0; i0 < d->n; i0 += ROW_CHUNK) {
        size_t i1 = d->n - i0 < ROW_CHUNK ? d->n : i0 + ROW_CHUNK;
        memset(part, 0, rank * B * sizeof(double));
        for (size_t i = i0; i < i1; i++) {
            const double *restrict y = Y + i * ldy, *restrict q = d->q1 + i * rank;
            for (size_t c = 0; c < rank; c++) {
                double *restrict row = part + c * B, qc = q[c];
                for (size_t f = 0; f < B; f++) row[f] += qc * y[f];
            }
        }
        for (size_t k = 0; k < rank * B; k++) C[k] += part[k];
    }
}

/* rss[f] = sum_i (y_if - sum_c Q1_ic C_cf)^2, residuals y - Q1 Q1^T y; fitted and part are
 * B scratch doubles each. */
static void residual_ss(const lm_design_t *d, const double *restrict Y, size_t ldy, size_t B, const double *restrict C,
                        double *restrict fitted, double *restrict part, double *restrict rss)
{
    size_t rank = d->rank;
    memset(rss, 0, B * sizeof(double));
    for (size_t i0 = 0; i0 < d->n; i0 += ROW_CHUNK) {
        size_t i1 = d->n - i0 < ROW_CHUNK ? d->n : i0 + ROW_CHUNK;
        memset(part, 0, B * sizeof(double));
        for (size_t i = i0; i < i1; i++) {
            const double *restrict y = Y + i * ldy, *restrict q = d->q1 + i * rank;
            memset(fitted, 0, B * sizeof(double));
            for (size_t c = 0; c < rank; c++) {
                const double *restrict row = C + c * B;
                double qc = q[c];
                for (size_t f = 0; f < B; f++) fitted[f] += qc * row[f];
            }
            for (size_t f = 0; f < B; f++) {
                double e = y[f] - fitted[f];
                part[f] += e * e;
            }
        }
        for (size_t f = 0; f < B; f++) rss[f] += part[f];
    }
}

/* C = R^-1 C by back substitution, column by column of C at once. */
static void back_substitute(const lm_design_t *d, size_t B, double *restrict C)
{
    size_t rank = d->rank;
    for (size_t c = rank; c-- > 0;) {
        double *restrict row = C + c * B;
        for (size_t l = c + 1; l < rank; l++) {
            const double *restrict done = C + l * B;
            double r = d->r[c * rank + l];
            for (size_t f = 0; f < B; f++) row[f] -= r * done[f];
        }
        double diag = d->r[c * rank + c];
        for (size_t f = 0; f < B; f++) row[f] /= diag;
    }
}

/* One block of B responses starting at column f0 of Y; work holds 2 x rank x B doubles. */
static void fit_block(const lm_design_t *d, const double *Y, size_t ldy, size_t f0, size_t B, double *work,
                      const lm_fit_out_t *out)
{
    double *C = work, *part = work + d->rank * B;
    double fitted[LM_FIT_BLOCK], rss[LM_FIT_BLOCK];
    project(d, Y + f0, ldy, B, C, part);
    residual_ss(d, Y + f0, ldy, B, C, fitted, part, rss);
    back_substitute(d, B, C);
    for (size_t f = 0; f < B; f++) summarize(d, C + f, B, rss[f], f0 + f, out);
}

int lm_fit(const lm_design_t *d, const double *Y, size_t m, size_t ldy, double *work, const lm_fit_out_t *out)
{
    int matrices = out->coef || out->se || out->tval || out->pval;
    if (ldy < m || (matrices && out->ld < d->p)) return GB_E_USAGE;
    for (size_t f0 = 0; f0 < m; f0 += LM_FIT_BLOCK) {
        size_t B = m - f0 < LM_FIT_BLOCK ? m - f0 : LM_FIT_BLOCK;
        fit_block(d, Y, ldy, f0, B, work, out);
    }
    return 0;
}

/* ---- p.adjust ------------------------------------------------------------------------ */

/* order(p, decreasing = TRUE), stable: ties keep their original order. */
static int compare_decreasing(const void *a, const void *b, void *values)
{
    const double *p = values;
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    if (p[ia] > p[ib]) return -1;
    if (p[ia] < p[ib]) return 1;
    return (ia > ib) - (ia < ib);
}

void lm_p_adjust(const double *p, size_t m, lm_adjust_t method, double *q, size_t *scratch)
{
    size_t count = 0;
    for (size_t i = 0; i < m; i++) {
        if (!isnan(p[i])) scratch[count++] = i;
        q[i] = p[i];
    }
    if (count <= 1) return; /* R returns p unchanged */
    qsort_r(scratch, count, sizeof *scratch, compare_decreasing, (void *)p);

    double factor = 1.0; /* BY: sum(1/(1L:n)), long double accumulation as sum() */
    if (method == LM_ADJUST_BY) {
        long double s = 0.0L;
        for (size_t k = 1; k <= count; k++) s += 1.0 / (double)k;
        factor = (double)s;
    }
    double running = INFINITY, total = (double)count;
    for (size_t r = 0; r < count; r++) {
        size_t idx = scratch[r];
        double i = (double)(count - r);
        /* R: n/i * p[o] (BH) and q * n/i * p[o] (BY), left to right */
        double v = method == LM_ADJUST_BY ? factor * total / i * p[idx] : total / i * p[idx];
        if (v < running) running = v;
        q[idx] = running < 1.0 ? running : 1.0;
    }
}
