# Recompute `gutbrain stats` from the same BIOM + metadata with R (stats, vegan) and compare.
# Run by tests/integration/stats_r.sh as
#   LC_ALL=C LC_COLLATE=C Rscript stats_check.R label=L biom=F meta=F variable=V [covariates=a,b]
#       [reference=NAME=LEVEL,...] [rank=none|genus] [transform=log|clr|ast|none] [minprev=0.1]
#       [perms=999] [seed=1] [margin=DIR] [terms=DIR] [refout=DIR] [exact_p=0|1]
# margin/terms: gutbrain output folders of runs with --by margin / --by terms.
# Prints one line per check: "ok <label> <what> (max rel. error E)" or "FAIL <label> <what>: detail";
# the shell script turns them into ok/fail. refout: where R's own tables are written (debugging).
#
# R's side is written from R/vegan's documented behaviour (docs/STATS.md, sections S0-S9),
# not from gutbrain's code: the BIOM is read with rhdf5 (observation/matrix CSR), the genus
# collapse sums the features with the same g__ cell in file order, the models are lm + summary
# per feature, the rank tests wilcox.test/kruskal.test/cor.test(exact=FALSE), alpha is
# vegan::diversity/specnumber/estimateR, beta is vegdist + adonis2 + betadisper + cmdscale.
suppressPackageStartupMessages({
  library(rhdf5)
  library(vegan)
})

args <- list(rank = "none", transform = "log", minprev = "0.1", perms = "999", seed = "1",
             covariates = "", reference = "", margin = "", terms = "", refout = "", exact_p = "0")
for (a in commandArgs(trailingOnly = TRUE)) {
  k <- sub("=.*", "", a)
  args[[k]] <- sub("^[^=]*=", "", a)
}
label <- args$label
TOL <- 1e-8
n_fail <- 0

report <- function(ok, what, detail) {
  if (ok) cat(sprintf("ok %s %s (%s)\n", label, what, detail))
  else { cat(sprintf("FAIL %s %s: %s\n", label, what, detail)); n_fail <<- n_fail + 1 }
}

# Relative agreement of two numeric vectors: |a-b| <= tol * max(|a|, |b|, floor). NA must meet NA.
# floor: the scale below which differences count as absolute (e.g. a coefficient's SE).
agree <- function(what, gb, r, keys, tol = TOL, floor = 1e-300) {
  if (length(gb) != length(r)) return(report(FALSE, what, sprintf("%d values vs R's %d", length(gb), length(r))))
  na_gb <- is.na(gb); na_r <- is.na(r)
  bad_na <- which(na_gb != na_r)
  if (length(bad_na)) {
    i <- bad_na[1]
    return(report(FALSE, what, sprintf("%d NA mismatches, first %s: gutbrain %s, R %s",
                                       length(bad_na), keys[i], format(gb[i], digits = 17), format(r[i], digits = 17))))
  }
  both <- which(!na_gb)
  if (!length(both)) return(report(TRUE, what, "all NA in both"))
  scale <- pmax(abs(gb[both]), abs(r[both]), rep_len(floor, length(gb))[both])
  rel <- ifelse(gb[both] == r[both], 0, abs(gb[both] - r[both]) / scale)
  worst <- which.max(rel)
  i <- both[worst]
  detail <- sprintf("%d values, max rel. error %.2g at %s: gutbrain %s, R %s", length(both), rel[worst],
                    keys[i], format(gb[i], digits = 17), format(r[i], digits = 17))
  report(is.finite(rel[worst]) && rel[worst] <= tol, what, detail)
}

# Monte Carlo agreement of permutation p-values from different random streams: within 3 standard
# errors of the difference of two independent estimates, plus 2 permutations of slack.
agree_p <- function(what, gb, r, keys, nperm) {
  pbar <- (gb + r) / 2
  tol <- 3 * sqrt(2 * pbar * (1 - pbar) / nperm) + 2 / nperm
  d <- abs(gb - r)
  bad <- which(is.na(d) | d > tol)
  detail <- paste(sprintf("%s %s/%s", keys, format(gb), format(r)), collapse = ", ")
  report(!length(bad), what, sprintf("gutbrain/R p: %s", detail))
}

