"""Cross-wave checks on the panel: one pseudonym format (blocking) and the linkage rate
(warning), as pure functions, as Dagster checks, and blocking a real run."""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pyreadstat
import pytest
import yaml

from pipelines import checks
from pipelines.resources import StudyResource
from survey import ingest
from tools.example_study import rewrite_sav


def _panel(ids_by_wave: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame({"participant_id": [i for ids in ids_by_wave.values() for i in ids],
                         "wave": [w for w, ids in ids_by_wave.items() for _ in ids]})


def test_one_format_passes_and_a_lower_case_wave_fails_without_naming_ids():
    good = _panel({"T0": ["JH-AB12CD", "JH-0000ZZ"], "T1": ["JH-AB12CD"], "T2": ["JH-Q1W2E3"]})
    assert ingest.check_id_format_consistent(good) == []
    result = checks.id_format_consistent(panel=good)
    assert result.passed and result.metadata["n_formats"].value == 1

    bad = _panel({"T0": ["JH-AB12CD", "JH-0000ZZ"], "T1": ["JH-AB12CD"], "T2": ["jh-ab12cd", "jh-q1w2e3"]})
    (problem,) = ingest.check_id_format_consistent(bad)
    assert (problem.file, problem.count, problem.expected, problem.found) == (
        "wave T2", 2, "'XX-XXXXXX'", "'xx-xxxxxx'")  # shapes only: letters are not quoted either
    result = checks.id_format_consistent(panel=bad)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    text = str(result.metadata) + (result.description or "")
    assert "jh-ab12cd" not in text and "JH-AB12CD" not in text


def test_linkage_rate_warns_below_the_configured_floor(small_study):
    config_path = small_study / "study.yaml"
    cfg = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    waves = [w["id"] for w in cfg["waves"]]
    panel = _panel({waves[0]: ["JH-A00001", "JH-A00002", "JH-A00003", "JH-A00004"],
                    waves[1]: ["JH-A00001", "JH-A00002", "JH-A00003"],
                    waves[2]: ["JH-A00001", "JH-B00009"]})
    rates = ingest.linkage_rates(panel, waves[0], waves)
    assert rates["linkage_rate"].tolist() == [0.75, 0.25]

    result = checks.linkage_rate(study_config=StudyResource(config_path=str(config_path)), panel=panel)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["linkage_floor"].value == 0.5
    assert result.metadata[f"linkage_rate/{waves[2]}"].value == 0.25
    assert "1 of 4 baseline participants" in result.description

    cfg["analysis"]["linkage_floor"] = 0.2
    config_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert checks.linkage_rate(study_config=StudyResource(config_path=str(config_path)), panel=panel).passed


@pytest.mark.slow
def test_inconsistent_id_format_stops_the_wave_before_the_panel(pipeline_env):
    """With a pattern that accepts both cases, a lower-case wave passes the ID-format check
    of its own, but the wave's link check (reading the other waves' IDs) stops it before
    anything cross-wave is built; the panel check above stays as the second line."""
    cfg = yaml.safe_load(pipeline_env.config.read_text(encoding="utf-8"))
    cfg["study"]["id_pattern"] = "^[A-Za-z]{2}-[0-9A-Za-z]{6}$"
    pipeline_env.config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    wave = cfg["waves"][2]
    path = pipeline_env.study_dir / wave["file"]
    rewrite_sav(path, lambda df: df.assign(**{wave["id_variable"]: df[wave["id_variable"]].str.lower()}))

    report = pipeline_env.run()
    assert not report.success
    failed = dict(report.failed_checks)
    assert list(failed) == [f"harmonised_wave:linked_to_other_waves[{wave['id']}]"]
    text = failed[f"harmonised_wave:linked_to_other_waves[{wave['id']}]"]
    assert path.name in text and "'JH-XXXXXX'" in text and "'jh-xxxxxx'" in text
    lower = pyreadstat.read_sav(str(path), usecols=[wave["id_variable"]])[0][wave["id_variable"]]
    ids = set(lower) | {i.upper() for i in lower}
    assert not any(i in text for i in ids)
    assert not [m for m in report.materialised if m in ("panel", "recurring_cohort", "prepost_tests",
                                                        "evaluation_report")]
    assert not (pipeline_env.out / "data" / "processed" / "panel.parquet").exists()
