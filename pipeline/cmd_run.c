/* gutbrain run: a sample sheet -> every sample classified (MPI ranks x OpenMP threads) ->
 * per-sample profiles -> one BIOM 2.1 HDF5 cohort file.
 *
 * Every rank maps the database (one copy per node in the page cache; or, with --db-load read,
 * one shared-memory copy per node that the node's ranks read together), takes samples from a
 * shared counter, largest first, and writes each sample's results atomically under
 * OUT/samples/. A sample whose profile carries the same fingerprint is reused, so a rerun
 * after a crash, kill -9 or SIGTERM redoes only what is missing. A sample that fails is listed
 * in OUT/failed.tsv and costs no other sample its result. Last, the successful samples are
 * split into contiguous blocks and written collectively into OUT/cohort.biom. */
#include "gb_array.h"
#include "gb_exit.h"
#include "gb_mpi.h"
#include "cmd.h"
#include "biom_json.h"
#include "bracken_io.h"
#include "cami.h"
#include "classify_sample.h"
#include "cli.h"
#include "cohort_h5.h"
#include "db.h"
#include "db_shared.h"
#include "log.h"
#include "fileio.h"
#include "outfile.h"
#include "profile.h"
#include "report.h"
#include "run_report.h"
#include "samplesheet.h"
#include "scheduler.h"
#include "strbuf.h"
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *db, *samples, *out, *config, *h5_compression, *bracken_level;
    long threads, min_hit_groups, min_base_quality, bracken_length, bracken_threshold;
    double confidence;
    int read_output, minimizer_data, biom_json;
    db_load_mode_t db_load;
} run_opts_t;

