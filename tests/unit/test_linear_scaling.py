"""The linear-cost rewrites of issue 9 (100,000 participants) give the same results as the
straightforward versions they replaced.

* mixed model: the REML information is computed from per-participant sums instead of
  q x q and n x q matrices, the start value is a moment estimate instead of a
  statsmodels fit, and the optimum is polished on the analytic derivative;
* multiple imputation: predictive mean matching finds the donors by binary search;
* cohort: the participants x waves presence grid is filled without a Python loop;
* example-study generator: the vectorised attendance register still writes the bundled
  example study byte for byte.
"""

from __future__ import annotations

import hashlib
import math
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis import cohort, models, sensitivity
from tools import example_study as es

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ mixed model


def _data(seed: int, q: int = 60, p_extra: bool = True):
    rng = np.random.default_rng(seed)
    ng = rng.integers(1, 4, q)
    g = np.repeat(np.arange(q), ng)
    n = g.size
    cols = [np.ones(n), (rng.random(n) < 0.5).astype(float)]
    if p_extra:
        cols.append(rng.normal(size=n))
    X = np.column_stack(cols)
    y = X @ np.arange(1, X.shape[1] + 1) + rng.normal(0, 1.2, q)[g] + rng.normal(0, 1, n)
    return X, y, g


def _dense_parts(X, y, g, s2u, s2e):
    """The textbook formulas with explicit V, P and Z (small data only)."""
    n, q = X.shape[0], int(g.max()) + 1
    Z = np.zeros((n, q))
    Z[np.arange(n), g] = 1.0
    V = s2u * Z @ Z.T + s2e * np.eye(n)
    Vi = np.linalg.inv(V)
    C = np.linalg.inv(X.T @ Vi @ X)
    P = Vi - Vi @ X @ C @ X.T @ Vi
    Py = P @ y
    dV = [Z @ Z.T, np.eye(n)]
    score = np.array([-np.trace(P @ D) / 2 + Py @ D @ Py / 2 for D in dV])
    info = np.array([[-np.trace(P @ Di @ P @ Dj) / 2 + Py @ Di @ P @ Dj @ Py for Dj in dV] for Di in dV])
    dC = [C @ X.T @ Vi @ D @ Vi @ X @ C for D in dV]
    return {"beta": C @ X.T @ Vi @ y, "C": C, "score": score, "info": info, "dC": dC}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_linear_time_reml_parts_equal_the_dense_formulas(seed):
    X, y, g = _data(seed)
    fast = models._RandomIntercept(X, y, g).parts(0.7, 1.3)
    dense = _dense_parts(X, y, g, 0.7, 1.3)
    for key in ("beta", "C", "score", "info"):
        assert_allclose(fast[key], dense[key], rtol=1e-9, atol=1e-9 * np.max(np.abs(dense[key])))
    for a, b in zip(fast["dC"], dense["dC"]):
        assert_allclose(a, b, rtol=1e-9)


def test_profile_derivative_is_the_derivative_of_the_profile():
    X, y, g = _data(4)
    m = models._RandomIntercept(X, y, g)
    for gamma in (0.05, 0.6, 3.0):
        h = 1e-6 * gamma
        numeric = (m.profile(gamma + h)[0] - m.profile(gamma - h)[0]) / (2 * h)
        assert_allclose(m.dprofile(gamma), numeric, rtol=1e-5)


def test_reml_optimum_does_not_depend_on_the_start_value():
    X, y, g = _data(5)
    m = models._RandomIntercept(X, y, g)
    fits = [m.fit(g0) for g0 in (0.01, m.moment_start(), 1.0, 50.0)]
    for f in fits[1:]:
        assert_allclose(f["gamma"], fits[0]["gamma"], rtol=1e-9)
        assert_allclose(f["beta"], fits[0]["beta"], rtol=1e-10)
    # the optimum is a zero of the analytic derivative
    assert abs(m.dprofile(fits[0]["gamma"])) < 1e-6


def test_moment_start_is_close_to_the_reml_estimate():
    X, y, g = _data(6, q=400)
    m = models._RandomIntercept(X, y, g)
    assert 0.5 < m.moment_start() / m.fit(1.0)["gamma"] < 2


