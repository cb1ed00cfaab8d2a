/* What the parts of 'gutbrain stats' share: the parsed options, the context of one run, and
 * the writer of a result table. cmd_stats.c (options, inputs, output file) fills the context;
 * stats_assoc.c (per-feature models, rank tests, alpha diversity) and stats_beta.c (distances,
 * PERMANOVA, dispersion, PCoA) compute from it and write their tables. */
#ifndef GB_STATS_H
#define GB_STATS_H
#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>
#include "gb_status.h"
#include "stats_design.h"
#include "table.h"

typedef struct {
    const char *cohort, *metadata, *variable, *covariates, *references, *rank, *transform, *taxonomy, *out;
    const char *by;
    double min_prevalence;
    long permutations, threads, axes;
    unsigned long long seed;
    int maaslin2_names; /* feature ids through R's make.names, as MaAsLin2 writes them */
} stats_opts_t;

typedef struct {
    const stats_opts_t *o;
    size_t n, m;          /* samples analysed, features at the rank */
    double *counts;       /* n x m, the analysed samples' clade counts */
    const char **feature; /* [m] feature ids */
    const char **sample;  /* [n] sample ids */
    stats_design_t d;
    int threads;
    hid_t h5;      /* stats.h5 being written (rank 0 only) */
    MPI_Comm comm; /* permutations are split across its ranks; rank 0 writes */
    int rank, size;
} stats_ctx_t;

/* On rank 0, write t as OUT/<name>.tsv and as group /<name> of c->h5, rows in order[] (NULL =
 * as stored); other ranks write nothing. GB_OK or the writers' GB_E_* code (logged). */
int stats_write_table(const stats_ctx_t *c, const table_t *t, const size_t *order) GB_MUST_CHECK;

#endif
