"""Fuzzing the ingestion layer (issue 8): random wave files through :mod:`survey.ingest`.

Hypothesis writes random but schema-valid wave files (CSV, and SPSS ``.sav`` written with
pyreadstat) into ``tmp_path``: random variable names (Swedish letters included), pseudonyms,
answer codes, declared missing codes (SPSS user-missing in ``.sav``), a labelled
covariate. They must round-trip: :func:`~survey.ingest.read_wave` keeps the file
unchanged and hashes it, :func:`~survey.ingest.harmonise` returns exactly the written
answers with missing codes turned into ``NaN`` (or into the instrument's own "don't know"
code), the checks find nothing, and the harmonised items score within range.

Then it breaks them: configured variables dropped, duplicated/blank/padded IDs, text in
numeric items, codes out of range (negative, fractions, infinite, huge), weird Unicode in
names and values, random bytes, empty files, attendance registers with bad dates or
columns. Every outcome must be a :class:`~survey.ingest.WaveError` or a
:class:`~survey.ingest.Problem` naming the file and the variable (and the rows, where
rows are the point) and never quoting an ID or a typed-in value, or a correct result:
never an unexplained exception.

Crashes found here in code this file's author does not own are minimal ``xfail(strict=True)``
reproductions at the end; when one is fixed the test XPASSes and fails, so the marker
must go.

Examples are derandomised so CI runs are reproducible.
"""

from __future__ import annotations

import math
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import instruments as ins
from studyconfig.config import Attendance, Wave
from survey import ingest, study

FUZZ = dict(deadline=None, derandomize=True, database=None, print_blob=True,
            # tmp_path is function-scoped, which is fine: each example writes its own, uniquely
            # named file; too_slow: building a wave file of up to 3 instruments takes a few ms
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def fuzz(n: int):
    return settings(max_examples=n, **FUZZ)


ID_PATTERN = r"^JH-[0-9A-Z]{6}$"
#: instruments with plain codes (who5 0–5), a don't-know code (hls_eu_q6: 5), a 0–100 VAS
#: with its own missing codes (eq5d5l) and a single item (srh)
INSTRUMENTS = ["who5", "hls_eu_q6", "eq5d5l", "srh"]
#: raw missing-code declarations; none of them collides with an answer code except on the VAS,
#: which always gets its own ``by_variable`` entry
MISSING_DEFAULTS = [{}, {8: "dont_know", 9: "no_answer"}, {-1: "no_answer", -2: "not_applicable"},
                    {77: "dont_know", 88: "invalid", 99: "no_answer"}]
VAS_MISSING = [{}, {998: "dont_know", 999: "no_answer"}]
GENDER_LABELS = {1.0: "Kvinna", 2.0: "Man", 3.0: "Annat"}
#: the strings pandas.read_csv reads as missing or as booleans, whatever the column holds
CSV_SPECIAL = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
               "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "True", "False", "TRUE",
               "FALSE", "true", "false"}
SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}


def _count(counter: list[int]) -> int:
    counter[0] += 1
    return counter[0]


_files = [0]


def _no_identifier_name(name: str) -> bool:
    """Names the identifier guard does not stop (whatever its rules are at the moment), and
    that a reader takes for a header (a first line holding a number or a date is a row of
    data: issue 15)."""
    from privacy import identifiers, problems

    if problems.is_data_like_name(name) or identifiers.text_kinds(name):
        return False
    name_rule = getattr(ingest, "identifier_name_kind", None)  # fast path: the guard's name rule
    if name_rule is not None:
        return name_rule(name) is None
    raw = pd.DataFrame({"kod": ["JH-000000"], name: [1.0]})
    cb = pd.DataFrame({"variable": ["kod", name], "variable_label": ["", ""]})
    return not ingest.check_no_identifiers(raw, cb, "f.sav", "kod")


sav_names = st.builds(
    lambda a, b: a + b,
    st.sampled_from(string.ascii_letters + "åäöÅÄÖ"),
    st.text(string.ascii_letters + string.digits + "_åäö", max_size=9),
).filter(lambda s: s.upper() not in SPSS_RESERVED)


def _csv_name_ok(s: str) -> bool:
    return bool(s.strip()) and s == s.strip()


#: CSV headers that a person could type: any Unicode letter, digit, mark, symbol, punctuation
#: or space, but no control characters (NUL, a bare CR, which *is* a line break in CSV and
#: which pandas' writer does not quote, ...), line or paragraph separators or lone surrogates
csv_names = st.text(st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1,
                    max_size=10).filter(_csv_name_ok)
def _header_name(s: str) -> bool:
    """A name a reader takes for a header field: not a number, date or time (a first line of
    those is a row of data, rejected since issue 15) and holding no identifier."""
    from privacy import identifiers, problems

    return not problems.is_data_like_name(s) and not identifiers.text_kinds(s)


