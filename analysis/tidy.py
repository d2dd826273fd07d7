"""The one column vocabulary of every result frame in :mod:`analysis`.

Every public function in :mod:`analysis` returns a long ("tidy") DataFrame whose
columns are drawn from :data:`VOCABULARY` below, in the order given there by each
function's ``columns`` tuple. Parameters are values (``ci_level=0.95``,
``effect_size_type="hedges_g_av"``), never parts of column names, and floats are
never rounded here: rounding happens where tables and figures are rendered.

The vocabulary follows broom/rstatix/effectsize (``estimate``, ``std_error``,
``statistic``, ``df``, ``p_value``, ``ci_low``/``ci_high``) in snake_case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["VOCABULARY", "NOT_ESTIMABLE", "REASONS", "as_tidy", "order_columns", "not_estimable"]

#: Canonical result columns with one-line meanings, in canonical order.
VOCABULARY: dict[str, str] = {
    # what the row is about
    "outcome": "name of the outcome variable the row is about",
    "variable": "name of a described variable (descriptive tables)",
    "level": "level of a categorical variable; empty for continuous rows",
    "group": "value of the grouping variable (e.g. the wave) the row describes",
    "subgroup": "name of the variable defining subgroups",
    "subgroup_level": "level of the subgroup variable",
    "wave": "survey wave (T0, T1, ...)",
    "year": "survey year of a yearly cross-sectional survey (partner surveys)",
    "pre": "wave used as 'before' in a pre/post comparison",
    "post": "wave used as 'after' in a pre/post comparison",
    "stage": ("flow-diagram stage (assessed, lost_to_follow_up with its reasons lost_attending and "
              "lost_not_attending, new_at_follow_up, excluded, analysed, analysed_complete_pairs)"),
    "definition": "which cohort definition a flow row belongs to",
    "reason": "reason a participant count is excluded or lost",
    "dimension": "EQ-5D dimension (or 'overall')",
    "category": "classification a count/share refers to (better, worse, mixed, ...)",
    "term": "model term, named as R does ('(Intercept)', 'waveT1')",
    "contrast": "what is compared (e.g. 'completers - dropouts')",
    "test": "statistical test (paired_t, wilcoxon, mcnemar, stuart_maxwell, ...)",
    "effect_size_type": "effect-size index (cohens_dz, hedges_g_av, rank_biserial, smd)",
    # counts
    "n": "number of units the row's estimate is based on",
    "n_total": "denominator: number of units in the group",
    "n_missing": "number of units with the variable missing",
    "n_obs": "number of observations (rows) a model used",
    "n_groups": "number of participants (random-effect groups) a model used",
    "n_imputations": "number of imputed data sets pooled",
    # estimates
    "estimate": "point estimate (mean difference, effect size, proportion, ...)",
    "std_error": "standard error of the estimate",
    "statistic": "test statistic (t, V, chi-squared, ...)",
    "df": "degrees of freedom of the statistic (NaN where none)",
    "p_value": "two-sided p-value unless 'alternative' says otherwise",
    "p_adj": "p-value adjusted for multiplicity (see p_adj_method)",
    "p_adj_method": "adjustment method: holm, fdr_bh, bonferroni or none",
    "ci_low": "lower confidence limit",
    "ci_high": "upper confidence limit",
    "ci_level": "confidence level of ci_low/ci_high (e.g. 0.95)",
    "alternative": "alternative hypothesis, R's vocabulary ('two.sided')",
    "percent": "percentage (0-100) of n_total",
    "share": "proportion (0-1) of n_total",
    "mean": "arithmetic mean",
    "sd": "standard deviation (n - 1 denominator)",
    "median": "median",
    "q1": "first quartile (R type 7)",
    "q3": "third quartile (R type 7)",
    "med": "median (box-plot statistics)",
    "whislo": "lower whisker end: the whis_low_pct percentile (R type 7), not the minimum",
    "whishi": "upper whisker end: the whis_high_pct percentile (R type 7), not the maximum",
    "whis_low_pct": "percentile of the lower whisker end",
    "whis_high_pct": "percentile of the upper whisker end",
    "smd": "standardised mean difference",
    "suppressed": "True where the estimate is withheld (too few units)",
    "n_complete": "number of rows with every item of a scale answered (reliability)",
    "alpha": "Cronbach's alpha (raw) on the complete rows",
    "alpha_ci_low": "lower limit of Feldt's confidence interval for alpha",
    "alpha_ci_high": "upper limit of Feldt's confidence interval for alpha",
    # model-level (glance) and per-observation (augment) columns
    "converged": "whether the optimiser reported convergence",
    "log_lik": "log-likelihood of the fitted model (REML where method says so)",
    "aic": "Akaike information criterion (from log_lik)",
    "var_participant": "variance of the participant random intercept",
    "var_residual": "residual variance",
    "observed": "observed outcome value",
    "fitted": "fitted value including the participant's predicted random effect",
    "fitted_fixed": "fitted value from the fixed effects only",
    "residual": "observed - fitted",
    "method": "plain-language description of the method used",
    "note": "why the row's estimates are missing: 'not estimable: <reason>' (empty when estimable)",
}

#: Prefix of every ``note`` that explains a missing estimate.
NOT_ESTIMABLE = "not estimable: "

#: The fixed reasons a ``note`` can give (short code -> text). Fixed texts, never data:
#: no value, count or identifier ever goes into a note, and a report can translate each
#: one (``publishing/labels.yaml``, ``not_estimable_reasons``).
REASONS: dict[str, str] = {
    "no_pairs": "no complete pairs",
    "few_pairs": "fewer than 2 pairs",
    "few_pairs_3": "fewer than 3 pairs",
    "no_variation": "no variation (all values equal)",
    "no_change_variation": "no variation in the change (all differences equal)",
    "all_zero": "every difference is zero",
    "one_category": "only one category observed",
    "no_discordant": "no discordant pairs",
    "no_observations": "no observations",
    "few_observations": "fewer observations than model terms",
    "one_participant": "fewer than 2 participants",
    "single_observations": "every participant observed only once",
    "wave_not_observed": "wave not observed",
    "one_wave": "fewer than two waves",
    "few_baseline": "fewer than 3 participants at baseline",
    "few_observed": "fewer than 2 observed values",
    "collinear": "regressors collinear or constant",
    "no_attendance": "no attendance register",
    "no_comparison": "no comparison between waves configured",
    "no_recurring": "no recurring participants",
}

# Columns that identify what a row is about (kept first by order_columns).


def order_columns(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return ``frame`` with its columns in canonical order.

    Parameters
    ----------
    frame : pandas.DataFrame
        A result frame.
    columns : sequence of str, optional
        Explicit order. Defaults to the order of :data:`VOCABULARY`; columns not in
        the vocabulary are kept, after the known ones, in their original order.

    Returns
    -------
    pandas.DataFrame
        The same data with reordered columns (a copy).

    Examples
    --------
    >>> import pandas as pd
    >>> order_columns(pd.DataFrame({"p_value": [0.5], "outcome": ["who5"]})).columns.tolist()
    ['outcome', 'p_value']
    """
    order = list(columns) if columns is not None else list(VOCABULARY)
    known = [c for c in order if c in frame.columns]
    rest = [c for c in frame.columns if c not in known]
    return frame.loc[:, known + rest].copy()


