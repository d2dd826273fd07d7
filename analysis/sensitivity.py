"""Sensitivity of the mean change to missing data: multiple imputation and comparison.

The primary pre/post analysis uses complete pairs. Two alternatives that are valid
under missing-at-random are set beside it: the random-intercept mixed model on all
observed rows (:func:`analysis.models.wave_contrast`) and multiple imputation by
chained equations with Rubin's rules (:func:`multiple_imputation`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis import _panel, models
from analysis.tidy import as_tidy, not_estimable

__all__ = ["MI_COLUMNS", "COMPARE_COLUMNS", "rubin_pool", "multiple_imputation", "compare_estimates"]

MI_COLUMNS = (
    "outcome", "pre", "post", "method", "n", "n_imputations", "estimate", "std_error", "df",
    "ci_low", "ci_high", "ci_level", "note",
)  # fmt: skip
COMPARE_COLUMNS = ("outcome", "pre", "post", "method", "n", "estimate", "std_error", "df", "ci_low", "ci_high",
                   "ci_level", "note")

DEFAULT_SEED = 20231001


def rubin_pool(estimates, variances, df_complete: float) -> dict:
    """Pool m completed-data estimates with Rubin's rules and Barnard–Rubin df.

    Parameters
    ----------
    estimates, variances : array_like of float
        Point estimates Q_l and their squared standard errors U_l, l = 1..m.
    df_complete : float
        Degrees of freedom of the complete-data analysis (n - 1 for a mean).

    Returns
    -------
    dict
        ``estimate`` (Q-bar), ``std_error`` (sqrt T), ``df``, ``within`` (U-bar),
        ``between`` (B) and ``lambda`` ((1 + 1/m) B / T, the proportion of variance
        due to missingness).

    Notes
    -----
    T = U-bar + (1 + 1/m) B. df: nu_old = (m - 1) / lambda^2, nu_obs =
    (nu_com + 1) / (nu_com + 3) nu_com (1 - lambda), nu = 1 / (1/nu_old + 1/nu_obs)
    (Barnard & Rubin 1999; ``mice::pool``). With B = 0, nu = nu_obs.

    References
    ----------
    Rubin DB (1987). Multiple Imputation for Nonresponse in Surveys. Wiley.
    doi:10.1002/9780470316696
    Barnard J, Rubin DB (1999). Small-sample degrees of freedom with multiple
    imputation. Biometrika 86:948–955. doi:10.1093/biomet/86.4.948

    Examples
    --------
    >>> res = rubin_pool([1.0, 1.2, 0.8], [0.04, 0.05, 0.03], df_complete=29)
    >>> round(res["estimate"], 6), round(res["std_error"], 6), round(res["df"], 3)
    (1.0, 0.305505, 4.015)
    """
    q = np.asarray(estimates, dtype=float)
    u = np.asarray(variances, dtype=float)
    m = q.size
    if m < 2:
        raise ValueError("need at least two imputations")
    qbar = float(q.mean())
    ubar = float(u.mean())
    b = float(q.var(ddof=1))
    t = ubar + (1 + 1 / m) * b
    lam = (1 + 1 / m) * b / t if t > 0 else 0.0
    nu_com = float(df_complete)
    nu_obs = (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lam)
    if lam > 0:
        nu_old = (m - 1) / lam**2
        nu = nu_old * nu_obs / (nu_old + nu_obs)
    else:
        nu = nu_obs
    return {"estimate": qbar, "std_error": math.sqrt(t), "df": nu, "within": ubar, "between": b, "lambda": lam}


def _argsort_ties_by_index(x: np.ndarray) -> np.ndarray:
    """``np.argsort(x, kind="stable")`` (equal values keep their index order), but from
    numpy's fast unstable sort plus a sort of unique integer keys when there are ties:
    the result never depends on how a platform's sort orders equal values."""
    order = np.argsort(x)
    s = x[order]
    tie = s[1:] == s[:-1]
    if tie.any():
        run = np.concatenate(([0], np.cumsum(~tie)))  # run of equal values, per sorted position
        order = order[np.argsort(run * x.size + order)]  # unique keys: (run, original index)
    return order


