"""Report figures in the house style (:mod:`publishing.style`).

Every function takes *published* (disclosure-controlled) or aggregate tables — never
participant rows, except :func:`individual_trajectories`, which is an internal figure — and
a :class:`publishing.tables.Labels` for the language, and returns a matplotlib
figure. Groups with fewer than ``L.k`` persons are not drawn and are marked ``<k``.

Degenerate studies never stop a figure: what is estimable is drawn; an estimate the
analysis could not compute is marked "not estimable" in its place, and a figure with
nothing to draw at all (no comparison configured, no observations) is a panel stating
why ("not estimable: <reason>", translated by :func:`publishing.labels.note_text`).
Confidence-interval whiskers are never negative (a bound equal to the estimate up to
rounding draws no whisker).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import cast

import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from publishing import style
from publishing.disclosure import REASON, SUPPRESSED
from publishing.labels import label, not_estimable_text, note_text
from publishing.tables import Labels, flow_count, fmt_mid, fmt_n, fmt_num, fmt_pct, fmt_suppressed

C = style.OKABE_ITO


def _grid(n: int, row_height: float, ncols: int = 2, extra: float = 0.5):
    ncols = ncols if n > 1 else 1
    nrows = math.ceil(n / ncols)
    fig, axes = style.figure(style.FULL_WIDTH, row_height * nrows + extra, nrows=nrows, ncols=ncols,
                             squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _withheld(reason, L: Labels) -> str:
    """The mark of a withheld value: ``<k`` only when it was withheld for being small itself,
    else ``x`` (withheld to protect another group; it may be large)."""
    return fmt_suppressed(reason if reason == "primary" else "secondary", L.k, L.lang)


def _suppressed(row) -> bool:
    return bool(row.get(SUPPRESSED, False)) if hasattr(row, "get") else False


def _has(table, *columns: str) -> bool:
    """Whether ``table`` is a frame with rows and every one of ``columns``."""
    return isinstance(table, pd.DataFrame) and len(table) > 0 and all(c in table.columns for c in columns)


def _whisker(low, high):
    """Error-bar lengths ``[estimate - low, high - estimate]`` as given: clipped at 0 (a
    bound on the wrong side of its estimate by rounding, e.g. a Wilson bound at a share
    of 0 %, draws no whisker instead of stopping matplotlib); NaN stays NaN (no whisker)."""
    return np.clip(np.asarray(low, dtype=float), 0, None), np.clip(np.asarray(high, dtype=float), 0, None)


def _short_note(L: Labels) -> str:
    return label("not_estimable_short", L.lang)


def _row_note(rows, L: Labels) -> str:
    """The translated "not estimable" note of the first of ``rows`` that has one, else the
    short "not estimable"."""
    if isinstance(rows, pd.DataFrame) and "note" in rows.columns:
        for n in rows["note"]:
            if note_text(n, L.lang):
                return note_text(n, L.lang)
    return _short_note(L)


def _message(ax, text: str, width: int = 60, **kw):
    ax.text(0.5, 0.5, style.wrap(text, width), transform=ax.transAxes, ha="center", va="center",
            color=style.TEXT_GREY, fontsize=kw.pop("fontsize", 8), **kw)


def not_estimable_figure(reason: str, L: Labels, title: str | None = None):
    """A small figure that only states why there is nothing to draw.

    Parameters
    ----------
    reason : str
        A key of :data:`analysis.tidy.REASONS` (e.g. ``"no_comparison"``) or a note text.
    L : Labels
    title : str, optional
        Panel title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from analysis.tidy import REASONS

    text = not_estimable_text(reason, L.lang) if reason in REASONS else note_text(reason, L.lang) or reason
    fig, ax = style.figure(style.FULL_WIDTH, 1.3)
    ax.set_axis_off()
    if title:
        ax.set_title(title, loc="left")
    _message(ax, text, fontsize=9)
    fig.tight_layout()
    return fig


def _unit_label(L: Labels, outcome: str) -> str:
    """Axis label: the outcome's unit and range, e.g. "poäng (0–100)"."""
    lo, hi = L.ranges.get(outcome, (np.nan, np.nan))
    unit = label(f"unit_{L.units.get(outcome) or 'points'}", L.lang)
    if not (pd.isna(lo) or pd.isna(hi)):
        return f"{unit} ({fmt_num(lo, L.lang, 0 if float(lo).is_integer() else 1)}–" \
               f"{fmt_num(hi, L.lang, 0 if float(hi).is_integer() else 1)})"
    return unit


def _wave_ticks(ax, waves, L: Labels, ns=None, width: int = 12):
    x = np.arange(len(waves))
    labels = []
    for i, w in enumerate(waves):
        text = style.wrap(L.wave(w), width)
        if ns is not None:
            text += f"\nn = {fmt_n(ns[i], L.k, L.lang)}"
        labels.append(text)
    ax.set_xticks(x, labels)
    ax.set_xlim(-0.5, len(waves) - 0.5)
    ax.grid(axis="x", visible=False)
    return x


# -- means per wave -------------------------------------------------------------------------

def _per_wave(table: pd.DataFrame, outcome: str, waves: list) -> tuple[pd.DataFrame, pd.Series]:
    """``outcome``'s rows of ``table`` one per wave in ``waves`` order, and which are withheld."""
    s = table[table["outcome"] == outcome].drop_duplicates("wave").set_index("wave").reindex(waves)
    return s, s.get(SUPPRESSED, pd.Series(False, index=s.index)).fillna(False).astype(bool)


def _mark_in_place(ax, x: float, withheld: bool, reason, L: Labels) -> None:
    """In place of a value not drawn: ``<k``/``x`` when withheld, else "not estimable"."""
    ax.text(x, 0.5, _withheld(reason, L) if withheld else style.wrap(_short_note(L), 12),
            transform=ax.get_xaxis_transform(), ha="center", va="center", color=style.TEXT_GREY, fontsize=7)


