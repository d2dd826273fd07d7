"""Tests of the synthetic example-study generator (no Dagster)."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from studyconfig.config import load_config
from tools import example_study as es

SMALL = {"participants": 40, "seed": 7, "truth_n": 4_000}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    es.generate_study(out, **SMALL)
    return out


@pytest.fixture(scope="module")
def default(tmp_path_factory) -> Path:
    """The default study (250 participants, seed 2023); smaller truth cohort for speed."""
    out = tmp_path_factory.mktemp("default")
    es.generate_study(out, participants=250, seed=2023, truth_n=20_000)
    return out


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical items with the questionnaire's missing codes set to NaN."""
    out = df[es.ITEMS].astype(float).copy()
    for item in es.ITEMS:
        codes = [998, 999] if item == "eq5d5l_vas" else [5, 9] if item in es.HLS else [8, 9]
        out[item] = out[item].where(~out[item].isin(codes))
    return out


def _waves(root: Path) -> dict[str, pd.DataFrame]:
    cfg = load_config(root / "study.yaml")
    out = {}
    for w in cfg.waves:
        df, _ = pyreadstat.read_sav(cfg.wave_path(w.id), user_missing=True)
        out[w.id] = df.rename(columns={**w.mapping, **w.covariates, w.id_variable: "participant_id"})
    return out


# -- determinism and layout -------------------------------------------------------------


def test_same_arguments_give_identical_bytes(small, tmp_path):
    time.sleep(1.1)  # a different wall-clock second: the .sav header time must not leak in
    paths = es.generate_study(tmp_path, **SMALL)
    assert _files(tmp_path) == _files(small)
    assert set(paths) == {"wave_T0", "wave_T1", "wave_T2", "attendance", "scale", "study",
                          "ground_truth", "readme", "partner_2024", "partner_2025", "text_bakgrund", "text_background"}
    assert all(p.exists() for p in paths.values())


def test_other_seed_gives_other_data(small, tmp_path):
    es.generate_study(tmp_path, **{**SMALL, "seed": 8})
    a, b = _files(small), _files(tmp_path)
    assert a["waves/jh_T0_hosten2023.sav"] != b["waves/jh_T0_hosten2023.sav"]
    assert a["study.yaml"] == b["study.yaml"]  # the configuration does not depend on the seed


def test_sav_header_timestamp_is_fixed_from_wave_date(small):
    header = (small / "waves" / "jh_T0_hosten2023.sav").read_bytes()[:176]
    assert header[:4] == b"$FL2"
    assert header[92:109] == b"05 Nov 2312:00:00"  # T0 date + 21 days, noon


def test_config_loads_and_maps_every_item(small):
    cfg = load_config(small / "study.yaml")
    assert cfg.wave_ids == ["T0", "T1", "T2"]
    assert cfg.study.id_pattern == es.ID_PATTERN
    assert cfg.analysis.comparisons == [("T0", "T1"), ("T0", "T2")]
    assert cfg.analysis.eq5d_value_set == "SE_Sun2022"
    assert cfg.recurring.definition == "attendance" and cfg.recurring.min_visits_per_week == 1.0
    assert cfg.scale_paths() == [(small / "scales" / "jh_empowerment.yaml").resolve()]
    assert set(cfg.analysis.outcomes) == set(es.OUTCOMES)
    for w in cfg.waves:
        assert sorted(w.mapping.values()) == sorted(es.ITEMS)
        assert sorted(w.covariates.values()) == sorted(es.COVARIATES)
        assert w.instruments == es.INSTRUMENTS
        _, meta = pyreadstat.read_sav(cfg.wave_path(w.id), metadataonly=True)
        assert {w.id_variable, *w.mapping, *w.covariates} <= set(meta.column_names)
        vas = next(raw for raw, item in w.mapping.items() if item == "eq5d5l_vas")
        assert w.missing_codes.for_variable(vas) == {998: "dont_know", 999: "no_answer"}
        hls = next(raw for raw, item in w.mapping.items() if item == "hls_eu_q16_01")
        assert w.missing_codes.for_variable(hls) == {5: "dont_know", 9: "no_answer"}
        assert w.missing_codes.default == {8: "dont_know", 9: "no_answer"}
        # a few administrative variables stay unmapped
        assert len(set(meta.column_names) - {w.id_variable, *w.mapping, *w.covariates}) >= 2


