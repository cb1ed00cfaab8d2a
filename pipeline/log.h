/* One logger. Messages go to stderr as "[E::func] message" (errors), "[W::func]",
 * "[I::func]"; info lines only at verbosity >= 1. Verbosity is the only mutable global. */
#ifndef GB_LOG_H
#define GB_LOG_H

/* 0 quiet (errors and warnings), 1 normal (default), 2 verbose; -1 silent, for the fuzz
 * harnesses (tests/fuzz), which feed millions of bad inputs: errors are still kept for
 * gb_last_error but nothing is printed. */
extern int gb_verbosity;

void gb_log(char level, const char *func, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Under MPI: prefix messages with the rank and keep info lines to rank 0. */
void gb_log_set_rank(int rank, int size);

/* The text of the last error logged by any thread ("" when none), e.g. for failed.tsv. */
const char *gb_last_error(void);
void gb_clear_last_error(void);

#define gb_error(...) gb_log('E', __func__, __VA_ARGS__)
#define gb_warn(...)  gb_log('W', __func__, __VA_ARGS__)
#define gb_info(...)  gb_log('I', __func__, __VA_ARGS__)
#define gb_debug(...) gb_log('D', __func__, __VA_ARGS__)

#endif
