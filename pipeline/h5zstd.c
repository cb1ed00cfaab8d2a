/* HDF5 filter 32015 (zstd), the id registered with The HDF Group for Zstandard.
 *
 * Each chunk is stored as one standard zstd frame with the content size in its header, the
 * format other 32015 implementations (h5py + hdf5plugin, HDF5's own plugin collection) read
 * and write; cd_values[0], when given, is the compression level (default 3).
 *
 * The same source builds two ways:
 *   - into libgutbrain: h5zstd_register() adds the filter to this process's HDF5 library;
 *   - with -DH5ZSTD_PLUGIN as build/plugins/libh5zstd.so, the dynamic plugin HDF5 tools
 *     (h5dump, h5py, R's rhdf5) load through HDF5_PLUGIN_PATH.
 * The filter calls no HDF5 function and allocates with malloc/free (what HDF5 itself uses
 * on Linux), so the plugin does not link libhdf5 and works with serial and parallel builds. */
#include <H5PLextern.h>
#include <hdf5.h>
#include <stdlib.h>
#include <zstd.h>
#include "gb_array.h"

#define H5Z_FILTER_ZSTD      32015
#define H5ZSTD_DEFAULT_LEVEL 3

/* Compress *buf[0..nbytes) into a new buffer. Returns the frame size, 0 on failure. */
static size_t zstd_encode(size_t cd_nelmts, const unsigned cd_values[], size_t nbytes, size_t *buf_size, void **buf)
{
    int level = cd_nelmts > 0 ? (int)cd_values[0] : H5ZSTD_DEFAULT_LEVEL;
    size_t cap = ZSTD_compressBound(nbytes);
    void *out = malloc(cap);
    if (!out) return 0;
    /* ZSTD_compress writes the content size into the frame header, as readers expect. */
    size_t n = ZSTD_compress(out, cap, *buf, nbytes, level);
    if (ZSTD_isError(n)) {
        free(out);
        return 0;
    }
    free(*buf);
    *buf = out;
    *buf_size = cap;
    return n;
}

/* Decompress a frame whose header lacks the content size (some writers stream): grow the
 * output until the frame ends. Returns the decoded size, 0 on failure. */
static size_t zstd_decode_stream(const void *in, size_t nbytes, void **out_buf, size_t *out_cap)
{
    ZSTD_DStream *ds = ZSTD_createDStream();
    if (!ds) return 0;
    size_t cap = nbytes * 4 + 4096, done = 0, ret = 1;
    char *out = malloc(cap);
    ZSTD_inBuffer input = {in, nbytes, 0};
    while (out && ret != 0) {
        if (done == cap && GB_GROW(out, cap, cap + 1)) break;
        ZSTD_outBuffer output = {out, cap, done};
        ret = ZSTD_decompressStream(ds, &output, &input);
        done = output.pos;
        if (ZSTD_isError(ret) || (ret != 0 && input.pos == nbytes && output.pos < cap)) break;
    }
    ZSTD_freeDStream(ds);
    if (!out || ret != 0) { /* error, truncated frame or out of memory */
        free(out);
        return 0;
    }
    *out_buf = out;
    *out_cap = cap;
    return done;
}

/* Decompress the frame in *buf[0..nbytes) into a new buffer. Returns the size, 0 on failure. */
static size_t zstd_decode(size_t nbytes, size_t *buf_size, void **buf)
{
    unsigned long long size = ZSTD_getFrameContentSize(*buf, nbytes);
    void *out = NULL;
    size_t cap = 0, n;
    if (size == ZSTD_CONTENTSIZE_ERROR) return 0;
    if (size == ZSTD_CONTENTSIZE_UNKNOWN) {
        n = zstd_decode_stream(*buf, nbytes, &out, &cap);
        if (n == 0) return 0;
    } else {
        cap = size > 0 ? (size_t)size : 1;
        out = malloc(cap);
        if (!out) return 0;
        n = ZSTD_decompress(out, cap, *buf, nbytes);
        if (ZSTD_isError(n) || n != size) {
            free(out);
            return 0;
        }
    }
    free(*buf);
    *buf = out;
    *buf_size = cap;
    return n;
}

/* The H5Z_func_t: returns the new data size, 0 on failure (HDF5's convention). */
static size_t zstd_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes, size_t *buf_size,
                          void **buf)
{
    if (flags & H5Z_FLAG_REVERSE) return zstd_decode(nbytes, buf_size, buf);
    return zstd_encode(cd_nelmts, cd_values, nbytes, buf_size, buf);
}

static const H5Z_class2_t H5Z_ZSTD_CLASS = {
    H5Z_CLASS_T_VERS,
    (H5Z_filter_t)H5Z_FILTER_ZSTD,
    1,
    1, /* encoder and decoder present */
    "zstd (gutbrain)",
    NULL,
    NULL, /* no can_apply / set_local: level comes from cd_values */
    zstd_filter,
};

#ifdef H5ZSTD_PLUGIN

H5PL_type_t H5PLget_plugin_type(void) { return H5PL_TYPE_FILTER; }
const void *H5PLget_plugin_info(void) { return &H5Z_ZSTD_CLASS; }

#else

#include "cohort_h5.h"
#include "log.h"

/* H5Zregister replaces a class already registered under the same id, so calling this twice
 * is harmless, and our filter wins over any 32015 plugin found on HDF5_PLUGIN_PATH. */
int h5zstd_register(void)
{
    if (H5Zregister(&H5Z_ZSTD_CLASS) < 0) {
        gb_error("cannot register the zstd HDF5 filter (id %d)", H5Z_FILTER_ZSTD);
        return GB_E_INTERNAL;
    }
    return GB_OK;
}

#endif
