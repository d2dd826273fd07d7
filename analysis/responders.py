"""Responder analysis: shares of participants changing by at least the MID."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis import _panel
from analysis.proportions import wilson_ci
from analysis.tidy import as_tidy, not_estimable

__all__ = ["RESPONDER_COLUMNS", "responders"]

RESPONDER_COLUMNS = (
    "outcome", "pre", "post", "category", "n", "n_total", "share", "ci_low", "ci_high", "ci_level", "method", "note",
)  # fmt: skip

_REL_TOL = 1e-9


def responders(
    panel: pd.DataFrame,
    outcomes: Sequence[str],
    pre,
    post,
    mid: Mapping[str, float],
    higher_is_better: Mapping[str, bool],
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Share improved / worsened by at least the minimal important difference (MID).

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave`` and the outcomes.
    outcomes : sequence of str
        Outcome columns.
    pre, post : wave label
        Waves compared (complete pairs only).
    mid : mapping str -> float
        MID per outcome, a positive change on the outcome's own scale (e.g. 10 for
        WHO-5 percentage scores).
    higher_is_better : mapping str -> bool
        Direction per outcome.
    ci_level : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        Per outcome, rows ``category`` = ``improved``, ``worsened``, ``unchanged``:
        ``outcome, pre, post, category, n, n_total, share, ci_low, ci_high,
        ci_level, method, note``; ``n_total`` is the number of complete pairs,
        ``share`` = n / n_total with the Wilson score interval (R's ``prop.test(x, n,
        correct = FALSE)``, ``binom::binom.confint(method = "wilson")``). Without
        complete pairs the shares are NaN and ``note`` is "not estimable: no
        complete pairs" (else empty).

    Notes
    -----
    With the change oriented so that positive is better, c = +/-(post - pre), a
    participant *improved* if c >= MID, *worsened* if c <= -MID, else *unchanged*.
    A change equal to the MID counts (compared with a relative tolerance of 1e-9 so
    that floating-point differences such as 81.5 - 71.5 are not missed).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": [1, 2, 3, 4] * 2, "wave": ["T0"] * 4 + ["T1"] * 4,
    ...                       "who5": [40, 60, 52, 20, 52, 48, 56, 30]})
    >>> res = responders(panel, ["who5"], "T0", "T1", mid={"who5": 10}, higher_is_better={"who5": True})
    >>> res[["category", "n", "n_total", "share"]]
        category  n  n_total  share
    0   improved  2        4   0.50
    1   worsened  1        4   0.25
    2  unchanged  1        4   0.25
    """
    outcomes = list(outcomes)
    _panel.check_panel(panel, outcomes)
    rows = []
    for o in outcomes:
        if o not in mid or o not in higher_is_better:
            raise KeyError(f"mid and higher_is_better need an entry for {o!r}")
        m = float(mid[o])
        if not m > 0:
            raise ValueError(f"MID for {o!r} must be positive")
        d = _panel.differences(panel, o, pre, post)
        c = d if higher_is_better[o] else -d
        tol = _REL_TOL * m
        counts = {
            "improved": int((c >= m - tol).sum()),
            "worsened": int((c <= -m + tol).sum()),
        }
        counts["unchanged"] = d.size - counts["improved"] - counts["worsened"]
        direction = "higher" if higher_is_better[o] else "lower"
        for k, v in counts.items():
            rows.append({
                "outcome": o, "pre": pre, "post": post, "category": k, "n": v, "n_total": d.size,
                "method": f"change of at least MID = {m:g} ({direction} is better); Wilson score interval",
            })  # fmt: skip
    out = as_tidy(rows, RESPONDER_COLUMNS)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = out["n"] / out["n_total"].where(out["n_total"] > 0)
    lo, hi = wilson_ci(out["n"].to_numpy(), out["n_total"].to_numpy(), ci_level)
    out["ci_low"], out["ci_high"], out["ci_level"] = lo, hi, ci_level
    out["note"] = np.where(out["n_total"] > 0, "", not_estimable("no_pairs"))
    return out
