"""Shared fixtures: small synthetic studies generated into temporary folders, and an
isolated Dagster instance + output folder per pipeline run."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*is currently in (preview|beta).*")

SMALL_N = 70


#: the processes a shared run may use (``JH_PROCESSES``): the shared runs fork their waves,
#: figures and reports as ``make run`` does on a two-core machine, so the forked path is
#: run end to end and compared byte for byte with the one-process runs of the other tests
#: (test_publishing's forced rerun, test_reliability's rerun after a kill)
SHARED_RUN_PROCESSES = "2"


def one_process_per_worker(environ, cores: int) -> bool:
    """In a pytest-xdist worker, when the workers already fill every core, set
    ``JH_PROCESSES=1`` (unless it is set): the pipeline runs of a test then run their waves,
    figures and reports one after the other instead of forking (pipelines/parallel.py).

    Forking brings a run nothing when every core is busy with another test, and costs
    CPU: about a sixth more per run of the small study (three interleaved pairs of runs,
    45 s against 37-40 s of CPU; most likely the pages each forked child copies and the
    caches it fills and drops). Returns whether it was set.

    >>> env = {"PYTEST_XDIST_WORKER": "gw0", "PYTEST_XDIST_WORKER_COUNT": "2"}
    >>> one_process_per_worker(env, cores=2), env["JH_PROCESSES"]
    (True, '1')
    >>> one_process_per_worker({"PYTEST_XDIST_WORKER_COUNT": "2"}, cores=8)
    False
    >>> one_process_per_worker({}, cores=2)     # one process (make test PYTEST_WORKERS=0)
    False
    """
    workers = int(environ.get("PYTEST_XDIST_WORKER_COUNT") or 0)
    if not workers or workers < cores or environ.get("JH_PROCESSES"):
        return False
    environ["JH_PROCESSES"] = "1"
    return True


def pytest_configure(config):
    one_process_per_worker(os.environ, len(os.sched_getaffinity(0)))


@pytest.fixture(autouse=True)
def _fresh_scale_registry():
    """User-declared scales are process-wide state: every test starts without any."""
    from instruments._registry import _unregister_all_user_scales

    _unregister_all_user_scales()
    yield
    _unregister_all_user_scales()
SMALL_SEED = 11


@pytest.fixture(scope="session")
def small_study_template(tmp_path_factory) -> Path:
    """A small example study (generated once per session; copy it before changing it)."""
    from tools.example_study import generate_study

    out = tmp_path_factory.mktemp("small_study")
    generate_study(out, participants=SMALL_N, seed=SMALL_SEED, truth_n=20_000)
    return out


def figures_as_png_only(study_yaml: Path) -> None:
    """Set ``publishing.figure_formats: [png]`` in a generated study.yaml: SVG and PDF
    (fonts embedded and subset) cost about a third of a run's time, and only the tests
    of the published files themselves read them (those use :func:`small_run` and the
    example study, which write every format)."""
    from tools.example_study import set_publishing

    set_publishing(study_yaml, figure_formats=["png"])


@pytest.fixture(scope="session")
def small_png_study_template(small_study_template, tmp_path_factory) -> Path:
    """The small study with its figures written as PNG only (:func:`figures_as_png_only`):
    for the end-to-end tests of gates, checks, formats and operations, which never read
    an SVG or PDF figure. Copy it before changing it."""
    out = tmp_path_factory.mktemp("small_png_study") / "study"
    shutil.copytree(small_study_template, out)
    figures_as_png_only(out / "study.yaml")
    return out


@pytest.fixture
def small_study(small_png_study_template, tmp_path) -> Path:
    """A private copy of the small study that a test may modify (figures as PNG only:
    :func:`small_png_study_template`)."""
    dst = tmp_path / "study"
    shutil.copytree(small_png_study_template, dst)
    return dst


class PipelineEnv:
    """Points the runner at one study, one output root and one Dagster instance."""

    def __init__(self, study_dir: Path, root: Path, monkeypatch):
        self.study_dir, self.root = study_dir, root
        self.config = study_dir / "study.yaml"
        monkeypatch.setenv("STUDY_CONFIG", str(self.config))
        monkeypatch.setenv("JH_OUTPUT_ROOT", str(root / "out"))
        monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        (root / "dagster_home").mkdir(parents=True, exist_ok=True)

    def run(self, force: bool = False, targets: list[str] | None = None):
        """The runner on this study; with ``targets`` (asset names) only those assets and
        what they need (as ``python -m pipelines report``)."""
        from pipelines import runner

        lines: list[str] = []
        report = runner.run(self.config, force=force, echo=lines.append, targets=targets)
        report.lines = lines
        return report

    @property
    def out(self) -> Path:
        return self.root / "out"


@pytest.fixture(scope="session")
def pipeline_env_class() -> type[PipelineEnv]:
    """The :class:`PipelineEnv` class, for module- or session-scoped fixtures that build
    their own environment."""
    return PipelineEnv


@pytest.fixture
def pipeline_env(small_study, tmp_path, monkeypatch) -> PipelineEnv:
    return PipelineEnv(small_study, tmp_path, monkeypatch)


def plant_partner_secrets(study: Path) -> dict[str, list[str]]:
    """Distinctive free text in every partner survey (one comment with an e-mail address)
    and, in 2025, a respondent number column; returns what must never be published
    (``free_text``) or only in the two ingestion tables (``respondent``). The small run
    carries them, so every test of its published files and instance runs with them
    (tests/assets/test_partners.py looks for them)."""
    import uuid

    import pandas as pd
    import yaml

    cfg = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    secrets: dict[str, list[str]] = {"free_text": [], "respondent": []}
    for s in cfg["partner_surveys"]:
        path = study / s["file"]
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        col = s["free_text"][0]
        texts = [f"FRITEXT-{uuid.uuid4().hex[:10]} hemlig kommentar" for _ in range(len(df))]
        texts[0] = f"FRITEXT-{uuid.uuid4().hex[:10]} mejla mig på kontakt.{s['year']}@example.se"
        df[col] = texts
        secrets["free_text"] += texts
        if s["year"] == 2025:
            df.insert(0, "lopnr", [f"LOPNR-{i:04d}" for i in range(len(df))])
            s["respondent_variable"] = "lopnr"
            secrets["respondent"] += list(df["lopnr"])
        path.write_text(df.to_csv(index=False), encoding="utf-8")
    (study / "study.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return secrets


@pytest.fixture(scope="session")
def small_run(small_study_template, tmp_path_factory) -> PipelineEnv:
    """The small study materialised once per session (once per pytest-xdist worker) by the
    real runner: its study folder, outputs and Dagster instance under one root, the run's
    report as ``.first`` and the partner surveys' planted secrets as ``.partner_secrets``
    (:func:`plant_partner_secrets`). Read-only: tests read it through :func:`small_run_env`
    or change a private copy (:func:`copied_small_run`)."""
    root = tmp_path_factory.mktemp("small_run")
    shutil.copytree(small_study_template, root / "study")
    secrets = plant_partner_secrets(root / "study")
    with pytest.MonkeyPatch.context() as mp:   # environment restored right after the run
        mp.setenv("JH_PROCESSES", SHARED_RUN_PROCESSES)
        env = PipelineEnv(root / "study", root, mp)
        env.first = env.run()
    env.partner_secrets = secrets
    assert env.first.success, env.first.lines
    return env


@pytest.fixture
def small_run_env(small_run, monkeypatch) -> PipelineEnv:
    """The environment pointed at the shared :func:`small_run` (for tests that only read it)."""
    env = PipelineEnv(small_run.study_dir, small_run.root, monkeypatch)
    env.first, env.partner_secrets = small_run.first, small_run.partner_secrets
    return env


def copy_run(run: PipelineEnv, root: Path, monkeypatch, *, study: bool = True) -> PipelineEnv:
    """A private copy of a finished run (study folder, outputs, Dagster instance) under
    ``root``, with the environment pointed at it. Nothing in it names its folder: the
    copy is up to date where the original was (``test_pipeline`` checks it). With
    ``study=False`` the copy reads the original study folder (for tests that change only
    outputs or the instance; the pipeline never writes to a study folder)."""
    for name in ("study", "out", "dagster_home") if study else ("out", "dagster_home"):
        shutil.copytree(run.study_dir if name == "study" else run.root / name, root / name, symlinks=True)
    env = PipelineEnv(root / "study" if study else run.study_dir, root, monkeypatch)
    env.first = getattr(run, "first", None)
    return env


@pytest.fixture(scope="session")
def run_copier():
    """:func:`copy_run`, for module-scoped fixtures that keep their own copy."""
    return copy_run


@pytest.fixture
def copied_small_run(small_run, tmp_path, monkeypatch) -> PipelineEnv:
    """A private copy of :func:`small_run` that a test may change and run again."""
    return copy_run(small_run, tmp_path, monkeypatch)


@pytest.fixture
def partitions_read_once(monkeypatch):
    """``apply(instance)``: the instance answers ``get_dynamic_partitions`` from memory
    until partitions are added or deleted through it.

    ``dg.evaluate_automation_conditions`` reads the wave partitions from the event log
    tens of thousands of times per evaluation of this graph (each a new SQLite connection:
    about 20 s per evaluation); they cannot change during one, so the tests of Dagster's
    automation (the UI/daemon path) evaluate it in a fraction of the time, with the same
    requests."""
    def apply(instance) -> None:
        known: dict[str, list[str]] = {}
        read = instance.get_dynamic_partitions

        def get_dynamic_partitions(partitions_def_name: str) -> list[str]:
            if partitions_def_name not in known:
                known[partitions_def_name] = list(read(partitions_def_name))
            return list(known[partitions_def_name])

        def forgetting(change):
            def changed(*args, **kwargs):
                known.clear()
                return change(*args, **kwargs)
            return changed

        for name in ("add_dynamic_partitions", "delete_dynamic_partition"):
            monkeypatch.setattr(instance, name, forgetting(getattr(instance, name)))
        monkeypatch.setattr(instance, "get_dynamic_partitions", get_dynamic_partitions)
    return apply


#: the modules that read a session fixture holding a whole pipeline run: pytest-xdist
#: sends each group to one worker (:func:`pytest_xdist_make_scheduler`), so the run is
#: made once per session instead of once per worker. A module that starts using one of
#: these fixtures must be listed (collection fails otherwise).
SHARED_RUN_MODULES = {
    "small_run": ("tests/assets/test_pipeline.py", "tests/assets/test_publishing.py",
                  "tests/assets/test_partners.py", "tests/notebooks/test_notebooks.py", "tests/ops/test_ui.py"),
    "example_run": ("tests/assets/test_ground_truth.py", "tests/ops/test_reliability.py",
                    "tests/ops/test_verified_storage.py"),
}
#: module -> the shared run it reads
SHARED_RUN_OF = {module: run for run, modules in SHARED_RUN_MODULES.items() for module in modules}


#: the folders of the tests that run the pipeline, a server or a browser (tens of seconds
#: to minutes per module); the unit tests and doctests elsewhere take a second or less each
END_TO_END_FOLDERS = ("tests/assets/", "tests/attack/", "tests/cli/", "tests/notebooks/", "tests/ops/")


def scope_rank(scope: str) -> int:
    """Where a scope goes in the queue of :func:`pytest_xdist_make_scheduler`: the shared
    runs first (the longest scopes), then the other end-to-end modules, then the rest.

    >>> sorted(["tests/unit/test_x.py", "tests/ops/test_ui.py", "small_run"], key=scope_rank)
    ['small_run', 'tests/ops/test_ui.py', 'tests/unit/test_x.py']
    """
    if scope in SHARED_RUN_MODULES:
        return 0
    return 1 if scope.startswith(END_TO_END_FOLDERS) else 2


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` with the modules of :data:`SHARED_RUN_MODULES` as one scope
    per shared run (every other module is its own scope, as in loadscope), handed out
    longest first (:func:`scope_rank`).

    loadscope's own order (most tests first) put the modules of one or two long tests
    (PostgreSQL, the UI, the degenerate studies) at the end of the queue, so one worker
    ran them alone while the other had finished; with the end-to-end modules first, the
    many short unit-test scopes fill the end and both workers finish together."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedRunScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return SHARED_RUN_OF.get(scope.split("::")[0], scope)

        def _assign_work_unit(self, node) -> None:
            if not getattr(self, "_ranked", False):  # the queue is complete at the first assignment
                self._ranked = True
                ranked = sorted(self.workqueue.items(), key=lambda item: scope_rank(item[0]))  # stable
                self.workqueue.clear()
                self.workqueue.update(ranked)
            super()._assign_work_unit(node)

    return SharedRunScheduling(config, log)


def _check_shared_run_modules(items) -> None:
    for item in items:
        module = item.nodeid.split("::")[0]
        for run in SHARED_RUN_MODULES:
            if run in getattr(item, "fixturenames", ()) and SHARED_RUN_OF.get(module) != run:
                raise pytest.UsageError(f"{module} uses the session run {run}: list it under {run!r} in "
                                        "tests/conftest.py SHARED_RUN_MODULES (one worker makes the run)")


def pytest_collection_modifyitems(config, items):
    """Skip tests whose system dependency is absent (never silently under CI=true); every
    user of a shared session run is listed in :data:`SHARED_RUN_MODULES`."""
    _check_shared_run_modules(items)
    have = {
        "postgres": bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))),
        "browser": shutil.which("chromium") is not None,
        "libreoffice": shutil.which("soffice") is not None,
    }
    for item in items:
        for mark, ok in have.items():
            if item.get_closest_marker(mark) and not ok:
                if os.environ.get("CI") == "true":
                    raise pytest.UsageError(f"{item.nodeid} needs {mark}, which scripts/install-system-deps.sh "
                                            "should have installed")
                item.add_marker(pytest.mark.skip(reason=f"{mark} not installed (run scripts/install-system-deps.sh)"))


@pytest.fixture(scope="session")
def example_run(tmp_path_factory) -> PipelineEnv:
    """The bundled example study (data/example) materialised once per session into a
    temporary output root (``.out``) with its own Dagster instance, and the run's report as
    ``.first``. Read-only for tests: change a private copy (:func:`copied_example_run`)."""
    from studyconfig.config import DEFAULT_CONFIG

    root = tmp_path_factory.mktemp("example_run")
    with pytest.MonkeyPatch.context() as mp:   # environment restored right after the run
        mp.setenv("JH_PROCESSES", SHARED_RUN_PROCESSES)
        env = PipelineEnv(DEFAULT_CONFIG.parent, root, mp)
        env.first = env.run()
    assert env.first.success, env.first.lines
    return env


@pytest.fixture
def copied_example_run(example_run, tmp_path, monkeypatch) -> PipelineEnv:
    """A private copy of :func:`example_run`'s outputs and Dagster instance (reading the
    bundled study folder), with the environment pointed at it."""
    return copy_run(example_run, tmp_path / "copy", monkeypatch, study=False)
