"""`python -m pipelines validate`: the mapping mistakes a researcher makes most, all
reported at once in one run, each named with its file and variable, exit status 1."""

from __future__ import annotations

import re
import shutil

import pyreadstat

from pipelines.cli import main
from survey import validate
from tools.example_study import rewrite_sav

T2_DEFAULT = "default: {8: dont_know, 9: no_answer}\n      by_variable:\n        q3_eqvas"


def _by_check(report, check):
    return [f for f in report.findings if f.check == check]


def test_clean_study_passes(small_study, capsys):
    assert main(["validate", "--config", str(small_study / "study.yaml")]) == 0
    out = capsys.readouterr().out
    assert "no problems found" in out
    report = validate.run_validation(small_study / "study.yaml")
    assert report.findings == []


def test_many_mistakes_reported_at_once(small_study, config_edit, sav_edit, capsys):
    cfg = config_edit(
        small_study,
        # T0: typo in a raw variable name
        ("      f12_3: hls_eu_q16_03", "      f12_33: hls_eu_q16_03"),
        # T1: wrong item numbers (07 and 08 swapped)
        ("      wq_07: whoqol_bref_07\n      wq_08: whoqol_bref_08",
         "      wq_07: whoqol_bref_08\n      wq_08: whoqol_bref_07"),
        # T2: missing code 8 not declared -> 8 is taken as an answer, out of range
        (T2_DEFAULT, "default: {9: no_answer}\n      by_variable:\n        q3_eqvas"),
        # attendance: column name typo
        ("date_column: visit_date", "date_column: visit_dat"),
    )
    # T0: one participant ID occurs twice
    sav_edit(small_study / "waves/jh_T0_hosten2023.sav",
             lambda df: df.__setitem__("lopnr_kod", df["lopnr_kod"].where(df.index != 5, df.loc[4, "lopnr_kod"])))

    status = main(["validate", "--config", str(cfg)])
    out = capsys.readouterr().out
    assert status == 1

    report = validate.run_validation(cfg)
    absent = _by_check(report, "mapping")
    assert [(f.wave, f.variable) for f in absent] == [("T0", "f12_33")]
    assert "did you mean 'f12_3'" in absent[0].suggestion

    dup = [f for f in report.errors if f.check == "unique_ids"]
    assert len(dup) == 1 and dup[0].wave == "T0" and "more than once" in dup[0].message
    assert dup[0].rows == (5, 6) and "rows 5, 6" in dup[0].line()

    wrong = {f.variable: f for f in _by_check(report, "mapping_label")}
    assert set(wrong) == {"wq_07", "wq_08"}
    assert "whoqol_bref_07" in wrong["wq_07"].suggestion and wrong["wq_07"].wave == "T1"

    codes = [f for f in _by_check(report, "allowed_codes") if f.wave == "T2"]
    assert codes, "8 left as an answer must be out of range"
    # described by kind, never by value (issue 15); the declared code is named in the suggestion
    assert all(f.found is None and "(codes the SPSS file declares user-missing)" in f.message for f in codes)
    assert all("8: dont_know" in f.suggestion for f in codes)
    assert any("q1_whoqol" in f.message or (f.variable or "").startswith("q1_whoqol") for f in codes)

    declared = [f for f in _by_check(report, "missing_codes") if f.wave == "T2"]
    assert declared and all(f.severity == "warning" for f in declared)

    att = _by_check(report, "attendance")
    assert [f.variable for f in att] == ["visit_dat"] and "visit_date" in att[0].suggestion

    # the printed report names every file and variable in one run
    for needle in ("jh_T0_hosten2023.sav", "jh_T1_dec2024.sav", "jh_T2_dec2025.sav", "attendance.csv",
                   "'f12_33'", "'wq_07'", "'wq_08'", "participant_id", "visit_dat",
                   "(codes the SPSS file declares user-missing)", "expected 1–5 -> the SPSS file declares 8 as"):
        assert needle in out, needle
    assert not re.search(r"JH-[0-9A-Z]{6}\b", out)  # never a participant ID


