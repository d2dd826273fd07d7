"""Readers by format (survey.readers): the same wave in every format scores the same, CSV
options, misidentified files, and the hash of exactly the parsed bytes.

The fixtures in ``data/formats/`` were written once by ``make_fixtures.py`` with pyreadstat,
R haven 2.5.1, GNU PSPP 1.6.2, openpyxl and LibreOffice (no R or PSPP needed here).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyconfig.config import Wave, load_config
from survey import ingest, readers, study, wavefiles
from survey.missing_declarations import check_lost_declarations

DATA = Path(__file__).parent / "data" / "formats"
SPEC = yaml.safe_load((DATA / "wave.yaml").read_text(encoding="utf-8"))
REFERENCE = "wave.sav"
#: fixture -> (file_format, reading options of the wave, needs value_labels)
FIXTURES = {
    "wave.sav": ("spss", {}, False),
    "wave_haven.sav": ("spss", {}, False),
    "wave_pspp.sav": ("spss", {}, False),
    "wave_pspp.zsav": ("spss-zsav", {}, False),
    # (a portable file cannot carry å/ä/ö: the wave's value_labels replace its garbled labels)
    "wave_pspp.por": ("spss-por", {}, True),
    "wave_haven.dta": ("stata", {}, False),
    "wave_pyreadstat.dta": ("stata", {}, False),
    "wave_excel_cp1252.csv": ("csv", {"encoding": "cp1252"}, True),
    "wave_excel_utf8_bom.csv": ("csv", {}, True),
    "wave.xlsx": ("xlsx", {}, True),
    "wave.ods": ("ods", {}, True),
}


def fixture_wave(name: str) -> Wave:
    """The fixture wave's configuration with the raw names of ``name`` (same variable order
    as wave.sav; the portable file has 8-character upper-case names)."""
    ref_cols = list(pyreadstat.read_sav(str(DATA / REFERENCE), metadataonly=True)[1].column_names)
    wf = readers.read(DATA / name, readers.ReadOptions(**FIXTURES.get(name, ("", {}, False))[1]))
    rename = dict(zip(ref_cols, map(str, wf.data.columns)))
    w = SPEC["wave"]
    entry = {**w, "file": name, "id_variable": rename[w["id_variable"]],
             "mapping": {rename[r]: c for r, c in w["mapping"].items()},
             "covariates": {rename[r]: c for r, c in w["covariates"].items()},
             "missing_codes": {"default": w["missing_codes"]["default"],
                               "by_variable": {rename[r]: v for r, v in w["missing_codes"]["by_variable"].items()}},
             **FIXTURES.get(name, ("", {}, False))[1]}
    if FIXTURES.get(name, ("", {}, False))[2]:
        entry["value_labels"] = SPEC["value_labels"]
    return Wave.model_validate(entry)


def scored(name: str) -> pd.DataFrame:
    wave = fixture_wave(name)
    raw = wavefiles.read_wave_file(DATA / name, wave)
    h = ingest.harmonise(raw, wave, study.dont_know_codes(wave))
    out, _ = study.score_wave(h.data, wave, load_config())
    return out


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return scored(REFERENCE)


def test_every_fixture_is_there():
    assert sorted(p.name for p in DATA.iterdir() if p.suffix not in (".py", ".yaml", ".md")) == sorted(
        [*FIXTURES, "wave_haven_lost_missing.sav"])


#: a portable file's user-missing codes are read as blanks (pyreadstat's read_por has no
#: user_missing option): the counts of "don't know" answers are lost, nothing else
LOSSY = {"wave_pspp.por": "_n_dont_know"}


@pytest.mark.parametrize("name", list(FIXTURES))
def test_the_same_wave_scores_the_same_in_every_format(name, reference):
    fmt = FIXTURES[name][0]
    assert readers.read(DATA / name, readers.ReadOptions(**FIXTURES[name][1])).file_format == fmt
    got = scored(name)
    assert list(got.columns) == list(reference.columns)
    assert len(reference) == 30 and reference["gender"].notna().all()
    lost = [c for c in reference.columns if name in LOSSY and c.endswith(LOSSY[name])]
    for c in lost:
        assert (got[c] <= reference[c]).all() and got[c].sum() == 0 < reference[c].sum(), c
    for c in [c for c in reference.columns if c not in lost]:
        a, b = reference[c], got[c]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            np.testing.assert_array_equal(a.to_numpy(dtype=float), b.to_numpy(dtype=float), err_msg=c)
        else:
            assert a.astype("string").fillna("<NA>").tolist() == b.astype("string").fillna("<NA>").tolist(), c


@pytest.mark.parametrize("name", ["wave.sav", "wave_haven.sav", "wave_pspp.sav", "wave_pspp.zsav"])
def test_spss_writers_keep_labels_missing_declarations_and_long_strings(name):
    ref = readers.read(DATA / REFERENCE)
    wf = readers.read(DATA / name)
    assert wf.declares_user_missing
    assert wf.missing_ranges == ref.missing_ranges
    assert wf.value_labels == ref.value_labels
    assert wf.variable_labels["f9_1"] == ref.variable_labels["f9_1"] and "Ö" in wf.variable_labels["kommentar"]
    assert wf.data["kommentar"].tolist() == ref.data["kommentar"].tolist()
    assert wf.data["kommentar"].str.len().max() > 255          # a very long string survives every writer


def test_portable_file_loses_swedish_letters_says_so_and_the_category_check_blocks_it():
    from survey.categories import check_categories, wave_categories

    wf = readers.read(DATA / "wave_pspp.por")
    assert any("characters the file could not carry" in n for n in wf.notes)
    waves = []
    for name, labels in ((REFERENCE, True), ("wave_pspp.por", False)):
        wave = fixture_wave(name)
        if not labels:
            wave = wave.model_copy(update={"value_labels": {}, "id": "T1"})
        raw = wavefiles.read_wave_file(DATA / name, wave)
        h = ingest.harmonise(raw, wave, study.dont_know_codes(wave))
        waves.append(wave_categories(wave, name, h.data, raw.codebook))
    problems = check_categories(waves)
    blamed = [p for p in problems if p.file == "wave_pspp.por"]
    assert "F2 -> age_group" in {p.variable for p in blamed}       # '18-29 år' etc.
    assert all(p.severity == "error" for p in problems)
    # with two waves the check cannot tell which spelling is right: both are named
    assert {p.file for p in problems} == {"wave_pspp.por", REFERENCE}


def test_formats_without_value_labels_get_them_from_study_yaml():
    wave = fixture_wave("wave.xlsx")
    raw = wavefiles.read_wave_file(DATA / "wave.xlsx", wave)
    cb = raw.codebook
    f1 = cb[cb["variable"] == "f1"]
    assert set(f1["label_source"]) == {"study.yaml"} and set(f1["value"]) == {1.0, 2.0, 3.0}
    assert set(cb.loc[cb["variable"] == "f9_1", "label_source"]) == {"file"}


def test_portable_file_reads_its_missing_codes_as_blanks_and_the_warning_says_so():
    wave = fixture_wave("wave_pspp.por")
    raw = wavefiles.read_wave_file(DATA / "wave_pspp.por", wave)
    assert any("user-missing codes are read as blanks" in n for n in raw.notes)
    h = ingest.harmonise(raw, wave, study.dont_know_codes(wave))
    problems = check_lost_declarations(raw.path.name, raw.file_format, raw.codebook, wave.mapping,
                                       wave.missing_codes, h.missingness)
    assert [p.severity for p in problems] == ["warning"] and "portable" in problems[0].message


def test_stata_and_spreadsheet_reads_declare_no_user_missing_codes():
    for name in ("wave_haven.dta", "wave.xlsx", "wave_excel_utf8_bom.csv", "wave_pspp.por"):
        wf = readers.read(DATA / name, readers.ReadOptions())
        assert not wf.declares_user_missing and not any(wf.user_missing.values()), name


def test_haven_default_read_lost_the_declarations_and_the_warning_says_so():
    wave = fixture_wave("wave_haven_lost_missing.sav")
    raw = wavefiles.read_wave_file(DATA / "wave_haven_lost_missing.sav", wave)
    h = ingest.harmonise(raw, wave, study.dont_know_codes(wave))
    problems = check_lost_declarations(raw.path.name, raw.file_format, raw.codebook, wave.mapping,
                                       wave.missing_codes, h.missingness)
    # every code the reference file holds in those variables is now a blank
    ref = readers.read(DATA / REFERENCE).data
    coded = sum(int(ref[v].isin(list(wave.missing_codes.for_variable(v))).sum()) for v in wave.mapping)
    blank = sum(int(ref[v].isna().sum()) for v in wave.mapping)
    assert coded > 10
    assert len(problems) == 1 and problems[0].severity == "warning"
    p = problems[0]
    assert p.count == coded + blank
    assert "appears to have lost its declarations" in p.message and "read_sav()/write_sav()" in p.message
    assert f"{coded + blank} answer(s)" in p.message
    # the old message blamed study.yaml
    assert not ingest.check_user_missing(h.data, raw.codebook, raw.path.name, wave.mapping,
                                         study.allowed_codes(wave), wave.missing_codes)
    # the intact files are not warned about
    wave = fixture_wave(REFERENCE)
    raw = wavefiles.read_wave_file(DATA / REFERENCE, wave)
    h = ingest.harmonise(raw, wave, study.dont_know_codes(wave))
    assert not check_lost_declarations(raw.path.name, raw.file_format, raw.codebook, wave.mapping,
                                       wave.missing_codes, h.missingness)


# -- misidentified files -------------------------------------------------------------------------


def _copy(tmp_path: Path, source: str, name: str) -> Path:
    p = tmp_path / name
    p.write_bytes((DATA / source).read_bytes())
    return p


@pytest.mark.parametrize("source,name,expected", [
    ("wave.xlsx", "t1.csv", "t1.csv: file looks like an Excel workbook (zip signature) although it is named .csv; "
                            "rename it to .xlsx"),
    ("wave.ods", "t1.xlsx", "file looks like an OpenDocument spreadsheet (zip signature) although it is named .xlsx; "
                            "rename it to .ods"),
    ("wave_haven.dta", "t1.sav", "not an SPSS .sav file (it does not start with the SPSS signature $FL2); it looks "
                                 "like a Stata .dta file (binary Stata header); rename it to .dta"),
    ("wave_pyreadstat.dta", "t1.csv", "file looks like a Stata .dta file (binary Stata header) although it is named "
                                      ".csv; rename it to .dta"),
    ("wave.sav", "t1.csv", "this is an SPSS .sav file named .csv; rename it to .sav"),
    ("wave_pspp.zsav", "t1.dta", "file looks like a compressed SPSS .zsav file although it is named .dta; "
                                 "rename it to .zsav"),
    ("wave_excel_utf8_bom.csv", "t1.sav", "it looks like a text file (CSV?); rename it to .csv"),
    ("wave.xlsx", "t1.pdf", "unsupported file type '.pdf' (it looks like an Excel workbook (zip signature)); "
                            "rename it to .xlsx"),
])
def test_a_misnamed_file_is_named_for_what_it_is(tmp_path, source, name, expected):
    p = _copy(tmp_path, source, name)
    with pytest.raises(readers.WaveError) as e:
        readers.read(p)
    text = str(e.value)
    assert expected in text
    assert len(text) < 300 and "\\x" not in text and "PK" not in text   # no binary in the message


def test_a_zsav_named_sav_is_read_with_a_note(tmp_path):
    wf = readers.read(_copy(tmp_path, "wave_pspp.zsav", "t1.sav"))
    assert wf.file_format == "spss-zsav" and "compressed SPSS .zsav file named .sav" in wf.notes[0]


def test_an_old_stata_file_is_not_called_utf16_text():
    head = bytes([114, 2, 1, 0]) + bytes(60)
    assert readers.sniff(head)[0] == "dta"
    assert readers.sniff("id,kön\n1,2\n".encode("utf-16"))[0] == "utf16"


def test_a_damaged_workbook_and_a_missing_sheet(tmp_path):
    bad = tmp_path / "t1.xlsx"
    bad.write_bytes(b"PK\x03\x04" + bytes(200))
    with pytest.raises(readers.WaveError, match="t1.xlsx: cannot be read as an Excel workbook: it is damaged"):
        readers.read(bad)
    p = _copy(tmp_path, "wave.xlsx", "t1.xlsx")
    with pytest.raises(readers.WaveError, match="no worksheet named 'Enkat' .*did you mean 'Enkät'"):
        readers.read(p, readers.ReadOptions(sheet="Enkat"))
    with pytest.raises(readers.WaveError, match="no data rows"):   # the notes sheet: one cell, no rows
        readers.read(p, readers.ReadOptions(sheet="Anteckningar"))


def test_header_line_that_is_not_a_list_of_names(tmp_path):
    p = tmp_path / "t1.csv"
    header = "|".join(f"variabel_nummer_{i}" for i in range(60))
    p.write_text(header + "\n" + "|".join("1" for _ in range(60)) + "\n", encoding="utf-8")
    with pytest.raises(readers.WaveError) as e:
        readers.read(p)
    assert "separated by vertical bars" in str(e.value) and "variabel_nummer_1" not in str(e.value)
    p.write_text("x" * 1000 + "\n1\n", encoding="utf-8")
    with pytest.raises(readers.WaveError) as e:
        readers.read(p)
    assert "one field of 1,000 characters" in str(e.value) and "xxxx" not in str(e.value)


# -- CSV options ---------------------------------------------------------------------------------


def test_excel_csv_cp1252_needs_the_encoding_and_the_message_says_which(tmp_path):
    p = _copy(tmp_path, "wave_excel_cp1252.csv", "t2.csv")
    with pytest.raises(readers.WaveError) as e:
        readers.read(p)
    text = str(e.value)
    assert "it looks like Windows-1252 (cp1252) text" in text and "set `encoding: cp1252` for this wave" in text
    assert "first in variable 'kommentar'" in text and "Jag tycker" not in text
    with pytest.raises(readers.WaveError) as e:
        readers.read(p, readers.ReadOptions(hint="new-wave"))
    assert "`--encoding cp1252`" in str(e.value) and "set `encoding:" not in str(e.value)


def test_utf8_file_declared_cp1252_is_refused_not_garbled(tmp_path):
    p = _copy(tmp_path, "wave_excel_utf8_bom.csv", "t2.csv")
    with pytest.raises(readers.WaveError, match="is UTF-8 text .* read as cp1252"):
        readers.read(p, readers.ReadOptions(encoding="cp1252"))


def test_declared_delimiter_that_is_wrong(tmp_path):
    p = _copy(tmp_path, "wave_excel_utf8_bom.csv", "t2.csv")
    with pytest.raises(readers.WaveError, match=r"separated by semicolons \(83 ';', 0 commas as declared\); set "
                                                r"`delimiter: ';'`"):
        readers.read(p, readers.ReadOptions(delimiter=","))


def test_both_decimal_marks_are_refused(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id;a;b\r\nx1;1,5;2.5\r\nx2;3;4\r\n", encoding="utf-8")
    with pytest.raises(readers.WaveError, match="decimal comma in 1 variable.*decimal point in 1"):
        readers.read(p)
    assert readers.read(p, readers.ReadOptions(decimal=",")).data["a"].tolist() == [1.5, 3.0]


frames = st.lists(st.tuples(st.integers(-5, 200), st.one_of(st.none(), st.floats(0, 100, allow_nan=False)
                                                              .map(lambda x: round(x, 2))),
                            st.sampled_from(["Kvinna", "Man", "Ålder ökar", "a;b", 'sa "hej"', "rad\nbrytning", ""])),
                  min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=frames, delimiter=st.sampled_from([",", ";", "\t"]), decimal=st.sampled_from([".", ","]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), crlf=st.booleans(), declare=st.booleans())
def test_csv_round_trip_any_delimiter_decimal_encoding(tmp_path, rows, delimiter, decimal, encoding, crlf, declare):
    if decimal == delimiter:
        decimal = "."
    df = pd.DataFrame({"id": [f"JH-{i:06d}" for i in range(len(rows))],
                       "kod": [r[0] for r in rows], "vikt": [r[1] for r in rows], "fritext": [r[2] for r in rows]})
    text = df.to_csv(index=False, sep=delimiter, decimal=decimal, lineterminator="\r\n" if crlf else "\n")
    p = tmp_path / "w.csv"
    p.write_bytes(text.encode(encoding))
    opts = readers.ReadOptions(encoding="cp1252" if encoding == "cp1252" else None, id_variable="id",
                               delimiter=delimiter if declare else None, decimal=decimal if declare else None)
    if decimal == "," and delimiter == "," and not declare:
        return   # "1,5" in a comma-separated file is two fields, quoted by pandas: not a number to detect
    wf = readers.read(p, opts)
    assert wf.sha256 == readers.sha256_bytes(p.read_bytes())
    assert wf.data["id"].tolist() == df["id"].tolist()
    assert wf.data["kod"].astype(float).tolist() == df["kod"].astype(float).tolist()
    got = wf.data["vikt"]
    if df["vikt"].notna().any() and (df["vikt"].dropna() != df["vikt"].dropna().round()).any():
        assert pd.api.types.is_numeric_dtype(got), (delimiter, decimal)
    np.testing.assert_allclose(pd.to_numeric(got, errors="coerce").astype(float).to_numpy(),
                               df["vikt"].astype(float).to_numpy(), equal_nan=True)
    expect = [None if v == "" else v for v in df["fritext"]]
    assert [None if pd.isna(v) else v for v in wf.data["fritext"]] == expect


# -- the bytes parsed are the bytes hashed ---------------------------------------------------------


@pytest.mark.parametrize("name", ["wave.sav", "wave_pyreadstat.dta", "wave.xlsx", "wave_excel_utf8_bom.csv"])
def test_a_file_replaced_while_it_is_read_is_stored_under_the_hash_of_what_was_parsed(tmp_path, monkeypatch,
                                                                                       name):
    path = _copy(tmp_path, name, "t0" + Path(name).suffix)
    old = path.read_bytes()
    other = {".sav": DATA / "wave_haven_lost_missing.sav", ".xlsx": DATA / "wave.ods"}.get(path.suffix)
    other = other.read_bytes() if other else old.replace(b"JH-", b"JX-", 1)
    calls = []
    parse = {".sav": "_read_pyreadstat", ".dta": "_read_pyreadstat", ".xlsx": "_read_workbook",
             ".csv": "_read_text"}[path.suffix]
    original = getattr(readers, parse)

    def replace_then_parse(*args, **kw):
        path.write_bytes(other)          # another version lands while the file is being read
        calls.append(1)
        return original(*args, **kw)

    monkeypatch.setattr(readers, parse, replace_then_parse)
    wf = readers.read(path, readers.ReadOptions(**FIXTURES.get(name, (None, {}))[1]))
    assert calls and path.read_bytes() == other != old
    assert wf.sha256 == readers.sha256_bytes(old)                # the bytes that were parsed
    monkeypatch.undo()
    path.write_bytes(old)
    again = readers.read(path, readers.ReadOptions(**FIXTURES.get(name, (None, {}))[1]))
    pd.testing.assert_frame_equal(wf.data, again.data)           # ... and the data are those bytes' data


def test_the_wave_data_version_is_that_of_the_parsed_bytes(tmp_path, monkeypatch):
    """raw_wave's data version hashes the parsed bytes, not the file as it is afterwards."""
    import shutil

    from tools.example_study import generate_study

    generate_study(tmp_path, participants=12, seed=3, truth_n=500)
    config = load_config(tmp_path / "study.yaml")
    path = config.wave_path("T1")
    old = path.read_bytes()
    before = study.wave_input_version(config, "T1")
    original = readers._read_pyreadstat

    def replace_then_parse(*args, **kw):
        shutil.copyfile(config.wave_path("T2"), path)
        return original(*args, **kw)

    monkeypatch.setattr(readers, "_read_pyreadstat", replace_then_parse)
    raw = wavefiles.read_configured_wave(config, "T1")
    assert raw.sha256 == readers.sha256_bytes(old)
    assert study.wave_input_version(config, "T1", file_sha256=raw.sha256) == before
    assert study.wave_input_version(config, "T1") != before      # the sensor and `status` see the new file


