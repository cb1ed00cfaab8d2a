#include "gb_h5.h"
#include <stdio.h>
#include <stdlib.h>

void gb_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

typedef struct {
    char *buf;
    size_t cap;
} reason_t;

static herr_t innermost_error(unsigned n, const H5E_error2_t *e, void *data)
{
    reason_t *r = data;
    if (n == 0) snprintf(r->buf, r->cap, "%s (%s)", e->desc ? e->desc : "", e->func_name ? e->func_name : "");
    return 0;
}

const char *gb_h5_reason(char *buf, size_t cap)
{
    reason_t r = {buf, cap};
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, &r);
    return buf;
}

hid_t gb_h5_utf8_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return -1;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

int gb_h5_write_strings(hid_t loc, const char *name, const char *const *values, hsize_t rows, int cols)
{
    int rc = GB_OK;
    hid_t type = -1, space = -1, dset = -1;
    hsize_t dims[2] = {rows, (hsize_t)cols};
    size_t n = (size_t)rows * (size_t)(cols > 0 ? cols : 1);
    const char **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        gb_error("cannot write %s: out of memory", name);
        return GB_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) v[i] = values[i] ? values[i] : "";
    GB_H5_CHECK(type = gb_h5_utf8_type());
    GB_H5_CHECK(space = H5Screate_simple(cols > 0 ? 2 : 1, dims, NULL));
    GB_H5_CHECK(dset = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (rows > 0) GB_H5_CHECK(H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
fail:
    if (rc != GB_OK) gb_error("cannot write %s", name);
    if (dset >= 0) H5Dclose(dset);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    free(v);
    return rc;
}

int gb_h5_write_doubles(hid_t loc, const char *name, const double *values, hsize_t n)
{
    int rc = GB_OK;
    hid_t space = -1, dset = -1;
    GB_H5_CHECK(space = H5Screate_simple(1, &n, NULL));
    GB_H5_CHECK(dset = H5Dcreate2(loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (n > 0) GB_H5_CHECK(H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values));
fail:
    if (rc != GB_OK) gb_error("cannot write %s", name);
    if (dset >= 0) H5Dclose(dset);
    if (space >= 0) H5Sclose(space);
    return rc;
}

int gb_h5_attr_string(hid_t loc, const char *name, const char *value)
{
    int rc = GB_OK;
    hid_t type = -1, space = -1, attr = -1;
    const char *v = value ? value : "";
    GB_H5_CHECK(type = gb_h5_utf8_type());
    GB_H5_CHECK(space = H5Screate(H5S_SCALAR));
    GB_H5_CHECK(attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT));
    GB_H5_CHECK(H5Awrite(attr, type, &v));
fail:
    if (rc != GB_OK) gb_error("cannot write attribute %s", name);
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return rc;
}

int gb_h5_attr_numeric(hid_t loc, const char *name, hid_t file_type, hid_t mem_type, hsize_t n, const void *values)
{
    int rc = GB_OK;
    hid_t space = -1, attr = -1;
    GB_H5_CHECK(space = n > 0 ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR));
    GB_H5_CHECK(attr = H5Acreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT));
    GB_H5_CHECK(H5Awrite(attr, mem_type, values));
fail:
    if (rc != GB_OK) gb_error("cannot write attribute %s", name);
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    return rc;
}
