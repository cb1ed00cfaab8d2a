/* Top-k PCoA by a block Krylov eigensolver on a matrix-free operator; contracts in pcoa.h.
 *
 * Method: block Lanczos written in Davidson form. The basis V (n x m, orthonormal) is stored
 * with W = A V, so the Rayleigh-Ritz matrix H = V'AV is built from stored products and never
 * re-multiplied. Each step adds the residuals r_j = A x_j - theta_j x_j of the first b
 * unconverged Ritz pairs (the k wanted plus up to b guard pairs); since x_j is in V, this
 * spans the same space as the next block Krylov step A V, so convergence is block Lanczos',
 * but with full reorthogonalisation (two classical Gram-Schmidt passes per column) and without
 * the three-term recurrence that loses orthogonality. When the basis holds k + 5b columns it is
 * thick-restarted to the k + b leading Ritz vectors (their products are linear combinations
 * of W: no callback call). Convergence: every wanted pair's in-basis residual <= PCOA_TOL / 4
 * times the largest |Ritz value|; then one explicit product of the k Ritz vectors checks it
 * (the documented accuracy check). Should rounding accumulated over restarts make the
 * explicit residual miss PCOA_TOL, the basis is refreshed from that product and the
 * iteration continues. When m reaches n the basis is all of R^n and the answer is exact
 * (tiny n, k = n).
 *
 * Why this form: without a preconditioner block Davidson builds the same space as block
 * Lanczos for the same callback passes, and storing A V makes restarts free of products and
 * the small problem exactly symmetric; LOBPCG keeps three blocks per step in its basis and
 * would need the same reorthogonalisation to reach 1e-12. The guard pairs (Ritz pairs k..k+b)
 * are expanded too so that a close eigenvalue k + 1 does not hold back the k-th.
 * Block width b = 8 for k <= 12, else 16. Measured with benchmarks/pcoa_top.sh (Bray-Curtis
 * Gower matrices of simulated cohorts, 500 features, 2 cores): one pcoa_packed_op pass at
 * 8,000 samples costs the same for 1 to 8 columns and ~2x for 16 (the dense product becomes
 * compute-bound); at 4,000 samples (medians of 3 alternating runs) k = 10 took 2.7 s with
 * b = 8 (23 passes, 186 columns) against 3.1 s with b = 12 (21, 250), while k = 50 took
 * 11.9 s with b = 16 (45 passes, 754 columns) against 15.2 s with b = 8 (95, 802). Other
 * settings moved passes little: 8 blocks between restarts instead of 4 saved 0-4 passes, 2
 * cost 3-11 more. Typical cost, 2,000-8,000 samples: k = 2 in 13 passes, k = 10 in 23, k = 50
 * in ~45; eigenvalues within 2e-15 of LAPACK's (relative to lambda_1). The dense O(n^3) path
 * took 52 s at 8,000 samples.
 *
 * The small eigenproblem (m <= k + 5b) is solved by our own cyclic Jacobi: accurate to a few
 * ulps of ||H|| and independent of any BLAS thread count. Dot products over the n rows are summed
 * per fixed chunk of rows and the chunks added in order, and row updates are split over rows
 * (each output written by one thread), so every result is bitwise the same for any OpenMP
 * thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "pcoa.h"
#include "gower.h"
#include "simrng.h"

/* Tuning (compile-time so that benchmarks can try others): block widths for k <= 12 (MIN)
 * and larger k (MAX). */
#ifndef PCOA_BLOCK_MIN
#define PCOA_BLOCK_MIN 8
#endif
#ifndef PCOA_BLOCK_MAX
#define PCOA_BLOCK_MAX 16
#endif
#ifndef PCOA_RESTART_BLOCKS /* blocks added between thick restarts */
#define PCOA_RESTART_BLOCKS 4
#endif

/* In-basis residual (relative) a pair must reach before the final check: a quarter of
 * PCOA_TOL leaves room for the rounding the explicit product adds. */
#define ITER_TOL (0.25 * PCOA_TOL)

enum {
    BLOCK_CAP = PCOA_BLOCK_MIN > PCOA_BLOCK_MAX ? PCOA_BLOCK_MIN : PCOA_BLOCK_MAX,
    CHUNK = 1024, /* rows per partial sum of a dot product: fixed, so sums do not depend on threads */
    TILE = 64     /* rows and columns per tile of the packed product */
};

