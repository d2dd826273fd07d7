# R references for analysis/partnership.py and the E2 reliability (tests/unit/test_partnership_reference.py).
# Usage: Rscript r_reference_partnership.R DIR
#   reads  DIR/partner_items.csv (example partner surveys as canonical items, missing = NA)
#          DIR/partner_alpha_missing_a.csv, DIR/partner_alpha_missing_b.csv (hand-made, with NA)
#   writes DIR/r_results_partnership.csv (analysis, outcome, year, group, pre, post, quantity, value)
# Run with R 4.2.2 and Debian bookworm r-cran-psych 2.2.9.
suppressPackageStartupMessages(library(psych))
args <- commandArgs(trailingOnly = TRUE); dir <- args[1]
d <- read.csv(file.path(dir, "partner_items.csv"))
out <- data.frame(analysis = character(), outcome = character(), year = character(), group = character(),
                  pre = character(), post = character(), quantity = character(), value = numeric(),
                  stringsAsFactors = FALSE)
add <- function(a, o, y, g, pre, post, q, v) out[nrow(out) + 1, ] <<- list(a, o, y, g, pre, post, q, as.numeric(v))
scales <- c("e2_contextual_capacity", "e2_collective_empowerment", "e2_relationships", "e2_research_actions",
            "e2_synergy", "e2_transformation", "e2_outcomes")
items_of <- function(s) grep(paste0("^", s, "_[0-9]{2}$"), names(d), value = TRUE)
# scoring rule of the E2 specs, implemented independently: mean of the answered items if at
# least half of them (rounded up) are answered
score <- function(x) { k <- ncol(x); nv <- rowSums(!is.na(x)); m <- rowMeans(x, na.rm = TRUE)
                       ifelse(nv >= ceiling(k / 2), m, NA) }
# psych::alpha on complete rows. psych drops items without variance (common in a small
# group) from alpha "but still counts them in the score"; alpha of the score as used keeps
# them: k/(k-1) (1 - tr(C)/sum(C)) over all k items. Both are written: `alpha_psych` and
# `alpha` (= psych's value when no item is constant, else the all-items formula), with the
# number of constant items, and Feldt's CI (psych::alpha.ci) around `alpha` on the complete-row n.
alpha_cc <- function(x) {
  x <- x[complete.cases(x), , drop = FALSE]
  if (nrow(x) < 3) return(NULL)
  a <- suppressWarnings(suppressMessages(alpha(x, use = "complete.obs", warnings = FALSE, check.keys = FALSE)))
  C <- cov(x); k <- ncol(x); formula <- k / (k - 1) * (1 - sum(diag(C)) / sum(C))
  nzv <- sum(apply(x, 2, var) == 0)
  al <- if (nzv == 0) a$total$raw_alpha else formula
  ci <- alpha.ci(al, nrow(x), ncol(x))
  list(n = nrow(x), alpha = al, psych = a$total$raw_alpha, nzv = nzv, low = ci$lower.ci, high = ci$upper.ci)
}
describe <- function(a, o, y, g, x, items) {
  x <- x[!is.na(x)]
  add(a, o, y, g, "", "", "n", length(x)); add(a, o, y, g, "", "", "mean", mean(x))
  if (length(x) >= 2) {
    tt <- t.test(x)
    add(a, o, y, g, "", "", "sd", sd(x)); add(a, o, y, g, "", "", "std_error", sd(x) / sqrt(length(x)))
    add(a, o, y, g, "", "", "ci_low", tt$conf.int[1]); add(a, o, y, g, "", "", "ci_high", tt$conf.int[2])
  }
  r <- alpha_cc(items)
  if (!is.null(r)) {
    add(a, o, y, g, "", "", "n_complete", r$n); add(a, o, y, g, "", "", "alpha", r$alpha)
    add(a, o, y, g, "", "", "alpha_psych", r$psych); add(a, o, y, g, "", "", "n_constant_items", r$nzv)
    add(a, o, y, g, "", "", "alpha_ci_low", r$low); add(a, o, y, g, "", "", "alpha_ci_high", r$high)
  }
}
years <- sort(unique(d$year))
for (s in scales) {
  it <- items_of(s); sc <- score(d[, it]); o <- paste0(s, "_score")
  for (y in years) {
    sel <- d$year == y
    describe("yearly", o, y, "", sc[sel], d[sel, it])
    for (g in sort(unique(d$group[sel & !is.na(d$group)]))) {
      gs <- sel & !is.na(d$group) & d$group == g
      describe("group", o, y, g, sc[gs], d[gs, it])
    }
  }
  for (k in seq_len(length(years) - 1)) {
    a <- years[k]; b <- years[k + 1]
    tt <- t.test(sc[d$year == b], sc[d$year == a], var.equal = FALSE)
    for (q in c("estimate", "std_error", "statistic", "df", "p_value", "ci_low", "ci_high")) {
      v <- switch(q, estimate = unname(tt$estimate[1] - tt$estimate[2]), std_error = tt$stderr,
                  statistic = tt$statistic, df = tt$parameter, p_value = tt$p.value,
                  ci_low = tt$conf.int[1], ci_high = tt$conf.int[2])
      add("welch", o, "", "", a, b, q, v)
    }
  }
  fit <- lm(sc ~ year, data = data.frame(sc = sc, year = d$year))
  cf <- summary(fit)$coefficients; ci <- confint(fit)
  add("ols_slope", o, "", "", min(years), max(years), "estimate", cf["year", "Estimate"])
  add("ols_slope", o, "", "", min(years), max(years), "std_error", cf["year", "Std. Error"])
  add("ols_slope", o, "", "", min(years), max(years), "statistic", cf["year", "t value"])
  add("ols_slope", o, "", "", min(years), max(years), "p_value", cf["year", "Pr(>|t|)"])
  add("ols_slope", o, "", "", min(years), max(years), "df", fit$df.residual)
  add("ols_slope", o, "", "", min(years), max(years), "ci_low", ci["year", 1])
  add("ols_slope", o, "", "", min(years), max(years), "ci_high", ci["year", 2])
}
# hand-made tables with missing values: complete rows (and, for contrast, psych's default pairwise)
for (name in c("a", "b")) {
  x <- read.csv(file.path(dir, paste0("partner_alpha_missing_", name, ".csv")))
  if (name == "b") x[, 2] <- 6 - x[, 2]  # reverse-keyed item 2 (scored with reverse = [2])
  r <- alpha_cc(x)
  add(paste0("alpha_missing_", name), "", "", "", "", "", "n_complete", r$n)
  add(paste0("alpha_missing_", name), "", "", "", "", "", "alpha", r$alpha)
  add(paste0("alpha_missing_", name), "", "", "", "", "", "alpha_ci_low", r$low)
  add(paste0("alpha_missing_", name), "", "", "", "", "", "alpha_ci_high", r$high)
  pw <- suppressWarnings(suppressMessages(alpha(x, warnings = FALSE, check.keys = FALSE)))
  add(paste0("alpha_missing_", name), "", "", "", "", "", "alpha_pairwise", pw$total$raw_alpha)
}
write.csv(out, file.path(dir, "r_results_partnership.csv"), row.names = FALSE)
