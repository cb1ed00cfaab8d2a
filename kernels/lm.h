/* Batched ordinary least squares, R's lm()/glm(gaussian) + summary(), for many responses that
 * share one design (MaAsLin2's per-feature models, docs/STATS.md S1 step 8 and S8), and
 * R's p.adjust() "BH" / "BY".
 *
 * The design X (n samples x p columns, intercept included by the caller) is factored once by a
 * port of LINPACK dqrdc2 (R's qr(), lm.fit, glm.fit): Householder QR with limited pivoting -
 * a column whose norm, after the previous Householder steps, falls below tol x its original
 * norm is moved to the far right, the others keep their order. rank = the number of columns
 * kept; the moved columns are "aliased": their coefficient, SE, t and p are NaN (R's NA) and
 * summaries leave those rows out. The dqrdc2 port calls the same BLAS (OpenBLAS dnrm2, ddot,
 * daxpy, dscal) as R on this machine, so rank and pivot decisions are R's.
 *
 * All responses are then fitted at once from Q1 (the first rank columns of Q, formed once):
 * C = Q1^T Y, residuals Y - Q1 C and coefficients R^-1 C, in blocks of LM_FIT_BLOCK responses
 * with loops that vectorise over the responses (no per-response QR, no BLAS call per feature).
 *   coef   = least-squares solution on the kept columns (R's coefficients)
 *   rss    = sum of squared residuals
 *   sigma2 = rss / df, df = n - rank                              (summary: resvar)
 *   se_j   = sqrt([(R^T R)^-1]_jj * sigma2)  via LAPACK dpotri      (summary: chol2inv)
 *   t_j    = coef_j / se_j
 *   p_j    = 2 * pt(|t_j|, df, lower_tail = 0)                     (Rmath, bit-identical tails)
 * Agreement with R: ~1e-14 relative on well-conditioned designs (measured worst 5e-12, on a
 * coefficient 1e4 times smaller than the response's scale); rank and pivot decisions are R's.
 * With df = 0 se, t and p are NaN (summary.glm; summary.lm gives NaN p as well).
 *
 * Missing values: none. The caller passes complete cases only (rows with an NA in any model
 * variable removed from X and from every response before the call). X and Y must be finite.
 *
 * Layout: row-major doubles. X[i*ldx + j] = sample i, design column j. Y[i*ldy + f] = sample i,
 * response (feature) f, i.e. the samples x features table produced by kernels/transform.
 * Outputs are features x design columns: out[f*ld + j] in the ORIGINAL column order of X.
 *
 * Threads: no threads of its own. The QR calls OpenBLAS level-1 routines (dnrm2, ddot in chunks
 * of <= 10000 elements, daxpy, dscal) whose results do not depend on OpenBLAS's thread count;
 * the fit uses plain loops in which every sum runs over samples in ascending order. So every
 * result is bitwise independent of BLAS threads and of how the features are split into calls
 * (a feature fitted alone gives the same bits as in a batch). A design is read-only after
 * creation, so several threads may call lm_fit on one design with their own work buffers and
 * outputs. */
#ifndef GB_MODELS_H
#define GB_MODELS_H
#include <stddef.h>
#include "gb_status.h"

/* Rank tolerances: lm(), qr() (and so adonis2, betadisper) use 1e-7; glm() uses
 * min(1e-7, epsilon/1000) = 1e-11, so MaAsLin2 does. They differ only for near-collinear
 * designs (docs/STATS.md S8: z = A1 + 1e-9 noise is aliased under 1e-7, kept under 1e-11). */
#define LM_TOL_LM  1e-7
#define LM_TOL_GLM 1e-11

/* Features per block in lm_fit: bounds the work buffer; results do not depend on it. */
#define LM_FIT_BLOCK 256

/* A factored design. Opaque; created by lm_design_create, freed by lm_design_destroy. */
typedef struct lm_design lm_design_t;