read_gb <- function(dir, name) {
  path <- file.path(dir, name)
  header <- strsplit(readLines(path, n = 1), "\t")[[1]]
  text <- intersect(header, c("feature", "sample", "metadata", "value", "test", "term", "distance", "variable"))
  read.delim(path, quote = "", comment.char = "", na.strings = "NA", stringsAsFactors = FALSE,
             check.names = FALSE, colClasses = setNames(rep("character", length(text)), text))
}

# ---- input: BIOM 2.1 (observation-major CSR) -> samples x features ----------------------
read_biom <- function(path) {
  obs <- as.character(h5read(path, "observation/ids"))
  smp <- as.character(h5read(path, "sample/ids"))
  data <- as.numeric(h5read(path, "observation/matrix/data"))
  idx <- as.integer(h5read(path, "observation/matrix/indices"))
  ptr <- as.numeric(h5read(path, "observation/matrix/indptr"))
  x <- matrix(0, length(smp), length(obs), dimnames = list(smp, obs))
  for (j in seq_along(obs)) {
    if (ptr[j + 1] > ptr[j]) {
      k <- (ptr[j] + 1):ptr[j + 1]
      x[idx[k] + 1, j] <- data[k]
    }
  }
  tax <- tryCatch(h5read(path, "observation/metadata/taxonomy"), error = function(e) NULL)
  H5close()
  list(x = x, taxonomy = tax)
}

# Sum features sharing a g__ cell, in file order (plain left-to-right additions); clades in
# C-locale order of their id; features without a genus cell (or an empty "g__") dropped.
collapse_genus <- function(b) {
  tax <- b$taxonomy
  cells <- apply(tax, 2, function(l) { g <- l[startsWith(l, "g__")]; if (length(g)) g[1] else "" })
  ids <- sort(unique(cells[cells != "g__" & cells != ""]), method = "radix")
  out <- matrix(0, nrow(b$x), length(ids), dimnames = list(rownames(b$x), ids))
  for (j in seq_len(ncol(b$x))) {
    if (cells[j] %in% ids) out[, cells[j]] <- out[, cells[j]] + b$x[, j]
  }
  out
}

biom <- read_biom(args$biom)
counts_all <- if (args$rank == "genus") collapse_genus(biom) else biom$x

# ---- metadata and samples ------------------------------------------------------------------
vars <- c(args$variable, if (nzchar(args$covariates)) strsplit(args$covariates, ",")[[1]])
meta <- read.delim(args$meta, quote = "", comment.char = "", na.strings = c("NA", ""),
                   colClasses = "character", check.names = FALSE)
rownames(meta) <- meta[[1]]
in_meta <- rownames(counts_all) %in% rownames(meta)
complete <- in_meta
complete[in_meta] <- complete.cases(meta[rownames(counts_all)[in_meta], vars, drop = FALSE])
samples <- rownames(counts_all)[complete]
n <- length(samples)
counts <- counts_all[samples, , drop = FALSE]
is_num <- sapply(vars, function(v) { x <- meta[samples, v]; all(!is.na(suppressWarnings(as.numeric(x)))) })
refs <- if (nzchar(args$reference)) strsplit(args$reference, ",")[[1]] else character(0)
df <- data.frame(row.names = samples)
for (v in vars) {
  x <- meta[samples, v]
  if (is_num[[v]]) {
    df[[v]] <- as.vector(scale(as.numeric(x)))
  } else {
    f <- factor(x, levels = sort(unique(x), method = "radix"))
    r <- refs[startsWith(refs, paste0(v, "="))]
    if (length(r)) f <- relevel(f, ref = sub("^[^=]*=", "", r[1]))
    df[[v]] <- f
  }
}
rhs <- paste(vars, collapse = " + ")
var1 <- vars[1]

