/* Progress for long loops: a live line on a terminal (items done/total, rate, ETA),
 * a log line every 10 s otherwise, nothing when quiet. Call from one thread. */
#ifndef GB_PROGRESS_H
#define GB_PROGRESS_H
#include <stdint.h>

typedef struct {
    const char *what, *unit;
    uint64_t done, total; /* total 0 = unknown */
    double start, last;
    int tty;
} progress_t;

void progress_start(progress_t *p, const char *what, const char *unit, uint64_t total);
void progress_add(progress_t *p, uint64_t n);
void progress_end(progress_t *p);

#endif
