"""Messages never carry a value (issue 15).

Every error path of the bad-input corpus (``tests/assets/test_bad_input.py``, all cases),
the identifier guard's corpus and odd values injected with unique *marker* values
(7-digit numbers, made-up words, identifiers) is run through ``python -m pipelines
validate``, ``python -m pipelines run`` (a subprocess, ``--verbose``: every Dagster log line
goes to stderr) and so through Dagster. Then everything they leave is scanned for the
injected values, the secrets of the corpus cases and every participant ID: stdout, stderr,
every cell of every SQLite table of ``DAGSTER_HOME`` (event log with check results,
metadata and step-failure exceptions, runs, snapshots; compressed blobs unpacked), the
compute logs and every file under the output root except the parquet stores (which hold
the pseudonymised data by design). Zero hits.

To stay fast, the corpus shares runs: every wave-level case becomes an extra wave of one
study (``X01``, ``X02``, ... each a damaged copy of the wave the case damages), so one
``validate`` and one ``run`` cover them all; the wave partitions run side by side as the
runner always runs them. Cases that break the configuration (rejected before anything
runs) and cases of the attendance register (one register per study) get their own small
studies; the register's Dagster run materialises the ``attendance`` asset only.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import importlib.util
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from studyconfig.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parents[1]


def _load(relative: str):
    """A sibling test module by path (the test folders are not packages)."""
    path = TESTS / relative
    name = f"_hygiene_{path.stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


bad = _load("assets/test_bad_input.py")
leaks = _load("ops/test_reliability.py")

#: unique markers: 7-digit numbers (no identifier shape, so they reach the checks behind the
#: guard) and made-up words; none of them occurs in the code, the example study or Dagster's output
NUMBERS = ["9364127", "9471835", "9582946", "9613057", "9724168", "9835279", "9146302"]
WORDS = ["vorquelint", "zabrimoxe", "quindelsa", "plutravik", "snorvegalt", "mexolantri", "trovinquel",
         "glabberzin", "fendrosquil", "wimbartoze"]
#: identifiers planted for the guard (synthetic: a generated personal number, PTS's fiction
#: ranges for phone numbers, the reserved .example domain)
PNR = "811218-9876"
PNR_12 = "198112189876"
PHONE = "070-174 06 05"
EMAIL = "vorquelint@hälsa.example"


class Corpus(bad.Study):
    """The study copy every wave-level case damages; ``alias`` points the case's wave id
    at the extra wave that receives the damage."""

    alias: dict[str, str] = {}

    def wave(self, wid: str) -> dict:
        return super().wave(self.alias.get(wid, wid))


def _add_wave(s: Corpus, base: str, tag: str) -> str:
    n = sum(1 for w in s.cfg["waves"] if w["id"].startswith("X")) + 1
    wid = f"X{n:02d}"
    entry = copy.deepcopy(s.wave(base))
    src = s.path(base)
    dst = s.root / "waves" / f"x{n:02d}_{tag}{src.suffix}"
    shutil.copyfile(src, dst)
    entry.update(id=wid, file=f"waves/{dst.name}", date=dt.date(2026, 1, 1) + dt.timedelta(days=n),
                 label={"sv": f"Extra {n}", "en": f"Extra {n}"})
    s.cfg["waves"].append(entry)
    if base != "T0":
        s.cfg["analysis"]["comparisons"].append(["T0", wid])
    return wid


# -- marker cases of our own (each damages one wave) ---------------------------------------------


def _marker_out_of_range(s):
    """Answers far outside the codes: above, negative, fractional (no identifier shape)."""
    def change(df):
        df.loc[1, "wq_01"] = float(NUMBERS[0])
        df.loc[2, "wq_02"] = -float(NUMBERS[1])
        df.loc[3, "eq_vas"] = float(NUMBERS[2]) + 0.25
    s.edit("T1", change)


def _marker_text_in_item(s):
    df = s.csv_frame("T0").astype(object)
    df.loc[2, "f13_1"] = f"{WORDS[0]} {NUMBERS[3]}"
    s.put_csv("T0", df.to_csv(index=False).encode("utf-8"))


def _marker_labels(s):
    """Marker words in value labels that contradict the instrument (and in a user-missing
    label, with that code in the data), and as the variable label of the close match of a
    mistyped mapping."""
    df, meta = s.read("T0")
    relabelled = {0.0: f"Inte alls {WORDS[1]}", 1.0: "Knappast", 2.0: "Ganska", 3.0: "Helt",
                  8.0: "Vet ej", 9.0: "Ej svar"}
    df["f11"] = df["f11"].where(~df.index.isin([1, 3]), 99.0)
    f11_labels = {**meta.variable_value_labels["f11"], 99.0: f"Ej svar {WORDS[2]}"}
    s.write("T0", df, labels={"f12_3": f"Fråga {WORDS[3]} om hälsa"},
            value_labels={**{f"f14_{i}": relabelled for i in range(1, 11)}, "f11": f11_labels},
            missing={"f11": [*meta.missing_ranges["f11"], {"lo": 99.0, "hi": 99.0}]})
    s.wave("T0")["mapping"] = bad._rename_key(s.wave("T0")["mapping"], "f12_3", "f12_33")


def _marker_undeclared_missing(s):
    """A code the SPSS file declares missing with a marker label, left as an answer."""
    df, meta = s.read("T1")
    df["wq_05"] = df["wq_05"].where(~df.index.isin([2, 6]), 7.0)
    s.write("T1", df, value_labels={"wq_05": {**meta.variable_value_labels["wq_05"], 7.0: WORDS[4]}},
            missing={"wq_05": [*meta.missing_ranges.get("wq_05", []), {"lo": 7.0, "hi": 7.0}]})


def _marker_headerless_csv(s):
    df = s.csv_frame("T0").astype(object)
    df.loc[0, "f1"] = WORDS[5]
    s.put_csv("T0", df.to_csv(index=False, header=False).encode("utf-8"))


def _marker_identifiers_everywhere(s):
    """The guard's corpus in one file: free text, a numeric item, a variable label, a value
    label, a column name."""
    df, meta = s.read("T0")
    df["kommentar"] = [f"Ring mig på {PHONE}" if i == 4 else f"pnr {PNR_12} tack" if i == 7 else "bra"
                       for i in range(len(df))]
    df.loc[5, "f9_1"] = float(PNR_12)
    s.write("T0", df, labels={"f9_2": f"Kontakt {EMAIL}"},
            value_labels={"f5": {**meta.variable_value_labels["f5"], 7.0: f"Tolk {WORDS[6]} {PHONE}"}})


def _marker_identifier_as_column_name(s):
    """A CSV whose header names a column with a personal identity number (SPSS names cannot)."""
    df = s.csv_frame("T0")
    df[PNR] = 1
    s.put_csv("T0", df.to_csv(index=False).encode("utf-8"))


def _marker_names_as_ids(s):
    s.edit("T0", lambda df: df.__setitem__("lopnr_kod", df["lopnr_kod"].where(
        ~df.index.isin([2, 5]), f"Anna {WORDS[7].capitalize()}")))


def _marker_ids_lower_and_other(s):
    """IDs in another format: their shape (never the IDs) is shown."""
    # three IDs with a rare "prefix": it could be a first name, so their shape masks it
    s.edit("T1", lambda df: df.__setitem__("studiekod", df["studiekod"].where(
        ~df.index.isin([1, 4, 7]), WORDS[8].upper() + "-" + df["studiekod"].str[3:])))


MARKER_CASES = {
    "marker_out_of_range": ("T1", _marker_out_of_range),
    "marker_text_in_item": ("T0", _marker_text_in_item),
    "marker_labels": ("T0", _marker_labels),
    "marker_undeclared_missing": ("T1", _marker_undeclared_missing),
    "marker_headerless_csv": ("T0", _marker_headerless_csv),
    "marker_identifiers_everywhere": ("T0", _marker_identifiers_everywhere),
    "marker_identifier_as_column_name": ("T0", _marker_identifier_as_column_name),
    "marker_names_as_ids": ("T0", _marker_names_as_ids),
    "marker_ids_other_format": ("T1", _marker_ids_lower_and_other),
}


def needles(secrets) -> list[str]:
    """Everything that must never appear: markers, the corpus cases' secrets, identifiers."""
    return sorted({*NUMBERS, *WORDS, PNR, PNR_12, "8112189876", PHONE, "1740605", EMAIL, *secrets}
                  - {""})


