/* Unit tests for kernels/rnames.c: make.names of R 4.2.2 in a UTF-8 locale (C.UTF-8). The
 * table is R's own output, printed by
 *   y <- make.names(x); cat(sprintf("{\"%s\", \"%s\"},\n", x, y))
 * (non-ASCII bytes written as \x escapes) for the x of the first column: taxids, NCBI names,
 * R's reserved words, leading dots and digits, and characters on both sides of the Unicode
 * ranges rnames.h calls exact. No randomness. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "rnames.h"

/* clang-format off */
static const char *const R_MAKE_NAMES[][2] = {
    {"216851", "X216851"},
    {"Bacteroides", "Bacteroides"},
    {"g__Faecalibacterium", "g__Faecalibacterium"},
    {"s__Escherichia coli", "s__Escherichia.coli"},
    {".5x", "X.5x"},
    {".x5", ".x5"},
    {".", "."},
    {"..", ".."},
    {"...", "..."},
    {"..1", "..1"},
    {"_a", "X_a"},
    {"a_b", "a_b"},
    {"a-b+c", "a.b.c"},
    {"", "X"},
    {"if", "if."},
    {"TRUE", "TRUE."},
    {"NA", "NA."},
    {"NA_real_", "NA_real_."},
    {"Inf", "Inf."},
    {"NaN", "NaN."},
    {"function", "function."},
    {"while", "while."},
    {"NULL", "NULL."},
    {"break", "break."},
    {"in", "in."},
    {"repeat", "repeat."},
    {"next", "next."},
    {"for", "for."},
    {"else", "else."},
    {"FALSE", "FALSE."},
    {"NA_integer_", "NA_integer_."},
    {"NA_character_", "NA_character_."},
    {"NA_complex_", "NA_complex_."},
    {"F", "F"},
    {"T", "T"},
    {"9lives", "X9lives"},
    {"a b", "a.b"},
    {"x.1", "x.1"},
    {"[Eubacterium] rectale", "X.Eubacterium..rectale"},
    {"Lachnospiraceae bacterium 1_4_56FAA", "Lachnospiraceae.bacterium.1_4_56FAA"},
    {"\xc3""\x96""kella sp. 0", "\xc3""\x96""kella.sp..0"},
    {"a\xe2""\x80""\x93""b", "a.b"},
    {"\xc2""\xb5""m", "\xc2""\xb5""m"},
    {"_", "X_"},
    {"1e5", "X1e5"},
    {"if.", "if."},
    {"If", "If"},
    {"\xc3""\x97""x", "X.x"},
    {"a\xc3""\x97""b\xc3""\xb7""c", "a.b.c"},
    {"\xc3""\xa9""t\xc3""\xa9""", "\xc3""\xa9""t\xc3""\xa9"""},
    {"\xc2""\xaa""\xc2""\xba""", "\xc2""\xaa""\xc2""\xba"""},
    {"a\xc2""\xa0""b", "a.b"},
    {"\xce""\xb1""-proteobacterium", "\xce""\xb1"".proteobacterium"},
    {"\xc4""\x80""\xc9""\x8f""", "\xc4""\x80""\xc9""\x8f"""},
    {"x\xe2""\x80""\x99""s", "x.s"},
};
/* clang-format on */

static void test_r_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof R_MAKE_NAMES / sizeof R_MAKE_NAMES[0]; i++) {
        const char *in = R_MAKE_NAMES[i][0], *want = R_MAKE_NAMES[i][1];
        char out[256];
        size_t len = rnames_make(in, out);
        if (strcmp(out, want)) fail_msg("make.names(\"%s\"): got \"%s\", R gives \"%s\"", in, out, want);
        assert_int_equal(len, strlen(want));
        assert_true(len + 1 <= RNAMES_CAP(strlen(in)));
    }
}

/* The largest growth (an "X" and a reserved-word ".") fits RNAMES_CAP; invalid UTF-8 bytes
 * become one "." each (R would not accept such a name at all). */
static void test_edges(void **state)
{
    (void)state;
    char out[RNAMES_CAP(1)];
    assert_int_equal(rnames_make("1", out), 2);
    assert_string_equal(out, "X1");
    char bad[16];
    assert_int_equal(rnames_make("a\xff\xc3", bad), 3);
    assert_string_equal(bad, "a..");
    char trunc[16];
    assert_int_equal(rnames_make("\xe2\x80x", trunc), 4);
    assert_string_equal(trunc, "X..x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_r_table), cmocka_unit_test(test_edges)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
