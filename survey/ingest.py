"""Read survey wave files and harmonise them onto canonical instrument items.

Pure functions (no Dagster): the ingest assets in :mod:`pipelines.assets.ingest` call them.
Raw files are only ever read. Every problem is reported with the file, the variable and
row numbers or counts - never participant IDs or answers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.cohort import is_member
from privacy import identifiers

# the guard and the message vocabulary live in their own pure modules; their names stay
# importable from here
from privacy.identifiers import (  # noqa: F401
    IDENTIFIER_LABEL_WORDS,
    IDENTIFIER_SHARE,
    check_no_identifiers,
    identifier_error,
    identifier_name_kind,
    luhn_valid,
    name_tokens,
    personal_number_kind,
    shown_name,
    shown_names,
)
from privacy.problems import (  # noqa: F401
    MAX_ROWS_SHOWN,
    IdentifierError,
    Problem,
    WaveError,
    _rows_text,
    codebook_code,
    codebook_codes,
    file_rows,
    header_looks_like_data,
    outside_kinds,
)
from studyconfig.config import Wave
from survey import readers
from survey.fsutil import sha256_file  # noqa: F401  (re-exported: ingest.sha256_file)

ID_COLUMN = "participant_id"
WAVE_COLUMN = "wave"

@dataclass
class RawWave:
    """What was read from one wave file."""

    data: pd.DataFrame
    codebook: pd.DataFrame
    sha256: str
    path: Path
    file_format: str
    notes: list[str] = field(default_factory=list)
    #: reading settings used (:attr:`survey.readers.WaveFile.settings`)
    settings: dict = field(default_factory=dict)


#: re-exported from :mod:`survey.readers`, where every file format is read
SAV_SIGNATURES = readers.SAV_SIGNATURES
CSV_ENCODINGS = readers.CSV_ENCODINGS


def read_wave(path: str | Path, encoding: str | None = "utf-8", id_variable: str | None = None,
              columns: list[str] | None = None, *, delimiter: str | None = None, decimal: str | None = None,
              sheet: str | None = None, hint: str = "wave") -> RawWave:
    """Read one wave file of any supported format without changing it.

    A thin wrapper over :func:`survey.readers.read` (one contract for SPSS .sav/.zsav/
    .por, Stata .dta, CSV and .xlsx/.ods workbooks) that returns the wave's data and its
    tidy codebook.

    Parameters
    ----------
    path
        The wave file. SPSS files keep their variable labels, value labels and
        user-missing declarations; user-missing codes are returned as their codes.
    encoding, delimiter, decimal
        Text encoding (one of :data:`CSV_ENCODINGS`), field delimiter (``None``: detected
        among comma, semicolon and tab) and decimal mark (``None``: detected) of a CSV file.
        A UTF-8 byte-order mark is removed; CRLF line ends are read as line ends.
    sheet
        Worksheet of an .xlsx/.ods workbook (default: the first).
    id_variable
        The wave's ID variable: in a CSV file it is read as text, exactly as written
        (``000123`` stays ``000123``). Other CSV columns are read as numbers where every
        value is one, except that zero-padded whole numbers (``007``) are read as text.
    columns
        Read only these variables of an SPSS or Stata file (names the file lacks are
        ignored; the codebook then describes only these).
    hint
        Where the reading options are set, for suggestions in messages (``"wave"``,
        ``"new-wave"`` or ``"none"``).

    Returns
    -------
    RawWave
        ``data``, ``codebook`` (tidy: ``variable, variable_label, value, value_label,
        user_missing, value_text, format``), ``sha256`` of exactly the bytes that were
        parsed, ``file_format`` and ``notes`` (what was done while reading).

    Raises
    ------
    WaveError
        The file is missing, a directory, empty, another format than its name says, has
        no data rows or cannot be parsed. The message names the file and, where it
        applies, the rows and the variable; it never quotes a value.
    """
    wf = readers.read(path, readers.ReadOptions(encoding=encoding, delimiter=delimiter, decimal=decimal,
                                                sheet=sheet, id_variable=id_variable, columns=columns, hint=hint))
    return RawWave(data=wf.data, codebook=wf.codebook(), sha256=wf.sha256, path=wf.path,
                   file_format=wf.file_format, notes=wf.notes, settings=wf.settings)


def _read_csv(name: str, raw_bytes: bytes, encoding: str, notes: list[str], dtype=None,
              keep_padded: bool = False, encoding_option: bool = True) -> pd.DataFrame:
    """Decode and parse a comma-separated file strictly (:func:`survey.readers.parse_csv`)."""
    options = readers.ReadOptions(encoding=encoding, delimiter=",", decimal=".",
                                  hint="wave" if encoding_option else "none")
    return readers.parse_csv(name, raw_bytes, options, notes, dtype=dtype, keep_padded=keep_padded)


@dataclass
class Harmonised:
    data: pd.DataFrame
    missingness: pd.DataFrame
    codebook: pd.DataFrame


def harmonise(raw: RawWave, wave: Wave, dont_know_codes: dict[str, int | None] | None = None) -> Harmonised:
    """Rename mapped raw variables to canonical names and apply the missing-value codes.

    Parameters
    ----------
    raw
        Output of :func:`read_wave`.
    wave
        The wave's configuration (ID variable, mapping, covariates, missing codes).
    dont_know_codes
        Instrument id -> the instrument's own "don't know" code (``None``: the instrument
        has none). A raw value declared ``dont_know`` becomes that code, so the scorer can
        apply the instrument's rule and count it; otherwise it becomes missing (NaN).

    Returns
    -------
    Harmonised
        ``data``: ``participant_id`` (text, stripped, blanks missing; a numeric ID variable
        of whole numbers without decimals: ``123``, not ``123.0``), ``wave``, covariates as
        labelled text (value labels of numeric and of SPSS string variables applied;
        declared missing codes, also when written as text, missing), canonical items as
        floats; ``missingness``: per item counts of each missing kind (aggregates only);
        ``codebook``: the file's codebook with the canonical name of every mapped variable.

    Raises
    ------
    WaveError
        The ID variable or a mapped variable is absent from the file (all are listed, with
        close matches as suggestions), or a mapped item holds text where an answer code is
        expected (``True``/``False`` included; every variable with its rows).
    """
    dont_know_codes = dont_know_codes or {}
    df = raw.data
    needed = [wave.id_variable, *wave.mapping, *wave.covariates]
    absent = [v for v in needed if v not in df.columns]
    if absent:
        lines = []
        for v in absent:
            close = difflib.get_close_matches(v, list(df.columns), n=1)
            role = (
                "ID variable" if v == wave.id_variable else
                f"mapped to {wave.mapping[v]!r}" if v in wave.mapping else
                f"covariate {wave.covariates[v]!r}"
            )
            hint = f" (did you mean {shown_name(close[0])}?)" if close else ""
            lines.append(f"  - {v!r} ({role}){hint}")
        raise WaveError(
            f"{raw.path.name} (wave {wave.id}): {len(absent)} configured variable(s) not in the file:\n"
            + "\n".join(lines)
        )

    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    out[ID_COLUMN] = _id_text(df[wave.id_variable])
    out[WAVE_COLUMN] = wave.id

    labels = _value_labels(raw.codebook)
    text_labels = _text_value_labels(raw.codebook)
    for var, name in wave.covariates.items():
        codes = list(wave.missing_codes.for_variable(var))
        col = df[var]
        if var in text_labels:  # an SPSS string variable with value labels ("K" = "Kvinna")
            text = col.astype("string").str.strip().replace("", pd.NA)
            text = text.where(~_is_code(text, codes))
            out[name] = text.replace(text_labels[var]).astype("string")
        elif var in labels:
            num = pd.to_numeric(col, errors="coerce")
            num = num.where(~num.isin(codes))
            out[name] = num.map(labels[var]).astype("string")
        else:
            out[name] = col.astype("string").where(~_is_code(col, codes))

    text_items = []
    for var, item in wave.mapping.items():
        col = df[var]
        if pd.api.types.is_bool_dtype(col):
            # True/False (pandas reads them from a CSV as booleans) are text, not 1/0
            non_numeric = col.notna().astype(bool)
        else:
            blank = col.astype("string").str.strip().eq("").fillna(False).astype(bool) if not \
                pd.api.types.is_numeric_dtype(col) else pd.Series(False, index=col.index)
            is_bool = col.map(lambda v: isinstance(v, (bool, np.bool_))).astype(bool) if col.dtype == object \
                else pd.Series(False, index=col.index)
            non_numeric = col.notna() & ~blank & (
                is_bool | pd.to_numeric(col.where(~blank & ~is_bool), errors="coerce").isna())
        if non_numeric.any():
            n = int(non_numeric.sum())
            text_items.append(f"  - {var!r} ({item}): {n} value(s) are text, not a code; rows "
                              f"{_rows_text(file_rows(non_numeric), n)}")
    if text_items:
        raise WaveError(
            f"{raw.path.name} (wave {wave.id}): {len(text_items)} mapped item variable(s) hold text where a "
            "numeric answer code is expected (fix the export, or recode the text to the instrument's codes):\n"
            + "\n".join(text_items))

    miss_rows = []
    for var, item in wave.mapping.items():
        code_kinds = wave.missing_codes.for_variable(var)
        col = df[var]
        if not pd.api.types.is_numeric_dtype(col):
            col = col.astype("string").str.strip().replace("", pd.NA)
        col = pd.to_numeric(col, errors="coerce").astype("float64")
        instrument = item.rsplit("_", 1)[0]
        dk_code = dont_know_codes.get(instrument)
        counts: dict[str, Any] = {"variable": var, "item": item, "n_rows": len(col),
                                  "n_system_missing": int(col.isna().sum())}
        for kind in ("dont_know", "no_answer", "not_applicable", "invalid"):
            mask = col.isin([c for c, k in code_kinds.items() if k == kind])
            counts[f"n_{kind}"] = int(mask.sum())
            if kind == "dont_know" and dk_code is not None:
                col = col.where(~mask, float(dk_code))
            else:
                col = col.where(~mask)
        counts["n_answered"] = len(col) - counts["n_system_missing"] - sum(
            counts[f"n_{k}"] for k in ("dont_know", "no_answer", "not_applicable", "invalid"))
        miss_rows.append(counts)
        out[item] = col

    codebook = raw.codebook.copy()
    canonical = {**wave.mapping, **wave.covariates, wave.id_variable: ID_COLUMN}
    codebook.insert(1, "canonical", codebook["variable"].map(canonical).astype("string"))
    codebook.insert(0, "wave", wave.id)
    missingness = pd.DataFrame(miss_rows)
    missingness.insert(0, "wave", wave.id)
    return Harmonised(data=out, missingness=missingness, codebook=codebook)


def _value_labels(codebook: pd.DataFrame) -> dict[str, dict[float, str]]:
    labelled = codebook.dropna(subset=["value"])
    return {
        var: dict(zip(g["value"].astype(float), g["value_label"]))
        for var, g in labelled.groupby("variable", sort=False)
    }


def _text_value_labels(codebook: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Variable -> {labelled text value: label} of the SPSS string variables (``value_text``)."""
    if "value_text" not in codebook:
        return {}
    labelled = codebook.dropna(subset=["value_text"])
    return {
        str(var): {str(v).strip(): str(lab) for v, lab in zip(g["value_text"], g["value_label"])}
        for var, g in labelled.groupby("variable", sort=False)
    }