#: CSV header names a reader accepts as names
header_names = csv_names.filter(_header_name)
#: anything at all, for the tests that accept a WaveError
any_names = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=10)


@dataclass
class Case:
    """One wave file to write, with everything needed to predict what ingestion returns."""

    fmt: str
    instruments: list[str]
    id_variable: str
    ids: list
    items: dict[str, str]                      # raw variable -> canonical item
    values: dict[str, list[float]]             # raw variable -> raw codes (NaN = system missing)
    missing_default: dict[int, str]
    missing_by_variable: dict[str, dict[int, str]]
    covariate: str | None = None               # raw name of the gender covariate
    covariate_values: list = field(default_factory=list)
    text_items: tuple[str, ...] = ()           # .sav items stored as string variables
    extra: dict[str, list] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.ids)

    def wave(self, file: str) -> Wave:
        return Wave.model_validate(dict(
            id="T0", label={"sv": "Baslinje", "en": "Baseline"}, date="2024-01-15", file=file,
            id_variable=self.id_variable, instruments=self.instruments, mapping=self.items,
            covariates={self.covariate: "gender"} if self.covariate else {},
            missing_codes={"default": self.missing_default, "by_variable": self.missing_by_variable}))

    def codes_of(self, var: str) -> dict[int, str]:
        return self.missing_by_variable.get(var, self.missing_default)

    def frame(self) -> pd.DataFrame:
        cols = {self.id_variable: pd.Series(self.ids, dtype=object)}
        if self.covariate:
            cols[self.covariate] = pd.Series(self.covariate_values, dtype=float if self.fmt == "sav" else object)
        for var, vals in self.values.items():
            if var in self.text_items:
                cols[var] = pd.Series(["" if np.isnan(v) else _code_text(v) for v in vals], dtype=object)
            else:
                cols[var] = pd.Series(vals, dtype=float)
        for var, vals in self.extra.items():
            cols[var] = pd.Series(vals, dtype=object)
        return pd.DataFrame(cols)

    def write(self, folder: Path, frame: pd.DataFrame | None = None, encoding: str = "utf-8") -> Path:
        frame = self.frame() if frame is None else frame
        path = folder / f"wave{_count(_files)}.{self.fmt}"
        if self.fmt == "csv":
            frame.to_csv(path, index=False, encoding=encoding)
            return path
        labels = {v: {float(c): f"Saknas {c}" for c in self.codes_of(v)} for v in self.items
                  if self.codes_of(v) and v not in self.text_items}
        missing = {v: [float(c) for c in self.codes_of(v)] for v in labels}
        if self.covariate:
            labels[self.covariate] = {**GENDER_LABELS, **{float(c): "Saknas" for c in self.missing_default}}
            if self.missing_default:
                missing[self.covariate] = [float(c) for c in self.missing_default]
        pyreadstat.write_sav(frame, str(path), variable_value_labels=labels, missing_ranges=missing,
                             column_labels={self.id_variable: "Studiekod"})
        return path


def _code_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


