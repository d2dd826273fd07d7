"""Run the pipeline like R ``targets``: materialise only what is stale or missing - and
never what a failed gate holds back.

Built on Dagster's own APIs (instance, asset graph, stale-status resolver, the stage jobs
of :mod:`pipelines.jobs` executed in process with the stale assets as their selection),
not a second orchestrator; the few private Dagster APIs it needs are in
:mod:`pipelines._dagster_adapter`. The stale wave partitions run side by side, each its
own run of ``wave_job`` in a forked process (:mod:`pipelines.parallel`); when every wave
passed its blocking checks, the cross-wave assets run together in one run of
``cross_wave_job``. A wave's inputs (file bytes + its configuration section) and the
configuration file are compared with the data versions recorded at the last
materialisation, so a changed file re-runs exactly what depends on it.

Three rules make "up to date" mean what it says (:func:`make_plan`):

**A failed blocking check is sticky.** An asset (per wave for the per-wave assets) whose
blocking check failed on its latest materialisation counts as *not materialised* for every
consumer. If its input, the study configuration or the code changed since the check
failed, the run re-evaluates it (the asset and its checks); if nothing changed, the run
refuses, naming the check, its message and what to fix, and runs nothing downstream of
it (:class:`Gate`). Whether something changed is decided by Dagster's stale status, the
input versions, and the configuration hash and code fingerprint that every run of this
runner records as tags (:data:`TAG_CONFIG`, :data:`TAG_CODE`).

**Checks that did not complete count as not run.** An asset whose blocking check never
finished on its latest materialisation (killed run, crashed check, materialised again
without its checks) is re-evaluated.

**Stored data are verified, not assumed.** Every file the parquet IO manager wrote is
compared with the size and sha256 recorded at write time
(:func:`pipelines.io_managers.stored_file_problem`); a missing or changed file makes its
asset stale, and it is rebuilt with everything downstream.

The command line prints one short block per failed check or step; Dagster's own log
(tracebacks, "Dependencies for step ... failed") goes to a log file under
``$DAGSTER_HOME/logs/`` (:func:`log_dir`), and the outcome of the run to
``$DAGSTER_HOME/jh-last-run.json`` (:func:`last_run`), which ``status`` shows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import dagster as dg

from pipelines import _dagster_adapter as dagster_api
from pipelines import parallel
from pipelines.locking import dagster_home, exclusive_run
from pipelines.partitions import sync_wave_partitions
from studyconfig.config import PROJECT_ROOT, StudyConfig, config_hash, config_notices, load_config

#: tags on every Dagster run this runner starts
TAG_TRIGGER, TAG_INVOCATION = "jh/trigger", "jh/invocation"
#: the study configuration's sha256 and the code fingerprint when the run started: a failed
#: blocking check is re-evaluated only when one of them (or the asset's input) changed
TAG_CONFIG, TAG_CODE = "jh/config_sha256", "jh/code_fingerprint"

#: log files of the last runs kept in ``$DAGSTER_HOME/logs``
KEEP_LOGS = 30
LAST_RUN_FILE = "jh-last-run.json"

_RAW = (dg.AssetKey("raw_wave"), dg.AssetKey("raw_codebook"))
_SETTINGS, _ATTENDANCE = dg.AssetKey("study_settings"), dg.AssetKey("attendance")
_REPORT = dg.AssetKey("evaluation_report")
_PARTNERS = (dg.AssetKey("raw_partner_surveys"), dg.AssetKey("partner_codebook"))
_DISCLOSURE_CHECKS = ("published_tables_disclosure", "report_disclosure")

Node = tuple[dg.AssetKey, "str | None"]


def node_label(key: dg.AssetKey | str, partition: str | None) -> str:
    """``asset[partition]`` or ``asset``.

    Examples
    --------
    >>> node_label("harmonised_wave", "T0"), node_label(dg.AssetKey("panel"), None)
    ('harmonised_wave[T0]', 'panel')
    """
    name = key.to_user_string() if isinstance(key, dg.AssetKey) else key
    return f"{name}[{partition}]" if partition else name


def code_fingerprint() -> str:
    """A hash of the code that computes and checks the assets (``pipelines``, ``instruments``,
    ``analysis``): a failed blocking check is re-evaluated after any code change."""
    from pipelines.versioning import code_version

    return code_version("pipelines", "instruments", "analysis")


def what_to_do(check: str, partition: str | None) -> str:
    """The fix to suggest for a failed blocking check (one sentence).

    Examples
    --------
    >>> what_to_do("unique_participant_ids", "T0").startswith("correct wave T0's file")
    True
    """
    if check in _DISCLOSURE_CHECKS:
        return ("a published file would show a count below publishing.k_min_cell or a pseudonym, so the "
                "report is not published; correct the table, figure or setting the message names, then run again")
    if check == "id_format_consistent":
        return ("give the participant IDs of all waves one format (the message names the waves), correct those "
                "wave files, then run again")
    if partition:
        return (f"correct wave {partition}'s file, or its section in study.yaml (mapping, missing_codes, "
                "id_variable, instruments), then run again; `python -m pipelines validate` lists every problem")
    return "correct the input or the setting in study.yaml the message names, then run again"


@dataclass
class Gate:
    """A blocking check that failed on an asset's latest materialisation."""

    asset: str
    partition: str | None
    check: str
    description: str
    when: float
    #: why it is re-evaluated by this run (input, configuration or code changed), or
    #: ``None``: nothing changed, so the run refuses
    changed: str | None = None

    @property
    def label(self) -> str:
        return node_label(self.asset, self.partition)

    @property
    def hint(self) -> str:
        return what_to_do(self.check, self.partition)

    def block(self) -> str:
        """The refusal, as printed by ``run`` and ``status`` (no data values: the check's
        own description names file, variable, rows and kind of problem)."""
        when = dt.datetime.fromtimestamp(self.when).astimezone().strftime("%Y-%m-%d %H:%M")
        return (f"BLOCKED {self.label}: check {self.check} failed ({when}) and nothing it depends on has changed "
                f"since\n  {self.description or 'see the check in the Dagster UI'}\n  what to do: {self.hint}")


