"""Read survey wave files and harmonise them onto canonical instrument items.

Pure functions (no Dagster): the ingest assets in :mod:`pipelines.assets.ingest` call them.
Raw files are only ever read. Every problem is reported with the file, the variable and
row numbers or counts - never participant IDs or answers.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.config import Wave

ID_COLUMN = "participant_id"
WAVE_COLUMN = "wave"
#: how many row numbers an error message lists before it says "and N more"
MAX_ROWS_SHOWN = 10

#: column names / labels that suggest a direct identifier (Swedish and English)
IDENTIFIER_NAME = re.compile(
    r"(personnummer|personnr|pnr|samordningsnummer|f[öo]delsedatum|namn|name|e-?post|e-?mail|"
    r"telefon|phone|mobil|adress|address|postnummer|zip)",
    re.IGNORECASE,
)
#: values that look like a Swedish personal identity number, an e-mail or a phone number
IDENTIFIER_VALUE = re.compile(
    r"^(\d{6}|\d{8})[-+]?\d{4}$|^[^@\s]+@[^@\s]+\.[a-z]{2,}$|^(?!\d{4}-\d{2}-\d{2}$)\+?\d[\d -]{7,}\d$",
    re.IGNORECASE
)


class WaveError(ValueError):
    """A wave file that cannot be read or harmonised; the message says what and where."""


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

    def __str__(self) -> str:
        parts = [f"{self.file}"]
        if self.variable:
            parts.append(f"variable {self.variable!r}")
        text = ": ".join([", ".join(parts), self.message])
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.found is not None:
            text += f", found {self.found}"
        if self.rows:
            text += f"; rows {_rows_text(self.rows, self.count)}"
        if self.suggestion:
            text += f" ({self.suggestion})"
        return text


@dataclass
class RawWave:
    """What was read from one wave file."""

    data: pd.DataFrame
    codebook: pd.DataFrame
    sha256: str
    path: Path
    file_format: str
    notes: list[str] = field(default_factory=list)


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _rows_text(rows: tuple[int, ...], count: int) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_SHOWN])
    more = count - min(len(rows), MAX_ROWS_SHOWN)
    return shown + (f" and {more} more" if more > 0 else "")


def file_rows(mask: pd.Series) -> tuple[int, ...]:
    """1-based data-row numbers (as a spreadsheet or SPSS shows them) where ``mask`` holds."""
    return tuple(int(i) + 1 for i in np.flatnonzero(mask.to_numpy()))


def read_wave(path: str | Path) -> RawWave:
    """Read one wave file (SPSS ``.sav`` or ``.csv``) without changing it.

    Parameters
    ----------
    path
        The wave file. SPSS files keep their variable labels, value labels and
        user-missing declarations; user-missing codes are returned as their codes.

    Returns
    -------
    RawWave
        ``data`` (one column per raw variable, as stored), ``codebook`` (tidy: ``variable,
        variable_label, value, value_label, user_missing``; one row per labelled value, or
        one row with empty value for unlabelled variables), ``sha256`` of the file bytes.

    Raises
    ------
    WaveError
        The file is missing, has an unsupported extension or cannot be parsed.
    """
    path = Path(path)
    if not path.exists():
        raise WaveError(f"wave file {path} does not exist")
    suffix = path.suffix.lower()
    digest = sha256_file(path)
    if suffix == ".sav":
        import pyreadstat

        try:
            data, meta = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
        except Exception as exc:  # pyreadstat raises its own error types
            raise WaveError(f"{path}: cannot be read as an SPSS .sav file ({type(exc).__name__})") from None
        codebook = _sav_codebook(meta)
        fmt = "spss"
    elif suffix == ".csv":
        try:
            data = pd.read_csv(path, dtype_backend="numpy_nullable")
        except Exception as exc:
            raise WaveError(f"{path}: cannot be read as CSV ({type(exc).__name__}: {exc})") from None
        codebook = pd.DataFrame(
            {
                "variable": list(data.columns),
                "variable_label": [""] * data.shape[1],
                "value": [np.nan] * data.shape[1],
                "value_label": [""] * data.shape[1],
                "user_missing": [False] * data.shape[1],
            }
        )
        fmt = "csv"
    else:
        raise WaveError(f"{path}: unsupported file type {suffix!r}; expected .sav or .csv")
    return RawWave(data=data, codebook=codebook, sha256=digest, path=path, file_format=fmt)


def _sav_codebook(meta) -> pd.DataFrame:
    rows = []
    missing = getattr(meta, "missing_ranges", {}) or {}
    user_missing_values = getattr(meta, "missing_user_values", {}) or {}

    def is_missing(var, value):
        for rng in missing.get(var, []):
            lo, hi = rng.get("lo"), rng.get("hi")
            try:
                if lo is not None and hi is not None and lo <= value <= hi:
                    return True
            except TypeError:
                pass
        return value in user_missing_values.get(var, [])

    for var in meta.column_names:
        label = (meta.column_names_to_labels or {}).get(var) or ""
        value_labels = (meta.variable_value_labels or {}).get(var) or {}
        if not value_labels:
            rows.append((var, label, np.nan, "", False))
        for value, vlabel in value_labels.items():
            rows.append((var, label, float(value), str(vlabel), bool(is_missing(var, value))))
    return pd.DataFrame(rows, columns=["variable", "variable_label", "value", "value_label", "user_missing"])


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
        ``data``: ``participant_id``, ``wave``, covariates as labelled text, canonical items
        as floats; ``missingness``: per item counts of each missing kind (aggregates only);
        ``codebook``: the file's codebook with the canonical name of every mapped variable.

    Raises
    ------
    WaveError
        The ID variable or a mapped variable is absent from the file (all are listed, with
        close matches as suggestions).
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
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            lines.append(f"  - {v!r} ({role}){hint}")
        raise WaveError(
            f"{raw.path.name} (wave {wave.id}): {len(absent)} configured variable(s) not in the file:\n"
            + "\n".join(lines)
        )

    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    ids = df[wave.id_variable]
    out[ID_COLUMN] = ids.astype("string").str.strip().replace("", pd.NA)
    out[WAVE_COLUMN] = wave.id

    labels = _value_labels(raw.codebook)
    for var, name in wave.covariates.items():
        codes = wave.missing_codes.for_variable(var)
        col = df[var]
        if var in labels:
            num = pd.to_numeric(col, errors="coerce")
            num = num.where(~num.isin(list(codes)))
            out[name] = num.map(labels[var]).astype("string")
        else:
            out[name] = col.astype("string").where(~col.isin(list(codes)))

    miss_rows = []
    for var, item in wave.mapping.items():
        codes = wave.missing_codes.for_variable(var)
        col = pd.to_numeric(df[var], errors="coerce").astype("float64")
        non_numeric = df[var].notna() & col.isna()
        if non_numeric.any():
            raise WaveError(
                f"{raw.path.name} (wave {wave.id}), variable {var!r} ({item}): "
                f"{int(non_numeric.sum())} non-numeric value(s); rows {_rows_text(file_rows(non_numeric), int(non_numeric.sum()))}"
            )
        instrument = item.rsplit("_", 1)[0]
        dk_code = dont_know_codes.get(instrument)
        counts = {"variable": var, "item": item, "n_rows": len(col),
                  "n_system_missing": int(col.isna().sum())}
        for kind in ("dont_know", "no_answer", "not_applicable", "invalid"):
            mask = col.isin([c for c, k in codes.items() if k == kind])
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


# -- validation: each returns a list of Problems (empty list = passed) --------------------


def check_unique_ids(data: pd.DataFrame, file: str) -> list[Problem]:
    """Every row has a participant ID and no ID occurs twice in one wave."""
    problems = []
    blank = data[ID_COLUMN].isna()
    if blank.any():
        problems.append(Problem(file, "unique_ids", "rows without a participant ID",
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
        return [Problem(file, "id_format", "participant IDs that do not match the pseudonym pattern",
                        variable=ID_COLUMN, count=int(bad.sum()), rows=file_rows(bad),
                        expected=f"pattern {pattern}")]
    return []


def check_codes(data: pd.DataFrame, file: str, allowed: dict,
                raw_names: dict[str, str] | None = None) -> list[Problem]:
    """Every answered item holds one of its instrument's codes.

    ``allowed`` maps item -> an object with ``valid(values) -> bool mask`` and
    ``describe() -> str`` (see :class:`pipelines.study.AllowedCodes`).
    """
    raw_names = raw_names or {}
    problems = []
    for item, codes in allowed.items():
        if item not in data:
            continue
        col = data[item].astype("float64")
        values = col.to_numpy()
        bad = pd.Series(~np.isnan(values) & ~codes.valid(values), index=col.index)
        if bad.any():
            found = sorted({_fmt_code(v) for v in col[bad].unique()}, key=float)
            var = f"{raw_names[item]} -> {item}" if item in raw_names else item
            problems.append(Problem(
                file, "allowed_codes", f"{int(bad.sum())} value(s) outside the instrument's codes",
                variable=var, count=int(bad.sum()), rows=file_rows(bad),
                expected=codes.describe(), found="{" + ", ".join(found[:10]) + (" …" if len(found) > 10 else "") + "}",
                suggestion="declare missing-value codes under missing_codes, or fix the mapping",
            ))
    return problems


def check_required(data: pd.DataFrame, file: str, required: list[str]) -> list[Problem]:
    """Every item of every declared instrument is present."""
    absent = [c for c in required if c not in data.columns]
    if absent:
        return [Problem(file, "required_variables", f"{len(absent)} required column(s) absent",
                        count=len(absent), expected=", ".join(absent[:20]) + (" …" if len(absent) > 20 else ""),
                        suggestion="map these items in the wave's mapping")]
    return []


def check_no_identifiers(raw: pd.DataFrame, codebook: pd.DataFrame, file: str,
                         id_variable: str) -> list[Problem]:
    """No variable looks like a direct identifier (name, personal number, contact details)."""
    problems = []
    labels = codebook.drop_duplicates("variable").set_index("variable")["variable_label"].to_dict()
    for var in raw.columns:
        if var == id_variable:
            continue
        if IDENTIFIER_NAME.search(var) or IDENTIFIER_NAME.search(str(labels.get(var, ""))):
            problems.append(Problem(file, "no_direct_identifiers",
                                    "variable name or label suggests a direct identifier", variable=var,
                                    suggestion="remove it from the file before it enters the pipeline"))
            continue
        col = raw[var].dropna()
        text = col[[isinstance(v, str) for v in col]] if col.dtype == object else (
            col if pd.api.types.is_string_dtype(col) else col.iloc[:0])
        if len(text):
            hits = text.astype(str).str.strip().str.match(IDENTIFIER_VALUE)
            if hits.any():
                problems.append(Problem(file, "no_direct_identifiers",
                                        "values look like personal numbers, e-mail addresses or phone numbers",
                                        variable=var, count=int(hits.sum()),
                                        suggestion="remove it from the file before it enters the pipeline"))
    return problems


def _fmt_code(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def read_attendance(path: str | Path, spec) -> pd.DataFrame:
    """Read the attendance register (CSV) into ``participant_id, workshop, visit_date``.

    Raises
    ------
    WaveError
        The file or a configured column is missing, or dates cannot be parsed (with the
        row numbers).
    """
    path = Path(path)
    if not path.exists():
        raise WaveError(f"attendance register {path} does not exist")
    reg = pd.read_csv(path, dtype="string")
    cols = {spec.id_column: ID_COLUMN, spec.workshop_column: "workshop", spec.date_column: "visit_date"}
    absent = [c for c in cols if c not in reg.columns]
    if absent:
        raise WaveError(f"{path.name}: configured column(s) {absent} not in the register "
                        f"(columns: {list(reg.columns)})")
    reg = reg[list(cols)].rename(columns=cols)
    dates = pd.to_datetime(reg["visit_date"], errors="coerce", format="%Y-%m-%d")
    bad = dates.isna() & reg["visit_date"].notna()
    if bad.any():
        raise WaveError(f"{path.name}, column {spec.date_column!r}: {int(bad.sum())} value(s) are not "
                        f"dates (YYYY-MM-DD); rows {_rows_text(file_rows(bad), int(bad.sum()))}")
    reg["visit_date"] = dates
    reg[ID_COLUMN] = reg[ID_COLUMN].str.strip()
    return reg


# -- cross-wave validation (on the stacked panel of all waves) ------------------------------

_LETTER_PREFIX = re.compile(r"^[A-Za-z]+(?=[^A-Za-z0-9])")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


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
    """
    m = _LETTER_PREFIX.match(pseudonym)
    prefix = m.group(0) if m else ""

    def mask(run: re.Match) -> str:
        s = run.group(0)
        c = "X" if s == s.upper() else "x" if s == s.lower() else "?"
        return c * len(s)

    return prefix + _ALNUM_RUN.sub(mask, pseudonym[len(prefix):])


def id_formats_by_wave(panel: pd.DataFrame) -> pd.DataFrame:
    """How many distinct participant IDs of each format every wave holds.

    Parameters
    ----------
    panel
        Long table with ``participant_id`` and ``wave`` (missing IDs are ignored).

    Returns
    -------
    pandas.DataFrame
        ``wave, format, n_ids``: one row per wave and :func:`id_format` shape; counts only.

    Examples
    --------
    >>> p = pd.DataFrame({"participant_id": ["JH-AB12CD", "JH-ZZ99ZZ", "jh-ab12cd"],
    ...                   "wave": ["T0", "T0", "T1"]})
    >>> id_formats_by_wave(p).to_dict("records")
    [{'wave': 'T0', 'format': 'JH-XXXXXX', 'n_ids': 2}, {'wave': 'T1', 'format': 'jh-xxxxxx', 'n_ids': 1}]
    """
    ids = panel[[ID_COLUMN, WAVE_COLUMN]].dropna(subset=[ID_COLUMN]).drop_duplicates()
    ids = ids.assign(wave=ids[WAVE_COLUMN].astype(str), format=ids[ID_COLUMN].astype(str).map(id_format))
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