/* Multiply-adds below which a loop runs on one thread: a parallel region costs a barrier, and
 * on a loaded node a barrier waits for a descheduled thread (tiny regions made n = 2,000 four
 * to five times slower on 2 busy cores). Threads never change results here (fixed chunks). */
#define PAR_MIN 2000000.0

/* A candidate column whose norm falls below this after projection (from 1) is taken to lie in
 * the basis already and is dropped. */
#define DROP 1e-10

typedef struct {
    size_t n, k, b, keep, mmax, m;
    double *v, *av;   /* n x mmax row-major (columns 0..m used): the basis and A times it */
    double *h;        /* mmax x mmax: V'AV */
    double *q;        /* mmax x mmax: Ritz vectors in the basis (column j = pair j, decreasing) */
    double *theta;    /* mmax Ritz values, decreasing */
    double *jac;      /* mmax x mmax: Jacobi's working copy of H */
    double *res;      /* n x keep: residuals, start and random vectors */
    double *tmp;      /* n x mmax: restart scratch, the final check's product */
    double *blk, *ab; /* n x b: a block as the callback sees it, and its product */
    double *col;      /* n: the candidate being orthogonalised */
    double *part;     /* partial sums: nchunk x mmax x b */
    double *coef;     /* mmax x b */
    double *rn;       /* residual norms of the first keep pairs */
    double scale;
    size_t nchunk, calls, products, restarts;
    simrng_t rng;
} lz_t;

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* ---------- deterministic dense helpers ---------- */

/* out (p x q, row-major) = A' B over n rows; A is n x p with row stride lda, B n x q with
 * stride ldb. Chunks of CHUNK rows are summed by whichever thread, then added in chunk order.
 * part holds nchunk * p * min(q, b) doubles: q is done in slices of at most b columns. */
static void gram(const lz_t *s, const double *a, size_t lda, size_t p, const double *bm, size_t ldb, size_t q,
                 double *out)
{
    size_t n = s->n, nchunk = s->nchunk;
    for (size_t q0 = 0; q0 < q; q0 += s->b) {
        size_t qs = min_size(s->b, q - q0);
#pragma omp parallel for schedule(static) if ((double)n * p * qs >= PAR_MIN)
        for (size_t c = 0; c < nchunk; c++) {
            double *acc = s->part + c * p * qs;
            memset(acc, 0, p * qs * sizeof *acc);
            for (size_t i = c * CHUNK; i < min_size(n, (c + 1) * CHUNK); i++) {
                const double *ai = a + i * lda, *bi = bm + i * ldb + q0;
                for (size_t r = 0; r < p; r++)
                    for (size_t t = 0; t < qs; t++) acc[r * qs + t] += ai[r] * bi[t];
            }
        }
        for (size_t r = 0; r < p; r++)
            for (size_t t = 0; t < qs; t++) {
                double sum = 0;
                for (size_t c = 0; c < nchunk; c++) sum += s->part[c * p * qs + r * qs + t];
                out[r * q + q0 + t] = sum;
            }
    }
}

/* The squared norm of each of the q columns of a (n x q, stride lda) into out[q]. */
static void sumsq_cols(const lz_t *s, const double *a, size_t lda, size_t q, double *out)
{
    for (size_t t = 0; t < q; t++) gram(s, a + t, lda, 1, a + t, lda, 1, out + t);
}

/* out (n x q, stride ldo) = A (n x p, stride lda) C (p x q, stride ldc), row by row. */
static void mul_rows(size_t n, const double *a, size_t lda, size_t p, const double *c, size_t ldc, size_t q,
                     double *out, size_t ldo)
{
#pragma omp parallel for schedule(static) if ((double)n * p * q >= PAR_MIN)
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < q; t++) {
            double sum = 0;
            for (size_t r = 0; r < p; r++) sum += a[i * lda + r] * c[r * ldc + t];
            out[i * ldo + t] = sum;
        }
}

/* ---------- the small symmetric eigenproblem ---------- */

/* Cyclic Jacobi on the m x m symmetric a (row stride m, destroyed): eigenvalues into val (the
 * final diagonal), eigenvectors into the columns of vec (row stride ldv). Sweeps until every
 * off-diagonal entry is below 1e-20 ||a||_F (at most 60; quadratic convergence needs ~10). */
