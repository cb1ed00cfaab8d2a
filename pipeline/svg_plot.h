/* Inline SVG plots for the HTML reports (pipeline/stats_report.c, pipeline/run_report.c): one
 * plot is a frame with labelled axes and ticks, marks placed in data coordinates, a legend.
 * Everything is appended to a strbuf_t as text, so a page is self-contained and needs no
 * script to show. Every mark carries class "mark" plus the caller's class, and a <title>
 * (the browser's tooltip), so a test can count marks in the DOM against the data.
 *
 * Colours: the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies);
 * numeric values use a ramp from its blue through light grey to its vermillion. */
#ifndef GB_SVG_PLOT_H
#define GB_SVG_PLOT_H
#include <stddef.h>
#include "gb_status.h"
#include "strbuf.h"

typedef struct {
    strbuf_t *sb;
    double w, h;                     /* pixels */
    double left, right, top, bottom; /* margins, pixels */
    double x0, x1, y0, y1;           /* data range shown */
    size_t ncats;                    /* > 0: the x axis holds categories 0..ncats-1 */
} svg_plot_t;

typedef struct {
    const char *id, *title;      /* the <svg> id; a title drawn above the frame */
    const char *xlabel, *ylabel; /* axis labels, with units */
    double w, h;                 /* pixels (0: 560 x 380) */
    double x0, x1, y0, y1;       /* data range; widened to round ticks */
    const char *const *cats;     /* category names of a categorical x axis (drawn up to 40), or NULL */
    size_t ncats;
    double right; /* right margin, pixels (0: 16); a legend goes into a margin of 170 or more */
} svg_plot_spec_t;

/* The i-th Okabe-Ito colour (cycling), "#rrggbb". */
const char *svg_plot_colour(size_t i);
/* The ramp colour at t in [0, 1] (clamped) into out. */
void svg_plot_ramp(double t, char out[8]);

/* Append s with &, <, >, " escaped. */
int svg_plot_escape(strbuf_t *sb, const char *s) GB_MUST_CHECK;

/* Open the <svg> of spec into sb: frame, ticks, tick labels, axis labels. */
int svg_plot_begin(svg_plot_t *p, strbuf_t *sb, const svg_plot_spec_t *spec) GB_MUST_CHECK;
int svg_plot_end(svg_plot_t *p) GB_MUST_CHECK;

/* A point at data (x, y), radius r pixels; tip is its tooltip. */
int svg_plot_point(svg_plot_t *p, double x, double y, double r, const char *colour, const char *cls,
                   const char *tip) GB_MUST_CHECK;
/* A text label at data (x, y), shifted dx pixels right. */
int svg_plot_label(svg_plot_t *p, double x, double y, double dx, const char *cls, const char *text) GB_MUST_CHECK;
/* A dashed horizontal line at data y with a note at its right end (vertical line when vertical). */
int svg_plot_rule(svg_plot_t *p, double at, int vertical, const char *note) GB_MUST_CHECK;
/* A bar of category cat from y0 to y1, 0.8 of the category wide; tip is its tooltip. */
int svg_plot_bar(svg_plot_t *p, size_t cat, double y0, double y1, const char *colour, const char *cls,
                 const char *tip) GB_MUST_CHECK;
/* A box (quartiles q1..q3, median) centred at category cat, half as wide as the category. */
int svg_plot_box(svg_plot_t *p, size_t cat, double q1, double median, double q3, const char *colour) GB_MUST_CHECK;
/* A legend of n names in colours[] (NULL: svg_plot_colour order) in the top right corner. */
int svg_plot_legend(svg_plot_t *p, const char *const *names, const char *const *colours, size_t n) GB_MUST_CHECK;
/* A colour bar for the ramp from lo to hi, titled label, in the top right corner. */
int svg_plot_ramp_legend(svg_plot_t *p, double lo, double hi, const char *label) GB_MUST_CHECK;

/* Quartiles of v[0..n) by R's default (type 7); v is sorted in place. */
void svg_plot_quartiles(double *v, size_t n, double q[3]);

#endif
