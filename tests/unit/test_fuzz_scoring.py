"""Fuzzing :func:`instruments.score` (issue 8): random schema-valid and schema-invalid frames.

``test_instruments_properties.py`` already checks that float frames of valid codes score
within the output ranges, that one bad code is named and that row order does not matter.
This file goes further:

* valid answers arrive in every container pandas offers (float, object, nullable
  ``Int64``/``Float64``, ``string``, text digits, ``category``, float32, Arrow), with odd
  indexes (pseudonym labels, duplicates, a MultiIndex), shuffled columns, unrelated extra
  columns and random valid options; the result must not depend on any of that, must keep
  the index, and must obey an independent oracle of each instrument's missing-data rule,
  counts, levels and flags, besides the documented ranges;
* user-declared scales are random too (gaps between codes, negative codes, don't-know
  codes, reverse keying, levels);
* schema-invalid input (codes out of range, negative, non-integer, infinite or huge; text
  in numeric items; absent, duplicated or wrongly typed columns; all-missing frames; bad
  options; broken scale declarations) is either scored correctly or rejected with an
  :class:`instruments.InstrumentError` whose message names the instrument and the item,
  never a pandas-internal ``KeyError``/``TypeError``/``IndexError``, and never shows a
  row label (index labels here look like participant IDs) or a typed-in text value.

Cell values come from a NumPy generator seeded by Hypothesis (fast for 36-item frames);
structure (rows, dtype, index, options, mutations) is drawn by Hypothesis itself.
Examples are derandomised so CI runs are reproducible.
"""

from __future__ import annotations

import datetime as dt
import math
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import instruments as ins
from instruments import _registry
from instruments._common import LEVEL_TOL
from instruments.eq5d import state_table

BUILTIN = [i for i, b in zip(ins.available()["id"], ins.available()["builtin"]) if b]
VALUE_SETS = ins.value_sets().set_index("id")

FUZZ = dict(deadline=None, derandomize=True, database=None, print_blob=True)


def fuzz(n: int):
    """Deterministic Hypothesis settings with ``n`` examples. ``too_slow`` is suppressed
    because the 36-item RAND-36 frames are legitimately larger than Hypothesis expects."""
    return settings(max_examples=n, suppress_health_check=[HealthCheck.too_slow], **FUZZ)


# ----------------------------------------------------------------------------- generators


def _codes(sp, item) -> np.ndarray:
    c = sp.allowed[item]
    return np.asarray(c.values if c.values is not None else np.arange(c.min, c.max + 1), dtype=float)


def random_answers(sp, n: int, seed: int, p_row_missing: float = 0.5) -> pd.DataFrame:
    """Valid codes for every item; in a random half of the rows (``p_row_missing``) a
    uniformly drawn number of items (0..all) is missing or "don't know", so every
    missing-data threshold is exercised from both sides."""
    rng = np.random.default_rng(seed)
    k = sp.n_items
    X = np.column_stack([rng.choice(_codes(sp, it), size=n) for it in sp.items]) if n else np.empty((0, k))
    for r in range(n):
        if rng.random() < p_row_missing:
            gone = rng.choice(k, size=rng.integers(0, k + 1), replace=False)
            dk = rng.random(len(gone)) < 0.5 if sp.dont_know_code is not None else np.zeros(len(gone), bool)
            X[r, gone[dk]] = sp.dont_know_code if sp.dont_know_code is not None else np.nan
            X[r, gone[~dk]] = np.nan
    return pd.DataFrame(X, columns=list(sp.items))


CONTAINERS = ["float64", "object", "Int64", "Float64", "string", "text_object", "category", "float32",
              "int64[pyarrow]"]


def as_container(x: pd.Series, kind: str) -> pd.Series:
    """The same valid codes (NaN = missing) in another container type."""
    if kind == "float64":
        return x
    if kind == "object":  # Python ints and None, as from a JSON or a hand-built list
        return pd.Series([None if np.isnan(v) else int(v) for v in x], index=x.index, dtype=object)
    if kind in ("Int64", "int64[pyarrow]"):
        return pd.Series(pd.array([None if np.isnan(v) else int(v) for v in x], dtype=kind), index=x.index)
    if kind == "Float64":
        return x.astype("Float64")
    if kind == "string":
        return pd.Series(pd.array([None if np.isnan(v) else str(int(v)) for v in x], dtype="string"), index=x.index)
    if kind == "text_object":  # text with stray blanks, e.g. read from a spreadsheet
        return pd.Series([None if np.isnan(v) else f" {int(v)} " for v in x], index=x.index, dtype=object)
    if kind == "category":
        return x.astype("category")
    if kind == "float32":
        return x.astype("float32")
    raise AssertionError(kind)