def test_missing_file_swapped_files_and_config_errors(small_study, config_edit, capsys):
    (small_study / "scales" / "broken.yaml").write_text("id: broken_scale\nn_items: 3\n", encoding="utf-8")
    cfg = config_edit(
        small_study,
        ("file: waves/jh_T0_hosten2023.sav", "file: waves/jh_T0_hosten2O23.sav"),  # typo: letter O
        ("file: waves/jh_T1_dec2024.sav", "file: waves/jh_T2_dec2025.sav"),    # T1 and T2 swapped
        ("file: waves/jh_T2_dec2025.sav\n    # variable holding the participant's study code in this file\n"
         "    id_variable: deltagarkod",
         "file: waves/jh_T1_dec2024.sav\n    # variable holding the participant's study code in this file\n"
         "    id_variable: deltagarkod"),
        ("comparisons: [[T0, T1], [T0, T2]]", "comparisons: [[T0, T1], [T0, T3]]"),  # config error
        ("min_subgroup_pairs: 10", "min_subgroup_pairs: 10\n  p_ajdust: holm"),       # unknown key
        ("scales: [scales/jh_empowerment.yaml]", "scales: [scales/jh_empowerment.yaml, scales/broken.yaml]"),
        ("instruments: [whoqol_bref, eq5d5l, hls_eu_q16, who5, gse, srh, jh_empowerment]",
         "instruments: [whoqol_bref, eq5d5l, hls_eu_q16, who5, gse, srh, jh_empowerment, who_5]"),
    )
    assert main(["validate", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    report = validate.run_validation(cfg)

    config_errors = [f for f in report.errors if f.check == "config"]
    text = " | ".join(f"{f.variable}: {f.message} {f.suggestion}" for f in config_errors)
    assert "T3" in text and "p_ajdust" in text and "p_adjust" in text

    missing = [f for f in report.errors if f.check == "wave_file" and f.wave == "T0"]
    assert len(missing) == 1 and "jh_T0_hosten2023.sav" in missing[0].suggestion

    swapped = {f.wave: f for f in report.errors if f.check == "wave_file" and f.wave in ("T1", "T2")}
    assert set(swapped) == {"T1", "T2"}
    assert "swapped" in swapped["T1"].suggestion and "T2" in swapped["T1"].suggestion

    assert any(f.check == "scale_file" and f.file == "broken.yaml" for f in report.errors)
    unknown = [f for f in report.errors if f.check == "instrument"]
    assert unknown and "who5" in unknown[0].suggestion
    for needle in ("jh_T0_hosten2O23.sav", "swapped", "broken.yaml", "who_5", "T3"):
        assert needle in out, needle


def test_unmapped_item_and_value_labels(small_study, config_edit, capsys):
    cfg = config_edit(
        small_study,
        ("      f9_26: whoqol_bref_26\n", ""),                 # T0: item of a declared instrument unmapped
        ("      vb_1: who5_01", "      vb_1: gse_01"),           # T1: WHO-5 item (0-5) mapped to GSE (1-4)
        ("      se_01: gse_01\n", "      se_01: who5_01\n"),
    )
    assert main(["validate", "--config", str(cfg)]) == 1
    report = validate.run_validation(cfg)
    unmapped = [f for f in report.errors if f.check == "unmapped_item"]
    assert [(f.wave, f.variable) for f in unmapped] == [("T0", "whoqol_bref_26")]
    assert "'f9_26'" in unmapped[0].suggestion
    labels = [f for f in report.findings if f.check == "value_labels" and f.wave == "T1"]
    assert any(f.severity == "error" and "vb_1 -> gse_01" in f.message for f in labels)
    assert any("se_01" in f.message or "se_01" in (f.variable or "") for f in report.findings
               if f.wave == "T1" and f.check in ("mapping_label", "value_labels"))


def test_inconsistent_ids_across_waves(small_study, sav_edit):
    # T1 writes the study codes without the dash: wrong format in T1 and not linkable
    sav_edit(small_study / "waves/jh_T1_dec2024.sav",
             lambda df: df.__setitem__("studiekod", df["studiekod"].str.replace("-", "", regex=False)))
    report = validate.run_validation(small_study / "study.yaml")
    assert not report.ok
    consistency = [f for f in report.errors if f.check == "wave_links" and f.wave == "T1"]
    assert consistency, report.render()
    assert any("after ignoring case, spaces or dashes" in f.message for f in consistency)
    assert any("format no other wave uses" in f.message and f.found == "'XXXXXXXX'" for f in consistency)
    assert not [f for f in report.errors if f.check == "wave_links" and f.wave != "T1"]  # T0, T2 not blamed
    assert any(f.check == "id_format" and f.wave == "T1" for f in report.errors)
    text = report.render()
    ids = set(pyreadstat.read_sav(str(small_study / "waves/jh_T1_dec2024.sav"))[0]["studiekod"])
    ids |= set(pyreadstat.read_sav(str(small_study / "waves/jh_T0_hosten2023.sav"))[0]["lopnr_kod"])
    assert not [i for i in ids if i in text]  # never an ID (only shapes such as 'JH-XXXXXX')


def test_missing_config_file(tmp_path, capsys):
    assert main(["validate", "--config", str(tmp_path / "study.yml")]) == 1
    assert "does not exist" in capsys.readouterr().out


def test_validate_does_not_touch_data(small_study):
    before = {p: p.read_bytes() for p in small_study.rglob("*") if p.is_file()}
    validate.run_validation(small_study / "study.yaml")
    after = {p: p.read_bytes() for p in small_study.rglob("*") if p.is_file()}
    assert before == after
    shutil.rmtree(small_study)


def _add_columns(path, columns: dict, labels: dict | None = None):
    rewrite_sav(path, lambda df: df.assign(**columns), column_labels=labels)


def test_identifier_columns_are_reported_by_name_and_exemptions_as_notes(small_study, config_edit, capsys):
    emails = [f"deltagare{i}@example.se" if i < 4 else "" for i in range(70)]
    _add_columns(small_study / "waves/jh_T0_hosten2023.sav",
                 {"kontakt": emails, "efternamn": ["Svensson"] * 70, "verkstad_namn": ["Kost", "Munhälsa"] * 35,
                  "v90": ["Lindängsvägen 3"] * 70}, labels={"v90": "Hemadress"})
    cfg = config_edit(small_study, ("    id_variable: lopnr_kod\n",
                                    "    id_variable: lopnr_kod\n    identifier_exemptions:\n"
                                    "      verkstad_namn: names of the health workshops, not of people\n"))
    assert main(["validate", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    report = validate.run_validation(cfg)
    guard = {f.variable: f for f in report.findings if f.check == "no_direct_identifiers"}
    assert set(guard) == {"kontakt", "efternamn", "v90"} and all(f.severity == "error" for f in guard.values())
    assert guard["kontakt"].message == "4 value(s) look like e-mail addresses" and guard["kontakt"].rows == (1, 2, 3, 4)
    assert "look like e-mail addresses; rows 1, 2, 3, 4" in guard["kontakt"].line()
    assert guard["efternamn"].message == "the variable name suggests a name"
    # the label is named as the reason, its text is never quoted (issue 15)
    assert guard["v90"].message == "the variable label suggests a postal address" and guard["v90"].found is None
    (note,) = report.notes
    assert note.variable == "verkstad_namn" and note.wave == "T0"
    assert "reason: 'names of the health workshops, not of people'" in note.message
    for needle in ("variable 'kontakt'", "variable 'efternamn'", "variable 'v90'",
                   "note: variable 'verkstad_namn': exempted from the identifier guard", "1 note(s)"):
        assert needle in out, needle
    assert "example.se" not in out and "Svensson" not in out and "Lindängsvägen" not in out
    assert "Hemadress" not in out


def test_validate_reports_what_the_pipeline_rejects(small_study, config_edit, sav_edit):
    # T1: a follow-up with no participant in common with T0; its GSE page empty
    def t1(df):
        df["studiekod"] = [f"JH-Z{i:05d}" for i in range(len(df))]
        for i in range(1, 11):
            df[f"se_{i:02d}"] = float("nan")
    sav_edit(small_study / "waves/jh_T1_dec2024.sav", t1)
    report = validate.run_validation(small_study / "study.yaml")
    errors = {(f.wave, f.check): f for f in report.errors}
    assert "none of the wave's 53 participant IDs occurs in wave T0" in errors[("T1", "wave_links")].message
    assert "instrument gse has no answer at all" in errors[("T1", "instruments_answered")].message
    assert not [f for f in report.errors if f.wave != "T1"]
