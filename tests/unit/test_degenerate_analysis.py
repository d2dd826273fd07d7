"""Degenerate but valid data never stop an analysis (issue 14, "small and degenerate
studies produce a report").

Every public function of :mod:`analysis` is given hand-made tiny panels -- no pairs, one
pair, two pairs, all values equal, one category only, an empty category, a wave nobody
answered, shares of 0 % and 100 % -- and must return its tidy rows with NaN where nothing
can be estimated and a ``note`` ("not estimable: <reason>", :data:`analysis.tidy.REASONS`)
saying why, never raise. Where a value *can* be computed (the mean change when every
change is equal, a share of 0 %), it is checked by hand.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis import (
    categorical,
    cohort,
    descriptives,
    dose_response,
    eq5d,
    health_economics,
    models,
    prepost,
    proportions,
    reliability,
    responders,
    sensitivity,
    subgroups,
    tidy,
    wave_summary,
)

NE = tidy.not_estimable


@pytest.fixture(autouse=True)
def _no_runtime_warnings():
    """Degenerate input must not even warn (a warning is a division by zero in waiting)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def pairs(pre, post, name="y", ids=None) -> pd.DataFrame:
    """A long panel of complete pairs (``pre[i]``, ``post[i]``); ``None`` is missing."""
    ids = list(ids) if ids is not None else [f"p{i}" for i in range(len(pre))]
    return pd.DataFrame({"participant_id": ids + ids, "wave": ["T0"] * len(ids) + ["T1"] * len(ids),
                         name: [np.nan if v is None else v for v in [*pre, *post]]})


def baseline_only(values, name="y") -> pd.DataFrame:
    """Nobody answered the follow-up: no pairs at all."""
    return pd.DataFrame({"participant_id": [f"p{i}" for i in range(len(values))], "wave": "T0", name: values})


EMPTY = pd.DataFrame({"participant_id": pd.Series(dtype=str), "wave": pd.Series(dtype=str),
                      "y": pd.Series(dtype=float)})


# -- the vocabulary ----------------------------------------------------------------------------


def test_every_reason_is_a_fixed_sentence_without_data():
    assert "note" in tidy.VOCABULARY
    for key, text in tidy.REASONS.items():
        assert tidy.not_estimable(key) == "not estimable: " + text
        assert text == text.strip() and text[0].islower() and not text.endswith(".")
    with pytest.raises(KeyError):
        tidy.not_estimable("no such reason")


# -- paired tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("panel", [EMPTY, baseline_only([1.0, 2.0]), pairs([1.0], [None])], ids=["empty", "no_follow_up",
                                                                                              "missing_post"])
def test_paired_tests_without_pairs(panel):
    res = prepost.paired_tests(panel, ["y"], "T0", "T1")
    assert res["test"].tolist() == ["paired_t", "wilcoxon"]
    assert (res["n"] == 0).all()
    assert res[["estimate", "ci_low", "ci_high", "statistic", "p_value", "p_adj"]].isna().all().all()
    assert set(res["note"]) == {NE("no_pairs")}


def test_paired_tests_with_one_pair():
    res = prepost.paired_tests(pairs([40.0], [48.0]), ["y"], "T0", "T1").set_index("test")
    assert res.loc["paired_t", "n"] == 1 and res.loc["paired_t", "estimate"] == 8.0  # the one change
    assert np.isnan(res.loc["paired_t", "ci_low"]) and np.isnan(res.loc["paired_t", "p_value"])
    assert res.loc["paired_t", "note"] == NE("few_pairs")


def test_paired_tests_with_two_pairs_are_estimable():
    res = prepost.paired_tests(pairs([40.0, 52.0], [48.0, 54.0]), ["y"], "T0", "T1").set_index("test")
    t = res.loc["paired_t"]
    assert t["note"] == "" and t["df"] == 1.0
    # t.test(c(48, 54), c(40, 52), paired = TRUE): mean 5, sd(d) = 4.242641, t = 1.666667
    assert_allclose([t["estimate"], t["statistic"]], [5.0, 5 / (math.sqrt(18) / math.sqrt(2))])


