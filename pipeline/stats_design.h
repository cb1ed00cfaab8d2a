/* The model of 'gutbrain stats': the variable of interest and the covariates named on the
 * command line, and R's model matrix built from them over the analysed samples (numeric terms
 * z-scored, categorical terms as treatment contrasts against a reference level), in the layout
 * that the linear models (lm.h) and PERMANOVA (permanova.h) take. */
#ifndef GB_STATS_DESIGN_H
#define GB_STATS_DESIGN_H
#include <stddef.h>
#include "gb_status.h"
#include "metadata.h"

/* The names of the model's variables: --variable, then --covariates "a,b,c" in that order. */
typedef struct {
    const char **name; /* [n]; name[0] is the variable of interest */
    size_t n;
    char *buf; /* storage of the covariate names */
} stats_design_vars_t;

typedef struct {
    size_t n, p;             /* samples, columns including the intercept (column 0) */
    double *x;               /* n x p row-major */
    int *term;               /* [p] term of each column, -1 for the intercept */
    const char **meta_name;  /* [p] MaAsLin2's "metadata" column */
    const char **value_name; /* [p] MaAsLin2's "value" column (level or variable name) */
    size_t nterms;
    const char **term_name; /* [nterms] */
    /* the variable of interest, for the rank tests and the dispersion test */
    int var_categorical;
    size_t var_levels;
    int *var_group;    /* [n] level of each sample (0 = reference) when categorical */
    double *var_value; /* [n] raw values when numeric */
    const char **var_level_name;
} stats_design_t;

/* Split the covariates "a,b,c" (NULL: none; empty items are skipped) after the variable into
 * *vars (free with stats_design_vars_free, also after a failure). GB_E_USAGE (logged) when a
 * name appears twice, GB_E_NOMEM. */
int stats_design_vars_parse(const char *variable, const char *covariates, stats_design_vars_t *vars) GB_MUST_CHECK;
void stats_design_vars_free(stats_design_vars_t *vars);

/* The design of vars[0..nvars) (columns of m, none missing in sel) over the samples of sel:
 * the intercept, then each term's columns in order; refs "NAME=LEVEL,..." chooses reference
 * levels (default: the first sorted level present). The names in d point into m.
 * GB_E_USAGE (logged) for a constant numeric variable, a categorical one with fewer than two
 * levels present, or a reference level no analysed sample has; GB_E_NOMEM. Free d with
 * stats_design_free, also after a failure. */
int stats_design_build(const metadata_t *m, const metadata_selection_t *sel, const char *const *vars, size_t nvars,
                       const char *refs, stats_design_t *d) GB_MUST_CHECK;
void stats_design_free(stats_design_t *d);

#endif
