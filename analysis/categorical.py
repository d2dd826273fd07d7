"""Paired categorical outcomes: McNemar and Stuart–Maxwell marginal homogeneity."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

from analysis import _panel
from analysis.tidy import as_tidy, not_estimable

__all__ = ["CATEGORICAL_TEST_COLUMNS", "paired_table", "mcnemar", "marginal_homogeneity"]

CATEGORICAL_TEST_COLUMNS = (
    "outcome", "pre", "post", "test", "n", "estimate", "statistic", "df", "p_value", "method", "note",
)  # fmt: skip


def _levels(panel: pd.DataFrame, outcome: str, pre, post) -> list:
    col = panel[outcome]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    values = col[panel[_panel.WAVE].isin([pre, post])].dropna().unique().tolist()
    return sorted(values)


def _binary_levels(panel: pd.DataFrame, outcome: str, pre, post) -> list:
    """The two levels of a binary outcome, also when only one of them is observed: the
    categories of a categorical column, False/True for a boolean one, 0/1 for a numeric
    one coded 0/1; else the observed values (which may be fewer or more than two)."""
    col = panel[outcome]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    observed = _levels(panel, outcome, pre, post)
    if pd.api.types.is_bool_dtype(col.dtype):
        return [False, True]
    if pd.api.types.is_numeric_dtype(col.dtype) and set(observed) <= {0, 1}:
        return [0, 1]
    return observed


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
        p_value, method, note``. ``test`` is ``"mcnemar"`` or ``"mcnemar_exact"``; ``n``
        is the number of complete pairs; ``estimate`` is the change in the share at the
        positive (second) level, p_post - p_pre; ``statistic`` is the corrected
        chi-squared (df 1), or for the exact test b, the number of
        negative -> positive pairs (df NaN). ``note`` is empty, or says why the
        test is not estimable (see Notes); the row is returned, never an error.

    Notes
    -----
    With the 2x2 table of pre (rows) by post (columns), b = n[0, 1] (negative →
    positive) and c = n[1, 0] (positive → negative). The corrected statistic is
    (|b - c| - 1)^2 / (b + c) on 1 df; the exact p-value is the two-sided binomial
    test of b successes in b + c trials with probability 1/2. ``estimate`` is
    p_post - p_pre = (b - c) / n. With no discordant pairs both tests are
    undefined and the statistic and p-value are NaN (R returns NaN or stops);
    ``note`` is "not estimable: no discordant pairs" and the estimate is 0.

    Degenerate data give a row, not an error: without complete pairs every estimate
    is NaN ("not estimable: no complete pairs"). A boolean outcome, or a numeric one
    coded 0/1, has both levels even when only one is observed (all False at both
    waves is a table with one non-zero cell); an outcome with any other single
    observed value gives "not estimable: only one category observed". More than two
    levels is a ``ValueError`` (use :func:`marginal_homogeneity`).

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
    levels = _binary_levels(panel, outcome, pre, post)
    if len(levels) > 2:
        raise ValueError(f"{outcome} must have exactly two levels, found {len(levels)}")
    row = {"outcome": outcome, "pre": pre, "post": post, "note": ""}
    if exact:
        row.update(test="mcnemar_exact", df=np.nan,
                   method="Exact McNemar test (binomial test of discordant pairs)")
    else:
        row.update(test="mcnemar", df=1.0, method="McNemar's Chi-squared test with continuity correction")
    tab = paired_table(panel, outcome, pre, post, levels=levels)
    n = int(tab.to_numpy().sum())
    row["n"] = n
    if n == 0 or tab.shape != (2, 2):
        # no pairs, or one level of a code that cannot be told apart from its other level
        row.update(estimate=np.nan, statistic=np.nan, df=np.nan, p_value=np.nan,
                   note=not_estimable("no_pairs" if n == 0 else "one_category"))
        return as_tidy([row], CATEGORICAL_TEST_COLUMNS)
    b, c = int(tab.iloc[0, 1]), int(tab.iloc[1, 0])
    row["estimate"] = (b - c) / n
    if b + c == 0:  # every pair concordant: no change, but no test (R: NaN or an error)
        row.update(statistic=float(b) if exact else np.nan, p_value=np.nan, note=not_estimable("no_discordant"))
    elif exact:
        row.update(statistic=float(b), p_value=stats.binomtest(b, b + c, 0.5).pvalue)
    else:
        res = sm_mcnemar(tab.to_numpy(), exact=False, correction=True)  # (|b - c| - 1)^2 / (b + c)
        row.update(statistic=float(res.statistic), p_value=float(res.pvalue))
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
        p_value, method, note``; ``test`` is ``"stuart_maxwell"``, ``estimate`` is NaN,
        ``df`` is the rank of the covariance matrix (k - 1 when every level occurs).
        When S has rank 0 (no complete pairs, one level only, or every pair
        unchanged) the statistic, df and p-value are NaN and ``note`` says which
        ("not estimable: ..."); otherwise ``note`` is empty.

    Notes
    -----
    With the k x k table N of pre (rows) by post (columns), d = row margins -
    column margins and S with S_ii = n_i. + n_.i - 2 n_ii, S_ij = -(n_ij + n_ji),
    the statistic is d' S^+ d (S^+ the Moore–Penrose inverse), chi-squared on
    rank(S) df. S equals the permutation covariance of d when each participant's
    two answers are exchangeable, so this is the asymptotic
    ``coin::mh_test(table)`` statistic (Stuart's form, not Bhapkar's); verified
    against coin 1.4-2 on 3 x 3 tables. Not statsmodels'
    ``SquareTable.homogeneity("stuart_maxwell")``: it inverts the leading (k - 1) x (k - 1)
    block of S and keeps k - 1 df when a level is never used (a 3 x 3 table with an empty
    middle level gives 2 df there, 1 df in coin), whereas this rank-based form agrees with
    coin on such tables too.

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
    rank = np.linalg.matrix_rank(S) if S.size else 0
    note = ""
    if rank == 0:  # no pairs, or every pair on the diagonal
        stat, df, p = np.nan, np.nan, np.nan
        observed = int(((tab.sum(axis=1) + tab.sum(axis=0)) > 0).sum())
        note = not_estimable("no_pairs" if n == 0 else "one_category" if observed < 2 else "no_discordant")
    else:
        stat = float(d @ np.linalg.pinv(S) @ d)
        df = float(rank)
        p = float(stats.chi2.sf(stat, df))
    row = {
        "outcome": outcome, "pre": pre, "post": post, "test": "stuart_maxwell", "n": n,
        "estimate": np.nan, "statistic": stat, "df": df, "p_value": p,
        "method": "Stuart-Maxwell marginal homogeneity test (asymptotic, as coin::mh_test)", "note": note,
    }  # fmt: skip
    return as_tidy([row], CATEGORICAL_TEST_COLUMNS)