def test_raw_names_differ_between_waves(small):
    cfg = load_config(small / "study.yaml")
    raw_of = {w.id: {item: raw for raw, item in w.mapping.items()} for w in cfg.waves}
    for item in es.ITEMS:
        names = [raw_of[w][item] for w in cfg.wave_ids]
        assert len(set(names)) == 3, (item, names)
    assert len({w.id_variable for w in cfg.waves}) == 3
    assert [raw_of[w]["hls_eu_q16_03"] for w in cfg.wave_ids] == ["f12_3", "hl_3", "q2_hls03"]


def test_scale_file_has_the_agreed_format(small):
    text = (small / "scales" / "jh_empowerment.yaml").read_text(encoding="utf-8")
    assert text == es.EMPOWERMENT_SCALE_YAML
    spec = yaml.safe_load(text)
    assert list(spec) == ["id", "version", "name", "citation", "doi", "licence", "status", "n_items",
                          "codes", "dont_know_code", "reverse", "aggregation", "min_valid", "levels",
                          "higher_is_better"]
    assert spec["id"] == "jh_empowerment" and spec["version"] == "1.0"
    assert spec["reverse"] == [3, 6] and spec["min_valid"] == 6 and spec["n_items"] == 8


# -- SPSS files ---------------------------------------------------------------------------


def test_sav_files_carry_labels_and_user_missing(small):
    cfg = load_config(small / "study.yaml")
    for w in cfg.waves:
        df, meta = pyreadstat.read_sav(cfg.wave_path(w.id), user_missing=True)
        labels = meta.column_names_to_labels
        for raw, item in w.mapping.items():
            assert labels[raw], raw
            vl = meta.variable_value_labels[raw]
            ranges = meta.missing_ranges[raw]
            declared = {v for r in ranges for v in np.arange(r["lo"], r["hi"] + 1)}
            if item == "eq5d5l_vas":
                assert declared == {998, 999} and vl[998.0] == "Vet ej" and vl[999.0] == "Ej svar"
                valid = df[raw][~df[raw].isin([998, 999])]
                assert valid.between(0, 100).all()
            elif item.startswith("hls_eu_q16_"):
                assert declared == {5, 9} and vl[5.0] == "Vet ej" and vl[1.0] == "Mycket svårt"
                assert set(df[raw].unique()) <= {1, 2, 3, 4, 5, 9}
            else:
                assert declared == {8, 9} and vl[8.0] == "Vet ej" and vl[9.0] == "Ej svar"
        for raw, cov in w.covariates.items():
            assert meta.variable_value_labels[raw], raw
            assert set(df[raw].unique()) <= set(es.COVARIATE_CODES[cov]) | {9}
        assert labels[w.id_variable] == "Studiekod (pseudonym)"
    _, meta = pyreadstat.read_sav(cfg.wave_path("T0"), metadataonly=True)
    assert meta.column_names_to_labels["f15_1"].endswith("Jag kan påverka beslut som rör min hälsa")
    assert meta.variable_value_labels["f6"][1.0] == "Munhälsa och kost"


def test_item_codes_respect_each_instrument(small):
    allowed = {"whoqol_bref": range(1, 6), "eq5d5l": range(1, 6), "hls_eu_q16": range(1, 5),
               "who5": range(0, 6), "gse": range(1, 5), "srh": range(1, 6), "jh_empowerment": range(1, 6)}
    for wave, df in _waves(small).items():
        for item in es.ITEMS:
            if item == "eq5d5l_vas":
                continue
            inst = item.rsplit("_", 1)[0]
            miss = {5, 9} if inst == "hls_eu_q16" else {8, 9}
            assert set(df[item].unique()) <= set(allowed[inst]) | miss, (wave, item)


