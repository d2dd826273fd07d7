"""A wave delivered as Swedish Excel CSV (codes, no value labels) through the whole pipeline:
with ``value_labels`` in study.yaml it gives the same Table 1 as the SPSS wave; without them
the blocking ``categories_consistent`` check stops the run (issue 16: Table 1 used to show
"1" and "Kvinna" as two categories with exit status 0)."""

from __future__ import annotations

import shutil

import pandas as pd
import pyreadstat
import pytest
import yaml

pytestmark = pytest.mark.slow


def _excel_csv_t2(study_dir) -> dict:
    """Replace T2's .sav by the Swedish Excel export of the same data (cp1252, ';', decimal
    comma, CRLF, covariates as codes); returns the covariates' value labels as study.yaml
    would declare them (canonical name -> {code: label})."""
    cfg = yaml.safe_load((study_dir / "study.yaml").read_text(encoding="utf-8"))
    t2 = next(w for w in cfg["waves"] if w["id"] == "T2")
    sav = study_dir / t2["file"]
    df, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    for c in df.columns:
        if pd.api.types.is_float_dtype(df[c]) and (df[c].dropna() == df[c].dropna().round()).all():
            df[c] = df[c].astype("Int64")
        elif not pd.api.types.is_numeric_dtype(df[c]) and df[c].map(lambda v: hasattr(v, "isoformat")).any():
            df[c] = pd.to_datetime(df[c]).dt.strftime("%Y-%m-%d")
    csv = sav.with_suffix(".csv")
    df.to_csv(csv, sep=";", decimal=",", lineterminator="\r\n", encoding="cp1252", index=False)
    sav.unlink()
    t2["file"] = t2["file"].replace(".sav", ".csv")
    t2["encoding"] = "cp1252"
    (study_dir / "study.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {cov: {int(k): lab for k, lab in meta.variable_value_labels[raw].items() if int(k) != 9}
            for raw, cov in t2["covariates"].items()}


@pytest.fixture(scope="module")
def spss_run(small_png_study_template, tmp_path_factory, pipeline_env_class):
    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("spss_run")
    study_dir = root / "study"
    shutil.copytree(small_png_study_template, study_dir)
    env = pipeline_env_class(study_dir, root, mp)
    try:
        report = env.run()
        assert report.success, report.lines
        return env
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def spss_table1(spss_run):
    return pd.read_parquet(spss_run.out / "data" / "processed" / "table1.parquet")


def test_every_wave_has_a_published_codebook_without_ids(spss_run, all_wave_ids):
    from publishing import disclosure

    folder = spss_run.out / "reports" / "2025" / "codebook"
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(f"codebook_{w}.{ext}" for w in ("T0", "T1", "T2") for ext in ("csv", "html", "en.html"))
    assert disclosure.scan_for_ids(sorted(folder.iterdir()), all_wave_ids) == []
    for w in ("T0", "T1", "T2"):
        t = pd.read_csv(folder / f"codebook_{w}.csv", keep_default_na=False, na_values=[""])
        assert disclosure.audit_table(t, 5, w) == []
        assert "Kvinna" in set(t["value_label"]) and (t["note"] == "pseudonym").sum() == 1


@pytest.fixture(scope="module")
def all_wave_ids(small_study_template) -> list[str]:
    ids = []
    for f in sorted((small_study_template / "waves").glob("*.sav")):
        df, _ = pyreadstat.read_sav(str(f))
        ids += df.iloc[:, 0].astype(str).tolist()
    return ids


def test_excel_csv_wave_with_value_labels_gives_the_same_table1(pipeline_env, spss_table1):
    labels = _excel_csv_t2(pipeline_env.study_dir)
    cfg = yaml.safe_load(pipeline_env.config.read_text(encoding="utf-8"))
    cfg["value_labels"] = {cov: {code: {"sv": lab, "en": lab} for code, lab in codes.items()}
                           for cov, codes in labels.items()}
    pipeline_env.config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = pipeline_env.run(targets=["table1"])      # (table1 and what it needs: no figures, no report)
    assert report.success, "\n".join(report.lines)
    assert "evaluation_report" not in report.materialised
    got = pd.read_parquet(pipeline_env.out / "data" / "processed" / "table1.parquet")
    pd.testing.assert_frame_equal(got, spss_table1, check_dtype=False)
    assert not got["level"].dropna().isin(["1", "2", "3"]).any()


def test_excel_csv_wave_without_value_labels_is_blocked(pipeline_env):
    _excel_csv_t2(pipeline_env.study_dir)
    report = pipeline_env.run()
    assert not report.success
    failed = dict(report.failed_checks)
    assert "panel:categories_consistent" in failed, report.lines
    text = failed["panel:categories_consistent"]
    assert "3 of 3 categories of gender in T2 do not occur in T0/T1 (codes without value labels?)" in text
    assert "jh_T2_dec2025.csv" in text and "value_labels" in text
    assert not (pipeline_env.out / "data" / "processed" / "table1.parquet").exists()
    assert not list((pipeline_env.out / "reports").rglob("report*.html")) if (pipeline_env.out / "reports").exists() \
        else True


def test_validate_reports_the_same_category_problem_and_the_reading_notes(small_study):
    """`python -m pipelines validate` runs the same category check, before anything runs."""
    from survey.validate import run_validation

    labels = _excel_csv_t2(small_study)
    report = run_validation(small_study / "study.yaml")
    cats = [f for f in report.findings if f.check == "categories_consistent"]
    assert cats and all(f.wave == "T2" and f.severity == "error" for f in cats)
    assert {f.variable for f in cats} >= {"bg_kon -> gender", "bg_utb -> education"}
    assert any(f.check == "reading" and "semicolons" in f.message for f in report.findings)
    cfg = yaml.safe_load((small_study / "study.yaml").read_text(encoding="utf-8"))
    cfg["value_labels"] = labels
    (small_study / "study.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
    report = run_validation(small_study / "study.yaml")
    assert not [f for f in report.findings if f.check == "categories_consistent"], report.render()
    assert report.ok, report.render()
