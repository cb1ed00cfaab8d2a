/* The Gower matrix of one distance for 'gutbrain stats', held in row blocks across the ranks of
 * c->comm (kernels/rowblk.h): each rank computes and keeps only its rows, about
 * n(n+1)/2 / ranks doubles, plus O(n) vectors every rank holds (the diagonal). Everything that
 * needs the whole matrix goes through stats_gower_symv (a collective product) or
 * stats_gower_sum (a collective exact sum), so every result is bitwise the same for any number
 * of ranks and threads (docs/STATS.md, "Ranks and threads"). */
#ifndef GB_STATS_GOWER_H
#define GB_STATS_GOWER_H
#include "rowblk.h"
#include "stats.h"

typedef struct {
    const stats_ctx_t *c;
    rowblk_t rb;   /* this rank's rows */
    double *g;     /* their packed-lower entries (rowblk layout) */
    double *diag;  /* G_ii for all n samples */
    double maxabs; /* max |G_ij| over the whole matrix */
    double trace;  /* sum of G_ii: the total inertia (sum of all eigenvalues) */
    /* Aitchison: no matrix; the centred CLR rows instead (G = xc xc', gower.h), on every rank */
    double *xc, *xt;        /* n x m and its transpose */
    int data;               /* 1: the last fill was Aitchison (products from xc), 0: Bray-Curtis (g) */
    size_t products, calls; /* columns multiplied and stats_gower_symv calls, for the log */
    double seconds;         /* spent in stats_gower_symv */
} stats_gower_t;

typedef enum { STATS_GOWER_BRAY, STATS_GOWER_AITCHISON } stats_gower_dist_t;

/* Rows of this rank (rowblk_split over c->size); free with stats_gower_free. The rows' storage
 * is allocated by the first Bray-Curtis fill, which frees the Aitchison data, so fill
 * Aitchison first to keep the two apart. */
int stats_gower_init(stats_gower_t *G, const stats_ctx_t *c) GB_MUST_CHECK;
void stats_gower_free(stats_gower_t *G);

/* Fill G with the Gower matrix of distance `dist` over c->counts (n x m). Bray-Curtis: this
 * rank's rows of the distances, then the double centring with row means summed over the ranks.
 * Aitchison (Euclidean on CLR rows): the centred CLR rows, whose Gram matrix G is, kept whole on
 * every rank (8 n m bytes twice) and never formed. work: n x m doubles. Collective;
 * GB_E_FORMAT (a NaN distance, e.g. two empty samples) on every rank alike. */
int stats_gower_fill(stats_gower_t *G, stats_gower_dist_t dist, double *work) GB_MUST_CHECK;

/* y = G x for x, y n x b row-major, the same on every rank. Collective (every rank passes the same
 * x). The signature of kernels/pcoa.h's product callback. */
int stats_gower_symv(void *gower, const double *x, size_t b, double *y) GB_MUST_CHECK;

/* acc[0..count) summed element-wise over the ranks, in place (reproducible accumulators:
 * MPI_SUM is exact on them). The signature of kernels/permanova.h's permanova_sum_fn. */
int stats_gower_sum(void *gower, double *acc, size_t count) GB_MUST_CHECK;

#endif
