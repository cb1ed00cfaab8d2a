/* libFuzzer harness: a seqid2taxid map; on success a few headers are looked up. */
#include "fuzz_util.h"
#include "seqmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    seqmap_t *m = NULL;
    if (seqmap_load(fuzz_write("seqid2taxid.map", data, size), &m) == GB_OK) {
        static const char *const headers[] = {"NC_000913.3 Escherichia coli", "kraken:taxid|562|x", "", "a"};
        for (size_t i = 0; i < sizeof headers / sizeof *headers; i++)
            (void)seqmap_taxid_of_header(m, headers[i], strlen(headers[i]));
    }
    seqmap_destroy(m);
    return 0;
}
