"""``python -m pipelines`` - run, validate, status (built on Dagster's APIs)."""

from __future__ import annotations

import argparse
import sys

from pipelines.config import ConfigError


def _cmd_run(args) -> int:
    from pipelines import runner

    try:
        report = runner.run(args.config, force=args.all)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if report.success:
        from pipelines.config import load_config

        config = load_config(args.config)
        print("outputs:")
        for p in runner.main_outputs(config):
            print(f"  {p}")
    return 0 if report.success else 1


def _cmd_validate(args) -> int:
    from pipelines import validate

    problems = validate.validate(args.config)
    for p in problems:
        print(f"- {p}")
    print(f"{len(problems)} problem(s) found" if problems else "no problems found")
    return 1 if problems else 0


def _cmd_status(args) -> int:
    from pipelines import runner

    try:
        config, path = runner.prepare_environment(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.partitions import sync_wave_partitions

    instance = dg.DagsterInstance.get()
    sync_wave_partitions(instance, config)
    plan = runner.make_plan(defs, instance, config, path)
    if plan.empty:
        print("up to date: nothing is stale or missing")
    else:
        print("stale or missing:")
        for line in plan.describe():
            print(f"  {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=None,
                        help="study configuration (default: $STUDY_CONFIG or the example study)")
    p = sub.add_parser("run", parents=[common], help="materialise what is stale or missing")
    p.add_argument("--all", action="store_true", help="materialise everything")
    p.set_defaults(func=_cmd_run)
    p = sub.add_parser("validate", parents=[common], help="check config, mapping and raw files; list every problem")
    p.set_defaults(func=_cmd_validate)
    p = sub.add_parser("status", parents=[common], help="what is stale or missing")
    p.set_defaults(func=_cmd_status)
    args = parser.parse_args(argv)
    return args.func(args)
