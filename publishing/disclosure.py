"""Audits of published files: unflagged small counts and participant pseudonyms.

The suppression itself is decided over the whole release by :mod:`publishing.sdc`
(through the registry of published tables, :mod:`publishing.registry`); this module
holds the independent checks that run on what was actually written: :func:`audit_table`
lists any count of persons between 1 and *k* − 1 in a row not flagged suppressed, and
:func:`scan_for_ids` lists the files that contain any participant pseudonym (text, Word
members, compressed PDF streams). The blocking asset checks of
:mod:`pipelines.assets.publishing` use both.

Pure code (pandas only); no Dagster.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from survey.fsutil import is_temp_file

SUPPRESSED = "suppressed"
REASON = "suppression"
#: the analysis tables' explanation of a missing estimate (:mod:`analysis.tidy`)
NOTE = "note"
#: ``n_*`` columns that do not count persons (items of a scale)
NOT_PERSON_COUNTS = frozenset({"n_items", "n_valid_items"})


def is_count_column(name: str) -> bool:
    """Whether a published column counts persons (``n`` or ``n_*``).

    Examples
    --------
    >>> is_count_column("n"), is_count_column("n_total"), is_count_column("mean"), is_count_column("n_items")
    (True, True, False, False)
    """
    return (name == "n" or name.startswith("n_")) and name not in NOT_PERSON_COUNTS


def audit_table(df: pd.DataFrame, k: int, name: str = "table") -> list[str]:
    """Problems in a published table: counts between 1 and ``k`` − 1 not flagged suppressed.

    Examples
    --------
    >>> t = pd.DataFrame({"n": [3, 12], "suppressed": [False, False]})
    >>> audit_table(t, 5, "flow")
    ['flow: row 0 has n = 3 (< 5) and is not flagged suppressed']
    >>> audit_table(t.assign(n=[None, 12], suppressed=[True, False]), 5)
    []
    """
    problems = []
    flagged = df[SUPPRESSED].fillna(False).astype(bool) if SUPPRESSED in df else pd.Series(False, index=df.index)
    for c in [c for c in df.columns if is_count_column(str(c))]:
        vals = pd.to_numeric(df[c], errors="coerce")
        bad = (vals > 0) & (vals < k)
        if c != "n_total":
            bad &= ~flagged
        for i in df.index[bad]:
            problems.append(f"{name}: row {i} has {c} = {vals[i]:g} (< {k}) and is not flagged suppressed")
    return problems


def audit_tables(table_dir: Path, k: int) -> list[str]:
    """:func:`audit_table` over every ``*.csv`` in ``table_dir``."""
    problems = []
    for f in sorted(Path(table_dir).glob("*.csv")):
        problems += audit_table(pd.read_csv(f), k, f.name)
    return problems


def _texts(path: Path) -> Iterable[bytes]:
    """The bytes of a file and of everything inside it (zip members, deflated PDF streams)."""
    data = path.read_bytes()
    yield data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                yield name.encode("utf-8")
                yield z.read(name)
    if data[:5] == b"%PDF-":
        for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, flags=re.S):
            try:
                yield zlib.decompress(m.group(1))
            except zlib.error:
                continue


def _id_finder(ids: list[str], encoding: str):
    """A function ``blob -> set of ids found in it`` for one text encoding.

    Pseudonyms share a prefix (``JH-``): every occurrence of the prefix is looked up in a
    set of the encoded ids (one window per id length), which is linear in the size of the
    blob and costs nothing to prepare for 100,000 ids. Without a common prefix, one
    compiled alternation of all ids is used (linear to scan, slow to compile for very many).
    """
    encoded = {i.encode(encoding): i for i in ids}
    prefix = os.path.commonprefix(ids)
    if not prefix:
        rx = re.compile(b"|".join(re.escape(e) for e in sorted(encoded, key=len, reverse=True)))
        return lambda blob: {encoded[m] for m in rx.findall(blob)}
    start = re.compile(re.escape(prefix.encode(encoding)))
    lengths = sorted({len(e) for e in encoded})

    def find(blob: bytes) -> set[str]:
        hits = set()
        for m in start.finditer(blob):
            for n in lengths:
                window = blob[m.start():m.start() + n]
                if window in encoded:
                    hits.add(encoded[window])
        return hits
    return find


def scan_for_ids(files: Iterable[Path], ids: Iterable[str]) -> list[str]:
    """Files (and where in them) that contain any participant pseudonym.

    Text is compared as UTF-8 and UTF-16 bytes; zip containers (DOCX) and compressed PDF
    streams are opened. Returns ``"<file>: <n> participant id(s)"`` per offending file
    (never the ids themselves, so the result can go to logs and metadata).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_text("x,JH-AB12CD\\n")
    >>> scan_for_ids([d / "a.csv"], ["JH-AB12CD", "JH-ZZZZZZ"])
    ['a.csv: 1 participant id(s)']
    """
    ids = sorted({str(i) for i in ids if isinstance(i, str) and i}, key=len, reverse=True)
    if not ids:
        return []
    finders = [_id_finder(ids, enc) for enc in ("utf-8", "utf-16-le")]
    problems = []
    for f in files:
        f = Path(f)
        if not f.is_file() or is_temp_file(f):  # a write in progress: renamed (and scanned) when complete
            continue
        found = set()
        for blob in _texts(f):
            for find in finders:
                found.update(find(blob))
        if found:
            problems.append(f"{f.name}: {len(found)} participant id(s)")
    return problems


def published_files(year_dir: Path) -> list[Path]:
    """Every file under ``reports/<year>/`` except the ``internal/`` folder and temporary
    files of an unfinished write (``.tmp-*``, :mod:`survey.fsutil`: never published)."""
    year_dir = Path(year_dir)
    return sorted(p for p in year_dir.rglob("*") if p.is_file() and not is_temp_file(p)
                  and "internal" not in p.relative_to(year_dir).parts)