def test_paired_tests_when_every_change_is_equal():
    res = prepost.paired_tests(pairs([40.0, 52.0, 60.0], [44.0, 56.0, 64.0]), ["y"], "T0", "T1").set_index("test")
    t = res.loc["paired_t"]
    assert t["estimate"] == 4.0 and np.isnan(t["ci_low"]) and np.isnan(t["statistic"])
    assert t["note"] == NE("no_change_variation")
    w = res.loc["wilcoxon"]  # R: a p-value, but no interval ("all observations tied")
    assert w["note"] == NE("no_change_variation") and np.isnan(w["ci_low"])


def test_paired_tests_when_every_value_is_equal():
    res = prepost.paired_tests(pairs([20.0] * 4, [20.0] * 4), ["y"], "T0", "T1").set_index("test")
    assert res.loc["paired_t", "estimate"] == 0.0 and res.loc["paired_t", "note"] == NE("no_change_variation")
    assert res.loc["wilcoxon", "note"] == NE("all_zero") and np.isnan(res.loc["wilcoxon", "p_value"])


def test_a_not_estimable_outcome_leaves_the_others_and_their_adjustment_alone():
    panel = pairs([1.0, 2.0, 3.0, 4.0], [2.0, 2.5, 5.0, 4.5]).assign(z=[5.0] * 8)
    res = prepost.paired_tests(panel, ["y", "z"], "T0", "T1")
    t = res[res["test"] == "paired_t"].set_index("outcome")
    assert t.loc["y", "note"] == "" and t.loc["y", "p_adj"] == t.loc["y", "p_value"]  # one test in the family
    assert t.loc["z", "note"] == NE("no_change_variation") and np.isnan(t.loc["z", "p_adj"])


# -- effect sizes ------------------------------------------------------------------------------


def test_effect_sizes_by_number_of_pairs():
    notes = {}
    for n in range(4):
        res = prepost.paired_effect_sizes(pairs([40.0, 52, 60][:n], [48.0, 53, 66][:n]), ["y"], "T0", "T1")
        assert (res["n"] == n).all()
        notes[n] = res.set_index("effect_size_type")["note"].to_dict()
    assert notes[0] == {t: NE("no_pairs") for t in ("cohens_dz", "hedges_g_av", "rank_biserial")}
    assert notes[1] == {"cohens_dz": NE("few_pairs"), "hedges_g_av": NE("few_pairs_3"), "rank_biserial": ""}
    assert notes[2] == {"cohens_dz": "", "hedges_g_av": NE("few_pairs_3"), "rank_biserial": ""}
    assert notes[3] == {"cohens_dz": "", "hedges_g_av": "", "rank_biserial": ""}


def test_effect_sizes_without_variation():
    same = prepost.paired_effect_sizes(pairs([5.0] * 4, [5.0] * 4), ["y"], "T0", "T1").set_index("effect_size_type")
    assert same["estimate"].isna().all()
    assert same["note"].to_dict() == {"cohens_dz": NE("no_change_variation"), "hedges_g_av": NE("no_variation"),
                                      "rank_biserial": NE("all_zero")}
    shift = prepost.paired_effect_sizes(pairs([1.0, 2, 3], [3.0, 4, 5]), ["y"], "T0", "T1").set_index(
        "effect_size_type")
    # equal changes: g_av exists (the waves vary), its interval does not; r_rb = 1
    assert np.isfinite(shift.loc["hedges_g_av", "estimate"]) and np.isnan(shift.loc["hedges_g_av", "ci_low"])
    assert shift.loc["hedges_g_av", "note"] == NE("no_change_variation")
    assert shift.loc["rank_biserial", "estimate"] == 1.0 and shift.loc["rank_biserial", "note"] == ""


# -- categorical change ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [bool, "boolean", float, int])
def test_mcnemar_with_one_level_observed_keeps_the_binary_table(dtype):
    """The crash of issue 14: who5_poor all False at both waves."""
    panel = pairs([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], name="who5_poor")
    panel["who5_poor"] = panel["who5_poor"].astype(dtype)
    for exact in (False, True):
        r = categorical.mcnemar(panel, "who5_poor", "T0", "T1", exact=exact).iloc[0]
        assert r["n"] == 5 and r["estimate"] == 0.0 and np.isnan(r["p_value"])
        assert r["note"] == NE("no_discordant")
    tab = categorical.paired_table(panel, "who5_poor", "T0", "T1", levels=categorical._binary_levels(
        panel, "who5_poor", "T0", "T1"))
    assert tab.to_numpy().tolist() == [[5, 0], [0, 0]]


