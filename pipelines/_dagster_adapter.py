"""Every use of Dagster's private (underscore) API, in one module.

The command line (:mod:`pipelines.runner`, :mod:`pipelines.cli`, :mod:`pipelines.locking`,
:mod:`pipelines.sensors`) needs a few things Dagster computes but does not export under
``import dagster as dg``. They are wrapped here, each in a small function with a plain
return value, so that

* the rest of the code uses only ``dagster``'s public namespace and these functions;
* a Dagster upgrade has one place to review: ``tests/unit/test_dagster_adapter.py`` pins
  :data:`WRITTEN_FOR` and fails loudly on any other version, and exercises every function
  here against a real (temporary) instance.

Written for and tested with Dagster **1.13.27**. What each function relies on:

=============================  =========================================================
function                       private API used
=============================  =========================================================
:func:`staleness`              ``AssetGraphView``, ``TemporalContext``,
                               ``CachingStaleStatusResolver``, ``StaleStatus``,
                               ``StaleCauseCategory``,
                               ``dagster._time.get_current_datetime`` (the stale-status
                               resolver behind the UI's *Stale* badge, less its false
                               alarm for partitions written side by side)
:func:`latest_check_executions` ``PartitionKeyFilter`` and the event log storage's
                               ``get_latest_asset_check_execution_by_key`` (the public
                               ``get_latest_asset_check_evaluation_record`` has no
                               partition argument; partitioned checks are a preview)
                               ``AssetCheckExecutionRecord`` (type annotation only)
:func:`data_version_of`        the ``dagster/data_version`` tag Dagster writes on a
                               materialisation
:func:`is_local_sqlite`        ``SqliteRunStorage`` (is the run storage a local file?)
:func:`pooled_sqlite_events`   ``SqliteEventLogStorage``, its ``_connect``,
                               ``_db_lock``, ``_initdb``, ``_initialized_dbs`` and
                               ``SQLITE_BUSY_TIMEOUT_SECONDS`` (one connection pool per
                               database file instead of a new engine per event)
=============================  =========================================================

Everything else (latest materialisations, run records, check keys) goes through public
APIs: ``instance.fetch_materializations`` with ``dg.AssetRecordsFilter``,
``instance.get_run_record_by_id``/``get_run_records``, ``dg.RunsFilter``.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import dagster as dg

if TYPE_CHECKING:  # for the annotation only (the record type the instance's check queries return)
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecord
    from sqlalchemy.engine import Engine

#: the Dagster release this adapter was written for and tested against
WRITTEN_FOR = "1.13.27"

#: the tag Dagster writes on a materialisation with its data version
DATA_VERSION_TAG = "dagster/data_version"


def installed_version() -> str:
    """The installed Dagster version (``dagster.__version__``)."""
    return dg.__version__


def data_version_of(record) -> str | None:
    """The data version recorded with a materialisation (an ``EventLogRecord`` from
    ``instance.fetch_materializations``), or ``None``."""
    mat = record.asset_materialization if record is not None else None
    if mat is None:
        return None
    return (mat.tags or {}).get(DATA_VERSION_TAG)


def latest_materialisation(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None):
    """The latest materialisation record of an asset (partition), or ``None`` (public API)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition] if partition else None), limit=1
    ).records
    return records[0] if records else None


@dataclass(frozen=True)
class Staleness:
    """Dagster's own answer to "is this asset (partition) up to date?"."""

    is_fresh: Callable[[dg.AssetKey, str | None], bool]
    causes: Callable[[dg.AssetKey, str | None], list[str]]


