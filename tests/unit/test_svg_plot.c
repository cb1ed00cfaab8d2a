/* Unit tests for pipeline/svg_plot.c: quartiles as R's quantile(type = 7), escaping of text
 * into SVG/HTML, the ramp's end colours, and marks placed inside the frame with their class
 * and tooltip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "test_util.h"
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "svg_plot.h"

/* R: quantile(c(7, 1, 3, 10, 2), c(.25, .5, .75)) = 2 3 7; quantile(c(4, 1, 2, 8), ...) =
 * 1.75 3.00 5.00; one value gives itself three times. */
static void test_quartiles(void **state)
{
    (void)state;
    double a[] = {7, 1, 3, 10, 2}, b[] = {4, 1, 2, 8}, c[] = {5}, q[3];
    svg_plot_quartiles(a, 5, q);
    assert_true(q[0] == 2 && q[1] == 3 && q[2] == 7);
    svg_plot_quartiles(b, 4, q);
    assert_true(fabs(q[0] - 1.75) < 1e-15 && q[1] == 3 && q[2] == 5);
    svg_plot_quartiles(c, 1, q);
    assert_true(q[0] == 5 && q[1] == 5 && q[2] == 5);
    svg_plot_quartiles(c, 0, q);
    assert_true(isnan(q[0]) && isnan(q[2]));
}

static void test_escape(void **state)
{
    (void)state;
    strbuf_t sb = STRBUF_INIT;
    assert_int_equal(svg_plot_escape(&sb, "a<b & \"c\">"), GB_OK);
    assert_string_equal(sb.s, "a&lt;b &amp; &quot;c&quot;&gt;");
    strbuf_free(&sb);
}

static void test_ramp(void **state)
{
    (void)state;
    char c[8];
    svg_plot_ramp(0, c);
    assert_string_equal(c, "#0072B2");
    svg_plot_ramp(2, c); /* clamped */
    assert_string_equal(c, "#D55E00");
    svg_plot_ramp(NAN, c);
    assert_string_equal(c, "#DDDDDD");
    assert_string_equal(svg_plot_colour(0), svg_plot_colour(8));
}

/* A point at the corners of the data range lands on the frame's corners; the frame is the
 * plot minus its margins. */
static void test_marks(void **state)
{
    (void)state;
    strbuf_t sb = STRBUF_INIT;
    svg_plot_t p;
    svg_plot_spec_t spec = {.id = "t",
                            .title = "T<1>",
                            .xlabel = "x (%)",
                            .ylabel = "y",
                            .w = 400,
                            .h = 300,
                            .x0 = 0,
                            .x1 = 10,
                            .y0 = 0,
                            .y1 = 5};
    assert_int_equal(svg_plot_begin(&p, &sb, &spec), GB_OK);
    assert_true(p.x0 == 0 && p.x1 == 10 && p.y0 == 0 && p.y1 == 5);
    assert_int_equal(svg_plot_point(&p, 0, 0, 3, "#000000", "pt", "s&1"), GB_OK);
    assert_int_equal(svg_plot_point(&p, 10, 5, 3, "#000000", "pt", "s2"), GB_OK);
    assert_int_equal(svg_plot_end(&p), GB_OK);
    char want[128];
    snprintf(want, sizeof want, "cx=\"%.1f\" cy=\"%.1f\"", p.left, p.h - p.bottom);
    assert_non_null(strstr(sb.s, want));
    snprintf(want, sizeof want, "cx=\"%.1f\" cy=\"%.1f\"", p.w - p.right, p.top);
    assert_non_null(strstr(sb.s, want));
    assert_non_null(strstr(sb.s, "<circle class=\"mark pt\""));
    assert_non_null(strstr(sb.s, "<title>s&amp;1</title>"));
    assert_non_null(strstr(sb.s, "T&lt;1&gt;"));
    assert_non_null(strstr(sb.s, "</svg>"));
    strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_quartiles), cmocka_unit_test(test_escape),
                                       cmocka_unit_test(test_ramp), cmocka_unit_test(test_marks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