@st.composite
def cases(draw, fmt=None, min_rows: int = 0, max_rows: int = 20, names=None) -> Case:
    fmt = fmt or draw(st.sampled_from(["csv", "sav"]), label="format")
    insts = draw(st.lists(st.sampled_from(INSTRUMENTS), min_size=1, max_size=3, unique=True), label="instruments")
    items = [it for i in insts for it in ins.items_of(i)]
    has_cov = draw(st.booleans(), label="covariate?")
    names_st = (names if names is not None else sav_names if fmt == "sav" else csv_names).filter(_no_identifier_name)
    names = draw(st.lists(names_st, min_size=len(items) + 2, max_size=len(items) + 2,
                          unique_by=lambda s: unicodedata.normalize("NFC", s).casefold()), label="names")
    id_var, cov, raw_items = names[0], names[1], names[2:]
    n = draw(st.integers(min_rows, max_rows), label="rows")
    ids = draw(st.lists(st.text("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=6, max_size=6), min_size=n,
                        max_size=n, unique=True), label="ids")
    default = draw(st.sampled_from(MISSING_DEFAULTS), label="missing codes")
    by_var = {raw: draw(st.sampled_from(VAS_MISSING), label="VAS missing codes")
              for raw, it in zip(raw_items, items) if it == "eq5d5l_vas"}
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    values = {}
    for raw, it in zip(raw_items, items):
        sp = ins.spec(it.rsplit("_", 1)[0] if not it.startswith("eq5d5l") else "eq5d5l")
        c = sp.allowed[it]
        choices = list(c.values if c.values is not None else np.arange(c.min, c.max + 1))
        if sp.dont_know_code is not None:
            choices.append(sp.dont_know_code)
        missing = list(by_var.get(raw, default))
        pick = rng.random(n)
        v = rng.choice(np.asarray(choices, dtype=float), size=n)
        if missing:
            v = np.where(pick < 0.15, rng.choice(np.asarray(missing, dtype=float), size=n), v)
        values[raw] = np.where((pick >= 0.15) & (pick < 0.25), np.nan, v).tolist()
    text_items = tuple(draw(st.sets(st.sampled_from(raw_items), max_size=2), label="text items")) \
        if fmt == "sav" else ()
    cov_values = []
    if has_cov:
        if fmt == "sav":
            pool = [*GENDER_LABELS, *map(float, default), math.nan]
        else:
            pool = ["Kvinna", "Man", "Annat", "Ickebinär", "Vill ej svara", None]
        cov_values = [pool[i] for i in rng.integers(0, len(pool), size=n)]
    return Case(fmt=fmt, instruments=insts, id_variable=id_var, ids=[f"JH-{s}" for s in ids],
                items=dict(zip(raw_items, items)), values=values, missing_default=default,
                missing_by_variable=by_var, covariate=cov if has_cov else None, covariate_values=cov_values,
                text_items=text_items)


def expected_items(case: Case) -> pd.DataFrame:
    """What harmonise must return for the items: the written codes; declared missing codes
    as NaN, except "don't know" for an instrument with its own don't-know code."""
    out = {}
    for raw, item in case.items.items():
        inst = "eq5d5l" if item.startswith("eq5d5l") else item.rsplit("_", 1)[0]
        dk = ins.spec(inst).dont_know_code
        codes = case.codes_of(raw)
        col = []
        for v in case.values[raw]:
            kind = codes.get(int(v)) if not np.isnan(v) and float(v).is_integer() else None
            col.append(v if kind is None else (float(dk) if kind == "dont_know" and dk is not None else np.nan))
        out[item] = pd.Series(col, dtype="float64", name=item)
    return pd.DataFrame(out)


def read_and_harmonise(case: Case, path: Path):
    raw = ingest.read_wave(path)
    wave = case.wave(path.name)
    return raw, wave, ingest.harmonise(raw, wave, study.dont_know_codes(wave))


# ----------------------------------------------------------------------------- valid files


@fuzz(40)
@given(case=cases())
def test_valid_wave_files_round_trip(tmp_path, case):
    path = case.write(tmp_path)
    before = path.read_bytes()
    if case.n == 0:  # a file without data rows is an error or an empty wave, never a crash
        try:
            raw, wave, h = read_and_harmonise(case, path)
        except ingest.WaveError as exc:
            assert path.name in str(exc) and "row" in str(exc)
        else:
            assert len(h.data) == 0 and not ingest.check_unique_ids(h.data, path.name)
        return
    raw, wave, h = read_and_harmonise(case, path)
    assert path.read_bytes() == before                                    # raw data never touched
    assert raw.sha256 == ingest.sha256_file(path)
    assert raw.file_format == {"csv": "csv", "sav": "spss"}[case.fmt]
    assert [str(c) for c in raw.data.columns] == list(case.frame().columns)

    d = h.data
    cov = ["gender"] if case.covariate else []
    assert list(d.columns) == ["participant_id", "wave", *cov, *case.items.values()]
    assert d["participant_id"].tolist() == case.ids and (d["wave"] == "T0").all()
    pd.testing.assert_frame_equal(d[list(case.items.values())].reset_index(drop=True), expected_items(case))
    if case.covariate:
        if case.fmt == "sav":
            want = [GENDER_LABELS.get(v) for v in case.covariate_values]
        else:
            want = case.covariate_values
        assert [None if pd.isna(v) else v for v in d["gender"]] == want

    # missingness: counts of each kind per item, adding up to the rows
    m = h.missingness.set_index("variable")
    for raw_name, item in case.items.items():
        vals = case.values[raw_name]
        codes = case.codes_of(raw_name)
        row = m.loc[raw_name]
        assert row["item"] == item and row["n_rows"] == case.n
        assert row["n_system_missing"] == sum(np.isnan(v) for v in vals)
        for kind in ("dont_know", "no_answer", "not_applicable", "invalid"):
            assert row[f"n_{kind}"] == sum(1 for v in vals if not np.isnan(v) and codes.get(int(v)) == kind), kind
        assert row["n_answered"] == sum(1 for v in vals if not np.isnan(v) and int(v) not in codes)
    assert set(h.codebook.loc[h.codebook["canonical"].notna(), "canonical"]) == \
        {*case.items.values(), "participant_id", *cov}
    if case.fmt == "sav":  # declared missing codes are SPSS user-missing, and read as codes
        cb = raw.codebook.dropna(subset=["value"])
        for raw_name in case.items:
            declared = cb[(cb["variable"] == raw_name) & cb["user_missing"].astype(bool)]["value"]
            if raw_name not in case.text_items:
                assert set(declared) == {float(c) for c in case.codes_of(raw_name)}

    file = path.name
    raw_names = {v: k for k, v in case.items.items()}
    assert ingest.check_codes(d, file, study.allowed_codes(wave), raw_names) == []
    assert ingest.check_unique_ids(d, file) == []
    assert ingest.check_id_format(d, file, ID_PATTERN) == []
    assert ingest.check_required(d, file, list(case.items.values())) == []
    assert [p for p in ingest.check_no_identifiers(raw.data, raw.codebook, file, case.id_variable)
            if getattr(p, "severity", "error") == "error"] == []

    for inst in case.instruments:  # and the harmonised answers score within range
        out = ins.score(inst, d, **({"min_valid": 1} if "min_valid" in ins.spec(inst).options else {}))
        meta = ins.outputs(inst).set_index("column")
        for c in out.columns:
            if meta.loc[c, "kind"] in ("continuous", "count") and out[c].notna().any():
                assert meta.loc[c, "min"] - 1e-9 <= out[c].min() and out[c].max() <= meta.loc[c, "max"] + 1e-9


# ----------------------------------------------------------------------------- broken files


@fuzz(20)
@given(case=cases(min_rows=1), data=st.data())
def test_dropped_configured_variables_are_all_named(tmp_path, case, data):
    configured = [case.id_variable, *case.items, *([case.covariate] if case.covariate else [])]
    gone = data.draw(st.lists(st.sampled_from(configured), min_size=1, unique=True), label="dropped")
    case.extra = {"övrigt": list(range(case.n))}   # the file keeps at least one column
    path = case.write(tmp_path, case.frame().drop(columns=gone))
    with pytest.raises(ingest.WaveError) as exc:
        read_and_harmonise(case, path)
    msg = str(exc.value)
    assert f"{path.name} (wave T0): {len(gone)} configured variable(s) not in the file" in msg
    for var in gone:
        assert repr(var) in msg
    for pid in case.ids:
        assert pid not in msg


PADDING = ["", " ", "  ", "\t", "\u00a0", "\u3000"]


@fuzz(25)
@given(case=cases(min_rows=2), data=st.data())
def test_duplicate_blank_and_padded_ids_are_reported_by_row(tmp_path, case, data):
    n = case.n
    ids = list(case.ids)
    blank = set(data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n // 2), label="blank rows"))
    dup = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3), label="copies")
    for dst, src in dup:
        ids[dst] = ids[src]
    written = []
    for i, pid in enumerate(ids):
        if i in blank:
            written.append(data.draw(st.sampled_from([None, "", "   ", "\t"]), label="blank"))
        else:
            pad = data.draw(st.sampled_from(PADDING), label="padding") if case.fmt == "csv" else ""
            written.append(pad + pid + pad[::-1])
    case.ids = written
    path = case.write(tmp_path)
    raw, wave, h = read_and_harmonise(case, path)
    blank_rows = tuple(i + 1 for i in sorted(blank))
    clean = pd.Series([None if i in blank else pid for i, pid in enumerate(ids)], dtype=object)
    dup_mask = clean.duplicated(keep=False) & clean.notna()
    dup_rows = tuple(i + 1 for i in np.flatnonzero(dup_mask))
    problems = ingest.check_unique_ids(h.data, path.name)
    assert all(p.file == path.name and p.variable == "participant_id" for p in problems)
    by_kind = {("blank" if "without" in p.message else "dup"): p for p in problems}
    assert set(by_kind) == {*(["blank"] if blank_rows else []), *(["dup"] if dup_rows else [])}
    if blank_rows:
        assert by_kind["blank"].rows == blank_rows and by_kind["blank"].count == len(blank_rows)
    if dup_rows:
        p = by_kind["dup"]
        assert p.rows == dup_rows and p.count == len(dup_rows)
        assert f"{clean[dup_mask].nunique()} participant ID(s) occur more than once ({len(dup_rows)} rows)" in p.message
    assert ingest.check_id_format(h.data, path.name, ID_PATTERN) == []   # padding was stripped
    text = " | ".join(map(str, problems))
    for pid in case.ids:
        if pid and pid.strip():
            assert pid.strip() not in text


