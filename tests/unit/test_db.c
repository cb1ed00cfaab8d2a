/* Unit tests for pipeline/db.c: a written database reopens with the same contents; a flipped
 * payload byte, a flipped header byte, another format version and a truncated file are each
 * refused with GB_E_DB, and a failed write leaves no file under the final name. Read into
 * memory (--db-load read), by the process itself or from memory the caller filled, it holds
 * the file's bytes and the same contents, and its payload checksums are still checked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include "test_util.h"
#include <cmocka.h>
#include "db.h"
#include "log.h"

static char dir[256];
static char path[512];

static uint32_t parent[] = {0, 0, 1, 2};
static uint32_t external[] = {0, 1, 2, 562};
static uint32_t name_off[] = {0, 0, 5, 14};
static uint32_t rank_off[] = {0, 0, 8, 13};
static char names[] = "root\0Bacteria\0Escherichia coli";
static char ranks[] = "no rank\0superkingdom\0species";

static void make_db(gb_db_t *db, uint32_t *cells)
{
    memset(db, 0, sizeof *db);
    minimizer_params_init(&db->mm, 35, 31, 7);
    db->taxo.n = 4;
    db->taxo.parent = parent;
    db->taxo.external = external;
    db->taxo.name_off = name_off;
    db->taxo.rank_off = rank_off;
    db->taxo.names = names;
    db->taxo.names_len = sizeof names;
    db->taxo.ranks = ranks;
    db->taxo.ranks_len = sizeof ranks;
    db->table.cells = cells;
    db->table.nbuckets = 4;
    db->table.value_bits = kmer_table_value_bits(4);
    for (uint64_t m = 1; m <= 20; m++)
        assert_true(kmer_table_insert(&db->table, m * 7919, (uint32_t)(m % 3) + 1, parent) >= 0);
    db->entries = 20;
    db->info.sequences = 3;
    db->info.bases = 12345;
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(test_tmpdir_make(dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/%s", dir, DB_FILE_NAME);
    uint32_t *cells = aligned_alloc(64, 4 * KMER_TABLE_BUCKET_CELLS * 4);
    memset(cells, 0, 4 * KMER_TABLE_BUCKET_CELLS * 4);
    gb_db_t db;
    make_db(&db, cells);
    assert_int_equal(db_write(dir, &db), 0);
    free(cells);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_tmpdir_remove(dir);
    return 0;
}

static void patch(long offset, unsigned char xor_mask)
{
    int fd = open(path, O_RDWR);
    unsigned char c;
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &c, 1, offset), 1);
    c ^= xor_mask;
    assert_int_equal(pwrite(fd, &c, 1, offset), 1);
    close(fd);
}

static void test_round_trip(void **state)
{
    (void)state;
    gb_db_t *db = NULL;
    assert_int_equal(db_open(dir, 1, &db), 0);
    assert_int_equal(db->mm.k, 35);
    assert_int_equal(db->mm.mask, 0x3FFFFFFFF3333333ULL);
    assert_int_equal(db->taxo.n, 4);
    assert_string_equal(taxo_name(&db->taxo, 3), "Escherichia coli");
    assert_int_equal(taxo_internal(&db->taxo, 562), 3);
    for (uint64_t m = 1; m <= 20; m++) assert_int_equal(kmer_table_lookup(&db->table, m * 7919), (uint32_t)(m % 3) + 1);
    assert_int_equal(db->info.bases, 12345);
    uint64_t id = db->checksum;
    db_close(db);
    /* the same content written again gives the same identity */
    assert_int_equal(db_open(path, 1, &db), 0);
    assert_int_equal(db->checksum, id);
    db_close(db);
}

/* The contents test_round_trip checks, on db opened as load says. */
static void expect_same_db(const db_load_t *load)
{
    gb_db_t *db = NULL, *mapped = NULL;
    assert_int_equal(db_open(dir, 1, &mapped), 0);
    assert_int_equal(db_open_load(dir, 1, load, &db), 0);
    assert_int_equal(db->checksum, mapped->checksum);
    assert_int_equal(db->map_len, mapped->map_len);
    assert_memory_equal(db->map, mapped->map, db->map_len);
    assert_int_equal(taxo_internal(&db->taxo, 562), 3);
    for (uint64_t m = 1; m <= 20; m++) assert_int_equal(kmer_table_lookup(&db->table, m * 7919), (uint32_t)(m % 3) + 1);
    assert_int_equal(db->read_here, load->mem ? 0 : db->map_len); /* the caller's memory was read by the caller */
    db_close(db);
    db_close(mapped);
}

static void test_read_load(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 3; threads++)
        expect_same_db(&(db_load_t){.mode = DB_LOAD_READ, .threads = threads});
}