# -- running ----------------------------------------------------------------------------------------


def run_cli(args: list[str], home: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAGSTER_HOME": str(home), "JH_OUTPUT_ROOT": str(out), "PYTHONUNBUFFERED": "1"}
    env.pop("STUDY_CONFIG", None)
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.run([sys.executable, "-m", "pipelines", *args], env=env, capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=1800)


def validate_in_process(config: Path) -> tuple[int, str, str]:
    from pipelines.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["validate", "--config", str(config)])
    return status, out.getvalue(), err.getvalue()


#: label texts of the questionnaire that a message must not quote, but that the published
#: codebook documents on purpose (its answer options: "Vet ej", "Annat/vill inte ange")
LABEL_SECRETS = ("Vet ej", "gammal kod", "Gatuadress", "Anna")


def scan_everything(scanner, texts: dict[str, str], home: Path, out: Path, codebook_scanner=None) -> None:
    """Scan messages, the instance and the outputs; the published codebooks (which list the
    questionnaire's labels on purpose) with ``codebook_scanner`` when given."""
    for where, text in texts.items():
        scanner.text(where, [text])
    if home.exists():
        scanner.files(home)
    if out.exists():
        books = sorted(p for p in out.rglob("codebook") if p.is_dir())
        scanner.files(out, exclude=(out / "data" / "interim", out / "data" / "processed",
                                    *(books if codebook_scanner is not None else ())))
        for b in books if codebook_scanner is not None else ():
            codebook_scanner.files(b)


