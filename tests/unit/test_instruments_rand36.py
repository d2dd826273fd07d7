"""RAND-36: recoding table, scale membership, worked example and missing rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import instruments as ins
from instruments._registry import DATA_DIR

ITEMS = ins.items_of("rand36")
TABLE = pd.read_csv(DATA_DIR / "rand36_item_recoding.csv")
SCALES = ["physical_functioning", "role_physical", "role_emotional", "energy_fatigue", "emotional_wellbeing",
          "social_functioning", "pain", "general_health"]


def extreme(value: float) -> list[float]:
    """For every item, the raw code that recodes to ``value`` (0 or 100)."""
    t = TABLE[TABLE["recoded_0_100"] == value].set_index("item")["raw_response"]
    return [float(t[i]) for i in range(1, 37)]


def test_worked_example_energy_fatigue_46_7():
    row = extreme(100)
    row[22], row[26], row[28], row[30] = 4, 3, 3, np.nan  # Q23=4 -> 40, Q27=3 -> 60, Q29=3 -> 40, Q31 missing
    out = ins.score("rand36", pd.DataFrame([row], columns=ITEMS)).iloc[0]
    assert out["rand36_energy_fatigue"] == pytest.approx(140 / 3)
    assert round(out["rand36_energy_fatigue"], 1) == 46.7
    assert out["rand36_energy_fatigue_n_valid"] == 3


def test_all_best_100_all_worst_0():
    out = ins.score("rand36", pd.DataFrame([extreme(100), extreme(0)], columns=ITEMS))
    for s in SCALES:
        assert out[f"rand36_{s}"].tolist() == [100, 0]
    assert out["rand36_health_change"].tolist() == [100, 0]


def test_recoding_matches_the_table_for_every_item_and_code():
    from instruments._common import item_matrix
    from instruments.rand36 import recode

    sp = ins.spec("rand36")
    for code in range(1, 7):
        row = [code if code in set(TABLE.loc[TABLE["item"] == i, "raw_response"]) else np.nan for i in range(1, 37)]
        rec = recode(sp, item_matrix(sp, pd.DataFrame([row], columns=ITEMS)))[0]
        for i in range(1, 37):
            hit = TABLE[(TABLE["item"] == i) & (TABLE["raw_response"] == code)]
            if hit.empty:
                assert np.isnan(rec[i - 1])
            else:
                assert rec[i - 1] == hit["recoded_0_100"].iloc[0]


def test_scale_membership_matches_rand():
    sp = ins.spec("rand36")
    num = {s: sorted(int(it[-2:]) for it in sp.scales[s]) for s in SCALES}
    assert num == {"physical_functioning": list(range(3, 13)), "role_physical": [13, 14, 15, 16],
                   "role_emotional": [17, 18, 19], "energy_fatigue": [23, 27, 29, 31],
                   "emotional_wellbeing": [24, 25, 26, 28, 30], "social_functioning": [20, 32], "pain": [21, 22],
                   "general_health": [1, 33, 34, 35, 36]}


def test_allowed_codes_follow_the_form():
    sp = ins.spec("rand36")
    assert sp.allowed["rand36_03"].describe() == "1–3"
    assert sp.allowed["rand36_13"].describe() == "1–2"
    assert sp.allowed["rand36_21"].describe() == "1–6"
    row = extreme(100)
    row[2] = 4  # item 3 has only codes 1-3
    with pytest.raises(ins.ItemError, match=r"rand36_03: codes outside the allowed ones \(above 3\) in 1 row; allowed 1–3"):
        ins.score("rand36", pd.DataFrame([row], columns=ITEMS))


@pytest.mark.parametrize(
    "scale, items, n_answered, half_scale_scored",
    [("energy_fatigue", [23, 27, 29, 31], 2, True), ("energy_fatigue", [23, 27, 29, 31], 1, False),
     ("role_emotional", [17, 18, 19], 2, True), ("role_emotional", [17, 18, 19], 1, False),
     ("emotional_wellbeing", [24, 25, 26, 28, 30], 3, True), ("emotional_wellbeing", [24, 25, 26, 28, 30], 2, False),
     ("pain", [21, 22], 1, True), ("physical_functioning", list(range(3, 13)), 5, True),
     ("physical_functioning", list(range(3, 13)), 4, False)],
)
def test_half_scale_rule_and_any_answered(scale, items, n_answered, half_scale_scored):
    row = extreme(100)
    for i in items[n_answered:]:
        row[i - 1] = np.nan
    x = pd.DataFrame([row], columns=ITEMS)
    half = ins.score("rand36", x).iloc[0]
    anyr = ins.score("rand36", x, missing_rule="any_answered").iloc[0]
    assert (not np.isnan(half[f"rand36_{scale}"])) is half_scale_scored
    assert anyr[f"rand36_{scale}"] == 100
    assert half[f"rand36_{scale}_n_valid"] == n_answered


def test_nothing_answered_is_never_scored():
    x = pd.DataFrame([[np.nan] * 36], columns=ITEMS)
    assert ins.score("rand36", x, missing_rule="any_answered").filter(regex="^rand36_[a-z_]+$").drop(
        columns=[f"rand36_{s}_n_valid" for s in SCALES]).isna().all(axis=None)


def test_missing_rule_choices():
    with pytest.raises(ins.OptionError, match="missing_rule='rand'"):
        ins.score("rand36", pd.DataFrame([extreme(100)], columns=ITEMS), missing_rule="rand")