def test_mixed_model_memory_is_linear_in_participants():
    """20,000 participants x 3 waves: the dense Z'PZ alone would be 3.2 GB."""
    rng = np.random.default_rng(7)
    q = 20_000
    ids = np.repeat([f"P{i:05d}" for i in range(q)], 3)
    wave = np.tile(["T0", "T1", "T2"], q)
    y = 50 + rng.normal(0, 8, q).repeat(3) + np.tile([0.0, 2.0, 3.0], q) + rng.normal(0, 5, 3 * q)
    keep = rng.random(3 * q) > 0.2
    panel = pd.DataFrame({"participant_id": ids, "wave": wave, "y": y})[keep]
    tracemalloc.start()
    terms, glance, _ = models.mixed(panel, "y")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 200 * 2**20
    assert bool(glance.loc[0, "converged"])
    t = terms.set_index("term")
    assert abs(t.loc["waveT1", "estimate"] - 2.0) < 0.3 and abs(t.loc["waveT2", "estimate"] - 3.0) < 0.3
    assert_allclose(glance.loc[0, "var_participant"], 64, rtol=0.1)


# ------------------------------------------------------------------ multiple imputation


def test_pmm_donors_are_the_k_nearest_observed_cases():
    rng = np.random.default_rng(0)
    for _ in range(300):
        n, k = int(rng.integers(1, 40)), int(rng.integers(1, 8))
        obs = rng.normal(size=n)
        targets = rng.normal(scale=1.5, size=int(rng.integers(1, 12)))  # some beyond the observed range
        donors = sensitivity._pmm_donors(obs, targets, k)
        assert donors.shape == (targets.size, min(k, n))
        for row, t in zip(donors, targets):
            assert set(row) == set(np.argsort(np.abs(obs - t), kind="stable")[: min(k, n)])
            assert np.all(np.diff(np.abs(obs[row] - t)) >= 0)  # nearest first


def test_pmm_donors_with_ties_are_deterministic():
    obs = np.array([1.0, 1.0, 1.0, 2.0, 0.0, 1.0])
    d = sensitivity._pmm_donors(obs, np.array([1.0, 1.0]), 3)
    assert d.tolist() == [[0, 1, 2], [0, 1, 2]]


def test_multiple_imputation_scales_to_many_participants():
    """60,000 participants with 30 % missing follow-ups (the old per-value search was
    quadratic: about 10^9 distance evaluations per imputed column)."""
    rng = np.random.default_rng(3)
    n = 60_000
    pre = rng.choice(np.arange(0, 101, 4), n).astype(float)
    post = np.clip(pre + rng.choice([-8, -4, 0, 4, 8, 12], n), 0, 100)
    post[rng.random(n) < 0.3] = np.nan
    panel = pd.DataFrame({"participant_id": np.tile(np.arange(n), 2), "wave": ["T0"] * n + ["T1"] * n,
                          "y": np.concatenate([pre, post])})
    res = sensitivity.multiple_imputation(panel, ["y"], "T0", "T1", m=3, n_iter=2, seed=1).iloc[0]
    d = post - pre
    assert abs(res["estimate"] - np.nanmean(d)) < 0.2
    assert res["n"] == n


# ------------------------------------------------------------------ cohort


def _link_waves_reference(panel, outcomes=None):
    """The former implementation: a Python membership test per participant and wave."""
    waves = cohort._panel.wave_levels(panel)
    ids = sorted(panel["participant_id"].dropna().unique().tolist())
    seen = panel.loc[cohort._present(panel, outcomes), ["participant_id", "wave"]]
    seen_set = set(map(tuple, seen.to_numpy().tolist()))
    rows = []
    for i in ids:
        pattern = "+".join(str(w) for w in waves if (i, w) in seen_set)
        rows += [(i, w, (i, w) in seen_set, pattern) for w in waves]
    return pd.DataFrame(rows, columns=["participant_id", "wave", "present", "pattern"])


@pytest.mark.parametrize("categorical", [False, True])
def test_link_waves_matches_the_row_by_row_definition(categorical):
    rng = np.random.default_rng(11)
    ids = [f"JH-{i:06d}" for i in rng.permutation(300)]
    rows = [(i, w, rng.normal() if rng.random() > 0.2 else np.nan)
            for i in ids for w in ("T0", "T1", "T2") if rng.random() < 0.6]
    panel = pd.DataFrame(rows, columns=["participant_id", "wave", "y"])
    if categorical:
        panel["wave"] = pd.Categorical(panel["wave"], categories=["T0", "T1", "T2"], ordered=True)
    for outcomes in (None, ["y"]):
        got = cohort.link_waves(panel, outcomes)
        want = _link_waves_reference(panel, outcomes)
        assert got["participant_id"].astype(str).tolist() == want["participant_id"].tolist()
        assert got["wave"].astype(str).tolist() == want["wave"].astype(str).tolist()
        assert got["present"].tolist() == want["present"].tolist()
        assert got["pattern"].astype(str).tolist() == want["pattern"].tolist()


