"""Internal helpers: validating the long panel and pairing two waves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

ID = "participant_id"
WAVE = "wave"


def check_panel(panel: pd.DataFrame, columns: Sequence[str] = ()) -> None:
    """Raise if ``panel`` is not a long panel with the needed columns."""
    if not isinstance(panel, pd.DataFrame):
        raise TypeError("panel must be a pandas DataFrame")
    missing = [c for c in (ID, WAVE, *columns) if c not in panel.columns]
    if missing:
        raise KeyError(f"panel lacks column(s) {missing}")
    if panel.duplicated([ID, WAVE]).any():
        raise ValueError("panel has more than one row per participant_id and wave")


def wave_levels(panel: pd.DataFrame) -> list:
    """Wave levels in order: categorical order if categorical, else sorted."""
    w = panel[WAVE]
    if isinstance(w.dtype, pd.CategoricalDtype):
        present = set(w.dropna().unique())
        return [c for c in w.cat.categories if c in present]
    return sorted(w.dropna().unique().tolist())


def paired(panel: pd.DataFrame, outcome: str, pre, post, *, numeric: bool = True) -> pd.DataFrame:
    """Wide frame (index participant_id; columns ``pre``, ``post``) of complete pairs.

    Only participants with a non-missing ``outcome`` at both waves are kept, sorted by
    participant_id (as R's ``merge``).
    """
    check_panel(panel, [outcome])
    if pre == post:
        raise ValueError("pre and post must be different waves")
    sub = panel.loc[panel[WAVE].isin([pre, post]), [ID, WAVE, outcome]]
    a = sub.loc[sub[WAVE] == pre, [ID, outcome]].set_index(ID)[outcome]
    b = sub.loc[sub[WAVE] == post, [ID, outcome]].set_index(ID)[outcome]
    wide = pd.concat({"pre": a, "post": b}, axis=1, join="inner").dropna()
    wide = wide.sort_index()
    if numeric:
        wide = wide.astype(float)
    return wide


def differences(panel: pd.DataFrame, outcome: str, pre, post) -> np.ndarray:
    """post - pre over complete pairs, as a float array."""
    w = paired(panel, outcome, pre, post)
    return (w["post"] - w["pre"]).to_numpy(dtype=float)


def essentially_constant(sd: float, n: int, mean: float) -> bool:
    """Whether values with this SD, count and mean carry no usable spread: SD zero or NaN,
    or a standard error below 10 machine epsilons of the mean -- R's ``t.test`` rule
    ("data are essentially constant"), which catches scores that differ only by floating
    point rounding (e.g. 81.5 - 71.5 against 10)."""
    if not sd > 0 or n < 1:
        return True
    return sd / np.sqrt(n) < 10 * np.finfo(float).eps * abs(mean)


def isin(values: pd.Series, keep) -> np.ndarray:
    """Boolean mask: which of ``values`` (e.g. participant IDs) are in ``keep``.

    Same result as ``values.isin(keep)``. pandas 3 stores text as pyarrow strings and its
    ``isin`` then converts every element of ``keep`` to a pyarrow scalar in a Python
    loop (about 0.5 s for 70,000 IDs, and the analysis filters the panel dozens of
    times); here the set is converted once and matched by pyarrow's hash join.
    """
    keep = list(keep) if isinstance(keep, (set, frozenset, dict)) else keep
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        if pd.api.types.is_string_dtype(values.dtype) and not isinstance(values.dtype, pd.CategoricalDtype):
            arr = pa.array(values, from_pandas=True)
            if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
                ks = pa.array(keep, from_pandas=True)
                if (pa.types.is_string(ks.type) or pa.types.is_large_string(ks.type) or len(ks) == 0) \
                        and ks.null_count == 0:  # missing values: pandas' own matching rules
                    hit = pc.is_in(arr, value_set=ks.cast(arr.type))
                    return np.asarray(hit.fill_null(False), dtype=bool)
    except (ImportError, TypeError, ValueError, ArithmeticError):  # pyarrow missing or mixed types
        pass
    return values.isin(keep).to_numpy(dtype=bool)
