"""The simulation study's machinery (small runs; the full study is a script)."""

import numpy as np

from analysis.simulation import Scenario, run_simulation, simulate_cohort, summarise


def test_dropout_depends_on_baseline():
    s = Scenario("x", delta=0.0, n=4000)
    panel = simulate_cohort(s, np.random.default_rng(3))
    base = panel[panel["wave"] == "T0"].set_index("participant_id")["y"]
    stayed = base.index.isin(panel.loc[panel["wave"] == "T1", "participant_id"])
    assert 0.25 < 1 - stayed.mean() < 0.45
    assert base[stayed].mean() > base[~stayed].mean() + 3  # MAR: drop-outs had lower baseline


def test_summary_reflects_regression_to_the_mean_bias():
    scen = [Scenario("null", delta=0.0, n=300)]
    summary = summarise(run_simulation(scen, n_sims=8, seed=5), scen).set_index("method")
    # complete pairs are selected on a high baseline -> negative bias; the mixed model is not
    assert summary.loc["complete_case_paired_t", "bias"] < -0.5
    assert abs(summary.loc["mixed_model_reml", "bias"]) < summary.loc["complete_case_paired_t", "bias"] * -0.5
    assert summary["n_sims"].tolist() == [8, 8]
