/* Test and benchmark driver for cohort_write() under mpirun (not a unit test itself): every
 * rank generates its block of a deterministic synthetic cohort and all ranks write it.
 *
 *   cohort_mpi_driver OUT SAMPLES TAXA MIN_NNZ MAX_NNZ SEED [--zstd] [--dense]
 *                     [--empty-every N] [--bad-taxid] [--verbose]
 *
 * Sample j (0-based, cohort order) draws its own generator from (SEED, j), so the cohort is
 * the same whatever the number of ranks; it holds MIN_NNZ..MAX_NNZ distinct taxa out of TAXA
 * (every taxon with --dense), none when j % N == N - 1 (--empty-every N). Counts are 1..~1000.
 * --bad-taxid adds a taxid outside the taxonomy to the last sample (the write must fail).
 * Rank 0 prints one line: ranks= samples= taxa= nnz= sum= generate_s= write_s= bytes=
 * (write_s: slowest rank, barrier to return). Exit 0 on success, 1 on a failed write, 2 on
 * bad usage.
 *
 * The taxonomy: species 1000000+i (i < TAXA) in genera of 6, families of 4 genera, orders of
 * 3 families, classes of 3 orders, phyla of 2 classes, all under Bacteria (2). Every species
 * with i % 50 == 7 hangs directly from its family (no genus), species 0 has a non-ASCII name. */
#include <inttypes.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cohort_h5.h"
#include "log.h"
#include "test_util.h"

enum { SPECIES_BASE = 1000000, BAD_TAXID = 999999999 };

typedef struct {
    const char *out;
    uint64_t samples;
    uint32_t taxa, min_nnz, max_nnz;
    uint64_t seed, empty_every;
    int zstd, dense, bad_taxid;
} options_t;

/* ---------------------------------------------------------------- taxonomy */

typedef struct {
    taxo_t t;
    size_t names_cap, ranks_cap;
} taxo_builder_t;

static void add_node(taxo_builder_t *b, uint32_t external, uint32_t parent, const char *rank, const char *name)
{
    taxo_t *t = &b->t;
    uint32_t i = t->n++;
    size_t nl = strlen(name) + 1, rl = strlen(rank) + 1;
    while (t->names_len + nl > b->names_cap) t->names = realloc(t->names, b->names_cap = b->names_cap * 2 + 64);
    while (t->ranks_len + rl > b->ranks_cap) t->ranks = realloc(t->ranks, b->ranks_cap = b->ranks_cap * 2 + 64);
    if (!t->names || !t->ranks) abort();
    t->parent[i] = parent;
    t->external[i] = external;
    t->name_off[i] = (uint32_t)t->names_len;
    t->rank_off[i] = (uint32_t)t->ranks_len;
    memcpy(t->names + t->names_len, name, nl);
    memcpy(t->ranks + t->ranks_len, rank, rl);
    t->names_len += nl;
    t->ranks_len += rl;
}

static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

