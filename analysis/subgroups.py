"""Paired change per subgroup, with small-group suppression."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from scipy import stats

from analysis import _panel
from analysis.tidy import as_tidy, not_estimable

__all__ = ["SUBGROUP_COLUMNS", "subgroups"]

SUBGROUP_COLUMNS = (
    "outcome", "pre", "post", "subgroup", "subgroup_level", "n", "estimate", "std_error",
    "ci_low", "ci_high", "ci_level", "p_value", "suppressed", "method", "note",
)  # fmt: skip


def subgroups(
    panel: pd.DataFrame,
    outcomes: Sequence[str],
    pre,
    post,
    by: str,
    min_pairs: int = 10,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Mean paired change ``post - pre`` within each level of a subgroup variable.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave``, the outcomes and ``by``.
    outcomes : sequence of str
        Outcome columns.
    pre, post : wave label
        Waves compared (complete pairs).
    by : str
        Subgroup column. Its value at ``pre`` defines the subgroup (a baseline
        characteristic); participants missing it at ``pre`` are left out.
    min_pairs : int, default 10
        Smallest number of pairs for which an estimate is reported.
    ci_level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per outcome x subgroup level: ``outcome, pre, post, subgroup,
        subgroup_level, n, estimate, std_error, ci_low, ci_high, ci_level, p_value,
        suppressed, method, note``. Estimate: mean difference with paired-t CI and
        p-value. Where ``n < min_pairs`` all statistics are NaN and ``suppressed``
        is True; ``n`` is still given (showing it as "<10" is the renderer's job).
        Where every change in a subgroup is the same the mean is given without CI
        and p-value and ``note`` is "not estimable: no variation in the change"
        (with ``min_pairs`` below 2, fewer than 2 pairs give "fewer than 2 pairs").

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": list(range(14)) * 2,
    ...                       "wave": ["T0"] * 14 + ["T1"] * 14,
    ...                       "sex": ["f"] * 11 + ["m"] * 3 + [None] * 14,
    ...                       "who5": list(range(40, 54)) + list(range(42, 56))})
    >>> subgroups(panel, ["who5"], "T0", "T1", by="sex")[["subgroup_level", "n", "estimate", "suppressed"]]
      subgroup_level   n  estimate  suppressed
    0              f  11       2.0       False
    1              m   3       NaN        True
    """
    outcomes = list(outcomes)
    _panel.check_panel(panel, [*outcomes, by])
    base = panel.loc[panel[_panel.WAVE] == pre, [_panel.ID, by]].dropna().set_index(_panel.ID)[by]
    col = panel[by]
    levels = list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) else sorted(base.unique().tolist())
    rows = []
    for o in outcomes:
        w = _panel.paired(panel, o, pre, post)
        d_all = (w["post"] - w["pre"]).rename("d").to_frame().join(base, how="inner")
        for lev in levels:
            d = d_all.loc[d_all[by] == lev, "d"].to_numpy(dtype=float)
            n = d.size
            row = {"outcome": o, "pre": pre, "post": post, "subgroup": by, "subgroup_level": lev, "n": n,
                   "ci_level": ci_level, "suppressed": n < min_pairs, "note": "",
                   "method": f"Mean paired change with t-interval; not reported below {min_pairs} pairs"}  # fmt: skip
            if n >= max(min_pairs, 2):
                mean, sd = float(d.mean()), float(d.std(ddof=1))
                se = sd / math.sqrt(n)
                row["estimate"] = mean
                if not _panel.essentially_constant(sd, n, mean):
                    qq = stats.t.ppf(1 - (1 - ci_level) / 2, n - 1)
                    row.update(std_error=se, ci_low=mean - qq * se, ci_high=mean + qq * se,
                               p_value=float(2 * stats.t.sf(abs(mean / se), n - 1)))
                else:
                    row["note"] = not_estimable("no_change_variation")
            elif n < 2 and n >= min_pairs:
                row["note"] = not_estimable("no_pairs" if n == 0 else "few_pairs")
            rows.append(row)
    out = as_tidy(rows, SUBGROUP_COLUMNS)
    out["suppressed"] = out["suppressed"].astype(bool)
    return out
