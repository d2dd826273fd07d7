"""Helpers for the CLI tests: edit a study copy's YAML text and its SPSS files."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture
def config_edit():
    return edit_config


@pytest.fixture
def sav_edit():
    """:func:`tools.example_study.rewrite_sav`: rewrite an SPSS file after ``change(df)``,
    keeping its labels, user-missing ranges and measurement levels."""
    from tools.example_study import rewrite_sav

    return rewrite_sav
