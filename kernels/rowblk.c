/* Row blocks of a packed-lower matrix and the symmetric product on them; contracts in
 * rowblk.h.
 *
 * The product reads each stored entry once and uses it twice: A(i,j) X(j,:) into row i's own
 * sum and A(i,j) X(i,:) into column j's. Row sums need only row i, so they are plain sums in j
 * order. Column sums gather entries from every row below j, which other threads and ranks hold;
 * they are summed in double over one tile of ROWBLK_TILE rows (i ascending) and the tile
 * partials are then added reproducibly (rsum.h), so neither the split nor the thread count can
 * change a bit. Depositing each tile partial instead of each product costs 12 flops per
 * ROWBLK_TILE x b entries, a few per cent of the product. Below the diagonal block a tile is a
 * rectangle, done by the register tiles of microtile.h (row sums as in PERMANOVA, column
 * partials by their transposed twin). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include "rowblk.h"
#include "microtile.h"

/* Columns j visited together: the tile's rows read JC entries each while the column partials
 * (JC x b) and the rows' sums (ROWBLK_TILE x b) stay in cache. */
enum { JC = 128 };

size_t rowblk_size(const rowblk_t *rb)
{
    return rb->r1 > rb->r0 ? rb->r1 * (rb->r1 + 1) / 2 - rb->r0 * (rb->r0 + 1) / 2 : 0;
}

/* The smallest multiple of ROWBLK_TILE (or n) whose rows hold at least `entries` entries. */
static size_t boundary(size_t n, double entries)
{
    double r = ceil((sqrt(8.0 * entries + 1.0) - 1.0) / 2.0); /* r(r+1)/2 >= entries */
    size_t row = r <= 0 ? 0 : (size_t)r;
    row = (row + ROWBLK_TILE - 1) / ROWBLK_TILE * ROWBLK_TILE;
    return row < n ? row : n;
}

void rowblk_split(size_t n, size_t part, size_t nparts, rowblk_t *rb)
{
    double total = (double)n * ((double)n + 1.0) / 2.0;
    rb->n = n;
    rb->r0 = part == 0 ? 0 : boundary(n, total * (double)part / (double)nparts);
    rb->r1 = part + 1 >= nparts ? n : boundary(n, total * (double)(part + 1) / (double)nparts);
}

size_t rowblk_symv_terms(size_t n) { return (n + ROWBLK_TILE - 1) / ROWBLK_TILE + 1; }

static void deposit(const rsum_scale_t *s, const double *v, size_t b, double *acc)
{
    for (size_t c = 0; c < b; c++) rsum_add(s, acc + c * RSUM_LEVELS, v[c]);
}

/* The tile's rows i against columns j in [j0, j1), every j below every row (a rectangle):
 * row sums += A X_j, column partials += A' X_i, through the register tiles of microtile.h when
 * b is a multiple of MICROTILE_NR (the pipeline pads X), else one entry at a time. Both orders
 * are fixed: row i over j ascending, column j over i ascending. */
MICROTILE_INLINE void rect_product(const double *const *grow, size_t rows, size_t j0, size_t j1, const double *x,
                                   size_t b, const double *xt, double *row, double *col)
{
    size_t i = 0, j = j0;
    if (b % MICROTILE_NR == 0) {
        for (; i + MICROTILE_MR <= rows; i += MICROTILE_MR) microtile_rows(grow + i, x, b, j0, j1, row + i * b);
        for (; j + MICROTILE_MR <= j1; j += MICROTILE_MR) microtile_cols(grow, rows, j, xt, b, col + (j - j0) * b);
    }
    for (; i < rows; i++) /* rows of a short last tile */
        for (size_t jj = j0; jj < j1; jj++)
            for (size_t c = 0; c < b; c++) row[i * b + c] += grow[i][jj] * x[jj * b + c];
    for (; j < j1; j++) /* the chunk's last columns */
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < b; c++) col[(j - j0) * b + c] += grow[r][j] * xt[r * b + c];
}

