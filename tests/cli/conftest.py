"""Helpers for the CLI tests: edit a study copy's YAML text and its SPSS files."""

from __future__ import annotations

from pathlib import Path

import pyreadstat
import pytest


def edit_config(study_dir: Path, *replacements: tuple[str, str]) -> Path:
    """Apply exact text replacements (each must match once) to ``study.yaml``."""
    path = study_dir / "study.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) >= 1, f"{old!r} not in study.yaml"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


def edit_sav(path: Path, change) -> None:
    """Rewrite an SPSS file after ``change(df)``, keeping labels and user-missing ranges."""
    df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    change(df)
    pyreadstat.write_sav(df, str(path), column_labels=meta.column_names_to_labels,
                         variable_value_labels=meta.variable_value_labels,
                         missing_ranges=meta.missing_ranges, variable_measure=meta.variable_measure)


@pytest.fixture
def config_edit():
    return edit_config


@pytest.fixture
def sav_edit():
    return edit_sav