static void jacobi(double *a, size_t m, double *val, double *vec, size_t ldv)
{
    double fro = 0;
    for (size_t i = 0; i < m * m; i++) fro += a[i] * a[i];
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) vec[i * ldv + j] = i == j;
    double negligible = 1e-20 * sqrt(fro); /* below this, a rotation changes no eigenvalue */
    for (int sweep = 0, rotated = 1; rotated && sweep < 60; sweep++) {
        rotated = 0;
        for (size_t p = 0; p + 1 < m; p++)
            for (size_t r = p + 1; r < m; r++) {
                double apr = a[p * m + r];
                if (fabs(apr) <= negligible) continue;
                rotated = 1;
                /* the rotation that zeroes a[p][r]: t = tan of its angle, the smaller root */
                double zeta = (a[r * m + r] - a[p * m + p]) / (2 * apr);
                double t = fabs(zeta) > 1e150 ? 0.5 / zeta : 1 / (fabs(zeta) + sqrt(zeta * zeta + 1));
                if (zeta < 0 && fabs(zeta) <= 1e150) t = -t;
                double c = 1 / sqrt(t * t + 1), sn = t * c;
                for (size_t i = 0; i < m; i++) {
                    if (i == p || i == r) continue;
                    double aip = a[i * m + p], air = a[i * m + r];
                    a[i * m + p] = a[p * m + i] = c * aip - sn * air;
                    a[i * m + r] = a[r * m + i] = sn * aip + c * air;
                }
                a[p * m + p] -= t * apr;
                a[r * m + r] += t * apr;
                a[p * m + r] = a[r * m + p] = 0;
                for (size_t i = 0; i < m; i++) {
                    double vp = vec[i * ldv + p], vr = vec[i * ldv + r];
                    vec[i * ldv + p] = c * vp - sn * vr;
                    vec[i * ldv + r] = sn * vp + c * vr;
                }
            }
    }
    for (size_t i = 0; i < m; i++) val[i] = a[i * m + i];
}

typedef struct {
    double val;
    size_t idx;
} ranked_t;

static int by_value_desc(const void *pa, const void *pb)
{
    const ranked_t *a = pa, *b = pb;
    if (a->val != b->val) return a->val > b->val ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Ritz pairs of the current basis: theta decreasing, s->q's columns in the same order, and
 * s->scale = the largest |theta|. */
static int rayleigh_ritz(lz_t *s)
{
    size_t m = s->m, ld = s->mmax;
    double *vec = s->tmp; /* m x m (tmp holds n x mmax >= m x m doubles: n >= m) */
    ranked_t *rank = malloc(m * sizeof *rank);
    if (!rank) return GB_E_NOMEM;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) s->jac[i * m + j] = s->h[i * ld + j];
    jacobi(s->jac, m, s->theta, vec, m);
    for (size_t j = 0; j < m; j++) rank[j] = (ranked_t){s->theta[j], j};
    qsort(rank, m, sizeof *rank, by_value_desc);
    s->scale = 0;
    for (size_t j = 0; j < m; j++) {
        s->theta[j] = rank[j].val;
        s->scale = fmax(s->scale, fabs(rank[j].val));
        for (size_t i = 0; i < m; i++) s->q[i * ld + j] = vec[i * m + rank[j].idx];
    }
    if (s->scale == 0) s->scale = 1; /* A = 0 on the basis (identical samples): absolute residuals */
    free(rank);
    return GB_OK;
}

/* ---------- the basis ---------- */

/* Orthogonalise s->col against the first p basis columns, twice (classical Gram-Schmidt with
 * reorthogonalisation), and return its remaining norm. */
static double orthogonalise(lz_t *s, size_t p)
{
    double nrm2 = 0;
    for (int pass = 0; pass < 2 && p > 0; pass++) {
        gram(s, s->v, s->mmax, p, s->col, 1, 1, s->coef);
#pragma omp parallel for schedule(static) if ((double)s->n * p >= PAR_MIN)
        for (size_t i = 0; i < s->n; i++) {
            double sum = 0;
            for (size_t r = 0; r < p; r++) sum += s->v[i * s->mmax + r] * s->coef[r];
            s->col[i] -= sum;
        }
    }
    sumsq_cols(s, s->col, 1, 1, &nrm2);
    return sqrt(nrm2);
}

