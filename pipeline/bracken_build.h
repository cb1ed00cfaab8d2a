/* Bracken's k-mer distribution tables from per-read output files (Kraken 2's format) of a
 * database's library: the file side of kernels/kmer_distrib (docs/BRACKEN-BUILD.md).
 * 'gutbrain bracken-build' feeds it one file per library file and writes the tables. */
#ifndef GB_BRACKEN_BUILD_H
#define GB_BRACKEN_BUILD_H
#include <stdint.h>
#include "db.h"
#include "gb_status.h"
#include "seqmap.h"

#define BRACKEN_BUILD_MAX_LENGTHS 16

typedef struct bracken_build bracken_build_t;

/* Tables for read_len[0..n) (n <= BRACKEN_BUILD_MAX_LENGTHS) over db, each sequence's genome
 * from seqmap (NULL: kraken:taxid ids only). A read length below the database's k logs one
 * line and returns GB_E_USAGE; else GB_OK or GB_E_NOMEM. db and seqmap must outlive *out. */
int bracken_build_new(const gb_db_t *db, const seqmap_t *seqmap, const long *read_len, int n, int threads,
                      bracken_build_t **out) GB_MUST_CHECK;
void bracken_build_free(bracken_build_t *b);

/* Add every line of a per-read output file (sequences processed in parallel batches, added in
 * file order). A malformed line or a taxid the database lacks: GB_E_FORMAT, logged with
 * file:line. Sequences without a genome taxid are counted and skipped (the first few warned). */
int bracken_build_add_file(bracken_build_t *b, const char *path) GB_MUST_CHECK;

/* Sequences read so far and those skipped for want of a taxid. */
void bracken_build_counts(const bracken_build_t *b, uint64_t *sequences, uint64_t *unmapped);

/* Write DIR/database{L}mers.kmer_distrib for each read length: all to temporary names first,
 * then renamed, so an error in computing or writing them leaves none under its final name. */
int bracken_build_write(bracken_build_t *b, const char *dir) GB_MUST_CHECK;

/* Parse "L[,L2...]" of option `name` into len[0..*n) (at most BRACKEN_BUILD_MAX_LENGTHS, no
 * repeats). GB_OK or GB_E_USAGE (logged). */
int bracken_build_parse_lengths(const char *name, const char *value, long *len, int *n) GB_MUST_CHECK;

/* The whole of bracken-build: classify each library file (a temporary per-read file in dir,
 * removed after use), or take kraken (a per-read output made before; NULL: none), then write
 * dir/database{L}mers.kmer_distrib for each length. seqmap_name names the map in messages. */
int bracken_build_library(const gb_db_t *db, const seqmap_t *seqmap, const char *seqmap_name, const long *len, int n,
                          const char *const *library, size_t nlibrary, const char *kraken, int threads,
                          const char *dir) GB_MUST_CHECK;
#endif