@pytest.fixture(scope="module")
def corpus(small_study_template, tmp_path_factory):
    """One study holding every wave-level case as an extra wave, validated and run once."""
    root = tmp_path_factory.mktemp("hygiene")
    study = root / "study"
    shutil.copytree(small_study_template, study)
    s = Corpus(study)
    waves = {}
    cases = [(c.id, c.wave, c.damage) for c in bad.CASES if c.wave is not None]
    for name, base, damage in [*cases, *((n, b, d) for n, (b, d) in MARKER_CASES.items())]:
        s.alias = {}
        wid = _add_wave(s, base, name)
        s.alias = {base: wid}
        damage(s)
        waves[wid] = name
    s.alias = {}
    s.save()
    config = study / "study.yaml"
    status, v_out, v_err = validate_in_process(config)
    run = run_cli(["run", "--verbose", "--config", str(config)], root / "home", root / "out")
    return dict(s=s, root=root, config=config, waves=waves, validate=(status, v_out, v_err), run=run)


def test_every_wave_level_case_fails_in_validate_and_in_the_run(corpus):
    status, out, _ = corpus["validate"]
    assert status == 1
    run = corpus["run"]
    assert run.returncode != 0, run.stdout[-3000:]
    with dg.DagsterInstance.from_config(str(corpus["root"] / "home")) as instance:
        scored = {r.event_log_entry.dagster_event.partition for r in instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("scored_wave")), limit=1000).records}
    # no damaged wave got past its failing step or check; the clean wave T2 did (T0 and T1
    # fail their linkage check: the corpus holds byte-identical copies of their files)
    assert "T2" in scored
    assert not scored & set(corpus["waves"]), sorted(scored & set(corpus["waves"]))
    for wid in corpus["waves"]:
        assert f"(wave {wid})" in out or f"[{wid}]" in run.stdout + run.stderr, (wid, corpus["waves"][wid])


