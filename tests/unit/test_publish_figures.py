"""Figures: byte-identical PNG/SVG/PDF on every run, Swedish number format, no individual
values in the aggregate helpers."""

from __future__ import annotations

import base64
import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from analysis import distributions
from publishing import figures, style
from publishing.tables import Labels


def _summary():
    return pd.DataFrame({"outcome": ["who5_percent"] * 3 + ["eq5d5l_index"] * 3, "wave": ["T0", "T1", "T2"] * 2,
                         "n": [40, 30, 3, 40, 31, 29], "estimate": [55, 60, 80, 0.8, 0.82, 0.85],
                         "ci_low": [50, 55, 70, 0.75, 0.77, 0.8], "ci_high": [60, 65, 90, 0.85, 0.87, 0.9],
                         "suppressed": [False, False, True, False, False, False]})


def _labels(lang):
    return Labels(lang, {"who5_percent": "Välbefinnande, WHO-5", "eq5d5l_index": "EQ-5D-5L-index"},
                  {"T0": "Baslinje hösten 2023", "T1": "Uppföljning december 2024", "T2": "Uppföljning december 2025"},
                  ranges={"who5_percent": (0, 100), "eq5d5l_index": (-0.314, 1)},
                  units={"who5_percent": "points", "eq5d5l_index": "index"})


def _digests(tmp_path, name):
    fig = figures.means_over_waves(_summary(), ["who5_percent", "eq5d5l_index"], _labels("sv"))
    paths = style.save(fig, tmp_path / name)
    return {ext: hashlib.sha256(p.read_bytes()).hexdigest() for ext, p in paths.items()}


def test_figures_are_byte_identical_across_renders(tmp_path):
    a = _digests(tmp_path, "a")
    b = _digests(tmp_path, "b")
    assert set(a) == {"png", "svg", "pdf"}
    assert a == b


def test_svg_and_pdf_carry_no_timestamp(tmp_path):
    paths = style.save(figures.means_over_waves(_summary(), ["who5_percent"], _labels("en")), tmp_path / "f")
    assert b"<dc:date>" not in paths["svg"].read_bytes()
    assert b"CreationDate" not in paths["pdf"].read_bytes()


def test_swedish_ticks_use_decimal_comma():
    f = style.number_formatter("sv")
    f.set_locs([0.80, 0.85, 0.90])
    assert f(0.85, 1) == "0,85"
    assert style.number_formatter("en", 2)(-0.5) == "−0.50"


def test_thumbnail_is_small_enough():
    md = style.thumbnail_markdown(figures.means_over_waves(_summary(), ["who5_percent"], _labels("sv")))
    assert md.startswith("![") and len(md) <= style.THUMBNAIL_MAX_BYTES + 100


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_thumbnail_from_the_saved_png_is_the_figure_scaled_down(tmp_path):
    paths = style.save(figures.means_over_waves(_summary(), ["who5_percent"], _labels("sv")), tmp_path / "f")
    md = style.thumbnail_markdown(paths["png"], alt="f")
    data = base64.b64decode(md.split("base64,")[1].rstrip(")"))
    (w, h), (W, H) = _png_size(data), _png_size(paths["png"].read_bytes())
    assert md.startswith("![f](data:image/png;base64,") and len(md) <= style.THUMBNAIL_MAX_BYTES + 100
    assert w <= round(W * 45 / style.DPI) and abs(w / h - W / H) < 0.02   # same picture, same proportions
    assert style.thumbnail_markdown(paths["png"], alt="f", max_bytes=10) == "*f: preview too large*"


def test_every_format_has_the_same_crop(tmp_path):
    """One tight bounding box for PNG, SVG and PDF (measured once, not per format)."""
    paths = style.save(figures.means_over_waves(_summary(), ["who5_percent", "eq5d5l_index"], _labels("en")),
                       tmp_path / "f")
    w_px, h_px = _png_size(paths["png"].read_bytes())
    svg = paths["svg"].read_text()
    w_svg, h_svg = (float(re.search(rf'{k}="([0-9.]+)pt"', svg).group(1)) for k in ("width", "height"))
    box = [float(v) for v in re.search(rb"/MediaBox \[ *([0-9. ]+)\]", paths["pdf"].read_bytes()).group(1).split()]
    w_pdf, h_pdf = box[2] - box[0], box[3] - box[1]
    for w, h in ((w_svg, h_svg), (w_pdf, h_pdf)):           # points; the PNG is 300 px per inch
        assert abs(w / 72 - w_px / style.DPI) < 2 / style.DPI and abs(h / 72 - h_px / style.DPI) < 2 / style.DPI