/* clang-format off */
static const cli_option_t run_cli[] = {
    { "db", 0, "DIR", "database folder made by 'gutbrain build' (required)" },
    { "db-load", 0, "HOW", "map (default, faster on local disks: the page cache, shared by a node's ranks) or read: one copy per node in MPI shared memory, read by its ranks in parallel, for network file systems (docs/RUN.md)" },
    { "samples", 0, "SHEET", "sample sheet, CSV or TSV: sample,fastq_1,fastq_2 (required)" },
    { "out", 0, "DIR", "output folder (required); rerunning into it resumes" },
    { "threads", 't', "N", "threads per rank (default: OpenMP's)" },
    { "confidence", 0, "T", "confidence threshold in [0, 1] (default 0)" },
    { "minimum-hit-groups", 0, "N", "hit groups needed for a call (default 2)" },
    { "minimum-base-quality", 0, "Q", "FASTQ bases below quality Q count as ambiguous (default 0)" },
    { "report-minimizer-data", 0, NULL, "kreports: minimizer hits and distinct minimizers per clade (exact)" },
    { "read-output", 0, NULL, "also write each sample's per-read output (zstd) under OUT/samples/" },
    { "h5-compression", 0, "ALG", "deflate (default: any HDF5 reader opens the file) or zstd for every dataset" },
    { "biom-json", 0, NULL, "also OUT/cohort.json (BIOM 1.0 JSON), for R's biomformat/phyloseq on Debian 12 (docs/RUN.md)" },
    { "bracken-length", 0, "L", "also Bracken abundances per sample and OUT/cohort_bracken.biom, from DB/database{L}mers.kmer_distrib" },
    { "bracken-level", 0, "LEVEL", "Bracken level: D, P, C, O, F, G, S (default), S1, ..." },
    { "bracken-threshold", 0, "N", "Bracken: taxa at the level with fewer reads are dropped (default 10)" },
    { "config", 0, "FILE", "INI file of these options (key = value); flags override it" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NRUN_CLI (int)(sizeof run_cli / sizeof run_cli[0])
static const char run_usage[] =
    "Usage: mpirun -n R gutbrain run --db DIR --samples SHEET --out OUTDIR [--threads T] [--confidence C]\n"
    "Classifies every sample of the sheet across MPI ranks (also runs without mpirun, as one rank)\n"
    "and writes OUTDIR/samples/<id>.{kreport,cami,profile.tsv} (.cami: CAMI profile for OPAL),\n"
    "OUTDIR/failed.tsv, the cohort OUTDIR/cohort.biom (BIOM 2.1 HDF5) and OUTDIR/run_report.html\n"
    "(QC, top taxa). A rerun skips samples whose inputs, database and parameters are unchanged.\n"
    "Exit codes: 0 all samples done, 3 some failed (see failed.tsv), 2 none succeeded or OUTDIR\n"
    "cannot be written (full disk, read-only: rerun to resume), 1 usage,\n"
    "143 stopped by SIGTERM (rerun to resume).";

static int run_on_opt(void *ctx, int i, const char *v)
{
    run_opts_t *o = ctx;
    const char *name = run_cli[i].name;
    if (!strcmp(name, "db")) o->db = v;
    else if (!strcmp(name, "db-load")) return db_load_parse(v, &o->db_load);
    else if (!strcmp(name, "samples")) o->samples = v;
    else if (!strcmp(name, "bracken-length")) return cli_int(name, v, 1, 1 << 20, &o->bracken_length);
    else if (!strcmp(name, "bracken-level")) o->bracken_level = v;
    else if (!strcmp(name, "bracken-threshold")) return cli_int(name, v, 0, 1L << 62, &o->bracken_threshold);
    else if (!strcmp(name, "out")) o->out = v;
    else if (!strcmp(name, "threads")) return cli_int(name, v, 1, 1024, &o->threads);
    else if (!strcmp(name, "confidence")) return cli_double(name, v, 0, 1, &o->confidence);
    else if (!strcmp(name, "minimum-hit-groups")) return cli_int(name, v, 0, 1 << 30, &o->min_hit_groups);
    else if (!strcmp(name, "minimum-base-quality")) return cli_int(name, v, 0, 93, &o->min_base_quality);
    else if (!strcmp(name, "read-output")) o->read_output = 1;
    else if (!strcmp(name, "report-minimizer-data")) o->minimizer_data = 1;
    else if (!strcmp(name, "biom-json")) o->biom_json = 1;
    else if (!strcmp(name, "h5-compression")) {
        if (strcmp(v, "deflate") && strcmp(v, "zstd")) {
            gb_error("--h5-compression: '%s' is neither deflate nor zstd", v);
            return GB_E_USAGE;
        }
        o->h5_compression = v;
    } else if (!strcmp(name, "config")) o->config = v;
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

static int run_validate(const run_opts_t *o)
{
    if (!o->db || !o->samples || !o->out) {
        gb_error("--db, --samples and --out are required (see gutbrain run --help)");
        return GB_E_USAGE;
    }
    if (o->bracken_length && bracken_io_check_level("bracken-level", o->bracken_level)) return GB_E_USAGE;
    return 0;
}

/* ---- per-sample work ---- */

/* SAMPLE_OUT_FAILED: one of the sample's results could not be written under OUT (a full disk, a
 * read-only folder). That is no fault of the sample's, and the next sample would meet it too,
 * so the rank stops taking samples and the run ends with exit 2 (docs/RUN.md, "Faults"). */
typedef enum { SAMPLE_DONE, SAMPLE_REUSED, SAMPLE_FAILED, SAMPLE_STOPPED, SAMPLE_OUT_FAILED } sample_status_t;

typedef struct {
    const run_opts_t *o;
    const gb_db_t *db;
    run_params_t params;
    const samplesheet_t *sheet;
    const bracken_distrib_t *distrib; /* with --bracken-length, else NULL */
} run_ctx_t;

typedef struct { /* one failed sample, for failed.tsv */
    int64_t index;
    char file[1024];
    char reason[1024];
} failure_t;

typedef struct { /* what one rank did */
    int64_t samples, reused, failed;
    uint64_t reads;
    double busy;
    double db_read_mb; /* bytes this rank read from storage while mapping the database */
    failure_t *failures;
    size_t nfail, capfail;
    uint8_t *ok; /* per sample: 1 when its profile is valid for this run */
    /* --bracken-length: the re-estimated counts of the samples this rank finished, as records
     * [sample index, ntaxa, then ntaxa (taxid, count) pairs by ascending taxid], for the cohort */
    uint64_t *brk;
    size_t nbrk, capbrk;
    int brk_rc;       /* the first Bracken failure: it fails the cohort, not the sample */
    double brk_busy;  /* seconds spent on Bracken */
    int64_t brk_done; /* samples re-estimated */
} rank_work_t;

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The kreport is printed in memory, written in one piece, and handed back (*text, malloc'd,
 * NUL-terminated) so that Bracken parses these bytes instead of reading the file again. */
static int write_kreport(const run_ctx_t *c, const char *id, const classify_result_t *res, char **text, size_t *len)
{
    char path[4096];
    *text = NULL;
    int rc = profile_path(path, sizeof path, c->o->out, id, ".kreport");
    if (rc) return rc;
    FILE *mem = open_memstream(text, len);
    if (!mem) return GB_E_NOMEM;
    report_minimizer_data_t mdata = {res->minimizers, res->distinct};
    rc = report_kreport(mem, &c->db->taxo, res->calls, res->calls[0], 0, 0, c->o->minimizer_data ? &mdata : NULL);
    if (fclose(mem) && !rc) rc = GB_E_NOMEM;
    outfile_t *f = rc ? NULL : outfile_open(path);
    if (!rc && !f) rc = GB_E_IO;
    if (!rc && fwrite(*text, 1, *len, outfile_fp(f)) != *len) {
        outfile_abort(f);
        rc = GB_E_IO;
    } else if (!rc) {
        rc = outfile_commit(f);
    }
    if (rc) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

/* Direct counts by external taxid, ascending, from classify_sample's per-internal-id calls. */
static int make_profile(const run_ctx_t *c, const sample_t *s, uint64_t fp, const classify_result_t *r, profile_t *p)
{
    const taxo_t *t = &c->db->taxo;
    memset(p, 0, sizeof *p);
    p->id = s->id;
    p->fingerprint = fp;
    p->reads = r->fragments;
    p->classified = r->classified;
    p->unclassified = r->fragments - r->classified;
    p->bases = r->bases;
    for (uint32_t i = 1; i < t->n; i++) p->ntaxa += r->calls[i] != 0;
    p->taxid = malloc((p->ntaxa + 1) * sizeof *p->taxid);
    p->count = malloc((p->ntaxa + 1) * sizeof *p->count);
    if (r->minimizers) {
        p->minimizers = malloc((p->ntaxa + 1) * sizeof *p->minimizers);
        p->distinct = malloc((p->ntaxa + 1) * sizeof *p->distinct);
    }
    if (!p->taxid || !p->count || (r->minimizers && (!p->minimizers || !p->distinct))) return GB_E_NOMEM;
    /* taxo's index holds (external << 32 | internal) sorted: walk it for ascending taxids */
    size_t k = 0;
    for (uint32_t j = 0; j + 1 < t->n; j++) {
        uint32_t internal = (uint32_t)t->index[j];
        if (internal && r->calls[internal]) {
            if (r->minimizers) {
                p->minimizers[k] = r->minimizers[internal];
                p->distinct[k] = r->distinct[internal];
            }
            p->taxid[k] = t->external[internal];
            p->count[k++] = r->calls[internal];
        }
    }
    return k == p->ntaxa ? 0 : GB_E_INTERNAL;
}

static int add_failure(rank_work_t *w, int64_t index, const sample_t *s, const char *reason)
{
    if (GB_GROW(w->failures, w->capfail, w->nfail + 1)) return GB_E_NOMEM;
    failure_t *f = &w->failures[w->nfail++];
    f->index = index;
    /* name the input the message is about; the first one otherwise */
    const char *file = s->fastq[1] && strstr(reason, s->fastq[1]) ? s->fastq[1] : s->fastq[0];
    snprintf(f->file, sizeof f->file, "%s", file);
    snprintf(f->reason, sizeof f->reason, "%s", reason[0] ? reason : "unknown error");
    for (char *p = f->reason; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r') *p = ' ';
    return 0;
}

static sample_status_t reuse_sample(const run_ctx_t *c, const sample_t *s, uint64_t fp, uint64_t *reads)
{
    profile_t old;
    char kreport[4096], cami[4096];
    if (profile_read(c->o->out, s->id, &old) != 0) return SAMPLE_FAILED;
    int same = old.fingerprint == fp;
    *reads = old.reads;
    profile_free(&old);
    if (!same || profile_path(kreport, sizeof kreport, c->o->out, s->id, ".kreport") || !file_exists(kreport) ||
        profile_path(cami, sizeof cami, c->o->out, s->id, ".cami") || !file_exists(cami))
        return SAMPLE_FAILED;
    return SAMPLE_REUSED;
}

/* Keeps one sample's re-estimated counts (taxa with reads, by ascending taxid) for the cohort. */
static int keep_bracken_counts(rank_work_t *w, int64_t index, const bracken_result_t *res)
{
    size_t at = w->nbrk, n = 0;
    if (GB_GROW(w->brk, w->capbrk, at + 2 + 2 * res->n_est)) return GB_E_NOMEM;
    uint64_t *pair = w->brk + at + 2;
    for (size_t k = 0; k < res->n_est; k++) /* insertion by taxid: a level holds few taxa */
        if (res->est[k].new_reads > 0) {
            size_t j = n++;
            for (; j > 0 && pair[2 * (j - 1)] > res->est[k].taxid; j--) {
                pair[2 * j] = pair[2 * (j - 1)];
                pair[2 * j + 1] = pair[2 * (j - 1) + 1];
            }
            pair[2 * j] = res->est[k].taxid;
            pair[2 * j + 1] = (uint64_t)res->est[k].new_reads;
        }
    w->brk[at] = (uint64_t)index;
    w->brk[at + 1] = n;
    w->nbrk = at + 2 + 2 * n;
    return GB_OK;
}

/* Bracken's outputs of one finished sample, as est_abundance.py makes them from its kreport:
 * samples/<id>.bracken and samples/<id>_bracken_<level>.kreport. Done here, by the rank that
 * finished the sample, so that it overlaps with the other ranks' classification instead of
 * sitting in the serial tail before the cohort. kreport_text (the bytes just written, taken
 * over) saves reading the kreport back; NULL for a reused sample, whose kreport is read. A
 * file that already holds the same bytes is not rewritten, so a rerun costs two reads a
 * sample. A sample with no reads at the level gets empty counts and a warning; any other
 * failure is kept in w->brk_rc and fails the cohort, not the sample. */
static void run_bracken(const run_ctx_t *c, int64_t index, char *kreport_text, size_t len, rank_work_t *w)
{
    double t0 = MPI_Wtime();
    const sample_t *s = &c->sheet->samples[index];
    const char *level = c->o->bracken_level;
    char kreport[4096], table[4096], *report = NULL;
    bracken_report_t rep = {0};
    bracken_result_t res = {0};
    bracken_text_t text = {0};
    int rc = profile_path(kreport, sizeof kreport, c->o->out, s->id, ".kreport");
    if (!rc) rc = profile_path(table, sizeof table, c->o->out, s->id, ".bracken");
    if (!rc && !(report = bracken_io_default_report_name(kreport, level))) rc = GB_E_NOMEM;
    if (!rc && kreport_text) rc = bracken_io_parse_report(kreport, kreport_text, len, &rep);
    else if (!rc) rc = bracken_io_read_report(kreport, &rep);
    else free(kreport_text);
    /* per-sample summaries at debug level: at info, hundreds of them would bury run's progress line */
    if (!rc) rc = bracken_io_estimate(kreport, &rep, c->distrib, level, c->o->bracken_threshold, 'D', &res);
    if (rc == GB_E_FORMAT && res.err_row == SIZE_MAX) {
        gb_warn("sample '%s': no reads at Bracken level %s; its Bracken counts are empty", s->id, level);
        rc = GB_OK;
        res.n_est = 0;
    } else if (!rc && !(rc = bracken_io_render(&rep, &res, level, &text))) {
        rc = bracken_io_write(&text, table, report, 1);
    }
    if (!rc) rc = keep_bracken_counts(w, index, &res);
    if (rc == GB_E_NOMEM) gb_error("sample '%s': out of memory for its Bracken counts", s->id);
    if (rc && !w->brk_rc) w->brk_rc = rc;
    bracken_io_text_free(&text);
    bracken_result_free(&res);
    bracken_io_report_free(&rep);
    free(report);
    w->brk_done++;
    w->brk_busy += MPI_Wtime() - t0;
}

static sample_status_t run_sample(const run_ctx_t *c, int64_t index, rank_work_t *w)
{
    const sample_t *s = &c->sheet->samples[index];
    uint64_t fp = profile_fingerprint(s, &c->params), reads = 0;
    if (reuse_sample(c, s, fp, &reads) == SAMPLE_REUSED) { /* its reads are not re-counted */
        if (c->distrib) run_bracken(c, index, NULL, 0, w);
        return SAMPLE_REUSED;
    }
    char read_out[4096], stale[4096], *kreport = NULL;
    size_t kreport_len = 0;
    classify_result_t res = {0};
    profile_t p = {0};
    classify_job_t job = {
        .db = c->db,
        .params = {.confidence = c->o->confidence, .min_hit_groups = (uint32_t)c->o->min_hit_groups},
        .inputs = {s->fastq[0], s->fastq[1]},
        .paired = s->fastq[1] != NULL,
        .min_base_quality = (int)c->o->min_base_quality,
        .minimizer_data = c->o->minimizer_data,
        .threads = (int)c->o->threads,
    };
    int rc = 0;
    if (c->o->read_output) {
        rc = profile_path(read_out, sizeof read_out, c->o->out, s->id, ".kraken.zst");
        job.output = read_out;
    }
    gb_clear_last_error();
    if (!rc) rc = classify_sample(&job, &res);
    if (rc == GB_E_INTERRUPTED) return SAMPLE_STOPPED;
    int input_rc = rc; /* nonzero: the sample's inputs are at fault; else any failure below is OUT's */
    if (!rc) rc = write_kreport(c, s->id, &res, &kreport, &kreport_len);
    if (!rc && !(rc = profile_path(stale, sizeof stale, c->o->out, s->id, ".cami")))
        rc = cami_write_file(stale, &c->db->taxo, res.calls, s->id);
    if (!rc) rc = make_profile(c, s, fp, &res, &p);
    if (!rc) rc = profile_write(c->o->out, &p);
    int output_fault = !input_rc && rc == GB_E_IO;
    /* after the profile, so that the sample's checkpoint does not wait for Bracken; a sample
     * stopped in between gets its Bracken outputs on the rerun that reuses it */
    if (!rc && c->distrib) {
        run_bracken(c, index, kreport, kreport_len, w);
        kreport = NULL;
    }
    free(kreport);
    w->reads += res.fragments;
    free(p.taxid);
    free(p.count);
    free(p.minimizers);
    free(p.distinct);
    classify_result_free(&res);
    if (!rc) return SAMPLE_DONE;
    if (output_fault) return SAMPLE_OUT_FAILED; /* logged where it happened, with the file and why */
    char cause[1024];                           /* the first error logged for this sample says why */
    snprintf(cause, sizeof cause, "%s", gb_last_error()[0] ? gb_last_error() : gb_strerror(rc));
    gb_error("sample '%s' (sheet line %d) failed: %s", s->id, s->line, gb_strerror(rc));
    add_failure(w, index, s, cause);
    /* old results of this sample must not stand in for it */
    if (!profile_path(stale, sizeof stale, c->o->out, s->id, ".profile.tsv")) unlink(stale);
    if (!profile_path(stale, sizeof stale, c->o->out, s->id, ".kreport")) unlink(stale);
    if (!profile_path(stale, sizeof stale, c->o->out, s->id, ".cami")) unlink(stale);
    return SAMPLE_FAILED;
}

/* ---- progress on rank 0 ---- */

typedef struct {
    double start, last;
    int tty;
    int64_t total;
} run_progress_t;

static void show_progress(run_progress_t *pg, scheduler_t *sch, int final)
{
    double now = MPI_Wtime();
    if (gb_verbosity < 1 || (!final && now - pg->last < (pg->tty ? 0.5 : 10.0))) return;
    pg->last = now;
    int64_t v[SCHEDULER_NCOUNTERS];
    scheduler_read(sch, v);
    double secs = now - pg->start > 1e-9 ? now - pg->start : 1e-9;
    double eta = v[SCHEDULER_DONE] ? secs / v[SCHEDULER_DONE] * (pg->total - v[SCHEDULER_DONE]) : 0;
    char line[256];
    snprintf(line, sizeof line, "%lld/%lld samples (%lld reused), %lld failed, %.2f M reads/s, ETA %.0f s",
             (long long)v[SCHEDULER_DONE], (long long)pg->total, (long long)v[SCHEDULER_REUSED],
             (long long)v[SCHEDULER_FAILED], v[SCHEDULER_READS] / secs / 1e6, eta);
    if (pg->tty) fprintf(stderr, "\r[run] %s   %s", line, final ? "\n" : "");
    else gb_info("%s", line);
}

/* ---- the phases ---- */

/* Rank 0 orders the samples largest first (ties in sheet order) and tells everyone. */
static int64_t *order_samples(MPI_Comm comm, const samplesheet_t *sheet)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int64_t n = (int64_t)sheet->n, *order = malloc((size_t)n * sizeof *order);
    if (!order) return NULL;
    if (rank == 0) {
        for (int64_t i = 0; i < n; i++) order[i] = i;
        for (int64_t i = 1; i < n; i++) { /* insertion sort is stable; sheets are small */
            int64_t x = order[i], j = i;
            while (j > 0 && sheet->samples[order[j - 1]].bytes < sheet->samples[x].bytes) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = x;
        }
    }
    MPI_Bcast(order, (int)n, MPI_INT64_T, 0, comm);
    return order;
}

/* *stopped: a signal stopped this rank; *out_failed: a result could not be written under OUT. */
static int classify_all(MPI_Comm comm, const run_ctx_t *c, const int64_t *order, rank_work_t *w, int *stopped,
                        int *out_failed)
{
    int rank;
    scheduler_t *sch = NULL;
    MPI_Comm_rank(comm, &rank);
    int rc = scheduler_create(comm, (int64_t)c->sheet->n, &sch);
    if (rc) return rc;
    run_progress_t pg = {.start = MPI_Wtime(), .tty = isatty(2), .total = (int64_t)c->sheet->n};
    int64_t task;
    while (!gb_stop_requested && (task = scheduler_next(sch)) >= 0) {
        double t0 = MPI_Wtime();
        uint64_t reads_before = w->reads;
        sample_status_t st = run_sample(c, order[task], w);
        w->busy += MPI_Wtime() - t0;
        if (st == SAMPLE_STOPPED) break;
        if (st == SAMPLE_OUT_FAILED) {
            *out_failed = 1;
            break;
        }
        w->samples++;
        w->reused += st == SAMPLE_REUSED;
        w->failed += st == SAMPLE_FAILED;
        w->ok[order[task]] = st != SAMPLE_FAILED;
        scheduler_add(sch, SCHEDULER_DONE, 1);
        scheduler_add(sch, SCHEDULER_READS, (int64_t)(w->reads - reads_before));
        if (st == SAMPLE_FAILED) scheduler_add(sch, SCHEDULER_FAILED, 1);
        if (st == SAMPLE_REUSED) scheduler_add(sch, SCHEDULER_REUSED, 1);
        if (rank == 0) show_progress(&pg, sch, 0);
    }
    *stopped = gb_stop_requested != 0;
    MPI_Barrier(comm);
    if (rank == 0) show_progress(&pg, sch, 1);
    scheduler_destroy(sch);
    return 0;
}

/* Rank 0 writes OUT/failed.tsv (sheet order) from every rank's failures. */
static int write_failures(MPI_Comm comm, const run_ctx_t *c, const rank_work_t *w)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int mine = (int)(w->nfail * sizeof(failure_t)), *counts = NULL, *displs = NULL, total = 0;
    failure_t *all = NULL;
    if (rank == 0) {
        counts = calloc((size_t)size, sizeof *counts);
        displs = calloc((size_t)size, sizeof *displs);
    }
    MPI_Gather(&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, comm);
    if (rank == 0) {
        for (int r = 0; r < size; r++) {
            displs[r] = total;
            total += counts[r];
        }
        all = malloc(total ? (size_t)total : 1);
    }
    MPI_Gatherv(w->failures, mine, MPI_BYTE, all, counts, displs, MPI_BYTE, 0, comm);
    int rc = 0;
    if (rank == 0) {
        size_t n = (size_t)total / sizeof(failure_t);
        char path[4096];
        snprintf(path, sizeof path, "%s/failed.tsv", c->o->out);
        outfile_t *f = outfile_open(path);
        if (!f) rc = GB_E_IO;
        else {
            fprintf(outfile_fp(f), "sample\tfile\treason\n");
            for (size_t i = 0; i < c->sheet->n; i++) /* sheet order */
                for (size_t k = 0; k < n; k++)
                    if (all[k].index == (int64_t)i)
                        fprintf(outfile_fp(f), "%s\t%s\t%s\n", c->sheet->samples[i].id, all[k].file, all[k].reason);
            rc = outfile_commit(f);
        }
    }
    free(counts);
    free(displs);
    free(all);
    MPI_Bcast(&rc, 1, MPI_INT, 0, comm);
    return rc;
}

static void iso_time(char *buf, size_t cap, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Every rank's Bracken records (rank_work_t.brk) to every rank: *all, and at[sample] = the
 * offset of the sample's record there (SIZE_MAX for none). 16 bytes per taxon with reads at
 * the level (about 1 kB a sample on the 63-genome benchmark), so one collective instead of
 * re-reading files; every rank holds all of them for the moment. */
static int gather_bracken(MPI_Comm comm, const rank_work_t *w, size_t nsamples, uint64_t **all, size_t **at)
{
    int size;
    MPI_Comm_size(comm, &size);
    int mine = w->nbrk <= INT32_MAX ? (int)w->nbrk : -1, *counts = malloc((size_t)size * sizeof *counts),
        *displs = malloc((size_t)size * sizeof *displs);
    int rc = counts && displs ? GB_OK : GB_E_NOMEM;
    if ((rc = gb_mpi_agree(comm, rc))) goto done;
    MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, comm);
    int64_t total = 0;
    for (int r = 0; r < size; r++) {
        displs[r] = (int)total;
        total += counts[r] >= 0 ? counts[r] : (int64_t)INT32_MAX + 1;
    }
    if (total > INT32_MAX) rc = GB_E_NOMEM; /* on every rank alike */
    if (!rc && (!(*all = malloc((size_t)total * sizeof **all + 1)) || !(*at = malloc((nsamples + 1) * sizeof **at))))
        rc = GB_E_NOMEM;
    if ((rc = gb_mpi_agree(comm, rc))) goto done;
    MPI_Allgatherv(w->brk, mine, MPI_UINT64_T, *all, counts, displs, MPI_UINT64_T, comm);
    for (size_t i = 0; i < nsamples; i++) (*at)[i] = SIZE_MAX;
    for (size_t k = 0; k + 1 < (size_t)total; k += 2 + 2 * (*all)[k + 1])
        if ((*all)[k] < nsamples) (*at)[(*all)[k]] = k;
done:
    if (rc == GB_E_NOMEM) gb_error("out of memory gathering the Bracken counts");
    free(counts);
    free(displs);
    return rc;
}

/* A sample's re-estimated counts (record at rec) as a profile with the QC of its profile p. */
static int bracken_profile(const profile_t *p, const uint64_t *rec, profile_t *out)
{
    size_t n = (size_t)rec[1];
    *out = (profile_t){.fingerprint = p->fingerprint,
                       .reads = p->reads,
                       .classified = p->classified,
                       .unclassified = p->unclassified,
                       .bases = p->bases,
                       .ntaxa = n,
                       .id = strdup(p->id),
                       .taxid = malloc((n + 1) * sizeof *out->taxid),
                       .count = malloc((n + 1) * sizeof *out->count)};
    if (!out->id || !out->taxid || !out->count) return GB_E_NOMEM;
    for (size_t k = 0; k < n; k++) {
        out->taxid[k] = (uint32_t)rec[2 + 2 * k];
        out->count[k] = rec[3 + 2 * k];
    }
    return GB_OK;
}

/* The Bracken profiles of samples good[first, last), the block of this rank. */
static int bracken_block(MPI_Comm comm, const rank_work_t *w, size_t nsamples, const size_t *good, size_t first,
                         size_t last, const profile_t *local, profile_t *brk)
{
    uint64_t *all = NULL;
    size_t *at = NULL;
    int rc = gather_bracken(comm, w, nsamples, &all, &at);
    for (size_t i = first; !rc && i < last; i++)
        rc = at[good[i]] == SIZE_MAX ? GB_E_INTERNAL
                                     : bracken_profile(&local[i - first], all + at[good[i]], &brk[i - first]);
    if (rc == GB_E_NOMEM) gb_error("out of memory for the Bracken profiles");
    if (rc == GB_E_INTERNAL) gb_error("a sample of the cohort has no Bracken counts");
    free(all);
    free(at);
    return rc;
}

/* One info line: Bracken's share of the run, summed over the ranks (docs/RUN.md). */
static void log_bracken_time(MPI_Comm comm, const rank_work_t *w, double cohort_seconds)
{
    double mine[2] = {w->brk_busy, (double)w->brk_done}, sum[2];
    MPI_Reduce(mine, sum, 2, MPI_DOUBLE, MPI_SUM, 0, comm);
    gb_info("Bracken: %.0f samples in %.3f s of rank time (%.2f ms a sample), cohort_bracken.biom in %.3f s", sum[1],
            sum[0], sum[1] > 0 ? 1e3 * sum[0] / sum[1] : 0.0, cohort_seconds);
}

/* The successful samples, in sheet order, split into one block per rank, read back from
 * their profile files and written collectively; with --bracken-length, their Bracken counts
 * (made while classifying) into a second file the same way. */
/* --biom-json: rank 0 writes cohort.json (and cohort_bracken.json) from the files just written. */
static int write_json_copies(MPI_Comm comm, const run_ctx_t *c)
{
    int rank, rc = GB_OK;
    MPI_Comm_rank(comm, &rank);
    const char *names[2] = {"cohort", c->distrib ? "cohort_bracken" : NULL};
    for (int i = 0; rank == 0 && !rc && i < 2 && names[i]; i++) {
        char in[4096], out[4096];
        snprintf(in, sizeof in, "%s/%s.biom", c->o->out, names[i]);
        snprintf(out, sizeof out, "%s/%s.json", c->o->out, names[i]);
        rc = biom_json_convert(in, out);
    }
    return gb_mpi_agree(comm, rc);
}

static int write_cohort(MPI_Comm comm, const run_ctx_t *c, const rank_work_t *w, const char *cmdline, const char *start,
                        size_t *nsamples)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    size_t n = c->sheet->n, m = 0;
    uint8_t *ok = malloc(n ? n : 1);
    size_t *good = malloc((n ? n : 1) * sizeof *good);
    profile_t *local = NULL, *brk = NULL;
    int rc = 0;
    if (!ok || !good) rc = GB_E_NOMEM;
    else {
        MPI_Allreduce(w->ok, ok, (int)n, MPI_UINT8_T, MPI_MAX, comm);
        for (size_t i = 0; i < n; i++)
            if (ok[i]) good[m++] = i;
    }
    size_t first = m * (size_t)rank / (size_t)size, last = m * (size_t)(rank + 1) / (size_t)size;
    if (!rc && !(local = calloc(last - first + 1, sizeof *local))) rc = GB_E_NOMEM;
    if (!rc && c->distrib && !(brk = calloc(last - first + 1, sizeof *brk))) rc = GB_E_NOMEM;
    for (size_t i = first; !rc && i < last; i++)
        rc = profile_read(c->o->out, c->sheet->samples[good[i]].id, &local[i - first]);
    if (!rc) rc = w->brk_rc; /* as when Bracken ran here, a failure fails the cohort */
    int any = gb_mpi_agree(comm, rc);
    if (!any && brk) any = bracken_block(comm, w, n, good, first, last, local, brk);
    if (!any) {
        char end[32], path[4096];
        iso_time(end, sizeof end, time(NULL));
        int ranks;
        MPI_Comm_size(comm, &ranks);
        cohort_meta_t meta = {
            .command_line = cmdline,
            .version = GB_VERSION,
            .db_checksum = c->db->checksum,
            .db_path = c->o->db,
            .confidence = c->o->confidence,
            .min_hit_groups = (uint32_t)c->o->min_hit_groups,
            .min_base_quality = (int)c->o->min_base_quality,
            .start_time = start,
            .end_time = end,
            .ranks = ranks,
            .threads = (int)c->o->threads,
            .biom_compression =
                c->o->h5_compression && !strcmp(c->o->h5_compression, "zstd") ? COHORT_ZSTD : COHORT_DEFLATE,
            .minimizer_data = c->o->minimizer_data,
        };
        snprintf(path, sizeof path, "%s/cohort.biom", c->o->out);
        any = cohort_write(comm, path, &c->db->taxo, local, last - first, first, m, &meta);
        if (!any && brk) {
            meta.minimizer_data = 0; /* re-estimated counts have no minimizers of their own */
            snprintf(path, sizeof path, "%s/cohort_bracken.biom", c->o->out);
            double t0 = MPI_Wtime();
            any = cohort_write(comm, path, &c->db->taxo, brk, last - first, first, m, &meta);
            if (!any) log_bracken_time(comm, w, MPI_Wtime() - t0);
        }
        if (!any && c->o->biom_json) any = write_json_copies(comm, c);
    }
    for (size_t i = 0; local && i < last - first; i++) profile_free(&local[i]);
    for (size_t i = 0; brk && i < last - first; i++) profile_free(&brk[i]);
    free(local);
    free(brk);
    free(ok);
    free(good);
    *nsamples = m;
    return any;
}

/* A field of /proc/self/<file> ("read_bytes:", "Pss:"), in the file's unit; -1 when absent. */
static double proc_field(const char *file, const char *key)
{
    char path[64], line[256];
    double v = -1;
    snprintf(path, sizeof path, "/proc/self/%s", file);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t len = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, len)) {
            v = strtod(line + len, NULL);
            break;
        }
    fclose(f);
    return v;
}

