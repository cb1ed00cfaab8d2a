#include "table.h"
#include "gb_array.h"
#include "gb_h5.h"
#include "log.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void table_init(table_t *t, const char *name, size_t nrows)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->nrows = nrows;
}

static table_col_t *table_new_col(table_t *t, const char *name)
{
    if (GB_GROW(t->cols, t->cap, t->ncols + 1)) return NULL;
    table_col_t *c = &t->cols[t->ncols++];
    memset(c, 0, sizeof *c);
    c->name = name;
    return c;
}

double *table_add_num(table_t *t, const char *name, int integer)
{
    double *v = malloc((t->nrows ? t->nrows : 1) * sizeof *v);
    table_col_t *c = v ? table_new_col(t, name) : NULL;
    if (!c) {
        free(v);
        return NULL;
    }
    for (size_t i = 0; i < t->nrows; i++) v[i] = NAN;
    c->num = v;
    c->integer = integer;
    return v;
}

int table_add_text(table_t *t, const char *name, const char **text)
{
    table_col_t *c = table_new_col(t, name);
    if (!c) return GB_E_NOMEM;
    c->is_text = 1;
    c->text = text;
    return 0;
}

void table_free(table_t *t)
{
    for (size_t j = 0; j < t->ncols; j++) free(t->cols[j].num);
    free(t->cols);
    memset(t, 0, sizeof *t);
}

static void put_value(FILE *f, const table_col_t *c, size_t row)
{
    if (c->is_text) {
        fputs(c->text[row] ? c->text[row] : "NA", f);
        return;
    }
    double v = c->num[row];
    if (isnan(v)) fputs("NA", f);
    else if (isinf(v)) fputs(v > 0 ? "Inf" : "-Inf", f);
    else if (c->integer) fprintf(f, "%.0f", v);
    else fprintf(f, "%.15g", v);
}

void table_print_tsv(const table_t *t, FILE *f, const size_t *order)
{
    for (size_t j = 0; j < t->ncols; j++) fprintf(f, "%s%s", j ? "\t" : "", t->cols[j].name);
    fputc('\n', f);
    for (size_t r = 0; r < t->nrows; r++) {
        size_t row = order ? order[r] : r;
        for (size_t j = 0; j < t->ncols; j++) {
            if (j) fputc('\t', f);
            put_value(f, &t->cols[j], row);
        }
        fputc('\n', f);
    }
}

static int write_h5_column(hid_t group, const table_t *t, const table_col_t *c, const size_t *order)
{
    int rc;
    if (c->is_text) {
        const char **v = malloc((t->nrows ? t->nrows : 1) * sizeof *v);
        if (!v) return GB_E_NOMEM;
        for (size_t r = 0; r < t->nrows; r++) {
            const char *s = c->text[order ? order[r] : r];
            v[r] = s ? s : "NA";
        }
        rc = gb_h5_write_strings(group, c->name, v, t->nrows, 0);
        free(v);
    } else {
        double *v = malloc((t->nrows ? t->nrows : 1) * sizeof *v);
        if (!v) return GB_E_NOMEM;
        for (size_t r = 0; r < t->nrows; r++) v[r] = c->num[order ? order[r] : r];
        rc = gb_h5_write_doubles(group, c->name, v, t->nrows);
        free(v);
    }
    return rc;
}

int table_write_h5(const table_t *t, hid_t file, const size_t *order)
{
    hid_t group = H5Gcreate2(file, t->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (group < 0) {
        gb_error("cannot create HDF5 group /%s", t->name);
        return GB_E_IO;
    }
    int rc = 0;
    for (size_t j = 0; j < t->ncols && !rc; j++) rc = write_h5_column(group, t, &t->cols[j], order);
    H5Gclose(group);
    if (rc) gb_error("cannot write HDF5 table /%s", t->name);
    return rc;
}
