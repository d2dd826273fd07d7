"""Exceptions raised by :mod:`instruments`.

All of them subclass :class:`ValueError`, so callers that only want to know "this input
cannot be scored" can catch ``ValueError``. Messages name instruments, files, keys and
columns, give counts of rows and describe unexpected answers by kind ("above 5",
"fractional"); they never contain participant identifiers, row labels or the answers
themselves (those are in :attr:`ItemError.problems` for the caller).
"""

from __future__ import annotations

import math


class InstrumentError(ValueError):
    """Base class of every error raised by :mod:`instruments`."""


class UnknownInstrumentError(InstrumentError):
    """An instrument id that is neither built in nor registered."""


class ItemError(InstrumentError):
    """Item columns that cannot be scored: absent, non-numeric, or codes outside the spec.

    Attributes
    ----------
    instrument : str
        The instrument id.
    problems : list of dict
        One dict per offending column with keys ``column``, ``problem``
        (``"absent"``, ``"duplicated"``, ``"non_numeric"`` or ``"invalid_code"``), ``found`` (the distinct
        offending values, at most 10: for the caller, never in the message), ``n_rows`` and
        ``allowed`` (text); ``"invalid_code"`` problems also have ``kinds``
        (:func:`outside_kinds`), ``"non_numeric"`` problems ``dtype``: the column's type when
        that type cannot hold codes at all (booleans, dates, complex numbers), else ``None``.
    """

    def __init__(self, instrument: str, problems: list[dict]):
        self.instrument = instrument
        self.problems = problems
        super().__init__(self._message())

    @property
    def columns(self) -> list[str]:
        """Names of the offending columns."""
        return [p["column"] for p in self.problems]

    def _message(self) -> str:
        absent = [p["column"] for p in self.problems if p["problem"] == "absent"]
        parts = []
        if absent:
            parts.append(f"{len(absent)} item column(s) absent: {', '.join(absent)}")
        for p in self.problems:
            if p["problem"] == "duplicated":
                parts.append(f"{p['column']}: column appears more than once")
            elif p["problem"] == "non_numeric":
                of_type = f" (a column of type {p['dtype']}, not codes)" if p.get("dtype") else ""
                parts.append(f"{p['column']}: non-numeric values in {_rows(p['n_rows'])}{of_type}")
            elif p["problem"] == "invalid_code":
                kinds = ", ".join(p.get("kinds") or ["not one of the allowed codes"])
                parts.append(
                    f"{p['column']}: codes outside the allowed ones ({kinds}) in {_rows(p['n_rows'])}; "
                    f"allowed {p['allowed']}"
                )
        return f"{self.instrument}: " + "; ".join(parts)


class SpecError(InstrumentError):
    """An instrument specification (YAML file or dict) that is not valid.

    Attributes
    ----------
    source : str
        File name (or ``"<dict>"``) the spec came from.
    key : str or None
        The offending key, if one can be named.
    """

    def __init__(self, source: str, key: str | None, message: str):
        self.source = source
        self.key = key
        where = f"{source}: key {key!r}: " if key else f"{source}: "
        super().__init__(where + message)


class OptionError(InstrumentError):
    """An option passed to :func:`instruments.score` that the instrument does not accept."""


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def outside_kinds(values, codes, dont_know_code=None) -> list[str]:
    """What is wrong with answers outside an item's codes, without naming them.

    Parameters
    ----------
    values
        The offending values (numbers).
    codes
        The item's :class:`~instruments._spec.Codes` (``min``, ``max``, ``integer``,
        ``values``).
    dont_know_code
        The instrument's "don't know" code (an allowed answer).

    Returns
    -------
    list of str
        Those that apply, in this order: ``"negative"``, ``"fractional"``, ``"below
        <min>"``, ``"above <max>"``, ``"between the allowed codes"``, ``"not a finite
        number"``; ``["not one of the allowed codes"]`` if none does.

    Examples
    --------
    >>> from instruments._spec import Codes
    >>> outside_kinds([-1, 55.5, 101], Codes(min=0, max=100))
    ['negative', 'fractional', 'above 100']
    >>> outside_kinds([0, 3, float("inf")], Codes(min=1, max=4, values=(1, 2, 4)))
    ['below 1', 'between the allowed codes', 'not a finite number']
    """
    lo, hi = getattr(codes, "min", None), getattr(codes, "max", None)
    integer = bool(getattr(codes, "integer", True))
    value_set = getattr(codes, "values", None)
    finite = [float(v) for v in values if math.isfinite(float(v))]
    kinds = []
    if any(v < 0 for v in finite) and (lo is None or lo >= 0):
        kinds.append("negative")
    if integer and any(not v.is_integer() for v in finite):
        kinds.append("fractional")
    if lo is not None and any(v < lo and (v >= 0 or lo < 0) for v in finite):
        kinds.append(f"below {_fmt(lo)}")
    if hi is not None and any(v > hi for v in finite):
        kinds.append(f"above {_fmt(hi)}")
    inside = [v for v in finite if (lo is None or v >= lo) and (hi is None or v <= hi)
              and (v.is_integer() or not integer) and v != dont_know_code]
    if value_set is not None and inside:
        kinds.append("between the allowed codes")
    if len(finite) < len(list(values)):
        kinds.append("not a finite number")
    return kinds or ["not one of the allowed codes"]


def _fmt(v) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return repr(v)
    return str(int(f)) if f.is_integer() else repr(f)