/* Factor X (n x p, row stride ldx >= p) with rank tolerance tol (LM_TOL_LM or LM_TOL_GLM).
 * X is copied; the caller keeps ownership. On success *out owns its memory: free it with
 * lm_design_destroy. Returns GB_OK, GB_E_USAGE for n = 0, p = 0 or ldx < p (or, never seen
 * in practice, an exactly zero diagonal in the kept part of R, where R's chol2inv stops),
 * GB_E_NOMEM when out of memory.
 * n < p is allowed (rank <= n), as in R. */
int lm_design_create(const double *X, size_t n, size_t p, size_t ldx, double tol, lm_design_t **out) GB_MUST_CHECK;

/* Frees d; NULL is a no-op. */
void lm_design_destroy(lm_design_t *d);

size_t lm_design_rows(const lm_design_t *d);
size_t lm_design_cols(const lm_design_t *d);
/* Number of non-aliased columns (R's $rank). */
size_t lm_design_rank(const lm_design_t *d);
/* Residual degrees of freedom, n - rank (R's $df.residual). */
size_t lm_design_df(const lm_design_t *d);
/* R's qr()$pivot, 0-based: pivot[k] = original column at position k; positions >= rank hold
 * the aliased columns in the order they were moved. Array of lm_design_cols() entries,
 * owned by d. */
const size_t *lm_design_pivot(const lm_design_t *d);
/* Q1 = the first rank columns of Q, n x rank row-major (R's qr.Q(qr(X))[, 1:rank]): orthonormal,
 * spanning the kept columns in pivot order, nested (columns 1..k span pivot columns 1..k).
 * Useful for projections (adonis2's SS = sum_k q_k^T G q_k). Owned by d. */
const double *lm_design_q1(const lm_design_t *d);
/* R factor, rank x rank row-major upper triangle (qr.R(qr(X))[1:rank, 1:rank], signs as R).
 * Owned by d. */
const double *lm_design_r(const lm_design_t *d);
/* 1 if original column j is aliased (NA in R), else 0. */
int lm_design_aliased(const lm_design_t *d, size_t j);

/* Number of doubles lm_fit needs in work (independent of the number of responses). */
size_t lm_fit_work_size(const lm_design_t *d);

/* Per-response outputs; each array is caller-owned. coef/se/tval/pval: m rows of ld >= p
 * doubles (row f, original column j at [f*ld + j]); NaN for aliased columns. rss and sigma2:
 * m doubles. Any pointer may be NULL when that output is not wanted. */
typedef struct {
    double *coef;
    double *se;
    double *tval;
    double *pval;
    size_t ld;
    double *rss;
    double *sigma2;
} lm_fit_out_t;

/* Fit all m responses Y (n x m, row stride ldy >= m, n = lm_design_rows) on design d.
 * work: lm_fit_work_size(d) doubles, overwritten. Returns GB_OK, GB_E_USAGE on bad arguments
 * (ldy < m, out->ld < p while a matrix output is requested). */
int lm_fit(const lm_design_t *d, const double *Y, size_t m, size_t ldy, double *work,
           const lm_fit_out_t *out) GB_MUST_CHECK;

/* p.adjust() methods. */
typedef enum { LM_ADJUST_BH, LM_ADJUST_BY } lm_adjust_t;

/* R's p.adjust(p, method): NaN entries are NA - they are left out (m_eff = number of non-NaN
 * p values, as R's lazily evaluated n) and come back NaN in place. With p sorted decreasingly
 * (stable, as order(p, decreasing = TRUE)), i = m_eff .. 1:
 *   BH: q = pmin(1, cummin(m_eff / i * p))
 *   BY: q = pmin(1, cummin(s * m_eff / i * p)),  s = sum(1 / (1:m_eff))
 * evaluated left to right in double exactly as R writes it; tied p values get equal q.
 * With m_eff <= 1 q = p. q may equal p (in place). scratch: m size_t entries. */
void lm_p_adjust(const double *p, size_t m, lm_adjust_t method, double *q, size_t *scratch);

#endif
