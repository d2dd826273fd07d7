"""Paired pre/post comparisons of recurring participants: tests and effect sizes.

All functions take the long panel (``participant_id``, ``wave``, one column per
outcome), pair two waves and use complete pairs only. Differences are always
``post - pre``, so positive estimates mean the outcome rose.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis import _panel, _rank, multiplicity
from analysis.tidy import as_tidy, not_estimable

__all__ = ["PAIRED_TEST_COLUMNS", "EFFECT_SIZE_COLUMNS", "paired_tests", "paired_effect_sizes", "paired_changes", "adjust_across"]

PAIRED_TEST_COLUMNS = (
    "outcome", "pre", "post", "test", "n", "estimate", "ci_low", "ci_high", "ci_level",
    "statistic", "df", "p_value", "p_adj", "p_adj_method", "alternative", "method", "note",
)  # fmt: skip
EFFECT_SIZE_COLUMNS = (
    "outcome", "pre", "post", "effect_size_type", "n", "estimate", "ci_low", "ci_high", "ci_level", "note",
)  # fmt: skip


def _pairs_reason(n: int, minimum: int = 2) -> str:
    """The note for too few pairs: none at all, or fewer than ``minimum`` (2 or 3)."""
    return not_estimable("no_pairs" if n == 0 else "few_pairs" if minimum == 2 else "few_pairs_3")


def _check_level(ci_level: float) -> None:
    if not 0 < ci_level < 1:
        raise ValueError("ci_level must lie strictly between 0 and 1")


def _paired_t(d: np.ndarray, ci_level: float) -> dict:
    n = d.size
    row = {"test": "paired_t", "n": n, "method": "Paired t-test", "df": float(n - 1), "note": ""}
    mean = float(d.mean()) if n else np.nan
    sd = float(d.std(ddof=1)) if n > 1 else np.nan
    row["estimate"] = mean
    if n < 2 or _panel.essentially_constant(sd, n, mean):
        row.update(ci_low=np.nan, ci_high=np.nan, statistic=np.nan, p_value=np.nan)
        row["df"] = float(n - 1) if n > 1 else np.nan
        row["note"] = _pairs_reason(n) if n < 2 else not_estimable("no_change_variation")
        return row
    se = sd / math.sqrt(n)
    t = mean / se
    q = stats.t.ppf(1 - (1 - ci_level) / 2, n - 1)
    row.update(
        ci_low=mean - q * se,
        ci_high=mean + q * se,
        statistic=t,
        p_value=float(2 * stats.t.sf(abs(t), n - 1)),
    )
    return row


def _wilcoxon(d: np.ndarray, ci_level: float) -> dict:
    res = _rank.signed_rank(d, ci_level)
    note = ""
    if d.size < 1:
        note = _pairs_reason(d.size)
    elif res["n_nonzero"] == 0:
        note = not_estimable("all_zero")
    elif np.isnan(res["ci_low"]) or np.isnan(res["p_value"]):
        note = not_estimable("no_change_variation")
    return {
        "note": note,
        "test": "wilcoxon",
        "n": d.size,
        "estimate": res["estimate"],
        "ci_low": res["ci_low"],
        "ci_high": res["ci_high"],
        "ci_level": res["ci_level"],
        "statistic": res["statistic"],
        "df": np.nan,
        "p_value": res["p_value"],
        "method": f"{res['method']} ({res['n_nonzero']} non-zero differences)",
    }


def paired_tests(
    panel: pd.DataFrame,
    outcomes: Sequence[str],
    pre,
    post,
    ci_level: float = 0.95,
    p_adjust: str = "holm",
) -> pd.DataFrame:
    """Paired t-test and Wilcoxon signed-rank test of ``post - pre`` per outcome.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel: ``participant_id``, ``wave`` and one numeric column per outcome.
    outcomes : sequence of str
        Outcome columns to test; also the family over which p-values are adjusted.
    pre, post : wave label
        The two waves compared (e.g. ``"T0"``, ``"T1"``).
    ci_level : float, default 0.95
        Confidence level of the intervals.
    p_adjust : {"holm", "fdr_bh", "bonferroni", "none"}, default "holm"
        Multiplicity adjustment, applied separately within each test family (the
        ``paired_t`` rows across ``outcomes``, and the ``wilcoxon`` rows across
        ``outcomes``); see :func:`analysis.multiplicity.p_adjust`.

    Returns
    -------
    pandas.DataFrame
        One row per outcome x test (``paired_t`` then ``wilcoxon`` for each outcome):

        - ``outcome``, ``pre``, ``post``: what is compared;
        - ``test``: ``"paired_t"`` or ``"wilcoxon"``;
        - ``n``: number of complete pairs;
        - ``estimate``: mean difference (``paired_t``) or Hodges–Lehmann
          pseudo-median of the differences (``wilcoxon``, R's
          ``wilcox.test(conf.int = TRUE)`` estimate);
        - ``ci_low``, ``ci_high``, ``ci_level``: confidence interval of the estimate
          (for ``wilcoxon``, R's interval; ``ci_level`` is the level R reports, lower
          than requested only when the request is unattainable with few pairs);
        - ``statistic``: t, or V = sum of the ranks of the positive differences;
        - ``df``: n - 1 for ``paired_t``, NaN for ``wilcoxon``;
        - ``p_value``, ``p_adj``, ``p_adj_method``: two-sided p-value and its
          adjustment within the test family;
        - ``alternative``: ``"two.sided"``;
        - ``method``: R's method name (for ``wilcoxon`` whether exact or normal
          approximation, and the number of non-zero differences used);
        - ``note``: empty, or why statistics of the row are NaN: "not estimable:
          no complete pairs" / "fewer than 2 pairs" (``paired_t``), "no variation
          in the change (all differences equal)" (no t statistic or CI; the mean
          change is still given), "every difference is zero" (``wilcoxon``).
          Degenerate data never raise.

    Notes
    -----
    ``paired_t`` reproduces ``t.test(post, pre, paired = TRUE)``. ``wilcoxon``
    reproduces ``wilcox.test(post, pre, paired = TRUE, conf.int = TRUE)`` with R's
    defaults: zero differences are dropped; with fewer than 50 non-zero differences
    and no ties or zeros the exact null distribution is used (p-value, Walsh-average
    median and exact interval); otherwise the normal approximation with tie
    correction and continuity correction, and the estimate and interval are R's
    roots of the standardised statistic found with R's own Brent algorithm
    (``uniroot(tol = 1e-4)``, ported line by line). A constant set of differences
    gives NaN statistics, as R refuses to test it.

    References
    ----------
    Hollander M, Wolfe DA, Chicken E (2014). Nonparametric Statistical Methods,
    3rd ed. Wiley. doi:10.1002/9781119196037 (signed-rank test, Hodges–Lehmann).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "participant_id": ["a", "b", "c", "d", "e"] * 2,
    ...     "wave": ["T0"] * 5 + ["T1"] * 5,
    ...     "who5": [40, 52, 60, 36, 48, 48, 56, 60, 44, 60],
    ... })
    >>> res = paired_tests(panel, ["who5"], "T0", "T1")
    >>> res[["test", "n", "estimate", "statistic", "p_value"]]
           test  n  estimate  statistic   p_value
    0  paired_t  5       6.4   3.137858  0.034920
    1  wilcoxon  5       8.0  10.000000  0.097513
    """
    method = p_adjust
    if method not in multiplicity.METHODS:
        raise ValueError(f"p_adjust must be one of {sorted(multiplicity.METHODS)}, got {method!r}")
    _check_level(ci_level)
    outcomes = list(outcomes)
    _panel.check_panel(panel, outcomes)
    rows = []
    for outcome in outcomes:
        d = _panel.differences(panel, outcome, pre, post)
        for row in (_paired_t(d, ci_level), _wilcoxon(d, ci_level)):
            row.setdefault("ci_level", ci_level)
            rows.append({"outcome": outcome, "pre": pre, "post": post, **row})
    out = as_tidy(rows, PAIRED_TEST_COLUMNS)
    out["alternative"] = "two.sided"
    out["p_adj_method"] = method
    out["p_adj"] = np.nan
    for test in ("paired_t", "wilcoxon"):
        idx = out.index[out["test"] == test]
        out.loc[idx, "p_adj"] = multiplicity.p_adjust(out.loc[idx, "p_value"].to_numpy(float), method)
    return out


def adjust_across(tests: pd.DataFrame, family: pd.Series | np.ndarray, method: str = "holm") -> pd.DataFrame:
    """Re-adjust the p-values of a stacked test table (several comparisons, as from
    :func:`paired_tests`) over one family that spans comparisons: the rows where ``family``
    is true, separately for each test (t-test, Wilcoxon), like R's
    ``p.adjust(p, method)`` over those rows. Other rows are unchanged.

    Examples
    --------
    >>> t = pd.DataFrame({"test": ["paired_t"] * 3 + ["wilcoxon"], "p_value": [0.01, 0.02, 0.04, 0.03],
    ...                   "p_adj": np.nan, "p_adj_method": "holm"})
    >>> adjust_across(t, np.array([True, True, False, True]))["p_adj"].tolist()
    [0.02, 0.02, nan, 0.03]
    """
    if method not in multiplicity.METHODS:
        raise ValueError(f"p_adjust must be one of {sorted(multiplicity.METHODS)}, got {method!r}")
    out = tests.copy()
    family = np.asarray(family, dtype=bool)
    for test in out["test"].unique():
        idx = out.index[(out["test"] == test).to_numpy() & family]
        if len(idx):
            out.loc[idx, "p_adj"] = multiplicity.p_adjust(out.loc[idx, "p_value"].to_numpy(float), method)
            out.loc[idx, "p_adj_method"] = method
    return out


def _ncp_interval(t: float, df: float, ci_level: float) -> tuple[float, float]:
    """Confidence limits for the noncentrality parameter of a t statistic.

    Inverts the noncentral t distribution (Steiger & Fouladi 1997): the lower limit
    ``ncp_lo`` solves P(T >= t | ncp_lo) = alpha/2 and the upper limit solves
    P(T <= t | ncp_hi) = alpha/2.
    """
    if not (np.isfinite(t) and df > 0):
        return np.nan, np.nan
    a = (1 - ci_level) / 2
    # large-sample SD of T around its noncentrality: sqrt(1 + ncp^2 / (2 df)); the limits
    # lie a few of these from t. Keeping the search bracket that narrow matters for large
    # samples (t in the tens with df in the tens of thousands), where the noncentral t
    # tails far from t underflow to NaN.
    spread = math.sqrt(1 + t * t / (2 * df))

    def bracket(fun):
        width = min(2.0 + abs(t) * 0.5, 2.0 + 8 * spread)
        lo, hi = t - width, t + width
        while fun(lo) * fun(hi) > 0 and width < 1e4:
            width *= 2
            lo, hi = t - width, t + width
        return optimize.brentq(fun, lo, hi, xtol=1e-13, rtol=1e-13)

    def normal_approx(sign):  # T ~ N(ncp, 1 + ncp^2 / (2 df)), if the exact tails fail
        z = stats.norm.isf(a)
        return bracket(lambda nc: (t - nc) / math.sqrt(1 + nc * nc / (2 * df)) - sign * z)

    limits = []
    for sign, fun in ((1, lambda nc: stats.nct.sf(t, df, nc) - a), (-1, lambda nc: stats.nct.cdf(t, df, nc) - a)):
        try:
            limits.append(bracket(fun))
        except ValueError:  # NaN from the noncentral t far in its tails
            try:
                limits.append(normal_approx(sign))
            except ValueError:  # no sign change even there: no interval, rather than an error
                limits.append(np.nan)
    return float(limits[0]), float(limits[1])


def _effect_rows(pre_values: np.ndarray, post_values: np.ndarray, ci_level: float) -> list[dict]:
    d = post_values - pre_values
    n = d.size
    rows = []
    nan2 = (np.nan, np.nan)
    # Cohen's d_z with noncentral-t CI (effectsize::cohens_d(paired = TRUE))
    if n > 1 and not _panel.essentially_constant(float(d.std(ddof=1)), n, float(d.mean())):
        sd_d = float(d.std(ddof=1))
        dz = float(d.mean()) / sd_d
        lo, hi = _ncp_interval(dz * math.sqrt(n), n - 1, ci_level)
        ci_dz = (lo / math.sqrt(n), hi / math.sqrt(n))
    else:
        sd_d, dz, ci_dz, lo, hi = np.nan, np.nan, nan2, np.nan, np.nan
    rows.append({"effect_size_type": "cohens_dz", "estimate": dz, "ci_low": ci_dz[0], "ci_high": ci_dz[1],
                 "note": _pairs_reason(n) if n < 2 else "" if np.isfinite(dz)
                 else not_estimable("no_change_variation")})
    # Hedges' g_av with the Algina-Keselman rescaled noncentral-t interval
    if n > 2:
        s_av = (pre_values.std(ddof=1) + post_values.std(ddof=1)) / 2
        J = 1 - 3 / (4 * (n - 1) - 1)
        flat = _panel.essentially_constant(float(s_av), n, float(np.abs(np.r_[pre_values, post_values]).max()))
        g = np.nan if flat else float(d.mean() / s_av * J)
        scale = np.nan if flat else sd_d / math.sqrt(n) / s_av * J
        ci_g = (lo * scale, hi * scale)
    else:
        g, ci_g = np.nan, nan2
    rows.append({"effect_size_type": "hedges_g_av", "estimate": g, "ci_low": ci_g[0], "ci_high": ci_g[1],
                 "note": _pairs_reason(n, 3) if n < 3 else "" if np.isfinite(g) and np.isfinite(ci_g[0])
                 else not_estimable("no_variation" if not np.isfinite(g) else "no_change_variation")})
    # matched-pairs rank-biserial correlation (effectsize::rank_biserial(paired = TRUE))
    nz = d[d != 0]
    m = nz.size
    if m > 0:
        ranks = stats.rankdata(np.abs(nz))
        total = m * (m + 1) / 2
        r_rb = float((ranks[nz > 0].sum() - ranks[nz < 0].sum()) / total)
        maxw = n * (n + 1) / 2
        se_z = math.sqrt((2 * n**3 + 3 * n**2 + n) / 6) / maxw
        zq = stats.norm.ppf(1 - (1 - ci_level) / 2)
        with np.errstate(divide="ignore"):
            zr = np.arctanh(r_rb)
        ci_rb = (float(np.tanh(zr - zq * se_z)), float(np.tanh(zr + zq * se_z)))
    else:
        r_rb, ci_rb = np.nan, nan2
    rows.append({"effect_size_type": "rank_biserial", "estimate": r_rb, "ci_low": ci_rb[0], "ci_high": ci_rb[1],
                 "note": _pairs_reason(n) if n < 1 else not_estimable("all_zero") if m == 0 else ""})
    for row in rows:
        row["n"] = n
        row["ci_level"] = ci_level
    return rows


def paired_effect_sizes(
    panel: pd.DataFrame,
    outcomes: Sequence[str],
    pre,
    post,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Standardised effect sizes of the paired change ``post - pre`` per outcome.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel: ``participant_id``, ``wave`` and one numeric column per outcome.
    outcomes : sequence of str
        Outcome columns.
    pre, post : wave label
        The two waves compared.
    ci_level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per outcome x ``effect_size_type`` (``cohens_dz``, ``hedges_g_av``,
        ``rank_biserial``) with columns ``outcome, pre, post, effect_size_type, n,
        estimate, ci_low, ci_high, ci_level, note``; ``n`` is the number of complete
        pairs; ``note`` is empty or says why the estimate or CI is NaN ("not
        estimable: fewer than 2 pairs" for d_z, "fewer than 3 pairs" for g_av, "no
        variation (all values equal)" when both waves are constant, "no variation in
        the change (all differences equal)", "every difference is zero" for the
        rank-biserial correlation).

    Notes
    -----
    With differences ``d = post - pre`` over ``n`` complete pairs:

    - ``cohens_dz`` = mean(d) / sd(d). CI: the noncentral-t interval for the
      noncentrality of ``t = d_z sqrt(n)`` (df = n - 1), divided by ``sqrt(n)``;
      this is ``effectsize::cohens_d(post, pre, paired = TRUE)``.
    - ``hedges_g_av`` = mean(d) / ((sd_pre + sd_post) / 2) x J with
      J = 1 - 3 / (4(n - 1) - 1) (Lakens 2013, eq. 10 with Hedges' correction).
      CI: Algina & Keselman's (2003) approximate interval — the same noncentral-t
      limits for the paired t statistic, rescaled from the d_z metric to the
      d_av metric by ``sd(d) / ((sd_pre + sd_post) / 2)`` and multiplied by J. It
      treats the ratio of standardisers as fixed, so it is approximate (their
      simulations show near-nominal coverage for moderate n).
    - ``rank_biserial``: matched-pairs rank-biserial correlation
      r = (R+ - R-) / (m (m + 1) / 2) over the m non-zero differences
      (Kerby 2014). CI as ``effectsize::rank_biserial(paired = TRUE)`` (0.8.3):
      tanh(atanh(r) +/- z SE) with SE = sqrt((2n^3 + 3n^2 + n) / 6) / (n (n + 1) / 2),
      where effectsize uses *all* n pairs (zero differences included) in SE while
      the estimate drops the zeros; reproduced as is, verified against R.

    References
    ----------
    Algina J, Keselman HJ (2003). Approximate confidence intervals for effect sizes.
    Educ Psychol Meas 63:537–553. doi:10.1177/0013164403256358
    Lakens D (2013). Calculating and reporting effect sizes to facilitate cumulative
    science. Front Psychol 4:863. doi:10.3389/fpsyg.2013.00863
    Kerby DS (2014). The simple difference formula: an approach to teaching
    nonparametric correlation. Compr Psychol 3. doi:10.2466/11.IT.3.1
    Ben-Shachar MS, Lüdecke D, Makowski D (2020). effectsize: Estimation of effect
    size indices and standardized parameters. JOSS 5:2815. doi:10.21105/joss.02815

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "participant_id": ["a", "b", "c", "d", "e"] * 2,
    ...     "wave": ["T0"] * 5 + ["T1"] * 5,
    ...     "who5": [40, 52, 60, 36, 48, 48, 56, 60, 44, 60],
    ... })
    >>> paired_effect_sizes(panel, ["who5"], "T0", "T1")[["effect_size_type", "estimate"]]
      effect_size_type  estimate
    0        cohens_dz  1.403293
    1      hedges_g_av  0.608936
    2    rank_biserial  1.000000
    """
    _check_level(ci_level)
    outcomes = list(outcomes)
    _panel.check_panel(panel, outcomes)
    rows = []
    for outcome in outcomes:
        w = _panel.paired(panel, outcome, pre, post)
        for row in _effect_rows(w["pre"].to_numpy(), w["post"].to_numpy(), ci_level):
            rows.append({"outcome": outcome, "pre": pre, "post": post, **row})
    return as_tidy(rows, EFFECT_SIZE_COLUMNS)