@st.composite
def indexes(draw, n: int) -> pd.Index:
    kind = draw(st.sampled_from(["range", "pseudonyms", "duplicated", "multi", "dates"]))
    if kind == "range":
        start = draw(st.integers(-5, 5))
        return pd.RangeIndex(start, start + 3 * n, 3)
    if kind == "pseudonyms":
        return pd.Index([f"JH-{i:06X}" for i in range(n)], name="participant_id", dtype=object)
    if kind == "duplicated":
        return pd.Index([i // 2 for i in range(n)], dtype="int64")
    if kind == "multi":
        return pd.MultiIndex.from_arrays([[f"JH-{i:06X}" for i in range(n)], ["T0"] * n], names=["pid", "wave"])
    return pd.DatetimeIndex([dt.datetime(2024, 1, 1) + dt.timedelta(days=i) for i in range(n)])


@st.composite
def valid_options(draw, sp) -> dict:
    """Random valid options (or none, or only some) for an instrument."""
    opts: dict = {}
    for name, o in sp.options.items():
        if not draw(st.booleans()):
            continue
        if o.choices is not None:
            opts[name] = draw(st.sampled_from(o.choices))
        elif name == "min_valid":
            v = draw(st.integers(1, sp.n_items))
            opts[name] = draw(st.sampled_from([v, np.int64(v)]))
        elif name == "max_missing_fraction":
            opts[name] = draw(st.sampled_from([0, 0.1, 0.2, 0.5, 1.0]) | st.floats(0, 1))
        elif name == "reverse":
            rev = draw(st.lists(st.integers(1, sp.n_items), unique=True, max_size=sp.n_items))
            opts[name] = draw(st.sampled_from([rev, tuple(rev), np.array(rev, dtype=np.int64)]))
        elif name == "domain_max_missing":
            doms = draw(st.lists(st.sampled_from(sorted(sp.scales)), unique=True))
            opts[name] = {d: draw(st.integers(0, len(sp.scales[d]) - 1)) for d in doms}
        else:  # pragma: no cover - a new option needs a strategy here
            raise AssertionError(f"no strategy for option {sp.id}.{name}")
    return opts


# ----------------------------------------------------------------------------- the oracle


def _resolved(sp, opts) -> dict:
    return _registry.resolve_options(sp, opts)


def check_output(sp, items: pd.DataFrame, out: pd.DataFrame, opts: dict) -> None:
    """Everything a valid frame's scores must satisfy, from the specs and documented rules
    (not from the scorers' code)."""
    meta = ins.outputs(sp.id, **opts)
    assert list(out.columns) == list(meta["column"])
    pd.testing.assert_index_equal(out.index, items.index)
    # documented dtypes and ranges
    for m in meta.itertuples():
        s = out[m.column]
        if m.kind == "count":
            assert s.dtype == np.int64, m.column
        elif m.kind == "binary":
            assert s.dtype == "boolean", m.column
        elif m.kind == "text":
            assert isinstance(s.dtype, pd.StringDtype), m.column
        elif isinstance(s.dtype, pd.CategoricalDtype):
            assert s.cat.ordered, m.column
        else:
            assert s.dtype == np.float64, m.column
        if m.kind in ("continuous", "ordinal", "count") and s.dtype.kind in "fi":
            v = s.to_numpy(dtype=float)
            v = v[~np.isnan(v)]
            assert np.isfinite(v).all(), m.column
            if not math.isnan(m.min):
                assert (v >= m.min - 1e-9).all(), (m.column, v.min(), m.min)
            if not math.isnan(m.max):
                assert (v <= m.max + 1e-9).all(), (m.column, v.max(), m.max)

    o = _resolved(sp, opts)
    X = items[list(sp.items)].to_numpy(dtype=float)
    dk = sp.dont_know_code
    is_dk = X == dk if dk is not None else np.zeros(X.shape, bool)
    answered = ~np.isnan(X) & ~is_dk
    A = np.where(answered, X, np.nan)
    pos = {it: j for j, it in enumerate(sp.items)}
    col = lambda name: out[f"{sp.id}_{name}"].to_numpy(dtype=float, na_value=np.nan)  # noqa: E731

    if dk is not None:
        assert (out[f"{sp.id}_n_dont_know"].to_numpy() == is_dk.sum(axis=1)).all()

    if sp.id == "eq5d5l":
        D = A[:, :5]
        complete = ~np.isnan(D).any(axis=1)
        assert (out["eq5d5l_n_valid"].to_numpy() == (~np.isnan(D)).sum(axis=1)).all()
        for c in ("lss", "index"):
            assert (~np.isnan(col(c)) == complete).all(), c
        np.testing.assert_array_equal(col("lss")[complete], D[complete].sum(axis=1))
        np.testing.assert_array_equal(col("vas"), A[:, 5])
        assert (out["eq5d5l_profile"].isna().to_numpy() == ~complete).all()
        prof = ["".join(str(int(v)) for v in row) for row in D[complete]]
        assert out["eq5d5l_profile"][complete].tolist() == prof
        vs = o["value_set"]
        idx = col("index")[complete]
        assert ((idx >= VALUE_SETS.loc[vs, "min"] - 1e-12) & (idx <= VALUE_SETS.loc[vs, "max"] + 1e-12)).all()
        table = state_table(vs)
        np.testing.assert_allclose(idx, table[((D[complete] - 1) @ 5 ** np.arange(4, -1, -1)).astype(int)])
        return

    if sp.id == "whoqol_bref":
        n_all = answered.sum(axis=1)
        kept = (sp.n_items - n_all) <= o["max_missing_fraction"] * sp.n_items
        assert (out["whoqol_bref_n_valid"].to_numpy() == n_all).all()
        for dom, its in sp.scales.items():
            nv = answered[:, [pos[i] for i in its]].sum(axis=1)
            assert (out[f"whoqol_bref_{dom}_n_valid"].to_numpy() == nv).all()
            scored = kept & (len(its) - nv <= o["domain_max_missing"][dom])
            assert (~np.isnan(col(dom)) == scored).all(), dom
            np.testing.assert_allclose(col(f"{dom}_100"), (col(dom) - 4) * 100 / 16, atol=1e-9)
        np.testing.assert_array_equal(col("overall_qol"), np.where(kept, A[:, 0], np.nan))
        np.testing.assert_array_equal(col("health_satisfaction"), np.where(kept, A[:, 1], np.nan))
        return

    if sp.id == "rand36":
        for name, its in sp.scales.items():
            nv = answered[:, [pos[i] for i in its]].sum(axis=1)
            assert (out[f"rand36_{name}_n_valid"].to_numpy() == nv).all()
            need = (len(its) + 1) // 2 if o["missing_rule"] == "half_scale" else 1
            assert (~np.isnan(col(name)) == (nv >= need)).all(), name
        assert (~np.isnan(col("health_change")) == answered[:, 1]).all()
        return

    if sp.id == "srh":
        np.testing.assert_array_equal(out["srh"].to_numpy(), A[:, 0])
        good = out["srh_good"]
        assert (good.isna().to_numpy() == np.isnan(A[:, 0])).all()
        known = ~np.isnan(A[:, 0])
        assert (good[known].to_numpy(dtype=bool) == np.isin(A[known, 0], [1, 2])).all()
        return

    # one score from all items: HLS-EU-Q16/Q6, HLS19-Q12, eHEALS, WHO-5, GSE, user scales
    nv = answered.sum(axis=1)
    assert (out[f"{sp.id}_n_valid"].to_numpy() == nv).all()
    score_col = "raw" if sp.id == "who5" else "score"
    score = col(score_col)
    assert (~np.isnan(score) == (nv >= o["min_valid"])).all()
    if sp.family == "e2":  # mean of the answers, reverse-keyed items as 6 - x (docs/instruments.md)
        keyed = A.copy()
        rev = [int(i) - 1 for i in o["reverse"]]
        keyed[:, rev] = 6 - keyed[:, rev]
        ok = nv >= o["min_valid"]
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(score[ok], np.nanmean(keyed[ok], axis=1), rtol=0, atol=1e-12)
    if sp.id == "who5":
        known = ~np.isnan(score)
        np.testing.assert_allclose(col("percent"), score * 4)
        for flag, truth in (("poor", score < 13), ("depression_screen", score * 4 <= 28)):
            f = out[f"who5_{flag}"]
            assert (f.isna().to_numpy() == ~known).all()
            assert (f[known].to_numpy(dtype=bool) == truth[known]).all()
    levels = sp.rules.get("levels")
    if levels:
        lev = out[f"{sp.id}_level"]
        assert list(lev.cat.categories) == [name for name, _ in levels]
        assert (lev.isna().to_numpy() == np.isnan(score)).all()
        codes = lev.cat.codes.to_numpy()
        bounds = [mx for _, mx in levels]
        for s, c in zip(score, codes):
            if np.isnan(s):
                continue
            assert s <= bounds[c] + LEVEL_TOL and (c == 0 or s > bounds[c - 1] + LEVEL_TOL), (s, c, bounds)


# ----------------------------------------------------------------------------- valid frames


@pytest.mark.parametrize("instrument_id", BUILTIN)
@fuzz(15)
@given(data=st.data())
def test_valid_frames_in_any_container_score_by_the_rules(instrument_id, data):
    sp = ins.spec(instrument_id)
    n = data.draw(st.sampled_from([0, 1, 2]) | st.integers(0, 30), label="rows")
    base = random_answers(sp, n, data.draw(st.integers(0, 2**32 - 1), label="seed"),
                          data.draw(st.sampled_from([0.0, 0.5, 1.0]), label="p_row_missing"))
    base.index = data.draw(indexes(n), label="index")
    opts = data.draw(valid_options(sp), label="options")
    reference = ins.score(instrument_id, base, **opts)
    check_output(sp, base, reference, opts)

    # the same answers in other containers, shuffled, with unrelated columns
    kinds = data.draw(st.lists(st.sampled_from(CONTAINERS), min_size=sp.n_items, max_size=sp.n_items),
                      label="containers")
    items = pd.DataFrame({it: as_container(base[it], k) for it, k in zip(sp.items, kinds)}, index=base.index)
    for j, name in enumerate(data.draw(st.lists(st.sampled_from(
            [f"{sp.id}_99", f"{sp.id}_1", f"{sp.id}_score", sp.id.upper() + "_01", "participant_id", "fritext",
             "ålder", "\u00a0", ""]), unique=True, max_size=4), label="extra columns")):
        items[name] = pd.Series(["x", None, "JH-000001", 3.5][j % 4], index=items.index, dtype=object)
    items = items[data.draw(st.permutations(list(items.columns)), label="column order")]
    out = ins.score(instrument_id, items, **opts)
    pd.testing.assert_frame_equal(out, reference)


@pytest.mark.parametrize("instrument_id", BUILTIN)
@pytest.mark.parametrize("container", CONTAINERS)
def test_all_missing_frames_score_to_missing(instrument_id, container):
    """Every answer missing (NaN, None or <NA>, in every container): nothing scored, counts zero."""
    sp = ins.spec(instrument_id)
    empty = pd.DataFrame(np.nan, index=pd.Index([f"JH-{i:06X}" for i in range(4)]), columns=list(sp.items))
    items = pd.DataFrame({it: as_container(empty[it], container) for it in sp.items}, index=empty.index)
    out = ins.score(instrument_id, items)
    check_output(sp, empty, out, {})
    meta = ins.outputs(instrument_id).set_index("column")
    for c in out.columns:
        if meta.loc[c, "kind"] == "count":
            assert (out[c] == 0).all(), c
        else:
            assert out[c].isna().all(), c


# ----------------------------------------------------------------------------- user scales


@st.composite
def user_scales(draw) -> dict:
    n_items = draw(st.integers(1, 10))
    codes = sorted(draw(st.sets(st.integers(-3, 12), min_size=2, max_size=7)))
    dk = draw(st.sampled_from([None, 99, -9, *[c for c in range(codes[0], codes[-1]) if c not in codes]]))
    aggregation = draw(st.sampled_from(["mean", "sum", "percent"]))
    lo, hi = codes[0], codes[-1]
    smin, smax = {"mean": (lo, hi), "sum": (lo * n_items, hi * n_items), "percent": (0, 100)}[aggregation]
    levels = None
    if draw(st.booleans()):
        cuts = sorted({round(v, 2) for v in draw(st.lists(st.floats(smin, smax, allow_nan=False), min_size=1,
                                                           max_size=3))})
        levels = [{"name": f"niv{i}", "max": c} for i, c in enumerate(cuts)] + [{"name": "top"}]
    return {
        "id": "fuzz_scale", "version": "1", "name": {"sv": "Fuzz", "en": "Fuzz"}, "citation": "x",
        "licence": "x", "status": "open", "n_items": n_items,
        "codes": {c: f"svar {c}" for c in codes}, "dont_know_code": dk,
        "reverse": draw(st.lists(st.integers(1, n_items), unique=True, max_size=n_items)),
        "aggregation": aggregation, "min_valid": draw(st.integers(1, n_items)), "levels": levels,
    }


@fuzz(40)
@given(data=st.data(), declared=user_scales())
def test_user_scales_score_by_the_rules(data, declared):
    _registry._unregister_all_user_scales()
    try:
        sid = ins.register_scale(declared)
        sp = ins.spec(sid)
        n = data.draw(st.integers(0, 25), label="rows")
        items = random_answers(sp, n, data.draw(st.integers(0, 2**32 - 1), label="seed"))
        items.index = data.draw(indexes(n), label="index")
        opts = data.draw(valid_options(sp), label="options")
        out = ins.score(sid, items, **opts)
        check_output(sp, items, out, opts)
        # the score of a row without missing answers follows from the codes directly
        X = items[list(sp.items)].to_numpy(dtype=float, copy=True)
        if sp.dont_know_code is not None:
            X = np.where(X == sp.dont_know_code, np.nan, X)
        rev = [sp.items.index(it) for it in sp.reverse]
        lo, hi = min(declared["codes"]), max(declared["codes"])
        X[:, rev] = lo + hi - X[:, rev]
        full = ~np.isnan(X).any(axis=1)
        expected = {"mean": X.mean(axis=1), "sum": X.sum(axis=1),
                    "percent": (X.mean(axis=1) - lo) / (hi - lo) * 100}[declared["aggregation"]]
        np.testing.assert_allclose(out[f"{sid}_score"].to_numpy()[full], expected[full], rtol=1e-12)
        # a code in a gap between declared codes is rejected, naming the item
        gaps = [c for c in range(lo, hi) if c not in declared["codes"] and c != sp.dont_know_code]
        if n and gaps:
            bad = items.copy()
            bad.iloc[0, 0] = float(gaps[0])
            with pytest.raises(ins.ItemError, match=rf"{sid}: {sp.items[0]}: codes outside the allowed ones "
                                                    r"\(between the allowed codes\) in 1 row"):
                ins.score(sid, bad)
    finally:
        _registry._unregister_all_user_scales()


SCALE = {"id": "fuzz_decl", "version": "1", "name": {"sv": "a", "en": "b"}, "citation": "x", "licence": "x",
         "status": "open", "n_items": 4, "codes": {1: "a", 2: "b", 3: "c"}, "dont_know_code": 9,
         "reverse": [2], "aggregation": "mean", "min_valid": 2,
         "levels": [{"name": "lo", "max": 2}, {"name": "hi"}], "higher_is_better": True, "doi": None,
         "description": "d"}
JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.sampled_from([10**400, -(2**53) - 1, 2**53]),
    st.floats(), st.text(max_size=5), st.just({1: "a", "01": "b"}), st.just({1: "a", 10**400: "b"}),
    st.lists(st.integers(-2, 12), max_size=3),
    st.dictionaries(st.integers(-1, 10) | st.text(max_size=2), st.text(max_size=3) | st.integers(), max_size=3),
    st.lists(st.fixed_dictionaries({"name": st.text(max_size=3)}, optional={"max": st.floats() | st.text(max_size=2)}),
             max_size=3),
)


@fuzz(80)
@given(key=st.sampled_from([*SCALE, "unknown_key"]), value=JUNK, drop=st.booleans())
def test_broken_scale_declarations_name_the_key(key, value, drop):
    """A scale file with one key replaced by junk (or left out) registers, or fails with a
    SpecError naming that key (or a key that depends on it); never another exception.
    Whatever registers can score a frame of its own codes."""
    declared = dict(SCALE)
    if drop and key in declared:
        del declared[key]
    else:
        declared[key] = value
    _registry._unregister_all_user_scales()
    try:
        sid = ins.register_scale(declared)
        sp = ins.spec(sid)
        items = random_answers(sp, 12, 0)
        check_output(sp, items, ins.score(sid, items), {})
    except ins.SpecError as exc:
        depends = {"n_items": {"reverse", "min_valid"}, "codes": {"dont_know_code"}}
        assert exc.key is not None and exc.key.split(".")[0] in {key, *depends.get(key, ())}, str(exc)
        assert str(exc).startswith(f"<dict>: key {exc.key!r}: ")
    finally:
        _registry._unregister_all_user_scales()


@pytest.mark.parametrize("typo", [10**12, 10**15])
def test_far_apart_codes_are_cheap_to_declare(typo):
    """Regression: contiguity of the codes was checked by listing every integer between the
    smallest and largest code, so a typo like ``10000000000000`` exhausted memory."""
    sp = _registry.load_user_scale({**SCALE, "codes": {1: "a", typo: "b"}, "levels": None, "dont_know_code": None})
    assert sp.allowed["fuzz_decl_01"].values == (1.0, float(typo))


@pytest.mark.parametrize("codes, message", [
    ({1: "a", 10**400: "b"}, "code 1000000000000000000000000000000000000000"),
    ({1: "a", -(2**53) - 1: "b"}, "code -9007199254740993 is too large"),
    ({1: "a", "01": "b", 2: "c"}, "code 1 is given more than once"),
])
def test_codes_that_cannot_be_exact_or_repeat_are_named(codes, message):
    """Regression: a code beyond the float range crashed with OverflowError, and "1" and
    "01" silently became one code (the second label won)."""
    with pytest.raises(ins.SpecError, match=rf"^<dict>: key 'codes': {message}"):
        ins.register_scale({**SCALE, "codes": codes, "levels": None})


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf"), 10**400])
def test_level_bounds_must_be_finite(bad):
    """Regression: a NaN bound passed the 'increasing' check (comparisons with NaN are
    false) and then put every score in the first level."""
    with pytest.raises(ins.SpecError, match=r"key 'levels': entry 1 \('lo'\) needs a finite max, got "):
        ins.register_scale({**SCALE, "levels": [{"name": "lo", "max": bad}, {"name": "hi"}]})


# ----------------------------------------------------------------------------- invalid frames

#: strings that are not numbers (pandas' parser would not turn them into one)
PRIVATE_TEXT = ["Anna Andersson", "19121212-1212", "anna@exempel.se", "5 (Alltid)"]
NOT_NUMBERS = ["abc", "", " ", "nan", "NA", "3,5", "1/2", "fem", "x3", "٣", "５", "Ⅳ", "3+0j", "0x1", "1_000",
               "—", "\u200b", "😀", *PRIVATE_TEXT]


def _is_number_text(s: str) -> bool:
    return not np.isnan(pd.to_numeric(pd.Series([s], dtype=object), errors="coerce").to_numpy(dtype=float)[0])


TEXT = st.sampled_from(NOT_NUMBERS) | st.text(min_size=1, max_size=8).filter(lambda s: not _is_number_text(s))


@st.composite
def bad_values(draw, sp, item):
    """A number that is not an allowed code of ``item`` (nor the don't-know code)."""
    c = sp.allowed[item]
    v = draw(st.one_of(
        st.integers(-1000, 1000).map(float), st.floats(-1e6, 1e6, allow_nan=False),
        st.sampled_from([math.inf, -math.inf, 1e300, -1.0, c.max + 1, c.min - 1, c.min + 0.5, -0.5])))
    if c.valid(np.array([v]))[0] or v == sp.dont_know_code:
        v = c.max + 1 if c.max + 1 != sp.dont_know_code else c.max + 2
    return v


@pytest.mark.parametrize("instrument_id", BUILTIN)
@fuzz(15)
@given(data=st.data())
def test_bad_codes_and_text_are_named_per_item_without_ids_or_values(instrument_id, data):
    sp = ins.spec(instrument_id)
    n = data.draw(st.integers(1, 15), label="rows")
    items = random_answers(sp, n, data.draw(st.integers(0, 2**32 - 1), label="seed"))
    items.index = pd.Index([f"JH-{i:06X}" for i in range(n)], name="participant_id")
    cols = data.draw(st.lists(st.sampled_from(sp.items), min_size=1, max_size=min(4, sp.n_items), unique=True),
                     label="columns")
    expected, texts = {}, []
    for c in cols:
        rows = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True), label=f"{c} rows")
        container = data.draw(st.sampled_from(["float64", "object", "Float64", "string"]), label=f"{c} type")
        if data.draw(st.booleans(), label=f"{c} text?"):
            vals = [data.draw(TEXT, label=f"{c} text") for _ in rows]
            texts += vals
            s = as_container(items[c], "object" if container in ("float64", "Float64") else container)
            s = s.astype(object)
            for r, v in zip(rows, vals):
                s.iloc[r] = v
            if container == "string":
                s = s.astype("string")
            expected[c] = ("non_numeric", len(rows), None)
        else:
            vals = [data.draw(bad_values(sp, c), label=f"{c} code") for _ in rows]
            s = items[c].copy()
            s.iloc[rows] = vals
            if container == "string":  # numbers typed as text: still codes, still out of range
                s = pd.Series(pd.array([None if np.isnan(v) else repr(float(v)) for v in s], dtype="string"),
                              index=s.index)
            elif container != "float64":
                s = s.astype(object if container == "object" else container)
            expected[c] = ("invalid_code", len(rows), sorted(set(vals)))
        items[c] = s
    with pytest.raises(ins.ItemError) as exc:
        ins.score(instrument_id, items)
    err = exc.value
    assert err.instrument == instrument_id
    assert err.columns == [c for c in sp.items if c in expected]  # questionnaire order
    msg = str(err)
    assert msg.startswith(f"{instrument_id}: ")
    for p in err.problems:
        kind, n_rows, found = expected[p["column"]]
        assert (p["problem"], p["n_rows"]) == (kind, n_rows)
        assert f"{p['column']}: " in msg
        if kind == "invalid_code":
            assert p["found"] == found[:10] and p["truncated"] == (len(found) > 10)
            assert "allowed " + ins.spec(instrument_id).allowed[p["column"]].describe() in msg
    for label in items.index:
        assert label not in msg
    for t in texts:
        if t in PRIVATE_TEXT:
            assert t not in msg


