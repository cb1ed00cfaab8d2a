/* Unit tests for pipeline/db.c: a written database reopens with the same contents; a flipped
 * payload byte, a flipped header byte, another format version and a truncated file are each
 * refused with GB_E_DB, and a failed write leaves no file under the final name. */
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
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_db, setup, teardown),
        cmocka_unit_test(test_write_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