def test_pdf_embeds_each_font_face_once(tmp_path):
    """Characters above U+00FF (en dash, minus) and ligatures ("ff") used to add a second
    copy of the font, and a second fontTools subsetting pass, to every PDF."""
    fig, ax = style.figure()
    ax.set_title("Effekt – förändring")                    # bold: ff, en dash, å/ö
    ax.set_xlabel("Skillnad (−0,5 till 0,5), officiell")   # regular: minus sign, ffi
    ax.plot([0, 1], [-0.5, 0.5])
    ax.yaxis.set_major_formatter(style.number_formatter("sv", 1))
    pdf = style.save(fig, tmp_path / "fonts")["pdf"].read_bytes()
    fonts = re.findall(rb"/BaseFont /([A-Z]{6})\+([A-Za-z-]+)", pdf)
    faces = [face for _, face in set(fonts)]
    assert sorted(faces) == [b"DejaVuSans", b"DejaVuSans-Bold"], fonts


def test_distribution_summary_has_no_extremes():
    rng = np.random.default_rng(1)
    p = pd.DataFrame({"participant_id": range(53), "wave": ["T0"] * 50 + ["T1"] * 3,
                      "y": np.r_[rng.normal(50, 10, 50), [1.0, 2.0, 99.0]]})
    s = distributions.distribution_summary(p, ["y"], ["T0", "T1"])
    t0 = s.iloc[0]
    assert list(s["n"]) == [50, 3]
    # whiskers are percentiles, not the minimum/maximum (single persons' values)
    assert t0["whislo"] > p.loc[p.wave == "T0", "y"].min() and t0["whishi"] < p.loc[p.wave == "T0", "y"].max()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_figure_function_renders_with_suppressed_groups(lang):
    L = _labels(lang)
    shares = distributions.level_shares(
        pd.DataFrame({"participant_id": range(20), "wave": ["T0"] * 12 + ["T1"] * 8,
                      "lvl": ["inadequate"] * 6 + ["sufficient"] * 6 + ["problematic"] * 8}),
        "lvl", ["T0", "T1", "T2"], ["inadequate", "problematic", "sufficient"])
    shares["suppressed"] = shares["wave"] == "T1"          # as the release would withhold them
    shares.loc[shares["suppressed"], ["n", "share"]] = np.nan
    fig = figures.health_literacy_levels(shares, L)
    assert len(fig.axes) == 1
    style.plt.close(fig)


@pytest.mark.parametrize("formats", [("svg",), ("png", "pdf"), ("pdf", "svg", "png")])
def test_save_writes_exactly_the_configured_formats(tmp_path, formats):
    fig = figures.means_over_waves(_summary(), ["who5_percent"], _labels("en"))
    paths = style.save(fig, tmp_path / "f", formats=formats)
    assert set(paths) == set(formats)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"f.{ext}" for ext in formats)
    if "svg" in formats:   # the same bytes as when all three formats are written
        every = style.save(figures.means_over_waves(_summary(), ["who5_percent"], _labels("en")), tmp_path / "all")
        assert paths["svg"].read_bytes() == every["svg"].read_bytes()


@pytest.mark.parametrize("formats", [(), ("gif",)])
def test_save_refuses_unknown_or_no_formats(tmp_path, formats):
    fig = figures.means_over_waves(_summary(), ["who5_percent"], _labels("en"))
    with pytest.raises(ValueError, match="figure formats"):
        style.save(fig, tmp_path / "f", formats=formats)


# -- the participant flow: every text inside its box, whatever the labels --------------------

def _flow_table(rng, comps, register: bool) -> pd.DataFrame:
    rows = []
    for pre, post in comps:
        n = lambda: int(rng.integers(0, 100_000)) if rng.random() > 0.1 else np.nan  # noqa: E731  (nan: suppressed)
        stages = [("assessed", "all", pre), ("assessed", "all", post), ("lost_to_follow_up", "all", post)]
        if register:
            stages = [("reached", "all", post), *stages, ("lost_attending", "all", post),
                      ("lost_not_attending", "all", post)]
        stages += [("new_at_follow_up", "all", post), ("analysed", "recurring_both_waves", post),
                   ("excluded", "recurring_attendance", post), ("analysed", "recurring_attendance", post)]
        rows += [{"stage": s, "definition": d, "wave": w, "outcome": None, "n": n(), "pre": pre, "post": post}
                 for s, d, w in stages]
        rows += [{"stage": "analysed_complete_pairs", "definition": d, "wave": post, "outcome": o, "n": n(),
                  "pre": pre, "post": post}
                 for d in ("recurring_both_waves", "recurring_attendance") for o in ("who5_percent", "eq5d5l_index")]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(6))
