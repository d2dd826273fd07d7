"""Gates that hold (issue 14): a failed blocking check is sticky.

Run 1 on a wave with a duplicated ID (or WHO-5 coded 1-6) is stopped by a blocking check.
Before the fix, run 2 - nothing changed - materialised everything downstream and published
a report; these tests pin that run 2 refuses, naming the check, its message and what to do;
that ``status`` lists the asset under "blocked" with the last run's outcome; that changing
the input, the configuration or the code re-evaluates the asset; that the disclosure gate on
the report is sticky too; and that Dagster's own automation (the UI path) does not
materialise below a failed blocking check. Failures print one block each, never Dagster's
tracebacks (those go to the log file under ``$DAGSTER_HOME/logs``).
"""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pyreadstat
import pytest
import yaml

from pipelines import cli, runner
from tools.example_study import rewrite_sav

NOISE = ("Traceback", "Stack Trace", "Dependencies for step", "DagsterAssetCheckFailedError", "dagster._core")


def wave(env, wid: str) -> dict:
    cfg = yaml.safe_load(env.config.read_text(encoding="utf-8"))
    return next(w for w in cfg["waves"] if w["id"] == wid)


def duplicate_an_id(env, wid: str = "T0") -> Path:
    w = wave(env, wid)
    path = env.study_dir / w["file"]
    rewrite_sav(path, lambda df: df.__setitem__(w["id_variable"], df[w["id_variable"]].where(
        df.index != 3, df.loc[2, w["id_variable"]])))
    return path


def published(env) -> list[str]:
    """Files a reader finds under reports/ (the staging folder ``.staging`` is not published)."""
    root = env.out / "reports"
    return sorted(p.name for p in root.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))


def status(capsys, env) -> str:
    capsys.readouterr()
    assert cli.main(["status", "--config", str(env.config)]) == 0
    return capsys.readouterr().out


@pytest.mark.slow  # runs the pipeline end to end (make test, not make test-fast)
def test_a_blocked_wave_stays_blocked_until_its_input_changes(pipeline_env, capsys):
    env = pipeline_env
    original = (env.study_dir / wave(env, "T0")["file"]).read_bytes()
    t0 = duplicate_an_id(env)
    first = env.run()
    assert not first.success
    assert "harmonised_wave:unique_participant_ids[T0]" in dict(first.failed_checks)

    # run 2, nothing changed: refused, nothing downstream of T0 materialised, nothing published
    second = env.run()
    assert not any(m.startswith(("panel", "scored_wave[T0]")) for m in second.materialised), second.materialised
    # (the partner surveys do not depend on the waves: their chain may run)
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    below_waves, todo = set(), [dg.AssetKey("raw_wave")]
    while todo:
        k = todo.pop()
        if k not in below_waves:
            below_waves.add(k)
            todo += list(graph.get(k).child_keys)
    names = {k.to_user_string() for k in below_waves}
    assert not [m for m in second.materialised if m.split("[")[0] in names], second.materialised
    assert published(env) == []
    assert not second.success
    assert [(g.label, g.check) for g in second.plan.blocked] == [("harmonised_wave[T0]", "unique_participant_ids")]
    text = "\n".join(second.lines)
    assert "BLOCKED harmonised_wave[T0]: check unique_participant_ids failed" in text
    assert "variable 'participant_id': 1 participant ID(s) occur more than once (2 rows)" in text
    assert "rows 3, 4" in text and "what to do: correct wave T0's file" in text
    assert "held back until the blocked asset(s) pass" in text and "panel" in text
    third = env.run()
    assert not third.success and third.materialised == [] and third.plan.blocked

    out = status(capsys, env)
    assert "last run: REFUSED (blocked)" in out
    assert "refused: harmonised_wave[T0] is blocked by check unique_participant_ids" in out
    assert "\nblocked (a blocking check failed" in out
    assert "\n  harmonised_wave[T0]: check unique_participant_ids failed" in out
    assert "up to date" not in out and "held back" in out

    # any edit of the configuration (or the code) re-evaluates the gate instead of refusing
    from pipelines.definitions import defs
    from studyconfig.config import load_config

    def plan():
        with dg.DagsterInstance.get() as instance:
            return runner.make_plan(defs, instance, load_config(env.config), env.config)

    cfg = env.config.read_text(encoding="utf-8")
    env.config.write_text(cfg.replace("ci_level: 0.95", "ci_level: 0.9"), encoding="utf-8")
    p = plan()
    assert not p.blocked and [g.changed for g in p.reevaluated] == ["the study configuration changed since the check failed"]
    assert dg.AssetKey("harmonised_wave") in p.waves["T0"]
    env.config.write_text(cfg, encoding="utf-8")
    assert [g.label for g in plan().blocked] == ["harmonised_wave[T0]"]

    # the corrected file: re-evaluated; it passes, and T0 is no longer blocked
    t0.write_bytes(original)
    p = plan()
    assert not p.blocked and p.reevaluated and dg.AssetKey("panel") in p.cross_wave
    fixed = runner.run(env.config, echo=lambda _: None, targets=["scored_wave"])
    assert fixed.success, fixed.failures
    assert "scored_wave[T0]" in fixed.materialised
    out = status(capsys, env)
    assert "blocked (" not in out and "last run: succeeded" in out

    # materialised again without its checks (as from the UI): unverified, so re-evaluated
    from pipelines.definitions import ASSET_CHECKS, ASSETS, build_resources

    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([*ASSETS, *ASSET_CHECKS], partition_key="T0", instance=instance,
                                resources=build_resources(), selection=dg.AssetSelection.assets(
                                    "harmonised_wave", "wave_codebook", "item_missingness").without_checks())
    assert result.success
    p = plan()
    assert any(u.startswith("harmonised_wave[T0] (") for u in p.unverified), p.unverified
    assert dg.AssetKey("harmonised_wave") in p.waves["T0"] and dg.AssetKey("scored_wave") in p.waves["T0"]


