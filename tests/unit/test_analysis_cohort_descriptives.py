"""Hand-computed cases for analysis.cohort and analysis.descriptives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis import cohort, descriptives

DATES = {"T0": "2023-10-01", "T1": "2023-12-24"}  # 12 weeks apart


@pytest.fixture
def panel():
    #   a: T0 T1   b: T0 T1   c: T0 only   d: T1 only   e: T0, T1 row with all outcomes missing
    return pd.DataFrame({
        "participant_id": ["a", "a", "b", "b", "c", "d", "e", "e"],
        "wave": ["T0", "T1", "T0", "T1", "T0", "T1", "T0", "T1"],
        "who5": [40, 48, 60, 56, 52, 44, 36, np.nan],
    })  # fmt: skip


@pytest.fixture
def visits():
    rows = [("a", f"2023-10-{d:02d}") for d in range(2, 31)]  # 29 visits within the period
    rows += [("b", "2023-10-05"), ("b", "2023-11-05"), ("b", "2024-01-15")]  # 2 inside, 1 after
    rows += [("e", "2023-10-03")] * 20
    return pd.DataFrame(rows, columns=["participant_id", "date"])


def test_link_waves(panel):
    links = cohort.link_waves(panel)
    assert len(links) == 5 * 2
    assert links.set_index(["participant_id", "wave"]).loc[("c", "T1"), "present"] == False  # noqa: E712
    assert links.loc[links["participant_id"] == "a", "pattern"].unique().tolist() == ["T0+T1"]
    assert links.loc[links["participant_id"] == "d", "pattern"].unique().tolist() == ["T1"]
    # with outcomes, e's empty T1 row does not count as presence
    strict = cohort.link_waves(panel, outcomes=["who5"])
    assert strict.loc[strict["participant_id"] == "e", "pattern"].unique().tolist() == ["T0"]


def test_recurring_cohort_counts_visits_between_wave_dates(panel, visits):
    c = cohort.recurring_cohort(panel, "T0", "T1", visits, DATES, outcomes=["who5"]).set_index("participant_id")
    assert list(c.reset_index().columns) == list(cohort.COHORT_COLUMNS)
    assert c.loc["a", "visits"] == 29 and c.loc["b", "visits"] == 2 and c.loc["c", "visits"] == 0
    assert_allclose(c["weeks"], 12.0)
    assert_allclose(c.loc["a", "visits_per_week"], 29 / 12)
    assert c["recurring_both_waves"].to_dict() == {"a": True, "b": True, "c": False, "d": False, "e": False}
    assert c["recurring_attendance"].astype(bool).to_dict() == {"a": True, "b": False, "c": False, "d": False,
                                                                "e": False}  # fmt: skip


def test_recurring_cohort_threshold_is_strict(panel):
    # "more than once a week": exactly at the threshold is not recurring
    weeks = (pd.Timestamp(DATES["T1"]) - pd.Timestamp(DATES["T0"])).days / 7
    att = pd.DataFrame({"participant_id": ["a", "b"], "visits": [int(weeks) + 1, weeks]})
    c = cohort.recurring_cohort(panel, "T0", "T1", att, DATES).set_index("participant_id")
    assert bool(c.loc["a", "recurring_attendance"]) and not bool(c.loc["b", "recurring_attendance"])


def test_recurring_cohort_without_attendance_is_na(panel):
    c = cohort.recurring_cohort(panel, "T0", "T1")
    assert c["recurring_attendance"].isna().all() and c["visits"].isna().all()
    with pytest.raises(ValueError):
        cohort.recurring_cohort(panel, "T0", "T1", pd.DataFrame({"participant_id": [], "visits": []}))


def test_flow_counts(panel, visits):
    flow = cohort.flow_counts(panel, "T0", "T1", visits, DATES, outcomes=["who5"])
    assert list(flow.columns) == list(cohort.FLOW_COLUMNS)
    get = lambda stage, definition, outcome=None: int(flow.loc[  # noqa: E731
        (flow["stage"] == stage) & (flow["definition"] == definition)
        & ((flow["outcome"] == outcome) if outcome else flow["outcome"].isna()), "n"].sum())  # fmt: skip
    assert int(flow.loc[(flow["stage"] == "assessed") & (flow["wave"] == "T0"), "n"].item()) == 4
    assert int(flow.loc[(flow["stage"] == "assessed") & (flow["wave"] == "T1"), "n"].item()) == 3
    assert get("lost_to_follow_up", "all") == 2  # c and e
    # reasons for loss: e kept attending (20 visits in 12 weeks), c has no visit
    assert get("lost_attending", "all") == 1 and get("lost_not_attending", "all") == 1
    assert flow["stage"].tolist().index("lost_attending") == flow["stage"].tolist().index("lost_to_follow_up") + 1
    assert get("new_at_follow_up", "all") == 1  # d
    assert get("analysed", "recurring_both_waves") == 2
    assert get("excluded", "recurring_attendance") == 1  # b
    assert get("analysed", "recurring_attendance") == 1  # a
    assert get("analysed_complete_pairs", "recurring_both_waves", "who5") == 2
    assert get("analysed_complete_pairs", "recurring_attendance", "who5") == 1
    # flow is consistent: assessed at pre = analysed (both waves) + lost
    assert get("analysed", "recurring_both_waves") + get("lost_to_follow_up", "all") == 4


def test_flow_reasons_for_loss_partition_the_lost_on_any_study():
    """On generated panels and registers the two reasons always add up to the lost, and a
    study without a register has no reason rows."""
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(1, 30))
        ids = [f"p{i}" for i in range(n)]
        rows = [(i, w) for i in ids for w in ("T0", "T1") if rng.random() < 0.7]
        rows += [("p0", "T0"), ("p0", "T1")]   # both waves exist
        panel = pd.DataFrame(rows, columns=["participant_id", "wave"]).drop_duplicates().assign(who5=50.0)
        visits = pd.DataFrame({"participant_id": ids, "visits": rng.integers(0, 30, n)})
        flow = cohort.flow_counts(panel, "T0", "T1", visits, DATES, min_visits_per_week=float(rng.choice([0.5, 1, 2])))
        n_of = dict(zip(flow["stage"], flow["n"]))
        assert n_of["lost_attending"] + n_of["lost_not_attending"] == n_of["lost_to_follow_up"]
        without = cohort.flow_counts(panel, "T0", "T1")
        assert not without["stage"].isin(["lost_attending", "lost_not_attending"]).any()


# ---------------------------------------------------------------- descriptives
def test_table1_continuous_and_categorical_by_hand():
    df = pd.DataFrame({
        "wave": ["T0"] * 5 + ["T1"] * 3,
        "age": [20, 30, 40, 50, np.nan, 25, 35, 45],
        "sex": ["f", "m", "f", None, "f", "m", "m", "f"],
        "smoker": [0, 1, 0, 0, 1, 1, 1, 0],
    })  # fmt: skip
    t = descriptives.table1(df, ["age", "sex", "smoker"], categorical=["smoker"])
    assert list(t.columns) == list(descriptives.TABLE1_COLUMNS)
    age0 = t[(t["variable"] == "age") & (t["group"] == "T0")].iloc[0]
    assert age0["n"] == 4 and age0["n_total"] == 5 and age0["n_missing"] == 1
    assert_allclose(age0[["mean", "sd", "median", "q1", "q3"]].to_numpy(float),
                    [35, np.std([20, 30, 40, 50], ddof=1), 35, 27.5, 42.5])  # R quantile type 7  # fmt: skip
    f0 = t[(t["variable"] == "sex") & (t["group"] == "T0") & (t["level"] == "f")].iloc[0]
    assert f0["n"] == 3 and f0["n_missing"] == 1
    assert_allclose(f0["percent"], 75.0)  # 3 of the 4 non-missing
    sm = t[(t["variable"] == "smoker") & (t["group"] == "T1")]
    assert sm["level"].tolist() == ["0", "1"] and sm["n"].tolist() == [1, 2]


def test_table1_without_groups():
    t = descriptives.table1(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), ["x"], by=None)
    assert t["group"].tolist() == ["all"] and t.loc[0, "mean"] == 2.0


def test_attrition_smd_by_hand():
    base = pd.DataFrame({
        "done": [True, True, True, False, False, False],
        "age": [20, 30, 40, 30, 40, 50],
        "sex": ["f", "f", "m", "f", "m", "m"],
    })  # fmt: skip
    a = descriptives.attrition(base, "done", ["age", "sex"])
    assert list(a.columns) == list(descriptives.ATTRITION_COLUMNS)
    age = a[a["variable"] == "age"]
    assert_allclose(age["smd"], -10 / 10)  # means 30 vs 40, both SD 10
    f = a[(a["variable"] == "sex") & (a["level"] == "f")]
    p1, p2 = 2 / 3, 1 / 3
    assert_allclose(f["smd"], (p1 - p2) / np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2))
    assert set(a["contrast"]) == {"completers - dropouts"}
    with pytest.raises(ValueError):
        descriptives.attrition(base.assign(done=[True, None, True, False, False, False]), "done", ["age"])


def test_flow_reach_stage_on_generated_studies():
    """The reach stage counts everyone with a visit between the wave dates (surveyed or not),
    contains the recurring-by-attendance and the lost who kept attending (the flow's
    disclosure model relates them and fails on any mismatch), and is absent without a register."""
    from publishing import registry, sdc
    from publishing.populations import Persons

    rng = np.random.default_rng(11)
    for _ in range(30):
        n = int(rng.integers(2, 25))
        ids = [f"p{i:02d}" for i in range(n)]
        rows = [(i, w) for i in ids[: n - 3] for w in ("T0", "T1") if rng.random() < 0.7] + [("p00", "T0"), ("p01", "T1")]
        panel = pd.DataFrame(rows, columns=["participant_id", "wave"]).drop_duplicates().assign(who5=50.0)
        days = pd.date_range("2023-09-01", "2024-01-31")          # some visits fall outside the waves
        register = pd.DataFrame([(i, days[int(d)]) for i in ids if rng.random() < 0.8
                                 for d in rng.integers(0, len(days), int(rng.integers(1, 40)))],
                                columns=["participant_id", "date"]).assign(workshop="W")
        c = cohort.recurring_cohort(panel, "T0", "T1", register, DATES)
        flow = cohort.flow_counts(panel, "T0", "T1", register, DATES, cohort=c, register=register)
        inside = register[(register["date"] >= DATES["T0"]) & (register["date"] <= DATES["T1"])]
        assert flow["stage"].iloc[0] == "reached"
        assert int(flow.loc[flow["stage"] == "reached", "n"].item()) == inside["participant_id"].nunique()
        t = flow.assign(pre="T0", post="T1")
        persons = Persons(panel, c.assign(pre="T0", post="T1"), "attendance", register)
        ctx = registry.Context(persons=persons, k=3, waves=["T0", "T1"], comparisons=[("T0", "T1")],
                               definition="attendance", wave_dates=DATES)
        q = sdc.Quantities(persons.n)
        registry.model_flow(t, ctx, q)          # raises ModelError if reach does not contain its parts
        sdc.protect(q, 3)
        assert sdc.audit(q, 3) == []
    assert "reached" not in set(cohort.flow_counts(panel, "T0", "T1", register, DATES)["stage"])
