/* BIOM 1.0 JSON writer (format in biom_json.h). The dense table of biom_read is walked sample by
 * sample; strings are JSON-escaped; "date" is the HDF5 file's creation-date (one table, one
 * time); numbers are written exactly (%.17g, or as integers when whole), so a reader gets the
 * same values as from the HDF5 file. */
#include <math.h>
#include <stdio.h>
#include "biom_json.h"
#include "log.h"
#include "outfile.h"

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static int all_whole(const biom_table_t *t)
{
    size_t n = t->nsamples * t->nfeatures;
    for (size_t i = 0; i < n; i++)
        if (t->counts[i] != floor(t->counts[i]) || t->counts[i] > 9007199254740992.0) return 0;
    return 1;
}

static void put_rows(FILE *f, const biom_table_t *t)
{
    fputs("\"rows\": [", f);
    for (size_t j = 0; j < t->nfeatures; j++) {
        fputs(j ? ",\n{\"id\": " : "\n{\"id\": ", f);
        put_string(f, t->feature_ids[j]);
        if (!t->lineage) {
            fputs(", \"metadata\": null}", f);
            continue;
        }
        fputs(", \"metadata\": {\"taxonomy\": [", f);
        for (size_t k = 0; k < t->lineage_width; k++) {
            if (k) fputs(", ", f);
            put_string(f, t->lineage[j * t->lineage_width + k]);
        }
        fputs("]}}", f);
    }
    fputs("],\n\"columns\": [", f);
    for (size_t s = 0; s < t->nsamples; s++) {
        fputs(s ? ",\n{\"id\": " : "\n{\"id\": ", f);
        put_string(f, t->sample_ids[s]);
        fputs(", \"metadata\": null}", f);
    }
    fputs("],\n", f);
}

int biom_json_write(const biom_table_t *t, const char *path)
{
    outfile_t *o = outfile_open(path);
    if (!o) return GB_E_IO;
    FILE *f = outfile_fp(o);
    int whole = all_whole(t);
    fputs("{\"id\": null,\n\"format\": \"Biological Observation Matrix 1.0.0\",\n"
          "\"format_url\": \"http://biom-format.org\",\n\"type\": \"OTU table\",\n\"generated_by\": ",
          f);
    put_string(f, t->generated_by && *t->generated_by ? t->generated_by : "gutbrain");
    fputs(",\n\"date\": ", f); /* the HDF5 file's: the same table, made at the same time */
    put_string(f, t->creation_date ? t->creation_date : "");
    fputs(",\n", f);
    put_rows(f, t);
    fprintf(f, "\"matrix_type\": \"sparse\",\n\"matrix_element_type\": \"%s\",\n\"shape\": [%zu, %zu],\n\"data\": [",
            whole ? "int" : "float", t->nfeatures, t->nsamples);
    int first = 1;
    for (size_t s = 0; s < t->nsamples; s++)
        for (size_t j = 0; j < t->nfeatures; j++) {
            double v = t->counts[s * t->nfeatures + j];
            if (v == 0) continue;
            fprintf(f, first ? "\n[%zu, %zu, " : ",\n[%zu, %zu, ", j, s);
            if (whole) fprintf(f, "%.0f]", v);
            else fprintf(f, "%.17g]", v);
            first = 0;
        }
    fputs("]}\n", f);
    if (ferror(f)) {
        gb_error("cannot write %s", path);
        outfile_abort(o);
        return GB_E_IO;
    }
    return outfile_commit(o);
}

int biom_json_convert(const char *in, const char *out)
{
    biom_table_t t;
    int rc = biom_read(in, &t);
    if (!rc) rc = biom_json_write(&t, out);
    biom_table_free(&t);
    return rc;
}
