"""Findings and the words they are written in: file, variable, rows and the *kind* of problem.

Pure (no Dagster). Every check of the pipeline reports a :class:`Problem`; the helpers here
turn values into what a message may say about them. The rule every message follows:

* it names the file, the variable (or "variable label of X", "value label of X code 3",
  "file name"), row numbers or counts, and the **kind** of problem ("3 values outside
  0–100 (negative, fractional, above 100)");
* it never holds a value found in the data, a participant ID, a variable or value label's
  text, or a variable name that is itself data (the first line of a file without a header);
* codes the file's *codebook* declares (value labels, SPSS user-missing codes) are part of
  the questionnaire, not answers, and may be named when they are whole numbers of at most
  four digits (:func:`codebook_code`); anything else is described, not shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from privacy.errors import WaveError  # one error class for reading and checking

#: how many row numbers an error message lists before it says "and N more"
MAX_ROWS_SHOWN = 10
#: the largest codebook code a message names (larger ones are described, not shown)
MAX_SHOWN_CODE = 9999


class IdentifierError(WaveError):
    """A file holding something that looks like a direct identifier (see
    :func:`privacy.identifiers.check_no_identifiers`); raised before anything of the
    file is stored."""


@dataclass(frozen=True)
class Problem:
    """One validation finding, safe to show: no IDs and no answers, only counts and rows."""

    file: str
    check: str
    message: str
    variable: str | None = None
    count: int = 0
    rows: tuple[int, ...] = ()
    expected: str | None = None
    found: str | None = None
    suggestion: str | None = None
    #: ``error`` (blocks), ``warning`` (worth a look) or ``note`` (information, e.g. an
    #: identifier exemption and its reason)
    severity: str = "error"
    #: the wave the file belongs to (``survey.validate`` groups its report by it)
    wave: str | None = None

    def __str__(self) -> str:
        parts = [f"{self.file}"]
        if self.variable:
            parts.append(f"variable {self.variable!r}")
        text = ": ".join([", ".join(parts), self.message]) + self._expected_found() + self._rows()
        return text + (f" ({self.suggestion})" if self.suggestion else "")

    def line(self) -> str:
        """The problem as one line of a report grouped by file: severity first, no file name.

        Examples
        --------
        >>> Problem("w.sav", "range", "values out of range", variable="q1", count=2, rows=(3, 9),
        ...         expected="1-5", found="2 values", suggestion="check the codes").line()
        "error: variable 'q1': values out of range; rows 3, 9; expected 1-5, found 2 values -> check the codes"
        """
        where = f"variable {self.variable!r}: " if self.variable else ""
        text = f"{self.severity}: {where}{self.message}" + self._rows() + self._expected_found()
        return text + (f" -> {self.suggestion}" if self.suggestion else "")

    def _expected_found(self) -> str:
        return (f"; expected {self.expected}" if self.expected is not None else "") + \
            (f", found {self.found}" if self.found is not None else "")

    def _rows(self) -> str:
        return f"; rows {rows_text(self.rows, self.count)}" if self.rows else ""


def rows_text(rows: tuple[int, ...], count: int) -> str:
    """Row numbers as a message shows them: the first :data:`MAX_ROWS_SHOWN`, then "and N more".

    Examples
    --------
    >>> rows_text((1, 2, 3), 3), rows_text(tuple(range(1, 13)), 12)
    ('1, 2, 3', '1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more')
    """
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_SHOWN])
    more = count - min(len(rows), MAX_ROWS_SHOWN)
    return shown + (f" and {more} more" if more > 0 else "")


_rows_text = rows_text  # the name the pipeline's modules have always used


def file_rows(mask: pd.Series) -> tuple[int, ...]:
    """1-based data-row numbers (as a spreadsheet or SPSS shows them) where ``mask`` holds."""
    return tuple(int(i) + 1 for i in np.flatnonzero(mask.to_numpy()))


def codebook_code(value) -> str | None:
    """How a message may name a code the codebook declares: a whole number of at most four
    digits, else ``None`` (the message then describes it instead).

    Examples
    --------
    >>> codebook_code(8.0), codebook_code(-9), codebook_code(998), codebook_code(4817263), codebook_code(2.5)
    ('8', '-9', '998', None, None)
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v) or not v.is_integer() or abs(v) > MAX_SHOWN_CODE:
        return None
    return str(int(v))