@pytest.mark.parametrize("instrument_id", BUILTIN)
@fuzz(8)
@given(data=st.data())
def test_absent_and_duplicated_item_columns_are_named(instrument_id, data):
    sp = ins.spec(instrument_id)
    items = random_answers(sp, data.draw(st.integers(0, 5)), 1)
    gone = data.draw(st.lists(st.sampled_from(sp.items), unique=True, min_size=1), label="dropped")
    with pytest.raises(ins.ItemError) as exc:
        ins.score(instrument_id, items.drop(columns=gone))
    assert exc.value.columns == [c for c in sp.items if c in gone]
    assert f"{instrument_id}: {len(gone)} item column(s) absent: " + ", ".join(exc.value.columns) in str(exc.value)
    twice = data.draw(st.sampled_from(sp.items), label="duplicated")
    with pytest.raises(ins.ItemError, match=rf"^{instrument_id}: {twice}: column appears more than once"):
        ins.score(instrument_id, pd.concat([items, items[[twice]]], axis=1))


WRONG_TYPES = {
    "bool": lambda n: pd.Series([True, False] * n)[:n],
    "boolean": lambda n: pd.Series(pd.array([True, None] * n, dtype="boolean")[:n]),
    "bool[pyarrow]": lambda n: pd.Series(pd.array([True, False] * n, dtype="bool[pyarrow]")[:n]),
    "datetime64": lambda n: pd.Series(pd.date_range("2024-01-01", periods=n)),
    "timedelta64": lambda n: pd.Series(pd.to_timedelta(np.arange(n), unit="D")),
    "period": lambda n: pd.Series(pd.period_range("2024-01", periods=n, freq="M")),
    "complex": lambda n: pd.Series(np.arange(n) + 1 + 0j),
    "interval": lambda n: pd.Series(pd.arrays.IntervalArray.from_breaks(np.arange(n + 1))),
    "object bools": lambda n: pd.Series([True] * n, dtype=object),
}


