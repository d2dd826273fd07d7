"""EQ-5D-5L profile analyses: Paretian classification of change, problem shares, and the
descriptive profile (every level of every dimension per wave, and the share in full
health, 11111) as Devlin, Parkin & Janssen (2020, ch. 2) recommend reporting it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis import _panel
from analysis.proportions import wilson_ci
from analysis.tidy import as_tidy, not_estimable

__all__ = ["DIMENSIONS", "FULL_HEALTH", "PCHC_COLUMNS", "PROBLEM_COLUMNS", "PROFILE_COLUMNS", "level_profile", "pchc",
           "problem_shares"]

#: EQ-5D-5L dimension columns: mobility, self-care, usual activities, pain/discomfort,
#: anxiety/depression (levels 1 = no problems ... 5 = extreme problems/unable).
DIMENSIONS = ("eq5d5l_mo", "eq5d5l_sc", "eq5d5l_ua", "eq5d5l_pd", "eq5d5l_ad")
PCHC_COLUMNS = (
    "dimension", "category", "pre", "post", "n", "n_total", "share", "ci_low", "ci_high", "ci_level", "note",
)  # fmt: skip
PROBLEM_COLUMNS = ("dimension", "wave", "n", "n_total", "share", "ci_low", "ci_high", "ci_level", "method", "note")
PROFILE_COLUMNS = ("dimension", "wave", "level", "n", "n_total", "share", "ci_low", "ci_high", "ci_level", "method",
                   "note")
#: ``dimension`` of the profile rows that count the respondents in full health (11111)
FULL_HEALTH = "full_health"


def _complete_profiles(panel: pd.DataFrame, pre, post, dims: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    _panel.check_panel(panel, list(dims))
    a = panel.loc[panel[_panel.WAVE] == pre, [_panel.ID, *dims]].set_index(_panel.ID)
    b = panel.loc[panel[_panel.WAVE] == post, [_panel.ID, *dims]].set_index(_panel.ID)
    both = a.merge(b, how="inner", left_index=True, right_index=True, suffixes=("_pre", "_post"))
    both = both.dropna().sort_index()
    x = both[[f"{d}_pre" for d in dims]].to_numpy(dtype=float)
    y = both[[f"{d}_post" for d in dims]].to_numpy(dtype=float)
    return x, y


def pchc(
    panel: pd.DataFrame,
    pre,
    post,
    dims: Sequence[str] = DIMENSIONS,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Paretian Classification of Health Change (PCHC) between two waves.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave`` and the EQ-5D level columns.
    pre, post : wave label
        Waves compared.
    dims : sequence of str
        Dimension columns (levels coded 1 = no problems upwards).
    ci_level : float, default 0.95
        Level of the Wilson intervals of the shares.

    Returns
    -------
    pandas.DataFrame
        ``dimension, category, pre, post, n, n_total, share, ci_low, ci_high,
        ci_level, note``. Rows with ``dimension == "overall"`` have ``category`` in
        ``better, worse, mixed, unchanged`` (profile-level PCHC); one block per
        dimension has ``better, worse, same``. ``n_total`` is the number of
        participants with all dimensions answered at both waves (the same
        analysis set for every row); ``share`` = n / n_total with a Wilson CI
        (exactly 0 or 1 at its end for a share of 0 % or 100 %). Without complete
        pairs every row is returned with NaN shares and ``note`` "not estimable:
        no complete pairs"; otherwise ``note`` is empty.

    Notes
    -----
    A profile is *better* if at least one dimension improved (lower level) and none
    worsened, *worse* if at least one worsened and none improved, *mixed* if some
    improved and some worsened, *unchanged* if identical (Devlin et al. 2010).

    References
    ----------
    Devlin NJ, Parkin D, Browne J (2010). Patient-reported outcome measures in the
    NHS: new methods for analysing and reporting EQ-5D data. Health Econ
    19:886–905. doi:10.1002/hec.1608

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": [1, 2, 3] * 2, "wave": ["T0"] * 3 + ["T1"] * 3,
    ...                       "mo": [2, 1, 3, 1, 1, 2], "ad": [3, 2, 1, 3, 2, 2]})
    >>> res = pchc(panel, "T0", "T1", dims=("mo", "ad"))
    >>> res.loc[res["dimension"] == "overall", ["category", "n", "share"]]
        category  n     share
    0     better  1  0.333333
    1      worse  0  0.000000
    2      mixed  1  0.333333
    3  unchanged  1  0.333333
    """
    dims = list(dims)
    x, y = _complete_profiles(panel, pre, post, dims)
    n_total = x.shape[0]
    improved = y < x
    worsened = y > x
    any_b, any_w = improved.any(axis=1), worsened.any(axis=1)
    counts = {
        "better": int((any_b & ~any_w).sum()),
        "worse": int((any_w & ~any_b).sum()),
        "mixed": int((any_b & any_w).sum()),
        "unchanged": int((~any_b & ~any_w).sum()),
    }
    rows = [{"dimension": "overall", "category": k, "n": v} for k, v in counts.items()]
    for j, d in enumerate(dims):
        for k, v in (("better", improved[:, j].sum()), ("worse", worsened[:, j].sum()),
                     ("same", (~improved[:, j] & ~worsened[:, j]).sum())):  # fmt: skip
            rows.append({"dimension": d, "category": k, "n": int(v)})
    out = as_tidy(rows, PCHC_COLUMNS)
    out["pre"], out["post"] = pre, post
    out["n_total"] = n_total
    out["share"] = out["n"] / n_total if n_total else np.nan
    lo, hi = wilson_ci(out["n"].to_numpy(), np.full(len(out), n_total), ci_level)
    out["ci_low"], out["ci_high"], out["ci_level"] = lo, hi, ci_level
    out["note"] = not_estimable("no_pairs") if n_total == 0 else ""
    return out