def _csv_text_ok(s: str) -> bool:
    """Text that stays non-numeric text through a CSV file."""
    t = s.strip()
    if not t or t in CSV_SPECIAL or s in CSV_SPECIAL:
        return False
    return bool(np.isnan(pd.to_numeric(pd.Series([t], dtype=object), errors="coerce").to_numpy(dtype=float)[0]))


TEXT = (st.sampled_from(["abc", "3,5", "1/2", "fem", "x3", "٣", "５", "Ⅳ", "0x1", "—", "Anna Andersson",
                         "19121212-1212", "anna@exempel.se", "5 (Alltid)", "ej svar", "😀"])
        | st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r"), min_size=1, max_size=8)
        ).filter(_csv_text_ok)


@fuzz(25)
@given(case=cases(min_rows=1), data=st.data())
def test_text_in_a_numeric_item_is_named_with_rows_but_not_quoted(tmp_path, case, data):
    var = data.draw(st.sampled_from(list(case.items)), label="variable")
    rows = sorted(data.draw(st.lists(st.integers(0, case.n - 1), min_size=1, unique=True), label="rows"))
    texts = [data.draw(TEXT, label="text") for _ in rows]
    frame = case.frame()
    col = [("1" if case.fmt == "sav" and (v == "" or (isinstance(v, float) and np.isnan(v))) else v)
           for v in frame[var].astype(object)]
    for r, t in zip(rows, texts):
        col[r] = t
    frame[var] = pd.Series(col, dtype=object)
    if case.fmt == "sav":
        case.text_items = (*case.text_items, var)
        frame[var] = frame[var].map(lambda v: _code_text(v) if isinstance(v, float) else v)
    path = case.write(tmp_path, frame)
    with pytest.raises(ingest.WaveError) as exc:
        read_and_harmonise(case, path)
    msg = str(exc.value)
    assert path.name in msg and repr(var) in msg and case.items[var] in msg
    assert f"{len(rows)} " in msg and "rows " + ingest._rows_text(tuple(r + 1 for r in rows), len(rows)) in msg
    for t in texts + case.ids:
        if len(t.strip()) >= 4 and t.strip() not in path.name:
            assert t.strip() not in msg


