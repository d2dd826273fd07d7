"""Hand-computed and edge cases for analysis.prepost, analysis.multiplicity, analysis.tidy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from analysis import _rank, multiplicity, prepost, tidy


def make_panel(pre, post, outcome="y", ids=None):
    ids = list(ids) if ids is not None else list(range(len(pre)))
    return pd.DataFrame({
        "participant_id": ids + ids,
        "wave": ["T0"] * len(ids) + ["T1"] * len(ids),
        outcome: list(pre) + list(post),
    })  # fmt: skip


# --------------------------------------------------------------------- paired t
def test_paired_t_by_hand():
    # d = 1, 2, 3, 4, 5: mean 3, sd sqrt(2.5), t = 3 / (sqrt(2.5)/sqrt(5)) = 3 sqrt(2)
    panel = make_panel([10, 10, 10, 10, 10], [11, 12, 13, 14, 15])
    row = prepost.paired_tests(panel, ["y"], "T0", "T1").query("test == 'paired_t'").iloc[0]
    assert row["n"] == 5 and row["df"] == 4
    assert_allclose(row["estimate"], 3.0)
    assert_allclose(row["statistic"], 3 * math.sqrt(2))
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)  # qt(.975, 4)
    assert_allclose([row["ci_low"], row["ci_high"]], [3 - half, 3 + half], rtol=1e-12)
    assert_allclose(row["p_value"], 0.01323559956, rtol=1e-9)  # R: t.test(post, pre, paired = TRUE)$p.value


def test_differences_are_post_minus_pre_over_complete_pairs_only():
    panel = pd.DataFrame({
        "participant_id": ["a", "b", "c", "a", "b", "d"],
        "wave": ["T0", "T0", "T0", "T1", "T1", "T1"],
        "y": [1.0, 2.0, 3.0, 5.0, np.nan, 9.0],
    })  # fmt: skip
    res = prepost.paired_tests(panel, ["y"], "T0", "T1")
    assert (res["n"] == 1).all()
    assert res.loc[res["test"] == "paired_t", "estimate"].item() == 4.0


def test_output_columns_and_rows_follow_contract():
    panel = make_panel([1, 2, 3, 4], [2, 2, 5, 7])
    panel["z"] = panel["y"] * 2
    res = prepost.paired_tests(panel, ["y", "z"], "T0", "T1")
    assert list(res.columns) == list(prepost.PAIRED_TEST_COLUMNS)
    assert res[["outcome", "test"]].values.tolist() == [
        ["y", "paired_t"], ["y", "wilcoxon"], ["z", "paired_t"], ["z", "wilcoxon"]]  # fmt: skip
    assert set(res["alternative"]) == {"two.sided"}
    assert set(res["pre"]) == {"T0"} and set(res["post"]) == {"T1"}
    assert set(res["p_adj_method"]) == {"holm"}


def test_p_adj_within_each_test_family():
    rng = np.random.default_rng(3)
    pre = rng.normal(50, 10, 30)
    panel = make_panel(pre, pre + rng.normal(2, 5, 30), "a")
    panel["b"] = panel["a"] + np.r_[np.zeros(30), rng.normal(1, 5, 30)]
    panel["c"] = panel["a"] - np.r_[np.zeros(30), rng.normal(0.5, 5, 30)]
    for method in ("holm", "fdr_bh", "bonferroni", "none"):
        res = prepost.paired_tests(panel, ["a", "b", "c"], "T0", "T1", p_adjust=method)
        for test in ("paired_t", "wilcoxon"):
            fam = res[res["test"] == test]
            assert_allclose(fam["p_adj"], multiplicity.p_adjust(fam["p_value"], method))


def test_constant_differences_give_nan_statistics_not_errors():
    panel = make_panel([1, 2, 3], [2, 3, 4])
    res = prepost.paired_tests(panel, ["y"], "T0", "T1")
    t = res[res["test"] == "paired_t"].iloc[0]
    assert t["estimate"] == 1.0 and np.isnan(t["statistic"]) and np.isnan(t["p_value"])


def test_no_pairs_gives_nan_rows():
    panel = pd.DataFrame({"participant_id": [1, 2], "wave": ["T0", "T1"], "y": [1.0, 2.0]})
    res = prepost.paired_tests(panel, ["y"], "T0", "T1")
    assert (res["n"] == 0).all() and res[["estimate", "statistic", "p_value"]].isna().all().all()
    eff = prepost.paired_effect_sizes(panel, ["y"], "T0", "T1")
    assert eff["estimate"].isna().all()


def test_bad_arguments_raise():
    panel = make_panel([1, 2, 3], [2, 3, 5])
    with pytest.raises(ValueError):
        prepost.paired_tests(panel, ["y"], "T0", "T1", p_adjust="BH")
    with pytest.raises(ValueError):
        prepost.paired_tests(panel, ["y"], "T0", "T1", ci_level=95)
    with pytest.raises(KeyError):
        prepost.paired_tests(panel, ["nope"], "T0", "T1")
    dup = pd.concat([panel, panel.iloc[[0]]])
    with pytest.raises(ValueError, match="more than one row"):
        prepost.paired_tests(dup, ["y"], "T0", "T1")


# --------------------------------------------------------------------- wilcoxon
def test_wilcoxon_exact_small_case_by_hand():
    # d = 1, 2, -3, 4, 5 (no ties/zeros): V = 1 + 2 + 4 + 5 = 12; n = 5;
    # P(V >= 12) = #{subsets of 1..5 with sum >= 12} / 32 = 5/32 -> p = 10/32
    panel = make_panel([0, 0, 0, 0, 0], [1, 2, -3, 4, 5])
    row = prepost.paired_tests(panel, ["y"], "T0", "T1").query("test == 'wilcoxon'").iloc[0]
    assert row["statistic"] == 12
    assert_allclose(row["p_value"], 10 / 32)
    assert row["method"].startswith("Wilcoxon signed rank exact test")
    # Hodges-Lehmann: median of the 15 Walsh averages
    d = np.array([1, 2, -3, 4, 5.0])
    walsh = [(d[i] + d[j]) / 2 for i in range(5) for j in range(i, 5)]
    assert_allclose(row["estimate"], np.median(walsh))


def test_wilcoxon_normal_approximation_with_ties_and_zeros_by_hand():
    d = np.array([0, 0, 2, 2, -2, 4, 4, 4, -1, 6, 3, 3.0])
    panel = make_panel(np.zeros(12), d)
    row = prepost.paired_tests(panel, ["y"], "T0", "T1").query("test == 'wilcoxon'").iloc[0]
    nz = d[d != 0]
    n = nz.size
    from scipy import stats

    r = stats.rankdata(np.abs(nz))
    V = r[nz > 0].sum()
    _, t = np.unique(r, return_counts=True)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(t**3 - t) / 48)
    z = (V - n * (n + 1) / 4 - 0.5) / sigma
    assert row["statistic"] == V
    assert_allclose(row["p_value"], 2 * stats.norm.sf(z), rtol=1e-12)
    assert "continuity correction" in row["method"] and "(10 non-zero" in row["method"]


def test_signrank_distribution_matches_enumeration():
    import itertools

    n = 6
    sums = [sum(s) for k in range(n + 1) for s in itertools.combinations(range(1, n + 1), k)]
    for q in range(0, 22):
        assert_allclose(_rank.psignrank(q, n), np.mean(np.array(sums) <= q))
    assert _rank.qsignrank(0.025, 6) == 1  # R: qsignrank(0.025, 6)
    assert _rank.qsignrank(0.025, 20) == 53  # R: qsignrank(0.025, 20)


def test_zeroin_finds_root_like_uniroot():
    root = _rank.zeroin(lambda x: x**2 - 2, 0.0, 2.0, -2.0, 2.0, 1e-10)
    assert_allclose(root, math.sqrt(2), rtol=1e-9)


# ------------------------------------------------------------------ effect sizes
def test_effect_sizes_by_hand():
    pre = np.array([10, 12, 9, 14, 11, 13.0])
    post = np.array([12, 15, 9, 15, 14, 13.0])
    panel = make_panel(pre, post)
    raw = prepost.paired_effect_sizes(panel, ["y"], "T0", "T1")
    assert list(raw.columns) == list(prepost.EFFECT_SIZE_COLUMNS)
    res = raw.set_index("effect_size_type")
    d = post - pre
    assert_allclose(res.loc["cohens_dz", "estimate"], d.mean() / d.std(ddof=1))
    J = 1 - 3 / (4 * 5 - 1)
    assert_allclose(res.loc["hedges_g_av", "estimate"], d.mean() / ((pre.std(ddof=1) + post.std(ddof=1)) / 2) * J)
    # non-zero d = 2, 3, 1, 3 (ranks 2, 3.5, 1, 3.5), all positive -> r_rb = 1
    assert res.loc["rank_biserial", "estimate"] == 1.0
    assert (res["n"] == 6).all()


def test_gav_interval_is_rescaled_dz_interval():
    rng = np.random.default_rng(7)
    pre = rng.normal(50, 10, 25)
    post = pre + rng.normal(3, 6, 25)
    res = prepost.paired_effect_sizes(make_panel(pre, post), ["y"], "T0", "T1").set_index("effect_size_type")
    d = post - pre
    J = 1 - 3 / (4 * 24 - 1)
    scale = d.std(ddof=1) / ((pre.std(ddof=1) + post.std(ddof=1)) / 2) * J
    assert_allclose(res.loc["hedges_g_av", ["ci_low", "ci_high"]].to_numpy(float),
                    res.loc["cohens_dz", ["ci_low", "ci_high"]].to_numpy(float) * scale, rtol=1e-12)  # fmt: skip
    lo, est, hi = res.loc["hedges_g_av", ["ci_low", "estimate", "ci_high"]]
    assert lo < est < hi


def test_rank_biserial_ci_uses_all_pairs_like_effectsize():
    d = np.array([0, 0, 1, 2, -3, 4, 5, 6.0])
    res = prepost.paired_effect_sizes(make_panel(np.zeros(8), d), ["y"], "T0", "T1")
    row = res.set_index("effect_size_type").loc["rank_biserial"]
    r = (1 + 2 + 4 + 5 + 6 - 3) / 21
    se = math.sqrt((2 * 8**3 + 3 * 8**2 + 8) / 6) / 36
    assert_allclose(row["estimate"], r)
    assert_allclose([row["ci_low"], row["ci_high"]], np.tanh(np.arctanh(r) + np.array([-1, 1]) * 1.959963984540054 * se))


def test_paired_changes_long_frame():
    panel = make_panel([1, 2], [4, 8], ids=["a", "b"])
    ch = prepost.paired_changes(panel, ["y"], "T0", "T1")
    assert ch["change"].tolist() == [3.0, 6.0]
    assert ch["participant_id"].tolist() == ["a", "b"]


# ------------------------------------------------------------------ multiplicity
def test_p_adjust_matches_r_examples():
    p = [0.01, 0.02, 0.03, 0.04, 0.05]
    # R: p.adjust(p, "holm"); p.adjust(p, "BH"); p.adjust(p, "bonferroni")
    assert_allclose(multiplicity.p_adjust(p, "holm"), [0.05, 0.08, 0.09, 0.09, 0.09])
    assert_allclose(multiplicity.p_adjust(p, "fdr_bh"), [0.05] * 5)
    assert_allclose(multiplicity.p_adjust(p, "bonferroni"), [0.05, 0.1, 0.15, 0.2, 0.25])
    assert_allclose(multiplicity.p_adjust(p, "none"), p)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.01, 0.05, 0.5, 1.0, np.nan])), max_size=40))
def test_holm_is_bit_identical_to_statsmodels(p):
    """``multiplicity._holm`` repeats statsmodels' Holm arithmetic (without its garbage
    collection): the same bits, ties, zeros, ones and NaN (left out of the count) included."""
    import gc
    from unittest import mock

    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, dtype=float)
    ok = ~np.isnan(p)
    expected = np.full(p.shape, np.nan)
    if ok.any():
        # (its garbage collection, not its arithmetic, left out: 0.4 s per call in a test
        # worker's heap, 108 s for this test in a fresh-clone run)
        with mock.patch.object(gc, "collect", lambda *a: 0):
            expected[ok] = multipletests(p[ok], method="holm")[1]
    assert np.array_equal(multiplicity.p_adjust(p, "holm"), expected, equal_nan=True)


def test_p_adjust_keeps_nan_out_of_the_count():
    out = multiplicity.p_adjust([0.01, np.nan, 0.04], "bonferroni")
    assert_allclose(out, [0.02, np.nan, 0.08])
    with pytest.raises(ValueError):
        multiplicity.p_adjust([0.5], "BH")


# ------------------------------------------------------------------------- tidy
def test_as_tidy_completes_orders_and_guards_vocabulary():
    out = tidy.as_tidy([{"estimate": 1.0, "outcome": "x", "junk": 3}], ["outcome", "estimate", "ci_low"])
    assert list(out.columns) == ["outcome", "estimate", "ci_low"] and np.isnan(out.loc[0, "ci_low"])
    with pytest.raises(ValueError):
        tidy.as_tidy([{"x": 1}], ["not_a_column"])


def test_every_result_column_is_in_the_vocabulary():
    from analysis import categorical, cohort, descriptives, eq5d, models, responders, sensitivity, subgroups

    for cols in (prepost.PAIRED_TEST_COLUMNS, prepost.EFFECT_SIZE_COLUMNS, categorical.CATEGORICAL_TEST_COLUMNS,
                 models.TERM_COLUMNS, models.GLANCE_COLUMNS, models.AUGMENT_COLUMNS, models.MEANS_COLUMNS,
                 cohort.FLOW_COLUMNS, descriptives.TABLE1_COLUMNS, descriptives.ATTRITION_COLUMNS,
                 eq5d.PCHC_COLUMNS, eq5d.PROBLEM_COLUMNS, responders.RESPONDER_COLUMNS,
                 sensitivity.MI_COLUMNS, sensitivity.COMPARE_COLUMNS, subgroups.SUBGROUP_COLUMNS):  # fmt: skip
        assert set(cols) <= set(tidy.VOCABULARY), set(cols) - set(tidy.VOCABULARY)
    assert tidy.order_columns(pd.DataFrame({"p_value": [1], "zzz": [2], "outcome": ["a"]})).columns.tolist() == [
        "outcome", "p_value", "zzz"]  # fmt: skip