/* Append to the basis (after column m, not yet counted in m) the columns idx[0..nc) of cand
 * (n x ?, stride ldc) that are not already in its span; returns how many were appended. */
static size_t append(lz_t *s, const double *cand, size_t ldc, const size_t *idx, size_t nc)
{
    size_t got = 0, cap = min_size(s->mmax, s->n);
    for (size_t j = 0; j < nc && s->m + got < cap; j++) {
        double nrm0 = 0;
        for (size_t i = 0; i < s->n; i++) s->col[i] = cand[i * ldc + idx[j]];
        sumsq_cols(s, s->col, 1, 1, &nrm0);
        if (!(nrm0 > 0)) continue;
        for (size_t i = 0; i < s->n; i++) s->col[i] /= sqrt(nrm0);
        double nrm = orthogonalise(s, s->m + got);
        if (nrm < DROP) continue;
        for (size_t i = 0; i < s->n; i++) s->v[i * s->mmax + s->m + got] = s->col[i] / nrm;
        got++;
    }
    return got;
}

/* c standard normal columns (xoshiro256**, fixed order) appended as in append(). */
static size_t append_random(lz_t *s, size_t c)
{
    size_t idx[BLOCK_CAP];
    for (size_t i = 0; i < s->n * c; i++) s->res[i] = simrng_normal(&s->rng);
    for (size_t j = 0; j < c; j++) idx[j] = j;
    return append(s, s->res, c, idx, c);
}

/* Multiply the c new basis columns (one callback call) and extend H = V'AV by them. */
static int expand(lz_t *s, size_t c, pcoa_op_fn op, void *ctx)
{
    size_t n = s->n, m = s->m, ld = s->mmax;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < c; j++) s->blk[i * c + j] = s->v[i * ld + m + j];
    int rc = op(ctx, s->blk, c, s->ab);
    s->calls++;
    s->products += c;
    if (rc) return rc;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < c; j++) s->av[i * ld + m + j] = s->ab[i * c + j];
    gram(s, s->v, ld, m + c, s->ab, c, c, s->coef); /* (m + c) x c */
    for (size_t j = 0; j < c; j++) {
        for (size_t r = 0; r < m; r++) s->h[r * ld + m + j] = s->h[(m + j) * ld + r] = s->coef[r * c + j];
        for (size_t t = 0; t <= j; t++) /* the new diagonal block, symmetrised */
            s->h[(m + t) * ld + m + j] = s->h[(m + j) * ld + m + t] =
                0.5 * (s->coef[(m + t) * c + j] + s->coef[(m + j) * c + t]);
    }
    s->m = m + c;
    return GB_OK;
}

/* Residuals of the first kk Ritz pairs into s->res (n x kk) and their norms into s->rn. */
static void residuals(lz_t *s, size_t kk)
{
    size_t ld = s->mmax, m = s->m;
#pragma omp parallel for schedule(static) if (2.0 * s->n * m * kk >= PAR_MIN)
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = 0; j < kk; j++) {
            double ax = 0, x = 0;
            for (size_t r = 0; r < m; r++) {
                ax += s->av[i * ld + r] * s->q[r * ld + j];
                x += s->v[i * ld + r] * s->q[r * ld + j];
            }
            s->res[i * kk + j] = ax - s->theta[j] * x;
        }
    sumsq_cols(s, s->res, kk, kk, s->rn);
    for (size_t j = 0; j < kk; j++) s->rn[j] = sqrt(s->rn[j]);
}

/* Thick restart: the basis becomes the s->keep leading Ritz vectors (no product needed). */
static void restart(lz_t *s)
{
    size_t n = s->n, ld = s->mmax, keep = s->keep;
    double *mat[2] = {s->v, s->av};
    for (int w = 0; w < 2; w++) {
        mul_rows(n, mat[w], ld, s->m, s->q, ld, keep, s->tmp, keep);
        for (size_t i = 0; i < n; i++) memcpy(mat[w] + i * ld, s->tmp + i * keep, keep * sizeof *s->tmp);
    }
    for (size_t i = 0; i < keep; i++)
        for (size_t j = 0; j < keep; j++) s->h[i * ld + j] = i == j ? s->theta[i] : 0;
    s->m = keep;
    s->restarts++;
}

