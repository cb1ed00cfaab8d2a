/* Writing a result table of 'gutbrain stats' (pipeline/stats.h): every rank computes it, rank
 * 0 alone writes it, once as TSV and once into stats.h5. */
#include "stats.h"

int stats_write_table(const stats_ctx_t *c, const table_t *t, const size_t *order)
{
    if (c->rank != 0) return GB_OK;
    int rc = table_write_tsv(t, c->o->out, order);
    return rc ? rc : table_write_h5(t, c->h5, order);
}
