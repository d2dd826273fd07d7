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

import decimal
import math
import numbers
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from pandas.api.types import (
    infer_dtype,
    is_bool_dtype,
    is_complex_dtype,
    is_datetime64_any_dtype,
    is_numeric_dtype,
    is_timedelta64_dtype,
)

from ._errors import ItemError, outside_kinds
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


def _holds_no_codes(dtype) -> bool:
    """Column types whose values can never be questionnaire codes, even when pandas can
    turn them into numbers (True → 1, a date → nanoseconds, 3+0j → 3)."""
    return (is_bool_dtype(dtype) or is_complex_dtype(dtype) or is_datetime64_any_dtype(dtype)
            or is_timedelta64_dtype(dtype) or isinstance(dtype, (pd.PeriodDtype, pd.IntervalDtype)))


#: object columns whose values pandas' own parser handles (anything else is parsed cell by cell)
_PLAIN_OBJECT_KINDS = ("string", "integer", "floating", "decimal", "mixed-integer-float", "empty")


def _parse_cells(values) -> np.ndarray:
    """Cell-by-cell fallback for object columns holding a mixture of Python objects.

    Real numbers (including ``Decimal`` and integers too large for a float, which become
    ``±inf`` and are then reported as codes out of range) are kept; text is parsed like
    :func:`pandas.to_numeric`; booleans, complex numbers and any other object become
    ``NaN`` (and are counted as non-numeric by the caller).
    """
    out = np.full(len(values), np.nan)
    text: list[int] = []
    for i, v in enumerate(values):
        if isinstance(v, (bool, np.bool_, complex, np.complexfloating)):
            continue
        if isinstance(v, (numbers.Real, decimal.Decimal)):
            try:
                out[i] = float(v)
            except OverflowError:
                out[i] = math.inf if cast(Any, v) > 0 else -math.inf  # an int or Decimal beyond float
        elif isinstance(v, (str, bytes)):
            text.append(i)
    if text:
        parsed = pd.to_numeric(pd.Series([values[i] for i in text], dtype=object), errors="coerce")
        if is_numeric_dtype(parsed.dtype) and not is_complex_dtype(parsed.dtype):
            out[text] = parsed.to_numpy(dtype=float, na_value=np.nan)
    return out


def _to_float(s: pd.Series) -> tuple[np.ndarray, int, str | None]:
    """Column → float array, the number of non-numeric entries, and the column's type when
    that type cannot hold codes at all (e.g. ``"bool"``), else ``None``."""
    present = s.notna().to_numpy(dtype=bool)
    if _holds_no_codes(s.dtype):
        return np.full(len(s), np.nan), int(present.sum()), str(s.dtype)
    if is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan), 0, None
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    kind = infer_dtype(s, skipna=True) if s.dtype == object else "string"
    if kind == "boolean":
        return np.full(len(s), np.nan), int(present.sum()), "bool"
    x = None
    if kind in _PLAIN_OBJECT_KINDS:
        try:
            num = pd.to_numeric(s, errors="coerce")
            if is_numeric_dtype(num.dtype) and not _holds_no_codes(num.dtype):
                x = num.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError, OverflowError):
            x = None
    if x is None:
        x = _parse_cells(s.to_numpy(dtype=object))
    bad = int((present & np.isnan(x)).sum())
    return x, bad, None


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
        raise TypeError(f"{spec.id}: items must be a pandas DataFrame, got {type(items).__name__}")
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
        x, n_bad, wrong_type = _to_float(s)
        codes = spec.allowed[col]
        if n_bad:
            problems.append({"column": col, "problem": "non_numeric", "found": [], "n_rows": n_bad,
                             "allowed": codes.describe(), "dtype": wrong_type})
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
                             "truncated": len(found) > 10, "n_rows": int(bad.sum()), "allowed": allowed,
                             "kinds": outside_kinds(found, codes, dk)})
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
