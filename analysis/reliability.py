"""Internal-consistency reliability of multi-item scales."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.tidy import as_tidy, not_estimable

__all__ = ["cronbach_alpha"]


def cronbach_alpha(items: pd.DataFrame, outcome: str = "items") -> pd.DataFrame:
    """Cronbach's alpha (raw) on the rows with every item answered.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per respondent (drop ID columns first).
    outcome : str, default "items"
        Label written to the ``outcome`` column.

    Returns
    -------
    pandas.DataFrame
        One row: ``outcome, n, estimate, method, note`` with ``n`` the number of
        complete rows and ``estimate`` raw alpha; NaN with ``note`` "not estimable:
        ..." for fewer than 2 complete rows, fewer than 2 items, or no variation in
        the total score.

    Notes
    -----
    alpha = k / (k - 1) x (1 - sum of item variances / variance of the total),
    computed from covariances (n - 1 denominators) on complete rows: the
    ``raw_alpha`` of ``psych::alpha``.

    References
    ----------
    Cronbach LJ (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika 16:297–334. doi:10.1007/BF02310555

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 4], "c": [1, 3, 3, 4]})
    >>> cronbach_alpha(items)[["n", "estimate"]]
       n  estimate
    0  4  0.948529
    """
    cc = items.dropna().astype(float)
    k = cc.shape[1]
    alpha, note = np.nan, ""
    if len(cc) < 2:
        note = not_estimable("no_observations" if len(cc) == 0 else "few_observed")
    elif k < 2:
        note = not_estimable("few_observations")
    else:
        cov = np.cov(cc.to_numpy(), rowvar=False)
        if cov.sum() > 0:
            alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
        else:  # every total score the same
            note = not_estimable("no_variation")
    return as_tidy(
        [{"outcome": outcome, "n": len(cc), "estimate": float(alpha), "method": "Cronbach's alpha (raw), complete rows",
          "note": note}],
        ["outcome", "n", "estimate", "method", "note"],
    )
