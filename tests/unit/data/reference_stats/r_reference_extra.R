# Extra R reference results for analysis/ beyond r_reference.R (same data, same R).
# Usage: Rscript r_reference_extra.R DIR   (reads DIR/prepost_long.csv; writes DIR/r_results_extra.csv)
# Run with R 4.2.2 and the Debian bookworm packages r-cran-lmertest 3.1-3, r-cran-lme4 1.1-31.
suppressPackageStartupMessages({library(lmerTest)})
args <- commandArgs(trailingOnly = TRUE); dir <- args[1]
d <- read.csv(file.path(dir, "prepost_long.csv"), stringsAsFactors = FALSE, na.strings = c("", "NA"))
out <- data.frame(analysis = character(), outcome = character(), pre = character(), post = character(),
                  quantity = character(), value = numeric(), stringsAsFactors = FALSE)
add <- function(a, o, pre, post, q, v) out[nrow(out) + 1, ] <<- list(a, o, pre, post, q, as.numeric(v))
outs <- c("who5", "eq_vas", "hls_q16")
for (pp in list(c("T0", "T1"), c("T0", "T2"), c("T1", "T2"))) {
  pre <- pp[1]; post <- pp[2]; tp <- c(); wp <- c()
  for (o in outs) {
    a <- d[d$wave == pre, c("participant_id", o)]; b <- d[d$wave == post, c("participant_id", o)]
    m <- merge(a, b, by = "participant_id", suffixes = c("_pre", "_post")); m <- m[complete.cases(m), ]
    x <- m[[paste0(o, "_post")]]; y <- m[[paste0(o, "_pre")]]
    for (lev in c(0.95, 0.9)) {
      wt <- suppressWarnings(wilcox.test(x, y, paired = TRUE, conf.int = TRUE, conf.level = lev))
      a_ <- if (lev == 0.95) "wilcoxon_hl" else "wilcoxon_hl_90"
      add(a_, o, pre, post, "statistic", wt$statistic); add(a_, o, pre, post, "p_value", wt$p.value)
      add(a_, o, pre, post, "estimate", wt$estimate)
      add(a_, o, pre, post, "ci_low", wt$conf.int[1]); add(a_, o, pre, post, "ci_high", wt$conf.int[2])
    }
    tt <- t.test(x, y, paired = TRUE); tp <- c(tp, tt$p.value)
    wp <- c(wp, suppressWarnings(wilcox.test(x, y, paired = TRUE))$p.value)
  }
  for (meth in c("holm", "BH", "bonferroni")) {
    ph <- p.adjust(tp, method = meth); pw <- p.adjust(wp, method = meth)
    for (k in seq_along(ph)) {
      add(paste0("paired_t_", meth), outs[k], pre, post, "p_adj", ph[k])
      add(paste0("wilcoxon_", meth), outs[k], pre, post, "p_adj", pw[k])
    }
  }
}
# mixed models: REML log-likelihood, AIC, model-estimated wave means (Satterthwaite), a covariate model
for (o in outs) {
  dd <- d[!is.na(d[[o]]), ]; dd$wave <- factor(dd$wave, levels = c("T0", "T1", "T2"))
  fit <- lmer(as.formula(paste(o, "~ wave + (1 | participant_id)")), data = dd, REML = TRUE)
  add("mixed_reml", o, "", "", "log_lik", as.numeric(logLik(fit))); add("mixed_reml", o, "", "", "aic", AIC(fit))
  for (k in 1:3) {
    L <- c(1, k == 2, k == 3); ct <- contest1D(fit, L, confint = TRUE)
    w <- c("T0", "T1", "T2")[k]
    add("mixed_means", o, w, "", "estimate", ct$Estimate); add("mixed_means", o, w, "", "std_error", ct[["Std. Error"]])
    add("mixed_means", o, w, "", "df", ct$df); add("mixed_means", o, w, "", "ci_low", ct$lower)
    add("mixed_means", o, w, "", "ci_high", ct$upper)
  }
  ct <- contest1D(fit, c(0, -1, 1), confint = TRUE)  # T2 - T1 from the three-wave model
  for (q in c("Estimate", "Std. Error", "df", "Pr(>|t|)", "lower", "upper"))
    add("mixed_contrast", o, "T1", "T2", q, ct[[q]])
  d2 <- droplevels(dd[dd$wave %in% c("T0", "T1"), ])  # T1 - T0 from a model on those two waves only
  ct <- contest1D(lmer(as.formula(paste(o, "~ wave + (1 | participant_id)")), data = d2, REML = TRUE), c(0, 1), confint = TRUE)
  for (q in c("Estimate", "Std. Error", "df", "Pr(>|t|)", "lower", "upper"))
    add("mixed_contrast_two_waves", o, "T0", "T1", q, ct[[q]])
  dc <- dd[!is.na(dd$srh_good) & !is.na(dd$hls_q16_level), ]
  dc$hls_q16_level <- factor(dc$hls_q16_level, levels = c("inadequate", "problematic", "sufficient"))
  fit2 <- lmer(as.formula(paste(o, "~ wave + srh_good + hls_q16_level + (1 | participant_id)")), data = dc, REML = TRUE)
  cf <- summary(fit2)$coefficients
  for (term in rownames(cf)) {
    add("mixed_reml_cov", o, term, "", "estimate", cf[term, "Estimate"])
    add("mixed_reml_cov", o, term, "", "std_error", cf[term, "Std. Error"])
    add("mixed_reml_cov", o, term, "", "df_satterthwaite", cf[term, "df"])
    add("mixed_reml_cov", o, term, "", "p_value_satterthwaite", cf[term, "Pr(>|t|)"])
  }
  vc <- as.data.frame(VarCorr(fit2))
  add("mixed_reml_cov", o, "participant_id", "", "variance", vc$vcov[1]); add("mixed_reml_cov", o, "residual", "", "variance", vc$vcov[2])
  add("mixed_reml_cov", o, "", "", "log_lik", as.numeric(logLik(fit2)))
  add("mixed_reml_cov", o, "", "", "fitted_first", fitted(fit2)[1]); add("mixed_reml_cov", o, "", "", "fitted_last", fitted(fit2)[nrow(dc)])
}
# Wilson score intervals (prop.test without continuity correction)
for (xn in list(c(0, 20), c(3, 20), c(10, 20), c(19, 20), c(7, 33))) {
  pt <- prop.test(xn[1], xn[2], correct = FALSE)
  lab <- paste0(xn[1], "/", xn[2])
  add("wilson", lab, "", "", "ci_low", pt$conf.int[1]); add("wilson", lab, "", "", "ci_high", pt$conf.int[2])
}
write.csv(out, file.path(dir, "r_results_extra.csv"), row.names = FALSE)
cat(nrow(out), "results written to", file.path(dir, "r_results_extra.csv"), "\n")
