"""EQ-5D-5L: every test vector of eq5d5l_test_vectors.csv for every value set, plus rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import instruments as ins
from instruments._registry import DATA_DIR

VECTORS = pd.read_csv(DATA_DIR / "eq5d5l_test_vectors.csv", dtype={"state": str})
COEF = pd.read_csv(DATA_DIR / "eq5d5l_value_set_coefficients.csv")
META = pd.read_csv(DATA_DIR / "eq5d5l_value_sets.csv").set_index("id")
# value-set id -> column of the test-vector file
COLUMNS = {
    "England_Devlin2018": "England_Devlin2018_exact",
    "SE_Sun2022": "Sweden_Sun2022_exact",
    "SE_Burstrom2020_TTO": "Sweden_Burstrom2020_TTO_exact",
    "UK_Rowen2026": "UK_Rowen2026_exact",
    "DK_Jensen2021": "Denmark_Jensen2021_exact",
    "NO_Garratt2024": "Norway_Garratt2024_exact",
    "SE_Burstrom2020_VAS": "Sweden_Burstrom2020_VAS_0to100_UNVERIFIED",
}


def states_frame(states) -> pd.DataFrame:
    digits = np.array([[int(c) for c in s] for s in states])
    df = pd.DataFrame(digits, columns=["eq5d5l_mo", "eq5d5l_sc", "eq5d5l_ua", "eq5d5l_pd", "eq5d5l_ad"])
    df["eq5d5l_vas"] = 50
    return df


def _tolerance(value_set: str) -> float:
    """The vectors are 4-dp sums: exact (1e-9) when every coefficient has <= 4 decimals."""
    coefs = COEF.loc[COEF["value_set"] == META.loc[value_set, "coefficients_name"], "coefficient"]
    decimals = coefs.map(lambda c: len(f"{c:.10f}".rstrip("0").split(".")[1]))
    return 1e-9 if decimals.max() <= 4 else 0.5e-4 + 1e-12


def test_every_value_set_has_a_test_vector_column():
    assert set(COLUMNS) == set(ins.value_sets()["id"])


@pytest.mark.parametrize("value_set", list(COLUMNS))
def test_all_test_vectors(value_set):
    out = ins.score("eq5d5l", states_frame(VECTORS["state"]), value_set=value_set)
    np.testing.assert_allclose(out["eq5d5l_index"], VECTORS[COLUMNS[value_set]], rtol=0, atol=_tolerance(value_set))
    assert out["eq5d5l_profile"].tolist() == VECTORS["state"].tolist()
    np.testing.assert_array_equal(out["eq5d5l_lss"], VECTORS["level_sum_score"])


def test_exact_tolerance_is_used_where_the_vectors_are_exact():
    assert _tolerance("SE_Sun2022") == 1e-9
    assert _tolerance("SE_Burstrom2020_TTO") == 1e-9
    assert _tolerance("NO_Garratt2024") > 1e-9  # 6-decimal coefficients, vectors rounded to 4 dp


@pytest.mark.parametrize(
    "state, value_set, published",
    [("22222", "SE_Sun2022", 0.896), ("33333", "SE_Sun2022", 0.701), ("44444", "SE_Sun2022", 0.073),
     ("12345", "SE_Sun2022", 0.220), ("55555", "SE_Sun2022", -0.314),
     ("12345", "SE_Burstrom2020_TTO", 0.497), ("22335", "SE_Burstrom2020_TTO", 0.528),
     ("34543", "SE_Burstrom2020_TTO", 0.503), ("55555", "SE_Burstrom2020_TTO", 0.243),
     ("11112", "England_Devlin2018", 0.922), ("23245", "England_Devlin2018", 0.247),
     ("55555", "England_Devlin2018", -0.285), ("22222", "UK_Rowen2026", 0.784), ("55555", "UK_Rowen2026", -0.567)],
)
def test_published_package_anchors(state, value_set, published):
    """Published / package-test values (3 dp) quoted in docs/instruments.md §1.1."""
    out = ins.score("eq5d5l", states_frame([state]), value_set=value_set)
    assert round(out["eq5d5l_index"].iloc[0], 3) == pytest.approx(published, abs=1e-9)


def test_default_value_set_is_sun_2022():
    out = ins.score("eq5d5l", states_frame(["21212"]))
    assert out["eq5d5l_index"].iloc[0] == pytest.approx(0.925, abs=1e-12)


def test_burstrom_full_health_is_not_one():
    out = ins.score("eq5d5l", states_frame(["11111"]), value_set="SE_Burstrom2020_TTO")
    assert out["eq5d5l_index"].iloc[0] == pytest.approx(0.9755, abs=1e-12)


def test_missing_dimension_gives_no_profile_lss_or_index_but_keeps_vas():
    df = states_frame(["21212", "11111"]).astype(float)
    df.loc[1, "eq5d5l_pd"] = np.nan
    df.loc[0, "eq5d5l_vas"] = np.nan
    df.loc[1, "eq5d5l_vas"] = 64
    out = ins.score("eq5d5l", df)
    assert out["eq5d5l_profile"].isna().tolist() == [False, True]
    assert np.isnan(out["eq5d5l_index"].iloc[1]) and np.isnan(out["eq5d5l_lss"].iloc[1])
    assert np.isnan(out["eq5d5l_vas"].iloc[0]) and out["eq5d5l_vas"].iloc[1] == 64
    assert out["eq5d5l_n_valid"].tolist() == [5, 4]


@pytest.mark.parametrize("bad, column, kind", [(6, "eq5d5l_ua", "above 5"), (0, "eq5d5l_ua", "below 1")])
def test_out_of_range_levels_are_errors(bad, column, kind):
    df = states_frame(["11111"])
    df[column] = bad
    with pytest.raises(ins.ItemError, match=rf"{column}: codes outside the allowed ones \({kind}\) in 1 row; "
                                            "allowed 1–5"):
        ins.score("eq5d5l", df)


@pytest.mark.parametrize("vas", [101, -1, 55.5])
def test_vas_outside_0_100_or_not_integer_is_an_error(vas):
    df = states_frame(["11111"]).astype(float)
    df["eq5d5l_vas"] = vas
    with pytest.raises(ins.ItemError, match="eq5d5l_vas: codes outside the allowed ones .* allowed 0–100"):
        ins.score("eq5d5l", df)


def test_state_table_covers_all_3125_states_in_profile_order():
    from instruments.eq5d import state_table

    t = state_table("SE_Sun2022")
    assert t.shape == (3125,)
    states = [f"{a}{b}{c}{d}{e}" for a in range(1, 6) for b in range(1, 6) for c in range(1, 6)
              for d in range(1, 6) for e in range(1, 6)]
    out = ins.score("eq5d5l", states_frame(states))
    np.testing.assert_array_equal(out["eq5d5l_index"].to_numpy(), t)
    assert t.min() == pytest.approx(-0.314) and t.max() == 1.0


def test_instrument_defined_mid_reproduced_from_coefficients():
    """The DERIVED MID file is reproducible from the shipped coefficients (McClure method)."""
    from instruments.eq5d import state_table

    derived = pd.read_csv(DATA_DIR / "eq5d5l_instrument_defined_mid_DERIVED.csv").set_index("value_set")
    for vid in ["SE_Sun2022", "SE_Burstrom2020_TTO", "England_Devlin2018"]:
        t = state_table(vid).reshape((5,) * 5)
        diffs = [np.abs(np.diff(t, axis=ax)).ravel() for ax in range(5)]
        mean = np.concatenate(diffs).mean()
        ref = derived.loc[META.loc[vid, "coefficients_name"], "mean_abs_change_single_level_transition"]
        assert mean == pytest.approx(ref, abs=5e-5), vid


def test_profile_without_pyarrow_string_storage():
    with pd.option_context("mode.string_storage", "python"):
        df = states_frame(["21212", "11111"]).astype(float)
        df.loc[1, "eq5d5l_mo"] = np.nan
        out = ins.score("eq5d5l", df)
    assert out["eq5d5l_profile"].dtype == pd.StringDtype("python")
    assert out["eq5d5l_profile"].iloc[0] == "21212" and pd.isna(out["eq5d5l_profile"].iloc[1])
