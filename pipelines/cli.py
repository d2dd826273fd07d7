"""``python -m pipelines`` - the researcher's yearly cycle on top of Dagster's APIs.

Commands (each accepts ``--config PATH``; default ``$STUDY_CONFIG``, else the example study):

``run``        materialise what is stale or missing (``--all``: everything), with progress;
               refuse what a failed blocking check holds (see :mod:`pipelines.runner`)
``validate``   check configuration, mapping and raw files without materialising; list every
               problem at once (exit 1 if there is an error)
``new-wave``   propose the ``waves:`` entry of a new wave file (YAML to stdout or ``--out``)
``report``     rebuild the evaluation report (and what it needs) and print its path
``status``     the last run's outcome; what is blocked, stale, missing or corrupt; which
               checks failed at their latest run

Materialisations go to the Dagster instance in ``$DAGSTER_HOME`` (default
``.dagster_home/`` in the project) and outputs under ``$JH_OUTPUT_ROOT`` (default: the
project folder). The runner (:mod:`pipelines.runner`) uses Dagster's own instance, asset
graph and in-process execution; this module only parses arguments and prints. ``run`` and
``report`` hold a lock on the instance and the output root while they run; a second one is
refused at once with exit status 3 and the first run's pid, start time and configuration.

A failed run prints one short block per failed check or step (file, variable, rows, what
to do); Dagster's own log with its tracebacks goes to ``$DAGSTER_HOME/logs/run-*.log``
(``--verbose`` prints it as the run goes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.locking import RunLockedError
from studyconfig.config import ConfigError

if TYPE_CHECKING:  # annotations only: the command line imports Dagster when a command needs it
    from dagster import AssetCheckKey

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


def _progress(start: float):
    """An ``echo`` for the runner that prefixes the elapsed time and flushes."""

    def echo(line: str) -> None:
        prefix = f"[{time.monotonic() - start:6.1f}s] "
        print(prefix + line.replace("\n", "\n" + " " * len(prefix)), flush=True)

    return echo


def _print_outputs(config_path) -> None:
    from pipelines import runner
    from studyconfig.config import load_config

    config = load_config(config_path)
    print("outputs:")
    for p in runner.main_outputs(config):
        print(f"  {p}")


def _cmd_run(args) -> int:
    from pipelines import runner

    try:
        report = runner.run(args.config, force=args.all, echo=_progress(time.monotonic()),
                            log_level="INFO" if args.verbose else "CRITICAL")
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        print("run `python -m pipelines validate` for every problem at once", file=sys.stderr)
        return EXIT_USAGE
    except RunLockedError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_BUSY
    if report.success:
        _print_outputs(args.config)
    return EXIT_OK if report.success else EXIT_PROBLEM


def _cmd_validate(args) -> int:
    from survey import validate

    report = validate.run_validation(args.config)
    print(report.render())
    return EXIT_OK if report.ok else EXIT_PROBLEM


def _cmd_new_wave(args) -> int:
    from studyconfig.config import load_config
    from survey import ingest, new_wave
    from survey.fsutil import atomic_write_text

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    if args.delimiter == "tab":
        args.delimiter = "\t"
    try:
        date = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"--date {args.date!r}: expected YYYY-MM-DD", file=sys.stderr)
        return EXIT_USAGE
    try:
        proposal = new_wave.propose_wave(config, args.file, wave_id=args.id, date=date, encoding=args.encoding,
                                         delimiter=args.delimiter, decimal=args.decimal, sheet=args.sheet)
    except ingest.WaveError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    text = new_wave.render_yaml(proposal)
    if args.out:
        atomic_write_text(args.out, text)
        print(f"proposal written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    n_check = sum(m.uncertain for m in proposal.items + proposal.covariates)
    print(f"{len(proposal.items)} item(s) and {len(proposal.covariates)} covariate(s) proposed, "
          f"{n_check} to check, {len(proposal.unmapped)} variable(s) unmapped; review it, add it to "
          "study.yaml and run `python -m pipelines validate`", file=sys.stderr)
    return EXIT_OK


def _report_paths(instance) -> dict[str, str]:
    """Language -> report file, from the latest ``evaluation_report`` materialisation."""
    import dagster as dg

    records = instance.fetch_materializations(dg.AssetKey("published_release"), limit=1).records
    if not records:
        return {}
    meta = records[0].asset_materialization.metadata
    files = meta.get("files")
    out = {}
    for lang, entry in (dict(files.value) if files is not None else {}).items():
        # {lang: path} or {lang: {"html": path, "docx": path, ...}}
        out[lang] = entry.get("html") if isinstance(entry, dict) else entry
    return {lang: p for lang, p in out.items() if p}


def _cmd_report(args) -> int:
    from pipelines import runner

    try:
        config, _ = runner.prepare_environment(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    if args.lang not in config.publishing.languages:
        print(f"--lang {args.lang}: the study publishes only {config.publishing.languages} "
              "(publishing.languages in the study configuration)", file=sys.stderr)
        return EXIT_USAGE
    try:
        # the release: report, tables, figures and the per-wave codebooks (its appendix)
        report = runner.run(args.config, force=args.all, echo=_progress(time.monotonic()),
                            targets=["published_release"], log_level="INFO" if args.verbose else "CRITICAL")
    except RunLockedError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_BUSY
    if not report.success:
        return EXIT_PROBLEM
    import dagster as dg

    path = _report_paths(dg.DagsterInstance.get()).get(args.lang)
    if not path or not Path(path).exists():
        print("the report has not been written: run `python -m pipelines status`", file=sys.stderr)
        return EXIT_PROBLEM
    print(path)
    return EXIT_OK


def latest_check_results(instance, graph, wave_ids: list[str]) -> list[dict]:
    """The latest evaluation of every asset check (per wave for partitioned checks).

    Parameters
    ----------
    instance : dagster.DagsterInstance
    graph : the resolved asset graph (``defs.resolve_asset_graph()``)
    wave_ids : list of str
        Configured waves (partition keys of the per-wave checks).

    Returns
    -------
    list of dict
        ``check`` (``asset:check``), ``partition`` (or None), ``status`` (``passed``,
        ``failed``, ``not completed`` - planned but no result: running, crashed or its run
        was killed -, or ``never run``), ``severity`` (``ERROR``/``WARN`` for evaluated
        checks) and ``description`` (the check's own aggregate description, no row data).
    """
    from pipelines._dagster_adapter import CheckExecution, latest_check_executions

    keys = sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name))
    partitioned = [k for k in keys if graph.get(k.asset_key).partitions_def is not None]
    found: dict[str | None, dict[AssetCheckKey, CheckExecution]] = {
        None: latest_check_executions(instance, [k for k in keys if k not in partitioned])}
    for w in wave_ids:
        found[w] = latest_check_executions(instance, partitioned, w)
    rows = []
    for key in keys:
        for part in (wave_ids if key in partitioned else [None]):
            e = found[part].get(key)
            rows.append({"check": f"{key.asset_key.to_user_string()}:{key.name}", "partition": part,
                         "status": "never run" if e is None else
                         {"planned": "not completed"}.get(e.status, e.status),
                         "severity": e.severity if e is not None else None,
                         "description": e.description if e is not None else None})
    return rows


def _print_last_run(runner) -> None:
    info = runner.last_run()
    if info is None:
        print("last run: none recorded on this instance")
        return
    when = str(info.get("finished") or info.get("started") or "?").replace("T", " ")[:16]
    outcome = {"success": "succeeded", "failed": "FAILED", "refused": "REFUSED (blocked)",
               "nothing to do": "nothing to do (up to date)", "interrupted": "INTERRUPTED",
               "running": "still running"}.get(info.get("outcome"), str(info.get("outcome")))
    print(f"last run: {outcome}, {when} (`python -m pipelines {info.get('command', 'run')}`, pid {info.get('pid')})")
    for line in info.get("failures") or []:
        print(f"  - {line}")
    if info.get("log") and info.get("outcome") not in ("success", "nothing to do"):
        print(f"  Dagster's log: {info['log']}")


def _cmd_status(args) -> int:
    from pipelines import runner

    try:
        config, path = runner.prepare_environment(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.partitions import sync_wave_partitions
    from studyconfig.config import config_notices

    instance = dg.DagsterInstance.get()
    sync_wave_partitions(instance, config)
    print(f"study: {path}")
    print(f"instance: {instance.root_directory}")
    for severity, text in config_notices(config):
        print(f"{severity}: {text}")
    _print_last_run(runner)
    plan = runner.make_plan(defs, instance, config, path)
    if plan.blocked:
        print("blocked (a blocking check failed and nothing it depends on changed; `run` refuses them and "
              "runs nothing downstream):")
        for gate in plan.blocked:
            print("  " + gate.block().removeprefix("BLOCKED ").replace("\n", "\n  "))
    if plan.stored:
        print("stored data missing or changed since written (rebuilt by `python -m pipelines run`):")
        for problem in plan.stored:
            print(f"  {problem}")
    for gate in plan.reevaluated:
        print(f"re-evaluated by the next run: {gate.label} (check {gate.check} failed; {gate.changed})")
    if plan.empty and not plan.blocked:
        print("up to date: nothing is stale or missing")
    elif not plan.empty:
        print("stale or missing (materialised by `python -m pipelines run`):")
        for line in plan.describe():
            print(f"  {line}")
    if plan.held_back:
        print(f"stale or missing but held back until the blocked asset(s) pass ({len(plan.held_back)}): "
              + ", ".join(plan.held_back))
    checks = latest_check_results(instance, defs.resolve_asset_graph(), config.wave_ids)
    bad = [c for c in checks if c["status"] in ("failed", "not completed")]
    never = [c for c in checks if c["status"] == "never run"]
    passed = [c for c in checks if c["status"] == "passed"]
    print(f"checks at their latest run: {len(passed)} passed, {len(bad)} failed, {len(never)} never run")
    for c in bad:
        part = f"[{c['partition']}]" if c["partition"] else ""
        sev = f" ({c['severity'].lower()})" if c["severity"] else ""
        print(f"  {c['status'].upper()}{sev} {c['check']}{part}: {c['description'] or 'see the Dagster UI'}")
    paths = _report_paths(instance)
    if paths:
        print("latest report: " + ", ".join(f"{lang}: {p}" for lang, p in paths.items()))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m pipelines`` (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=None, metavar="PATH",
                        help="study configuration (default: $STUDY_CONFIG or the example study)")
    p = sub.add_parser("run", parents=[common], help="materialise what is stale or missing")
    p.add_argument("--all", action="store_true", help="materialise everything, stale or not")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also print Dagster's step log with tracebacks (always written to $DAGSTER_HOME/logs/)")
    p.set_defaults(func=_cmd_run)
    p = sub.add_parser("validate", parents=[common],
                       help="check config, mapping and raw files; list every problem (exit 1 on errors)")
    p.set_defaults(func=_cmd_validate)
    p = sub.add_parser("new-wave", parents=[common], help="propose the configuration of a new wave file")
    p.add_argument("file", metavar="FILE", help="the new wave's file (.sav, .zsav, .por, .dta, .csv, .xlsx or .ods)")
    p.add_argument("--encoding", choices=["utf-8", "cp1252", "latin-1"],
                   help="text encoding of a CSV file (default UTF-8; Excel's plain 'CSV' is cp1252)")
    p.add_argument("--delimiter", choices=[",", ";", "tab"], help="CSV field delimiter (default: detected)")
    p.add_argument("--decimal", choices=[".", ","], help="decimal mark of a CSV file (default: detected)")
    p.add_argument("--sheet", help="worksheet of an .xlsx/.ods file (default: the first)")
    p.add_argument("--out", metavar="PATH", help="write the proposal here instead of stdout")
    p.add_argument("--id", help="wave id (default: the next T<n>)")
    p.add_argument("--date", help="nominal wave date YYYY-MM-DD (default: from the file's date variable)")
    p.set_defaults(func=_cmd_new_wave)
    p = sub.add_parser("report", parents=[common],
                       help="rebuild the evaluation report (and what it needs) and print its path")
    p.add_argument("--lang", choices=["sv", "en"], default="sv", help="language of the printed path (default sv)")
    p.add_argument("--all", action="store_true", help="rebuild everything the report needs, stale or not")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also print Dagster's step log with tracebacks (always written to $DAGSTER_HOME/logs/)")
    p.set_defaults(func=_cmd_report)
    p = sub.add_parser("status", parents=[common],
                       help="the last run's outcome; what is blocked, stale or corrupt; which checks failed (exit 0)")
    p.set_defaults(func=_cmd_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m pipelines``; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success; 1 a problem in the data or a failed run/check; 2 a usage or
        configuration error; 3 refused because another ``run``/``report`` is using the
        same output root or Dagster instance (:mod:`pipelines.locking`).
    """
    args = build_parser().parse_args(argv)
    return args.func(args)