@pytest.mark.parametrize("instrument_id", ["who5", "eq5d5l", "hls19_q12"])
@pytest.mark.parametrize("kind", list(WRONG_TYPES))
def test_columns_of_a_type_that_cannot_hold_codes_are_rejected(instrument_id, kind):
    """Regression: booleans scored as 0/1 and dates or durations were reported as absurd
    codes (nanoseconds), complex numbers lost their imaginary part or raised a NumPy warning."""
    sp = ins.spec(instrument_id)
    items = random_answers(sp, 4, 3, p_row_missing=0)
    items.index = pd.Index([f"JH-{i:06X}" for i in range(4)])
    target = sp.items[-1]
    items[target] = WRONG_TYPES[kind](4).set_axis(items.index)
    with pytest.raises(ins.ItemError) as exc:
        ins.score(instrument_id, items)
    (p,) = exc.value.problems
    assert (p["column"], p["problem"]) == (target, "non_numeric")
    assert p["n_rows"] == int(items[target].notna().sum())
    assert str(exc.value).startswith(f"{instrument_id}: {target}: non-numeric values in ")
    assert "(a column of type " in str(exc.value)


@pytest.mark.parametrize("value, problem", [
    (10**400, r"codes outside the allowed ones \(not a finite number\) in 1 row"),  # OverflowError in pandas before
    (-(10**400), r"codes outside the allowed ones \(not a finite number\) in 1 row"),
    (2 + 1j, "non-numeric values in 1 row"),         # complex objects among integers
    (True, "non-numeric values in 1 row"),           # a boolean among integers
    ([3], "non-numeric values in 1 row"),
    (dt.date(2024, 1, 1), "non-numeric values in 1 row"),
])
def test_odd_python_objects_in_an_object_column(value, problem):
    items = random_answers(ins.spec("who5"), 3, 5, p_row_missing=0).astype(object)
    cells = list(items["who5_02"])
    cells[1] = value
    items["who5_02"] = pd.Series(cells, index=items.index, dtype=object)
    with pytest.raises(ins.ItemError, match=rf"^who5: who5_02: {problem}"):
        ins.score("who5", items)


