"""Publishing is atomic as a set: ``reports/<year>/`` always holds one complete release whose
``manifest.json`` describes exactly the files beside it, however the publishing process ends.

The promotion (:func:`publishing.release.promote`) is killed with SIGKILL at random
moments, 20 times, while it swaps a new release in; after each kill (and the clean-up that
precedes every run) the folder is checked against its manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publishing import release

YEAR = 2025
N_FILES = 150


def _write_staging(reports: Path, version: int) -> dict[str, str]:
    stage = release.staging_dir(reports, YEAR)
    files = {}
    for i in range(N_FILES):
        rel = f"figures/f{i:03d}.svg" if i % 3 else f"tables/t{i:03d}.csv"
        p = stage / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(f"version {version} file {i}\n".encode() * 2000)
        files[rel] = release.sha256_file(p)
    return files


_PROMOTE = """
import json, sys
from pathlib import Path
from publishing import release
reports, year, files = Path(sys.argv[1]), int(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())
def manifest(folder):
    out = {rel: release.sha256_file(folder / rel) for rel in sorted(files)}
    p = folder / "manifest.json"
    p.write_text(json.dumps({"outputs": out}))
    return p
print("start", flush=True)
release.promote(reports, year, files, manifest)
print("done", flush=True)
"""


def _check_release(reports: Path) -> int:
    """The release folder agrees with its manifest; returns the version it holds."""
    folder = reports / str(YEAR)
    manifest = json.loads((folder / "manifest.json").read_text())
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    assert on_disk == set(manifest["outputs"])
    versions = set()
    for rel, digest in manifest["outputs"].items():
        data = (folder / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, rel
        versions.add(int(data.split()[1]))
    assert len(versions) == 1, versions          # never a mixture of two releases
    return versions.pop()


def _promote(reports: Path, files: dict[str, str], tmp_path: Path) -> subprocess.Popen:
    spec = tmp_path / "files.json"
    spec.write_text(json.dumps(files))
    return subprocess.Popen([sys.executable, "-c", _PROMOTE, str(reports), str(YEAR), str(spec)],
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])


@pytest.mark.slow
def test_killed_promotion_leaves_one_complete_release(tmp_path):
    reports = tmp_path / "reports"
    files = _write_staging(reports, 0)
    p = _promote(reports, files, tmp_path)
    assert p.wait(60) == 0
    assert _check_release(reports) == 0
    t0 = time.monotonic()
    files = _write_staging(reports, 1)
    p = _promote(reports, files, tmp_path)
    assert p.wait(60) == 0
    duration = time.monotonic() - t0
    assert _check_release(reports) == 1
    rng = random.Random(2025)
    seen = {0: 0, 1: 0}
    version = 1
    for attempt in range(20):
        new = version + 1
        files = _write_staging(reports, new)
        p = _promote(reports, files, tmp_path)
        assert p.stdout.readline().strip() == "start"
        time.sleep(rng.uniform(0, duration))
        os.kill(p.pid, signal.SIGKILL)
        p.wait(30)
        release.recover(reports, YEAR)                # what the next run does first
        got = _check_release(reports)
        assert got in (version, new), (attempt, got)
        seen[int(got == new)] += 1
        version = got
        assert not list(reports.glob(f"{release.NEW_PREFIX}*")) and not list(reports.glob(f"{release.OLD_PREFIX}*"))
    assert seen[0] and seen[1], seen                  # kills landed both before and after the swap


def test_a_staged_file_changed_after_it_was_written_is_not_published(tmp_path):
    reports = tmp_path / "reports"
    files = _write_staging(reports, 0)
    release.promote(reports, YEAR, files, lambda f: (f / "manifest.json").write_text("{}") and f / "manifest.json")
    files = _write_staging(reports, 1)
    (reports / release.STAGING / str(YEAR) / "tables" / "t000.csv").write_text("tampered")
    with pytest.raises(release.ReleaseError, match="t000.csv: changed after it was written"):
        release.promote(reports, YEAR, files, lambda f: f / "manifest.json")
    assert b"version 0" in (reports / str(YEAR) / "tables" / "t000.csv").read_bytes()
    assert not list(reports.glob(f"{release.NEW_PREFIX}*"))


def test_a_failed_last_check_leaves_the_previous_release(tmp_path):
    reports = tmp_path / "reports"
    release.promote(reports, YEAR, _write_staging(reports, 0), lambda f: f / "manifest.json")

    def refuse(folder):
        raise release.ReleaseError("a pseudonym in report.html")

    with pytest.raises(release.ReleaseError):
        release.promote(reports, YEAR, _write_staging(reports, 1), lambda f: f / "manifest.json", before_swap=refuse)
    assert b"version 0" in (reports / str(YEAR) / "tables" / "t000.csv").read_bytes()


def test_without_an_atomic_exchange_an_interrupted_swap_is_repaired(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    release.promote(reports, YEAR, _write_staging(reports, 0), lambda f: f / "manifest.json")
    monkeypatch.setattr(release, "_exchange", lambda a, b: False)
    real_rename = os.rename
    calls = []

    def crash_on_second_rename(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:
            raise KeyboardInterrupt("killed between the two renames")
        return real_rename(src, dst)

    monkeypatch.setattr(release.os, "rename", crash_on_second_rename)
    with pytest.raises(KeyboardInterrupt):
        release.promote(reports, YEAR, _write_staging(reports, 1), lambda f: f / "manifest.json")
    monkeypatch.setattr(release.os, "rename", real_rename)
    assert not (reports / str(YEAR)).exists()
    notes = release.recover(reports, YEAR)
    assert notes and b"version 0" in (reports / str(YEAR) / "tables" / "t000.csv").read_bytes()