@dataclass
class StoredProblem:
    """A stored file that does not match what its materialisation recorded."""

    asset: str
    partition: str | None
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{node_label(self.asset, self.partition)}: {self.path}: {self.problem}"


@dataclass
class Plan:
    """What a run will materialise: per-wave asset keys per partition, then cross-wave keys,
    and what it will not: blocked assets and what they hold back."""

    waves: dict[str, list[dg.AssetKey]] = field(default_factory=dict)
    cross_wave: list[dg.AssetKey] = field(default_factory=list)
    #: failed blocking checks with nothing changed: refused, nothing downstream runs
    blocked: list[Gate] = field(default_factory=list)
    #: failed blocking checks whose input, configuration or code changed: re-evaluated
    reevaluated: list[Gate] = field(default_factory=list)
    #: assets whose blocking checks did not complete on the latest materialisation
    unverified: list[str] = field(default_factory=list)
    #: stored files missing or changed since they were written
    stored: list[StoredProblem] = field(default_factory=list)
    #: stale or missing assets not run because they are downstream of a blocked asset
    held_back: list[str] = field(default_factory=list)
    #: why each asset that starts a rebuild is in the plan (node label -> reason); what
    #: runs only because it is downstream of one of these is not listed
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Nothing to materialise (blocked assets may remain: see :attr:`blocked`)."""
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
    #: the printed blocks, one per failure (what ``status`` shows as the last run's outcome)
    failures: list[str] = field(default_factory=list)
    #: steps Dagster did not run because a step they depend on failed
    skipped: int = 0
    #: Dagster's log of this run's Dagster runs (written to :attr:`log_file`)
    log_lines: list[str] = field(default_factory=list)
    log_file: str | None = None
    run_ids: list[str] = field(default_factory=list)


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
    return dagster_api.data_version_of(dagster_api.latest_materialisation(instance, key, partition))


# -- planning ------------------------------------------------------------------------------------


class _Graph:
    """The materialisable asset graph as (asset, wave) nodes."""

    def __init__(self, graph, wave_ids: list[str]):
        self.graph = graph
        self.waves = list(wave_ids)
        self.keys = [k for k in graph.toposorted_asset_keys if graph.get(k).is_materializable]
        self.partitioned = {k for k in self.keys if graph.get(k).partitions_def is not None}
        self.nodes: list[Node] = [(k, w) for k in self.keys for w in self.partitions(k)]

    def partitions(self, key: dg.AssetKey) -> list[str | None]:
        return list(self.waves) if key in self.partitioned else [None]

    def children(self, node: Node) -> list[Node]:
        key, part = node
        out: list[Node] = []
        for c in self.graph.get(key).child_keys:
            if not self.graph.get(c).is_materializable:
                continue
            if c in self.partitioned:
                out += [(c, part)] if part is not None else [(c, w) for w in self.waves]
            else:
                out.append((c, None))
        return out

    def siblings(self, node: Node) -> list[Node]:
        """The other outputs of the same (multi-)asset: they run as a whole."""
        key, part = node
        return [(k, part) for k in self.graph.get_execution_set_asset_and_check_keys(key)
                if isinstance(k, dg.AssetKey) and k != key]

    def closure(self, start) -> set[Node]:
        """``start`` with every descendant and every co-output, to a fixpoint."""
        seen = set(start)
        stack = list(start)
        while stack:
            n = stack.pop()
            for m in [*self.children(n), *self.siblings(n)]:
                if m not in seen:
                    seen.add(m)
                    stack.append(m)
        return seen

    def blocking_checks(self, key: dg.AssetKey) -> list[dg.AssetCheckKey]:
        node = self.graph.get(key)
        return sorted((ck for ck in node.check_keys if self.graph.get_check_spec(ck).blocking),
                      key=lambda ck: ck.name)


def _gate_fingerprint_change(instance: dg.DagsterInstance, run_id: str, config_sha: str, code: str) -> str | None:
    """What changed since the run in which a check failed, or ``None`` if nothing did."""
    run = instance.get_run_by_id(run_id)
    tags = run.tags if run is not None else {}
    if TAG_CONFIG not in tags or TAG_CODE not in tags:
        return "the check ran outside `python -m pipelines run` (Dagster UI or automation): evaluated again"
    changed = [what for what, tag, now in (("the study configuration", TAG_CONFIG, config_sha),
                                           ("the code", TAG_CODE, code)) if tags[tag] != now]
    return f"{' and '.join(changed)} changed since the check failed" if changed else None


def make_plan(defs: dg.Definitions, instance: dg.DagsterInstance, config: StudyConfig,
              config_path: Path, force: bool = False) -> Plan:
    """What a run materialises, what it re-evaluates and what it refuses (see the module
    docstring for the rules)."""
    from pipelines.io_managers import STAGES, STORED_BYTES, STORED_SHA256, stored_file_problem, stored_path
    from pipelines.resources import ProjectPaths
    from survey import study

    g = _Graph(defs.resolve_asset_graph(), config.wave_ids)
    latest = {n: dagster_api.latest_materialisation(instance, *n) for n in g.nodes}
    stale = dagster_api.staleness(instance, g.graph)
    todo: dict[Node, str] = {}

    def mark(node: Node, why: str) -> None:
        todo.setdefault(node, why)

    # 1. inputs: wave files with their configuration, the configuration file, the register
    for w in config.wave_ids:
        if dagster_api.data_version_of(latest[(_RAW[0], w)]) != study.wave_input_version(config, w):
            for k in _RAW:
                mark((k, w), "the wave file or its configuration changed" if latest[(k, w)] else "not materialised yet")
    config_sha = config_hash(config_path)
    if dagster_api.data_version_of(latest[(_SETTINGS, None)]) != config_sha:
        mark((_SETTINGS, None), "study.yaml changed")
    if config.attendance is not None:
        from survey.ingest import sha256_file

        register = config.resolve(config.attendance.file)
        digest = sha256_file(register) if register.exists() else "missing"
        if dagster_api.data_version_of(latest[(_ATTENDANCE, None)]) != digest:
            mark((_ATTENDANCE, None), "the attendance register changed")
    if config.partner_surveys or latest.get((_PARTNERS[0], None)) is not None:
        from survey.partner_surveys import input_version as partner_input_version

        if dagster_api.data_version_of(latest[(_PARTNERS[0], None)]) != partner_input_version(config):
            for k in _PARTNERS:
                mark((k, None), "a partner survey file or its configuration changed")

    # the report's own inputs: its front matter and the researchers' Markdown texts
    report_rec = latest.get((_REPORT, None))
    if report_rec is not None and report_rec.asset_materialization is not None:
        from publishing.texts import TEXTS_VERSION, texts_version

        recorded = report_rec.asset_materialization.metadata.get(TEXTS_VERSION)
        if recorded is None or recorded.value != texts_version(config):
            mark((_REPORT, None), "the report's texts or front matter changed")

    # 2. Dagster's stale status (missing, code version or an input's data version changed)
    for n in g.nodes:
        if force:
            mark(n, "--all")
        elif latest[n] is None:
            mark(n, "not materialised yet")
        elif n not in todo and not stale.is_fresh(*n):
            mark(n, "stale: " + ("; ".join(stale.causes(*n)) or "an input or the code changed"))

    # 3. stored files verified against what was recorded when they were written
    paths = ProjectPaths()
    plan = Plan()
    for n in g.nodes:
        rec = latest[n]
        if rec is None or rec.asset_materialization is None:
            continue
        meta = rec.asset_materialization.metadata
        legacy = "path" in meta and str(meta["path"].value).endswith(".parquet")  # written before sizes were recorded
        if STORED_SHA256 not in meta and not legacy:
            continue  # not stored by the parquet IO manager (figures, report: MaterializeResult)
        stage = STAGES.get(getattr(g.graph.get(n[0]), "io_manager_key", None) or "io_manager", "processed")
        # the file the IO manager would read now (under the current output root), compared
        # with the size and hash recorded when it was written
        expected = stored_path(getattr(paths, stage), list(n[0].path), n[1])
        problem = stored_file_problem(
            expected, meta[STORED_BYTES].value if STORED_BYTES in meta else None,
            meta[STORED_SHA256].value if STORED_SHA256 in meta else None)
        if problem is not None:
            plan.stored.append(StoredProblem(n[0].to_user_string(), n[1], str(expected), problem))
            todo[n] = f"stored file {problem}"

    # 4. blocking checks on the latest materialisations
    gates: list[tuple[Node, Gate]] = []
    by_partition: dict[str | None, list[dg.AssetCheckKey]] = {}
    for k in g.keys:
        for part in g.partitions(k):
            by_partition.setdefault(part, []).extend(g.blocking_checks(k))
    executions = {part: dagster_api.latest_check_executions(instance, sorted(set(keys), key=str), part)
                  for part, keys in by_partition.items() if keys}
    code = code_fingerprint()
    for n in g.nodes:
        rec = latest[n]
        checks = g.blocking_checks(n[0])
        if rec is None or not checks:
            continue
        incomplete = []
        for ck in checks:
            e = executions.get(n[1], {}).get(ck)
            if e is None or e.status == "planned" or not dagster_api.evaluated_latest(e, rec):
                incomplete.append(ck.name)
            elif e.status == "failed" and e.severity != "WARN":
                gates.append((n, Gate(n[0].to_user_string(), n[1], ck.name, e.description or "", e.timestamp,
                                      changed=_gate_fingerprint_change(instance, e.run_id, config_sha, code))))
        if incomplete:
            plan.unverified.append(f"{node_label(*n)} ({', '.join(incomplete)})")
            mark(n, f"blocking check(s) {', '.join(incomplete)} did not complete on the latest materialisation")

    plan.reasons = {node_label(*n): why for n, why in todo.items()}
    run_set = g.closure(todo)
    blocked_nodes = set()
    for n, gate in gates:
        if gate.changed is None and n in run_set:
            gate.changed = todo.get(n) or "an input it depends on changed"
        if gate.changed is not None:
            plan.reevaluated.append(gate)
            run_set |= g.closure([n])
        else:
            plan.blocked.append(gate)
            blocked_nodes.add(n)
    # everything downstream of a blocked asset waits for it (the blocked asset itself and its
    # co-outputs are materialised already: they are not run again either)
    held = g.closure(blocked_nodes)
    downstream = {m for n in blocked_nodes for m in g.closure(g.children(n))}
    plan.held_back = [node_label(*n) for n in g.nodes if n in downstream and n in run_set]
    run_set -= held
    for w in config.wave_ids:
        plan.waves[w] = [k for k in g.keys if k in g.partitioned and (k, w) in run_set]
    plan.cross_wave = [k for k in g.keys if k not in g.partitioned and (k, None) in run_set]
    return plan


def restrict_plan(plan: Plan, graph, targets: list[str]) -> Plan:
    """Keep only the target assets and their ancestors (e.g. ``evaluation_report``)."""
    keys = {dg.AssetKey.from_user_string(t) for t in targets}
    keep = set(keys)
    for k in keys:
        keep |= set(graph.get_ancestor_asset_keys(k))
    for k in list(keep):  # a multi-asset runs as a whole
        keep |= {s for s in graph.get_execution_set_asset_and_check_keys(k) if isinstance(s, dg.AssetKey)}
    names = {k.to_user_string() for k in keep}
    return Plan(waves={w: [k for k in ks if k in keep] for w, ks in plan.waves.items()},
                cross_wave=[k for k in plan.cross_wave if k in keep],
                blocked=[b for b in plan.blocked if b.asset in names],
                reevaluated=[b for b in plan.reevaluated if b.asset in names],
                unverified=[u for u in plan.unverified if u.split("[")[0].split(" ")[0] in names],
                stored=[s for s in plan.stored if s.asset in names],
                held_back=[h for h in plan.held_back if h.split("[")[0] in names])


# -- running ---------------------------------------------------------------------------------------


def _blocking_failures(report: RunReport) -> list[str]:
    """Failed checks that stop the pipeline (every severity but WARN)."""
    return [c for c, _ in report.failed_checks if c not in report.warned_checks]


def _merge(report: RunReport, part: RunReport) -> None:
    report.success = report.success and part.success
    report.materialised += part.materialised
    report.failed_checks += part.failed_checks
    report.warned_checks += part.warned_checks
    report.errors += part.errors
    report.skipped += part.skipped
    report.log_lines += part.log_lines
    report.run_ids += part.run_ids


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
        elif ev.event_type_value == "STEP_SKIPPED":
            report.skipped += 1


def _root_message(err) -> str:
    import re

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


def _dagster_log(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """Dagster's log of one run as text lines (what its console logger prints at INFO,
    tracebacks included), for the log file."""
    lines = [f"--- Dagster run {run_id} ---"]
    for entry in instance.all_logs(run_id):
        if cast(int, entry.level) < 20:  # below INFO (typed ``str | int``; Dagster records the numeric level)
            continue
        ts = dt.datetime.fromtimestamp(entry.timestamp).astimezone().strftime("%H:%M:%S")
        ev = entry.dagster_event
        what = ev.event_type_value if ev is not None else "LOG"
        step = f" {entry.step_key}" if entry.step_key else ""
        lines.append(f"{ts} {what}{step}: {entry.user_message or (ev.message if ev is not None else '')}".rstrip())
        err = getattr(ev.event_specific_data, "error", None) if ev is not None else None
        if err is not None:
            lines.append(err.to_string().rstrip())
    return lines


def _check_name(name: str) -> tuple[str, str, str | None]:
    """``asset:check[part]`` -> (asset, check, part)."""
    part = None
    if name.endswith("]") and "[" in name:
        name, part = name[:-1].split("[", 1)
    asset, _, check = name.partition(":")
    return asset, check, part


def failure_blocks(report: RunReport, log_file: str | None) -> tuple[list[str], list[str]]:
    """(blocks, one-line summaries) for every failed blocking check and failed step of a run.

    A block reads like ``validate``: what failed, the check's own message (file, variable,
    rows, kind of problem; never a value), what to do. Step failures that only say "a
    blocking check failed" are left out (the check's own block says it); steps Dagster
    did not run because of them are counted, not listed.
    """
    blocks, summary = [], []
    for name, desc in report.failed_checks:
        if name in report.warned_checks:
            continue
        asset, check, part = _check_name(name)
        where = f"{asset} [wave {part}]" if part else asset
        blocks.append(f"FAILED check {check} on {where}\n  {desc or 'see the check in the Dagster UI'}\n"
                      f"  what to do: {what_to_do(check, part)}")
        summary.append(f"check {check} on {node_label(asset, part)} failed: {desc}")
    details = (f"the traceback is in {log_file} (`--verbose` prints it)" if log_file
               else "run again with --verbose for the traceback")
    for err in report.errors:
        step, _, message = err.partition(": ")
        if message.startswith("DagsterAssetCheckFailedError"):
            continue
        known = message.split(":", 1)[0] in ("WaveError", "IdentifierError", "ConfigError", "StorageError",
                                             "ItemError", "OptionError", "SpecError", "UnknownInstrumentError")
        todo = ("correct what the message names, then run again; " if known
                else "this is not a known input problem; ") + details
        blocks.append(f"FAILED step {step}\n  {message}\n  what to do: {todo}")
        summary.append(f"step {step} failed: {message}")
    for gate in report.plan.blocked:
        blocks.append(gate.block())
        summary.append(f"refused: {gate.label} is blocked by check {gate.check}: {gate.description}")
    return blocks, summary


def log_dir() -> Path:
    """``$DAGSTER_HOME/logs``: one log file per ``run``/``report``, the last :data:`KEEP_LOGS` kept."""
    return dagster_home() / "logs"


def _write_log(lines: list[str], path: Path) -> bool:
    """Write a run's log file and keep only the last :data:`KEEP_LOGS`; ``False`` if it
    cannot be written (the run's outcome does not depend on its log)."""
    from survey.fsutil import atomic_write_text

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, "\n".join(lines) + "\n")
        for old in sorted(path.parent.glob("run-*.log"))[:-KEEP_LOGS]:
            old.unlink(missing_ok=True)
        return True
    except OSError:
        return False