@st.composite
def bad_codes(draw, case: Case, item: str):
    inst = "eq5d5l" if item.startswith("eq5d5l") else item.rsplit("_", 1)[0]
    sp = ins.spec(inst)
    c = sp.allowed[item]
    raw = next(k for k, v in case.items.items() if v == item)
    taken = set(case.codes_of(raw)) | ({sp.dont_know_code} if sp.dont_know_code is not None else set())
    v = draw(st.one_of(st.integers(-50, 1200).map(float), st.floats(-1e4, 1e4, allow_nan=False),
                       st.sampled_from([math.inf, -math.inf, 1e300, -1.0, c.max + 1, c.min + 0.5, 12345678.0])))
    assume(not c.valid(np.array([v]))[0] and v not in taken)
    return v


@fuzz(25)
@given(case=cases(min_rows=1), data=st.data())
def test_codes_out_of_range_are_problems_naming_variable_rows_and_codes(tmp_path, case, data):
    numeric = [k for k in case.items if k not in case.text_items]
    assume(numeric)
    chosen = data.draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=3, unique=True), label="variables")
    frame = case.frame()
    planted = {}
    for var in chosen:
        rows = sorted(data.draw(st.lists(st.integers(0, case.n - 1), min_size=1, unique=True), label=f"{var} rows"))
        vals = [data.draw(bad_codes(case, case.items[var]), label=f"{var} code") for _ in rows]
        col = frame[var].to_numpy(dtype=float, copy=True)
        col[rows] = vals
        frame[var] = col
        planted[case.items[var]] = (var, rows, vals)
    path = case.write(tmp_path, frame)
    raw, wave, h = read_and_harmonise(case, path)
    problems = ingest.check_codes(h.data, path.name, study.allowed_codes(wave), {v: k for k, v in case.items.items()})
    assert len(problems) == len(planted)
    for p in problems:
        item = p.variable.split(" -> ")[-1]
        var, rows, vals = planted[item]
        assert p.file == path.name and p.variable == f"{var} -> {item}"
        assert p.count == len(rows) and p.rows == tuple(r + 1 for r in rows)
        # the values are described by kind (issue 15), never shown
        c = study.allowed_codes(wave)[item].codes
        finite = [v for v in vals if math.isfinite(v)]
        kinds = {"negative": any(v < 0 for v in finite) and c.min >= 0,
                 "fractional": any(not float(v).is_integer() for v in finite),
                 f"below {ingest._fmt_code(c.min)}": any(0 <= v < c.min for v in finite),
                 f"above {ingest._fmt_code(c.max)}": any(v > c.max for v in finite),
                 "not a finite number": len(finite) < len(vals)}
        assert p.message.endswith("(" + ", ".join(k for k, on in kinds.items() if on) + ")"), (p.message, vals)
        assert p.found is None
        for v in vals:
            if abs(v) >= 1000 or not float(v).is_integer():
                assert ingest._fmt_code(v) not in str(p) and repr(v) not in str(p)
        assert p.expected == study.allowed_codes(wave)[item].describe()
        for pid in case.ids:
            assert pid not in str(p)