def paired_changes(panel: pd.DataFrame, outcomes: Sequence[str], pre, post) -> pd.DataFrame:
    """Per-participant change ``post - pre`` over complete pairs, long format.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel: ``participant_id``, ``wave`` and the outcomes.
    outcomes : sequence of str
        Outcome columns.
    pre, post : wave label
        Waves compared.

    Returns
    -------
    pandas.DataFrame
        ``participant_id, outcome, value_pre, value_post, change``, one row per
        outcome and complete pair (row-level data: keep it inside the pipeline;
        input to :func:`analysis.dose_response.dose_response`).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": ["a", "b", "a"], "wave": ["T0", "T0", "T1"],
    ...                       "who5": [40, 52, 48]})
    >>> paired_changes(panel, ["who5"], "T0", "T1")
      participant_id outcome  value_pre  value_post  change
    0              a    who5       40.0        48.0     8.0
    """
    frames = []
    for outcome in outcomes:
        w = _panel.paired(panel, outcome, pre, post)
        frames.append(pd.DataFrame({
            _panel.ID: w.index.to_numpy(), "outcome": outcome, "value_pre": w["pre"].to_numpy(),
            "value_post": w["post"].to_numpy(), "change": (w["post"] - w["pre"]).to_numpy(),
        }))  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=[_panel.ID, "outcome", "value_pre", "value_post", "change"])
    return pd.concat(frames, ignore_index=True)
