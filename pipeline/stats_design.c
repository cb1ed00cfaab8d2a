/* The model of 'gutbrain stats': parsing the variable names and building R's model matrix
 * (model.matrix with treatment contrasts, numeric terms z-scored as MaAsLin2 does) over the
 * analysed samples. Semantics: docs/STATS.md. */
#include "stats_design.h"
#include "log.h"
#include "transform.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stats_design_vars_parse(const char *variable, const char *covariates, stats_design_vars_t *vars)
{
    size_t len = covariates ? strlen(covariates) : 0;
    memset(vars, 0, sizeof *vars);
    vars->buf = malloc(len + 1);
    vars->name = malloc((len + 2) * sizeof *vars->name); /* the variable + at most one name per byte */
    if (!vars->buf || !vars->name) return GB_E_NOMEM;
    memcpy(vars->buf, covariates ? covariates : "", len + 1);
    vars->name[vars->n++] = variable;
    char *save = NULL;
    for (char *tok = strtok_r(vars->buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (*tok) vars->name[vars->n++] = tok;
    for (size_t i = 0; i < vars->n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(vars->name[i], vars->name[j])) {
                gb_error("'%s' is named twice among --variable and --covariates", vars->name[i]);
                return GB_E_USAGE;
            }
    return GB_OK;
}

void stats_design_vars_free(stats_design_vars_t *vars)
{
    free(vars->name);
    free(vars->buf);
    memset(vars, 0, sizeof *vars);
}

void stats_design_free(stats_design_t *d)
{
    free(d->x);
    free(d->term);
    free(d->meta_name);
    free(d->value_name);
    free(d->term_name);
    free(d->var_group);
    free(d->var_value);
    free(d->var_level_name);
}

/* The reference level asked for NAME in "a=x,b=y", or NULL. Points into refs; copies to buf. */
static const char *reference_for(const char *refs, const char *name, char *buf, size_t cap)
{
    size_t len = strlen(name);
    for (const char *p = refs; p && *p;) {
        const char *end = strchr(p, ',');
        size_t item = end ? (size_t)(end - p) : strlen(p);
        if (item > len && !strncmp(p, name, len) && p[len] == '=') {
            snprintf(buf, cap, "%.*s", (int)(item - len - 1), p + len + 1);
            return buf;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

/* Column *col of term `term`: the z-scored values of numeric column c. */
static int add_numeric(stats_design_t *d, const metadata_t *m, const metadata_selection_t *sel,
                       const metadata_column_t *c, int term, size_t *col, int is_variable)
{
    size_t n = sel->n;
    double *v = malloc(n * sizeof *v), sd = 0;
    int rc = GB_OK;
    if (!v) return GB_E_NOMEM;
    for (size_t i = 0; i < n; i++) v[i] = c->values[sel->meta_row[i]];
    if (is_variable) { /* the rank tests use the raw values */
        if (!(d->var_value = malloc(n * sizeof *d->var_value))) {
            rc = GB_E_NOMEM;
            goto done;
        }
        memcpy(d->var_value, v, n * sizeof *v);
    }
    transform_zscore(v, n, v, NULL, &sd);
    if (!(sd > 0)) {
        gb_error("%s: variable '%s' is constant over the %zu samples analysed", m->path, c->name, n);
        rc = GB_E_USAGE;
        goto done;
    }
    for (size_t i = 0; i < n; i++) d->x[i * d->p + *col] = v[i];
    d->term[*col] = term;
    d->meta_name[*col] = d->value_name[*col] = c->name;
    (*col)++;
done:
    free(v);
    return rc;
}

/* Columns *col... of term `term`: treatment contrasts of categorical column c, one 0/1 column
 * per level present other than the reference. */
static int add_categorical(stats_design_t *d, const metadata_t *m, const metadata_selection_t *sel,
                           const metadata_column_t *c, int term, const char *refs, size_t *col, int is_variable)
{
    size_t n = sel->n;
    int32_t *codes = malloc(n * sizeof *codes);
    const char **levels = malloc((c->nlevels + 1) * sizeof *levels);
    int rc = GB_OK;
    if (!codes || !levels) {
        rc = GB_E_NOMEM;
        goto done;
    }
    size_t nl = metadata_levels_present(c, sel->meta_row, n, codes, levels);
    char refbuf[256];
    const char *ref = reference_for(refs, c->name, refbuf, sizeof refbuf);
    long r = 0;
    if (ref) {
        for (r = 0; r < (long)nl && strcmp(levels[r], ref); r++) {}
        if (r == (long)nl) {
            gb_error("--reference %s=%s: no analysed sample has that level", c->name, ref);
            rc = GB_E_USAGE;
            goto done;
        }
    }
    if (nl < 2) {
        gb_error("%s: variable '%s' has %zu level%s among the %zu samples analysed; a model needs 2", m->path, c->name,
                 nl, nl == 1 ? "" : "s", n);
        rc = GB_E_USAGE;
        goto done;
    }
    /* reference first, the others in sorted order (R's relevel) */
    const char *moved = levels[r];
    memmove(levels + 1, levels, (size_t)r * sizeof *levels);
    levels[0] = moved;
    for (size_t i = 0; i < n; i++) codes[i] = codes[i] == r ? 0 : codes[i] < r ? codes[i] + 1 : codes[i];
    for (size_t l = 1; l < nl; l++, (*col)++) {
        for (size_t i = 0; i < n; i++) d->x[i * d->p + *col] = codes[i] == (int32_t)l ? 1.0 : 0.0;
        d->term[*col] = term;
        d->meta_name[*col] = c->name;
        d->value_name[*col] = levels[l];
    }
    if (is_variable) { /* the rank and dispersion tests use the groups */
        d->var_categorical = 1;
        d->var_levels = nl;
        if (!(d->var_group = malloc(n * sizeof *d->var_group))) {
            rc = GB_E_NOMEM;
            goto done;
        }
        for (size_t i = 0; i < n; i++) d->var_group[i] = codes[i];
        d->var_level_name = levels;
        levels = NULL;
    }
done:
    free(codes);
    free(levels);
    return rc;
}

/* Append the columns of one term. */
static int add_term(stats_design_t *d, const metadata_t *m, const metadata_selection_t *sel, const char *name,
                    const char *refs, size_t *col, int is_variable)
{
    const metadata_column_t *c = metadata_column(m, name);
    int term = (int)d->nterms++;
    d->term_name[term] = c->name;
    if (c->type == METADATA_NUMERIC) return add_numeric(d, m, sel, c, term, col, is_variable);
    return add_categorical(d, m, sel, c, term, refs, col, is_variable);
}

/* Columns a term will need: 1 numeric, levels present - 1 categorical (at most nlevels - 1). */
static size_t term_width(const metadata_t *m, const char *name)
{
    const metadata_column_t *c = metadata_column(m, name);
    return c->type == METADATA_NUMERIC ? 1 : (c->nlevels > 1 ? c->nlevels - 1 : 1);
}

int stats_design_build(const metadata_t *m, const metadata_selection_t *sel, const char *const *vars, size_t nvars,
                       const char *refs, stats_design_t *d)
{
    memset(d, 0, sizeof *d);
    size_t p = 1;
    for (size_t v = 0; v < nvars; v++) p += term_width(m, vars[v]);
    d->n = sel->n;
    d->p = p;
    d->x = calloc(d->n * p, sizeof *d->x);
    d->term = calloc(p, sizeof *d->term);
    d->meta_name = calloc(p, sizeof *d->meta_name);
    d->value_name = calloc(p, sizeof *d->value_name);
    d->term_name = calloc(nvars, sizeof *d->term_name);
    if (!d->x || !d->term || !d->meta_name || !d->value_name || !d->term_name) return GB_E_NOMEM;
    for (size_t i = 0; i < d->n; i++) d->x[i * p] = 1.0;
    d->term[0] = -1;
    d->meta_name[0] = d->value_name[0] = "(Intercept)";
    size_t col = 1;
    for (size_t v = 0; v < nvars; v++) {
        int rc = add_term(d, m, sel, vars[v], refs, &col, v == 0);
        if (rc) return rc;
    }
    /* categorical terms with levels absent from the selection use fewer columns: repack */
    if (col < p) {
        for (size_t i = 0; i < d->n; i++) memmove(d->x + i * col, d->x + i * p, col * sizeof *d->x);
        d->p = col;
    }
    return GB_OK;
}