/* The documented accuracy check: one explicit product of the k Ritz vectors (into vec).
 * Sets *passed and *resid; when it fails, the basis is refreshed from that product. */
static int final_check(lz_t *s, pcoa_op_fn op, void *ctx, double *vec, int *passed, double *resid)
{
    size_t n = s->n, k = s->k, ld = s->mmax;
    mul_rows(n, s->v, ld, s->m, s->q, ld, k, vec, k);
    int rc = op(ctx, vec, k, s->tmp);
    s->calls++;
    s->products += k;
    if (rc) return rc;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) s->res[i * k + j] = s->tmp[i * k + j] - s->theta[j] * vec[i * k + j];
    sumsq_cols(s, s->res, k, k, s->rn);
    *resid = 0;
    for (size_t j = 0; j < k; j++) { /* not fmax: a NaN residual must fail the check */
        double r = sqrt(s->rn[j]) / s->scale;
        if (!(r <= *resid)) *resid = r;
    }
    *passed = *resid <= PCOA_TOL;
    if (*passed) return GB_OK;
    for (size_t i = 0; i < n; i++) {
        memcpy(s->v + i * ld, vec + i * k, k * sizeof *vec);
        memcpy(s->av + i * ld, s->tmp + i * k, k * sizeof *vec);
    }
    gram(s, vec, k, k, s->tmp, k, k, s->jac);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) s->h[i * ld + j] = 0.5 * (s->jac[i * k + j] + s->jac[j * k + i]);
    s->m = k;
    s->restarts++;
    return GB_OK;
}

static void lz_free(lz_t *s)
{
    double *all[] = {s->v,   s->av,  s->h,  s->q,   s->theta, s->jac,  s->res,
                     s->tmp, s->blk, s->ab, s->col, s->part,  s->coef, s->rn};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]);
}

static int lz_init(lz_t *s, size_t n, size_t k, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->k = k;
    s->b = min_size(n, k <= 12 ? PCOA_BLOCK_MIN : PCOA_BLOCK_MAX);
    s->keep = min_size(n, k + s->b);
    s->mmax = min_size(n, s->keep + PCOA_RESTART_BLOCKS * s->b);
    s->nchunk = (n + CHUNK - 1) / CHUNK;
    size_t mm = s->mmax, b = s->b;
    simrng_seed(&s->rng, seed, 0);
    s->v = malloc(n * mm * sizeof *s->v);
    s->av = malloc(n * mm * sizeof *s->av);
    s->h = malloc(mm * mm * sizeof *s->h);
    s->q = malloc(mm * mm * sizeof *s->q);
    s->theta = malloc(mm * sizeof *s->theta);
    s->jac = malloc(mm * mm * sizeof *s->jac);
    s->res = malloc(n * s->keep * sizeof *s->res);
    s->tmp = malloc(n * mm * sizeof *s->tmp);
    s->blk = malloc(n * b * sizeof *s->blk);
    s->ab = malloc(n * b * sizeof *s->ab);
    s->col = malloc(n * sizeof *s->col);
    s->part = malloc(s->nchunk * mm * b * sizeof *s->part);
    s->coef = malloc(mm * b * sizeof *s->coef);
    s->rn = malloc(mm * sizeof *s->rn);
    if (s->v && s->av && s->h && s->q && s->theta && s->jac && s->res && s->tmp && s->blk && s->ab && s->col &&
        s->part && s->coef && s->rn)
        return GB_OK;
    lz_free(s);
    return GB_E_NOMEM;
}

/* One step's new block: the first b unconverged residuals among the first kk pairs, or
 * random vectors when they all lie in the basis already. */
static size_t next_block(lz_t *s, size_t kk)
{
    size_t idx[BLOCK_CAP], nc = 0;
    for (size_t j = 0; j < kk && nc < s->b; j++)
        if (s->rn[j] > ITER_TOL * s->scale) idx[nc++] = j;
    if (s->m + s->b > s->mmax && s->mmax < s->n) restart(s);
    size_t c = append(s, s->res, kk, idx, nc);
    return c ? c : append_random(s, min_size(s->b, s->n - s->m));
}

/* -1 or +1: the sign that makes column j of v (n x k)'s largest-magnitude entry positive. */
static double orientation(const double *v, size_t n, size_t k, size_t j)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (fabs(v[i * k + j]) > fabs(v[best * k + j])) best = i;
    return v[best * k + j] < 0 ? -1.0 : 1.0;
}