def test_the_markers_were_planted(corpus):
    """Positive control: the scanner finds every text marker in the damaged input files (the
    numbers of SPSS files are binary doubles: they are read back instead)."""
    files = [p for p in sorted((corpus["s"].root / "waves").iterdir()) if p.suffix in (".sav", ".csv")]
    found = set()
    for needle in needles([]):
        probe = leaks.IdScanner([needle])
        for p in files:
            probe.blob(p.name, p.read_bytes())
        if probe.hits:
            found.add(needle)
    planted = {NUMBERS[3], *WORDS[:9], PNR, PNR_12, PHONE, EMAIL}
    assert planted <= found, sorted(planted - found)
    wid = next(w for w, name in corpus["waves"].items() if name == "marker_out_of_range")
    df, _ = pyreadstat.read_sav(str(corpus["s"].root / corpus["s"].wave(wid)["file"]))
    values = set(df[["wq_01", "wq_02", "eq_vas"]].to_numpy().ravel().tolist())
    assert {float(NUMBERS[0]), -float(NUMBERS[1]), float(NUMBERS[2]) + 0.25} <= values


def test_no_value_label_or_id_in_any_message_log_or_event(corpus, all_ids):
    s, root, run = corpus["s"], corpus["root"], corpus["run"]
    status, v_out, v_err = corpus["validate"]
    scanner = leaks.IdScanner([*needles(s.secrets), *all_ids, *bad.fresh_ids(70)])
    books = leaks.IdScanner([n for n in [*needles(s.secrets), *all_ids, *bad.fresh_ids(70)]
                             if n not in LABEL_SECRETS])
    scan_everything(scanner, {"validate stdout": v_out, "validate stderr": v_err,
                              "run stdout": run.stdout, "run stderr": run.stderr},
                    root / "home", root / "out", codebook_scanner=books)
    assert scanner.hits == {}, sorted(scanner.hits.items())[:20]
    assert books.hits == {}, sorted(books.hits.items())[:20]
    assert books.scanned, "the published codebooks were scanned"
    where = " ".join(scanner.scanned)
    assert "event_logs" in where and "compute_logs" in where     # the scan covered the instance
    # positive control: what messages may say (file and variable names) is found where it is
    probe = leaks.IdScanner(["x01_corrupt_sav.sav", "vb_1 -> who5_01"])
    scan_everything(probe, {"run stdout": run.stdout}, root / "home", root / "out")
    assert any("event_logs" in w for w in probe.hits) and "run stdout" in probe.hits, probe.hits


# -- cases that stop before anything runs: the configuration -------------------------------------


def _config_file_name_pnr(s):
    path = s.path("T1")
    renamed = path.with_name(f"svar_{PNR}.sav")
    path.rename(renamed)
    s.wave("T1")["file"] = f"waves/{renamed.name}"


def _config_register_name_phone(s):
    path = s.root / s.cfg["attendance"]["file"]
    renamed = path.with_name(f"narvaro {PHONE}.csv")
    path.rename(renamed)
    s.cfg["attendance"]["file"] = renamed.name


CONFIG_CASES = {**{c.id: c.damage for c in bad.CASES if c.wave is None},
                "file_name_holds_a_personal_number": _config_file_name_pnr,
                "register_name_holds_a_phone_number": _config_register_name_phone}


@pytest.mark.parametrize("name", list(CONFIG_CASES))
def test_configuration_errors_quote_no_value(name, small_study, tmp_path, all_ids):
    s = bad.Study(small_study)
    CONFIG_CASES[name](s)
    s.save()
    status, v_out, v_err = validate_in_process(small_study / "study.yaml")
    assert status == 1
    from pipelines.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["run", "--config", str(small_study / "study.yaml")]) != 0
    assert "study.yaml" in err.getvalue()
    scanner = leaks.IdScanner([*needles(s.secrets), *all_ids])
    scan_everything(scanner, {"validate": v_out + v_err, "run": out.getvalue() + err.getvalue()},
                    tmp_path / "no-home", tmp_path / "no-out")
    assert scanner.hits == {}, scanner.hits