def test_mcnemar_all_true_at_both_waves():
    r = categorical.mcnemar(pairs([True] * 6, [True] * 6, name="x"), "x", "T0", "T1").iloc[0]
    assert r["n"] == 6 and r["estimate"] == 0.0 and r["note"] == NE("no_discordant")


def test_mcnemar_with_a_single_text_level_and_without_pairs():
    one = categorical.mcnemar(pairs(["yes"] * 3, ["yes"] * 3, name="x"), "x", "T0", "T1").iloc[0]
    assert one["n"] == 3 and np.isnan(one["estimate"]) and one["note"] == NE("one_category")
    none = categorical.mcnemar(baseline_only([0.0, 1.0], name="x"), "x", "T0", "T1", exact=True).iloc[0]
    assert none["n"] == 0 and np.isnan(none["estimate"]) and none["note"] == NE("no_pairs")
    with pytest.raises(ValueError, match="two levels"):  # misuse, not degenerate data
        categorical.mcnemar(pairs([0, 1, 2], [1, 2, 0], name="x"), "x", "T0", "T1")


def test_stuart_maxwell_degenerate_tables():
    levels = pd.CategoricalDtype(["inadequate", "problematic", "sufficient"], ordered=True)
    cases = {
        "no_pairs": baseline_only(pd.Categorical(["sufficient"] * 3, dtype=levels), name="lvl"),
        "one_category": pairs(["sufficient"] * 4, ["sufficient"] * 4, name="lvl").astype({"lvl": levels}),
        "no_discordant": pairs(["inadequate", "sufficient"] * 2, ["inadequate", "sufficient"] * 2,
                               name="lvl").astype({"lvl": levels}),
    }
    for reason, panel in cases.items():
        r = categorical.marginal_homogeneity(panel, "lvl", "T0", "T1").iloc[0]
        assert np.isnan(r["statistic"]) and np.isnan(r["p_value"]) and r["note"] == NE(reason), reason
    # an empty category in between does not stop the test: its df drops to the observed rank
    r = categorical.marginal_homogeneity(pairs(["inadequate"] * 3 + ["sufficient"] * 3,
                                               ["sufficient"] * 2 + ["inadequate"] * 4, name="lvl")
                                         .astype({"lvl": levels}), "lvl", "T0", "T1").iloc[0]
    assert r["note"] == "" and r["df"] == 1.0 and np.isfinite(r["p_value"])
    text = categorical.marginal_homogeneity(pd.DataFrame({"participant_id": [], "wave": [], "lvl": []}), "lvl",
                                            "T0", "T1").iloc[0]
    assert text["n"] == 0 and text["note"] == NE("no_pairs")


# -- mixed models ------------------------------------------------------------------------------


def long(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["participant_id", "wave", "y"])


MODEL_CASES = {
    "no_observations": long([("a", "T0", np.nan), ("b", "T1", np.nan)]),
    "one_participant": long([("a", "T0", 1.0), ("a", "T1", 2.0), ("a", "T2", 4.0), ("a", "T2b", 3.0)]),
    "single_observations": long([("a", "T0", 1.0), ("b", "T0", 2.0), ("c", "T1", 4.0), ("d", "T1", 3.0)]),
    "few_observations": long([("a", "T0", 1.0), ("b", "T1", 2.0)]),
    "no_variation": long([(p, w, 50.0) for p in "abcd" for w in ("T0", "T1")]),
}


