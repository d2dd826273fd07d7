"""The cross-wave category check (survey.categories) and new-wave on files without labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from studyconfig.config import Wave, load_config
from survey import ingest, study, wavefiles
from survey.categories import WaveCategories, check_categories

LABELS = ["Kvinna", "Man", "Annat/vill inte ange"]
DATA = Path(__file__).parent / "data" / "formats"


def wc(wave, values, declared=(), accepted=None, raw="kon") -> WaveCategories:
    return WaveCategories(wave, f"{wave.lower()}.sav", {"gender": pd.Series(values, dtype="string")},
                          {"gender": set(declared)}, {"gender": raw}, accepted or {})


def test_codes_next_to_labels_blame_only_the_codes_wave_by_count():
    waves = [wc("T0", ["Kvinna", "Man", "Kvinna"], LABELS), wc("T1", ["Man", None], LABELS),
             wc("T2", ["1", "2", "3", "1", None])]
    problems = check_categories(waves)
    assert len(problems) == 1
    p = problems[0]
    assert p.file == "t2.sav" and p.variable == "kon -> gender" and p.count == 4 and p.rows == (1, 2, 3, 4)
    assert p.message == "3 of 3 categories of gender in T2 do not occur in T0/T1 (codes without value labels?)"
    assert "value_labels" in p.suggestion and p.severity == "error"
    assert not any(lab in str(p) for lab in LABELS)


def test_a_new_spelling_and_a_new_category_are_told_apart():
    waves = [wc("T0", ["Kvinna", "Man"], LABELS), wc("T1", ["kvinna ", "Man", "Icke-binär"])]
    [p] = check_categories(waves)
    assert p.message.startswith("2 of 3 categories of gender in T1 do not occur in T0")
    assert "1 spelled like a category of the other waves" in p.message and "1 new" in p.message
    assert "new_categories" in p.suggestion and "kvinna" not in str(p) and "Icke" not in str(p)


def test_a_new_category_accepted_with_a_reason_is_a_note():
    waves = [wc("T0", ["Kvinna", "Man"], LABELS),
             wc("T1", ["Kvinna", "Icke-binär"], accepted={"gender": "new answer option added in 2025"})]
    [p] = check_categories(waves)
    assert p.severity == "note" and "accepted under new_categories" in p.message


def test_declared_but_unobserved_categories_are_not_new():
    """A small wave that happens to hold only a rare category is fine: the other waves'
    value labels declare it."""
    waves = [wc("T0", ["Kvinna"] * 5, LABELS), wc("T1", ["Annat/vill inte ange"], LABELS)]
    assert check_categories(waves) == []


def test_codes_in_every_wave_are_compared_as_codes():
    assert check_categories([wc("T0", ["1", "2"]), wc("T1", ["2", "1", "1"])]) == []
    # with two waves each one that has a code the other lacks is named; a third wave decides
    problems = check_categories([wc("T0", ["1", "2"]), wc("T1", ["2", "5"])])
    assert {p.file for p in problems} == {"t0.sav", "t1.sav"} and all("1 of 2" in p.message for p in problems)
    [p] = check_categories([wc("T0", ["1", "2"]), wc("T1", ["2", "5"]), wc("T2", ["1", "2"])])
    assert p.file == "t1.sav" and p.rows == (2,)


@settings(max_examples=80, deadline=None)
@given(n_waves=st.integers(2, 4), sizes=st.lists(st.integers(1, 15), min_size=4, max_size=4),
       picks=st.lists(st.integers(0, 2), min_size=60, max_size=60), bad=st.integers(0, 3),
       kind=st.sampled_from(["codes", "spelling", "none"]))
def test_property_consistent_labels_pass_and_a_bad_wave_is_the_one_blamed(n_waves, sizes, picks, bad, kind):
    bad = bad % n_waves
    waves = []
    it = iter(picks)
    for i in range(n_waves):
        values = [LABELS[next(it)] for _ in range(sizes[i])]
        declared = LABELS
        if i == bad and kind == "codes":
            values, declared = [str(LABELS.index(v) + 1) for v in values], ()
        elif i == bad and kind == "spelling":
            values = [v.upper() for v in values]
        waves.append(wc(f"T{i}", values, declared))
    problems = check_categories(waves)
    if kind == "none":
        assert problems == []
        return
    blamed = {p.file for p in problems}
    if kind == "codes" or n_waves > 2:
        assert f"t{bad}.sav" in blamed
    if kind == "codes":
        assert blamed == {f"t{bad}.sav"}
    assert all(lab not in str(p) for p in problems for lab in LABELS + [v.upper() for v in LABELS])


# -- new-wave on files without value labels -----------------------------------------------------


def test_new_wave_reads_cp1252_with_the_option_and_proposes_value_labels(capsys):
    from pipelines.cli import main
    from survey import new_wave

    csv = DATA / "wave_excel_cp1252.csv"
    assert main(["new-wave", str(csv)]) != 0
    err = capsys.readouterr().err
    assert "run new-wave with `--encoding cp1252`" in err and "set `encoding:" not in err
    config = load_config()
    p = new_wave.propose_wave(config, csv, wave_id="T3", encoding="cp1252")
    text = new_wave.render_yaml(p)
    entry = yaml.safe_load(text)[0]
    assert entry["encoding"] == "cp1252" and entry["delimiter"] == ";" and entry["decimal"] == ","
    spec = yaml.safe_load((DATA / "wave.yaml").read_text(encoding="utf-8"))
    assert entry["value_labels"]["f1"] == spec["value_labels"]["gender"]
    # the proposal reads the file and gives the categories of the SPSS waves
    wave = Wave.model_validate({**entry, "file": str(csv), "label": {"sv": "x", "en": "y"}})
    raw = wavefiles.read_wave_file(csv, wave)
    h = ingest.harmonise(raw, wave, study.dont_know_codes(wave))
    assert set(h.data["gender"].dropna()) <= set(spec["value_labels"]["gender"].values())


@pytest.mark.parametrize("name,settings_", [("wave.xlsx", {"sheet": "Enkät"}),
                                            ("wave_excel_utf8_bom.csv", {"delimiter": ";", "decimal": ","})])
def test_new_wave_writes_the_reading_settings_it_used(name, settings_):
    from survey import new_wave

    entry = yaml.safe_load(new_wave.render_yaml(new_wave.propose_wave(load_config(), DATA / name, wave_id="T3")))[0]
    for k, v in settings_.items():
        assert entry[k] == v
    assert "encoding" not in entry and entry["date"].isoformat().startswith("2023-")
