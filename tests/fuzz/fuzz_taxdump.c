/* libFuzzer harness: the NCBI taxdump folder (nodes.dmp, then names.dmp after FUZZ_SEP). On
 * success every record is walked through the accessors the pipeline uses. */
#include "fuzz_util.h"
#include "taxdump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"nodes.dmp", "names.dmp"};
    fuzz_write_parts(data, size, names, 2);
    taxdump_t *d = NULL;
    if (taxdump_load(fuzz_tmpdir(), &d) == GB_OK) {
        for (uint32_t r = 0; r < taxdump_count(d); r++) {
            uint32_t parent = taxdump_parent(d, r);
            (void)taxdump_find(d, parent);
            (void)strlen(taxdump_name(d, r));
            (void)strlen(taxdump_rank_name(d, taxdump_rank(d, r)));
        }
    }
    taxdump_destroy(d);
    return 0;
}
