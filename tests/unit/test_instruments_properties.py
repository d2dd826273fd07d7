"""Property-based tests (hypothesis) and vectorised-vs-row-wise agreement for every instrument."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import instruments as ins
from instruments import _registry
from instruments.e2 import SCALES as E2_SCALES

BUILTIN = ["eq5d5l", "whoqol_bref", "rand36", "hls_eu_q16", "hls_eu_q6", "hls19_q12", "eheals", "who5", "gse", "srh",
           *E2_SCALES]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _choices(sp, item, with_dk=True):
    c = sp.allowed[item]
    vals = list(c.values) if c.values is not None else list(np.arange(c.min, c.max + 1))
    vals.append(np.nan)
    if with_dk and sp.dont_know_code is not None:
        vals.append(float(sp.dont_know_code))
    return vals


@st.composite
def valid_items(draw, instrument_id):
    sp = ins.spec(instrument_id)
    n = draw(st.integers(min_value=0, max_value=25))
    cols = {it: draw(st.lists(st.sampled_from(_choices(sp, it)), min_size=n, max_size=n)) for it in sp.items}
    return pd.DataFrame(cols, index=pd.RangeIndex(n) * 7 + 3, dtype=float)


def _check_ranges(instrument_id, out, **options):
    meta = ins.outputs(instrument_id, **options).set_index("column")
    sp = ins.spec(instrument_id)
    for col, m in meta.iterrows():
        s = out[col]
        if m["kind"] in ("continuous", "ordinal", "count") and not isinstance(s.dtype, pd.CategoricalDtype):
            vals = s.dropna().to_numpy(dtype=float)
            if not np.isnan(m["min"]):
                assert (vals >= m["min"] - 1e-9).all(), col
            if not np.isnan(m["max"]):
                assert (vals <= m["max"] + 1e-9).all(), col
    if f"{sp.id}_n_valid" in out and sp.id != "eq5d5l":
        total = out[f"{sp.id}_n_valid"] + (out[f"{sp.id}_n_dont_know"] if f"{sp.id}_n_dont_know" in out else 0)
        assert (total <= sp.n_items).all()


@pytest.mark.parametrize("instrument_id", BUILTIN)
@SETTINGS
@given(data=st.data())
def test_any_valid_input_scores_in_range(instrument_id, data):
    items = data.draw(valid_items(instrument_id))
    out = ins.score(instrument_id, items)
    assert out.index.equals(items.index)
    _check_ranges(instrument_id, out)


@SETTINGS
@given(data=st.data(), value_set=st.sampled_from(list(ins.value_sets()["id"])))
def test_eq5d_any_value_set_in_range(data, value_set):
    items = data.draw(valid_items("eq5d5l"))
    _check_ranges("eq5d5l", ins.score("eq5d5l", items, value_set=value_set), value_set=value_set)


@pytest.mark.parametrize("instrument_id", BUILTIN)
@SETTINGS
@given(data=st.data())
def test_invalid_code_is_reported_with_its_column(instrument_id, data):
    sp = ins.spec(instrument_id)
    items = data.draw(valid_items(instrument_id).filter(lambda d: len(d) > 0))
    col = data.draw(st.sampled_from(sp.items))
    c = sp.allowed[col]
    bad = data.draw(
        st.one_of(st.floats(min_value=-1000, max_value=1000, allow_nan=False), st.integers(-1000, 1000).map(float))
        .filter(lambda v: not c.valid(np.array([v]))[0] and v != sp.dont_know_code)
    )
    row = data.draw(st.integers(0, len(items) - 1))
    items.iloc[row, items.columns.get_loc(col)] = bad
    with pytest.raises(ins.ItemError) as exc:
        ins.score(instrument_id, items)
    assert exc.value.columns == [col]
    assert col in str(exc.value) and "1 row" in str(exc.value)


@pytest.mark.parametrize("instrument_id", BUILTIN)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_row_order_does_not_matter(instrument_id, data):
    items = data.draw(valid_items(instrument_id))
    perm = data.draw(st.permutations(list(range(len(items)))))
    a = ins.score(instrument_id, items).iloc[perm]
    b = ins.score(instrument_id, items.iloc[perm])
    pd.testing.assert_frame_equal(a, b)


@st.composite
def user_scale(draw):
    n_items = draw(st.integers(1, 12))
    lo = draw(st.integers(0, 2))
    hi = lo + draw(st.integers(1, 6))
    spec = {
        "id": "prop_scale", "version": "1", "name": "Property scale", "citation": "x", "licence": "x",
        "status": "open", "n_items": n_items, "codes": {c: str(c) for c in range(lo, hi + 1)},
        "dont_know_code": draw(st.sampled_from([None, 99])),
        "reverse": draw(st.lists(st.integers(1, n_items), unique=True, max_size=n_items)),
        "aggregation": draw(st.sampled_from(["mean", "sum", "percent"])),
        "min_valid": draw(st.integers(1, n_items)),
    }
    return spec


@SETTINGS
@given(data=st.data(), sc=user_scale())
def test_user_scales_score_in_range(data, sc):
    _registry._unregister_all_user_scales()
    try:
        sid = ins.register_scale(sc)
        items = data.draw(valid_items(sid))
        out = ins.score(sid, items)
        _check_ranges(sid, out)
        ok = out[f"{sid}_n_valid"] >= sc["min_valid"]
        assert out.loc[ok, f"{sid}_score"].notna().all() and out.loc[~ok, f"{sid}_score"].isna().all()
    finally:
        _registry._unregister_all_user_scales()


# ----------------------------------------------------------------------------- vs row-wise


def _bench():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_instruments.py"
    if not path.is_file():
        pytest.skip("benchmarks/bench_instruments.py not present")
    spec = importlib.util.spec_from_file_location("bench_instruments", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _as_list(s: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in s.astype(object)]


@pytest.mark.parametrize("instrument_id", BUILTIN)
@pytest.mark.parametrize("options", [{}, "alt"])
def test_vectorised_equals_naive_rowwise(instrument_id, options):
    """The benchmark's plain per-row scorers are an independent implementation of the rules."""
    alt = {"eq5d5l": {"value_set": "SE_Burstrom2020_VAS"}, "rand36": {"missing_rule": "any_answered"},
           "whoqol_bref": {"domain_max_missing": {"social": 1}}, "hls_eu_q16": {"min_valid": 10},
           "who5": {"min_valid": 3}, "gse": {"min_valid": 9}, "eheals": {"min_valid": 6},
           "e2_synergy": {"min_valid": 2, "reverse": [2, 5]}, "e2_relationships": {"reverse": [1]}}
    options = alt.get(instrument_id, {}) if options == "alt" else {}
    bench = _bench()
    items = bench.synthetic(instrument_id, 3000, seed=11, missing=0.12, dont_know=0.08)
    vec = ins.score(instrument_id, items, **options)
    naive = bench.score_naive(instrument_id, items, **options)
    for col in naive.columns:
        a, b = vec[col], naive[col]
        if vec[col].dtype.kind == "f":
            np.testing.assert_allclose(a.to_numpy(), b.to_numpy(dtype=float), rtol=0, atol=1e-12, err_msg=col)
        else:
            assert _as_list(a) == _as_list(b), col