def _is_code(col: pd.Series, codes: list) -> pd.Series:
    """Where a covariate holds one of ``codes``, as a number or as text spelling it (``"9"``)."""
    hit = col.isin(codes).fillna(False).astype(bool)
    if codes and not pd.api.types.is_numeric_dtype(col):
        spelled = pd.to_numeric(col.astype("string").str.strip(), errors="coerce")
        hit |= spelled.isin(codes).fillna(False).astype(bool)
    return hit


def _id_text(ids: pd.Series) -> pd.Series:
    """Participant IDs as text: stripped, blanks missing; a numeric ID variable (SPSS stores
    numeric study codes as doubles) whose values are all whole numbers is written without
    the decimals (``123``, not ``123.0``)."""
    if pd.api.types.is_numeric_dtype(ids) and not pd.api.types.is_bool_dtype(ids):
        num = pd.to_numeric(ids, errors="coerce").astype("Float64")
        present = num.dropna()
        if len(present) and bool(np.isfinite(present.to_numpy(dtype="float64")).all()) \
                and bool((present == present.round()).all()) and bool((present.abs() < 2**53).all()):
            ids = num.astype("Int64")
    return ids.astype("string").str.strip().replace("", pd.NA)


# -- validation: each returns a list of Problems (empty list = passed) --------------------