def test_negative_items_run_against_their_domain(default):
    """WHOQOL Q3, Q4, Q26 and empowerment 3, 6 are negatively worded: raw codes correlate
    negatively with the rest of their scale; self-rated health 1 = very good."""
    items = _clean(_waves(default)["T0"])
    phys = items[[f"whoqol_bref_{i}" for i in (10, 15, 16, 17, 18)]].mean(axis=1)
    psych = items[[f"whoqol_bref_0{i}" for i in (5, 6, 7)]].mean(axis=1)
    emp = items[[f"jh_empowerment_0{i}" for i in (1, 2, 4, 5, 7, 8)]].mean(axis=1)
    assert items["whoqol_bref_03"].corr(phys) < -0.2
    assert items["whoqol_bref_04"].corr(phys) < -0.2
    assert items["whoqol_bref_26"].corr(psych) < -0.2
    assert items["jh_empowerment_03"].corr(emp) < -0.1
    assert items["jh_empowerment_06"].corr(emp) < -0.1
    assert items["srh_01"].corr(items["eq5d5l_vas"]) < -0.2


def test_item_nonresponse_is_a_few_percent(default):
    t0 = _waves(default)["T0"]
    hls_dk = (t0[es.HLS] == 5).mean()
    assert 0.01 < hls_dk.mean() < 0.10
    other = t0[es.WHOQOL + es.WHO5 + es.GSE].isin([8, 9]).mean()
    assert 0.0 < other.mean() < 0.06
    assert (t0[es.WHOQOL] == 8).any().any()


# -- pseudonyms, waves, attendance ---------------------------------------------------------


def test_ids_are_random_pseudonyms_consistent_across_files(small):
    waves = _waves(small)
    att = pd.read_csv(small / "attendance.csv", dtype="string")
    assert list(att.columns) == ["participant_id", "workshop", "visit_date"]
    all_ids = set(att["participant_id"])
    for df in waves.values():
        ids = df["participant_id"]
        assert ids.is_unique
        assert ids.str.fullmatch(es.ID_PATTERN[1:-1]).all()
        assert set(ids) <= all_ids  # every respondent is in the attendance register
    t0 = set(waves["T0"]["participant_id"])
    assert set(waves["T1"]["participant_id"]) & t0  # recurring codes are reused
    assert set(waves["T1"]["participant_id"]) - t0  # and new respondents join
    # not sequential: as base-36 numbers the sorted codes are far apart
    values = sorted(int(i[3:], 36) for i in all_ids)
    assert np.diff(values).min() > 1
    assert not re.search(r"JH-0000", " ".join(all_ids))


def test_attendance_register_covers_the_study_period(small):
    att = pd.read_csv(small / "attendance.csv")
    dates = pd.to_datetime(att["visit_date"], format="%Y-%m-%d")
    assert dates.min() >= pd.Timestamp("2023-09-01") and dates.max() <= pd.Timestamp("2025-12-31")
    assert dates.min() < pd.Timestamp("2023-10-01") and dates.max() > pd.Timestamp("2025-11-30")
    assert set(att["workshop"]) <= set(es.COVARIATE_CODES["workshop"].values())
    assert not att.duplicated().any()


def test_default_study_has_about_160_recurring_participants(default):
    waves = _waves(default)
    att = pd.read_csv(default / "attendance.csv")
    t0 = set(waves["T0"]["participant_id"])
    assert len(t0) == 250
    for post in ("T1", "T2"):
        rate = es.visits_per_week(att, es.WAVE_DATES["T0"], es.WAVE_DATES[post])
        recurring = {i for i in t0 if rate.get(i, 0) > 1.0}
        assert 140 <= len(recurring) <= 180
        # recurring participants clearly attend > 1/week, others clearly less
        others = [rate.get(i, 0) for i in t0 - recurring]
        assert min(rate[i] for i in recurring) > 1.05 and max(others) < 0.95
        pairs = recurring & set(waves[post]["participant_id"])
        assert 80 <= len(pairs) <= 130


def test_attrition_is_realistic_and_depends_on_baseline_health(default):
    waves = _waves(default)
    t0 = _clean(waves["T0"]).set_index(waves["T0"]["participant_id"])
    srh = t0["srh_01"]
    who5 = t0[es.WHO5].sum(axis=1, min_count=5) * 4
    for post in ("T1", "T2"):
        stayed = t0.index.isin(waves[post]["participant_id"])
        attrition = 1 - stayed.mean()
        assert 0.25 <= attrition <= 0.45, (post, attrition)
        # drop-outs had worse baseline health (srh: 1 = very good ... 5 = very poor)
        assert srh[~stayed].mean() > srh[stayed].mean() + 0.15
        assert who5[~stayed].mean() < who5[stayed].mean()


