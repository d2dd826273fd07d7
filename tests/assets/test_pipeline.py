"""Asset layer: the whole graph materialised on a small synthetic study in a temporary
folder with its own Dagster instance (one run per session, ``small_run``; the tests that
change or run it again do so on a private copy)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


def test_full_run_writes_report_figures_and_tables(small_run_env):
    pipeline_env = small_run_env
    assert pipeline_env.first.success, pipeline_env.first.lines
    year_dir = pipeline_env.out / "reports" / "2025"
    html = (year_dir / "report.html").read_text(encoding="utf-8")
    assert (year_dir / "report.en.html").exists()
    assert '<img src="figures/change_over_waves_sv.png"' in html
    for ext in ("png", "svg", "pdf"):
        assert (year_dir / "figures" / f"change_over_waves_sv.{ext}").stat().st_size > 1000
    # the pre/post table is in the report and agrees with the tidy table behind it
    tests = pd.read_parquet(pipeline_env.out / "data" / "processed" / "prepost_tests.parquet")
    assert set(tests["test"]) == {"paired_t", "wilcoxon"}
    assert {("T0", "T1"), ("T0", "T2")} <= set(zip(tests["pre"], tests["post"]))
    assert "<table>" in html and "Wilcoxon" in html
    # per-wave intermediate tables exist for every wave partition
    for w in ("T0", "T1", "T2"):
        assert (pipeline_env.out / "data" / "interim" / "scored_wave" / f"{w}.parquet").exists()


def test_the_run_is_the_stage_jobs_one_wave_per_run(small_run_env):
    """The runner executes the jobs of pipelines/jobs.py, as the UI's run list shows them."""
    import dagster as dg

    from pipelines.runner import TAG_TRIGGER

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert len(runs) == 4 and {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
        assert sorted((r.job_name, r.tags.get("dagster/partition")) for r in runs) == [
            ("cross_wave_job", None), ("wave_job", "T0"), ("wave_job", "T1"), ("wave_job", "T2")]
        assert {r.tags[TAG_TRIGGER] for r in runs} == {"cli"}
        cross = next(r for r in runs if r.job_name == "cross_wave_job")
        assert dg.AssetKey("evaluation_report") in cross.asset_selection
        checks = instance.get_records_for_run(cross.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        assert checks.records, "the checks of the selected assets ran with them"


def test_report_contains_no_participant_ids(small_run_env):
    pipeline_env = small_run_env
    ids = set()
    for w in ("T0", "T1", "T2"):
        ids |= set(pd.read_parquet(pipeline_env.out / "data" / "interim" / "harmonised_wave" / f"{w}.parquet")
                   ["participant_id"].dropna())
    assert len(ids) > 50
    for f in (pipeline_env.out / "reports").rglob("*"):
        if f.is_file():
            text = f.read_bytes().decode("latin-1")
            leaked = [i for i in ids if i in text]
            assert not leaked, f"{f.name} contains participant IDs"


def test_rerun_with_nothing_changed_materialises_nothing(copied_small_run):
    """On a copy of a finished run in another folder: nothing records where it lies."""
    again = copied_small_run.run()
    assert again.success and again.materialised == []
    assert "nothing to do" in " ".join(again.lines)


def test_changed_wave_file_reruns_only_what_depends_on_it(copied_small_run):
    pipeline_env = copied_small_run
    import yaml

    cfg = yaml.safe_load(pipeline_env.config.read_text(encoding="utf-8"))
    t2 = pipeline_env.study_dir / cfg["waves"][2]["file"]
    from tools.example_study import rewrite_sav

    id_var = cfg["waves"][2]["id_variable"]
    rewrite_sav(t2, lambda df: df[df[id_var] != df[id_var].iloc[0]])  # one respondent withdrew consent
    again = pipeline_env.run()
    assert again.success, again.lines
    waves = {m.split("[")[1].rstrip("]") for m in again.materialised if "[" in m}
    assert waves == {"T2"}
    assert any(m.startswith("panel") for m in again.materialised)
    assert not any(m.startswith("attendance") or m.startswith("study_settings") for m in again.materialised)


def test_asset_metadata_has_no_row_values(small_run_env):
    pipeline_env = small_run_env
    import dagster as dg

    instance = dg.DagsterInstance.get()
    ids = set(pd.read_parquet(pipeline_env.out / "data" / "interim" / "harmonised_wave" / "T0.parquet")
              ["participant_id"].dropna())
    records = instance.fetch_materializations(dg.AssetKey("raw_wave"), limit=10).records
    assert records
    for key in ("raw_wave", "harmonised_wave", "scored_wave", "panel", "prepost_tests", "recurring_cohort"):
        for rec in instance.fetch_materializations(dg.AssetKey(key), limit=10).records:
            text = str(rec.event_log_entry.asset_materialization.metadata)
            assert not [i for i in ids if i in text], key
    meta = records[0].event_log_entry.asset_materialization.metadata
    assert re.fullmatch(r"[0-9a-f]{64}", meta["sha256"].value)
    assert meta["dagster/row_count"].value > 0
