"""Instrument specifications: the data model and the YAML parsers.

A specification says *what* an instrument is (items, allowed codes, don't-know code,
scales, reverse-keyed items, cut-offs, citation, licence, verification status, options
and output columns); the family modules (:mod:`instruments.eq5d`, …) hold only the
arithmetic. Built-in specs live in ``instruments/specs/*.yaml``; user-declared Likert
scales use the smaller format documented in :func:`instruments.register_scale`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np

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


class _Reader:
    """Reads keys of one mapping and reports problems with file and key."""

    def __init__(self, raw: Any, source: str, allowed_keys: tuple[str, ...], prefix: str = ""):
        self.source = source
        self.prefix = prefix
        if not isinstance(raw, Mapping):
            raise SpecError(source, prefix or None, f"expected a mapping, got {type(raw).__name__}")
        self.raw = raw
        unknown = [k for k in raw if k not in allowed_keys]
        if unknown:
            k = unknown[0]
            close = difflib.get_close_matches(str(k), allowed_keys, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SpecError(
                source, self.key(str(k)), f"unknown key{hint}; allowed keys: {', '.join(allowed_keys)}"
            )

    def key(self, k: str) -> str:
        return f"{self.prefix}.{k}" if self.prefix else k

    def error(self, k: str, message: str) -> SpecError:
        return SpecError(self.source, self.key(k), message)

    def get(self, k: str, default: Any = ..., required: bool = True) -> Any:
        if k not in self.raw:
            if default is ... and required:
                raise self.error(k, "required key is missing")
            return None if default is ... else default
        return self.raw[k]

    @overload
    def string(self, k: str) -> str: ...
    @overload
    def string(self, k: str, default: Any, allow_none: bool = False) -> str | None: ...

    def string(self, k: str, default: Any = ..., allow_none: bool = False) -> str | None:
        if k not in self.raw and default is not ...:
            return default
        v = self.get(k, default)
        if v is None and (allow_none or default is None):
            return None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str) or not v.strip():
            raise self.error(k, f"expected a non-empty string, got {v!r}")
        return v.strip()

    @overload
    def integer(self, k: str, *, lo: int | None = None, hi: int | None = None) -> int: ...
    @overload
    def integer(self, k: str, default: Any, lo: int | None = None, hi: int | None = None,
                allow_none: bool = False) -> int | None: ...

    def integer(self, k: str, default: Any = ..., lo: int | None = None, hi: int | None = None,
                allow_none: bool = False) -> int | None:
        v = self.get(k, default)
        if v is None and allow_none:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.error(k, f"expected an integer, got {v!r}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise self.error(k, f"{v} is outside {lo}..{hi}")
        return v

    def choice(self, k: str, choices: tuple[str, ...], default: Any = ...) -> str:
        v = self.get(k, default)
        if v not in choices:
            raise self.error(k, f"{v!r} is not one of {', '.join(choices)}")
        return v

    def boolean(self, k: str, default: Any = ...) -> bool:
        v = self.get(k, default)
        if not isinstance(v, bool):
            raise self.error(k, f"expected true or false, got {v!r}")
        return v

    def name(self, k: str = "name") -> dict[str, str]:
        v = self.get(k)
        if isinstance(v, str) and v.strip():
            return {"sv": v.strip(), "en": v.strip()}
        if not isinstance(v, Mapping) or set(v) != {"sv", "en"}:
            raise self.error(k, f"expected {{sv: ..., en: ...}} or a string, got {v!r}")
        for lang in ("sv", "en"):
            if not isinstance(v[lang], str) or not v[lang].strip():
                raise self.error(k, f"{lang} must be a non-empty string")
        return {"sv": v["sv"].strip(), "en": v["en"].strip()}

    def code_labels(self, k: str = "codes") -> dict[int, str]:
        v = self.get(k)
        if not isinstance(v, Mapping) or len(v) < 2:
            raise self.error(k, f"expected a mapping of at least two integer codes to labels, got {v!r}")
        out = {}
        for code, label in v.items():
            if isinstance(code, str) and re.fullmatch(r"-?\d+", code.strip()):
                code = int(code)
            if isinstance(code, bool) or not isinstance(code, int):
                raise self.error(k, f"code {code!r} is not an integer")
            if abs(code) > MAX_CODE:
                raise self.error(k, f"code {code} is too large (at most {MAX_CODE} in absolute value)")
            if code in out:
                raise self.error(k, f"code {code} is given more than once")
            if not isinstance(label, str):
                raise self.error(k, f"label of code {code} must be a string, got {label!r}")
            out[code] = label
        return dict(sorted(out.items()))


def _id(reader: _Reader) -> str:
    v = reader.string("id")
    if not ID_RE.fullmatch(v) or re.search(r"_\d+$", v):
        raise reader.error(
            "id", f"{v!r} must be lower-case letters, digits and underscores, start with a letter "
            "and not end in _<digits>"
        )
    return v


def _doi(reader: _Reader) -> str | None:
    v = reader.get("doi", None)
    if v is None:
        return None
    if not isinstance(v, str) or not re.fullmatch(r"10\.\d{4,9}/\S+", v.strip()):
        raise reader.error("doi", f"expected null or a DOI like 10.1234/abc, got {v!r}")
    return v.strip()


def _levels(reader: _Reader, k: str = "levels") -> tuple[tuple[str, float], ...] | None:
    v = reader.get(k, None)
    if v is None:
        return None
    if not isinstance(v, list) or len(v) < 2:
        raise reader.error(k, "expected null or a list of at least two {name, max} entries")
    out = []
    for i, entry in enumerate(v):
        if not isinstance(entry, Mapping) or "name" not in entry or set(entry) - {"name", "max"}:
            raise reader.error(k, f"entry {i + 1} must be {{name: ..., max: ...}}, got {entry!r}")
        name = entry["name"]
        if not isinstance(name, str) or not name.strip():
            raise reader.error(k, f"entry {i + 1}: name must be a non-empty string")
        last = i == len(v) - 1
        mx = entry.get("max")
        if last:
            if mx is not None:
                raise reader.error(k, f"the last level ({name!r}) must not have a max (it is open-ended)")
            mx = math.inf
        elif isinstance(mx, bool) or not isinstance(mx, (int, float)):
            raise reader.error(k, f"entry {i + 1} ({name!r}) needs a numeric max")
        elif not _finite(mx):
            raise reader.error(k, f"entry {i + 1} ({name!r}) needs a finite max, got {mx!r}")
        out.append((name.strip(), float(mx)))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise reader.error(k, f"level names must be unique, got {names}")
    maxes = [m for _, m in out]
    if any(b <= a for a, b in zip(maxes, maxes[1:])):
        raise reader.error(k, f"max values must increase, got {maxes[:-1]}")
    return tuple(out)


# ----------------------------------------------------------------------------- user scales

USER_KEYS = (
    "id", "version", "name", "citation", "doi", "licence", "status", "n_items", "codes",
    "dont_know_code", "reverse", "aggregation", "min_valid", "levels", "higher_is_better",
    "description",
)


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
    """
    r = _Reader(raw, source, USER_KEYS)
    sid = _id(r)
    n_items = r.integer("n_items", lo=1, hi=99)
    labels = r.code_labels("codes")
    codes_list = tuple(float(c) for c in labels)
    lo, hi = codes_list[0], codes_list[-1]
    contiguous = _contiguous(codes_list)
    codes = Codes(min=lo, max=hi, values=None if contiguous else codes_list, labels=labels)
    dk = r.integer("dont_know_code", default=None, allow_none=True)
    if dk is not None and dk in labels:
        raise r.error("dont_know_code", f"{dk} is also an answer code in 'codes'")
    rev = r.get("reverse", default=[]) or []
    if not isinstance(rev, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in rev):
        raise r.error("reverse", f"expected a list of item numbers, got {rev!r}")
    bad = [i for i in rev if not 1 <= i <= n_items]
    if bad:
        raise r.error("reverse", f"item number(s) {bad} outside 1..{n_items}")
    if len(set(rev)) != len(rev):
        raise r.error("reverse", "item numbers repeat")
    aggregation = r.choice("aggregation", AGGREGATIONS)
    min_valid = r.integer("min_valid", lo=1, hi=n_items)
    status = r.choice("status", USER_STATUSES)
    levels = _levels(r)
    hib = r.boolean("higher_is_better", default=True)
    name = r.name()
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
    if levels:
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
        version=r.string("version"),
        items=items,
        allowed={it: codes for it in items},
        dont_know_code=dk,
        citation=r.string("citation"),
        doi=_doi(r),
        licence=r.string("licence"),
        status=status,
        rule_status={"scale": status},
        family="likert",
        scales={"total": items},
        reverse=tuple(items[i - 1] for i in sorted(rev)),
        rules={"aggregation": aggregation, "levels": levels},
        options={"min_valid": OptionSpec("min_valid", min_valid, status,
                                         "Minimum number of valid answers for a score (from the scale file).")},
        outputs=tuple(outputs),
        builtin=False,
        source=source,
        notes=r.string("description", default=None) or "",
    )