def last_run(home: Path | None = None) -> dict | None:
    """The outcome of the last ``python -m pipelines run``/``report`` on this instance, or
    ``None``: ``outcome`` (``success``, ``failed``, ``refused``, ``nothing to do`` or
    ``running``; a ``running`` record whose process is gone reads ``interrupted``),
    ``started``, ``finished``, ``config``, ``pid``, ``failures`` (one line each) and ``log``."""
    path = (home or dagster_home()) / LAST_RUN_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict):
        return None
    if info.get("outcome") == "running":
        try:
            os.kill(int(info.get("pid", -1)), 0)
        except (ProcessLookupError, ValueError, TypeError):
            info["outcome"] = "interrupted"
            info.setdefault("failures", []).append("the run's process ended before it finished (killed or crashed)")
        except PermissionError:
            pass
    return info


def _write_last_run(info: dict) -> None:
    from survey.fsutil import atomic_write_text

    try:
        atomic_write_text(dagster_home() / LAST_RUN_FILE, json.dumps(info, indent=1) + "\n")
    except OSError:
        pass


@exclusive_run  # one run at a time per instance and output root (pipelines/locking.py)
def run(config_path: str | os.PathLike | None = None, force: bool = False, echo=print,
        output_root: str | None = None, log_level: str = "CRITICAL",
        targets: list[str] | None = None) -> RunReport:
    """Materialise what is stale or missing (everything with ``force``); with ``targets``
    (asset names) only those assets and their stale ancestors.

    Assets behind a failed blocking check are re-evaluated when something they depend on
    changed, else refused (module docstring). ``log_level`` is the level of Dagster's
    console log (default: silent; the command line's ``--verbose`` passes ``INFO``);
    Dagster's log is written to a file under :func:`log_dir` either way.
    """
    started = dt.datetime.now().astimezone()
    config, path = prepare_environment(config_path)
    if output_root:
        os.environ["JH_OUTPUT_ROOT"] = str(output_root)
    printed: list[str] = []

    def say(line: str) -> None:
        printed.append(line)
        echo(line)

    for severity, text in config_notices(config):
        say(f"{severity}: {text}")
    info = {"outcome": "running", "pid": os.getpid(), "started": started.isoformat(timespec="seconds"),
            "config": str(path), "command": "report" if targets else ("run --all" if force else "run")}
    _write_last_run(info)
    log_path = log_dir() / f"run-{started:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    plan = Plan()
    report = RunReport(plan=plan, success=False, materialised=[], failed_checks=[], errors=[])
    try:
        from pipelines.definitions import defs
        from pipelines.resources import ProjectPaths
        from publishing import release

        # a release interrupted between its two renames is completed or rolled back first
        for note in release.recover(ProjectPaths().reports, config.study.evaluation_year):
            say(note)
        instance = dg.DagsterInstance.get()
        added, removed = sync_wave_partitions(instance, config)
        if added or removed:
            say(f"wave partitions: added {added or '-'}, removed {removed or '-'}")
        plan = make_plan(defs, instance, config, path, force=force)
        if targets:
            plan = restrict_plan(plan, defs.resolve_asset_graph(), targets)
        report.plan, report.success = plan, not plan.blocked
        for p in plan.stored:
            say(f"stored data missing or changed, rebuilt: {p}")
        for gate in plan.reevaluated:
            say(f"re-evaluating {gate.label} (its check {gate.check} failed before; {gate.changed})")
        if plan.empty and not plan.blocked:
            say("nothing to do: every asset is up to date")
            info["outcome"] = "nothing to do"
            return report
        _execute(plan, report, config, path, say, log_level, defs)
    except BaseException as exc:
        report.success = False
        report.errors.append(f"python -m pipelines: {type(exc).__name__}: {exc}")
        raise
    finally:
        if info["outcome"] == "running":
            will_log = bool(report.run_ids)  # Dagster ran something: keep its log
            blocks, summary = failure_blocks(report, str(log_path) if will_log else None)
            report.failures = summary
            lines = []
            for c in report.warned_checks:
                asset, check, part = _check_name(c)
                lines.append(f"warning: check {check} on {node_label(asset, part)}: "
                             f"{dict(report.failed_checks).get(c, '')}")
            lines += blocks
            if report.skipped:
                lines.append(f"not run because of the failures above: {report.skipped} step(s)")
            if plan.held_back:
                lines.append(f"held back until the blocked asset(s) pass: {len(plan.held_back)} asset(s), e.g. "
                             + ", ".join(plan.held_back[:5]))
            if will_log and _write_log([f"python -m pipelines {info['command']} --config {path}",
                                        f"started {info['started']}", *printed, *lines, *report.log_lines],
                                       log_path):
                report.log_file = str(log_path)
                if not report.success:
                    lines.append(f"Dagster's log of this run (tracebacks): {report.log_file}")
            lines.append(("done: " if report.success else "FAILED after: ")
                         + f"{len(report.materialised)} materialisation(s)")
            for line in lines:
                say(line)
            others = [s for s in summary if not s.startswith("refused:")]
            info["outcome"] = ("success" if report.success else
                               "refused" if plan.blocked and not others and not report.materialised else "failed")
            info.update(failures=summary, log=report.log_file, materialised=len(report.materialised))
        info["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        _write_last_run(info)
    return report


def _execute(plan: Plan, report: RunReport, config: StudyConfig, path: Path, say, log_level: str,
             defs: dg.Definitions) -> None:
    """Materialise the plan: one run of ``wave_job`` per stale wave (side by side), then one of
    ``cross_wave_job`` (:mod:`pipelines.jobs`), each with the plan's assets as its selection."""
    from pipelines.jobs import CROSS_WAVE_JOB, WAVE_JOB

    jobs = {WAVE_JOB: defs.resolve_job_def(WAVE_JOB), CROSS_WAVE_JOB: defs.resolve_job_def(CROSS_WAVE_JOB)}
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    tags = {TAG_TRIGGER: "cli", TAG_INVOCATION: uuid.uuid4().hex, TAG_CONFIG: config_hash(path),
            TAG_CODE: code_fingerprint()}

    def materialise(wave: str | None, keys: list[dg.AssetKey]) -> RunReport:
        """One Dagster run (a wave partition, or the cross-wave assets), summarised."""
        part = RunReport(plan=Plan(), success=True, materialised=[], failed_checks=[], errors=[])
        # its own connections, also in a forked worker; pooled for the run (the local SQLite event log)
        with dg.DagsterInstance.get() as run_instance, dagster_api.pooled_sqlite_events(run_instance):
            result = jobs[WAVE_JOB if wave else CROSS_WAVE_JOB].execute_in_process(
                asset_selection=keys, partition_key=wave, instance=run_instance,
                raise_on_error=False, tags=tags, run_config=run_config,
            )
            part.log_lines = _dagster_log(run_instance, result.run_id)
        part.run_ids.append(result.run_id)
        _job_result_summary(result, part)
        part.success = result.success and not _blocking_failures(part)
        return part

    wave_steps = [(w, keys) for w, keys in plan.waves.items() if keys]
    n_steps = len(wave_steps) + bool(plan.cross_wave)
    for i, (wave, keys) in enumerate(wave_steps, 1):
        say(f"[{i}/{n_steps}] wave {wave}: {len(keys)} asset(s) …")
    # wave partitions are independent runs: they run side by side (each its own Dagster run,
    # as a backfill would launch them), up to two per core, so that three waves on two cores
    # share both to the end; a failing wave does not stop the others, so every wave's
    # problems are reported at once
    parts = parallel.map_forked(lambda step: materialise(*step), wave_steps, label=lambda step: f"wave {step[0]}",
                                processes=2 * parallel.max_processes() if parallel.max_processes() > 1 else 1)
    waves_ok = True
    for part in parts:
        waves_ok = waves_ok and part.success
        _merge(report, part)
    if plan.cross_wave and waves_ok:
        say(f"[{n_steps}/{n_steps}] all waves: {len(plan.cross_wave)} asset(s) …")
        _merge(report, materialise(None, plan.cross_wave))


def main_outputs(config: StudyConfig, output_root: str | None = None) -> list[Path]:
    base = Path(output_root or os.environ.get("JH_OUTPUT_ROOT") or PROJECT_ROOT) / "reports" / str(config.study.evaluation_year)
    return (sorted(base.glob("report*.html")) + sorted(base.glob("report*.docx"))
            + [p for p in (base / "manifest.json", base / "figures", base / "tables") if p.exists()])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0 if run().success else 1)
