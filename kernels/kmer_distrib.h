/* Bracken's k-mer distribution, the pure part (docs/BRACKEN-BUILD.md): every read-length window
 * of a reference sequence's k-mer calls classified the Kraken way, and the table of how many
 * windows of each genome land on each taxon, in the order Bracken writes it.
 * Taxa are internal ids of a taxonomy with parent[i] < i (kernels/taxonomy.h) for the windows,
 * NCBI taxids for the table. */
#ifndef GB_KMER_DISTRIB_H
#define GB_KMER_DISTRIB_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

/* `count` consecutive k-mers of a sequence called `taxon` (0: none or ambiguous). */
typedef struct {
    uint32_t taxon;
    uint32_t count;
} kmer_distrib_run_t;

/* Windows of one sequence called `taxon`. */
typedef struct {
    uint32_t taxon;
    uint64_t windows;
} kmer_distrib_call_t;

/* Kraken's call for a multiset of k-mer taxa: taxa[i] (distinct, non-zero) seen counts[i] times.
 * A taxon's score is the count of its own and its ancestors' k-mers; the call is the highest
 * scoring taxon, the LCA of all of them on a tie; 0 when n is 0. */
uint32_t kmer_distrib_call(const uint32_t *parent, const uint32_t *taxa, const uint32_t *counts, size_t n);

/* Scratch for kmer_distrib_scan over a taxonomy of n_taxa nodes; reused for every sequence. */
typedef struct {
    uint32_t n_taxa;
    uint32_t *slot;             /* per taxon: 1 + its index in calls, 0 when not called */
    kmer_distrib_call_t *calls; /* the last scan's result, in first-called order */
    size_t ncalls, cap_calls;
    uint32_t *win_taxa;  /* distinct taxa of the current window */
    uint32_t *win_count; /* per taxon: its k-mers in the window */
    size_t nwin, cap_win;
} kmer_distrib_scan_t;

int kmer_distrib_scan_init(kmer_distrib_scan_t *s, uint32_t n_taxa) GB_MUST_CHECK;
void kmer_distrib_scan_free(kmer_distrib_scan_t *s);

/* Classify every window of `window` consecutive k-mers of the sequence given as runs (a
 * sequence of fewer k-mers has no window) with kmer_distrib_call, and leave in s->calls the
 * number of windows per call (taxon 0 included). Taxa must be < n_taxa.
 * GB_OK, GB_E_NOMEM, or GB_E_USAGE for window 0 or a taxon out of range. */
int kmer_distrib_scan(kmer_distrib_scan_t *s, const uint32_t *parent, const kmer_distrib_run_t *runs, size_t nruns,
                      uint32_t window) GB_MUST_CHECK;

/* The distribution table: sequences are added one by one, then kmer_distrib_finish orders it
 * as Bracken's file: rows by first appearance of the mapped taxon (genomes in order of their
 * first sequence with a window, each genome's taxa in order of first appearance, a sequence's
 * taxa ascending), cells in a row by genome order. */
typedef struct {
    uint32_t genome;  /* taxid of the reference sequences */
    uint64_t windows; /* of this genome called the row's taxon */
    uint64_t total;   /* windows of this genome */
} kmer_distrib_cell_t;

typedef struct {
    uint32_t mapped; /* taxid the windows were called */
    size_t first, n; /* cells[first .. first + n) */
} kmer_distrib_row_t;

typedef struct {
    uint32_t genome, mapped;
    uint64_t windows, order;
} kmer_distrib_entry_t;

typedef struct {
    kmer_distrib_entry_t *entries; /* as added */
    size_t nentries, cap_entries;
    kmer_distrib_row_t *rows; /* after kmer_distrib_finish */
    size_t nrows;
    kmer_distrib_cell_t *cells;
    size_t ncells;
} kmer_distrib_t;

/* Add one sequence of genome taxid `genome`: calls[i].taxon are taxids (distinct). GB_OK or
 * GB_E_NOMEM. */
int kmer_distrib_add(kmer_distrib_t *d, uint32_t genome, const kmer_distrib_call_t *calls, size_t n) GB_MUST_CHECK;
/* Build rows and cells from what was added. GB_OK or GB_E_NOMEM. */
int kmer_distrib_finish(kmer_distrib_t *d) GB_MUST_CHECK;
void kmer_distrib_free(kmer_distrib_t *d);

#endif
