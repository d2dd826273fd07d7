"""The ground truth agrees with the project's analysis library on generated studies (so a
verified recovery is a recovery of what the pipeline really computed from)."""

from __future__ import annotations

import pandas as pd
import pytest
from truth import StudyTruth, UnknownGroup

from analysis import categorical, cohort, descriptives, eq5d
from analysis import responders as responders_lib
from survey import study as study_glue


@pytest.fixture(scope="module", params=[(12, 3), (30, 8)], ids=["N12", "N30"])
def truth(request, tmp_path_factory):
    from tools.example_study import generate_study

    n, seed = request.param
    d = tmp_path_factory.mktemp(f"truth_{n}")
    generate_study(d, participants=n, seed=seed, truth_n=2000)
    return StudyTruth(d / "study.yaml")


def _cohort_frame(t: StudyTruth) -> pd.DataFrame:
    return pd.concat([c.assign(pre=pre, post=post) for (pre, post), c in t.cohorts.items()], ignore_index=True)


def test_flow_sets_match_flow_counts(truth):
    t = truth
    names = {("assessed", "all"): None, ("lost_to_follow_up", "all"): "lost", ("new_at_follow_up", "all"): "new",
                ("lost_attending", "all"): "lost_attending", ("lost_not_attending", "all"): "lost_not_attending",
             ("analysed", "recurring_both_waves"): "both", ("excluded", "recurring_attendance"): "excluded_attendance",
             ("analysed", "recurring_attendance"): "analysed_attendance"}
    for pre, post in t.comparisons:
        f = cohort.flow_counts(t.panel, pre, post, t.attendance, t.wave_dates, t.config.recurring.min_visits_per_week,
                               outcomes=t.config.analysis.primary_outcomes)
        for r in f.itertuples():
            if r.stage == "analysed_complete_pairs":
                d = "attendance" if r.definition == "recurring_attendance" else "both"
                # the flow's members need a primary outcome; pairs of a primary outcome always have one
                assert t.count(("pairs", pre, post, d, r.outcome)) == r.n
                continue
            stage = names[(r.stage, r.definition)] or ("assessed_pre" if r.wave == pre else "assessed_post")
            assert t.count(("flow", pre, post, stage)) == r.n, (pre, post, stage)


def test_table1_cells_match_descriptives(truth):
    t = truth
    ids = t.recurring_any
    assert ids == frozenset(study_glue.recurring_ids(t.config, _cohort_frame(t)))
    cov = [c for c in ("gender", "age_group", "education", "language") if c in t.panel]
    p = t.panel.assign(wave=t.panel["wave"].astype(str))
    for pop, sub in (("all", p), ("recurring", p[p["participant_id"].isin(ids)])):
        tab = descriptives.table1(sub, cov + ["who5_percent"], by="wave", categorical=cov)
        for r in tab.itertuples():
            assert t.count(("resp", r.group, pop)) == r.n_total
            if r.level:
                assert t.count(("level", r.group, pop, r.variable, (r.level,))) == r.n
                assert t.count(("answered", r.group, pop, r.variable)) == r.n_total - r.n_missing
            else:
                assert t.count(("answered", r.group, pop, r.variable)) == r.n
                vals = t.values(("answered", r.group, pop, r.variable), ("score", r.group, r.variable))
                assert abs(vals.mean() - r.mean) < 1e-9


def test_pair_groups_match_mcnemar_responders_and_pchc(truth):
    t = truth
    primary, secondary = study_glue.continuous_outcomes(t.config, t.panel)
    mids = study_glue.default_mids(t.config, primary + secondary)
    mid = dict(zip(mids["outcome"], mids["mid"]))
    for pre, post in t.comparisons:
        sub = study_glue.analysed_panel(t.panel, _cohort_frame(t), pre, post, t.config.recurring.definition)
        for var in ("who5_depression_screen", "srh_good"):
            tab = categorical.paired_table(sub, var, pre, post)
            if tab.shape == (2, 2):
                assert t.count(("pairs_cells", pre, post, var, False, True)) == int(tab.iloc[0, 1])
                assert t.count(("pairs_cells", pre, post, var, True, False)) == int(tab.iloc[1, 0])
        res = responders_lib.responders(sub, list(mid), pre, post, mid, study_glue.higher_is_better())
        for r in res.itertuples():
            assert t.count(("responders", pre, post, r.outcome, r.category)) == r.n
            assert t.count(("pairs", pre, post, "primary", r.outcome)) == r.n_total
        dims = [d for d in study_glue.EQ5D_DIMENSIONS if d in t.panel]
        pc = eq5d.pchc(sub, pre, post, dims=dims)
        for r in pc.itertuples():
            assert t.count(("pchc", pre, post, r.dimension, r.category)) == r.n
            assert t.count(("pchc_pairs", pre, post)) == r.n_total
        changes = t.values(("pairs", pre, post, "primary", "who5_percent"), ("change", pre, post, "who5_percent"))
        assert len(changes) == t.count(("pairs_sign", pre, post, "who5_percent", "nonzero")) + \
            t.count(("pairs_sign", pre, post, "who5_percent", "zero"))


def test_set_algebra_and_unknown_groups(truth):
    t = truth
    w = t.comparisons[0][0]
    a, r = ("resp", w, "all"), ("resp", w, "recurring")
    assert t.count(("minus", a, r)) == t.count(a) - t.count(r)
    assert t.count(("union", a, r)) == t.count(a)
    with pytest.raises(UnknownGroup):
        t.count(("no_such_group", w))
    with pytest.raises(UnknownGroup):
        t.count(("answered", w, "all", "no_such_variable"))
