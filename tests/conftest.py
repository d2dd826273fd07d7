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


@pytest.fixture
def small_study(small_study_template, tmp_path) -> Path:
    """A private copy of the small study that a test may modify."""
    dst = tmp_path / "study"
    shutil.copytree(small_study_template, dst)
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

    def run(self, force: bool = False):
        from pipelines import runner

        lines: list[str] = []
        report = runner.run(self.config, force=force, echo=lines.append)
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


def pytest_collection_modifyitems(config, items):
    """Skip tests whose system dependency is absent (never silently under CI=true)."""
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
def example_run(tmp_path_factory):
    """The bundled example study (data/example) materialised once per session into a
    temporary output root with its own Dagster instance. Read-only for tests."""
    from studyconfig.config import DEFAULT_CONFIG

    root = tmp_path_factory.mktemp("example_run")
    with pytest.MonkeyPatch.context() as mp:   # environment restored right after the run
        env = PipelineEnv(DEFAULT_CONFIG.parent, root, mp)
        report = env.run()
    assert report.success, report.lines
    return env.out
