"""`status` and `report` on an isolated instance: what is stale, which checks failed, and
the report path per language."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.cli import main


@pytest.mark.slow
def test_report_status_cycle(pipeline_env, capsys):
    cfg = str(pipeline_env.config)
    # nothing materialised yet: everything is missing, no check has run
    assert main(["status", "--config", cfg]) == 0
    out = capsys.readouterr().out
    assert "stale or missing" in out and "wave T0:" in out and "evaluation_report" in out
    assert "0 passed, 0 failed" in out

    # report builds what the report needs and prints the path of the requested language
    assert main(["report", "--lang", "en", "--config", cfg]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    path = Path(lines[-1])
    assert path.name == "report.en.html" and path.exists()
    assert str(path).startswith(str(pipeline_env.out))
    assert any("asset(s)" in line for line in lines)  # progress lines

    assert main(["report", "--lang", "sv", "--config", cfg]) == 0
    assert Path(capsys.readouterr().out.strip().splitlines()[-1]).name == "report.html"

    assert main(["status", "--config", cfg]) == 0
    out = capsys.readouterr().out
    assert "evaluation_report" not in out.split("checks at their latest run")[0]
    assert " 0 failed" in out and "report.en.html" in out

    # a changed wave file makes that wave stale
    wave = pipeline_env.study_dir / "waves/jh_T1_dec2024.sav"
    wave.write_bytes(wave.read_bytes())  # same bytes: still fresh
    assert main(["status", "--config", cfg]) == 0
    assert "wave T1:" not in capsys.readouterr().out


@pytest.mark.slow
def test_status_lists_failed_checks(pipeline_env, sav_edit, capsys):
    sav_edit(pipeline_env.study_dir / "waves/jh_T1_dec2024.sav",
             lambda df: df.__setitem__("studiekod", df["studiekod"].where(df.index != 3, df.loc[2, "studiekod"])))
    assert main(["run", "--config", str(pipeline_env.config)]) == 1
    capsys.readouterr()
    assert main(["status", "--config", str(pipeline_env.config)]) == 0
    out = capsys.readouterr().out
    assert "FAILED (error) harmonised_wave:unique_participant_ids[T1]" in out
    assert "stale or missing" in out


def test_report_language_not_published(small_study, tmp_path, monkeypatch, config_edit, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JH_OUTPUT_ROOT", str(tmp_path / "out"))
    cfg = config_edit(small_study, ("  k_min_cell: 5", "  k_min_cell: 5\n  languages: [sv]"))
    assert main(["report", "--lang", "en", "--config", str(cfg)]) == 2
    assert "publishing.languages" in capsys.readouterr().err


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for cmd in ("run", "validate", "new-wave", "report", "status"):
        assert cmd in out
