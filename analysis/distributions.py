"""Distributions per wave for figures: box-plot statistics and level shares.

Aggregates only (no individual values leave these functions); disclosure control is the
publishing layer's job.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis import _panel
from analysis.tidy import as_tidy

__all__ = ["DISTRIBUTION_COLUMNS", "LEVEL_SHARE_COLUMNS", "distribution_summary", "level_shares"]

DISTRIBUTION_COLUMNS = ("outcome", "wave", "n", "mean", "whislo", "q1", "med", "q3", "whishi", "whis_low_pct",
                        "whis_high_pct")
LEVEL_SHARE_COLUMNS = ("outcome", "wave", "level", "n", "n_total", "share")


def distribution_summary(panel: pd.DataFrame, outcomes: Sequence[str], waves: Sequence[str],
                         whis: tuple[float, float] = (10, 90)) -> pd.DataFrame:
    """Box-plot statistics per outcome and wave.

    Whiskers are the ``whis`` percentiles (R type 7), not the minimum and maximum, which
    are single persons' values; there are no outlier points.

    Parameters
    ----------
    panel : DataFrame
        Long panel with ``wave`` and the outcome columns.
    outcomes, waves : sequence of str
    whis : (float, float)
        Percentiles of the whisker ends.

    Returns
    -------
    DataFrame
        ``outcome, wave, n, mean, whislo, q1, med, q3, whishi, whis_low_pct,
        whis_high_pct``; statistics are NaN where ``n`` is 0.

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": range(11), "wave": ["T0"] * 11, "y": range(11)})
    >>> distribution_summary(p, ["y"], ["T0"])[["n", "med", "q1", "q3", "whislo", "whishi"]]
        n  med   q1   q3  whislo  whishi
    0  11  5.0  2.5  7.5     1.0     9.0
    """
    rows = []
    for o in outcomes:
        for w in waves:
            v = pd.to_numeric(panel.loc[panel[_panel.WAVE].astype(str) == str(w), o], errors="coerce").dropna()
            row = {"outcome": o, "wave": str(w), "n": len(v), "whis_low_pct": whis[0], "whis_high_pct": whis[1]}
            if len(v):
                q = np.percentile(v.to_numpy(dtype=float), [whis[0], 25, 50, 75, whis[1]])
                row.update(mean=float(v.mean()), whislo=q[0], q1=q[1], med=q[2], q3=q[3], whishi=q[4])
            rows.append(row)
    return as_tidy(rows, DISTRIBUTION_COLUMNS)


def level_shares(panel: pd.DataFrame, column: str, waves: Sequence[str], levels: Sequence[str]) -> pd.DataFrame:
    """Share of respondents per ordered level and wave.

    Parameters
    ----------
    panel : DataFrame
        Long panel with ``wave`` and ``column``.
    column : str
        The level column (e.g. ``hls_eu_q16_level``).
    waves, levels : sequence of str
        Order of the waves and of the levels.

    Returns
    -------
    DataFrame
        ``outcome, wave, level, n, n_total, share`` (share in 0–1, NaN where nobody
        answered).

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": range(4), "wave": "T0", "lvl": ["a", "a", "b", None]})
    >>> level_shares(p, "lvl", ["T0"], ["a", "b"])[["level", "n", "n_total", "share"]]
      level  n  n_total     share
    0     a  2        3  0.666667
    1     b  1        3  0.333333
    """
    rows = []
    for w in waves:
        vals = panel.loc[panel[_panel.WAVE].astype(str) == str(w), column].dropna().astype(str)
        counts = vals.value_counts()
        for lv in levels:
            n = int(counts.get(lv, 0))
            rows.append({"outcome": column, "wave": str(w), "level": lv, "n": n, "n_total": len(vals),
                         "share": n / len(vals) if len(vals) else np.nan})
    return as_tidy(rows, LEVEL_SHARE_COLUMNS)