# ------------------------------------------------------------------ example-study generator


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generator_still_writes_the_bundled_example_study(tmp_path):
    """The vectorised attendance register and pseudonyms keep ``data/example`` byte-identical
    (ground_truth.yaml is left out: it depends only on ``truth_n``, made small here)."""
    es.generate_study(tmp_path, participants=250, seed=2023, truth_n=2_000)
    bundled = ROOT / "data" / "example"
    names = sorted(str(p.relative_to(bundled)) for p in bundled.rglob("*")
                   if p.is_file() and p.name != "ground_truth.yaml")
    assert names, "data/example is empty"
    for name in names:
        assert _digest(tmp_path / name) == _digest(bundled / name), name


def test_visits_per_week_accepts_dates_strings_and_timestamps():
    import datetime as dt

    att = pd.DataFrame({"participant_id": ["a", "a", "a", "b"],
                        "visit_date": ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-16"]})
    start, end = dt.date(2024, 1, 1), dt.date(2024, 1, 15)
    expected = {"a": 3 / 2}
    assert es.visits_per_week(att, start, end).to_dict() == expected
    as_ts = att.assign(visit_date=pd.to_datetime(att["visit_date"]) + pd.Timedelta(hours=13))
    assert es.visits_per_week(as_ts, start, end).to_dict() == expected
    assert math.isclose(es.visits_per_week(as_ts, start, dt.date(2024, 1, 16))["b"], 1 / (15 / 7))


# ------------------------------------------------------------------ effect sizes


def test_effect_size_interval_for_tens_of_thousands_of_pairs():
    """t ~ 60 on 40,000 df: the noncentral-t search must stay near t (its far tails are NaN)."""
    from analysis import prepost

    rng = np.random.default_rng(12)
    n = 40_000
    pre = rng.normal(50, 10, n)
    post = pre + rng.normal(3, 10, n)
    panel = pd.DataFrame({"participant_id": np.tile(np.arange(n), 2), "wave": ["T0"] * n + ["T1"] * n,
                          "y": np.concatenate([pre, post])})
    es_ = prepost.paired_effect_sizes(panel, ["y"], "T0", "T1").set_index("effect_size_type")
    dz = es_.loc["cohens_dz"]
    assert np.isfinite([dz["ci_low"], dz["ci_high"]]).all()
    half = 1.96 * math.sqrt(1 / n + dz["estimate"] ** 2 / (2 * n))  # large-sample SE of d_z
    assert_allclose([dz["ci_low"], dz["ci_high"]], [dz["estimate"] - half, dz["estimate"] + half], rtol=2e-3)
    assert np.isfinite(es_.loc["hedges_g_av", ["ci_low", "ci_high"]].to_numpy(float)).all()


# ------------------------------------------------------------------ figures


def test_individual_trajectories_draw_one_collection_not_one_line_per_participant():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.collections import LineCollection

    from publishing import figures
    from publishing.study_labels import study_labels
    from studyconfig.config import load_config

    L = study_labels(load_config(ROOT / "data" / "example" / "study.yaml"), "en")
    rng = np.random.default_rng(2)
    n = 5_000
    y = rng.normal(50, 10, (n, 3))
    y[rng.random((n, 3)) < 0.2] = np.nan
    panel = pd.DataFrame({"participant_id": np.repeat([f"P{i}" for i in range(n)], 3),
                          "wave": np.tile(["T0", "T1", "T2"], n), "who5_percent": y.ravel()})
    fig = figures.individual_trajectories(panel, ["who5_percent"], L)
    ax = fig.axes[0]
    collections = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(collections) == 1 and len(ax.lines) == 1  # participants' lines + the mean line
    fin = np.isfinite(y)
    expected = int((fin[:, 0] & fin[:, 1]).sum() + (fin[:, 1] & fin[:, 2]).sum())  # segments as Line2D draws them
    assert len(collections[0].get_segments()) == expected
    assert collections[0].get_rasterized()
