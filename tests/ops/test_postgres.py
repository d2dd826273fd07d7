"""The shared-server profile (``deploy/dagster.yaml``) against a real PostgreSQL server.

A throw-away server is initialised in a temporary folder (trust authentication, a free
port on 127.0.0.1, its Unix socket in the same folder), the pipeline runs on the small
study with that instance, and the runs, materialisations, check results and partitions are
read back through Dagster and straight from the PostgreSQL tables. When the tests run as
root, the server runs as the ``postgres`` system user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROJECT = Path(__file__).resolve().parents[2]
SUPERUSER = "dagster"
DB_NAME = "dagster_jh_test"


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.skip("PostgreSQL is not installed")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    root: Path
    bin: Path
    as_root: bool

    def cmd(self, *args: str) -> list[str]:
        """A server command, as the ``postgres`` user when we are root."""
        return ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(self.cmd(*args), check=True, capture_output=True, text=True, timeout=timeout)

    def stop(self) -> None:
        subprocess.run(self.cmd(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "stop", "-m", "fast",
                                "-w", "-t", "60"), capture_output=True, text=True, timeout=90)


@pytest.fixture
def postgres() -> Iterator[Server]:
    """A running PostgreSQL server with an empty database ``DB_NAME``; stopped afterwards."""
    import psycopg2

    pg_bin = _pg_bin()
    as_root = os.geteuid() == 0
    if as_root and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser")
    # not under pytest's tmp_path: its parent is private to the current user, and the
    # server may run as another user
    root = Path(tempfile.mkdtemp(prefix="jh-pg-"))
    (root / "sock").mkdir()
    if as_root:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(root / "sock", "postgres", "postgres")
    server = Server(port=_free_port(), root=root, bin=pg_bin, as_root=as_root)
    started = False
    try:
        server.run(str(pg_bin / "initdb"), "-D", str(root / "data"), "--auth=trust", f"--username={SUPERUSER}",
                   "--encoding=UTF8", "--no-locale")
        server.run(str(pg_bin / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log"), "-w",
                   "-t", "60", "-o", f"-p {server.port} -k {root / 'sock'} -c listen_addresses=127.0.0.1",
                   "start")
        started = True
        conn = psycopg2.connect(host="127.0.0.1", port=server.port, user=SUPERUSER, dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DB_NAME}")
        conn.close()
        yield server
    except subprocess.CalledProcessError as exc:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        raise AssertionError(f"{exc.cmd} failed:\n{exc.stdout}\n{exc.stderr}\n{log}") from exc
    finally:
        if started:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _count(server: Server, sql: str, *params) -> int:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=server.port, user=SUPERUSER, dbname=DB_NAME)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return int(cur.fetchone()[0])
    finally:
        conn.close()


def test_pipeline_runs_on_the_postgres_profile(postgres, pipeline_env, monkeypatch):
    import dagster as dg
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    home = pipeline_env.root / "dagster_home"
    shutil.copy(PROJECT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    for name, value in {"HOST": "127.0.0.1", "PORT": str(postgres.port), "USER": SUPERUSER,
                        "PASSWORD": "unused-with-trust-auth", "DB": DB_NAME}.items():
        monkeypatch.setenv(f"DAGSTER_PG_{name}", value)

    report = pipeline_env.run()
    assert report.success, report.lines
    assert (home / "dagster.yaml").read_text() == (PROJECT / "deploy" / "dagster.yaml").read_text()

    instance = dg.DagsterInstance.get()
    try:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        runs = instance.get_runs()
        # one run per wave, then one for the cross-wave assets (see pipelines.runner)
        assert len(runs) == 4
        assert sorted(r.job_name for r in runs) == ["cross_wave_job", "wave_job", "wave_job", "wave_job"]
        assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
        assert sorted(instance.get_dynamic_partitions("wave")) == ["T0", "T1", "T2"]
        panel = instance.fetch_materializations(dg.AssetKey("panel"), limit=1).records
        assert panel and panel[0].event_log_entry.asset_materialization.metadata["n/T0"].value > 0
        scored = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("scored_wave"), asset_partitions=["T2"]), limit=1).records
        assert len(scored) == 1
    finally:
        instance.dispose()

    # the same facts, straight from PostgreSQL
    assert _count(postgres, "SELECT count(*) FROM runs") == 4
    assert _count(postgres, "SELECT count(*) FROM runs WHERE status = 'SUCCESS'") == 4
    assert _count(postgres, "SELECT count(*) FROM event_logs WHERE dagster_event_type = %s",
                  "ASSET_MATERIALIZATION") == len(report.materialised)
    assert _count(postgres, "SELECT count(DISTINCT asset_key) FROM asset_keys") >= 20
    assert _count(postgres, "SELECT count(*) FROM asset_check_executions WHERE execution_status = %s",
                  "SUCCEEDED") >= 3 * 5 + 2
    assert _count(postgres, "SELECT count(*) FROM dynamic_partitions WHERE partitions_def_name = %s",
                  "wave") == 3

    # stale-only reruns work on this storage too: nothing changed, nothing runs
    again = pipeline_env.run()
    assert again.success and again.materialised == [], again.plan.reasons
    assert _count(postgres, "SELECT count(*) FROM runs") == 4