# Dropped samples: the reasons gutbrain gives, as sets.
if (nzchar(args$margin)) {
  dr <- read.delim(file.path(args$margin, "dropped_samples.tsv"), quote = "", colClasses = "character",
                   na.strings = character(0))
  expect <- c(sprintf("%s not_in_metadata", rownames(counts_all)[!in_meta]),
              sprintf("%s missing_value", rownames(counts_all)[in_meta & !complete]),
              sprintf("%s not_in_cohort", setdiff(rownames(meta), rownames(counts_all))))
  got <- sprintf("%s %s", dr$sample, dr$reason)
  report(setequal(expect, got) && length(expect) == length(got), "dropped_samples.tsv",
         sprintf("%d analysed, %d dropped rows", n, length(got)))
}

# ---- features: filter, TSS, transform, lm -------------------------------------------------
nz <- colSums(counts > 0)
keep <- nz > n * as.numeric(args$minprev)
keep[keep] <- apply(counts[, keep, drop = FALSE], 2, var) > 0
kept <- counts[, keep, drop = FALSE]
rel <- kept / rowSums(kept)
y_all <- switch(args$transform,
  log = apply(rel, 2, function(y) { y[y == 0] <- min(y[y > 0]) / 2; log2(y) }),
  ast = asin(sqrt(rel)),
  clr = { l <- log(kept + 0.5); l - rowMeans(l) },
  none = rel)
if (is.null(dim(y_all))) y_all <- matrix(y_all, nrow = n, dimnames = dimnames(rel))

# The design's coefficient rows (term, value) in model order, as gutbrain/MaAsLin2 name them.
coef_rows <- do.call(rbind, lapply(vars, function(v) {
  if (is.factor(df[[v]])) data.frame(metadata = v, value = levels(df[[v]])[-1], coef = paste0(v, levels(df[[v]])[-1]))
  else data.frame(metadata = v, value = v, coef = v)
}))

# lm + summary per response column; one row per feature and coefficient (NA when aliased).
fit_rows <- function(y, names) {
  out <- vector("list", ncol(y))
  for (j in seq_len(ncol(y))) {
    d <- df
    d$.y <- y[, j]
    fit <- lm(as.formula(paste(".y ~", rhs)), data = d)
    s <- summary(fit)$coefficients
    get <- function(col) sapply(coef_rows$coef, function(cn) if (cn %in% rownames(s)) s[cn, col] else NA_real_)
    out[[j]] <- data.frame(feature = names[j], metadata = coef_rows$metadata, value = coef_rows$value,
                           coef = get("Estimate"), stderr = get("Std. Error"), pval = get("Pr(>|t|)"),
                           order = (j - 1) * nrow(coef_rows) + seq_len(nrow(coef_rows)), stringsAsFactors = FALSE)
  }
  r <- do.call(rbind, out)
  r$qval <- p.adjust(r$pval, "BH")
  r
}

compare_models <- function(what, gbt, r, nonzero = NULL) {
  key_r <- paste(r$feature, r$metadata, r$value)
  key_g <- paste(gbt$feature, gbt$metadata, gbt$value)
  if (!setequal(key_r, key_g) || length(key_r) != length(key_g)) {
    return(report(FALSE, paste(what, "rows"), sprintf("gutbrain has %d rows, R %d; only in gutbrain: %s; only in R: %s",
      length(key_g), length(key_r), paste(head(setdiff(key_g, key_r), 3), collapse = ", "),
      paste(head(setdiff(key_r, key_g), 3), collapse = ", "))))
  }
  report(TRUE, paste(what, "rows"), sprintf("%d rows = R's features x coefficients", nrow(r)))
  g <- gbt[match(key_r, key_g), ]
  agree(paste(what, "coef"), g$coef, r$coef, key_r, floor = 1e-8 * r$stderr)
  agree(paste(what, "stderr"), g$stderr, r$stderr, key_r)
  agree(paste(what, "pval"), g$pval, r$pval, key_r)
  agree(paste(what, "qval = p.adjust(BH)"), g$qval, r$qval, key_r)
  report(all(g$N == n), paste(what, "N"), sprintf("N = %d samples analysed", n))
  if (!is.null(nonzero)) {
    bad <- which(g$N_not_zero != nonzero[r$feature])
    report(!length(bad), paste(what, "N_not_zero"), if (length(bad)) key_r[bad[1]] else "raw counts > 0")
  }
  # sorted by q ascending, stable: q ties keep fit order (feature, then coefficient)
  q <- gbt$qval
  fit_order <- r$order[match(key_g, key_r)]
  ord_ok <- !is.unsorted(q[!is.na(q)]) && !is.unsorted(is.na(q))  # NA q last
  ties <- which(c(FALSE, !is.na(q[-1]) & q[-1] == q[-length(q)]))
  stable <- all(fit_order[ties] > fit_order[ties - 1])
  report(ord_ok && stable, paste(what, "order"),
         sprintf("sorted by q, %d tied neighbours in fit order", length(ties)))
  invisible(g)
}