def codebook_codes(values, limit: int = 10) -> str:
    """A set of codebook codes for a message, ``{0, 1, 2}``; codes :func:`codebook_code`
    does not name are counted instead ("and 2 other codes").

    Examples
    --------
    >>> codebook_codes([0, 1, 2, 3]), codebook_codes([1, 2, 8112189876, 0.5])
    ('{0, 1, 2, 3}', '{1, 2} and 2 other codes')
    """
    shown = [c for c in (codebook_code(v) for v in values) if c is not None]
    n_other = len(list(values)) - len(shown)
    more = len(shown) - limit
    text = "{" + ", ".join(shown[:limit]) + (" …" if more > 0 else "") + "}"
    if n_other:
        text += f" and {n_other} other code" + ("s" if n_other > 1 else "")
    return text


def outside_kinds(values, allowed, declared_missing=()) -> list[str]:
    """What is wrong with answers outside an item's codes, without naming them.

    Parameters
    ----------
    values
        The offending values (numbers).
    allowed
        The item's allowed codes: :class:`survey.study.AllowedCodes` (its "don't know"
        code counts as allowed) or an ``instruments`` ``Codes`` object.
    declared_missing
        Codes the file's codebook declares user-missing.

    Returns
    -------
    list of str
        :func:`instruments._errors.outside_kinds` of the values the codebook does not
        declare missing (``"negative"``, ``"fractional"``, ``"below <min>"``, ``"above
        <max>"``, ``"between the allowed codes"``, ``"not a finite number"``), then ``"codes
        the SPSS file declares user-missing"`` if any value is one.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> outside_kinds([-1, 55.5, 101], SimpleNamespace(min=0, max=100, integer=True))
    ['negative', 'fractional', 'above 100']
    >>> outside_kinds([8, 0], SimpleNamespace(min=1, max=5, integer=True), declared_missing=[8])
    ['below 1', 'codes the SPSS file declares user-missing']
    """
    from instruments._errors import outside_kinds as kinds_of

    missing = {float(c) for c in declared_missing}
    values = [float(v) for v in values]
    rest = [v for v in values if v not in missing]
    kinds = kinds_of(rest, getattr(allowed, "codes", allowed), getattr(allowed, "dont_know_code", None)) if rest else []
    if len(rest) < len(values):
        kinds.append("codes the SPSS file declares user-missing")
    return kinds


#: a number (``3``, ``-1.5``, ``1e5``, ``12,5``), a date or a time: a value, never a variable name
_NUMBER_OR_DATE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}.*"
                             r"|\d{1,2}[:.]\d{2}(?:[:.]\d{2})?")


def is_data_like_name(name: str) -> bool:
    """Whether a "variable name" read from a file's first line is a value rather than a
    name: a number, a date or a time.

    Examples
    --------
    >>> [is_data_like_name(n) for n in ("f9_1", "Fråga 3", "3", "-1.5", "2024-01-05", "JH-0FCA07")]
    [False, False, True, True, True, False]
    """
    return bool(_NUMBER_OR_DATE.fullmatch(str(name).strip()))


def header_looks_like_data(names) -> tuple[int, int]:
    """``(n_data_like, n)``: how many of a first line's fields are values, not names.

    A file whose first line holds numbers or dates has no header line: its "variable
    names" are the first row of answers, which no message may quote.

    Examples
    --------
    >>> header_looks_like_data(["id", "q1", "q2"]), header_looks_like_data(["JH-0FCA07", "3", "4"])
    ((0, 3), (2, 3))
    """
    names = [str(n) for n in names]
    return sum(is_data_like_name(n) for n in names), len(names)
