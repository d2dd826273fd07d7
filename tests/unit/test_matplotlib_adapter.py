"""The one module allowed to touch matplotlib's private API (the cache of PDF font subsets),
pinned to the release it was written for: a PDF written with the cache, cold or warm, has
exactly the bytes of one written without it.

If this fails after a matplotlib upgrade: review ``publishing/_matplotlib_adapter.py``
against the new release (its docstring lists what it relies on), run this file and
``tests/unit/test_publish_figures.py``, then update ``WRITTEN_FOR``.
"""

import io
from pathlib import Path

import pytest
from matplotlib.backends import _backend_pdf_ps as pdfps

from publishing import _matplotlib_adapter as adapter
from publishing import style

from .private_api import private_uses

ROOT = Path(__file__).resolve().parents[2]
#: a Swedish and an English label, a bold title, an italic note and a character above U+00FF:
#: three fonts (regular, bold, oblique), different glyph sets per language
TEXTS = {"sv": ("Förändring i hälsa – T0 till T1", "Mättillfälle", "ej skattningsbar"),
         "en": ("Change in health – T0 to T1", "Wave", "not estimable")}


@pytest.fixture
def no_cache():
    adapter.uncache_pdf_font_subsets()
    yield
    adapter.uncache_pdf_font_subsets()


def _figure(lang: str):
    title, xlabel, note = TEXTS[lang]
    fig, ax = style.figure(style.HALF_WIDTH)
    ax.plot([0, 1, 2], [0.25, -0.5, 0.75])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.text(0.5, 0.5, note, style="italic", transform=ax.transAxes)
    return fig


def _pdf(lang: str) -> bytes:
    buf = io.BytesIO()
    fig = _figure(lang)
    fig.savefig(buf, format="pdf", metadata=style._METADATA["pdf"], bbox_inches=style.tight_bbox(fig))
    return buf.getvalue()


def test_the_adapter_was_written_for_the_installed_matplotlib():
    assert adapter.WRITTEN_FOR == "3.11.2"
    assert adapter.installed_version() == adapter.WRITTEN_FOR, (
        f"matplotlib {adapter.installed_version()} is installed but publishing/_matplotlib_adapter.py was written "
        f"for {adapter.WRITTEN_FOR}: review its private API uses (see its docstring) before upgrading")


def test_cached_font_subsets_give_the_same_pdf_bytes(no_cache):
    plain = {lang: _pdf(lang) for lang in TEXTS}
    assert plain["sv"] != plain["en"]
    assert adapter.cache_pdf_font_subsets() and adapter.cache_pdf_font_subsets()  # idempotent
    cold = {lang: _pdf(lang) for lang in TEXTS}
    misses = adapter.cache_stats()["misses"]
    assert misses >= 4 and adapter.cache_stats()["hits"] == 0   # two languages, at least two fonts each
    warm = {lang: _pdf(lang) for lang in reversed(TEXTS)}
    assert adapter.cache_stats()["hits"] == misses and adapter.cache_stats()["misses"] == misses
    assert cold == plain and warm == plain


def test_the_postscript_backend_reads_the_cached_subset(no_cache, monkeypatch):
    """backend_ps reads the subset's tables, not only its bytes: it gets a real font."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")

    def eps() -> bytes:
        buf = io.BytesIO()
        fig, ax = style.figure(1, 0.5)
        ax.set_axis_off()
        ax.text(0, 0, "Hälsa – T0")
        fig.savefig(buf, format="eps")
        return buf.getvalue()

    plain = eps()
    adapter.cache_pdf_font_subsets()
    assert eps() == plain and eps() == plain
    assert adapter.cache_stats()["hits"] > 0


def test_the_cache_keeps_at_most_max_subsets(no_cache, monkeypatch):
    monkeypatch.setattr(adapter, "MAX_SUBSETS", 2)
    adapter.cache_pdf_font_subsets()
    plain_en = _pdf("en")
    _pdf("sv")
    assert adapter.cache_stats()["entries"] == 2
    adapter.uncache_pdf_font_subsets()
    assert _pdf("en") == plain_en


def test_without_the_wrapped_functions_nothing_is_changed(no_cache, monkeypatch):
    monkeypatch.delattr(pdfps, "font_as_file")
    original = pdfps.get_glyphs_subset
    assert adapter.cache_pdf_font_subsets() is False
    assert pdfps.get_glyphs_subset is original


def test_save_puts_the_cache_in_place(no_cache, tmp_path):
    files = style.save(_figure("en"), tmp_path / "f", formats=("pdf",))
    assert adapter.cache_stats()["misses"] > 0
    adapter.uncache_pdf_font_subsets()
    assert files["pdf"].read_bytes() == _pdf("en")


def test_no_private_matplotlib_api_outside_the_adapter():
    offenders = []
    for package in ("publishing", "pipelines", "analysis", "survey", "tools"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name != "_matplotlib_adapter.py":
                offenders += private_uses(path, "matplotlib", aliases=("matplotlib", "mpl"))
    assert offenders == []
    assert private_uses(ROOT / "publishing" / "_matplotlib_adapter.py", "matplotlib")  # the scan finds them