if (nzchar(args$margin)) {
  r_assoc <- fit_rows(y_all, colnames(y_all))
  gb_assoc <- read_gb(args$margin, "associations.tsv")
  compare_models("associations", gb_assoc, r_assoc, nonzero = nz)
  if (nzchar(args$refout)) write.table(r_assoc, file.path(args$refout, "associations_R.tsv"), sep = "\t",
                                       quote = FALSE, row.names = FALSE)

  # ---- rank tests on the TSS values of the kept features ----
  rt <- do.call(rbind, lapply(colnames(rel), function(f) {
    x <- rel[, f]
    g <- df[[var1]]
    if (is.factor(g) && nlevels(g) == 2) {
      t <- wilcox.test(x[g == levels(g)[1]], x[g == levels(g)[2]], exact = FALSE, correct = TRUE)
      data.frame(feature = f, test = "wilcoxon", statistic = unname(t$statistic), estimate = NA, N = n, pval = t$p.value)
    } else if (is.factor(g)) {
      t <- kruskal.test(x, g)
      data.frame(feature = f, test = "kruskal", statistic = unname(t$statistic), estimate = unname(t$parameter),
                 N = n, pval = t$p.value)
    } else {
      t <- suppressWarnings(cor.test(x, as.numeric(meta[samples, var1]), method = "spearman", exact = FALSE))
      data.frame(feature = f, test = "spearman", statistic = unname(t$statistic), estimate = unname(t$estimate),
                 N = n, pval = t$p.value)
    }
  }))
  rt$qval <- p.adjust(rt$pval, "BH")
  gr <- read_gb(args$margin, "ranktests.tsv")
  if (!setequal(gr$feature, rt$feature) || nrow(gr) != nrow(rt)) {
    report(FALSE, "ranktests rows", sprintf("%d rows vs R's %d", nrow(gr), nrow(rt)))
  } else {
    g <- gr[match(rt$feature, gr$feature), ]
    report(all(g$test == rt$test) && all(g$metadata == var1) && all(g$N == rt$N), "ranktests test/N",
           sprintf("%s, %d features", rt$test[1], nrow(rt)))
    agree(sprintf("ranktests statistic (%s)", rt$test[1]), g$statistic, rt$statistic, rt$feature)
    agree("ranktests estimate", g$estimate, rt$estimate, rt$feature)
    agree("ranktests pval", g$pval, rt$pval, rt$feature)
    agree("ranktests qval = p.adjust(BH)", g$qval, rt$qval, rt$feature)
    report(!is.unsorted(gr$qval[!is.na(gr$qval)]), "ranktests order", "sorted by q")
  }
  if (nzchar(args$refout)) write.table(rt, file.path(args$refout, "ranktests_R.tsv"), sep = "\t", quote = FALSE,
                                       row.names = FALSE)

  # ---- alpha diversity on all features at the rank ----
  integer_counts <- all(counts == round(counts))
  chao1 <- if (integer_counts) estimateR(counts)["S.chao1", ] else rep(NA_real_, n)
  alpha <- data.frame(sample = samples, observed = specnumber(counts), shannon = diversity(counts, "shannon"),
                      simpson = diversity(counts, "simpson"), chao1 = unname(chao1))
  ga <- read_gb(args$margin, "alpha.tsv")
  if (!setequal(ga$sample, samples) || nrow(ga) != n) {
    report(FALSE, "alpha rows", sprintf("%d samples vs R's %d", nrow(ga), n))
  } else {
    g <- ga[match(samples, ga$sample), ]
    agree("alpha observed = specnumber", g$observed, alpha$observed, samples)
    agree("alpha shannon = diversity", g$shannon, alpha$shannon, samples)
    agree("alpha simpson = diversity", g$simpson, alpha$simpson, samples)
    agree(if (integer_counts) "alpha chao1 = estimateR S.chao1" else "alpha chao1 NA (non-integer counts)",
          g$chao1, alpha$chao1, samples)
  }
  idx <- c("observed", "shannon", "simpson", "chao1")
  ya <- as.matrix(alpha[, idx])
  r_am <- fit_rows(ya[, colSums(is.na(ya)) == 0, drop = FALSE], idx[colSums(is.na(ya)) == 0])
  if (!integer_counts) {  # gutbrain models chao1 too and reports NA rows; R has no model for it
    na_rows <- r_am[r_am$feature == "observed", ]
    na_rows$feature <- "chao1"
    na_rows[, c("coef", "stderr", "pval", "qval")] <- NA
    na_rows$order <- na_rows$order + 3 * nrow(coef_rows)
    r_am <- rbind(r_am, na_rows)
  }
  compare_models("alpha_models", read_gb(args$margin, "alpha_models.tsv"), r_am)
}

