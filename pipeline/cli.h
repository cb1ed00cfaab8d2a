/* Command-line options defined in one table that also prints --help (docs/HACKING.md). */
#ifndef GB_CLI_H
#define GB_CLI_H
#include <stdio.h>

typedef struct {
    const char *name;     /* long name without "--" */
    char short_name;      /* 0 when none */
    const char *metavar;  /* NULL for a flag */
    const char *help;
} cli_option_t;

/* Parse argv[1..] against opts[0..n). For each option seen, calls on_opt(ctx, index, value)
 * (value NULL for flags), which returns 0 or a GB_E_* code; positional arguments are collected
 * into *pos (pointing into argv) and counted in *npos. "--help" prints usage and "--version"
 * the version; both return 1;
 * an unknown option or a missing value logs one line and returns GB_E_USAGE. */
int cli_parse(int argc, char **argv, const cli_option_t *opts, int n,
              int (*on_opt)(void *ctx, int index, const char *value), void *ctx,
              char ***pos, int *npos, const char *usage);

void cli_print_help(FILE *f, const char *usage, const cli_option_t *opts, int n);

/* Parse numbers with range checks; log "--name: bad value" on failure. */
int cli_int(const char *name, const char *s, long lo, long hi, long *out);
int cli_double(const char *name, const char *s, double lo, double hi, double *out);

#endif
