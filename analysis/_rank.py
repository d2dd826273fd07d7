"""Internal: Wilcoxon signed-rank machinery reproducing R's ``wilcox.test``.

Ports of R 4.2 ``stats:::wilcox.test.default`` (one-sample / paired branch), of
``psignrank``/``qsignrank`` and of the Brent root finder ``R_zeroin2`` behind
``uniroot``, so that the Hodges–Lehmann estimate and its confidence interval come out
as R computes them, including R's ``uniroot(tol = 1e-4)`` in the normal-approximation
case.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import stats

_DBL_EPSILON = np.finfo(float).eps


@lru_cache(maxsize=128)
def _signrank_pmf(n: int) -> np.ndarray:
    """P(V = v), v = 0..n(n+1)/2, for the signed-rank statistic with n untied ranks."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    top = 0
    for k in range(1, n + 1):
        # add rank k: counts[v] += counts[v - k]   (descending to use old values)
        counts[k : top + k + 1] = counts[k : top + k + 1] + counts[0 : top + 1].copy()
        top += k
    return counts / 2.0**n


def psignrank(q: float, n: int, lower_tail: bool = True) -> float:
    """P(V <= q) (or P(V > q) if not ``lower_tail``) as R's ``psignrank(q, n)``."""
    q = int(round(q + 1e-7))
    pmf = _signrank_pmf(n)
    if q < 0:
        return 0.0 if lower_tail else 1.0
    if q >= pmf.size - 1:
        return 1.0 if lower_tail else 0.0
    return float(pmf[: q + 1].sum() if lower_tail else pmf[q + 1 :].sum())


def qsignrank(p: float, n: int) -> int:
    """Smallest q with P(V <= q) >= p, as R's ``qsignrank(p, n)`` (C code, with fuzz)."""
    pmf = _signrank_pmf(n)
    c = n * (n + 1) // 2
    acc = 0.0
    q = 0
    if p <= 0.5:
        x = p - 10 * _DBL_EPSILON
        while True:
            acc += pmf[q]
            if acc >= x:
                break
            q += 1
    else:
        x = 1 - p + 10 * _DBL_EPSILON
        while True:
            acc += pmf[q]
            if acc > x:
                q = c - q
                break
            q += 1
    return q


def zeroin(f, ax: float, bx: float, fa: float, fb: float, tol: float, maxit: int = 1000) -> float:
    """Brent's root finder, a line-by-line port of R's ``R_zeroin2`` (``uniroot``)."""
    a, b = ax, bx
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    it = maxit + 1
    while it:
        it -= 1
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _DBL_EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


def _tie_term(ranks: np.ndarray) -> float:
    _, t = np.unique(ranks, return_counts=True)
    return float(np.sum(t.astype(float) ** 3 - t))


def signed_rank(d: np.ndarray, conf_level: float = 0.95) -> dict:
    """R's ``wilcox.test(d, conf.int = TRUE)`` for differences ``d`` (two-sided, mu = 0).

    Returns a dict with statistic (V), p_value, estimate, ci_low, ci_high, ci_level,
    n_nonzero, exact and method (R's METHOD string).
    """
    d = np.asarray(d, dtype=float)
    d = d[~np.isnan(d)]
    zeroes = bool(np.any(d == 0))
    x = d[d != 0]
    n = x.size
    out = {
        "statistic": np.nan,
        "p_value": np.nan,
        "estimate": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "ci_level": conf_level,
        "n_nonzero": n,
        "exact": False,
        "method": "Wilcoxon signed rank test with continuity correction",
    }
    if d.size == 0:  # R stops: not enough observations
        return out
    r = stats.rankdata(np.abs(x))
    V = float(r[x > 0].sum())
    out["statistic"] = V
    if n == 0:
        return out
    ties = np.unique(r).size != r.size
    alpha = 1 - conf_level
    if n < 50 and not ties and not zeroes:
        out["exact"] = True
        out["method"] = "Wilcoxon signed rank exact test"
        if V > n * (n + 1) / 4:
            p = psignrank(V - 1, n, lower_tail=False)
        else:
            p = psignrank(V, n)
        out["p_value"] = min(2 * p, 1.0)
        walsh = np.add.outer(x, x)[np.triu_indices(n)]
        walsh = np.sort(walsh) / 2
        qu = qsignrank(alpha / 2, n)
        if qu == 0:
            qu = 1
        ql = n * (n + 1) // 2 - qu
        achieved = 2 * psignrank(qu - 1, n)
        out["ci_low"], out["ci_high"] = float(walsh[qu - 1]), float(walsh[ql])
        if achieved - alpha > alpha / 2:
            out["ci_level"] = 1 - float(f"{achieved:.2g}")
        out["estimate"] = float(np.median(walsh))
        return out

    # normal approximation with tie and continuity correction
    z = V - n * (n + 1) / 4
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - _tie_term(r) / 48)
    z = (z - np.sign(z) * 0.5) / sigma if sigma > 0 else np.nan
    out["p_value"] = float(min(2 * stats.norm.sf(abs(z)), 1.0)) if np.isfinite(z) else np.nan

    def W(dd: float, correct: bool) -> float:
        xd = x - dd
        xd = xd[xd != 0]
        nx = xd.size
        dr = stats.rankdata(np.abs(xd))
        zd = dr[xd > 0].sum() - nx * (nx + 1) / 4
        s = math.sqrt(nx * (nx + 1) * (2 * nx + 1) / 24 - _tie_term(dr) / 48)
        if s == 0:
            raise ZeroDivisionError("all observations zero or tied")
        corr = np.sign(zd) * 0.5 if correct else 0.0
        return float((zd - corr) / s)

    mumin, mumax = float(x.min()), float(x.max())
    try:
        wmin, wmax = W(mumin, True), W(mumax, True)
    except ZeroDivisionError:
        out["estimate"] = (mumin + mumax) / 2
        return out
    level = conf_level
    while True:
        mindiff = wmin - stats.norm.isf(alpha / 2)
        maxdiff = wmax - stats.norm.ppf(alpha / 2)
        if mindiff < 0 or maxdiff > 0:
            alpha *= 2
        else:
            break
    if alpha >= 1 or 1 - conf_level < alpha * 0.75:
        level = 1 - min(1.0, alpha)
    if alpha < 1:

        def root(zq: float) -> float:
            return zeroin(lambda t: W(t, True) - zq, mumin, mumax, wmin - zq, wmax - zq, 1e-4)

        out["ci_low"] = root(stats.norm.isf(alpha / 2))
        out["ci_high"] = root(stats.norm.ppf(alpha / 2))
    else:
        out["ci_low"] = out["ci_high"] = float(np.median(x))
    out["ci_level"] = level
    f0, f1 = W(mumin, False), W(mumax, False)
    if np.sign(f0) * np.sign(f1) <= 0:
        out["estimate"] = zeroin(lambda t: W(t, False), mumin, mumax, f0, f1, 1e-4)
    return out
