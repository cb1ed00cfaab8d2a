/* One way to call HDF5 in the pipeline: every file that writes HDF5 (cohort_h5.c, table.c,
 * cmd_stats.c) uses these helpers and GB_H5_CHECK, so a failed HDF5 call is always reported the
 * same way: one line with the call, its place and HDF5's innermost reason, then GB_E_IO.
 * Call gb_h5_quiet() once before the first HDF5 call so that HDF5 does not print its own
 * error stack as well. */
#ifndef GB_H5_H
#define GB_H5_H
#include <hdf5.h>
#include <stddef.h>
#include "gb_status.h"
#include "log.h"

/* Inside a function with `int rc` and a `fail:` label: if expr is negative (HDF5's failure),
 * log "HDF5 call failed (file:line): expr: reason", set rc = GB_E_IO and goto fail. */
#define GB_H5_CHECK(expr)                                                                                             \
    do {                                                                                                              \
        if ((expr) < 0) {                                                                                             \
            char why_[256];                                                                                           \
            gb_error("HDF5 call failed (%s:%d): %s: %s", __FILE__, __LINE__, #expr, gb_h5_reason(why_, sizeof why_)); \
            rc = GB_E_IO;                                                                                             \
            goto fail;                                                                                                \
        }                                                                                                             \
    } while (0)

/* Turn off HDF5's automatic error-stack printing (GB_H5_CHECK logs one line instead). */
void gb_h5_quiet(void);

/* The innermost (most specific) message of HDF5's current error stack, such as the system
 * error of a failed open, into buf; returns buf ("" when the stack is empty). */
const char *gb_h5_reason(char *buf, size_t cap);

/* A new variable-length UTF-8 string type (close with H5Tclose), or a negative id. */
hid_t gb_h5_utf8_type(void);

/* Dataset `name` under loc of variable-length UTF-8 strings, [rows] (cols 0) or [rows][cols],
 * contiguous and uncompressed (HDF5 1.10 drops deflate and refuses other filters on
 * variable-length data; the strings live in the global heap anyway). NULL values are written
 * as "". Returns GB_OK or GB_E_IO (logged). */
int gb_h5_write_strings(hid_t loc, const char *name, const char *const *values, hsize_t rows, int cols) GB_MUST_CHECK;

/* 1-D dataset `name` under loc of n little-endian doubles, contiguous. GB_OK or GB_E_IO (logged). */
int gb_h5_write_doubles(hid_t loc, const char *name, const double *values, hsize_t n) GB_MUST_CHECK;

/* Scalar UTF-8 string attribute (NULL written as ""). GB_OK or GB_E_IO (logged). */
int gb_h5_attr_string(hid_t loc, const char *name, const char *value) GB_MUST_CHECK;

/* Numeric attribute of n values (n 0: scalar) stored as file_type, read from mem_type.
 * GB_OK or GB_E_IO (logged). */
int gb_h5_attr_numeric(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, hsize_t n,
                       const void *values) GB_MUST_CHECK;

#endif