def test_flow_diagram_texts_stay_inside_their_boxes(seed):
    """The flow's 'Excluded' box once printed its n across its bottom edge. Random label
    lengths (long outcome and wave names), 1-3 comparisons, both languages, with and without
    a register: every box text lies inside its box, and no box overlaps another."""
    from matplotlib.patches import FancyBboxPatch

    rng = np.random.default_rng(seed)
    lang = ("sv", "en")[seed % 2]
    long = lambda base: base + " " + " ".join(["ordentligt"] * int(rng.integers(0, 6)))  # noqa: E731
    waves = {w: long(f"Uppföljning {w}") for w in ("T0", "T1", "T2", "T3")}
    L = Labels(lang, {"who5_percent": long("Välbefinnande, WHO-5"), "eq5d5l_index": long("EQ-5D-5L-index")}, waves,
               min_visits=float(rng.choice([1, 1.5, 2])))
    comps = [("T0", f"T{i}") for i in range(1, int(rng.integers(2, 5)))]
    fig = figures.participant_flow(_flow_table(rng, comps, bool(seed % 3)), L, ["who5_percent", "eq5d5l_index"],
                                   ("attendance", "present_at_both")[seed % 2])
    renderer = fig.canvas.get_renderer()
    boxes = [a for a in fig.artists if isinstance(a, FancyBboxPatch)]
    assert len(boxes) == (7 if seed % 3 else 6) * len(comps)   # the reach box with a register
    extents = [b.get_window_extent(renderer) for b in boxes]
    for text in fig.texts:
        t = text.get_window_extent(renderer)
        holder = [e for e in extents if e.x0 <= (t.x0 + t.x1) / 2 <= e.x1 and e.y0 <= (t.y0 + t.y1) / 2 <= e.y1]
        if holder:   # a box text (titles and footers sit outside every box)
            e = holder[0]
            assert e.x0 <= t.x0 and t.x1 <= e.x1 and e.y0 <= t.y0 and t.y1 <= e.y1, text.get_text()
    for i, a in enumerate(extents):
        for b in extents[i + 1:]:
            assert a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0, "boxes overlap"


def test_svg_text_is_text_not_outlines(tmp_path):
    """Issue 17: an SVG figure's words are searchable <text>, not glyph outlines."""
    paths = style.save(figures.means_over_waves(_summary(), ["who5_percent"], _labels("sv")), tmp_path / "f",
                       formats=("svg",))
    raw = paths["svg"].read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>(.*?)</text>", raw, flags=re.DOTALL)
    assert any("Välbefinnande" in t for t in texts)
    assert "<defs>" not in raw or 'id="DejaVuSans-' not in raw   # no glyph paths


def _tests_table(rng, comps, outcomes):
    rows = []
    for pre, post in comps:
        for o in outcomes:
            est = float(rng.normal(0, 8))
            hidden = bool(rng.random() < 0.2)
            for test in ("paired_t", "wilcoxon"):
                rows.append({"outcome": o, "pre": pre, "post": post, "test": test,
                             "n": np.nan if hidden else int(rng.integers(5, 300)),
                             "estimate": np.nan if hidden else est, "ci_low": np.nan if hidden else est - 3,
                             "ci_high": np.nan if hidden else est + 3, "suppressed": hidden,
                             "suppression": "secondary" if hidden else None})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(4))
def test_mean_change_shows_zero_and_the_mid_and_withholds_what_is_suppressed(seed):
    """Issue 17: figure 2 draws each comparison's within-person change against no change and
    ± the MID (never a truncated axis), and a suppressed comparison is marked, not drawn."""
    rng = np.random.default_rng(seed)
    comps = [("T0", "T1"), ("T0", "T2")][: 1 + seed % 2]
    tests = _tests_table(rng, comps, ["who5_percent", "eq5d5l_index"])
    mid = float(rng.choice([5.0, 10.0, 20.0]))
    fig = figures.mean_change(tests, ["who5_percent", "eq5d5l_index"], _labels("en"), {"who5_percent": mid})
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 2
    for ax, o in zip(axes, ["who5_percent", "eq5d5l_index"]):
        lo, hi = ax.get_ylim()
        assert lo < 0 < hi
        if o == "who5_percent":
            assert lo < -mid and mid < hi
        t = tests[(tests["outcome"] == o) & (tests["test"] == "paired_t")]
        drawn = sum(len(line.get_xdata()) for line in ax.get_lines() if line.get_marker() == "o")
        assert drawn == int((~t["suppressed"]).sum())
        marks = [x.get_text() for x in ax.texts]
        assert marks.count("x") == int(t["suppressed"].sum())
