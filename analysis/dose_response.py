"""Dose-response: does change grow with attendance?"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis import _panel
from analysis.tidy import as_tidy, not_estimable

__all__ = ["DOSE_COLUMNS", "dose_response"]

DOSE_COLUMNS = (
    "outcome", "term", "n", "estimate", "std_error", "statistic", "df", "p_value",
    "ci_low", "ci_high", "ci_level", "method", "note",
)  # fmt: skip


def dose_response(
    changes: pd.DataFrame,
    attendance: pd.DataFrame,
    exposure: str = "visits_per_week",
    covariates: Sequence[str] = (),
    adjust_baseline: bool = False,
    ci_level: float = 0.95,
    outcomes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """OLS of each outcome's paired change on attendance (tidy terms).

    Parameters
    ----------
    changes : pandas.DataFrame
        Long per-participant changes as from
        :func:`analysis.prepost.paired_changes`: ``participant_id, outcome,
        change`` (and ``value_pre`` if ``adjust_baseline``).
    attendance : pandas.DataFrame
        One row per participant with ``participant_id`` and ``exposure``, e.g. the
        frame of :func:`analysis.cohort.recurring_cohort`; numeric ``covariates``
        may come from here or from ``changes``.
    exposure : str, default "visits_per_week"
        Exposure column.
    covariates : sequence of str, default ()
        Extra numeric regressors.
    adjust_baseline : bool, default False
        Add the pre value (``value_pre``) as a regressor (guards against regression
        to the mean when attendance relates to baseline level).
    ci_level : float, default 0.95
        Confidence level.
    outcomes : sequence of str, optional
        Outcomes to report, in order; one without any change in ``changes`` (nobody
        answered it at both waves) gets its terms with "not estimable: no complete
        pairs". Default: the outcomes in ``changes``.

    Returns
    -------
    pandas.DataFrame
        One row per outcome x term (``(Intercept)``, the exposure, covariates):
        ``outcome, term, n, estimate, std_error, statistic, df, p_value, ci_low,
        ci_high, ci_level, method, note``; classical OLS standard errors, t-tests on
        n - p df (as R's ``summary(lm(change ~ visits_per_week))``). The exposure
        slope is the mean difference in change per extra visit per week. Where the
        regression cannot be fitted the terms are NaN and ``note`` says why ("not
        estimable: no complete pairs", "fewer observations than model terms",
        "regressors collinear or constant", e.g. everyone attended equally often);
        a perfect fit keeps its estimates with NaN tests ("no variation in the
        change"). ``note`` is empty otherwise. Degenerate data never raise.

    Examples
    --------
    >>> import pandas as pd
    >>> ch = pd.DataFrame({"participant_id": list("abcde"), "outcome": "who5",
    ...                    "change": [0.0, 4.0, 4.0, 8.0, 12.0]})
    >>> att = pd.DataFrame({"participant_id": list("abcde"), "visits_per_week": [0.5, 1, 1.5, 2, 2.5]})
    >>> dose_response(ch, att)[["term", "n", "estimate", "std_error", "df"]]
                  term  n  estimate  std_error   df
    0      (Intercept)  5      -2.8    1.32665  3.0
    1  visits_per_week  5       5.6    0.80000  3.0
    """
    covariates = list(covariates)
    att_cols = [_panel.ID, exposure] + [c for c in covariates if c in attendance.columns and c not in changes.columns]
    data = changes.merge(attendance[att_cols], on=_panel.ID, how="inner")
    regressors = [exposure, *(["value_pre"] if adjust_baseline else []), *covariates]
    rows = []
    groups = dict(list(data.groupby("outcome", sort=False)))
    for outcome in (list(outcomes) if outcomes is not None else list(groups)):
        sub = groups.get(outcome, data.iloc[:0])
        sub = sub.dropna(subset=["change", *regressors])
        n = len(sub)
        X = np.column_stack([np.ones(n), *(sub[c].to_numpy(dtype=float) for c in regressors)])
        y = sub["change"].to_numpy(dtype=float)
        p = X.shape[1]
        names = ["(Intercept)", *regressors]
        if n <= p or np.linalg.matrix_rank(X) < p:
            note = not_estimable("no_pairs" if n == 0 else "few_observations" if n <= p else "collinear")
            for name in names:
                rows.append({"outcome": outcome, "term": name, "n": n, "note": note})
            continue
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        resid = y - X @ beta
        df = n - p
        s2 = float(resid @ resid) / df
        cov = s2 * np.linalg.inv(X.T @ X)
        # a perfect fit (s2 = 0 up to rounding) has no standard errors: the estimates stand,
        # the tests do not
        perfect = np.allclose(resid, 0, rtol=0, atol=1e-10 * max(1.0, float(np.abs(y).max())))
        note = not_estimable("no_change_variation") if perfect else ""
        q = stats.t.ppf(1 - (1 - ci_level) / 2, df)
        for k, name in enumerate(names):
            se = np.nan if perfect else float(np.sqrt(cov[k, k]))
            t = float(beta[k] / se) if se > 0 else np.nan
            rows.append({
                "outcome": outcome, "term": name, "n": n, "estimate": float(beta[k]), "std_error": se,
                "statistic": t, "df": float(df), "p_value": float(2 * stats.t.sf(abs(t), df)),
                "ci_low": float(beta[k] - q * se), "ci_high": float(beta[k] + q * se), "note": note,
            })  # fmt: skip
    out = as_tidy(rows, DOSE_COLUMNS)
    out["ci_level"] = ci_level
    out["method"] = f"OLS of paired change on {exposure}" + (" adjusted for baseline" if adjust_baseline else "")
    return out