def means_over_waves(summary: pd.DataFrame, outcomes: Sequence[str], L: Labels, color: str = C["blue"],
                     observed: pd.DataFrame | None = None):
    """Small multiples: one panel per outcome, mean with CI per wave and n under each wave.

    ``summary`` has ``outcome, wave, n, estimate, ci_low, ci_high`` and ``suppressed``
    (the published ``wave_summaries`` or ``mixed_model_means``). Suppressed waves are not
    drawn; their n shows ``<k``. ``observed`` (the published ``wave_summaries`` rows of the
    same population) adds each wave's observed mean as an open grey circle beside the model's.
    """
    waves = list(L.waves)
    if not _has(summary, "outcome", "wave", "n", "estimate", "ci_low", "ci_high"):
        return not_estimable_figure("no_observations", L)
    outcomes = [o for o in outcomes if o in set(summary["outcome"])]
    if not outcomes:
        return not_estimable_figure("no_observations", L)
    fig, axes = _grid(len(outcomes), 2.35)
    for ax, outcome in zip(axes.flat, outcomes):
        s, hidden = _per_wave(summary, outcome, waves)
        shown = ~hidden & s["estimate"].notna()
        est = s["estimate"].where(shown)
        lo, hi = s["ci_low"].where(shown), s["ci_high"].where(shown)
        x = _wave_ticks(ax, waves, L, ns=s["n"].tolist())
        ax.errorbar(x, est, yerr=_whisker(est - lo, hi - est), fmt="o-", color=color, ecolor=color, capsize=3,
                    lw=1.2, ms=4.5, mfc=color, label=label("legend_model_mean", L.lang))
        if observed is not None and _has(observed, "outcome", "wave", "estimate"):
            o, withheld = _per_wave(observed, outcome, waves)
            ax.plot(np.asarray(x, dtype=float) + 0.12, o["estimate"].where(~withheld), "o", color="#777777", mfc="white",
                    ms=4, lw=0, label=label("legend_observed_mean", L.lang))
            if outcome == outcomes[0]:
                ax.legend(loc="lower right", fontsize=6.5, handletextpad=0.3, borderaxespad=0.2)
        reasons = s[REASON].tolist() if REASON in s.columns else [None] * len(s)
        for xi, ok, small, why in zip(x, shown, hidden, reasons):
            if not ok:
                _mark_in_place(ax, xi, small, why, L)
        ax.set_title(style.wrap(L.outcome(outcome), 42), loc="left")
        ax.set_ylabel(_unit_label(L, outcome))
        ax.margins(y=0.2)
        ax.yaxis.set_major_formatter(style.number_formatter(L.lang))
        mark_truncated_axis(ax, L.ranges.get(outcome, (np.nan, np.nan))[0])
    fig.tight_layout(h_pad=1.2, w_pad=1.5)
    return fig


def mean_change(tests: pd.DataFrame, outcomes: Sequence[str], L: Labels, mids: Mapping[str, float] | None = None):
    """Small multiples: one panel per outcome, the mean change *within persons* (follow-up
    minus baseline, paired t-test estimate) with its unadjusted CI for each comparison, n
    (complete pairs) under each comparison, a line at no change and dashed lines at ± the
    minimal important difference.

    Unlike the per-wave means (which describe partly different persons at each wave) every
    point is the same persons' change, and the y-axis always includes 0 and ± the MID, so
    the size of a change is read against what matters to a participant, never against a
    truncated axis. ``tests`` is the published ``prepost_tests`` table.
    """
    mids = dict(mids or {})
    if not _has(tests, "outcome", "pre", "post", "test", "n", "estimate", "ci_low", "ci_high"):
        return not_estimable_figure("no_comparison", L)
    t = tests[tests["test"] == "paired_t"]
    outcomes = [o for o in outcomes if o in set(t["outcome"])]
    if not outcomes:
        return not_estimable_figure("no_comparison", L)
    comps = list(dict.fromkeys(zip(t["pre"], t["post"])))
    fig, axes = _grid(len(outcomes), 2.0)
    color = C["blue"]
    for ax, outcome in zip(axes.flat, outcomes):
        d = L.digits(outcome)
        rows = [t[(t["outcome"] == outcome) & (t["pre"] == pre) & (t["post"] == post)] for pre, post in comps]
        x = np.arange(len(comps), dtype=float)
        labels, bounds = [], [0.0]
        for xi, r in zip(x, rows):
            if not len(r):
                labels.append("–")
                continue
            r = r.iloc[0]
            labels.append(f"{style.wrap(L.comparison_short(r['pre'], r['post']), 14)}\nn = "
                          f"{fmt_n(r['n'], L.k, L.lang, reason=r.get(REASON))}")
            if _suppressed(r) or pd.isna(r["estimate"]):
                _mark_in_place(ax, xi, _suppressed(r), r.get(REASON), L)
                continue
            low, high = _whisker(r["estimate"] - r["ci_low"], r["ci_high"] - r["estimate"])
            ax.errorbar([xi], [r["estimate"]], yerr=[[low], [high]], fmt="o", color=color, capsize=3, lw=1.2,
                        ms=4.5)
            ax.annotate(fmt_num(r["estimate"], L.lang, d), (xi, r["estimate"]), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=6.5)
            bounds += [float(r["ci_low"]), float(r["ci_high"])]
        ax.axhline(0, color="#555555", lw=0.8, zorder=0)
        mid = mids.get(outcome)
        if mid is not None and pd.notna(mid):
            for sign in (1, -1):
                ax.axhline(sign * mid, color=C["vermillion"], lw=0.8, ls="--", zorder=0)
            shown = fmt_num(mid, L.lang, 0 if float(mid).is_integer() else d)
            ax.text(1.0, mid, f" {label('mid', L.lang)} = {shown}", color=C["vermillion"],
                    transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=6.5, clip_on=False)
            bounds += [mid, -mid]
        finite = [b for b in bounds if np.isfinite(b)]
        span = max(finite) - min(finite) or 1.0
        ax.set_ylim(min(finite) - 0.12 * span, max(finite) + 0.12 * span)
        ax.set_xticks(x, labels, fontsize=6.5)
        ax.set_xlim(-0.7, len(comps) - 0.3)
        ax.grid(axis="x", visible=False)
        ax.set_title(style.wrap(L.outcome(outcome), 42), loc="left")
        ax.set_ylabel(label("axis_change", L.lang, unit=_unit_label(L, outcome)))
        ax.yaxis.set_major_formatter(style.number_formatter(L.lang))
    fig.tight_layout(h_pad=1.2, w_pad=2.5)
    return fig


