"""Report figures in the house style (:mod:`pipelines.publish.style`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipelines.publish import style
from pipelines.publish.labels import label


def change_over_waves(summary: pd.DataFrame, outcome_labels: dict[str, str],
                      wave_labels: dict[str, str], lang: str = "sv", k_min: int = 5,
                      ci_level: float = 0.95):
    """Small multiples: one panel per outcome, mean with CI per wave, n under each point.

    ``summary`` is :func:`analysis.wave_summary.wave_means` output. Waves with fewer than
    ``k_min`` respondents are not drawn (disclosure control).
    """
    outcomes = list(dict.fromkeys(summary["outcome"]))
    ncols = 2 if len(outcomes) > 1 else 1
    nrows = math.ceil(len(outcomes) / ncols)
    fig, axes = style.figure(style.FULL_WIDTH, 2.3 * nrows + 0.4, nrows=nrows, ncols=ncols, squeeze=False)
    waves = list(wave_labels)
    x = np.arange(len(waves))
    for ax, outcome in zip(axes.flat, outcomes):
        s = summary[summary["outcome"] == outcome].set_index("wave").reindex(waves)
        shown = s["n"].fillna(0) >= k_min
        est = s["estimate"].where(shown)
        lo, hi = s["ci_low"].where(shown), s["ci_high"].where(shown)
        ax.errorbar(x, est, yerr=[est - lo, hi - est], fmt="o-", color=style.OKABE_ITO["blue"],
                    ecolor=style.OKABE_ITO["blue"], capsize=3, lw=1.2, ms=4)
        ax.set_title(outcome_labels.get(outcome, outcome), loc="left")
        ax.set_xticks(x, [wave_labels[w] for w in waves])
        ax.set_xlim(-0.5, len(waves) - 0.5)
        ax.margins(y=0.25)
        ymin = ax.get_ylim()[0]
        for xi, n, ok in zip(x, s["n"].fillna(0).astype(int), shown):
            ax.annotate(f"n = {n}" if ok else label("suppressed", lang, k=k_min), (xi, 0), xycoords=("data", "axes fraction"),
                        xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                        fontsize=7, color="#444444")
        ax.set_ylim(bottom=ymin - 0.12 * (ax.get_ylim()[1] - ymin))
        ax.grid(axis="x", visible=False)
    for ax in axes.flat[len(outcomes):]:
        ax.set_visible(False)
    fig.supylabel(label("mean_ci", lang, ci=ci_level), fontsize=8)
    fig.tight_layout()
    return fig
