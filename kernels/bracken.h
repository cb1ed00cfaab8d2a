/* Bracken abundance re-estimation (Lu et al. 2017) over a Kraken-style report held as plain
 * arrays: the reads Kraken left above the chosen level (genus, family, ...) are shared among
 * the taxa at that level in proportion to how likely each one's reads are to stop there, from
 * the read-length-specific k-mer distribution (.kmer_distrib). The arithmetic, the order of
 * every floating-point sum and the truncations follow Bracken 3's est_abundance.py, so that
 * the printed outputs are the same byte for byte (docs/BRACKEN.md). No I/O: the pipeline
 * (pipeline/bracken_io.c) reads the files into these arrays and prints the results, and the
 * classifier can fill them from its in-memory counts. */
#ifndef GB_BRACKEN_H
#define GB_BRACKEN_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

/* Longest level code, as written ("S", "G1") or as Bracken names unranked nodes ("S12"). */
#define BRACKEN_RANK_MAX 15

/* One line of the report, in report order (lines Bracken skips are left out). */
typedef struct {
    uint64_t taxid;                  /* equal taxids are one taxon, as Bracken keys everything by taxid */
    int64_t clade_reads;             /* column 2: reads at the taxon and below */
    int64_t taxon_reads;             /* column 3: reads at the taxon only */
    uint32_t depth;                  /* leading spaces of the name / 2 */
    int unclassified;                /* rank "U" or name "unclassified": counted, then left out */
    char rank[BRACKEN_RANK_MAX + 1]; /* rank code as written: "S", "G1", "-" ("" when blank) */
} bracken_row_t;

/* A k-mer distribution: for each line, the taxon reads of that length are classified to
 * (mapped) and, for each genome that has k-mers there, the fraction of that genome's reads
 * classified to it. Entries of line i are [first[i], first[i + 1]). Fill it with
 * bracken_distrib_add_line/_add_entry, then bracken_distrib_index before use; it does not
 * depend on a sample, so one distribution serves every sample of a run. */
typedef struct {
    uint64_t genome;
    double fraction; /* kmers mapped / total genome kmers */
} bracken_entry_t;

typedef struct {
    uint64_t mapped;
    size_t line;
} bracken_line_ref_t;

typedef struct {
    size_t n_lines, n_entries;
    uint64_t *mapped;           /* [n_lines] */
    size_t *first;              /* [n_lines + 1] */
    bracken_entry_t *entry;     /* [n_entries] */
    bracken_line_ref_t *by_map; /* [n_lines] sorted by (mapped, line): bracken_distrib_index */
    size_t cap_lines, cap_first, cap_entries;
} bracken_distrib_t;

#define BRACKEN_DISTRIB_INIT \
    {                        \
        0                    \
    }

int bracken_distrib_add_line(bracken_distrib_t *d, uint64_t mapped) GB_MUST_CHECK;
/* Adds to the last line added; GB_E_USAGE when there is none. */
int bracken_distrib_add_entry(bracken_distrib_t *d, uint64_t genome, double fraction) GB_MUST_CHECK;
int bracken_distrib_index(bracken_distrib_t *d) GB_MUST_CHECK;
void bracken_distrib_free(bracken_distrib_t *d);

/* One taxon at the chosen level: a line of Bracken's 7-column table. */
typedef struct {
    size_t row; /* report row holding its name */
    uint64_t taxid;
    int64_t kraken_reads; /* clade reads in the report */
    int64_t added_reads;  /* new_reads - kraken_reads */
    int64_t new_reads;    /* re-estimated reads, truncated as Bracken does */
    double fraction;      /* new_reads / (truncated) sum of the level's new reads */
} bracken_estimate_t;

/* One line of the re-estimated report ("bracken report"), in its printed order. */
typedef struct {
    size_t row; /* report row: name and depth */
    uint64_t taxid;
    int64_t clade_reads, taxon_reads;
    double percent;
    char rank[BRACKEN_RANK_MAX + 1]; /* Bracken's code: "R", "R1", "D", ..., "G1" */
} bracken_line_t;

typedef struct {
    bracken_estimate_t *est; /* in the order taxa appear in the report */
    size_t n_est;
    bracken_line_t *lines;
    size_t n_lines;
    /* est_abundance.py's summary */
    size_t n_level_taxa, n_above_threshold, n_below_threshold;
    int64_t total_reads, kept_reads, discarded_reads, distributed_reads, undistributed_reads, unclassified_reads;
    /* On GB_E_FORMAT: the offending row (SIZE_MAX when none) and what is wrong with it. */
    size_t err_row;
    const char *err_what;
} bracken_result_t;

/* Bracken's level names in its summary ("species", "genuses", ...), or level itself. */
const char *bracken_level_word(const char *level);

/* Is level a level Bracken accepts: one of R K D P C O F G S, then optionally digits? */
int bracken_level_valid(const char *level);

/* Re-estimates abundances at level (e.g. "S", "G", "S1") for the report rows[0, n): taxa at
 * the level with fewer than threshold clade reads are dropped, as in Bracken. d must be
 * indexed. Fills *res (free with bracken_result_free, also after a failure).
 * Returns GB_OK; GB_E_USAGE for an invalid level; GB_E_NOMEM; GB_E_FORMAT when the report
 * cannot be a tree (a line before root, an indentation with no parent, an unknown rank code:
 * res->err_row, res->err_what) or when no reads are left at the level (err_row SIZE_MAX). */
int bracken_estimate(const bracken_row_t *rows, size_t n, const bracken_distrib_t *d, const char *level,
                     int64_t threshold, bracken_result_t *res) GB_MUST_CHECK;
void bracken_result_free(bracken_result_t *res);

#endif
