"""The partner survey's figure and its scale names, apart from the partner tables'
disclosure models (:mod:`publishing.partners`) so that the registry of outputs can
draw it without importing those models (which import the registry).

Pure code; no Dagster.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import instruments
from publishing import style
from publishing.disclosure import SUPPRESSED
from publishing.labels import label
from survey.partner_surveys import YEAR

__all__ = ["scale_means_figure", "scale_names"]


def _scale(outcome: str) -> str:
    return str(outcome).removesuffix("_score")


def scale_names(outcomes, lang: str, short: bool = False) -> dict[str, str]:
    """Outcome (``<scale>_score``, or the instrument id) -> the scale's name in ``lang``
    (from its spec); ``short`` drops the family suffix " (E2)" where the context says it.

    Examples
    --------
    >>> scale_names(["e2_synergy_score"], "en"), scale_names(["e2_synergy"], "sv", short=True)
    ({'e2_synergy_score': 'Synergy (E2)'}, {'e2_synergy': 'Synergi'})
    """
    out = {}
    for o in outcomes:
        try:
            name = instruments.spec(_scale(o)).name[lang]
        except Exception:
            name = str(o)
        out[o] = name.removesuffix(" (E2)") if short else name
    return out


def scale_means_figure(summary: pd.DataFrame, L, k: int):
    """Scale means per survey year with CIs: one row per scale, one marker per year
    (dodged), the 1–5 response range on the x axis. Withheld years are not drawn; the
    legend says so. ``None`` when there is nothing to draw."""
    if summary is None or not len(summary):
        return None
    scales = list(dict.fromkeys(summary["outcome"]))
    names = scale_names(scales, L.lang, short=True)
    years = sorted(int(y) for y in summary[YEAR].unique())
    colors = style.PALETTE
    markers = ["o", "s", "D", "^", "v", "P"]
    height = 0.42 * len(scales) * max(1.0, 0.6 + 0.2 * len(years)) + 1.1
    fig, ax = style.figure(style.FULL_WIDTH, min(height, style.MAX_HEIGHT))
    n_years = len(years)
    offsets = -(np.arange(n_years) - (n_years - 1) / 2) * (0.6 / max(n_years, 2))   # first year on top
    ypos = np.arange(len(scales))[::-1].astype(float)
    withheld = False
    for j, y in enumerate(years):
        s = summary[summary[YEAR] == y].set_index("outcome").reindex(scales)
        shown = ~s.get(SUPPRESSED, pd.Series(False, index=s.index)).fillna(False).astype(bool) & s["mean"].notna()
        withheld |= bool((~shown).any())
        est, lo, hi = s["mean"].where(shown), s["ci_low"].where(shown), s["ci_high"].where(shown)
        yy = ypos + offsets[j]
        ax.errorbar(est, yy, xerr=[est - lo, hi - est], fmt=markers[j % len(markers)], color=colors[j % len(colors)],
                    ecolor=colors[j % len(colors)], capsize=2.5, lw=1.1, ms=4.5, label=str(y))
    ax.set_yticks(ypos, [style.wrap(names[o], 34) for o in scales])
    ax.set_xlim(1, 5)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.xaxis.set_major_formatter(style.number_formatter(L.lang, 0))
    ax.set_xlabel(label("partner_axis", L.lang))
    ax.grid(axis="y", visible=False)
    ax.set_ylim(-0.6, len(scales) - 0.4)
    handles, labels = ax.get_legend_handles_labels()
    title = label("partner_year", L.lang)
    if withheld:
        title += " · " + label("partner_withheld_legend", L.lang, k=k)
    ax.legend(handles, labels, title=title, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=max(1, n_years),
              alignment="center")
    fig.tight_layout()
    return fig
