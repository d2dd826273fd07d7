"""Forked workers: same results and bytes as working in this process; failures in a
worker are reported with the worker's traceback and no child is left behind."""

from __future__ import annotations

import os

import pytest

from pipelines import parallel
from publishing import style
from publishing.labels import catalogue


def test_results_in_order_and_bounded_by_processes():
    pids = parallel.map_forked(lambda i: (i, os.getpid()), list(range(5)), processes=2)
    assert [i for i, _ in pids] == list(range(5))
    assert pids[0][1] == os.getpid()                      # the first item runs here
    assert all(pid != os.getpid() for _, pid in pids[1:])  # the others in children


def test_one_process_runs_everything_here(monkeypatch):
    monkeypatch.setenv(parallel.ENV_PROCESSES, "1")
    assert {pid for pid in parallel.map_forked(lambda _: os.getpid(), range(3))} == {os.getpid()}


def test_bad_setting_is_named(monkeypatch):
    monkeypatch.setenv(parallel.ENV_PROCESSES, "two")
    with pytest.raises(ValueError, match="JH_PROCESSES='two': expected a whole number"):
        parallel.max_processes()


def test_worker_failure_names_the_item_and_carries_the_traceback():
    def boom(x):
        if x == "en":
            raise KeyError("label 'flow_title' missing")
        return x

    with pytest.raises(parallel.WorkerError, match=r"(?s)figure \(en\): Traceback.*KeyError") as err:
        parallel.map_forked(boom, ["sv", "en"], label=lambda x: f"figure ({x})", processes=2)
    assert "flow_title" in str(err.value)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)                         # every child was reaped


def test_parent_failure_still_reaps_children():
    def boom(x):
        if x == 0:
            raise RuntimeError("parent share failed")
        return x

    with pytest.raises(RuntimeError, match="parent share failed"):
        parallel.map_forked(boom, [0, 1], processes=2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_forked_figures_are_byte_identical(tmp_path, monkeypatch):
    def make(lang):
        fig, ax = style.figure()
        ax.bar(["a", "b", "c"], [1.5, 2.25, 3.0])
        ax.set_title(catalogue()[lang]["table"])
        ax.yaxis.set_major_formatter(style.number_formatter(lang, 1))
        return fig

    def save_all(folder):
        return parallel.map_forked(lambda lang: (os.getpid(), style.save(make(lang), folder / f"demo_{lang}")),
                                   ["sv", "en"])

    monkeypatch.setenv(parallel.ENV_PROCESSES, "2")     # (the test workers may have set 1)
    forked = save_all(tmp_path / "forked")
    monkeypatch.setenv(parallel.ENV_PROCESSES, "1")
    serial = save_all(tmp_path / "serial")
    assert forked[1][0] != os.getpid() and {pid for pid, _ in serial} == {os.getpid()}
    for (_, a), (_, b) in zip(forked, serial):
        for ext in ("png", "svg", "pdf"):
            assert a[ext].read_bytes() == b[ext].read_bytes(), ext


def test_a_worker_that_dies_is_reported_not_waited_for():
    def die(x):
        if x == 1:
            os._exit(3)                                     # killed, out of memory, segfault
        return x

    with pytest.raises(parallel.WorkerError, match=r"item 1: worker process died"):
        parallel.map_forked(die, [0, 1], label=lambda x: f"item {x}", processes=2)


def test_nested_calls_keep_their_own_task():
    inner = lambda x: parallel.map_forked(lambda y: (x, y), [1, 2], processes=2)  # noqa: E731
    assert parallel.map_forked(inner, ["a", "b"], processes=2) == [[("a", 1), ("a", 2)], [("b", 1), ("b", 2)]]
