/* What the parts of 'gutbrain stats' share: the parsed options, the context of one run, and
 * the writer of a result table. cmd_stats.c (options, inputs, output file) fills the context;
 * stats_assoc.c (per-feature models, rank tests, alpha diversity) and stats_beta.c (distances,
 * PERMANOVA, dispersion, PCoA) compute from it and write their tables. */
#ifndef GB_STATS_H
#define GB_STATS_H
#include <hdf5.h>
#include <mpi.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
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

/* Rank 0's outputs of one run, written as private temporaries next to their final names and
 * renamed into place together at the end (stats_staged_publish), so that a run that stops or
 * fails leaves OUT as it found it. */
typedef struct {
    struct stats_staged_file {
        char *final, *tmp; /* OUT/<file> and OUT/<file>.tmp.<pid>, owned */
    } * file;
    size_t n, cap;
} stats_staged_t;

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
    const volatile sig_atomic_t *stop; /* the stop flag (SIGTERM, SIGINT) stats_stopped polls */
    stats_staged_t *staged;            /* rank 0: the outputs so far, as temporaries */
} stats_ctx_t;

/* Collective over c->comm: GB_E_INTERRUPTED when *c->stop is set on ANY rank, so that every
 * rank stops at the same point; GB_OK otherwise. Called between phases and permutation rounds
 * (cheap: one small allreduce). */
int stats_stopped(const stats_ctx_t *c) GB_MUST_CHECK;

/* Rank 0: create OUT/<file>.tmp.<pid> (mode 0600) for output `file` and record it in c->staged
 * (its path is then c->staged->file[c->staged->n - 1].tmp): an fd open for writing, or -1 after
 * logging the reason. _open is the same as a FILE, closed with stats_staged_close. */
int stats_staged_create(const stats_ctx_t *c, const char *file);
FILE *stats_staged_open(const stats_ctx_t *c, const char *file);
/* fclose f, the output opened last; GB_E_IO (logged: the file and the system's reason, e.g.
 * "No space left on device") when any write to it failed. */
int stats_staged_close(const stats_ctx_t *c, FILE *f) GB_MUST_CHECK;
/* Rename every staged temporary to its final name (the mode of an ordinary output). GB_OK or
 * GB_E_IO (logged). */
int stats_staged_publish(const stats_ctx_t *c) GB_MUST_CHECK;
/* Remove the temporaries not yet published and free the list (a no-op when empty). */
void stats_staged_discard(stats_staged_t *s);

/* On rank 0, write t as OUT/<name>.tsv (staged: see stats_staged_open) and as group /<name> of
 * c->h5, rows in order[] (NULL = as stored); other ranks write nothing. Collective: every rank
 * returns GB_OK or the writers' GB_E_* code (logged on rank 0), so a full disk stops them all. */
int stats_write_table(const stats_ctx_t *c, const table_t *t, const size_t *order) GB_MUST_CHECK;

#endif