# ----------------------------------------------------------------------------- weird files


unicode_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


@fuzz(60)
@given(names=st.lists(any_names, min_size=1, max_size=5, unique=True),
       cells=st.lists(unicode_text, min_size=0, max_size=8), n=st.integers(0, 4))
def test_any_csv_header_and_text_is_read_or_named(tmp_path, names, cells, n):
    """Unicode of every category in names and values (control characters, combining marks,
    line and paragraph separators, right-to-left text): read back as written, or a
    WaveError naming the file - never another exception or shifted columns."""
    frame = pd.DataFrame({name: [cells[(i + j) % len(cells)] if cells else "" for i in range(n)]
                          for j, name in enumerate(names)})
    path = tmp_path / f"weird{_count(_files)}.csv"
    frame.to_csv(path, index=False)
    try:
        raw = ingest.read_wave(path)
    except ingest.WaveError as exc:
        assert path.name in str(exc)
        return
    got = raw.data
    if "\r" not in "".join(names + cells):  # a bare CR is a line break, as in any CSV reader
        assert [str(c) for c in got.columns] == names
        assert len(got) == n
    problems = ingest.check_no_identifiers(got, raw.codebook, path.name, str(got.columns[0]))
    assert all(p.file == path.name and p.variable is not None for p in problems)


@fuzz(60)
@given(content=st.binary(max_size=300) | st.sampled_from([
    b"", b"\n", b"\xef\xbb\xbf", b"\xff\xfe", b"$FL2", b"$FL2" + bytes(200), b"PK\x03\x04", b"a,b\n1,2,3\n",
    b"a;b\n1;2\n", b"a,a\n1,2\n", b",\n,\n", b"\"a\nb\",c\n1,2\n", b"a\n\x00\n",
    "kod,ålder\nJH-1,5\n".encode("cp1252")]),
    suffix=st.sampled_from([".csv", ".sav", ".CSV", ".txt", ""]))
def test_random_bytes_are_read_or_named(tmp_path, content, suffix):
    path = tmp_path / f"bytes{_count(_files)}{suffix}"
    path.write_bytes(content)
    try:
        raw = ingest.read_wave(path)
    except ingest.WaveError as exc:
        assert path.name in str(exc)
        return
    assert path.read_bytes() == content
    first = str(raw.data.columns[0])
    wave = Wave.model_validate(dict(id="T0", label={"sv": "a", "en": "b"}, date="2024-01-01", file=path.name,
                                    id_variable=first, instruments=["who5"], mapping={}))
    h = ingest.harmonise(raw, wave)
    assert len(h.data) == len(raw.data)
    ingest.check_unique_ids(h.data, path.name)
    ingest.check_id_format(h.data, path.name, ID_PATTERN)
    ingest.check_no_identifiers(raw.data, raw.codebook, path.name, first)


@fuzz(10)
@given(case=cases(fmt="csv", min_rows=1, max_rows=5, names=sav_names))
def test_csv_in_another_encoding_is_read_or_named(tmp_path, case):
    """A CSV saved as cp1252 (Excel's plain 'CSV'): either decoded right or a WaveError
    naming the file - never a UnicodeDecodeError."""
    case.extra = {"kommentar": ["åäö ÅÄÖ é"] * case.n}
    path = case.write(tmp_path, encoding="cp1252")
    try:
        raw, wave, h = read_and_harmonise(case, path)
    except ingest.WaveError as exc:
        assert path.name in str(exc)
        return
    pd.testing.assert_frame_equal(h.data[list(case.items.values())].reset_index(drop=True), expected_items(case))


@pytest.mark.parametrize("fmt", ["csv", "sav"])
def test_header_only_file_is_named(tmp_path, fmt):
    case = Case(fmt=fmt, instruments=["who5"], id_variable="kod", ids=[],
                items={f"f{i}": f"who5_0{i}" for i in range(1, 6)}, values={f"f{i}": [] for i in range(1, 6)},
                missing_default={8: "dont_know"}, missing_by_variable={})
    path = case.write(tmp_path)
    try:
        raw, wave, h = read_and_harmonise(case, path)
    except ingest.WaveError as exc:
        assert path.name in str(exc) and "row" in str(exc)
    else:
        assert len(h.data) == 0 and list(h.data.columns)[-5:] == list(case.items.values())
        assert ins.score("who5", h.data).empty


# ----------------------------------------------------------------------------- identifier guard


cell_values = st.one_of(
    st.none(), st.integers(-(10**13), 10**13), st.floats(allow_nan=True), st.booleans(), unicode_text,
    st.sampled_from(["811218-9876", "19811218-9876", "8112189876", "070-123 45 67", "+46701234567",
                     "a@b.se", "2023-10-20", "JH-0FCA07", "Storgatan 1"]),
    st.dates().map(str), st.integers(10**9, 10**11 - 1),
)