def _aggregate_range(aggregation: str, lo: float, hi: float, n_items: int) -> tuple[float, float]:
    if aggregation == "mean":
        return lo, hi
    if aggregation == "sum":
        return lo * n_items, hi * n_items
    return 0.0, 100.0


# ----------------------------------------------------------------------------- built-ins

BUILTIN_KEYS = (
    "id", "version", "name", "family", "citation", "doi", "licence", "status", "rule_status",
    "n_items", "item_suffixes", "codes", "item_codes", "codes_table", "dont_know_code",
    "reverse", "scales", "rules", "options", "outputs", "notes",
)
OUTPUT_KEYS = ("column", "label_sv", "label_en", "kind", "min", "max", "higher_is_better", "unit")
OPTION_KEYS = ("default", "status", "description", "choices")


def parse_builtin(raw: Any, source: str, data_dir: Path) -> InstrumentSpec:
    """Parse a built-in spec file from ``instruments/specs/`` (internal format)."""
    r = _Reader(raw, source, BUILTIN_KEYS)
    sid = _id(r)
    if "item_suffixes" in r.raw:
        suffixes = [str(s) for s in r.get("item_suffixes")]
        items = tuple(f"{sid}_{s}" for s in suffixes)
    else:
        n_items = r.integer("n_items", lo=1, hi=99)
        suffixes = [f"{i:02d}" for i in range(1, n_items + 1)]
        items = item_names(sid, n_items)
    by_key = {s: it for s, it in zip(suffixes, items)}
    by_key.update({str(int(s)): it for s, it in zip(suffixes, items) if s.isdigit()})

    def item_ref(k: str, ref: Any) -> str:
        key = str(ref)
        if key not in by_key:
            raise r.error(k, f"unknown item {ref!r}")
        return by_key[key]

    table_scales: dict[str, tuple[str, ...]] = {}
    labels = r.code_labels("codes") if "codes" in r.raw else None
    allowed: dict[str, Codes] = {}
    if labels:
        lo, hi = min(labels), max(labels)
        default_codes = Codes(min=lo, max=hi, labels=labels)
        allowed = {it: default_codes for it in items}
    for ref, c in (r.get("item_codes", {}) or {}).items():
        it = item_ref("item_codes", ref)
        if not isinstance(c, Mapping) or "min" not in c or "max" not in c:
            raise r.error("item_codes", f"{ref}: expected {{min, max}}")
        allowed[it] = Codes(min=float(c["min"]), max=float(c["max"]), integer=bool(c.get("integer", True)))
    if "codes_table" in r.raw:
        t = _Reader(r.get("codes_table"), source, ("file", "item", "code", "scale", "exclude_scales"),
                    "codes_table")
        import pandas as pd  # local: only needed at spec load

        table = pd.read_csv(data_dir / t.string("file"))
        for ref, codes in table.groupby(t.string("item"))[t.string("code")]:
            vals = tuple(float(v) for v in sorted(codes.unique()))
            contiguous = _contiguous(vals)
            allowed[item_ref("codes_table", ref)] = Codes(
                min=vals[0], max=vals[-1], values=None if contiguous else vals)
        if "scale" in t.raw:
            excluded = set(t.get("exclude_scales", []) or [])
            pairs = table[[t.string("scale"), t.string("item")]].drop_duplicates()
            for name, refs in pairs.groupby(t.string("scale"), sort=False)[t.string("item")]:
                if name not in excluded:
                    table_scales[str(name)] = tuple(item_ref("codes_table", x) for x in refs)
    missing = [it for it in items if it not in allowed]
    if missing:
        raise r.error("codes", f"no allowed codes for {', '.join(missing)}")

    scales_raw = r.get("scales", {}) or {}
    scales = {str(name): tuple(item_ref(f"scales.{name}", x) for x in refs) for name, refs in scales_raw.items()}
    scales.update(table_scales)
    reverse = tuple(item_ref("reverse", x) for x in (r.get("reverse", []) or []))

    options = {}
    for oname, o in (r.get("options", {}) or {}).items():
        orr = _Reader(o, source, OPTION_KEYS, f"options.{oname}")
        options[oname] = OptionSpec(
            name=oname, default=orr.get("default"), status=orr.choice("status", STATUSES),
            description=orr.string("description"),
            choices=tuple(orr.get("choices")) if "choices" in o else None,
        )
    outputs = []
    for i, o in enumerate(r.get("outputs")):
        orr = _Reader(o, source, OUTPUT_KEYS, f"outputs[{i}]")
        outputs.append(OutputSpec(
            column=orr.string("column"), label_sv=orr.string("label_sv"), label_en=orr.string("label_en"),
            kind=orr.choice("kind", KINDS), min=orr.get("min", None), max=orr.get("max", None),
            higher_is_better=orr.get("higher_is_better", None), unit=orr.get("unit", None),
        ))
    rule_status = dict(r.get("rule_status", {}) or {})
    for k, v in rule_status.items():
        if v not in STATUSES:
            raise r.error(f"rule_status.{k}", f"{v!r} is not one of {', '.join(STATUSES)}")
    out_cols = [o.column for o in outputs]
    scales = dict(sorted(scales.items(), key=lambda kv: out_cols.index(f"{sid}_{kv[0]}")
                         if f"{sid}_{kv[0]}" in out_cols else len(out_cols)))
    rules = dict(r.get("rules", {}) or {})
    if "levels" in rules:
        rules["levels"] = _levels(_Reader(rules, source, tuple(rules), "rules"), "levels")
    return InstrumentSpec(
        id=sid, name=r.name(), version=r.string("version"), items=items, allowed=allowed,
        dont_know_code=r.integer("dont_know_code", default=None, allow_none=True),
        citation=r.string("citation"), doi=_doi(r), licence=r.string("licence"),
        status=r.choice("status", STATUSES), rule_status=rule_status, family=r.string("family"),
        scales=scales, reverse=reverse, rules=rules, options=options,
        outputs=tuple(outputs), builtin=True, source=source, notes=r.string("notes", default="") or "",
    )
