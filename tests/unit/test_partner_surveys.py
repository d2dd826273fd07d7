"""Ingestion of the partner surveys (pure): hand-worked rows of the bundled example, the
identifier guard and free text, every check with its message (file, variable, rows, kind;
never a value), SPSS files, and property-based attacks with many small generated surveys."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import instruments
from studyconfig.config import DEFAULT_CONFIG, PartnerSurvey, load_config
from survey import partner_surveys as ps
from survey.ingest import IdentifierError, WaveError

SYN = {f"syn{i}": f"e2_synergy_{i:02d}" for i in range(1, 6)}
LABELS = {1: {"sv": "Hälsofrämjare", "en": "Health promoters"}, 2: {"sv": "Staden", "en": "City"}}


@pytest.fixture(scope="module")
def example():
    config = load_config(DEFAULT_CONFIG)   # (never a STUDY_CONFIG another test left behind)
    raw = ps.read_surveys(config)
    frame, cb = ps.raw_frame(raw), ps.codebook_frame(raw)
    h = ps.harmonise(frame, cb, config)
    scored, rates = ps.score(h.data, config)
    return config, raw, frame, cb, h, scored, rates


def study(tmp_path, *surveys: PartnerSurvey, **publishing):
    """The example study's configuration with these partner surveys (files in ``tmp_path``)."""
    base = load_config(DEFAULT_CONFIG)
    pub = base.publishing.model_copy(update=publishing) if publishing else base.publishing
    return base.model_copy(update={"base_dir": tmp_path, "partner_surveys": list(surveys), "publishing": pub})


def survey(**changes) -> PartnerSurvey:
    kw = dict(year=2024, file="p.csv", instruments=["e2_synergy"], mapping=dict(SYN), group_variable="grp",
              group_labels=LABELS, free_text=["note"], missing_codes={"default": {8: "dont_know", 9: "no_answer"}})
    kw.update(changes)
    return PartnerSurvey(**kw)


def write(tmp_path, df: pd.DataFrame, name: str = "p.csv"):
    (tmp_path / name).write_text(df.to_csv(index=False), encoding="utf-8")


def frame(rows, columns=("grp", *SYN, "note")) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def ingest_all(config):
    raw = ps.read_surveys(config)
    f, cb = ps.raw_frame(raw), ps.codebook_frame(raw)
    return raw, f, cb, ps.harmonise(f, cb, config)


# -- the bundled example, by hand ---------------------------------------------------------------

def test_example_rows_and_free_text_dropped(example):
    config, raw, frame_, cb, h, scored, _ = example
    assert [(r.year, len(r.data)) for r in raw] == [(2024, 26), (2025, 24)]
    assert [r.dropped_free_text for r in raw] == [["kommentar"], ["P25_KOMMENTAR"]]
    assert "kommentar" not in frame_.columns and "P25_KOMMENTAR" not in frame_.columns
    # the free-text variables stay in the codebook by name only (no values)
    kom = cb[cb["variable"] == "kommentar"]
    assert len(kom) == 1 and kom["value"].isna().all() and (kom["value_label"] == "").all()
    assert h.data.groupby("year").size().to_dict() == {2024: 26, 2025: 24}
    assert list(h.data.columns[:3]) == ["year", "row", "partner_group"]
    assert "respondent" not in h.data.columns                 # no respondent number configured
    assert list(scored.columns[:2]) == ["year", "partner_group"] and "row" not in scored.columns


def test_example_first_rows_hand_worked(example):
    """Rows 1 and 2 of jh_partnerenkat_2024.csv, computed by hand from the file."""
    *_, h, scored, _ = example
    r1, r2 = scored.iloc[0], scored.iloc[1]
    assert r1["partner_group"] == "5" and r2["partner_group"] == "3"
    # row 1: egen4 blank, fors7 = 9 (no answer), forand6 = 9
    assert r1["e2_contextual_capacity_score"] == pytest.approx(23 / 6)
    assert r1["e2_collective_empowerment_score"] == pytest.approx(13 / 5)
    assert r1["e2_collective_empowerment_n_valid"] == 5
    assert r1["e2_relationships_score"] == pytest.approx(4.1)
    assert r1["e2_research_actions_score"] == pytest.approx(19 / 7)
    assert np.isnan(h.data.loc[0, "e2_research_actions_07"])
    assert r1["e2_synergy_score"] == pytest.approx(3.6)
    assert r1["e2_transformation_score"] == pytest.approx(2.8)
    assert r1["e2_outcomes_score"] == pytest.approx(20 / 6)
    # row 2: kap6 = 8 (don't know: missing, E2 has no don't-know code), egen4 = 8; synergy on blank
    assert r2["e2_contextual_capacity_score"] == pytest.approx(4.6)
    assert r2["e2_collective_empowerment_score"] == pytest.approx(4.8)
    assert r2["e2_relationships_score"] == pytest.approx(4.6)
    assert r2["e2_research_actions_score"] == pytest.approx(5.0)
    assert np.isnan(r2["e2_synergy_score"]) and r2["e2_synergy_n_valid"] == 0


