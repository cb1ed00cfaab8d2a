/* gutbrain bracken-build: DIR/database{L}mers.kmer_distrib, Bracken's k-mer distribution, from
 * the database's own classification of its library (docs/BRACKEN-BUILD.md).
 *
 * The command line, finding the library, and classifying each library file with
 * classify_sample() into a temporary per-read file in DIR (Kraken 2's format), which
 * pipeline/bracken_build.c turns into the tables. */
#include "cmd.h"
#include "bracken_build.h"
#include "classify_sample.h"
#include "cli.h"
#include "db.h"
#include "gb_array.h"
#include "log.h"
#include "seqmap.h"
#include "strbuf.h"
#include <ftw.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_READ_LENGTHS BRACKEN_BUILD_MAX_LENGTHS

typedef struct {
    const char *db, *seqmap, *kraken;
    long threads;
    db_load_mode_t db_load;
    long read_len[MAX_READ_LENGTHS];
    int nread_len;
    const char **library; /* --library values and positional arguments */
    size_t nlibrary, cap_library;
    char **pos;
    int npos;
    strbuf_t default_seqmap; /* DIR/seqid2taxid.map */
} bbuild_opts_t;

/* clang-format off */
static const cli_option_t bbuild_cli[] = {
    { "db", 0, "DIR", "database folder; the distribution files are written there (required)" },
    { "db-load", 0, "HOW", "map (default, faster on local disks) or read: the database into this process's memory by parallel reads, for network file systems" },
    { "read-length", 0, "L[,L2...]", "read lengths, each at least the database's k (required)" },
    { "threads", 't', "N", "threads (default: OpenMP's)" },
    { "library", 0, "FASTA", "a library file (repeatable; also as arguments); default DIR/library/**/*.{fna,fa,fasta}" },
    { "seqid2taxid", 0, "FILE", "sequence id -> taxid map; default DIR/seqid2taxid.map, else kraken:taxid headers" },
    { "kraken", 0, "FILE", "per-read output of the library made before (Bracken's database.kraken): no classifying" },
    { "quiet", 'q', NULL, "only errors and warnings" },
    { "verbose", 'v', NULL, "more log lines" },
    { "version", 'V', NULL, "print the version" },
    { "help", 'h', NULL, "this help" },
};
/* clang-format on */
#define NBBUILD_CLI (int)(sizeof bbuild_cli / sizeof bbuild_cli[0])
static const char bbuild_usage[] =
    "Usage: gutbrain bracken-build --db DIR --read-length L[,L2...] [--threads N] [--seqid2taxid FILE]\n"
    "                              [--library FASTA ... | --kraken FILE] [FASTA ...]\n"
    "Writes DIR/database{L}mers.kmer_distrib for each L, as Bracken's bracken-build: every L-long window\n"
    "of every library sequence classified the Kraken way from the sequence's k-mer calls.";

static int add_library(bbuild_opts_t *o, const char *path)
{
    if (GB_GROW(o->library, o->cap_library, o->nlibrary + 1)) return GB_E_NOMEM;
    o->library[o->nlibrary++] = path;
    return GB_OK;
}

static int bbuild_on_opt(void *ctx, int i, const char *v)
{
    bbuild_opts_t *o = ctx;
    const char *name = bbuild_cli[i].name;
    if (!strcmp(name, "db")) o->db = v;
    else if (!strcmp(name, "db-load")) return db_load_parse(v, &o->db_load);
    else if (!strcmp(name, "read-length")) return bracken_build_parse_lengths(name, v, o->read_len, &o->nread_len);
    else if (!strcmp(name, "threads")) return cli_int(name, v, 1, 1024, &o->threads);
    else if (!strcmp(name, "library")) return add_library(o, v);
    else if (!strcmp(name, "seqid2taxid")) o->seqmap = v;
    else if (!strcmp(name, "kraken")) o->kraken = v;
    else if (!strcmp(name, "quiet")) gb_verbosity = 0;
    else if (!strcmp(name, "verbose")) gb_verbosity = 2;
    return 0;
}