/* Memory filled by the caller (as the node's ranks fill their shared window), in two shares. */
static void test_caller_memory(void **state)
{
    (void)state;
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    size_t len = (size_t)st.st_size;
    unsigned char *mem = malloc(len);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0 && mem);
    assert_int_equal(db_read_range(fd, path, mem, 4096, len, 2), GB_OK);
    assert_int_equal(db_read_range(fd, path, mem, 0, 4096, 1), GB_OK);
    assert_int_equal(db_read_range(fd, path, mem, 0, len + 1, 1), GB_E_IO); /* past the end */
    close(fd);
    db_load_t load = {.mode = DB_LOAD_READ, .mem = mem, .mem_len = len};
    expect_same_db(&load);
    gb_db_t *db = NULL;
    load.mem_len = len - 4096; /* the file changed between the fill and the open */
    assert_int_equal(db_open_load(dir, 1, &load, &db), GB_E_IO);
    assert_null(db);
    free(mem);
}

static void test_read_payload_flip(void **state)
{
    (void)state;
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    patch(st.st_size - 4096 + 8, 0x40);
    gb_db_t *db = NULL;
    assert_int_equal(db_open_load(dir, 1, &(db_load_t){.mode = DB_LOAD_READ, .threads = 2}, &db), GB_E_DB);
    assert_null(db);
}

static void test_load_parse(void **state)
{
    (void)state;
    db_load_mode_t mode = DB_LOAD_READ;
    assert_int_equal(db_load_parse("map", &mode), GB_OK);
    assert_int_equal(mode, DB_LOAD_MAP);
    assert_int_equal(db_load_parse("read", &mode), GB_OK);
    assert_int_equal(mode, DB_LOAD_READ);
    assert_int_equal(db_load_parse("mmap", &mode), GB_E_USAGE);
}

static void expect_refused(void)
{
    gb_db_t *db = NULL;
    assert_int_equal(db_open(dir, 1, &db), GB_E_DB);
    assert_null(db);
}

static void test_payload_flip(void **state)
{
    (void)state;
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    patch(st.st_size - 4096 + 8, 0x40); /* inside the table, the last section */
    expect_refused();
}

static void test_header_flip(void **state)
{
    (void)state;
    patch(260, 0x01); /* the bases count: covered by the header checksum */
    expect_refused();
}

static void test_other_version(void **state)
{
    (void)state;
    patch(8, 0x03); /* format version 1 -> 2 */
    expect_refused();
}

/* Found by tests/fuzz/fuzz_db (tests/fuzz/regress/db/spaced-overflow): a header with a
 * consistent checksum but a spaced-seed count near 2^30 made the check 2 * s > l overflow (UB)
 * and, where it wrapped, accepted the parameters. */
static void test_huge_spaced(void **state)
{
    (void)state;
    unsigned char h[4096];
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, h, sizeof h, 0), (ssize_t)sizeof h);
    uint32_t spaced = 0x48000007u; /* header offset 24 (docs/DB-FORMAT.md) */
    for (int i = 0; i < 4; i++) h[24 + i] = (unsigned char)(spaced >> (8 * i));
    uint64_t sum = XXH3_64bits(h, sizeof h - 8);
    for (int i = 0; i < 8; i++) h[sizeof h - 8 + i] = (unsigned char)(sum >> (8 * i));
    assert_int_equal(pwrite(fd, h, sizeof h, 0), (ssize_t)sizeof h);
    close(fd);
    expect_refused();
}

static void test_truncated(void **state)
{
    (void)state;
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 4096), 0);
    expect_refused();
}

static void test_not_a_db(void **state)
{
    (void)state;
    FILE *f = fopen(path, "w");
    fputs("hello", f);
    fclose(f);
    expect_refused();
    gb_db_t *db = NULL;
    assert_int_equal(db_open("/nonexistent/gb", 1, &db), GB_E_DB);
}

static void test_write_fails_cleanly(void **state)
{
    (void)state;
    uint32_t *cells = aligned_alloc(64, 4 * KMER_TABLE_BUCKET_CELLS * 4);
    memset(cells, 0, 4 * KMER_TABLE_BUCKET_CELLS * 4);
    gb_db_t db;
    make_db(&db, cells);
    assert_int_not_equal(db_write("/proc/gb-no-such-dir", &db), 0);
    free(cells);
}

int main(void)
{
    gb_verbosity = 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_payload_flip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_flip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_spaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_db, setup, teardown),
        cmocka_unit_test(test_write_fails_cleanly),
        cmocka_unit_test_setup_teardown(test_read_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caller_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_payload_flip, setup, teardown),
        cmocka_unit_test(test_load_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
