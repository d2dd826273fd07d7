"""The house style for every figure: Okabe-Ito colours, A4-friendly sizes, and
byte-identical output on every run (no timestamps, fixed SVG ids)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

#: Okabe & Ito (2008) colour-blind-safe palette
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple",
                                  "sky_blue", "yellow", "black")]
#: A4 text width (16 cm) and half width, in inches
FULL_WIDTH = 16 / 2.54
HALF_WIDTH = 8 / 2.54
DPI = 300

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.5,
    "svg.hashsalt": "jamlik-halsa",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
}


def figure(width: float = FULL_WIDTH, height: float | None = None, **kwargs):
    """A new figure in the house style."""
    plt.rcdefaults()
    plt.rcParams.update(RC)
    return plt.subplots(figsize=(width, height or width * 0.6), **kwargs)


def save(fig, stem: Path) -> dict[str, Path]:
    """Save PNG (300 dpi), SVG and PDF with fixed metadata so the bytes never change."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = {}
    meta = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    }
    for ext, md in meta.items():
        path = stem.with_suffix(f".{ext}")
        fig.savefig(path, format=ext, metadata=md)
        out[ext] = path
    plt.close(fig)
    return out
