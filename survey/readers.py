"""Read survey files of every supported format through one contract (pure I/O, no Dagster).

:func:`read` takes a path and :class:`ReadOptions` and returns a :class:`WaveFile`: the
data, the variable labels, value labels and user-missing declarations where the format has
them, each variable's type/format, the format that was read, and the sha256 of **exactly
the bytes that were parsed** (the file is read once into memory, hashed, and parsed from
that snapshot, so a file replaced while it is being read can never be stored under the
other version's hash).

=========================  ======================  ==========================================
format                     recognised by           what it carries
=========================  ======================  ==========================================
SPSS system file           ``$FL2`` (.sav)         labels, value labels, user-missing codes
SPSS compressed system     ``$FL3`` (.zsav)        same (a .zsav named .sav is read, noted)
SPSS portable              "SPSS PORT FILE" (.por) labels, value labels (no user-missing
                                                   declarations through pyreadstat)
Stata                      ``<stata_dta>`` or the  labels, value labels (codes are plain
                           old binary header       values: Stata has no user-missing codes)
                           (.dta)
CSV / tab-separated text   text (.csv .tsv .txt)   data only; ``value_labels:`` in study.yaml
Excel workbook             ZIP with ``xl/`` (.xlsx) data only (first sheet or ``sheet:``)
OpenDocument spreadsheet   ZIP with an ODS         data only (first sheet or ``sheet:``)
                           ``mimetype`` (.ods)
=========================  ======================  ==========================================

A file whose bytes say it is another format than its name says is refused with what it
looks like and the name to give it ("file looks like an Excel workbook (zip signature)
although it is named .csv; rename it to .xlsx"). Messages name the file, the variable, row
numbers and the *kind* of problem; they never quote a cell value, a label or an ID.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from privacy.errors import WaveError
from privacy.identifiers import shown_name
from privacy.problems import header_looks_like_data

#: how many row numbers a message lists before it says "and N more"
MAX_ROWS_SHOWN = 10
#: first bytes of an SPSS system file (.sav) and of a compressed one (.zsav)
SAV_SIGNATURES = (b"$FL2", b"$FL3")
#: text encodings a CSV wave may declare (``encoding:``); the other formats carry their own
CSV_ENCODINGS = ("utf-8", "cp1252", "latin-1")
#: delimiters detected in a CSV header when ``delimiter:`` is not given
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
#: delimiters a header may use that the reader does not accept (named in the message)
OTHER_DELIMITERS = {"|": "vertical bar"}
DECIMALS = (".", ",")
#: extension -> the format family it promises
EXTENSIONS = {".sav": "sav", ".zsav": "sav", ".por": "por", ".dta": "dta", ".csv": "text", ".tsv": "text",
              ".txt": "text", ".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods"}
#: the extension to suggest for a format family
RIGHT_EXTENSION = {"sav": ".sav", "zsav": ".zsav", "por": ".por", "dta": ".dta", "text": ".csv", "xlsx": ".xlsx",
                   "ods": ".ods", "xls": ".xlsx"}
#: file_format values whose files can declare SPSS user-missing codes
DECLARES_USER_MISSING = ("spss", "spss-zsav")
#: file_format values whose user-missing codes are read as blanks (pyreadstat's read_por
#: has no user_missing option)
LOSES_USER_MISSING = ("spss-por",)
SUPPORTED = ".sav, .zsav, .por, .dta, .csv (or .tsv), .xlsx or .ods"


@dataclass(frozen=True)
class ReadOptions:
    """How to read one file (the wave's settings in study.yaml, or ``new-wave``'s options).

    Parameters
    ----------
    encoding
        Text encoding of a CSV file (one of :data:`CSV_ENCODINGS`); ``None``: UTF-8. A
        UTF-8 byte-order mark is always removed.
    delimiter
        CSV field delimiter (``","``, ``";"`` or tab); ``None``: detected from the header.
    decimal
        Decimal mark of numbers in a CSV file (``"."`` or ``","``); ``None``: ``"."``, or
        ``","`` for a semicolon- or tab-separated file whose numbers are written with
        decimal commas only (noted).
    sheet
        Worksheet of an .xlsx/.ods workbook; ``None``: the first one.
    id_variable
        Read as text exactly as written (CSV; numbers in a workbook without decimals).
    columns
        Read only these variables of an SPSS or Stata file (faster); text and workbooks are
        always read whole.
    hint
        Where the reader's settings live, for the suggestions in messages: ``"wave"``
        (study.yaml: "set `encoding: cp1252` for this wave"), ``"new-wave"`` (the command's
        ``--encoding`` option) or ``"none"``.
    """

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    id_variable: str | None = None
    columns: Sequence[str] | None = None
    hint: str = "wave"


@dataclass
class WaveFile:
    """What :func:`read` returns."""

    data: pd.DataFrame
    variable_labels: dict[str, str]
    value_labels: dict[str, dict]
    #: variable -> discrete user-missing values, and -> (lo, hi) ranges
    user_missing: dict[str, list]
    missing_ranges: dict[str, list[tuple]]
    #: variable -> type/format as the file declares it (``F3.0``, ``A200``, ``%9.0g``) or,
    #: for text and workbooks, as read (``numeric``, ``text``, ``date``, ``boolean``)
    formats: dict[str, str]
    file_format: str
    sha256: str
    path: Path
    notes: list[str] = field(default_factory=list)
    #: the reading settings that were used (CSV: encoding, delimiter, decimal; workbook:
    #: sheet), detected ones included, for a proposed study.yaml entry
    settings: dict = field(default_factory=dict)

    @property
    def declares_user_missing(self) -> bool:
        """Whether the format can declare SPSS user-missing codes (a file without any may
        have lost them, see :mod:`survey.missing_declarations`)."""
        return self.file_format in DECLARES_USER_MISSING

    def is_user_missing(self, variable: str, value) -> bool:
        for lo, hi in self.missing_ranges.get(variable, []):
            try:
                if lo is not None and hi is not None and lo <= value <= hi:
                    return True
            except TypeError:
                pass
        return value in self.user_missing.get(variable, [])

    def codebook(self) -> pd.DataFrame:
        """Tidy codebook: ``variable, variable_label, value, value_label, user_missing,
        value_text, format``; one row per labelled value, or one row with an empty value for
        an unlabelled variable. ``value_text`` is the labelled value of a *string* variable
        (its ``value`` is the number it spells, or NaN)."""
        rows = []
        for var in map(str, self.data.columns):
            label = self.variable_labels.get(var) or ""
            fmt = self.formats.get(var, "")
            labels = self.value_labels.get(var) or {}
            if not labels:
                rows.append((var, label, np.nan, "", False, pd.NA, fmt))
            for value, vlabel in labels.items():
                text = str(value) if isinstance(value, str) else pd.NA
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    number = np.nan
                if not np.isfinite(number):
                    number = np.nan
                rows.append((var, label, number, str(vlabel), bool(self.is_user_missing(var, value)), text, fmt))
        cb = pd.DataFrame(rows, columns=["variable", "variable_label", "value", "value_label", "user_missing",
                                         "value_text", "format"])
        return cb.astype({"value": "float64", "value_text": "string", "user_missing": bool})


def rows_text(rows: Sequence[int], count: int | None = None) -> str:
    """``1, 2, 3 and 7 more``: at most :data:`MAX_ROWS_SHOWN` row numbers."""
    count = len(rows) if count is None else count
    shown = ", ".join(str(r) for r in list(rows)[:MAX_ROWS_SHOWN])
    more = count - min(len(rows), MAX_ROWS_SHOWN)
    return shown + (f" and {more} more" if more > 0 else "")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- what a file is ---------------------------------------------------------------------------


def _zip_kind(raw: bytes) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        return "zip", "a damaged ZIP container (an Excel or OpenDocument file?)"
    if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
        return "ods", "an OpenDocument spreadsheet (zip signature)"
    if any(n.startswith("xl/") for n in names):
        return "xlsx", "an Excel workbook (zip signature)"
    if any(n.startswith("word/") for n in names):
        return "docx", "a Word document (zip signature)"
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return "odf", "an OpenDocument file that is not a spreadsheet (zip signature)"
    return "zip", "a ZIP archive (zip signature)"


def _old_stata(head: bytes) -> bool:
    """The header of a Stata file before version 13 (format 104-115): release byte, byte
    order (1 or 2), file type 1, an unused 0."""
    return len(head) >= 4 and head[0] in (104, 105, 108, 110, 111, 112, 113, 114, 115) \
        and head[1] in (1, 2) and head[2] == 1 and head[3] == 0


def sniff(raw: bytes) -> tuple[str, str]:
    """The format family a file's bytes show, and a description for messages.

    Returns
    -------
    (family, description)
        ``family`` is one of ``sav``, ``zsav``, ``por``, ``dta``, ``xlsx``, ``ods``, ``xls``,
        ``text``, ``utf16`` or another word for a file no reader accepts (``pdf``,
        ``docx``, ``zip``, ``binary``, ``empty``).

    Examples
    --------
    >>> sniff(b"$FL2@(#) IBM SPSS")[0], sniff(b"<stata_dta><header>")[0], sniff(b"id;kon\\r\\n1;2\\r\\n")[0]
    ('sav', 'dta', 'text')
    >>> sniff(bytes([114, 2, 1, 0]) + b"\\x00" * 60)
    ('dta', 'a Stata .dta file (binary Stata header)')
    """
    head = raw[:512]
    if not head:
        return "empty", "an empty file"
    if head.startswith(b"$FL2"):
        return "sav", "an SPSS .sav file"
    if head.startswith(b"$FL3"):
        return "zsav", "a compressed SPSS .zsav file"
    if head.startswith(b"<stata_dta>") or _old_stata(head):
        return "dta", "a Stata .dta file (binary Stata header)"
    if b"SPSS PORT FILE" in head[:200]:
        return "por", "an SPSS portable .por file"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(raw)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls", "an old Excel 97-2003 workbook (.xls, or another Office 97 file)"
    if head.startswith(b"%PDF"):
        return "pdf", "a PDF document"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16", "UTF-16 text (it starts with a UTF-16 byte-order mark)"
    n_nul = head.count(b"\x00")
    if n_nul >= max(4, len(head) // 10):
        odd, even = head[1::2].count(b"\x00"), head[0::2].count(b"\x00")
        if max(odd, even) > 0.8 * (len(head) // 2) and min(odd, even) < 0.1 * (len(head) // 2):
            return "utf16", "UTF-16 text without a byte-order mark"
        return "binary", "a binary file of unknown type"
    try:
        head.decode("utf-8")
        return "text", "a text file (CSV?)"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:       # a multi-byte character cut at the end of the head
            return "text", "a text file (CSV?)"
    printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 160 for b in head)
    if printable >= 0.95 * len(head):
        return "text", "a text file (CSV?) in another encoding than UTF-8"
    return "binary", "a binary file of unknown type"


def file_bytes(path: Path, what: str = "wave file", expected: str = f"a wave file ({SUPPORTED})") -> bytes:
    """The bytes of an input file that must exist, be a regular file and not be empty."""
    if not path.exists():
        raise WaveError(f"{what} {path} does not exist")
    if not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file"
        raise WaveError(f"{path.name}: the {what} {path} is {kind}; expected {expected}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WaveError(f"{path.name}: the {what} cannot be read ({type(exc).__name__}: {exc.strerror or exc})") \
            from None
    if not raw:
        raise WaveError(f"{path.name}: the file is empty (0 bytes); expected {expected}")
    return raw


_FILE_FORMAT = {"sav": "spss", "zsav": "spss-zsav", "por": "spss-por", "dta": "stata", "text": "csv",
                "xlsx": "xlsx", "ods": "ods"}


def format_of(path: str | Path) -> str:
    """The ``file_format`` :func:`read` would report for a file, from its first bytes
    (``""`` when it cannot be told or read)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        return ""
    family, _ = sniff(head)
    if family == "zip":    # a workbook: the first bytes cannot tell which
        return {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods"}.get(Path(path).suffix.lower(), "")
    return _FILE_FORMAT.get(family, "")


def _config_hint(options: ReadOptions, setting: str) -> str:
    if options.hint == "wave":
        return f" (and `{setting}` in the study configuration)"
    return ""


def detect_format(path: Path, raw: bytes, options: ReadOptions = ReadOptions()) -> str:
    """The reader to use for a file: its signature, checked against its extension.

    Raises
    ------
    WaveError
        The extension is not supported, or the bytes are another format than the name
        says (with the extension to rename it to).
    """
    suffix = path.suffix.lower()
    family, desc = sniff(raw)
    promised = EXTENSIONS.get(suffix)
    file_hint = _config_hint(options, "file:")
    if promised is None:
        fix = (f"; rename it to {RIGHT_EXTENSION[family]}{file_hint}" if family in RIGHT_EXTENSION
               and family != "xls" else "")
        raise WaveError(f"{path.name}: unsupported file type {suffix or '(no extension)'!r} (it looks like {desc})"
                        f"{fix}; supported: {SUPPORTED}")
    if family == "xls":
        raise WaveError(f"{path.name}: the file is {desc}; save it as an Excel workbook (.xlsx) or as CSV UTF-8")
    if promised == "sav":
        if family in ("sav", "zsav"):
            return family
        sig = "$FL2" if suffix == ".sav" else "$FL3"
        kind = "SPSS .sav" if suffix == ".sav" else "SPSS .zsav"
        fix = (f"; rename it to {RIGHT_EXTENSION[family]}{file_hint}" if family in RIGHT_EXTENSION else
               "; export the wave from SPSS again")
        raise WaveError(f"{path.name}: not an {kind} file (it does not start with the SPSS signature {sig}); "
                        f"it looks like {desc}{fix}")
    if promised == "por":
        if family in ("por", "text"):
            return "por"
    elif promised in ("xlsx", "ods") and family == "zip":
        return promised            # a damaged workbook: its reader says so
    elif family == promised or (promised == "text" and family == "utf16"):
        return family
    fix = f"; rename it to {RIGHT_EXTENSION[family]}{file_hint}" if family in RIGHT_EXTENSION else ""
    if family in ("sav", "zsav") and promised == "text":   # the wording tests and users know
        raise WaveError(f"{path.name}: this is an SPSS {RIGHT_EXTENSION[family]} file named {suffix}; rename it to "
                        f"{RIGHT_EXTENSION[family]}{file_hint}")
    raise WaveError(f"{path.name}: file looks like {desc} although it is named {suffix}{fix}"
                    + ("" if fix else f"; expected {_expected(promised)}"))


def _expected(family: str) -> str:
    return {"text": "a CSV text file", "xlsx": "an Excel workbook", "ods": "an OpenDocument spreadsheet",
            "dta": "a Stata .dta file", "por": "an SPSS portable file"}.get(family, family)


# -- the contract -----------------------------------------------------------------------------


def read(path: str | Path, options: ReadOptions | None = None) -> WaveFile:
    """Read one survey file of any supported format without changing it.

    Parameters
    ----------
    path
        The file.
    options
        :class:`ReadOptions` (default: detect everything, UTF-8 text).

    Returns
    -------
    WaveFile
        ``data`` (one column per variable, as stored; SPSS user-missing codes kept as
        codes), ``variable_labels``, ``value_labels``, ``user_missing`` and
        ``missing_ranges`` (empty for formats without them), ``formats``, ``file_format``
        (``spss``, ``spss-zsav``, ``spss-por``, ``stata``, ``csv``, ``xlsx``, ``ods``),
        ``sha256`` of the parsed bytes and ``notes`` (what was done while reading).

    Raises
    ------
    WaveError
        Missing, empty, misnamed, damaged or unparsable file; the message names the file
        and, where it applies, the variable and rows, never a value.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t1.csv"
    >>> _ = p.write_bytes("kod;kön;vikt\\r\\nJH-1;1;62,5\\r\\nJH-2;2;70\\r\\n".encode("cp1252"))
    >>> w = read(p, ReadOptions(encoding="cp1252", id_variable="kod"))
    >>> w.file_format, list(w.data.columns), w.data["vikt"].tolist()
    ('csv', ['kod', 'kön', 'vikt'], [62.5, 70.0])
    >>> w.sha256 == sha256_bytes(p.read_bytes())
    True
    """
    path = Path(path)
    options = options or ReadOptions()
    raw = file_bytes(path)
    digest = sha256_bytes(raw)            # the hash of exactly the bytes parsed below
    family = detect_format(path, raw, options)
    notes: list[str] = []
    if family in ("sav", "zsav", "por", "dta"):
        if family == "zsav" and path.suffix.lower() == ".sav":
            notes.append("the file is a compressed SPSS .zsav file named .sav; read as .zsav")
        out = _read_pyreadstat(path.name, raw, family, options, notes)
    elif family in ("text", "utf16"):
        out = _read_text(path.name, raw, options, notes)
    else:
        out = _read_workbook(path.name, raw, family, options, notes)
    data = out["data"]
    if len(data) == 0 and not (options.columns is not None and data.shape[1] == 0):
        raise WaveError(f"{path.name}: the file has no data rows (0 rows, {data.shape[1]} variable(s)); "
                        "expected one row per participant")
    return WaveFile(data=data, variable_labels=out.get("variable_labels", {}),
                    value_labels=out.get("value_labels", {}), user_missing=out.get("user_missing", {}),
                    missing_ranges=out.get("missing_ranges", {}), formats=out.get("formats", {}),
                    file_format=out["file_format"], sha256=digest, path=path, notes=notes,
                    settings=out.get("settings", {}))


# -- SPSS and Stata (pyreadstat, parsed from the in-memory snapshot) ------------------------------

_PYREADSTAT = {"sav": ("read_sav", "spss", "an SPSS .sav file"), "zsav": ("read_sav", "spss-zsav", "an SPSS .zsav file"),
               "por": ("read_por", "spss-por", "an SPSS portable .por file"), "dta": ("read_dta", "stata", "a Stata .dta file")}


def _read_pyreadstat(name: str, raw: bytes, family: str, options: ReadOptions, notes: list[str]) -> dict:
    import pyreadstat

    func, fmt, what = _PYREADSTAT[family]
    kwargs: dict = {"apply_value_formats": False,
                    "usecols": list(options.columns) if options.columns is not None else None}
    if family in ("sav", "zsav"):
        kwargs["user_missing"] = True
    try:
        data, meta = getattr(pyreadstat, func)(io.BytesIO(raw), **kwargs)
    except Exception as exc:  # pyreadstat raises its own error types
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WaveError(f"{name}: cannot be read as {what}, it is damaged or truncated "
                        f"({type(exc).__name__}: {detail}); ask for a new export") from None
    ranges = {str(v): [(r.get("lo"), r.get("hi")) for r in rs] for v, rs in (meta.missing_ranges or {}).items()}
    user = {str(v): list(vals) for v, vals in (getattr(meta, "missing_user_values", None) or {}).items()}
    if family == "dta":
        user = {}   # Stata's extended missing values (.a-.z) are read as missing, not as codes
    garbled = sum("\ufffd" in str(v) for v in (meta.column_names_to_labels or {}).values() if v) + sum(
        "\ufffd" in str(lab) for vl in (meta.variable_value_labels or {}).values() for lab in vl.values())
    if family == "por":
        notes.append("an SPSS portable .por file: its user-missing codes are read as blanks (a don't-know answer "
                     "cannot be told from a skipped question); ask for a .sav export if the study declares "
                     "missing codes")
    if garbled:
        notes.append(f"{garbled} label(s) hold characters the file could not carry (å, ä, ö are lost in a portable "
                     ".por file): give this wave's value_labels in the study configuration, or ask for a .sav export")
    return {"data": data, "file_format": fmt,
            "variable_labels": {str(k): str(v) for k, v in (meta.column_names_to_labels or {}).items() if v},
            "value_labels": {str(k): dict(v) for k, v in (meta.variable_value_labels or {}).items()},
            "user_missing": user, "missing_ranges": ranges,
            "formats": {str(k): str(v) for k, v in (meta.original_variable_types or {}).items()}}


# -- text (CSV) -------------------------------------------------------------------------------------

#: the header line: everything up to the first line break
_FIRST_LINE = re.compile(r"[^\r\n]*")
#: a zero-padded whole number (``007``): a code, not a quantity
_PADDED = re.compile(r"0\d+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_DECIMAL_POINT = re.compile(r"[+-]?\d+\.\d+")
_INTEGER = re.compile(r"[+-]?\d+")
#: a header that is one field longer than this is a whole line read as one field, not a
#: variable name; messages name a variable by its column number when its name is longer
LONGEST_NAME = 64


def _text_formats(data: pd.DataFrame) -> dict[str, str]:
    out = {}
    for c in data.columns:
        col = data[c]
        out[str(c)] = ("boolean" if pd.api.types.is_bool_dtype(col) else
                       "date" if pd.api.types.is_datetime64_any_dtype(col) else
                       "numeric" if pd.api.types.is_numeric_dtype(col) else "text")
    return out


def _read_text(name: str, raw: bytes, options: ReadOptions, notes: list[str]) -> dict:
    dtype = {options.id_variable: "string"} if options.id_variable else None
    used: dict = {}
    data = parse_csv(name, raw, options, notes, dtype=dtype, keep_padded=True, used=used)
    return {"data": data, "file_format": "csv", "formats": _text_formats(data), "settings": used}


def _encoding_fix(options: ReadOptions, encoding: str) -> str:
    if options.hint == "wave":
        return f", or set `encoding: {encoding}` for this wave in the study configuration"
    if options.hint == "new-wave":
        return (f", or run new-wave with `--encoding {encoding}` (the proposed entry then carries "
                f"`encoding: {encoding}`)")
    return ""


def _likely_encoding(raw: bytes) -> str:
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _header_fields(header_line: str, delimiter: str) -> list[str]:
    return next(csv.reader([header_line], delimiter=delimiter)) if header_line else []


def _decode_error(name: str, raw: bytes, encoding: str, options: ReadOptions, delimiter: str) -> str:
    """Where a CSV is not valid text in ``encoding``: data rows, first variable, likely encoding."""
    lines = raw.split(b"\n")
    bad = []
    for i, line in enumerate(lines):
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            bad.append(i)
    header = _header_fields(lines[0].decode(encoding, errors="replace").rstrip("\r"), delimiter)
    first = lines[bad[0]] if bad else b""
    try:
        first.decode(encoding)
        pos = 0
    except UnicodeDecodeError as exc:
        pos = exc.start
    column = first[:pos].count(delimiter.encode())
    variable = ""
    if column < len(header) and len(header) > 1 and len(header[column]) <= LONGEST_NAME \
            and not _data_like_header(header):
        variable = f", first in variable {_shown(header[column])}"
    elif len(header) > 1:
        variable = f", first in column {column + 1}"
    rows = tuple(i for i in bad if i > 0)
    where = (f"the header line{' and ' if rows else ''}" if bad and bad[0] == 0 else "") + (
        f"{len(rows)} data row(s) (rows {rows_text(rows)})" if rows else "")
    guess = "; save it again as CSV UTF-8"
    if encoding == "utf-8":
        likely = _likely_encoding(raw)
        if likely == "cp1252" and re.search(rb"[\xe5\xe4\xf6\xc5\xc4\xd6\xe9]", raw):
            guess = ("; it looks like Windows-1252 (cp1252) text, where å, ä and ö are single bytes "
                     "(Excel's plain 'CSV'): save it again as 'CSV UTF-8'" + _encoding_fix(options, "cp1252"))
        else:
            guess = (f"; it is probably {likely} text: save it again as 'CSV UTF-8'"
                     + _encoding_fix(options, likely))
    return f"{name}: not valid {encoding.upper()} text in {where}{variable}{guess}"


def _shown(name) -> str:
    """A header name for a message (:func:`privacy.problems.shown_name`: quoted unless it
    looks like a value or an identifier)."""
    return shown_name(name)


def _data_like_header(header: list[str]) -> int:
    return header_looks_like_data(header)[0]


def _no_data_in_header(name: str, header: list[str], where: str, fix: str) -> None:
    """A first line (row) holding numbers, dates or times is a row of answers, not the
    variable names: refused, without quoting it (its "names" would be the first answers)."""
    n_data = _data_like_header(header)
    if n_data:
        raise WaveError(f"{name}: {where} looks like data, not variable names ({n_data} of its {len(header)} "
                        f"fields are numbers, dates or times); expected the variable names there: {fix}")


def _detect_delimiter(header_line: str) -> str:
    """The candidate of :data:`DELIMITERS` that splits the header into the most fields
    (quotes respected); a comma on ties."""
    best, best_n = ",", len(_header_fields(header_line, ","))
    for d in (";", "\t"):
        n = len(_header_fields(header_line, d))
        if n > best_n:
            best, best_n = d, n
    return best


def parse_csv(name: str, raw: bytes, options: ReadOptions, notes: list[str], dtype=None,
              keep_padded: bool = False, used: dict | None = None) -> pd.DataFrame:
    """Decode and parse a delimited text file strictly.

    ``dtype`` goes to :func:`pandas.read_csv` (``"string"`` for every column, or
    ``{column: "string"}``; a column the header does not have is ignored). ``keep_padded``:
    a column pandas reads as numbers but that holds zero-padded whole numbers (``007``) is
    read as text instead (with a note). ``used`` receives the encoding, delimiter and
    decimal mark that were used.

    Raises
    ------
    WaveError
        UTF-16 or binary content, text not in the encoding (with the likely encoding), a
        header without names or with a name twice, another delimiter than the one declared,
        a row with more fields than the header, numbers with both decimal marks.
    """
    encoding = (options.encoding or "utf-8").lower()
    if encoding not in CSV_ENCODINGS:
        raise WaveError(f"{name}: unsupported encoding {encoding!r}; expected one of {list(CSV_ENCODINGS)}")
    if options.delimiter is not None and options.delimiter not in DELIMITERS:
        raise WaveError(f"{name}: unsupported delimiter {options.delimiter!r}; expected one of "
                        f"{list(DELIMITERS)} (or leave it out to detect it)")
    if options.decimal is not None and options.decimal not in DECIMALS:
        raise WaveError(f"{name}: unsupported decimal mark {options.decimal!r}; expected '.' or ','")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WaveError(f"{name}: the file is UTF-16 text (it starts with a UTF-16 byte-order mark); expected "
                        "UTF-8: save it again as 'CSV UTF-8 (comma delimited)'")
    head = raw[:4096]
    # UTF-16 text has a NUL in every other byte, binary files have many; a stray NUL
    # character in an otherwise fine text file is kept in its value, where the checks find it
    if head.count(b"\x00") >= max(4, len(head) // 10):
        raise WaveError(f"{name}: the file contains NUL bytes, so it is UTF-16 text or a binary file, not a "
                        "UTF-8 CSV: save it again as 'CSV UTF-8 (comma delimited)'")
    n_nul = raw.count(b"\x00")
    if n_nul:
        notes.append(f"{n_nul} NUL character(s) in the file, kept in the values they are in")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        notes.append("UTF-8 byte-order mark at the start of the file removed")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        # (_FIRST_LINE matches at the start of every text, if only the empty string)
        first = cast(re.Match[str], _FIRST_LINE.match(raw.decode(encoding, errors="replace"))).group()
        delim = options.delimiter or _detect_delimiter(first)
        raise WaveError(_decode_error(name, raw, encoding, options, delim)) from None
    if encoding != "utf-8" and re.search(rb"[\xc3\xc2][\x80-\xbf]", raw):
        try:
            raw.decode("utf-8")
            raise WaveError(f"{name}: the file is UTF-8 text (å, ä and ö are two bytes each) but is read as "
                            f"{encoding}, which would garble every such letter; "
                            + ("remove `encoding:` from this wave" if options.hint == "wave" else
                               "leave out --encoding" if options.hint == "new-wave" else "read it as UTF-8"))
        except UnicodeDecodeError:
            pass
    header_line = cast(re.Match[str], _FIRST_LINE.match(text)).group()   # not text.splitlines(): millions of rows
    if not header_line.strip():
        raise WaveError(f"{name}: the file has no header line; expected the variable names on the first line")
    delimiter = options.delimiter or _detect_delimiter(header_line)
    header = _header_fields(header_line, delimiter)
    if options.delimiter is None and delimiter != ",":
        notes.append(f"fields are separated by {DELIMITERS[delimiter]}s (detected from the header line)")
    counts = {d: len(_header_fields(header_line, d)) for d in [*DELIMITERS, *OTHER_DELIMITERS]}
    other = max(counts, key=counts.__getitem__)
    if counts[other] > len(header):
        noun = {**DELIMITERS, **OTHER_DELIMITERS}[other]
        declared = options.delimiter is not None
        fix = (f"set `delimiter: {other!r}` for this wave (or leave `delimiter:` out to detect it)"
               if other in DELIMITERS and options.hint == "wave" else
               f"use --delimiter {other!r} (or leave it out to detect it)" if other in DELIMITERS
               and options.hint == "new-wave" else "save it again as 'CSV UTF-8 (comma delimited)'")
        raise WaveError(f"{name}: the header line is separated by {noun}s ({counts[other] - 1} {other!r}, "
                        f"{len(header) - 1} {DELIMITERS[delimiter]}s{' as declared' if declared else ''}); {fix}")
    if len(header) == 1 and len(header[0]) > LONGEST_NAME:
        raise WaveError(f"{name}: the header line is one field of {len(header[0]):,} characters, not a list of "
                        "variable names: the fields are not separated by a comma, semicolon or tab (or the whole "
                        "line is quoted); save it again as 'CSV UTF-8 (comma delimited)'")
    _no_data_in_header(name, header, "the first line", "export the file with its header line")
    blank = [i + 1 for i, h in enumerate(header) if not h.strip()]
    if blank:
        raise WaveError(f"{name}: {len(blank)} column(s) of the header have no name (column(s) "
                        f"{rows_text(tuple(blank))}); every column needs a variable name")
    name_counts = pd.Series([h.strip() for h in header]).value_counts()
    dup = name_counts[name_counts > 1]
    if len(dup):
        raise WaveError(f"{name}: the header names {len(dup)} variable(s) more than once: "
                        + ", ".join(f"{_shown(v)} ({n} times)" for v, n in dup.items())
                        + "; every variable needs a unique name")
    _check_row_lengths(name, raw, encoding, delimiter)
    if isinstance(dtype, dict):
        dtype = {c: t for c, t in dtype.items() if c in header} or None
    decimal = options.decimal or "."
    data = _pandas_csv(name, raw, encoding, delimiter, decimal, dtype)
    if options.decimal is None and delimiter != "," and dtype != "string":
        comma_cols = _decimal_comma_columns(data)
        if comma_cols:
            point_cols = [str(c) for c in data.columns if pd.api.types.is_float_dtype(data[c])
                          and (data[c].dropna() != data[c].dropna().round()).any()]
            if point_cols:
                raise WaveError(f"{name}: numbers are written with a decimal comma in {len(comma_cols)} variable(s) "
                                f"(e.g. {comma_cols[0]!r}) and with a decimal point in {len(point_cols)} "
                                f"(e.g. {point_cols[0]!r}); set `decimal:` for this wave ('.' or ',')")
            data = _pandas_csv(name, raw, encoding, delimiter, ",", dtype)
            notes.append(f"numbers with a decimal comma in {len(comma_cols)} variable(s) read as numbers "
                         "(detected; set `decimal: ','` to make it explicit)")
    if any(n.startswith("numbers with a decimal comma") for n in notes):
        decimal = ","
    if keep_padded:
        data = _keep_padded_numbers(text, data, notes, delimiter, decimal)
    if used is not None:
        used.update(encoding=encoding, delimiter=delimiter, decimal=decimal)
    return data


def _all_match(col: pd.Series, *patterns: re.Pattern) -> bool:
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return False
    s = col.dropna().astype("string").str.strip()
    s = s[s != ""]
    if not len(s):
        return False
    ok = pd.Series(False, index=s.index)
    for p in patterns:
        ok |= s.str.fullmatch(p.pattern).fillna(False).astype(bool)
    return bool(ok.all())


def _decimal_comma_columns(data: pd.DataFrame) -> list[str]:
    return [str(c) for c in data.columns if _all_match(data[c], _DECIMAL_COMMA, _INTEGER)
            and data[c].astype("string").str.contains(",", regex=False).any()]


def _pandas_csv(name: str, raw: bytes, encoding: str, delimiter: str, decimal: str, dtype) -> pd.DataFrame:
    try:
        # index_col=False: pandas must never take the first column as the row index;
        # parsed from the bytes (pandas decodes them), not from a str copy of the file
        return pd.read_csv(io.BytesIO(raw), encoding=encoding, sep=delimiter, decimal=decimal,
                           dtype_backend="numpy_nullable", dtype=dtype, index_col=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            expected, line, saw = (int(g) for g in m.groups())
            raise WaveError(f"{name}: line {line} (data row {line - 1}) has {saw} fields, the header has "
                            f"{expected}; a value that contains the delimiter must be quoted") from None
        raise WaveError(f"{name}: cannot be parsed as CSV ({type(exc).__name__})") from None
    except pd.errors.EmptyDataError:
        raise WaveError(f"{name}: the file has no header line; expected the variable names on the first line") \
            from None


def _check_row_lengths(name: str, raw: bytes, encoding: str, delimiter: str = ",") -> None:
    """No data row has more fields than the header (a value with an unquoted delimiter).

    pandas reports such a row only when it is not the first one; when the first data rows
    are one field longer it silently takes the first column as the row index, and with
    ``index_col=False`` it silently drops the extra fields.
    """
    rows: list[tuple[int, int, int]] = []   # (data row, line, fields)
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline=""), delimiter=delimiter)
    try:
        n_header = len(next(reader))
        data_row = 0
        for record in reader:
            if not record:           # a blank line: pandas skips it too
                continue
            data_row += 1
            if len(record) > n_header:
                rows.append((data_row, reader.line_num, len(record)))
    except csv.Error as exc:
        raise WaveError(f"{name}: cannot be parsed as CSV near line {reader.line_num} ({exc})") from None
    if not rows:
        return
    what = "a comma" if delimiter == "," else f"a {DELIMITERS.get(delimiter, 'delimiter')}"
    if len(rows) == 1:
        row, line, saw = rows[0]
        raise WaveError(f"{name}: line {line} (data row {row}) has {saw} fields, the header has {n_header}; "
                        f"a value that contains {what} must be quoted")
    shown = ", ".join(f"line {line} (data row {row}) has {saw}" for row, line, saw in rows[:MAX_ROWS_SHOWN])
    more = len(rows) - min(len(rows), MAX_ROWS_SHOWN)
    raise WaveError(f"{name}: {len(rows)} data rows have more fields than the header ({n_header}): {shown} fields"
                    + (f" and {more} more" if more > 0 else "") + f"; a value that contains {what} must be quoted")


def _keep_padded_numbers(text: str, data: pd.DataFrame, notes: list[str], delimiter: str,
                         decimal: str) -> pd.DataFrame:
    """Columns pandas read as numbers that hold zero-padded whole numbers, read again as text."""
    numeric = [c for c in data.columns
               if pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])]
    prefilter = re.compile(rf'(?:^|{re.escape(delimiter)})[ \t]*"?[ \t]*0\d', re.MULTILINE)
    if not numeric or not prefilter.search(text):
        return data
    as_text = pd.read_csv(io.StringIO(text), dtype="string", usecols=numeric, index_col=False, sep=delimiter)
    for c in numeric:
        padded = as_text[c].str.strip().str.fullmatch(_PADDED.pattern).fillna(False).astype(bool)
        if padded.any():
            data[c] = as_text[c]
            notes.append(f"variable {c!r}: {int(padded.sum())} value(s) are zero-padded numbers, so the variable "
                         "is read as text (codes keep their leading zeros)")
    return data


