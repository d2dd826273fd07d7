"""Exceptions raised by :mod:`instruments`.

All of them subclass :class:`ValueError`, so callers that only want to know "this input
cannot be scored" can catch ``ValueError``. Messages name instruments, files, keys and
columns, and give counts of rows; they never contain participant identifiers or row
labels.
"""

from __future__ import annotations


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
        offending values, at most 10), ``n_rows`` and ``allowed`` (text); ``"non_numeric"``
        problems also have ``dtype``: the column's type when that type cannot hold codes at
        all (booleans, dates, complex numbers), else ``None``.
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
                found = ", ".join(_fmt(v) for v in p["found"])
                more = " …" if p.get("truncated") else ""
                parts.append(
                    f"{p['column']}: codes {found}{more} found in {_rows(p['n_rows'])}; "
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


def _fmt(v) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return repr(v)
    return str(int(f)) if f.is_integer() else repr(f)
