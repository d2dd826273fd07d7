"""HLS-EU-Q16, HLS-EU-Q6, HLS19-Q12 and eHEALS: vectors of docs/instruments.md §2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import instruments as ins

DK = 5


def frame(instrument_id: str, *rows) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(rows, dtype=float), columns=ins.items_of(instrument_id))


def row(easy: int, difficult: int, dont_know: int = 0, missing: int = 0) -> list[float]:
    """Answers: ``easy`` x 3/4, ``difficult`` x 1/2, then don't know (5) and missing."""
    easy_codes = [3, 4] * easy
    diff_codes = [1, 2] * difficult
    return easy_codes[:easy] + diff_codes[:difficult] + [DK] * dont_know + [np.nan] * missing


# ------------------------------------------------------------------ HLS-EU-Q16

@pytest.mark.parametrize(
    "easy, difficult, dk, missing, score, level, n_valid",
    [(10, 6, 0, 0, 10, "problematic", 16), (13, 3, 0, 0, 13, "sufficient", 16),
     (12, 2, 2, 0, 12, "problematic", 14), (12, 1, 3, 0, None, None, 13),
     (8, 8, 0, 0, 8, "inadequate", 16), (9, 7, 0, 0, 9, "problematic", 16), (12, 4, 0, 0, 12, "problematic", 16),
     (16, 0, 0, 0, 16, "sufficient", 16), (0, 16, 0, 0, 0, "inadequate", 16), (13, 1, 0, 2, 13, "sufficient", 14)],
)
def test_hls_eu_q16_vectors(easy, difficult, dk, missing, score, level, n_valid):
    out = ins.score("hls_eu_q16", frame("hls_eu_q16", row(easy, difficult, dk, missing))).iloc[0]
    if score is None:
        assert np.isnan(out["hls_eu_q16_score"]) and pd.isna(out["hls_eu_q16_level"])
    else:
        assert out["hls_eu_q16_score"] == score and out["hls_eu_q16_level"] == level
    assert out["hls_eu_q16_n_valid"] == n_valid and out["hls_eu_q16_n_dont_know"] == dk


def test_hls_eu_q16_levels_are_ordered_categorical():
    out = ins.score("hls_eu_q16", frame("hls_eu_q16", row(10, 6), row(13, 3)))
    assert list(out["hls_eu_q16_level"].cat.categories) == ["inadequate", "problematic", "sufficient"]
    assert out["hls_eu_q16_level"].cat.ordered and out["hls_eu_q16_level"].iloc[0] < out["hls_eu_q16_level"].iloc[1]


def test_hls_eu_q16_min_valid_is_an_option():
    x = frame("hls_eu_q16", row(12, 1, 3))
    assert ins.score("hls_eu_q16", x, min_valid=13)["hls_eu_q16_score"].iloc[0] == 12


def test_dont_know_is_only_allowed_where_declared():
    x = frame("eheals", [3, 3, 3, 3, 3, 3, 3, 6])
    with pytest.raises(ins.ItemError, match=r"eheals_08: codes outside the allowed ones \(above 5\) in 1 row; allowed 1–5"):
        ins.score("eheals", x)
    with pytest.raises(ins.ItemError, match=r"hls_eu_q6_02: codes outside the allowed ones \(below 1\) in 1 row; allowed 1–4; don't know 5"):
        ins.score("hls_eu_q6", frame("hls_eu_q6", [3, 0, 3, 3, 3, 3]))


# ------------------------------------------------------------------ HLS-EU-Q6

@pytest.mark.parametrize(
    "answers, score, level",
    [([2, 2, 2, 2, 2, 2], 2.0, "inadequate"), ([2, 3, 2, 3, 2, 3], 2.5, "problematic"),
     ([3, 3, 3, 3, 3, 3], 3.0, "problematic"), ([3, 3, 3, 3, 4, 3], 19 / 6, "sufficient"),
     ([3, 3, 3, 3, 3, DK], 3.0, "problematic"), ([3, 3, 3, 3, DK, DK], None, None),
     ([4, 4, 4, 4, 4, np.nan], 4.0, "sufficient")],
)
def test_hls_eu_q6(answers, score, level):
    out = ins.score("hls_eu_q6", frame("hls_eu_q6", answers)).iloc[0]
    if score is None:
        assert np.isnan(out["hls_eu_q6_score"]) and out["hls_eu_q6_n_valid"] == 4
    else:
        assert out["hls_eu_q6_score"] == pytest.approx(score) and out["hls_eu_q6_level"] == level


# ------------------------------------------------------------------ HLS19-Q12

@pytest.mark.parametrize(
    "easy, difficult, dk, missing, score, level",
    [(9, 2, 1, 0, 900 / 11, "sufficient"), (6, 6, 0, 0, 50.0, "inadequate"), (11, 1, 0, 0, 1100 / 12, "excellent"),
     (8, 0, 2, 2, None, None), (10, 2, 0, 0, 1000 / 12, "sufficient"), (8, 4, 0, 0, 800 / 12, "problematic"),
     (7, 5, 0, 0, 700 / 12, "problematic"), (9, 1, 0, 2, 90.0, "excellent")],
)
def test_hls19_q12_vectors(easy, difficult, dk, missing, score, level):
    out = ins.score("hls19_q12", frame("hls19_q12", row(easy, difficult, dk, missing))).iloc[0]
    if score is None:
        assert np.isnan(out["hls19_q12_score"]) and out["hls19_q12_n_valid"] == 8
    else:
        assert out["hls19_q12_score"] == pytest.approx(score) and out["hls19_q12_level"] == level
    assert out["hls19_q12_n_dont_know"] == dk


def test_hls19_q12_rounded_vectors_from_the_doc():
    out = ins.score("hls19_q12", frame("hls19_q12", row(9, 2, 1), row(6, 6), row(11, 1)))
    assert out["hls19_q12_score"].round(1).tolist() == [81.8, 50.0, 91.7]


# ------------------------------------------------------------------ eHEALS

@pytest.mark.parametrize(
    "answers, score, level",
    [([1] * 8, 8, "inadequate"), ([3, 3, 3, 3, 2, 2, 2, 2], 20, "inadequate"), ([3, 3, 3, 3, 3, 2, 2, 2], 21, "problematic"),
     ([4, 4, 3, 3, 3, 3, 3, 3], 26, "problematic"), ([4, 4, 4, 3, 3, 3, 3, 3], 27, "sufficient"), ([5] * 8, 40, "sufficient"),
     ([5, 5, 5, 5, 5, 5, 5, np.nan], None, None)],
)
def test_eheals(answers, score, level):
    out = ins.score("eheals", frame("eheals", answers)).iloc[0]
    if score is None:
        assert np.isnan(out["eheals_score"]) and pd.isna(out["eheals_level"])
    else:
        assert out["eheals_score"] == score and out["eheals_level"] == level


def test_eheals_prorated_when_missing_allowed():
    out = ins.score("eheals", frame("eheals", [4, 4, 4, 4, 4, 4, 2, np.nan]), min_valid=7).iloc[0]
    assert out["eheals_score"] == pytest.approx(26 / 7 * 8) and out["eheals_n_valid"] == 7
