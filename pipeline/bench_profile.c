/* Reading profiles for 'gutbrain bench --profiles' (bench_profile.h). Kraken reports go through
 * bracken_io_read_report, the reader 'gutbrain bracken' uses, so both accept the same files. */
#include "bench_profile.h"
#include "bracken_io.h"
#include "fileio.h"
#include "gb_array.h"
#include "log.h"
#include "strbuf.h"
#include "taxdump.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int add_entry(bench_profile_t *p, uint32_t taxid, double value, const char *rank)
{
    size_t cap = p->cap;
    if (GB_GROW(p->taxid, cap, p->n + 1)) return GB_E_NOMEM;
    cap = p->cap;
    if (GB_GROW(p->value, cap, p->n + 1)) return GB_E_NOMEM;
    cap = p->cap;
    if (GB_GROW(p->rank, cap, p->n + 1)) return GB_E_NOMEM;
    p->cap = cap;
    p->taxid[p->n] = taxid;
    p->value[p->n] = value;
    p->rank[p->n] = rank;
    p->n++;
    return GB_OK;
}

void bench_profile_free(bench_profile_t *p)
{
    free(p->taxid);
    free(p->value);
    free(p->rank);
    free(p->text);
    memset(p, 0, sizeof *p);
}

/* Splits a line (NUL-terminated in place) on tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    for (char *s = line; n < max;) {
        f[n++] = s;
        char *tab = strchr(s, '\t');
        if (!tab) break;
        *tab = '\0';
        s = tab + 1;
    }
    return n;
}

static int parse_number(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && *out >= 0 ? GB_OK : GB_E_FORMAT;
}

static int parse_taxid(const char *s, uint32_t *out) { return taxdump_parse_taxid(s, strlen(s), out); }

/* CAMI (fields TAXID RANK TAXPATH TAXPATHSN PERCENTAGE) or Bracken (taxid column 2, new_est_reads
 * column 6) lines of text, which is changed in place. */
static int parse_table(const char *path, bench_profile_t *p, int cami)
{
    char *line = p->text;
    for (size_t no = 1; line && *line; no++) {
        char *nl = strchr(line, '\n'), *f[8];
        if (nl) *nl = '\0';
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r') line[len - 1] = '\0';
        if (line[0] && line[0] != '@' && line[0] != '#' && !(!cami && no == 1)) {
            int nf = split_tabs(line, f, 8);
            uint32_t taxid;
            double v;
            int bad = cami ? nf < 5 || parse_taxid(f[0], &taxid) || parse_number(f[4], &v)
                           : nf < 7 || parse_taxid(f[1], &taxid) || parse_number(f[5], &v);
            if (bad) {
                gb_error("%s:%zu: not a %s line", path, no, cami ? "CAMI profile" : "Bracken table");
                return GB_E_FORMAT;
            }
            if (add_entry(p, taxid, v, cami ? f[1] : NULL)) return GB_E_NOMEM;
        }
        line = nl ? nl + 1 : NULL;
    }
    return GB_OK;
}

static int read_kreport(const char *path, bench_profile_t *p)
{
    bracken_report_t rep = {0};
    int rc = bracken_io_read_report(path, &rep);
    for (size_t i = 0; !rc && i < rep.n; i++)
        if (!rep.rows[i].unclassified && rep.rows[i].taxon_reads > 0 && rep.rows[i].taxid <= UINT32_MAX)
            rc = add_entry(p, (uint32_t)rep.rows[i].taxid, (double)rep.rows[i].taxon_reads, NULL);
    bracken_io_report_free(&rep);
    return rc;
}

int bench_profile_read(const char *path, bench_profile_t *p)
{
    memset(p, 0, sizeof *p);
    size_t len;
    int rc = fileio_read_all(path, "profile", 0, &p->text, &len);
    if (rc) return rc;
    if (!strncmp(p->text, "@SampleID", 9) || strstr(p->text, "\n@@TAXID") || !strncmp(p->text, "@@TAXID", 7))
        rc = parse_table(path, p, 1);
    else if (!strncmp(p->text, "name\ttaxonomy_id\t", 17)) rc = parse_table(path, p, 0);
    else rc = read_kreport(path, p);
    if (rc == GB_E_NOMEM) gb_error("%s: out of memory", path);
    if (rc) bench_profile_free(p);
    return rc;
}

int bench_abundance_read(const char *path, bench_abundance_t *a)
{
    memset(a, 0, sizeof *a);
    size_t len, cap = 0;
    int rc = fileio_read_all(path, "true abundances", 0, &a->text, &len);
    if (rc) return rc;
    char *line = a->text;
    for (size_t no = 1; line && *line; no++) {
        char *nl = strchr(line, '\n'), *f[4];
        if (nl) *nl = '\0';
        if (line[0] && !(no == 1 && !strncmp(line, "sample", 6))) {
            uint32_t taxid;
            double v;
            if (split_tabs(line, f, 4) < 3 || parse_taxid(f[1], &taxid) || parse_number(f[2], &v)) {
                gb_error("%s:%zu: expected sample<TAB>taxid<TAB>read_fraction<TAB>cell_fraction", path, no);
                rc = GB_E_FORMAT;
                goto fail;
            }
            if (!a->nsamples || strcmp(a->sample[a->nsamples - 1], f[0])) {
                size_t c2 = cap;
                if (GB_GROW(a->sample, cap, a->nsamples + 1) || GB_GROW(a->truth, c2, a->nsamples + 1)) goto nomem;
                cap = c2 < cap ? c2 : cap;
                a->sample[a->nsamples] = f[0];
                memset(&a->truth[a->nsamples], 0, sizeof *a->truth);
                a->nsamples++;
            }
            if (add_entry(&a->truth[a->nsamples - 1], taxid, v, NULL)) goto nomem;
        }
        line = nl ? nl + 1 : NULL;
    }
    return GB_OK;
nomem:
    gb_error("%s: out of memory", path);
    rc = GB_E_NOMEM;
fail:
    bench_abundance_free(a);
    return rc;
}

void bench_abundance_free(bench_abundance_t *a)
{
    for (size_t s = 0; s < a->nsamples; s++) bench_profile_free(&a->truth[s]);
    free(a->truth);
    free(a->sample);
    free(a->text);
    memset(a, 0, sizeof *a);
}

char *bench_profile_find(const char *dir, const char *sample)
{
    static const char *const suffix[] = {".cami", ".bracken", ".kreport.bracken", ".kreport", ".report"};
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        strbuf_t sb = STRBUF_INIT;
        if (strbuf_printf(&sb, "%s/%s%s", dir, sample, suffix[i])) {
            strbuf_free(&sb);
            return NULL;
        }
        if (access(sb.s, R_OK) == 0) return strbuf_detach(&sb);
        strbuf_free(&sb);
    }
    gb_error("%s: no profile of sample '%s' (%s.cami, .bracken, .kreport.bracken, .kreport or .report)", dir, sample,
             sample);
    return NULL;
}
