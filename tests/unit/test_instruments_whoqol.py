"""WHOQOL-BREF: manual rules and the test vectors of docs/instruments.md §1.4."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import instruments as ins

ITEMS = ins.items_of("whoqol_bref")
DOMAINS = ["physical", "psychological", "social", "environment"]


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(rows, dtype=float), columns=ITEMS)


def answers(default=4.0, **items) -> list[float]:
    """26 answers, all ``default`` except ``q3=2`` style overrides (q = 1-based)."""
    row = [default] * 26
    for k, v in items.items():
        row[int(k[1:]) - 1] = v
    return row


def uniform(v=4.0, **items) -> list[float]:
    """Answers that all score ``v`` after reversal (Q3, Q4, Q26 answered 6 - v), with overrides."""
    return answers(v, **{"q3": 6 - v, "q4": 6 - v, "q26": 6 - v, **items})


def test_all_threes_give_12_and_50():
    out = ins.score("whoqol_bref", frame([answers(3)]))
    for d in DOMAINS:
        assert out[f"whoqol_bref_{d}"].iloc[0] == pytest.approx(12)
        assert out[f"whoqol_bref_{d}_100"].iloc[0] == pytest.approx(50)
    assert out["whoqol_bref_overall_qol"].iloc[0] == 3 and out["whoqol_bref_health_satisfaction"].iloc[0] == 3


def test_reverse_keyed_vector():
    """All 4 except Q3=2, Q4=1, Q26=2 -> physical 16.57 / 78.57; others 16 / 75."""
    out = ins.score("whoqol_bref", frame([answers(4, q3=2, q4=1, q26=2)])).iloc[0]
    assert out["whoqol_bref_physical"] == pytest.approx(116 / 7)
    assert out["whoqol_bref_physical_100"] == pytest.approx((116 / 7 - 4) * 100 / 16)
    assert round(out["whoqol_bref_physical"], 2) == 16.57 and round(out["whoqol_bref_physical_100"], 2) == 78.57
    for d in ["psychological", "social", "environment"]:
        assert out[f"whoqol_bref_{d}"] == pytest.approx(16) and out[f"whoqol_bref_{d}_100"] == pytest.approx(75)


def test_extremes_span_4_20_and_0_100():
    best = answers(5, q3=1, q4=1, q26=1)
    worst = answers(1, q3=5, q4=5, q26=5)
    out = ins.score("whoqol_bref", frame([best, worst]))
    for d in DOMAINS:
        assert out[f"whoqol_bref_{d}"].tolist() == [20, 4]
        assert out[f"whoqol_bref_{d}_100"].tolist() == [100, 0]


def test_mean_substitution_up_to_two_missing_in_a_domain():
    # physical items 3, 4, 10, 15, 16, 17, 18; Q10 and Q15 missing, others 4 (Q3, Q4 reversed from 2)
    row = answers(4, q3=2, q4=2, q10=np.nan, q15=np.nan)
    out = ins.score("whoqol_bref", frame([row])).iloc[0]
    assert out["whoqol_bref_physical"] == pytest.approx(16)
    assert out["whoqol_bref_physical_n_valid"] == 5


def test_three_missing_in_a_domain_is_not_scored():
    row = uniform(4, q10=np.nan, q15=np.nan, q16=np.nan)
    out = ins.score("whoqol_bref", frame([row])).iloc[0]
    assert np.isnan(out["whoqol_bref_physical"]) and np.isnan(out["whoqol_bref_physical_100"])
    assert out["whoqol_bref_physical_n_valid"] == 4
    assert out["whoqol_bref_psychological"] == pytest.approx(16)


def test_social_only_if_no_item_missing():
    out = ins.score("whoqol_bref", frame([uniform(4, q21=np.nan)])).iloc[0]
    assert np.isnan(out["whoqol_bref_social"]) and out["whoqol_bref_social_n_valid"] == 2
    relaxed = ins.score("whoqol_bref", frame([uniform(4, q21=np.nan)]), domain_max_missing={"social": 1}).iloc[0]
    assert relaxed["whoqol_bref_social"] == pytest.approx(16)
    assert relaxed["whoqol_bref_physical"] == pytest.approx(16)  # other domains keep their defaults


def test_more_than_20_percent_missing_discards_the_assessment():
    # 5 of 26 missing (19.2 %) -> kept; 6 missing (23.1 %) -> discarded
    five = uniform(4, q5=np.nan, q8=np.nan, q9=np.nan, q10=np.nan, q1=np.nan)
    six = uniform(4, q5=np.nan, q8=np.nan, q9=np.nan, q10=np.nan, q1=np.nan, q2=np.nan)
    out = ins.score("whoqol_bref", frame([five, six]))
    assert out.loc[0, "whoqol_bref_physical"] == pytest.approx(16)
    assert np.isnan(out.loc[0, "whoqol_bref_overall_qol"]) and out.loc[0, "whoqol_bref_health_satisfaction"] == 4
    score_cols = [c for c in out.columns if not c.endswith("_n_valid")]
    assert out.loc[1, score_cols].isna().all()
    assert out["whoqol_bref_n_valid"].tolist() == [21, 20]
    kept = ins.score("whoqol_bref", frame([six]), max_missing_fraction=0.25)
    assert kept.loc[0, "whoqol_bref_physical"] == pytest.approx(16)


def test_bad_options():
    with pytest.raises(ins.OptionError, match="domain_max_missing"):
        ins.score("whoqol_bref", frame([answers(3)]), domain_max_missing={"spiritual": 1})
    with pytest.raises(ins.OptionError, match=r"domain_max_missing\['social'\] must be an integer in 0..2"):
        ins.score("whoqol_bref", frame([answers(3)]), domain_max_missing={"social": 3})
    with pytest.raises(ins.OptionError, match="max_missing_fraction"):
        ins.score("whoqol_bref", frame([answers(3)]), max_missing_fraction=1.5)


def test_domains_match_the_manual():
    sp = ins.spec("whoqol_bref")
    num = {d: [int(it[-2:]) for it in sp.scales[d]] for d in DOMAINS}
    assert num == {"physical": [3, 4, 10, 15, 16, 17, 18], "psychological": [5, 6, 7, 11, 19, 26],
                   "social": [20, 21, 22], "environment": [8, 9, 12, 13, 14, 23, 24, 25]}
