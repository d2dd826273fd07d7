"""One ``python -m pipelines run`` at a time per output root and per Dagster instance.

:func:`exclusive_run` wraps :func:`pipelines.runner.run`: before anything is planned or
written it takes an exclusive, non-blocking ``flock`` on two lock files,

- ``<output root>/reports/.jh-run.lock`` (``data/interim``, ``data/processed``, ``reports/``),
- ``<DAGSTER_HOME>/.jh-run.lock`` (the instance: run records, wave partitions, data versions),

and writes its pid, start time and configuration into them. A second run that finds
either lock held is refused at once with :class:`RunLockedError`, whose message names the
holder (``python -m pipelines run`` exits with status 3). The kernel releases an ``flock``
when its process ends, however it ends (normal exit, exception, ``SIGKILL``), so a
crashed run never leaves a stale lock behind.

After taking the locks it also tidies up after a run that was killed: temporary files of
dead writers (:func:`pipelines.fsutil.remove_stale_temp_files`) are deleted, and runs of
``python -m pipelines run`` that the local instance still lists as started (their
process died without reporting the end) are marked failed, so the Dagster UI does not
show them as running forever.

Runs launched from the Dagster UI or by sensors do not take these locks (Dagster runs
them in its own processes); every output is written atomically
(:mod:`pipelines.fsutil`), so they cannot leave a partial file either. See
``docs/operations.md``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import inspect
import json
import os
import socket
from contextlib import ExitStack, contextmanager
from pathlib import Path

from pipelines.config import DEFAULT_CONFIG, PROJECT_ROOT

LOCK_NAME = ".jh-run.lock"
#: the runner's tag on runs it starts (``jh/trigger=cli``)
CLI_TRIGGER = ("jh/trigger", "cli")

_held: dict[str, int] = {}  # lock file -> nesting depth in this process


class RunLockedError(RuntimeError):
    """Another pipeline run holds the output root or the Dagster instance."""


def dagster_home() -> Path:
    """The instance folder the runner will use (``DAGSTER_HOME``, else ``.dagster_home/``)."""
    return Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home")


def output_root(override: str | os.PathLike | None = None) -> Path:
    """The output root the runner will use (as :class:`pipelines.resources.ProjectPaths`)."""
    return Path(override or os.environ.get("JH_OUTPUT_ROOT") or PROJECT_ROOT)


def lock_files(home: Path, root: Path) -> list[tuple[Path, str]]:
    """``(lock file, what it protects)`` in the order they are taken."""
    return [(root / "reports" / LOCK_NAME, str(root)), (home / LOCK_NAME, f"the Dagster instance {home}")]


def _holder(fd: int) -> dict:
    try:
        raw = os.pread(fd, 4096, 0)
        return json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (OSError, ValueError):
        return {}


def describe_holder(info: dict) -> str:
    """``pid N, started HH:MM:SS, config X`` from a lock file's content.

    Examples
    --------
    >>> describe_holder({"pid": 4711, "started": "2025-11-03T14:05:09+01:00", "config": "/s/study.yaml"})
    'pid 4711, started 14:05:09 on 2025-11-03, config /s/study.yaml'
    >>> describe_holder({})
    'pid unknown'
    """
    parts = [f"pid {info.get('pid', 'unknown')}"]
    if info.get("host") and info["host"] != socket.gethostname():
        parts[0] += f" on {info['host']}"
    try:
        started = dt.datetime.fromisoformat(info["started"])
        parts.append(f"started {started:%H:%M:%S} on {started:%Y-%m-%d}")
    except (KeyError, TypeError, ValueError):
        pass
    if info.get("config"):
        parts.append(f"config {info['config']}")
    return ", ".join(parts)


@contextmanager
def _lock(path: Path, what: str, info: dict):
    key = str(path)
    if _held.get(key):  # the same process (a nested run) already holds it
        _held[key] += 1
        try:
            yield None
        finally:
            _held[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockedError(
                f"another pipeline run ({describe_holder(_holder(fd))}) is using {what}; wait for it to "
                "finish, or give this run its own JH_OUTPUT_ROOT and DAGSTER_HOME (lock file: "
                f"{path})") from None
        previous = _holder(fd)
        data = (json.dumps(info) + "\n").encode("utf-8")
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        _held[key] = 1
        try:
            yield previous
        finally:
            _held.pop(key, None)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def run_lock(config_path: str | os.PathLike | None = None, root: str | os.PathLike | None = None):
    """Hold the instance and output-root locks for one pipeline run.

    Parameters
    ----------
    config_path : path-like, optional
        The study configuration (recorded in the lock for the refusal message).
    root : path-like, optional
        Output root (default ``JH_OUTPUT_ROOT``, else the project folder).

    Yields
    ------
    dict
        What the previous holder of the instance lock recorded (``{}`` if it ended
        cleanly or there was none): a run that was killed leaves its pid here.

    Raises
    ------
    RunLockedError
        Another process holds either lock.
    """
    config = Path(config_path or os.environ.get("STUDY_CONFIG") or DEFAULT_CONFIG).resolve()
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "config": str(config)}
    with ExitStack() as stack:
        previous = [stack.enter_context(_lock(p, what, info))
                    for p, what in lock_files(dagster_home(), output_root(root))]
        yield previous[-1] or {}


def fail_orphaned_cli_runs(home: Path, previous: dict) -> list[str]:
    """Mark runs of ``python -m pipelines run`` still listed as started as failed.

    Called while this process holds the instance lock, so no other runner process is
    alive on this instance, and only when the lock file still names its previous holder
    (a holder that ends normally clears it). Only for the local SQLite instance: a shared
    PostgreSQL instance is also used by runners on other machines that this lock does not
    see.

    Returns
    -------
    list of str
        The run ids marked failed.
    """
    if not (home / "dagster.yaml").exists():  # no instance yet: nothing can be orphaned
        return []
    import dagster as dg
    from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

    with dg.DagsterInstance.from_config(str(home)) as instance:
        if not isinstance(instance.run_storage, SqliteRunStorage):
            return []
        runs = instance.get_runs(filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            tags={CLI_TRIGGER[0]: CLI_TRIGGER[1]}))
        who = describe_holder(previous) if previous else "its process"
        for run in runs:
            instance.report_run_failed(
                run, f"The `python -m pipelines run` process ({who}) ended without finishing this run "
                     "(killed or crashed); marked failed by the next run on this instance.")
        return [r.run_id for r in runs]


def exclusive_run(func):
    """Decorator for :func:`pipelines.runner.run`: hold :func:`run_lock` while it runs,
    clean up after a killed predecessor first, and echo what was cleaned."""
    sig = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        a = bound.arguments
        echo = a.get("echo") or print
        root = output_root(a.get("output_root"))
        with run_lock(a.get("config_path"), root) as previous:
            from pipelines import fsutil

            stale = fsutil.remove_stale_temp_files(
                [root / "data" / "interim", root / "data" / "processed", root / "reports"])
            if stale:
                echo(f"removed {len(stale)} temporary file(s) left by an interrupted run")
            # the previous holder's record is still in the lock only if it died holding it
            orphaned = fail_orphaned_cli_runs(dagster_home(), previous) if previous else []
            if orphaned:
                echo(f"marked {len(orphaned)} interrupted run(s) as failed: {', '.join(orphaned)}")
            return func(*args, **kwargs)

    return wrapper
