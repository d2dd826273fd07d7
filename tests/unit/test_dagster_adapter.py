"""The one module allowed to touch Dagster's private API, pinned to the release it was
written for, and exercised against a real temporary instance.

If this fails after a Dagster upgrade: review every function in
``pipelines/_dagster_adapter.py`` against the new release (the table in its docstring lists
the private names each relies on), run this file and the gate tests
(``tests/ops/test_gates.py``), then update ``WRITTEN_FOR``.
"""

import os
from pathlib import Path

import dagster as dg
import pytest

from pipelines import _dagster_adapter as adapter

from .private_api import private_uses

ROOT = Path(__file__).resolve().parents[2]


def test_the_adapter_was_written_for_the_installed_dagster():
    assert adapter.WRITTEN_FOR == "1.13.27"
    assert adapter.installed_version() == adapter.WRITTEN_FOR, (
        f"Dagster {adapter.installed_version()} is installed but pipelines/_dagster_adapter.py was written for "
        f"{adapter.WRITTEN_FOR}: review its private API uses (see its docstring) before upgrading")


def test_no_private_dagster_api_outside_the_adapter():
    offenders = []
    for path in sorted((ROOT / "pipelines").rglob("*.py")):
        if path.name != "_dagster_adapter.py":
            offenders += private_uses(path, "dagster", aliases=("dg", "dagster"))
    assert offenders == []
    assert private_uses(ROOT / "pipelines" / "_dagster_adapter.py", "dagster")  # the scan finds them


@dg.asset(partitions_def=dg.StaticPartitionsDefinition(["a", "b"]), code_version="1")
def part_asset(context: dg.AssetExecutionContext) -> dg.Output:
    return dg.Output(1, data_version=dg.DataVersion(f"v-{context.partition_key}"))


@dg.asset_check(asset=part_asset, blocking=True, partitions_def=dg.StaticPartitionsDefinition(["a", "b"]))
def part_gate(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=context.partition_key == "a", description=f"gate {context.partition_key}")


@dg.asset(code_version="1")
def plain_asset() -> int:
    return 2


@dg.asset_check(asset=plain_asset, blocking=True)
def plain_gate() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True, description="fine")


@dg.asset(code_version="1")
def child(plain_asset: int) -> int:
    return plain_asset + 1


