/* libFuzzer harness: a metadata table; on success the samples of a model on every column are
 * selected against a small fixed cohort, as gutbrain stats does with the variables asked for. */
#include <stdlib.h>
#include "fuzz_util.h"
#include "metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    metadata_t *m = NULL;
    char **vars = NULL;
    if (metadata_read(fuzz_write("metadata.tsv", data, size), &m) != GB_OK) goto done;
    static char s1[] = "S1", s2[] = "S2", s3[] = "sample";
    char *cohort[] = {s1, s2, s3};
    if (!(vars = malloc((m->ncolumns + 1) * sizeof *vars))) goto done;
    for (size_t i = 0; i < m->ncolumns; i++) {
        vars[i] = m->columns[i].name;
        const metadata_column_t *c = metadata_column(m, vars[i]);
        if (c && c->nlevels) (void)metadata_level_index(c, c->levels[0]);
    }
    metadata_selection_t sel = {0};
    if (metadata_select(m, cohort, 3, vars, m->ncolumns, &sel) == GB_OK) {
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull) {
            (void)metadata_selection_write_dropped(devnull, &sel);
            fclose(devnull);
        }
    }
    metadata_selection_free(&sel);
done:
    free(vars);
    metadata_destroy(m);
    return 0;
}