int pcoa_top(size_t n, size_t k, pcoa_op_fn op, void *ctx, uint64_t seed, double *eig, double *vec,
             pcoa_top_info_t *info)
{
    if (n < 2 || k < 1 || k > n || !op || !eig || !vec) return GB_E_USAGE;
    lz_t s;
    if (lz_init(&s, n, k, seed)) return GB_E_NOMEM;
    double resid = NAN;
    int rc = GB_OK, passed = 0;
    size_t c = append_random(&s, s.b);
    while (!rc && !passed) {
        if (!c || s.calls >= PCOA_MAX_CALLS) {
            rc = GB_E_INTERNAL;
            break;
        }
        if ((rc = expand(&s, c, op, ctx)) || (rc = rayleigh_ritz(&s))) break;
        size_t kk = min_size(s.m, s.keep);
        residuals(&s, kk);
        int converged = s.m >= k || s.m == n;
        for (size_t j = 0; converged && s.m < n && j < k; j++) converged = s.rn[j] <= ITER_TOL * s.scale;
        while (!rc && converged && !passed) {
            if ((rc = final_check(&s, op, ctx, vec, &passed, &resid)) || passed) break;
            if (s.calls >= PCOA_MAX_CALLS) rc = GB_E_INTERNAL;
            else if (!(rc = rayleigh_ritz(&s))) residuals(&s, kk = min_size(s.m, s.keep));
            converged = s.m == n; /* a full basis is exact: only the check can tell more */
        }
        if (!rc && !passed) c = next_block(&s, kk);
    }
    if (!rc) {
        for (size_t j = 0; j < k; j++) {
            double sign = orientation(vec, n, k, j);
            eig[j] = s.theta[j];
            if (sign < 0)
                for (size_t i = 0; i < n; i++) vec[i * k + j] = -vec[i * k + j];
        }
    }
    if (info) *info = (pcoa_top_info_t){s.products, s.restarts, resid, s.scale};
    lz_free(&s);
    return rc;
}

void pcoa_coords(size_t n, size_t k, const double *eig, const double *vec, double *coord)
{
    for (size_t a = 0; a < k; a++) {
        double f = eig[a] > 0 ? sqrt(eig[a]) : NAN;
        for (size_t i = 0; i < n; i++) coord[i * k + a] = vec[i * k + a] * f;
    }
}

/* y_i = sum_{j <= i} G(i,j) x_j (row i's stored part, tile by tile so x_j stays in cache), then
 * + sum_{r > i} G(r,i) x_r (the rows below, read as columns): always in that order. */
int pcoa_packed_op(void *ctx, const double *x, size_t b, double *y)
{
    const pcoa_packed_t *p = ctx;
    size_t n = p->n, nb = (n + TILE - 1) / TILE;
    const double *g = p->g;
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t t = 0; t < nb; t++) {
        size_t i0 = t * TILE, i1 = min_size(n, i0 + TILE);
        memset(y + i0 * b, 0, (i1 - i0) * b * sizeof *y);
        for (size_t j0 = 0; j0 < i1; j0 += TILE)
            for (size_t i = i0; i < i1; i++) {
                const double *row = g + gower_row_offset(i);
                double *yi = y + i * b;
                for (size_t j = j0; j < min_size(j0 + TILE, i + 1); j++)
                    for (size_t c = 0; c < b; c++) yi[c] += row[j] * x[j * b + c];
            }
        for (size_t r = i0 + 1; r < n; r++) {
            const double *row = g + gower_row_offset(r), *xr = x + r * b;
            for (size_t i = i0; i < min_size(i1, r); i++)
                for (size_t c = 0; c < b; c++) y[i * b + c] += row[i] * xr[c];
        }
    }
    return GB_OK;
}

int pcoa(const double *g, size_t n, size_t k, double *eig, double *coord)
{
    if (n < 2 || k > n) return GB_E_USAGE;
    for (size_t i = 0; i < n; i++) eig[i] = NAN;
    if (k == 0) return GB_OK;
    pcoa_packed_t dense = {g, n};
    int rc = pcoa_top(n, k, pcoa_packed_op, &dense, 1, eig, coord, NULL);
    if (!rc) pcoa_coords(n, k, eig, coord, coord);
    return rc;
}