def as_tidy(
    rows: pd.DataFrame | Iterable[Mapping[str, object]],
    columns: Sequence[str],
    *,
    strict: bool = True,
) -> pd.DataFrame:
    """Build a result frame with exactly ``columns``, completing missing ones.

    Parameters
    ----------
    rows : DataFrame or iterable of mappings
        Result rows (e.g. a list of dicts, one per outcome x test).
    columns : sequence of str
        Output columns, in order. Columns absent from ``rows`` are added filled with
        NaN; keys of ``rows`` not in ``columns`` are dropped.
    strict : bool, default True
        Raise ``ValueError`` if a name in ``columns`` is not in :data:`VOCABULARY`
        (keeps the vocabulary fixed).

    Returns
    -------
    pandas.DataFrame
        One row per input row, columns exactly ``columns``, a fresh RangeIndex.

    Examples
    --------
    >>> as_tidy([{"outcome": "who5", "estimate": 1.5}], ["outcome", "estimate", "ci_low"])
      outcome  estimate  ci_low
    0    who5       1.5     NaN
    """
    if strict:
        unknown = [c for c in columns if c not in VOCABULARY]
        if unknown:
            raise ValueError(f"columns not in analysis.tidy.VOCABULARY: {unknown}")
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    for c in columns:
        if c not in frame.columns:
            frame[c] = np.nan
    return frame.loc[:, list(columns)].reset_index(drop=True)


def not_estimable(reason: str) -> str:
    """The ``note`` of a row whose estimate cannot be computed.

    Parameters
    ----------
    reason : str
        A key of :data:`REASONS`.

    Returns
    -------
    str
        ``"not estimable: <reason text>"``.

    Examples
    --------
    >>> not_estimable("few_pairs")
    'not estimable: fewer than 2 pairs'
    """
    return NOT_ESTIMABLE + REASONS[reason]
