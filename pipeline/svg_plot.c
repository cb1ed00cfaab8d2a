/* Inline SVG plots (pipeline/svg_plot.h): linear axes with ticks at 1, 2 or 5 x 10^k, about
 * five a side, which is readable at the ~560 px a plot takes on a 1280 px screen. */
#include "svg_plot.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const okabe_ito[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                        "#56B4E9", "#D55E00", "#F0E442", "#000000"};

const char *svg_plot_colour(size_t i) { return okabe_ito[i % (sizeof okabe_ito / sizeof okabe_ito[0])]; }

void svg_plot_ramp(double t, char out[8])
{
    /* blue (0,114,178) -> light grey (221,221,221) -> vermillion (213,94,0) */
    static const double stop[3][3] = {{0, 114, 178}, {221, 221, 221}, {213, 94, 0}};
    t = isnan(t) ? 0.5 : t < 0 ? 0 : t > 1 ? 1 : t;
    int k = t < 0.5 ? 0 : 1;
    double u = t < 0.5 ? 2 * t : 2 * t - 1;
    int c[3];
    for (int j = 0; j < 3; j++) c[j] = (int)lround(stop[k][j] + u * (stop[k + 1][j] - stop[k][j]));
    snprintf(out, 8, "#%02X%02X%02X", c[0] & 255, c[1] & 255, c[2] & 255);
}

int svg_plot_escape(strbuf_t *sb, const char *s)
{
    int rc = GB_OK;
    for (; s && *s && !rc; s++) {
        switch (*s) {
        case '&': rc = strbuf_puts(sb, "&amp;"); break;
        case '<': rc = strbuf_puts(sb, "&lt;"); break;
        case '>': rc = strbuf_puts(sb, "&gt;"); break;
        case '"': rc = strbuf_puts(sb, "&quot;"); break;
        default: rc = strbuf_putc(sb, *s);
        }
    }
    return rc;
}

static double px(const svg_plot_t *p, double x)
{
    return p->left + (x - p->x0) / (p->x1 - p->x0) * (p->w - p->left - p->right);
}

static double py(const svg_plot_t *p, double y)
{
    return p->h - p->bottom - (y - p->y0) / (p->y1 - p->y0) * (p->h - p->top - p->bottom);
}

/* A tick step of 1, 2 or 5 x 10^k giving about five ticks over [lo, hi]. */
static double tick_step(double lo, double hi)
{
    double raw = (hi - lo) / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return mag * (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10);
}

/* Widen [*lo, *hi] to whole tick steps (a flat or empty range becomes [v - 1, v + 1]). */
static void nice_range(double *lo, double *hi)
{
    if (!isfinite(*lo) || !isfinite(*hi)) *lo = 0, *hi = 1;
    if (*hi <= *lo) *lo -= 1, *hi += 1;
    double step = tick_step(*lo, *hi);
    *lo = floor(*lo / step) * step;
    *hi = ceil(*hi / step) * step;
}

static int axis_text(svg_plot_t *p, double x, double y, const char *anchor, const char *extra, const char *text)
{
    int rc = strbuf_printf(p->sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra);
    if (!rc) rc = svg_plot_escape(p->sb, text);
    if (!rc) rc = strbuf_puts(p->sb, "</text>\n");
    return rc;
}

static int ticks(svg_plot_t *p)
{
    char num[32];
    int rc = GB_OK;
    double step = tick_step(p->y0, p->y1);
    for (double v = p->y0; !rc && v <= p->y1 + step * 1e-9; v += step) {
        snprintf(num, sizeof num, "%g", fabs(v) < step * 1e-9 ? 0.0 : v);
        rc = strbuf_printf(p->sb, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", p->left,
                           p->w - p->right, py(p, v), py(p, v));
        if (!rc) rc = axis_text(p, p->left - 6, py(p, v) + 4, "end", "", num);
    }
    if (p->ncats) return rc; /* svg_plot_begin names the categories */
    step = tick_step(p->x0, p->x1);
    for (double v = p->x0; !rc && v <= p->x1 + step * 1e-9; v += step) {
        snprintf(num, sizeof num, "%g", fabs(v) < step * 1e-9 ? 0.0 : v);
        rc = strbuf_printf(p->sb, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", px(p, v),
                           px(p, v), p->top, p->h - p->bottom);
        if (!rc) rc = axis_text(p, px(p, v), p->h - p->bottom + 16, "middle", "", num);
    }
    return rc;
}

int svg_plot_begin(svg_plot_t *p, strbuf_t *sb, const svg_plot_spec_t *s)
{
    *p = (svg_plot_t){.sb = sb,
                      .w = s->w > 0 ? s->w : 560,
                      .h = s->h > 0 ? s->h : 380,
                      .left = 64,
                      .right = s->right > 0 ? s->right : 16,
                      .top = 34,
                      .bottom = 48,
                      .x0 = s->x0,
                      .x1 = s->x1,
                      .y0 = s->y0,
                      .y1 = s->y1,
                      .ncats = s->ncats};
    if (p->ncats) p->x0 = 0, p->x1 = (double)p->ncats;
    else nice_range(&p->x0, &p->x1);
    nice_range(&p->y0, &p->y1);
    int rc = strbuf_printf(sb,
                           "<svg class=\"plot\" id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                           "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
                           s->id, p->w, p->h, p->w, p->h);
    if (!rc) rc = axis_text(p, p->left, 18, "start", " class=\"ptitle\"", s->title);
    if (!rc) rc = ticks(p);
    for (size_t i = 0; !rc && p->ncats <= 40 && i < p->ncats; i++)
        rc = axis_text(p, px(p, (double)i + 0.5), p->h - p->bottom + 16, "middle", "", s->cats[i]);
    if (!rc)
        rc = strbuf_printf(sb, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
                           p->left, p->top, p->w - p->left - p->right, p->h - p->top - p->bottom);
    if (!rc) rc = axis_text(p, (p->left + p->w - p->right) / 2, p->h - 10, "middle", " class=\"axis\"", s->xlabel);
    if (!rc) {
        char rot[96];
        snprintf(rot, sizeof rot, " class=\"axis\" transform=\"rotate(-90 16 %.1f)\"", (p->top + p->h - p->bottom) / 2);
        rc = axis_text(p, 16, (p->top + p->h - p->bottom) / 2, "middle", rot, s->ylabel);
    }
    return rc;
}