def staleness(instance: dg.DagsterInstance, graph) -> Staleness:
    """Dagster's stale-status resolver (the UI's *Stale* badge) for one planning pass,
    without its one false alarm for partitions written side by side.

    Parameters
    ----------
    instance : dagster.DagsterInstance
    graph : the resolved asset graph (``defs.resolve_asset_graph()``)

    Returns
    -------
    Staleness
        ``is_fresh(key, partition)``: materialised, and neither its code version nor an
        input's data version changed since; ``causes(key, partition)``: Dagster's reasons
        when it is not (e.g. "code version changed", "updated data version").

    Notes
    -----
    Dagster 1.13 records, as the input of a partition, the *asset's* latest
    materialisation over all partitions (``DataVersionCache._get_input_asset_event`` reads
    ``asset_entry.last_materialization_record``), and later calls the input new when the
    input partition has a materialisation after that pointer. When the wave runs write
    the same assets side by side on PostgreSQL, that pointer can lag behind the input
    partition written moments earlier in the same run (another run's row with a smaller
    storage id commits later), and a rerun then rebuilds a whole wave although nothing
    changed (seen once in CI: ``tests/ops/test_postgres.py``). The same lagging pointer
    recorded as the input of a cross-wave asset (all partitions) makes a rerun rebuild
    every cross-wave asset (seen under load: "wave_codebook: has a new data version").

    A cause "new dependency data version" on an input partition is therefore dropped when
    the asset's latest materialisation certainly read that partition's latest
    materialisation: both came from the *same run* and the input was written first (within
    a run a partition is written once), or the input was written before the asset's run
    started (the run read the stored input, and nothing has written it since). Every other
    cause stands (``tests/unit/test_dagster_adapter.py`` reproduces both cases and a real
    change after each).
    """
    from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
    from dagster._core.definitions.data_version import (
        CachingStaleStatusResolver,
        StaleCauseCategory,
        StaleStatus,
    )
    from dagster._time import get_current_datetime

    view = AssetGraphView(temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
                          instance=instance, asset_graph=graph)
    resolver = CachingStaleStatusResolver(instance=instance, asset_graph=graph, loading_context=view)

    started: dict[str, float | None] = {}

    def run_start(run_id: str) -> float | None:
        if run_id not in started:
            record = instance.get_run_record_by_id(run_id)
            started[run_id] = record.start_time if record is not None else None
        return started[run_id]

    def read_latest_input(key: dg.AssetKey, partition: str | None, cause) -> bool:
        """Did the asset's latest materialisation read its input partition's latest one?"""
        dep = cause.dependency
        if cause.category != StaleCauseCategory.DATA or dep is None or dep.partition_key is None:
            return False
        own = latest_materialisation(instance, key, partition)
        upstream = latest_materialisation(instance, dep.asset_key, dep.partition_key)
        if own is None or upstream is None:
            return False
        if upstream.run_id == own.run_id:
            return dep.partition_key == partition and upstream.storage_id < own.storage_id
        begun = run_start(own.run_id)
        return begun is not None and upstream.timestamp < begun

    def real_causes(key: dg.AssetKey, partition: str | None) -> list:
        return [c for c in resolver.get_stale_causes(key, partition) if not read_latest_input(key, partition, c)]

    def is_fresh(key: dg.AssetKey, partition: str | None = None) -> bool:
        status = resolver.get_status(key, partition)
        if status == StaleStatus.FRESH:
            return True
        return status == StaleStatus.STALE and not real_causes(key, partition)

    def causes(key: dg.AssetKey, partition: str | None = None) -> list[str]:
        try:
            found = real_causes(key, partition)
        except Exception:  # noqa: BLE001 - the reason is a nicety; the status above decides
            return []
        leaves, todo = [], list(found)
        while todo:  # the root causes behind the remaining direct ones, as the UI lists them
            c = todo.pop()
            if c.children:
                todo.extend(c.children)
            else:
                leaves.append(c)
        return sorted({f"{c.key.asset_key.to_user_string()}: {c.reason}" for c in leaves})

    return Staleness(is_fresh, causes)


@dataclass(frozen=True)
class CheckExecution:
    """The latest execution of one asset check (for one partition)."""

    check: dg.AssetCheckKey
    partition: str | None
    #: ``passed``, ``failed`` (an explicit failed result) or ``planned`` (no result recorded:
    #: the check is running, crashed, was skipped, or its run was killed)
    status: str
    run_id: str
    timestamp: float
    description: str | None
    severity: str | None            # "ERROR" / "WARN" for evaluated checks
    #: storage id of the materialisation the check evaluated (``None`` if not recorded)
    target_storage_id: int | None


