"""Reading and harmonising wave files (pure layer, no Dagster)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from studyconfig.config import Wave
from survey import ingest


class Codes:
    """Minimal allowed-codes object (1..5) for check_codes."""

    min, max, integer, values = 1, 5, True, None

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
    # .xlsx is read since issue 16; a text file named .xlsx is refused with the right name
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"x")
    with pytest.raises(ingest.WaveError, match="file looks like a text file .* named .xlsx; rename it to .csv"):
        ingest.read_wave(p)
    p = tmp_path / "x.docx"
    p.write_bytes(b"x")
    with pytest.raises(ingest.WaveError, match="unsupported file type '.docx'"):
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
    # the values are described by kind, never shown (issue 15)
    assert "3 value(s) outside the instrument's codes (below 1, above 5); expected 1–5; rows 2, 4, 5" in str(p)
    assert "7" not in str(p).replace("rows 2, 4, 5", "") and p.found is None


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
    from studyconfig.config import Attendance

    p = tmp_path / "att.csv"
    p.write_text("participant_id,workshop,visit_date\nJH-1,A,2024-01-01\nJH-2,A,1/2/2024\n", encoding="utf-8")
    with pytest.raises(ingest.WaveError, match=r"att.csv, column 'visit_date': 1 value\(s\) are not dates.*rows 2"):
        ingest.read_attendance(p, Attendance(file="att.csv"))
    p.write_text("pid,workshop,visit_date\n", encoding="utf-8")
    with pytest.raises(ingest.WaveError, match=r"configured column\(s\) \['participant_id'\]"):
        ingest.read_attendance(p, Attendance(file="att.csv"))


# -- regressions of the bugs found by fuzzing (tests/unit/test_fuzz_ingest.py) --------------


def _csv(tmp_path, text: str, name: str = "t0.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("text, expect", [
    # every data row one field longer: pandas used to take the first column as the index
    ("kod,q1\nJH-1,1,5\nJH-2,2,6\n", "2 data rows have more fields than the header (2): line 2 (data row 1) has 3, "
                                      "line 3 (data row 2) has 3 fields"),
    ("kod,q1\nJH-1,1,5\nJH-2,2\n", "line 2 (data row 1) has 3 fields, the header has 2"),
    # a later row; blank lines are skipped when counting data rows, as pandas does
    ("kod,q1\nJH-1,1\n\nJH-2,2,,\n", "line 4 (data row 2) has 4 fields, the header has 2"),
])
def test_csv_row_with_more_fields_than_the_header_is_named(tmp_path, text, expect):
    with pytest.raises(ingest.WaveError) as exc:
        ingest.read_wave(_csv(tmp_path, text))
    assert f"t0.csv: {expect}" in str(exc.value) and "must be quoted" in str(exc.value)
    assert "JH-1" not in str(exc.value)


def test_csv_quoted_comma_and_line_break_are_one_field(tmp_path):
    raw = ingest.read_wave(_csv(tmp_path, 'kod,q1,kommentar\nJH-1,1,"a, b"\nJH-2,2,"rad 1\nrad 2"\n'))
    assert raw.data["kommentar"].tolist() == ["a, b", "rad 1\nrad 2"]


def test_a_directory_is_not_a_wave_file(tmp_path):
    (tmp_path / "t0.sav").mkdir()
    with pytest.raises(ingest.WaveError, match=r"t0.sav: the wave file .* is a directory"):
        ingest.read_wave(tmp_path / "t0.sav")


def test_zero_padded_csv_ids_and_codes_keep_their_digits(tmp_path):
    p = _csv(tmp_path, "kod,q1,kommun\n000123,1,0180\n004560,02,1480\n")
    raw = ingest.read_wave(p)
    assert raw.data["kod"].tolist() == ["000123", "004560"]
    assert raw.data["kommun"].tolist() == ["0180", "1480"]          # a code, not a quantity
    assert any("'q1'" in n and "read as text" in n for n in raw.notes)
    assert not any("000123" in n for n in raw.notes)
    h = ingest.harmonise(raw, wave(file="t0.csv", mapping={"q1": "who5_01"}, covariates={"kommun": "region_of_birth"}))
    assert h.data["participant_id"].tolist() == ["000123", "004560"]
    assert h.data["who5_01"].tolist() == [1.0, 2.0]                 # "02" is still the code 2
    assert h.data["region_of_birth"].tolist() == ["0180", "1480"]
    # a plain numeric column stays numeric
    assert pd.api.types.is_integer_dtype(ingest.read_wave(_csv(tmp_path, "kod,q1\nA,1\nB,2\n", "t1.csv")).data["q1"])


def test_csv_id_variable_is_read_as_written(tmp_path):
    p = _csv(tmp_path, "kod,q1\n1e5,1\n12.50,2\n7,3\n")
    assert ingest.read_wave(p, id_variable="kod").data["kod"].tolist() == ["1e5", "12.50", "7"]
    assert ingest.read_wave(p, id_variable="not_there").data["kod"].dtype != "string"  # ignored when absent
    h = ingest.harmonise(ingest.read_wave(p, id_variable="kod"), wave(file="t0.csv", mapping={"q1": "who5_01"},
                                                                       covariates={}))
    assert h.data["participant_id"].tolist() == ["1e5", "12.50", "7"]


def test_numeric_sav_ids_are_written_as_whole_numbers(tmp_path):
    p = tmp_path / "t0.sav"
    pyreadstat.write_sav(pd.DataFrame({"kod": [123.0, np.nan, 4560.0], "q1": [1.0, 2.0, 3.0]}), str(p))
    raw = ingest.read_wave(p)
    h = ingest.harmonise(raw, wave(mapping={"q1": "who5_01"}, covariates={}))
    assert h.data["participant_id"].tolist()[::2] == ["123", "4560"] and pd.isna(h.data["participant_id"][1])
    assert ingest.wave_ids(raw.data, "kod").tolist()[::2] == ["123", "4560"]   # cross-wave linkage agrees
    # not whole numbers: nothing is rounded away
    pyreadstat.write_sav(pd.DataFrame({"kod": [1.5, 2.0], "q1": [1.0, 2.0]}), str(p))
    h = ingest.harmonise(ingest.read_wave(p), wave(mapping={"q1": "who5_01"}, covariates={}))
    assert h.data["participant_id"].tolist() == ["1.5", "2.0"]


def test_true_false_in_a_numeric_item_are_text_not_codes(tmp_path):
    p = _csv(tmp_path, "kod,q1,q2\nJH-1,True,1\nJH-2,,TRUE\nJH-3,False,2\n")
    with pytest.raises(ingest.WaveError) as exc:
        ingest.harmonise(ingest.read_wave(p), wave(file="t0.csv", covariates={}))
    msg = str(exc.value)
    assert "2 mapped item variable(s) hold text" in msg
    assert "'q1' (who5_01): 2 value(s) are text, not a code; rows 1, 3" in msg
    assert "'q2' (who5_02): 1 value(s) are text, not a code; rows 2" in msg
    # Python booleans in an object column (a data frame built in code) are text too
    raw = ingest.RawWave(pd.DataFrame({"kod": ["JH-1", "JH-2"], "q1": pd.Series([True, 3], dtype=object),
                                       "q2": [1.0, 2.0]}), pd.DataFrame(columns=["variable", "value"]), "",
                         tmp_path / "t0.csv", "csv")
    with pytest.raises(ingest.WaveError, match=r"'q1' \(who5_01\): 1 value\(s\) are text, not a code; rows 1"):
        ingest.harmonise(raw, wave(file="t0.csv", covariates={}))


def test_sav_labelled_string_covariate_gets_its_labels(tmp_path):
    from survey import new_wave, study

    p = tmp_path / "t0.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"kod": ["JH-1", "JH-2", "JH-3", "JH-4"], "kon": ["K", "M ", "9", "X"],
                      "q1": [1.0, 2.0, 3.0, 4.0]}), str(p),
        variable_value_labels={"kon": {"K": "Kvinna", "M": "Man", "9": "Ej svar"}, "q1": {1.0: "Aldrig"}})
    raw = ingest.read_wave(p)
    cb = raw.codebook
    kon = cb[cb["variable"] == "kon"].set_index("value_text")
    assert kon.loc["K", "value_label"] == "Kvinna" and np.isnan(kon.loc["K", "value"])
    assert kon.loc["9", "value"] == 9.0                               # the number it spells
    assert cb["value"].dtype == "float64" and cb.loc[cb["variable"] == "q1", "value_text"].isna().all()
    w = wave(mapping={"q1": "who5_01"}, covariates={"kon": "gender"},
             missing_codes={"default": {9: "no_answer"}})
    h = ingest.harmonise(raw, w)
    g = h.data["gender"]
    assert g.tolist()[:2] == ["Kvinna", "Man"] and pd.isna(g[2])      # 9 declared missing
    assert g[3] == "X"                                                 # an unlabelled value stays as it is
    # downstream users of the codebook still work on it
    assert ingest.check_value_labels(cb, "t0.sav", w.mapping, study.allowed_codes(w), w.missing_codes) != []
    assert ingest.user_missing_codes(cb) == {}
    assert new_wave.describe_variables(raw)["q1"].value_labels == {1.0: "Aldrig"}


def test_text_covariate_with_a_missing_code_written_as_text(tmp_path):
    p = _csv(tmp_path, "kod,q1,kon\nJH-1,1,Kvinna\nJH-2,2,9\nJH-3,3,\n")
    h = ingest.harmonise(ingest.read_wave(p), wave(file="t0.csv", mapping={"q1": "who5_01"}))
    assert h.data["gender"].tolist()[0] == "Kvinna" and h.data["gender"][1:].isna().all()


def test_attendance_register_is_read_strictly(tmp_path):
    from studyconfig.config import Attendance

    spec = Attendance(file="att.csv")
    p = tmp_path / "att.csv"
    cases = {
        b"": "att.csv: the file is empty (0 bytes)",
        "participant_id,workshop,visit_date\nJH-1,Språkcafé,2024-01-02\n".encode("cp1252"):
            "att.csv: not valid UTF-8 text in 1 data row(s) (rows 1), first in variable 'workshop'",
        b"participant_id;workshop;visit_date\nJH-1;A;2024-01-02\n": "separated by semicolons",
        b"participant_id,workshop,visit_date,workshop\nJH-1,A,2024-01-02,B\n":
            "att.csv: the header names 1 variable(s) more than once: 'workshop' (2 times)",
        b"participant_id,workshop,visit_date\nJH-1,A,2024-01-02\nJH-2,B,C,2024-01-03\n":
            "att.csv: line 3 (data row 2) has 4 fields, the header has 3",
        b"$FL2" + bytes(100): "att.csv: the attendance register is an SPSS .sav file",
    }
    for content, expect in cases.items():
        p.write_bytes(content)
        with pytest.raises(ingest.WaveError) as exc:
            ingest.read_attendance(p, spec)
        assert expect in str(exc.value), (content, str(exc.value))
        assert "JH-" not in str(exc.value) and "encoding: cp1252" not in str(exc.value)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(ingest.WaveError, match=r"dir.csv: the attendance register .* is a directory"):
        ingest.read_attendance(tmp_path / "dir.csv", spec)


def test_attendance_blank_ids_and_bad_dates_are_reported_together(tmp_path):
    from studyconfig.config import Attendance

    p = tmp_path / "att.csv"
    p.write_text("pid,workshop,visit_date\n JH-1 ,A,2024-01-01\n,A,2024-01-02\n  ,B,2024-13-01\n", encoding="utf-8")
    with pytest.raises(ingest.WaveError) as exc:
        ingest.read_attendance(p, Attendance(file="att.csv", id_column="pid"))
    msg = str(exc.value)
    assert "att.csv, column 'visit_date': 1 value(s) are not dates (YYYY-MM-DD); rows 3" in msg
    assert "att.csv, column 'pid': 2 visit(s) without a participant ID; rows 2, 3" in msg
    assert "JH-1" not in msg
    p.write_text("pid,workshop,visit_date\n JH-1 ,A,2024-01-01\nJH-2,,2024-01-02\n", encoding="utf-8")
    reg = ingest.read_attendance(p, Attendance(file="att.csv", id_column="pid"))
    assert reg["participant_id"].tolist() == ["JH-1", "JH-2"] and pd.isna(reg["workshop"][1])


def test_validate_reads_the_attendance_register_strictly(tmp_path):
    from studyconfig.config import Attendance
    from survey import validate

    p = tmp_path / "att.csv"
    p.write_text("participant_id,workshop,visit_date\nJH-1,A,2024-01-01,x\n", encoding="utf-8")
    (f,) = validate._attendance_findings(Attendance(file="att.csv"), p, r".*", {}, None, None, needed=False)
    assert f.check == "attendance" and "line 2 (data row 1) has 4 fields, the header has 3" in f.message
