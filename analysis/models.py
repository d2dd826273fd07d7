"""Linear mixed model with a random intercept per participant (all observed rows).

``y ~ wave [+ covariates] + (1 | participant_id)`` fitted by REML, reported as three
tidy frames (terms, glance, augment) with lmerTest-compatible Satterthwaite degrees
of freedom. Using every observed row (not only complete pairs) is the model-based
complement to :mod:`analysis.prepost`: under missing-at-random it uses the
participants seen at one wave only, too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis import _panel
from analysis.tidy import as_tidy, not_estimable

__all__ = [
    "TERM_COLUMNS", "GLANCE_COLUMNS", "AUGMENT_COLUMNS", "MEANS_COLUMNS", "CONTRAST_COLUMNS",
    "mixed", "estimated_means", "wave_contrast",
]  # fmt: skip

TERM_COLUMNS = (
    "outcome", "term", "estimate", "std_error", "statistic", "df", "p_value",
    "ci_low", "ci_high", "ci_level", "method", "note",
)  # fmt: skip
GLANCE_COLUMNS = (
    "outcome", "n_obs", "n_groups", "method", "converged", "log_lik", "aic",
    "var_participant", "var_residual", "note",
)  # fmt: skip
AUGMENT_COLUMNS = ("outcome", "wave", "observed", "fitted", "fitted_fixed", "residual")
MEANS_COLUMNS = (
    "outcome", "wave", "n", "estimate", "std_error", "df", "ci_low", "ci_high", "ci_level", "method", "note",
)  # fmt: skip

_METHOD = "LMM random intercept per participant, REML; t-tests with Satterthwaite df (as lmerTest)"


# --------------------------------------------------------------------------- design
def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype)


def _factor_levels(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.dropna().unique())
        return [c for c in s.cat.categories if c in present]
    return sorted(s.dropna().unique().tolist())


def _design(frame: pd.DataFrame, fixed: str, covariates: Sequence[str]):
    """Treatment-coded design matrix with R-style column names."""
    cols = {"(Intercept)": np.ones(len(frame))}
    levels = _factor_levels(frame[fixed])
    for lev in levels[1:]:
        cols[f"{fixed}{lev}"] = (frame[fixed] == lev).to_numpy(dtype=float)
    for cov in covariates:
        s = frame[cov]
        if pd.api.types.is_bool_dtype(s.dtype):
            cols[f"{cov}TRUE"] = s.to_numpy(dtype=float)
        elif _is_numeric(s):
            cols[cov] = s.to_numpy(dtype=float)
        else:
            for lev in _factor_levels(s)[1:]:
                cols[f"{cov}{lev}"] = (s == lev).to_numpy(dtype=float)
    X = np.column_stack(list(cols.values()))
    return X, list(cols), levels


def _term_names(panel: pd.DataFrame, fixed: str, covariates: Sequence[str]) -> tuple[list[str], list]:
    """Term names and levels of the fixed effect from every row of ``panel`` (for the rows
    of a model that could not be fitted, e.g. because the outcome was never observed)."""
    levels = _factor_levels(panel[fixed])
    names = ["(Intercept)", *(f"{fixed}{lev}" for lev in levels[1:])]
    for cov in covariates:
        s = panel[cov]
        if pd.api.types.is_bool_dtype(s.dtype):
            names.append(f"{cov}TRUE")
        elif _is_numeric(s):
            names.append(cov)
        else:
            names += [f"{cov}{lev}" for lev in _factor_levels(s)[1:]]
    return names, levels


# ------------------------------------------------------------------ the estimator
class _RandomIntercept:
    """REML for y = X b + u_g + e with u_g ~ N(0, s2u), e ~ N(0, s2e).

    Works with group sums only (V is block diagonal with compound-symmetry blocks),
    so memory and time grow linearly in the number of rows.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray):
        self.X, self.y = X, y
        self.g, _ = pd.factorize(groups)
        self.q = int(self.g.max()) + 1
        self.n, self.p = X.shape
        self.ng = np.bincount(self.g, minlength=self.q).astype(float)

    def zsum(self, M: np.ndarray) -> np.ndarray:
        """Z'M: per-group column sums."""
        if M.ndim == 1:
            return np.bincount(self.g, weights=M, minlength=self.q)
        return np.vstack([np.bincount(self.g, weights=M[:, j], minlength=self.q) for j in range(M.shape[1])]).T

    def hinv(self, M: np.ndarray, gamma: float, k: int = 1) -> np.ndarray:
        """H^{-k} M with H = I + gamma Z Z'."""
        c = ((1 + gamma * self.ng) ** (-k) - 1) / self.ng
        zm = self.zsum(M)
        return M + (c[:, None] * zm)[self.g] if M.ndim > 1 else M + (c * zm)[self.g]

    def profile(self, gamma: float) -> tuple[float, dict]:
        """-2 x profiled REML log-likelihood at variance ratio gamma = s2u / s2e."""
        X, y, n, p = self.X, self.y, self.n, self.p
        HX = self.hinv(X, gamma)
        XtHX = X.T @ HX
        beta = np.linalg.solve(XtHX, HX.T @ y)
        r = y - X @ beta
        rss = float(r @ self.hinv(r, gamma))
        s2e = rss / (n - p)
        logdet_h = float(np.sum(np.log1p(gamma * self.ng)))
        logdet_x = float(np.linalg.slogdet(XtHX)[1])
        dev = logdet_h + logdet_x + (n - p) * (1 + math.log(2 * math.pi * s2e))
        return dev, {"beta": beta, "s2e": s2e, "s2u": gamma * s2e, "gamma": gamma}

    def dprofile(self, gamma: float) -> float:
        """d(-2 profiled REML log-likelihood) / d gamma, analytically:
        tr(H^-1 ZZ') - tr((X'H^-1X)^-1 X'H^-1ZZ'H^-1X) - (n - p) ||Z'H^-1 r||^2 / r'H^-1 r."""
        X, y = self.X, self.y
        HX = self.hinv(X, gamma)
        C = np.linalg.inv(X.T @ HX)
        r = y - X @ (C @ (HX.T @ y))
        Hr = self.hinv(r, gamma)
        ZHX, ZHr = self.zsum(HX), self.zsum(Hr)
        return float(np.sum(self.ng / (1 + gamma * self.ng)) - np.sum(C * (ZHX.T @ ZHX))
                     - (self.n - self.p) * (ZHr @ ZHr) / (r @ Hr))

    def fit(self, gamma0: float) -> dict:
        """Maximise the profiled REML likelihood over u = log(gamma), from gamma0.

        The optimum is the zero of the analytic derivative :meth:`dprofile` where it
        turns from negative to positive: bracketed by stepping out from u0 and found by
        Brent's root finder to full precision (about ten likelihood-sized evaluations;
        the result does not depend on the start value). If no such bracket exists
        within |u| <= 30, Brent's minimisation of the deviance decides; either way the
        boundary gamma = 0 is compared at the end.
        """
        u0 = math.log(max(gamma0, 1e-4))
        g = lambda v: self.dprofile(math.exp(v))  # noqa: E731
        lo, hi, step = u0 - 0.25, u0 + 0.25, 0.5
        glo, ghi = g(lo), g(hi)
        while np.isfinite(glo) and glo > 0 and lo > -30:  # optimum further left
            hi, ghi = lo, glo
            lo -= step
            step *= 2
            glo = g(lo)
        while np.isfinite(ghi) and ghi < 0 and hi < 30:  # optimum further right
            lo, glo = hi, ghi
            hi += step
            step *= 2
            ghi = g(hi)
        if np.isfinite(glo) and np.isfinite(ghi) and glo < 0 < ghi:
            u = optimize.brentq(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
        else:
            f = lambda v: self.profile(math.exp(v))[0]  # noqa: E731
            u = float(optimize.minimize_scalar(f, bracket=(u0 - 0.5, u0 + 0.5), method="brent", tol=1e-12).x)
        dev, est = self.profile(math.exp(u))
        dev0, est0 = self.profile(0.0)
        if dev0 <= dev or u < -30:  # optimum on the boundary: no between-participant variance
            dev, est = dev0, est0
        est["deviance"] = dev
        est["optimizer_ok"] = bool(np.isfinite(dev))
        return est

    def parts(self, s2u: float, s2e: float) -> dict:
        """Fixed-effect covariance, its derivatives, REML score and observed information.

        Parameters are theta = (s2u, s2e); V = s2u ZZ' + s2e I; P = V^-1 - V^-1 X C X' V^-1,
        C = (X' V^-1 X)^-1, e = P y. Score_i = -tr(P V_i)/2 + e' V_i e / 2 and observed
        information I_ij = -tr(P V_i P V_j)/2 + e' V_i P V_j e (V_ij = 0).
        """
        X, y, g = self.X, self.y, self.g
        gamma = s2u / s2e
        d1 = 1 / (1 + gamma * self.ng)  # eigenvalue factor of H_g^{-1} along 1
        vinv = lambda M, k=1: self.hinv(M, gamma, k) / s2e**k  # noqa: E731
        A = vinv(X)
        C = np.linalg.inv(X.T @ A)
        beta = C @ (A.T @ y)
        e = vinv(y - X @ beta)
        ZA = self.zsum(A)  # Z'V^-1 X (q x p)
        Ze = self.zsum(e)  # Z'Py
        AtA = A.T @ A
        M = ZA.T @ ZA  # X'V^-1 Z Z'V^-1 X (p x p)
        # Z'PZ = D - ZA C ZA' (q x q) and PZ = E - A C ZA' (n x q, E[i, g_i] = d1_g / s2e)
        # are never formed: only their traces and norms are needed, by the identities below
        # (memory and time linear in the number of rows, not quadratic in participants).
        D = self.ng * d1 / s2e
        ZAC = ZA @ C
        h = np.einsum("gj,gj->g", ZAC, ZA)  # diagonal of ZA C ZA'
        CM = C @ M
        CAtA = C @ AtA
        tr_ZPZ = float(D.sum() - np.trace(CM))
        ss_ZPZ = float(D @ D - 2 * D @ h + np.sum(CM * CM.T))  # ||Z'PZ||_F^2
        ed = d1[g] / s2e  # E's non-zero entry of each row
        acz = np.einsum("ij,ij->i", A @ C, ZA[g])  # (A C ZA')[i, g_i]
        ss_PZ = float(ed @ ed - 2 * ed @ acz + np.sum(CAtA * CM.T))  # ||PZ||_F^2 = tr(C A'A C M) + ...
        tr_vinv = float(np.sum(self.ng - 1 + d1)) / s2e
        tr_vinv2 = float(np.sum(self.ng - 1 + d1**2)) / s2e**2
        AtVA = A.T @ vinv(A)  # X'V^-3X
        tr_P = tr_vinv - float(np.trace(CAtA))
        tr_PP = tr_vinv2 - 2 * float(np.trace(C @ AtVA)) + float(np.trace(CAtA @ CAtA))
        Ae = A.T @ e
        ePe = float(e @ vinv(e)) - float(Ae @ C @ Ae)
        ZPe = self.zsum(vinv(e)) - ZA @ (C @ Ae)
        ZAe = ZA.T @ Ze
        ZePZZe = float(D @ (Ze * Ze) - ZAe @ C @ ZAe)  # Ze' Z'PZ Ze
        score = np.array([-tr_ZPZ / 2 + Ze @ Ze / 2, -tr_P / 2 + e @ e / 2])
        info = np.empty((2, 2))
        info[0, 0] = -ss_ZPZ / 2 + ZePZZe
        info[0, 1] = info[1, 0] = -ss_PZ / 2 + Ze @ ZPe
        info[1, 1] = -tr_PP / 2 + ePe
        dC = [CM @ C, CAtA @ C]
        return {"beta": beta, "C": C, "dC": dC, "score": score, "info": info, "e": e}

    def moment_start(self) -> float:
        """Variance ratio s2u / s2e by the method of moments (ANOVA on OLS residuals):
        a cheap, linear-time starting value for the REML optimisation."""
        if self.q >= self.n or self.q < 2:
            return 1.0
        beta, *_ = np.linalg.lstsq(self.X, self.y, rcond=None)
        r = self.y - self.X @ beta
        mean_g = self.zsum(r) / self.ng
        ssw = float(np.sum((r - mean_g[self.g]) ** 2))
        ssb = float(np.sum(self.ng * (mean_g - r.mean()) ** 2))
        s2e = ssw / (self.n - self.q)
        n0 = (self.n - float(np.sum(self.ng**2)) / self.n) / (self.q - 1)
        s2u = (ssb / (self.q - 1) - s2e) / n0 if n0 > 0 else 0.0
        return max(s2u / s2e, 1e-3) if s2e > 0 else 1.0


def _satterthwaite(L: np.ndarray, parts: dict, boundary: bool) -> tuple[float, float]:
    """Variance of L beta and its Satterthwaite df (lmerTest's formula).

    df = 2 (L C L')^2 / (g' A g), g_i = L dC/dtheta_i L', A = inverse observed REML
    information of theta = (s2u, s2e). The df is invariant to how theta is
    parameterised at an interior optimum, so this equals lmerTest's computation in
    its (theta, sigma) parameterisation up to lmerTest's numerical differentiation.
    """
    C, dC, info = parts["C"], parts["dC"], parts["info"]
    var = float(L @ C @ L)
    grad = np.array([float(L @ dCi @ L) for dCi in dC])
    if boundary:
        denom = grad[1] ** 2 / info[1, 1]
    else:
        denom = float(grad @ np.linalg.solve(info, grad))
    return var, 2 * var**2 / denom if denom > 0 else np.nan


def _why_not_estimable(X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> str | None:
    """The reason (a key of :data:`analysis.tidy.REASONS`) why the random-intercept model
    cannot be fitted to these rows, or None. lme4 refuses the same cases: one grouping
    level, or as many levels as observations."""
    n, p = X.shape
    q = len(pd.unique(groups))
    if np.linalg.matrix_rank(X) < p:
        return "collinear"
    if q < 2:
        return "one_participant"
    if n <= p:
        return "few_observations"
    if q >= n:
        return "single_observations"
    # no residual variance: y is fitted exactly by the fixed effects plus one level per
    # participant (all values equal, or every change the same); the within-participant
    # regression shows it in linear time
    g, _ = pd.factorize(groups)
    counts = np.bincount(g).astype(float)
    within = lambda M: M - (np.vstack([np.bincount(g, weights=M[:, j]) for j in range(M.shape[1])]).T  # noqa: E731
                            / counts[:, None])[g]
    yw = within(y[:, None])[:, 0]
    Xw = within(X)
    beta, *_ = np.linalg.lstsq(Xw, yw, rcond=None)
    if np.allclose(Xw @ beta, yw, rtol=0, atol=1e-10 * max(1.0, float(np.abs(y).max()))):
        return "no_variation"
    return None


def _fit(panel: pd.DataFrame, outcome: str, fixed: str, covariates: Sequence[str]) -> dict:
    """Fit the model, or return ``{"reason": ...}`` (with ``frame``, ``names``,
    ``levels``, ``n``, ``q``) when the data cannot support it."""
    covariates = list(covariates)
    _panel.check_panel(panel, [outcome, fixed, *covariates])
    frame = panel.dropna(subset=[outcome, fixed, *covariates]).reset_index(drop=True)
    if frame.empty:
        names, levels = _term_names(panel, fixed, covariates)
        return {"frame": frame, "names": names, "levels": levels, "n": 0, "q": 0, "reason": "no_observations"}
    X, names, levels = _design(frame, fixed, covariates)
    y = frame[outcome].to_numpy(dtype=float)
    groups = frame[_panel.ID].to_numpy()
    reason = _why_not_estimable(X, y, groups)
    if reason is None:
        model = _RandomIntercept(X, y, groups)
        # start from the ANOVA (moment) estimate of the variance ratio: linear in the rows,
        # whereas fitting statsmodels' MixedLM first cost minutes at 100,000 participants
        # (Python loop over groups); Brent's method then maximises the REML likelihood
        gamma0 = model.moment_start()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            try:
                est = model.fit(gamma0 if np.isfinite(gamma0) else 1.0)
                if not (np.isfinite(est["deviance"]) and est["s2e"] > 0):
                    raise np.linalg.LinAlgError("no residual variance")
                boundary = est["s2u"] <= 0
                parts = model.parts(max(est["s2u"], 0.0), est["s2e"])
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
                reason = "no_variation"  # numerically no residual variance left
    if reason is not None:
        return {"frame": frame, "names": names, "levels": levels, "n": len(frame),
                "q": len(pd.unique(groups)), "reason": reason}
    rel_score = np.abs(parts["score"]) * np.array([max(est["s2u"], 1e-12), est["s2e"]])
    converged = bool(est["optimizer_ok"] and (boundary or np.all(rel_score < 1e-4 * model.n)))
    return {
        "frame": frame, "X": X, "names": names, "levels": levels, "model": model, "est": est,
        "parts": parts, "boundary": boundary, "converged": converged, "n": model.n, "q": model.q,
        "reason": None,
    }  # fmt: skip


def mixed(
    panel: pd.DataFrame,
    outcome: str,
    fixed: str = "wave",
    covariates: Sequence[str] = (),
    ci_level: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Random-intercept linear mixed model of ``outcome`` on wave, REML.

    Fits ``outcome ~ fixed + covariates + (1 | participant_id)`` on every row with
    ``outcome``, ``fixed`` and the covariates observed, as
    ``lmerTest::lmer(..., REML = TRUE)``.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel: ``participant_id``, ``wave``, the outcome and covariates.
    outcome : str
        Outcome column (numeric).
    fixed : str, default "wave"
        Categorical fixed effect, treatment-coded against its first level
        (categorical order, else sorted: T0 is the reference).
    covariates : sequence of str, default ()
        Extra fixed effects: numeric columns enter linearly, others are
        treatment-coded (first level reference), named as R names them.
    ci_level : float, default 0.95
        Confidence level of the term intervals.

    Returns
    -------
    terms : pandas.DataFrame
        One row per fixed-effect term: ``outcome, term, estimate, std_error,
        statistic, df, p_value, ci_low, ci_high, ci_level, method, note``; terms are named
        as R names them (``(Intercept)``, ``waveT1``, ``waveT2``); ``statistic`` is
        t = estimate / std_error; ``df`` the Satterthwaite df; ``p_value`` two-sided
        from t(df); the CI is estimate +/- t_(df) std_error.
    glance : pandas.DataFrame
        One row: ``outcome, n_obs, n_groups, method, converged, log_lik, aic,
        var_participant, var_residual, note``; ``log_lik`` is the REML log-likelihood and
        ``aic`` = -2 log_lik + 2 (p + 2), both as lme4 reports them.
    augment : pandas.DataFrame
        One row per observation used, in panel order: ``outcome, wave, observed,
        fitted, fitted_fixed, residual`` (``fitted`` includes the participant's
        predicted random intercept, as lme4's ``fitted()``; ``residual`` =
        observed - fitted). Participant IDs are deliberately not exported.

    Notes
    -----
    Estimation: the variance ratio gamma = var_participant / var_residual
    maximises the profiled REML likelihood (one-dimensional, Brent's method
    started from the ANOVA moment estimate); fixed effects are then GLS
    estimates and their covariance (X'V^-1X)^-1, exactly lme4's quantities (the
    standard errors statsmodels' ``MixedLM`` prints differ: they come from the
    joint Hessian). Every step works on per-participant sums, so time and memory
    grow linearly with the number of rows (a fit on 200,000 rows takes about a
    second).
    Inference: t-tests with Satterthwaite degrees of freedom computed as lmerTest
    does — df = 2 (L C L')^2 / (g' A g) with C the fixed-effect covariance, g its
    gradient in the variance parameters and A the inverse observed REML
    information — but with exact analytic derivatives instead of lmerTest's
    numerical ones. ``converged`` is True when the REML score at the solution is
    numerically zero (or the solution is on the boundary var_participant = 0,
    where only var_residual is treated as estimated in the df).

    Data that cannot support the model give rows, not errors: every term (and the
    glance row) with NaN statistics, ``converged`` False, an empty augment frame and
    ``note`` "not estimable: <reason>" -- no observed rows ("no observations"),
    collinear or constant regressors, fewer than 2 participants or every
    participant observed once (lme4 refuses both), no more rows than fixed effects,
    or no residual variation (all values equal, or fitted exactly). Otherwise
    ``note`` is empty.

    References
    ----------
    Bates D, Mächler M, Bolker B, Walker S (2015). Fitting linear mixed-effects
    models using lme4. J Stat Softw 67(1). doi:10.18637/jss.v067.i01
    Kuznetsova A, Brockhoff PB, Christensen RHB (2017). lmerTest package: tests in
    linear mixed effects models. J Stat Softw 82(13). doi:10.18637/jss.v082.i13

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "participant_id": list("abcdef") * 2 + list("abc"),
    ...     "wave": ["T0"] * 6 + ["T1"] * 6 + ["T2"] * 3,
    ...     "who5": [40, 52, 60, 36, 48, 64, 48, 56, 60, 44, 60, 68, 52, 60, 64],
    ... })
    >>> terms, glance, augment = mixed(panel, "who5")
    >>> terms[["term", "estimate", "std_error"]]
              term   estimate  std_error
    0  (Intercept)  50.000000   3.948646
    1       waveT1   6.000000   1.533814
    2       waveT2   8.986933   2.023356
    >>> glance[["n_obs", "n_groups"]]
       n_obs  n_groups
    0     15         6
    >>> list(augment.columns)
    ['outcome', 'wave', 'observed', 'fitted', 'fitted_fixed', 'residual']
    """
    fit = _fit(panel, outcome, fixed, covariates)
    if fit["reason"] is not None:
        note = not_estimable(fit["reason"])
        terms = as_tidy([{"outcome": outcome, "term": name, "ci_level": ci_level, "method": _METHOD, "note": note}
                         for name in fit["names"]], TERM_COLUMNS)
        glance = as_tidy([{"outcome": outcome, "n_obs": fit["n"], "n_groups": fit["q"], "method": _METHOD,
                           "converged": False, "note": note}], GLANCE_COLUMNS)
        return terms, glance, as_tidy([], AUGMENT_COLUMNS)
    est, parts, X = fit["est"], fit["parts"], fit["X"]
    beta = parts["beta"]
    q = lambda df: stats.t.ppf(1 - (1 - ci_level) / 2, df)  # noqa: E731
    rows = []
    for k, name in enumerate(fit["names"]):
        L = np.zeros(X.shape[1])
        L[k] = 1.0
        var, df = _satterthwaite(L, parts, fit["boundary"])
        se = math.sqrt(var) if var > 0 else np.nan
        t = beta[k] / se
        rows.append({
            "outcome": outcome, "term": name, "estimate": float(beta[k]), "std_error": se,
            "statistic": float(t), "df": df, "p_value": float(2 * stats.t.sf(abs(t), df)),
            "ci_low": float(beta[k] - q(df) * se), "ci_high": float(beta[k] + q(df) * se),
            "ci_level": ci_level, "method": _METHOD, "note": "",
        })  # fmt: skip
    terms = as_tidy(rows, TERM_COLUMNS)
    model = fit["model"]
    log_lik = -est["deviance"] / 2
    glance = as_tidy(
        [{
            "outcome": outcome, "n_obs": model.n, "n_groups": model.q, "method": _METHOD,
            "converged": fit["converged"], "log_lik": log_lik,
            "aic": -2 * log_lik + 2 * (model.p + 2),
            "var_participant": float(est["s2u"]), "var_residual": float(est["s2e"]), "note": "",
        }],
        GLANCE_COLUMNS,
    )  # fmt: skip
    frame = fit["frame"]
    fixed_fit = X @ beta
    resid_fixed = model.y - fixed_fit
    w = est["gamma"] / (1 + est["gamma"] * model.ng)
    blup = w * model.zsum(resid_fixed)
    fitted = fixed_fit + blup[model.g]
    augment = pd.DataFrame({
        "outcome": outcome, "wave": frame[fixed].to_numpy(), "observed": model.y,
        "fitted": fitted, "fitted_fixed": fixed_fit, "residual": model.y - fitted,
    })  # fmt: skip
    return terms, glance, as_tidy(augment, AUGMENT_COLUMNS)


def estimated_means(
    panel: pd.DataFrame,
    outcome: str,
    fixed: str = "wave",
    covariates: Sequence[str] = (),
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Model-estimated mean of ``outcome`` at each wave, with Satterthwaite CIs.

    Parameters
    ----------
    panel, outcome, fixed, covariates, ci_level
        As for :func:`mixed`.

    Returns
    -------
    pandas.DataFrame
        One row per level of ``fixed`` (the wave): ``outcome, wave, n, estimate,
        std_error, df, ci_low, ci_high, ci_level, method, note``; ``n`` is the number
        of observations at that wave; the CI is estimate +/- t_(df) std_error with df
        by Satterthwaite. When the model cannot be fitted (see :func:`mixed`) every
        wave's row has NaN estimates and ``note`` "not estimable: <reason>".

    Notes
    -----
    Each mean is L beta with L selecting the intercept plus the wave's dummy and
    the covariate columns held at their sample means over the rows used (for a
    categorical covariate: the observed shares of its levels). Without covariates
    these equal ``emmeans::emmeans(fit, ~ wave)`` with Satterthwaite df. They are
    the natural points and error bars for a figure of change over waves.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "participant_id": list("abcdef") * 2 + list("abc"),
    ...     "wave": ["T0"] * 6 + ["T1"] * 6 + ["T2"] * 3,
    ...     "who5": [40, 52, 60, 36, 48, 64, 48, 56, 60, 44, 60, 68, 52, 60, 64],
    ... })
    >>> estimated_means(panel, "who5")[["wave", "n", "estimate"]]
      wave  n   estimate
    0   T0  6  50.000000
    1   T1  6  56.000000
    2   T2  3  58.986933
    """
    fit = _fit(panel, outcome, fixed, covariates)
    frame = fit["frame"]
    if fit["reason"] is not None:
        note = not_estimable(fit["reason"])
        return as_tidy([{"outcome": outcome, "wave": lev, "n": int((frame[fixed] == lev).sum()) if len(frame) else 0,
                         "ci_level": ci_level, "note": note,
                         "method": "Estimated marginal mean from the random-intercept LMM (REML), Satterthwaite df"}
                        for lev in fit["levels"]], MEANS_COLUMNS)
    X, names, levels, parts = fit["X"], fit["names"], fit["levels"], fit["parts"]
    centre = X.mean(axis=0)
    q = lambda df: stats.t.ppf(1 - (1 - ci_level) / 2, df)  # noqa: E731
    rows = []
    for j, lev in enumerate(levels):
        L = centre.copy()
        L[0] = 1.0
        L[1 : len(levels)] = 0.0
        if j > 0:
            L[names.index(f"{fixed}{lev}")] = 1.0
        var, df = _satterthwaite(L, parts, fit["boundary"])
        est = float(L @ parts["beta"])
        se = math.sqrt(var) if var > 0 else np.nan
        rows.append({
            "outcome": outcome, "wave": lev, "n": int((frame[fixed] == lev).sum()),
            "estimate": est, "std_error": se, "df": df,
            "ci_low": est - q(df) * se, "ci_high": est + q(df) * se, "ci_level": ci_level,
            "method": "Estimated marginal mean from the random-intercept LMM (REML), Satterthwaite df", "note": "",
        })  # fmt: skip
    return as_tidy(rows, MEANS_COLUMNS)


CONTRAST_COLUMNS = (
    "outcome", "pre", "post", "contrast", "n_obs", "n_groups", "estimate", "std_error", "statistic", "df",
    "p_value", "ci_low", "ci_high", "ci_level", "method", "note",
)  # fmt: skip


def wave_contrast(
    panel: pd.DataFrame,
    outcome: str,
    pre,
    post,
    fixed: str = "wave",
    covariates: Sequence[str] = (),
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Model-estimated mean change ``post - pre`` from the random-intercept LMM.

    Parameters
    ----------
    panel, outcome, fixed, covariates, ci_level
        As for :func:`mixed`; the model is fitted on every wave in ``panel``
        (restrict ``panel`` to two waves to use only those).
    pre, post : wave label
        Levels of ``fixed`` contrasted.

    Returns
    -------
    pandas.DataFrame
        One row: ``outcome, pre, post, contrast, n_obs, n_groups, estimate,
        std_error, statistic, df, p_value, ci_low, ci_high, ci_level, method,
        note``; ``contrast`` reads ``"T1 - T0"``; t-test and CI with Satterthwaite df
        (as ``lmerTest::contest1D``). When the model cannot be fitted (see
        :func:`mixed`), or ``pre`` or ``post`` has no observed value ("not
        estimable: wave not observed"), the statistics are NaN and ``note`` says why.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "participant_id": list("abcdef") * 2 + list("abc"),
    ...     "wave": ["T0"] * 6 + ["T1"] * 6 + ["T2"] * 3,
    ...     "who5": [40, 52, 60, 36, 48, 64, 48, 56, 60, 44, 60, 68, 52, 60, 64],
    ... })
    >>> wave_contrast(panel, "who5", "T1", "T2")[["contrast", "estimate", "std_error"]]
      contrast  estimate  std_error
    0  T2 - T1  2.986933   2.023356
    """
    fit = _fit(panel, outcome, fixed, covariates)
    names, levels = fit["names"], fit["levels"]
    reason = (None if pre in levels and post in levels else "wave_not_observed") or fit["reason"]
    if reason is not None:
        return as_tidy([{"outcome": outcome, "pre": pre, "post": post, "contrast": f"{post} - {pre}",
                         "n_obs": fit["n"], "n_groups": fit["q"], "ci_level": ci_level, "method": _METHOD,
                         "note": not_estimable(reason)}], CONTRAST_COLUMNS)
    parts = fit["parts"]
    L = np.zeros(len(names))
    if post != levels[0]:
        L[names.index(f"{fixed}{post}")] += 1.0
    if pre != levels[0]:
        L[names.index(f"{fixed}{pre}")] -= 1.0
    var, df = _satterthwaite(L, parts, fit["boundary"])
    est = float(L @ parts["beta"])
    se = math.sqrt(var) if var > 0 else np.nan
    t = est / se if se > 0 else np.nan
    q = stats.t.ppf(1 - (1 - ci_level) / 2, df)
    row = {
        "outcome": outcome, "pre": pre, "post": post, "contrast": f"{post} - {pre}",
        "n_obs": fit["model"].n, "n_groups": fit["model"].q, "estimate": est, "std_error": se,
        "statistic": t, "df": df, "p_value": float(2 * stats.t.sf(abs(t), df)),
        "ci_low": est - q * se, "ci_high": est + q * se, "ci_level": ci_level, "method": _METHOD, "note": "",
    }  # fmt: skip
    return as_tidy([row], CONTRAST_COLUMNS)
