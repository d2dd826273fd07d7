"""Per-wave descriptive summaries of outcomes (for figures and tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis._panel import essentially_constant
from analysis.tidy import not_estimable


def wave_means(panel: pd.DataFrame, outcomes: list[str], ci_level: float = 0.95,
               by: str = "wave") -> pd.DataFrame:
    """Mean of each outcome per wave with a t-based confidence interval.

    Parameters
    ----------
    panel
        Long data: ``participant_id``, ``wave`` and the outcome columns.
    outcomes
        Outcome columns to summarise.
    ci_level
        Confidence level of the interval.
    by
        Grouping column (default ``wave``).

    Returns
    -------
    pandas.DataFrame
        One row per outcome x group: ``outcome, <by>, n, estimate, std_error, ci_low,
        ci_high, ci_level, sd, method, note``. ``estimate`` is the mean of the non-missing
        values; the CI is ``mean ± t(1-(1-ci_level)/2, n-1) · sd/√n``. Every category of a
        categorical ``by`` has a row, also one without rows (``n`` 0). Where the CI
        (or the mean) cannot be computed ``note`` says why: "not estimable: no
        observations" (n = 0), "fewer than 2 observed values" (n = 1), "no variation
        (all values equal)" (sd = 0: no interval); else it is empty.

    Examples
    --------
    >>> df = pd.DataFrame({"participant_id": list("abcd"), "wave": ["T0", "T0", "T1", "T1"],
    ...                    "y": [1.0, 3.0, 2.0, 6.0]})
    >>> wave_means(df, ["y"])[["wave", "n", "estimate", "ci_low"]]
      wave  n  estimate     ci_low
    0   T0  2       2.0 -10.706205
    1   T1  2       4.0 -21.412409
    """
    rows = []
    # every wave of a categorical wave column, also one nobody in ``panel`` answered
    groups = panel.groupby(by, observed=False, sort=True)
    for outcome in outcomes:
        for key, g in groups:
            x = g[outcome].dropna().astype(float).to_numpy()
            n = len(x)
            mean = x.mean() if n else np.nan
            sd = x.std(ddof=1) if n > 1 else np.nan
            se = np.nan if n < 2 or essentially_constant(sd, n, mean) else sd / np.sqrt(n)
            q = stats.t.ppf(1 - (1 - ci_level) / 2, n - 1) if n > 1 else np.nan
            note = ("" if se > 0 else not_estimable("no_observations") if n == 0
                    else not_estimable("few_observed") if n == 1 else not_estimable("no_variation"))
            rows.append({"outcome": outcome, by: key, "n": n, "estimate": mean, "std_error": se,
                         "ci_low": mean - q * se, "ci_high": mean + q * se, "ci_level": ci_level,
                         "sd": sd, "method": "mean, t interval", "note": note})
    return pd.DataFrame(rows, columns=["outcome", by, "n", "estimate", "std_error", "ci_low", "ci_high", "ci_level",
                                       "sd", "method", "note"])
