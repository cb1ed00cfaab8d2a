/* libFuzzer harness: a Kraken 2 database folder: opts.k2d, taxo.k2d and hash.k2d, split at
 * FUZZ_SEP. Opened as gutbrain opens it (the kind is detected), read into memory so that
 * ASan sees every access; on success a few minimizers are looked up. */
#include "db.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"opts.k2d", "taxo.k2d", "hash.k2d"};
    fuzz_write_parts(data, size, names, 3);
    const db_load_t load = {.mode = DB_LOAD_READ, .threads = 1};
    gb_db_t *db = NULL;
    if (db_open_load(fuzz_tmpdir(), 0, &load, &db) != GB_OK) return 0;
    fuzz_check_lookups(db);
    db_close(db);
    return 0;
}
