"""The house style for every figure: Okabe-Ito colours, A4-friendly sizes, decimal comma in
Swedish, and byte-identical output on every run (no timestamps, fixed SVG ids, fixed PDF
metadata).

Every figure function in :mod:`publishing.figures` starts from :func:`figure` and
is written with :func:`save`; nothing else sets matplotlib parameters.
"""

from __future__ import annotations

import base64
import io
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.rcsetup import cycler  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import FuncFormatter, ScalarFormatter  # noqa: E402

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

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
#: HarfBuzz feature tags applied to every text before saving (see :func:`tight_bbox`)
NO_LIGATURES = ("-liga", "-clig")
#: thumbnails shown in the Dagster UI must stay below this size
THUMBNAIL_MAX_BYTES = 40_000

RC: dict[RcKeyType, Any] = {
    # DejaVu Sans ships with matplotlib (the PNG and PDF always use it); "sans-serif" is what an
    # SVG viewer without it falls back to (the SVG keeps its text as text)
    "font.family": ["DejaVu Sans", "sans-serif"],
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
    "axes.prop_cycle": cycler(color=PALETTE),  # (the function matplotlib.cycler names)
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.5,
    "axes.unicode_minus": True,
    "svg.hashsalt": "jamlik-halsa",
    # text stays text in the SVG (searchable, selectable, read by screen readers and the
    # disclosure audit); the PDF embeds its fonts (42 = TrueType), the PNG is pixels anyway
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    # matplotlib 3.11 sizes the PDF font subsets by ps.fonttype: with the default (3) every
    # character above U+00FF (the en dash, U+2212 minus) lands in a second embedded copy of
    # the font, which costs a second fontTools subsetting pass per PDF
    "ps.fonttype": 42,
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


def tight_bbox(fig, dpi: float = DPI):
    """The figure's tight bounding box (in inches, padded by ``savefig.pad_inches``),
    measured once at ``dpi`` and then shared by every file written from the figure.

    ``savefig(bbox_inches="tight")`` measures it again for every format, with a dry-run
    draw each time; all formats then also get exactly the same crop. The figure's
    layout engine is released here (its layout is final once the figure is built), so
    that saving draws each file once.
    """
    if fig.get_layout_engine() is not None and not fig.get_layout_engine().adjust_compatible:
        raise ValueError("tight_bbox: figures in the house style use tight_layout(), not constrained layout")
    fig.set_layout_engine(None)
    for text in fig.findobj(Text):
        # no typographic ligatures ("ff", "fi"): each puts a second copy of the font in the
        # PDF (a second fontTools subsetting pass), and labels read the same without them.
        # matplotlib 3.11 applies font features to single-line texts only, so a wrapped
        # label may still form one.
        text.set_fontfeatures(NO_LIGATURES)
    old_dpi = fig.dpi
    try:
        fig.set_dpi(dpi)
        fig.draw_without_rendering()
        bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    finally:
        fig.set_dpi(old_dpi)
    return bbox.padded(RC["savefig.pad_inches"])


def save(fig, stem: Path, bbox=None, formats=("png", "svg", "pdf")) -> dict[str, Path]:
    """Save PNG (300 dpi), SVG and PDF with fixed metadata so the bytes never change,
    each written atomically (temporary file, then rename: :mod:`survey.fsutil`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Closed after saving.
    stem : Path
        Output path without suffix; ``.png``, ``.svg`` and ``.pdf`` are added.
    bbox : matplotlib.transforms.Bbox, optional
        The crop from :func:`tight_bbox` (computed here when not given).
    formats : sequence of {"png", "svg", "pdf"}
        The files to write (``publishing.figure_formats``; default all three).

    Returns
    -------
    dict
        ``{"png": Path, "svg": Path, "pdf": Path}`` (the formats written).
    """
    unknown = [f for f in formats if f not in _METADATA]
    if unknown or not formats:
        raise ValueError(f"figure formats must be a non-empty subset of {sorted(_METADATA)}")
    from publishing._matplotlib_adapter import cache_pdf_font_subsets
    from survey.fsutil import atomic_write

    if "pdf" in formats:
        cache_pdf_font_subsets()  # the same bytes, without subsetting a font twice
    bbox = bbox if bbox is not None else tight_bbox(fig)
    out = {}
    for ext, md in _METADATA.items():
        if ext not in formats:
            continue
        path = stem.with_suffix(f".{ext}")
        with atomic_write(path, "wb") as fh:  # a killed run never leaves a truncated figure
            fig.savefig(fh, format=ext, metadata=md, bbox_inches=bbox)
        out[ext] = path
    plt.close(fig)
    return out


def thumbnail_markdown(source, alt: str = "preview", max_bytes: int = THUMBNAIL_MAX_BYTES) -> str:
    """A small PNG as a Markdown image with a base64 data URI (for the UI).

    Parameters
    ----------
    source : Figure or path
        A figure (rendered here at 300 dpi), or a PNG already written by :func:`save`:
        scaling that file down costs a fraction of drawing the figure again.
    alt : str
        The image's alternative text.
    max_bytes : int
        The encoded image is at most this long: it starts at the size of a 45-dpi render
        and shrinks until it fits.
    """
    from PIL import Image

    if isinstance(source, (str, Path)):
        image = Image.open(source)
    else:
        buf = io.BytesIO()
        source.savefig(buf, format="png", dpi=DPI, metadata=_METADATA["png"], bbox_inches=tight_bbox(source))
        image = Image.open(buf)
    image.load()
    for dpi in (45, 35, 25, 18, 12):
        size = (max(1, round(image.width * dpi / DPI)), max(1, round(image.height * dpi / DPI)))
        small = io.BytesIO()
        image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0).save(small, format="png")
        data = base64.b64encode(small.getvalue()).decode("ascii")
        if len(data) <= max_bytes:
            return f"![{alt}](data:image/png;base64,{data})"
    return f"*{alt}: preview too large*"
