"""Instrument specifications: the data model and the YAML parsers.

A specification says *what* an instrument is (items, allowed codes, don't-know code,
scales, reverse-keyed items, cut-offs, citation, licence, verification status, options
and output columns); the family modules (:mod:`instruments.eq5d`, …) hold only the
arithmetic. Built-in specs live in ``instruments/specs/*.yaml``; user-declared Likert
scales use the smaller format documented in :func:`instruments.register_scale`. Both file
formats are pydantic models (:class:`BuiltinFile`, :class:`UserScaleFile`), as is
``study.yaml`` (:mod:`studyconfig.config`); their errors name the file and the key.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from ._errors import SpecError

STATUSES = ("verified", "recalled", "open", "derived")
USER_STATUSES = ("verified", "recalled", "open")
KINDS = ("continuous", "binary", "ordinal", "categorical", "text", "count")
AGGREGATIONS = ("mean", "sum", "percent")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]$")
#: largest answer code (in absolute value): every code must be exact as a float64
MAX_CODE = 2**53


@dataclass(frozen=True)
class Codes:
    """The answers an item accepts (the don't-know code is kept separately).

    Parameters
    ----------
    min, max : float
        Smallest and largest allowed value.
    values : tuple of float, optional
        The allowed codes when they are not every integer from ``min`` to ``max``.
    integer : bool
        Whether only whole numbers are allowed (always true for discrete codes).
    labels : dict, optional
        Code → printed answer text.

    Examples
    --------
    >>> Codes(min=1, max=5).describe()
    '1–5'
    >>> Codes(min=0, max=100).describe()
    '0–100'
    >>> Codes(min=1, max=4, values=(1, 2, 4)).describe()
    '1, 2, 4'
    """

    min: float
    max: float
    values: tuple[float, ...] | None = None
    integer: bool = True
    labels: Mapping[int, str] | None = field(default=None, compare=True)

    def describe(self) -> str:
        """Short human-readable form, e.g. ``'1–5'``."""
        if self.values is not None:
            return ", ".join(_num(v) for v in self.values)
        return f"{_num(self.min)}–{_num(self.max)}" + ("" if self.integer else " (any value)")

    def valid(self, x: np.ndarray) -> np.ndarray:
        """Boolean mask: ``True`` where ``x`` is an allowed code (NaN counts as not allowed)."""
        if self.values is not None:
            return np.isin(x, np.asarray(self.values, dtype=float))
        ok = (x >= self.min) & (x <= self.max)
        if self.integer:
            ok &= np.floor(x) == x
        return ok


@dataclass(frozen=True)
class OptionSpec:
    """A documented scoring option with its default and the status of that default."""

    name: str
    default: Any
    status: str
    description: str
    choices: tuple | None = None


@dataclass(frozen=True)
class OutputSpec:
    """Metadata of one output column of :func:`instruments.score`."""

    column: str
    label_sv: str
    label_en: str
    kind: str
    min: float | None = None
    max: float | None = None
    higher_is_better: bool | None = None
    unit: str | None = None


@dataclass(frozen=True)
class InstrumentSpec:
    """Everything :func:`instruments.score` needs to know about one instrument.

    Attributes
    ----------
    id : str
        Instrument id, e.g. ``"whoqol_bref"``; item columns are ``<id>_<NN>``.
    name : dict
        ``{"sv": ..., "en": ...}``.
    version : str
        Version of this scoring specification.
    items : tuple of str
        Canonical item column names in questionnaire order.
    allowed : dict
        Item name → :class:`Codes` (allowed answers, without the don't-know code).
    dont_know_code : int or None
        The code meaning "don't know"; counted and then treated by the instrument's rule.
    citation, doi, licence : str
        Source and terms of use.
    status : str
        Overall verification status (``verified``, ``recalled``, ``open``, ``derived``).
    rule_status : dict
        Status of each scoring rule, as tagged in ``docs/instruments.md``.
    family : str
        Name of the module that holds the arithmetic.
    scales : dict
        Scale name → tuple of item names.
    reverse : tuple of str
        Reverse-keyed items (``(min + max) − x``), for families that reverse by rule.
    rules : dict
        Family-specific constants (cut-offs, factors), read from the spec file.
    options : dict
        Option name → :class:`OptionSpec`.
    outputs : tuple of OutputSpec
        Output columns in the order :func:`instruments.score` returns them.
    builtin : bool
        ``True`` for the instruments shipped with the package.
    source : str
        The file the spec was read from.
    """

    id: str
    name: Mapping[str, str]
    version: str
    items: tuple[str, ...]
    allowed: Mapping[str, Codes]
    dont_know_code: int | None
    citation: str
    doi: str | None
    licence: str
    status: str
    rule_status: Mapping[str, str]
    family: str
    scales: Mapping[str, tuple[str, ...]]
    reverse: tuple[str, ...]
    rules: Mapping[str, Any]
    options: Mapping[str, OptionSpec]
    outputs: tuple[OutputSpec, ...]
    builtin: bool = True
    source: str = field(default="", compare=False)
    notes: str = ""

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.items)

    def codes_text(self) -> str:
        """The allowed codes as text, e.g. ``'1–4; don't know 5'``."""
        groups: dict[str, list[int]] = {}
        for pos, item in enumerate(self.items, start=1):
            groups.setdefault(self.allowed[item].describe(), []).append(pos)
        if len(groups) == 1:
            text = next(iter(groups))
        elif all(it[-3] == "_" and it[-2:].isdigit() for it in self.items):
            text = "; ".join(f"items {_ranges(nums)}: {desc}" for desc, nums in groups.items())
        else:
            text = "; ".join(
                f"{', '.join(self.items[i - 1].removeprefix(self.id + '_') for i in nums)}: {desc}"
                for desc, nums in groups.items()
            )
        if self.dont_know_code is not None:
            text += f"; don't know {self.dont_know_code}"
        return text


# ----------------------------------------------------------------------------- helpers


def _num(v: float) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)


def _ranges(nums: list[int]) -> str:
    """``[1, 2, 3, 5]`` → ``'1–3, 5'`` (runs of two stay as a list)."""
    runs: list[list[int]] = []
    for n in nums:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def _finite(v: int | float) -> bool:
    """Whether a number is finite as a float (a huge integer is not)."""
    try:
        return math.isfinite(float(v))
    except OverflowError:
        return False


def _contiguous(codes: tuple[float, ...]) -> bool:
    """Whether sorted, distinct integer codes are every integer from the first to the last.

    Counts instead of listing the range, so that a typo such as ``10000000000: "Alltid"``
    costs nothing (the scale then has far-apart codes, shown in every error message)
    instead of exhausting memory.

    Examples
    --------
    >>> _contiguous((1.0, 2.0, 3.0)), _contiguous((1.0, 2.0, 4.0)), _contiguous((1.0, 1e10))
    (True, False, False)
    """
    return len(codes) == int(codes[-1] - codes[0]) + 1


def item_names(instrument_id: str, n_items: int) -> tuple[str, ...]:
    """Canonical item names ``<id>_01`` … ``<id>_NN``.

    Examples
    --------
    >>> item_names("who5", 3)
    ('who5_01', 'who5_02', 'who5_03')
    """
    return tuple(f"{instrument_id}_{i:02d}" for i in range(1, n_items + 1))


# ----------------------------------------------------------------------------- file models
#
# The spec files are read by pydantic models (``extra="forbid"``, fields in the order their
# checks depend on each other). Each field's check is a plain function that raises
# ValueError with the message the user sees; :func:`_validate` turns the first pydantic
# error into a SpecError naming the file and the key. pydantic's own type errors would say
# "Input should be a valid integer" without the value or the allowed range, so the checks
# are ``mode="before"`` validators that keep the messages the tests pin.


def _string(v: Any) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not v.strip():
        raise ValueError(f"expected a non-empty string, got {v!r}")
    return v.strip()


def _integer(v: Any, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"expected an integer, got {v!r}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{v} is outside {lo}..{hi}")
    return v


def _choice(v: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(v, str) or v not in choices:
        raise ValueError(f"{v!r} is not one of {', '.join(choices)}")
    return v


def _boolean(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"expected true or false, got {v!r}")
    return v


def _name(v: Any) -> dict[str, str]:
    if isinstance(v, str) and v.strip():
        return {"sv": v.strip(), "en": v.strip()}
    if not isinstance(v, Mapping) or set(v) != {"sv", "en"}:
        raise ValueError(f"expected {{sv: ..., en: ...}} or a string, got {v!r}")
    for lang in ("sv", "en"):
        if not isinstance(v[lang], str) or not v[lang].strip():
            raise ValueError(f"{lang} must be a non-empty string")
    return {"sv": v["sv"].strip(), "en": v["en"].strip()}


def _code_labels(v: Any) -> dict[int, str]:
    if not isinstance(v, Mapping) or len(v) < 2:
        raise ValueError(f"expected a mapping of at least two integer codes to labels, got {v!r}")
    out: dict[int, str] = {}
    for code, label in v.items():
        if isinstance(code, str) and re.fullmatch(r"-?\d+", code.strip()):
            code = int(code)
        if isinstance(code, bool) or not isinstance(code, int):
            raise ValueError(f"code {code!r} is not an integer")
        if abs(code) > MAX_CODE:
            raise ValueError(f"code {code} is too large (at most {MAX_CODE} in absolute value)")
        if code in out:
            raise ValueError(f"code {code} is given more than once")
        if not isinstance(label, str):
            raise ValueError(f"label of code {code} must be a string, got {label!r}")
        out[code] = label
    return dict(sorted(out.items()))


def _id(v: Any) -> str:
    v = _string(v)
    if not ID_RE.fullmatch(v) or re.search(r"_\d+$", v):
        raise ValueError(f"{v!r} must be lower-case letters, digits and underscores, start with a letter "
                         "and not end in _<digits>")
    return v


def _doi(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or not re.fullmatch(r"10\.\d{4,9}/\S+", v.strip()):
        raise ValueError(f"expected null or a DOI like 10.1234/abc, got {v!r}")
    return v.strip()


def _levels(v: Any) -> tuple[tuple[str, float], ...] | None:
    if v is None:
        return None
    if not isinstance(v, list) or len(v) < 2:
        raise ValueError("expected null or a list of at least two {name, max} entries")
    out = []
    for i, entry in enumerate(v):
        if not isinstance(entry, Mapping) or "name" not in entry or set(entry) - {"name", "max"}:
            raise ValueError(f"entry {i + 1} must be {{name: ..., max: ...}}, got {entry!r}")
        name = entry["name"]
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"entry {i + 1}: name must be a non-empty string")
        mx = entry.get("max")
        if i == len(v) - 1:
            if mx is not None:
                raise ValueError(f"the last level ({name!r}) must not have a max (it is open-ended)")
            mx = math.inf
        elif isinstance(mx, bool) or not isinstance(mx, (int, float)):
            raise ValueError(f"entry {i + 1} ({name!r}) needs a numeric max")
        elif not _finite(mx):
            raise ValueError(f"entry {i + 1} ({name!r}) needs a finite max, got {mx!r}")
        out.append((name.strip(), float(mx)))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError(f"level names must be unique, got {names}")
    maxes = [m for _, m in out]
    if any(b <= a for a, b in zip(maxes, maxes[1:])):
        raise ValueError(f"max values must increase, got {maxes[:-1]}")
    return tuple(out)


def _status(choices: tuple[str, ...]):
    return lambda v: _choice(v, choices)


class _File(BaseModel):
    """A mapping of a spec file: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_M = TypeVar("_M", bound=_File)


def _validate(model: type[_M], raw: Any, source: str, allowed: tuple[str, ...] | None = None) -> _M:
    """``model`` from the mapping ``raw``, or SpecError(``source``, key, message) for its first problem
    (an unknown key first, with the closest allowed key)."""
    if not isinstance(raw, Mapping):
        raise SpecError(source, None, f"expected a mapping, got {type(raw).__name__}")
    raw = {str(k): v for k, v in raw.items()}
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        e = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
        key = ".".join(str(x) for x in e["loc"])
        allowed = allowed or tuple(model.model_fields)
        if e["type"] == "extra_forbidden" and len(e["loc"]) == 1:
            close = difflib.get_close_matches(str(e["loc"][0]), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"unknown key{hint}; allowed keys: {', '.join(allowed)}"
        elif e["type"] == "extra_forbidden":
            message = "unknown key"
        elif e["type"] == "missing":
            message = "required key is missing"
        elif "error" in e.get("ctx", {}):
            message = str(e["ctx"]["error"])
        else:
            message = e["msg"]
        raise SpecError(source, key or None, message) from None


def _before(*fields: str, check: Callable[[Any], Any]):
    return field_validator(*fields, mode="before")(lambda cls, v: check(v))


# ----------------------------------------------------------------------------- user scales

class UserScaleFile(_File):
    """A user-declared Likert scale (the format of :func:`instruments.register_scale`)."""

    # in the order they are checked (a check may use an earlier field)
    id: str
    n_items: int
    codes: dict[int, str]
    dont_know_code: int | None = None
    reverse: tuple[int, ...] = ()
    aggregation: str
    min_valid: int
    status: str
    levels: tuple[tuple[str, float], ...] | None = None
    higher_is_better: bool = True
    name: dict[str, str]
    version: str
    citation: str
    doi: str | None = None
    licence: str
    description: str | None = None

    _id = _before("id", check=_id)
    _strings = _before("version", "citation", "licence", check=_string)
    _name = _before("name", check=_name)
    _doi = _before("doi", check=_doi)
    _status = _before("status", check=_status(USER_STATUSES))
    _n_items = _before("n_items", check=lambda v: _integer(v, 1, 99))
    _codes = _before("codes", check=_code_labels)
    _aggregation = _before("aggregation", check=lambda v: _choice(v, AGGREGATIONS))
    _levels = _before("levels", check=_levels)
    _hib = _before("higher_is_better", check=_boolean)
    _description = _before("description", check=lambda v: None if v is None else _string(v))

    @field_validator("dont_know_code", mode="before")
    @classmethod
    def _dont_know(cls, v: Any, info: ValidationInfo) -> int | None:
        if v is None:
            return None
        v = _integer(v)
        if v in info.data.get("codes", {}):
            raise ValueError(f"{v} is also an answer code in 'codes'")
        return v

    @field_validator("reverse", mode="before")
    @classmethod
    def _reverse(cls, v: Any, info: ValidationInfo) -> tuple[int, ...]:
        v = v or []
        if not isinstance(v, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in v):
            raise ValueError(f"expected a list of item numbers, got {v!r}")
        n = info.data.get("n_items")
        bad = [i for i in v if n is not None and not 1 <= i <= n]
        if bad:
            raise ValueError(f"item number(s) {bad} outside 1..{n}")
        if len(set(v)) != len(v):
            raise ValueError("item numbers repeat")
        return tuple(v)

    @field_validator("min_valid", mode="before")
    @classmethod
    def _min_valid(cls, v: Any, info: ValidationInfo) -> int:
        return _integer(v, 1, info.data.get("n_items"))


#: the keys of a scale file, in the order they are documented
USER_KEYS = ("id", "version", "name", "citation", "doi", "licence", "status", "n_items", "codes",
             "dont_know_code", "reverse", "aggregation", "min_valid", "levels", "higher_is_better", "description")
assert set(USER_KEYS) == set(UserScaleFile.model_fields)


def parse_user_scale(raw: Any, source: str = "<dict>") -> InstrumentSpec:
    """Validate a user-declared Likert scale (see :func:`instruments.register_scale`).

    Raises
    ------
    SpecError
        Naming the file (``source``) and the key that is wrong.

    Examples
    --------
    >>> spec = parse_user_scale({"id": "demo", "version": "1", "name": "Demo",
    ...     "citation": "x", "licence": "x", "status": "open", "n_items": 3,
    ...     "codes": {1: "no", 2: "maybe", 3: "yes"}, "aggregation": "mean",
    ...     "min_valid": 2})
    >>> spec.items
    ('demo_01', 'demo_02', 'demo_03')
    >>> parse_user_scale({"id": "demo", "aggregaton": "mean"})
    Traceback (most recent call last):
    ...
    instruments._errors.SpecError: <dict>: key 'aggregaton': unknown key (did you mean 'aggregation'?); allowed keys: id, version, name, citation, doi, licence, status, n_items, codes, dont_know_code, reverse, aggregation, min_valid, levels, higher_is_better, description
    """
    f = _validate(UserScaleFile, raw, source, USER_KEYS)
    sid, n_items, labels, name, aggregation = f.id, f.n_items, f.codes, f.name, f.aggregation
    codes_list = tuple(float(c) for c in labels)
    lo, hi = codes_list[0], codes_list[-1]
    codes = Codes(min=lo, max=hi, values=None if _contiguous(codes_list) else codes_list, labels=labels)
    dk, status, hib = f.dont_know_code, f.status, f.higher_is_better
    items = item_names(sid, n_items)
    score_min, score_max = _aggregate_range(aggregation, lo, hi, n_items)
    agg_sv = {"mean": f"medelvärde {_num(lo)}–{_num(hi)}", "sum": f"summa {_num(score_min)}–{_num(score_max)}",
              "percent": "0–100"}[aggregation]
    agg_en = {"mean": f"mean {_num(lo)}–{_num(hi)}", "sum": f"sum {_num(score_min)}–{_num(score_max)}",
              "percent": "0–100"}[aggregation]
    outputs = [
        OutputSpec(f"{sid}_score", f"{name['sv']} ({agg_sv})", f"{name['en']} ({agg_en})",
                   "continuous", score_min, score_max, hib, "points" if aggregation != "percent" else "percent"),
    ]
    if f.levels:
        outputs.append(OutputSpec(f"{sid}_level", f"{name['sv']}, nivå", f"{name['en']}, level",
                                  "ordinal", None, None, hib, None))
    outputs.append(OutputSpec(f"{sid}_n_valid", f"{name['sv']}: antal besvarade frågor",
                              f"{name['en']}: number of valid answers", "count", 0, n_items, None, "items"))
    if dk is not None:
        outputs.append(OutputSpec(f"{sid}_n_dont_know", f"{name['sv']}: antal 'vet inte'",
                                  f"{name['en']}: number of don't-know answers", "count", 0, n_items, None, "items"))
    return InstrumentSpec(
        id=sid,
        name=name,
        version=f.version,
        items=items,
        allowed={it: codes for it in items},
        dont_know_code=dk,
        citation=f.citation,
        doi=f.doi,
        licence=f.licence,
        status=status,
        rule_status={"scale": status},
        family="likert",
        scales={"total": items},
        reverse=tuple(items[i - 1] for i in sorted(f.reverse)),
        rules={"aggregation": aggregation, "levels": f.levels},
        options={"min_valid": OptionSpec("min_valid", f.min_valid, status,
                                         "Minimum number of valid answers for a score (from the scale file).")},
        outputs=tuple(outputs),
        builtin=False,
        source=source,
        notes=f.description or "",
    )


def _aggregate_range(aggregation: str, lo: float, hi: float, n_items: int) -> tuple[float, float]:
    if aggregation == "mean":
        return lo, hi
    if aggregation == "sum":
        return lo * n_items, hi * n_items
    return 0.0, 100.0


# ----------------------------------------------------------------------------- built-ins

class OutputFile(_File):
    column: str
    label_sv: str
    label_en: str
    kind: str
    min: int | float | None = None
    max: int | float | None = None
    higher_is_better: bool | None = None
    unit: str | None = None

    _strings = _before("column", "label_sv", "label_en", check=_string)
    _kind = _before("kind", check=lambda v: _choice(v, KINDS))


class OptionFile(_File):
    default: Any = None
    status: str
    description: str
    choices: tuple[Any, ...] | None = None

    _status = _before("status", check=_status(STATUSES))
    _description = _before("description", check=_string)


class CodesTableFile(_File):
    file: str
    item: str
    code: str
    scale: str | None = None
    exclude_scales: tuple[str, ...] = ()

    _strings = _before("file", "item", "code", check=_string)


class ItemCodesFile(_File):
    min: float
    max: float
    integer: bool = True


class BuiltinFile(_File):
    """A built-in spec file (``instruments/specs/*.yaml``; internal format)."""

    id: str
    version: str
    name: dict[str, str]
    family: str
    citation: str
    doi: str | None = None
    licence: str
    status: str
    rule_status: dict[str, str] = {}
    n_items: int | None = None
    item_suffixes: tuple[str, ...] | None = None
    codes: dict[int, str] | None = None
    item_codes: dict[str, ItemCodesFile] = {}
    codes_table: CodesTableFile | None = None
    dont_know_code: int | None = None
    reverse: tuple[str, ...] = ()
    scales: dict[str, tuple[str, ...]] = {}
    rules: dict[str, Any] = {}
    options: dict[str, OptionFile] = {}
    outputs: tuple[OutputFile, ...]
    notes: str = ""

    _id = _before("id", check=_id)
    _strings = _before("version", "family", "citation", "licence", check=_string)
    _name = _before("name", check=_name)
    _doi = _before("doi", check=_doi)
    _status = _before("status", check=_status(STATUSES))
    _n_items = _before("n_items", check=lambda v: None if v is None else _integer(v, 1, 99))
    _codes = _before("codes", check=lambda v: None if v is None else _code_labels(v))
    _dont_know = _before("dont_know_code", check=lambda v: None if v is None else _integer(v))
    _keys = _before("item_suffixes", "reverse", check=lambda v: tuple(str(x) for x in v or ()))
    _item_keys = _before("item_codes", check=lambda v: {str(k): c for k, c in (v or {}).items()})
    _scales = _before("scales", check=lambda v: {str(k): tuple(str(x) for x in refs) for k, refs in (v or {}).items()})
    _none_is_empty = _before("rule_status", "rules", "options", check=lambda v: v or {})
    _notes = _before("notes", check=lambda v: "" if v is None else _string(v))

    @field_validator("rule_status")
    @classmethod
    def _rule_status(cls, v: dict[str, str]) -> dict[str, str]:
        for k, status in v.items():
            if status not in STATUSES:
                raise ValueError(f"{k}: {status!r} is not one of {', '.join(STATUSES)}")
        return v

    @field_validator("rules")
    @classmethod
    def _rules(cls, v: dict[str, Any]) -> dict[str, Any]:
        return {**v, "levels": _levels(v["levels"])} if "levels" in v else v


#: the keys of a built-in spec file
BUILTIN_KEYS = tuple(BuiltinFile.model_fields)


def parse_builtin(raw: Any, source: str, data_dir: Path) -> InstrumentSpec:
    """Parse a built-in spec file from ``instruments/specs/`` (internal format)."""
    f = _validate(BuiltinFile, raw, source)
    sid = f.id
    if f.item_suffixes is not None:
        suffixes = list(f.item_suffixes)
        items = tuple(f"{sid}_{s}" for s in suffixes)
    elif f.n_items is not None:
        suffixes = [f"{i:02d}" for i in range(1, f.n_items + 1)]
        items = item_names(sid, f.n_items)
    else:
        raise SpecError(source, "n_items", "required key is missing (or item_suffixes)")
    by_key = {s: it for s, it in zip(suffixes, items)}
    by_key.update({str(int(s)): it for s, it in zip(suffixes, items) if s.isdigit()})

    def item_ref(k: str, ref: Any) -> str:
        key = str(ref)
        if key not in by_key:
            raise SpecError(source, k, f"unknown item {ref!r}")
        return by_key[key]

    table_scales: dict[str, tuple[str, ...]] = {}
    allowed: dict[str, Codes] = {}
    if f.codes:
        default_codes = Codes(min=min(f.codes), max=max(f.codes), labels=f.codes)
        allowed = {it: default_codes for it in items}
    for ref, c in f.item_codes.items():
        allowed[item_ref("item_codes", ref)] = Codes(min=c.min, max=c.max, integer=c.integer)
    if f.codes_table is not None:
        t = f.codes_table
        import pandas as pd  # local: only needed at spec load

        table = pd.read_csv(data_dir / t.file)
        for ref, codes in table.groupby(t.item)[t.code]:
            vals = tuple(float(v) for v in sorted(codes.unique()))
            allowed[item_ref("codes_table", ref)] = Codes(
                min=vals[0], max=vals[-1], values=None if _contiguous(vals) else vals)
        if t.scale is not None:
            pairs = table[[t.scale, t.item]].drop_duplicates()
            for name, refs in pairs.groupby(t.scale, sort=False)[t.item]:
                if name not in t.exclude_scales:
                    table_scales[str(name)] = tuple(item_ref("codes_table", x) for x in refs)
    missing = [it for it in items if it not in allowed]
    if missing:
        raise SpecError(source, "codes", f"no allowed codes for {', '.join(missing)}")

    scales = {name: tuple(item_ref(f"scales.{name}", x) for x in refs) for name, refs in f.scales.items()}
    scales.update(table_scales)
    reverse = tuple(item_ref("reverse", x) for x in f.reverse)
    options = {name: OptionSpec(name=name, default=o.default, status=o.status, description=o.description,
                                choices=o.choices) for name, o in f.options.items()}
    outputs = tuple(OutputSpec(**o.model_dump()) for o in f.outputs)
    out_cols = [o.column for o in outputs]
    scales = dict(sorted(scales.items(), key=lambda kv: out_cols.index(f"{sid}_{kv[0]}")
                         if f"{sid}_{kv[0]}" in out_cols else len(out_cols)))
    return InstrumentSpec(
        id=sid, name=f.name, version=f.version, items=items, allowed=allowed, dont_know_code=f.dont_know_code,
        citation=f.citation, doi=f.doi, licence=f.licence, status=f.status, rule_status=dict(f.rule_status),
        family=f.family, scales=scales, reverse=reverse, rules=dict(f.rules), options=options,
        outputs=outputs, builtin=True, source=source, notes=f.notes,
    )
