/* Streaming FASTQ/FASTA reader: plain, gzip (isa-l) or zstd, detected from the content's
 * magic bytes, not the name. Handles multi-line FASTA, CRLF line endings, lowercase.
 * Errors are reported with gb_error() naming the file and the record/line, and returned
 * as GB_E_* codes. */
#ifndef GB_FASTX_H
#define GB_FASTX_H
#include <stddef.h>
#include <stdint.h>
#include "gb_status.h"

typedef struct {
    char *name; /* header text after '@'/'>' (full line, CR and trailing whitespace stripped), NUL-terminated */
    size_t name_len;
    char *seq; /* bases as in the file (newlines of multi-line FASTA removed), NUL-terminated */
    size_t seq_len;
    char *qual; /* qualities (FASTQ) or NULL (FASTA), NUL-terminated */
    size_t qual_len;
    size_t name_cap, seq_cap, qual_cap; /* owned buffers, reused between records */
} fastx_record_t;

typedef struct fastx_reader fastx_reader_t;

/* Open path ("-" = stdin). Returns NULL after logging the reason (missing, unreadable,
 * binary garbage, neither FASTA nor FASTQ). Free with fastx_close(). */
fastx_reader_t *fastx_open(const char *path);
void fastx_close(fastx_reader_t *r);

/* Read the next record into rec (buffers grown as needed).
 * Returns 1 for a record, 0 at end of input, or a negative GB_E_* code after logging
 * "FILE: record N (line L): reason" (truncated gzip/zstd stream, quality length differs
 * from sequence length, missing '+' line, unexpected character at record start, I/O error). */
int fastx_read(fastx_reader_t *r, fastx_record_t *rec) GB_MUST_CHECK;

/* Records read so far, the path, and total compressed bytes consumed. */
uint64_t fastx_records(const fastx_reader_t *r);
const char *fastx_path(const fastx_reader_t *r);
int fastx_is_fastq(const fastx_reader_t *r);

void fastx_record_free(fastx_record_t *rec);

/* The read id as Kraken 2 prints it: the name up to the first space, TAB or CR.
 * When strip_mate is set and the id is longer than 2 characters and ends in "/1" or "/2",
 * those two characters are dropped. Returns its length; does not copy. */
size_t fastx_id_len(const char *name, size_t name_len, int strip_mate);

#endif
