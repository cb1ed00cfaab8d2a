/* gutbrain bracken: Bracken's est_abundance.py as a command (docs/BRACKEN.md), around
 * bracken_io_run(). */
#include "bracken_io.h"
#include "cli.h"
#include "cmd.h"
#include "log.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *report, *kmer_distrib, *level, *output, *out_report;
    long threshold;
    char **positional;
    int npositional;
} bracken_opts_t;

/* clang-format off */
static const cli_option_t bracken_cli[] = {
    { "report", 'i', "FILE", "Kraken report (kreport) to re-estimate (required)" },
    { "kmer-distrib", 'k', "FILE", "Bracken's database{L}mers.kmer_distrib for the read length (required)" },
    { "level", 'l', "LEVEL", "level to estimate at: D, P, C, O, F, G, S, or S1, G1, ... (default S)" },
    { "threshold", 't', "N", "taxa at the level with fewer reads are dropped (default 10)" },
    { "output", 'o', "FILE", "Bracken's 7-column abundance table (required)" },
    { "out-report", 0, "FILE", "re-estimated report (default: REPORT_bracken_<level>.EXT, as Bracken)" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NBRACKEN_CLI (int)(sizeof bracken_cli / sizeof bracken_cli[0])
static const char bracken_usage[] =
    "Usage: gutbrain bracken --report IN.kreport --kmer-distrib FILE [--level S] [--threshold 10]\n"
    "                        --output OUT.tsv [--out-report OUT.kreport]\n"
    "Re-estimates abundances at one level from a Kraken report, as Bracken's est_abundance.py does\n"
    "(-i -k -l -t -o --out-report), with byte-identical outputs.";

static int bracken_on_opt(void *ctx, int i, const char *v)
{
    bracken_opts_t *o = ctx;
    const char *name = bracken_cli[i].name;
    if (!strcmp(name, "report")) o->report = v;
    else if (!strcmp(name, "kmer-distrib")) o->kmer_distrib = v;
    else if (!strcmp(name, "level")) o->level = v;
    else if (!strcmp(name, "threshold")) return cli_int(name, v, -(1L << 62), 1L << 62, &o->threshold);
    else if (!strcmp(name, "output")) o->output = v;
    else if (!strcmp(name, "out-report")) o->out_report = v;
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

static int bracken_validate(const bracken_opts_t *o)
{
    const char *missing = !o->report         ? "--report"
                          : !o->kmer_distrib ? "--kmer-distrib"
                          : !o->output       ? "--output"
                                             : NULL;
    if (missing) {
        gb_error("%s is required (see gutbrain bracken --help)", missing);
        return GB_E_USAGE;
    }
    if (bracken_io_check_level("level", o->level)) return GB_E_USAGE;
    if (o->npositional) {
        gb_error("unexpected argument '%s' (see gutbrain bracken --help)", o->positional[0]);
        return GB_E_USAGE;
    }
    return GB_OK;
}

int cmd_bracken(int argc, char **argv)
{
    bracken_opts_t o = {.level = "S", .threshold = 10};
    bracken_report_t rep = {0};
    bracken_distrib_t distrib = BRACKEN_DISTRIB_INIT;
    bracken_result_t res = {0};
    char *default_report = NULL;
    int rc = cli_parse(argc, argv, bracken_cli, NBRACKEN_CLI, bracken_on_opt, &o, &o.positional, &o.npositional,
                       bracken_usage);
    if (rc) return rc > 0 ? 0 : rc;
    if ((rc = bracken_validate(&o))) return rc;
    if (!o.out_report && !(o.out_report = default_report = bracken_io_default_report_name(o.report, o.level))) {
        gb_error("out of memory");
        return GB_E_NOMEM;
    }
    if ((rc = bracken_io_read_report(o.report, &rep))) goto done;
    if ((rc = bracken_io_read_distrib(o.kmer_distrib, &distrib))) goto done;
    rc = bracken_io_run(o.report, &rep, &distrib, o.level, o.threshold, o.output, o.out_report, &res);
done:
    bracken_result_free(&res);
    bracken_distrib_free(&distrib);
    bracken_io_report_free(&rep);
    free(default_report);
    return rc;
}