@pytest.fixture
def instance(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as inst:
        yield inst


def test_every_adapter_function_on_a_real_instance(instance):
    import warnings

    warnings.filterwarnings("ignore")
    defs = dg.Definitions(assets=[part_asset, plain_asset, child], asset_checks=[part_gate, plain_gate],
                          resources={"io_manager": dg.mem_io_manager})
    graph = defs.resolve_asset_graph()
    gate, plain = dg.AssetCheckKey(part_asset.key, "part_gate"), dg.AssetCheckKey(plain_asset.key, "plain_gate")

    assert adapter.latest_materialisation(instance, part_asset.key, "a") is None
    assert adapter.latest_check_executions(instance, [gate], "a") == {}
    stale = adapter.staleness(instance, graph)
    assert not stale.is_fresh(plain_asset.key, None)

    for p in ("a", "b"):
        dg.materialize([part_asset, part_gate], partition_key=p, instance=instance, raise_on_error=False)
    dg.materialize([plain_asset, plain_gate, child], instance=instance)

    rec = adapter.latest_materialisation(instance, part_asset.key, "b")
    assert rec is not None and adapter.data_version_of(rec) == "v-b"
    a = adapter.latest_check_executions(instance, [gate], "a")[gate]
    b = adapter.latest_check_executions(instance, [gate], "b")[gate]
    assert (a.status, a.description, a.severity) == ("passed", "gate a", "ERROR")
    assert (b.status, b.description, b.partition) == ("failed", "gate b", "b")
    assert b.run_id == rec.run_id and b.target_storage_id in (None, rec.storage_id)
    u = adapter.latest_check_executions(instance, [plain], None)[plain]
    assert u.status == "passed" and u.partition is None

    stale = adapter.staleness(instance, graph)
    assert stale.is_fresh(plain_asset.key, None) and stale.is_fresh(child.key, None)
    assert stale.causes(child.key, None) == []
    assert adapter.is_local_sqlite(instance)


WAVES = dg.StaticPartitionsDefinition(["a", "b"])
RAW_VERSION = {"a": "1", "b": "1"}


@dg.asset(partitions_def=WAVES, code_version="1")
def raw(context: dg.AssetExecutionContext) -> dg.Output:
    return dg.Output(1, data_version=dg.DataVersion(f"raw-{context.partition_key}-{RAW_VERSION[context.partition_key]}"))


@dg.asset(partitions_def=WAVES, code_version="1")
def harmonised(raw: int) -> int:
    return raw + 1


def _materialise_with_lagging_pointer(monkeypatch, lagging, *args, **kwargs) -> None:
    """``dg.materialize`` while Dagster's latest-materialisation pointer of the assets in
    ``lagging`` (asset key -> asset record) stays where it was: the side-by-side wave runs
    on PostgreSQL, made deterministic."""
    from dagster._core.execution.context.data_version_cache import DataVersionCache

    real_fetch = DataVersionCache._fetch_asset_records

    def fetch_with_lag(self, asset_keys):
        found = real_fetch(self, asset_keys)
        found.update({k: v for k, v in lagging.items() if k in asset_keys})
        return found

    monkeypatch.setattr(DataVersionCache, "_fetch_asset_records", fetch_with_lag)
    try:
        dg.materialize(*args, **kwargs)
    finally:
        monkeypatch.undo()


def _dagster_status(instance, graph, key: dg.AssetKey, partition: str | None):
    """Dagster's own stale status (the UI's badge), without the adapter's correction."""
    from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
    from dagster._core.definitions.data_version import CachingStaleStatusResolver
    from dagster._time import get_current_datetime

    view = AssetGraphView(temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
                          instance=instance, asset_graph=graph)
    return CachingStaleStatusResolver(instance=instance, asset_graph=graph, loading_context=view).get_status(
        key, partition)


def _rewrite_raw(instance, io, partition: str) -> None:
    """Materialise ``raw[partition]`` again with a new data version (a real change)."""
    RAW_VERSION[partition] = "2"
    try:
        dg.materialize([raw], partition_key=partition, instance=instance, resources=io)
    finally:
        RAW_VERSION[partition] = "1"


def test_a_partition_written_beside_another_is_not_stale_on_a_rerun(instance, monkeypatch):
    """Dagster records as a partition's input the asset's latest materialisation over all
    partitions; when wave runs write side by side (PostgreSQL), that pointer can lag behind
    the input partition written earlier in the same run, and Dagster's resolver then calls
    the partition stale although nothing changed (CI saw a rerun rebuild wave T1). Here the
    lagging pointer is produced deterministically, and a real change is still detected."""
    import warnings

    from dagster._core.definitions.data_version import StaleStatus

    warnings.filterwarnings("ignore")
    assets = [raw, harmonised]
    graph = dg.Definitions(assets=assets, resources={"io_manager": dg.mem_io_manager}).resolve_asset_graph()
    io = {"io_manager": dg.fs_io_manager.configured({"base_dir": str(instance.root_directory)})}
    dg.materialize(assets, partition_key="b", instance=instance, resources=io)
    lagging = {r.asset_entry.asset_key: r for r in instance.get_asset_records([raw.key])}  # points at raw[b]

    _materialise_with_lagging_pointer(monkeypatch, lagging, assets, partition_key="a", instance=instance, resources=io)

    assert _dagster_status(instance, graph, harmonised.key, "a") == StaleStatus.STALE  # the false alarm is reproduced ...
    stale = adapter.staleness(instance, graph)
    assert stale.is_fresh(harmonised.key, "a") and stale.causes(harmonised.key, "a") == []  # ... and dropped
    assert stale.is_fresh(harmonised.key, "b") and stale.is_fresh(raw.key, "a")

    # the same partition's input written again by a later run with a new data version: stale
    _rewrite_raw(instance, io, "a")
    stale = adapter.staleness(instance, graph)
    assert not stale.is_fresh(harmonised.key, "a")
    assert stale.causes(harmonised.key, "a") == ["raw: has a new data version"]
    assert stale.is_fresh(harmonised.key, "b")
    # ... and a rerun of both in one run is fresh again
    dg.materialize(assets, partition_key="a", instance=instance, resources=io)
    assert adapter.staleness(instance, graph).is_fresh(harmonised.key, "a")


@dg.asset(code_version="1")
def across(raw: dict) -> int:
    """An unpartitioned asset that reads every partition of ``raw`` (like the panel)."""
    return sum(raw.values())


def test_an_asset_of_all_partitions_is_not_stale_after_side_by_side_wave_runs(instance, monkeypatch):
    """The same lagging pointer recorded as the input of an asset over all partitions (the
    cross-wave assets) made a rerun on PostgreSQL rebuild every cross-wave asset ("wave_codebook:
    has a new data version"). Reproduced deterministically: the dropped cause is the false
    alarm only, and a partition written again after the asset's run is still a change."""
    import warnings

    from dagster._core.definitions.data_version import StaleStatus

    warnings.filterwarnings("ignore")
    graph = dg.Definitions(assets=[raw, across], resources={"io_manager": dg.mem_io_manager}).resolve_asset_graph()
    io = {"io_manager": dg.fs_io_manager.configured({"base_dir": str(instance.root_directory)})}
    dg.materialize([raw], partition_key="b", instance=instance, resources=io)
    lagging = {r.asset_entry.asset_key: r for r in instance.get_asset_records([raw.key])}  # points at raw[b]
    dg.materialize([raw], partition_key="a", instance=instance, resources=io)

    _materialise_with_lagging_pointer(monkeypatch, lagging, [raw, across], selection=[across.key], instance=instance,
                                      resources=io)

    assert _dagster_status(instance, graph, across.key, None) == StaleStatus.STALE  # the false alarm is reproduced ...
    stale = adapter.staleness(instance, graph)
    assert stale.is_fresh(across.key, None) and stale.causes(across.key, None) == []  # ... and dropped

    # a partition written again after the asset's run, with a new data version: stale
    _rewrite_raw(instance, io, "b")
    stale = adapter.staleness(instance, graph)
    assert not stale.is_fresh(across.key, None)
    assert stale.causes(across.key, None) == ["raw: has a new data version"]
    # ... and running the asset again makes it fresh
    dg.materialize([raw, across], selection=[across.key], instance=instance, resources=io)
    assert adapter.staleness(instance, graph).is_fresh(across.key, None)


# -- pooled_sqlite_events ----------------------------------------------------------------------


def _open_db_files() -> set[str]:
    """The SQLite files this process holds open (``/proc/self/fd``)."""
    fds = Path("/proc/self/fd")
    found = set()
    for fd in fds.iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.endswith((".db", ".db-wal")):
            found.add(target)
    return found


def _events(home: Path) -> dict[str, list[str]]:
    """Every stored event (type, or log message) of every run, read by a fresh unpooled
    instance on the same folder."""
    with dg.DagsterInstance.from_config(str(home)) as inst:
        return {r.dagster_run.run_id: sorted(e.dagster_event_type.value if e.dagster_event else e.user_message
                                            for e in inst.all_logs(r.dagster_run.run_id))
                for r in inst.get_run_records()}


@dg.asset
def logged(context: dg.AssetExecutionContext) -> int:
    for i in range(5):
        context.log.info(f"message {i}")
    return 1


@dg.asset_check(asset=logged, blocking=True)
def logged_gate() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def _materialise(inst) -> str:
    return dg.materialize([logged, logged_gate], instance=inst, resources={"io_manager": dg.mem_io_manager}).run_id


@pytest.fixture
def local_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return home


def test_pooled_events_are_the_same_events_and_nothing_stays_open(local_home, tmp_path):
    assert _open_db_files() == set()
    with dg.DagsterInstance.from_config(str(local_home)) as inst, adapter.pooled_sqlite_events(inst) as pooled:
        assert pooled is inst and "_connect" in vars(inst.event_log_storage)   # pooled: this object only
        run_pooled = _materialise(inst)
        assert any(str(local_home) in f for f in _open_db_files())  # the pool keeps its connections ...
        assert adapter.latest_check_executions(inst, [dg.AssetCheckKey(logged.key, "logged_gate")], None)
    assert not any(str(local_home) in f for f in _open_db_files())  # ... and closes them on leaving
    with dg.DagsterInstance.from_config(str(local_home)) as inst:
        assert "_connect" not in vars(inst.event_log_storage)
        run_plain = _materialise(inst)
    events = _events(local_home)
    assert events[run_pooled] == events[run_plain] and len(events[run_pooled]) > 20
    assert sum(m.startswith("message ") for m in events[run_pooled]) == 5


def test_a_forked_child_and_its_parent_both_keep_writing(local_home):
    """The runner forks wave runs and figure renderers: a child must neither use nor close
    the parent's pooled connections. The child starts with none (and opens its own) on the
    inherited instance as on a new one; both sides keep writing, and every event is stored."""
    import multiprocessing
    import sqlite3

    def child(home: str, inherited) -> None:
        if any(pools.engines for pools in adapter._POOLED):
            os._exit(3)  # the parent's connections came along
        _materialise(inherited)
        with dg.DagsterInstance.from_config(home) as inst, adapter.pooled_sqlite_events(inst):
            for _ in range(2):
                _materialise(inst)

    with dg.DagsterInstance.from_config(str(local_home)) as inst, adapter.pooled_sqlite_events(inst):
        first = _materialise(inst)  # the parent's pool is open at the fork
        assert any(pools.engines for pools in adapter._POOLED)
        proc = multiprocessing.get_context("fork").Process(target=child, args=(str(local_home), inst))
        proc.start()
        later = [_materialise(inst) for _ in range(3)]
        proc.join(120)
        assert proc.exitcode == 0
        later.append(_materialise(inst))  # the parent's connections still work after the child ended
    events = _events(local_home)
    assert len(events) == 8 and {first, *later} <= set(events)
    assert len({tuple(e) for e in events.values()}) == 1   # every run stored completely
    for db in (local_home / "history").rglob("*.db"):
        with sqlite3.connect(db) as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",), db


def test_another_storage_is_left_alone():
    with dg.DagsterInstance.ephemeral() as inst, adapter.pooled_sqlite_events(inst) as same:
        assert same is inst and "_connect" not in vars(inst.event_log_storage)
