/* What the parts of 'gutbrain stats' share (pipeline/stats.h): the collective stop check, the
 * staged outputs of rank 0 and the writer of a result table (every rank computes it, rank 0
 * alone writes it, once as TSV and once into stats.h5). */
#include "stats.h"
#include "fileio.h"
#include "gb_array.h"
#include "gb_mpi.h"
#include "log.h"
#include "strbuf.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int stats_stopped(const stats_ctx_t *c)
{
    int stop = c->stop && *c->stop ? 1 : 0;
    if (c->size > 1) MPI_Allreduce(MPI_IN_PLACE, &stop, 1, MPI_INT, MPI_MAX, c->comm);
    return stop ? GB_E_INTERRUPTED : GB_OK;
}

int stats_staged_create(const stats_ctx_t *c, const char *file)
{
    stats_staged_t *s = c->staged;
    strbuf_t final = STRBUF_INIT, tmp = STRBUF_INIT;
    int fd = -1;
    if (GB_GROW(s->file, s->cap, s->n + 1) || strbuf_printf(&final, "%s/%s", c->o->out, file) ||
        strbuf_printf(&tmp, "%s.tmp.%ld", final.s, (long)getpid())) {
        gb_error("out of memory staging %s", file);
    } else if ((fd = fileio_create_private(tmp.s)) < 0) {
        gb_error("cannot write %s: %s", tmp.s, strerror(errno));
    } else {
        s->file[s->n].final = strbuf_detach(&final);
        s->file[s->n].tmp = strbuf_detach(&tmp);
        s->n++;
    }
    strbuf_free(&final);
    strbuf_free(&tmp);
    return fd;
}

FILE *stats_staged_open(const stats_ctx_t *c, const char *file)
{
    int fd = stats_staged_create(c, file);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && !f) {
        gb_error("cannot write %s: %s", c->staged->file[c->staged->n - 1].tmp, strerror(errno));
        close(fd);
    }
    return f;
}

int stats_staged_close(const stats_ctx_t *c, FILE *f)
{
    const char *name = c->staged->file[c->staged->n - 1].final;
    errno = 0;
    int bad = fflush(f) != 0 || ferror(f);
    int err = errno;
    if (fclose(f) != 0 && !bad) bad = 1, err = errno;
    if (!bad) return GB_OK;
    gb_error("cannot write %s: %s", name, err ? strerror(err) : "write error");
    return GB_E_IO;
}

int stats_staged_publish(const stats_ctx_t *c)
{
    stats_staged_t *s = c->staged;
    for (size_t i = 0; i < s->n; i++) {
        if (fileio_publish(s->file[i].tmp, s->file[i].final)) {
            gb_error("cannot rename %s to %s: %s", s->file[i].tmp, s->file[i].final, strerror(errno));
            return GB_E_IO;
        }
        free(s->file[i].tmp);
        s->file[i].tmp = NULL; /* published: nothing left to remove */
    }
    return GB_OK;
}

void stats_staged_discard(stats_staged_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->file[i].tmp) unlink(s->file[i].tmp);
        free(s->file[i].tmp);
        free(s->file[i].final);
    }
    free(s->file);
    memset(s, 0, sizeof *s);
}

int stats_write_table(const stats_ctx_t *c, const table_t *t, const size_t *order)
{
    int rc = GB_OK;
    if (c->rank == 0) {
        strbuf_t file = STRBUF_INIT;
        FILE *f = NULL;
        rc = strbuf_printf(&file, "%s.tsv", t->name);
        if (!rc && !(f = stats_staged_open(c, file.s))) rc = GB_E_IO;
        if (f) table_print_tsv(t, f, order);
        if (f) rc = stats_staged_close(c, f);
        if (!rc) rc = table_write_h5(t, c->h5, order);
        strbuf_free(&file);
    }
    return gb_mpi_agree(c->comm, rc);
}
