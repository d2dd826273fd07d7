"""User-declared Likert scales: YAML format, validation, registration and scoring."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

import instruments as ins
from instruments import _registry

EXAMPLE = textwrap.dedent("""\
    id: {id}            # instrument id; items are {id}_01..NN
    version: "1.0"
    name: {{sv: "Egenmakt och delaktighet", en: "Empowerment and participation"}}
    citation: "Study-specific scale, Jämlik hälsa Lindängen example study (synthetic)."
    doi: null
    licence: "..."
    status: open                  # verified | recalled | open
    n_items: 8
    codes: {{1: "Stämmer inte alls", 2: "Stämmer ganska dåligt", 3: "Stämmer delvis", 4: "Stämmer ganska bra", 5: "Stämmer helt"}}
    dont_know_code: null          # or an integer
    reverse: [3, 6]               # item numbers, reversed as (min+max) - x
    aggregation: mean             # mean | sum | percent  (percent = (mean-min)/(max-min)*100)
    min_valid: 6
    levels: null                  # or a list like [{{name: low, max: 2.5}}, {{name: medium, max: 3.5}}, {{name: high}}]
    higher_is_better: true
    """)


def base(**changes) -> dict:
    d = {"id": "t_scale", "version": "1.0", "name": {"sv": "Test", "en": "Test"}, "citation": "c", "doi": None,
         "licence": "l", "status": "open", "n_items": 4, "codes": {1: "a", 2: "b", 3: "c", 4: "d"},
         "dont_know_code": None, "reverse": [2], "aggregation": "mean", "min_valid": 3, "levels": None,
         "higher_is_better": True}
    d.update(changes)
    return d


@pytest.fixture(autouse=True)
def _clean_registry():
    yield
    _registry._unregister_all_user_scales()


@pytest.fixture
def example_file(tmp_path):
    p = tmp_path / "jh_empowerment.yaml"
    p.write_text(EXAMPLE.format(id="jh_empowerment"), encoding="utf-8")
    return p


def frame(sid: str, n: int, *rows) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(rows, dtype=float), columns=[f"{sid}_{i:02d}" for i in range(1, n + 1)])


def test_example_format_registers_and_scores(example_file):
    sid = ins.register_scale(example_file)
    assert sid == "jh_empowerment"
    assert ins.items_of(sid)[0] == "jh_empowerment_01" and ins.items_of(sid)[-1] == "jh_empowerment_08"
    # items 3 and 6 reversed: 6 - x
    out = ins.score(sid, frame(sid, 8, [5, 5, 1, 5, 5, 1, 5, 5], [1, 2, 3, 4, 5, 1, np.nan, np.nan],
                               [5, 5, 5, 5, 5, np.nan, np.nan, np.nan]))
    assert list(out.columns) == ["jh_empowerment_score", "jh_empowerment_n_valid"]
    assert out["jh_empowerment_score"].iloc[0] == 5
    assert out["jh_empowerment_score"].iloc[1] == pytest.approx((1 + 2 + 3 + 4 + 5 + 5) / 6)  # exactly min_valid
    assert np.isnan(out["jh_empowerment_score"].iloc[2])  # 5 valid < 6
    assert out["jh_empowerment_n_valid"].tolist() == [8, 6, 5]
    row = ins.available().set_index("id").loc[sid]
    assert not row["builtin"] and row["status"] == "open" and row["n_items"] == 8


def test_load_scale_returns_spec_without_registering(example_file):
    sp = ins.load_scale(example_file)
    assert sp.id == "jh_empowerment" and sp.reverse == ("jh_empowerment_03", "jh_empowerment_06")
    assert sp.name["sv"] == "Egenmakt och delaktighet"
    with pytest.raises(ins.UnknownInstrumentError):
        ins.spec("jh_empowerment")


def test_register_twice_identical_ok_different_error(example_file, tmp_path):
    assert ins.register_scale(example_file) == ins.register_scale(example_file)
    assert ins.register_scale(str(example_file)) == "jh_empowerment"
    other = tmp_path / "other.yaml"
    other.write_text(EXAMPLE.format(id="jh_empowerment").replace("min_valid: 6", "min_valid: 5"), encoding="utf-8")
    with pytest.raises(ins.SpecError, match="different scale with id 'jh_empowerment' is already registered"):
        ins.register_scale(other)


def test_same_content_from_another_file_is_identical(example_file, tmp_path):
    copy = tmp_path / "copy" / "jh_empowerment.yaml"
    copy.parent.mkdir()
    copy.write_text(example_file.read_text(encoding="utf-8"), encoding="utf-8")
    assert ins.register_scale(example_file) == ins.register_scale(copy) == "jh_empowerment"


def test_edited_file_replaces_its_earlier_version(example_file):
    ins.register_scale(example_file)
    example_file.write_text(example_file.read_text(encoding="utf-8").replace("min_valid: 6", "min_valid: 5"),
                            encoding="utf-8")
    ins.register_scale(example_file)          # the researcher fixed the file: no restart needed
    assert ins.spec("jh_empowerment").options["min_valid"].default == 5


def test_file_and_dict_with_same_content_are_identical(example_file):
    import yaml

    ins.register_scale(example_file)
    assert ins.register_scale(yaml.safe_load(example_file.read_text(encoding="utf-8"))) == "jh_empowerment"


def test_builtin_id_cannot_be_registered():
    with pytest.raises(ins.SpecError, match="'who5' is a built-in instrument id"):
        ins.register_scale(base(id="who5"))


@pytest.mark.parametrize(
    "changes, key, text",
    [({"aggregation": "median"}, "aggregation", "'median' is not one of mean, sum, percent"),
     ({"reverse": [2, 9]}, "reverse", r"item number\(s\) \[9\] outside 1..4"),
     ({"min_valid": 5}, "min_valid", "5 is outside 1..4"),
     ({"status": "unknown"}, "status", "is not one of verified, recalled, open"),
     ({"dont_know_code": 3}, "dont_know_code", "3 is also an answer code"),
     ({"codes": {1: "only"}}, "codes", "at least two integer codes"),
     ({"id": "Bad-Id"}, "id", "lower-case letters"),
     ({"id": "scale_01"}, "id", "not end in _<digits>"),
     ({"levels": [{"name": "low", "max": 3}, {"name": "mid", "max": 2}, {"name": "high"}]}, "levels", "must increase"),
     ({"levels": [{"name": "low", "max": 3}, {"name": "high", "max": 4}]}, "levels", "must not have a max"),
     ({"levels": [{"name": "low"}, {"name": "high"}]}, "levels", "needs a numeric max"),
     ({"doi": "not a doi"}, "doi", "expected null or a DOI"),
     ({"name": {"sv": "x"}}, "name", r"expected \{sv: ..., en: ...\}"),
     ({"n_items": "8"}, "n_items", "expected an integer"),
     ({"aggregaton": "mean"}, "aggregaton", "unknown key \\(did you mean 'aggregation'\\?\\)")],
)
def test_validation_errors_name_the_key(changes, key, text):
    with pytest.raises(ins.SpecError, match=f"^<dict>: key '{key}': .*{text}") as exc:
        ins.register_scale(base(**changes))
    assert exc.value.key == key and isinstance(exc.value, ValueError)


def test_missing_required_key_and_file_name_in_message(tmp_path):
    p = tmp_path / "broken.yaml"
    p.write_text(EXAMPLE.format(id="x_scale").replace("aggregation: mean", ""), encoding="utf-8")
    with pytest.raises(ins.SpecError, match=r"broken\.yaml: key 'aggregation': required key is missing"):
        ins.load_scale(p)
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ins.SpecError, match=r"bad\.yaml: not valid YAML"):
        ins.load_scale(bad_yaml)
    with pytest.raises(ins.SpecError, match="file not found"):
        ins.load_scale(tmp_path / "nope.yaml")


def test_optional_keys_default():
    d = base()
    for k in ["doi", "dont_know_code", "reverse", "levels", "higher_is_better"]:
        d.pop(k)
    sid = ins.register_scale(d)
    assert ins.spec(sid).reverse == () and ins.spec(sid).dont_know_code is None


@pytest.mark.parametrize("aggregation, expected", [("mean", 2.5), ("sum", 10.0), ("percent", 50.0)])
def test_aggregations(aggregation, expected):
    sid = ins.register_scale(base(id=f"t_{aggregation}", aggregation=aggregation, reverse=[]))
    out = ins.score(sid, frame(sid, 4, [1, 2, 3, 4]))
    assert out[f"{sid}_score"].iloc[0] == pytest.approx(expected)
    meta = ins.outputs(sid).set_index("column").loc[f"{sid}_score"]
    assert (meta["min"], meta["max"]) == {"mean": (1, 4), "sum": (4, 16), "percent": (0, 100)}[aggregation]


def test_sum_is_prorated_when_items_missing():
    sid = ins.register_scale(base(id="t_sum", aggregation="sum", reverse=[]))
    out = ins.score(sid, frame(sid, 4, [4, 4, 1, np.nan]))
    assert out[f"{sid}_score"].iloc[0] == pytest.approx(9 / 3 * 4)


def test_levels_dont_know_and_reverse():
    sid = ins.register_scale(base(id="t_lv", dont_know_code=9, reverse=[2],
                                  levels=[{"name": "low", "max": 2}, {"name": "medium", "max": 3}, {"name": "high"}]))
    out = ins.score(sid, frame(sid, 4, [2, 3, 2, 2], [3, 2, 3, 3], [4, 1, 4, 9], [9, 9, 4, 4]))
    # row 0: 2, (5-3)=2, 2, 2 -> 2.0 (low, bound inclusive); row 1: 3 (medium); row 2: dk -> mean of 4, 4, 4
    assert out["t_lv_score"].tolist()[:3] == [2.0, 3.0, 4.0]
    assert out["t_lv_level"].tolist()[:3] == ["low", "medium", "high"]
    assert np.isnan(out["t_lv_score"].iloc[3])
    assert out["t_lv_n_dont_know"].tolist() == [0, 0, 1, 2]
    assert out["t_lv_n_valid"].tolist() == [4, 4, 3, 2]
    assert list(out["t_lv_level"].cat.categories) == ["low", "medium", "high"]
    meta = ins.outputs(sid)
    assert list(meta["column"]) == ["t_lv_score", "t_lv_level", "t_lv_n_valid", "t_lv_n_dont_know"]
    with pytest.raises(ins.ItemError, match=r"t_lv_01: codes outside the allowed ones \(above 4\) in 1 row; allowed 1–4; don't know 9"):
        ins.score(sid, frame(sid, 4, [5, 1, 1, 1]))


def test_min_valid_option_overrides_the_file():
    sid = ins.register_scale(base(id="t_mv"))
    x = frame(sid, 4, [1, 1, np.nan, np.nan])
    assert np.isnan(ins.score(sid, x)[f"{sid}_score"].iloc[0])
    assert ins.score(sid, x, min_valid=2)[f"{sid}_score"].iloc[0] == pytest.approx(2.5)


def test_non_contiguous_codes():
    sid = ins.register_scale(base(id="t_nc", codes={0: "no", 2: "some", 4: "yes"}, reverse=[1]))
    out = ins.score(sid, frame(sid, 4, [0, 2, 4, 4]))
    assert out[f"{sid}_score"].iloc[0] == pytest.approx((4 + 2 + 4 + 4) / 4)
    with pytest.raises(ins.ItemError, match="allowed 0, 2, 4"):
        ins.score(sid, frame(sid, 4, [1, 2, 4, 4]))
