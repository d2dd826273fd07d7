"""Stored data are verified, not assumed (issue 14, item 2).

Every parquet file the IO manager writes is recorded with its size and sha256 in the
materialisation's metadata. ``status`` and ``run`` compare the file on disk with that
record: a deleted or overwritten file makes its asset stale (and its consumers), ``status``
says which and why, ``run`` rebuilds it. Before the fix ``status`` said "up to date" and
every plain run failed with FileNotFoundError.

The tests work on a copy of the session's example-study run (instance and outputs).
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from pipelines import cli, runner
from studyconfig.config import DEFAULT_CONFIG, load_config

#: every test here starts from the example study's whole pipeline run (make test, not make test-fast)
pytestmark = pytest.mark.slow


@pytest.fixture
def copied_run(copied_example_run) -> Path:
    """The output root of a private copy of the example run (outputs and Dagster instance)."""
    return copied_example_run.out


def plan():
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        return runner.make_plan(defs, instance, load_config(DEFAULT_CONFIG), DEFAULT_CONFIG)


def status(capsys) -> str:
    capsys.readouterr()
    assert cli.main(["status", "--config", str(DEFAULT_CONFIG)]) == 0
    return capsys.readouterr().out


def test_the_io_manager_records_size_and_hash_of_what_it_wrote(copied_run):
    from pipelines.io_managers import STORED_BYTES, STORED_SHA256, file_digest

    with dg.DagsterInstance.get() as instance:
        rec = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("scored_wave"), asset_partitions=["T0"]), limit=1).records[0]
    meta = rec.asset_materialization.metadata
    size, digest = file_digest(copied_run / "data" / "interim" / "scored_wave" / "T0.parquet")
    assert (meta[STORED_BYTES].value, meta[STORED_SHA256].value) == (size, digest)
    p = plan()
    assert p.empty and not p.stored and not p.blocked   # the copy verifies: nothing to do


def test_a_deleted_parquet_is_reported_and_rebuilt(copied_run, capsys):
    stored = copied_run / "data" / "interim" / "scored_wave" / "T0.parquet"
    stored.unlink()
    out = status(capsys)
    assert "up to date" not in out
    assert f"scored_wave[T0]: {stored}: missing" in out
    p = plan()
    assert [str(s) for s in p.stored] == [f"scored_wave[T0]: {stored}: missing"]
    assert dg.AssetKey("scored_wave") in p.waves["T0"] and dg.AssetKey("panel") in p.cross_wave
    assert dg.AssetKey("evaluation_report") in p.cross_wave      # consumers are rebuilt too
    assert p.waves["T1"] == [] and p.waves["T2"] == []          # the other waves are not touched
    lines: list[str] = []
    report = runner.run(DEFAULT_CONFIG, echo=lines.append, targets=["panel"])
    assert report.success, report.failures
    assert f"stored data missing or changed, rebuilt: scored_wave[T0]: {stored}: missing" in lines
    assert "scored_wave[T0]" in report.materialised and "panel" in report.materialised
    assert len(pd.read_parquet(stored)) > 0
    assert not plan().stored


def test_an_overwritten_parquet_is_reported_and_rebuilt(copied_run, capsys):
    stored = copied_run / "data" / "processed" / "panel.parquet"
    size = stored.stat().st_size
    stored.write_bytes(os.urandom(size))                        # same size, other bytes
    out = status(capsys)
    assert f"panel: {stored}: content changed since it was written (sha256 differs)" in out
    (copied_run / "data" / "interim" / "harmonised_wave" / "T2.parquet").write_bytes(b"garbage")
    p = plan()
    assert {str(s).split(":")[0] for s in p.stored} == {"panel", "harmonised_wave[T2]"}
    assert any("7 bytes" in s.problem for s in p.stored)
    assert dg.AssetKey("harmonised_wave") in p.waves["T2"] and dg.AssetKey("wave_codebook") in p.waves["T2"]
    report = runner.run(DEFAULT_CONFIG, echo=lambda _: None, targets=["panel"])
    assert report.success, report.failures
    assert len(pd.read_parquet(stored)) > 0
    assert not plan().stored
