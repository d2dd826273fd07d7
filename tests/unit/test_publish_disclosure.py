"""Disclosure control of published tables: primary and secondary suppression, merging of
small Table 1 categories, the audit used by the blocking check, and the pseudonym scan."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest

from pipelines.publish import disclosure, tables

K = 5


def test_primary_and_secondary_suppression_within_a_relation():
    t = pd.DataFrame({"category": ["better", "worse", "same"], "n": [3, 20, 77], "n_total": 100,
                      "share": [0.03, 0.2, 0.77]})
    out = disclosure.suppress(t, K, count_cols=["n", "n_total"], value_cols=["share"], relations=[t.index])
    assert out["suppression"].tolist() == ["primary", "secondary", ""]
    assert out["n"].isna().tolist() == [True, True, False]
    assert out["share"].isna().tolist() == [True, True, False]
    # the total is kept, and the two hidden cells cannot be told apart from it
    assert out["n_total"].tolist() == [100, 100, 100]


def test_secondary_suppression_skips_zero_cells_and_repeats_until_stable():
    t = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 2, "n": [2, 0, 30, 40, 45]})
    rels = disclosure.relations_by(t, ["g"]) + [[0, 3]]       # a second, overlapping relation
    out = disclosure.suppress(t, K, relations=rels)
    # row 1 (zero) is not a useful complement, row 2 is; the second relation pulls in row 3, which
    # leaves group "b" with one hidden cell, so row 4 goes too
    assert out["suppression"].tolist() == ["primary", "", "secondary", "secondary", "secondary"]


def test_hidden_complement_triggers_suppression():
    t = pd.DataFrame({"n": [98, 50], "n_total": [100, 100], "share": [0.98, 0.5]})
    out = disclosure.suppress(t, K, count_cols=["n", "n_total"], value_cols=["share"], complement=("n_total", "n"))
    assert out["suppressed"].tolist() == [True, False]
    assert out["suppression"].tolist() == ["complement", ""]      # shown as "x", not "<5": 98 is not small
    assert np.isnan(out.loc[0, "share"])


def _table1(counts):
    rows = []
    for wave, per_level in counts.items():
        total = sum(per_level.values())
        for level, n in per_level.items():
            rows.append({"variable": "gender", "level": level, "group": wave, "population": "all", "n": n,
                         "n_total": total, "percent": 100 * n / total, "mean": np.nan})
    return pd.DataFrame(rows)


def test_merge_small_levels_adds_next_smallest_until_the_merged_level_is_large_enough():
    t = _table1({"T0": {"Kvinna": 188, "Man": 60, "Annat": 2}, "T1": {"Kvinna": 136, "Man": 44, "Annat": 2}})
    out = disclosure.merge_small_levels(t, K)
    assert set(out["level"]) == {"Kvinna", disclosure.OTHER_LEVEL}
    other = out[out["level"] == disclosure.OTHER_LEVEL].set_index("group")
    assert other.loc["T0", "n"] == 62 and other.loc["T1", "n"] == 46
    assert other.loc["T0", "merged_levels"] == "Man; Annat"
    assert other.loc["T0", "percent"] == pytest.approx(100 * 62 / 250)


def test_merge_two_small_levels_that_together_reach_k():
    t = _table1({"T0": {"A": 50, "B": 40, "C": 3, "D": 3}})
    out = disclosure.merge_small_levels(t, K)
    assert out.set_index("level").loc[disclosure.OTHER_LEVEL, "n"] == 6
    assert {"A", "B"} <= set(out["level"])


def test_published_table1_has_no_small_cells_even_with_a_zero_level():
    t = _table1({"T0": {"A": 50, "B": 40, "C": 1}, "T1": {"A": 45, "B": 30, "C": 0}})
    pub = tables.published_tables({"table1": t}, K)["table1"]
    assert disclosure.audit_table(pub, K) == []


def test_table1_recurring_cells_cannot_be_differenced_from_all_respondents():
    """n(all) − n(recurring) counts the non-recurring respondents of a cell: 1 … k − 1 of
    them would be published by difference (and, for a continuous row, their mean)."""
    all_ = _table1({"T0": {"A": 60, "B": 42, "C": 30}})
    rec = _table1({"T0": {"A": 57, "B": 40, "C": 22}}).assign(population="recurring")
    cont = pd.DataFrame({"variable": "who5", "level": np.nan, "group": "T0", "population": ["all", "recurring"],
                         "n": [130, 127], "n_total": [132, 119], "percent": np.nan, "mean": [61.0, 60.2]})
    pub = tables.published_tables({"table1": pd.concat([all_, rec, cont], ignore_index=True)}, K)["table1"]
    cat = pub[pub["variable"] == "gender"].set_index(["population", "level"])
    assert cat.loc[("all", slice(None)), "n"].tolist() == [60, 42, 30]          # all respondents: kept
    # A (60 − 57 = 3) and B (42 − 40 = 2) would tell 3 and 2 non-recurring persons apart
    assert cat.loc[("recurring", "A"), "suppression"] == "complement"
    assert cat.loc[("recurring", "B"), "suppression"] == "complement"
    assert cat.loc[("recurring", "C"), "n"] == 22                                # 30 − 22 = 8: kept
    who5 = pub[pub["variable"] == "who5"].set_index("population")
    assert who5.loc["all", "mean"] == 61.0 and np.isnan(who5.loc["recurring", "mean"])
    assert "_n_enclosing" not in pub.columns
    assert disclosure.audit_table(pub, K) == []


def test_audit_finds_a_tampered_count_of_three(tmp_path):
    ok = pd.DataFrame({"outcome": ["a", "b"], "n": [12.0, np.nan], "suppressed": [False, True]})
    tables.write_csv(ok, tmp_path / "prepost_tests.csv")
    assert disclosure.audit_tables(tmp_path, K) == []
    tampered = ok.assign(n=[3.0, np.nan])
    tables.write_csv(tampered, tmp_path / "prepost_tests.csv")
    problems = disclosure.audit_tables(tmp_path, K)
    assert problems == ["prepost_tests.csv: row 0 has n = 3 (< 5) and is not flagged suppressed"]


def test_flow_secondary_suppression_protects_lost_to_follow_up():
    flow = pd.DataFrame({
        "stage": ["assessed", "assessed", "lost_to_follow_up", "new_at_follow_up", "analysed", "excluded", "analysed"],
        "definition": ["all", "all", "all", "all", "recurring_both_waves", "recurring_attendance",
                       "recurring_attendance"],
        "wave": ["T0", "T1", "T1", "T1", "T1", "T1", "T1"],
        "outcome": [np.nan] * 7, "n": [40, 45, 3, 8, 37, 12, 25], "reason": "", "pre": "T0", "post": "T1"})
    pub = tables.published_tables({"participant_flow": flow}, K)["participant_flow"]
    assert disclosure.audit_table(pub, K) == []
    hidden = pub.loc[pub["suppressed"], "stage"].tolist()
    # 3 lost is primary; "analysed both" (37) would give it away as 40 − 37, so one more cell goes
    assert "lost_to_follow_up" in hidden and len(hidden) >= 2


def test_scan_for_ids_opens_docx_zip_members(tmp_path):
    f = tmp_path / "report.docx"
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:t>" + "x" * 500 + "JH-ABC123</w:t>")
    assert disclosure.scan_for_ids([f], ["JH-ABC123"]) == ["report.docx: 1 participant id(s)"]
    assert disclosure.scan_for_ids([f], ["JH-ZZZ999"]) == []


def test_published_files_excludes_internal(tmp_path):
    (tmp_path / "internal").mkdir()
    (tmp_path / "internal" / "x.png").write_bytes(b"1")
    (tmp_path / "report.html").write_text("ok")
    assert [p.name for p in disclosure.published_files(tmp_path)] == ["report.html"]
