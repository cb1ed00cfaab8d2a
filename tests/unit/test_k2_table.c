/* Unit tests for kernels/k2_table.c on hand-made tiny Kraken 2 tables (32- and 40-bit cells):
 * probe wrap-around at the end of the table, empty cells ending a probe, fragment collisions,
 * a full table, min_hash (capped databases), the value guard, and batch == scalar.
 * Cells are written here the way Kraken 2's build places them: the first empty cell from
 * h mod capacity. Seed: GB_TEST_SEED environment variable, default 12345 (printed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_util.h"
#include <cmocka.h>
#include "k2_table.h"
#include "kmer_table.h"

static uint64_t seed; /* set in main */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static k2_table_t new_table(uint64_t capacity, int cell_bytes, int value_bits)
{
    unsigned char *cells = calloc(capacity, (size_t)cell_bytes);
    assert_non_null(cells);
    k2_table_t t = {.cells = cells,
                    .cell_bytes = cell_bytes,
                    .value_bits = value_bits,
                    .max_value = (UINT32_C(1) << value_bits) - 1};
    k2_table_set_capacity(&t, capacity);
    return t;
}

static uint64_t fragment_of(const k2_table_t *t, uint64_t m)
{
    return kmer_table_hash(m) >> (64 - (8 * t->cell_bytes - t->value_bits));
}

/* Write cell i = (frag << value_bits) | value in the table's cell width. */
static void set_cell(k2_table_t *t, uint64_t i, uint64_t frag, uint32_t value)
{
    unsigned char *c = (unsigned char *)t->cells + i * (uint64_t)t->cell_bytes;
    uint64_t cell = frag << t->value_bits | value;
    for (int b = 0; b < t->cell_bytes; b++) c[b] = (unsigned char)(cell >> (8 * b));
}

static uint32_t value_at(const k2_table_t *t, uint64_t i)
{
    uint32_t a;
    memcpy(&a, t->cells + i * (uint64_t)t->cell_bytes, 4);
    return a & ((UINT32_C(1) << t->value_bits) - 1);
}

/* Store m -> value in the first empty cell from its home; returns that cell. */
static uint64_t put(k2_table_t *t, uint64_t m, uint32_t value)
{
    uint64_t i = kmer_table_hash(m) % t->capacity;
    while (value_at(t, i) != 0) i = (i + 1) % t->capacity;
    set_cell(t, i, fragment_of(t, m), value);
    return i;
}

/* The n-th key (from start) whose home cell is `home`. */
static uint64_t key_with_home(const k2_table_t *t, uint64_t home, uint64_t *start)
{
    for (uint64_t m = *start;; m++)
        if (kmer_table_hash(m) % t->capacity == home) {
            *start = m + 1;
            return m;
        }
}

static void check_wrap_and_empty(int cell_bytes)
{
    k2_table_t t = new_table(8, cell_bytes, 8);
    uint64_t next = seed;
    uint64_t a = key_with_home(&t, 7, &next), b = key_with_home(&t, 7, &next), c = key_with_home(&t, 7, &next);
    assert_int_equal(put(&t, a, 11), 7);
    assert_int_equal(put(&t, b, 12), 0); /* wrapped around the end */
    assert_int_equal(k2_table_lookup(&t, a), 11);
    assert_int_equal(k2_table_lookup(&t, b), 12);
    assert_int_equal(k2_table_lookup(&t, c), 0); /* cells 7, 0, then empty cell 1 */
    /* A cell holding c's fragment after the empty cell 1 is never reached. */
    set_cell(&t, 2, fragment_of(&t, c), 13);
    assert_int_equal(k2_table_lookup(&t, c), 0);
    /* An empty home cell: a miss without looking further. */
    uint64_t d = key_with_home(&t, 1, &next);
    set_cell(&t, 2, fragment_of(&t, d), 14);
    assert_int_equal(k2_table_lookup(&t, d), 0);
    free((void *)t.cells);
}

static void test_wrap_and_empty_32(void **state)
{
    (void)state;
    check_wrap_and_empty(4);
}

static void test_wrap_and_empty_40(void **state)
{
    (void)state;
    check_wrap_and_empty(5);
}

/* Two minimizers with the same fragment on one probe run: the absent one finds the stored
 * one's value (Kraken 2 compares fragments only). 4 or 9 key bits make such pairs common. */
static void check_fragment_collision(int cell_bytes)
{
    const int value_bits = cell_bytes == 4 ? 28 : 31;
    k2_table_t t = new_table(16, cell_bytes, value_bits);
    uint64_t next = seed, a = key_with_home(&t, 3, &next), b;
    do b = key_with_home(&t, 3, &next);
    while (fragment_of(&t, b) != fragment_of(&t, a));
    put(&t, a, 21);
    assert_int_equal(k2_table_lookup(&t, b), 21);
    /* The same fragment one cell further: still found, as the run has no empty cell before it. */
    k2_table_t u = new_table(16, cell_bytes, value_bits);
    uint64_t other;
    do other = key_with_home(&u, 3, &next);
    while (fragment_of(&u, other) == fragment_of(&u, a));
    put(&u, other, 5);
    put(&u, a, 22);
    assert_int_equal(k2_table_lookup(&u, b), 22);
    free((void *)t.cells);
    free((void *)u.cells);
}

static void test_fragment_collision(void **state)
{
    (void)state;
    check_fragment_collision(4);
    check_fragment_collision(5);
}

/* 40-bit cells: the key spans the u32 and the fifth byte; a difference only in the fifth
 * byte's bits must be a miss. */