def test_example_missingness_counts(example):
    *_, h, _, _ = example
    m = h.missingness.set_index(["year", "item"])
    row = m.loc[(2024, "e2_research_actions_07")]
    raw = pd.read_csv(load_config(DEFAULT_CONFIG).resolve("partners/jh_partnerenkat_2024.csv"))
    assert row["n_no_answer"] == int((raw["fors7"] == 9).sum())
    assert row["n_dont_know"] == int((raw["fors7"] == 8).sum())
    assert row["n_system_missing"] == int(raw["fors7"].isna().sum())
    assert row["n_answered"] == int(raw["fors7"].between(1, 5).sum())


def test_example_passes_every_check(example):
    config, raw, frame_, cb, h, *_ = example
    d = h.data
    for problems in (ps.check_respondents(d, config), ps.check_codes(d, cb, config),
                     ps.check_required(d, cb, config), ps.check_codebook(d, cb, config),
                     ps.check_groups(d, config), ps.check_identifiers(frame_, cb, config)):
        assert [p for p in problems if p.severity == "error"] == []


def test_no_comment_text_anywhere_in_what_is_stored(example):
    *_, frame_, cb, h, scored, rates = example
    comments = set()
    for f in ("jh_partnerenkat_2024.csv", "jh_partnerenkat_2025.csv"):
        raw = pd.read_csv(load_config(DEFAULT_CONFIG).resolve(f"partners/{f}"))
        comments |= {c for c in raw.iloc[:, -1].dropna().astype(str) if c.strip()}
    assert len(comments) >= 5
    stored = "\n".join(t.to_csv() for t in (frame_, cb, h.data, h.missingness, scored, rates))
    assert not [c for c in comments if c in stored]


def test_input_version_follows_file_and_configuration(tmp_path):
    write(tmp_path, frame([[1, 4, 4, 4, 4, 4, ""]]))
    config = study(tmp_path, survey())
    v1 = ps.input_version(config)
    assert ps.input_version(config) == v1
    assert ps.input_version(study(tmp_path, survey(free_text=[]))) != v1
    write(tmp_path, frame([[1, 4, 4, 4, 4, 5, ""]]))
    assert ps.input_version(config) != v1


# -- identifier guard and free text -------------------------------------------------------------

def test_identifier_in_a_used_or_unused_variable_refuses_the_file(tmp_path):
    df = frame([[1, 4, 4, 4, 4, 4, ""], [2, 3, 3, 3, 3, 3, ""]])
    df["kontakt"] = ["anna.andersson@example.se", None]
    write(tmp_path, df)
    with pytest.raises(IdentifierError) as err:
        ps.read_surveys(study(tmp_path, survey()))
    msg = str(err.value)
    assert "'kontakt'" in msg and "e-mail" in msg and "(partner survey 2024)" in msg and "rows 1" in msg
    assert "anna" not in msg and "example.se" not in msg and "(wave" not in msg


def test_identifier_in_free_text_is_a_warning_and_never_stored(tmp_path):
    df = frame([[1, 4, 4, 4, 4, 4, "Ring mig på 070-123 45 67"], [2, 3, 3, 3, 3, 3, "mejla a.b@example.se"]])
    write(tmp_path, df)
    config = study(tmp_path, survey())
    raw, f, cb, h = ingest_all(config)
    warn = [p for p in raw[0].guard if p.severity == "warning"]
    assert {p.variable for p in warn} == {"note"} and all(ps.FREE_TEXT_NOTE in p.message for p in warn)
    text = "\n".join([*(str(p) for p in raw[0].guard), f.to_csv(), cb.to_csv(), h.data.to_csv()])
    assert "070-123" not in text and "example.se" not in text and "Ring" not in text


