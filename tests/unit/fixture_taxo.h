/* A small owned taxo_t built from rows, shared by the unit tests (free with taxo_destroy), and
 * the rows of one hand-made taxonomy. */
#ifndef GB_FIXTURE_TAXO_H
#define GB_FIXTURE_TAXO_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "taxo.h"

typedef struct {
    uint32_t external, parent; /* parent = internal id */
    const char *rank, *name;
} node_t;

/* A hand-made taxonomy in that form: Bacteria with E. coli (and K-12) and Klebsiella under the
 * Enterobacteriaceae, and Firmicutes/Bacilli; Viruses with phage lambda. */
/* clang-format off */
static const node_t FIXTURE_TREE[] = {
    {0, 0, "", ""},
    {1, 0, "no rank", "root"},
    {2, 1, "superkingdom", "Bacteria"},
    {1224, 2, "phylum", "Proteobacteria"},
    {1236, 3, "class", "Gammaproteobacteria"},
    {91347, 4, "order", "Enterobacterales"},
    {543, 5, "family", "Enterobacteriaceae"},
    {561, 6, "genus", "Escherichia"},
    {562, 7, "species", "Escherichia coli"},
    {83333, 8, "no rank", "Escherichia coli K-12"},
    {1239, 2, "phylum", "Firmicutes"},
    {91061, 10, "class", "Bacilli"},
    {10239, 1, "superkingdom", "Viruses"},
    {10710, 12, "species", "Escherichia virus Lambda"},
    {570, 6, "genus", "Klebsiella"},
};
/* clang-format on */
#define FIXTURE_TREE_N (sizeof FIXTURE_TREE / sizeof FIXTURE_TREE[0])

/* rows[i] is internal id i; with index, taxo_index() is built too. */
static void fixture_taxo(const node_t *rows, uint32_t n, int index, taxo_t *t)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    t->owned = 1;
    t->parent = calloc(n, sizeof *t->parent);
    t->external = calloc(n, sizeof *t->external);
    t->name_off = calloc(n, sizeof *t->name_off);
    t->rank_off = calloc(n, sizeof *t->rank_off);
    for (uint32_t i = 0; i < n; i++) {
        t->names_len += strlen(rows[i].name) + 1;
        t->ranks_len += strlen(rows[i].rank) + 1;
    }
    t->names = malloc(t->names_len);
    t->ranks = malloc(t->ranks_len);
    assert_true(t->parent && t->external && t->name_off && t->rank_off && t->names && t->ranks);
    size_t a = 0, b = 0;
    for (uint32_t i = 0; i < n; i++) {
        t->parent[i] = rows[i].parent;
        t->external[i] = rows[i].external;
        t->name_off[i] = (uint32_t)a;
        t->rank_off[i] = (uint32_t)b;
        a += (size_t)sprintf(t->names + a, "%s", rows[i].name) + 1;
        b += (size_t)sprintf(t->ranks + b, "%s", rows[i].rank) + 1;
    }
    if (index) assert_int_equal(taxo_index(t), 0);
}

#endif
