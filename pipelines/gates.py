"""The release gate: nothing is published while a blocking check has not passed.

``python -m pipelines run`` never materialises what sits below a failed blocking check
(:func:`pipelines.runner.make_plan`), and Dagster's own blocking checks stop the rest of
the run they fail in. But the Dagster UI can launch any asset on its own - the
``published_release`` asset from the asset graph, or ``cross_wave_job`` from the
launchpad - and such a run does not know that an earlier run's check failed. So the
release asset asks the instance itself (:func:`blocking_checks_not_passed`) and refuses
to publish unless every blocking check above it, in every configured wave, passed on its
asset's latest materialisation - the same rule as the runner's.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from pipelines import _dagster_adapter as dagster_api


def blocking_checks_not_passed(instance: dg.DagsterInstance, graph, waves: Sequence[str],
                               above: dg.AssetKey) -> list[str]:
    """Every blocking check above an asset that did not pass on its asset's latest
    materialisation.

    Parameters
    ----------
    instance
        The Dagster instance holding the materialisations and check executions.
    graph
        The code location's asset graph (``Definitions.resolve_asset_graph()``).
    waves
        The configured wave partitions (a partitioned check is looked at in each).
    above
        The asset about to be materialised: the checks of all its ancestors count (they
        ran before it in its own run, or in an earlier one).

    Returns
    -------
    list of str
        ``asset[partition]:check failed`` (an ERROR-severity result) or ``… not evaluated on
        the latest materialisation`` (never run, still running, crashed, or run on an older
        materialisation), sorted; empty when the release may go ahead. Assets never
        materialised are left out: nothing of them can be in a release. Only asset and
        check names: never a check's description (it may quote what failed).
    """
    ancestors = graph.get_ancestor_asset_keys(above)
    by_partition: dict[str | None, list[dg.AssetCheckKey]] = {}
    for check in graph.asset_check_keys:
        spec = graph.get_check_spec(check)
        if check.asset_key in ancestors and spec.blocking:
            # a partitioned check (the wave checks) records each partition's result; a check
            # without partitions on a partitioned asset records one result for whichever ran
            for part in (list(waves) if spec.partitions_def is not None else [None]):
                by_partition.setdefault(part, []).append(check)
    problems = []
    latest_of: dict[tuple[dg.AssetKey, str | None], object] = {}   # an asset has several checks
    for part, checks in by_partition.items():
        executions = dagster_api.latest_check_executions(instance, sorted(checks, key=str), part)
        for check in checks:
            if (check.asset_key, part) not in latest_of:
                latest_of[check.asset_key, part] = dagster_api.latest_materialisation(instance, check.asset_key, part)
            latest = latest_of[check.asset_key, part]
            if latest is None:
                continue
            label = f"{check.asset_key.to_user_string()}{f'[{part}]' if part else ''}:{check.name}"
            e = executions.get(check)
            if e is None or e.status == "planned" or not dagster_api.evaluated_latest(e, latest):
                problems.append(f"{label} not evaluated on the latest materialisation")
            elif e.status == "failed" and e.severity != "WARN":
                problems.append(f"{label} failed")
    return sorted(problems)
