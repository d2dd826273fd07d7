"""Configuration is validated completely before anything runs (issue 14, item 7).

A corpus of bad configurations: each must give exit 1 from ``validate`` and be refused by
``run`` (exit 2) before anything is materialised, with the same message (location and
text). Before the fix an unknown ``instrument_options`` key was silently ignored, an option
typo or an out-of-range value failed mid-run, a YAML alias bomb ended in MemoryError, and
``file:`` paths could point anywhere on the disk; a misspelt outcome was silently left out.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines import cli
from studyconfig.config import load_config

BOMB = """
instrument_options:
  hls_eu_q16: {min_valid: 14}
  lol0: &a0 [x, x, x, x, x, x, x, x, x, x]
  lol1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
  lol2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
  lol3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
  lol4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
  lol5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
  lol6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
  lol7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
  lol8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
"""


class Study:
    def __init__(self, root: Path):
        self.root = root
        self.config = root / "study.yaml"

    def replace(self, old: str, new: str) -> None:
        text = self.config.read_text(encoding="utf-8")
        assert old in text, old
        self.config.write_text(text.replace(old, new, 1), encoding="utf-8")

    def options(self, yaml_text: str) -> None:
        self.replace("instrument_options:\n  # HLS-EU-Q16: score only respondents with at least 14 valid answers\n"
                     "  hls_eu_q16: {min_valid: 14}\n", yaml_text)

    def move_out(self, rel: str, to: Path) -> Path:
        to.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(self.root / rel, to)
        return to


@dataclass
class Case:
    id: str
    damage: Callable[[Study], None]
    where: str | None      # the key the message names (None: a YAML-level message)
    message: str | Callable[[Study], str]   # the message text (both commands print it)


def _outside(s: Study) -> Path:
    return s.root.parent / "elsewhere"


CASES = [
    Case("unknown_instrument_key", lambda s: s.options("instrument_options:\n  hls_eu_q61: {min_valid: 14}\n"),
         "instrument_options.hls_eu_q61", "unknown instrument (did you mean 'hls_eu_q6' or 'hls_eu_q16'?); "
                                          "it would be ignored; known: "),
    Case("option_typo", lambda s: s.options("instrument_options:\n  hls_eu_q16: {min_vaild: 14}\n"),
         "instrument_options.hls_eu_q16.min_vaild", "unknown option (did you mean 'min_valid'?); "
                                                    "hls_eu_q16 accepts: min_valid"),
    Case("option_out_of_range", lambda s: s.options("instrument_options:\n  hls_eu_q16: {min_valid: 40}\n"),
         "instrument_options.hls_eu_q16", "option min_valid must be an integer in 1..16, got 40"),
    Case("option_of_a_study_scale", lambda s: s.options("instrument_options:\n  jh_empowerment: {min_valid: 20}\n"),
         "instrument_options.jh_empowerment", "option min_valid must be an integer in 1..8, got 20"),
    Case("option_value_not_a_choice", lambda s: s.options("instrument_options:\n  rand36: {missing_rule: half}\n"),
         "instrument_options.rand36", "option missing_rule='half' is not one of half_scale, any_answered"),
    Case("value_set_typo", lambda s: s.replace("eq5d_value_set: SE_Sun2022", "eq5d_value_set: SE_Sun2O22"),
         "analysis.eq5d_value_set", "'SE_Sun2O22' is not one of SE_Sun2022"),
    Case("outcome_typo", lambda s: s.replace("primary_outcomes: [who5_percent,", "primary_outcomes: [who5_percentt,"),
         "analysis.primary_outcomes[0]", "unknown outcome 'who5_percentt' (did you mean 'who5_percent'?); it would "
                                         "be left out of the analysis"),
    Case("comparison_with_itself", lambda s: s.replace("comparisons: [[T0, T1], [T0, T2]]",
                                                       "comparisons: [[T0, T1], [T2, T2]]"),
         "analysis.comparisons[1]", "compares wave T2 with itself"),
    Case("alias_bomb", lambda s: s.options(BOMB), None,
         "YAML anchors and aliases (&name, *name) are not accepted in configuration files"),
    Case("alias_in_a_scale_file", lambda s: (s.root / "scales" / "jh_empowerment.yaml").write_text(
        (s.root / "scales" / "jh_empowerment.yaml").read_text(encoding="utf-8")
        .replace("reverse: [3, 6]", "reverse: &r [3, 6]\nnotes: *r"), encoding="utf-8"),
         None, "jh_empowerment.yaml, line"),
    Case("incomplete_scale_file", lambda s: (s.root / "scales" / "jh_empowerment.yaml").write_text(
        "id: jh_empowerment\nn_items: 8\n", encoding="utf-8"), None, "key 'codes': required key is missing"),
    Case("wave_file_outside", lambda s: (s.move_out("waves/jh_T0_hosten2023.sav", _outside(s) / "t0.sav"),
                                         s.replace("file: waves/jh_T0_hosten2023.sav", "file: ../elsewhere/t0.sav")),
         "waves[0] (T0).file", "'../elsewhere/t0.sav' is outside the study folder"),
    Case("absolute_wave_file_outside", lambda s: (
        s.move_out("waves/jh_T1_dec2024.sav", _outside(s) / "t1.sav"),
        s.replace("file: waves/jh_T1_dec2024.sav", f"file: {_outside(s) / 't1.sav'}")),
         "waves[1] (T1).file", lambda s: f"'{_outside(s) / 't1.sav'}' is outside the study folder {s.root}"),
    Case("symlinked_wave_file_outside", lambda s: (
        s.move_out("waves/jh_T2_dec2025.sav", _outside(s) / "t2.sav"),
        os.symlink(_outside(s) / "t2.sav", s.root / "waves" / "jh_T2_dec2025.sav")),
         "waves[2] (T2).file", "'waves/jh_T2_dec2025.sav' is outside the study folder"),
    Case("attendance_outside", lambda s: (s.move_out("attendance.csv", _outside(s) / "register.csv"),
                                          s.replace("file: attendance.csv", "file: ../elsewhere/register.csv")),
         "attendance.file", "'../elsewhere/register.csv' is outside the study folder"),
    Case("k_min_cell_below_3", lambda s: s.replace("k_min_cell: 5", "k_min_cell: 2"),
         "publishing.k_min_cell", "2 is below 3: groups of 1, 2 people could be recognised"),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    from tools.example_study import generate_study

    out = tmp_path_factory.mktemp("corpus") / "study"
    generate_study(out, participants=12, seed=14, truth_n=2_000)
    return out


@pytest.fixture
def study(template, tmp_path, monkeypatch) -> Study:
    root = tmp_path / "study"
    shutil.copytree(template, root, symlinks=True)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JH_OUTPUT_ROOT", str(tmp_path / "out"))
    return Study(root)


def _outputs(capsys, *argv) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(list(argv))
    got = capsys.readouterr()
    return code, got.out + got.err


def test_the_template_is_clean(study, capsys):
    code, text = _outputs(capsys, "validate", "--config", str(study.config))
    assert code == 0, text


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_and_run_refuse_with_the_same_message(case, study, tmp_path, capsys):
    case.damage(study)
    message = case.message(study) if callable(case.message) else case.message
    code, validated = _outputs(capsys, "validate", "--config", str(study.config))
    assert code == 1, validated
    code, ran = _outputs(capsys, "run", "--config", str(study.config))
    assert code == 2, ran
    if case.where is None:
        assert message in validated and message in ran, (validated, ran)
    else:
        assert f"variable '{case.where}': {message}" in validated, validated
        assert f"  - {case.where}: {message}" in ran, ran
    # refused before anything was materialised or stored
    assert not (tmp_path / "home" / "history").exists()
    assert not (tmp_path / "out" / "data").exists()


def test_allowed_external_files_and_links_are_reported_not_refused(study, capsys):
    """With ``allow_external_files: true`` the same outside and linked files are accepted,
    and both commands say where they lead (folders only, no data)."""
    outside = study.move_out("waves/jh_T2_dec2025.sav", _outside(study) / "t2.sav")
    os.symlink(outside, study.root / "waves" / "jh_T2_dec2025.sav")
    study.replace("study:\n", "allow_external_files: true\n\nstudy:\n")
    code, validated = _outputs(capsys, "validate", "--config", str(study.config))
    assert code == 0, validated
    note = (f"waves[2] (T2).file: 'waves/jh_T2_dec2025.sav' is outside the study folder (a symbolic link to a "
            f"file in {outside.parent}); allowed by allow_external_files")
    where, message = note.split(": ", 1)
    assert f"note: variable '{where}': {message}" in validated
    from studyconfig.config import config_notices

    assert ("note", note) in config_notices(load_config(study.config))   # printed by `run` before it starts


def test_a_link_inside_the_study_folder_is_noted(study, capsys):
    (study.root / "waves" / "store").mkdir()
    target = study.root / "waves" / "store" / "t1.sav"
    shutil.move(study.root / "waves" / "jh_T1_dec2024.sav", target)
    os.symlink(target, study.root / "waves" / "jh_T1_dec2024.sav")
    code, validated = _outputs(capsys, "validate", "--config", str(study.config))
    assert code == 0, validated
    assert (f"note: variable 'waves[1] (T1).file': 'waves/jh_T1_dec2024.sav' is a symbolic link to a file in "
            f"{target.parent}") in validated


def test_k_min_cell_below_5_warns_in_both(study, capsys):
    study.replace("k_min_cell: 5", "k_min_cell: 4")
    code, validated = _outputs(capsys, "validate", "--config", str(study.config))
    assert code == 0, validated
    assert "warning: variable 'publishing.k_min_cell': 4 is below the advised 5" in validated
    from studyconfig.config import config_notices

    assert ("warning", "publishing.k_min_cell: 4 is below the advised 5: small groups are easier to recognise; "
            "use it only with a reason agreed with the research team") in config_notices(load_config(study.config))
