"""The Dagster UI on a materialised small study (a private copy of the session's small
run: ``dagster dev`` writes to its instance): GraphQL sees the graph, its checks, the
sensors and the materialisations; headless Chromium renders the asset graph.

Set ``JH_SAVE_SCREENSHOTS=1`` to copy the screenshot to
``reports/validation/ui_asset_graph.png`` for review.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT = Path(__file__).resolve().parents[2]
LOCATION = "jamlik_halsa"
GRAPH_PAGE = f"/locations/{LOCATION}/asset-groups/scoring"

ASSET_QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    assetMaterializations(limit: 1) { runId }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
  sensorsOrError(repositorySelector: {repositoryName: "__repository__", repositoryLocationName: "%s"}) {
    ... on Sensors { results { name sensorState { status } } }
  }
}
""" % LOCATION  # noqa: UP031 -- the GraphQL braces would need doubling in an f-string


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(base: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"dagster dev exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/server_info", timeout=5) as r:
                if r.status == 200 and "dagster_webserver_version" in json.load(r):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            pass
        time.sleep(2)
    raise AssertionError(f"webserver not up after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _graphql(base: str, query: str, timeout: float = 120) -> dict:
    """POST a query; retried while the code location is still loading."""
    deadline = time.monotonic() + timeout
    while True:
        req = urllib.request.Request(f"{base}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            body = json.load(r)
        if "errors" not in body and body["data"]["assetNodes"]:
            return body["data"]
        if time.monotonic() > deadline:
            raise AssertionError(f"GraphQL did not answer with the graph: {body}")
        time.sleep(2)


def _stop(proc: subprocess.Popen) -> None:
    """Stop ``dagster dev`` and its children (webserver, daemon, code servers) by process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)   # children that outlived the parent
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def _chromium(url: str, profile: Path, *mode: str, budget_ms: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--window-size=1600,1200", f"--virtual-time-budget={budget_ms}",
         *mode, url],
        capture_output=True, text=True, timeout=300)


def test_ui_shows_the_asset_graph_with_checks(small_run, tmp_path, monkeypatch, run_copier):
    from pipelines.definitions import defs

    # a copy of the session's small run (its instance and outputs; its study folder is only read)
    env = run_copier(small_run, tmp_path / "run", monkeypatch, study=False)
    home = env.root / "dagster_home"
    # a quiet instance: no telemetry, no "join the community" dialog over the graph
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "dagster_dev.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT, env={**os.environ, "DAGSTER_HOME": str(home)}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        _wait_for_server(base, proc, log)
        data = _graphql(base, ASSET_QUERY)

        graph = defs.resolve_asset_graph()
        nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
        assert sorted(nodes) == sorted(k.to_user_string() for k in graph.materializable_asset_keys)
        ui_checks = {f"{key}:{c['name']}": c["blocking"] for key, n in nodes.items()
                     for c in n["assetChecksOrError"]["checks"]}
        assert sorted(ui_checks) == sorted(k.to_user_string() for k in graph.asset_check_keys)
        assert ui_checks["panel:id_format_consistent"] is True
        assert ui_checks["panel:linkage_rate"] is False
        assert all(ui_checks[f"harmonised_wave:{c}"] for c in
                   ("unique_participant_ids", "participant_id_format", "allowed_codes", "required_variables"))
        assert {n["groupName"] for n in nodes.values()} == {"ingest", "scoring", "analysis", "publishing"}
        # the UI reads the same instance the pipeline ran on
        assert not [k for k, n in nodes.items() if not n["assetMaterializations"]]
        sensors = {s["name"]: s["sensorState"]["status"] for s in data["sensorsOrError"]["results"]}
        assert sensors == {"wave_inbox_sensor": "STOPPED", "cross_wave_automation": "STOPPED"}

        # the rendered page: its DOM must hold the graph's nodes and check results, i.e. the
        # page had loaded its data before the screenshot is taken
        url = base + GRAPH_PAGE
        # (a busy 2-core CI machine may need more than one load: the first one warms the
        # webserver's asset-graph queries)
        for budget in (15000, 30000, 60000, 120000):
            dom = _chromium(url, tmp_path / "chromium", "--dump-dom", budget_ms=budget).stdout
            if all(s in dom for s in ("panel", "scored_wave")) and re.search(r"\b(\d+) / \1 Passed", dom):
                break
            time.sleep(5)
        else:
            raise AssertionError(f"asset graph page did not render its nodes: {dom[-2000:]}")
        shot = tmp_path / "ui_asset_graph.png"
        _chromium(url, tmp_path / "chromium", f"--screenshot={shot}", budget_ms=budget)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
        if os.environ.get("JH_SAVE_SCREENSHOTS") == "1":
            dst = PROJECT / "reports" / "validation" / "ui_asset_graph.png"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, dst)
    finally:
        _stop(proc)
