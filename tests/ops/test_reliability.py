"""Reliability and privacy of whole runs (issue 8): no participant ID leaves the pipeline,
raw data are never touched, outputs are written atomically (a killed run leaves no partial
file and a rerun gives the same outputs), and two runs cannot use one output root or one
Dagster instance at once.

The leak scans read every byte the pipeline leaves behind *except* the parquet stores
``data/interim`` and ``data/processed`` written by the IO manager: those are the
pseudonymised analysis data themselves (like R's ``targets`` store) and necessarily hold
the pseudonyms. Everything else is scanned: every file under ``DAGSTER_HOME`` (raw bytes,
and every cell of every table of its SQLite databases - run records, serialised events
with materialisation metadata, check evaluations and step-failure errors, snapshots,
zlib-compressed blobs unpacked - plus the compute logs ``storage/<run>/compute_logs/*.out|err``)
and every file under the output root (reports: HTML, CSV, JSON; DOCX unzipped; PDF streams
inflated; PNG text chunks; SVG, which carries every figure text as an XML comment, so the
text of the PNG/PDF twins of a figure is covered too), and the runner's own messages.
IDs are matched case-insensitively.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml

from pipelines import locking
from studyconfig.config import DEFAULT_CONFIG, PROJECT_ROOT, load_config
from survey import fsutil
from tools.example_study import rewrite_sav

# -- scanning for participant IDs ----------------------------------------------------------------


def study_ids(config_path: Path) -> set[str]:
    """Every participant ID of a study, read from its wave files and attendance register."""
    config = load_config(config_path)
    ids: set[str] = set()
    for w in config.waves:
        path = config.wave_path(w.id)
        if path.suffix.lower() == ".sav":
            df, _ = pyreadstat.read_sav(str(path), usecols=[w.id_variable])
        else:
            df = pd.read_csv(path, dtype=str, usecols=[w.id_variable])
        ids |= set(df[w.id_variable].dropna().astype(str).str.strip())
    if config.attendance is not None:
        reg = pd.read_csv(config.resolve(config.attendance.file), dtype=str)
        ids |= set(reg[config.attendance.id_column].dropna().str.strip())
    return {i for i in ids if i}


def _sqlite_cells(path: Path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for t in tables:
            for row in con.execute(f'SELECT * FROM "{t}"'):
                for v in row:
                    if isinstance(v, str):
                        yield f"{path.name}:{t}", v.encode("utf-8")
                    elif isinstance(v, bytes):
                        yield f"{path.name}:{t}", v
                        try:
                            yield f"{path.name}:{t} (inflated)", zlib.decompress(v)
                        except zlib.error:
                            pass
    finally:
        con.close()


def _png_text(data: bytes):
    pos = 8
    while pos + 8 <= len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind in (b"tEXt", b"iTXt", b"zTXt"):
            yield body
            if b"\x00" in body:
                try:
                    yield zlib.decompress(body.split(b"\x00", 2)[-1].lstrip(b"\x00"))
                except zlib.error:
                    pass
        pos += 12 + n


def expand(path: Path):
    """``(where, bytes)`` for a file and everything inside it."""
    data = path.read_bytes()
    yield str(path), data
    if data[:16] == b"SQLite format 3\x00":
        yield from _sqlite_cells(path)
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                yield f"{path}:{name}", name.encode("utf-8") + b"\n" + z.read(name)
    elif data[:5] == b"%PDF-":
        for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, flags=re.S):
            try:
                yield f"{path} (pdf stream)", zlib.decompress(m.group(1))
            except zlib.error:
                continue
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        for text in _png_text(data):
            yield f"{path} (png text)", text


class IdScanner:
    """Counts participant IDs (case-insensitive) in files, SQLite cells and messages."""

    def __init__(self, ids):
        self.ids = {i.lower() for i in ids}
        assert self.ids, "no participant IDs to look for"
        self.rx = re.compile(b"|".join(re.escape(i.encode("utf-8")) for i in sorted(self.ids, key=len, reverse=True)))
        self.hits: dict[str, int] = {}
        self.scanned: list[str] = []

    def blob(self, where: str, data: bytes) -> None:
        self.scanned.append(where)
        found = set(self.rx.findall(data.lower()))
        if found:
            self.hits[where] = len(found)

    def files(self, folder: Path, exclude: tuple[Path, ...] = ()) -> list[Path]:
        files = [p for p in sorted(Path(folder).rglob("*"))
                 if p.is_file() and not any(p.is_relative_to(x) for x in exclude)]
        for p in files:
            for where, data in expand(p):
                self.blob(where, data)
        return files

    def text(self, where: str, lines) -> None:
        self.blob(where, "\n".join(map(str, lines)).encode("utf-8"))


def scan_run(scanner: IdScanner, home: Path, out: Path) -> dict[str, list[Path]]:
    """Scan an instance and an output root, leaving out only the parquet stores."""
    stores = (out / "data" / "interim", out / "data" / "processed")
    return {"home": scanner.files(home), "out": scanner.files(out, exclude=stores)}


def test_the_scanner_finds_ids_where_they_are(tmp_path):
    """Positive control: the scanner sees IDs in the raw files, in a DOCX member, in an SQLite
    cell (also zlib-compressed) and in mixed case."""
    ids = study_ids(DEFAULT_CONFIG)
    some = sorted(ids)[:3]
    s = IdScanner(ids)
    s.files(DEFAULT_CONFIG.parent)
    assert any(w.endswith(".sav") for w in s.hits) and any("attendance.csv" in w for w in s.hits)
    with zipfile.ZipFile(tmp_path / "a.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", f"<w:t>{some[0].lower()}</w:t>" + "x" * 5000)
    con = sqlite3.connect(tmp_path / "e.db")
    con.execute("CREATE TABLE t (a TEXT, b BLOB)")
    con.execute("INSERT INTO t VALUES (?, ?)", ("nothing", zlib.compress(some[1].encode() * 50)))
    con.commit()
    con.close()
    s = IdScanner(ids)
    s.files(tmp_path)
    assert any(w.endswith("word/document.xml") for w in s.hits)
    assert any(w.endswith("(inflated)") for w in s.hits)


@pytest.mark.slow
def test_no_participant_id_in_instance_logs_or_outputs_of_the_example_run(example_run):
    """The whole pipeline on the bundled example study: zero IDs outside the parquet stores."""
    out, home = example_run.out, example_run.root / "dagster_home"
    ids = study_ids(DEFAULT_CONFIG)
    assert len(ids) > 200
    scanner = IdScanner(ids)
    files = scan_run(scanner, home, out)
    assert scanner.hits == {}, f"participant IDs found in: {sorted(scanner.hits)}"
    # the scan covered what it claims to cover
    names = {p.name for p in files["home"]}
    assert {"runs.db", "index.db"} <= names and any(n.endswith(".db") and len(n) > 30 for n in names)
    assert any(p.suffix == ".out" for p in files["home"]) and any(p.suffix == ".err" for p in files["home"])
    where = " ".join(scanner.scanned)
    assert "event_logs" in where and "snapshots" in where
    year = out / "reports" / str(load_config(DEFAULT_CONFIG).study.evaluation_year)
    for pattern in ("*.html", "*.docx", "manifest.json", "tables/*.csv", "figures/*.png", "figures/*.svg",
                    "figures/*.pdf", "codebook/*.html", "codebook/*.csv"):
        assert list(year.glob(pattern)), pattern
    assert any(":word/document.xml" in w for w in scanner.scanned) and any("(pdf stream)" in w for w in scanner.scanned)
    events = _event_types(home)
    assert {"ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION"} <= events


def _event_types(home: Path) -> set[str]:
    types = set()
    for db in (home / "history" / "runs").glob("*.db"):
        if db.name == "index.db":
            continue
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        types |= {t for (t,) in con.execute("SELECT DISTINCT dagster_event_type FROM event_logs") if t}
        con.close()
    return types


@pytest.mark.slow
def test_failing_runs_leak_no_participant_id(pipeline_env):
    """Two failing runs on the small study, scanned like the successful one:

    1. wave T0 with a duplicated ID, an ID in the wrong format (a real ID in lower case)
       and an out-of-range code: the blocking checks fail;
    2. wave T0 delivered as CSV with a participant ID pasted into a numeric item: the
       step fails with an exception.
    """
    env = pipeline_env
    cfg = yaml.safe_load(env.config.read_text(encoding="utf-8"))
    t0 = cfg["waves"][0]
    sav = env.study_dir / t0["file"]
    id_var, item = t0["id_variable"], next(iter(t0["mapping"]))
    ids = study_ids(env.config)

    def corrupt(df):
        df = df.copy()
        df.loc[1, id_var] = df.loc[0, id_var]                 # duplicate
        df.loc[2, id_var] = str(df.loc[2, id_var]).lower()    # wrong format, still identifying
        df.loc[3, item] = 42                                  # out of range
        return df

    rewrite_sav(sav, corrupt)
    first = env.run()
    assert not first.success
    checks = " ".join(name for name, _ in first.failed_checks)
    assert "unique_participant_ids" in checks and "participant_id_format" in checks and "allowed_codes" in checks

    df, _ = pyreadstat.read_sav(str(sav))
    df[item] = df[item].astype(object)
    df.loc[4, item] = df.loc[5, id_var]
    csv = sav.with_suffix(".csv")
    df.to_csv(csv, index=False)
    cfg["waves"][0]["file"] = str(Path(t0["file"]).with_suffix(".csv"))
    env.config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    second = env.run()
    errors = " ".join(second.errors)
    assert not second.success and "harmonised_wave" in errors and repr(item) in errors and "rows 5" in errors, errors

    scanner = IdScanner(ids)
    for n, report in (("first", first), ("second", second)):
        scanner.text(f"{n} run: printed lines", report.lines)
        scanner.text(f"{n} run: errors", report.errors)
        scanner.text(f"{n} run: failed checks", [f"{c}: {d}" for c, d in report.failed_checks])
    scan_run(scanner, env.root / "dagster_home", env.out)
    assert scanner.hits == {}, f"participant IDs found in: {sorted(scanner.hits)}"
    assert {"STEP_FAILURE", "ASSET_CHECK_EVALUATION"} <= _event_types(env.root / "dagster_home")


def test_a_storage_error_does_not_quote_the_offending_value(tmp_path):
    """pyarrow's conversion error quotes the cell ("Could not convert 'JH-...'"); the IO
    manager replaces it with one naming the asset and column, before Dagster logs it."""
    import dagster as dg

    from pipelines.io_managers import ParquetIOManager
    from pipelines.resources import ProjectPaths

    secret = "JH-0FCA07"

    @dg.asset
    def mixed_wave() -> pd.DataFrame:
        return pd.DataFrame({"eq5d5l_mo": [1.0, secret, 3.0], "other": [1, 2, 3]})

    io = ParquetIOManager(paths=ProjectPaths(root=str(tmp_path / "out")), stage="interim")
    (tmp_path / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        result = dg.materialize([mixed_wave], instance=instance, resources={"io_manager": io},
                                raise_on_error=False)
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.to_string()
    assert "mixed_wave: cannot be stored as parquet" in message and "eq5d5l_mo" in message
    scanner = IdScanner([secret])
    scanner.files(tmp_path)
    assert scanner.hits == {}
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]  # no partial or temporary file


# -- atomic writes ---------------------------------------------------------------------------------


def test_atomic_write_keeps_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "tables" / "flow.csv"
    fsutil.atomic_write_text(target, "old\n")
    with pytest.raises(RuntimeError, match="disk full"):
        with fsutil.atomic_write(target, "w") as fh:
            fh.write("half a ta")
            assert [p.name for p in target.parent.iterdir() if fsutil.is_temp_file(p)]
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["flow.csv"]
    fsutil.atomic_write_bytes(target, b"new\n")
    umask = os.umask(0o022)
    os.umask(umask)
    # permissions as for an ordinary new file (not the 0600 of tempfile.mkstemp)
    assert target.read_bytes() == b"new\n" and target.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_stale_temp_files_are_removed_and_never_treated_as_outputs(tmp_path):
    from publishing import disclosure, manifest

    year = tmp_path / "reports" / "2025"
    (year / "figures").mkdir(parents=True)
    (year / "figures" / "flow_sv.png").write_bytes(b"png")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = year / "figures" / f".tmp-flow_sv.svg.{int(dead.stdout)}-0123abcd"
    stale.write_text("<svg>JH-0FCA07 half writ")
    # a killed writer that nobody has reaped yet (a zombie: in a container whose init does
    # not reap orphans, a killed run's forked children stay zombies) is dead too
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    while Path(f"/proc/{zombie.pid}/stat").exists() and \
            Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z":
        time.sleep(0.01)
    undead = year / f".tmp-report.docx.{zombie.pid}-89abcdef"
    undead.write_bytes(b"PK")
    live = fsutil.temp_path_for(year / "report.html")
    live.write_text("JH-0FCA07")
    assert list(manifest.output_hashes(year)) == ["figures/flow_sv.png"]
    assert disclosure.published_files(year) == [year / "figures" / "flow_sv.png"]
    assert disclosure.scan_for_ids([stale, live], ["JH-0FCA07"]) == []
    removed = fsutil.remove_stale_temp_files([tmp_path / "reports", tmp_path / "missing"])
    zombie.wait()
    assert sorted(removed) == sorted([stale, undead])
    assert live.exists() and not stale.exists() and not undead.exists()


# -- locking -------------------------------------------------------------------------------------

HOLDER = """
import sys, time
from pipelines import locking
with locking.run_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(300)
"""


def _run_env(home: Path, out: Path, config: Path) -> dict:
    return dict(os.environ, DAGSTER_HOME=str(home), JH_OUTPUT_ROOT=str(out), STUDY_CONFIG=str(config))


def test_a_second_run_is_refused_and_the_lock_dies_with_its_holder(tmp_path, monkeypatch, capsys):
    from pipelines import cli, runner

    home, out, config = tmp_path / "home", tmp_path / "out", tmp_path / "study" / "study.yaml"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(config)], cwd=PROJECT_ROOT,
                              env=_run_env(home, out, config), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        monkeypatch.setenv("JH_OUTPUT_ROOT", str(out))
        monkeypatch.setenv("STUDY_CONFIG", str(config))  # restored after the test (the runner sets it)
        t = time.monotonic()
        with pytest.raises(locking.RunLockedError) as exc:
            runner.run(config, echo=lambda _: None)
        assert time.monotonic() - t < 5  # refused at once, not after waiting
        msg = str(exc.value)
        assert re.search(rf"^another pipeline run \(pid {holder.pid}, started \d\d:\d\d:\d\d on [-\d]+, "
                         rf"config {re.escape(str(config))}\) is using {re.escape(str(out))}; wait for it", msg), msg
        assert "JH_OUTPUT_ROOT" in msg and "DAGSTER_HOME" in msg
        assert cli.main(["run", "--config", str(config)]) == cli.EXIT_BUSY
        assert f"refused: another pipeline run (pid {holder.pid}" in capsys.readouterr().err
        # refused before anything was read, planned or written
        # (the lock is an flock on the two folders; beside them only the holder's information)
        assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == \
            ["home/.jh-run-holder.json", "out/reports/.jh-run-holder.json"]
        assert cli.main(["report", "--config", str(DEFAULT_CONFIG)]) == cli.EXIT_BUSY
        assert f"refused: another pipeline run (pid {holder.pid}" in capsys.readouterr().err
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    with locking.run_lock(config) as previous:  # released by the kernel when the holder died
        assert previous["pid"] == holder.pid
    with locking.run_lock(config) as previous:  # a clean release leaves no holder behind
        assert previous == {}


def test_deleting_the_lock_files_does_not_let_a_second_run_start(tmp_path, monkeypatch):
    """Issue 14: deleting the lock (information) files while a run is alive used to let a
    second run start. The lock is an flock on the folders themselves: two real processes,
    the information files deleted in between, the second is still refused (exit 3), and
    says that the holder is unknown."""
    home, out, config = tmp_path / "home", tmp_path / "out", tmp_path / "study" / "study.yaml"
    env = _run_env(home, out, config)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(config)], cwd=PROJECT_ROOT, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        lockish = sorted(tmp_path.rglob(".jh-run*"))        # everything that looks like a lock
        assert [json.loads(p.read_text())["pid"] for p in lockish] == [holder.pid, holder.pid]
        for p in lockish:
            p.unlink()
        second = subprocess.run([sys.executable, "-m", "pipelines", "run", "--config", str(config)],
                                cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 3, (second.stdout, second.stderr)
        assert "refused: another pipeline run (holder unknown: its information file was deleted" in second.stderr
        assert f"is using {out}" in second.stderr
        assert not (out / "data").exists() and not (home / "history").exists()
        assert sorted(p.name for p in lockish) == [locking.INFO_NAME] * 2
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("JH_OUTPUT_ROOT", str(out))
    with locking.run_lock(config) as previous:   # released by the kernel when the holder died
        assert previous is None                    # and its information had been deleted


# -- kill mid-way, rerun, raw data, concurrency ----------------------------------------------------


@pytest.mark.slow
def test_an_analysis_asset_materialised_alone_gives_the_same_table(example_run, copied_example_run):
    """A rerun after a kill (or a UI run of one asset) executes a downstream asset in a fresh
    process where the assets that ran before it in a full run did not run. Its result must
    not depend on that: e.g. the study's user-declared scale (``scales/jh_empowerment.yaml``)
    must be known to every asset that lists outcomes, not only to those that register it."""
    import dagster as dg

    from pipelines.definitions import ASSETS, build_resources

    root = copied_example_run.root
    names = ["prepost_tests", "effect_sizes", "table1"]
    with dg.DagsterInstance.from_config(str(root / "dagster_home")) as instance:
        result = dg.materialize(ASSETS, selection=[dg.AssetKey(n) for n in names], instance=instance,
                                resources=build_resources())
    assert result.success
    for name in names:
        alone = pd.read_parquet(root / "out" / "data" / "processed" / f"{name}.parquet")
        full = pd.read_parquet(example_run.out / "data" / "processed" / f"{name}.parquet")
        pd.testing.assert_frame_equal(alone, full, obj=name)


# -- kill mid-way, rerun, raw data, concurrency: one scenario on a copy of the example study ---------


def _tree_state(folder: Path) -> dict[str, tuple[str, int, int]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns,
                                                p.stat().st_size)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_valid(path: Path) -> None:
    """A complete file of its kind (raises otherwise)."""
    from PIL import Image

    suffix = path.suffix
    if suffix == ".parquet":
        pd.read_parquet(path)
    elif suffix == ".png":
        with Image.open(path) as im:
            im.load()
    elif suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    elif suffix in (".svg", ".html"):
        text = path.read_text(encoding="utf-8")
        if suffix == ".svg":
            ET.fromstring(text)
        else:
            assert text.rstrip().endswith("</html>"), path
    elif suffix == ".pdf":
        data = path.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
    elif suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
    elif suffix == ".csv":
        pd.read_csv(path)


def _outputs(out: Path) -> list[Path]:
    return [p for p in sorted(out.rglob("*")) if p.is_file() and p.name != locking.INFO_NAME]


def _group_states(pgid: int) -> list[str]:
    """Process states (``R``, ``S``, ``T`` ...) of the members of a process group."""
    states = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            states.append(fields[0])
    return states


def _stop_mid_write(proc: subprocess.Popen, folder: Path, timeout: float = 400) -> list[Path]:
    """Freeze the run's process group (SIGSTOP) at a moment a figure is half written, then
    SIGKILL it; returns the temporary files it leaves behind."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        if folder.is_dir() and list(folder.glob("*.png")) and any(fsutil.is_temp_file(p) for p in folder.iterdir()):
            os.killpg(proc.pid, signal.SIGSTOP)
            for _ in range(400):  # until the kernel reports every process of the group stopped
                if all(state in "TtZX" for state in _group_states(proc.pid)):
                    break
                time.sleep(0.005)
            temps = [p for p in folder.iterdir() if fsutil.is_temp_file(p)]
            if temps:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)
                return temps
            os.killpg(proc.pid, signal.SIGCONT)
        time.sleep(0.01)
    raise AssertionError("no figure was written in time")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and process groups")