def test_exact_numbers_of_other_python_types_are_codes():
    from decimal import Decimal
    from fractions import Fraction

    items = random_answers(ins.spec("who5"), 4, 6, p_row_missing=0)
    odd = items.astype(object)
    odd["who5_01"] = [Decimal(int(v)) for v in items["who5_01"]]
    odd["who5_02"] = [Fraction(int(v)) for v in items["who5_02"]]
    odd["who5_03"] = [np.int8(v) for v in items["who5_03"]]
    odd["who5_04"] = [str(int(v)).encode() for v in items["who5_04"]]
    pd.testing.assert_frame_equal(ins.score("who5", odd), ins.score("who5", items))


@pytest.mark.parametrize("instrument_id", ["who5", "eq5d5l"])
@pytest.mark.parametrize("not_a_frame", [None, [[1, 2]], {"x": [1]}, np.ones((2, 3)), "items"])
def test_input_that_is_not_a_frame_is_named(instrument_id, not_a_frame):
    with pytest.raises(TypeError, match=rf"^{instrument_id}: items must be a pandas DataFrame, got "):
        ins.score(instrument_id, not_a_frame)
    with pytest.raises(TypeError, match=rf"^{instrument_id}: items must be a pandas DataFrame, got Series"):
        ins.score(instrument_id, pd.Series([1.0], name=ins.items_of(instrument_id)[0]))