def check_unique_ids(data: pd.DataFrame, file: str) -> list[Problem]:
    """Every row has a participant ID and no ID occurs twice in one wave."""
    problems = []
    blank = data[ID_COLUMN].isna()
    if blank.any():
        problems.append(Problem(file, "unique_ids", f"{int(blank.sum())} row(s) without a participant ID",
                                variable=ID_COLUMN, count=int(blank.sum()), rows=file_rows(blank)))
    dup = data[ID_COLUMN].duplicated(keep=False) & ~blank
    if dup.any():
        n_ids = int(data.loc[dup, ID_COLUMN].nunique())
        problems.append(Problem(file, "unique_ids",
                                f"{n_ids} participant ID(s) occur more than once ({int(dup.sum())} rows)",
                                variable=ID_COLUMN, count=int(dup.sum()), rows=file_rows(dup),
                                expected="one row per participant"))
    return problems


def check_id_format(data: pd.DataFrame, file: str, pattern: str) -> list[Problem]:
    """Every participant ID matches the study's pseudonym pattern."""
    ids = data[ID_COLUMN]
    bad = ids.notna() & ~ids.fillna("").str.fullmatch(pattern).astype(bool)
    if bad.any():
        return [Problem(file, "id_format", f"{int(bad.sum())} participant ID(s) do not match the pseudonym pattern"
                        + _id_kinds(ids[bad], pattern), variable=ID_COLUMN, count=int(bad.sum()),
                        rows=file_rows(bad), expected=f"pattern {pattern}")]
    return []


def _id_kinds(bad: pd.Series, pattern: str) -> str:
    """What the IDs that do not match the pattern look like, as counts (never the IDs):
    " (2 look like personal names, 1 would match in upper case)"."""
    bad = bad.astype(str).str.strip()
    names = bad.map(identifiers.looks_like_name).astype(bool)
    upper = ~names & bad.str.upper().str.fullmatch(pattern).fillna(False).astype(bool)
    parts = []
    if names.any():
        parts.append(f"{int(names.sum())} look like personal names")
    if upper.any():
        parts.append(f"{int(upper.sum())} would match in upper case")
    return f" ({', '.join(parts)})" if parts else ""


def user_missing_codes(codebook: pd.DataFrame) -> dict[str, dict[int, str]]:
    """Variable -> {code: value label} of the SPSS user-missing declarations in a codebook."""
    if not len(codebook) or "user_missing" not in codebook:
        return {}
    um = codebook[codebook["user_missing"].astype(bool)].dropna(subset=["value"])
    return {str(v): {int(x): str(lab) for x, lab in zip(g["value"], g["value_label"])}
            for v, g in um.groupby("variable", sort=False)}


def check_codes(data: pd.DataFrame, file: str, allowed: dict,
                raw_names: dict[str, str] | None = None,
                user_missing: dict[str, dict[int, str]] | None = None) -> list[Problem]:
    """Every answered item holds one of its instrument's codes.

    ``allowed`` maps item -> an object with ``valid(values) -> bool mask`` and
    ``describe() -> str`` (see :class:`survey.study.AllowedCodes`). ``user_missing``
    (:func:`user_missing_codes` of the raw codebook) turns the suggestion into "declare
    this SPSS user-missing code" when the unexpected codes are declared missing in the file.
    """
    raw_names = raw_names or {}
    user_missing = user_missing or {}
    problems = []
    for item, codes in allowed.items():
        if item not in data:
            continue
        col = data[item].astype("float64")
        values = col.to_numpy()
        bad = pd.Series(~np.isnan(values) & ~codes.valid(values), index=col.index)
        if bad.any():
            found_values = sorted(col[bad].unique())
            raw = raw_names.get(item)
            var = f"{raw} -> {item}" if raw else item
            declared = user_missing.get(raw or "", {})
            kinds = outside_kinds(found_values, codes, declared_missing=list(declared))
            in_spss = [c for c in sorted(declared) if float(c) in set(found_values)]
            named = [x for x in (codebook_code(c) for c in in_spss) if x is not None]
            suggestion = (
                "the SPSS file declares " + (", ".join(named) if named else "them") + " as user-missing, but "
                "missing_codes does not: declare " + ("it" if len(in_spss) == 1 else "them") + " under missing_codes"
                if in_spss else "declare missing-value codes under missing_codes, or fix the mapping")
            problems.append(Problem(
                file, "allowed_codes", f"{int(bad.sum())} value(s) outside the instrument's codes ({', '.join(kinds)})",
                variable=var, count=int(bad.sum()), rows=file_rows(bad), expected=codes.describe(),
                suggestion=suggestion,
            ))
    return problems


