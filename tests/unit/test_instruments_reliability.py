"""Reliability: Cronbach's alpha vs psych::alpha (R reference), Feldt CI, omega total."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import instruments as ins
from instruments import _registry

LOCAL = Path(__file__).parent / "data" / "reference_stats"
SHARED = Path("/work/shared/reference/stats")


def _reference(folder: Path):
    items = pd.read_csv(folder / "items_t0.csv")
    r = pd.read_csv(folder / "r_results.csv")
    r = r[r["analysis"] == "cronbach_alpha"].set_index("quantity")["value"]
    return items[[f"item_{i}" for i in range(1, 7)]], r


def _check_against_r(folder: Path):
    items, r = _reference(folder)
    res = ins.cronbach_alpha(items)
    assert res["n_complete"] == int(r["n_complete"])
    assert res["alpha"] == pytest.approx(r["estimate"], abs=1e-6, rel=1e-6)


def test_alpha_matches_psych_alpha_local_copy():
    _check_against_r(LOCAL)


def test_alpha_matches_psych_alpha_shared_folder():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent; the local copy in tests/unit/data/reference_stats is tested instead")
    _check_against_r(SHARED)


def test_local_copy_is_identical_to_shared():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent")
    for name in ["items_t0.csv", "r_results.csv"]:
        assert (LOCAL / name).read_bytes() == (SHARED / name).read_bytes()


def test_alpha_through_a_registered_scale_matches_r():
    items, r = _reference(LOCAL)
    sid = ins.register_scale({"id": "ref_items", "version": "1", "name": "Reference items", "citation": "synthetic",
                              "licence": "n/a", "status": "open", "n_items": 6,
                              "codes": {1: "a", 2: "b", 3: "c", 4: "d"}, "aggregation": "mean", "min_valid": 6})
    try:
        rel = ins.reliability(sid, items.set_axis(ins.items_of(sid), axis=1))
    finally:
        _registry._unregister_all_user_scales()
    assert list(rel.columns) == ["instrument", "scale", "n_items", "n_complete", "alpha", "alpha_ci_low",
                                 "alpha_ci_high", "ci_level", "omega_total", "method"]
    row = rel.iloc[0]
    assert row["scale"] == "total" and row["n_items"] == 6 and row["n_complete"] == r["n_complete"]
    assert row["alpha"] == pytest.approx(r["estimate"], abs=1e-6)
    assert row["alpha_ci_low"] < row["alpha"] < row["alpha_ci_high"] and row["ci_level"] == 0.95
    assert 0 < row["omega_total"] <= 1


def test_feldt_ci_matches_pingouin():
    pg = pytest.importorskip("pingouin")
    items, _ = _reference(LOCAL)
    res = ins.cronbach_alpha(items, ci_level=0.95)
    a, ci = pg.cronbach_alpha(items.dropna(), ci=0.95)
    assert res["alpha"] == pytest.approx(a, abs=1e-12)
    # pingouin rounds its CI to 3 decimals
    assert res["alpha_ci_low"] == pytest.approx(ci[0], abs=5e-4 + 1e-12)
    assert res["alpha_ci_high"] == pytest.approx(ci[1], abs=5e-4 + 1e-12)


def test_feldt_ci_formula():
    from scipy import stats

    items, _ = _reference(LOCAL)
    res = ins.cronbach_alpha(items, ci_level=0.90)
    n, k = res["n_complete"], res["n_items"]
    lo = 1 - (1 - res["alpha"]) * stats.f.ppf(0.95, n - 1, (n - 1) * (k - 1))
    assert res["alpha_ci_low"] == pytest.approx(lo, abs=1e-12) and res["ci_level"] == 0.90


def test_omega_recovers_known_loadings_and_equals_standardised_alpha_when_tau_equivalent():
    from instruments.consistency import one_factor_minres

    lam = np.array([0.9, 0.75, 0.6, 0.45, 0.3])
    R = np.outer(lam, lam)
    np.fill_diagonal(R, 1)
    est, heywood = one_factor_minres(R)
    np.testing.assert_allclose(est, lam, atol=1e-7)
    assert not heywood
    # tau-equivalent standardised data: omega == standardised alpha
    rng = np.random.default_rng(3)
    f = rng.normal(size=(20000, 1))
    x = f * 0.7 + rng.normal(size=(20000, 4)) * np.sqrt(1 - 0.49)
    R = np.corrcoef(x, rowvar=False)
    k, rbar = 4, R[np.triu_indices(4, 1)].mean()
    std_alpha = k * rbar / (1 + (k - 1) * rbar)
    assert ins.omega_total(x)["omega_total"] == pytest.approx(std_alpha, abs=2e-3)
    # population value of omega for these loadings
    assert ins.omega_total(x)["omega_total"] == pytest.approx((4 * 0.7) ** 2 / ((4 * 0.7) ** 2 + 4 * 0.51), abs=1e-2)


def test_whoqol_reliability_has_four_domains_with_reversal():
    rng = np.random.default_rng(0)
    trait = rng.normal(size=(300, 1))
    x = np.clip(np.round(3 + trait + rng.normal(scale=0.7, size=(300, 26))), 1, 5)
    items = ins.items_of("whoqol_bref")
    df = pd.DataFrame(x, columns=items)
    for q in ["whoqol_bref_03", "whoqol_bref_04", "whoqol_bref_26"]:
        df[q] = 6 - df[q]  # negatively worded items answered in reverse
    rel = ins.reliability("whoqol_bref", df)
    assert rel["scale"].tolist() == ["physical", "psychological", "social", "environment"]
    assert rel["n_items"].tolist() == [7, 6, 3, 8]
    assert (rel["alpha"] > 0.7).all()  # would be far lower without reversing Q3, Q4, Q26
    assert (rel["omega_total"] > 0.7).all()


def test_rand36_reliability_uses_recoded_items():
    rng = np.random.default_rng(1)
    tbl = pd.read_csv(_registry.DATA_DIR / "rand36_item_recoding.csv")
    trait = rng.uniform(size=(400, 1))
    cols = {}
    for i in range(1, 37):
        t = tbl[tbl["item"] == i].sort_values("recoded_0_100")
        codes = t["raw_response"].to_numpy()
        pos = np.clip(np.round(trait[:, 0] * (len(codes) - 1) + rng.normal(scale=0.25, size=400)), 0, len(codes) - 1)
        cols[f"rand36_{i:02d}"] = codes[pos.astype(int)]
    rel = ins.reliability("rand36", pd.DataFrame(cols))
    assert rel["scale"].tolist() == ["physical_functioning", "role_physical", "role_emotional", "energy_fatigue",
                                     "emotional_wellbeing", "social_functioning", "pain", "general_health"]
    assert (rel["alpha"] > 0.6).all()  # items of opposite direction (e.g. Q23 vs Q29) agree after recoding


def test_reliability_not_applicable_for_eq5d_and_srh():
    df = pd.DataFrame([[1, 1, 1, 1, 1, 50]] * 5, columns=ins.items_of("eq5d5l"))
    assert ins.reliability("eq5d5l", df).empty
    assert ins.reliability("srh", pd.DataFrame({"srh_01": [1, 2, 3]})).empty


def test_too_few_rows_give_nan_not_errors():
    x = pd.DataFrame([[3, 3, 3, 3, 3], [4, 4, 4, 4, np.nan]], columns=ins.items_of("who5"))
    rel = ins.reliability("who5", x)
    assert rel.loc[0, "n_complete"] == 1 and np.isnan(rel.loc[0, "alpha"]) and np.isnan(rel.loc[0, "omega_total"])