def test_readers_messages_never_quote_values(tmp_path):
    """A few broken files built from the fixture's values: no value of the file in any message."""
    wf = readers.read(DATA / REFERENCE)
    secrets = [*wf.data["lopnr_kod"], *[c for c in wf.data["kommentar"] if c]]
    df = wf.data.copy()
    cases = {
        "ragged.csv": "\n".join([line + (",extra" if 0 < i < 4 else "") for i, line in
                                 enumerate(df.to_csv(index=False).split("\n"))]).encode("utf-8"),
        "cp.csv": df.to_csv(index=False, sep=";").encode("cp1252"),
        "bars.csv": df.to_csv(index=False, sep="|").encode("utf-8"),
        "dup.csv": df.rename(columns={"f2": "f1"}).to_csv(index=False).encode("utf-8"),
    }
    for name, data in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(readers.WaveError) as e:
            readers.read(p)
        leaked = [s for s in secrets if s and str(s)[:12] in str(e.value)]
        assert not leaked, (name, str(e.value)[:200])
        assert re.match(rf"{re.escape(name)}: ", str(e.value))


def test_question_texts_as_column_names_are_read(tmp_path):
    """Form tools export the question as the column name: long names are names, not errors."""
    q = "Hur nöjd är du med din förmåga att klara av dina dagliga aktiviteter de senaste två veckorna?"
    p = tmp_path / "t1.csv"
    p.write_text(f"kod;{q}\r\nJH-1;3\r\nJH-2;4\r\n", encoding="utf-8")
    assert list(readers.read(p).data.columns) == ["kod", q]


def test_the_readers_and_the_new_pure_modules_do_not_import_dagster():
    import subprocess
    import sys

    code = ("import sys; import survey.readers, survey.wavefiles, survey.categories, "
            "survey.missing_declarations, publishing.codebook; print('dagster' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