def _pmm_donors(yhat_obs: np.ndarray, yhat_mis: np.ndarray, k: int) -> np.ndarray:
    """Indices into ``yhat_obs`` of the ``k`` observed cases whose predicted means are
    closest to each of ``yhat_mis`` (one row each), nearest first; at equal distance the
    smaller predicted mean, then the earlier case, comes first.

    The observed predictions are sorted once; the k nearest values of a sorted array
    are a run around the insertion point, collected by k steps of a two-pointer merge
    for all missing values at once: O((n_obs + n_mis k) log n_obs) instead of a pass
    over every observed case for each missing value.
    """
    order = _argsort_ties_by_index(yhat_obs)
    s = yhat_obs[order]
    n, m = s.size, yhat_mis.size
    k = min(k, n)
    lo = np.searchsorted(s, yhat_mis) - 1  # next candidate below (or equal)
    hi = lo + 1  # next candidate above
    out = np.empty((m, k), dtype=np.intp)
    for j in range(k):
        d_lo = np.where(lo >= 0, yhat_mis - s[np.clip(lo, 0, n - 1)], np.inf)
        d_hi = np.where(hi < n, s[np.clip(hi, 0, n - 1)] - yhat_mis, np.inf)
        take_lo = d_lo <= d_hi
        out[:, j] = np.where(take_lo, lo, hi)
        lo = lo - take_lo
        hi = hi + ~take_lo
    return order[out]


def _impute_column(
    yo: np.ndarray, Xo: np.ndarray, Xm: np.ndarray, rng: np.random.Generator, method: str, donors: int
) -> np.ndarray:
    """One Bayesian linear-regression draw for the missing values of one column (mice's
    norm / pmm): ``yo`` its observed values, ``Xo`` and ``Xm`` the predictors (intercept
    first) of the observed and of the missing rows."""
    p = Xo.shape[1]
    xtx = Xo.T @ Xo
    xtx += np.eye(p) * 1e-5 * np.maximum(np.diag(xtx), 1e-12)  # mice's ridge
    inv = np.linalg.inv(xtx)
    beta_hat = inv @ (Xo.T @ yo)
    resid = yo - Xo @ beta_hat
    dfree = max(len(yo) - p, 1)
    sigma = math.sqrt(float(resid @ resid) / rng.chisquare(dfree))
    beta_star = beta_hat + sigma * np.linalg.cholesky(inv) @ rng.standard_normal(p)
    if method == "norm":
        return Xm @ beta_star + sigma * rng.standard_normal(Xm.shape[0])
    # predictive mean matching, type 1 (mice's default for numeric data): each missing
    # value takes the observed value of one of the ``donors`` closest cases, at random
    near = _pmm_donors(Xo @ beta_hat, Xm @ beta_star, donors)
    pick = rng.integers(0, near.shape[1], size=near.shape[0])
    return yo[near[np.arange(near.shape[0]), pick]]


def _chained(data: pd.DataFrame, rng: np.random.Generator, n_iter: int, method: str, donors: int) -> pd.DataFrame:
    ncol = data.shape[1]
    # F = [intercept, the variables]: each step gathers its predictors straight from F
    F = np.empty((len(data), ncol + 1))
    F[:, 0] = 1.0
    F[:, 1:] = data.to_numpy(dtype=float)
    missing = np.isnan(F[:, 1:])
    for j in range(ncol):  # start from random draws of the observed values
        m = missing[:, j]
        if m.any():
            F[m, j + 1] = rng.choice(F[~m, j + 1], size=int(m.sum()))
    # the missing pattern never changes: row indices and predictor columns once per column
    plan = [(j + 1, np.flatnonzero(~missing[:, j]), np.flatnonzero(missing[:, j]),
             np.array([0, *(c + 1 for c in range(ncol) if c != j)]))
            for j in range(ncol) if missing[:, j].any()]
    for _ in range(n_iter):
        for col, obs, mis, pred in plan:
            F[mis, col] = _impute_column(F[obs, col], F[np.ix_(obs, pred)], F[np.ix_(mis, pred)], rng, method,
                                         donors)
    return pd.DataFrame(F[:, 1:], index=data.index, columns=data.columns)


def _analysis_set(panel: pd.DataFrame, outcomes: list[str], pre, post, covariates: list[str]) -> pd.DataFrame:
    base = panel.loc[panel[_panel.WAVE] == pre].set_index(_panel.ID)
    follow = panel.loc[panel[_panel.WAVE] == post].set_index(_panel.ID).reindex(base.index)
    cols = {}
    for o in outcomes:
        cols[f"{o}__pre"] = base[o].astype(float)
        cols[f"{o}__post"] = follow[o].astype(float)
    for c in covariates:
        s = base[c]
        if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
            cols[c] = s.astype(float)
        else:
            levels = sorted(s.dropna().unique().tolist())
            for lev in levels[1:]:
                cols[f"{c}{lev}"] = (s == lev).astype(float).where(s.notna())
    return pd.DataFrame(cols).sort_index()