/* Levels top-down so parent[i] < i; internal id of the first node of each level is kept. */
static int synthetic_taxo(uint32_t nspecies, taxo_t *out)
{
    static const char *const rank[] = {"phylum", "class", "order", "family", "genus", "species"};
    static const char *const label[] = {"Phylum", "Class", "Order", "Family", "Genus", ""};
    static const uint32_t group[] = {2, 3, 3, 4, 6, 1}; /* children per parent, bottom-up */
    uint32_t count[6];
    count[5] = nspecies;
    for (int l = 4; l >= 0; l--) count[l] = ceil_div(count[l + 1] > 0 ? count[l + 1] : 1, group[l]);
    uint32_t total = 3;
    for (int l = 0; l < 6; l++) total += count[l];
    taxo_builder_t b;
    memset(&b, 0, sizeof b);
    b.t.owned = 1;
    b.t.parent = calloc(total, sizeof *b.t.parent);
    b.t.external = calloc(total, sizeof *b.t.external);
    b.t.name_off = calloc(total, sizeof *b.t.name_off);
    b.t.rank_off = calloc(total, sizeof *b.t.rank_off);
    if (!b.t.parent || !b.t.external || !b.t.name_off || !b.t.rank_off) abort();
    add_node(&b, 0, 0, "", "");
    add_node(&b, 1, 0, "no rank", "root");
    add_node(&b, 2, 1, "superkingdom", "Bacteria");
    uint32_t level_start[6], prev_start = 2;
    char name[96];
    for (int l = 0; l < 6; l++) {
        level_start[l] = b.t.n;
        for (uint32_t i = 0; i < count[l]; i++) {
            uint32_t parent = l == 0 ? 2 : prev_start + i / group[l - 1];
            if (l == 5) {
                uint32_t genus = i / group[4];
                if (i % 50 == 7) parent = level_start[3] + genus / group[3];    /* family */
                if (i == 0) snprintf(name, sizeof name, "\xc3\x96kella sp. 0"); /* "Ökella" */
                else snprintf(name, sizeof name, "Genus%u sp. %u", genus, i);
            } else {
                snprintf(name, sizeof name, "%s%u", label[l], i);
            }
            add_node(&b, (uint32_t)(100000 * (l + 1)) + i + (l == 5 ? SPECIES_BASE - 600000 : 0), parent, rank[l],
                     name);
        }
        prev_start = level_start[l];
    }
    *out = b.t;
    return taxo_index(out);
}

/* ---------------------------------------------------------------- profiles */

/* Sample j of the cohort; taxids/counts arrays owned by the profile (freed by the caller). */
static void synthetic_profile(const options_t *o, uint64_t j, uint8_t *mark, profile_t *p)
{
    test_rng_t rng = {o->seed ^ (j * 0xd1b54a32d192ed03ULL)};
    memset(p, 0, sizeof *p);
    if (asprintf(&p->id, "S%06" PRIu64, j) < 0) abort();
    uint32_t k = o->dense ? o->taxa : o->min_nnz + (uint32_t)(test_rng_next(&rng) % (o->max_nnz - o->min_nnz + 1));
    if (o->empty_every && j % o->empty_every == o->empty_every - 1) k = 0;
    /* Floyd's sampling of k distinct taxa, then collected in ascending order */
    for (uint32_t m = o->taxa - k; m < o->taxa; m++) {
        uint32_t r = (uint32_t)(test_rng_next(&rng) % (m + 1));
        mark[mark[r] ? m : r] = 1;
    }
    p->taxid = malloc((k + 1) * sizeof *p->taxid);
    p->count = malloc((k + 1) * sizeof *p->count);
    if (!p->taxid || !p->count) abort();
    for (uint32_t i = 0; i < o->taxa; i++) {
        if (!mark[i]) continue;
        mark[i] = 0;
        uint64_t r = test_rng_next(&rng) % 1000;
        p->taxid[p->ntaxa] = SPECIES_BASE + i;
        p->count[p->ntaxa] = 1 + r * r / 1000; /* skewed: many small counts */
        p->classified += p->count[p->ntaxa];
        p->ntaxa++;
    }
    p->unclassified = test_rng_next(&rng) % 500;
    p->reads = p->classified + p->unclassified;
    p->bases = p->reads * 150;
    p->fingerprint = test_rng_next(&rng);
}

/* ---------------------------------------------------------------- main */

