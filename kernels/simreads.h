/* Simulated Illumina-like reads from a genome held in memory (the read model of
 * `gutbrain simulate`, docs/SIMULATE.md).
 *
 * Fragments: a start uniform over the genome's bases (all its records concatenated, each
 * record's start in rec_start[]), a length ~ Normal(insert_mean, insert_sd) rounded and kept
 * within [read_len, record length] (single-end: read_len), moved left when it would run past
 * its record; records shorter than read_len are never hit (the start is drawn again). Strand:
 * forward or reverse complement with probability 1/2. Mate 1 is the fragment's first read_len
 * bases, mate 2 the reverse complement of its last read_len.
 *
 * Errors: base i (0-based) of a read is a substitution (one of the three other bases, equally
 * likely) with probability e(i) = err_first + (err_last - err_first) * (i / (read_len - 1))^2,
 * and an N with probability n_rate. Qualities (Phred+33): Q(i) = round(-10 log10 e(i)), capped
 * to [2, 40], on correct bases; a substituted base gets a low quality, uniform in [2, 12);
 * an N (drawn, or in the genome) gets 2. */
#ifndef GB_SIMREADS_H
#define GB_SIMREADS_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"
#include "simrng.h"

typedef struct {
    int read_len;
    double insert_mean, insert_sd;
    double err_first, err_last, n_rate;
    /* filled by simreads_model_init: per-position thresholds on a 64-bit draw and qualities */
    uint64_t *n_below, *err_below;
    char *qual;
} simreads_model_t;

typedef struct {
    const char *seq;           /* upper-case A, C, G, T, N */
    const uint64_t *rec_start; /* nrec + 1 offsets into seq; rec_start[nrec] = total length */
    uint32_t nrec;
    uint64_t longest; /* longest record */
} simreads_genome_t;

/* Fill the tables of m (its parameters set); GB_E_USAGE when read_len < 1 or a probability is
 * outside [0, 0.5], GB_E_NOMEM. Free with simreads_model_destroy. */
int simreads_model_init(simreads_model_t *m) GB_MUST_CHECK;
void simreads_model_destroy(simreads_model_t *m);

/* Upper-case seq[0, len) in place; anything but A, C, G, T becomes N. */
void simreads_normalise(char *seq, size_t len);

/* One fragment of g: r1/q1 (and r2/q2 when r2 is not NULL), read_len bytes each, not
 * NUL-terminated. g->longest must be >= read_len. */
void simreads_fragment(simrng_t *r, const simreads_model_t *m, const simreads_genome_t *g, char *r1, char *q1, char *r2,
                       char *q2);

#endif
