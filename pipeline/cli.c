/* Option tables (cli.h): getopt_long over the table, --help printed from it, INI configs
 * whose keys are its long names, and range-checked numbers. */
#include "cli.h"
#include "fileio.h"
#include "gb_status.h"
#include "log.h"
#include "version.h"
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void cli_print_help(FILE *f, const char *usage, const cli_option_t *opts, int n)
{
    fprintf(f, "%s\n\nOptions:\n", usage);
    for (int i = 0; i < n; i++) {
        char left[64];
        if (opts[i].short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].short_name, opts[i].name, opts[i].metavar ? " " : "",
                     opts[i].metavar ? opts[i].metavar : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
                     opts[i].metavar ? opts[i].metavar : "");
        fprintf(f, "  %-30s %s\n", left, opts[i].help);
    }
}

int cli_parse(int argc, char **argv, const cli_option_t *opts, int n,
              int (*on_opt)(void *ctx, int index, const char *value), void *ctx, char ***pos, int *npos,
              const char *usage)
{
    struct option *lo = calloc((size_t)n + 1, sizeof *lo);
    char shorts[256] = "";
    size_t ns = 0; /* GNU order: options may follow the inputs, as kraken2 allows */
    if (!lo) return GB_E_NOMEM;
    for (int i = 0; i < n; i++) {
        lo[i].name = opts[i].name;
        lo[i].has_arg = opts[i].metavar ? required_argument : no_argument;
        lo[i].val = 256 + i;
        if (opts[i].short_name && ns + 2 < sizeof shorts) {
            shorts[ns++] = opts[i].short_name;
            if (opts[i].metavar) shorts[ns++] = ':';
        }
    }
    shorts[ns] = 0;
    optind = 1;
    opterr = 0;
    int rc = 0, c, idx = 0;
    while ((c = getopt_long(argc, argv, shorts, lo, &idx)) != -1) {
        int which = -1;
        if (c >= 256) which = c - 256;
        else if (c != '?' && c != ':') {
            for (int i = 0; i < n; i++)
                if (opts[i].short_name == c) which = i;
        }
        if (which < 0) {
            const char *bad = argv[optind - 1];
            gb_error("unknown option or missing value: %s (see --help)", bad ? bad : "?");
            rc = GB_E_USAGE;
            goto done;
        }
        if (strcmp(opts[which].name, "version") == 0) {
            printf("gutbrain %s\n", GB_VERSION);
            rc = 1;
            goto done;
        }
        if (strcmp(opts[which].name, "help") == 0) {
            cli_print_help(stdout, usage, opts, n);
            rc = 1;
            goto done;
        }
        rc = on_opt(ctx, which, opts[which].metavar ? optarg : NULL);
        if (rc) goto done;
    }
    *pos = argv + optind;
    *npos = argc - optind;
done:
    free(lo);
    return rc;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Split one config line in place: *key and *value NUL-terminated and trimmed, *key NULL for
 * a line to skip (blank, comment, [section]). GB_E_USAGE for a line without '='. */
static int split_config_line(char *line, char **key, char **value)
{
    char *p = line + strspn(line, " \t");
    p[strcspn(p, "\r")] = '\0';
    *key = NULL;
    if (!*p || *p == ';' || *p == '#' || *p == '[') return GB_OK;
    char *eq = strchr(p, '=');
    if (!eq) return GB_E_USAGE;
    char *end = eq;
    while (end > p && is_blank(end[-1])) end--;
    *end = '\0';
    char *v = eq + 1 + strspn(eq + 1, " \t");
    for (end = v + strlen(v); end > v && is_blank(end[-1]); end--) end[-1] = '\0';
    *key = p;
    *value = v;
    return GB_OK;
}

/* Index of the option whose long name is key, -1 when none. */
static int find_option(const cli_option_t *opts, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(opts[i].name, key)) return i;
    return -1;
}

int cli_read_config(const char *path, const cli_option_t *opts, int n,
                    int (*on_opt)(void *ctx, int index, const char *value), void *ctx, char **text)
{
    size_t len;
    *text = NULL;
    int rc = fileio_read_all(path, "config", 0, text, &len);
    if (rc != GB_OK) return rc == GB_E_NOMEM ? rc : GB_E_USAGE; /* exit 1, as a bad option */
    char *pos = *text, *end = *text + len;
    for (int line_no = 1; rc == GB_OK && pos < end; line_no++) {
        char *line = pos, *nl = memchr(pos, '\n', (size_t)(end - pos)), *key, *value;
        if (nl) *nl = '\0';
        pos = nl ? nl + 1 : end;
        if (split_config_line(line, &key, &value) != GB_OK) {
            gb_error("%s:%d: expected 'key = value'", path, line_no);
            return GB_E_USAGE;
        }
        if (!key) continue;
        int which = find_option(opts, n, key);
        if (which < 0 || !strcmp(key, "config")) {
            gb_error("%s:%d: unknown option '%s'", path, line_no, key);
            return GB_E_USAGE;
        }
        if (opts[which].metavar) rc = on_opt(ctx, which, value);
        else if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "1")) rc = on_opt(ctx, which, NULL);
    }
    return rc;
}

const char *cli_find_config(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc) return argv[i + 1];
        if (!strncmp(argv[i], "--config=", 9)) return argv[i] + 9;
    }
    return NULL;
}

int cli_int(const char *name, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        gb_error("--%s: '%s' is not an integer in [%ld, %ld]", name, s, lo, hi);
        return GB_E_USAGE;
    }
    *out = v;
    return 0;
}

int cli_double(const char *name, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) {
        gb_error("--%s: '%s' is not a number in [%g, %g]", name, s, lo, hi);
        return GB_E_USAGE;
    }
    *out = v;
    return 0;
}
