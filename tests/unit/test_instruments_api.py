"""Public API of instruments: available, spec, items_of, outputs, errors, options, metadata."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import instruments as ins
from instruments.e2 import SCALES as E2_SCALES

BUILTIN = ["eq5d5l", "whoqol_bref", "rand36", "hls_eu_q16", "hls_eu_q6", "hls19_q12", "eheals",
           "who5", "gse", "srh", *E2_SCALES]


def valid_frame(instrument_id: str, n: int = 20, seed: int = 0, index=None) -> pd.DataFrame:
    """Random valid answers (some missing) for every item of an instrument."""
    rng = np.random.default_rng(seed)
    sp = ins.spec(instrument_id)
    cols = {}
    for it in sp.items:
        c = sp.allowed[it]
        vals = np.asarray(c.values) if c.values is not None else np.arange(c.min, c.max + 1)
        x = rng.choice(vals, size=n).astype(float)
        x[rng.random(n) < 0.1] = np.nan
        cols[it] = x
    return pd.DataFrame(cols, index=index)


def test_available_lists_every_builtin_with_spec_columns():
    a = ins.available()
    assert set(BUILTIN) <= set(a["id"])
    for col in ["id", "name", "name_sv", "n_items", "items", "codes", "outputs", "citation", "doi",
                "licence", "status", "rule_status", "version"]:
        assert col in a.columns
    row = a.set_index("id").loc["whoqol_bref"]
    assert row["n_items"] == 26 and row["items"][0] == "whoqol_bref_01"
    assert "permission" in row["licence"]
    assert row["doi"] == "10.1017/S0033291798006667"
    assert a.set_index("id").loc["hls_eu_q16", "rule_status"]["min_valid_14"] == "recalled"


@pytest.mark.parametrize(
    "instrument_id, first, last, n",
    [("whoqol_bref", "whoqol_bref_01", "whoqol_bref_26", 26), ("hls_eu_q16", "hls_eu_q16_01", "hls_eu_q16_16", 16),
     ("hls_eu_q6", "hls_eu_q6_01", "hls_eu_q6_06", 6), ("hls19_q12", "hls19_q12_01", "hls19_q12_12", 12),
     ("eheals", "eheals_01", "eheals_08", 8), ("who5", "who5_01", "who5_05", 5), ("gse", "gse_01", "gse_10", 10),
     ("rand36", "rand36_01", "rand36_36", 36), ("srh", "srh_01", "srh_01", 1), ("eq5d5l", "eq5d5l_mo", "eq5d5l_vas", 6)],
)
def test_items_of_uses_canonical_names(instrument_id, first, last, n):
    items = ins.items_of(instrument_id)
    assert (items[0], items[-1], len(items)) == (first, last, n)


def test_spec_fields():
    sp = ins.spec("eq5d5l")
    assert sp.name == {"sv": "EQ-5D-5L", "en": "EQ-5D-5L"}
    assert sp.allowed["eq5d5l_vas"].min == 0 and sp.allowed["eq5d5l_vas"].max == 100
    assert sp.allowed["eq5d5l_mo"].describe() == "1–5"
    assert sp.dont_know_code is None and sp.version and sp.citation and sp.licence
    assert ins.spec("hls19_q12").dont_know_code == 5
    assert ins.spec("whoqol_bref").reverse == ("whoqol_bref_03", "whoqol_bref_04", "whoqol_bref_26")


@pytest.mark.parametrize("instrument_id", BUILTIN)
def test_score_columns_match_outputs_and_keep_index(instrument_id):
    idx = pd.Index([f"P{i:04d}" for i in range(20)], name="participant_id")
    items = valid_frame(instrument_id, index=idx)
    items["unrelated"] = "x"  # extra columns are ignored
    out = ins.score(instrument_id, items)
    meta = ins.outputs(instrument_id)
    assert list(out.columns) == list(meta["column"])
    assert out.index.equals(idx)
    assert set(meta["kind"]) <= {"continuous", "binary", "ordinal", "categorical", "text", "count"}
    assert meta["label_sv"].str.len().gt(0).all() and meta["label_en"].str.len().gt(0).all()
    for _, m in meta.iterrows():
        col = out[m["column"]]
        if m["kind"] == "binary":
            assert col.dtype == "boolean"
        elif m["kind"] == "count":
            assert col.dtype == np.int64
        elif m["column"].endswith("_level"):
            assert isinstance(col.dtype, pd.CategoricalDtype) and col.dtype.ordered
        elif m["kind"] == "text":
            assert col.dtype == "string"
        else:
            assert col.dtype == np.float64


@pytest.mark.parametrize("instrument_id", BUILTIN)
def test_empty_and_all_missing_frames(instrument_id):
    empty = pd.DataFrame({c: pd.Series([], dtype=float) for c in ins.items_of(instrument_id)})
    assert len(ins.score(instrument_id, empty)) == 0
    missing = pd.DataFrame(np.nan, index=range(3), columns=ins.items_of(instrument_id))
    out = ins.score(instrument_id, missing)
    meta = ins.outputs(instrument_id).set_index("column")
    for col in out.columns:
        if meta.loc[col, "kind"] == "count":
            assert (out[col] == 0).all()
        else:
            assert out[col].isna().all(), col


def test_absent_columns_are_named():
    items = valid_frame("who5").drop(columns=["who5_02", "who5_05"])
    with pytest.raises(ins.ItemError) as exc:
        ins.score("who5", items)
    assert isinstance(exc.value, ValueError)
    assert "who5_02" in str(exc.value) and "who5_05" in str(exc.value) and "absent" in str(exc.value)
    assert exc.value.columns == ["who5_02", "who5_05"]


def test_invalid_codes_named_with_counts_never_ids():
    idx = pd.Index(["P0001", "P0002", "P0003"], name="participant_id")
    items = pd.DataFrame({f"gse_{i:02d}": [1, 2, 3] for i in range(1, 11)}, index=idx)
    items["gse_04"] = [0, 7, 7]
    items["gse_09"] = [1.5, 2, 3]
    with pytest.raises(ins.ItemError) as exc:
        ins.score("gse", items)
    msg = str(exc.value)
    # the answers are described by kind, never shown (issue 15); they stay in .problems
    assert "gse_04: codes outside the allowed ones (below 1, above 4) in 3 rows; allowed 1–4" in msg
    assert "gse_09: codes outside the allowed ones (fractional) in 1 row" in msg
    assert "7" not in msg and "1.5" not in msg
    assert next(p for p in exc.value.problems if p["column"] == "gse_04")["found"] == [0.0, 7.0]
    assert "P000" not in msg
    assert {p["column"] for p in exc.value.problems} == {"gse_04", "gse_09"}


def test_non_numeric_values_are_named():
    items = pd.DataFrame({c: ["3"] * 2 for c in ins.items_of("who5")})
    items["who5_03"] = ["3", "often"]
    with pytest.raises(ins.ItemError, match=r"who5_03: non-numeric values in 1 row"):
        ins.score("who5", items)


def test_numeric_strings_and_nullable_ints_are_accepted():
    items = pd.DataFrame({c: pd.array([3, None], dtype="Int64") for c in ins.items_of("who5")})
    items["who5_01"] = ["3", None]
    out = ins.score("who5", items)
    assert out["who5_raw"].tolist()[0] == 15 and np.isnan(out["who5_raw"].iloc[1])


def test_unknown_instrument_and_option():
    with pytest.raises(ins.UnknownInstrumentError, match="unknown instrument 'sf36'"):
        ins.score("sf36", pd.DataFrame())
    with pytest.raises(ins.OptionError, match="unknown option.*min_vaild.*valid options: min_valid"):
        ins.score("who5", valid_frame("who5"), min_vaild=3)
    with pytest.raises(ins.OptionError, match="value_set='SE_2019'"):
        ins.score("eq5d5l", valid_frame("eq5d5l"), value_set="SE_2019")
    with pytest.raises(ins.OptionError, match="min_valid must be an integer in 1..16"):
        ins.score("hls_eu_q16", valid_frame("hls_eu_q16"), min_valid=17)
    with pytest.raises(TypeError):
        ins.score("who5", [[1, 2, 3, 4, 5]])


def test_outputs_eq5d_index_follows_value_set():
    o = ins.outputs("eq5d5l").set_index("column").loc["eq5d5l_index"]
    assert "Sun" in o["label_sv"] and o["min"] == pytest.approx(-0.314) and o["max"] == 1
    o2 = ins.outputs("eq5d5l", value_set="SE_Burstrom2020_TTO").set_index("column").loc["eq5d5l_index"]
    assert "Burström" in o2["label_en"] and o2["max"] == pytest.approx(0.9755)


def test_output_table_follows_the_registered_scales(tmp_path):
    """The cached table is every instrument's :func:`outputs`; registering, replacing
    (an edited file) and forgetting a user scale each rebuild it."""
    import yaml

    from instruments._registry import _unregister_all_user_scales
    from studyconfig.config import DEFAULT_CONFIG

    def fresh():
        return pd.concat([ins.outputs(i) for i in ins.available()["id"]], ignore_index=True)

    pd.testing.assert_frame_equal(ins.output_table(), fresh())
    scale = yaml.safe_load((DEFAULT_CONFIG.parent / "scales" / "jh_empowerment.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "scale.yaml"
    path.write_text(yaml.safe_dump(scale, allow_unicode=True), encoding="utf-8")
    sid = ins.register_scale(path)
    with_scale = ins.output_table()
    assert sid in set(with_scale["instrument"])
    pd.testing.assert_frame_equal(with_scale, fresh())
    scale["name"]["en"] = "An edited name"               # the file edited: it replaces the scale
    path.write_text(yaml.safe_dump(scale, allow_unicode=True), encoding="utf-8")
    ins.register_scale(path)
    assert ins.output_table()["label_en"].str.contains("An edited name").any()
    pd.testing.assert_frame_equal(ins.output_table(), fresh())
    _unregister_all_user_scales()
    assert sid not in set(ins.output_table()["instrument"])
    pd.testing.assert_frame_equal(ins.output_table(), fresh())


def test_value_sets_table():
    vs = ins.value_sets().set_index("id")
    assert list(vs.index[:6]) == ["SE_Sun2022", "SE_Burstrom2020_TTO", "England_Devlin2018", "UK_Rowen2026",
                                  "DK_Jensen2021", "NO_Garratt2024"]
    for col in ["name", "doi", "min", "max", "note"]:
        assert col in vs.columns
    assert vs.loc["SE_Sun2022", "min"] == pytest.approx(-0.314)
    assert vs.loc["England_Devlin2018", "min"] == pytest.approx(-0.285)
    assert vs.loc["UK_Rowen2026", "min"] == pytest.approx(-0.567)
    assert vs.loc["SE_Burstrom2020_VAS", "status"] == "open"
    assert "UNVERIFIED" in vs.loc["SE_Burstrom2020_VAS", "note"]


def test_mid_defaults_values_and_provenance():
    m = ins.mid_defaults()
    assert list(m.columns) == ["outcome", "value_set", "mid", "source", "status"]
    eq = m[m["outcome"] == "eq5d5l_index"].set_index("value_set")["mid"]
    assert eq["SE_Sun2022"] == pytest.approx(0.066, abs=5e-4)
    assert eq["SE_Burstrom2020_TTO"] == pytest.approx(0.037, abs=5e-4)
    other = m[m["outcome"] != "eq5d5l_index"].set_index("outcome")
    assert other.loc["eq5d5l_vas", "mid"] == 7
    assert other.loc["who5_percent", "mid"] == 10
    assert other.loc["rand36_pain", "mid"] == 5 and other.loc["rand36_pain", "status"] == "recalled"
    # every outcome named is a real output column
    cols = set().union(*(ins.outputs(i)["column"] for i in BUILTIN))
    assert set(m["outcome"]) <= cols


def test_mid_defaults_trace_back_to_the_reference_table():
    """Each non-derived MID value appears in the row of reference_values_and_mid.csv it cites."""
    from instruments._registry import DATA_DIR

    ref = pd.read_csv(DATA_DIR / "reference_values_and_mid.csv")
    m = pd.read_csv(DATA_DIR / "mid_defaults.csv")
    for _, r in m[m["source_file"] == "reference_values_and_mid.csv"].iterrows():
        instrument, quantity = r["source_key"].split("|")
        row = ref[(ref["instrument"] == instrument) & (ref["quantity"] == quantity)]
        assert len(row) == 1, r["source_key"]
        assert f"{r['mid']:g}" in row["value"].iloc[0], r["source_key"]


def test_package_data_copies_are_identical_to_the_shared_reference():
    import hashlib
    from pathlib import Path

    from instruments._registry import DATA_DIR

    shared = Path("/work/shared/reference/instruments")
    if not shared.is_dir():
        pytest.skip("shared reference folder /work/shared/reference/instruments not present")
    for name in ["eq5d5l_value_set_coefficients.csv", "eq5d5l_test_vectors.csv",
                 "eq5d5l_instrument_defined_mid_DERIVED.csv", "rand36_item_recoding.csv",
                 "reference_values_and_mid.csv"]:
        a = hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest()
        b = hashlib.sha256((shared / name).read_bytes()).hexdigest()
        assert a == b, name


def test_no_dagster_import_in_instruments():
    from pathlib import Path

    pkg = Path(ins.__file__).parent
    for f in pkg.rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        assert "import dagster" not in text and "from dagster" not in text, f.name


def test_every_builtin_spec_records_status_and_rule_status():
    for i in BUILTIN:
        sp = ins.spec(i)
        assert sp.status in {"verified", "recalled", "open", "derived"}
        assert sp.rule_status and set(sp.rule_status.values()) <= {"verified", "recalled", "open", "derived"}
        for o in sp.options.values():
            assert o.status in {"verified", "recalled", "open", "derived"} and o.description


def test_duplicated_item_column_is_named():
    items = valid_frame("who5")
    items = pd.concat([items, items[["who5_03"]]], axis=1)
    with pytest.raises(ins.ItemError, match="who5_03: column appears more than once"):
        ins.score("who5", items)
