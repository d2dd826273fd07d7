"""analysis.partnership and the E2 reliability agree with R (psych::alpha, t.test, lm).

References: ``tests/unit/data/reference_stats/r_results_partnership.csv``, written once by
``r_reference_partnership.R`` (R 4.2.2, psych 2.2.9) from ``partner_items.csv`` (the
example study's partner surveys) and two hand-made item tables with missing values.
Tolerance: relative 1e-9 for every quantity (R writes 15 significant digits); the largest
difference found is printed by ``test_largest_difference_is_reported``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import instruments as ins
from analysis import partnership as pt
from instruments.e2 import SCALES

from .partner_reference_data import REF, canonical_partner_items, hand_made

RTOL = 1e-9
R = pd.read_csv(REF / "r_results_partnership.csv", keep_default_na=False, na_values=[""],
                dtype={"year": str, "group": str, "pre": str, "post": str, "outcome": str})
ITEMS = pd.read_csv(REF / "partner_items.csv")
DIFFS: list[float] = []


def _close(got, want, what) -> None:
    got, want = float(got), float(want)
    assert np.isclose(got, want, rtol=RTOL, atol=1e-12), (what, got, want)
    if want != 0:
        DIFFS.append((abs(got - want) / abs(want), what))


def _r(analysis: str, **where) -> dict[str, float]:
    sel = R["analysis"] == analysis
    for k, v in where.items():
        sel &= R[k].fillna("") == str(v)
    return dict(zip(R.loc[sel, "quantity"], R.loc[sel, "value"]))


def test_reference_input_is_the_example_study():
    """partner_items.csv is exactly the example's partner surveys (so the references stay tied to it)."""
    now = canonical_partner_items()
    pd.testing.assert_frame_equal(now.astype("float64").reset_index(drop=True),
                                  ITEMS.astype("float64"), check_dtype=False)
    for name, df in hand_made().items():
        stored = pd.read_csv(REF / f"partner_alpha_missing_{name}.csv")
        np.testing.assert_array_equal(stored.to_numpy(dtype=float), df.to_numpy(dtype=float))


def test_yearly_summary_matches_r():
    got = pt.yearly_summary(ITEMS, SCALES)
    assert len(got) == 2 * len(SCALES)
    for row in got.itertuples():
        want = _r("yearly", outcome=row.outcome, year=row.year, group="")
        assert row.n == want["n"]
        for q in ("mean", "sd", "std_error", "ci_low", "ci_high", "alpha", "alpha_ci_low", "alpha_ci_high"):
            _close(getattr(row, q), want[q], (row.outcome, row.year, q))
        assert row.n_complete == want["n_complete"]
        assert row.n + row.n_missing == (ITEMS["year"] == row.year).sum()


def test_group_summary_matches_r_where_estimated():
    got = pt.group_summary(ITEMS, SCALES, group="group", min_group_n=3)
    est = got[~got["suppressed"]]
    assert len(est) > 40
    for row in est.itertuples():
        want = _r("group", outcome=row.outcome, year=row.year, group=int(row.subgroup_level))
        assert row.n == want["n"]
        for q in ("mean", "sd", "ci_low", "ci_high"):
            _close(getattr(row, q), want[q], (row.outcome, row.year, row.subgroup_level, q))
        if "alpha" in want:
            _close(row.alpha, want["alpha"], (row.outcome, row.year, row.subgroup_level, "alpha"))
            _close(row.alpha_ci_low, want["alpha_ci_low"], "alpha_ci_low")
            _close(row.alpha_ci_high, want["alpha_ci_high"], "alpha_ci_high")
        else:
            assert np.isnan(row.alpha)


def test_constant_items_keep_counting_in_alpha():
    """psych::alpha drops an item without variance from alpha (but keeps it in the score);
    we keep every item, so alpha describes the score as used. The R references hold both:
    equal without constant items, different with them (here: small partner groups)."""
    got = pt.group_summary(ITEMS, SCALES, group="group", min_group_n=3)
    rows = []
    for row in got[~got["suppressed"]].itertuples():
        want = _r("group", outcome=row.outcome, year=row.year, group=int(row.subgroup_level))
        if "alpha" in want:
            rows.append((want["n_constant_items"], row.alpha, want["alpha_psych"]))
    with_constant = [r for r in rows if r[0] > 0]
    without = [r for r in rows if r[0] == 0]
    assert with_constant and without
    assert all(np.isclose(a, p, rtol=RTOL) for _, a, p in without)
    assert all(not np.isclose(a, p, rtol=1e-3) for _, a, p in with_constant)


@pytest.mark.parametrize("method,analysis", [("consecutive_welch", "welch"), ("ols_slope", "ols_slope")])
def test_trend_matches_r(method, analysis):
    got = pt.trend(ITEMS, SCALES, method=method)
    assert len(got) == len(SCALES)
    for row in got.itertuples():
        want = _r(analysis, outcome=row.outcome, pre=row.pre, post=row.post)
        for q in ("estimate", "std_error", "statistic", "df", "p_value", "ci_low", "ci_high"):
            _close(getattr(row, q), want[q], (row.outcome, method, q))


@pytest.mark.parametrize("name", ["a", "b"])
def test_alpha_with_missing_values_matches_psych_complete_obs(name):
    x = hand_made()[name]
    want = _r(f"alpha_missing_{name}")
    if name == "b":  # item 2 is reverse-keyed: through the E2 scale's reverse option
        got = ins.reliability("e2_synergy", x, reverse=[2]).iloc[0].to_dict()
    else:
        got = ins.cronbach_alpha(x)
    assert got["n_complete"] == want["n_complete"]
    for q in ("alpha", "alpha_ci_low", "alpha_ci_high"):
        _close(got[q], want[q], (name, q))
    # psych's default (pairwise covariances) is a different estimate; we document complete rows
    assert abs(got["alpha"] - want["alpha_pairwise"]) > 1e-4


def test_largest_difference_is_reported():
    """Runs last in this module: the largest relative difference of all comparisons above."""
    if not DIFFS:
        pytest.skip("no comparisons ran")
    worst = max(DIFFS, key=lambda d: d[0])
    print(f"\n{len(DIFFS)} comparisons with R; largest relative difference {worst[0]:.2e} ({worst[1]})")
    assert worst[0] < RTOL
