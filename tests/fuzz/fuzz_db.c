/* libFuzzer harness: a gutbrain.db (docs/DB-FORMAT.md), read into memory rather than mapped so
 * that ASan sees every access. A mutated header would almost always fail its checksum, so the
 * harness rewrites the header's file size (offset 240) and checksum (XXH3-64 of bytes
 * [0, 4088), stored at 4088) before writing the file: the checks behind them (parameters,
 * section bounds, the taxonomy) are the ones a hostile or buggy writer reaches. Payload
 * checksums are not verified, for the same reason. */
#include <stdlib.h>
#include <xxhash.h>
#include "db.h"
#include "fuzz_util.h"

enum { HEADER_BYTES = 4096, FILE_BYTES_AT = 240, CHECKSUM_AT = HEADER_BYTES - 8 };

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    if (size >= HEADER_BYTES) {
        put_le64(copy + FILE_BYTES_AT, size);
        put_le64(copy + CHECKSUM_AT, XXH3_64bits(copy, CHECKSUM_AT));
    }
    const char *path = fuzz_write(DB_FILE_NAME, copy, size);
    free(copy);
    const db_load_t load = {.mode = DB_LOAD_READ, .threads = 1};
    gb_db_t *db = NULL;
    if (db_open_load(path, 0, &load, &db) == GB_OK) {
        fuzz_check_lookups(db);
        db_close(db);
    }
    return 0;
}
