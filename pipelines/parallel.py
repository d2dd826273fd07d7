"""Run a few independent, CPU-bound tasks on several cores, in forked processes.

Used where one Dagster step (or the command line's run) has independent pieces of work
that hold the GIL and cannot be pickled cheaply:

* the wave partitions of a ``python -m pipelines run``, each its own Dagster run;
* the languages of a figure (building it, then PNG at 300 dpi, SVG and PDF with embedded
  font subsets) and of the report (HTML and Word).

A forked child inherits everything already imported and computed, does its share and
sends a small picklable result back through a pipe.

Forking is used only where it is safe and useful (POSIX, more than one core); otherwise,
or with ``JH_PROCESSES=1``, the tasks run one after the other in this process. The output
bytes are the same either way (tested).
"""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

ENV_PROCESSES = "JH_PROCESSES"


class WorkerError(RuntimeError):
    """A task failed in a worker process; the message carries the worker's traceback."""


def max_processes() -> int:
    """How many processes may work at once: ``JH_PROCESSES`` or the usable cores.

    Examples
    --------
    >>> import os
    >>> os.environ["JH_PROCESSES"] = "1"; max_processes()
    1
    >>> del os.environ["JH_PROCESSES"]
    """
    value = os.environ.get(ENV_PROCESSES)
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise ValueError(f"{ENV_PROCESSES}={value!r}: expected a whole number of processes (1 = no forking)") \
                from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def map_forked(func: Callable[[T], R], items: Sequence[T], label: Callable[[T], str] = str,
               processes: int | None = None) -> list[R]:
    """``[func(item) for item in items]``, with all but the first item run in forked children.

    Parameters
    ----------
    func
        Called once per item; its return value must be picklable (it travels back through a
        pipe). It must not touch shared resources (database connections, loggers).
    items
        The work, e.g. the report languages of one figure.
    label
        Names an item in error messages (never include data values).
    processes
        At most this many items at once, this process included (default
        :func:`max_processes`).

    Returns
    -------
    list
        The results in the order of ``items``.

    Raises
    ------
    WorkerError
        When a child fails (its traceback is in the message) or dies.

    Examples
    --------
    >>> map_forked(lambda x: x * x, [1, 2, 3])
    [1, 4, 9]
    """
    items = list(items)
    processes = processes or max_processes()
    if processes <= 1 or len(items) <= 1 or not hasattr(os, "fork"):
        return [func(item) for item in items]
    results: list = [None] * len(items)
    queue = list(range(1, len(items)))
    running: list[tuple[int, int, int]] = []        # (pid, item index, read end of its pipe)
    errors: list[str] = []

    def start_more() -> None:
        while queue and len(running) < processes - 1:
            i = queue.pop(0)
            running.append(_start(func, items[i], i))

    def collect_one() -> None:
        pid, i, fd = running.pop(0)
        payload = _read_all(fd)                      # until the child closes its end (it has finished)
        _, status = os.waitpid(pid, 0)
        ok, value = pickle.loads(payload) if payload else (False, f"worker exited with status {status}")
        if ok:
            results[i] = value
        else:
            errors.append(f"{label(items[i])}: {value}")

    start_more()
    try:
        results[0] = func(items[0])                  # this process's share, while the children work
    finally:
        while running:                               # never leave a child behind, even on error
            collect_one()
            start_more()
    if errors:
        raise WorkerError("a task failed in a worker process:\n" + "\n".join(errors))
    return results


def _start(func, item, index: int) -> tuple[int, int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:                                     # child: do the work, report, leave at once
        code = 0
        try:
            os.close(read_fd)
            try:
                payload = pickle.dumps((True, func(item)))
            except BaseException:                    # noqa: BLE001 - reported to the parent
                payload = pickle.dumps((False, traceback.format_exc()))
                code = 1
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
        finally:
            os._exit(code)                           # no atexit handlers, no inherited cleanup
    os.close(write_fd)
    return pid, index, read_fd


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as f:
        return f.read()
