"""The house style for every figure: Okabe-Ito colours, A4-friendly sizes, decimal comma in
Swedish, and byte-identical output on every run (no timestamps, fixed SVG ids, fixed PDF
metadata).

Every figure function in :mod:`pipelines.publish.figures` starts from :func:`figure` and
is written with :func:`save`; nothing else sets matplotlib parameters.
"""

from __future__ import annotations

import base64
import io
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, ScalarFormatter  # noqa: E402

#: Okabe & Ito (2008) colour-blind-safe palette
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple",
                                  "sky_blue", "yellow", "black")]
#: colour for suppressed (disclosure-controlled) segments and neutral categories
GREY = "#BBBBBB"
TEXT_GREY = "#444444"
#: A4 text width (16 cm) and half width, in inches
FULL_WIDTH = 16 / 2.54
HALF_WIDTH = 8 / 2.54
#: the tallest figure that fits an A4 page with a caption (22 cm)
MAX_HEIGHT = 22 / 2.54
DPI = 300
#: thumbnails shown in the Dagster UI must stay below this size
THUMBNAIL_MAX_BYTES = 40_000

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 8,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.5,
    "axes.unicode_minus": True,
    "svg.hashsalt": "jamlik-halsa",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "path.simplify": False,
}

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def figure(width: float = FULL_WIDTH, height: float | None = None, **kwargs):
    """A new figure in the house style.

    Parameters
    ----------
    width, height : float
        Size in inches (default: A4 text width, 0.6 × width high).
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots`.

    Returns
    -------
    (Figure, Axes or array of Axes)
    """
    plt.rcdefaults()
    plt.rcParams.update(RC)
    return plt.subplots(figsize=(width, min(height or width * 0.6, MAX_HEIGHT)), **kwargs)


def number_formatter(lang: str, decimals: int | None = None):
    """A tick formatter with the decimal comma in Swedish (and U+2212 minus).

    Examples
    --------
    >>> number_formatter("sv", 1)(0.25, 0), number_formatter("en", 1)(-0.25, 0)
    ('0,2', '−0.2')
    """
    if decimals is None:
        class _Fmt(ScalarFormatter):
            def __call__(self, x, pos=None):
                s = super().__call__(x, pos)
                return s.replace(".", ",") if lang == "sv" else s

        f = _Fmt(useOffset=False)
        f.set_scientific(False)
        return f

    def fmt(x, pos=None):
        s = f"{x:.{decimals}f}".replace("-", "−")
        return s.replace(".", ",") if lang == "sv" else s

    return FuncFormatter(fmt)


def percent_formatter(lang: str):
    """Tick labels for shares 0–1 as percentages ("40 %" in Swedish, "40%" in English)."""
    sep = "\u00a0" if lang == "sv" else ""
    return FuncFormatter(lambda x, pos=None: f"{x * 100:.0f}{sep}%")


def wrap(text: str, width: int = 22) -> str:
    """Break a long label over lines of at most ``width`` characters.

    Examples
    --------
    >>> wrap("Uppföljning december 2024", 14)
    'Uppföljning\\ndecember 2024'
    """
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


def save(fig, stem: Path) -> dict[str, Path]:
    """Save PNG (300 dpi), SVG and PDF with fixed metadata so the bytes never change,
    each written atomically (temporary file, then rename: :mod:`pipelines.fsutil`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Closed after saving.
    stem : Path
        Output path without suffix; ``.png``, ``.svg`` and ``.pdf`` are added.

    Returns
    -------
    dict
        ``{"png": Path, "svg": Path, "pdf": Path}``.
    """
    from pipelines.fsutil import atomic_write

    out = {}
    for ext, md in _METADATA.items():
        path = stem.with_suffix(f".{ext}")
        with atomic_write(path, "wb") as fh:  # a killed run never leaves a truncated figure
            fig.savefig(fh, format=ext, metadata=md)
        out[ext] = path
    plt.close(fig)
    return out


def thumbnail_markdown(fig, alt: str = "preview", max_bytes: int = THUMBNAIL_MAX_BYTES) -> str:
    """A small PNG of ``fig`` as a Markdown image with a base64 data URI (for the UI).

    The resolution is lowered until the encoded image is at most ``max_bytes``.
    """
    for dpi in (45, 35, 25, 18, 12):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata=_METADATA["png"])
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        if len(data) <= max_bytes:
            return f"![{alt}](data:image/png;base64,{data})"
    return f"*{alt}: preview too large*"