def latest_check_executions(instance: dg.DagsterInstance, keys: Iterable[dg.AssetCheckKey],
                            partition: str | None = None) -> dict[dg.AssetCheckKey, CheckExecution]:
    """The latest execution of each check, for one partition (``None``: unpartitioned).

    Returns
    -------
    dict
        Check key -> :class:`CheckExecution`; checks never executed are absent.
    """
    keys = list(keys)
    if not keys:
        return {}
    found: Mapping[dg.AssetCheckKey, AssetCheckExecutionRecord | None]
    if partition is None:
        found = {k: instance.get_latest_asset_check_evaluation_record(k) for k in keys}
    else:
        from dagster._core.event_api import PartitionKeyFilter

        found = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            keys, partition_filter=PartitionKeyFilter(key=partition))
    out = {}
    for key, rec in found.items():
        if rec is None:
            continue
        status = rec.status.value.lower()
        status = {"succeeded": "passed", "failed": "failed"}.get(status, "planned")
        evaluation = rec.event.dagster_event.event_specific_data if rec.event and rec.event.dagster_event else None
        has_result = evaluation is not None and hasattr(evaluation, "passed")
        # only an evaluated check's data (an ``AssetCheckEvaluation``) has ``passed``
        result = cast(dg.AssetCheckEvaluation, evaluation) if has_result else None
        target = getattr(evaluation, "target_materialization_data", None) if has_result else None
        out[key] = CheckExecution(
            check=key, partition=partition, status=status, run_id=rec.run_id,
            timestamp=float(rec.create_timestamp),
            description=result.description if result is not None else None,
            severity=result.severity.value if result is not None else None,
            target_storage_id=target.storage_id if target is not None else None,
        )
    return out


def evaluated_latest(execution: CheckExecution, latest) -> bool:
    """Did this check execution evaluate the asset's latest materialisation (``latest``, a
    record of :func:`latest_materialisation`)? The same run, else the materialisation the
    check recorded as its target, else (no target recorded) a later timestamp."""
    if execution.run_id == latest.run_id:
        return True
    if execution.target_storage_id is not None:
        return execution.target_storage_id == latest.storage_id
    return execution.timestamp > latest.timestamp


def is_local_sqlite(instance: dg.DagsterInstance) -> bool:
    """Is the instance's run storage the local SQLite one (not a shared PostgreSQL)?"""
    from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

    return isinstance(instance.run_storage, SqliteRunStorage)


# -- the local instance's event log: one connection pool per database file --------------------

#: engines of the event log storages :func:`pooled_sqlite_events` is serving (for the fork hook)
_POOLED: weakref.WeakSet = weakref.WeakSet()


class _Pools:
    """The engines of one storage, one per database file (run shard or index)."""

    def __init__(self) -> None:
        self.engines: dict[str, Engine] = {}

    def dispose(self, close: bool = True) -> None:
        for engine in self.engines.values():
            engine.dispose(close=close)
        self.engines.clear()


def _forget_inherited_pools() -> None:
    """In a forked child: drop the parent's pooled connections without closing them
    (SQLAlchemy's ``Engine.dispose(close=False)``, its documented way to start a child
    after ``fork``): a SQLite connection must never be used, nor closed, on both sides of
    a fork. The child opens its own on first use."""
    for pools in list(_POOLED):
        pools.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_pools)


@contextlib.contextmanager
def pooled_sqlite_events(instance: dg.DagsterInstance) -> Iterator[dg.DagsterInstance]:
    """Within the block, the local SQLite event log of ``instance`` keeps its connections.

    Dagster's ``SqliteEventLogStorage`` builds a new SQLAlchemy engine and a new SQLite
    connection for every stored event (``NullPool``): about 1,600 events per run of the
    example study, a fifth of the run's time (measured with py-spy: 39 s -> 31 s for a
    run of the 70-person study, 15 % less CPU). Here the storage keeps one engine per
    database file (a run's shard, the cross-run index) with SQLAlchemy's default pool,
    for the block only; every statement still runs in its own transaction (Dagster's
    ``_connect``, unchanged apart from the engine), so another process (the webserver,
    the daemon, a wave run beside this one) sees the same committed events as before,
    and an idle pooled connection holds no lock. Leaving the block closes every pooled
    connection. A forked child drops the inherited connections unused
    (:func:`_forget_inherited_pools`).

    Any other storage (PostgreSQL, already pooled; an in-memory test instance) is
    returned untouched.
    """
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
        SQLITE_BUSY_TIMEOUT_SECONDS,
        SqliteEventLogStorage,
    )

    storage = instance.event_log_storage
    if type(storage) is not SqliteEventLogStorage:
        yield instance
        return
    from sqlalchemy import create_engine

    pools = _Pools()
    _POOLED.add(pools)

    @contextlib.contextmanager
    def _connect(shard: str):
        # SqliteEventLogStorage._connect of Dagster 1.13.27, with the engine kept
        with storage._db_lock:
            engine = pools.engines.get(shard)
            if engine is None:
                engine = pools.engines[shard] = create_engine(
                    storage.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            if shard not in storage._initialized_dbs:
                storage._initdb(engine)
                storage._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    storage._connect = _connect  # type: ignore[method-assign]  # this object only
    try:
        yield instance
    finally:
        del storage._connect
        _POOLED.discard(pools)
        pools.dispose()