def mark_truncated_axis(ax, scale_min: float) -> bool:
    """Draw the axis-break mark (two short strokes across the foot of the y-axis) when the
    axis does not start at the scale's lowest value, so a reader does not take the distance
    from the bottom for the size of a change. Returns whether it was drawn."""
    if pd.isna(scale_min) or ax.get_ylim()[0] <= scale_min:
        return False
    d = 0.022
    for y in (0.035, 0.065):
        ax.plot((-d, d), (y - d, y + d), transform=ax.transAxes, color="black", lw=0.8, clip_on=False,
                solid_capstyle="butt", zorder=5)
    return True


# -- participant flow -----------------------------------------------------------------------

class _Flow:
    """Lays out flow-diagram boxes in inches: every box is as tall as its measured text, so
    no text leaves its box whatever the labels' language or length."""

    PAD_X, PAD_Y = 0.06, 0.05

    def __init__(self, fig, size: float):
        self.fig, self.size = fig, size
        self.renderer = fig.canvas.get_renderer()

    def measure(self, text: str, size: float | None = None, weight: str = "normal") -> tuple[float, float]:
        t = self.fig.text(0, 0, text, fontsize=size or self.size, weight=weight, linespacing=1.25)
        bb = t.get_window_extent(self.renderer)
        t.remove()
        return bb.width / self.fig.dpi, bb.height / self.fig.dpi

    def wrap(self, text: str, width: float, size: float | None = None, weight: str = "normal") -> str:
        """Wrap each line of ``text`` to fit ``width`` inches less the padding, measuring the
        rendered words (breaks at spaces only; ``n = 12`` is kept whole)."""
        room = width - 2 * self.PAD_X
        out = []
        for part in text.split("\n"):
            line = ""
            for word in part.replace("n = ", "n\u00a0=\u00a0").split(" "):
                candidate = f"{line} {word}" if line else word
                if line and self.measure(candidate, size, weight)[0] > room:
                    out.append(line)
                    line = word
                else:
                    line = candidate
            out.append(line)
        return "\n".join(out)

    def height(self, text: str, size: float | None = None, weight: str = "normal") -> float:
        return self.measure(text, size, weight)[1] + 2 * self.PAD_Y

    def box(self, x: float, top: float, w: float, h: float, text: str, fc="white", size=None, weight="normal"):
        """A box whose top edge is at ``top`` (inches from the figure's bottom), centred on ``x``."""
        trans = self.fig.dpi_scale_trans
        self.fig.add_artist(FancyBboxPatch((x - w / 2, top - h), w, h, boxstyle="round,pad=0,rounding_size=0.05",
                                           fc=fc, ec="#333333", lw=0.8, transform=trans))
        self.fig.text(x, top - h / 2, text, ha="center", va="center", fontsize=size or self.size, weight=weight,
                      linespacing=1.25, transform=trans)

    def arrow(self, start: tuple[float, float], end: tuple[float, float]):
        self.fig.add_artist(FancyArrowPatch(start, end, arrowstyle="-|>", color="#333333", lw=0.8,
                                            mutation_scale=7, shrinkA=0, shrinkB=0,
                                            transform=self.fig.dpi_scale_trans))


def _short_outcome(text: str) -> str:
    """An outcome label without its parenthesised scale note, for a flow-diagram line.

    Examples
    --------
    >>> _short_outcome("Well-being, WHO-5 (percentage score 0–100)")
    'Well-being, WHO-5'
    """
    return text.split(" (")[0].strip() or text