@fuzz(60)
@given(columns=st.dictionaries(any_names, st.lists(cell_values, min_size=3, max_size=3), min_size=1, max_size=5),
       labels=st.lists(unicode_text | st.none(), max_size=5))
def test_identifier_guard_never_crashes_and_never_quotes_values(columns, labels):
    raw = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    names = list(raw.columns)
    cb = pd.DataFrame({"variable": names, "variable_label": (labels + [None] * len(names))[:len(names)]})
    problems = ingest.check_no_identifiers(raw, cb, "t0.sav", names[0])
    for p in problems:
        assert p.file == "t0.sav" and p.variable in names
        text = str(p)
        for vals in columns.values():
            for v in vals:
                s = str(v)
                if isinstance(v, str) and len(s) >= 6 and not any(s in str(n) for n in names) and \
                        not any(s in str(lab) for lab in labels) and s not in ID_PATTERN:
                    assert s not in text, (s, text)


# ----------------------------------------------------------------------------- attendance register


dates = st.dates(min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2099-12-31").date())


@fuzz(40)
@given(n=st.integers(1, 15), data=st.data(),
       colnames=st.lists(header_names, min_size=3, max_size=3, unique=True), extra=st.booleans())
def test_attendance_register_round_trips(tmp_path, n, data, colnames, extra):
    ids = data.draw(st.lists(st.sampled_from(["JH-0FCA07", "JH-AB12CD", "JH-ZZ99ZZ"]), min_size=n, max_size=n))
    pads = data.draw(st.lists(st.sampled_from(PADDING), min_size=n, max_size=n))
    workshops = data.draw(st.lists(st.sampled_from(["Stickcafé", "Promenad", "Språkcafé ÅÄÖ", "Yoga 😀"]),
                                   min_size=n, max_size=n))
    days = data.draw(st.lists(dates, min_size=n, max_size=n))
    cols = {colnames[0]: [p + i + p for p, i in zip(pads, ids)], colnames[1]: workshops,
            colnames[2]: [d.isoformat() for d in days]}
    if extra:
        cols["anteckning"] = ["x"] * n
    path = tmp_path / f"att{_count(_files)}.csv"
    order = data.draw(st.permutations(list(cols)))
    pd.DataFrame(cols)[order].to_csv(path, index=False)
    spec = Attendance(file=path.name, id_column=colnames[0], workshop_column=colnames[1], date_column=colnames[2])
    reg = ingest.read_attendance(path, spec)
    assert list(reg.columns) == ["participant_id", "workshop", "visit_date"]
    assert reg["participant_id"].tolist() == ids
    assert reg["workshop"].tolist() == workshops
    assert [d.date() for d in reg["visit_date"]] == days


@fuzz(40)
@given(n=st.integers(1, 12), data=st.data())
def test_attendance_bad_dates_and_columns_are_named(tmp_path, n, data):
    good = [f"2024-01-{d:02d}" for d in range(1, n + 1)]
    rows = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=1, unique=True)))
    bad = data.draw(st.lists(st.sampled_from(["2024-02-30", "1/2/2024", "20240102", "i går", "2024-13-01",
                                              "2024-1-2x", "—", "JH-0FCA07"]), min_size=len(rows),
                             max_size=len(rows)))
    for r, b in zip(rows, bad):
        good[r] = b
    path = tmp_path / f"att{_count(_files)}.csv"
    pd.DataFrame({"participant_id": ["JH-0FCA07"] * n, "workshop": ["A"] * n, "visit_date": good}).to_csv(
        path, index=False)
    with pytest.raises(ingest.WaveError) as exc:
        ingest.read_attendance(path, Attendance(file=path.name))
    msg = str(exc.value)
    assert f"{path.name}, column 'visit_date': {len(rows)} value(s) are not dates" in msg
    assert "rows " + ingest._rows_text(tuple(r + 1 for r in rows), len(rows)) in msg
    assert "JH-0FCA07" not in msg
    missing = data.draw(st.lists(st.sampled_from(["pid", "kurs", "datum"]), min_size=1, unique=True))
    spec = Attendance(file=path.name, **{k: v for k, v in zip(["id_column", "workshop_column", "date_column"],
                                                             ["pid", "kurs", "datum"]) if v in missing})
    with pytest.raises(ingest.WaveError) as exc:
        ingest.read_attendance(path, spec)
    assert path.name in str(exc.value) and all(repr(c) in str(exc.value) for c in missing)


# ----------------------------------------------------------------------------- found by fuzzing
# Minimal reproductions of crashes and silent errors the fuzzers above found in
# survey/ingest.py; they were strict xfails until fixed and are now regression tests.


