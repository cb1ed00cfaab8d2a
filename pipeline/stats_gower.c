/* Gower matrices in row blocks over the ranks (stats_gower.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stats_gower.h"
#include "diversity.h"
#include "gb_mpi.h"
#include "gower.h"
#include "microtile.h"
#include "rsum.h"
#include "transform.h"

/* Element-wise sums of more than INT_MAX doubles go in pieces. */
enum { SUM_PIECE = 1 << 28 };

int stats_gower_sum(void *gower, double *acc, size_t count)
{
    const stats_gower_t *G = gower;
    if (G->c->size < 2) return GB_OK;
    for (size_t k = 0; k < count; k += SUM_PIECE) {
        size_t len = count - k < SUM_PIECE ? count - k : SUM_PIECE;
        MPI_Allreduce(MPI_IN_PLACE, acc + k, (int)len, MPI_DOUBLE, MPI_SUM, G->c->comm);
    }
    return GB_OK;
}

int stats_gower_init(stats_gower_t *G, const stats_ctx_t *c)
{
    memset(G, 0, sizeof *G);
    G->c = c;
    rowblk_split(c->n, (size_t)c->rank, (size_t)c->size, &G->rb);
    G->diag = malloc(c->n * sizeof *G->diag);
    return gb_mpi_agree(c->comm, G->diag ? GB_OK : GB_E_NOMEM);
}

void stats_gower_free(stats_gower_t *G)
{
    free(G->g);
    free(G->diag);
    free(G->xc);
    free(G->xt);
    G->g = G->diag = G->xc = G->xt = NULL;
}

/* y = xc (xc' x) on this rank alone: every rank holds the data, and the sums' order is fixed. */
static int data_symv(stats_gower_t *G, const double *x, size_t b, double *y)
{
    double *v = malloc(G->c->m * b * sizeof *v);
    if (!v) return GB_E_NOMEM;
    gower_gram_times(G->xc, G->xt, G->c->n, G->c->m, x, b, v, G->c->threads, y);
    free(v);
    return GB_OK;
}

int stats_gower_symv(void *gower, const double *x, size_t b, double *y)
{
    stats_gower_t *G = gower;
    double t0 = MPI_Wtime();
    if (G->data) {
        int rc = gb_mpi_agree(G->c->comm, data_symv(G, x, b, y));
        G->products += b;
        G->calls++;
        G->seconds += MPI_Wtime() - t0;
        return rc;
    }
    /* X padded with zero columns to whole register tiles (MICROTILE_NR): the fast path */
    size_t n = G->rb.n, bp = (b + MICROTILE_NR - 1) / MICROTILE_NR * MICROTILE_NR, nacc = n * bp * RSUM_LEVELS;
    double maxx = 0.0, *xp = calloc(n * bp, sizeof *xp), *acc = calloc(nacc, sizeof *acc);
    for (size_t i = 0; xp && i < n; i++) memcpy(xp + i * bp, x + i * b, b * sizeof *x);
    for (size_t k = 0; k < n * b; k++) maxx = fabs(x[k]) > maxx ? fabs(x[k]) : maxx;
    rsum_scale_t s;
    rsum_scale_init(&s, (double)n * G->maxabs * maxx, rowblk_symv_terms(n));
    int rc = acc && xp ? rowblk_symv(G->g, &G->rb, xp, bp, &s, G->c->threads, acc) : GB_E_NOMEM;
    rc = gb_mpi_agree(G->c->comm, rc);
    if (!rc) rc = stats_gower_sum(G, acc, nacc);
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t c = 0; c < b; c++) y[i * b + c] = rsum_value(acc + (i * bp + c) * RSUM_LEVELS);
    G->products += b;
    G->calls++;
    G->seconds += MPI_Wtime() - t0;
    free(xp);
    free(acc);
    return rc;
}