# -- ground truth --------------------------------------------------------------------------


def test_ground_truth_is_complete(default):
    truth = yaml.safe_load((default / "ground_truth.yaml").read_text(encoding="utf-8"))
    assert "method" in truth and truth["truth_n"] == 20_000
    eff = pd.DataFrame(truth["effects"])
    assert set(zip(eff["outcome"], eff["post"], strict=True)) == {(o, p) for o in es.OUTCOMES for p in ("T1", "T2")}
    assert (eff["pre"] == "T0").all()
    numeric = ["true_mean_change", "monte_carlo_se", "expected_change_observed_pairs", "mean_pre", "sd_change"]
    assert np.isfinite(eff[numeric].to_numpy(dtype=float)).all()
    t = eff.set_index(["outcome", "post"])["true_mean_change"]
    assert t["whoqol_bref_social_100", "T1"] == 0 and t["whoqol_bref_social_100", "T2"] == 0
    expected = {"who5_percent": (6, 8), "hls_eu_q16_score": (1.0, 1.5), "eq5d5l_index": (0.015, 0.02),
                "eq5d5l_vas": (3, 4), "gse_score": (1.1, 1.5), "jh_empowerment_score": (0.22, 0.30),
                "whoqol_bref_psychological_100": (4, 5), "whoqol_bref_physical_100": (2, 3),
                "whoqol_bref_environment_100": (1.5, 2)}
    for outcome, (t1, t2) in expected.items():
        assert t[outcome, "T1"] == pytest.approx(t1, rel=0.1), outcome
        assert t[outcome, "T2"] == pytest.approx(t2, rel=0.1), outcome


def test_reference_scores_match_known_values():
    """The ground truth's own scorer: WHOQOL test vector and EQ-5D-5L Sun 2022 anchors."""
    items = {k: np.array([3, 4]) for k in es.ITEMS}  # WHOQOL: all 3 / all 4 except ...
    items["whoqol_bref_03"] = np.array([3, 2])
    items["whoqol_bref_04"] = np.array([3, 1])
    items["whoqol_bref_26"] = np.array([3, 2])
    for d in es.EQ5D_DIMS:  # states 22222 and 33333
        items[f"eq5d5l_{d}"] = np.array([2, 3])
    s = es._scores(items)
    assert s["whoqol_bref_physical_100"] == pytest.approx([50.0, 78.571428], abs=1e-5)
    assert s["whoqol_bref_psychological_100"] == pytest.approx([50.0, 75.0])
    assert s["whoqol_bref_social_100"] == pytest.approx([50.0, 75.0])
    assert s["eq5d5l_index"] == pytest.approx([0.896, 0.701], abs=1e-9)


def test_data_agree_with_ground_truth(default):
    """Observed mean WHO-5 change among recurring pairs lies near the true change."""
    waves = _waves(default)
    att = pd.read_csv(default / "attendance.csv")
    truth = pd.DataFrame(yaml.safe_load((default / "ground_truth.yaml").read_text(encoding="utf-8"))["effects"])
    t = truth.set_index(["outcome", "post"])["true_mean_change"]

    def who5(df):
        x = _clean(df).set_index(df["participant_id"])[es.WHO5]
        return (x.sum(axis=1, min_count=5) * 4).dropna()

    for post in ("T1", "T2"):
        rate = es.visits_per_week(att, es.WAVE_DATES["T0"], es.WAVE_DATES[post])
        change = (who5(waves[post]) - who5(waves["T0"])).dropna()
        change = change[change.index.map(lambda i, rate=rate: rate.get(i, 0) > 1.0)]
        se = change.std() / np.sqrt(len(change))
        assert abs(change.mean() - t["who5_percent", post]) < 3 * se


def test_readme_names_the_command(default):
    text = (default / "README.md").read_text(encoding="utf-8")
    assert "python -m tools.example_study --participants 250 --seed 2023" in text
    assert "syntetiska" in text and "synthetic" in text


def test_cli_writes_the_study(tmp_path, capsys):
    assert es.main(["--participants", "20", "--seed", "3", "--out", str(tmp_path), "--truth-n", "1000"]) == 0
    assert (tmp_path / "study.yaml").exists() and "attendance" in capsys.readouterr().out
    with pytest.raises(ValueError):
        es.generate_study(tmp_path, participants=5)