@pytest.mark.slow  # runs the pipeline end to end (make test, not make test-fast)
def test_who5_coded_1_to_6_is_not_published_by_running_again(pipeline_env, capfd):
    """The issue's scenario through the command line: run 1 exits 1 with one block per
    failed check and no Dagster noise; run 2 (nothing changed) exits 1 again, refusing,
    and writes no report; the tracebacks are in the log file."""
    env = pipeline_env
    w = wave(env, "T1")
    who5 = [raw for raw, item in w["mapping"].items() if item.startswith("who5_")]

    def shift(df):
        for v in who5:
            df[v] = df[v].where(df[v] >= 8, df[v] + 1)   # 0-5 -> 1-6; missing codes 8/9 kept

    path = env.study_dir / w["file"]
    labels = pyreadstat.read_sav(str(path), metadataonly=True)[1].variable_value_labels
    rewrite_sav(path, shift, value_labels={v: {(k + 1 if k < 8 else k): text for k, text in labels[v].items()}
                                           for v in who5})
    cfg = str(env.config)
    assert cli.main(["run", "--config", cfg]) == 1
    first = capfd.readouterr()
    assert not [n for n in NOISE if n in first.out + first.err], first.out + first.err
    assert re.search(r"FAILED check (allowed_codes|codebook_matches_config) on harmonised_wave \[wave T1\]", first.out)
    assert "variable 'vb_1'" in first.out or "vb_1" in first.out
    assert "what to do: correct wave T1's file" in first.out
    log = re.search(r"Dagster's log of this run \(tracebacks\): (\S+)", first.out)
    assert log and Path(log.group(1)).parent == env.root / "dagster_home" / "logs"
    assert "Stack Trace" in Path(log.group(1)).read_text() and "Dependencies for step" in Path(log.group(1)).read_text()

    assert cli.main(["run", "--config", cfg]) == 1
    second = capfd.readouterr()
    assert "BLOCKED harmonised_wave[T1]: check" in second.out
    assert not [n for n in NOISE if n in second.out + second.err]
    assert not [p for p in published(env) if p.startswith("report")]
    assert not (env.out / "data" / "processed" / "panel.parquet").exists()

    # --verbose shows Dagster's own log (here: nothing ran, so only the refusal)
    assert cli.main(["run", "--verbose", "--config", cfg]) == 1
    assert "BLOCKED harmonised_wave[T1]" in capfd.readouterr().out