@pytest.mark.parametrize("reason", list(MODEL_CASES))
def test_mixed_model_not_estimable(reason):
    panel = MODEL_CASES[reason]
    terms, glance, augment = models.mixed(panel, "y")
    waves = sorted(panel["wave"].unique())
    assert terms["term"].tolist() == ["(Intercept)", *(f"wave{w}" for w in waves[1:])]
    assert terms[["estimate", "std_error", "df", "p_value", "ci_low"]].isna().all().all()
    assert set(terms["note"]) == {NE(reason)} and glance.loc[0, "note"] == NE(reason)
    assert not glance.loc[0, "converged"] and augment.empty
    assert list(augment.columns) == list(models.AUGMENT_COLUMNS)
    means = models.estimated_means(panel, "y")
    assert means["wave"].tolist() == waves
    assert means["estimate"].isna().all() and set(means["note"]) == {NE(reason)}
    assert means["n"].tolist() == [int((panel["wave"] == w).sum() * panel["y"].notna().any()) for w in waves]
    c = models.wave_contrast(panel, "y", "T0", "T1").iloc[0]
    assert np.isnan(c["estimate"]) and c["note"] == NE(reason)


def test_mixed_model_fitting_every_value_exactly_is_not_estimable():
    # y = participant level + wave effect, without noise: no residual variance
    panel = long([(p, w, base + (3.0 if w == "T1" else 0.0)) for p, base in zip("abcd", (10.0, 20, 15, 30))
                  for w in ("T0", "T1")])
    terms, glance, _ = models.mixed(panel, "y")
    assert terms["estimate"].isna().all() and glance.loc[0, "note"] == NE("no_variation")


def test_wave_contrast_with_a_wave_nobody_answered():
    panel = long([(p, "T0", v) for p, v in zip("abcd", (1.0, 3, 2, 5))] + [(p, "T1", np.nan) for p in "abcd"]
                 + [(p, "T2", v) for p, v in zip("ab", (2.0, 5))])
    c = models.wave_contrast(panel, "y", "T0", "T1").iloc[0]
    assert np.isnan(c["estimate"]) and c["note"] == NE("wave_not_observed")
    ok = models.wave_contrast(panel, "y", "T0", "T2").iloc[0]
    assert np.isfinite(ok["estimate"]) and ok["note"] == ""


def test_mixed_model_on_a_small_estimable_panel_has_empty_notes():
    panel = long([(p, w, v) for p, vs in zip("abc", ((1.0, 2.5), (3.0, 3.5), (2.0, 4.0))) for w, v in
                  zip(("T0", "T1"), vs)])
    terms, glance, augment = models.mixed(panel, "y")
    assert set(terms["note"]) == {""} and glance.loc[0, "note"] == "" and len(augment) == 6
    assert_allclose(terms.set_index("term").loc["waveT1", "estimate"], 4 / 3)


# -- sensitivity -------------------------------------------------------------------------------


def test_multiple_imputation_with_fewer_than_three_at_baseline():
    res = sensitivity.multiple_imputation(pairs([1.0, 2.0], [2.0, 3.0]), ["y"], "T0", "T1", m=3, seed=1)
    assert res.loc[0, "n"] == 2 and np.isnan(res.loc[0, "estimate"]) and res.loc[0, "note"] == NE("few_baseline")


def test_multiple_imputation_leaves_out_an_outcome_never_observed_at_follow_up():
    panel = pairs([40.0, 52, 60, 36, 48], [48.0, 56, None, 44, 60]).assign(z=[1.0, 2, 3, 4, 5] + [None] * 5)
    res = sensitivity.multiple_imputation(panel, ["y", "z"], "T0", "T1", m=3, seed=1).set_index("outcome")
    assert res.loc["z", "note"] == NE("few_observed") and np.isnan(res.loc["z", "estimate"])
    assert res.loc["y", "note"] == "" and np.isfinite(res.loc["y", "ci_low"])


def test_multiple_imputation_and_comparison_without_variation():
    panel = pairs([50.0] * 5, [50.0] * 4 + [None])
    mi = sensitivity.multiple_imputation(panel, ["y"], "T0", "T1", m=3, seed=1).iloc[0]
    assert mi["estimate"] == 0.0 and np.isnan(mi["ci_low"]) and mi["note"] == NE("no_change_variation")
    res = sensitivity.compare_estimates(panel, ["y"], "T0", "T1", m=3, seed=1).set_index("method")
    assert res.loc["complete_case", "note"] == NE("no_change_variation")
    assert res.loc["mixed_model", "note"] == NE("no_variation")
    assert res["note"].str.startswith("not estimable: ").all()


