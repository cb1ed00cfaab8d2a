# biom_readers.R EXPECT_TSV : the R half of check_biom_readers (tests/integration/lib.bash), one
# Rscript for every file (R and phyloseq take seconds to start). Stock Debian packages, no
# environment variable. Prints "ok ..." or "FAIL ..." lines. For each row of EXPECT_TSV
# (biom_readers.py: file, json, observations, samples, true column sums, biomformat 1.26's sums):
#   1. phyloseq::import_biom of the JSON conversion gives the true table (what docs/RUN.md
#      tells users to do);
#   2. import_biom of the HDF5 file with only phyloseq attached stops ("Both attempts to read"):
#      Debian's biomformat 1.26 does not import rhdf5, so h5read is not found;
#   3. after library(rhdf5) it reads the file, with exactly the column sums its indptr walk gives
#      (wrong for an empty sample that is not the last, an error for an empty last sample).
# Any change in 2 or 3 (a fixed biomformat) fails, so docs/RUN.md gets updated with it.
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(phyloseq))
rows <- read.delim(args[1], header = FALSE, colClasses = "character", quote = "")
say <- function(ok, ...) cat(paste(c(if (ok) "ok" else "FAIL", ...), collapse = " "), "\n", sep = "")
sums <- function(s) as.numeric(strsplit(s, ",")[[1]])
same <- function(ps, r, want) {
  !inherits(ps, "try-error") && ntaxa(ps) == as.integer(r[[3]]) && nsamples(ps) == as.integer(r[[4]]) &&
    isTRUE(all.equal(unname(colSums(otu_table(ps))), sums(want), tolerance = 1e-12))
}
phase <- function(label, check) for (i in seq_len(nrow(rows))) check(label, rows[i, ], basename(rows[i, 1]))
phase("R phyloseq::import_biom of the JSON form", function(label, r, name) {
  ps <- try(import_biom(r[[2]]), silent = TRUE)
  say(same(ps, r, r[[5]]) && ncol(tax_table(ps)) == 7, label, basename(r[[2]]), "(taxa, samples, column sums, 7 ranks)")
})
phase("R import_biom without rhdf5 attached: stops (Debian's biomformat 1.26 lacks rhdf5)", function(label, r, name) {
  ps <- try(import_biom(r[[1]]), silent = TRUE)
  say(inherits(ps, "try-error") && grepl("Both attempts to read", ps), label, name)
})
suppressMessages(library(rhdf5))
phase("R import_biom after library(rhdf5)", function(label, r, name) {
  ps <- try(import_biom(r[[1]]), silent = TRUE)
  if (r[[6]] == "ERROR") {
    say(inherits(ps, "try-error"), label, name, "stops, as biomformat 1.26 does on an empty last sample")
  } else {
    wrong <- r[[6]] != r[[5]]
    say(same(ps, r, r[[6]]), label, name, if (wrong) "gives the miscounted empty samples of biomformat 1.26, exactly"
        else "(taxa, samples, column sums)")
  }
})
