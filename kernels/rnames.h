/* R's make.names for one name, as MaAsLin2 applies it to feature names (docs/STATS.md S1 step 1),
 * so `gutbrain stats --maaslin2-names` writes feature ids that join with MaAsLin2's tables.
 *
 * Pure compute: no I/O, no allocation; the caller owns both buffers. The rules (R 4.2's
 * make.names in a UTF-8 locale, checked against R's own output in tests/unit/test_rnames.c):
 *   1. "X" is prepended when the name does not start with a letter, or starts with "." followed
 *      by a digit ("216851" -> "X216851", ".5x" -> "X.5x", "" -> "X", "_a" -> "X_a");
 *   2. every character that is not a letter, a digit, "." or "_" becomes one "." ("a b" -> "a.b",
 *      "[Eubacterium] rectale" -> "X.Eubacterium..rectale");
 *   3. a reserved word of R gets a "." appended ("if" -> "if.", "TRUE" -> "TRUE.", "NA" -> "NA.").
 * No de-duplication: MaAsLin2 calls make.names without unique = TRUE.
 * Letters and digits are R's iswalnum in a UTF-8 locale: exact for ASCII and for U+0080..U+024F
 * (Latin-1 and Latin Extended-A/B) and U+2000..U+206F (general punctuation, never letters);
 * other non-ASCII characters count as letters, which R agrees with for letters of other scripts
 * but not for their symbols. A byte that is not valid UTF-8 becomes ".". */
#ifndef GB_RNAMES_H
#define GB_RNAMES_H
#include <stddef.h>

/* Bytes out needs for name: strlen(name) + 3 (an "X", a ".", the NUL). */
#define RNAMES_CAP(len) ((len) + 3)

/* Write make.names(name) into out (RNAMES_CAP(strlen(name)) bytes) and return its length. */
size_t rnames_make(const char *name, char *out);

#endif