def test_compare_estimates_without_any_pair():
    res = sensitivity.compare_estimates(baseline_only([1.0, 2.0, 4.0]), ["y"], "T0", "T1", m=3, seed=1)
    res = res.set_index("method")
    assert res.loc["complete_case", "n"] == 0 and res.loc["complete_case", "note"] == NE("no_pairs")
    assert res.loc["mixed_model", "note"] == NE("wave_not_observed")
    assert res.loc["multiple_imputation", "note"] == NE("few_observed")
    assert res["estimate"].isna().all()


# -- dose-response -----------------------------------------------------------------------------


def changes(change, pre=None):
    n = len(change)
    return pd.DataFrame({"participant_id": [f"p{i}" for i in range(n)], "outcome": "y", "change": change,
                         "value_pre": pre if pre is not None else [10.0] * n})


def test_dose_response_degenerate_regressions():
    att = lambda v: pd.DataFrame({"participant_id": [f"p{i}" for i in range(len(v))], "visits_per_week": v})  # noqa
    few = dose_response.dose_response(changes([1.0, 2.0]), att([1.0, 2.0]))
    assert set(few["note"]) == {NE("few_observations")} and few["estimate"].isna().all()
    flat = dose_response.dose_response(changes([1.0, 2.0, 0.0, 4.0]), att([1.5] * 4))
    assert set(flat["note"]) == {NE("collinear")}
    exact = dose_response.dose_response(changes([1.0, 2.0, 3.0, 4.0]), att([1.0, 2.0, 3.0, 4.0]))
    assert_allclose(exact.set_index("term").loc["visits_per_week", "estimate"], 1.0)
    assert set(exact["note"]) == {NE("no_change_variation")} and exact["std_error"].isna().all()
    none = dose_response.dose_response(changes([]), att([]), adjust_baseline=True, outcomes=["y", "z"])
    assert none["outcome"].tolist() == ["y"] * 3 + ["z"] * 3
    assert set(none["note"]) == {NE("no_pairs")} and (none["n"] == 0).all()


# -- EQ-5D, responders, proportions ------------------------------------------------------------


def test_wilson_bounds_at_zero_and_hundred_percent_are_exact():
    for n in range(1, 301):
        x = np.arange(n + 1)
        lo, hi = proportions.wilson_ci(x, np.full(n + 1, n))
        p = x / n
        assert lo[0] == 0.0 and hi[-1] == 1.0
        assert np.all(lo <= p) and np.all(p <= hi), n


def eq5d_panel(mo_pre, mo_post, pd_pre, pd_post):
    n = len(mo_pre)
    ids = [f"p{i}" for i in range(n)]
    return pd.DataFrame({"participant_id": ids * 2, "wave": ["T0"] * n + ["T1"] * n,
                         "eq5d5l_mo": [*mo_pre, *mo_post], "eq5d5l_pd": [*pd_pre, *pd_post]})


def test_problem_shares_of_zero_and_hundred_percent():
    """The figure crash of issue 14: a Wilson bound a few 1e-18 on the wrong side."""
    panel = eq5d_panel([1] * 7, [1] * 7, [3] * 7, [2] * 7)
    res = eq5d.problem_shares(panel, dims=("eq5d5l_mo", "eq5d5l_pd"))
    mo, pd_ = res[res["dimension"] == "eq5d5l_mo"], res[res["dimension"] == "eq5d5l_pd"]
    assert (mo["share"] == 0).all() and (mo["ci_low"] == 0).all()
    assert (pd_["share"] == 1).all() and (pd_["ci_high"] == 1).all()
    assert ((res["share"] - res["ci_low"]) >= 0).all() and ((res["ci_high"] - res["share"]) >= 0).all()
    assert set(res["note"]) == {""}


def test_problem_shares_of_a_wave_nobody_answered():
    panel = eq5d_panel([1, 2], [None, None], [2, 2], [None, None])
    res = eq5d.problem_shares(panel, dims=("eq5d5l_mo",), waves=["T0", "T1"]).set_index("wave")
    assert res.loc["T1", "n_total"] == 0 and np.isnan(res.loc["T1", "share"])
    assert res.loc["T1", "note"] == NE("no_observations") and res.loc["T0", "note"] == ""


