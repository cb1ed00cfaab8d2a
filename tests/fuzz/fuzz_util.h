/* What every libFuzzer harness of tests/fuzz shares (docs/FUZZING.md): a silent logger and a
 * private folder in $TMPDIR, made once per process, into which the input is written under the
 * file name the parser expects (most parsers take a path, not bytes). Inputs holding several
 * files (a taxdump, a Kraken 2 database) are split at FUZZ_SEP, a line the seeds contain and
 * the fuzzer can move or drop. The folder is removed at exit (not after a crash or timeout,
 * which end the process at once: tests/fuzz/run.sh gives each harness a TMPDIR it removes). */
#ifndef GB_FUZZ_UTIL_H
#define GB_FUZZ_UTIL_H
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"

#define FUZZ_SEP "\n--fuzz-file--\n"

static char fuzz_dir[4096];

static inline int fuzz_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static inline void fuzz_cleanup(void)
{
    if (nftw(fuzz_dir, fuzz_remove, 8, FTW_DEPTH | FTW_PHYS) != 0) perror(fuzz_dir);
}

/* The private folder, made on the first call; also silences the logger. */
static inline const char *fuzz_tmpdir(void)
{
    if (fuzz_dir[0]) return fuzz_dir;
    const char *t = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/gbfuzz.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(fuzz_dir)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(fuzz_cleanup);
    gb_verbosity = -1;
    return fuzz_dir;
}

/* Write data[0, size) to fuzz_tmpdir()/name (replacing it); returns the path (static). */
static inline const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", fuzz_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
    return path;
}

/* Write the parts of data separated by FUZZ_SEP to fuzz_tmpdir()/names[i], i < n; parts
 * beyond the input are written empty, and the last file takes the rest of the input. */
static inline void fuzz_write_parts(const uint8_t *data, size_t size, const char *const *names, int n)
{
    size_t seplen = strlen(FUZZ_SEP);
    for (int i = 0; i < n; i++) {
        const uint8_t *end = i + 1 < n ? memmem(data, size, FUZZ_SEP, seplen) : NULL;
        size_t len = end ? (size_t)(end - data) : size;
        fuzz_write(names[i], data, len);
        size_t skip = end ? len + seplen : size;
        data += skip;
        size -= skip;
    }
}

#ifdef GB_DB_H
/* Look up 64 spread keys in an opened database as classification does: every value found must
 * name a taxonomy node (a corrupt table must read as misses), else abort for the fuzzer. */
static inline void fuzz_check_lookups(const gb_db_t *db)
{
    uint64_t keys[64];
    uint32_t taxa[64];
    for (uint64_t i = 0; i < 64; i++) keys[i] = i * 0x9e3779b97f4a7c15ull;
    classify_table_t t = db_classify_table(db);
    classify_table_lookup(&t, keys, 64, taxa);
    for (int i = 0; i < 64; i++)
        if (taxa[i] >= db->taxo.n) abort();
}
#endif

#endif