def participant_flow(flow: pd.DataFrame, L: Labels, primary: Sequence[str], definition: str = "attendance"):
    """TREND/CONSORT-style flow diagram, one column per comparison.

    Stages, top to bottom: the people the programme reached between the waves (with an
    attendance register); the baseline respondents; lost to follow-up (side box, with the
    reasons for loss from the attendance register when the study has one); answered both
    waves; excluded by the attendance rule (side box); recurring by the attendance register;
    analysed, with one n per primary outcome under the study's primary recurring
    ``definition`` (the other definition's numbers are in the flow table). ``flow`` is the
    published ``participant_flow`` table (suppressed counts blank). Boxes are laid out in
    inches and sized to their measured text; the figure is as tall as the tallest column.
    """
    lang, visits = L.lang, L.visits
    if not _has(flow, "pre", "post", "stage", "definition", "n"):
        return not_estimable_figure("no_comparison", L)
    comps = list(dict.fromkeys(zip(flow["pre"], flow["post"])))
    width = style.FULL_WIDTH
    fig, placeholder = style.figure(width, 6.0)
    placeholder.remove()   # drawn in inches on the figure itself
    size, side_size, title_size = 6.5, 6.2, 8.0
    lay = _Flow(fig, size)
    flag = "recurring_attendance" if definition == "attendance" else "recurring_both_waves"
    col = width / len(comps)
    main_w, side_w = min(0.53 * col, 2.3), min(0.41 * col, 1.8)
    gap_min, arrow_room = 0.22, 0.16

    columns = []
    for pre, post in comps:
        n = lambda *a, pre=pre, post=post: flow_count(flow, L, pre, post, *a)  # noqa: E731
        has = lambda stage, pre=pre, post=post: bool(  # noqa: E731
            ((flow["pre"] == pre) & (flow["post"] == post) & (flow["stage"] == stage)).any())
        title = lay.wrap(L.comparison(pre, post), col * 0.95, title_size, "bold")
        main = [
            label("flow_assessed", lang, wave=L.wave(pre)) + f"\nn = {n('assessed', 'all', pre)}",
            label("flow_analysed_both", lang) + f"\nn = {n('analysed', 'recurring_both_waves')}",
            label("flow_analysed_attendance", lang, visits=visits) + f"\nn = {n('analysed', 'recurring_attendance')}",
            "\n".join([label("flow_analysed_pairs", lang, definition=label("def_" + flag, lang, visits=visits))]
                      + [f"{_short_outcome(L.outcome(o))}: n = {n('analysed_complete_pairs', flag, None, o)}"
                         for o in primary]),
        ]
        lost = label("flow_lost_to_follow_up", lang) + f"\nn = {n('lost_to_follow_up', 'all')}"
        if has("lost_attending"):
            lost += "".join(f"\n{label('flow_' + st, lang, visits=visits)}: n = {n(st, 'all')}"
                            for st in ("lost_attending", "lost_not_attending"))
        side = [lost, label("flow_excluded_attendance", lang, visits=visits)
                + f"\nn = {n('excluded', 'recurring_attendance')}"]
        footer = lay.wrap(f"{label('flow_assessed', lang, wave=L.wave(post))}: n\u00a0=\u00a0{n('assessed', 'all', post)}; "
                          f"{label('flow_new_at_follow_up', lang).lower()}: n\u00a0=\u00a0{n('new_at_follow_up', 'all')}",
                          col * 0.95, side_size)
        bold = 2 if definition == "attendance" else 1
        main = [lay.wrap(t, main_w, weight="bold" if i == bold else "normal") for i, t in enumerate(main)]
        side = [lay.wrap(t, side_w, side_size) for t in side]
        mh = [lay.height(t, weight="bold" if i == bold else "normal") for i, t in enumerate(main)]
        sh = [lay.height(t, side_size) for t in side]
        th = lay.measure(title, title_size, "bold")[1]
        # the reach stage (attendance register) above the baseline, when the study has one
        head = lay.wrap(label("flow_reached", lang) + f"\nn = {n('reached', 'all')}", main_w) if has("reached") else None
        hh = lay.height(head) if head else 0.0
        # depth (inches below the top) of each main box's top edge; side box i sits in the gap below box i
        tops = [th + 0.15 + (hh + gap_min if head else 0.0)]
        for i in range(3):
            gap = max(sh[i] + 2 * arrow_room / 2, gap_min) if i < 2 else gap_min
            tops.append(tops[i] + mh[i] + gap)
        bottom = tops[3] + mh[3] + 0.08 + lay.measure(footer, side_size)[1]
        columns.append((title, main, side, footer, mh, sh, tops, bold, (head, hh, th + 0.15), bottom))

    height = max(c[-1] for c in columns) + 0.05
    fig.set_size_inches(width, height)
    for j, (title, main, side, footer, mh, sh, tops, bold, (head, hh, head_top), _) in enumerate(columns):
        x0 = j * col
        mx = x0 + 0.02 * col + main_w / 2
        sx = x0 + col - 0.02 * col - side_w / 2
        y = lambda depth: height - depth  # noqa: E731
        fig.text(x0 + col / 2, y(0.02), title, ha="center", va="top", fontsize=title_size, weight="bold",
                 transform=fig.dpi_scale_trans)
        if head:   # no arrow: the baseline respondents are not all among those reached between the waves
            lay.box(mx, y(head_top), main_w, hh, head, fc="#F4F4F4")
        for i, text in enumerate(main):
            fc = "#F4F4F4" if i == 3 else "#EAF3FA" if i in (1, 2) else "white"
            lay.box(mx, y(tops[i]), main_w, mh[i], text, fc=fc, weight="bold" if i == bold else "normal")
            if i < 3:
                lay.arrow((mx, y(tops[i] + mh[i])), (mx, y(tops[i + 1])))
        for i, text in enumerate(side):
            mid = (tops[i] + mh[i] + tops[i + 1]) / 2
            lay.box(sx, y(mid - sh[i] / 2), side_w, sh[i], text, size=side_size)
            lay.arrow((mx, y(mid)), (sx - side_w / 2, y(mid)))
        fig.text(x0 + col / 2, y(tops[3] + mh[3] + 0.08), footer, ha="center", va="top", fontsize=side_size,
                 color=style.TEXT_GREY, transform=fig.dpi_scale_trans)
    return fig


# -- effect sizes ---------------------------------------------------------------------------

def forest(es: pd.DataFrame, L: Labels, primary: Sequence[str], effect_size_type: str = "hedges_g_av"):
    """Forest plot of one standardised effect size for every outcome and comparison."""
    if not _has(es, "effect_size_type", "outcome", "pre", "post", "n", "estimate", "ci_low", "ci_high"):
        return not_estimable_figure("no_comparison", L)
    e = es[es["effect_size_type"] == effect_size_type]
    if e.empty:
        return not_estimable_figure("no_comparison", L)
    outcomes = [o for o in dict.fromkeys(e["outcome"]) if o in primary] + \
               [o for o in dict.fromkeys(e["outcome"]) if o not in primary]
    comps = list(dict.fromkeys(zip(e["pre"], e["post"])))
    colors = [C["blue"], C["vermillion"], C["bluish_green"], C["reddish_purple"]]
    markers = ["o", "s", "D", "^"]
    fig, ax = style.figure(style.FULL_WIDTH, 0.36 * len(outcomes) + 1.3)
    y = np.arange(len(outcomes))[::-1].astype(float)
    off = np.linspace(0.17, -0.17, len(comps)) if len(comps) > 1 else [0.0]
    right = []
    for o, yi in zip(outcomes, y):
        ns = []
        for j, (pre, post) in enumerate(comps):
            r = e[(e["outcome"] == o) & (e["pre"] == pre) & (e["post"] == post)]
            if not len(r):
                ns.append("–")
                continue
            r = r.iloc[0]
            ns.append(fmt_n(r["n"], L.k, L.lang, reason=r.get("suppression")))
            if _suppressed(r) or pd.isna(r["estimate"]):
                if not _suppressed(r):  # not estimable (too few pairs, no variation): said in place
                    ax.text(0.5, yi + off[j], _short_note(L), transform=ax.get_yaxis_transform(), ha="center",
                            va="center", fontsize=6, color=style.TEXT_GREY)
                continue
            low, high = _whisker(r["estimate"] - r["ci_low"], r["ci_high"] - r["estimate"])
            ax.errorbar(r["estimate"], yi + off[j], xerr=[[low], [high]],
                        fmt=markers[j % 4], color=colors[j % 4], ms=4, capsize=2, lw=1)
        right.append(" / ".join(ns))
    ax.axvline(0, color="#555555", lw=0.8, zorder=0)
    ax.set_yticks(y, [style.wrap(L.outcome(o), 46) for o in outcomes], fontsize=7)
    ax.set_ylim(-0.6, len(outcomes) - 0.4)
    ax.grid(axis="y", visible=False)
    n_primary = sum(o in primary for o in outcomes)
    if 0 < n_primary < len(outcomes):
        ax.axhline(len(outcomes) - n_primary - 0.5, color="#999999", lw=0.6, ls="--")
    ax.set_xlabel(label("forest_axis", L.lang))
    ax.xaxis.set_major_formatter(style.number_formatter(L.lang))
    ax2 = ax.twinx()
    ax2.set_ylim(ax.get_ylim())
    ax2.set_yticks(y, right, fontsize=6.5)
    ax2.tick_params(length=0)
    ax2.spines[["right", "top"]].set_visible(False)
    ax2.grid(False)
    ax2.set_title("n", loc="right", fontsize=7.5, pad=2)
    handles = [ax.errorbar([], [], xerr=[], fmt=markers[j % 4], color=colors[j % 4], ms=4)
               for j in range(len(comps))]
    ax.legend(handles, [L.comparison(pre, post) for pre, post in comps], loc="lower left",
              bbox_to_anchor=(0.0, 1.01), ncol=1, handletextpad=0.3, borderaxespad=0)
    fig.tight_layout()
    return fig


