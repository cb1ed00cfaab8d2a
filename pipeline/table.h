/* Result tables of 'gutbrain stats': built column by column in memory, then written both as
 * TSV (R's write.table conventions: tab-separated, no quotes, 15 significant digits, NA) and
 * into an HDF5 file as a group with one dataset per column. */
#ifndef GB_TABLE_H
#define GB_TABLE_H
#include <stddef.h>
#include <stdio.h>
#include <hdf5.h>
#include "gb_status.h"

typedef struct {
    const char *name; /* column name */
    int is_text;
    const char **text; /* [nrows] when is_text (borrowed) */
    double *num;       /* [nrows] otherwise (owned) */
    int integer;       /* print numbers as integers */
} table_col_t;

typedef struct {
    const char *name; /* table name: the TSV is <name>.tsv, the HDF5 group /<name> */
    size_t nrows, ncols, cap;
    table_col_t *cols;
} table_t;

void table_init(table_t *t, const char *name, size_t nrows);
/* Add a column; the returned array (numeric) has nrows entries to fill. NULL when out of memory. */
double *table_add_num(table_t *t, const char *name, int integer);
int table_add_text(table_t *t, const char *name, const char **text) GB_MUST_CHECK;
void table_free(table_t *t);

/* Print the table as TSV to f, rows in the order given by order[] (NULL = as stored); the
 * caller sees write errors when it closes f (stats.c writes it to a staged temporary). */
void table_print_tsv(const table_t *t, FILE *f, const size_t *order);
/* Write the table as group /<name> of an open HDF5 file (rows in the same order). */
int table_write_h5(const table_t *t, hid_t file, const size_t *order) GB_MUST_CHECK;

#endif