def _numbered_sibling(item: str, mapping: dict[str, str], free: set[str]) -> str | None:
    """An unmapped raw variable named like the mapped items of the same instrument.

    ``f9_25 -> whoqol_bref_25`` and an unmapped ``f9_26`` make ``f9_26`` the candidate for
    ``whoqol_bref_26`` (zero-padding kept: ``q1_whoqol25`` -> ``q1_whoqol26``).
    """
    m = re.fullmatch(r"(?P<inst>.+)_(?P<n>\d{2})", item)
    if not m:
        return None
    target = int(m["n"])
    votes: dict[str, int] = {}
    for raw, mapped in mapping.items():
        mm = re.fullmatch(r"(?P<inst>.+)_(?P<n>\d{2})", mapped)
        if not mm or mm["inst"] != m["inst"]:
            continue
        n = int(mm["n"])
        hits = list(re.finditer(rf"(?<!\d)0*{n}(?!\d)", raw))
        if not hits:
            continue
        h = hits[-1]
        width = len(h.group(0))
        candidate = raw[:h.start()] + str(target).zfill(width) + raw[h.end():]
        if candidate in free:
            votes[candidate] = votes.get(candidate, 0) + 1
    return max(votes, key=votes.__getitem__) if votes else None


def check_required(data: pd.DataFrame, file: str, required: list[str],
                   mapping: dict[str, str] | None = None, raw_columns=None) -> list[Problem]:
    """Every item of every declared instrument is present.

    One problem per instrument, naming its absent items; with ``mapping`` and the raw
    file's columns, an unmapped raw variable named like the instrument's mapped items
    (``f9_26`` next to ``f9_25 -> whoqol_bref_25``) is suggested for each absent item.
    """
    absent = [c for c in required if c not in data.columns]
    if not absent:
        return []
    mapping = mapping or {}
    free = {str(c) for c in (raw_columns if raw_columns is not None else [])} - set(mapping)
    groups: dict[str, list[str]] = {}
    for c in absent:
        inst = "eq5d5l" if c.startswith("eq5d5l_") else c.rsplit("_", 1)[0] if "_" in c else c
        groups.setdefault(inst, []).append(c)
    problems = []
    for inst, items in groups.items():
        n_all = sum(1 for c in required if c.startswith(inst + "_"))
        hints = {it: s for it in items if (s := _numbered_sibling(it, mapping, free))}
        suggestion = ("the file has unmapped variable(s) named like the mapped items: "
                      + ", ".join(f"map {s!r} to {it}" for it, s in hints.items()) if hints
                      else f"map these items in the wave's mapping, or remove {inst} from the wave's instruments")
        problems.append(Problem(file, "required_variables",
                                f"{len(items)} of {n_all} item(s) of instrument {inst} not mapped",
                                variable=", ".join(items[:10]) + (" …" if len(items) > 10 else ""),
                                count=len(items), expected=f"all items of {inst}", suggestion=suggestion))
    return problems


def check_instruments_answered(data: pd.DataFrame, file: str, instrument_items: dict[str, list[str]],
                               raw_names: dict[str, str] | None = None) -> list[Problem]:
    """Every declared instrument has at least one answer in the wave.

    An instrument whose items are all missing in every row (system-missing or a declared
    missing code) was not exported, or is mapped to the wrong, empty variables.

    Examples
    --------
    >>> d = pd.DataFrame({"who5_01": [np.nan, np.nan], "who5_02": [np.nan, np.nan], "gse_01": [1.0, np.nan]})
    >>> [str(p) for p in check_instruments_answered(d, "t1.sav", {"who5": ["who5_01", "who5_02"],
    ...                                                         "gse": ["gse_01"]}, {"who5_01": "vb_1"})]
    ["t1.sav, variable 'vb_1, who5_02': instrument who5 has no answer at all: its 2 item(s) are missing in all 2 row(s); expected at least one answered item (was the page exported, and are the variables mapped right?)"]
    """
    raw_names = raw_names or {}
    problems = []
    for inst, items in instrument_items.items():
        present = [i for i in items if i in data.columns]
        if not present or not len(data):
            continue
        if not data[present].notna().to_numpy().any():
            shown = [raw_names.get(i, i) for i in present]
            problems.append(Problem(
                file, "instruments_answered",
                f"instrument {inst} has no answer at all: its {len(present)} item(s) are missing in all "
                f"{len(data)} row(s)", variable=", ".join(shown[:6]) + (" …" if len(shown) > 6 else ""),
                count=len(data), expected="at least one answered item",
                suggestion="was the page exported, and are the variables mapped right?"))
    return problems


def _shown(names, n: int = 6) -> str:
    names = list(names)
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