# -- distributions --------------------------------------------------------------------------

def distributions(stats: pd.DataFrame, outcomes: Sequence[str], L: Labels):
    """Box plots per wave from the published ``outcome_distributions``
    (whiskers 10th–90th percentile, no individual points, mean as a diamond)."""
    waves = list(L.waves)
    outcomes = [o for o in outcomes if _has(stats, "outcome", "wave", "n", "med") and o in set(stats["outcome"])]
    if not outcomes:
        return not_estimable_figure("no_observations", L)
    fig, axes = _grid(len(outcomes), 2.35)
    for ax, o in zip(axes.flat, outcomes):
        s = stats[stats["outcome"] == o].set_index("wave").reindex(waves)
        x = _wave_ticks(ax, waves, L, ns=s["n"].tolist())
        boxes, pos = [], []
        for xi, (w, r) in zip(x, s.iterrows()):
            if bool(r.get(SUPPRESSED, False)) or pd.isna(r["med"]):
                ax.text(xi, 0.5, _withheld(r.get(REASON), L) if bool(r.get(SUPPRESSED, False))
                        else style.wrap(_short_note(L), 12), transform=ax.get_xaxis_transform(), ha="center",
                        va="center", color=style.TEXT_GREY, fontsize=7)
                continue
            boxes.append({"med": r["med"], "q1": r["q1"], "q3": r["q3"], "whislo": r["whislo"],
                          "whishi": r["whishi"], "mean": r["mean"], "fliers": [], "label": w})
            pos.append(xi)
        if boxes:
            ax.bxp(boxes, positions=pos, widths=0.45, showmeans=True, showfliers=False, patch_artist=True,
                   boxprops=dict(facecolor="#CFE3F2", edgecolor=C["blue"], lw=0.9),
                   medianprops=dict(color=C["blue"], lw=1.4), whiskerprops=dict(color=C["blue"], lw=0.9),
                   capprops=dict(color=C["blue"], lw=0.9),
                   meanprops=dict(marker="D", markerfacecolor=C["orange"], markeredgecolor="black", ms=4,
                                  markeredgewidth=0.5))
        _wave_ticks(ax, waves, L, ns=s["n"].tolist())
        ax.set_title(style.wrap(L.outcome(o), 42), loc="left")
        ax.set_ylabel(_unit_label(L, o))
        lo, hi = L.ranges.get(o, (np.nan, np.nan))
        if not (pd.isna(lo) or pd.isna(hi)):
            pad = 0.04 * (hi - lo)
            ax.set_ylim(lo - pad, hi + pad)
        ax.yaxis.set_major_formatter(style.number_formatter(L.lang))
    fig.tight_layout(h_pad=1.2, w_pad=1.5)
    return fig


# -- stacked shares -------------------------------------------------------------------------

