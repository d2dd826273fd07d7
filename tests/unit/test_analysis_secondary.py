"""Hand-computed cases for eq5d, responders, subgroups, dose_response,
health_economics, sensitivity, proportions and reliability."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analysis import dose_response, eq5d, health_economics, proportions, reliability, responders, sensitivity
from analysis import subgroups as sg


def two_waves(pre, post, **extra):
    n = len(pre)
    data = {"participant_id": list(range(n)) * 2, "wave": ["T0"] * n + ["T1"] * n}
    for k, (a, b) in extra.items():
        data[k] = list(a) + list(b)
    return pd.DataFrame(data)


# ------------------------------------------------------------------------ EQ-5D
def test_pchc_categories_by_hand():
    dims = ("mo", "sc", "ua", "pd", "ad")
    pre = [(1, 1, 1, 1, 1), (2, 1, 3, 2, 2), (2, 2, 2, 2, 2), (3, 1, 1, 4, 2), (1, 1, 1, 2, 2)]
    post = [(1, 1, 1, 1, 1), (1, 1, 3, 2, 1), (2, 3, 2, 2, 2), (2, 1, 1, 5, 2), (1, 1, 1, 2, 3)]
    data = {"participant_id": list(range(5)) * 2 + [9], "wave": ["T0"] * 5 + ["T1"] * 5 + ["T0"]}
    for j, d in enumerate(dims):
        data[d] = [p[j] for p in pre] + [q[j] for q in post] + [1]
    res = eq5d.pchc(pd.DataFrame(data), "T0", "T1", dims=dims)
    overall = res[res["dimension"] == "overall"].set_index("category")
    assert overall["n"].to_dict() == {"better": 1, "worse": 2, "mixed": 1, "unchanged": 1}
    assert (res["n_total"] == 5).all()
    assert_allclose(overall["share"].sum(), 1.0)
    ad = res[res["dimension"] == "ad"].set_index("category")["n"].to_dict()
    assert ad == {"better": 1, "worse": 1, "same": 3}
    lo, hi = proportions.wilson_ci(1, 5)
    assert_allclose(overall.loc["better", ["ci_low", "ci_high"]].to_numpy(float), [lo, hi])


def test_problem_shares_by_hand():
    panel = pd.DataFrame({"participant_id": [1, 2, 3, 4, 1, 2], "wave": ["T0"] * 4 + ["T1"] * 2,
                          "mo": [1, 2, 3, np.nan, 1, 1]})  # fmt: skip
    res = eq5d.problem_shares(panel, dims=("mo",)).set_index("wave")
    assert res.loc["T0", "n"] == 2 and res.loc["T0", "n_total"] == 3
    assert res.loc["T1", "n"] == 0 and res.loc["T1", "ci_low"] == 0
    assert_allclose(res.loc["T0", "share"], 2 / 3)


# ------------------------------------------------------------------ Wilson / alpha
def test_wilson_matches_formula_and_edges():
    lo, hi = proportions.wilson_ci([0, 20, 7], [20, 20, 33])
    assert lo[0] == 0 and hi[1] == 1
    z = stats.norm.ppf(0.975)
    p, n = 7 / 33, 33
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert_allclose([lo[2], hi[2]], [centre - half, centre + half])
    lo0, hi0 = proportions.wilson_ci(0, 0)
    assert np.isnan(lo0) and np.isnan(hi0)


def test_cronbach_alpha_identical_items_is_one():
    items = pd.DataFrame({"a": [1, 2, 3, 4.0], "b": [1, 2, 3, 4.0], "c": [1, 2, 3, np.nan]})
    res = reliability.cronbach_alpha(items)
    assert res.loc[0, "n"] == 3
    assert_allclose(res.loc[0, "estimate"], 1.0)


# ------------------------------------------------------------------ responders
def test_responders_by_hand_including_exact_mid_and_direction():
    pre = [40, 60, 52, 20, 81.5, 30]
    post = [50, 48, 56, 30.0, 71.5, 30]  # +10 (exactly MID), -12, +4, +10, -10 (float), 0
    panel = two_waves(pre, post, y=(pre, post), pain=(pre, post))
    res = responders.responders(panel, ["y", "pain"], "T0", "T1", mid={"y": 10, "pain": 10},
                                higher_is_better={"y": True, "pain": False})  # fmt: skip
    y = res[res["outcome"] == "y"].set_index("category")["n"].to_dict()
    assert y == {"improved": 2, "worsened": 2, "unchanged": 2}
    pain = res[res["outcome"] == "pain"].set_index("category")["n"].to_dict()
    assert pain == {"improved": 2, "worsened": 2, "unchanged": 2}
    assert (res["n_total"] == 6).all()
    lo, hi = proportions.wilson_ci(2, 6)
    assert_allclose(res.loc[0, ["ci_low", "ci_high"]].to_numpy(float), [lo, hi])
    with pytest.raises(KeyError):
        responders.responders(panel, ["y"], "T0", "T1", mid={}, higher_is_better={"y": True})


# ------------------------------------------------------------------ subgroups
def test_subgroups_suppresses_small_groups_and_uses_baseline_value():
    n = 13
    pre = list(range(n))
    post = [p + (2 if i < 10 else 5) for i, p in enumerate(pre)]
    grp = ["a"] * 10 + ["b"] * 3
    panel = two_waves(pre, post, y=(pre, post), g=(grp, ["z"] * n))  # g changes at T1: ignored
    res = sg.subgroups(panel, ["y"], "T0", "T1", by="g").set_index("subgroup_level")
    assert res.loc["a", "n"] == 10 and res.loc["a", "estimate"] == 2.0 and not res.loc["a", "suppressed"]
    assert res.loc["a", "std_error"] == 0 or np.isnan(res.loc["a", "p_value"])
    assert res.loc["b", "n"] == 3 and bool(res.loc["b", "suppressed"]) and np.isnan(res.loc["b", "estimate"])
    assert "z" not in res.index


def test_subgroups_t_interval_by_hand():
    rng = np.random.default_rng(5)
    pre = rng.normal(50, 10, 12)
    d = rng.normal(3, 4, 12)
    panel = two_waves(pre, pre + d, y=(pre, pre + d), g=(["x"] * 12, ["x"] * 12))
    row = sg.subgroups(panel, ["y"], "T0", "T1", by="g", min_pairs=5).iloc[0]
    se = d.std(ddof=1) / math.sqrt(12)
    q = stats.t.ppf(0.975, 11)
    assert_allclose([row["estimate"], row["std_error"], row["ci_low"], row["ci_high"]],
                    [d.mean(), se, d.mean() - q * se, d.mean() + q * se])  # fmt: skip


# ------------------------------------------------------------------ dose-response
def test_dose_response_matches_lstsq_and_r_summary_lm():
    ch = pd.DataFrame({"participant_id": list("abcde"), "outcome": "who5", "change": [0.0, 4.0, 4.0, 8.0, 12.0],
                       "value_pre": [60, 50, 55, 40, 30.0]})  # fmt: skip
    att = pd.DataFrame({"participant_id": list("abcde"), "visits_per_week": [0.5, 1, 1.5, 2, 2.5]})
    res = dose_response.dose_response(ch, att).set_index("term")
    # R: summary(lm(c(0,4,4,8,12) ~ c(0.5,1,1.5,2,2.5)))$coefficients
    assert_allclose(res.loc["visits_per_week", ["estimate", "std_error", "p_value"]].to_numpy(float),
                    [5.6, 0.8, 0.005986256], rtol=1e-6)  # fmt: skip
    adj = dose_response.dose_response(ch, att, adjust_baseline=True)
    assert adj["term"].tolist() == ["(Intercept)", "visits_per_week", "value_pre"]
    assert (adj["df"] == 2).all()


# ------------------------------------------------------------------ AUC / QALY
def test_eq5d_auc_trapezoid_by_hand():
    panel = pd.DataFrame({"participant_id": ["a"] * 3 + ["b"] * 3 + ["c"] * 2,
                          "wave": ["T0", "T1", "T2"] * 2 + ["T0", "T1"],
                          "eq5d5l_index": [0.5, 0.7, 0.9, 0.8, 0.8, 0.6, 0.9, 1.0]})  # fmt: skip
    dates = {"T0": "2023-01-01", "T1": "2023-07-02", "T2": "2024-01-01"}  # 182 and 183 days
    per = health_economics.eq5d_auc_participants(panel, dates).set_index("participant_id")
    assert list(per.index) == ["a", "b"]  # c lacks T2
    t1, t2 = 182 / 365.25, 365 / 365.25
    auc_a = (0.5 + 0.7) / 2 * t1 + (0.7 + 0.9) / 2 * (t2 - t1)
    assert_allclose(per.loc["a", "auc"], auc_a)
    assert_allclose(per.loc["a", "auc_change"], auc_a - 0.5 * t2)
    summ = health_economics.eq5d_auc(panel, dates).set_index("category")
    x = per["auc_change"].to_numpy()
    assert_allclose(summ.loc["auc_change", "estimate"], x.mean())
    assert_allclose(summ.loc["auc_change", "std_error"], x.std(ddof=1) / math.sqrt(2))
    assert summ.loc["auc", "n"] == 2


# ------------------------------------------------------------------ MI / Rubin
def test_rubin_pool_by_hand():
    res = sensitivity.rubin_pool([1.0, 1.2, 0.8], [0.04, 0.05, 0.03], df_complete=29)
    T = 0.04 + (4 / 3) * 0.04
    lam = (4 / 3) * 0.04 / T
    nu_old = 2 / lam**2
    nu_obs = 30 / 32 * 29 * (1 - lam)
    assert_allclose([res["estimate"], res["std_error"], res["df"]],
                    [1.0, math.sqrt(T), nu_old * nu_obs / (nu_old + nu_obs)])  # fmt: skip


def test_mi_without_missing_data_reduces_to_complete_case():
    rng = np.random.default_rng(2)
    pre = rng.normal(50, 10, 20).round()
    post = pre + rng.normal(2, 5, 20).round()
    panel = two_waves(pre, post, y=(pre, post))
    res = sensitivity.multiple_imputation(panel, ["y"], "T0", "T1", m=3, seed=1).iloc[0]
    d = post - pre
    assert_allclose(res["estimate"], d.mean())
    assert_allclose(res["std_error"], d.std(ddof=1) / math.sqrt(20))
    assert_allclose(res["df"], 20 / 22 * 19)  # Barnard-Rubin with B = 0


def test_mi_is_seeded_and_pmm_imputes_observed_values():
    rng = np.random.default_rng(4)
    pre = rng.choice(np.arange(0, 101, 4), 30).astype(float)
    post = np.clip(pre + rng.choice([-8, -4, 0, 4, 8, 12], 30), 0, 100)
    post[:8] = np.nan
    panel = two_waves(pre, post, y=(pre, post))
    a = sensitivity.multiple_imputation(panel, ["y"], "T0", "T1", m=5, seed=42)
    b = sensitivity.multiple_imputation(panel, ["y"], "T0", "T1", m=5, seed=42)
    c = sensitivity.multiple_imputation(panel, ["y"], "T0", "T1", m=5, seed=43)
    pd.testing.assert_frame_equal(a, b)
    # another seed draws other imputations (the pooled estimate can coincide by chance on a
    # grid of 4 points; the pooled result as a whole does not)
    assert not a.equals(c)
    assert a.loc[0, "n"] == 30 and a.loc[0, "ci_low"] < a.loc[0, "estimate"] < a.loc[0, "ci_high"]
    # PMM donors are observed values, so every imputed change stays on the WHO-5 grid of 4
    data = sensitivity._analysis_set(panel, ["y"], "T0", "T1", [])
    filled = sensitivity._chained(data, np.random.default_rng(0), 5, "pmm", 5)
    assert np.all(np.mod(filled["y__post"], 4) == 0)


def test_compare_estimates_rows():
    rng = np.random.default_rng(9)
    pre = rng.normal(60, 12, 25)
    post = pre + rng.normal(3, 6, 25)
    post[:5] = np.nan
    panel = two_waves(pre, post, y=(pre, post))
    res = sensitivity.compare_estimates(panel, ["y"], "T0", "T1", m=5, seed=3)
    assert list(res.columns) == list(sensitivity.COMPARE_COLUMNS)
    assert res["method"].tolist() == ["complete_case", "mixed_model", "multiple_imputation"]
    assert res["n"].tolist() == [20, 25, 25]
    cc = res.iloc[0]
    d = (post - pre)[5:]
    assert_allclose(cc["estimate"], d.mean())