/* Rank 0 prints one line per rank and the imbalance (max / mean busy time). Memory is the
 * proportional set size: pages of the mapped database shared by a node's ranks count once
 * in the node's total. */
static void print_summary(MPI_Comm comm, const rank_work_t *w, double wall, size_t in_cohort, const db_shared_t *shared)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    enum { NF = 8 };
    double mine[NF] = {(double)w->samples,
                       (double)w->reused,
                       (double)w->failed,
                       (double)w->reads,
                       w->busy,
                       w->db_read_mb,
                       proc_field("smaps_rollup", "Pss:") / 1024,
                       (double)shared->read_here};
    double *all = rank == 0 ? malloc(NF * sizeof(double) * (size_t)size) : NULL;
    MPI_Gather(mine, NF, MPI_DOUBLE, all, NF, MPI_DOUBLE, 0, comm);
    if (rank != 0 || gb_verbosity < 1) {
        free(all);
        return;
    }
    double max_busy = 0, sum_busy = 0, reads = 0, failed = 0, samples = 0, pss = 0, dbread = 0, dbload = 0;
    fprintf(stderr, "rank  samples  reused  failed        reads   busy s  DB read MB  DB load MB  PSS MB\n");
    for (int r = 0; r < size; r++) {
        const double *v = all + NF * r;
        fprintf(stderr, "%4d  %7.0f  %6.0f  %6.0f  %11.0f  %7.2f  %10.1f  %10.1f  %6.1f\n", r, v[0], v[1], v[2], v[3],
                v[4], v[5], v[7] / 1e6, v[6]);
        dbread += v[5];
        dbload += v[7];
        pss += v[6];
        max_busy = v[4] > max_busy ? v[4] : max_busy;
        sum_busy += v[4];
        reads += v[3];
        failed += v[2];
        samples += v[0];
    }
    fprintf(stderr,
            "%.0f samples (%.0f failed), %.0f reads in %.2f s (%.2f M reads/s); %zu samples in the cohort; "
            "imbalance (max/mean busy) %.2f; database read from storage %.1f MB, memory (PSS) %.1f MB in all\n",
            samples, failed, reads, wall, reads / (wall > 0 ? wall : 1) / 1e6, in_cohort,
            sum_busy > 0 ? max_busy / (sum_busy / size) : 1.0, dbread, pss);
    if (shared->nodes) /* the shares of a node's ranks add up to one file per node */
        fprintf(stderr, "database loaded by read: %.0f bytes read by %d ranks into %d shared cop%s (one per node)\n",
                dbload, size, shared->nodes, shared->nodes > 1 ? "ies" : "y");
    else fprintf(stderr, "database loaded by map: the ranks of a node share its page cache\n");
    free(all);
}