# ---- beta diversity ----------------------------------------------------------------------------
perms <- as.integer(args$perms)
dists <- list(bray = vegdist(counts / rowSums(counts), "bray"),
              aitchison = vegdist(counts, "aitchison", pseudocount = 0.5))
form_data <- df
check_permanova <- function(dir, by) {
  gp <- read_gb(dir, "permanova.tsv")
  for (dn in names(dists)) {
    d <- dists[[dn]]
    set.seed(as.integer(args$seed))
    a <- adonis2(as.formula(paste("d ~", rhs)), data = form_data, permutations = perms, by = by)
    g <- gp[gp$distance == dn, ]
    if (!identical(g$term, c(vars, "Residual", "Total"))) {
      report(FALSE, sprintf("permanova %s by=%s terms", dn, by), paste("gutbrain:", paste(g$term, collapse = ",")))
      next
    }
    # A term whose columns are all aliased: adonis2 writes Df 0 and F -Inf (margin) or no row
    # (terms); gutbrain writes df 0, SS 0, F and p NA. Compare the other rows.
    terms <- rownames(a)[a$Df > 0 | rownames(a) %in% c("Residual", "Total")]
    aliased <- setdiff(vars, terms)
    if (length(aliased)) {
      ga <- g[g$term %in% aliased, ]
      report(all(ga$df == 0 & ga$SumOfSqs == 0 & is.na(ga$F) & is.na(ga$pval)),
             sprintf("permanova %s by=%s aliased %s", dn, by, paste(aliased, collapse = ",")),
             "df 0, SS 0, F NA (adonis2: Df 0 and F -Inf, or no row)")
    }
    a <- a[terms, ]
    g <- g[match(terms, g$term), ]
    keys <- paste(dn, terms)
    agree(sprintf("permanova %s by=%s Df", dn, by), g$df, a$Df, keys)
    agree(sprintf("permanova %s by=%s SumOfSqs", dn, by), g$SumOfSqs, a$SumOfSqs, keys,
          floor = a$SumOfSqs[length(terms)])
    agree(sprintf("permanova %s by=%s R2", dn, by), g$R2, a$R2, keys, floor = 1)
    agree(sprintf("permanova %s by=%s F", dn, by), g$F, a$F, keys)
    tested <- which(!is.na(a[["Pr(>F)"]]))
    if (args$exact_p == "1") {
      agree(sprintf("permanova %s by=%s p (complete enumeration, exact)", dn, by), g$pval[tested],
            a[["Pr(>F)"]][tested], keys[tested], tol = 1e-12)
    } else {
      agree_p(sprintf("permanova %s by=%s p (Monte Carlo)", dn, by), g$pval[tested], a[["Pr(>F)"]][tested],
              terms[tested], perms)
    }
    if (nzchar(args$refout)) write.table(cbind(term = terms, as.data.frame(a)),
      file.path(args$refout, sprintf("permanova_%s_%s_R.tsv", dn, by)), sep = "\t", quote = FALSE, row.names = FALSE)
  }
}
if (nzchar(args$margin)) check_permanova(args$margin, "margin")
if (nzchar(args$terms)) check_permanova(args$terms, "terms")

