"""analysis.partnership: hand-worked values, disclosure of small partner groups, edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import stats

import instruments as ins
from analysis import partnership as pt
from analysis.tidy import VOCABULARY

SYN = ins.items_of("e2_synergy")


def survey(scores_by_year: dict, groups: dict | None = None) -> pd.DataFrame:
    """Respondents whose five synergy items all equal the given score (so the score is known)."""
    rows = []
    for year, scores in scores_by_year.items():
        for i, s in enumerate(scores):
            r = {c: s for c in SYN} | {"year": year}
            if groups is not None:
                r["grp"] = groups[year][i]
            rows.append(r)
    return pd.DataFrame(rows)


def test_columns_are_in_the_tidy_vocabulary():
    for cols in (pt.SUMMARY_COLUMNS, pt.GROUP_COLUMNS, pt.TREND_COLUMNS):
        assert set(cols) <= set(VOCABULARY)


def test_yearly_summary_hand_worked():
    d = survey({2024: [3, 4, 5], 2025: [2, 4]})
    d.loc[len(d)] = {**{c: np.nan for c in SYN}, "year": 2025}  # a respondent without a score
    s = pt.yearly_summary(d, ["e2_synergy"], ci_level=0.9).set_index("year")
    assert s.loc[2024, "n"] == 3 and s.loc[2024, "n_missing"] == 0 and s.loc[2025, "n_missing"] == 1
    assert s.loc[2024, "mean"] == 4 and s.loc[2024, "sd"] == 1 and s.loc[2024, "df"] == 2
    q = stats.t.ppf(0.95, 2)
    assert s.loc[2024, "ci_low"] == pytest.approx(4 - q / np.sqrt(3))
    assert s.loc[2024, "ci_high"] == pytest.approx(4 + q / np.sqrt(3))
    assert (s["ci_level"] == 0.9).all() and (s["outcome"] == "e2_synergy_score").all()
    # identical items: the item variances are all equal, alpha = 1
    assert s.loc[2024, "alpha"] == pytest.approx(1.0) and s.loc[2024, "n_complete"] == 3
    assert s["n"].dtype == np.int64


def test_one_respondent_has_a_mean_but_no_interval_and_no_alpha():
    s = pt.yearly_summary(survey({2024: [4]}), ["e2_synergy"]).iloc[0]
    assert s["n"] == 1 and s["mean"] == 4
    assert np.isnan(s["sd"]) and np.isnan(s["ci_low"]) and np.isnan(s["alpha"])


def test_order_of_respondents_does_not_matter():
    rng = np.random.default_rng(3)
    d = pd.DataFrame(rng.integers(1, 6, size=(30, 5)).astype(float), columns=SYN)
    d["year"] = rng.choice([2024, 2025], size=30)
    d["grp"] = rng.choice(list("abc"), size=30)
    perm = d.sample(frac=1, random_state=1)
    for f, kw in ((pt.yearly_summary, {}), (pt.group_summary, {"group": "grp", "min_group_n": 3}),
                  (pt.trend, {}), (pt.trend, {"method": "ols_slope"})):
        pd.testing.assert_frame_equal(f(d, ["e2_synergy"], **kw), f(perm, ["e2_synergy"], **kw))


def test_bad_arguments():
    d = survey({2024: [3, 4, 5]}, {2024: ["a", "a", "b"]})
    with pytest.raises(ValueError, match="ci_level"):
        pt.yearly_summary(d, ["e2_synergy"], ci_level=95)
    with pytest.raises(KeyError, match="'jahr'"):
        pt.yearly_summary(d, ["e2_synergy"], year="jahr")
    for bad in (0, -1, 2.5, True, "5"):
        with pytest.raises(ValueError, match="min_group_n"):
            pt.group_summary(d, ["e2_synergy"], group="grp", min_group_n=bad)
    with pytest.raises(ValueError, match="method"):
        pt.trend(d, ["e2_synergy"], method="lm")
    with pytest.raises(ins.ItemError):
        pt.yearly_summary(d.assign(e2_synergy_02=9), ["e2_synergy"])  # a missing code left in


def test_options_reach_the_scorer():
    d = survey({2024: [4, 4, 4]})
    d["e2_synergy_01"] = [1.0, 1.0, 1.0]
    a = pt.yearly_summary(d, ["e2_synergy"]).iloc[0]["mean"]
    b = pt.yearly_summary(d, ["e2_synergy"], options={"e2_synergy": {"reverse": [1]}}).iloc[0]["mean"]
    assert a == pytest.approx(17 / 5) and b == pytest.approx(21 / 5)


# ------------------------------------------------------------------ partner groups


def test_group_summary_primary_and_complement_suppression():
    groups = {2025: ["a"] * 6 + ["b"] * 5 + ["c"] * 3}
    d = survey({2025: [4, 5, 3, 4, 4, 5, 2, 3, 3, 4, 2, 5, 5, 1]}, groups)
    g = pt.group_summary(d, ["e2_synergy"], group="grp", min_group_n=5).set_index("subgroup_level")
    assert g.loc["c", "reason"] == "fewer than min_group_n" and g.loc["b", "reason"] == "complement"
    assert not g.loc["a", "suppressed"] and g.loc["a", "n"] == 6
    assert g.loc["a", "mean"] == pytest.approx(25 / 6)
    for lvl in ("b", "c"):
        row = g.loc[lvl]
        assert row["suppressed"] and pd.isna(row["n"])
        assert row[["mean", "sd", "std_error", "ci_low", "ci_high", "alpha"]].isna().all()
    assert (g["subgroup"] == "grp").all()


def test_respondents_without_a_group_count_in_the_complement():
    groups = {2025: ["a"] * 5 + ["b"] * 5 + [None] * 2}
    d = survey({2025: [4] * 12}, groups)
    g = pt.group_summary(d, ["e2_synergy"], group="grp", min_group_n=5)
    assert g["suppressed"].sum() == 1 and set(g["subgroup_level"]) == {"a", "b"}
    ok = survey({2025: [4] * 10}, {2025: ["a"] * 5 + ["b"] * 5})
    assert not pt.group_summary(ok, ["e2_synergy"], group="grp", min_group_n=5)["suppressed"].any()


@st.composite
def partner_data(draw):
    n = draw(st.integers(0, 40))
    years = draw(st.lists(st.sampled_from([2024, 2025, 2026]), min_size=n, max_size=n))
    grps = draw(st.lists(st.sampled_from(["hf", "stad", "uni", "ngo", "boende", None]), min_size=n, max_size=n))
    x = draw(st.lists(st.lists(st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]), min_size=5, max_size=5),
                      min_size=n, max_size=n))
    d = pd.DataFrame(np.array(x, dtype=float).reshape(n, 5), columns=SYN)
    d["year"] = years
    d["grp"] = pd.Series(grps, dtype=object)
    return d, draw(st.integers(1, 8))


def _one_answer_without_group():
    d = pd.DataFrame([[1.0] * 5], columns=SYN)
    d["year"] = [2024]
    d["grp"] = pd.Series([None], dtype=object)
    return d, 1


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=partner_data())
@example(case=_one_answer_without_group())   # no group at all: an empty table with its dtypes
def test_no_small_group_and_no_small_complement_is_published(case):
    """Attack: published groups plus the year's total must not reveal fewer than k answers."""
    d, k = case
    g = pt.group_summary(d, ["e2_synergy"], group="grp", min_group_n=k)
    scored = ins.score("e2_synergy", d)["e2_synergy_score"]
    for y in d["year"].unique():
        yr = g[g["year"] == y]
        pub = yr[~yr["suppressed"]]
        assert (pub["n"] >= k).all()
        total = int(scored[d["year"] == y].notna().sum())
        rest = total - int(pub["n"].sum())
        if len(pub):  # with no group published the table adds nothing to the year's total
            assert rest == 0 or rest >= k, (total, pub["n"].tolist(), k)
        sup = yr[yr["suppressed"]]
        assert sup["n"].isna().all() and sup[["mean", "sd", "ci_low", "ci_high", "alpha"]].isna().all().all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=partner_data(), seed=st.integers(0, 2**16))
