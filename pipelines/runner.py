"""Run the pipeline like R ``targets``: materialise only what is stale or missing.

Built on Dagster's own APIs (instance, asset graph, stale-status resolver, in-process
execution), not a second orchestrator. The stale wave partitions run side by side, each
its own Dagster run in a forked process (:mod:`pipelines.parallel`); when every wave
passed its blocking checks, the cross-wave assets run together in one more run. A wave's
inputs (file bytes + its configuration section) and the configuration file are compared
with the data versions recorded at the last materialisation, so a changed file re-runs
exactly what depends on it.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from pipelines import parallel
from pipelines.config import PROJECT_ROOT, StudyConfig, config_hash, load_config
from pipelines.locking import exclusive_run
from pipelines.partitions import WAVES, sync_wave_partitions


@dataclass
class Plan:
    """What a run will materialise: per-wave asset keys per partition, then cross-wave keys."""

    waves: dict[str, list[dg.AssetKey]] = field(default_factory=dict)
    cross_wave: list[dg.AssetKey] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(self.waves.values()) and not self.cross_wave

    def describe(self) -> list[str]:
        lines = [f"wave {w}: {', '.join(k.to_user_string() for k in keys)}" for w, keys in self.waves.items() if keys]
        if self.cross_wave:
            lines.append("all waves: " + ", ".join(k.to_user_string() for k in self.cross_wave))
        return lines


@dataclass
class RunReport:
    plan: Plan
    success: bool
    materialised: list[str]
    failed_checks: list[tuple[str, str]]
    errors: list[str]
    warned_checks: list[str] = field(default_factory=list)  # failed checks of WARN severity


def prepare_environment(config_path: str | os.PathLike | None) -> tuple[StudyConfig, Path]:
    """Validate the configuration and point the process at it and at the project instance."""
    path = Path(config_path or os.environ.get("STUDY_CONFIG") or PROJECT_ROOT / "data/example/study.yaml").resolve()
    config = load_config(path)
    os.environ["STUDY_CONFIG"] = str(path)
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text("# local instance: SQLite storage in this folder\ntelemetry:\n  enabled: false\n")
    return config, path


def _latest_data_version(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None) -> str | None:
    from dagster._core.definitions.data_version import extract_data_version_from_entry

    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition] if partition else None), limit=1
    ).records
    if not records:
        return None
    dv = extract_data_version_from_entry(records[0].event_log_entry)
    return dv.value if dv else None


def make_plan(defs: dg.Definitions, instance: dg.DagsterInstance, config: StudyConfig,
              config_path: Path, force: bool = False) -> Plan:
    """Which assets (and wave partitions) are missing or stale."""
    from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
    from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
    from dagster._time import get_current_datetime

    from pipelines import study

    graph = defs.resolve_asset_graph()
    keys = [k for k in graph.toposorted_asset_keys if graph.get(k).is_materializable]
    partitioned = [k for k in keys if graph.get(k).partitions_def is not None]
    unpartitioned = [k for k in keys if graph.get(k).partitions_def is None]
    view = AssetGraphView(temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
                          instance=instance, asset_graph=graph)
    resolver = CachingStaleStatusResolver(instance=instance, asset_graph=graph, loading_context=view)
    plan = Plan()
    raw_keys = {dg.AssetKey("raw_wave"), dg.AssetKey("raw_codebook")}
    changed_raw = {
        w for w in config.wave_ids
        if _latest_data_version(instance, dg.AssetKey("raw_wave"), w) != study.wave_input_version(config, w)
    }
    for w in config.wave_ids:
        todo = []
        for k in partitioned:
            if force or (k in raw_keys and w in changed_raw) or any(graph.get(p).partitions_def is not None
                                                                   and p in todo for p in graph.get(k).parent_keys):
                todo.append(k)
            elif resolver.get_status(k, w) != StaleStatus.FRESH:
                todo.append(k)
        plan.waves[w] = todo
    # a pending wave asset that no cross-wave asset reads (the published codebook) touches nothing
    feeding = set().union(*(graph.get_ancestor_asset_keys(k) for k in unpartitioned))
    touched = bool(changed_raw) or any(k in feeding for ks in plan.waves.values() for k in ks)
    settings_changed = _latest_data_version(instance, dg.AssetKey("study_settings"), None) != config_hash(config_path)
    attendance_changed = False
    if config.attendance is not None:
        from pipelines.ingest import sha256_file

        attendance_changed = (_latest_data_version(instance, dg.AssetKey("attendance"), None)
                              != sha256_file(config.resolve(config.attendance.file)))
    for k in unpartitioned:
        parents = graph.get(k).parent_keys
        if (force or (k.to_user_string() == "study_settings" and settings_changed)
                or (k.to_user_string() == "attendance" and attendance_changed)
                or any(p in plan.cross_wave for p in parents)
                or (touched and any(graph.get(p).partitions_def is not None for p in parents))
                or resolver.get_status(k) != StaleStatus.FRESH):
            plan.cross_wave.append(k)
    return plan


def restrict_plan(plan: Plan, graph, targets: list[str]) -> Plan:
    """Keep only the target assets and their ancestors (e.g. ``evaluation_report``)."""
    keys = {dg.AssetKey.from_user_string(t) for t in targets}
    keep = set(keys)
    for k in keys:
        keep |= set(graph.get_ancestor_asset_keys(k))
    for k in list(keep):  # a multi-asset runs as a whole
        keep |= {s for s in graph.get_execution_set_asset_and_check_keys(k) if isinstance(s, dg.AssetKey)}
    return Plan(waves={w: [k for k in ks if k in keep] for w, ks in plan.waves.items()},
                cross_wave=[k for k in plan.cross_wave if k in keep])


def _blocking_failures(report: RunReport) -> list[str]:
    """Failed checks that stop the pipeline (every severity but WARN)."""
    return [c for c, _ in report.failed_checks if c not in report.warned_checks]


def _merge(report: RunReport, part: RunReport) -> None:
    report.success = report.success and part.success
    report.materialised += part.materialised
    report.failed_checks += part.failed_checks
    report.warned_checks += part.warned_checks
    report.errors += part.errors


def _job_result_summary(result, report: RunReport) -> None:
    for ev in result.all_events:
        if ev.event_type_value == "ASSET_MATERIALIZATION":
            mat = ev.event_specific_data.materialization
            part = f"[{mat.partition}]" if mat.partition else ""
            report.materialised.append(mat.asset_key.to_user_string() + part)
        elif ev.event_type_value == "ASSET_CHECK_EVALUATION":
            e = ev.event_specific_data
            if not e.passed:
                desc = e.description or ""
                name = (f"{e.asset_key.to_user_string()}:{e.check_name}"
                        + (f"[{e.partition}]" if getattr(e, "partition", None) else ""))
                report.failed_checks.append((name, desc))
                if e.severity == dg.AssetCheckSeverity.WARN:
                    report.warned_checks.append(name)
        elif ev.event_type_value == "STEP_FAILURE":
            err = ev.event_specific_data.error
            report.errors.append(f"{ev.step_key}: {_root_message(err)}")


def _root_message(err) -> str:
    while err is not None and err.cause is not None and "DagsterExecutionStepExecutionError" in (err.cls_name or ""):
        err = err.cause
    while err is not None and err.cause is not None and err.cls_name in ("DagsterUserCodeExecutionError",):
        err = err.cause
    if err is None:
        return "unknown error"
    message = err.message.strip()
    # Dagster's serialised message may already start with the (qualified) class name
    message = re.sub(rf"^(?:[\w.]+\.)?{re.escape(err.cls_name or '')}:\s*", "", message)
    return f"{err.cls_name}: {message}"


@exclusive_run  # one run at a time per instance and output root (pipelines/locking.py)
def run(config_path: str | os.PathLike | None = None, force: bool = False, echo=print,
        output_root: str | None = None, log_level: str = "WARNING",
        targets: list[str] | None = None) -> RunReport:
    """Materialise what is stale or missing (everything with ``force``); with ``targets``
    (asset names) only those assets and their stale ancestors."""
    config, path = prepare_environment(config_path)
    if output_root:
        os.environ["JH_OUTPUT_ROOT"] = str(output_root)
    from pipelines.definitions import ASSET_CHECKS, ASSETS, build_resources, defs

    instance = dg.DagsterInstance.get()
    added, removed = sync_wave_partitions(instance, config)
    if added or removed:
        echo(f"wave partitions: added {added or '-'}, removed {removed or '-'}")
    plan = make_plan(defs, instance, config, path, force=force)
    if targets:
        plan = restrict_plan(plan, defs.resolve_asset_graph(), targets)
    report = RunReport(plan=plan, success=True, materialised=[], failed_checks=[], errors=[])
    if plan.empty:
        echo("nothing to do: every asset is up to date")
        return report
    resources = build_resources()
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}

    def materialise(wave: str | None, keys: list[dg.AssetKey]) -> RunReport:
        """One Dagster run (a wave partition, or the cross-wave assets), summarised."""
        part = RunReport(plan=Plan(), success=True, materialised=[], failed_checks=[], errors=[])
        with dg.DagsterInstance.get() as run_instance:  # its own connections, also in a forked worker
            result = dg.materialize(
                [*ASSETS, *ASSET_CHECKS], selection=keys, partition_key=wave, instance=run_instance,
                resources=resources, raise_on_error=False, tags={"jh/trigger": "cli"}, run_config=run_config,
            )
        _job_result_summary(result, part)
        part.success = result.success and not _blocking_failures(part)
        return part

    wave_steps = [(w, keys) for w, keys in plan.waves.items() if keys]
    n_steps = len(wave_steps) + bool(plan.cross_wave)
    for i, (wave, keys) in enumerate(wave_steps, 1):
        echo(f"[{i}/{n_steps}] wave {wave}: {len(keys)} asset(s) …")
    # wave partitions are independent runs: they run side by side (each its own Dagster run,
    # as a backfill would launch them), up to two per core, so that three waves on two cores
    # share both to the end; a failing wave does not stop the others, so every wave's
    # problems are reported at once
    parts = parallel.map_forked(lambda step: materialise(*step), wave_steps, label=lambda step: f"wave {step[0]}",
                                processes=2 * parallel.max_processes() if parallel.max_processes() > 1 else 1)
    for part in parts:
        _merge(report, part)
    if plan.cross_wave and report.success:
        echo(f"[{n_steps}/{n_steps}] all waves: {len(plan.cross_wave)} asset(s) …")
        _merge(report, materialise(None, plan.cross_wave))
    for c, desc in report.failed_checks:
        echo(f"check failed: {c}: {desc}")
    for e in report.errors:
        echo(f"error: {e}")
    echo(("done: " if report.success else "FAILED after: ") + f"{len(report.materialised)} materialisation(s)")
    return report


def main_outputs(config: StudyConfig, output_root: str | None = None) -> list[Path]:
    base = Path(output_root or os.environ.get("JH_OUTPUT_ROOT") or PROJECT_ROOT) / "reports" / str(config.study.evaluation_year)
    return (sorted(base.glob("report*.html")) + sorted(base.glob("report*.docx"))
            + [p for p in (base / "manifest.json", base / "figures", base / "tables") if p.exists()])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0 if run().success else 1)
