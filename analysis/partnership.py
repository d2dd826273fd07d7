"""Partner surveys: yearly scale means, partner-group breakdowns and the trend across years.

The partnership's members (health promoters, the city's departments, the university, the
NGO, residents) answer the Engage for Equity scales (:mod:`instruments.e2`) once a year,
anonymously. Every survey is its own cross-section: respondents carry no code and are
never linked across years, so every comparison between years is between independent
samples (approximately: many partners answer every year, see :func:`trend`).

All functions take the same input, a frame of canonical item columns (``e2_synergy_01``,
…, the questionnaire's codes with user-missing codes already set to missing) plus a year
column and, for :func:`group_summary`, a partner-group column; they score the scales with
:func:`instruments.score` and return tidy frames (:mod:`analysis.tidy`). Floats are never
rounded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

import instruments
from analysis.tidy import as_tidy

__all__ = ["score_scales", "yearly_summary", "group_summary", "trend", "respondent_counts", "SUMMARY_COLUMNS",
           "GROUP_COLUMNS", "TREND_COLUMNS", "COUNT_COLUMNS"]

SUMMARY_COLUMNS = ("outcome", "year", "n", "n_missing", "mean", "sd", "std_error", "df", "ci_low", "ci_high",
                   "ci_level", "n_complete", "alpha", "alpha_ci_low", "alpha_ci_high", "method")
GROUP_COLUMNS = ("outcome", "year", "subgroup", "subgroup_level", "n", "mean", "sd", "std_error", "df",
                 "ci_low", "ci_high", "ci_level", "n_complete", "alpha", "alpha_ci_low", "alpha_ci_high",
                 "suppressed", "reason", "method")
COUNT_COLUMNS = ("year", "stratum", "subgroup_level", "n")
TREND_COLUMNS = ("outcome", "pre", "post", "contrast", "term", "test", "n", "estimate", "std_error",
                 "statistic", "df", "p_value", "ci_low", "ci_high", "ci_level", "alternative", "method")

_MEAN_METHOD = "mean with t-based CI (n - 1 df); Cronbach's alpha (raw, complete rows) with Feldt CI"


def _check_level(ci_level: float) -> float:
    if isinstance(ci_level, bool) or not isinstance(ci_level, (int, float)) or not 0 < ci_level < 1:
        raise ValueError(f"ci_level must be a number between 0 and 1, got {ci_level!r}")
    return float(ci_level)


def _check_columns(items: pd.DataFrame, *names: str | None) -> None:
    if not isinstance(items, pd.DataFrame):
        raise TypeError(f"items must be a pandas DataFrame, got {type(items).__name__}")
    absent = [n for n in names if n is not None and n not in items.columns]
    if absent:
        raise KeyError(f"column(s) {absent} not found in the partner survey frame")


def _is(column: pd.Series, value) -> np.ndarray:
    """``column == value`` as a plain boolean array (missing values, also pandas ``NA`` of a
    nullable column, are not equal to anything)."""
    return (column == value).fillna(False).to_numpy(dtype=bool)


def score_columns(scales: Sequence[str]) -> list[str]:
    """The score column of every scale: ``<scale>_score``.

    Examples
    --------
    >>> score_columns(["e2_synergy"])
    ['e2_synergy_score']
    """
    return [f"{s}_score" for s in scales]


def score_scales(items: pd.DataFrame, scales: Sequence[str],
                 options: Mapping[str, Mapping] | None = None) -> pd.DataFrame:
    """Score every scale: ``<scale>_score`` and ``<scale>_n_valid`` side by side.

    Parameters
    ----------
    items : pandas.DataFrame
        Canonical item columns of the scales (other columns are ignored).
    scales : sequence of str
        Instrument ids, e.g. :data:`instruments.e2.SCALES`.
    options : mapping, optional
        Instrument id -> scoring options (``{"e2_synergy": {"min_valid": 4}}``).

    Returns
    -------
    pandas.DataFrame
        Same index as ``items``.

    Examples
    --------
    >>> items = pd.DataFrame([[4, 5, 4, None, 5]], columns=instruments.items_of("e2_synergy"))
    >>> score_scales(items, ["e2_synergy"])
       e2_synergy_score  e2_synergy_n_valid
    0               4.5                   4
    """
    options = options or {}
    parts = [instruments.score(s, items, **dict(options.get(s, {}))) for s in scales]
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=items.index)


def _describe(x: np.ndarray, ci_level: float) -> dict:
    """n, mean, sd, std_error, df and the t interval of the non-missing values of ``x``."""
    x = x[~np.isnan(x)]
    n = len(x)
    out = {"n": n, "mean": np.nan, "sd": np.nan, "std_error": np.nan, "df": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "ci_level": ci_level}
    if n >= 1:
        out["mean"] = float(x.mean())
    if n >= 2:
        sd = float(x.std(ddof=1))
        se = sd / math.sqrt(n)
        q = float(stats.t.ppf(1 - (1 - ci_level) / 2, n - 1))
        out.update(sd=sd, std_error=se, df=float(n - 1),
                   ci_low=out["mean"] - q * se, ci_high=out["mean"] + q * se)
    return out


def _alpha(scale: str, items: pd.DataFrame, ci_level: float, options: Mapping) -> dict:
    r = instruments.reliability(scale, items, ci_level=ci_level, **dict(options.get(scale, {})))
    if r.empty:
        return {"n_complete": 0, "alpha": np.nan, "alpha_ci_low": np.nan, "alpha_ci_high": np.nan}
    row = r.iloc[0]
    return {"n_complete": int(row["n_complete"]), "alpha": float(row["alpha"]),
            "alpha_ci_low": float(row["alpha_ci_low"]), "alpha_ci_high": float(row["alpha_ci_high"])}


def yearly_summary(items: pd.DataFrame, scales: Sequence[str], *, year: str = "year",
                   ci_level: float = 0.95, options: Mapping[str, Mapping] | None = None) -> pd.DataFrame:
    """Scale means per survey year with t intervals, and Cronbach's alpha per year.

    Parameters
    ----------
    items : pandas.DataFrame
        Canonical item columns of ``scales`` and a ``year`` column, one row per respondent.
    scales : sequence of str
        Instrument ids (e.g. :data:`instruments.e2.SCALES`).
    year : str, default "year"
        Column holding the survey year.
    ci_level : float, default 0.95
    options : mapping, optional
        Instrument id -> scoring options (as :func:`instruments.score`).

    Returns
    -------
    pandas.DataFrame
        One row per year x scale (years ascending, scales in the order given):
        ``outcome`` (``<scale>_score``), ``year``, ``n`` (respondents with a score),
        ``n_missing`` (respondents of that year without one), ``mean``, ``sd``,
        ``std_error``, ``df`` (n - 1), ``ci_low``, ``ci_high``, ``ci_level``,
        ``n_complete`` (rows with every item answered), ``alpha``, ``alpha_ci_low``,
        ``alpha_ci_high`` and ``method``.

    Notes
    -----
    CI: mean ± t(1 − (1 − level)/2; n − 1) · sd/√n (R: ``t.test(x)$conf.int``). Alpha: raw
    Cronbach's alpha on the complete rows with reverse-keyed items reversed, with Feldt's
    F-based CI (:func:`instruments.reliability`; ``psych::alpha(x, use = "complete.obs")``
    and ``psych::alpha.ci``). ``NaN`` where too few values (sd: n < 2; alpha: fewer than 3
    complete rows).

    References
    ----------
    Boursaw B, et al. Am J Community Psychol 2021;67:256–270. doi:10.1002/ajcp.12503.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> items = pd.DataFrame(rng.integers(3, 6, size=(8, 5)), columns=instruments.items_of("e2_synergy"))
    >>> items["year"] = [2024] * 4 + [2025] * 4
    >>> yearly_summary(items, ["e2_synergy"])[["outcome", "year", "n", "mean"]]
                outcome  year  n  mean
    0  e2_synergy_score  2024  4   3.9
    1  e2_synergy_score  2025  4   4.0
    """
    level = _check_level(ci_level)
    _check_columns(items, year)
    options = options or {}
    scored = score_scales(items, scales, options)
    rows = []
    for y in sorted(items[year].dropna().unique()):
        sel = (items[year] == y).to_numpy()
        for s in scales:
            x = scored.loc[sel, f"{s}_score"].to_numpy(dtype=float)
            d = _describe(x, level)
            rows.append({"outcome": f"{s}_score", "year": y, **d, "n_missing": int(sel.sum()) - d["n"],
                         **_alpha(s, items.loc[sel], level, options), "method": _MEAN_METHOD})
    out = as_tidy(rows, SUMMARY_COLUMNS)
    return out.astype({"n": "int64", "n_missing": "int64", "n_complete": "int64"}) if len(out) else out


def group_summary(items: pd.DataFrame, scales: Sequence[str], *, group: str, min_group_n: int,
                  year: str = "year", ci_level: float = 0.95,
                  options: Mapping[str, Mapping] | None = None) -> pd.DataFrame:
    """Scale means per year x partner group, with groups below ``min_group_n`` withheld.

    Parameters
    ----------
    items : pandas.DataFrame
        Canonical item columns, a ``year`` and a ``group`` column.
    scales : sequence of str
    group : str
        Column holding the partner group (codes or labels; missing = no group).
    min_group_n : int
        Smallest number of respondents with a score for which a group is estimated
        (the study's ``publishing.k_min_partner``).
    year : str, default "year"
    ci_level : float, default 0.95
    options : mapping, optional

    Returns
    -------
    pandas.DataFrame
        One row per year x scale x group (groups sorted): the columns of
        :func:`yearly_summary` without ``n_missing``, plus ``subgroup`` (the group column's
        name), ``subgroup_level`` (the group), ``suppressed`` and ``reason``. For a withheld
        group every value is missing, **including n** (``Int64`` ``<NA>``), and ``reason``
        says why.

    Notes
    -----
    Disclosure control for a small population whose members know each other:

    1. *primary*: a group with fewer than ``min_group_n`` scores is not estimated
       (``reason = "fewer than min_group_n"``); nothing is computed from its answers;
    2. *complement*: the year's total (:func:`yearly_summary`) minus the published groups
       would reveal the mean of the rest (withheld groups and respondents without a group).
       While that rest holds between 1 and ``min_group_n − 1`` scores, the smallest
       published group is withheld too (``reason = "complement"``), so the rest is either
       empty or at least ``min_group_n`` respondents.

    Each scale is treated on its own (its n per group depends on missing answers).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> items = pd.DataFrame(rng.integers(2, 6, size=(14, 5)), columns=instruments.items_of("e2_synergy"))
    >>> items["year"] = 2025
    >>> items["grp"] = ["a"] * 6 + ["b"] * 5 + ["c"] * 3
    >>> g = group_summary(items, ["e2_synergy"], group="grp", min_group_n=5)
    >>> g[["subgroup_level", "n", "suppressed", "reason"]]
      subgroup_level     n  suppressed                  reason
    0              a     6       False                     NaN
    1              b  <NA>        True              complement
    2              c  <NA>        True  fewer than min_group_n
    """
    level = _check_level(ci_level)
    _check_columns(items, year, group)
    if isinstance(min_group_n, bool) or not isinstance(min_group_n, (int, np.integer)) or min_group_n < 1:
        raise ValueError(f"min_group_n must be a positive integer, got {min_group_n!r}")
    options = options or {}
    scored = score_scales(items, scales, options)
    rows = []
    for y in sorted(items[year].dropna().unique()):
        in_year = (items[year] == y).to_numpy()
        groups = sorted(items.loc[in_year, group].dropna().unique(), key=lambda v: (str(type(v)), v))
        for s in scales:
            has = in_year & scored[f"{s}_score"].notna().to_numpy()
            n_by = {gv: int((has & _is(items[group], gv)).sum()) for gv in groups}
            reason = {gv: "fewer than min_group_n" for gv in groups if n_by[gv] < min_group_n}
            rest = int(has.sum()) - sum(n for gv, n in n_by.items() if gv not in reason)
            while 0 < rest < min_group_n:
                published = [gv for gv in groups if gv not in reason]
                if not published:
                    break
                smallest = min(published, key=lambda gv: (n_by[gv], groups.index(gv)))
                reason[smallest] = "complement"
                rest += n_by[smallest]
            for gv in groups:
                base = {"outcome": f"{s}_score", "year": y, "subgroup": group, "subgroup_level": gv,
                        "ci_level": level, "method": _MEAN_METHOD}
                if gv in reason:
                    rows.append({**base, "suppressed": True, "reason": reason[gv]})
                    continue
                sel = in_year & _is(items[group], gv)
                d = _describe(scored.loc[sel, f"{s}_score"].to_numpy(dtype=float), level)
                rows.append({**base, **d, **_alpha(s, items.loc[sel], level, options), "suppressed": False})
    out = as_tidy(rows, GROUP_COLUMNS)
    # the same dtypes when no group is reported (an empty object column would make
    # ``out[~out["suppressed"]]`` a column selection)
    out["n"] = out["n"].astype("Int64")
    out["n_complete"] = out["n_complete"].astype("Int64")
    out["suppressed"] = out["suppressed"].astype(bool)
    return out


def trend(items: pd.DataFrame, scales: Sequence[str], *, year: str = "year",
          method: str = "consecutive_welch", ci_level: float = 0.95,
          options: Mapping[str, Mapping] | None = None) -> pd.DataFrame:
    """Change in the scale means across survey years.

    Parameters
    ----------
    items : pandas.DataFrame
        Canonical item columns and a ``year`` column.
    scales : sequence of str
    year : str, default "year"
    method : {"consecutive_welch", "ols_slope"}, default "consecutive_welch"
        ``consecutive_welch``: for every pair of consecutive survey years, the difference
        of the means (later − earlier) with Welch's t test and CI. ``ols_slope``: the
        least-squares slope of the respondents' scores on the year (change per year) with
        its classical t test and CI; needs at least two distinct years.
    ci_level : float, default 0.95
    options : mapping, optional

    Returns
    -------
    pandas.DataFrame
        ``outcome, pre, post`` (years), ``contrast`` ("2025 - 2024" or "per year"),
        ``term`` (``NaN``, or ``"year"`` for the slope), ``test`` (``welch_t`` or
        ``ols_slope``), ``n`` (scores used), ``estimate, std_error, statistic, df,
        p_value, ci_low, ci_high, ci_level, alternative`` ("two.sided"), ``method``.

    Notes
    -----
    Why consecutive differences with Welch's CI is the default: the surveys are anonymous
    repeated cross-sections of a few tens of partners whose composition changes from year
    to year, and the yearly report asks "how did this year compare with last year?".
    Welch's interval (R: ``t.test(x_later, x_earlier)``) assumes neither equal variances
    nor equal group sizes and makes no assumption about the shape of the trend, which two
    or three yearly points could not check anyway. With several years, ``ols_slope``
    (R: ``lm(score ~ year)``) summarises the average change per year under a linear trend
    and a common residual variance; with exactly two years it equals Student's
    equal-variance t test divided by the years between the surveys.

    Both treat the years as independent samples. Respondents cannot be linked, but many
    partners answer every year; their answers are positively correlated, so the
    independent-samples standard error *over*states the uncertainty of a change (the
    intervals are conservative, never anti-conservative, for positive correlation).

    References
    ----------
    Welch BL. The generalization of "Student's" problem when several different population
    variances are involved. Biometrika 1947;34:28–35. doi:10.1093/biomet/34.1-2.28

    Examples
    --------
    >>> cols = instruments.items_of("e2_synergy")
    >>> items = pd.DataFrame([[3] * 5, [4] * 5, [3] * 5, [4] * 5, [5] * 5, [4] * 5], columns=cols)
    >>> items["year"] = [2024, 2024, 2024, 2025, 2025, 2025]
    >>> t = trend(items, ["e2_synergy"])
    >>> t[["contrast", "n", "estimate", "df"]].round(3)
          contrast  n  estimate   df
    0  2025 - 2024  6       1.0  4.0
    """
    level = _check_level(ci_level)
    _check_columns(items, year)
    if method not in ("consecutive_welch", "ols_slope"):
        raise ValueError(f"method must be 'consecutive_welch' or 'ols_slope', got {method!r}")
    options = options or {}
    scored = score_scales(items, scales, options)
    years = sorted(items[year].dropna().unique())
    q_hi = 1 - (1 - level) / 2
    rows = []
    for s in scales:
        col = f"{s}_score"
        base = {"outcome": col, "ci_level": level, "alternative": "two.sided"}
        if method == "consecutive_welch":
            for a, b in zip(years, years[1:]):
                xa = scored.loc[(items[year] == a).to_numpy(), col].dropna().to_numpy(dtype=float)
                xb = scored.loc[(items[year] == b).to_numpy(), col].dropna().to_numpy(dtype=float)
                row = {**base, "pre": a, "post": b, "contrast": f"{b} - {a}", "test": "welch_t",
                       "n": len(xa) + len(xb), "method": "difference of means, Welch's t test and CI "
                                                          "(independent cross-sections)"}
                if len(xa) >= 2 and len(xb) >= 2:
                    va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
                    se = math.sqrt(va + vb)
                    est = float(xb.mean() - xa.mean())
                    df = (va + vb) ** 2 / (va ** 2 / (len(xa) - 1) + vb ** 2 / (len(xb) - 1)) if se > 0 else np.nan
                    if se > 0:
                        tq = float(stats.t.ppf(q_hi, df))
                        stat = est / se
                        row.update(estimate=est, std_error=se, statistic=stat, df=df,
                                   p_value=float(2 * stats.t.sf(abs(stat), df)),
                                   ci_low=est - tq * se, ci_high=est + tq * se)
                    else:
                        row.update(estimate=est, std_error=0.0)
                rows.append(row)
        else:
            sel = items[year].notna().to_numpy() & scored[col].notna().to_numpy()
            x = items.loc[sel, year].to_numpy(dtype=float)
            yv = scored.loc[sel, col].to_numpy(dtype=float)
            row = {**base, "pre": years[0] if years else np.nan, "post": years[-1] if years else np.nan,
                   "contrast": "per year", "term": "year", "test": "ols_slope", "n": len(yv),
                   "method": "least-squares slope of the score on the year, classical t test and CI"}
            sxx = float(((x - x.mean()) ** 2).sum()) if len(x) else 0.0
            if len(yv) >= 3 and sxx > 0:
                b = float(((x - x.mean()) * (yv - yv.mean())).sum() / sxx)
                resid = yv - (yv.mean() + b * (x - x.mean()))
                df = len(yv) - 2
                se = math.sqrt(float((resid ** 2).sum()) / df / sxx)
                row.update(estimate=b, std_error=se, df=float(df))
                if se > 0:
                    tq = float(stats.t.ppf(q_hi, df))
                    row.update(statistic=b / se, p_value=float(2 * stats.t.sf(abs(b / se), df)),
                               ci_low=b - tq * se, ci_high=b + tq * se)
            rows.append(row)
    out = as_tidy(rows, TREND_COLUMNS)
    if len(out):
        out["n"] = out["n"].astype("int64")
    return out


def respondent_counts(items: pd.DataFrame, *, group: str | None = None, year: str = "year") -> pd.DataFrame:
    """Respondents per survey year: all, per partner group, and without a group.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per respondent with a ``year`` and (optionally) a ``group`` column.
    group : str, optional
        Column holding the partner group (missing = not stated).
    year : str, default "year"

    Returns
    -------
    pandas.DataFrame
        ``year``, ``stratum`` (``"total"``, ``"group"`` or ``"not_stated"``),
        ``subgroup_level`` (the group for ``"group"`` rows, else missing) and ``n``;
        per year the total first, then the groups (sorted), then the respondents without a
        group (only if there is a group column). Counts are not suppressed here: the
        published table is disclosure-controlled (:mod:`publishing.partners`).

    Examples
    --------
    >>> d = pd.DataFrame({"year": [2024, 2024, 2024, 2025], "grp": ["a", "b", None, "a"]})
    >>> respondent_counts(d, group="grp")
       year     stratum subgroup_level  n
    0  2024       total            NaN  3
    1  2024       group              a  1
    2  2024       group              b  1
    3  2024  not_stated            NaN  1
    4  2025       total            NaN  1
    5  2025       group              a  1
    6  2025  not_stated            NaN  0
    """
    _check_columns(items, year, group)
    rows = []
    for y in sorted(items[year].dropna().unique()):
        d = items[items[year] == y]
        rows.append({"year": y, "stratum": "total", "n": len(d)})
        if group is None:
            continue
        g = d[group]
        for level in sorted(g.dropna().unique(), key=lambda v: (str(type(v)), v)):
            rows.append({"year": y, "stratum": "group", "subgroup_level": level, "n": int(_is(g, level).sum())})
        rows.append({"year": y, "stratum": "not_stated", "n": int(g.isna().sum())})
    out = pd.DataFrame(rows, columns=list(COUNT_COLUMNS))
    return out.astype({"n": "int64"}) if len(out) else out