static int parse(int argc, char **argv, options_t *o)
{
    memset(o, 0, sizeof *o);
    if (argc < 7) return -1;
    o->out = argv[1];
    o->samples = strtoull(argv[2], NULL, 10);
    o->taxa = (uint32_t)strtoul(argv[3], NULL, 10);
    o->min_nnz = (uint32_t)strtoul(argv[4], NULL, 10);
    o->max_nnz = (uint32_t)strtoul(argv[5], NULL, 10);
    o->seed = strtoull(argv[6], NULL, 10);
    for (int i = 7; i < argc; i++) {
        if (strcmp(argv[i], "--zstd") == 0) o->zstd = 1;
        else if (strcmp(argv[i], "--dense") == 0) o->dense = 1;
        else if (strcmp(argv[i], "--bad-taxid") == 0) o->bad_taxid = 1;
        else if (strcmp(argv[i], "--verbose") == 0) gb_verbosity = 2; /* cohort_write's phase times */
        else if (strcmp(argv[i], "--empty-every") == 0 && i + 1 < argc) o->empty_every = strtoull(argv[++i], NULL, 10);
        else return -1;
    }
    if (o->taxa == 0 || o->min_nnz > o->max_nnz || o->max_nnz > o->taxa) return -1;
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, nranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    options_t o;
    if (parse(argc, argv, &o) != 0) {
        if (rank == 0)
            fprintf(stderr,
                    "usage: %s OUT SAMPLES TAXA MIN_NNZ MAX_NNZ SEED [--zstd] [--dense] "
                    "[--empty-every N] [--bad-taxid] [--verbose]\n",
                    argv[0]);
        MPI_Finalize();
        return 2;
    }
    gb_log_set_rank(rank, nranks);
    double t0 = MPI_Wtime();
    taxo_t taxo;
    if (synthetic_taxo(o.taxa, &taxo) != 0) MPI_Abort(MPI_COMM_WORLD, 4);
    uint64_t first = o.samples * (uint64_t)rank / (uint64_t)nranks;
    uint64_t nlocal = o.samples * (uint64_t)(rank + 1) / (uint64_t)nranks - first;
    profile_t *local = calloc(nlocal ? nlocal : 1, sizeof *local);
    uint8_t *mark = calloc(o.taxa, 1);
    if (!local || !mark) MPI_Abort(MPI_COMM_WORLD, 4);
    uint64_t stats[2] = {0, 0}; /* nnz, sum of counts */
    for (uint64_t s = 0; s < nlocal; s++) {
        synthetic_profile(&o, first + s, mark, &local[s]);
        stats[0] += local[s].ntaxa;
        stats[1] += local[s].classified;
    }
    if (o.bad_taxid && nlocal > 0 && first + nlocal == o.samples) {
        profile_t *last = &local[nlocal - 1];
        last->taxid[last->ntaxa] = BAD_TAXID;
        last->count[last->ntaxa++] = 1;
    }
    uint64_t totals[2];
    MPI_Allreduce(stats, totals, 2, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);

    /* clang-format off */
    cohort_meta_t meta = {.command_line = "cohort_mpi_driver", .version = "driver", .db_checksum = o.seed,
                          .db_path = "synthetic", .confidence = 0.0, .min_hit_groups = 2,
                          .start_time = "2024-01-01T00:00:00Z", .end_time = "2024-01-01T00:00:01Z",
                          .ranks = nranks, .threads = 1,
                          .biom_compression = o.zstd ? COHORT_ZSTD : COHORT_DEFLATE};
    /* clang-format on */
    MPI_Barrier(MPI_COMM_WORLD);
    double t1 = MPI_Wtime();
    int rc = cohort_write(MPI_COMM_WORLD, o.out, &taxo, local, nlocal, first, o.samples, &meta);
    double t2 = MPI_Wtime(), gen = t1 - t0, write = t2 - t1, gen_max, write_max;
    MPI_Reduce(&gen, &gen_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&write, &write_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        struct stat st;
        long long bytes = (rc == 0 && stat(o.out, &st) == 0) ? (long long)st.st_size : -1;
        printf("ranks=%d samples=%" PRIu64 " taxa=%u nnz=%" PRIu64 " sum=%" PRIu64
               " generate_s=%.3f write_s=%.3f bytes=%lld rc=%d\n",
               nranks, o.samples, o.taxa, totals[0], totals[1], gen_max, write_max, bytes, rc);
    }
    for (uint64_t s = 0; s < nlocal; s++) {
        free(local[s].id);
        free(local[s].taxid);
        free(local[s].count);
    }
    free(local);
    free(mark);
    taxo_destroy(&taxo);
    MPI_Finalize();
    return rc == 0 ? 0 : 1;
}