def multiple_imputation(
    panel: pd.DataFrame,
    outcomes: Sequence[str],
    pre,
    post,
    covariates: Sequence[str] = (),
    m: int = 20,
    seed: int = DEFAULT_SEED,
    n_iter: int = 10,
    method: str = "pmm",
    donors: int = 5,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Mean change ``post - pre`` among everyone assessed at ``pre``, by MICE.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave``, outcomes and covariates.
    outcomes : sequence of str
        Outcomes; their pre and post values are imputed jointly (each predicts the
        others).
    pre, post : wave label
        Waves compared.
    covariates : sequence of str, default ()
        Baseline (``pre``-wave) auxiliary variables used as predictors (numeric,
        or categorical, dummy-coded); their missing values are imputed too.
    m : int, default 20
        Number of imputations.
    seed : int, default 20231001
        Seed of the random generator (results are reproducible for a given seed).
    n_iter : int, default 10
        Chained-equation cycles per imputation.
    method : {"pmm", "norm"}, default "pmm"
        Predictive mean matching (keeps imputations on the observed scale, e.g.
        WHO-5 steps of 4) or Bayesian normal linear regression.
    donors : int, default 5
        PMM donor pool size.
    ci_level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per outcome: ``outcome, pre, post, method, n, n_imputations,
        estimate, std_error, df, ci_low, ci_high, ci_level``; ``n`` is the number
        of participants assessed at ``pre`` (the analysis set), estimate the
        pooled mean change with Rubin's variance and Barnard–Rubin df; ``note`` is
        empty, or "not estimable: fewer than 3 participants at baseline" (every
        outcome), "fewer than 2 observed values" (the outcome's pre or post value is
        observed fewer than twice; it is left out of the imputation model, and so is
        such a covariate), or "no variation in the change" (pooled SE 0: no CI).
        Degenerate data never raise.

    Notes
    -----
    Fully conditional specification (van Buuren 2018): each incomplete variable is
    regressed on all others; parameters are drawn from their posterior (sigma^2
    from a scaled inverse chi-squared, beta normal, as ``mice.impute.norm``), then
    imputed by drawing from the predictive distribution (``norm``) or by matching
    to one of the ``donors`` observed cases with the closest predicted mean
    (``pmm``, type-1 matching, as mice's default). Each imputation runs its own
    chain from random draws of observed values, with a child seed of ``seed``.

    References
    ----------
    van Buuren S (2018). Flexible Imputation of Missing Data, 2nd ed. CRC Press.
    doi:10.1201/9780429492259

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": list(range(8)) * 2,
    ...                       "wave": ["T0"] * 8 + ["T1"] * 8,
    ...                       "who5": [40, 52, 60, 36, 48, 64, 44, 56,
    ...                                48, 56, 64, 40, None, 68, None, 60]})
    >>> res = multiple_imputation(panel, ["who5"], "T0", "T1", m=5, seed=1)
    >>> res[["n", "n_imputations"]]
       n  n_imputations
    0  8              5
    >>> bool(3.0 < res.loc[0, "estimate"] < 6.0)
    True
    """
    if method not in ("pmm", "norm"):
        raise ValueError("method must be 'pmm' or 'norm'")
    outcomes, covariates = list(outcomes), list(covariates)
    _panel.check_panel(panel, [*outcomes, *covariates])
    data = _analysis_set(panel, outcomes, pre, post, covariates)
    n = len(data)
    base = {"pre": pre, "post": post, "method": "multiple_imputation", "n": n, "n_imputations": m,
            "ci_level": ci_level}
    if n < 3:
        note = not_estimable("few_baseline")
        return as_tidy([{"outcome": o, **base, "note": note} for o in outcomes], MI_COLUMNS)
    # a variable observed fewer than twice cannot be imputed (nor predict): its outcome is
    # not estimable, and it is left out of the imputation model of the others
    sparse = [c for c in data.columns if data[c].notna().sum() < 2]
    data = data.drop(columns=sparse)
    estimable = [o for o in outcomes if f"{o}__pre" in data.columns and f"{o}__post" in data.columns]
    children = np.random.SeedSequence(seed).spawn(m)
    est: dict[str, list[float]] = {o: [] for o in estimable}
    var: dict[str, list[float]] = {o: [] for o in estimable}
    for child in children:
        rng = np.random.default_rng(child)
        filled = _chained(data, rng, n_iter, method, donors) if data.isna().any().any() else data
        for o in estimable:
            d = (filled[f"{o}__post"] - filled[f"{o}__pre"]).to_numpy(dtype=float)
            est[o].append(d.mean())
            var[o].append(d.var(ddof=1) / n)
    rows = []
    for o in outcomes:
        if o not in estimable:
            rows.append({"outcome": o, **base, "note": not_estimable("few_observed")})
            continue
        pooled = rubin_pool(est[o], var[o], df_complete=n - 1)
        row = {"outcome": o, **base, "estimate": pooled["estimate"], "std_error": pooled["std_error"],
               "df": pooled["df"], "note": ""}
        if not _panel.essentially_constant(pooled["std_error"], 1, pooled["estimate"]):
            q = stats.t.ppf(1 - (1 - ci_level) / 2, pooled["df"])
            row.update(ci_low=pooled["estimate"] - q * pooled["std_error"],
                       ci_high=pooled["estimate"] + q * pooled["std_error"])
        else:  # every imputed data set has the same change for everyone
            row.update(df=np.nan, note=not_estimable("no_change_variation"))
        rows.append(row)
    return as_tidy(rows, MI_COLUMNS)


def compare_estimates(
    panel: pd.DataFrame,
    outcomes: Sequence[str],
    pre,
    post,
    covariates: Sequence[str] = (),
    m: int = 20,
    seed: int = DEFAULT_SEED,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Mean change ``post - pre`` by complete case, mixed model and MI, side by side.

    Parameters
    ----------
    panel, outcomes, pre, post, covariates, m, seed, ci_level
        As for :func:`multiple_imputation`; covariates are used only by MI (as
        auxiliary predictors), so all three rows estimate the same unadjusted
        mean change.

    Returns
    -------
    pandas.DataFrame
        Three rows per outcome, ``method`` = ``complete_case`` (paired t over
        complete pairs; ``n`` pairs), ``mixed_model`` (random-intercept LMM on all
        observed rows of the two waves, Satterthwaite df; ``n`` participants) and
        ``multiple_imputation`` (``n`` assessed at ``pre``), with columns
        ``outcome, pre, post, method, n, estimate, std_error, df, ci_low, ci_high,
        ci_level, note``; ``note`` says why a row's statistics are NaN (fewer than 2
        pairs or no variation in the change for ``complete_case``; see
        :func:`analysis.models.wave_contrast` and :func:`multiple_imputation` for the
        others), else it is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": list(range(8)) * 2,
    ...                       "wave": ["T0"] * 8 + ["T1"] * 8,
    ...                       "who5": [40, 52, 60, 36, 48, 64, 44, 56,
    ...                                48, 56, 64, 40, None, 68, None, 60]})
    >>> res = compare_estimates(panel, ["who5"], "T0", "T1", m=5, seed=1)
    >>> res[["method", "n"]]
                    method  n
    0        complete_case  6
    1          mixed_model  8
    2  multiple_imputation  8
    """
    outcomes = list(outcomes)
    _panel.check_panel(panel, [*outcomes, *covariates])
    mi = multiple_imputation(panel, outcomes, pre, post, covariates, m=m, seed=seed, ci_level=ci_level)
    two = panel[panel[_panel.WAVE].isin([pre, post])]
    rows = []
    for o in outcomes:
        d = _panel.differences(panel, o, pre, post)
        n = d.size
        cc = {"outcome": o, "pre": pre, "post": post, "method": "complete_case", "n": n, "ci_level": ci_level,
              "note": ""}
        se = float(d.std(ddof=1)) / math.sqrt(n) if n > 1 else np.nan
        if n > 1 and not _panel.essentially_constant(float(d.std(ddof=1)), n, float(d.mean())):
            q = stats.t.ppf(1 - (1 - ci_level) / 2, n - 1)
            cc.update(estimate=float(d.mean()), std_error=se, df=float(n - 1),
                      ci_low=float(d.mean()) - q * se, ci_high=float(d.mean()) + q * se)  # fmt: skip
        else:
            cc.update(estimate=float(d.mean()) if n else np.nan,
                      note=not_estimable("no_pairs" if n == 0 else "few_pairs" if n == 1 else "no_change_variation"))
        rows.append(cc)
        mm = models.wave_contrast(two, o, pre, post, ci_level=ci_level).iloc[0]
        rows.append({
            "outcome": o, "pre": pre, "post": post, "method": "mixed_model", "n": int(mm["n_groups"]),
            "estimate": mm["estimate"], "std_error": mm["std_error"], "df": mm["df"],
            "ci_low": mm["ci_low"], "ci_high": mm["ci_high"], "ci_level": ci_level, "note": mm["note"],
        })  # fmt: skip
        rows.append(mi.loc[mi["outcome"] == o].iloc[0].to_dict())
    return as_tidy(rows, COMPARE_COLUMNS)
