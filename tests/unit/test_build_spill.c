/* Unit tests for pipeline/build_spill.c: the pair buffer's four arrays are aligned for their
 * types whatever the buffer size (an odd pair count once left the sort scratch h2 4-byte
 * aligned, which UBSan reports in the sanitizer build), and pairs spilled in two runs read back
 * ascending, equal hashes merged by LCA. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include "test_util.h"
#include <cmocka.h>
#include "build_spill.h"

/* root 1; 2 and 3 children of 1 */
static const uint32_t parent[] = {0, 0, 1, 1};

static void test_aligned_for_any_size(void **state)
{
    test_tmpdir_t *tmp = *state;
    for (size_t pairs = 1; pairs <= 9; pairs++) {
        build_spill_t s;
        assert_int_equal(build_spill_init(&s, tmp->dir, pairs * BUILD_SPILL_PAIR + 5, parent, 1), GB_OK);
        assert_true(s.cap <= pairs);
        assert_int_equal((uintptr_t)s.h % _Alignof(uint64_t), 0);
        assert_int_equal((uintptr_t)s.h2 % _Alignof(uint64_t), 0);
        assert_int_equal((uintptr_t)s.t % _Alignof(uint32_t), 0);
        assert_int_equal((uintptr_t)s.t2 % _Alignof(uint32_t), 0);
        build_spill_destroy(&s);
    }
    tmp->passed = 1;
}

static void test_two_runs_merged(void **state)
{
    test_tmpdir_t *tmp = *state;
    build_spill_t s;
    /* 3 pairs asked for: 2 fit, so the five pairs below go out in three runs */
    assert_int_equal(build_spill_init(&s, tmp->dir, 3 * BUILD_SPILL_PAIR, parent, 2), GB_OK);
    assert_int_equal(s.cap, 2);
    const uint64_t hs[] = {7ULL << 60, 1ULL << 60, 7ULL << 60, 3, 1ULL << 60};
    const uint32_t ts[] = {2, 3, 3, 2, 3};
    for (size_t i = 0; i < 5; i++) {
        if (s.n == s.cap) assert_int_equal(build_spill_flush(&s), GB_OK);
        s.h[s.n] = hs[i];
        s.t[s.n++] = ts[i];
    }
    assert_int_equal(build_spill_flush(&s), GB_OK);
    assert_int_equal(s.nruns, 3);
    assert_int_equal(build_spill_finish(&s), GB_OK);
    assert_int_equal(build_spill_merge(&s, 0, BUILD_SPILL_PARTS), GB_OK);
    assert_int_equal(s.distinct, 3);
    uint64_t got_h[3];
    uint32_t got_t[3];
    size_t k = 0;
    for (unsigned p = 0; p < BUILD_SPILL_PARTS; p++) {
        const uint64_t *h;
        const uint32_t *t;
        size_t n;
        assert_int_equal(build_spill_read(&s, p, &h, &t, &n), GB_OK);
        for (size_t i = 0; i < n; i++, k++) {
            assert_true(k < 3);
            got_h[k] = h[i];
            got_t[k] = t[i];
        }
    }
    assert_int_equal(k, 3);
    assert_int_equal(got_h[0], 3);
    assert_int_equal(got_t[0], 2);
    assert_int_equal(got_h[1], 1ULL << 60);
    assert_int_equal(got_t[1], 3);
    assert_int_equal(got_h[2], 7ULL << 60);
    assert_int_equal(got_t[2], 1); /* LCA of 2 and 3 */
    build_spill_destroy(&s);
    tmp->passed = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {test_tmpdir_unit_test(test_aligned_for_any_size),
                                       test_tmpdir_unit_test(test_two_runs_merged)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
