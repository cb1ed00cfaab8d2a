/* gutbrain classify: the command line around classify_sample(), plus the kreport. */
#include "cmd.h"
#include "bracken_io.h"
#include "cami.h"
#include "classify_sample.h"
#include "cli.h"
#include "db.h"
#include "log.h"
#include "outfile.h"
#include "report.h"
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"

typedef struct {
    const char *db, *output, *report, *classified_out, *unclassified_out;
    const char *bracken_level, *bracken_output, *bracken_report;
    const char *cami_out, *cami_sample_id;
    long threads, min_hit_groups, min_base_quality, bracken_length, bracken_threshold;
    double confidence;
    int paired, interleaved, use_names, zero_counts, mpa, minimizer_data;
    db_load_mode_t db_load;
    char **inputs;
    int ninputs;
} classify_opts_t;

/* clang-format off */
static const cli_option_t classify_cli[] = {
    { "db", 0, "DIR", "database folder made by 'gutbrain build' (required)" },
    { "db-load", 0, "HOW", "map (default, faster on local disks: the page cache, shared with other processes) or read: into this process's memory by parallel reads, for network file systems (docs/RUN.md)" },
    { "threads", 't', "N", "threads (default: OpenMP's)" },
    { "paired", 0, NULL, "R1 and R2 are mates: each pair is one fragment" },
    { "interleaved", 0, NULL, "one file holds mates in consecutive records" },
    { "confidence", 0, "T", "confidence threshold in [0, 1] (default 0)" },
    { "minimum-hit-groups", 0, "N", "hit groups needed for a call (default 2, as kraken2)" },
    { "output", 0, "FILE", "per-read output, '-' for stdout (default), '.zst' compresses" },
    { "report", 0, "FILE", "Kraken 2 report (kreport)" },
    { "use-names", 0, NULL, "print 'name (taxid N)' instead of the taxid in the per-read output" },
    { "classified-out", 0, "FILE", "write classified reads here ('#' -> _1/_2 for pairs)" },
    { "unclassified-out", 0, "FILE", "write unclassified reads here ('#' -> _1/_2 for pairs)" },
    { "minimum-base-quality", 0, "Q", "bases of quality < Q (FASTQ) count as ambiguous (default 0)" },
    { "report-zero-counts", 0, NULL, "report every taxon, also those with no reads" },
    { "use-mpa-style", 0, NULL, "report in MetaPhlAn style" },
    { "cami-out", 0, "FILE", "also a CAMI profile (format 0.9.1, for OPAL; docs/CAMI.md)" },
    { "cami-sample-id", 0, "ID", "its @SampleID (default: the first input's file name without .fastq.gz etc.)" },
    { "report-minimizer-data", 0, NULL, "kreport: minimizer hits and distinct minimizers per clade (exact)" },
    { "bracken-length", 0, "L", "also re-estimate abundances with Bracken from DB/database{L}mers.kmer_distrib" },
    { "bracken-level", 0, "LEVEL", "Bracken level: D, P, C, O, F, G, S (default), S1, ..." },
    { "bracken-threshold", 0, "N", "Bracken: taxa at the level with fewer reads are dropped (default 10)" },
    { "bracken-output", 0, "FILE", "Bracken's 7-column table (default: REPORT.bracken)" },
    { "bracken-report", 0, "FILE", "re-estimated report (default: REPORT_bracken_<level>.EXT, as Bracken)" },
    { "memory-mapping", 0, NULL, "accepted for kraken2 compatibility: the database is mapped unless --db-load read" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NCLASSIFY_CLI (int)(sizeof classify_cli / sizeof classify_cli[0])
static const char classify_usage[] =
    "Usage: gutbrain classify --db DIR [--threads N] [--paired|--interleaved] [--confidence T]\n"
    "                         [--minimum-hit-groups N] [--output OUT] [--report REPORT] R1 [R2]\n"
    "Classifies reads with Kraken 2's semantics (path score, ties to the LCA, confidence over all\n"
    "k-mers including ambiguous ones, minimum hit groups). Input FASTQ or FASTA, plain/gzip/zstd,\n"
    "detected from the content. Output and report are in Kraken 2's formats.";

static int classify_on_opt(void *ctx, int i, const char *v)
{
    classify_opts_t *o = ctx;
    const char *name = classify_cli[i].name;
    if (!strcmp(name, "db")) o->db = v;
    else if (!strcmp(name, "db-load")) return db_load_parse(v, &o->db_load);
    else if (!strcmp(name, "threads")) return cli_int(name, v, 1, 1024, &o->threads);
    else if (!strcmp(name, "paired")) o->paired = 1;
    else if (!strcmp(name, "interleaved")) o->interleaved = 1;
    else if (!strcmp(name, "confidence")) return cli_double(name, v, 0, 1, &o->confidence);
    else if (!strcmp(name, "minimum-hit-groups")) return cli_int(name, v, 0, 1 << 30, &o->min_hit_groups);
    else if (!strcmp(name, "output")) o->output = v;
    else if (!strcmp(name, "report")) o->report = v;
    else if (!strcmp(name, "use-names")) o->use_names = 1;
    else if (!strcmp(name, "classified-out")) o->classified_out = v;
    else if (!strcmp(name, "unclassified-out")) o->unclassified_out = v;
    else if (!strcmp(name, "minimum-base-quality")) return cli_int(name, v, 0, 93, &o->min_base_quality);
    else if (!strcmp(name, "report-zero-counts")) o->zero_counts = 1;
    else if (!strcmp(name, "use-mpa-style")) o->mpa = 1;
    else if (!strcmp(name, "report-minimizer-data")) o->minimizer_data = 1;
    else if (!strcmp(name, "cami-out")) o->cami_out = v;
    else if (!strcmp(name, "cami-sample-id")) o->cami_sample_id = v;
    else if (!strcmp(name, "bracken-length")) return cli_int(name, v, 1, 1 << 20, &o->bracken_length);
    else if (!strcmp(name, "bracken-level")) o->bracken_level = v;
    else if (!strcmp(name, "bracken-threshold")) return cli_int(name, v, 0, 1L << 62, &o->bracken_threshold);
    else if (!strcmp(name, "bracken-output")) o->bracken_output = v;
    else if (!strcmp(name, "bracken-report")) o->bracken_report = v;
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

static int classify_validate(classify_opts_t *o)
{
    if (!o->db) {
        gb_error("--db is required (see gutbrain classify --help)");
        return GB_E_USAGE;
    }
    if (o->paired && o->interleaved) {
        gb_error("--paired and --interleaved exclude each other");
        return GB_E_USAGE;
    }
    int pairs = o->paired || o->interleaved;
    const char *seqout[2] = {o->classified_out, o->unclassified_out};
    for (int i = 0; i < 2; i++)
        if (seqout[i] && pairs != (strchr(seqout[i], '#') != NULL)) {
            gb_error("--%s '%s': %s", i ? "unclassified-out" : "classified-out", seqout[i],
                     pairs ? "paired reads need a '#' in the name (replaced by _1 and _2)"
                           : "a '#' in the name is for paired reads only");
            return GB_E_USAGE;
        }
    if ((o->bracken_output || o->bracken_report) && !o->bracken_length) {
        gb_error("--bracken-output and --bracken-report need --bracken-length");
        return GB_E_USAGE;
    }
    if (o->bracken_length && (!o->report || !strcmp(o->report, "-") || o->mpa)) {
        gb_error("--bracken-length needs --report FILE (a Kraken-style report, not '-' or --use-mpa-style)");
        return GB_E_USAGE;
    }
    if (o->bracken_length && bracken_io_check_level("bracken-level", o->bracken_level)) return GB_E_USAGE;
    int want = o->paired ? 2 : 1;
    if (o->ninputs != want) {
        gb_error("expected %d input file%s, got %d (see gutbrain classify --help)", want, want > 1 ? "s" : "",
                 o->ninputs);
        return GB_E_USAGE;
    }
    return 0;
}

static void print_summary(const classify_result_t *r)
{
    if (gb_verbosity < 1) return;
    uint64_t n = r->fragments;
    double pct = n ? 100.0 * r->classified / n : 0, secs = r->seconds > 0 ? r->seconds : 1e-9;
    fprintf(stderr, "%llu sequences (%.2f Mbp) processed in %.3fs (%.1f Kseq/m, %.2f Mbp/m).\n", (unsigned long long)n,
            r->bases / 1e6, secs, n / 1e3 / secs * 60, r->bases / 1e6 / secs * 60);
    fprintf(stderr, "  %llu sequences classified (%.2f%%)\n", (unsigned long long)r->classified, pct);
    fprintf(stderr, "  %llu sequences unclassified (%.2f%%)\n", (unsigned long long)(n - r->classified),
            n ? 100 - pct : 0);
}

/* Commit *f after a write that returned rc (aborted when rc is an error); *f becomes NULL. */
static int commit_late(outfile_t **f, int rc)
{
    outfile_t *o = *f;
    *f = NULL;
    if (rc) {
        outfile_abort(o);
        return rc;
    }
    return outfile_commit(o);
}

/* The report and the CAMI profile are opened before any work (a bad path is refused at once,
 * as --output's is), written once the reads are classified, then committed; *f becomes NULL. */
static int write_report(const classify_opts_t *o, const gb_db_t *db, const classify_result_t *res, outfile_t **f)
{
    if (!*f) return 0;
    report_minimizer_data_t mdata = {res->minimizers, res->distinct};
    int rc = report_kreport(outfile_fp(*f), &db->taxo, res->calls, res->calls[0], o->zero_counts, o->mpa,
                            o->minimizer_data ? &mdata : NULL);
    return commit_late(f, rc);
}

static int write_cami(const classify_opts_t *o, const gb_db_t *db, const classify_result_t *res, outfile_t **f)
{
    if (!*f) return 0;
    char *id = o->cami_sample_id ? strdup(o->cami_sample_id) : cami_sample_id(o->inputs[0]);
    int rc = id ? cami_write(outfile_fp(*f), &db->taxo, res->calls, id) : GB_E_NOMEM;
    free(id);
    return commit_late(f, rc);
}

/* Bracken's outputs from the report just written (est_abundance.py reads the same bytes). */
static int write_bracken(const classify_opts_t *o, const bracken_distrib_t *d)
{
    bracken_report_t rep = {0};
    bracken_result_t res = {0};
    char *table = NULL, *report = NULL;
    int rc = GB_OK;
    strbuf_t sb = STRBUF_INIT;
    rc = o->bracken_output ? strbuf_puts(&sb, o->bracken_output) : strbuf_printf(&sb, "%s.bracken", o->report);
    table = rc ? NULL : strbuf_detach(&sb);
    report =
        o->bracken_report ? strdup(o->bracken_report) : bracken_io_default_report_name(o->report, o->bracken_level);
    if (rc || !table || !report) rc = GB_E_NOMEM;
    if (!rc) rc = bracken_io_read_report(o->report, &rep);
    if (!rc) rc = bracken_io_run(o->report, &rep, d, o->bracken_level, o->bracken_threshold, table, report, &res);
    if (rc == GB_E_NOMEM) gb_error("out of memory");
    bracken_result_free(&res);
    bracken_io_report_free(&rep);
    free(table);
    free(report);
    return rc;
}

int cmd_classify(int argc, char **argv)
{
    classify_opts_t o = {.threads = omp_get_max_threads(),
                         .min_hit_groups = 2,
                         .output = "-",
                         .bracken_level = "S",
                         .bracken_threshold = 10};
    bracken_distrib_t distrib = BRACKEN_DISTRIB_INIT;
    classify_result_t res = {0};
    gb_db_t *db = NULL;
    int rc =
        cli_parse(argc, argv, classify_cli, NCLASSIFY_CLI, classify_on_opt, &o, &o.inputs, &o.ninputs, classify_usage);
    if (rc) return rc > 0 ? 0 : rc;
    if ((rc = classify_validate(&o))) return rc;
    outfile_t *rep = NULL, *cami = NULL;
    if ((o.report && !(rep = outfile_open(o.report))) || (o.cami_out && !(cami = outfile_open(o.cami_out)))) {
        rc = GB_E_IO;
        goto done;
    }
    double t0 = omp_get_wtime();
    db_load_t load = {.mode = o.db_load, .threads = (int)o.threads};
    if ((rc = db_open_load(o.db, 1, &load, &db))) goto done;
    gb_debug("database %s in %.3f s (%llu bytes read into memory)", o.db_load == DB_LOAD_READ ? "read" : "mapped",
             omp_get_wtime() - t0, (unsigned long long)db->read_here);
    if (o.bracken_length && (rc = bracken_io_load_for_db(o.db, &db->taxo, o.bracken_length, &distrib))) goto done;
    classify_job_t job = {
        .db = db,
        .params = {.confidence = o.confidence, .min_hit_groups = (uint32_t)o.min_hit_groups},
        .inputs = {o.inputs[0], o.paired ? o.inputs[1] : NULL},
        .paired = o.paired,
        .interleaved = o.interleaved,
        .min_base_quality = (int)o.min_base_quality,
        .use_names = o.use_names,
        .output = o.output,
        .classified_out = o.classified_out,
        .unclassified_out = o.unclassified_out,
        .minimizer_data = o.minimizer_data && o.report && !o.mpa, /* only the kreport shows them */
        .threads = (int)o.threads,
    };
    if ((rc = classify_sample(&job, &res))) goto done;
    if (res.fragments == 0) gb_warn("%s: no reads in the input", o.inputs[0]);
    if ((rc = write_report(&o, db, &res, &rep))) goto done;
    if ((rc = write_cami(&o, db, &res, &cami))) goto done;
    if (o.bracken_length && (rc = write_bracken(&o, &distrib))) goto done;
    print_summary(&res);
    gb_debug("total %.3f s including database load", omp_get_wtime() - t0);
done:
    outfile_abort(rep); /* after a failure: nothing of them left */
    outfile_abort(cami);
    bracken_distrib_free(&distrib);
    classify_result_free(&res);
    db_close(db);
    return rc;
}
