"""Internal consistency: Cronbach's alpha with Feldt's CI, and McDonald's omega total.

Both are computed on the rows with every item of the scale answered (complete cases),
after reverse-keyed items have been reversed (and, for RAND-36, after the 0–100 recoding).

Cronbach's alpha (raw alpha, as ``psych::alpha``'s ``raw_alpha``)::

    alpha = k / (k − 1) × (1 − trace(C) / sum(C))        C = item covariance matrix

Feldt's confidence interval (Feldt, Woodruff & Salih 1987; as in ``psych::alpha.ci`` and
``pingouin.cronbach_alpha``, which rounds it), with ``df1 = n − 1``,
``df2 = (n − 1)(k − 1)``::

    low  = 1 − (1 − alpha) × F.ppf(1 − (1 − level)/2; df1, df2)
    high = 1 − (1 − alpha) × F.ppf((1 − level)/2;     df1, df2)

McDonald's omega total from a one-factor model fitted by minimum residuals (minres =
unweighted least squares on the off-diagonal of the correlation matrix, psych's default
``fm = "minres"``), using the observed total variance as denominator (as ``psych::omega``
and ``semTools::compRelSEM`` with ``obs.var = TRUE``)::

    omega_total = 1 − sum(1 − lambda_i²) / sum(R)

where ``R`` is the item correlation matrix and ``lambda`` the standardised loadings. With
a perfectly fitting one-factor model this equals ``(Σλ)² / ((Σλ)² + Σ(1 − λ²))``. A
Heywood case (some ``λ² > 1``) is flagged in ``method`` and its uniqueness set to 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

METHOD = (
    "Cronbach's alpha (raw) on complete rows, Feldt F-based CI; "
    "omega total from a one-factor minres fit on the correlation matrix (observed total variance)"
)


def _complete(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"expected a 2-D table of items, got shape {X.shape}")
    return X[~np.isnan(X).any(axis=1)]


def cronbach_alpha(items, ci_level: float = 0.95) -> dict:
    """Cronbach's (raw) alpha with Feldt's F-based confidence interval.

    Parameters
    ----------
    items : DataFrame or array of shape (n, k)
        Item scores, one column per item, already reverse-keyed; rows with any missing
        value are dropped.
    ci_level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    dict
        ``n_items, n_complete, alpha, alpha_ci_low, alpha_ci_high, ci_level``
        (``NaN`` if fewer than 2 items or 3 complete rows, or zero total variance).

    Notes
    -----
    ``alpha = k/(k−1) · (1 − tr(C)/ΣC)``; CI bounds ``1 − (1 − alpha)·F`` with the F
    quantiles on ``(n − 1, (n − 1)(k − 1))`` degrees of freedom. Matches
    ``psych::alpha(x)$total$raw_alpha``.

    References
    ----------
    Cronbach LJ. Psychometrika 1951;16:297–334. Feldt LS, Woodruff DJ, Salih FA. Statistical
    inference for coefficient alpha. Appl Psychol Meas 1987;11:93–103.

    Examples
    --------
    >>> x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [2, 2, 3]])
    >>> r = cronbach_alpha(x)
    >>> round(r["alpha"], 4), r["n_complete"]
    (0.9355, 5)
    """
    X = _complete(items)
    n, k = X.shape
    out = {"n_items": k, "n_complete": n, "alpha": np.nan, "alpha_ci_low": np.nan,
           "alpha_ci_high": np.nan, "ci_level": ci_level}
    if k < 2 or n < 3:
        return out
    C = np.cov(X, rowvar=False)
    total = C.sum()
    if not total > 0:
        return out
    alpha = k / (k - 1) * (1 - np.trace(C) / total)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - ci_level) / 2
    out.update(
        alpha=float(alpha),
        alpha_ci_low=float(1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)),
        alpha_ci_high=float(1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)),
    )
    return out


def one_factor_minres(R: np.ndarray) -> tuple[np.ndarray, bool]:
    """Loadings of a one-factor minres fit to a correlation matrix.

    Minimises ``Σ_{i<j} (r_ij − λ_i λ_j)²`` (scipy ``least_squares``), started from the
    first principal component; the sign is chosen so that ``Σλ ≥ 0``.

    Returns
    -------
    loadings : ndarray
    heywood : bool
        ``True`` if some ``λ² > 1``.

    Examples
    --------
    >>> lam = np.array([0.8, 0.7, 0.6, 0.5])
    >>> R = np.outer(lam, lam); np.fill_diagonal(R, 1)
    >>> est, heywood = one_factor_minres(R)
    >>> np.round(est, 6).tolist(), heywood
    ([0.8, 0.7, 0.6, 0.5], False)
    """
    k = R.shape[0]
    iu = np.triu_indices(k, 1)
    vals, vecs = np.linalg.eigh(R)
    start = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-12))

    def resid(lam):
        return (R - np.outer(lam, lam))[iu]

    lam = optimize.least_squares(resid, start, xtol=1e-14, ftol=1e-14, gtol=1e-14).x
    if lam.sum() < 0:
        lam = -lam
    return lam, bool((lam**2 > 1).any())


def omega_total(items) -> dict:
    """McDonald's omega total from a one-factor minres model (see module notes).

    Parameters
    ----------
    items : DataFrame or array of shape (n, k)
        Item scores, reverse-keyed already; rows with missing values are dropped.

    Returns
    -------
    dict
        ``omega_total`` (``NaN`` with fewer than 3 items or 4 complete rows, or a constant
        item) and ``heywood`` (bool).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(500, 1))
    >>> x = f @ np.array([[0.8, 0.7, 0.6, 0.5]]) + rng.normal(size=(500, 4)) * 0.6
    >>> 0.7 < omega_total(x)["omega_total"] < 0.9
    True
    """
    X = _complete(items)
    n, k = X.shape
    if k < 3 or n < 4 or (X.std(axis=0) == 0).any():
        return {"omega_total": np.nan, "heywood": False}
    R = np.corrcoef(X, rowvar=False)
    lam, heywood = one_factor_minres(R)
    psi = np.clip(1 - lam**2, 0, None)
    return {"omega_total": float(1 - psi.sum() / R.sum()), "heywood": heywood}


def _scale_reliability(instrument: str, scale: str, X: np.ndarray, ci_level: float) -> dict:
    """One tidy row: alpha, its CI and omega total for one scale."""
    a = cronbach_alpha(X, ci_level)
    o = omega_total(X)
    method = METHOD + ("; Heywood case in the factor model (uniqueness set to 0)" if o["heywood"] else "")
    return {"instrument": instrument, "scale": scale, **a, "omega_total": o["omega_total"], "method": method}


COLUMNS = ["instrument", "scale", "n_items", "n_complete", "alpha", "alpha_ci_low", "alpha_ci_high",
           "ci_level", "omega_total", "method"]


def _frame(rows: list[dict]) -> pd.DataFrame:
    """Rows → DataFrame with the fixed column order."""
    return pd.DataFrame(rows, columns=COLUMNS)
