/* PERMANOVA (adonis2) and betadisper(centroid) kernels; contracts in permanova.h.
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
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "permanova.h"
#include "lm.h"
#include "gb_status.h"
#define MATHLIB_STANDALONE
#include <Rmath.h>

#define QR_TOL 1e-7           /* R's qr() default, used by adonis2 (STATS-SEMANTICS §8) */
#define NEG_DIST_TOL -1e-7    /* adonis2 stops below this */
#define BASIS_NEW_TOL 1e-10   /* residual norm above which a reduced model adds a basis column */
#define MAX_EXPLICIT_N 12     /* n! must fit comfortably: enumerate/unrank only below this */

/* Kernel shape, tuned on the 2-core AMD EPYC (Zen 4) of the project machine at n = 2000:
 * MR 6 x NR 8 gives 12 independent 4-wide accumulators (enough to cover FMA latency) and
 * reached ~40 GFLOPS per core against ~24 for 4 x 8 and ~26 for 8 x 8; a 128-column batch
 * beat 64 by ~8%; KC between 120 and 480 made no difference. KC must be a multiple of MR. */
enum {
    MR = 6,        /* rows of Z per register tile */
    NR = 8,        /* columns of Z per register tile (two 4-double vectors) */
    KC = 240,      /* rows of U~ per cache block (KC x w doubles stay in L2) */
    W_TARGET = 128 /* batch width in columns: batch = W_TARGET / u permutations */
};
_Static_assert(KC % MR == 0, "a row block must not straddle a cache block");
_Static_assert(NR % 4 == 0, "register tiles are whole 4-double vectors");

struct permanova {
    const double *g;     /* borrowed packed-lower Gower matrix */
    size_t n, nterm, ntests;
    permanova_by_t by;
    size_t rank;         /* rank of the full design */
    size_t u;            /* basis columns; the first `rank` span the full design in order */
    double *basis;       /* n x u row-major */
    size_t *col_lo, *col_hi; /* by terms: basis columns of term k are [col_lo, col_hi) */
    double *proj;        /* by margin: nterm u x u projectors of the reduced designs */
    double *df;          /* ntests */
    double df_resid, ss_total;
    double *ss, *f;      /* ntests observed */
    double ss_model;
};

/* ---- random permutations ------------------------------------------------------------------ */

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct {
    uint64_t s[4];
} xoshiro_t;

static uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t xoshiro_next(xoshiro_t *r)
{
    uint64_t *s = r->s, result = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* State from a hash of (seed, index): streams of different indices start at unrelated
 * points of the splitmix64 sequence, so no two permutations share random numbers. */
static void xoshiro_seed(xoshiro_t *r, uint64_t seed, uint64_t index)
{
    uint64_t x = mix64(mix64(seed + 0x9E3779B97F4A7C15ULL) ^ mix64(index ^ 0x5851F42D4C957F2DULL));
    for (int i = 0; i < 4; i++) r->s[i] = mix64(x += 0x9E3779B97F4A7C15ULL);
}

/* Uniform integer in [0, range), range >= 1, without modulo bias (Lemire 2019). */
static uint64_t xoshiro_below(xoshiro_t *r, uint64_t range)
{
    unsigned __int128 m = (unsigned __int128)xoshiro_next(r) * range;
    uint64_t low = (uint64_t)m;
    if (low < range) {
        uint64_t floor = -range % range;
        while (low < floor) {
            m = (unsigned __int128)xoshiro_next(r) * range;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

void perm_draw(uint64_t seed, uint64_t index, size_t n, int32_t *perm)
{
    xoshiro_t r;
    xoshiro_seed(&r, seed, index);
    for (size_t i = 0; i < n; i++) perm[i] = (int32_t)i;
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)xoshiro_below(&r, i + 1);
        int32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

/* n! or 0 when it does not fit in 64 bits. */
static uint64_t factorial_u64(size_t n)
{
    uint64_t f = 1;
    for (size_t k = 2; k <= n; k++) {
        if (f > UINT64_MAX / k) return 0;
        f *= k;
    }
    return f;
}

int perm_plan(size_t n, uint64_t requested, perm_plan_t *plan)
{
    if (n < 2 || requested == 0) return GB_E_USAGE;
    uint64_t all = factorial_u64(n); /* 0 = astronomically many */
    plan->nperm = requested;
    plan->mode = PERM_RANDOM;
    if (all && requested >= all - 1) { /* permute::check: complete enumeration */
        plan->mode = PERM_ALL;
        plan->nperm = all - 1;
    } else if (all && all - 1 <= 5040) { /* fewer than minperm: drawn from the full set */
        plan->mode = PERM_DISTINCT;
    }
    return 0;
}

/* Permutation with lexicographic rank `rank` (0 = identity), by the factorial number system. */
static void unrank_permutation(uint64_t rank, size_t n, int32_t *perm, int32_t *pool)
{
    for (size_t i = 0; i < n; i++) pool[i] = (int32_t)i;
    for (size_t i = 0; i < n; i++) {
        uint64_t f = factorial_u64(n - 1 - i), d = rank / f;
        rank %= f;
        perm[i] = pool[d];
        memmove(pool + d, pool + d + 1, (n - 1 - i - d) * sizeof *pool);
    }
}

int perm_set(size_t n, const perm_plan_t *plan, uint64_t seed, int32_t *perm)
{
    if (plan->mode == PERM_RANDOM || n < 2 || n > MAX_EXPLICIT_N) return GB_E_USAGE;
    uint64_t all = factorial_u64(n);
    int32_t pool[MAX_EXPLICIT_N];
    if (plan->mode == PERM_ALL) {
        for (uint64_t k = 1; k < all; k++) unrank_permutation(k, n, perm + (k - 1) * n, pool);
        return 0;
    }
    /* DISTINCT: partial Fisher-Yates over the ranks 1 .. n!-1 */
    uint64_t *ranks = malloc((all - 1) * sizeof *ranks);
    if (!ranks) return GB_E_NOMEM;
    for (uint64_t k = 0; k < all - 1; k++) ranks[k] = k + 1;
    xoshiro_t r;
    xoshiro_seed(&r, seed, UINT64_MAX);
    for (uint64_t k = 0; k < plan->nperm; k++) {
        uint64_t j = k + xoshiro_below(&r, all - 1 - k);
        uint64_t t = ranks[k];
        ranks[k] = ranks[j];
        ranks[j] = t;
        unrank_permutation(ranks[k], n, perm + k * n, pool);
    }
    free(ranks);
    return 0;
}

/* ---- Gower matrix ------------------------------------------------------------------------- */

size_t gower_packed_size(size_t n) { return n * (n + 1) / 2; }

static size_t packed_row(size_t i) { return i * (i + 1) / 2; }

static int check_distance(double d)
{
    return isfinite(d) && d >= NEG_DIST_TOL ? 0 : GB_E_FORMAT;
}

/* A distance matrix in one of the accepted layouts: row i's entries j < i are contiguous. */
typedef struct {
    const double *f64;
    const float *f32; /* exactly one of f64 / f32 */
    size_t stride;    /* full n x n: n; 0: strict lower triangle packed */
} dist_src_t;

static size_t dist_row(const dist_src_t *s, size_t i)
{
    return s->stride ? i * s->stride : (i ? i * (i - 1) / 2 : 0);
}

static double dist_at(const dist_src_t *s, size_t at) { return s->f64 ? s->f64[at] : (double)s->f32[at]; }

/* Row means of A = -d^2/2 (zero diagonal) into mean, checking every distance. */
static int gower_row_means(const dist_src_t *s, size_t n, double *mean)
{
    memset(mean, 0, n * sizeof *mean);
    for (size_t i = 0; i < n; i++) {
        size_t row = dist_row(s, i);
        for (size_t j = 0; j < i; j++) {
            double v = dist_at(s, row + j);
            if (check_distance(v)) return GB_E_FORMAT;
            double a = -0.5 * v * v;
            mean[i] += a;
            mean[j] += a;
        }
    }
    for (size_t i = 0; i < n; i++) mean[i] /= (double)n;
    return 0;
}

/* G = J A J = A - mean_i - mean_j + grand mean. Two passes over d (row sums, then G) so G is
 * written once; the second pass is row-parallel (default OpenMP team: every element is
 * computed by one thread with the same arithmetic, so G does not depend on the team size),
 * which also spreads the first touch of G's pages, the slowest part at cohort sizes. */
static int gower(const dist_src_t *s, size_t n, double *g)
{
    if (n < 2) return GB_E_USAGE;
    double *mean = malloc(n * sizeof *mean);
    if (!mean) return GB_E_NOMEM;
    int rc = gower_row_means(s, n, mean);
    if (rc) {
        free(mean);
        return rc;
    }
    double grand = 0.0;
    for (size_t i = 0; i < n; i++) grand += mean[i];
    grand /= (double)n;
#pragma omp parallel for schedule(dynamic, 64) default(none) shared(s, n, g, mean, grand)
    for (size_t i = 0; i < n; i++) {
        double *grow = g + packed_row(i);
        size_t row = dist_row(s, i);
        for (size_t j = 0; j < i; j++) {
            double v = dist_at(s, row + j);
            grow[j] = -0.5 * v * v - mean[i] - mean[j] + grand;
        }
        grow[i] = 0.0 - mean[i] - mean[i] + grand;
    }
    free(mean);
    return 0;
}

int gower_full(const double *d, size_t n, double *g)
{
    dist_src_t s = { d, NULL, n };
    return gower(&s, n, g);
}

int gower_lower(const double *d, size_t n, double *g)
{
    dist_src_t s = { d, NULL, 0 };
    return gower(&s, n, g);
}

int gower_lower_f32(const float *d, size_t n, double *g)
{
    dist_src_t s = { NULL, d, 0 };
    return gower(&s, n, g);
}

/* ---- design: bases of the model spaces ------------------------------------------------------ */

/* Columns cols[0..k) of x (n x ncol row-major), each centred (mean in long double, as R's
 * colMeans), into out (n x k row-major). */
static void centred_columns(const double *x, size_t n, size_t ncol, const size_t *cols, size_t k,
                            double *out)
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
static int design_basis(const double *xc, size_t n, size_t k, double **q, size_t *rank,
                        size_t *kept)
{
    *q = NULL;
    *rank = 0;
    if (k == 0) return 0;
    lm_design_t *d = NULL;
    int rc = lm_design_create(xc, n, k, k, QR_TOL, &d);
    if (rc) return rc == GB_E_NOMEM ? rc : GB_E_INTERNAL;
    size_t r = lm_design_rank(d);
    memcpy(kept, lm_design_pivot(d), r * sizeof *kept);
    lm_design_destroy(d);
    if (r == 0) return 0;
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
    return 0;
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
static void projector(const double *u, size_t n, size_t nu, const double *q, size_t r, double *w,
                      double *proj)
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

/* The product kernel is also compiled for x86-64-v3 (AVX2 + FMA) and picked at load time;
 * one machine always runs the same clone, so its results are reproducible there. (An AVX-512
 * clone was no faster on Zen 4, which splits 512-bit FMAs in two.) Not under
 * AddressSanitizer, whose start-up does not mix with ifunc resolvers. */
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define KERNEL_CLONES
#endif

/* 4 doubles, GCC vector extension (SSE pairs on the default target); vd4u may be unaligned. */
typedef double vd4 __attribute__((vector_size(32)));
typedef double vd4u __attribute__((vector_size(32), aligned(8)));
enum { NV = NR / 4 };

static size_t batch_perms(size_t u) { return u >= W_TARGET ? 1 : W_TARGET / u; }
/* Columns of U~ and Z for nb permutations: nb * u rounded up to whole register tiles. A
 * column's arithmetic does not depend on the width, so a short batch (the observed statistic,
 * a range's last batch) gives bitwise the same F* as a full one. */
static size_t batch_width(size_t u, size_t nb) { return (nb * u + NR - 1) / NR * NR; }

/* z[r] += sum_{j0 <= j < j1} grow[r][j] * ut[j], for MR rows r, all w columns (w % NR == 0).
 * Register tile MR x NR; every z element is summed over j in increasing order. */
static inline void rows_times_block(const double *const grow[MR], const double *ut, size_t w,
                                    size_t j0, size_t j1, double *z)
{
    for (size_t c = 0; c < w; c += NR) {
        vd4 acc[MR][NV];
        for (int r = 0; r < MR; r++)
            for (int h = 0; h < NV; h++) acc[r][h] = *(const vd4u *)(z + r * w + c + 4 * h);
        for (size_t j = j0; j < j1; j++) {
            vd4 u[NV];
            for (int h = 0; h < NV; h++) u[h] = *(const vd4u *)(ut + j * w + c + 4 * h);
            for (int r = 0; r < MR; r++) {
                double a = grow[r][j];
                for (int h = 0; h < NV; h++) acc[r][h] += a * u[h];
            }
        }
        for (int r = 0; r < MR; r++)
            for (int h = 0; h < NV; h++) *(vd4u *)(z + r * w + c + 4 * h) = acc[r][h];
    }
}

/* One row: z += sum_{j0 <= j < j1} grow[j] * ut[j], then (if diag) + (grow[j1]/2) ut[j1]. */
static inline void row_times_block(const double *grow, const double *ut, size_t w, size_t j0,
                                   size_t j1, int diag, double *z)
{
    for (size_t c = 0; c < w; c += 4) {
        vd4 acc = *(const vd4u *)(z + c);
        for (size_t j = j0; j < j1; j++) acc += grow[j] * *(const vd4u *)(ut + j * w + c);
        if (diag) acc += (0.5 * grow[j1]) * *(const vd4u *)(ut + j1 * w + c);
        *(vd4u *)(z + c) = acc;
    }
}

/* z (n x w) = L ut with L = strict lower triangle of G plus half its diagonal; G packed lower.
 * Blocked by KC rows of ut (kept in cache while all rows of G below stream past). Row i sums
 * chunk by chunk, then its diagonal block row by row: a fixed order for every column. */
KERNEL_CLONES
static void lower_times(const double *g, size_t n, const double *ut, size_t w, double *z)
{
    memset(z, 0, n * w * sizeof *z);
    for (size_t jc = 0; jc < n; jc += KC) {
        size_t je = jc + KC < n ? jc + KC : n;
        for (size_t i0 = jc; i0 < n; i0 += MR) {
            size_t rows = n - i0 < MR ? n - i0 : MR;
            size_t jfull = je < i0 ? je : i0; /* columns below every row of this block */
            if (rows == MR && jfull > jc) {
                const double *grow[MR];
                for (int r = 0; r < MR; r++) grow[r] = g + packed_row(i0 + (size_t)r);
                rows_times_block(grow, ut, w, jc, jfull, z + i0 * w);
            } else if (jfull > jc) {
                for (size_t r = 0; r < rows; r++)
                    row_times_block(g + packed_row(i0 + r), ut, w, jc, jfull, 0, z + (i0 + r) * w);
            }
            if (i0 < je) /* the block's diagonal lies in this chunk: its small triangle */
                for (size_t r = 0; r < rows; r++)
                    row_times_block(g + packed_row(i0 + r), ut, w, i0, i0 + r, 1, z + (i0 + r) * w);
        }
    }
}

typedef struct {
    double *ut, *z; /* n x w */
    double *m;      /* batch x u x u */
    double *ss, *f; /* ntests */
    int32_t *perm;  /* batch x n */
} work_t;

static size_t work_doubles(const permanova_t *t)
{
    return 2 * t->n * batch_width(t->u, batch_perms(t->u)) + batch_perms(t->u) * t->u * t->u +
           2 * t->ntests;
}

static void work_carve(const permanova_t *t, double *d, int32_t *p, work_t *wk)
{
    size_t nw = t->n * batch_width(t->u, batch_perms(t->u));
    wk->ut = d;
    wk->z = d + nw;
    wk->m = d + 2 * nw;
    wk->ss = wk->m + batch_perms(t->u) * t->u * t->u;
    wk->f = wk->ss + t->ntests;
    wk->perm = p;
}

/* M_b = U~_b' G U~_b (u x u, full) for the nb permutations in wk->perm. */
static void batch_products(const permanova_t *t, work_t *wk, size_t nb)
{
    size_t n = t->n, u = t->u, w = batch_width(u, nb);
    memset(wk->ut, 0, n * w * sizeof *wk->ut);
    for (size_t b = 0; b < nb; b++) {
        const int32_t *perm = wk->perm + b * n;
        for (size_t i = 0; i < n; i++)
            memcpy(wk->ut + (size_t)perm[i] * w + b * u, t->basis + i * u, u * sizeof(double));
    }
    lower_times(t->g, n, wk->ut, w, wk->z);
    memset(wk->m, 0, nb * u * u * sizeof *wk->m);
    for (size_t i = 0; i < n; i++) {
        const double *ur = wk->ut + i * w, *zr = wk->z + i * w;
        for (size_t b = 0; b < nb; b++) {
            double *m = wk->m + b * u * u;
            const double *ub = ur + b * u, *zb = zr + b * u;
            for (size_t a = 0; a < u; a++)
                for (size_t c = a; c < u; c++) m[a * u + c] += ub[a] * zb[c] + ub[c] * zb[a];
        }
    }
    for (size_t b = 0; b < nb; b++) {
        double *m = wk->m + b * u * u;
        for (size_t a = 0; a < u; a++)
            for (size_t c = 0; c < a; c++) m[a * u + c] = m[c * u + a];
    }
}

/* SS and F of the tested rows from one M (the observed and every permuted one alike). */
static void stats_from_m(const permanova_t *t, const double *m, double *ss, double *f)
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
}

/* Where the permutations of a count come from: rows of an explicit matrix, or the stream. */
typedef struct {
    const int32_t *rows; /* NULL: perm_draw(seed, from + index) */
    uint64_t seed, from;
} perm_source_t;

static void source_fill(const perm_source_t *src, uint64_t index, size_t n, int32_t *out)
{
    if (src->rows)
        memcpy(out, src->rows + index * n, n * sizeof *out);
    else
        perm_draw(src->seed, src->from + index, n, out);
}

static int thread_count(int nthreads, uint64_t units)
{
    int nt = nthreads > 0 ? nthreads : omp_get_max_threads();
    if ((uint64_t)nt > units) nt = units ? (int)units : 1;
    return nt;
}

/* exceed[k] += #{F*_k >= F_k - sqrt(eps)} over `total` permutations of src, in batches shared
 * among threads; per-thread integer counts are summed at the end. */
static int count_batches(const permanova_t *t, const perm_source_t *src, uint64_t total, int nthreads,
                         uint64_t *exceed)
{
    if (total == 0) return 0;
    size_t n = t->n, nb_max = batch_perms(t->u), ntests = t->ntests;
    uint64_t nbatch = (total + nb_max - 1) / nb_max;
    int nt = thread_count(nthreads, nbatch);
    size_t wd = work_doubles(t), wi = nb_max * n;
    double *dwork = malloc((size_t)nt * wd * sizeof *dwork);
    int32_t *iwork = malloc((size_t)nt * wi * sizeof *iwork);
    uint64_t *counts = calloc((size_t)nt * ntests, sizeof *counts);
    if (!dwork || !iwork || !counts) {
        free(dwork);
        free(iwork);
        free(counts);
        return GB_E_NOMEM;
    }
    const double tol = sqrt(DBL_EPSILON);
#pragma omp parallel num_threads(nt) default(none) \
    shared(t, src, total, nbatch, nb_max, n, ntests, dwork, iwork, counts, wd, wi, tol)
    {
        int tid = omp_get_thread_num();
        work_t wk;
        work_carve(t, dwork + (size_t)tid * wd, iwork + (size_t)tid * wi, &wk);
        uint64_t *mine = counts + (size_t)tid * ntests;
#pragma omp for schedule(dynamic, 1)
        for (uint64_t bi = 0; bi < nbatch; bi++) {
            uint64_t first = bi * nb_max;
            size_t nb = total - first < nb_max ? (size_t)(total - first) : nb_max;
            for (size_t b = 0; b < nb; b++) source_fill(src, first + b, n, wk.perm + b * n);
            batch_products(t, &wk, nb);
            for (size_t b = 0; b < nb; b++) {
                stats_from_m(t, wk.m + b * t->u * t->u, wk.ss, wk.f);
                for (size_t k = 0; k < ntests; k++) mine[k] += wk.f[k] >= t->f[k] - tol;
            }
        }
    }
    for (int th = 0; th < nt; th++)
        for (size_t k = 0; k < ntests; k++) exceed[k] += counts[(size_t)th * ntests + k];
    free(dwork);
    free(iwork);
    free(counts);
    return 0;
}

/* SS (may be NULL), F and SS_model (may be NULL) of one permutation, through the batch code. */
static int single_stats(const permanova_t *t, const int32_t *perm, double *ss, double *f,
                        double *ss_model)
{
    double *d = malloc(work_doubles(t) * sizeof *d);
    int32_t *p = malloc(batch_perms(t->u) * t->n * sizeof *p);
    if (!d || !p) {
        free(d);
        free(p);
        return GB_E_NOMEM;
    }
    work_t wk;
    work_carve(t, d, p, &wk);
    memcpy(wk.perm, perm, t->n * sizeof *perm);
    batch_products(t, &wk, 1);
    stats_from_m(t, wk.m, ss ? ss : wk.ss, f);
    if (ss_model) {
        *ss_model = 0.0;
        for (size_t a = 0; a < t->rank; a++) *ss_model += wk.m[a * t->u + a];
    }
    free(d);
    free(p);
    return 0;
}

/* 0 if every row of perm (nperm x n) is a permutation of 0..n-1. */
static int check_permutations(const int32_t *perm, size_t nperm, size_t n)
{
    unsigned char *seen = malloc(n);
    if (!seen) return GB_E_NOMEM;
    int rc = 0;
    for (size_t p = 0; p < nperm && !rc; p++) {
        memset(seen, 0, n);
        for (size_t i = 0; i < n; i++) {
            int32_t v = perm[p * n + i];
            if (v < 0 || (size_t)v >= n || seen[v]) {
                rc = GB_E_USAGE;
                break;
            }
            seen[v] = 1;
        }
    }
    free(seen);
    return rc;
}

int permanova_permuted_f(const permanova_t *t, const int32_t *perm, double *f)
{
    int rc = check_permutations(perm, 1, t->n);
    return rc ? rc : single_stats(t, perm, NULL, f, NULL);
}

int permanova_count_random(const permanova_t *t, uint64_t seed, uint64_t from, uint64_t to, int nthreads,
                     uint64_t *exceed)
{
    if (to < from) return GB_E_USAGE;
    perm_source_t src = { NULL, seed, from };
    return count_batches(t, &src, to - from, nthreads, exceed);
}

int permanova_count_explicit(const permanova_t *t, const int32_t *perm, size_t nperm, int nthreads,
                       uint64_t *exceed)
{
    int rc = check_permutations(perm, nperm, t->n);
    if (rc) return rc;
    perm_source_t src = { perm, 0, 0 };
    return count_batches(t, &src, nperm, nthreads, exceed);
}

/* ---- preparing a test ----------------------------------------------------------------------- */

static int check_design(size_t n, size_t ncol, const int *assign, size_t nterm)
{
    if (n < 3 || ncol == 0 || nterm == 0 || !assign || assign[0] != 0) return GB_E_USAGE;
    for (size_t c = 1; c < ncol; c++)
        if (assign[c] != assign[c - 1] && assign[c] != assign[c - 1] + 1) return GB_E_USAGE;
    return (size_t)assign[ncol - 1] == nterm - 1 ? 0 : GB_E_USAGE;
}

void permanova_destroy(permanova_t *t)
{
    if (!t) return;
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
static int margin_models(permanova_t *t, const double *xc, size_t ncol, const int *assign,
                         double *ucol, size_t *nu)
{
    size_t n = t->n, nterm = t->nterm;
    double **q = calloc(nterm, sizeof *q), *xr = malloc(n * ncol * sizeof *xr), *w = NULL;
    size_t *r = calloc(nterm, sizeof *r), *kept = malloc(ncol * sizeof *kept);
    int rc = (!q || !xr || !r || !kept) ? GB_E_NOMEM : 0;
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
    for (size_t k = 0; k < nterm && !rc; k++)
        projector(ucol, n, *nu, q[k], r[k], w, t->proj + k * *nu * *nu);
    for (size_t k = 0; q && k < nterm; k++) free(q[k]);
    free(q);
    free(xr);
    free(w);
    free(r);
    free(kept);
    return rc;
}

/* Observed SS and F: the same batch code with the identity permutation. */
static int observed_stats(permanova_t *t)
{
    int32_t *id = malloc(t->n * sizeof *id);
    if (!id) return GB_E_NOMEM;
    for (size_t i = 0; i < t->n; i++) id[i] = (int32_t)i;
    int rc = single_stats(t, id, t->ss, t->f, &t->ss_model);
    free(id);
    return rc;
}

/* Full-design basis into ucol (column-major, room for ncol * (nterm + 1) columns). */
static int full_model(permanova_t *t, const double *x, size_t ncol, double **xc_out, double **ucol_out,
                      size_t *kept)
{
    size_t n = t->n, cap = ncol * (t->nterm + 1);
    size_t *cols = malloc(ncol * sizeof *cols);
    double *xc = malloc(n * ncol * sizeof *xc), *ucol = malloc(n * cap * sizeof *ucol), *q = NULL;
    int rc = (!cols || !xc || !ucol) ? GB_E_NOMEM : 0;
    if (!rc) {
        for (size_t c = 0; c < ncol; c++) cols[c] = c;
        centred_columns(x, n, ncol, cols, ncol, xc);
        rc = design_basis(xc, n, ncol, &q, &t->rank, kept);
    }
    if (!rc && (t->rank == 0 || n < t->rank + 2)) rc = GB_E_USAGE; /* no model or no residual df */
    if (!rc) memcpy(ucol, q, n * t->rank * sizeof *ucol);
    free(q);
    free(cols);
    if (rc) {
        free(xc);
        free(ucol);
        return rc;
    }
    *xc_out = xc;
    *ucol_out = ucol;
    return 0;
}

int permanova_create(const double *g, size_t n, const double *x, size_t ncol, const int *assign,
               size_t nterm, permanova_by_t by, permanova_t **out)
{
    *out = NULL;
    int rc = check_design(n, ncol, assign, nterm);
    if (rc) return rc;
    permanova_t *t = calloc(1, sizeof *t);
    size_t *kept = malloc(ncol * sizeof *kept);
    double *xc = NULL, *ucol = NULL;
    if (!t || !kept) goto nomem;
    t->g = g;
    t->n = n;
    t->nterm = nterm;
    t->by = by;
    t->ntests = by == PERMANOVA_BY_MODEL ? 1 : nterm;
    t->df = calloc(t->ntests, sizeof *t->df);
    t->ss = calloc(t->ntests, sizeof *t->ss);
    t->f = calloc(t->ntests, sizeof *t->f);
    t->col_lo = calloc(nterm, sizeof *t->col_lo);
    t->col_hi = calloc(nterm, sizeof *t->col_hi);
    if (!t->df || !t->ss || !t->f || !t->col_lo || !t->col_hi) goto nomem;
    rc = full_model(t, x, ncol, &xc, &ucol, kept);
    if (rc) goto fail;
    t->df_resid = (double)(n - t->rank - 1);
    size_t nu = t->rank;
    if (by == PERMANOVA_BY_TERMS) term_columns(t, assign, kept);
    if (by == PERMANOVA_BY_MODEL) t->df[0] = (double)t->rank;
    if (by == PERMANOVA_BY_MARGIN && (rc = margin_models(t, xc, ncol, assign, ucol, &nu))) goto fail;
    t->u = nu;
    t->basis = malloc(n * nu * sizeof *t->basis);
    if (!t->basis) goto nomem;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < nu; a++) t->basis[i * nu + a] = ucol[a * n + i];
    for (size_t i = 0; i < n; i++) t->ss_total += g[packed_row(i) + i];
    if ((rc = observed_stats(t))) goto fail;
    free(kept);
    free(xc);
    free(ucol);
    *out = t;
    return 0;
nomem:
    rc = GB_E_NOMEM;
fail:
    free(kept);
    free(xc);
    free(ucol);
    permanova_destroy(t);
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
    rows[k] = (permanova_row_t){ t->df_resid, ss_resid, ss_resid / t->ss_total, NAN, NAN };
    rows[k + 1] = (permanova_row_t){ (double)(t->n - 1), t->ss_total, t->ss_total / t->ss_total, NAN, NAN };
}

int permanova_run(const permanova_t *t, uint64_t requested, uint64_t seed, int nthreads, permanova_row_t *rows)
{
    if (requested == 0) {
        permanova_table(t, NULL, 0, rows);
        return 0;
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

/* ---- betadisper(type = "centroid") and permutest -------------------------------------------- */

/* Group sizes; GB_E_USAGE on an index outside 0..ngroup-1. */
static int group_sizes(const int *group, size_t n, size_t ngroup, size_t *size)
{
    memset(size, 0, ngroup * sizeof *size);
    for (size_t i = 0; i < n; i++) {
        if (group[i] < 0 || (size_t)group[i] >= ngroup) return GB_E_USAGE;
        size[group[i]]++;
    }
    return 0;
}

int betadisper_centroid(const double *g, size_t n, const int *group, size_t ngroup, double *z,
                   double *group_mean, size_t *nneg)
{
    if (n < 2 || ngroup == 0) return GB_E_USAGE;
    size_t *size = malloc(ngroup * sizeof *size);
    double *within = calloc(ngroup, sizeof *within);
    double *rowsum = calloc(n * ngroup, sizeof *rowsum); /* rowsum[i][h] = sum_{j in h} G_ij */
    int rc = (!size || !within || !rowsum) ? GB_E_NOMEM : group_sizes(group, n, ngroup, size);
    if (rc) goto done;
    for (size_t i = 0; i < n; i++) {
        const double *row = g + packed_row(i);
        for (size_t j = 0; j < i; j++) {
            rowsum[i * ngroup + group[j]] += row[j];
            rowsum[j * ngroup + group[i]] += row[j];
        }
        rowsum[i * ngroup + group[i]] += row[i];
    }
    for (size_t i = 0; i < n; i++) within[group[i]] += rowsum[i * ngroup + group[i]];
    size_t negative = 0;
    for (size_t i = 0; i < n; i++) {
        double ng = (double)size[group[i]];
        double z2 = g[packed_row(i) + i] - 2.0 * rowsum[i * ngroup + group[i]] / ng +
                    within[group[i]] / (ng * ng);
        if (z2 < 0.0) negative++;
        z[i] = z2 > 0.0 ? sqrt(z2) : 0.0;
    }
    if (nneg) *nneg = negative;
    if (group_mean) {
        for (size_t h = 0; h < ngroup; h++) group_mean[h] = 0.0;
        for (size_t i = 0; i < n; i++) group_mean[group[i]] += z[i];
        for (size_t h = 0; h < ngroup; h++)
            group_mean[h] = size[h] ? group_mean[h] / (double)size[h] : NAN;
    }
done:
    free(size);
    free(within);
    free(rowsum);
    return rc;
}

/* One-way ANOVA F of y on the groups; mean (ngroup) is scratch. Returns the number of
 * non-empty groups k; F = (SS_between/(k-1)) / (SS_within/(n-k)). */
static size_t oneway_f(const double *y, size_t n, const int *group, const size_t *size,
                       size_t ngroup, double *mean, double *f)
{
    size_t k = 0;
    double grand = 0.0;
    for (size_t h = 0; h < ngroup; h++) mean[h] = 0.0;
    for (size_t i = 0; i < n; i++) {
        mean[group[i]] += y[i];
        grand += y[i];
    }
    grand /= (double)n;
    for (size_t h = 0; h < ngroup; h++)
        if (size[h]) {
            mean[h] /= (double)size[h];
            k++;
        }
    double between = 0.0, within = 0.0;
    for (size_t h = 0; h < ngroup; h++)
        if (size[h]) between += (double)size[h] * (mean[h] - grand) * (mean[h] - grand);
    for (size_t i = 0; i < n; i++) within += (y[i] - mean[group[i]]) * (y[i] - mean[group[i]]);
    *f = (between / (double)(k - 1)) / (within / (double)(n - k));
    return k;
}

int betadisper_anova(const double *z, size_t n, const int *group, size_t ngroup, double *f,
                double *df1, double *df2, double *p)
{
    if (ngroup == 0) return GB_E_USAGE;
    size_t *size = malloc(ngroup * sizeof *size);
    double *mean = malloc(ngroup * sizeof *mean);
    int rc = (!size || !mean) ? GB_E_NOMEM : group_sizes(group, n, ngroup, size);
    if (!rc) {
        size_t k = 0;
        for (size_t h = 0; h < ngroup; h++) k += size[h] > 0;
        if (k < 2 || n <= k) rc = GB_E_USAGE;
        else {
            oneway_f(z, n, group, size, ngroup, mean, f);
            *df1 = (double)(k - 1);
            *df2 = (double)(n - k);
            *p = pf(*f, *df1, *df2, 0, 0);
        }
    }
    free(size);
    free(mean);
    return rc;
}

/* permutest.betadisper counts over `total` permutations of src. */
static int betadisper_count(const double *z, size_t n, const int *group, size_t ngroup, double f_obs,
                       const perm_source_t *src, uint64_t total, int nthreads, uint64_t *exceed)
{
    if (ngroup == 0 || n < 2) return GB_E_USAGE;
    size_t *size = malloc(ngroup * sizeof *size);
    double *resid = malloc(n * sizeof *resid), *mean = malloc(ngroup * sizeof *mean);
    int rc = (!size || !resid || !mean) ? GB_E_NOMEM : group_sizes(group, n, ngroup, size);
    size_t k = 0;
    for (size_t h = 0; !rc && h < ngroup; h++) k += size[h] > 0;
    if (!rc && (k < 2 || n <= k)) rc = GB_E_USAGE;
    int nt = thread_count(nthreads, total);
    double *dwork = NULL;
    int32_t *iwork = NULL;
    uint64_t *counts = NULL;
    if (!rc) {
        double f_unused;
        oneway_f(z, n, group, size, ngroup, mean, &f_unused);
        for (size_t i = 0; i < n; i++) resid[i] = z[i] - mean[group[i]];
        dwork = malloc((size_t)nt * (n + ngroup) * sizeof *dwork);
        iwork = malloc((size_t)nt * n * sizeof *iwork);
        counts = calloc((size_t)nt, sizeof *counts);
        if (!dwork || !iwork || !counts) rc = GB_E_NOMEM;
    }
    if (!rc && total) {
        const double tol = sqrt(DBL_EPSILON);
#pragma omp parallel num_threads(nt) default(none) \
    shared(n, group, size, ngroup, f_obs, src, total, dwork, iwork, counts, resid, tol)
        {
            int tid = omp_get_thread_num();
            double *y = dwork + (size_t)tid * (n + ngroup), *m = y + n, f;
            int32_t *perm = iwork + (size_t)tid * n;
#pragma omp for schedule(static)
            for (uint64_t p = 0; p < total; p++) {
                source_fill(src, p, n, perm);
                for (size_t i = 0; i < n; i++) y[i] = resid[perm[i]];
                oneway_f(y, n, group, size, ngroup, m, &f);
                counts[tid] += f >= f_obs - tol;
            }
        }
        for (int th = 0; th < nt; th++) *exceed += counts[th];
    }
    free(size);
    free(resid);
    free(mean);
    free(dwork);
    free(iwork);
    free(counts);
    return rc;
}

int betadisper_count_random(const double *z, size_t n, const int *group, size_t ngroup, double f_obs,
                       uint64_t seed, uint64_t from, uint64_t to, int nthreads, uint64_t *exceed)
{
    if (to < from) return GB_E_USAGE;
    perm_source_t src = { NULL, seed, from };
    return betadisper_count(z, n, group, ngroup, f_obs, &src, to - from, nthreads, exceed);
}

int betadisper_count_explicit(const double *z, size_t n, const int *group, size_t ngroup,
                         double f_obs, const int32_t *perm, size_t nperm, int nthreads,
                         uint64_t *exceed)
{
    int rc = check_permutations(perm, nperm, n);
    if (rc) return rc;
    perm_source_t src = { perm, 0, 0 };
    return betadisper_count(z, n, group, ngroup, f_obs, &src, nperm, nthreads, exceed);
}