def _wave(**kw) -> Wave:
    base = dict(id="T0", label={"sv": "a", "en": "b"}, date="2024-01-15", file="t0.csv", id_variable="kod",
                instruments=["who5"], mapping={"q1": "who5_01"})
    return Wave.model_validate({**base, **kw})


@pytest.mark.parametrize("content", [b"", "participant_id,workshop,visit_date\nJH-0FCA07,Språkcafé,2024-01-02\n"
                                     .encode("cp1252")], ids=["empty", "cp1252"])
def test_attendance_unreadable_register_is_a_wave_error(tmp_path, content):
    path = tmp_path / "narvaro.csv"
    path.write_bytes(content)
    try:
        reg = ingest.read_attendance(path, Attendance(file=path.name))
    except ingest.WaveError as exc:
        assert "narvaro.csv" in str(exc)
    else:  # or decoded right
        assert reg["workshop"].tolist() == ["Språkcafé"]


def test_attendance_row_with_too_many_fields_is_named(tmp_path):
    path = tmp_path / "narvaro.csv"
    path.write_text("participant_id,workshop,visit_date\nJH-0FCA07,A,2024-01-02,2024-01-09\n")
    with pytest.raises(ingest.WaveError) as exc:
        ingest.read_attendance(path, Attendance(file=path.name))
    assert "narvaro.csv: line 2 (data row 1) has 4 fields, the header has 3" in str(exc.value)
    assert "JH-0FCA07" not in str(exc.value)


def test_attendance_duplicated_column_is_named(tmp_path):
    path = tmp_path / "narvaro.csv"
    path.write_text("participant_id,workshop,visit_date,visit_date\nJH-0FCA07,A,2024-01-02,2024-03-04\n")
    with pytest.raises(ingest.WaveError, match="narvaro.csv.*visit_date"):
        ingest.read_attendance(path, Attendance(file=path.name))


def test_attendance_blank_ids_are_missing_or_named(tmp_path):
    path = tmp_path / "narvaro.csv"
    path.write_text("participant_id,workshop,visit_date\n   ,A,2024-01-02\nJH-0FCA07,A,2024-01-03\n")
    with pytest.raises(ingest.WaveError) as exc:
        ingest.read_attendance(path, Attendance(file=path.name))
    assert "narvaro.csv, column 'participant_id': 1 visit(s) without a participant ID; rows 1" in str(exc.value)
    assert "JH-0FCA07" not in str(exc.value)


@pytest.mark.parametrize("reader", ["wave", "attendance"])
def test_a_directory_is_not_a_file(tmp_path, reader):
    folder = tmp_path / "t0.csv"
    folder.mkdir()
    with pytest.raises(ingest.WaveError, match="t0.csv"):
        if reader == "wave":
            ingest.read_wave(folder)
        else:
            ingest.read_attendance(folder, Attendance(file="t0.csv"))


def test_sav_with_labelled_string_variable_is_read(tmp_path):
    path = tmp_path / "t0.sav"
    pyreadstat.write_sav(pd.DataFrame({"kod": ["JH-0FCA07", "JH-AB12CD"], "kon": ["K", "M"], "q1": [1.0, 2.0]}),
                         str(path), variable_value_labels={"kon": {"K": "Kvinna", "M": "Man"}})
    raw = ingest.read_wave(path)
    h = ingest.harmonise(raw, _wave(file="t0.sav", covariates={"kon": "gender"}))
    assert h.data["who5_01"].tolist() == [1.0, 2.0]
    assert h.data["gender"].tolist() == ["Kvinna", "Man"]


def test_true_false_in_a_numeric_item_is_text(tmp_path):
    path = tmp_path / "t0.csv"
    path.write_text("kod,q1\nJH-0FCA07,True\nJH-AB12CD,False\n")
    with pytest.raises(ingest.WaveError, match=r"(?s)t0.csv.*'q1' \(who5_01\): 2 value\(s\) are text.*rows 1, 2"):
        ingest.harmonise(ingest.read_wave(path), _wave())


def test_numeric_looking_csv_ids_keep_their_digits(tmp_path):
    path = tmp_path / "t0.csv"
    path.write_text("kod,q1\n000123,1\n004560,2\n")
    h = ingest.harmonise(ingest.read_wave(path), _wave())
    assert h.data["participant_id"].tolist() == ["000123", "004560"]


def test_numeric_sav_ids_are_integers(tmp_path):
    path = tmp_path / "t0.sav"
    pyreadstat.write_sav(pd.DataFrame({"kod": [123.0, 4560.0], "q1": [1.0, 2.0]}), str(path))
    h = ingest.harmonise(ingest.read_wave(path), _wave(file="t0.sav"))
    assert h.data["participant_id"].tolist() == ["123", "4560"]