if (nzchar(args$margin)) {
  # betadisper(type = "centroid") + anova + permutest, categorical variable only
  if (is.factor(df[[var1]])) {
    gd <- read_gb(args$margin, "dispersion.tsv")
    for (dn in names(dists)) {
      bd <- betadisper(dists[[dn]], df[[var1]], type = "centroid")
      an <- anova(bd)
      set.seed(as.integer(args$seed))
      pt <- permutest(bd, permutations = perms)
      g <- gd[gd$distance == dn, ]
      if (nrow(g) != 1) { report(FALSE, paste("dispersion", dn), "no row"); next }
      agree(sprintf("betadisper %s df1,df2,F,p(anova)", dn), c(g$df1, g$df2, g$F, g$pval_anova),
            c(an$Df, an[1, "F value"], an[1, "Pr(>F)"]), c("df1", "df2", "F", "pval_anova"))
      if (args$exact_p == "1") {
        agree(sprintf("betadisper %s permutest p (complete enumeration, exact)", dn), g$pval, pt$tab[1, "Pr(>F)"],
              dn, tol = 1e-12)
      } else {
        agree_p(sprintf("betadisper %s permutest p (Monte Carlo)", dn), g$pval, pt$tab[1, "Pr(>F)"], dn, perms)
      }
    }
  } else {
    report(!file.exists(file.path(args$margin, "dispersion.tsv")) ||
           nrow(read_gb(args$margin, "dispersion.tsv")) == 0, "dispersion", "numeric variable: no betadisper rows")
  }

  # PCoA: the --pcoa-axes K largest eigenvalues of cmdscale, their share of the total inertia
  # (ape::pcoa's Relative_eig, the percentage phyloseq's plot_ordination prints), and the
  # coordinates of well-separated axes up to sign
  ge <- read_gb(args$margin, "pcoa_eigenvalues.tsv")
  gc <- read_gb(args$margin, "pcoa.tsv")
  for (dn in names(dists)) {
    cm <- cmdscale(dists[[dn]], k = min(10, n - 1), eig = TRUE)
    g <- ge[ge$distance == dn, ]
    K <- nrow(g)
    eig <- cm$eig[seq_len(K)]
    report(K == min(10, n), "pcoa", sprintf("%s: %d eigenvalues written (--pcoa-axes 10, n = %d)", dn, K, n))
    agree(sprintf("pcoa %s eigenvalues = cmdscale (first %d)", dn, K), g$eigenvalue[order(g$axis)], eig,
          paste("axis", seq_along(eig)), floor = max(abs(eig)))
    rel <- suppressWarnings(ape::pcoa(dists[[dn]]))$values$Relative_eig[seq_len(K)]
    rel[is.na(rel)] <- (cm$eig / sum(cm$eig))[is.na(rel)] # ape drops the ~0 eigenvalue of tiny n
    agree(sprintf("pcoa %s proportion = ape::pcoa Relative_eig (eigenvalue / trace)", dn), g$proportion[order(g$axis)],
          rel, paste("axis", seq_along(eig)), floor = 1)
    # an axis' eigenvector is well defined (to ~eps/gap) only when its eigenvalue is isolated
    sep <- pmin(c(Inf, -diff(cm$eig)), c(-diff(cm$eig), Inf))[seq_len(K)]
    ax <- which(seq_along(eig) <= ncol(cm$points) & sep > 1e-3 * eig[1])
    gcd <- gc[gc$distance == dn, ]
    gcd <- gcd[match(samples, gcd$sample), ]
    xs <- sapply(ax, function(k) { a <- gcd[[paste0("PC", k)]]; b <- cm$points[, k]
                                   if (sum(a * b) < 0) -a else a })
    agree(sprintf("pcoa %s coordinates (axes %s, up to sign)", dn, paste(ax, collapse = ",")), as.vector(xs),
          as.vector(cm$points[, ax]), rep(paste(dn, ax), each = n), tol = 1e-7, floor = max(abs(cm$points[, 1])))
  }
}
cat(sprintf("summary %s: %d checks failed\n", label, n_fail))
