"""Paired categorical outcomes: McNemar and Stuart–Maxwell marginal homogeneity."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis import _panel
from analysis.tidy import as_tidy

__all__ = ["CATEGORICAL_TEST_COLUMNS", "paired_table", "mcnemar", "marginal_homogeneity"]

CATEGORICAL_TEST_COLUMNS = (
    "outcome", "pre", "post", "test", "n", "estimate", "statistic", "df", "p_value", "method",
)  # fmt: skip


def _levels(panel: pd.DataFrame, outcome: str, pre, post) -> list:
    col = panel[outcome]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    values = col[panel[_panel.WAVE].isin([pre, post])].dropna().unique().tolist()
    return sorted(values)


def paired_table(panel: pd.DataFrame, outcome: str, pre, post, levels=None) -> pd.DataFrame:
    """Cross-table of ``outcome`` at ``pre`` (rows) by ``post`` (columns), complete pairs.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave`` and ``outcome``.
    outcome : str
        Categorical (or 0/1) outcome column.
    pre, post : wave label
        Waves compared.
    levels : list, optional
        Level order. Defaults to the categories of a categorical column, else the
        sorted observed values.

    Returns
    -------
    pandas.DataFrame
        Square table of counts (int), index ``pre`` levels, columns ``post`` levels.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": [1, 2, 3, 1, 2, 3],
    ...                       "wave": ["T0"] * 3 + ["T1"] * 3, "srh_good": [0, 0, 1, 1, 0, 1]})
    >>> paired_table(panel, "srh_good", "T0", "T1").to_numpy().tolist()
    [[1, 1], [0, 1]]
    """
    w = _panel.paired(panel, outcome, pre, post, numeric=False)
    levels = list(levels) if levels is not None else _levels(panel, outcome, pre, post)
    tab = pd.crosstab(
        pd.Categorical(w["pre"], categories=levels),
        pd.Categorical(w["post"], categories=levels),
        dropna=False,
    )
    tab = tab.reindex(index=levels, columns=levels, fill_value=0).astype(int)
    tab.index.name, tab.columns.name = "pre", "post"
    return tab


def mcnemar(panel: pd.DataFrame, outcome: str, pre, post, exact: bool = False) -> pd.DataFrame:
    """McNemar's test of a change in a binary outcome between two waves.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave`` and a two-level ``outcome``
        (0/1, or a categorical whose second category is the "positive" level).
    outcome : str
        Outcome column.
    pre, post : wave label
        Waves compared.
    exact : bool, default False
        If False, the chi-squared test with continuity correction as R's
        ``mcnemar.test(table)``; if True, the exact binomial test
        ``binom.test(b, b + c)`` on the discordant pairs.

    Returns
    -------
    pandas.DataFrame
        One row with ``outcome, pre, post, test, n, estimate, statistic, df,
        p_value, method``. ``test`` is ``"mcnemar"`` or ``"mcnemar_exact"``; ``n`` is the
        number of complete pairs; ``estimate`` is the change in the share at the
        positive (second) level, p_post - p_pre; ``statistic`` is the corrected
        chi-squared (df 1), or for the exact test b, the number of
        negative -> positive pairs (df NaN).

    Notes
    -----
    With the 2x2 table of pre (rows) by post (columns), b = n[0, 1] (negative →
    positive) and c = n[1, 0] (positive → negative). The corrected statistic is
    (|b - c| - 1)^2 / (b + c) on 1 df; the exact p-value is the two-sided binomial
    test of b successes in b + c trials with probability 1/2. ``estimate`` is
    p_post - p_pre = (b - c) / n. With no discordant pairs both tests are
    undefined and the statistic and p-value are NaN (R returns NaN or stops).

    References
    ----------
    McNemar Q (1947). Note on the sampling error of the difference between
    correlated proportions or percentages. Psychometrika 12:153–157.
    doi:10.1007/BF02295996

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": list(range(12)) * 2,
    ...                       "wave": ["T0"] * 12 + ["T1"] * 12,
    ...                       "srh_good": [0] * 8 + [1] * 4 + [1] * 6 + [0] * 2 + [1] * 3 + [0]})
    >>> mcnemar(panel, "srh_good", "T0", "T1")[["n", "estimate", "statistic", "p_value"]]
        n  estimate  statistic  p_value
    0  12  0.416667   2.285714  0.13057
    """
    tab = paired_table(panel, outcome, pre, post)
    if tab.shape != (2, 2):
        raise ValueError(f"{outcome} must have exactly two levels, found {tab.shape[0]}")
    b, c = int(tab.iloc[0, 1]), int(tab.iloc[1, 0])
    n = int(tab.to_numpy().sum())
    row = {"outcome": outcome, "pre": pre, "post": post, "n": n}
    row["estimate"] = (b - c) / n if n else np.nan
    if exact:
        row.update(test="mcnemar_exact", df=np.nan, statistic=float(b))
        row["p_value"] = stats.binomtest(b, b + c, 0.5).pvalue if b + c > 0 else np.nan
        row["method"] = "Exact McNemar test (binomial test of discordant pairs)"
    else:
        row.update(test="mcnemar", df=1.0)
        if b + c > 0:
            stat = (abs(b - c) - 1) ** 2 / (b + c)
            row.update(statistic=float(stat), p_value=float(stats.chi2.sf(stat, 1)))
        else:
            row.update(statistic=np.nan, p_value=np.nan)
        row["method"] = "McNemar's Chi-squared test with continuity correction"
    return as_tidy([row], CATEGORICAL_TEST_COLUMNS)


def marginal_homogeneity(panel: pd.DataFrame, outcome: str, pre, post) -> pd.DataFrame:
    """Stuart–Maxwell test of marginal homogeneity for a k-level outcome at two waves.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave`` and a categorical ``outcome``.
    outcome : str
        Outcome column (e.g. the three HLS-EU-Q16 levels).
    pre, post : wave label
        Waves compared.

    Returns
    -------
    pandas.DataFrame
        One row with ``outcome, pre, post, test, n, estimate, statistic, df,
        p_value, method``; ``test`` is ``"stuart_maxwell"``, ``estimate`` is NaN,
        ``df`` is the rank of the covariance matrix (k - 1 when every level occurs).

    Notes
    -----
    With the k x k table N of pre (rows) by post (columns), d = row margins -
    column margins and S with S_ii = n_i. + n_.i - 2 n_ii, S_ij = -(n_ij + n_ji),
    the statistic is d' S^+ d (S^+ the Moore–Penrose inverse), chi-squared on
    rank(S) df. S equals the permutation covariance of d when each participant's
    two answers are exchangeable, so this is the asymptotic
    ``coin::mh_test(table)`` statistic (Stuart's form, not Bhapkar's); verified
    against coin 1.4-2 on 3 x 3 tables.

    References
    ----------
    Stuart A (1955). A test for homogeneity of the marginal distributions in a
    two-way classification. Biometrika 42:412–416. doi:10.1093/biomet/42.3-4.412
    Maxwell AE (1970). Comparing the classification of subjects by two independent
    judges. Br J Psychiatry 116:651–655. doi:10.1192/bjp.116.535.651

    Examples
    --------
    >>> import pandas as pd
    >>> pre = ["low"] * 6 + ["mid"] * 6 + ["high"] * 6
    >>> post = ["low", "low", "mid", "mid", "high", "mid",
    ...         "mid", "mid", "high", "high", "mid", "low",
    ...         "high", "high", "high", "mid", "high", "high"]
    >>> panel = pd.DataFrame({"participant_id": list(range(18)) * 2,
    ...                       "wave": ["T0"] * 18 + ["T1"] * 18, "level": pre + post})
    >>> marginal_homogeneity(panel, "level", "T0", "T1")[["n", "statistic", "df", "p_value"]]
        n  statistic   df   p_value
    0  18   2.315789  2.0  0.314147
    """
    tab = paired_table(panel, outcome, pre, post).to_numpy(dtype=float)
    n = int(tab.sum())
    d = tab.sum(axis=1) - tab.sum(axis=0)
    S = -(tab + tab.T)
    np.fill_diagonal(S, tab.sum(axis=1) + tab.sum(axis=0) - 2 * np.diag(tab))
    rank = np.linalg.matrix_rank(S)
    if rank == 0:
        stat, df, p = np.nan, np.nan, np.nan
    else:
        stat = float(d @ np.linalg.pinv(S) @ d)
        df = float(rank)
        p = float(stats.chi2.sf(stat, df))
    row = {
        "outcome": outcome, "pre": pre, "post": post, "test": "stuart_maxwell", "n": n,
        "estimate": np.nan, "statistic": stat, "df": df, "p_value": p,
        "method": "Stuart-Maxwell marginal homogeneity test (asymptotic, as coin::mh_test)",
    }  # fmt: skip
    return as_tidy([row], CATEGORICAL_TEST_COLUMNS)
