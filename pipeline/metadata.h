/* Sample metadata: a tab-separated table with a header line; the first column holds sample ids,
 * every other column is a variable.
 *
 * File format (close to what R's data.table::fread, which MaAsLin2 uses, accepts):
 *   - a UTF-8 byte-order mark, "\r\n" line ends and blank lines are ignored; lines starting
 *     with "#q2:" after the header (QIIME 2's type directives) are skipped;
 *   - fields are split on every tab (no quoted tabs); a field wholly inside double quotes loses
 *     them ("" inside stands for one "); spaces around a field are dropped;
 *   - a header with one field fewer than the rows (R's write.table with row names) means the
 *     first column has no name;
 *   - "NA" and "" are missing values; sample ids must be non-empty and unique.
 *
 * Column types: a column is numeric when every non-missing value parses completely as a finite
 * decimal double (strtod; hexadecimal, "Inf" and "NaN" do not count), categorical otherwise
 * (as R: 0/1 codes are numeric; TRUE/FALSE are categorical). A column with no value at all is
 * categorical with no level.
 *
 * Level order: categorical levels are sorted by bytes (strcmp: the C locale, UTF-8 code point
 * order), which is what R's factor() gives under LC_COLLATE=C. R in an English locale sorts
 * case-insensitively first ("a" < "B"), so level names differing only in case or mixing cases
 * may order differently there; the R agreement tests run R with LC_COLLATE=C.
 *
 * Nothing here is thread-safe against concurrent modification; reading concurrently is fine. */
#ifndef GB_METADATA_H
#define GB_METADATA_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "gb_status.h"

typedef enum { METADATA_NUMERIC = 0, METADATA_CATEGORICAL = 1 } metadata_type_t;

typedef struct {
    char *name;
    metadata_type_t type;
    size_t nmissing; /* rows with NA or "" */
    /* METADATA_NUMERIC: values[row], NAN where missing. NULL for categorical columns. */
    double *values;
    /* METADATA_CATEGORICAL: codes[row] = index into levels, -1 where missing; NULL for numeric. */
    int32_t *codes;
    size_t nlevels;
    char **levels; /* sorted by strcmp, distinct */
    /* For categorical columns: how many non-missing values parse as numbers, and the first
     * value that does not (line number in the file, 1-based). A mostly numeric column with a
     * stray word is usually a typo: metadata_select() refuses it as a model variable. */
    size_t nnumeric_like;
    size_t first_text_line;
    const char *first_text_value;
} metadata_column_t;

typedef struct {
    char *path;
    const char *id_header; /* name of the first column ("" when the header omits it) */
    size_t nsamples, ncolumns;
    char **sample_ids;          /* [nsamples], file order */
    size_t *line_of;            /* [nsamples] line number of each row in the file */
    metadata_column_t *columns; /* [ncolumns], file order (the id column not included) */
    size_t *sorted_rows;        /* private: rows by sample id, for metadata_find_sample() */
    char *text;                 /* private: the file's text, which the strings point into */
} metadata_t;

/* Read path. Errors (logged as one line naming file and line): GB_E_IO unreadable;
 * GB_E_FORMAT empty file, a row with another number of fields than the header, an empty or
 * duplicate sample id, an empty or duplicate column name; GB_E_NOMEM. Free with
 * metadata_destroy() (NULL is a no-op). */
int metadata_read(const char *path, metadata_t **out) GB_MUST_CHECK;
void metadata_destroy(metadata_t *m);

/* The column called name (exact, case-sensitive), NULL when absent. */
const metadata_column_t *metadata_column(const metadata_t *m, const char *name);

/* Row of a sample id, -1 when absent (binary search). */
long metadata_find_sample(const metadata_t *m, const char *id);

/* Index of a level in a categorical column, -1 when absent. */
long metadata_level_index(const metadata_column_t *c, const char *level);

/* Levels of a categorical column present among rows[0..n) (e.g. the complete cases), as R
 * re-factors a subset: present_levels[0..return) borrows the column's level strings in their
 * sorted order, codes_out[i] is the new code of rows[i] (-1 when missing). Caller-owned arrays:
 * codes_out [n], present_levels [c->nlevels]. Returns the number of levels present. */
size_t metadata_levels_present(const metadata_column_t *c, const size_t *rows, size_t n, int32_t *codes_out,
                               const char **present_levels);

/* Why a sample is not analysed. */
typedef enum {
    METADATA_DROP_NOT_IN_METADATA = 0, /* in the cohort, absent from the metadata */
    METADATA_DROP_NOT_IN_COHORT = 1,   /* in the metadata, absent from the cohort */
    METADATA_DROP_MISSING = 2          /* a model variable is NA or empty */
} metadata_drop_reason_t;

typedef struct {
    const char *sample_id; /* borrowed from the cohort ids or the metadata */
    metadata_drop_reason_t reason;
    const char *column; /* METADATA_DROP_MISSING: the first missing variable in the
                                      * order given; NULL otherwise */
} metadata_drop_t;

typedef struct {
    size_t n;           /* samples analysed */
    size_t *cohort_row; /* [n] index into the cohort's ids, ascending */
    size_t *meta_row;   /* [n] the same samples' metadata rows */
    size_t ndropped;
    metadata_drop_t *dropped; /* cohort samples first (cohort order), then metadata-only
                                      * samples (metadata order) */
    size_t n_not_in_metadata, n_not_in_cohort, n_missing;
} metadata_selection_t;

/* The samples of a model, chosen before any filtering: the intersection of the cohort and the
 * metadata, restricted to complete cases on variables[0..nvariables), in the COHORT's order.
 * Errors (logged, GB_E_USAGE): a variable that is not a column (the message lists the columns);
 * no cohort sample in the metadata; no complete case left. GB_E_FORMAT: a variable column
 * that is categorical although more than half of its values are numbers (a typo such as "4O"
 * in an age column: message names file, line and value). GB_E_NOMEM. The selection borrows
 * strings from m and cohort_ids: keep them alive while using it. (char *const * takes a
 * biom_table_t's sample_ids, or any char * array, without a cast.) Free with
 * metadata_selection_free() (a zeroed selection is fine). */
int metadata_select(const metadata_t *m, char *const *cohort_ids, size_t ncohort, char *const *variables,
                    size_t nvariables, metadata_selection_t *out) GB_MUST_CHECK;
void metadata_selection_free(metadata_selection_t *s);

/* "not_in_metadata", "not_in_cohort", "missing_value". */
const char *metadata_drop_reason_name(metadata_drop_reason_t reason);

/* The dropped samples as TSV: a header "sample\treason\tcolumn", then one line each (column
 * "" unless the reason is a missing value). Returns 0 or GB_E_IO. */
int metadata_selection_write_dropped(FILE *f, const metadata_selection_t *s) GB_MUST_CHECK;

#endif
