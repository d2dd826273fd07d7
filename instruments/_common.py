"""Shared, vectorised building blocks for the family scorers.

Conventions used by every scorer (documented once here):

* item responses become a float matrix, one column per item; missing answers and
  don't-know answers are ``NaN`` (don't-knows are counted first);
* scores are ``float64`` with ``NaN`` for "not scored";
* ``*_n_valid`` and ``*_n_dont_know`` are ``int64`` counts;
* binary flags are pandas nullable ``"boolean"`` (``<NA>`` when the score is missing);
* levels are ordered pandas ``Categorical`` (``NaN`` when the score is missing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from ._errors import ItemError
from ._spec import InstrumentSpec

#: tolerance for comparing a score with a level's upper bound (floating-point noise only)
LEVEL_TOL = 1e-9


@dataclass
class ItemData:
    """Validated item responses of one instrument.

    Attributes
    ----------
    X : ndarray of shape (n, k)
        Responses as float; ``NaN`` for missing and for don't know.
    n_dont_know : ndarray of shape (n,) or None
        Don't-know answers per row, if the instrument has a don't-know code.
    index : pandas.Index
        The index of the input frame.
    items : tuple of str
        Column names of ``X``.
    """

    X: np.ndarray
    n_dont_know: np.ndarray | None
    index: pd.Index
    items: tuple[str, ...]

    def cols(self, names) -> np.ndarray:
        """Sub-matrix of the named items (in the order given)."""
        pos = {it: j for j, it in enumerate(self.items)}
        return self.X[:, [pos[n] for n in names]]


def _to_float(s: pd.Series) -> tuple[np.ndarray, int]:
    """Column → float array; second value counts non-numeric entries."""
    if is_numeric_dtype(s.dtype) and not is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan), 0
    x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = int((s.notna().to_numpy() & np.isnan(x)).sum())
    return x, bad


def item_matrix(spec: InstrumentSpec, items: pd.DataFrame) -> ItemData:
    """Check the item columns of ``items`` against ``spec`` and return them as a matrix.

    Raises
    ------
    ItemError
        If item columns are absent, non-numeric, or hold codes outside the spec. The
        message names every offending column, the codes found, how many rows, and the
        allowed codes; it never shows row labels.

    Examples
    --------
    >>> from instruments import spec
    >>> d = item_matrix(spec("srh"), pd.DataFrame({"srh_01": [1, None, 5]}))
    >>> d.X.ravel()
    array([ 1., nan,  5.])
    """
    if not isinstance(items, pd.DataFrame):
        raise TypeError(f"items must be a pandas DataFrame, got {type(items).__name__}")
    absent = [c for c in spec.items if c not in items.columns]
    if absent:
        raise ItemError(spec.id, [{"column": c, "problem": "absent", "found": [], "n_rows": 0,
                                   "allowed": spec.allowed[c].describe()} for c in absent])
    n = len(items)
    X = np.empty((len(spec.items), n), dtype=float).T  # column-major: fast column writes
    dk = spec.dont_know_code
    n_dk = np.zeros(n, dtype=np.int64) if dk is not None else None
    problems = []
    for j, col in enumerate(spec.items):
        s = items[col]
        if isinstance(s, pd.DataFrame):
            raise ItemError(spec.id, [{"column": col, "problem": "duplicated", "found": [],
                                       "n_rows": n, "allowed": codes_text(spec, col)}])
        x, n_bad = _to_float(s)
        codes = spec.allowed[col]
        if n_bad:
            problems.append({"column": col, "problem": "non_numeric", "found": [], "n_rows": n_bad,
                             "allowed": codes.describe()})
            continue
        if dk is not None:
            is_dk = x == dk
            if is_dk.any():
                n_dk += is_dk
                x = np.where(is_dk, np.nan, x)
        bad = ~np.isnan(x) & ~codes.valid(x)
        if bad.any():
            found = np.unique(x[bad])
            allowed = codes_text(spec, col)
            problems.append({"column": col, "problem": "invalid_code", "found": found[:10].tolist(),
                             "truncated": len(found) > 10, "n_rows": int(bad.sum()), "allowed": allowed})
        X[:, j] = x
    if problems:
        raise ItemError(spec.id, problems)
    return ItemData(X=X, n_dont_know=n_dk, index=items.index, items=spec.items)


def codes_text(spec: InstrumentSpec, col: str) -> str:
    """Allowed codes of one item as text, including the don't-know code."""
    dk = spec.dont_know_code
    return spec.allowed[col].describe() + (f"; don't know {dk}" if dk is not None else "")


def row_mean(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the non-missing values of each row and their number.

    Rows without any value get ``NaN``.

    Examples
    --------
    >>> m, n = row_mean(np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]]))
    >>> m, n
    (array([ 2., nan]), array([2, 0]))
    """
    n_valid = X.shape[1] - np.isnan(X).sum(axis=1)
    total = np.nansum(X, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n_valid
    return mean, n_valid.astype(np.int64)


def require(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """``values`` where ``ok`` else ``NaN``."""
    return np.where(ok, values, np.nan)


def categorise(values: np.ndarray, levels) -> pd.Categorical:
    """Ordered categorical from a score and ``((name, inclusive_max), ...)`` levels.

    A value belongs to the first level whose ``max`` it does not exceed (bounds are
    inclusive, compared with a 1e-9 tolerance for floating-point noise); the last level is
    open-ended. ``NaN`` stays missing.

    Examples
    --------
    >>> categorise(np.array([8, 9, 12.0, 13, np.nan]),
    ...            (("inadequate", 8.0), ("problematic", 12.0), ("sufficient", np.inf))).tolist()
    ['inadequate', 'problematic', 'problematic', 'sufficient', nan]
    """
    names = [name for name, _ in levels]
    bounds = np.array([mx for _, mx in levels[:-1]], dtype=float) + LEVEL_TOL
    codes = np.searchsorted(bounds, values, side="left")
    codes = np.where(np.isnan(values), -1, codes)
    return pd.Categorical.from_codes(codes, categories=names, ordered=True)


def boolean(flag: np.ndarray, known: np.ndarray) -> pd.arrays.BooleanArray:
    """Nullable boolean array: ``flag`` where ``known``, ``<NA>`` elsewhere.

    Examples
    --------
    >>> boolean(np.array([True, False, True]), np.array([True, True, False])).tolist()
    [True, False, <NA>]
    """
    return pd.arrays.BooleanArray(np.asarray(flag, dtype=bool) & known, ~np.asarray(known, dtype=bool))


def reverse_keyed(X: np.ndarray, columns: list[int], lo: float, hi: float) -> np.ndarray:
    """Copy of ``X`` with the given columns reversed as ``(lo + hi) − x``.

    Examples
    --------
    >>> reverse_keyed(np.array([[1.0, 1.0, np.nan]]), [1, 2], 1, 5)
    array([[ 1.,  5., nan]])
    """
    if not columns:
        return X
    X = X.copy()
    X[:, columns] = (lo + hi) - X[:, columns]
    return X