def check_value_labels(codebook: pd.DataFrame, file: str, mapping: dict[str, str], allowed: dict,
                       missing_codes) -> list[Problem]:
    """The file's value labels of mapped variables agree with the instruments' answer codes.

    A labelled answer code (not a declared missing code) outside the instrument's codes
    means another coding (e.g. 0-3 instead of 1-4) or a wrong mapping: an error, even when
    no respondent happened to choose it. Fewer labelled codes than the instrument has is a
    warning. Variables with the same cause are reported together.
    """
    cb = codebook.dropna(subset=["value"])
    if "user_missing" in cb:
        cb = cb[~cb["user_missing"].astype(bool)]
    labelled = {str(v): sorted(g["value"].astype(float)) for v, g in cb.groupby("variable")}
    groups: dict[tuple, list[str]] = {}
    for var, item in mapping.items():
        codes = labelled.get(var)
        if not codes or item not in allowed:
            continue
        declared = {float(c) for c in missing_codes.for_variable(var)}
        codes = [c for c in codes if c not in declared]
        a = allowed[item]
        ok = a.valid(np.array(codes, dtype="float64"))
        outside = [c for c, good in zip(codes, ok) if not good]
        spec_codes = getattr(getattr(a, "codes", None), "labels", None)
        inst = "eq5d5l" if item.startswith("eq5d5l_") else item.rsplit("_", 1)[0]
        key = (inst, a.describe(), tuple(codes))
        if outside:
            groups.setdefault(("outside", *key), []).append(f"{var} -> {item}")
        elif spec_codes and len(codes) < len(spec_codes):
            groups.setdefault(("fewer", *key), []).append(f"{var} -> {item}")
    problems = []
    for (kind, inst, expected, codes), variables in groups.items():
        found = "labelled codes " + codebook_codes(codes)
        if kind == "outside":
            problems.append(Problem(
                file, "value_labels", f"value labels do not match {inst}'s answer codes for {len(variables)} "
                f"variable(s): {_shown(variables)}", count=len(variables), expected=expected, found=found,
                suggestion="a different coding (recode before import) or a wrong mapping; a code that means "
                           "missing belongs under missing_codes"))
        else:
            problems.append(Problem(
                file, "value_labels", f"fewer labelled answer codes than {inst} has for {len(variables)} "
                f"variable(s): {_shown(variables)}", count=len(variables), expected=expected, found=found,
                suggestion="check that the mapping points at the right instrument", severity="warning"))
    return problems


def check_user_missing(data: pd.DataFrame, codebook: pd.DataFrame, file: str, mapping: dict[str, str],
                       allowed: dict, missing_codes, spss: bool = True) -> list[Problem]:
    """SPSS user-missing declarations of mapped variables agree with ``missing_codes``.

    Error: the file declares a code user-missing that the configuration does not declare,
    the code is one of the instrument's answers, and respondents have it - they would be
    scored as if they had given that answer. (An undeclared code *outside* the answers is
    reported by :func:`check_codes`.) Warning: the declarations differ without such an
    effect (one finding per distinct difference).

    ``data`` is the harmonised wave (canonical item columns, declared codes already applied);
    ``spss`` is false for a CSV file, which cannot declare user-missing codes (nothing to compare).
    """
    if not spss:
        return []
    file_declared = user_missing_codes(codebook)
    if not file_declared:   # a file without any declaration: survey.missing_declarations says what that means
        return []
    problems: list[Problem] = []
    silent: dict[int, list[tuple[str, int, tuple[int, ...]]]] = {}
    differ: dict[tuple, list[str]] = {}
    for var, item in mapping.items():
        declared = {int(c) for c in missing_codes.for_variable(var)}
        in_file = file_declared.get(var, {})
        if declared != set(in_file):
            differ.setdefault((tuple(sorted(declared)), tuple(sorted(in_file))), []).append(var)
        if item not in data or item not in allowed:
            continue
        col = data[item].astype("float64")
        for code in sorted(set(in_file) - declared):
            if not bool(allowed[item].valid(np.array([float(code)]))[0]):
                continue
            mask = col == float(code)
            if mask.any():
                silent.setdefault(code, []).append((var, int(mask.sum()), file_rows(mask)))
    for code, hits in silent.items():
        n = sum(h[1] for h in hits)
        rows = tuple(sorted({r for h in hits for r in h[2]}))
        # the code is one the codebook declares (named when it is short); its label is not quoted
        shown = codebook_code(code) or "a code"
        problems.append(Problem(
            file, "undeclared_missing_codes",
            f"{n} value(s) hold code {shown}, which the SPSS file declares user-missing but "
            f"missing_codes does not, so they would be scored as answers, in {len(hits)} variable(s): "
            f"{_shown([h[0] for h in hits])}", variable=hits[0][0] if len(hits) == 1 else None,
            count=n, rows=rows, expected=f"{shown} declared under missing_codes",
            suggestion=f"add {shown}: <kind> (no_answer, dont_know, not_applicable or invalid) to missing_codes "
                       "(`default`, or `by_variable` for these variables)"))
    for (declared, in_file), variables in differ.items():
        only_file = sorted(set(in_file) - set(declared))
        problems.append(Problem(
            file, "missing_codes",
            f"missing-code declaration differs from the SPSS user-missing declaration for {len(variables)} "
            f"variable(s): {_shown(variables)}", count=len(variables),
            expected=f"{{{', '.join(map(str, declared))}}} (study.yaml)",
            found=f"{codebook_codes(in_file)} (SPSS)",
            suggestion=(f"declare {codebook_codes(only_file)} under missing_codes (by_variable for these variables)"
                        if only_file
                        else "check that the extra codes in study.yaml are intended"), severity="warning"))
    return problems


