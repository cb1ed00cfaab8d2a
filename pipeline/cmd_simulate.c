/* gutbrain simulate: reference genomes + NCBI taxdump -> a truth-labelled cohort in DIR
 * (samplesheet.csv, metadata.tsv, reads/, truth/); docs/SIMULATE.md gives the models.
 *
 * The cohort (compositions, case/control labels, metadata) is drawn serially from stream 0 of
 * the seed; sample i's reads from stream i + 1 (kernels/simrng.h), so samples are made in
 * parallel, one per thread, and every file is identical for any --threads (truth/cohort.biom:
 * its datasets; its provenance attributes name the command line and the time).
 *
 * truth/cohort.biom holds the true read counts in the cohort file of `gutbrain run`
 * (pipeline/cohort_h5.c, written by this one process as a one-rank MPI job), so that
 * `gutbrain stats` analyses the truth exactly as it analyses a classified cohort. */
#include "cami.h"
#include "cli.h"
#include "cmd.h"
#include "cohort_h5.h"
#include "fastx.h"
#include "gb_array.h"
#include "gb_mpi.h"
#include "log.h"
#include "outfile.h"
#include "seqmap.h"
#include "simcomm.h"
#include "simreads.h"
#include "simrng.h"
#include "strbuf.h"
#include "taxdump.h"
#include "taxo.h"
#include "version.h"
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_EFFECTS 64

typedef struct {
    const char *taxonomy, *seqmap, *out;
    long threads, samples, reads, read_len, seed, pool;
    double cases, insert_mean, insert_sd;
    int paired, null, seed_set;
    const char *effect_spec[MAX_EFFECTS];
    int neffects;
    char **refs;
    int nrefs;
    char *cmdline; /* "gutbrain simulate ...", the provenance of truth/cohort.biom */
} sim_opts_t;

