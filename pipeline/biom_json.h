/* A BIOM table as BIOM 1.0 JSON (sparse): the form every BIOM reader takes, including R's
 * biomformat on Debian 12, whose HDF5 path needs `library(rhdf5)` first and miscounts empty
 * samples (docs/RUN.md, "Reading cohort.biom"). Layout: "rows" are the features with their
 * lineage as metadata "taxonomy", "columns" the samples, "data" the non-zero [row, column, value]
 * triplets in column order; "matrix_element_type" is "int" when every value is whole. */
#ifndef GB_BIOM_JSON_H
#define GB_BIOM_JSON_H
#include "biom_read.h"
#include "gb_status.h"

/* Write t to path (temporary name, then rename). GB_OK, or GB_E_IO / GB_E_NOMEM (logged). */
int biom_json_write(const biom_table_t *t, const char *path) GB_MUST_CHECK;

/* Read the BIOM 2.1 file in and write it as JSON to out. GB_OK or the error (logged). */
int biom_json_convert(const char *in, const char *out) GB_MUST_CHECK;

#endif