def test_killed_run_leaves_no_partial_file_and_rerun_matches_a_clean_run(example_run, tmp_path, monkeypatch,
                                                                          pipeline_env_class):
    """One scenario on a copy of the example study:

    1. hash (and stat) every file of the study folder (waves, attendance, configuration,
       scales);
    2. the clean, uninterrupted run is the session's ``example_run`` (shared with other
       tests, so the scenario costs one run, not two; the outputs contain no absolute
       path, so a copy of the study gives the same bytes);
    3. ``python -m pipelines run`` as a subprocess on its own instance and output root;
       while it runs, a second ``python -m pipelines run`` on the same ones is refused at
       once (exit 3, names the first run's pid); the first is SIGKILLed (whole process
       group) while a figure is half written;
    4. every file at a final path is complete (parquet, PNG, SVG, PDF, JSON, CSV, DOCX all
       parse); only ``.tmp-*`` files are partial;
    5. a rerun (``runner.run``) completes: it removes the dead run's temporary files,
       marks its run record (left STARTED by the kill) failed, and materialises the rest;
    6. the study folder is unchanged: same files, bytes and modification times;
    7. the rerun's outputs equal the clean run's: every file under ``reports/`` byte for
       byte, except ``manifest.json``, whose run id and timestamp differ by design - its
       other fields (inputs, code, versions, and the sha256 of every output) are compared;
       the parquet stores hold equal tables.

    (Skipped at step 7 if the git commit changed between the two runs - the report's
    provenance appendix names it; that happens only while developing, never in CI.)
    """
    import dagster as dg

    study = tmp_path / "study"
    shutil.copytree(DEFAULT_CONFIG.parent, study)
    config = load_config(study / "study.yaml")
    year = str(config.study.evaluation_year)
    before = _tree_state(study)
    assert {"study.yaml", "attendance.csv"} <= set(before) and any(k.startswith("waves/") for k in before) \
        and any(k.startswith("scales/") for k in before)

    killed_root = tmp_path / "killed"
    home, out = killed_root / "dagster_home", killed_root / "out"
    home.mkdir(parents=True)
    cmd = [sys.executable, "-m", "pipelines", "run", "--config", str(study / "study.yaml")]
    env = _run_env(home, out, study / "study.yaml")
    first = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        lock = out / "reports" / locking.INFO_NAME   # the holder information, written once the lock is taken
        deadline = time.monotonic() + 120
        while not (lock.exists() and lock.read_text().strip()):
            assert first.poll() is None and time.monotonic() < deadline, "the first run never took its lock"
            time.sleep(0.05)
        second = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert first.poll() is None, "the first run ended before the second was refused"
        assert second.returncode == 3, second.stderr
        assert f"another pipeline run (pid {first.pid}, started" in second.stderr
        assert f"is using {out}" in second.stderr
        temps = _stop_mid_write(first, out / "reports" / ".staging" / year / "figures")
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(30)
    assert first.returncode == -signal.SIGKILL

    finals = [p for p in _outputs(out) if not fsutil.is_temp_file(p)]
    assert any(p.suffix == ".parquet" for p in finals) and any(p.suffix == ".png" for p in finals)
    assert not (out / "reports" / ".staging" / year / "report.html").exists()  # really killed mid-way
    assert not (out / "reports" / year).exists()  # nothing of the unfinished run was published
    for p in finals:
        _assert_valid(p)
    leftover = [p for p in out.rglob("*") if fsutil.is_temp_file(p)]
    assert temps and set(temps) <= set(leftover)

    rerun = pipeline_env_class(study, killed_root, monkeypatch)
    report = rerun.run()
    assert report.success, report.lines
    assert f"removed {len(leftover)} temporary file(s) left by an interrupted run" in report.lines, \
        (report.lines, [p.name for p in leftover])
    assert any(line.startswith("marked 1 interrupted run(s) as failed") for line in report.lines), report.lines
    with dg.DagsterInstance.from_config(str(home)) as inst:
        statuses = [r.status for r in inst.get_runs()]
    assert dg.DagsterRunStatus.STARTED not in statuses and dg.DagsterRunStatus.FAILURE in statuses
    assert not [p for p in out.rglob("*") if fsutil.is_temp_file(p)]

    assert _tree_state(study) == before  # raw data: same files, bytes and modification times

    a_reports, b_reports = example_run.out / "reports" / year, out / "reports" / year
    ma, mb = (json.loads((d / "manifest.json").read_text(encoding="utf-8")) for d in (a_reports, b_reports))
    if ma["git"] != mb["git"]:  # the report's provenance appendix names the commit
        pytest.skip(f"the git checkout changed between the two runs ({ma['git']} -> {mb['git']})")
    a, b = _tree_state(a_reports), _tree_state(b_reports)
    assert sorted(a) == sorted(b)
    different = [k for k in a if k != "manifest.json" and a[k][0] != b[k][0]]
    assert different == [], different
    volatile = {"run_id", "generated_at"}
    assert {k: v for k, v in ma.items() if k not in volatile} == {k: v for k, v in mb.items() if k not in volatile}
    assert ma["run_id"] != mb["run_id"]
    a_data, b_data = example_run.out / "data", out / "data"
    a_pq = sorted(p.relative_to(a_data) for p in a_data.rglob("*.parquet"))
    assert a_pq == sorted(p.relative_to(b_data) for p in b_data.rglob("*.parquet")) and a_pq
    for rel in a_pq:
        pd.testing.assert_frame_equal(pd.read_parquet(a_data / rel), pd.read_parquet(b_data / rel))