@fuzz(30)
@given(instrument_id=st.sampled_from(BUILTIN), name=st.text(min_size=1, max_size=12), value=JUNK)
def test_bad_options_raise_option_error_naming_the_instrument(instrument_id, name, value):
    sp = ins.spec(instrument_id)
    items = random_answers(sp, 3, 2)
    option = name if name not in sp.options else name + "_x"
    with pytest.raises(ins.OptionError, match=rf"^{instrument_id}: unknown option\(s\) "):
        ins.score(instrument_id, items, **{option: value})
    for option in sp.options:  # a junk value for a real option: scored (if it is valid) or named
        try:
            ins.score(instrument_id, items, **{option: value})
        except ins.OptionError as exc:
            assert str(exc).startswith(f"{instrument_id}: ") and option in str(exc)


@pytest.mark.parametrize("value", [np.int64(4), np.int32(4), np.uint8(4)])
def test_numpy_integer_options_are_accepted(value):
    """Regression: ``min_valid=np.int64(4)`` (e.g. computed with pandas) was rejected with
    'must be an integer in 1..5, got np.int64(4)'."""
    items = pd.DataFrame([[1, 2, 3, 4, None]], columns=ins.items_of("who5"))
    assert ins.score("who5", items, min_valid=value)["who5_raw"].tolist() == [12.5]
    w = random_answers(ins.spec("whoqol_bref"), 5, 1)
    pd.testing.assert_frame_equal(
        ins.score("whoqol_bref", w, domain_max_missing={"social": value // 4}, max_missing_fraction=np.float32(0.5)),
        ins.score("whoqol_bref", w, domain_max_missing={"social": 1}, max_missing_fraction=0.5))


@pytest.mark.parametrize("value", [np.array(["SE_Sun2022"]), ["SE_Sun2022"], {"SE_Sun2022"}])
def test_unhashable_choice_options_are_named(value):
    """Regression: a one-element array passed the choices check and then failed inside
    functools.cache with 'unhashable type: numpy.ndarray'."""
    with pytest.raises(ins.OptionError, match=r"^eq5d5l: option value_set=.* is not one of SE_Sun2022"):
        ins.score("eq5d5l", random_answers(ins.spec("eq5d5l"), 2, 0), value_set=value)


@fuzz(30)
@given(name=st.text(alphabet=string.ascii_letters + string.digits + "_-åäö ", min_size=0, max_size=15))
def test_unknown_instrument_is_named(name):
    if name in BUILTIN:
        return
    with pytest.raises(ins.UnknownInstrumentError, match="unknown instrument") as exc:
        ins.score(name, pd.DataFrame({"x": [1]}))
    assert repr(name) in str(exc.value) and "who5" in str(exc.value)