# -- workbooks (.xlsx, .ods) ----------------------------------------------------------------------


def _read_workbook(name: str, raw: bytes, family: str, options: ReadOptions, notes: list[str]) -> dict:
    from python_calamine import CalamineWorkbook

    what = "an Excel workbook" if family == "xlsx" else "an OpenDocument spreadsheet"
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = list(wb.sheet_names)
    except Exception as exc:  # calamine's own error types (zip, XML, password)
        kind = type(exc).__name__
        reason = ("it is password-protected: save an unprotected copy" if "Password" in kind else
                  f"it is damaged or not really {what} ({kind}); ask for a new export")
        raise WaveError(f"{name}: cannot be read as {what}: {reason}") from None
    if not sheets:
        raise WaveError(f"{name}: the workbook has no worksheet")
    setting = "`sheet:` of this wave" if options.hint == "wave" else "--sheet"
    if options.sheet is None:
        sheet = sheets[0]
        if len(sheets) > 1:
            notes.append(f"read the first of {len(sheets)} worksheets; choose another with {setting}")
    elif options.sheet in sheets:
        sheet = options.sheet
    else:
        import difflib

        close = difflib.get_close_matches(options.sheet, sheets, n=1)
        raise WaveError(f"{name}: the workbook has no worksheet named {options.sheet!r} ({len(sheets)} worksheet(s): "
                        f"{', '.join(repr(s) for s in sheets)})" + (f"; did you mean {close[0]!r}?" if close else ""))
    try:
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise WaveError(f"{name}: worksheet {sheet!r} cannot be read ({type(exc).__name__})") from None
    rows = [list(r) for r in rows]
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    while rows and all(_blank(v) for v in rows[0]):     # blank lines above the header
        rows.pop(0)
    if not rows:
        raise WaveError(f"{name}: worksheet {sheet!r} is empty; expected the variable names in the first row")
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = [_header_name(v) for v in rows[0]]
    body = rows[1:]
    keep = [j for j in range(width) if header[j] or any(not _blank(r[j]) for r in body)]
    dropped = width - len(keep)
    header = [header[j] for j in keep]
    if dropped and keep and keep[-1] < width - 1:
        notes.append(f"{dropped} empty column(s) without a name ignored")
    _no_data_in_header(name, [h for h in header if h], f"the first row of worksheet {sheet!r}",
                       "put the variable names in the first row")
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise WaveError(f"{name}: {len(blank)} column(s) of worksheet {sheet!r} have data but no name in the first "
                        f"row (column(s) {rows_text(tuple(blank))}); every column needs a variable name")
    counts = pd.Series(header).value_counts()
    dup = counts[counts > 1]
    if len(dup):
        raise WaveError(f"{name}: the first row names {len(dup)} variable(s) more than once: "
                        + ", ".join(f"{_shown(v)} ({n} times)" for v, n in dup.items())
                        + "; every variable needs a unique name")
    cols = {}
    formats = {}
    for out_j, j in enumerate(keep):
        values = [r[j] for r in body]
        cols[header[out_j]], formats[header[out_j]] = _workbook_column(values, header[out_j] == options.id_variable)
    data = pd.DataFrame(cols, index=pd.RangeIndex(len(body)))
    return {"data": data, "file_format": family, "formats": formats, "settings": {"sheet": sheet}}


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _header_name(v) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _workbook_column(values: list, as_text: bool) -> tuple[pd.Series, str]:
    """One worksheet column as CSV reading would give it: whole numbers ``Int64``, other
    numbers ``Float64``, dates ``datetime64``, booleans ``boolean``, anything mixed or text
    ``string`` (numbers written without a trailing ``.0``)."""
    import datetime as dt

    present = [v for v in values if not _blank(v)]

    def text(v):
        if _blank(v):
            return pd.NA
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    if as_text or not present:
        return pd.Series([text(v) for v in values], dtype="string"), "text"
    if all(isinstance(v, bool) for v in present):
        return pd.Series([pd.NA if _blank(v) else v for v in values], dtype="boolean"), "boolean"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        nums = [np.nan if _blank(v) else float(v) for v in values]
        if all(float(v).is_integer() for v in present) and all(abs(v) < 2**53 for v in present):
            return pd.Series([pd.NA if _blank(v) else int(v) for v in values], dtype="Int64"), "numeric"
        return pd.Series(nums, dtype="Float64"), "numeric"
    if all(isinstance(v, (dt.datetime, dt.date)) for v in present):
        return pd.Series(pd.to_datetime([None if _blank(v) else v for v in values])), "date"
    return pd.Series([text(v) for v in values], dtype="string"), "text"
