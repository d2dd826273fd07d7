"""Health-economic summaries: area under the EQ-5D index curve (QALY-type)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from analysis import _panel
from analysis.tidy import as_tidy, not_estimable

__all__ = ["AUC_COLUMNS", "eq5d_auc_participants", "eq5d_auc"]

AUC_COLUMNS = (
    "outcome", "category", "n", "estimate", "std_error", "ci_low", "ci_high", "ci_level", "method", "note",
)  # fmt: skip
_DAYS_PER_YEAR = 365.25


def eq5d_auc_participants(
    panel: pd.DataFrame, wave_dates: Mapping, index_col: str = "eq5d5l_index"
) -> pd.DataFrame:
    """Per-participant area under the EQ-5D index curve across the dated waves.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave`` and ``index_col``.
    wave_dates : mapping
        Wave -> survey date; the waves used, in date order. Participants need an
        index value at every one of these waves (complete cases).
    index_col : str, default "eq5d5l_index"
        EQ-5D index (utility) column.

    Returns
    -------
    pandas.DataFrame
        ``participant_id, years, auc, auc_baseline_constant, auc_change``: follow-up
        time in years, trapezoidal area (quality-adjusted life years over the
        period), the area had the baseline index stayed constant, and their
        difference (the QALY gain versus no change). Row-level data.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": ["a"] * 3, "wave": ["T0", "T1", "T2"],
    ...                       "eq5d5l_index": [0.6, 0.8, 0.8]})
    >>> dates = {"T0": "2023-01-01", "T1": "2024-01-01", "T2": "2025-01-01"}
    >>> eq5d_auc_participants(panel, dates)[["auc", "auc_baseline_constant", "auc_change"]]
            auc  auc_baseline_constant  auc_change
    0  1.501164               1.200821    0.300342
    """
    _panel.check_panel(panel, [index_col])
    dates = {w: pd.Timestamp(d) for w, d in wave_dates.items()}
    waves = sorted(dates, key=lambda w: dates[w])
    if len(waves) < 2:
        raise ValueError("need at least two dated waves")
    t = np.array([(dates[w] - dates[waves[0]]).days / _DAYS_PER_YEAR for w in waves])
    if np.any(np.diff(t) <= 0):
        raise ValueError("wave dates must be distinct")
    wide = panel[panel[_panel.WAVE].isin(waves)].pivot(index=_panel.ID, columns=_panel.WAVE, values=index_col)
    wide = wide.reindex(columns=waves).dropna().sort_index()
    u = wide.to_numpy(dtype=float)
    auc = ((u[:, 1:] + u[:, :-1]) / 2 * np.diff(t)).sum(axis=1)
    base = u[:, 0] * t[-1]
    return pd.DataFrame({
        _panel.ID: wide.index.to_numpy(), "years": t[-1], "auc": auc,
        "auc_baseline_constant": base, "auc_change": auc - base,
    })  # fmt: skip


def eq5d_auc(
    panel: pd.DataFrame,
    wave_dates: Mapping,
    index_col: str = "eq5d5l_index",
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Cohort mean area under the EQ-5D index curve and QALY change, with t-CIs.

    Parameters
    ----------
    panel, wave_dates, index_col
        As for :func:`eq5d_auc_participants`.
    ci_level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Three rows, ``category`` = ``auc``, ``auc_baseline_constant``,
        ``auc_change``: ``outcome, category, n, estimate, std_error, ci_low,
        ci_high, ci_level, method, note``; estimate is the mean over participants with
        the index at every dated wave, CI mean +/- t_(n-1) SE. ``note`` says why a
        row is (partly) NaN: "not estimable: fewer than two waves" (fewer than two
        dated waves: no area), "no complete pairs" / "fewer than 2 pairs" (fewer
        than two participants with every wave), "no variation (all values equal)"
        (no CI); else it is empty.

    Notes
    -----
    Time is in years (days / 365.25) from the first wave date, so areas are in
    QALYs. The area uses the trapezoid rule between waves (Matthews et al. 1990);
    ``auc_change`` compares it with the area had the baseline value persisted, an
    uncontrolled within-cohort QALY change — any programme effect claim needs a
    comparison group (Manca et al. 2005 for baseline adjustment in trials).

    References
    ----------
    Matthews JNS, Altman DG, Campbell MJ, Royston P (1990). Analysis of serial
    measurements in medical research. BMJ 300:230–235. doi:10.1136/bmj.300.6719.230
    Manca A, Hawkins N, Sculpher MJ (2005). Estimating mean QALYs in trial-based
    cost-effectiveness analysis: the importance of controlling for baseline
    utility. Health Econ 14:487–496. doi:10.1002/hec.944

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": ["a", "a", "b", "b"], "wave": ["T0", "T1"] * 2,
    ...                       "eq5d5l_index": [0.6, 0.8, 0.9, 0.9]})
    >>> res = eq5d_auc(panel, {"T0": "2023-01-01", "T1": "2024-01-01"})
    >>> res[["category", "n", "estimate"]]
                    category  n  estimate
    0                    auc  2  0.799452
    1  auc_baseline_constant  2  0.749487
    2             auc_change  2  0.049966
    """
    method = "Trapezoidal area under the EQ-5D index curve (years); mean with t-interval"
    cats = ("auc", "auc_baseline_constant", "auc_change")
    if len(wave_dates) < 2:
        _panel.check_panel(panel, [index_col])
        return as_tidy([{"outcome": index_col, "category": c, "n": 0, "ci_level": ci_level, "method": method,
                         "note": not_estimable("one_wave")} for c in cats], AUC_COLUMNS)
    per = eq5d_auc_participants(panel, wave_dates, index_col)
    n = len(per)
    rows = []
    for cat in cats:
        x = per[cat].to_numpy(dtype=float)
        mean = float(x.mean()) if n else np.nan
        row = {"outcome": index_col, "category": cat, "n": n, "estimate": mean,
               "note": not_estimable("no_pairs" if n == 0 else "few_pairs") if n < 2 else ""}
        se = float(x.std(ddof=1)) / math.sqrt(n) if n > 1 else np.nan
        if n > 1 and not _panel.essentially_constant(float(x.std(ddof=1)), n, mean):
            q = stats.t.ppf(1 - (1 - ci_level) / 2, n - 1)
            row.update(std_error=se, ci_low=mean - q * se, ci_high=mean + q * se)
        elif n > 1:
            row["note"] = not_estimable("no_variation")
        rows.append(row)
    out = as_tidy(rows, AUC_COLUMNS)
    out["ci_level"] = ci_level
    out["method"] = method
    return out
