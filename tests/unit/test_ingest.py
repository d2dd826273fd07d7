"""Reading and harmonising wave files (pure layer, no Dagster)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from pipelines import ingest
from pipelines.config import Wave


class Codes:
    """Minimal allowed-codes object (1..5) for check_codes."""

    def valid(self, x):
        return np.isin(x, [1, 2, 3, 4, 5])

    def describe(self):
        return "1–5"


@pytest.fixture
def sav(tmp_path):
    df = pd.DataFrame({
        "kod": ["JH-AAAAA1", "JH-BBBBB2", "JH-CCCCC3", "JH-DDDDD4"],
        "q1": [1.0, 8.0, 5.0, 9.0],
        "q2": [2.0, 3.0, np.nan, 4.0],
        "kon": [1.0, 2.0, 2.0, 9.0],
    })
    path = tmp_path / "t0.sav"
    pyreadstat.write_sav(
        df, str(path),
        column_labels={"kod": "Studiekod", "q1": "Fråga 1", "q2": "Fråga 2", "kon": "Kön"},
        variable_value_labels={"q1": {1.0: "Aldrig", 5.0: "Alltid", 8.0: "Vet ej", 9.0: "Ej svar"},
                               "kon": {1.0: "Man", 2.0: "Kvinna", 9.0: "Ej svar"}},
        missing_ranges={"q1": [8.0, 9.0], "kon": [9.0]},
    )
    return path


def wave(**kw) -> Wave:
    base = dict(id="T0", label={"sv": "a", "en": "b"}, date="2023-10-01", file="t0.sav", id_variable="kod",
                instruments=["who5"], mapping={"q1": "who5_01", "q2": "who5_02"}, covariates={"kon": "gender"},
                missing_codes={"default": {8: "dont_know", 9: "no_answer"}})
    base.update(kw)
    return Wave.model_validate(base)


def test_read_sav_keeps_labels_and_user_missing_codes(sav):
    before = ingest.sha256_file(sav)
    raw = ingest.read_wave(sav)
    assert raw.file_format == "spss" and raw.sha256 == before
    assert raw.data["q1"].tolist()[:2] == [1.0, 8.0]          # user-missing codes kept as codes
    cb = raw.codebook
    q1 = cb[cb["variable"] == "q1"].set_index("value")
    assert q1.loc[8.0, "value_label"] == "Vet ej" and bool(q1.loc[8.0, "user_missing"])
    assert not bool(q1.loc[1.0, "user_missing"])
    assert cb.loc[cb["variable"] == "q2", "variable_label"].iloc[0] == "Fråga 2"
    assert ingest.sha256_file(sav) == before                   # raw input never modified


def test_harmonise_renames_and_applies_missing_codes(sav):
    h = ingest.harmonise(ingest.read_wave(sav), wave())
    d = h.data
    assert list(d.columns) == ["participant_id", "wave", "gender", "who5_01", "who5_02"]
    assert d["who5_01"].isna().tolist() == [False, True, False, True]
    assert d["gender"].tolist()[:3] == ["Man", "Kvinna", "Kvinna"] and pd.isna(d["gender"].iloc[3])
    m = h.missingness.set_index("item")
    assert m.loc["who5_01", ["n_answered", "n_dont_know", "n_no_answer", "n_system_missing"]].tolist() == [2, 1, 1, 0]
    assert m.loc["who5_02", ["n_answered", "n_system_missing"]].tolist() == [3, 1]
    assert h.codebook.loc[h.codebook["variable"] == "q1", "canonical"].iloc[0] == "who5_01"


def test_dont_know_becomes_the_instruments_code(sav):
    h = ingest.harmonise(ingest.read_wave(sav), wave(), dont_know_codes={"who5": 5})
    assert h.data["who5_01"].tolist()[:3] == [1.0, 5.0, 5.0]


def test_absent_variables_are_all_named_with_suggestions(sav):
    w = wave(mapping={"q01": "who5_01", "q2": "who5_02", "q9": "who5_03"}, id_variable="kodd")
    with pytest.raises(ingest.WaveError) as e:
        ingest.harmonise(ingest.read_wave(sav), w)
    msg = str(e.value)
    assert "t0.sav (wave T0): 3 configured variable(s) not in the file" in msg
    assert "'kodd' (ID variable) (did you mean 'kod'?)" in msg
    assert "'q01' (mapped to 'who5_01') (did you mean 'q1'?)" in msg
    assert "'q9' (mapped to 'who5_03')" in msg


def test_missing_file_and_bad_extension(tmp_path):
    with pytest.raises(ingest.WaveError, match="does not exist"):
        ingest.read_wave(tmp_path / "nope.sav")
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"x")
    with pytest.raises(ingest.WaveError, match="unsupported file type '.xlsx'"):
        ingest.read_wave(p)


def test_duplicate_and_blank_ids_reported_by_row_not_by_id():
    d = pd.DataFrame({"participant_id": pd.array(["JH-A", "JH-B", "JH-A", None], dtype="string")})
    problems = ingest.check_unique_ids(d, "t1.sav")
    text = " | ".join(map(str, problems))
    assert "1 row(s) without a participant ID; rows 4" in text
    assert "1 participant ID(s) occur more than once (2 rows)" in text and "rows 1, 3" in text
    assert "JH-A" not in text


def test_codes_out_of_range_name_variable_count_rows_and_expected():
    d = pd.DataFrame({"who5_01": [1.0, 7.0, np.nan, 7.0, 0.0], "who5_02": [1.0, 2.0, 3.0, 4.0, 5.0]})
    (p,) = ingest.check_codes(d, "t1.sav", {"who5_01": Codes(), "who5_02": Codes()}, {"who5_01": "hv1"})
    assert p.variable == "hv1 -> who5_01" and p.count == 3 and p.rows == (2, 4, 5)
    assert "expected 1–5, found {0, 7}" in str(p)


def test_id_format_and_required_columns():
    d = pd.DataFrame({"participant_id": pd.array(["JH-7Q4K2M", "123"], dtype="string"), "who5_01": [1, 2]})
    (p,) = ingest.check_id_format(d, "f.sav", r"^JH-[0-9A-Z]{6}$")
    assert p.count == 1 and p.rows == (2,)
    (r,) = ingest.check_required(d, "f.sav", ["participant_id", "who5_01", "who5_02"])
    assert "who5_02" in str(r)
    assert ingest.check_required(d, "f.sav", ["who5_01"]) == []


def test_direct_identifiers_are_detected_by_name_label_and_value():
    # 19850101-1236: a valid check digit (the guard ignores numbers whose check digit is wrong)
    raw = pd.DataFrame({"kod": ["JH-1"], "pnr": ["x"], "v7": ["19850101-1236"], "ok": ["fine"]})
    cb = pd.DataFrame({"variable": ["kod", "pnr", "v7", "ok"], "variable_label": ["", "", "", "E-post"]})
    found = {p.variable for p in ingest.check_no_identifiers(raw, cb, "f.sav", "kod")}
    assert found == {"pnr", "v7", "ok"}


def test_survey_dates_are_not_mistaken_for_identifiers():
    import datetime as dt

    raw = pd.DataFrame({"kod": ["JH-1", "JH-2"], "svarsdatum": [dt.date(2023, 10, 20), dt.date(2023, 10, 21)],
                        "datum_text": ["2023-10-20", "2023-10-21"], "tel": ["x", "y"], "v": ["070-123 45 67", "a"]})
    cb = pd.DataFrame({"variable": list(raw.columns), "variable_label": ["", "Datum", "Datum", "", ""]})
    found = {p.variable for p in ingest.check_no_identifiers(raw, cb, "f.sav", "kod")}
    assert found == {"v"}


def test_attendance_register_bad_dates_are_reported(tmp_path):
    from pipelines.config import Attendance

    p = tmp_path / "att.csv"
    p.write_text("participant_id,workshop,visit_date\nJH-1,A,2024-01-01\nJH-2,A,1/2/2024\n", encoding="utf-8")
    with pytest.raises(ingest.WaveError, match=r"att.csv, column 'visit_date': 1 value\(s\) are not dates.*rows 2"):
        ingest.read_attendance(p, Attendance(file="att.csv"))
    p.write_text("pid,workshop,visit_date\n", encoding="utf-8")
    with pytest.raises(ingest.WaveError, match=r"configured column\(s\) \['participant_id'\]"):
        ingest.read_attendance(p, Attendance(file="att.csv"))
