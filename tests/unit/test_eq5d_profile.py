"""Issue 17: the EQ-5D-5L descriptive profile (Devlin, Parkin & Janssen 2020): every level
of every dimension per wave and the share in full health, and its recoding for disclosure
control before publication."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
from hypothesis import given, settings

from analysis import eq5d
from publishing.registry import collapse_levels, profile_levels

DIMS = eq5d.DIMENSIONS


def _panel(rng, n=60, waves=("T0", "T1"), missing=0.1):
    rows = []
    for w in waves:
        for i in range(n):
            r = {"participant_id": f"P{i:03d}", "wave": w}
            for d in DIMS:
                r[d] = float(rng.choice([1, 1, 1, 2, 2, 3, 4, 5])) if rng.random() > missing else np.nan
            rows.append(r)
    return pd.DataFrame(rows)


def test_the_profile_counts_every_level_and_full_health_as_a_crosstab_does():
    panel = _panel(np.random.default_rng(3))
    t = eq5d.level_profile(panel, waves=["T0", "T1"])
    for w in ("T0", "T1"):
        sub = panel[panel["wave"] == w]
        for d in DIMS:
            expected = sub[d].value_counts().reindex([1.0, 2.0, 3.0, 4.0, 5.0], fill_value=0).tolist()
            got = t[(t["dimension"] == d) & (t["wave"] == w)].sort_values("level")
            assert got["n"].tolist() == expected
            assert set(got["n_total"]) == {int(sub[d].notna().sum())}
            assert np.isclose(got["share"].sum(), 1.0)
        complete = sub[list(DIMS)].dropna()
        full = t[(t["dimension"] == eq5d.FULL_HEALTH) & (t["wave"] == w)].iloc[0]
        assert full["n_total"] == len(complete) and full["n"] == int((complete == 1).all(axis=1).sum())
        assert full["ci_low"] <= full["share"] <= full["ci_high"]


def test_a_wave_without_answers_is_not_estimable():
    panel = _panel(np.random.default_rng(1), waves=("T0",))
    t = eq5d.level_profile(panel, waves=["T0", "T9"])
    t9 = t[t["wave"] == "T9"]
    assert (t9["n_total"] == 0).all() and t9["share"].isna().all() and t9["note"].str.contains("not estimable").all()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=5, max_size=5), st.integers(2, 11))
def test_recoded_levels_are_contiguous_and_never_a_small_group(counts, k):
    groups = collapse_levels(counts, k)
    assert [lv for g in groups for lv in g] == [1, 2, 3, 4, 5]
    # level 1 stays alone: "any problem" (levels 2-5) must stay a sum of published groups
    assert groups[0] == [1]
    problem = sum(counts[1:])
    sizes = [sum(counts[lv - 1] for lv in g) for g in groups[1:]]
    small = [s for s in sizes if 0 < s < k]
    # a small group remains only when all problems together are fewer than k (then it is
    # the one group of levels 2-5, withheld by the threshold rule)
    assert not small or (problem < k and groups[1:] == [[2, 3, 4, 5]]), (counts, k, groups)
    # a group is merged only when it had to be: a lone level that is 0 or >= k stays alone
    for g in groups:
        if len(g) > 1:
            assert any(0 < counts[lv - 1] < k for lv in g) or sum(counts[lv - 1] for lv in g[1:]) < k
    for g in groups:
        label = f"{g[0]}–{g[-1]}" if len(g) > 1 else str(g[0])
        assert profile_levels(label) == g
