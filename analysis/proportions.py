"""Confidence intervals for proportions (statsmodels' Wilson interval with R's endpoints)."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.proportion import proportion_confint

__all__ = ["wilson_ci"]


def wilson_ci(x, n, ci_level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion x / n.

    Parameters
    ----------
    x : int or array_like of int
        Number of "successes".
    n : int or array_like of int
        Number of trials (NaN limits where n == 0).
    ci_level : float, default 0.95
        Confidence level.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits (float arrays; 0-d for scalar input).

    Notes
    -----
    With p = x / n and z the 1 - alpha/2 normal quantile, the limits are
    (p + z^2/(2n) -/+ z sqrt(p(1 - p)/n + z^2/(4n^2))) / (1 + z^2/n), clipped to
    [0, 1] (statsmodels' ``proportion_confint(method="wilson")``) — the interval of R's ``prop.test(x, n, correct = FALSE)`` and
    ``binom::binom.confint(method = "wilson")``. As in R, the lower limit is exactly
    0 when x = 0 and the upper limit exactly 1 when x = n (the formula alone is off
    by rounding there), so ``ci_low <= p <= ci_high`` always holds.

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and statistical
    inference. J Am Stat Assoc 22:209–212. doi:10.1080/01621459.1927.10502953

    Examples
    --------
    >>> lo, hi = wilson_ci(3, 20)
    >>> float(lo), float(hi)
    (0.052368..., 0.360418...)
    >>> [float(v) for v in wilson_ci([0, 7], [7, 7])[0]], [float(v) for v in wilson_ci([0, 7], [7, 7])[1]]
    ([0.0, 0.645669...], [0.354330..., 1.0])
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        lo, hi = (np.asarray(v, dtype=float) for v in
                  proportion_confint(x, n, alpha=1 - ci_level, method="wilson"))
        lo, hi = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
        # at 0 % and 100 % the formula's bound equals the share only up to rounding (a few
        # 1e-18 on the wrong side); R sets it exactly, and the interval must contain p
        lo = np.where(x <= 0, 0.0, np.minimum(lo, p))
        hi = np.where(x >= n, 1.0, np.maximum(hi, p))
    lo = np.where(n > 0, lo, np.nan)
    hi = np.where(n > 0, hi, np.nan)
    return lo, hi
