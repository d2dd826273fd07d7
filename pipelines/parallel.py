"""Run a few independent, CPU-bound tasks on several cores, in forked processes.

Used where one Dagster step (or the command line's run) has independent pieces of work
that hold the GIL and cannot be pickled cheaply:

* the wave partitions of a ``python -m pipelines run``, each its own Dagster run;
* the languages of a figure (building it, then PNG at 300 dpi, SVG and PDF with embedded
  font subsets) and of the report (HTML and Word).

The workers are a standard :class:`concurrent.futures.ProcessPoolExecutor` with the
``fork`` start method: a forked worker inherits everything already imported and computed
(the task itself included, so closures and figures need not be picklable), does its share
and sends a small picklable result back; a worker that dies is reported, not waited for.

Forking is used only where it is safe and useful (POSIX, more than one core); otherwise,
or with ``JH_PROCESSES=1``, the tasks run one after the other in this process. The output
bytes are the same either way (tested).
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"JH_PROCESSES": "1"}):
    ...     max_processes()
    1
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
    """``[func(item) for item in items]``, with all but the first item run in forked workers.

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
    global _TASK
    items = list(items)
    processes = processes or max_processes()
    if processes <= 1 or len(items) <= 1 or not hasattr(os, "fork"):
        return [func(item) for item in items]
    results: list = [None] * len(items)
    errors: list[str] = []
    outer, _TASK = _TASK, (func, items)             # inherited by the forked workers
    try:
        with ProcessPoolExecutor(max_workers=min(processes - 1, len(items) - 1),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [(i, pool.submit(_run_item, i)) for i in range(1, len(items))]
            try:
                results[0] = func(items[0])          # this process's share, while the workers work
            finally:
                for i, future in futures:            # every worker is waited for, even on error
                    try:
                        ok, value = future.result()
                    except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
                        ok, value = False, f"worker process died ({exc})"
                    if ok:
                        results[i] = value
                    else:
                        errors.append(f"{label(items[i])}: {value}")
    finally:
        _TASK = outer                                # a map_forked inside this one's own share
    if errors:
        raise WorkerError("a task failed in a worker process:\n" + "\n".join(errors))
    return results


#: the function and items of the running :func:`map_forked` call; the workers are forked
#: after it is set, so they inherit it and only an item's index is sent to them (closures,
#: figures and frames need not be picklable)
_TASK: tuple[Callable, list] | None = None


def _run_item(index: int) -> tuple[bool, object]:
    """In a worker: run one item of the inherited task; a failure comes back as its traceback."""
    assert _TASK is not None, "map_forked's task is set before the workers are forked"
    func, items = _TASK
    try:
        return True, func(items[index])
    except BaseException:                            # noqa: BLE001 - reported to the parent
        return False, traceback.format_exc()
