/* The profiles 'gutbrain bench --profiles' scores (docs/BENCH.md, "Profile scores"): the true
 * abundances of a 'gutbrain simulate' folder (truth/abundance.tsv) and one sample's predicted
 * profile, as a Kraken report, a Bracken 7-column table or a CAMI profile, all reduced to
 * (taxid, value) entries. */
#ifndef GB_BENCH_PROFILE_H
#define GB_BENCH_PROFILE_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

/* Entries of one profile. rank[i] NULL: the value is disjoint (reads called exactly that taxon:
 * a kreport's direct count, Bracken's new_est_reads), to be summed into clades at a rank;
 * rank[i] set (CAMI): entry i's rank, and its value is already the clade's, so only the
 * entries of the rank scored are used. */
typedef struct {
    size_t n, cap;
    uint32_t *taxid;
    double *value;
    const char **rank; /* [n]; CAMI entries point into text, others NULL */
    char *text;
} bench_profile_t;

/* Reads path, telling the format by its content: a line "@@TAXID..." or "@SampleID" -> CAMI;
 * the header "name<TAB>taxonomy_id<TAB>..." -> Bracken; otherwise a kreport (6 or 8 columns).
 * Errors, one line naming path[:line]: GB_E_IO, GB_E_FORMAT. Free with bench_profile_free. */
int bench_profile_read(const char *path, bench_profile_t *p) GB_MUST_CHECK;
void bench_profile_free(bench_profile_t *p);

/* truth/abundance.tsv: "sample taxid read_fraction cell_fraction" lines (a header line starting
 * with "sample" skipped). Samples in order of first appearance; truth[s] holds sample s's
 * taxa with their read_fraction (disjoint values, rank[i] NULL). */
typedef struct {
    size_t nsamples;
    char **sample;
    bench_profile_t *truth;
    char *text;
} bench_abundance_t;
int bench_abundance_read(const char *path, bench_abundance_t *a) GB_MUST_CHECK;
void bench_abundance_free(bench_abundance_t *a);

/* The file of sample in dir: the first of DIR/<sample>{.cami,.bracken,.kreport.bracken,
 * .kreport,.report} that exists (malloc'd), or NULL after logging one error line. */
char *bench_profile_find(const char *dir, const char *sample);

#endif