def _fmt_code(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def read_attendance_file(path: str | Path, raw_bytes: bytes | None = None) -> pd.DataFrame:
    """Read the attendance register (a UTF-8 CSV file) as it is: every column as text.

    The same strict reading as a CSV wave file (:func:`read_wave`): the file must exist, be
    a file, not be empty, be UTF-8 (a byte-order mark is dropped), comma-separated, with a
    unique name for every column and no row with more fields than the header.
    ``raw_bytes``: the file's bytes already read (and hashed) by the caller, so that the
    hash describes exactly what is parsed.

    Raises
    ------
    WaveError
        Naming the file and, where it applies, the rows; never a value.
    """
    path = Path(path)
    if raw_bytes is None:
        raw_bytes = read_attendance_bytes(path)
    if raw_bytes.startswith(SAV_SIGNATURES):
        raise WaveError(f"{path.name}: the attendance register is an SPSS .sav file; expected a CSV file with one "
                        "row per visit (save it as 'CSV UTF-8')")
    return _read_csv(path.name, raw_bytes, "utf-8", [], dtype="string", encoding_option=False)


def check_register_identifiers(reg: pd.DataFrame, file: str, spec, id_pattern: str | None = None) -> list[Problem]:
    """The identifier guard on the attendance register (:func:`identifiers.check_no_identifiers`):
    every column, the configured ones and any other, is judged by its values; the ID column's
    values also for names where a pseudonym is expected (with ``id_pattern``); columns other
    than the configured ones also by their names. ``spec.identifier_exemptions`` (if any)
    exempts register columns with a reason."""
    configured = [spec.workshop_column, spec.date_column]
    problems = identifiers.check_no_identifiers(
        reg, pd.DataFrame(), file, spec.id_column, getattr(spec, "identifier_exemptions", {}) or {},
        id_pattern=id_pattern, what="attendance register", configured=configured)
    return problems


def read_attendance_bytes(path: str | Path) -> bytes:
    """The attendance register's bytes (it must exist, be a file and not be empty)."""
    return readers.file_bytes(Path(path), "attendance register", "a CSV file with one row per visit")


def read_attendance(path: str | Path, spec, raw_bytes: bytes | None = None, id_pattern: str | None = None,
                    log=None) -> pd.DataFrame:
    """Read the attendance register (CSV) into ``participant_id, workshop, visit_date``.

    The identifier guard runs first, on every column of the register
    (:func:`check_register_identifiers`). IDs are stripped of surrounding spaces. A visit
    without a participant ID is an error (as a wave row without one is), not a silently
    dropped or anonymous visit.

    Parameters
    ----------
    path, spec
        The register and its configuration (``attendance:``).
    id_pattern
        The study's pseudonym pattern: IDs that look like names stop the guard.
    log
        Called with the guard's notes and warnings (exemptions and their reasons).

    Raises
    ------
    IdentifierError
        The register holds something that looks like a direct identifier.
    WaveError
        The file cannot be read (see :func:`read_attendance_file`), a configured column is
        missing, dates cannot be parsed or participant IDs are blank (with the row numbers;
        several problems are reported together).
    """
    path = Path(path)
    reg = read_attendance_file(path, raw_bytes)
    guard = check_register_identifiers(reg, path.name, spec, id_pattern)
    for p in guard:
        if p.severity != "error" and log is not None:
            log(f"identifier guard: {p}")
    error = identifier_error(guard, path.name, what="attendance register")
    if error is not None:
        raise error
    cols = {spec.id_column: ID_COLUMN, spec.workshop_column: "workshop", spec.date_column: "visit_date"}
    absent = [c for c in cols if c not in reg.columns]
    if absent:
        raise WaveError(f"{path.name}: configured column(s) {absent} not in the register "
                        f"(columns: {shown_names(reg.columns, n=20)})")
    reg = reg[list(cols)].rename(columns=cols)
    errors = []
    dates = pd.to_datetime(reg["visit_date"], errors="coerce", format="%Y-%m-%d")
    bad = dates.isna() & reg["visit_date"].notna()
    if bad.any():
        errors.append(f"{path.name}, column {spec.date_column!r}: {int(bad.sum())} value(s) are not "
                      f"dates (YYYY-MM-DD); rows {_rows_text(file_rows(bad), int(bad.sum()))}")
    ids = reg[ID_COLUMN].str.strip().replace("", pd.NA)
    blank = ids.isna()
    if blank.any():
        errors.append(f"{path.name}, column {spec.id_column!r}: {int(blank.sum())} visit(s) without a participant "
                      f"ID; rows {_rows_text(file_rows(blank), int(blank.sum()))} (fill in the study code, or "
                      "remove the row)")
    if errors:
        raise WaveError("\n".join(errors))
    reg["visit_date"] = dates
    reg[ID_COLUMN] = ids
    return reg


# -- cross-wave validation (on the stacked panel of all waves) ------------------------------

_LETTER_PREFIX = re.compile(r"^[A-Za-z]+(?=[^A-Za-z0-9])")
#: letters and digits of every script (a name in another script must not be kept literally)
_ALNUM_RUN = re.compile(r"[^\W_]+")
#: a literal prefix is shown in an ID's shape only when at least this many distinct IDs share
#: it (a study prefix); a rarer "prefix" may be a first name and is masked like the rest
MIN_SHARED_PREFIX = 5


def id_format(pseudonym: str) -> str:
    """The shape of a pseudonym, without its random part.

    Parameters
    ----------
    pseudonym
        One participant ID.

    Returns
    -------
    str
        A leading run of letters that ends at a separator is kept literally (the study
        prefix); every other run of letters and digits becomes ``X`` per character when it
        has no lower-case letter, ``x`` when it has no upper-case letter and ``?`` when it
        mixes both; separators are kept.

    Examples
    --------
    >>> id_format("JH-0A1B2C"), id_format("jh-0a1b2c"), id_format("JH0A1B2C"), id_format("1234-56")
    ('JH-XXXXXX', 'jh-xxxxxx', 'XXXXXXXX', 'XXXX-XX')
    >>> id_format("Åsa Öberg"), id_format("أحمد-12")
    ('??? ?????', 'XXXX-XX')
    """
    m = _LETTER_PREFIX.match(pseudonym)
    prefix = m.group(0) if m else ""

    def mask(run: re.Match) -> str:
        s = run.group(0)
        c = "X" if s == s.upper() else "x" if s == s.lower() else "?"
        return c * len(s)

    return prefix + _ALNUM_RUN.sub(mask, pseudonym[len(prefix):])


def id_shapes(ids: pd.Series) -> pd.Series:
    """:func:`id_format` of every ID, with a literal prefix kept only when at least
    :data:`MIN_SHARED_PREFIX` distinct IDs share it (so a shape shown in a message or in
    metadata can never spell a participant's first name).

    Examples
    --------
    >>> ids = pd.Series([f"JH-{i:06d}" for i in range(5)] + ["ANNA-01"])
    >>> id_shapes(ids).tolist()[-2:]
    ['JH-XXXXXX', 'XXXX-XX']
    """
    ids = ids.astype(str)
    prefix = ids.str.extract(f"({_LETTER_PREFIX.pattern})", expand=False)
    shared = ids.groupby(prefix).nunique()
    rare = prefix.notna() & ~prefix.map(shared).fillna(0).ge(MIN_SHARED_PREFIX).astype(bool)
    shapes = ids.map(id_format)
    if rare.any():
        shapes[rare] = ids[rare].map(lambda v: _ALNUM_RUN.sub(
            lambda r: ("X" if r.group(0) == r.group(0).upper() else "x" if r.group(0) == r.group(0).lower()
                       else "?") * len(r.group(0)), v))
    return shapes


def id_formats_by_wave(panel: pd.DataFrame) -> pd.DataFrame:
    """How many distinct participant IDs of each format every wave holds.

    Parameters
    ----------
    panel
        Long table with ``participant_id`` and ``wave`` (missing IDs are ignored).

    Returns
    -------
    pandas.DataFrame
        ``wave, format, n_ids``: one row per wave and shape (:func:`id_shapes`: a literal
        prefix only when shared by at least :data:`MIN_SHARED_PREFIX` IDs); counts only.

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": [f"JH-AB12C{i}" for i in range(5)] + ["jh-ab12cd"],
    ...                   "wave": ["T0"] * 5 + ["T1"]})
    >>> id_formats_by_wave(p).to_dict("records")
    [{'wave': 'T0', 'format': 'JH-XXXXXX', 'n_ids': 5}, {'wave': 'T1', 'format': 'xx-xxxxxx', 'n_ids': 1}]
    """
    ids = panel[[ID_COLUMN, WAVE_COLUMN]].dropna(subset=[ID_COLUMN]).drop_duplicates()
    ids = ids.assign(wave=ids[WAVE_COLUMN].astype(str), format=id_shapes(ids[ID_COLUMN]))
    out = ids.groupby(["wave", "format"], sort=True).size().rename("n_ids").reset_index()
    return out.astype({"n_ids": int})


def check_id_format_consistent(panel: pd.DataFrame) -> list[Problem]:
    """All pseudonyms of all waves share one :func:`id_format` shape.

    A wave delivered with another prefix, in lower case or with the prefix lost (e.g. a
    numeric export) passes a loose per-wave pattern but cannot be linked to the others.
    The most common shape is taken as the expected one; each wave holding another shape is
    one problem (with counts, never IDs).
    """
    formats = id_formats_by_wave(panel)
    if formats["format"].nunique() <= 1:
        return []
    expected = formats.groupby("format")["n_ids"].sum().sort_values(ascending=False, kind="stable").index[0]
    return [Problem(f"wave {r.wave}", "id_format_consistent",
                    f"{r.n_ids} participant ID(s) have another format than the other waves",
                    variable=ID_COLUMN, count=int(r.n_ids), expected=repr(expected), found=repr(r.format))
            for r in formats[formats["format"] != expected].itertuples()]


def wave_ids(data: pd.DataFrame, id_variable: str) -> pd.Series:
    """The participant IDs of a raw wave, normalised as :func:`harmonise` does (stripped,
    blanks missing, whole numbers without decimals)."""
    return _id_text(data[id_variable])


@dataclass(frozen=True)
class OtherWave:
    """What the cross-wave check needs of another wave: its file name, IDs and file hash."""

    wave: str
    file: str
    ids: pd.Series
    sha256: str = ""


def _norm_ids(ids: pd.Series) -> pd.Series:
    return ids.str.upper().str.replace(r"[\s\-_]", "", regex=True)


def check_wave_links(wave: str, file: str, ids: pd.Series, others: list[OtherWave],
                     paired_with: Sequence[str] = (), sha256: str = "",
                     earlier: list[str] | None = None) -> list[Problem]:
    """A wave can be linked to the other waves of the study.

    Parameters
    ----------
    wave, file, ids, sha256
        The wave being checked: id, file name, participant IDs (:func:`wave_ids`), file hash.
    others
        The other configured waves whose files could be read.
    paired_with
        Waves that ``analysis.comparisons`` pairs this wave with as its *pre* wave.
    earlier
        Waves before this one (date order): IDs written like an earlier wave's only after
        ignoring case, spaces or dashes are blamed on the later wave. Default: all others.

    Returns
    -------
    list of Problem
        Errors: the file is byte-identical to another wave's file; the wave's IDs have a
        shape (:func:`id_format`) that no other wave has; IDs that match another wave's
        only after normalising case, spaces and dashes; no participant in common with a
        wave it is compared with. Warning: no participant in common with any other wave
        (a cross-sectional wave, or another pseudonymisation key). Counts only, never IDs.
    """
    problems: list[Problem] = []
    ids = ids.dropna().astype(str)
    for o in others:
        if sha256 and o.sha256 == sha256:
            problems.append(Problem(file, "wave_links", f"the file is byte-identical to wave {o.wave}'s file "
                                    f"({o.file}): the same data delivered twice?", count=len(ids),
                                    expected="a different file for every wave",
                                    suggestion="check `file:` of both waves"))
    others = [o for o in others if len(o.ids.dropna())]
    if not len(ids) or not others:
        return problems
    own_shapes = id_shapes(ids)
    shapes = own_shapes.value_counts()
    main = shapes.index[0]
    other_shapes = {o.wave: id_shapes(o.ids.dropna().astype(str)).value_counts() for o in others}
    if not any(main in s.index for s in other_shapes.values()):
        seen = pd.concat(other_shapes.values()).groupby(level=0).sum().sort_values(ascending=False)
        problems.append(Problem(
            file, "wave_links", f"{int(shapes.iloc[0])} participant ID(s) are written in a format no other wave "
            f"uses", variable=ID_COLUMN, count=int(shapes.iloc[0]), expected=f"IDs shaped like {seen.index[0]!r} "
            f"(waves {', '.join(o.wave for o in others)})", found=repr(main),
            suggestion="use the same study-code format in every wave (X = capital letter or digit, "
                       "x = small letter; no IDs are shown)"))
    before = set(earlier) if earlier is not None else {o.wave for o in others}
    prior = [o for o in others if o.wave in before]
    if prior:
        prior_ids = set().union(*[set(o.ids.dropna().astype(str)) for o in prior])
        prior_norm = set().union(*[set(_norm_ids(o.ids.dropna().astype(str))) for o in prior])
        # blamed on this wave only for IDs written unlike the other waves' usual format
        usual = pd.concat(other_shapes.values()).groupby(level=0).sum().idxmax()
        near = (~is_member(ids, prior_ids) & is_member(_norm_ids(ids), prior_norm)
                & (own_shapes != usual).to_numpy())
        if near.any():
            problems.append(Problem(
                file, "wave_links", f"{int(near.sum())} participant ID(s) match an earlier wave's ID only after "
                "ignoring case, spaces or dashes", variable=ID_COLUMN, count=int(near.sum()),
                suggestion="write the study codes exactly as in the earlier waves"))
    own = set(ids)
    by_wave = {o.wave: o for o in others}
    for pre in paired_with:
        paired = by_wave.get(pre)
        if paired is None:
            continue
        pre_ids = set(paired.ids.dropna().astype(str))
        if not own & pre_ids:
            problems.append(Problem(
                file, "wave_links", f"none of the wave's {len(own)} participant IDs occurs in wave {pre} "
                f"({paired.file}, {len(pre_ids)} IDs), which analysis.comparisons pairs it with",
                variable=ID_COLUMN, count=len(own), expected=f"participants in common with wave {pre}",
                found="0 in common",
                suggestion="were the study codes made with the same key as in the earlier waves?"))
    if not paired_with and not any(own & set(o.ids.dropna().astype(str)) for o in others):
        problems.append(Problem(
            file, "wave_links", "no participant of this wave appears in any other wave", variable=ID_COLUMN,
            count=len(own), severity="warning",
            suggestion="are the study codes the same key as in the other waves?"))
    return problems


def linkage_rates(panel: pd.DataFrame, baseline: str, waves: list[str]) -> pd.DataFrame:
    """Share of the baseline's participants found again at each follow-up wave.

    Parameters
    ----------
    panel
        Long table with ``participant_id`` and ``wave``.
    baseline
        The baseline wave.
    waves
        All waves in date order; those after ``baseline`` are the follow-ups.

    Returns
    -------
    pandas.DataFrame
        ``wave, n_baseline, n_wave, n_linked, linkage_rate``: distinct IDs at baseline, at
        the follow-up, in both, and ``n_linked / n_baseline`` (NaN without baseline IDs).

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": ["a", "b", "c", "d", "a", "x", "a", "b"],
    ...                   "wave": ["T0"] * 4 + ["T1"] * 2 + ["T2"] * 2})
    >>> linkage_rates(p, "T0", ["T0", "T1", "T2"])["linkage_rate"].tolist()
    [0.25, 0.5]
    """
    ids = {w: set(g[ID_COLUMN].dropna().astype(str)) for w, g in panel.groupby(
        panel[WAVE_COLUMN].astype(str), observed=True)}
    base = ids.get(baseline, set())
    rows = []
    for w in waves[waves.index(baseline) + 1:]:
        linked = len(base & ids.get(w, set()))
        rows.append({"wave": w, "n_baseline": len(base), "n_wave": len(ids.get(w, set())), "n_linked": linked,
                     "linkage_rate": linked / len(base) if base else float("nan")})
    return pd.DataFrame(rows, columns=["wave", "n_baseline", "n_wave", "n_linked", "linkage_rate"])
