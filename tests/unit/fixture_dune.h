/* Test fixture shared by tests/unit/test_transform.c and test_lm.c: vegan's dune data
 * (docs/STATS.md S9), dumped by R 4.2.2 + vegan 2.6-4 with data(dune); data(dune.env). */
#ifndef GB_FIXTURE_DUNE_H
#define GB_FIXTURE_DUNE_H
#define DUNE_SITES     20
#define DUNE_SPECIES_N 30
/* vegan 2.6-4 data(dune): 20 sites x 30 species, cover classes; row-major sites x species. */
static const char *const DUNE_SPECIES[DUNE_SPECIES_N] = {
    "Achimill", "Agrostol", "Airaprae", "Alopgeni", "Anthodor", "Bellpere", "Bromhord", "Chenalbu",
    "Cirsarve", "Comapalu", "Eleopalu", "Elymrepe", "Empenigr", "Hyporadi", "Juncarti", "Juncbufo",
    "Lolipere", "Planlanc", "Poaprat",  "Poatriv",  "Ranuflam", "Rumeacet", "Sagiproc", "Salirepe",
    "Scorautu", "Trifprat", "Trifrepe", "Vicilath", "Bracruta", "Callcusp"};
/* clang-format off */
static const double DUNE[DUNE_SITES * DUNE_SPECIES_N] = {
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 7, 0, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    3, 0, 0, 2, 0, 3, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0, 5, 0, 4, 7, 0, 0, 0, 0, 5, 0, 5, 0, 0, 0,
    0, 4, 0, 7, 0, 2, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 6, 0, 5, 6, 0, 0, 0, 0, 2, 0, 2, 0, 2, 0,
    0, 8, 0, 2, 0, 2, 3, 0, 2, 0, 0, 4, 0, 0, 0, 0, 5, 0, 4, 5, 0, 0, 5, 0, 2, 0, 1, 0, 2, 0,
    2, 0, 0, 0, 4, 2, 2, 0, 0, 0, 0, 4, 0, 0, 0, 0, 2, 5, 2, 6, 0, 5, 0, 0, 3, 2, 2, 0, 2, 0,
    2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 5, 3, 4, 0, 6, 0, 0, 3, 5, 5, 0, 6, 0,
    2, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 5, 4, 5, 0, 3, 0, 0, 3, 2, 2, 0, 2, 0,
    0, 4, 0, 5, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 4, 0, 4, 4, 2, 0, 2, 0, 3, 0, 2, 0, 2, 0,
    0, 3, 0, 3, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 4, 4, 2, 0, 4, 5, 0, 2, 2, 0, 2, 0, 3, 0, 2, 0,
    4, 0, 0, 0, 4, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 3, 4, 4, 0, 0, 0, 0, 3, 0, 6, 1, 2, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 7, 3, 4, 0, 0, 0, 2, 0, 5, 0, 3, 2, 4, 0,
    0, 4, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 2, 4, 0, 2, 0, 3, 0, 4, 0,
    0, 5, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 2, 9, 2, 0, 2, 0, 2, 0, 2, 0, 0, 0,
    0, 4, 0, 0, 0, 0, 0, 0, 0, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 6, 0, 0, 4,
    0, 4, 0, 0, 0, 0, 0, 0, 0, 2, 5, 0, 0, 0, 3, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0, 4, 0,
    0, 7, 0, 4, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 3, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 4, 3,
    2, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 3, 0, 0, 0, 0, 3, 5, 0, 2, 1, 6, 0,
    0, 0, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 6, 0, 2, 0, 3, 0,
    0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0, 0, 4, 0, 0, 5, 2, 0, 0, 0, 4, 3,
};
/* clang-format on */
/* dune.env$A1 */
/* clang-format off */
static const double DUNE_A1[20] = { 2.8, 3.5, 4.3, 4.2, 6.3, 4.3, 2.8, 4.2, 3.7, 3.3, 3.5, 5.8, 6, 9.3, 11.5, 5.7, 4, 4.6, 3.7, 3.5 };
/* clang-format on */
/* dune.env$Moisture as numbers */
static const double DUNE_MOIST[20] = {1, 1, 2, 2, 1, 1, 1, 5, 4, 2, 1, 4, 5, 5, 5, 5, 2, 1, 5, 5};
/* dune.env$Management */
static const char *const DUNE_MANAGEMENT[20] = {"SF", "BF", "SF", "SF", "HF", "HF", "HF", "HF", "HF", "BF",
                                                "BF", "SF", "SF", "NM", "NM", "SF", "NM", "NM", "NM", "NM"};
#endif
