/* libFuzzer harness: FASTQ/FASTA, plain, gzip or zstd (the codec is sniffed from the bytes, so
 * one harness covers all three; the seeds hold each kind). Reads every record to the end. */
#include "fastx.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fastx_reader_t *r = fastx_open(fuzz_write("reads", data, size));
    if (!r) return 0;
    fastx_record_t rec = {0};
    while (fastx_read(r, &rec) == 1) (void)fastx_id_len(rec.name, rec.name_len, 1);
    fastx_record_free(&rec);
    fastx_close(r);
    return 0;
}
