"""Statistical disclosure control for everything published under ``reports/<year>/``.

Rules (the configuration's ``publishing.k_min_cell`` is *k*, default 5):

1. **Primary suppression.** A row whose count of persons is between 1 and *k* − 1 is
   suppressed: its counts and every value derived from them (shares, means, estimates,
   CIs, p-values) are blanked and the row is flagged ``suppressed = True``. Zero counts are
   published. A hidden complement (e.g. "no problem" = ``n_total − n``) counts too.
2. **Secondary suppression.** Where published cells add up to a published total (the
   categories of one variable in one wave, the stages of the participant flow), a single
   suppressed cell could be recovered by subtraction. In every such *relation* with exactly
   one suppressed cell, the smallest other positive cell is suppressed as well
   (repeated until no relation has exactly one), flagged ``suppression = "secondary"``.
3. **Merging.** In Table 1, small categories are merged into "Övriga/Other" instead, adding
   the next-smallest category until the merged category reaches *k* in every group.
4. **Audit.** :func:`audit_table` lists any count between 1 and *k* − 1 that is not
   flagged; :func:`scan_for_ids` lists any participant pseudonym found in a file. The
   blocking asset checks of :mod:`pipelines.assets.publishing` use both.

Pure code (pandas only); no Dagster.

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, et al. *Statistical Disclosure Control*.
Wiley, 2012. doi:10.1002/9781118348239 (chapter 5, frequency tables: threshold rule,
secondary suppression).
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.fsutil import is_temp_file

SUPPRESSED = "suppressed"
REASON = "suppression"
#: the analysis tables' explanation of a missing estimate (:mod:`analysis.tidy`)
NOTE = "note"
OTHER_LEVEL = "Övriga/Other"
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


def _small(values, k: int) -> np.ndarray:
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    return (v > 0) & (v < k)


def suppress(df: pd.DataFrame, k: int, count_cols: Sequence[str] = ("n",),
             value_cols: Sequence[str] = (), relations: Iterable[Sequence] | None = None,
             complement: tuple[str, str] | None = None, keep_cols: Sequence[str] = ("n_total",)) -> pd.DataFrame:
    """Primary and secondary suppression of a tidy table.

    Parameters
    ----------
    df : DataFrame
        One row per published cell group (e.g. one category of one variable in one wave).
    k : int
        Smallest publishable count.
    count_cols : sequence of str
        Columns counting persons; a value in ``[1, k − 1]`` triggers suppression.
    value_cols : sequence of str
        Columns derived from the counts, blanked in suppressed rows.
    relations : iterable of sequences of index labels, optional
        Groups of rows that add up to a published total; each gets secondary suppression.
    complement : (total_col, part_col), optional
        A hidden complement ``total − part`` that must also be 0 or at least ``k``.
    keep_cols : sequence of str
        Count columns that hold a group total: blanked only when they are themselves small.

    Returns
    -------
    DataFrame
        A copy with ``suppressed`` (bool) and ``suppression`` columns: ``"primary"`` (a
        count is 1 … k − 1), ``"complement"`` (the cell is large but ``total − part`` is
        not), ``"secondary"`` (hidden so that another cannot be recovered from a total) or
        ``""``; suppressed counts and values are NaN, and so is a ``note`` column (a
        "not estimable: fewer than 2 pairs" would tell the count).

    Examples
    --------
    >>> t = pd.DataFrame({"level": list("abc"), "n": [2, 10, 40], "n_total": 52})
    >>> out = suppress(t, 5, relations=[t.index])
    >>> out[["level", "n", "suppression"]].to_dict("list")
    {'level': ['a', 'b', 'c'], 'n': [nan, nan, 40.0], 'suppression': ['primary', 'secondary', '']}
    """
    out = df.copy()
    count_cols = [c for c in count_cols if c in out.columns]
    primary = np.zeros(len(out), dtype=bool)
    for c in count_cols:
        primary |= _small(out[c], k)
    by_difference = np.zeros(len(out), dtype=bool)
    if complement and all(c in out.columns for c in complement):
        total, part = complement
        by_difference = _small(pd.to_numeric(out[total], errors="coerce")
                               - pd.to_numeric(out[part], errors="coerce"), k) & ~primary
    reason = pd.Series(np.where(primary, "primary", np.where(by_difference, "complement", "")), index=out.index,
                       dtype=object)
    main = next((c for c in count_cols if c not in keep_cols), None)
    if relations is not None and main is not None:
        rels = [list(r) for r in relations]
        changed = True
        while changed:
            changed = False
            for rel in rels:
                rel = [i for i in rel if i in out.index]
                hidden = [i for i in rel if reason[i] != ""]
                if len(hidden) != 1:
                    continue
                counts = pd.to_numeric(out.loc[[i for i in rel if reason[i] == ""], main], errors="coerce")
                counts = counts[counts > 0]
                if counts.empty:
                    continue
                reason[counts.sort_values(kind="stable").index[0]] = "secondary"
                changed = True
    flagged = reason != ""
    out[SUPPRESSED] = flagged.to_numpy()
    out[REASON] = reason.astype(str).to_numpy()
    for c in count_cols:
        blank = flagged if c not in keep_cols else pd.Series(_small(out[c], k), index=out.index)
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float).mask(blank)
    # a "not estimable" note can imply the count it explains ("fewer than 2 pairs"): it
    # goes with the row's values
    for c in [*value_cols, *([NOTE] if NOTE not in value_cols else [])]:
        if c in out.columns:
            out[c] = out[c].mask(flagged)
    return out


def enclosing_counts(df: pd.DataFrame, keys: Sequence[str], population_col: str = "population",
                     enclosing: str = "all", count_col: str = "n") -> pd.Series:
    """For each row of a sub-population, the count of the same cell in the population that
    encloses it (``NaN`` on the enclosing population's own rows).

    Table 1 publishes every cell for all respondents *and* for the recurring participants,
    who are a subset of them: ``n(all) − n(recurring)`` is a published-by-difference count
    of the non-recurring respondents, and with it their mean. Passed to :func:`suppress`
    as ``complement``, it hides a sub-population cell whose difference is 1 … k − 1.

    Examples
    --------
    >>> t = pd.DataFrame({"variable": "age", "group": "T0", "population": ["all", "recurring"],
    ...                   "n": [40, 38]})
    >>> enclosing_counts(t, ["variable", "group"]).tolist()
    [nan, 40.0]
    """
    keys = list(keys)
    outer = df.loc[df[population_col] == enclosing, [*keys, count_col]].drop_duplicates(keys)
    # a copy: to_numpy can return a read-only view (pandas copy-on-write)
    merged = np.array(df[keys].merge(outer, on=keys, how="left")[count_col], dtype=float)
    merged[(df[population_col] == enclosing).to_numpy()] = np.nan
    return pd.Series(merged, index=df.index)


def relations_by(df: pd.DataFrame, keys: Sequence[str]) -> list[list]:
    """Row-index groups of ``df`` sharing ``keys`` (cells that add up to one total)."""
    by = list(keys) if len(keys) > 1 else keys[0]
    return [list(ix) for _, ix in df.groupby(by, sort=False, dropna=False).groups.items()]


def merge_small_levels(t1: pd.DataFrame, k: int, other: str = OTHER_LEVEL) -> pd.DataFrame:
    """Merge small categories of Table 1 so that no published level is between 1 and k − 1.

    For each categorical variable (rows with a ``level`` and a ``percent``), every level
    with a count between 1 and ``k`` − 1 in any group (wave × population) is merged into
    ``other``; while the merged level is itself between 1 and ``k`` − 1 somewhere (or only
    one level was merged, which would just rename it), the next-smallest level is added.
    Counts and percentages of the merged level are recomputed; a ``merged_levels`` column
    names what was merged. Continuous rows are returned unchanged.

    Parameters
    ----------
    t1 : DataFrame
        :func:`analysis.descriptives.table1` output with a ``population`` column.
    k : int
        Smallest publishable count.
    other : str
        Name of the merged level.

    Returns
    -------
    DataFrame
        Same columns plus ``merged_levels``.

    Examples
    --------
    >>> t = pd.DataFrame({"variable": "g", "level": ["a", "b", "c"], "group": "T0", "population": "all",
    ...                   "n": [2, 60, 188], "n_total": 250, "percent": [0.8, 24.0, 75.2]})
    >>> merge_small_levels(t, 5)[["level", "n", "merged_levels"]].to_dict("list")
    {'level': ['c', 'Övriga/Other'], 'n': [188, 62], 'merged_levels': ['', 'a; b']}
    """
    out = t1.copy()
    out["merged_levels"] = ""
    cat_mask = out["level"].notna() & out["percent"].notna() if "percent" in out else out["level"].notna()
    keep = [out[~cat_mask]]
    group_keys = [c for c in ("group", "population") if c in out.columns]
    for var, rows in out[cat_mask].groupby("variable", sort=False):
        counts = rows.pivot_table(index="level", columns=group_keys, values="n", aggfunc="sum", fill_value=0,
                                  observed=True) if group_keys else rows.set_index("level")[["n"]]
        levels = list(dict.fromkeys(rows["level"]))
        small = [lv for lv in levels if ((counts.loc[lv] > 0) & (counts.loc[lv] < k)).any()]
        merged: list[str] = list(small)
        while merged:
            total = counts.loc[merged].sum(axis=0)
            bad = ((total > 0) & (total < k)).any() or (len(merged) == 1)
            rest = [lv for lv in levels if lv not in merged]
            if not bad or not rest:
                break
            merged.append(min(rest, key=lambda lv: (counts.loc[lv][counts.loc[lv] > 0].min()
                                                      if (counts.loc[lv] > 0).any() else np.inf, levels.index(lv))))
        if not merged:
            keep.append(rows)
            continue
        stay = rows[~rows["level"].isin(merged)]
        m = rows[rows["level"].isin(merged)]
        agg = m.groupby(["variable", *group_keys], sort=False, dropna=False).agg(
            n=("n", "sum"), n_total=("n_total", "first")).reset_index()
        for c in rows.columns:
            if c not in agg.columns:
                agg[c] = m[c].iloc[0] if c in ("n_missing",) else np.nan
        agg["level"] = other
        agg["percent"] = 100 * agg["n"] / agg["n_total"]
        agg["merged_levels"] = "; ".join(sorted(merged, key=levels.index))
        keep.append(pd.concat([stay, agg[rows.columns]], ignore_index=True))
    res = pd.concat(keep, ignore_index=True)
    order = list(dict.fromkeys(t1["variable"]))
    res["_o"] = res["variable"].map({v: i for i, v in enumerate(order)})
    res = res.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return res


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
    files of an unfinished write (``.tmp-*``, :mod:`pipelines.fsutil`: never published)."""
    year_dir = Path(year_dir)
    return sorted(p for p in year_dir.rglob("*") if p.is_file() and not is_temp_file(p)
                  and "internal" not in p.relative_to(year_dir).parts)
