"""Descriptive tables: Table 1 by wave and baseline attrition analysis."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.tidy import as_tidy

__all__ = ["TABLE1_COLUMNS", "ATTRITION_COLUMNS", "table1", "attrition"]

TABLE1_COLUMNS = (
    "variable", "level", "group", "n", "n_total", "percent", "mean", "sd", "median", "q1", "q3", "n_missing",
)  # fmt: skip
ATTRITION_COLUMNS = (
    "variable", "level", "group", "n", "n_total", "percent", "mean", "sd", "n_missing",
    "contrast", "smd", "effect_size_type",
)  # fmt: skip


def _is_categorical(s: pd.Series, categorical: Sequence[str], name: str) -> bool:
    if name in categorical:
        return True
    return not (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)) or isinstance(
        s.dtype, pd.CategoricalDtype
    )


def _levels(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    return sorted(s.dropna().unique().tolist())


def _continuous(x: pd.Series) -> dict:
    v = x.dropna().to_numpy(dtype=float)
    if v.size == 0:
        return {"n": 0, "mean": np.nan, "sd": np.nan, "median": np.nan, "q1": np.nan, "q3": np.nan}
    return {
        "n": int(v.size),
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if v.size > 1 else np.nan,
        "median": float(np.median(v)),
        "q1": float(np.quantile(v, 0.25)),
        "q3": float(np.quantile(v, 0.75)),
    }


def table1(
    panel: pd.DataFrame,
    variables: Sequence[str],
    by: str | None = "wave",
    categorical: Sequence[str] = (),
) -> pd.DataFrame:
    """Descriptive statistics per variable and group (Table 1), tidy long.

    Parameters
    ----------
    panel : pandas.DataFrame
        Data with ``variables`` and (unless ``by`` is None) the grouping column.
    variables : sequence of str
        Variables to describe, in output order.
    by : str or None, default "wave"
        Grouping column; None describes everyone as group ``"all"``.
    categorical : sequence of str, default ()
        Numeric variables to treat as categorical (e.g. 0/1 codes). Non-numeric,
        boolean and pandas categorical columns are always categorical.

    Returns
    -------
    pandas.DataFrame
        ``variable, level, group, n, n_total, percent, mean, sd, median, q1, q3,
        n_missing``. Continuous variables: one row per group, ``level`` empty,
        ``n`` non-missing values, mean, SD (n - 1), median and quartiles (R type 7).
        Categorical variables: one row per level and group, ``n`` at the level,
        ``percent`` = 100 n / (non-missing in group), summary columns NaN. Always
        ``n_total`` = rows in the group and ``n_missing`` = missing values in the
        group.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"wave": ["T0"] * 4, "age": [30, 40, 50, None],
    ...                    "sex": ["f", "f", "m", None]})
    >>> table1(df, ["age", "sex"])[["variable", "level", "n", "percent", "mean", "n_missing"]]
      variable level  n    percent  mean  n_missing
    0      age        3        NaN  40.0          1
    1      sex     f  2  66.666667   NaN          1
    2      sex     m  1  33.333333   NaN          1
    """
    if by is None:
        groups = [("all", panel)]
    else:
        if by not in panel.columns:
            raise KeyError(f"grouping column {by!r} not in data")
        order = _levels(panel[by])
        groups = [(g, panel[panel[by] == g]) for g in order]
    rows = []
    for var in variables:
        if var not in panel.columns:
            raise KeyError(f"variable {var!r} not in data")
        is_cat = _is_categorical(panel[var], categorical, var)
        levels = _levels(panel[var]) if is_cat else None
        for g, sub in groups:
            x = sub[var]
            n_missing = int(x.isna().sum())
            base = {"variable": var, "group": g, "n_total": len(sub), "n_missing": n_missing}
            if is_cat:
                valid = int(x.notna().sum())
                for lev in levels or []:
                    k = int((x == lev).sum())
                    rows.append({**base, "level": str(lev), "n": k,
                                 "percent": 100 * k / valid if valid else np.nan})  # fmt: skip
            else:
                rows.append({**base, "level": "", **_continuous(x)})
    out = as_tidy(rows, TABLE1_COLUMNS)
    return out


def _smd_cont(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 2 or b.size < 2:
        return np.nan
    pooled = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    return float((a.mean() - b.mean()) / pooled) if pooled > 0 else np.nan


def _smd_prop(p1: float, p2: float) -> float:
    pooled = math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    return float((p1 - p2) / pooled) if pooled > 0 else (0.0 if p1 == p2 else np.nan)


def attrition(
    baseline: pd.DataFrame,
    completed_flag: str,
    variables: Sequence[str],
    categorical: Sequence[str] = (),
) -> pd.DataFrame:
    """Compare baseline characteristics of completers and drop-outs (SMDs).

    Parameters
    ----------
    baseline : pandas.DataFrame
        One row per participant at baseline.
    completed_flag : str
        Boolean column: True for participants with follow-up (completers).
    variables : sequence of str
        Baseline variables to compare.
    categorical : sequence of str, default ()
        Numeric variables to treat as categorical.

    Returns
    -------
    pandas.DataFrame
        ``variable, level, group, n, n_total, percent, mean, sd, n_missing,
        contrast, smd, effect_size_type``: for each variable (and level, for
        categorical ones) one row for ``group`` = ``"completers"`` and one for
        ``"dropouts"`` with the descriptives as in :func:`table1`; ``smd`` (the same
        on both rows) is the standardised difference completers - drop-outs
        (``contrast``), ``effect_size_type`` ``"smd"``.

    Notes
    -----
    Continuous: (mean_c - mean_d) / sqrt((s_c^2 + s_d^2) / 2). Categorical, per
    level, with shares p among non-missing: (p_c - p_d) / sqrt((p_c(1 - p_c) +
    p_d(1 - p_d)) / 2). |SMD| > 0.1 is the usual flag of imbalance (Austin 2009).

    References
    ----------
    Austin PC (2009). Balance diagnostics for comparing the distribution of baseline
    covariates between treatment groups in propensity-score matched samples.
    Stat Med 28:3083–3107. doi:10.1002/sim.3697

    Examples
    --------
    >>> import pandas as pd
    >>> base = pd.DataFrame({"done": [True, True, False, False],
    ...                      "age": [30, 50, 40, 60], "sex": ["f", "m", "f", "f"]})
    >>> res = attrition(base, "done", ["age", "sex"])
    >>> res.loc[res["group"] == "completers", ["variable", "level", "smd"]]
      variable level       smd
    0      age        -0.707107
    2      sex     f -1.414214
    4      sex     m  1.414214
    """
    if completed_flag not in baseline.columns:
        raise KeyError(f"{completed_flag!r} not in baseline")
    flag = baseline[completed_flag]
    if flag.isna().any():
        raise ValueError(f"{completed_flag!r} has missing values")
    flag = flag.astype(bool)
    parts = {"completers": baseline[flag], "dropouts": baseline[~flag]}
    rows = []
    for var in variables:
        is_cat = _is_categorical(baseline[var], categorical, var)
        c, d = parts["completers"][var], parts["dropouts"][var]
        if is_cat:
            for lev in _levels(baseline[var]):
                shares = {}
                for g, x in (("completers", c), ("dropouts", d)):
                    valid = int(x.notna().sum())
                    k = int((x == lev).sum())
                    shares[g] = k / valid if valid else np.nan
                    rows.append({"variable": var, "level": str(lev), "group": g, "n": k, "n_total": len(x),
                                 "percent": 100 * shares[g], "n_missing": int(x.isna().sum())})  # fmt: skip
                smd = _smd_prop(shares["completers"], shares["dropouts"])
                rows[-1]["smd"] = rows[-2]["smd"] = smd
        else:
            a = c.dropna().to_numpy(dtype=float)
            b = d.dropna().to_numpy(dtype=float)
            smd = _smd_cont(a, b)
            for g, x in (("completers", c), ("dropouts", d)):
                s = _continuous(x)
                rows.append({"variable": var, "level": "", "group": g, "n": s["n"], "n_total": len(x),
                             "mean": s["mean"], "sd": s["sd"], "n_missing": int(x.isna().sum()), "smd": smd})  # fmt: skip
    out = as_tidy(rows, ATTRITION_COLUMNS)
    out["contrast"] = "completers - dropouts"
    out["effect_size_type"] = "smd"
    return out
