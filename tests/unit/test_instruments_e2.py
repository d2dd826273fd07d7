"""Engage for Equity (E2) scales: hand-worked scores, edge cases, options, spec metadata."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import instruments as ins
from instruments._spec import STATUSES
from instruments.consistency import cronbach_alpha
from instruments.e2 import SCALES

SYN = ins.items_of("e2_synergy")  # five items, min_valid 3
REL = ins.items_of("e2_relationships")  # ten items, min_valid 5


def frame(rows, cols=SYN, **kw) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=cols, dtype=float, **kw)


# ------------------------------------------------------------------ hand-worked examples


def test_mean_of_items_hand_worked():
    out = ins.score("e2_synergy", frame([[1, 2, 3, 4, 5], [5, 5, 4, 4, 4], [3, 3, 3, 3, 3]]))
    assert out.columns.tolist() == ["e2_synergy_score", "e2_synergy_n_valid"]
    assert out["e2_synergy_score"].tolist() == [3.0, 4.4, 3.0]
    assert out["e2_synergy_n_valid"].tolist() == [5, 5, 5]
    assert out["e2_synergy_n_valid"].dtype == np.int64


def test_missing_items_at_and_around_the_threshold():
    """Five items, default min_valid 3 (half, rounded up): 3 answered is scored, 2 is not."""
    rows = [[5, np.nan, np.nan, 4, 3],       # 3 answered: (5 + 4 + 3) / 3 = 4
            [5, np.nan, np.nan, np.nan, 3],  # 2 answered: below the threshold
            [2, 4, np.nan, 4, 3]]            # 4 answered: 13 / 4
    out = ins.score("e2_synergy", frame(rows))
    assert out["e2_synergy_score"].iloc[0] == 4.0
    assert np.isnan(out["e2_synergy_score"].iloc[1])
    assert out["e2_synergy_score"].iloc[2] == 3.25
    assert out["e2_synergy_n_valid"].tolist() == [3, 2, 4]
    lower = ins.score("e2_synergy", frame(rows), min_valid=2)
    assert lower["e2_synergy_score"].iloc[1] == 4.0
    strict = ins.score("e2_synergy", frame(rows), min_valid=5)
    assert strict["e2_synergy_score"].isna().all()


def test_ten_item_scale_threshold_is_five():
    row = [4, 4, 4, 4, 2] + [np.nan] * 5
    out = ins.score("e2_relationships", frame([row, row[:4] + [np.nan] * 6], cols=REL))
    assert out["e2_relationships_score"].iloc[0] == pytest.approx(3.6)
    assert np.isnan(out["e2_relationships_score"].iloc[1])
    assert ins.spec("e2_relationships").options["min_valid"].default == 5


@pytest.mark.parametrize("scale", SCALES)
def test_default_min_valid_is_half_the_items_rounded_up(scale):
    sp = ins.spec(scale)
    assert sp.options["min_valid"].default == math.ceil(sp.n_items / 2)
    k = sp.n_items
    mv = math.ceil(k / 2)
    at = [3.0] * mv + [np.nan] * (k - mv)
    below = [3.0] * (mv - 1) + [np.nan] * (k - mv + 1)
    out = ins.score(scale, frame([at, below], cols=sp.items))
    assert out[f"{scale}_score"].iloc[0] == 3.0 and np.isnan(out[f"{scale}_score"].iloc[1])


def test_reverse_keyed_items_hand_worked():
    out = ins.score("e2_synergy", frame([[1, 2, 3, 4, 5], [1, np.nan, 5, 5, 5]]), reverse=[1, 2])
    # row 1: 5, 4, 3, 4, 5 -> 21 / 5; row 2: 5, -, 5, 5, 5 -> 5
    assert out["e2_synergy_score"].tolist() == [pytest.approx(4.2), 5.0]
    assert out["e2_synergy_n_valid"].tolist() == [5, 4]


def test_reverse_option_accepts_numpy_integers_and_tuples():
    a = ins.score("e2_synergy", frame([[1, 2, 3, 4, 5]]), reverse=np.array([5]))
    b = ins.score("e2_synergy", frame([[1, 2, 3, 4, 5]]), reverse=(np.int64(5),))
    assert a.equals(b) and a["e2_synergy_score"].iloc[0] == pytest.approx(2.2)


@pytest.mark.parametrize("bad", [[0], [6], [1, 1], "1", 1, [True], [1.5], None, ["2"], {1: 1}])
def test_reverse_option_rejects_anything_but_item_numbers(bad):
    with pytest.raises(ins.OptionError, match=r"e2_synergy: option reverse must be a list of distinct item numbers 1\.\.5"):
        ins.score("e2_synergy", frame([[1, 2, 3, 4, 5]]), reverse=bad)


@pytest.mark.parametrize("bad", [0, 6, True, 2.0, "3", None])
def test_min_valid_option_rejects_bad_values(bad):
    with pytest.raises(ins.OptionError, match=r"e2_synergy: option min_valid must be an integer in 1\.\.5"):
        ins.score("e2_synergy", frame([[1, 2, 3, 4, 5]]), min_valid=bad)


def test_all_missing_and_empty():
    out = ins.score("e2_outcomes", frame([[np.nan] * 6] * 3, cols=ins.items_of("e2_outcomes")))
    assert out["e2_outcomes_score"].isna().all() and (out["e2_outcomes_n_valid"] == 0).all()
    empty = ins.score("e2_outcomes", frame([], cols=ins.items_of("e2_outcomes")))
    assert len(empty) == 0 and empty.columns.tolist() == ["e2_outcomes_score", "e2_outcomes_n_valid"]


@pytest.mark.parametrize("code", [0, 6, 8, 9, 2.5, -1, 99])
def test_out_of_range_codes_are_rejected_with_the_column(code):
    """Missing codes such as 8 and 9 must be set to missing at ingestion; left in, they are errors."""
    items = frame([[1, 2, 3, 4, 5], [2, 2, 2, 2, 2]], index=["r1", "r2"])
    items.loc["r2", "e2_synergy_04"] = code
    with pytest.raises(ins.ItemError) as exc:
        ins.score("e2_synergy", items)
    msg = str(exc.value)
    assert exc.value.columns == ["e2_synergy_04"]
    assert "e2_synergy_04" in msg and "1 row" in msg and "allowed 1–5" in msg
    assert "r2" not in msg


def test_booleans_strings_and_dates_are_not_codes():
    items = frame([[1, 2, 3, 4, 5], [2, 2, 2, 2, 2]])
    bools = items.assign(e2_synergy_01=[True, False])
    with pytest.raises(ins.ItemError, match="e2_synergy_01"):
        ins.score("e2_synergy", bools)
    text = items.astype(object).assign(e2_synergy_02=["4", "agree"])
    with pytest.raises(ins.ItemError, match=r"e2_synergy_02: non-numeric values in 1 row"):
        ins.score("e2_synergy", text)
    dates = items.assign(e2_synergy_03=pd.to_datetime(["2024-01-01", "2024-01-02"]))
    with pytest.raises(ins.ItemError, match="e2_synergy_03"):
        ins.score("e2_synergy", dates)
    numeric_text = items.astype(object).assign(e2_synergy_02=["4", "2"])
    assert ins.score("e2_synergy", numeric_text)["e2_synergy_score"].tolist() == [3.4, 2.0]  # (1+4+3+4+5)/5


def test_absent_item_column_is_named():
    with pytest.raises(ins.ItemError, match="absent: e2_synergy_05"):
        ins.score("e2_synergy", frame([[1, 2, 3, 4, 5]]).drop(columns="e2_synergy_05"))


# ------------------------------------------------------------------ spec metadata


@pytest.mark.parametrize("scale", SCALES)
def test_every_spec_carries_source_licence_and_status_of_every_rule(scale):
    sp = ins.spec(scale)
    assert sp.family == "e2" and sp.builtin
    assert sp.doi == "10.1002/ajcp.12503" and "Boursaw" in sp.citation and "PMC8355013" in sp.citation
    assert "research use with citation" in sp.licence.lower()
    assert sp.status == "open"
    assert set(sp.rule_status.values()) <= set(STATUSES)
    assert {"scale_and_construct", "response_1_5", "score_mean_of_items", "no_reverse_keyed_items",
            "min_valid_half_of_items", "no_cutoffs", f"n_items_{sp.n_items}"} == set(sp.rule_status)
    assert sp.rule_status[f"n_items_{sp.n_items}"] == "open"
    assert sp.options["min_valid"].status == "open" and sp.options["reverse"].status == "recalled"
    assert sp.scales == {"total": sp.items} and sp.reverse == ()
    assert all(sp.allowed[it].describe() == "1–5" for it in sp.items)
    assert sp.dont_know_code is None
    assert sp.notes.startswith("Construct:")
    meta = ins.outputs(scale).set_index("column")
    assert meta.loc[f"{scale}_score", "min"] == 1 and meta.loc[f"{scale}_score", "max"] == 5
    assert meta.loc[f"{scale}_n_valid", "max"] == sp.n_items


def test_seven_scales_in_published_order():
    assert SCALES == ("e2_contextual_capacity", "e2_collective_empowerment", "e2_relationships",
                      "e2_research_actions", "e2_synergy", "e2_transformation", "e2_outcomes")
    assert set(SCALES) <= set(ins.available()["id"])


# ------------------------------------------------------------------ reliability


def test_reliability_uses_the_reverse_keyed_items():
    rng = np.random.default_rng(4)
    base = rng.integers(1, 6, size=(40, 1))
    x = np.clip(base + rng.integers(-1, 2, size=(40, 5)), 1, 5).astype(float)
    x[:, 1] = 6 - x[:, 1]
    items = frame(x)
    wrong = ins.reliability("e2_synergy", items)
    right = ins.reliability("e2_synergy", items, reverse=[2])
    keyed = x.copy()
    keyed[:, 1] = 6 - keyed[:, 1]
    expected = cronbach_alpha(keyed)
    assert right.loc[0, "alpha"] == pytest.approx(expected["alpha"], rel=1e-12)
    assert right.loc[0, "alpha"] > 0.8 > wrong.loc[0, "alpha"]
    assert right.loc[0, "n_complete"] == 40 and right.loc[0, "scale"] == "total"


# ------------------------------------------------------------------ properties


@st.composite
def e2_case(draw):
    scale = draw(st.sampled_from(SCALES))
    sp = ins.spec(scale)
    n = draw(st.integers(0, 12))
    x = draw(st.lists(st.lists(st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, np.nan]), min_size=sp.n_items,
                               max_size=sp.n_items), min_size=n, max_size=n))
    reverse = draw(st.lists(st.integers(1, sp.n_items), unique=True, max_size=sp.n_items))
    min_valid = draw(st.integers(1, sp.n_items))
    return scale, np.array(x, dtype=float).reshape(n, sp.n_items), reverse, min_valid


@settings(max_examples=60, deadline=None)
@given(case=e2_case())
def test_score_is_the_mean_of_the_keyed_answers(case):
    scale, x, reverse, min_valid = case
    sp = ins.spec(scale)
    out = ins.score(scale, frame(x, cols=sp.items), reverse=reverse, min_valid=min_valid)
    keyed = x.copy()
    for i in reverse:
        keyed[:, i - 1] = 6 - keyed[:, i - 1]
    n_valid = (~np.isnan(x)).sum(axis=1)
    assert out[f"{scale}_n_valid"].tolist() == n_valid.tolist()
    for r in range(len(x)):
        got = out[f"{scale}_score"].iloc[r]
        if n_valid[r] >= min_valid:
            assert got == pytest.approx(np.nanmean(keyed[r]), abs=1e-12) and 1 <= got <= 5
        else:
            assert np.isnan(got)


@settings(max_examples=40, deadline=None)
@given(case=e2_case())
def test_reversing_every_item_mirrors_the_score(case):
    scale, x, _, min_valid = case
    sp = ins.spec(scale)
    a = ins.score(scale, frame(x, cols=sp.items), min_valid=min_valid)[f"{scale}_score"]
    b = ins.score(scale, frame(x, cols=sp.items), min_valid=min_valid,
                  reverse=list(range(1, sp.n_items + 1)))[f"{scale}_score"]
    np.testing.assert_allclose(b.to_numpy(), 6 - a.to_numpy(), atol=1e-12)