def test_unused_variables_are_not_stored_but_named(tmp_path):
    df = frame([[1, 4, 4, 4, 4, 4, ""]])
    df["tid"] = [12]
    write(tmp_path, df)
    raw, f, cb, _ = ingest_all(study(tmp_path, survey()))
    assert raw[0].unused == ["tid"] and "tid" not in f.columns and "tid" in set(cb["variable"])


def test_exempted_variable_passes_with_its_reason(tmp_path):
    df = frame([[1, 4, 4, 4, 4, 4, ""]])
    df["namn_pa_grupp"] = ["Arbetsgrupp"]
    write(tmp_path, df)
    with pytest.raises(IdentifierError):
        ps.read_surveys(study(tmp_path, survey()))
    ok = survey(identifier_exemptions={"namn_pa_grupp": "names of working groups, not of people"})
    raw = ps.read_surveys(study(tmp_path, ok))
    assert any(p.severity == "note" and "working groups" in p.message for p in raw[0].guard)


def test_every_year_is_reported_at_once(tmp_path):
    bad = frame([[1, 4, 4, 4, 4, 4, ""]])
    bad["epost"] = ["x@y.se"]
    write(tmp_path, bad, "a.csv")
    (tmp_path / "b.csv").write_bytes(b"")
    config = study(tmp_path, survey(file="a.csv"), survey(year=2025, file="b.csv"))
    with pytest.raises(IdentifierError) as err:
        ps.read_surveys(config)
    msg = str(err.value)
    assert "2 partner surveys cannot be used" in msg and "a.csv" in msg and "b.csv" in msg and "empty" in msg


# -- harmonising: absent variables, text in items ---------------------------------------------

def test_absent_variables_are_listed_with_suggestions(tmp_path):
    df = frame([[1, 4, 4, 4, 4, 4, ""]], columns=("grupp", "syn1", "syn2", "syn3", "syn4", "syn_5", "note"))
    write(tmp_path, df)
    config = study(tmp_path, survey())
    raw = ps.read_surveys(config)
    with pytest.raises(WaveError) as err:
        ps.harmonise(ps.raw_frame(raw), ps.codebook_frame(raw), config)
    msg = str(err.value)
    assert "p.csv (partner survey 2024): 2 configured variable(s) not in the file" in msg
    assert "'grp' (group_variable) (did you mean 'grupp'?)" in msg
    assert "'syn5' (mapped to 'e2_synergy_05') (did you mean 'syn_5'?)" in msg


def test_text_in_an_item_is_refused_with_rows_not_values(tmp_path):
    write(tmp_path, frame([[1, 4, 4, 4, 4, 4, ""], [1, "mycket", 4, 4, 4, 4, ""]]))
    config = study(tmp_path, survey())
    raw = ps.read_surveys(config)
    with pytest.raises(WaveError) as err:
        ps.harmonise(ps.raw_frame(raw), ps.codebook_frame(raw), config)
    msg = str(err.value)
    assert "(partner survey 2024)" in msg and "'syn1' (e2_synergy_01)" in msg and "rows 2" in msg
    assert "mycket" not in msg


# -- checks ---------------------------------------------------------------------------------

def test_out_of_range_codes_name_variable_and_rows(tmp_path):
    write(tmp_path, frame([[1, 4, 4, 4, 4, 4, ""], [2, 6, 4, 0, 4, 4, ""], [1, 5, 5, 5, 5, 5, ""]]))
    config = study(tmp_path, survey())
    _, _, cb, h = ingest_all(config)
    problems = ps.check_codes(h.data, cb, config)
    assert [(p.variable, p.rows) for p in problems] == [("syn1 -> e2_synergy_01", (2,)),
                                                       ("syn3 -> e2_synergy_03", (2,))]
    assert all(p.file == "p.csv" and "outside the instrument's codes" in p.message for p in problems)