/* The Bray-Curtis distances of this rank's rows into G->g (diagonal 0). */
static int local_distances(stats_gower_t *G, double *work)
{
    const stats_ctx_t *c = G->c;
    diversity_dist_t out = {DIVERSITY_ROWS, G->g, NULL, G->rb.r0, G->rb.r1};
    transform_tss(c->counts, c->n, c->m, work);
    return diversity_bray_curtis(work, c->n, c->m, c->threads, &out);
}

/* Row means of a = -d^2/2 over whole rows (a symmetric product with X = 1) and their mean. */
static int row_means(stats_gower_t *G, double *mean, double *grand)
{
    size_t n = G->rb.n;
    double *ones = malloc(n * sizeof *ones);
    if (!ones) return gb_mpi_agree(G->c->comm, GB_E_NOMEM);
    for (size_t i = 0; i < n; i++) ones[i] = 1.0;
    G->maxabs = rowblk_maxabs(G->g, &G->rb, NULL);
    MPI_Allreduce(MPI_IN_PLACE, &G->maxabs, 1, MPI_DOUBLE, MPI_MAX, G->c->comm);
    int rc = stats_gower_symv(G, ones, 1, mean);
    free(ones);
    *grand = 0.0;
    for (size_t i = 0; !rc && i < n; i++) mean[i] /= (double)n;
    for (size_t i = 0; !rc && i < n; i++) *grand += mean[i];
    *grand /= (double)n;
    return rc;
}

/* Aitchison = Euclidean on CLR rows: G = xc xc' (gower.h), kept as the centred rows. */
static int aitchison_data(stats_gower_t *G, double *work)
{
    const stats_ctx_t *c = G->c;
    size_t n = c->n, m = c->m;
    if (transform_clr(c->counts, n, m, TRANSFORM_CLR_PSEUDOCOUNT, work)) return GB_E_FORMAT;
    if (!G->xc) G->xc = malloc(n * m * sizeof *G->xc);
    if (!G->xt) G->xt = malloc(n * m * sizeof *G->xt);
    if (!G->xc || !G->xt) return GB_E_NOMEM;
    int rc = gower_centre_data(work, n, m, G->xc, G->xt);
    G->trace = 0.0;
    for (size_t i = 0; !rc && i < n; i++) {
        G->diag[i] = 0.0;
        for (size_t k = 0; k < m; k++) G->diag[i] += G->xc[i * m + k] * G->xc[i * m + k];
        G->trace += G->diag[i];
    }
    return rc;
}

int stats_gower_fill(stats_gower_t *G, stats_gower_dist_t dist, double *work)
{
    size_t n = G->rb.n;
    double *mean = malloc(n * sizeof *mean), grand = 0.0;
    G->data = dist == STATS_GOWER_AITCHISON;
    if (G->data) {
        free(mean);
        return gb_mpi_agree(G->c->comm, aitchison_data(G, work));
    }
    free(G->xc); /* the Aitchison data are done with: the rows take their place */
    free(G->xt);
    G->xc = G->xt = NULL;
    size_t local = rowblk_size(&G->rb);
    if (!G->g) G->g = malloc((local ? local : 1) * sizeof *G->g);
    int rc = mean && G->g ? local_distances(G, work) : GB_E_NOMEM;
    if (!rc) rc = gower_square_rows(G->g, &G->rb);
    rc = gb_mpi_agree(G->c->comm, rc);
    if (!rc) rc = row_means(G, mean, &grand);
    if (!rc) {
        gower_centre_rows(G->g, &G->rb, mean, grand);
        /* the diagonal and max |G|: every rank contributes its rows (x + 0 is exact) */
        memset(G->diag, 0, n * sizeof *G->diag);
        G->maxabs = rowblk_maxabs(G->g, &G->rb, G->diag);
        MPI_Allreduce(MPI_IN_PLACE, &G->maxabs, 1, MPI_DOUBLE, MPI_MAX, G->c->comm);
        if (G->c->size > 1) MPI_Allreduce(MPI_IN_PLACE, G->diag, (int)n, MPI_DOUBLE, MPI_SUM, G->c->comm);
        G->trace = 0.0;
        for (size_t i = 0; i < n; i++) G->trace += G->diag[i];
    }
    free(mean);
    return rc;
}