def problem_shares(
    panel: pd.DataFrame,
    dims: Sequence[str] = DIMENSIONS,
    waves: Sequence | None = None,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Share of respondents reporting any problem (level > 1) per dimension and wave.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave`` and the EQ-5D level columns.
    dims : sequence of str
        Dimension columns.
    waves : sequence, optional
        Waves to report (default: all, in wave order).
    ci_level : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        ``dimension, wave, n, n_total, share, ci_low, ci_high, ci_level, method,
        note``: ``n`` respondents with level > 1 among ``n_total`` answering the
        dimension at that wave; Wilson score interval (as ``prop.test(correct =
        FALSE)``, exactly 0 or 1 at its end for 0 % or 100 %). A wave without
        answers has NaN shares and ``note`` "not estimable: no observations".

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": [1, 2, 3, 4], "wave": ["T0"] * 4,
    ...                       "mo": [1, 2, 1, None]})
    >>> problem_shares(panel, dims=("mo",))[["dimension", "wave", "n", "n_total", "share"]]
      dimension wave  n  n_total     share
    0        mo   T0  1        3  0.333333
    """
    dims = list(dims)
    _panel.check_panel(panel, dims)
    waves = list(waves) if waves is not None else _panel.wave_levels(panel)
    rows = []
    for d in dims:
        for w in waves:
            x = panel.loc[panel[_panel.WAVE] == w, d].dropna()
            rows.append({"dimension": d, "wave": w, "n": int((x > 1).sum()), "n_total": int(x.size)})
    return _share_table(rows, PROBLEM_COLUMNS, ci_level, "Share with level > 1; Wilson score interval")


def _share_table(rows: list[dict], columns: Sequence[str], ci_level: float, method) -> pd.DataFrame:
    """Rows of ``n`` among ``n_total`` as a tidy table with the share, its Wilson interval,
    ``method`` (one text, or one per row) and the note of a row without answers."""
    out = as_tidy(rows, columns)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = out["n"] / out["n_total"].where(out["n_total"] > 0)
    lo, hi = wilson_ci(out["n"].to_numpy(), out["n_total"].to_numpy(), ci_level)
    out["ci_low"], out["ci_high"], out["ci_level"] = lo, hi, ci_level
    out["method"] = method(out) if callable(method) else method
    out["note"] = np.where(out["n_total"] > 0, "", not_estimable("no_observations"))
    return out


def level_profile(
    panel: pd.DataFrame,
    dims: Sequence[str] = DIMENSIONS,
    waves: Sequence | None = None,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """The EQ-5D-5L descriptive profile per wave: how many respondents report each level
    (1 = no problems … 5 = extreme problems/unable) of each dimension, and how many are in
    full health (11111) among those with a complete profile (Devlin, Parkin & Janssen 2020,
    *Methods for Analysing and Reporting EQ-5D Data*, ch. 2: frequencies of every level
    per dimension and the share in full health, not only "any problem").

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id``, ``wave`` and the EQ-5D level columns (1–5).
    dims : sequence of str
        Dimension columns.
    waves : sequence, optional
        Waves to report (default: all, in wave order).
    ci_level : float, default 0.95
        Level of the Wilson intervals of the shares.

    Returns
    -------
    pandas.DataFrame
        :data:`PROFILE_COLUMNS`: per dimension, wave and level 1–5 the ``n`` respondents at
        that level among the ``n_total`` answering the dimension; then per wave one row with
        ``dimension`` :data:`FULL_HEALTH` and ``level`` 1: ``n`` in 11111 among the
        ``n_total`` with all dimensions answered. Wilson intervals; a wave without answers
        has NaN shares and a ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": [1, 2, 3, 4], "wave": ["T0"] * 4,
    ...                       "mo": [1, 2, 1, None], "ad": [1, 1, 3, 2]})
    >>> t = level_profile(panel, dims=("mo", "ad"))
    >>> t[t["dimension"] == "mo"][["level", "n", "n_total"]].T.to_numpy().tolist()
    [[1, 2, 3, 4, 5], [2, 1, 0, 0, 0], [3, 3, 3, 3, 3]]
    >>> t[t["dimension"] == FULL_HEALTH][["wave", "n", "n_total", "share"]]
       wave  n  n_total     share
    10   T0  1        3  0.333333
    """
    dims = list(dims)
    _panel.check_panel(panel, dims)
    waves = list(waves) if waves is not None else _panel.wave_levels(panel)
    rows = []
    for d in dims:
        for w in waves:
            x = panel.loc[panel[_panel.WAVE] == w, d].dropna()
            for level in range(1, 6):
                rows.append({"dimension": d, "wave": w, "level": level, "n": int((x == level).sum()),
                             "n_total": int(x.size)})
    for w in waves:
        x = panel.loc[panel[_panel.WAVE] == w, dims].dropna()
        rows.append({"dimension": FULL_HEALTH, "wave": w, "level": 1, "n": int((x == 1).all(axis=1).sum()),
                     "n_total": int(len(x))})
    return _share_table(rows, PROFILE_COLUMNS, ci_level, lambda t: np.where(
        t["dimension"] == FULL_HEALTH, "Share in full health (11111) among complete profiles; Wilson score interval",
        "Share at each level; Wilson score interval"))
