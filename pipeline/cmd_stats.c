/* gutbrain stats: cohort (BIOM 2.1) + metadata -> per-feature linear models (MaAsLin2's
 * defaults), rank tests, alpha diversity and its models, beta diversity with PERMANOVA
 * (vegan::adonis2 semantics), a dispersion test and PCoA. Semantics: docs/STATS.md.
 * This file is the command: options, reading the inputs into the context of pipeline/stats.h,
 * and the output folder with stats.h5. The model is built in stats_design.c; the analyses,
 * which only compute from the context and write tables, are in stats_assoc.c (per feature) and
 * stats_beta.c (between samples, the part that uses MPI). */
#include "cmd.h"
#include "fileio.h"
#include "gb_exit.h"
#include "gb_h5.h"
#include "gb_mpi.h"
#include "biom_read.h"
#include "cli.h"
#include "collapse.h"
#include "log.h"
#include "metadata.h"
#include "rnames.h"
#include "stats.h"
#include "stats_assoc.h"
#include "stats_beta.h"
#include "stats_design.h"
#include "stats_report.h"
#include "strbuf.h"
#include <cblas.h>
#include <errno.h>
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* clang-format off */
static const cli_option_t stats_cli[] = {
    { "cohort", 0, "FILE", "BIOM 2.1 HDF5 table (a gutbrain cohort or any biom-format file) (required)" },
    { "metadata", 0, "TSV", "sample metadata: header, first column sample id; NA or empty = missing (required)" },
    { "variable", 0, "NAME", "the variable of interest, e.g. depression (required)" },
    { "covariates", 0, "A,B,C", "covariates of every model, e.g. age,sex,bmi" },
    { "reference", 0, "NAME=LEVEL,...", "reference level of categorical variables (default: first sorted)" },
    { "rank", 0, "RANK", "collapse to genus (default), species, family, ..., or none" },
    { "transform", 0, "T", "log (default, MaAsLin2's LOG), clr, ast or none" },
    { "min-prevalence", 0, "F", "keep features non-zero in more than F x n samples (default 0.1)" },
    { "permutations", 0, "N", "PERMANOVA and dispersion permutations (default 999)" },
    { "by", 0, "MODE", "PERMANOVA sums of squares: margin (default) or terms" },
    { "seed", 0, "N", "permutation seed (default 42)" },
    { "pcoa-axes", 0, "K", "PCoA axes computed and written (default 10; only these K are computed)" },
    { "axes", 0, "K", "the same as --pcoa-axes (its earlier name)" },
    { "taxonomy", 0, "DIR", "NCBI taxdump for --rank when the file's features are taxids" },
    { "maaslin2-names", 0, NULL, "write feature ids as R's make.names (MaAsLin2) does: 216851 -> X216851" },
    { "threads", 't', "N", "threads (default: OpenMP's)" },
    { "out", 0, "DIR", "output folder (required)" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NSTATS_CLI (int)(sizeof stats_cli / sizeof stats_cli[0])
static const char stats_usage[] =
    "Usage: gutbrain stats --cohort FILE.biom --metadata META.tsv --variable NAME [--covariates a,b,c]\n"
    "                      [--reference NAME=LEVEL] [--rank genus] [--transform log] [--min-prevalence 0.1]\n"
    "                      [--permutations 999] [--seed N] [--pcoa-axes 10] [--threads T] --out OUTDIR\n"
    "Samples: the cohort's samples found in the metadata with no missing model variable, chosen\n"
    "before any filtering (unlike MaAsLin2, which standardises before dropping incomplete rows).\n"
    "Per feature (MaAsLin2 order): prevalence filter, zero-variance drop, TSS over the kept features,\n"
    "transform, then y ~ variable + covariates with numeric terms z-scored and categorical ones as\n"
    "treatment contrasts; BH q over all rows. Rank tests (Wilcoxon, Kruskal-Wallis or Spearman) on\n"
    "relative abundances; alpha diversity (observed, Shannon, Simpson, Chao1) and its models; beta\n"
    "diversity over all features (Bray-Curtis on relative abundances, Aitchison = Euclidean on\n"
    "CLR(count + 0.5)) with PERMANOVA (adonis2, by margin), betadisper and PCoA of the --pcoa-axes\n"
    "largest axes only. Under mpirun each rank holds its rows of the Bray-Curtis matrix (1/ranks of\n"
    "it), for cohorts beyond one node's memory; every table is bitwise the same for any rank and\n"
    "thread count. Every table is\n"
    "written as OUTDIR/<table>.tsv and into OUTDIR/stats.h5; OUTDIR/report.html shows them with\n"
    "plots (self-contained: open it in any browser). --maaslin2-names writes feature ids as MaAsLin2\n"
    "does, so the tables join; other MaAsLin2 differences: docs/STATS.md S1. Details: docs/STATS.md.\n"
    "Outputs are renamed into OUTDIR only once all are complete. Exit: 0 done, 1 usage, 2 unreadable\n"
    "input or OUTDIR not writable / disk full, 4 internal, 143 stopped by SIGTERM/SIGINT (OUTDIR\n"
    "left as it was; rerun the same command). One command per OUTDIR at a time.";

static int stats_on_opt(void *ctx, int i, const char *v)
{
    stats_opts_t *o = ctx;
    const char *name = stats_cli[i].name;
    long tmp;
    if (!strcmp(name, "cohort")) o->cohort = v;
    else if (!strcmp(name, "metadata")) o->metadata = v;
    else if (!strcmp(name, "variable")) o->variable = v;
    else if (!strcmp(name, "covariates")) o->covariates = v;
    else if (!strcmp(name, "reference")) o->references = v;
    else if (!strcmp(name, "rank")) o->rank = v;
    else if (!strcmp(name, "transform")) o->transform = v;
    else if (!strcmp(name, "min-prevalence")) return cli_double(name, v, 0, 1, &o->min_prevalence);
    else if (!strcmp(name, "permutations")) return cli_int(name, v, 0, 100000000, &o->permutations);
    else if (!strcmp(name, "by")) o->by = v;
    else if (!strcmp(name, "seed")) {
        int rc = cli_int(name, v, 0, 0x7fffffffL, &tmp);
        o->seed = (unsigned long long)tmp;
        return rc;
    } else if (!strcmp(name, "axes") || !strcmp(name, "pcoa-axes")) return cli_int(name, v, 1, 1000, &o->axes);
    else if (!strcmp(name, "taxonomy")) o->taxonomy = v;
    else if (!strcmp(name, "maaslin2-names")) o->maaslin2_names = 1;
    else if (!strcmp(name, "threads")) return cli_int(name, v, 1, 1024, &o->threads);
    else if (!strcmp(name, "out")) o->out = v;
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

static int stats_validate(const stats_opts_t *o)
{
    if (!o->cohort || !o->metadata || !o->variable || !o->out) {
        gb_error("--cohort, --metadata, --variable and --out are required (see gutbrain stats --help)");
        return GB_E_USAGE;
    }
    if (strcmp(o->transform, "log") && strcmp(o->transform, "clr") && strcmp(o->transform, "ast") &&
        strcmp(o->transform, "none")) {
        gb_error("--transform: '%s' is not log, clr, ast or none", o->transform);
        return GB_E_USAGE;
    }
    if (strcmp(o->by, "margin") && strcmp(o->by, "terms")) {
        gb_error("--by: '%s' is neither margin nor terms", o->by);
        return GB_E_USAGE;
    }
    return 0;
}

/* ---- inputs ---- */

/* What one run reads; the context borrows the sample and feature ids. */
typedef struct {
    stats_design_vars_t vars;
    biom_table_t tab;
    metadata_t *meta;
    metadata_selection_t sel;
    taxo_t taxo;
    collapse_t col;
    char **rnames; /* with --maaslin2-names: [col.nfeatures] make.names of col.feature_ids */
} stats_inputs_t;

static void inputs_free(stats_inputs_t *in)
{
    if (in->rnames)
        for (size_t f = 0; f < in->col.nfeatures; f++) free(in->rnames[f]);
    free(in->rnames);
    collapse_free(&in->col);
    taxo_destroy(&in->taxo);
    metadata_selection_free(&in->sel);
    metadata_destroy(in->meta);
    biom_table_free(&in->tab);
    stats_design_vars_free(&in->vars);
}

/* Rank 0: the samples left out, staged as OUT/dropped_samples.tsv (published with the tables). */
static int write_dropped(const stats_ctx_t *c, const metadata_selection_t *sel)
{
    FILE *f = stats_staged_open(c, "dropped_samples.tsv");
    if (!f) return GB_E_IO;
    int rc = metadata_selection_write_dropped(f, sel);
    int rc_close = stats_staged_close(c, f);
    if (rc || rc_close) return rc ? rc : rc_close;
    gb_info("samples analysed: %zu; dropped: %zu not in the metadata, %zu with a missing value (%zu metadata rows "
            "not in the cohort); see %s/dropped_samples.tsv",
            sel->n, sel->n_not_in_metadata, sel->n_missing, sel->n_not_in_cohort, c->o->out);
    return GB_OK;
}

/* --maaslin2-names: the feature ids as MaAsLin2 writes them (kernels/rnames.h), in *out
 * ([nfeatures], each freed by inputs_free, also after a failure). */
static int rename_features(const collapse_t *col, char ***out)
{
    if (!(*out = calloc(col->nfeatures ? col->nfeatures : 1, sizeof **out))) return GB_E_NOMEM;
    for (size_t f = 0; f < col->nfeatures; f++) {
        if (!((*out)[f] = malloc(RNAMES_CAP(strlen(col->feature_ids[f]))))) return GB_E_NOMEM;
        rnames_make(col->feature_ids[f], (*out)[f]);
    }
    return GB_OK;
}

/* The model variables, the cohort and the metadata; the samples analysed; the cohort collapsed
 * to --rank. */
static int read_inputs(const stats_opts_t *o, stats_inputs_t *in)
{
    collapse_rank_t rank;
    int rc;
    if ((rc = collapse_rank_parse(o->rank, &rank)) ||
        (rc = stats_design_vars_parse(o->variable, o->covariates, &in->vars)))
        return rc;
    if ((rc = biom_read(o->cohort, &in->tab)) || (rc = metadata_read(o->metadata, &in->meta))) return rc;
    if ((rc = metadata_select(in->meta, in->tab.sample_ids, in->tab.nsamples, (char *const *)in->vars.name, in->vars.n,
                              &in->sel)))
        return rc;
    if (o->taxonomy && (rc = collapse_load_taxonomy(o->taxonomy, &in->tab, &in->taxo))) return rc;
    if ((rc = collapse_table(&in->tab, rank, o->taxonomy ? &in->taxo : NULL, &in->col))) return rc;
    return o->maaslin2_names ? rename_features(&in->col, &in->rnames) : GB_OK;
}

/* The design, the clade counts and the sample ids of the analysed samples into c. */
static int fill_context(stats_ctx_t *c, const stats_inputs_t *in)
{
    int rc = stats_design_build(in->meta, &in->sel, in->vars.name, in->vars.n, c->o->references, &c->d);
    if (rc) return rc;
    c->n = in->sel.n;
    c->m = in->col.nfeatures;
    if (c->n < 3) {
        gb_error("only %zu samples to analyse; at least 3 are needed", c->n);
        return GB_E_USAGE;
    }
    c->counts = malloc(c->n * c->m * sizeof *c->counts);
    c->sample = malloc(c->n * sizeof *c->sample);
    c->feature = (const char **)(in->rnames ? in->rnames : in->col.feature_ids);
    if (!c->counts || !c->sample) return GB_E_NOMEM;
    for (size_t i = 0; i < c->n; i++) {
        memcpy(c->counts + i * c->m, in->col.counts + in->sel.cohort_row[i] * c->m, c->m * sizeof *c->counts);
        c->sample[i] = in->tab.sample_ids[in->sel.cohort_row[i]];
    }
    return GB_OK;
}

/* ---- stats.h5 ---- */

static int provenance(hid_t f, const stats_opts_t *o, int argc, char **argv)
{
    strbuf_t cmd = STRBUF_INIT;
    char seed[32], perms[32];
    int rc = strbuf_puts(&cmd, "gutbrain");
    for (int i = 0; i < argc && rc == GB_OK; i++) rc = strbuf_printf(&cmd, " %s", argv[i]);
    snprintf(seed, sizeof seed, "%llu", o->seed);
    snprintf(perms, sizeof perms, "%ld", o->permutations);
    const char *attrs[][2] = {{"generated-by", "gutbrain " GB_VERSION},
                              {"command-line", cmd.s},
                              {"cohort", o->cohort},
                              {"metadata", o->metadata},
                              {"rank", o->rank},
                              {"transform", o->transform},
                              {"seed", seed},
                              {"permutations", perms}};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0] && rc == GB_OK; i++)
        rc = gb_h5_attr_string(f, attrs[i][0], attrs[i][1]);
    strbuf_free(&cmd);
    return rc;
}

/* Rank 0, before any expensive work: the output folder (created; the temporaries a killed run
 * left there removed), stats.h5 staged as OUT/stats.h5.tmp.PID into c->h5, and the dropped
 * samples. Every output stays a temporary until close_output, so a run that stops or fails
 * leaves OUT as it found it. */
static int open_output(stats_ctx_t *c, const metadata_selection_t *sel, int argc, char **argv)
{
    const char *out = c->o->out;
    if (mkdir(out, 0777) && errno != EEXIST) {
        gb_error("cannot create the output folder %s: %s", out, strerror(errno));
        return GB_E_IO;
    }
    int left = fileio_remove_temporaries(out);
    if (left) gb_info("removed %d temporary file%s a stopped stats left in %s", left, left > 1 ? "s" : "", out);
    gb_h5_quiet();
    int fd = stats_staged_create(c, "stats.h5"); /* HDF5 truncates it and keeps its mode 0600 */
    if (fd < 0) return GB_E_IO;
    const char *tmp = c->staged->file[c->staged->n - 1].tmp;
    c->h5 = close(fd) == 0 ? H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (c->h5 < 0) {
        char why[256];
        gb_error("cannot create %s: %s", tmp, gb_h5_reason(why, sizeof why));
        return GB_E_IO;
    }
    int rc = provenance(c->h5, c->o, argc, argv);
    return rc ? rc : write_dropped(c, sel);
}

/* Rank 0: finish stats.h5 and rename every staged output into place. */
static int close_output(stats_ctx_t *c)
{
    char why[256];
    /* flushed first: a flush that fails (disk full) leaves c->h5 open for discard_output */
    if (H5Fflush(c->h5, H5F_SCOPE_GLOBAL) < 0) {
        gb_error("cannot write %s/stats.h5: %s", c->o->out, gb_h5_reason(why, sizeof why));
        return GB_E_IO;
    }
    int rc = H5Fclose(c->h5) < 0 ? GB_E_IO : GB_OK;
    c->h5 = -1;
    if (rc) gb_error("cannot write %s/stats.h5: %s", c->o->out, gb_h5_reason(why, sizeof why));
    return rc ? rc : stats_staged_publish(c);
}

/* Every rank, after a stop or a failure: remove the staged outputs. stats.h5 (the first staged
 * file) is emptied, and the others removed, before HDF5 closes it, so that its last flush finds
 * space on a full disk (a close that fails leaves HDF5 to crash at exit). */
static void discard_output(stats_ctx_t *c)
{
    char *h5tmp = c->h5 >= 0 ? strdup(c->staged->file[0].tmp) : NULL;
    if (h5tmp && truncate(h5tmp, 0)) gb_debug("cannot empty %s: %s", h5tmp, strerror(errno));
    stats_staged_discard(c->staged); /* unlinked while open: gone once HDF5 closes it */
    if (c->h5 >= 0) {
        char why[256];
        if (H5Fclose(c->h5) < 0)
            gb_warn("cannot close %s: %s", h5tmp ? h5tmp : "stats.h5", gb_h5_reason(why, sizeof why));
        c->h5 = -1;
    }
    free(h5tmp);
}

/* ---- the command ---- */

static int stats_job(int argc, char **argv, MPI_Comm comm)
{
    stats_opts_t o = {.rank = "genus",
                      .transform = "log",
                      .by = "margin",
                      .min_prevalence = 0.1,
                      .permutations = 999,
                      .seed = 42,
                      .threads = omp_get_max_threads(),
                      .axes = 10};
    stats_inputs_t in = {0};
    stats_staged_t staged = {0};
    stats_ctx_t c = {.o = &o, .h5 = -1, .comm = comm, .stop = &gb_stop_requested, .staged = &staged};
    char **pos;
    int npos;
    MPI_Comm_rank(comm, &c.rank);
    MPI_Comm_size(comm, &c.size);
    gb_log_set_rank(c.rank, c.size);
    int rc = cli_parse(argc, argv, stats_cli, NSTATS_CLI, stats_on_opt, &o, &pos, &npos, stats_usage);
    if (rc) return rc > 0 ? 0 : rc;
    if ((rc = stats_validate(&o))) return rc;
    gb_install_stop_handler(); /* polled collectively by stats_stopped: every rank stops at one point */
    c.threads = (int)o.threads;
    /* multithreaded BLAS sums in an order that depends on its thread count; one BLAS thread
     * keeps every table bitwise identical for any --threads (our kernels use OpenMP instead) */
    openblas_set_num_threads(1);
    if ((rc = read_inputs(&o, &in)) || (rc = fill_context(&c, &in))) goto done;
    if (c.rank == 0) rc = open_output(&c, &in.sel, argc, argv);
    /* every rank learns of a failure of rank 0: the others would wait for it in the permutations */
    if ((rc = gb_mpi_agree(comm, rc)) || (rc = stats_stopped(&c))) goto done;
    if ((rc = stats_assoc_run(&c)) || (rc = stats_beta_run(&c)) || (rc = stats_stopped(&c))) goto done;
    if (c.rank == 0) rc = close_output(&c);
    if (!rc && c.rank == 0) rc = stats_report_write(&c, &in.tab, argc, argv);
    if (rc) goto done;
    gb_info("wrote %s: %zu samples x %zu features (%s, %s)", o.out, c.n, c.m, o.rank, o.transform);
done:
    if (rc == GB_E_INTERRUPTED) /* every rank says so: the log shows that all of them stopped cleanly */
        gb_error("stats stopped by a signal: nothing was written under %s (earlier outputs there are unchanged); "
                 "rerun the same command to compute the statistics",
                 o.out);
    discard_output(&c); /* the temporaries of a run that stopped or failed */
    free(c.counts);
    free(c.sample);
    stats_design_free(&c.d);
    inputs_free(&in);
    return rc;
}

/* MPI is optional: without mpirun this is one rank. With several ranks every rank computes the
 * same tables (cheap) and they share the permutations; rank 0 writes. */
int cmd_stats(int argc, char **argv)
{
    int rc = gb_mpi_init();
    if (rc) return rc;
    rc = gb_mpi_agree(MPI_COMM_WORLD, stats_job(argc, argv, MPI_COMM_WORLD));
    gb_mpi_finalize();
    return rc;
}
