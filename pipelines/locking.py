"""One ``python -m pipelines run`` at a time per output root and per Dagster instance.

:func:`exclusive_run` wraps :func:`pipelines.runner.run`: before anything is planned or
written it takes an exclusive, non-blocking ``flock`` on two *folders themselves*,

- the output root (``data/interim``, ``data/processed``, ``reports/`` live in it),
- ``DAGSTER_HOME`` (the instance: run records, wave partitions, data versions),

and writes its pid, start time and configuration into an information file beside each
(:func:`info_files`: ``<output root>/reports/.jh-run-holder.json`` and
``<DAGSTER_HOME>/.jh-run-holder.json``). A second run that finds either folder locked is
refused at once with :class:`RunLockedError`, whose message names the holder (``python -m
pipelines run`` exits with status 3).

The lock is on the folders, not on a file in them, so it cannot be deleted away: removing
the information files (or the ``.jh-run.lock`` files of earlier versions) while a run is
alive only loses the holder's description - the next run is still refused, with "holder
unknown". The kernel releases an ``flock`` when its process ends, however it ends (normal
exit, exception, ``SIGKILL``), so a crashed run never leaves a stale lock behind.

After taking the locks it also tidies up after a run that was killed: temporary files of
dead writers (:func:`survey.fsutil.remove_stale_temp_files`) are deleted, and runs of
``python -m pipelines run`` that the local instance still lists as started (their
process died without reporting the end) are marked failed, so the Dagster UI does not
show them as running forever.

Runs launched from the Dagster UI or by sensors do not take these locks (Dagster runs
them in its own processes); every output is written atomically
(:mod:`survey.fsutil`), so they cannot leave a partial file either. See
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

from studyconfig.config import DEFAULT_CONFIG, PROJECT_ROOT

#: the information file written beside each locked folder (holder's pid, start, configuration)
INFO_NAME = ".jh-run-holder.json"
#: the runner's tag on runs it starts (``jh/trigger=cli``)
CLI_TRIGGER = ("jh/trigger", "cli")

_held: dict[str, int] = {}  # locked folder -> nesting depth in this process


class RunLockedError(RuntimeError):
    """Another pipeline run holds the output root or the Dagster instance."""


def dagster_home() -> Path:
    """The instance folder the runner will use (``DAGSTER_HOME``, else ``.dagster_home/``)."""
    return Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home")


def output_root(override: str | os.PathLike | None = None) -> Path:
    """The output root the runner will use (as :class:`pipelines.resources.ProjectPaths`)."""
    return Path(override or os.environ.get("JH_OUTPUT_ROOT") or PROJECT_ROOT)


def lock_targets(home: Path, root: Path) -> list[tuple[Path, Path, str]]:
    """``(locked folder, information file, what it protects)`` in the order they are taken."""
    return [(root, root / "reports" / INFO_NAME, str(root)),
            (home, home / INFO_NAME, f"the Dagster instance {home}")]


def info_files(home: Path, root: Path) -> list[Path]:
    """The holder's information files (deleting them does not release anything)."""
    return [info for _, info, _ in lock_targets(home, root)]


def read_info(path: Path) -> dict | None:
    """The holder information in ``path``: a dict, ``{}`` if empty, ``None`` if the file
    is missing or unreadable."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return None
    try:
        value = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def describe_holder(info: dict | None) -> str:
    """``pid N, started HH:MM:SS, config X`` from a holder's information.

    Examples
    --------
    >>> describe_holder({"pid": 4711, "started": "2025-11-03T14:05:09+01:00", "config": "/s/study.yaml"})
    'pid 4711, started 14:05:09 on 2025-11-03, config /s/study.yaml'
    >>> describe_holder(None)
    'holder unknown: its information file was deleted or is unreadable'
    """
    if not info:
        return "holder unknown: its information file was deleted or is unreadable"
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
def _lock(folder: Path, info_file: Path, what: str, info: dict):
    """Hold an ``flock`` on ``folder`` itself; yields what the information file held before
    (``{}``: the previous holder ended cleanly; a dict: it died holding the lock; ``None``:
    no information file - a first run, or it was deleted)."""
    folder.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(folder)
    if _held.get(key):  # the same process (a nested run) already holds it
        _held[key] += 1
        try:
            yield None
        finally:
            _held[key] -= 1
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockedError(
                f"another pipeline run ({describe_holder(read_info(info_file))}) is using {what}; wait for it to "
                "finish, or give this run its own JH_OUTPUT_ROOT and DAGSTER_HOME (locked folder: "
                f"{folder}; holder: {info_file})") from None
        previous = read_info(info_file)
        from survey.fsutil import atomic_write_text

        info_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(info_file, json.dumps(info) + "\n")
        _held[key] = 1
        try:
            yield previous
        finally:
            _held.pop(key, None)
            try:  # a clean end leaves an empty information file (emptied while still locked)
                atomic_write_text(info_file, "")
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def run_lock(config_path: str | os.PathLike | None = None, root: str | os.PathLike | None = None):
    """Hold the instance and output-root locks for one pipeline run.

    Parameters
    ----------
    config_path : path-like, optional
        The study configuration (recorded in the information file for the refusal message).
    root : path-like, optional
        Output root (default ``JH_OUTPUT_ROOT``, else the project folder).

    Yields
    ------
    dict or None
        What the previous holder of the instance lock recorded: ``{}`` if it ended
        cleanly (or this process already holds the locks), its pid etc. if it was killed,
        ``None`` if there is no information file (a first run, or it was deleted).

    Raises
    ------
    RunLockedError
        Another process holds either lock.
    """
    config = Path(config_path or os.environ.get("STUDY_CONFIG") or DEFAULT_CONFIG).resolve()
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "config": str(config)}
    with ExitStack() as stack:
        previous = [stack.enter_context(_lock(folder, info_file, what, info))
                    for folder, info_file, what in lock_targets(dagster_home(), output_root(root))]
        yield previous[-1]


def fail_orphaned_cli_runs(home: Path, previous: dict) -> list[str]:
    """Mark runs of ``python -m pipelines run`` still listed as started as failed.

    Called while this process holds the instance lock, so no other runner process is
    alive on this instance, and only when the information file still names its previous
    holder or is missing (a holder that ends normally empties it). Only for the local SQLite instance: a shared
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

    from pipelines._dagster_adapter import is_local_sqlite

    with dg.DagsterInstance.from_config(str(home)) as instance:
        if not is_local_sqlite(instance):
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
        nested = bool(_held.get(os.path.realpath(dagster_home())))
        with run_lock(a.get("config_path"), root) as previous:
            from survey import fsutil

            stale = fsutil.remove_stale_temp_files(
                [root / "data" / "interim", root / "data" / "processed", root / "reports"])
            if stale:
                echo(f"removed {len(stale)} temporary file(s) left by an interrupted run")
            # outermost call only: no other runner is alive on this instance, so a CLI run still
            # listed as started was left by a process that died. A holder that ended cleanly
            # emptied its information file ({}); one that died left its pid; a missing file
            # (deleted) says nothing, so the instance is looked at then too
            orphaned = (fail_orphaned_cli_runs(dagster_home(), previous or {})
                        if not nested and previous != {} else [])
            if orphaned:
                echo(f"marked {len(orphaned)} interrupted run(s) as failed: {', '.join(orphaned)}")
            return func(*args, **kwargs)

    return wrapper
