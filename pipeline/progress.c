#include "progress.h"
#include "log.h"
#include <omp.h>
#include <stdio.h>
#include <unistd.h>

void progress_start(progress_t *p, const char *what, const char *unit, uint64_t total)
{
    p->what = what;
    p->unit = unit;
    p->done = 0;
    p->total = total;
    p->start = p->last = omp_get_wtime();
    p->tty = isatty(2) && gb_verbosity >= 1;
}

static void progress_show(progress_t *p, double now, int final)
{
    double rate = p->done / (now - p->start > 1e-9 ? now - p->start : 1e-9);
    char eta[32] = "";
    if (p->total && !final && rate > 0)
        snprintf(eta, sizeof eta, ", ETA %.0f s",
                 (double)(p->total - (p->done < p->total ? p->done : p->total)) / rate);
    if (p->tty) {
        if (p->total)
            fprintf(stderr, "\r[%s] %.1f%% (%.2f M%s, %.2f M%s/s%s)   ", p->what, 100.0 * p->done / p->total,
                    p->done / 1e6, p->unit, rate / 1e6, p->unit, eta);
        else fprintf(stderr, "\r[%s] %.2f M%s, %.2f M%s/s   ", p->what, p->done / 1e6, p->unit, rate / 1e6, p->unit);
        if (final) fputc('\n', stderr);
    } else if (gb_verbosity >= 1) {
        gb_log('I', p->what, "%.2f M%s done, %.2f M%s/s%s", p->done / 1e6, p->unit, rate / 1e6, p->unit, eta);
    }
}

void progress_add(progress_t *p, uint64_t n)
{
    p->done += n;
    double now = omp_get_wtime();
    if (now - p->last >= (p->tty ? 0.5 : 10.0)) {
        p->last = now;
        progress_show(p, now, 0);
    }
}

void progress_end(progress_t *p)
{
    if (p->tty) progress_show(p, omp_get_wtime(), 1);
}