def test_pchc_without_pairs_and_with_nobody_changing():
    none = eq5d.pchc(eq5d_panel([1, 2], [None, None], [1, 1], [None, None]), "T0", "T1",
                     dims=("eq5d5l_mo", "eq5d5l_pd"))
    assert (none["n_total"] == 0).all() and none["share"].isna().all() and set(none["note"]) == {NE("no_pairs")}
    same = eq5d.pchc(eq5d_panel([1] * 5, [1] * 5, [2] * 5, [2] * 5), "T0", "T1", dims=("eq5d5l_mo", "eq5d5l_pd"))
    overall = same[same["dimension"] == "overall"].set_index("category")
    assert overall.loc["unchanged", "share"] == 1.0 and overall.loc["unchanged", "ci_high"] == 1.0
    assert overall.loc["better", "share"] == 0.0 and overall.loc["better", "ci_low"] == 0.0
    assert set(same["note"]) == {""}


def test_responders_without_pairs_and_with_one_category_only():
    args = dict(mid={"y": 10.0}, higher_is_better={"y": True})
    none = responders.responders(baseline_only([1.0, 2.0]), ["y"], "T0", "T1", **args)
    assert (none["n_total"] == 0).all() and none["share"].isna().all() and set(none["note"]) == {NE("no_pairs")}
    all_up = responders.responders(pairs([10.0] * 5, [30.0] * 5), ["y"], "T0", "T1", **args).set_index("category")
    assert all_up.loc["improved", "share"] == 1.0 and all_up.loc["improved", "ci_high"] == 1.0
    assert all_up.loc["worsened", "ci_low"] == 0.0 and set(all_up["note"]) == {""}


# -- subgroups, AUC, wave means, alpha, descriptives, cohort -----------------------------------


def test_subgroups_with_equal_changes_and_an_empty_level():
    panel = pairs([1.0, 2, 3, 4], [3.0, 4, 5, 6]).assign(g=pd.Categorical(["a"] * 8, categories=["a", "b"]))
    res = subgroups.subgroups(panel, ["y"], "T0", "T1", by="g", min_pairs=2).set_index("subgroup_level")
    assert res.loc["a", "estimate"] == 2.0 and res.loc["a", "note"] == NE("no_change_variation")
    assert res.loc["b", "n"] == 0 and bool(res.loc["b", "suppressed"])
    one = subgroups.subgroups(pairs([1.0], [2.0]).assign(g="a"), ["y"], "T0", "T1", by="g", min_pairs=1).iloc[0]
    assert one["note"] == NE("few_pairs") and np.isnan(one["estimate"])


def test_eq5d_auc_with_one_wave_one_participant_and_no_variation():
    dates = {"T0": "2023-01-01", "T1": "2024-01-01"}
    one_wave = health_economics.eq5d_auc(baseline_only([0.7, 0.8], name="eq5d5l_index"), {"T0": "2023-01-01"})
    assert set(one_wave["note"]) == {NE("one_wave")} and one_wave["estimate"].isna().all()
    one = health_economics.eq5d_auc(pairs([0.6], [0.8], name="eq5d5l_index"), dates)
    assert set(one["note"]) == {NE("few_pairs")} and one["ci_low"].isna().all() and one["estimate"].notna().all()
    flat = health_economics.eq5d_auc(pairs([0.6] * 3, [0.6] * 3, name="eq5d5l_index"), dates)
    assert set(flat["note"]) == {NE("no_variation")} and flat["ci_low"].isna().all()


def test_wave_means_of_empty_single_and_constant_waves():
    waves = pd.CategoricalDtype(["T0", "T1", "T2"], ordered=True)
    panel = pd.DataFrame({"participant_id": list("abcd"), "wave": pd.Categorical(["T0", "T0", "T0", "T1"],
                                                                                  dtype=waves),
                          "y": [5.0, 5.0, 5.0, 7.0]})
    res = wave_summary.wave_means(panel, ["y"]).set_index("wave")
    assert res.index.tolist() == ["T0", "T1", "T2"]
    assert res["note"].to_dict() == {"T0": NE("no_variation"), "T1": NE("few_observed"), "T2": NE("no_observations")}
    assert res.loc["T0", "estimate"] == 5.0 and res[["ci_low", "ci_high"]].isna().all().all()
    empty = wave_summary.wave_means(panel.iloc[:0], ["y"])
    assert len(empty) == 3 and (empty["n"] == 0).all()