/* "gutbrain" and the arguments, for the cohort's provenance; NULL when out of memory. */
static char *join_args(int argc, char **argv)
{
    strbuf_t sb = STRBUF_INIT;
    int rc = strbuf_puts(&sb, "gutbrain");
    for (int i = 0; i < argc && rc == GB_OK; i++) rc = strbuf_printf(&sb, " %s", argv[i]);
    if (rc == GB_OK) return strbuf_detach(&sb);
    strbuf_free(&sb);
    return NULL;
}

static int make_dirs(const char *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/samples", out);
    if ((mkdir(out, 0777) && errno != EEXIST) || (mkdir(path, 0777) && errno != EEXIST)) {
        gb_error("cannot create %s: %s", path, strerror(errno));
        return GB_E_IO;
    }
    /* what a run killed with kill -9 (or a lost node) was writing; nothing else writes here */
    int left = fileio_remove_temporaries(out) + fileio_remove_temporaries(path);
    if (left) gb_info("removed %d temporary file(s) an interrupted run left in %s", left, out);
    return 0;
}

/* Open MPI binds each rank to one core by default when there are few ranks: --threads then
 * buys nothing. Say so, with the fix. */
static void warn_if_pinned(int threads)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return;
    int usable = CPU_COUNT(&set);
    if (usable < threads)
        gb_warn("this rank may use %d core%s but --threads is %d: start mpirun with --bind-to none "
                "(or give Slurm --cpus-per-task=%d)",
                usable, usable == 1 ? "" : "s", threads, threads);
}