/* One tile, rows [t0, t1): row sums in `row` (rows x b), column partials in `col` (JC x b). */
MICROTILE_CLONES
static void tile_product(const double *g, const rowblk_t *rb, size_t t0, size_t t1, const double *x, size_t b,
                         const rsum_scale_t *s, double *row, double *col, double *acc)
{
    const double *grow[ROWBLK_TILE];
    for (size_t i = t0; i < t1; i++) grow[i - t0] = g + rowblk_offset(rb, i);
    memset(row, 0, (t1 - t0) * b * sizeof *row);
    for (size_t j0 = 0; j0 < t1; j0 += JC) {
        size_t j1 = j0 + JC < t1 ? j0 + JC : t1;
        size_t jr = j1 < t0 ? j1 : t0 > j0 ? t0 : j0; /* [j0, jr): below the tile; [jr, j1): its triangle */
        memset(col, 0, (j1 - j0) * b * sizeof *col);
        if (jr > j0) rect_product(grow, t1 - t0, j0, jr, x, b, x + t0 * b, row, col);
        /* the tile's own triangle, j in [t0, i) */
        for (size_t i = t0 > j0 + 1 ? t0 : j0 + 1; i < t1 && jr < j1; i++) {
            const double *gi = grow[i - t0], *xi = x + i * b;
            double *ri = row + (i - t0) * b;
            size_t je = j1 < i ? j1 : i;
            for (size_t j = jr; j < je; j++) {
                double a = gi[j];
                const double *xj = x + j * b;
                double *cj = col + (j - j0) * b;
                for (size_t c = 0; c < b; c++) {
                    ri[c] += a * xj[c];
                    cj[c] += a * xi[c];
                }
            }
        }
        for (size_t j = j0; j < j1; j++) deposit(s, col + (j - j0) * b, b, acc + j * b * RSUM_LEVELS);
    }
    for (size_t i = t0; i < t1; i++) {
        double a = grow[i - t0][i], *ri = row + (i - t0) * b;
        for (size_t c = 0; c < b; c++) ri[c] += a * x[i * b + c];
        deposit(s, ri, b, acc + i * b * RSUM_LEVELS);
    }
}

int rowblk_symv(const double *g, const rowblk_t *rb, const double *x, size_t b, const rsum_scale_t *scale, int nthreads,
                double *acc)
{
    if (!g && rowblk_size(rb)) return GB_E_USAGE;
    if (rb->r1 <= rb->r0 || b == 0) return GB_OK;
    size_t ntiles = (rb->r1 - rb->r0 + ROWBLK_TILE - 1) / ROWBLK_TILE, nacc = rb->n * b * RSUM_LEVELS;
    int nt = nthreads > 0 ? nthreads : omp_get_max_threads();
    if ((size_t)nt > ntiles) nt = (int)ntiles;
    double *extra = nt > 1 ? calloc((size_t)(nt - 1) * nacc, sizeof *extra) : NULL;
    double *work = malloc((size_t)nt * (ROWBLK_TILE + JC) * b * sizeof *work);
    int rc = (nt > 1 && !extra) || !work ? GB_E_NOMEM : GB_OK;
    if (!rc) {
#pragma omp parallel num_threads(nt) default(none) shared(g, rb, x, b, scale, acc, extra, work, ntiles, nacc)
        {
            int tid = omp_get_thread_num();
            double *mine = tid == 0 ? acc : extra + (size_t)(tid - 1) * nacc;
            double *row = work + (size_t)tid * (ROWBLK_TILE + JC) * b, *col = row + ROWBLK_TILE * b;
            /* the last tiles have the longest rows: hand them out first */
#pragma omp for schedule(dynamic, 1)
            for (size_t t = 0; t < ntiles; t++) {
                size_t t0 = rb->r0 + (ntiles - 1 - t) * ROWBLK_TILE;
                size_t t1 = t0 + ROWBLK_TILE < rb->r1 ? t0 + ROWBLK_TILE : rb->r1;
                tile_product(g, rb, t0, t1, x, b, scale, row, col, mine);
            }
        }
        for (int th = 1; th < nt; th++) /* exact: every level is a sum of grid multiples */
            for (size_t k = 0; k < nacc; k++) acc[k] += extra[(size_t)(th - 1) * nacc + k];
    }
    free(extra);
    free(work);
    return rc;
}

double rowblk_maxabs(const double *g, const rowblk_t *rb, double *diag)
{
    double m = 0.0;
    for (size_t i = rb->r0; i < rb->r1; i++) {
        const double *gi = g + rowblk_offset(rb, i);
        for (size_t j = 0; j <= i; j++) m = fabs(gi[j]) > m ? fabs(gi[j]) : m;
        if (diag) diag[i] = gi[i];
    }
    return m;
}