@pytest.mark.slow
def test_a_report_that_failed_disclosure_stays_blocked(pipeline_env, capsys):
    """A participant pseudonym in the English category labels puts it into the English
    report: report_disclosure fails. Before the fix the next run said "nothing to do"."""
    env = pipeline_env
    df, _ = pyreadstat.read_sav(str(env.study_dir / wave(env, "T0")["file"]))
    pseudonym = str(df[wave(env, "T0")["id_variable"]].iloc[0])
    text = env.config.read_text(encoding="utf-8")
    assert '"Women\'s health"' in text
    env.config.write_text(text.replace('"Women\'s health"', f'"{pseudonym}"'), encoding="utf-8")
    first = env.run()
    assert not first.success
    assert any(c.startswith("evaluation_report:report_disclosure") for c, _ in first.failed_checks)
    second = env.run()
    assert not second.success and second.materialised == []
    assert [(g.label, g.check) for g in second.plan.blocked] == [("evaluation_report", "report_disclosure")]
    assert "what to do: a published file would show" in "\n".join(second.lines)
    assert pseudonym not in "\n".join(second.lines)
    out = status(capsys, env)
    assert "evaluation_report: check report_disclosure failed" in out and pseudonym not in out
    # the UI path: published_release launched on its own (cross_wave_job's launchpad) stops at the gate
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("cross_wave_job").execute_in_process(
            asset_selection=[dg.AssetKey("published_release")], instance=instance, raise_on_error=False)
    errors = [e.event_specific_data.error.to_string() for e in result.all_events if e.is_step_failure]
    assert not result.success and len(errors) == 1, errors
    assert "evaluation_report:report_disclosure failed" in errors[0] and pseudonym not in errors[0]
    assert published(env) == []


@pytest.mark.slow
def test_automation_does_not_materialise_below_a_failed_blocking_check(pipeline_env, tmp_path, partitions_read_once):
    """The UI/daemon path. Dagster's evaluator requests every automated asset once all
    waves are materialised, once (not on every tick), and again when a wave changes; it
    must not request ``panel`` while a wave's ``harmonised_wave`` check is failed, even
    when another wave was updated (which makes plain ``eager()`` fire with the failed
    wave's older ``scored_wave``). One scenario for both promises: each needs the inputs
    and three waves materialised."""
    from pipelines.definitions import ASSET_CHECKS, ASSETS, build_resources, defs
    from pipelines.sensors import INPUT_ASSETS, INPUT_COMPANIONS, WAVE_ASSET_KEYS

    graph = defs.resolve_asset_graph()
    automated = {k for k in graph.materializable_asset_keys if graph.get(k).automation_condition is not None}
    assert dg.AssetKey("panel") in automated and dg.AssetKey("figure_participant_flow") in automated
    # the annual report and its release are built on request only: they never change by themselves
    assert not automated & {dg.AssetKey("evaluation_report"), dg.AssetKey("published_release")}
    assert not automated & (set(WAVE_ASSET_KEYS) | set(INPUT_ASSETS.values()))

    (tmp_path / "auto_home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "auto_home")) as instance:
        partitions_read_once(instance)
        def materialise(keys, partition=None):
            return dg.materialize([*ASSETS, *ASSET_CHECKS], selection=keys, partition_key=partition,
                                  instance=instance, resources=build_resources(), raise_on_error=False)

        instance.add_dynamic_partitions("wave", ["T0", "T1", "T2"])
        start = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert start.total_requested == 0                             # waves missing: nothing to follow yet
        assert materialise([*INPUT_ASSETS.values(), *[k for ks in INPUT_COMPANIONS.values() for k in ks]]).success
        for w in ("T0", "T1", "T2"):
            assert materialise(WAVE_ASSET_KEYS, w).success
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=start.cursor)
        assert {k for k in automated if first.get_num_requested(k)} == automated   # all waves passed: all follow
        assert all(first.get_num_requested(k) == 1 for k in automated)
        idle = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
        assert idle.total_requested == 0                              # requested once, not on every tick

        t0 = pipeline_env.study_dir / wave(pipeline_env, "T0")["file"]
        original = t0.read_bytes()
        duplicate_an_id(pipeline_env, "T0")
        assert not materialise(WAVE_ASSET_KEYS, "T0").success        # the gate fails; scored_wave[T0] is old
        assert materialise(WAVE_ASSET_KEYS, "T2").success            # another wave is updated
        after = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=idle.cursor)
        assert after.get_num_requested(dg.AssetKey("panel")) == 0
        assert after.total_requested == 0

        t0.write_bytes(original)                                      # T0 corrected
        assert materialise(WAVE_ASSET_KEYS, "T0").success
        fixed = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=after.cursor)
        assert fixed.get_num_requested(dg.AssetKey("panel")) == 1  # the gate opened: panel follows
