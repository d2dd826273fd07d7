"""Dagster resources: the study configuration and the project's paths.

All locations the pipeline writes to come from :class:`ProjectPaths`; the study (waves,
mapping, analysis options) comes from :class:`StudyResource`. Both are read at run time,
never at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from studyconfig.config import DEFAULT_CONFIG, PROJECT_ROOT, StudyConfig, load_config


class StudyResource(dg.ConfigurableResource):
    """The study configuration file (``STUDY_CONFIG`` or the bundled example study)."""

    config_path: str | None = None

    def path(self) -> Path:
        return Path(self.config_path or os.environ.get("STUDY_CONFIG") or DEFAULT_CONFIG).resolve()

    def load(self) -> StudyConfig:
        """The validated configuration, with the study's own scales registered in the
        instrument library, so that any asset, run alone in a fresh process (a UI
        materialisation, a rerun after a killed run), knows every outcome."""
        from survey import study

        config = load_config(self.path())
        study.register_study_scales(config)
        return config


class ProjectPaths(dg.ConfigurableResource):
    """Where derived data and published outputs go (cookiecutter-data-science layout).

    ``data/raw`` is input only and never written; per-wave derived tables go to
    ``data/interim``, cross-wave tables to ``data/processed``, published outputs to
    ``reports/<evaluation year>/``.
    """

    root: str | None = None

    @property
    def base(self) -> Path:
        """``root`` if set, else ``JH_OUTPUT_ROOT`` if set, else the project folder."""
        return Path(self.root or os.environ.get("JH_OUTPUT_ROOT") or PROJECT_ROOT)

    @property
    def interim(self) -> Path:
        return self.base / "data" / "interim"

    @property
    def processed(self) -> Path:
        return self.base / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.base / "reports"

    def report_dir(self, year: int) -> Path:
        d = self.reports / str(year)
        d.mkdir(parents=True, exist_ok=True)
        return d