def _stacked(ax, rows: list[tuple[str, list[float], bool | str, str]], cats: list[str], colors: list[str],
             L: Labels, min_label: float = 0.07):
    """Horizontal 100 % bars. rows: (label, shares per category (NaN = suppressed), bar
    suppressed entirely -- or, as a string, the reason the bar is not estimable --,
    right-hand text)."""
    y = np.arange(len(rows))[::-1]
    for yi, (_, shares, all_hidden, right) in zip(y, rows):
        left = 0.0
        if isinstance(all_hidden, str):  # nothing to share out (no pairs, nobody answered)
            ax.barh(yi, 1, left=0, color="white", edgecolor=style.GREY, lw=0.5, height=0.62)
            ax.text(0.5, yi, all_hidden, ha="center", va="center", fontsize=6.5, color=style.TEXT_GREY)
        elif all_hidden:
            ax.barh(yi, 1, left=0, color="white", edgecolor=style.GREY, hatch="////", lw=0.5, height=0.62)
            ax.text(0.5, yi, _withheld(None, L), ha="center", va="center", fontsize=7,
                    color=style.TEXT_GREY, bbox=dict(fc="white", ec="none", pad=0.5))
        else:
            for share, col in zip(shares, colors):
                if pd.isna(share) or share <= 0:
                    continue
                ax.barh(yi, share, left=left, color=col, edgecolor="white", lw=0.5, height=0.62)
                if share >= min_label:
                    dark = col in (C["blue"], C["vermillion"], C["bluish_green"], C["reddish_purple"], C["black"])
                    ax.text(left + share / 2, yi, fmt_pct(share, L.lang), ha="center", va="center", fontsize=6.5,
                            color="white" if dark else "black")
                left += share
            rest = 1 - left
            if rest > 0.005 and any(pd.isna(s) for s in shares):
                ax.barh(yi, rest, left=left, color="white", edgecolor=style.GREY, hatch="////", lw=0.5, height=0.62)
        ax.text(1.015, yi, right, ha="left", va="center", fontsize=6.5, color=style.TEXT_GREY,
                transform=ax.get_yaxis_transform())
    ax.set_yticks(y, [r[0] for r in rows])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(style.percent_formatter(L.lang))
    ax.grid(axis="y", visible=False)
    ax.spines[["left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)


def _legend(fig, cats_labels, colors, hatch_label=None, ncol=None):
    handles = [Patch(fc=c, ec="white", label=t) for t, c in zip(cats_labels, colors)]
    if hatch_label:
        handles.append(Patch(fc="white", ec=style.GREY, hatch="////", label=hatch_label))
    fig.legend(handles=handles, loc="lower center", ncol=ncol or len(handles), bbox_to_anchor=(0.5, 0.0),
               handlelength=1.2, columnspacing=1.2)


def health_literacy_levels(shares: pd.DataFrame, L: Labels,
                           levels: Sequence[str] = ("inadequate", "problematic", "sufficient")):
    """Stacked bars per wave of the HLS-EU-Q16 levels (from
    the published ``health_literacy_levels``)."""
    waves = list(L.waves)
    colors = [C["vermillion"], C["orange"], C["bluish_green"]]
    rows: list[tuple[str, list[float], bool | str, str]] = []
    for w in waves:
        g = shares[shares["wave"] == w].set_index("level").reindex(list(levels))
        hidden: bool | str = bool(g[SUPPRESSED].fillna(False).any()) if len(g) else True
        total = g["n_total"].max() if len(g) else np.nan
        if not hidden and total == 0:  # nobody at this wave answered enough items
            hidden = not_estimable_text("no_observations", L.lang)
        rows.append((style.wrap(L.wave(w), 18), g["share"].tolist(), hidden, f"n = {fmt_n(total, L.k, L.lang)}"))
    fig, ax = style.figure(style.FULL_WIDTH, 0.55 * len(waves) + 1.0)
    _stacked(ax, rows, list(levels), colors, L)
    ax.set_xlabel(label("share_of_participants", L.lang))
    fig.tight_layout(rect=(0, 0.1, 0.95, 1))
    _legend(fig, [label(f"hl_{lv}", L.lang) for lv in levels], colors)
    return fig


#: EQ-5D-5L levels 1 (no problems) … 5 (extreme problems): light to dark, one hue (ordinal)
EQ5D_LEVEL_COLORS = ("#DCEAF6", "#9CC3E4", "#4F94CD", "#1F5E9C", "#0B2E59")


def eq5d_profile(profile: pd.DataFrame, L: Labels):
    """The EQ-5D-5L descriptive profile: for each dimension one panel of 100 % bars, a bar
    per wave with the share at each of the five levels (Devlin, Parkin & Janssen 2020), from
    the published ``eq5d_profile``. Levels merged for disclosure control ("4–5") are one
    segment in the colour of their mildest level, labelled with the levels; withheld
    shares are hatched."""
    if not _has(profile, "dimension", "wave", "level", "share", "n_total"):
        return not_estimable_figure("no_observations", L)
    waves = list(L.waves)
    dims = [d for d in dict.fromkeys(profile["dimension"]) if d != "full_health"]
    if not dims:
        return not_estimable_figure("no_observations", L)
    fig, axes = style.figure(style.FULL_WIDTH, len(dims) * (0.3 * len(waves) + 0.5) + 0.7, nrows=len(dims),
                             squeeze=False, sharex=True)
    dark = set(EQ5D_LEVEL_COLORS[2:])
    for ax, d in zip(axes[:, 0], dims):
        ys = np.arange(len(waves))[::-1]
        for yi, w in zip(ys, waves):
            g = profile[(profile["dimension"] == d) & (profile["wave"] == w)]
            g = g.assign(_first=g["level"].astype(str).str.split("–").str[0].astype(int)).sort_values("_first")
            total = g["n_total"].max() if len(g) else np.nan
            hidden = g[SUPPRESSED].fillna(False).astype(bool) if SUPPRESSED in g else pd.Series(False, index=g.index)
            ax.text(1.015, yi, f"n = {fmt_n(total, L.k, L.lang)}", ha="left", va="center", fontsize=6.5,
                    color=style.TEXT_GREY, transform=ax.get_yaxis_transform())
            if not len(g) or not (total > 0) or bool(hidden.all()):
                ax.barh(yi, 1, color="white", edgecolor=style.GREY, hatch="////" if len(g) and total > 0 else None,
                        lw=0.5, height=0.62)
                ax.text(0.5, yi, _withheld(None, L) if len(g) and bool(hidden.all())
                        else not_estimable_text("no_observations", L.lang), ha="center", va="center", fontsize=6.5,
                        color=style.TEXT_GREY, bbox=dict(fc="white", ec="none", pad=0.5))
                continue
            left = 0.0
            for (_, r), h in zip(g.iterrows(), hidden):
                if h or pd.isna(r["share"]) or r["share"] <= 0:
                    continue
                col = EQ5D_LEVEL_COLORS[int(r["_first"]) - 1]
                merged = "–" in str(r["level"])
                ax.barh(yi, r["share"], left=left, color=col, edgecolor="white", lw=0.5, height=0.62,
                        hatch="...." if merged else None)
                text = (fmt_pct(r["share"], L.lang) + (f" ({r['level']})" if merged else "")
                        if r["share"] >= (0.1 if merged else 0.06) else r["level"] if merged and r["share"] >= 0.035
                        else "")
                if text:
                    ax.text(left + r["share"] / 2, yi, text, ha="center", va="center", fontsize=6.2,
                            color="white" if col in dark else "black",
                            bbox=dict(fc=col, ec="none", pad=0.3))
                left += r["share"]
            if hidden.any() and left < 0.995:
                ax.barh(yi, 1 - left, left=left, color="white", edgecolor=style.GREY, hatch="////", lw=0.5,
                        height=0.62)
        ax.set_yticks(ys, [style.wrap(L.wave(w), 26) for w in waves])
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(style.percent_formatter(L.lang))
        ax.grid(axis="y", visible=False)
        ax.spines[["left"]].set_visible(False)
        ax.tick_params(axis="y", length=0, labelsize=6.5)
        ax.set_title(label(d, L.lang), loc="left", fontsize=8)
    axes[-1, 0].set_xlabel(label("share_of_participants", L.lang))
    fig.tight_layout(rect=(0, 0.07, 0.95, 1), h_pad=0.6)
    handles = [Patch(fc=c, ec="white", label=label(f"eq5d_level_{lv}", L.lang))
               for lv, c in zip(range(1, 6), EQ5D_LEVEL_COLORS)]
    handles += [Patch(fc=EQ5D_LEVEL_COLORS[1], ec="white", hatch="....", label=label("eq5d_merged_levels", L.lang)),
                Patch(fc="white", ec=style.GREY, hatch="////", label=label("suppressed_short", L.lang).capitalize())]
    fig.legend(handles=handles, loc="lower center", ncol=3, bbox_to_anchor=(0.5, 0.0), handlelength=1.2,
               columnspacing=1.2)
    return fig


def eq5d_pchc(pchc: pd.DataFrame, L: Labels):
    """PCHC stacked bars, overall and per dimension, one panel per comparison."""
    if not _has(pchc, "pre", "post", "dimension", "category", "share", "n_total"):
        return not_estimable_figure("no_comparison", L)
    comps = list(dict.fromkeys(zip(pchc["pre"], pchc["post"])))
    cats = ["better", "mixed", "unchanged", "worse"]
    colors = [C["bluish_green"], C["yellow"], "#D9D9D9", C["vermillion"]]
    dims = list(dict.fromkeys(pchc["dimension"]))
    fig, axes = style.figure(style.FULL_WIDTH, (0.3 * len(dims) + 0.55) * len(comps) + 0.6, nrows=len(comps),
                             squeeze=False, sharex=True)
    for ax, (pre, post) in zip(axes.flat, comps):
        rows = []
        for d in dims:
            g = pchc[(pchc["pre"] == pre) & (pchc["post"] == post) & (pchc["dimension"] == d)].copy()
            g["category"] = g["category"].replace({"same": "unchanged"})
            g = g.set_index("category")
            shares = [g["share"].get(c, 0.0) if c in g.index else 0.0 for c in cats]
            shares = [np.nan if (c in g.index and bool(g.loc[c, SUPPRESSED])) else s for c, s in zip(cats, shares)]
            total = g["n_total"].max()
            hidden = pd.isna(total) or (_row_note(g, L) if total == 0 else False)
            rows.append((label(d, L.lang), shares, hidden, f"n = {fmt_n(total, L.k, L.lang)}"))
        _stacked(ax, rows, cats, colors, L)
        ax.set_title(L.comparison(pre, post), loc="left")
    axes.flat[-1].set_xlabel(label("share_of_participants", L.lang))
    fig.tight_layout(rect=(0, 0.07, 0.95, 1))
    _legend(fig, [label(f"pchc_{c}", L.lang) for c in cats], colors, label("suppressed_short", L.lang).capitalize())
    return fig


def responders(resp: pd.DataFrame, L: Labels):
    """Improved / unchanged / worsened by at least the MID, one panel per comparison."""
    if not _has(resp, "pre", "post", "outcome", "category", "share", "n_total"):
        return not_estimable_figure("no_comparison", L)
    comps = list(dict.fromkeys(zip(resp["pre"], resp["post"])))
    cats = ["improved", "unchanged", "worsened"]
    colors = [C["bluish_green"], "#D9D9D9", C["vermillion"]]
    outcomes = list(dict.fromkeys(resp["outcome"]))
    fig, axes = style.figure(style.FULL_WIDTH, (0.42 * len(outcomes) + 0.55) * len(comps) + 0.6, nrows=len(comps),
                             squeeze=False, sharex=True)
    for ax, (pre, post) in zip(axes.flat, comps):
        rows = []
        for o in outcomes:
            g = resp[(resp["pre"] == pre) & (resp["post"] == post) & (resp["outcome"] == o)].set_index("category")
            if not len(g):
                continue
            shares = [np.nan if bool(g.loc[c, SUPPRESSED]) else g.loc[c, "share"] if c in g.index else 0.0
                      for c in cats]
            mid = fmt_mid(g["mid"].iloc[0], L.lang) if "mid" in g else "–"
            total = g["n_total"].max()
            hidden = pd.isna(total) or (_row_note(g, L) if total == 0 else False)
            rows.append((style.wrap(f"{L.outcome(o)} ({label('mid', L.lang)} {mid})", 40), shares,
                         hidden, f"n = {fmt_n(total, L.k, L.lang)}"))
        _stacked(ax, rows, cats, colors, L)
        ax.set_title(L.comparison(pre, post), loc="left")
        ax.tick_params(axis="y", labelsize=7)
    axes.flat[-1].set_xlabel(label("share_of_participants", L.lang))
    fig.tight_layout(rect=(0, 0.06, 0.95, 1))
    _legend(fig, [label(f"resp_{c}", L.lang) for c in cats], colors, label("suppressed_short", L.lang).capitalize())
    return fig


def eq5d_problems(shares: pd.DataFrame, L: Labels):
    """Share reporting any problem per EQ-5D dimension and wave, with CI."""
    waves = list(L.waves)
    if not _has(shares, "dimension", "wave", "share", "ci_low", "ci_high", "n_total"):
        return not_estimable_figure("no_observations", L)
    dims = list(dict.fromkeys(shares["dimension"]))
    colors = [C["sky_blue"], C["blue"], C["reddish_purple"], C["orange"], C["black"]]
    fig, ax = style.figure(style.FULL_WIDTH, 3.3)
    width = 0.8 / max(len(waves), 1)
    x = np.arange(len(dims))
    for j, w in enumerate(waves):
        s = shares[shares["wave"] == w].set_index("dimension").reindex(dims)
        hidden = (s[SUPPRESSED] if SUPPRESSED in s else pd.Series(np.nan, index=s.index)).fillna(True).astype(bool)
        pos = x - 0.4 + width * (j + 0.5)
        val = s["share"].where(~hidden)
        ax.bar(pos, val, width=width * 0.92, color=colors[j % 5], label=None)
        ax.errorbar(pos, val, yerr=_whisker(val - s["ci_low"].where(~hidden), s["ci_high"].where(~hidden) - val),
                    fmt="none", ecolor="#333333", lw=0.7, capsize=1.5)
        reasons = s[REASON].tolist() if REASON in s.columns else [None] * len(s)
        for p, h, v, d, why in zip(pos, hidden, val, dims, reasons):
            if h and d in set(shares.loc[shares["wave"] == w, "dimension"]):
                ax.text(p, 0.02, _withheld(why, L), rotation=90, ha="center", va="bottom",
                        fontsize=6, color=style.TEXT_GREY)
            elif pd.isna(v):  # no answers at this wave
                ax.text(p, 0.02, _short_note(L), rotation=90, ha="center", va="bottom", fontsize=6,
                        color=style.TEXT_GREY)
        n_lo, n_hi = s["n_total"].min(), s["n_total"].max()
        n_txt = fmt_n(n_lo, L.k, L.lang) if n_lo == n_hi else f"{fmt_n(n_lo, L.k, L.lang)}–{fmt_n(n_hi, L.k, L.lang)}"
        ax.bar([np.nan], [np.nan], color=colors[j % 5], label=f"{L.wave(w)} (n = {n_txt})")
    ax.set_xticks(x, [style.wrap(label(d, L.lang), 11) for d in dims])
    ax.set_xlim(-0.5, len(dims) - 0.5)  # also where a wave's bars are all missing (its marks stay inside)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(style.percent_formatter(L.lang))
    ax.set_ylabel(label("share_any_problem", L.lang))
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper right", ncol=1)
    fig.tight_layout()
    return fig


# -- dose-response --------------------------------------------------------------------------

def dose_response(terms: pd.DataFrame, L: Labels, outcomes: Sequence[str], term: str = "visits_per_week"):
    """Change per weekly visit (adjusted for baseline) with CI, one panel per outcome."""
    if not _has(terms, "term", "outcome", "pre", "post", "n", "estimate", "ci_low", "ci_high"):
        return not_estimable_figure("no_comparison", L)
    t = terms[terms["term"] == term]
    outcomes = [o for o in outcomes if o in set(t["outcome"])]
    if not outcomes:
        return not_estimable_figure("no_comparison", L)
    comps = list(dict.fromkeys(zip(t["pre"], t["post"])))
    fig, axes = _grid(len(outcomes), 1.45, extra=0.4)
    colors = [C["blue"], C["vermillion"], C["bluish_green"]]
    for ax, o in zip(axes.flat, outcomes):
        for j, (pre, post) in enumerate(comps):
            r = t[(t["outcome"] == o) & (t["pre"] == pre) & (t["post"] == post)]
            yj = len(comps) - 1 - j
            if not len(r) or _suppressed(r.iloc[0]) or pd.isna(r.iloc[0]["estimate"]):
                text = _withheld(r.iloc[0].get(REASON), L) if len(r) and _suppressed(r.iloc[0]) else _row_note(r, L)
                ax.text(0.5, yj, text, transform=ax.get_yaxis_transform(), ha="center", va="center",
                        color=style.TEXT_GREY, fontsize=7)
                continue
            r = r.iloc[0]
            low, high = _whisker(r["estimate"] - r["ci_low"], r["ci_high"] - r["estimate"])
            ax.errorbar(r["estimate"], yj, xerr=[[low], [high]], fmt="o", color=colors[j % 3], ms=4, capsize=2,
                        lw=1)
        ax.axvline(0, color="#555555", lw=0.8, zorder=0)
        ax.set_yticks(range(len(comps)), [f"{L.wave(post)}\nn = {fmt_n(t[(t['outcome'] == o) & (t['post'] == post)]['n'].max(), L.k, L.lang)}"
                                          for pre, post in comps][::-1], fontsize=6.5)
        ax.set_ylim(-0.6, len(comps) - 0.4)
        ax.grid(axis="y", visible=False)
        ax.set_title(style.wrap(L.outcome(o), 42), loc="left")
        ax.xaxis.set_major_formatter(style.number_formatter(L.lang))
        ax.set_xlabel(label("dose_axis_unit", L.lang, unit=_unit_label(L, o)), fontsize=7)
    fig.tight_layout(h_pad=1.0, w_pad=2.0)
    return fig


# -- internal -------------------------------------------------------------------------------

def individual_trajectories(panel: pd.DataFrame, outcomes: Sequence[str], L: Labels):
    """INTERNAL: one line per participant across waves (individual values; never published).

    All participants' lines are one rasterised ``LineCollection`` per outcome (a segment
    between each pair of consecutive waves the participant answered), so drawing and the
    SVG/PDF size do not grow with one artist per participant (100,000 participants take
    seconds, not hours)."""
    from matplotlib.collections import LineCollection

    waves = list(L.waves)
    fig, axes = _grid(len(outcomes), 2.35)
    for ax, o in zip(axes.flat, outcomes):
        wide = panel.pivot_table(index="participant_id", columns="wave", values=o, observed=False).reindex(
            columns=waves)
        x = np.asarray(_wave_ticks(ax, waves, L), dtype=float)
        y = wide.to_numpy(dtype=float)
        segments = []
        for i in range(len(waves) - 1):  # both ends observed: as Line2D, which breaks at NaN
            both = np.isfinite(y[:, i]) & np.isfinite(y[:, i + 1])
            seg = np.empty((int(both.sum()), 2, 2))
            seg[:, 0, 0], seg[:, 1, 0] = x[i], x[i + 1]
            seg[:, 0, 1], seg[:, 1, 1] = y[both, i], y[both, i + 1]
            segments.append(seg)
        # an (n, 2, 2) array is a valid ``segments`` argument; the stubs only name Sequence[ArrayLike]
        lines = LineCollection(cast("Sequence[np.ndarray]", np.concatenate(segments) if segments
                                    else np.empty((0, 2, 2))),
                               colors=C["blue"], alpha=0.15, linewidths=0.6, rasterized=True)
        ax.add_collection(lines)
        ax.autoscale_view()
        ax.plot(x, wide.mean().to_numpy(dtype=float), color=C["vermillion"], lw=2)
        ax.set_title(style.wrap(L.outcome(o), 42), loc="left")
        ax.set_ylabel(_unit_label(L, o))
    fig.suptitle(label("fig_trajectories_caption", L.lang), color=C["vermillion"], fontsize=8)
    fig.tight_layout()
    return fig
