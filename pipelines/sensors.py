"""Sensors and automation: new or changed input files start exactly the runs they make stale.

Two pieces work together on a Dagster deployment (``dagster dev`` or the daemon of the
shared-server profile, see ``docs/deploy.md`` and ``docs/operations.md``):

:data:`wave_inbox_sensor`
    Reads the study configuration *at evaluation time* (never at import), registers every
    configured wave as a ``wave`` partition (and removes partitions of waves no longer
    configured), and requests one run of the per-wave assets for each wave whose inputs
    changed: the file's bytes together with the wave's configuration section, i.e. exactly
    the data version ``raw_wave`` records (:func:`survey.study.wave_input_version`). The
    unpartitioned inputs, ``study_settings`` (the configuration file), ``attendance`` (the
    register) and ``raw_partner_surveys`` (every partner-survey file with its configuration
    section, :func:`survey.partner_surveys.input_version`), are watched the same way.
:data:`cross_wave_automation`
    A declarative-automation sensor. :func:`with_cross_wave_automation` gives every
    unpartitioned asset ``AutomationCondition.eager()`` guarded by :func:`gates_passed`:
    once the wave runs have succeeded (and while none is still in progress), the panel and
    everything downstream of it are materialised, once, in dependency order, with their
    checks riding along - but never below a blocking check that failed on its asset's
    latest materialisation, up to three levels up, in any partition (e.g. ``panel`` waits
    while a wave's ``harmonised_wave`` or ``raw_wave`` check is failed, even when another
    wave changed).

The same content never triggers twice: every run request carries a run key made of the
input's content hash (Dagster launches a run key at most once per sensor) and the sensor's
cursor keeps the last hash it handled per input.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import dagster as dg

from pipelines.jobs import WAVE_ASSET_KEYS, WAVE_ASSET_SELECTION
from pipelines.partitions import WAVES, WAVES_NAME
from pipelines.resources import StudyResource

#: unpartitioned assets whose data version is the hash of an input file
INPUT_ASSETS = {"study_settings": dg.AssetKey("study_settings"), "attendance": dg.AssetKey("attendance"),
                "partner_surveys": dg.AssetKey("raw_partner_surveys")}
#: outputs materialised together with an input asset (the outputs of the same multi-asset)
INPUT_COMPANIONS = {"partner_surveys": [dg.AssetKey("partner_codebook")]}
SENSOR_TARGET = WAVE_ASSET_SELECTION | dg.AssetSelection.assets(
    *INPUT_ASSETS.values(), *[k for ks in INPUT_COMPANIONS.values() for k in ks])


#: how many levels up a failed blocking check holds automation back for an asset that reads
#: wave partitions (raw_wave -> harmonised_wave -> scored_wave -> panel: the wave gates are up
#: to three levels above); other cross-wave assets look one level up (their dependencies only
#: update through this same gated automation)
GATE_DEPTH = 3


def gates_passed(depth: int = GATE_DEPTH) -> dg.AutomationCondition:
    """True where no blocking check failed on the latest materialisation of a dependency,
    of a dependency's dependency, ... (to ``depth`` levels up), in any of its partitions.

    ``~any_deps_match(F | any_deps_match(F | ...))`` with ``F =
    any_checks_match(check_failed(), blocking_only=True)``. Dagster's
    ``all_deps_blocking_checks_passed()`` is not enough here: it looks one level up (a failed
    check on a wave's ``harmonised_wave`` sits two levels above ``panel``, so an update of
    another wave would make ``panel`` read the failed wave's *older* ``scored_wave``), and
    for a dependency with several partitions (``panel`` reads every wave) it is satisfied
    when *one* partition passed. ``check_failed()`` is true only for a check that failed on
    its asset (partition)'s latest materialisation: materialised again and passing, the
    gate opens.

    Examples
    --------
    >>> gates_passed(2).get_label()
    'gates_passed(2)'
    """
    failed = dg.AutomationCondition.any_checks_match(dg.AutomationCondition.check_failed(), blocking_only=True)
    above: dg.AutomationCondition[dg.AssetKey] = failed
    for _ in range(depth - 1):
        above = failed | dg.AutomationCondition.any_deps_match(above)
    return (~dg.AutomationCondition.any_deps_match(above)).with_label(f"gates_passed({depth})")


#: assets materialised on request only (``python -m pipelines report``/``run``, or the UI):
#: the published annual report and the release it belongs to must not change by
#: themselves when an input changes (issue 17); everything before them follows the waves
ON_REQUEST = frozenset({dg.AssetKey("evaluation_report"), dg.AssetKey("published_release")})


def with_cross_wave_automation(assets: Sequence) -> list:
    """Give every derived unpartitioned asset ``AutomationCondition.eager() &``
    :func:`gates_passed` unless it has its own condition.

    Applied centrally in :mod:`pipelines.definitions`, so cross-wave assets added later
    follow the wave runs without each author remembering to declare it.

    Parameters
    ----------
    assets
        Asset definitions (or specs) of the code location.

    Returns
    -------
    list
        The same assets; unpartitioned assets with upstream dependencies carry
        ``eager() & gates_passed(n)``, ``n`` = :data:`GATE_DEPTH` for assets that read wave
        partitions, else 1 (an explicit condition set by the asset's author is kept).
        Wave-partitioned assets and unpartitioned roots (``study_settings``, ``attendance``:
        they read input files) are unchanged: :data:`wave_inbox_sensor` requests them when
        their files change; so are the assets of :data:`ON_REQUEST` (the report and its
        release), built only when asked for.
    """
    def add(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.partitions_def is not None or spec.automation_condition is not None or not spec.deps \
                or spec.key in ON_REQUEST:
            return spec
        reads_waves = any(d.asset_key in WAVE_ASSET_KEYS for d in spec.deps)
        gates = gates_passed(GATE_DEPTH if reads_waves else 1)
        return spec.replace_attributes(automation_condition=(dg.AutomationCondition.eager() & gates)
                                       .with_label("eager_gated"))

    return list(dg.map_asset_specs(add, assets))


cross_wave_automation = dg.AutomationConditionSensorDefinition(
    "cross_wave_automation",
    target=dg.AssetSelection.all(),
    minimum_interval_seconds=30,
    description="Materialises the panel, analysis and publishing assets once the wave runs "
                "they depend on have succeeded (AutomationCondition.eager()), never below a failed "
                "blocking check (gates_passed).",
)


def _load_cursor(cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except json.JSONDecodeError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _materialised_version(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None) -> str | None:
    from pipelines._dagster_adapter import data_version_of, latest_materialisation

    return data_version_of(latest_materialisation(instance, key, partition))


def _run_key(input_name: str, digest: str, previous: str | None) -> str:
    # content hash first; the hash last materialised is part of the key so that restoring an
    # earlier version of a file (A -> B -> A) is a new request and not a duplicate of the first
    return f"{input_name}:{digest}:after:{previous or 'none'}"


@dg.sensor(
    name="wave_inbox_sensor",
    target=SENSOR_TARGET,
    minimum_interval_seconds=60,
    description="Registers configured waves as partitions and runs the per-wave assets of every "
                "new or changed wave file (and re-reads a changed configuration or attendance "
                "register); run key = content hash.",
)
def wave_inbox_sensor(context: dg.SensorEvaluationContext, study_config: StudyResource) -> dg.SensorResult:
    """Request runs for the inputs whose content hash differs from what was materialised.

    Parameters
    ----------
    context
        Sensor context; its cursor is a JSON object ``{input: content hash}`` of the inputs
        already handled (``wave:<id>``, ``study_settings``, ``attendance``).
    study_config
        The study configuration resource, loaded here, at evaluation time.

    Returns
    -------
    dagster.SensorResult
        ``dynamic_partitions_requests`` adding configured waves missing from the instance
        (and deleting partitions of waves no longer configured); one ``RunRequest`` per
        changed wave (``partition_key`` = wave, per-wave assets) and at most one for the
        changed unpartitioned inputs; the updated cursor.

    Notes
    -----
    An input is requested when its hash is neither the one in the cursor nor the data
    version of its latest materialisation. The *inbox* is the folder(s) holding the
    configured wave files (:func:`survey.wavefiles.inbox_folders`); a wave-like file there
    that no wave names is reported in the tick's log and skip reason, never run. Waves whose file does not exist yet are skipped
    (their partition is registered, so the panel waits for them). A run that fails (for
    example on a blocking check) is not retried for the same content: fix the file and the
    new hash triggers a new run.
    """
    from studyconfig.config import config_hash
    from survey import study
    from survey.ingest import sha256_file

    config = study_config.load()
    seen = _load_cursor(context.cursor)
    instance = context.instance

    existing = set(instance.get_dynamic_partitions(WAVES_NAME))
    to_add = [w for w in config.wave_ids if w not in existing]
    to_delete = sorted(existing - set(config.wave_ids))
    partition_requests: list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest] = []
    if to_add:
        partition_requests.append(WAVES.build_add_request(to_add))
    if to_delete:
        partition_requests.append(WAVES.build_delete_request(to_delete))

    runs: list[dg.RunRequest] = []
    waiting: list[str] = []
    cursor = {k: v for k, v in seen.items() if not k.startswith("wave:") or k[5:] in config.wave_ids}
    for w in config.wave_ids:
        name = f"wave:{w}"
        if not config.wave_path(w).exists():
            waiting.append(w)
            continue
        digest = study.wave_input_version(config, w)
        if seen.get(name) == digest:
            continue
        cursor[name] = digest
        done = _materialised_version(instance, dg.AssetKey("raw_wave"), w)
        if done == digest:
            continue
        runs.append(dg.RunRequest(
            run_key=_run_key(name, digest, done), partition_key=w,
            asset_selection=WAVE_ASSET_KEYS,
            tags={"jh/trigger": "wave_inbox_sensor", "jh/input": name, "jh/input_version": digest[:16]},
        ))

    inputs = {"study_settings": config_hash(study_config.path())}
    if config.attendance is not None and config.resolve(config.attendance.file).exists():
        inputs["attendance"] = sha256_file(config.resolve(config.attendance.file))
    if config.partner_surveys and all(config.resolve(p.file).exists() for p in config.partner_surveys):
        from survey.partner_surveys import input_version

        inputs["partner_surveys"] = input_version(config)   # all years' files + their configuration
    changed, keys = [], []
    for name, digest in inputs.items():
        if seen.get(name) == digest:
            continue
        cursor[name] = digest
        done = _materialised_version(instance, INPUT_ASSETS[name], None)
        if done != digest:
            changed += [INPUT_ASSETS[name], *INPUT_COMPANIONS.get(name, [])]
            keys.append(_run_key(name, digest, done))
    if changed:
        runs.append(dg.RunRequest(run_key="+".join(keys), asset_selection=changed,
                                  tags={"jh/trigger": "wave_inbox_sensor",
                                        "jh/input": ",".join(k.to_user_string() for k in changed)}))

    from survey.wavefiles import unconfigured_files

    stray = unconfigured_files(config)
    if stray:
        context.log.info(
            f"{len(stray)} file(s) in the inbox ({', '.join(sorted({str(p.parent) for p in stray}))}) that no wave "
            f"in study.yaml names: {', '.join(p.name for p in stray)}; to add one as a wave, run "
            "`python -m pipelines new-wave <file>` and paste the proposal under `waves:`")
    if waiting:
        context.log.info(f"wave file(s) not delivered yet: {', '.join(waiting)}")
    if runs:
        context.log.info("requesting: " + "; ".join(r.tags["jh/input"] for r in runs))
    return dg.SensorResult(
        run_requests=runs,
        dynamic_partitions_requests=partition_requests,
        cursor=json.dumps(cursor, sort_keys=True),
        skip_reason=None if runs or partition_requests else dg.SkipReason(
            "no new or changed input" + (f"; waiting for wave file(s) {', '.join(waiting)}" if waiting else "")
            + (f"; {len(stray)} file(s) in the inbox that no wave names: {', '.join(p.name for p in stray)} "
               "(`python -m pipelines new-wave <file>` proposes the entry)" if stray else "")),
    )


SENSORS = [wave_inbox_sensor, cross_wave_automation]
