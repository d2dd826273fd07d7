"""The exploration notebooks: kept without outputs in git, and each runs top to bottom on
a small materialised study in a real Jupyter kernel (failing on any error)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))


def test_notebooks_exist_and_are_generated():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04"]
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOK_DIR / "make_notebooks.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert sorted(gen.NOTEBOOKS) == [p.name for p in NOTEBOOKS]
    for name, cells in gen.NOTEBOOKS.items():  # the .ipynb files are up to date with the generator
        on_disk = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
        assert [c.source for c in on_disk.cells] == [src for _, src in cells], f"regenerate {name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: strip outputs (python notebooks/make_notebooks.py)"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_reads_assets_only(path):
    """Notebooks load materialised assets; they never score or test anything themselves."""
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert "load(" in source
    for forbidden in ("instruments.score(", "from analysis", "import analysis", ".head()", "try:"):
        assert forbidden not in source, f"{path.name} uses {forbidden!r}"


@pytest.mark.slow
def test_notebooks_run_on_the_small_study(copied_small_run, tmp_path):
    from nbclient import NotebookClient

    pipeline_env = copied_small_run   # a finished run of the small study
    # the kernel is started by jupyter_client with this process's environment (os.environ,
    # which pipeline_env has pointed at the isolated instance) and this interpreter
    for var in ("DAGSTER_HOME", "JH_OUTPUT_ROOT", "STUDY_CONFIG"):
        assert os.environ[var].startswith(str(tmp_path)) or var == "STUDY_CONFIG"
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, sys; print(sys.executable); print(os.environ['DAGSTER_HOME']); print(os.environ['STUDY_CONFIG'])")])
    NotebookClient(probe, kernel_name="python3", timeout=120).execute()
    lines = probe.cells[0].outputs[0]["text"].split()
    assert Path(lines[0]).resolve() == Path(sys.executable).resolve()
    assert lines[1] == os.environ["DAGSTER_HOME"] and lines[2] == os.environ["STUDY_CONFIG"]

    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, kernel_name="python3", timeout=600,
                       resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()  # raises on error
        text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                         for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        assert not re.search(r"JH-[0-9A-Z]{6}\b", text), f"{path.name} shows a participant ID"
    figures = pipeline_env.out / "reports"
    assert list(figures.glob("*/figures/custom_effect_sizes_*.png"))