def test_cronbach_alpha_degenerate_items():
    assert reliability.cronbach_alpha(pd.DataFrame({"a": [1.0], "b": [2.0]})).loc[0, "note"] == NE("few_observed")
    flat = reliability.cronbach_alpha(pd.DataFrame({"a": [2.0] * 4, "b": [2.0] * 4, "c": [2.0] * 4}))
    assert np.isnan(flat.loc[0, "estimate"]) and flat.loc[0, "note"] == NE("no_variation")


def test_table1_and_attrition_with_one_level_and_no_dropouts():
    panel = pd.DataFrame({"wave": ["T0"] * 3 + ["T1"], "sex": ["f", "f", "f", None], "age": [30.0, 30, 30, None]})
    t1 = descriptives.table1(panel, ["sex", "age"], categorical=["sex"])
    assert t1[(t1["variable"] == "sex") & (t1["group"] == "T1")]["percent"].isna().all()
    assert t1[(t1["variable"] == "age") & (t1["group"] == "T0")]["sd"].iloc[0] == 0.0
    base = pd.DataFrame({"done": [True] * 3, "age": [30.0, 40, 50], "sex": ["f"] * 3})
    att = descriptives.attrition(base, "done", ["age", "sex"])
    assert att["smd"].isna().all() and (att[att["group"] == "dropouts"]["n"] == 0).all()


def test_flow_and_cohort_without_overlap_or_attendance():
    panel = pd.DataFrame({"participant_id": ["a", "b", "c", "d"], "wave": ["T0", "T0", "T1", "T1"]})
    visits = pd.DataFrame({"participant_id": pd.Series(dtype=str), "date": pd.Series(dtype="datetime64[ns]")})
    flow = cohort.flow_counts(panel, "T0", "T1", visits, {"T0": "2023-10-01", "T1": "2024-10-01"}, outcomes=None)
    n = flow.set_index(["stage", "definition"])["n"]
    assert n[("analysed", "recurring_both_waves")] == 0 and n[("analysed", "recurring_attendance")] == 0
    assert n[("lost_to_follow_up", "all")] == 2 and n[("new_at_follow_up", "all")] == 2


def test_changes_equal_up_to_rounding_count_as_no_variation():
    """The crash of a 6-participant study: score differences equal up to 1e-15 gave
    t = 1.7e15 and a noncentral-t interval without a sign change. R's t.test calls such
    data "essentially constant"; so do these functions."""
    panel = pairs([1.0, 2.0, 3.0, 4.0], [11.000000000000002, 12.0, 12.999999999999998, 14.0])
    t = prepost.paired_tests(panel, ["y"], "T0", "T1").set_index("test").loc["paired_t"]
    assert_allclose(t["estimate"], 10.0) and t["note"] == NE("no_change_variation")
    es = prepost.paired_effect_sizes(panel, ["y"], "T0", "T1").set_index("effect_size_type")
    assert es.loc["cohens_dz", "note"] == NE("no_change_variation") and np.isnan(es.loc["cohens_dz", "estimate"])
    assert np.isfinite(es.loc["hedges_g_av", "estimate"]) and np.isnan(es.loc["hedges_g_av", "ci_low"])
    assert prepost._ncp_interval(1.75e15, 2, 0.95)[1] != prepost._ncp_interval(1.75e15, 2, 0.95)[1]  # NaN, no error
    cc = sensitivity.compare_estimates(panel, ["y"], "T0", "T1", m=3, seed=1).set_index("method")
    assert cc.loc["complete_case", "note"] == NE("no_change_variation")
    sub = subgroups.subgroups(panel.assign(g="a"), ["y"], "T0", "T1", by="g", min_pairs=2).iloc[0]
    assert sub["note"] == NE("no_change_variation")
