/* libFuzzer harness: a BIOM 2.1 HDF5 file (biom_read). HDF5's own faults on hostile files are
 * not gutbrain's (docs/FUZZING.md); the harness is for the checks biom_read makes on what
 * HDF5 returns (biom_read turns HDF5's error printing off itself). */
#include "biom_read.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    biom_table_t t = {0};
    if (biom_read(fuzz_write("cohort.biom", data, size), &t) == GB_OK) (void)biom_sample_index(&t, "S1");
    biom_table_free(&t);
    return 0;
}
