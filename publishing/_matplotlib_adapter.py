"""Every use of matplotlib's private API, in one module: a cache of the font subsets that
matplotlib embeds in a PDF.

Why
---
With TrueType fonts in the PDF (``pdf.fonttype`` 42, :data:`publishing.style.RC`),
matplotlib 3.11 makes each font's subset with fontTools anew for every PDF it writes.
That takes 60–90 ms per font and file: 51 subsets and **11 % of the CPU of a whole run**
of the small study (py-spy, 2026-12-04). The subset depends only on the font file and the
glyphs used. Many subsets repeat: within a run (13 of the 51 of the small study:
figures drawing the same characters in the same font), in a rerun, and in every run of
the same study in the test suite. matplotlib has no public switch for caching them, so
this module wraps the two functions its PDF backend calls.

The cached bytes are exactly the bytes matplotlib would have written. fontTools'
subsetting is deterministic (matplotlib loads the font without recalculating the
timestamp), and the key holds everything the subset depends on: the font file (path,
face index, size and modification time) and the set of glyph indices.
``tests/unit/test_matplotlib_adapter.py`` compares a PDF written with the cache, from a
cold and from a warm cache, with one written without it, byte for byte.

What it relies on
-----------------
Written for and tested with matplotlib **3.11.2** (:data:`WRITTEN_FOR`; the test fails
loudly on any other version, so that an upgrade is reviewed here):

* ``matplotlib.backends._backend_pdf_ps.get_glyphs_subset(fontfile, glyphs)`` returns a
  context manager that yields ``SubsetResults(font, glyph_index_map)``, ``font`` being a
  fontTools ``TTFont``;
* ``matplotlib.backends._backend_pdf_ps.font_as_file(font)`` returns the saved font as a
  ``BytesIO``;
* ``backend_pdf`` and ``backend_ps`` look both up on the module at call time.

When any of them is missing, :func:`cache_pdf_font_subsets` does nothing and returns
False: the PDFs are then written as matplotlib writes them, only slower.
"""

from __future__ import annotations

import io
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

#: the matplotlib release this module was written for and tested with
WRITTEN_FOR = "3.11.2"
#: subsets kept (least recently used first out); one is 5–40 kB
MAX_SUBSETS = 512

_lock = threading.Lock()
_cache: OrderedDict[tuple, tuple[bytes, dict]] = OrderedDict()
_originals: tuple[Any, Any] | None = None
_stats = {"hits": 0, "misses": 0}


def installed_version() -> str:
    """The installed matplotlib version."""
    import matplotlib

    return matplotlib.__version__


def _key(fontfile, glyphs: Iterable[int]) -> tuple:
    path = str(fontfile)
    st = os.stat(path)
    return (path, getattr(fontfile, "face_index", 0), st.st_size, st.st_mtime_ns, frozenset(glyphs))


def cache_pdf_font_subsets() -> bool:
    """Serve repeated PDF font subsets from memory (idempotent; see the module docstring).

    Returns
    -------
    bool
        True when the cache is in place, False when this matplotlib does not have the
        functions it wraps (nothing is changed then).
    """
    global _originals
    if _originals is not None:
        return True
    try:
        from fontTools.ttLib import TTFont
        from matplotlib.backends import _backend_pdf_ps as pdfps
    except ImportError:
        return False
    if not all(hasattr(pdfps, name) for name in ("get_glyphs_subset", "font_as_file", "SubsetResults")):
        return False
    subset, as_file = pdfps.get_glyphs_subset, pdfps.font_as_file

    @contextmanager
    def cached_subset(fontfile, glyphs) -> Iterator[Any]:
        glyphs = list(glyphs)
        key = _key(fontfile, glyphs)
        with _lock:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
            _stats["hits" if hit is not None else "misses"] += 1
        if hit is None:
            with subset(fontfile, glyphs) as result:
                hit = (as_file(result.font).getvalue(), dict(result.glyph_index_map))
            with _lock:
                _cache[key] = hit
                while len(_cache) > MAX_SUBSETS:
                    _cache.popitem(last=False)
        # a real TTFont of the subset (the PostScript backend reads its tables), which
        # font_as_file below turns back into exactly the cached bytes
        font = TTFont(io.BytesIO(hit[0]))
        font._jh_subset_bytes = hit[0]
        with font:
            yield pdfps.SubsetResults(font, dict(hit[1]))

    def cached_as_file(font) -> io.BytesIO:
        data = getattr(font, "_jh_subset_bytes", None)
        return io.BytesIO(data) if data is not None else as_file(font)

    pdfps.get_glyphs_subset = cached_subset
    pdfps.font_as_file = cached_as_file
    _originals = (subset, as_file)
    return True


def uncache_pdf_font_subsets() -> None:
    """Put matplotlib's own functions back and empty the cache (for tests)."""
    global _originals
    if _originals is None:
        return
    from matplotlib.backends import _backend_pdf_ps as pdfps

    pdfps.get_glyphs_subset, pdfps.font_as_file = _originals
    _originals = None
    with _lock:
        _cache.clear()
        _stats.update(hits=0, misses=0)


def cache_stats() -> dict[str, int]:
    """Hits, misses and entries of the cache since it was installed."""
    with _lock:
        return {**_stats, "entries": len(_cache)}
