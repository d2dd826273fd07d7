"""The analysis recovers the example study's known true effects (data/example/ground_truth.yaml)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from studyconfig.config import DEFAULT_CONFIG

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    gt = yaml.safe_load((DEFAULT_CONFIG.parent / "ground_truth.yaml").read_text(encoding="utf-8"))
    return pd.DataFrame(gt["effects"])


def test_paired_estimates_cover_the_true_change(example_run, truth):
    tests = pd.read_parquet(example_run.out / "data" / "processed" / "prepost_tests.parquet")
    t = tests[tests["test"] == "paired_t"].merge(truth, on=["outcome", "pre", "post"])
    assert len(t) >= 18, "every continuous outcome x comparison has a ground-truth row"
    # the complete-pairs analysis estimates the expected change among observed pairs
    covered = (t["ci_low"] <= t["expected_change_observed_pairs"]) & (t["expected_change_observed_pairs"] <= t["ci_high"])
    assert covered.all(), t.loc[~covered, ["outcome", "pre", "post", "estimate", "ci_low", "ci_high"]].to_string()
    # and the large true effects are detected (CI excludes zero) while the null effect is not
    big = t[t["outcome"].isin(["who5_percent", "hls_eu_q16_score"])]
    assert (big["ci_low"] > 0).all()
    null = t[t["outcome"] == "whoqol_bref_social_100"]
    assert ((null["ci_low"] < 0) & (null["ci_high"] > 0)).all()


def test_mixed_model_contrasts_cover_the_true_change(example_run, truth):
    terms = pd.read_parquet(example_run.out / "data" / "processed" / "mixed_model_terms.parquet")
    wave_terms = terms[terms["term"].isin(["waveT1", "waveT2"])].assign(post=lambda d: d["term"].str[-2:], pre="T0")
    m = wave_terms.merge(truth, on=["outcome", "pre", "post"])
    assert len(m) >= 18
    covered = (m["ci_low"] <= m["true_mean_change"]) & (m["true_mean_change"] <= m["ci_high"])
    assert covered.mean() >= 0.9, m.loc[~covered, ["outcome", "term", "estimate", "ci_low", "ci_high"]].to_string()


def test_recurring_cohort_matches_the_generator(example_run):
    gt = yaml.safe_load((DEFAULT_CONFIG.parent / "ground_truth.yaml").read_text(encoding="utf-8"))
    flow = pd.read_parquet(example_run.out / "data" / "processed" / "participant_flow.parquet")
    analysed = flow[(flow["stage"] == "analysed") & flow["outcome"].isna()]
    got = {(r.post, r.definition): r.n for r in analysed.itertuples()}
    counts = gt["realised_counts"]
    assert got[("T1", "recurring_attendance")] == counts["n_recurring_pairs_T0_T1"]
    assert got[("T2", "recurring_attendance")] == counts["n_recurring_pairs_T0_T2"]
    assert got[("T1", "recurring_both_waves")] == counts["n_pairs_T0_T1"]


def test_only_the_primary_family_is_adjusted(example_run):
    from studyconfig.config import load_config

    cfg = load_config(DEFAULT_CONFIG)
    tests = pd.read_parquet(example_run.out / "data" / "processed" / "prepost_tests.parquet")
    t = tests[tests["test"] == "paired_t"]
    prim, sec = t[t["family"] == "primary"], t[t["family"] == "secondary"]
    assert set(prim["outcome"]) == set(cfg.analysis.primary_outcomes)
    assert (prim["p_adj_method"] == "holm").all() and (prim["p_adj"] >= prim["p_value"]).all()
    assert (sec["p_adj_method"] == "none").all() and len(sec) > 0