static void test_40bit_high_key_bits(void **state)
{
    (void)state;
    k2_table_t t = new_table(4, 5, 12);
    uint64_t next = seed, a = key_with_home(&t, 2, &next);
    uint64_t frag = fragment_of(&t, a);
    set_cell(&t, 2, frag ^ (UINT64_C(1) << 27), 9); /* key bit 27 lies in the fifth byte */
    assert_int_equal(k2_table_lookup(&t, a), 0);
    set_cell(&t, 2, frag, 9);
    assert_int_equal(k2_table_lookup(&t, a), 9);
    free((void *)t.cells);
}

/* A full table without the fragment: the probe stops after one turn. */
static void test_full_table(void **state)
{
    (void)state;
    k2_table_t t = new_table(5, 4, 8);
    uint64_t next = seed, a = key_with_home(&t, 4, &next);
    for (uint64_t i = 0; i < 5; i++) set_cell(&t, i, (fragment_of(&t, a) + 1 + i) & 0xFFFFFF, 1);
    assert_int_equal(k2_table_lookup(&t, a), 0);
    free((void *)t.cells);
}

/* Capped databases: h < min_hash is a miss even when stored; values above max_value too. */
static void test_min_hash_and_guard(void **state)
{
    (void)state;
    k2_table_t t = new_table(64, 4, 8);
    uint64_t next = seed, lo = 0, hi = 0;
    while (!lo || !hi) {
        uint64_t m = next++;
        if (kmer_table_hash(m) < UINT64_C(1) << 63 && !lo) lo = m;
        if (kmer_table_hash(m) >= UINT64_C(1) << 63 && !hi) hi = m;
    }
    put(&t, lo, 7);
    put(&t, hi, 8);
    t.min_hash = UINT64_C(1) << 63;
    assert_int_equal(k2_table_lookup(&t, lo), 0);
    assert_int_equal(k2_table_lookup(&t, hi), 8);
    uint64_t keys[] = {lo, hi, UINT64_MAX};
    uint32_t out[3];
    k2_table_lookup_batch(&t, keys, 3, out);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 8);
    assert_int_equal(out[2], 0);
    t.max_value = 7;
    assert_int_equal(k2_table_lookup(&t, hi), 0);
    free((void *)t.cells);
}

/* The batch gives what one lookup at a time gives, at a high load with long runs. */
static void test_batch_equals_scalar(void **state)
{
    (void)state;
    for (int cell_bytes = 4; cell_bytes <= 5; cell_bytes++) {
        enum { CAP = 1000, STORED = 900, Q = 2000 };
        k2_table_t t = new_table(CAP, cell_bytes, 10);
        for (uint64_t i = 0; i < STORED; i++) put(&t, test_rng_mix(seed + i), (uint32_t)(1 + i % 1000));
        uint64_t keys[Q];
        uint32_t out[Q];
        for (uint64_t i = 0; i < Q; i++) keys[i] = i % 7 == 6 ? UINT64_MAX : test_rng_mix(seed + i);
        k2_table_lookup_batch(&t, keys, Q, out);
        for (uint64_t i = 0; i < Q; i++) {
            uint32_t want = keys[i] == UINT64_MAX ? 0 : k2_table_lookup(&t, keys[i]);
            assert_int_equal(out[i], want);
            if (i < STORED && keys[i] != UINT64_MAX) assert_int_equal(out[i], 1 + i % 1000);
        }
        free((void *)t.cells);
    }
}

/* k2_table_home equals h % capacity for edge and random capacities and hashes. */
static void test_home_is_remainder(void **state)
{
    (void)state;
    const uint64_t caps[] = {1,
                             2,
                             3,
                             7,
                             1000,
                             4096,
                             47244640259ULL,
                             (1ULL << 32) - 1,
                             1ULL << 32,
                             (1ULL << 32) + 1,
                             (1ULL << 63) - 25,
                             1ULL << 63,
                             UINT64_MAX - 1,
                             UINT64_MAX};
    const uint64_t edge[] = {
        0, 1, 2, (1ULL << 32) - 1, 1ULL << 32, (1ULL << 63) - 1, 1ULL << 63, UINT64_MAX - 1, UINT64_MAX};
    uint64_t x = seed;
    for (size_t c = 0; c < N_OF(caps) + 200; c++) {
        k2_table_t t = {0};
        uint64_t r1 = kmer_table_hash(x++), r2 = kmer_table_hash(x++);
        uint64_t cap = c < N_OF(caps) ? caps[c] : (r1 >> (r2 % 63)) + 1; /* capacities of every size */
        k2_table_set_capacity(&t, cap);
        for (size_t i = 0; i < N_OF(edge); i++) assert_int_equal(k2_table_home(&t, edge[i]), edge[i] % cap);
        for (size_t i = 0; i < N_OF(edge); i++) /* multiples of cap and their neighbours */
            for (uint64_t q = 1; q < 4 && cap <= UINT64_MAX / (q + 1); q++)
                for (int dlt = -1; dlt <= 1; dlt++) {
                    uint64_t h = q * cap + (uint64_t)(int64_t)dlt;
                    assert_int_equal(k2_table_home(&t, h), h % cap);
                }
        for (int i = 0; i < 2000; i++) {
            uint64_t h = kmer_table_hash(x++);
            assert_int_equal(k2_table_home(&t, h), h % cap);
        }
    }
}

int main(void)
{
    seed = test_seed("test_k2_table");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_and_empty_32),   cmocka_unit_test(test_wrap_and_empty_40),
        cmocka_unit_test(test_fragment_collision),  cmocka_unit_test(test_40bit_high_key_bits),
        cmocka_unit_test(test_full_table),          cmocka_unit_test(test_min_hash_and_guard),
        cmocka_unit_test(test_batch_equals_scalar), cmocka_unit_test(test_home_is_remainder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