def test_unlabelled_group_code_is_an_error_without_the_value(tmp_path):
    write(tmp_path, frame([[1, 4, 4, 4, 4, 4, ""], [7, 4, 4, 4, 4, 4, ""], [9, 4, 4, 4, 4, 4, ""],
                           [None, 4, 4, 4, 4, 4, ""]]))
    config = study(tmp_path, survey())
    _, _, _, h = ingest_all(config)
    groups = [None if pd.isna(g) else g for g in h.data["partner_group"]]
    assert groups == ["1", "7", None, None]                       # 9 = no answer -> not stated
    (p,) = ps.check_groups(h.data, config)
    assert p.severity == "error" and p.rows == (2,) and p.variable == "grp"
    assert "{1, 2}" in str(p) and "7" not in str(p).replace("{1, 2}", "")


def test_all_groups_missing_is_a_warning(tmp_path):
    write(tmp_path, frame([[None, 4, 4, 4, 4, 4, ""], [9, 4, 4, 4, 4, 4, ""]]))
    config = study(tmp_path, survey())
    _, _, _, h = ingest_all(config)
    assert [p.severity for p in ps.check_groups(h.data, config)] == ["warning"]


def test_respondent_numbers_duplicates_and_blanks(tmp_path):
    df = frame([[1, 4, 4, 4, 4, 4, ""], [2, 3, 3, 3, 3, 3, ""], [1, 5, 5, 5, 5, 5, ""], [2, 2, 2, 2, 2, 2, ""]])
    df["lopnr"] = ["007", "008", "007", None]
    write(tmp_path, df)
    config = study(tmp_path, survey(respondent_variable="lopnr"))
    _, f, _, h = ingest_all(config)
    assert h.data["respondent"].tolist()[:3] == ["007", "008", "007"]     # read as text, zeros kept
    problems = ps.check_respondents(h.data, config)
    assert [(p.severity, p.rows) for p in problems] == [("warning", (4,)), ("error", (1, 3))]
    assert "007" not in " ".join(map(str, problems))
    scored, _ = ps.score(h.data, config)
    assert "respondent" not in scored.columns                    # never past ingestion


def test_identical_rows_without_respondent_numbers_are_a_warning(tmp_path):
    write(tmp_path, frame([[1, 4, 4, 4, 4, 4, "a"], [1, 4, 4, 4, 4, 4, "b"], [2, 4, 4, 4, 4, 4, ""]]))
    config = study(tmp_path, survey())
    _, _, _, h = ingest_all(config)
    (p,) = ps.check_respondents(h.data, config)
    assert p.severity == "warning" and p.rows == (1, 2)


def test_unmapped_item_is_required_with_a_suggestion(tmp_path):
    mapping = {k: v for k, v in SYN.items() if k != "syn5"}
    write(tmp_path, frame([[1, 4, 4, 4, 4, 4, ""]]))
    config = study(tmp_path, survey(mapping=mapping))
    _, _, cb, h = ingest_all(config)
    (p,) = ps.check_required(h.data, cb, config)
    assert "1 of 5 item(s) of instrument e2_synergy not mapped" in p.message and "map 'syn5' to e2_synergy_05" in str(p)


def test_an_instrument_without_any_answer_is_an_error(tmp_path):
    write(tmp_path, frame([[1, None, None, None, None, 9, ""], [2, 8, None, None, None, None, ""]]))
    config = study(tmp_path, survey())
    _, _, cb, h = ingest_all(config)
    (p,) = ps.check_required(h.data, cb, config)
    assert "instrument e2_synergy has no answer at all" in p.message