/* clang-format off */
static const cli_option_t sim_cli[] = {
    { "refs", 0, "FASTA", "reference genome FASTA (plain, gzip or zstd); repeat, or list more after the options" },
    { "seqid2taxid", 0, "FILE", "sequence id -> taxid map (TSV); optional with kraken:taxid|N headers" },
    { "taxonomy", 0, "DIR", "NCBI taxdump folder with nodes.dmp and names.dmp (required)" },
    { "samples", 'n', "N", "samples in the cohort (required)" },
    { "reads-per-sample", 'm', "M", "reads (pairs with --paired) per sample (required)" },
    { "read-length", 0, "L", "read length (default 150)" },
    { "paired", 0, NULL, "paired-end reads (insert ~ Normal(350, 50))" },
    { "insert-size", 0, "MEAN[,SD]", "insert size of pairs (default 350,50)" },
    { "cases", 0, "F", "fraction of samples that are depression cases (default 0.3)" },
    { "effect", 0, "GENUS=FOLD", "multiply the cells of every genome of GENUS (name or taxid) by FOLD in cases; repeatable" },
    { "null", 0, NULL, "plant no effect (ignores --effect)" },
    { "species-pool", 0, "N", "the genomes are the N-species cohort's most prevalent ones (default 2900, docs/SIMULATE.md); 0: random members" },
    { "seed", 0, "S", "random seed (required): same seed, same cohort" },
    { "out", 'o', "DIR", "output folder (required)" },
    { "threads", 't', "N", "threads (default: OpenMP's); the output does not depend on it" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NSIM_CLI (int)(sizeof sim_cli / sizeof sim_cli[0])
static const char sim_usage[] =
    "Usage: gutbrain simulate --refs REF... [--seqid2taxid FILE] --taxonomy DIR --samples N --reads-per-sample M\n"
    "                         [--read-length 150] [--paired] [--cases 0.3] [--effect GENUS=FOLD ...] [--null]\n"
    "                         [--species-pool 2900]\n"
    "                         --seed S --out DIR [--threads N]\n"
    "Simulates a gut-metagenome cohort with a known truth: per-sample compositions (log-normal with\n"
    "prevalence), depression status and covariates, planted fold changes for cases, Illumina-like reads.\n"
    "Writes DIR/samplesheet.csv, DIR/metadata.tsv, DIR/reads/, DIR/truth/ (per-read taxa, abundances, effects,\n"
    "CAMI profiles and truth/cohort.biom, the true counts as a cohort file for gutbrain stats; docs/SIMULATE.md).";

static int sim_on_opt(void *ctx, int i, const char *v)
{
    sim_opts_t *o = ctx;
    const char *name = sim_cli[i].name;
    if (!strcmp(name, "refs")) {
        char **grown = realloc(o->refs, (size_t)(o->nrefs + 1) * sizeof *grown);
        if (!grown) return GB_E_NOMEM;
        o->refs = grown;
        o->refs[o->nrefs++] = (char *)v;
    } else if (!strcmp(name, "seqid2taxid")) o->seqmap = v;
    else if (!strcmp(name, "taxonomy")) o->taxonomy = v;
    else if (!strcmp(name, "samples")) return cli_int(name, v, 1, 1000000, &o->samples);
    else if (!strcmp(name, "reads-per-sample")) return cli_int(name, v, 1, 1000000000, &o->reads);
    else if (!strcmp(name, "read-length")) return cli_int(name, v, 20, 100000, &o->read_len);
    else if (!strcmp(name, "paired")) o->paired = 1;
    else if (!strcmp(name, "insert-size")) {
        char *end;
        o->insert_mean = strtod(v, &end);
        o->insert_sd = *end == ',' ? strtod(end + 1, &end) : o->insert_sd;
        if (*end || !(o->insert_mean > 0) || !(o->insert_sd >= 0)) {
            gb_error("--insert-size: bad value '%s' (want MEAN or MEAN,SD)", v);
            return GB_E_USAGE;
        }
    } else if (!strcmp(name, "cases")) return cli_double(name, v, 0, 1, &o->cases);
    else if (!strcmp(name, "effect")) {
        if (o->neffects == MAX_EFFECTS) {
            gb_error("--effect: at most %d", MAX_EFFECTS);
            return GB_E_USAGE;
        }
        o->effect_spec[o->neffects++] = v;
    } else if (!strcmp(name, "null")) o->null = 1;
    else if (!strcmp(name, "species-pool")) return cli_int(name, v, 0, 100000000, &o->pool);
    else if (!strcmp(name, "seed")) {
        o->seed_set = 1;
        return cli_int(name, v, 0, 0x7fffffffffffffffL, &o->seed);
    } else if (!strcmp(name, "out")) o->out = v;
    else if (!strcmp(name, "threads")) return cli_int(name, v, 1, 1024, &o->threads);
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

/* ---- genomes: the reference sequences grouped by taxid ---- */

typedef struct {
    uint32_t taxid, genus; /* genus taxid, 0 when the lineage has none */
    char *seq;
    size_t len, cap;
    uint64_t *rec_start;
    size_t nrec, cap_rec;
    uint64_t longest;
    simreads_genome_t view;
} genome_t;

typedef struct {
    genome_t *g;
    size_t n, cap;
} genomes_t;

static void genomes_free(genomes_t *gs)
{
    for (size_t i = 0; i < gs->n; i++) {
        free(gs->g[i].seq);
        free(gs->g[i].rec_start);
    }
    free(gs->g);
}

static int genome_of(genomes_t *gs, uint32_t taxid, genome_t **out)
{
    for (size_t i = 0; i < gs->n; i++)
        if (gs->g[i].taxid == taxid) return *out = &gs->g[i], GB_OK;
    if (GB_GROW(gs->g, gs->cap, gs->n + 1)) return GB_E_NOMEM;
    *out = &gs->g[gs->n++];
    memset(*out, 0, sizeof **out);
    (*out)->taxid = taxid;
    return GB_OK;
}

static int add_record(genome_t *g, const fastx_record_t *rec)
{
    if (GB_GROW(g->seq, g->cap, g->len + rec->seq_len) || GB_GROW(g->rec_start, g->cap_rec, g->nrec + 2))
        return GB_E_NOMEM;
    memcpy(g->seq + g->len, rec->seq, rec->seq_len);
    simreads_normalise(g->seq + g->len, rec->seq_len);
    g->rec_start[g->nrec++] = g->len;
    g->len += rec->seq_len;
    g->rec_start[g->nrec] = g->len;
    if (rec->seq_len > g->longest) g->longest = rec->seq_len;
    return GB_OK;
}

static int load_genomes(const sim_opts_t *o, const seqmap_t *map, genomes_t *gs)
{
    fastx_record_t rec = {0};
    int rc = 0;
    for (int f = 0; f < o->nrefs && rc >= 0; f++) {
        fastx_reader_t *r = fastx_open(o->refs[f]);
        if (!r) {
            rc = GB_E_IO;
            break;
        }
        while ((rc = fastx_read(r, &rec)) == 1) {
            genome_t *g;
            uint32_t taxid = seqmap_taxid_of_header(map, rec.name, rec.name_len);
            if (!taxid) {
                gb_error("%s: sequence '%.60s' has no taxid in %s", o->refs[f], rec.name,
                         o->seqmap ? o->seqmap : "its header (no --seqid2taxid)");
                rc = GB_E_FORMAT;
                break;
            }
            if ((rc = genome_of(gs, taxid, &g)) || (rc = add_record(g, &rec))) break;
        }
        fastx_close(r);
    }
    fastx_record_free(&rec);
    if (rc < 0) return rc;
    for (size_t i = 0; i < gs->n; i++) {
        genome_t *g = &gs->g[i];
        if (g->longest < (uint64_t)o->read_len) {
            gb_error("taxid %u: no sequence in --refs is as long as a read (%ld bases)", g->taxid, o->read_len);
            return GB_E_FORMAT;
        }
        g->view = (simreads_genome_t){g->seq, g->rec_start, (uint32_t)g->nrec, g->longest};
    }
    return GB_OK;
}

/* genus taxid of every genome from the dump (0 when its lineage has no genus) */
static int find_genera(const taxdump_t *d, genomes_t *gs)
{
    for (size_t i = 0; i < gs->n; i++) {
        uint32_t taxid = gs->g[i].taxid;
        for (int depth = 0; taxid && depth < 256; depth++) {
            uint32_t rec = taxdump_find(d, taxid);
            if (rec == TAXDUMP_NO_RECORD) {
                gb_error("%s: taxid %u (of --refs) is not in the taxonomy", taxdump_dir(d), taxid);
                return GB_E_TAXONOMY;
            }
            if (!strcmp(taxdump_rank_name(d, taxdump_rank(d, rec)), "genus")) {
                gs->g[i].genus = taxid;
                break;
            }
            taxid = taxdump_parent(d, rec);
        }
    }
    return GB_OK;
}

/* ---- planted effects ---- */

typedef struct {
    uint32_t genus;
    char name[128]; /* scientific name from the dump (cut at 127 bytes) */
    double fold;
} effect_t;

static int parse_effects(const sim_opts_t *o, const taxdump_t *d, const genomes_t *gs, effect_t *eff, int *neff)
{
    *neff = 0;
    for (int e = 0; e < o->neffects && !o->null; e++) {
        const char *spec = o->effect_spec[e], *eq = strrchr(spec, '=');
        char *end = NULL;
        double fold = eq ? strtod(eq + 1, &end) : 0;
        if (!eq || eq == spec || *end || !(fold > 0) || !isfinite(fold)) {
            gb_error("--effect %s: want GENUS=FOLD with FOLD > 0", spec);
            return GB_E_USAGE;
        }
        size_t nlen = (size_t)(eq - spec);
        uint32_t want = 0;
        int by_taxid = taxdump_parse_taxid(spec, nlen, &want) == GB_OK;
        uint32_t genus = 0;
        for (size_t i = 0; i < gs->n && !genus; i++) {
            uint32_t gt = gs->g[i].genus;
            if (!gt) continue;
            const char *name = taxdump_name(d, taxdump_find(d, gt));
            if (by_taxid ? gt == want : (strlen(name) == nlen && !strncmp(name, spec, nlen))) genus = gt;
        }
        if (!genus) {
            gb_error("--effect %s: no genome of --refs is in genus '%.*s'", spec, (int)nlen, spec);
            return GB_E_USAGE;
        }
        eff[*neff] = (effect_t){.genus = genus, .fold = fold};
        snprintf(eff[*neff].name, sizeof eff[*neff].name, "%s", taxdump_name(d, taxdump_find(d, genus)));
        ++*neff;
    }
    return GB_OK;
}

/* ---- the cohort: labels, metadata and compositions, drawn from stream 0 ---- */

typedef struct {
    char id[32];
    int is_case, phq9, age, female, antidepressant; /* phq9/age/antidepressant -1 = NA in the table */
    double bmi;                                     /* NaN = NA in the table */
    double *cells, *cum;                            /* per genome */
    uint64_t *reads;                                /* per genome, counted while writing */
} sim_sample_t;

static double clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* Metadata of one sample (docs/SIMULATE.md): the true values shift the composition; the table
 * loses ~3 % of them to NA. */
static void draw_metadata(simrng_t *r, sim_sample_t *s, double *age_true, double *bmi_true)
{
    double phq = s->is_case ? 15.0 + 4.5 * simrng_normal(r) : 4.0 + 3.0 * simrng_normal(r);
    s->phq9 = (int)lround(clamp(phq, 0, 27));
    *age_true = round(clamp(45.0 + 14.0 * simrng_normal(r), 18, 85));
    s->age = (int)*age_true;
    s->female = simrng_uniform(r) < 0.55;
    *bmi_true = round(10.0 * clamp(26.0 + 4.5 * simrng_normal(r), 16, 50)) / 10.0;
    s->bmi = *bmi_true;
    s->antidepressant = simrng_uniform(r) < (s->is_case ? 0.6 : 0.03);
    if (simrng_uniform(r) < 0.02) s->phq9 = -1;
    if (simrng_uniform(r) < 0.03) s->age = -1;
    if (simrng_uniform(r) < 0.03) s->bmi = NAN;
    if (simrng_uniform(r) < 0.03) s->antidepressant = -1;
}

typedef struct {
    double *mu, *prev, *beta_age, *beta_bmi, *shift;
} cohort_t;

static int draw_cohort(const sim_opts_t *o, const genomes_t *gs, const effect_t *eff, int neff, cohort_t *c,
                       sim_sample_t *smp)
{
    size_t n = gs->n, ns = (size_t)o->samples;
    simrng_t r;
    simrng_seed(&r, (uint64_t)o->seed, 0);
    uint64_t *length = malloc(n * sizeof *length);
    size_t *order = malloc(ns * sizeof *order);
    simcomm_species_t *pool = malloc((size_t)(o->pool > 0 ? o->pool : 1) * sizeof *pool);
    if (!length || !order || !pool) {
        free(length);
        free(order);
        free(pool);
        return GB_E_NOMEM;
    }
    for (size_t g = 0; g < n; g++) length[g] = gs->g[g].len;
    simcomm_cohort_pool(&r, &simcomm_defaults, n, (size_t)o->pool, c->mu, c->prev, pool);
    free(pool);
    for (size_t g = 0; g < n; g++) { /* covariate effects: log fold per 10 years and per 5 BMI units */
        c->beta_age[g] = 0.15 * simrng_normal(&r);
        c->beta_bmi[g] = 0.15 * simrng_normal(&r);
    }
    /* exactly round(cases * N) cases, chosen by a partial Fisher-Yates shuffle */
    size_t ncases = (size_t)llround(o->cases * (double)ns);
    for (size_t i = 0; i < ns; i++) order[i] = i;
    for (size_t i = 0; i < ncases; i++) {
        size_t j = i + (size_t)simrng_below(&r, ns - i), t = order[i];
        order[i] = order[j];
        order[j] = t;
        smp[order[i]].is_case = 1;
    }
    int width = snprintf(NULL, 0, "%ld", o->samples);
    for (size_t i = 0; i < ns; i++) {
        sim_sample_t *s = &smp[i];
        double age, bmi;
        snprintf(s->id, sizeof s->id, "S%0*zu", width < 3 ? 3 : width, i + 1);
        draw_metadata(&r, s, &age, &bmi);
        for (size_t g = 0; g < n; g++) {
            c->shift[g] = c->beta_age[g] * (age - 45.0) / 10.0 + c->beta_bmi[g] * (bmi - 26.0) / 5.0;
            for (int e = 0; e < neff && s->is_case; e++)
                if (gs->g[g].genus == eff[e].genus) c->shift[g] += log(eff[e].fold);
        }
        simcomm_sample(&r, &simcomm_defaults, n, c->mu, c->prev, c->shift, length, s->cells, s->cum);
    }
    free(length);
    free(order);
    return GB_OK;
}

/* ---- per sample: reads, per-read truth and the CAMI profile, from stream i + 1 ---- */

typedef struct {
    const sim_opts_t *o;
    const genomes_t *gs;
    const simreads_model_t *model;
    const taxo_t *taxo;
} writer_t;

/* Write text[0, len) to path through a temporary name. */
static int write_text(const char *path, const char *text, size_t len)
{
    outfile_t *f = outfile_open(path);
    if (!f) return GB_E_IO;
    if (fwrite(text, 1, len, outfile_fp(f)) != len) {
        gb_error("%s: write failed", path);
        outfile_abort(f);
        return GB_E_IO;
    }
    return outfile_commit(f);
}

static void fastq_record(FILE *f, const char *id, const char *seq, const char *qual, int len)
{
    fprintf(f, "@%s\n%.*s\n+\n%.*s\n", id, len, seq, len, qual);
}

static int write_sample(const writer_t *w, size_t index, sim_sample_t *s)
{
    const sim_opts_t *o = w->o;
    int L = (int)o->read_len, rc = GB_E_IO;
    outfile_t *fq[2] = {NULL, NULL}, *truth = NULL;
    char *buf = malloc(4 * (size_t)L), id[64];
    uint64_t *calls = calloc(w->taxo->n, sizeof *calls);
    strbuf_t path = STRBUF_INIT;
    simrng_t r;
    simrng_seed(&r, (uint64_t)o->seed, index + 1);
    if (!buf || !calls) {
        rc = GB_E_NOMEM;
        goto done;
    }
    for (int m = 0; m < 1 + o->paired; m++) {
        strbuf_clear(&path);
        if (strbuf_printf(&path, "%s/reads/%s%s.fastq.zst", o->out, s->id, o->paired ? (m ? "_R2" : "_R1") : ""))
            goto nomem;
        if (!(fq[m] = outfile_open(path.s))) goto done;
    }
    strbuf_clear(&path);
    if (strbuf_printf(&path, "%s/truth/reads/%s.tsv", o->out, s->id)) goto nomem;
    if (!(truth = outfile_open(path.s))) goto done;
    fputs("read_id\ttaxid\n", outfile_fp(truth));
    for (long k = 0; k < o->reads; k++) {
        size_t g = simcomm_pick(s->cum, w->gs->n, simrng_uniform(&r));
        snprintf(id, sizeof id, "%s_%ld", s->id, k + 1);
        simreads_fragment(&r, w->model, &w->gs->g[g].view, buf, buf + L, o->paired ? buf + 2 * L : NULL, buf + 3 * L);
        fastq_record(outfile_fp(fq[0]), id, buf, buf + L, L);
        if (o->paired) fastq_record(outfile_fp(fq[1]), id, buf + 2 * L, buf + 3 * L, L);
        fprintf(outfile_fp(truth), "%s\t%u\n", id, w->gs->g[g].taxid);
        s->reads[g]++;
    }
    for (int m = 0; m < 2; m++) {
        int c = fq[m] ? outfile_commit(fq[m]) : GB_OK;
        fq[m] = NULL;
        if (c) goto done;
    }
    rc = outfile_commit(truth);
    truth = NULL;
    if (rc) goto done;
    for (size_t g = 0; g < w->gs->n; g++) calls[taxo_internal(w->taxo, w->gs->g[g].taxid)] += s->reads[g];
    strbuf_clear(&path);
    if (strbuf_printf(&path, "%s/truth/%s.cami", o->out, s->id)) goto nomem;
    rc = cami_write_file(path.s, w->taxo, calls, s->id);
    goto done;
nomem:
    rc = GB_E_NOMEM;
done:
    for (int m = 0; m < 2; m++) outfile_abort(fq[m]);
    outfile_abort(truth);
    strbuf_free(&path);
    free(buf);
    free(calls);
    return rc;
}

/* ---- the cohort tables ---- */

static int write_tables(const sim_opts_t *o, const genomes_t *gs, const effect_t *eff, int neff, const cohort_t *c,
                        const sim_sample_t *smp)
{
    strbuf_t sheet = STRBUF_INIT, meta = STRBUF_INIT, abund = STRBUF_INIT, effects = STRBUF_INIT, cov = STRBUF_INIT,
             path = STRBUF_INIT;
    int rc = GB_E_NOMEM;
    const char *tag[2] = {"_R1", "_R2"};
    if (strbuf_puts(&sheet, "sample,fastq_1,fastq_2\n") ||
        strbuf_puts(&meta, "sample\tdepression\tphq9\tage\tsex\tbmi\tantidepressant\n") ||
        strbuf_puts(&abund, "sample\ttaxid\tread_fraction\tcell_fraction\treads\n") ||
        strbuf_puts(&effects, "genus_taxid\tname\tfold\n") ||
        strbuf_puts(&cov, "taxid\tlog_fold_per_10y_age\tlog_fold_per_5_bmi\n"))
        goto done;
    for (long i = 0; i < o->samples; i++) {
        const sim_sample_t *s = &smp[i];
        double per_len = 0;
        for (size_t g = 0; g < gs->n; g++) per_len += (double)s->reads[g] / (double)gs->g[g].len;
        if (strbuf_printf(&sheet, "%s,reads/%s%s.fastq.zst,", s->id, s->id, o->paired ? tag[0] : "") ||
            (o->paired && strbuf_printf(&sheet, "reads/%s%s.fastq.zst", s->id, tag[1])) || strbuf_putc(&sheet, '\n'))
            goto done;
        if (strbuf_printf(&meta, "%s\t%s\t", s->id, s->is_case ? "case" : "control") ||
            (s->phq9 < 0 ? strbuf_puts(&meta, "NA\t") : strbuf_printf(&meta, "%d\t", s->phq9)) ||
            (s->age < 0 ? strbuf_puts(&meta, "NA\t") : strbuf_printf(&meta, "%d\t", s->age)) ||
            strbuf_puts(&meta, s->female ? "F\t" : "M\t") ||
            (isnan(s->bmi) ? strbuf_puts(&meta, "NA\t") : strbuf_printf(&meta, "%.1f\t", s->bmi)) ||
            strbuf_puts(&meta, s->antidepressant < 0 ? "NA\n"
                               : s->antidepressant   ? "yes\n"
                                                     : "no\n"))
            goto done;
        for (size_t g = 0; g < gs->n; g++)
            if (s->reads[g] &&
                strbuf_printf(&abund, "%s\t%u\t%.9g\t%.9g\t%llu\n", s->id, gs->g[g].taxid,
                              (double)s->reads[g] / (double)o->reads,
                              (double)s->reads[g] / (double)gs->g[g].len / per_len, (unsigned long long)s->reads[g]))
                goto done;
    }
    for (int e = 0; e < neff; e++)
        if (strbuf_printf(&effects, "%u\t%s\t%g\n", eff[e].genus, eff[e].name, eff[e].fold)) goto done;
    for (size_t g = 0; g < gs->n; g++)
        if (strbuf_printf(&cov, "%u\t%.6f\t%.6f\n", gs->g[g].taxid, c->beta_age[g], c->beta_bmi[g])) goto done;
    const struct {
        const char *name;
        strbuf_t *text;
    } files[] = {{"samplesheet.csv", &sheet},
                 {"metadata.tsv", &meta},
                 {"truth/abundance.tsv", &abund},
                 {"truth/effects.tsv", &effects},
                 {"truth/covariates.tsv", &cov}};
    rc = GB_OK;
    for (size_t f = 0; f < sizeof files / sizeof files[0] && !rc; f++) {
        strbuf_clear(&path);
        rc = strbuf_printf(&path, "%s/%s", o->out, files[f].name);
        if (!rc) rc = write_text(path.s, files[f].text->s, files[f].text->len);
    }
done:
    strbuf_free(&sheet);
    strbuf_free(&meta);
    strbuf_free(&abund);
    strbuf_free(&effects);
    strbuf_free(&cov);
    strbuf_free(&path);
    return rc;
}

/* truth/cohort.biom: each sample's true read counts per genome taxid, as the profiles of a
 * one-rank `gutbrain run` (every read "classified", none unclassified). The lineages come from
 * the taxonomy pruned to the genomes, as a database's are, so `gutbrain stats --rank` collapses
 * the truth as it collapses a run's cohort. */
static int write_truth_cohort(const sim_opts_t *o, const genomes_t *gs, const taxo_t *taxo, sim_sample_t *smp,
                              const char *start)
{
    size_t n = gs->n, ns = (size_t)o->samples;
    profile_t *p = calloc(ns, sizeof *p);
    size_t *order = malloc(n * sizeof *order); /* genomes by ascending taxid, as profiles list them */
    uint32_t *taxid = malloc(ns * n * sizeof *taxid);
    uint64_t *count = malloc(ns * n * sizeof *count);
    char end[32], path[4096];
    int rc = GB_E_NOMEM;
    if (!p || !order || !taxid || !count) goto done;
    for (size_t g = 0; g < n; g++) {
        size_t j = g;
        for (; j > 0 && gs->g[order[j - 1]].taxid > gs->g[g].taxid; j--) order[j] = order[j - 1];
        order[j] = g;
    }
    uint64_t bases = (uint64_t)o->reads * (uint64_t)o->read_len * (o->paired ? 2u : 1u);
    for (size_t i = 0; i < ns; i++) {
        p[i] = (profile_t){.id = smp[i].id,
                           .reads = (uint64_t)o->reads,
                           .classified = (uint64_t)o->reads,
                           .bases = bases,
                           .taxid = taxid + i * n,
                           .count = count + i * n};
        for (size_t k = 0; k < n; k++)
            if (smp[i].reads[order[k]]) {
                p[i].taxid[p[i].ntaxa] = gs->g[order[k]].taxid;
                p[i].count[p[i].ntaxa++] = smp[i].reads[order[k]];
            }
    }
    time_t now = time(NULL);
    struct tm tm;
    strftime(end, sizeof end, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    cohort_meta_t meta = {.command_line = o->cmdline,
                          .version = GB_VERSION,
                          .db_path = "(none: simulated truth)",
                          .start_time = start,
                          .end_time = end,
                          .ranks = 1,
                          .threads = (int)o->threads};
    snprintf(path, sizeof path, "%s/truth/cohort.biom", o->out);
    rc = cohort_write(MPI_COMM_SELF, path, taxo, p, ns, 0, ns, &meta);
done:
    free(p);
    free(order);
    free(taxid);
    free(count);
    return rc;
}

/* ---- driver ---- */

static int sim_validate(const sim_opts_t *o)
{
    if (!o->taxonomy || !o->out || !o->samples || !o->reads || !o->seed_set) {
        gb_error(
            "--taxonomy, --samples, --reads-per-sample, --seed and --out are required (see gutbrain simulate --help)");
        return GB_E_USAGE;
    }
    if (o->nrefs < 1) {
        gb_error("no reference FASTA given (--refs; see gutbrain simulate --help)");
        return GB_E_USAGE;
    }
    if (o->paired && o->insert_mean < o->read_len)
        gb_warn("--insert-size %g is shorter than a read: fragments are read-length long", o->insert_mean);
    return GB_OK;
}

static int make_dirs(const char *out)
{
    const char *sub[] = {"", "/reads", "/truth", "/truth/reads"};
    strbuf_t path = STRBUF_INIT;
    int rc = GB_OK;
    for (size_t i = 0; i < sizeof sub / sizeof sub[0] && !rc; i++) {
        strbuf_clear(&path);
        if (strbuf_printf(&path, "%s%s", out, sub[i])) rc = GB_E_NOMEM;
        else if (mkdir(path.s, 0777) && errno != EEXIST) {
            gb_error("%s: cannot create folder: %s", path.s, strerror(errno));
            rc = GB_E_IO;
        }
    }
    strbuf_free(&path);
    return rc;
}

/* Loads refs, map and taxonomy; resolves the effects; prunes the taxonomy the CAMI files use. */
static int load_inputs(const sim_opts_t *o, genomes_t *gs, effect_t *eff, int *neff, taxo_t *taxo)
{
    seqmap_t *map = NULL;
    taxdump_t *dump = NULL;
    uint32_t *taxids = NULL;
    int rc;
    if (o->seqmap && (rc = seqmap_load(o->seqmap, &map))) goto done;
    if ((rc = load_genomes(o, map, gs))) goto done;
    if ((rc = taxdump_load(o->taxonomy, &dump)) || (rc = find_genera(dump, gs)) ||
        (rc = parse_effects(o, dump, gs, eff, neff)))
        goto done;
    if (!(taxids = malloc(gs->n * sizeof *taxids))) {
        rc = GB_E_NOMEM;
        goto done;
    }
    for (size_t g = 0; g < gs->n; g++) taxids[g] = gs->g[g].taxid;
    if (!(rc = taxo_prune(dump, taxids, gs->n, taxo))) rc = taxo_index(taxo);
done:
    free(taxids);
    taxdump_destroy(dump);
    seqmap_destroy(map);
    return rc;
}

static int simulate(const sim_opts_t *o)
{
    genomes_t gs = {0};
    effect_t eff[MAX_EFFECTS];
    int neff = 0, rc;
    taxo_t taxo = {0};
    cohort_t c = {0};
    sim_sample_t *smp = NULL;
    simreads_model_t model = {.read_len = (int)o->read_len,
                              .insert_mean = o->insert_mean,
                              .insert_sd = o->insert_sd,
                              .err_first = 0.001,
                              .err_last = 0.02,
                              .n_rate = 0.0005};
    char start[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    if ((rc = load_inputs(o, &gs, eff, &neff, &taxo))) goto done;
    if ((rc = simreads_model_init(&model))) goto done;
    size_t n = gs.n, ns = (size_t)o->samples;
    rc = GB_E_NOMEM;
    if (!(c.mu = calloc(5 * n, sizeof *c.mu)) || !(smp = calloc(ns, sizeof *smp))) goto done;
    c.prev = c.mu + n;
    c.beta_age = c.mu + 2 * n;
    c.beta_bmi = c.mu + 3 * n;
    c.shift = c.mu + 4 * n;
    for (size_t i = 0; i < ns; i++)
        if (!(smp[i].cells = calloc(2 * n, sizeof(double))) || !(smp[i].reads = calloc(n, sizeof(uint64_t)))) goto done;
    for (size_t i = 0; i < ns; i++) smp[i].cum = smp[i].cells + n;
    if ((rc = make_dirs(o->out)) || (rc = draw_cohort(o, &gs, eff, neff, &c, smp))) goto done;
    gb_info("%zu genomes, %zu samples (%ld cases), %d planted genera; writing reads with %ld threads", n, ns,
            (long)llround(o->cases * (double)ns), neff, o->threads);
    writer_t w = {o, &gs, &model, &taxo};
    int failed = 0; /* the first error stops the samples not yet started */
#pragma omp parallel for schedule(dynamic, 1) num_threads(o->threads) default(none) shared(w, smp, ns, failed)
    for (size_t i = 0; i < ns; i++) {
        int stop;
#pragma omp atomic read
        stop = failed;
        int r = stop ? GB_OK : write_sample(&w, i, &smp[i]);
        if (r) {
#pragma omp critical(simulate_failed)
            if (!failed) failed = r;
        }
    }
    if ((rc = failed) || (rc = write_tables(o, &gs, eff, neff, &c, smp)) ||
        (rc = write_truth_cohort(o, &gs, &taxo, smp, start)))
        goto done;
    gb_info("wrote %s (samplesheet.csv, metadata.tsv, reads/, truth/)", o->out);
done:
    for (size_t i = 0; smp && i < (size_t)o->samples; i++) {
        free(smp[i].cells);
        free(smp[i].reads);
    }
    free(smp);
    free(c.mu);
    simreads_model_destroy(&model);
    taxo_destroy(&taxo);
    genomes_free(&gs);
    return rc;
}

int cmd_simulate(int argc, char **argv)
{
    sim_opts_t o = {.threads = omp_get_max_threads(),
                    .read_len = 150,
                    .cases = 0.3,
                    .insert_mean = 350,
                    .insert_sd = 50,
                    .pool = 2900};
    char **pos = NULL;
    int npos = 0;
    int rc = cli_parse(argc, argv, sim_cli, NSIM_CLI, sim_on_opt, &o, &pos, &npos, sim_usage);
    if (rc == 1) rc = GB_OK;
    else if (!rc) {
        for (int i = 0; i < npos && !rc; i++) rc = sim_on_opt(&o, 0, pos[i]); /* extra FASTA after --refs */
        strbuf_t cmd = STRBUF_INIT;
        if (!rc) rc = strbuf_puts(&cmd, "gutbrain");
        for (int i = 0; i < argc && !rc; i++) rc = strbuf_printf(&cmd, " %s", argv[i]);
        o.cmdline = cmd.s;
        /* MPI only for the HDF5 cohort file (MPI-IO on MPI_COMM_SELF); no mpirun needed */
        if (!rc && !(rc = sim_validate(&o)) && !(rc = gb_mpi_init())) {
            rc = simulate(&o);
            gb_mpi_finalize();
        }
        strbuf_free(&cmd);
    }
    free(o.refs);
    return rc;
}