/* ---- the default library: what DIR/library holds, as Bracken's bracken-build finds it ---- */

static strbuf_t found_paths = STRBUF_INIT; /* nftw has no context pointer: NUL-separated */

static int collect_fasta(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    static const char *const ext[] = {".fna", ".fa", ".fasta"};
    size_t len = strlen(path);
    if (type != FTW_F) return 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t n = strlen(ext[i]);
        if (len > n && !strcmp(path + len - n, ext[i])) return strbuf_append(&found_paths, path, len + 1) ? 1 : 0;
    }
    return 0;
}

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Add DIR/library's FASTA files, sorted by path. The paths stay in found_paths. */
static int find_library(bbuild_opts_t *o)
{
    strbuf_t dir = STRBUF_INIT;
    int rc = strbuf_printf(&dir, "%s/library", o->db);
    if (rc) return rc;
    struct stat st;
    if (stat(dir.s, &st) || !S_ISDIR(st.st_mode)) {
        gb_error("no library given and %s is not a folder: pass the reference FASTA files (--library)", dir.s);
        strbuf_free(&dir);
        return GB_E_USAGE;
    }
    if (nftw(dir.s, collect_fasta, 16, 0)) {
        gb_error("%s: cannot list its files", dir.s);
        rc = GB_E_IO;
    }
    for (size_t off = 0; !rc && off < found_paths.len; off += strlen(found_paths.s + off) + 1)
        rc = add_library(o, found_paths.s + off);
    if (!rc && o->nlibrary == 0) {
        gb_error("%s holds no .fna, .fa or .fasta file", dir.s);
        rc = GB_E_USAGE;
    }
    if (!rc) qsort(o->library, o->nlibrary, sizeof *o->library, by_string);
    strbuf_free(&dir);
    return rc;
}

static int bbuild_validate(bbuild_opts_t *o)
{
    if (!o->db || !o->nread_len) {
        gb_error("--db and --read-length are required (see gutbrain bracken-build --help)");
        return GB_E_USAGE;
    }
    for (int i = 0; i < o->npos; i++)
        if (add_library(o, o->pos[i])) return GB_E_NOMEM;
    if (o->kraken && o->nlibrary) {
        gb_error("--kraken replaces classifying the library: give either, not both");
        return GB_E_USAGE;
    }
    if (!o->seqmap) { /* Kraken 2 databases keep the map next to their tables */
        if (strbuf_printf(&o->default_seqmap, "%s/seqid2taxid.map", o->db)) return GB_E_NOMEM;
        if (!access(o->default_seqmap.s, R_OK)) o->seqmap = o->default_seqmap.s;
    }
    return o->kraken || o->nlibrary ? GB_OK : find_library(o);
}

int cmd_bracken_build(int argc, char **argv)
{
    bbuild_opts_t o = {.threads = omp_get_max_threads()};
    seqmap_t *seqmap = NULL;
    gb_db_t *db = NULL;
    int rc = cli_parse(argc, argv, bbuild_cli, NBBUILD_CLI, bbuild_on_opt, &o, &o.pos, &o.npos, bbuild_usage);
    if (rc) goto done;
    if ((rc = bbuild_validate(&o))) goto done;
    omp_set_num_threads((int)o.threads);
    if (o.seqmap && (rc = seqmap_load(o.seqmap, &seqmap))) goto done;
    db_load_t load = {.mode = o.db_load, .threads = (int)o.threads};
    if ((rc = db_open_load(o.db, 1, &load, &db))) goto done;
    rc = bracken_build_library(db, seqmap, o.seqmap, o.read_len, o.nread_len, o.library, o.nlibrary, o.kraken,
                               (int)o.threads, o.db);
done:
    db_close(db);
    seqmap_destroy(seqmap);
    free(o.library);
    strbuf_free(&o.default_seqmap);
    strbuf_free(&found_paths);
    return rc > 0 ? 0 : rc;
}