int svg_plot_end(svg_plot_t *p) { return strbuf_puts(p->sb, "</svg>\n"); }

int svg_plot_point(svg_plot_t *p, double x, double y, double r, const char *colour, const char *cls, const char *tip)
{
    int rc = strbuf_printf(p->sb, "<circle class=\"mark %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"><title>",
                           cls, px(p, x), py(p, y), r, colour);
    if (!rc) rc = svg_plot_escape(p->sb, tip);
    if (!rc) rc = strbuf_puts(p->sb, "</title></circle>\n");
    return rc;
}

int svg_plot_label(svg_plot_t *p, double x, double y, double dx, const char *cls, const char *text)
{
    char extra[64];
    snprintf(extra, sizeof extra, " class=\"%s\"", cls);
    return axis_text(p, px(p, x) + dx, py(p, y) - 4, dx < 0 ? "end" : "start", extra, text);
}

int svg_plot_rule(svg_plot_t *p, double at, int vertical, const char *note)
{
    double x1 = vertical ? px(p, at) : p->left, x2 = vertical ? px(p, at) : p->w - p->right;
    double y1 = vertical ? p->top : py(p, at), y2 = vertical ? p->h - p->bottom : py(p, at);
    int rc = strbuf_printf(p->sb, "<line class=\"rule\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", x1, x2,
                           y1, y2);
    if (!rc && note && *note) rc = axis_text(p, x2 - 4, y1 + (vertical ? 12 : -4), "end", " class=\"note\"", note);
    return rc;
}

int svg_plot_bar(svg_plot_t *p, size_t cat, double y0, double y1, const char *colour, const char *cls, const char *tip)
{
    double xa = px(p, (double)cat + 0.1), xb = px(p, (double)cat + 0.9);
    int rc = strbuf_printf(p->sb,
                           "<rect class=\"mark %s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                           "fill=\"%s\"><title>",
                           cls, xa, py(p, y1), xb - xa, py(p, y0) - py(p, y1), colour);
    if (!rc) rc = svg_plot_escape(p->sb, tip);
    if (!rc) rc = strbuf_puts(p->sb, "</title></rect>\n");
    return rc;
}

int svg_plot_box(svg_plot_t *p, size_t cat, double q1, double median, double q3, const char *colour)
{
    double xa = px(p, (double)cat + 0.25), xb = px(p, (double)cat + 0.75);
    return strbuf_printf(p->sb,
                         "<rect class=\"box\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" stroke=\"%s\"/>\n"
                         "<line class=\"median\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                         xa, py(p, q3), xb - xa, py(p, q1) - py(p, q3), colour, xa, xb, py(p, median), py(p, median),
                         colour);
}

int svg_plot_legend(svg_plot_t *p, const char *const *names, const char *const *colours, size_t n)
{
    double x = p->right >= 170 ? p->w - p->right + 12 : p->w - p->right - 150, y = p->top + 14;
    int rc = strbuf_puts(p->sb, "<g class=\"legend\">\n");
    for (size_t i = 0; !rc && i < n; i++, y += 16) {
        rc = strbuf_printf(p->sb, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>", x, y - 4,
                           colours ? colours[i] : svg_plot_colour(i));
        if (!rc) rc = axis_text(p, x + 10, y, "start", "", names[i]);
    }
    if (!rc) rc = strbuf_puts(p->sb, "</g>\n");
    return rc;
}

int svg_plot_ramp_legend(svg_plot_t *p, double lo, double hi, const char *label)
{
    double x = p->w - p->right - 130, y = p->top + 8;
    char colour[8], num[32];
    int rc = strbuf_puts(p->sb, "<g class=\"legend\">\n");
    for (int i = 0; !rc && i < 20; i++) {
        svg_plot_ramp(i / 19.0, colour);
        rc = strbuf_printf(p->sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"10\" fill=\"%s\"/>", x + 6 * i, y,
                           colour);
    }
    snprintf(num, sizeof num, "%g", lo);
    if (!rc) rc = axis_text(p, x, y + 22, "start", "", num);
    snprintf(num, sizeof num, "%g", hi);
    if (!rc) rc = axis_text(p, x + 120, y + 22, "end", "", num);
    if (!rc) rc = axis_text(p, x + 60, y + 34, "middle", "", label);
    if (!rc) rc = strbuf_puts(p->sb, "</g>\n");
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void svg_plot_quartiles(double *v, size_t n, double q[3])
{
    qsort(v, n, sizeof *v, cmp_double);
    for (int k = 0; k < 3; k++) {
        if (n == 0) {
            q[k] = NAN;
            continue;
        }
        double h = (double)(n - 1) * (k + 1) / 4.0, lo = floor(h);
        size_t i = (size_t)lo;
        q[k] = i + 1 < n ? v[i] + (h - lo) * (v[i + 1] - v[i]) : v[i];
    }
}