def test_withheld_groups_answers_never_reach_the_output(case, seed):
    """Changing the answers (not the presence) of withheld groups' members changes nothing."""
    d, k = case
    g = pt.group_summary(d, ["e2_synergy"], group="grp", min_group_n=k)
    withheld = g[g["suppressed"]]
    if withheld.empty:
        return
    d2 = d.copy()
    rng = np.random.default_rng(seed)
    for y, lvl in zip(withheld["year"], withheld["subgroup_level"]):
        rows = (d2["year"] == y) & (d2["grp"] == lvl)
        block = d2.loc[rows, SYN].to_numpy()
        new = rng.integers(1, 6, size=block.shape).astype(float)
        d2.loc[rows, SYN] = np.where(np.isnan(block), np.nan, new)  # same answered items, other answers
    pd.testing.assert_frame_equal(g, pt.group_summary(d2, ["e2_synergy"], group="grp", min_group_n=k))


# ------------------------------------------------------------------ trend


def test_welch_hand_worked():
    d = survey({2024: [3, 4, 3, 4], 2025: [5, 4, 5, 5, 4, 5]})
    t = pt.trend(d, ["e2_synergy"]).iloc[0]
    a, b = np.array([3, 4, 3, 4.0]), np.array([5, 4, 5, 5, 4, 5.0])
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert t["estimate"] == pytest.approx(b.mean() - a.mean())
    assert t["statistic"] == pytest.approx(ref.statistic) and t["p_value"] == pytest.approx(ref.pvalue)
    assert t["df"] == pytest.approx(ref.df)
    lo, hi = ref.confidence_interval(0.95)
    assert (t["ci_low"], t["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    assert t["contrast"] == "2025 - 2024" and t["pre"] == 2024 and t["post"] == 2025 and t["n"] == 10


def test_three_years_give_two_consecutive_differences_and_one_slope():
    d = survey({2023: [2, 3, 3], 2024: [3, 4, 3, 4], 2025: [4, 5, 4]})
    t = pt.trend(d, ["e2_synergy"])
    assert t["contrast"].tolist() == ["2024 - 2023", "2025 - 2024"]
    s = pt.trend(d, ["e2_synergy"], method="ols_slope").iloc[0]
    fit = stats.linregress(d["year"].astype(float), d["e2_synergy_01"])
    assert s["estimate"] == pytest.approx(fit.slope) and s["std_error"] == pytest.approx(fit.stderr)
    assert s["p_value"] == pytest.approx(fit.pvalue) and s["df"] == len(d) - 2
    assert s["term"] == "year" and s["contrast"] == "per year"


def test_ols_slope_with_two_years_is_students_t_per_year():
    d = survey({2023: [3, 4, 3, 4], 2025: [5, 4, 5, 5, 4, 5]})
    s = pt.trend(d, ["e2_synergy"], method="ols_slope").iloc[0]
    a, b = np.array([3, 4, 3, 4.0]), np.array([5, 4, 5, 5, 4, 5.0])
    ref = stats.ttest_ind(b, a, equal_var=True)
    assert s["estimate"] == pytest.approx((b.mean() - a.mean()) / 2)
    assert s["statistic"] == pytest.approx(ref.statistic) and s["p_value"] == pytest.approx(ref.pvalue)


def test_trend_edge_cases():
    one = pt.trend(survey({2024: [3], 2025: [4, 5]}), ["e2_synergy"]).iloc[0]
    assert one["n"] == 3 and np.isnan(one["estimate"]) and np.isnan(one["ci_low"])
    flat = pt.trend(survey({2024: [3, 3], 2025: [4, 4]}), ["e2_synergy"]).iloc[0]
    assert flat["estimate"] == 1 and flat["std_error"] == 0 and np.isnan(flat["statistic"])
    single = pt.trend(survey({2024: [3, 4, 5]}), ["e2_synergy"])
    assert single.empty
    slope1 = pt.trend(survey({2024: [3, 4, 5]}), ["e2_synergy"], method="ols_slope").iloc[0]
    assert np.isnan(slope1["estimate"])