/* Everything between MPI_Init and MPI_Finalize. */
static int run_job(MPI_Comm comm, int argc, char **argv)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    gb_log_set_rank(rank, size);
    run_opts_t o = {
        .threads = omp_get_max_threads(), .min_hit_groups = 2, .bracken_level = "S", .bracken_threshold = 10};
    bracken_distrib_t distrib = BRACKEN_DISTRIB_INIT;
    samplesheet_t sheet = {0};
    gb_db_t *db = NULL;
    db_shared_t shared = DB_SHARED_INIT;
    db_load_t load = {.mode = DB_LOAD_MAP};
    rank_work_t w = {0};
    int64_t *order = NULL;
    char start[32], *cmdline = join_args(argc, argv);
    iso_time(start, sizeof start, time(NULL));
    /* Each sample allocates and frees the same large read buffers. With glibc's default top
     * pad, small allocations between samples (Bracken's) tipped it into trimming the heap after
     * most samples, and the next sample faulted its buffers in again: 309,000 page faults
     * instead of 24,000 for 200 samples of 5,000 pairs, +0.3-0.5 s in 3.5 s. With 64 MB of pad
     * the heap keeps them: 8,900 faults with or without Bracken (benchmarks/RESULTS.md). */
    mallopt(M_TOP_PAD, 64 << 20);
    double t0 = MPI_Wtime();
    /* the config first, so that flags override it; its text holds option values until done */
    const char *config = cli_find_config(argc, argv);
    char **pos, *config_text = NULL;
    int npos, rc = config ? cli_read_config(config, run_cli, NRUN_CLI, run_on_opt, &o, &config_text) : 0;
    if (!rc) rc = cli_parse(argc, argv, run_cli, NRUN_CLI, run_on_opt, &o, &pos, &npos, run_usage);
    if (rc) {
        rc = rc > 0 ? 0 : rc; /* 1: --help or --version done */
        goto done;
    }
    if (npos) {
        gb_error("unexpected argument '%s' (see gutbrain run --help)", pos[0]);
        rc = GB_E_USAGE;
        goto done;
    }
    /* rank 0 reads the sheet first, so a bad sheet is reported once, not once per rank */
    if (!(rc = run_validate(&o)) && rank == 0 && !(rc = samplesheet_load(o.samples, &sheet))) rc = make_dirs(o.out);
    if ((rc = gb_mpi_agree(comm, rc))) goto done;
    if (rank != 0) rc = samplesheet_load(o.samples, &sheet);
    if ((rc = gb_mpi_agree(comm, rc))) goto done;
    /* --db-load read: the node's ranks fill its one copy together (collective), then open it as
     * below. Rank 0 opens the database first: a bad database is reported once, and the other
     * ranks of its node then find the pages in the page cache (or the shared copy). */
    double io0 = proc_field("io", "read_bytes:");
    if (o.db_load == DB_LOAD_READ && (rc = db_shared_load(comm, o.db, (int)o.threads, &shared, &load))) goto done;
    if ((rc = gb_mpi_agree(comm, rank == 0 ? db_open_load(o.db, 1, &load, &db) : 0))) goto done;
    if ((rc = gb_mpi_agree(comm, rank != 0 ? db_open_load(o.db, 1, &load, &db) : 0))) goto done;
    /* the distribution is checked before any sample is classified; rank 0 reports a bad one */
    if (o.bracken_length &&
        (rc = gb_mpi_agree(comm, rank == 0 ? bracken_io_load_for_db(o.db, &db->taxo, o.bracken_length, &distrib) : 0)))
        goto done;
    if (o.bracken_length &&
        (rc = gb_mpi_agree(comm, rank != 0 ? bracken_io_load_for_db(o.db, &db->taxo, o.bracken_length, &distrib) : 0)))
        goto done;
    w.db_read_mb = (proc_field("io", "read_bytes:") - io0) / 1e6;
    if (rank == 0) warn_if_pinned((int)o.threads);
    run_ctx_t c = {.o = &o,
                   .db = db,
                   .sheet = &sheet,
                   .distrib = o.bracken_length ? &distrib : NULL,
                   .params = {.db_checksum = db->checksum,
                              .confidence = o.confidence,
                              .min_hit_groups = (uint32_t)o.min_hit_groups,
                              .min_base_quality = (int)o.min_base_quality,
                              .minimizer_data = o.minimizer_data}};
    if (!(order = order_samples(comm, &sheet)) || !(w.ok = calloc(sheet.n, 1))) {
        rc = GB_E_NOMEM;
        goto done;
    }
    gb_info("%zu samples, %d rank%s x %ld thread%s, database %s (%u taxa)", sheet.n, size, size > 1 ? "s" : "",
            o.threads, o.threads > 1 ? "s" : "", o.db, db->taxo.n - 1);
    gb_install_stop_handler();
    int stopped = 0, any_stopped = 0, out_failed = 0, any_out_failed = 0;
    if ((rc = classify_all(comm, &c, order, &w, &stopped, &out_failed))) goto done;
    MPI_Allreduce(&stopped, &any_stopped, 1, MPI_INT, MPI_MAX, comm);
    MPI_Allreduce(&out_failed, &any_out_failed, 1, MPI_INT, MPI_MAX, comm);
    int failures_rc = write_failures(comm, &c, &w); /* may fail too on a full disk */
    if (any_out_failed) {                           /* the file and the reason were logged by the rank that met it */
        if (rank == 0)
            gb_error("stopped: results cannot be written under %s; finished samples are saved, the cohort was "
                     "not written; free space or make it writable and rerun the same command to resume",
                     o.out);
        rc = GB_E_IO;
        goto done;
    }
    if ((rc = failures_rc)) goto done;
    if (any_stopped) {
        gb_warn("stopped by a signal: finished samples are saved; rerun the same command to resume");
        rc = GB_E_INTERRUPTED;
        goto done;
    }
    int64_t failed = w.failed, all_failed = 0;
    MPI_Allreduce(&failed, &all_failed, 1, MPI_INT64_T, MPI_SUM, comm);
    size_t in_cohort = sheet.n - (size_t)all_failed;
    if (in_cohort == 0) { /* nothing to write: an existing cohort file stays as it was */
        if (rank == 0) gb_error("no sample succeeded (see %s/failed.tsv); the cohort file was not written", o.out);
        rc = GB_E_FORMAT;
        goto done;
    }
    if ((rc = write_cohort(comm, &c, &w, cmdline, start, &in_cohort))) goto done;
    print_summary(comm, &w, MPI_Wtime() - t0, in_cohort, &shared);
    if (rank == 0 && run_report_write(o.out, cmdline, o.db)) /* a page for people: the results stand without it */
        gb_warn("%s/run_report.html was not written", o.out);
    if (all_failed) rc = GB_E_PARTIAL;
done:
    free(order);
    free(w.failures);
    free(w.ok);
    free(w.brk);
    free(cmdline);
    free(config_text);
    bracken_distrib_free(&distrib);
    db_close(db);
    db_shared_free(&shared); /* after db_close: the database pointed into it */
    samplesheet_free(&sheet);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    int rc = gb_mpi_init();
    if (rc) return rc;
    rc = gb_mpi_agree(MPI_COMM_WORLD, run_job(MPI_COMM_WORLD, argc, argv));
    gb_mpi_finalize();
    return rc;
}
