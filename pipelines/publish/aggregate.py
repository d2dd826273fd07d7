"""Small pure aggregations that figures need and the analysis tables do not provide.

Figure code never sees participant rows: these functions turn the panel into aggregate,
disclosure-controlled tables first (one row per group, with ``n`` and a ``suppressed``
flag), and the figures draw those.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipelines.publish.disclosure import SUPPRESSED


def level_shares(panel: pd.DataFrame, column: str, waves: Sequence[str], levels: Sequence[str],
                 k: int) -> pd.DataFrame:
    """Share of respondents per ordered level and wave, with disclosure control.

    Parameters
    ----------
    panel : DataFrame
        Long panel with ``wave`` and ``column``.
    column : str
        The ordered level column (e.g. ``hls_eu_q16_level``).
    waves, levels : sequence of str
        Order of the waves and of the levels.
    k : int
        A wave is suppressed (all its shares blank) when any level has 1 to ``k`` − 1
        respondents: the levels add up to 100 %, so one small level could be recovered.

    Returns
    -------
    DataFrame
        ``wave, level, n, n_total, share, suppressed`` (share in 0–1; rows in wave and
        level order).

    Examples
    --------
    >>> p = pd.DataFrame({"wave": ["T0"] * 12 + ["T1"] * 7,
    ...                   "lvl": ["a"] * 6 + ["b"] * 6 + ["a"] * 5 + ["b"] * 2})
    >>> level_shares(p, "lvl", ["T0", "T1"], ["a", "b"], 5)[["wave", "n", "share", "suppressed"]]
      wave    n  share  suppressed
    0   T0  6.0    0.5       False
    1   T0  6.0    0.5       False
    2   T1  NaN    NaN        True
    3   T1  NaN    NaN        True
    """
    rows = []
    for w in waves:
        vals = panel.loc[panel["wave"].astype(str) == str(w), column].dropna().astype(str)
        total = len(vals)
        counts = vals.value_counts()
        ns = [int(counts.get(lv, 0)) for lv in levels]
        hide = any(0 < n < k for n in ns) or 0 < total < k
        for lv, n in zip(levels, ns):
            rows.append({"wave": str(w), "level": lv, "n": np.nan if hide else float(n),
                         "n_total": np.nan if 0 < total < k else float(total),
                         "share": np.nan if hide or total == 0 else n / total, SUPPRESSED: bool(hide)})
    return pd.DataFrame(rows)


def distribution_stats(panel: pd.DataFrame, outcomes: Sequence[str], waves: Sequence[str], k: int,
                       whis: tuple[float, float] = (10, 90)) -> pd.DataFrame:
    """Box-plot statistics per outcome and wave (no individual values).

    Whiskers are the ``whis`` percentiles, not the minimum and maximum (which are single
    persons' values), and there are no outlier points.

    Parameters
    ----------
    panel : DataFrame
        Long panel with ``wave`` and the outcome columns.
    outcomes, waves : sequence of str
    k : int
        Groups with 1 to ``k`` − 1 valid values get no statistics (``suppressed``).

    Returns
    -------
    DataFrame
        ``outcome, wave, n, mean, whislo, q1, med, q3, whishi, suppressed``.

    Examples
    --------
    >>> p = pd.DataFrame({"wave": ["T0"] * 11, "y": range(11)})
    >>> distribution_stats(p, ["y"], ["T0"], 5)[["n", "med", "q1", "q3", "whislo", "whishi"]]
          n  med   q1   q3  whislo  whishi
    0  11.0  5.0  2.5  7.5     1.0     9.0
    """
    rows = []
    for o in outcomes:
        for w in waves:
            v = pd.to_numeric(panel.loc[panel["wave"].astype(str) == str(w), o], errors="coerce").dropna()
            n = len(v)
            hide = 0 < n < k
            if n == 0 or hide:
                rows.append({"outcome": o, "wave": str(w), "n": np.nan if hide else 0.0, "mean": np.nan,
                             "whislo": np.nan, "q1": np.nan, "med": np.nan, "q3": np.nan, "whishi": np.nan,
                             SUPPRESSED: bool(hide)})
                continue
            q = np.percentile(v, [whis[0], 25, 50, 75, whis[1]])
            rows.append({"outcome": o, "wave": str(w), "n": float(n), "mean": float(v.mean()),
                         "whislo": q[0], "q1": q[1], "med": q[2], "q3": q[3], "whishi": q[4],
                         SUPPRESSED: False})
    return pd.DataFrame(rows)