# -- the attendance register ------------------------------------------------------------------------


def _register(study: Path) -> Path:
    cfg = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    return study / cfg["attendance"]["file"]


def _reg_headerless(path: Path):
    reg = pd.read_csv(path, dtype=str)
    reg.loc[0, "workshop"] = WORDS[0]
    path.write_text(reg.to_csv(index=False, header=False), encoding="utf-8")


def _reg_extra_column(path: Path):
    reg = pd.read_csv(path, dtype=str)
    reg["anteckning"] = ""
    reg.loc[3, "anteckning"] = f"{WORDS[1]} ring {PHONE}"
    reg.loc[9, "anteckning"] = EMAIL
    path.write_text(reg.to_csv(index=False), encoding="utf-8")


def _reg_names_and_pnr_as_ids(path: Path):
    reg = pd.read_csv(path, dtype=str)
    reg.loc[2, "participant_id"] = f"Anna {WORDS[2].capitalize()}"
    reg.loc[5, "participant_id"] = PNR
    path.write_text(reg.to_csv(index=False), encoding="utf-8")


def _reg_bad_dates_and_blank_ids(path: Path):
    reg = pd.read_csv(path, dtype=str)
    reg.loc[1, "visit_date"] = WORDS[3]
    reg.loc[4, "visit_date"] = NUMBERS[4]
    reg.loc[6, "participant_id"] = ""
    path.write_text(reg.to_csv(index=False), encoding="utf-8")


REGISTER_CASES = {"headerless": _reg_headerless, "extra_column_with_contact": _reg_extra_column,
                  "names_and_pnr_as_ids": _reg_names_and_pnr_as_ids, "bad_dates_and_blank_ids": _reg_bad_dates_and_blank_ids}


@pytest.mark.parametrize("name", list(REGISTER_CASES))
def test_attendance_register_errors_quote_no_value(name, small_study, tmp_path, monkeypatch, all_ids,
                                                   pipeline_env_class):
    from pipelines import runner

    register = _register(small_study)
    ids = set(pd.read_csv(register, dtype=str)["participant_id"].dropna())
    REGISTER_CASES[name](register)
    status, v_out, v_err = validate_in_process(small_study / "study.yaml")
    assert status == 1, v_out
    env = pipeline_env_class(small_study, tmp_path, monkeypatch)
    lines: list[str] = []
    report = runner.run(env.config, echo=lines.append, targets=["attendance"], log_level="INFO")
    assert not report.success and any(e.startswith("attendance") for e in report.errors), report.errors
    assert not (env.out / "data" / "interim" / "attendance.parquet").exists()
    scanner = leaks.IdScanner([*needles([]), *all_ids, *ids])
    scan_everything(scanner, {"validate": v_out + v_err, "run": "\n".join([*lines, *report.errors])},
                    tmp_path / "dagster_home", env.out)
    assert scanner.hits == {}, sorted(scanner.hits.items())[:20]


@pytest.fixture(scope="module")
def all_ids(small_study_template) -> list[str]:
    """Every participant ID of the small study and its attendance register."""
    out = []
    for file in bad.FILES.values():
        df, _ = pyreadstat.read_sav(str(small_study_template / "waves" / file))
        out += list(df.iloc[:, 0].astype(str))
    out += list(pd.read_csv(_register(small_study_template), dtype=str)["participant_id"].dropna())
    return sorted(set(out))


def test_marker_numbers_do_not_look_like_identifiers():
    """The markers must reach the checks behind the guard, not be stopped by it."""
    from privacy import identifiers

    for n in NUMBERS:
        assert identifiers.number_kinds(float(n)) == {} and identifiers.text_kinds(n) == {}
    assert np.all([identifiers.text_kinds(w) == {} for w in WORDS])
