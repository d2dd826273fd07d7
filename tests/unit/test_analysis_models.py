"""Hand-computed and structural checks for analysis.categorical and analysis.models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analysis import categorical, models

REF = Path(__file__).parent / "data" / "reference_stats"


def binary_panel(pairs):
    """pairs: list of (pre, post) values."""
    n = len(pairs)
    return pd.DataFrame({
        "participant_id": list(range(n)) * 2,
        "wave": ["T0"] * n + ["T1"] * n,
        "x": [p for p, _ in pairs] + [q for _, q in pairs],
    })  # fmt: skip


# ------------------------------------------------------------------- McNemar
def test_mcnemar_by_hand():
    # b = 7 (0 -> 1), c = 2 (1 -> 0), 5 concordant
    panel = binary_panel([(0, 1)] * 7 + [(1, 0)] * 2 + [(0, 0)] * 3 + [(1, 1)] * 2)
    res = categorical.mcnemar(panel, "x", "T0", "T1").iloc[0]
    assert res["n"] == 14 and res["df"] == 1
    assert_allclose(res["statistic"], (abs(7 - 2) - 1) ** 2 / 9)
    assert_allclose(res["p_value"], stats.chi2.sf(16 / 9, 1))
    assert_allclose(res["estimate"], (7 - 2) / 14)
    ex = categorical.mcnemar(panel, "x", "T0", "T1", exact=True).iloc[0]
    assert_allclose(ex["p_value"], 2 * stats.binom.cdf(2, 9, 0.5))  # R: binom.test(7, 9)$p.value
    assert ex["test"] == "mcnemar_exact" and ex["statistic"] == 7


def test_mcnemar_without_discordant_pairs_is_nan():
    panel = binary_panel([(0, 0), (1, 1), (1, 1)])
    assert np.isnan(categorical.mcnemar(panel, "x", "T0", "T1").loc[0, "p_value"])
    assert np.isnan(categorical.mcnemar(panel, "x", "T0", "T1", exact=True).loc[0, "p_value"])


def test_mcnemar_rejects_more_than_two_levels():
    with pytest.raises(ValueError, match="two levels"):
        categorical.mcnemar(binary_panel([(0, 1), (1, 2), (2, 0)]), "x", "T0", "T1")


# -------------------------------------------------------------- Stuart-Maxwell
def test_stuart_maxwell_by_hand_and_level_order_invariant():
    pairs = [("a", "a")] * 5 + [("a", "b")] * 4 + [("b", "a")] * 1 + [("b", "c")] * 3 + [("c", "c")] * 4 + [("c", "a")]
    panel = binary_panel(pairs)
    tab = categorical.paired_table(panel, "x", "T0", "T1").to_numpy(float)
    d = tab.sum(1) - tab.sum(0)
    S = -(tab + tab.T)
    np.fill_diagonal(S, tab.sum(1) + tab.sum(0) - 2 * np.diag(tab))
    expected = d[:2] @ np.linalg.solve(S[:2, :2], d[:2])  # classical k-1 form
    res = categorical.marginal_homogeneity(panel, "x", "T0", "T1").iloc[0]
    assert_allclose(res["statistic"], expected)
    assert res["df"] == 2
    assert_allclose(res["p_value"], stats.chi2.sf(expected, 2))
    panel["x"] = pd.Categorical(panel["x"], categories=["c", "a", "b"])
    assert_allclose(categorical.marginal_homogeneity(panel, "x", "T0", "T1").loc[0, "statistic"], expected)


def test_paired_table_keeps_empty_categorical_levels():
    panel = binary_panel([("lo", "lo"), ("lo", "hi")])
    panel["x"] = pd.Categorical(panel["x"], categories=["lo", "mid", "hi"])
    tab = categorical.paired_table(panel, "x", "T0", "T1")
    assert tab.shape == (3, 3) and tab.to_numpy().sum() == 2


# ---------------------------------------------------------------- mixed model
@pytest.fixture(scope="module")
def ref_panel():
    return pd.read_csv(REF / "prepost_long.csv")


def test_mixed_balanced_complete_data_equals_anova_by_hand():
    # balanced: REML variance components = ANOVA (method of moments) estimates
    rng = np.random.default_rng(11)
    n, k = 12, 3
    u = rng.normal(0, 3, n)
    y = 10 + u[:, None] + np.array([0, 1, 2.5]) + rng.normal(0, 2, (n, k))
    panel = pd.DataFrame({"participant_id": np.repeat(np.arange(n), k), "wave": np.tile(["T0", "T1", "T2"], n),
                          "y": y.ravel()})  # fmt: skip
    terms, glance, augment = models.mixed(panel, "y")
    grand = y.mean()
    ms_subj = k * np.sum((y.mean(1) - grand) ** 2) / (n - 1)
    resid = y - y.mean(1, keepdims=True) - y.mean(0, keepdims=True) + grand
    ms_err = np.sum(resid**2) / ((n - 1) * (k - 1))
    assert_allclose(glance.loc[0, "var_residual"], ms_err, rtol=1e-6)
    assert_allclose(glance.loc[0, "var_participant"], (ms_subj - ms_err) / k, rtol=1e-6)
    # wave effects are the wave-mean differences; their SE is sqrt(2 ms_err / n) on (n-1)(k-1) df
    means = y.mean(0)
    t = terms.set_index("term")
    assert_allclose(t.loc[["waveT1", "waveT2"], "estimate"], means[1:] - means[0], rtol=1e-10)
    assert_allclose(t.loc["waveT1", "std_error"], np.sqrt(2 * ms_err / n), rtol=1e-6)
    assert_allclose(t.loc["waveT1", "df"], (n - 1) * (k - 1), rtol=1e-6)
    assert bool(glance.loc[0, "converged"])


def test_mixed_frames_shapes_and_no_ids(ref_panel):
    terms, glance, augment = models.mixed(ref_panel, "who5")
    assert list(terms.columns) == list(models.TERM_COLUMNS)
    assert terms["term"].tolist() == ["(Intercept)", "waveT1", "waveT2"]
    assert list(glance.columns) == list(models.GLANCE_COLUMNS)
    assert glance.loc[0, "n_obs"] == ref_panel["who5"].notna().sum()
    assert glance.loc[0, "n_groups"] == ref_panel.loc[ref_panel["who5"].notna(), "participant_id"].nunique()
    assert "participant_id" not in augment.columns and len(augment) == glance.loc[0, "n_obs"]
    assert_allclose(augment["observed"] - augment["fitted"], augment["residual"])
    assert (terms["ci_low"] < terms["estimate"]).all() and (terms["estimate"] < terms["ci_high"]).all()


def test_mixed_boundary_fit_has_zero_participant_variance():
    # within-person noise only, participant means anti-correlated: REML optimum at var_participant = 0
    panel = pd.DataFrame({"participant_id": [1, 1, 2, 2, 3, 3, 4, 4],
                          "wave": ["T0", "T1"] * 4, "y": [1.0, 5.0, 5.0, 1.0, 2.0, 6.0, 6.0, 2.0]})  # fmt: skip
    terms, glance, _ = models.mixed(panel, "y")
    assert glance.loc[0, "var_participant"] == 0
    # with no participant variance the model is OLS: SE of the wave effect = sqrt(2 s2 / 4)
    s2 = glance.loc[0, "var_residual"]
    assert_allclose(s2, 34 / 6, rtol=1e-8)  # OLS: residual SS about the wave means (17 + 17) on 8 - 2 df
    assert_allclose(terms.set_index("term").loc["waveT1", "std_error"], np.sqrt(s2 / 2), rtol=1e-8)


def test_mixed_with_rank_deficient_design_is_not_estimable():
    # a covariate constant in the sample is degenerate data, not a programming error: the
    # model is reported as not estimable instead of stopping the pipeline (issue 14)
    panel = pd.DataFrame({"participant_id": [1, 2, 1, 2], "wave": ["T0", "T0", "T1", "T1"], "y": [1, 2, 3, 5.0],
                          "c": [1, 1, 1, 1.0]})  # fmt: skip
    terms, glance, augment = models.mixed(panel, "y", covariates=["c"])
    assert terms["term"].tolist() == ["(Intercept)", "waveT1", "c"]
    assert terms["estimate"].isna().all() and augment.empty
    assert set(terms["note"]) == {"not estimable: regressors collinear or constant"}
    assert glance.loc[0, "note"] == terms.loc[0, "note"] and not glance.loc[0, "converged"]


def test_estimated_means_without_covariates_are_intercept_plus_effects(ref_panel):
    terms, _, _ = models.mixed(ref_panel, "eq_vas")
    means = models.estimated_means(ref_panel, "eq_vas")
    b = terms.set_index("term")["estimate"]
    assert_allclose(means["estimate"], [b["(Intercept)"], b["(Intercept)"] + b["waveT1"],
                                        b["(Intercept)"] + b["waveT2"]])  # fmt: skip
    assert means["n"].tolist() == [
        int(((ref_panel["wave"] == w) & ref_panel["eq_vas"].notna()).sum()) for w in ("T0", "T1", "T2")]  # fmt: skip


def test_wave_contrast_sign_and_reference(ref_panel):
    terms, _, _ = models.mixed(ref_panel, "hls_q16")
    b = terms.set_index("term")["estimate"]
    fwd = models.wave_contrast(ref_panel, "hls_q16", "T0", "T2").iloc[0]
    back = models.wave_contrast(ref_panel, "hls_q16", "T2", "T0").iloc[0]
    assert_allclose(fwd["estimate"], b["waveT2"])
    assert_allclose(back["estimate"], -b["waveT2"])
    assert fwd["contrast"] == "T2 - T0"
