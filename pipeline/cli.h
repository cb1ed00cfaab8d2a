/* Command-line options defined in one table that also prints --help and names the keys of
 * INI config files, so the options, their help and the config keys cannot drift apart. */
#ifndef GB_CLI_H
#define GB_CLI_H
#include <stdio.h>
#include "gb_status.h"

typedef struct {
    const char *name;    /* long name without "--" */
    char short_name;     /* 0 when none */
    const char *metavar; /* NULL for a flag */
    const char *help;
} cli_option_t;

/* Parse argv[1..] against opts[0..n). For each option seen, calls on_opt(ctx, index, value)
 * (value NULL for flags), which returns 0 or a GB_E_* code; positional arguments are collected
 * into *pos (pointing into argv) and counted in *npos. "--help" prints usage and "--version"
 * the version; both return 1;
 * an unknown option or a missing value logs one line and returns GB_E_USAGE. */
int cli_parse(int argc, char **argv, const cli_option_t *opts, int n,
              int (*on_opt)(void *ctx, int index, const char *value), void *ctx, char ***pos, int *npos,
              const char *usage);

void cli_print_help(FILE *f, const char *usage, const cli_option_t *opts, int n);

/* Apply an INI config file through the same table and callback as cli_parse: each
 * "key = value" line (spaces around both trimmed) whose key is the long name of opts[i] calls
 * on_opt(ctx, i, value); for a flag, "true", "yes" or "1" calls on_opt(ctx, i, NULL) and any
 * other value leaves it unset. Blank lines, [sections] and lines starting with ';' or '#'
 * are skipped; a config cannot name another (no "config" key). Stops at the first error:
 * an unreadable file, a line without '=' or an unknown key log one line naming file:line and
 * return GB_E_USAGE; an error of on_opt is returned as it is.
 * The values point into *text, the file's contents, which the caller frees once the options
 * set from them are no longer used (*text is set on every return, NULL when nothing was read). */
int cli_read_config(const char *path, const cli_option_t *opts, int n,
                    int (*on_opt)(void *ctx, int index, const char *value), void *ctx, char **text) GB_MUST_CHECK;

/* The FILE of "--config FILE" or "--config=FILE" in argv[1..], NULL when absent: the config
 * is applied before cli_parse, so options on the command line override it. */
const char *cli_find_config(int argc, char **argv);

/* Parse numbers with range checks; log "--name: bad value" on failure. */
int cli_int(const char *name, const char *s, long lo, long hi, long *out);
int cli_double(const char *name, const char *s, double lo, double hi, double *out);

#endif