def test_spss_file_with_value_labels_and_user_missing(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = frame([[1, 4, 4, 4, 4, 4, "fin dag"], [2, 3, 3, 9, 3, 3, ""], [1, 5, 8, 5, 5, 5, "x"]])
    for c in ("grp", *SYN):
        df[c] = df[c].astype(float)
    pyreadstat.write_sav(df, str(tmp_path / "p.sav"),
                         variable_value_labels={"grp": {1.0: "Hälsofrämjare", 2.0: "Staden"},
                                                **{c: {1.0: "Inte alls", 5.0: "I mycket stor utsträckning",
                                                       8.0: "Vet ej", 9.0: "Ej svar"} for c in SYN}},
                         missing_ranges={c: [8.0, 9.0] for c in SYN})
    config = study(tmp_path, survey(file="p.sav"))
    raw, f, cb, h = ingest_all(config)
    assert raw[0].file_format == "spss" and "note" not in f.columns
    assert h.data["partner_group"].tolist() == ["1", "2", "1"]       # the code, not the file's label
    assert np.isnan(h.data.loc[1, "e2_synergy_03"]) and np.isnan(h.data.loc[2, "e2_synergy_02"])
    assert [p for p in ps.check_codebook(h.data, cb, config) if p.severity == "error"] == []
    # the file declares 9 user-missing; a configuration that forgot it would score it: refused
    forgot = study(tmp_path, survey(file="p.sav", missing_codes={"default": {8: "dont_know"}}))
    _, _, cb2, h2 = ingest_all(forgot)
    problems = ps.check_codebook(h2.data, cb2, forgot) + ps.check_codes(h2.data, cb2, forgot)
    assert any(p.severity == "error" and "user-missing" in str(p) for p in problems)


# -- property-based: many small generated surveys ----------------------------------------------

_TEXT = st.text(alphabet=string.ascii_letters + "åäöÅÄÖ .,!?@-0123456789", min_size=0, max_size=30)
_CODE = st.one_of(st.none(), st.integers(1, 5), st.sampled_from([8, 9]))


@st.composite
def surveys(draw):
    n = draw(st.integers(1, 12))
    rows = []
    for _ in range(n):
        rows.append([draw(st.sampled_from([1, 2, 9, None])), *[draw(_CODE) for _ in SYN],
                     "FRITEXT-" + draw(_TEXT).replace("\n", " ")])
    return frame(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(df=surveys())
def test_property_items_codes_groups_and_no_free_text(tmp_path_factory, df):
    tmp_path = tmp_path_factory.mktemp("p")
    write(tmp_path, df)
    config = study(tmp_path, survey())
    raw, f, cb, h = ingest_all(config)
    d = h.data
    assert len(d) == len(df) and d["row"].tolist() == list(range(1, len(df) + 1))
    for rawname, item in SYN.items():
        src = pd.to_numeric(df[rawname], errors="coerce")
        expect = src.where(src.between(1, 5))
        assert np.array_equal(d[item].to_numpy(), expect.to_numpy(dtype=float), equal_nan=True)
    grp = pd.to_numeric(df["grp"], errors="coerce")
    assert [None if pd.isna(g) else g for g in d["partner_group"]] == [
        None if pd.isna(g) or g == 9 else str(int(g)) for g in grp]
    scored, _ = ps.score(d, config)
    expect_score = instruments.score("e2_synergy", d[list(SYN.values())])["e2_synergy_score"]
    assert np.array_equal(scored["e2_synergy_score"].to_numpy(), expect_score.to_numpy(), equal_nan=True)
    stored = "\n".join(t.to_csv() for t in (f, cb, d, h.missingness, scored))
    assert "FRITEXT" not in stored
    assert ps.check_codes(d, cb, config) == []
    assert [p for p in ps.check_groups(d, config) if p.severity == "error"] == []


def test_validate_reports_partner_survey_problems(tmp_path):
    """``python -m pipelines validate`` runs the same reader, guard and checks on the partner
    surveys (every year at once, nothing stored)."""
    import shutil

    import yaml

    from studyconfig.config import DEFAULT_CONFIG
    from survey.validate import run_validation

    study_dir = tmp_path / "study"
    shutil.copytree(DEFAULT_CONFIG.parent, study_dir)
    p24, p25 = study_dir / "partners" / "jh_partnerenkat_2024.csv", study_dir / "partners" / "jh_partnerenkat_2025.csv"
    d = pd.read_csv(p24, dtype=str, keep_default_na=False)
    d.loc[1, "partnergrupp"] = "7"
    d.to_csv(p24, index=False)
    d = pd.read_csv(p25, dtype=str, keep_default_na=False)
    d.insert(1, "telefon", ["070-123 45 67"] + [""] * (len(d) - 1))
    d.to_csv(p25, index=False)
    cfg = yaml.safe_load((study_dir / "study.yaml").read_text(encoding="utf-8"))
    (study_dir / "study.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    report = run_validation(study_dir / "study.yaml")
    errors = [str(f) for f in report.errors if f.file.startswith("jh_partnerenkat")]
    assert any("partner-group code that group_labels does not declare" in e and "rows 2" in e for e in errors)
    assert any("'telefon'" in e and "partner survey 2025" in e for e in errors)
    assert not any("070-123" in str(f) for f in report.findings)
