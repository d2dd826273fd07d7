"""Publishing assets end to end on the small synthetic study: reports in both languages
and formats, the provenance manifest of the atomic release, disclosure control (no
pseudonym anywhere under reports/, statistics that are counts never printed, a tampered
table blocks), LibreOffice opens the Word file, and a forced re-run materialises every asset
again and gives byte-identical outputs."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

YEAR = "2025"


@pytest.fixture(scope="module")
def published(small_run, run_copier, tmp_path_factory):
    """A private copy of the session's small-study run (shared by this module's tests)."""
    with pytest.MonkeyPatch.context() as mp:
        yield run_copier(small_run, tmp_path_factory.mktemp("publishing"), mp)


def _ids(env) -> set[str]:
    ids = set()
    for f in (env.out / "data" / "interim" / "harmonised_wave").glob("*.parquet"):
        ids |= set(pd.read_parquet(f)["participant_id"].dropna().astype(str))
    return ids


def _hashes(year_dir):
    return {p.relative_to(year_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(year_dir.rglob("*")) if p.is_file() and p.name != "manifest.json"}


def test_reports_exist_in_both_languages_and_formats(published):
    year_dir = published.out / "reports" / YEAR
    for name in ("report.html", "report.en.html", "report.docx", "report.en.docx", "manifest.json"):
        assert (year_dir / name).stat().st_size > 1000, name
    sv = (year_dir / "report.html").read_text(encoding="utf-8")
    en = (year_dir / "report.en.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in sv and "Sammanfattning" in sv and 'href="report.en.html"' in sv
    assert '<html lang="en">' in en and "Limitations" in en
    assert "= < " not in sv and "p = <" not in en
    for stem in ("participant_flow", "change_over_waves", "effect_sizes_forest", "distributions",
                 "health_literacy_levels", "eq5d_profile", "eq5d_problems", "eq5d_pchc", "responders", "model_means",
                 "dose_response"):
        for lang in ("sv", "en"):
            for ext in ("png", "svg", "pdf"):
                assert (year_dir / "figures" / f"{stem}_{lang}.{ext}").exists(), (stem, lang, ext)
        assert f'src="figures/{stem}_sv.png"' in sv
    assert not (year_dir / "internal").exists()          # allow_internal_outputs is false by default
    assert not (published.out / "reports" / "internal").exists()
    from docx import Document

    doc = Document(str(year_dir / "report.docx"))
    # 11 + the partner survey's figure + the provenance picture of the appendix
    assert len(doc.tables) >= 8 and len(doc.inline_shapes) == 13


def test_manifest_records_inputs_code_and_outputs(published):
    year_dir = published.out / "reports" / YEAR
    m = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    roles = {i["role"] for i in m["inputs"]}
    assert {"configuration", "wave T0", "wave T1", "wave T2", "attendance register"} <= roles
    assert all(len(i["sha256"]) == 64 for i in m["inputs"])
    assert len(m["config_sha256"]) == 64
    assert set(m["git"]) == {"commit", "dirty"}
    assert m["requirements_lock_sha256"] is None or len(m["requirements_lock_sha256"]) == 64
    assert m["packages"]["python"].startswith("3.") and m["packages"]["dagster"] == "1.13.27"
    assert m["eq5d_value_sets"]["used"] in m["eq5d_value_sets"]["available"]
    assert {i["id"] for i in m["instruments"]} >= {"eq5d5l", "who5"} and all(i["version"] for i in m["instruments"])
    assert m["run_id"] and m["generated_at"]
    assert m["outputs"] == _hashes(year_dir)


def test_no_participant_id_in_any_published_file(published):
    from publishing import disclosure

    ids = _ids(published)
    assert len(ids) > 50
    files = [p for p in (published.out / "reports").rglob("*") if p.is_file()]
    assert any(p.suffix == ".docx" for p in files)
    assert disclosure.scan_for_ids(files, ids) == []
    assert disclosure.audit_tables(published.out / "reports" / YEAR / "tables", 5) == []


def test_tampered_table_fails_the_blocking_check(published):
    import dagster as dg

    from pipelines.assets import publishing
    from pipelines.definitions import ASSET_CHECKS, ASSETS, build_resources

    path = published.out / "reports" / ".staging" / YEAR / "tables" / "prepost_tests.csv"
    original = path.read_bytes()
    try:
        t = pd.read_csv(path)
        t.loc[0, "n"] = 3
        t.loc[0, "suppressed"] = False
        t.to_csv(path, index=False)
        result = dg.materialize([*ASSETS, *ASSET_CHECKS], selection=dg.AssetSelection.checks(
            publishing.report_disclosure), instance=dg.DagsterInstance.get(), resources=build_resources(),
            raise_on_error=False)
        evals = result.get_asset_check_evaluations()
        assert [e.passed for e in evals] == [False]
        assert "prepost_tests.csv" in evals[0].description
    finally:
        path.write_bytes(original)


def test_statistics_that_are_counts_are_never_printed(published):
    tables_dir = published.out / "reports" / YEAR / "tables"
    cc = pd.read_csv(tables_dir / "categorical_change.csv")
    assert cc.loc[cc["test"] == "mcnemar_exact", "statistic"].isna().all()
    tests = pd.read_csv(tables_dir / "prepost_tests.csv")
    assert not tests["method"].str.contains("non-zero").any()
    for name in ("report.html", "report.en.html"):
        assert "non-zero" not in (published.out / "reports" / YEAR / name).read_text(encoding="utf-8")


def test_every_published_table_passes_the_release_audit(published):
    from publishing import disclosure

    tables_dir = published.out / "reports" / YEAR / "tables"
    names = {p.stem for p in tables_dir.glob("*.csv")}
    assert {"table1", "participant_flow", "prepost_tests", "attrition", "sensitivity_estimates",
            "subgroup_estimates", "eq5d_auc", "collected_categories"} <= names
    assert disclosure.audit_tables(tables_dir, 5) == []
    # all respondents vs recurring participants: no published difference of 1 … 4 persons
    ws = pd.read_csv(tables_dir / "wave_summaries.csv")
    wide = ws.pivot_table(index=["outcome", "wave"], columns="population", values="n")
    diff = (wide["all"] - wide["recurring"]).dropna()
    assert not ((diff >= 1) & (diff <= 4)).any()


@pytest.mark.libreoffice
def test_libreoffice_opens_the_word_report(published, tmp_path):
    year_dir = published.out / "reports" / YEAR
    for name in ("report.docx", "report.en.docx"):
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                        "pdf", "--outdir", str(tmp_path), str(year_dir / name)], check=True, timeout=300,
                       capture_output=True)
        pdf = tmp_path / name.replace(".docx", ".pdf")
        assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 50_000


def test_forced_rerun_rematerialises_everything_and_gives_identical_bytes(published):
    year_dir = published.out / "reports" / YEAR
    before = _hashes(year_dir)
    manifest_before = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    again = published.run(force=True)
    assert again.success, again.lines
    assert sorted(again.materialised) == sorted(published.first.materialised)
    after = _hashes(year_dir)
    assert {p.rsplit(".", 1)[-1] for p in after} >= {"csv", "svg", "png", "pdf", "html", "docx"}
    changed = sorted(p for p in before if before[p] != after.get(p))
    assert changed == [] and set(before) == set(after)
    manifest_after = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest_after["run_id"] != manifest_before["run_id"]


def test_internal_outputs_only_when_allowed_and_kept_apart(copied_small_run):
    pipeline_env = copied_small_run
    import dagster as dg
    import yaml

    cfg = yaml.safe_load(pipeline_env.config.read_text(encoding="utf-8"))
    cfg["publishing"]["allow_internal_outputs"] = True
    pipeline_env.config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = pipeline_env.run()
    assert report.success, report.lines
    year = pipeline_env.out / "reports" / YEAR
    internal = sorted(p.name for p in (pipeline_env.out / "reports" / "internal" / YEAR).iterdir())
    assert {"individual_trajectories_sv.png", "individual_trajectories_en.pdf"} <= set(internal)
    assert not list((year / "figures").glob("individual_trajectories*"))      # never among published figures
    assert not (year / "internal").exists()
    assert "individual_trajectories" not in (year / "report.html").read_text(encoding="utf-8")
    # the internal figure's metadata carries paths only, no thumbnail of individual values
    rec = dg.DagsterInstance.get().fetch_materializations(
        dg.AssetKey("figure_individual_trajectories"), limit=1).records[0]
    meta = rec.event_log_entry.asset_materialization.metadata
    assert "base64" not in str(meta.get("preview", ""))
    # the disclosure check on the report passed although internal/ holds individual values
    assert not [c for c, _ in report.failed_checks if "disclosure" in c]


def _identifiers(html_text: str) -> list[tuple[str, str, list[str]]]:
    """(asset, short sha256, drawn from) of every caption's identifier in a report."""
    import re

    out = []
    for m in re.finditer(r'<span class="srcid">(.*?)</span>', html_text, flags=re.S):
        codes = re.findall(r"<code>(.*?)</code>", m.group(1))
        sha = codes[1] if len(codes) > 1 and re.fullmatch(r"[0-9a-f]{12}", codes[1]) else ""
        out.append((codes[0], sha, codes[2:] if sha else codes[1:]))
    return out


def test_every_published_output_is_in_the_report_and_named_by_its_caption(published):
    """Issue 17: every published table (CSV of the release) appears in both reports, as a
    table or as the data of a figure; every table and figure caption names its asset and
    the first 12 hex digits of the sha256 of the released file; and each published table's
    data version in Dagster is the sha256 of its CSV, so the UI confirms the file."""
    import dagster as dg

    year_dir = published.out / "reports" / YEAR
    sha = {p: hashlib.sha256((year_dir / p).read_bytes()).hexdigest()
           for p in [*(f"tables/{c.name}" for c in (year_dir / "tables").glob("*.csv")),
                     *(f"figures/{c.name}" for c in (year_dir / "figures").glob("*.png"))]}
    tables = sorted(p[7:-4] for p in sha if p.startswith("tables/"))
    assert "prepost_tests" in tables and "partner_scale_summary" in tables
    for lang, name in (("sv", "report.html"), ("en", "report.en.html")):
        ids = _identifiers((year_dir / name).read_text(encoding="utf-8"))
        shown = {a for a, _, _ in ids} | {d for _, _, drawn in ids for d in drawn}
        missing = [t for t in tables if f"published/{t}" not in shown]
        assert not missing, (lang, missing)
        figures = [a for a, _, _ in ids if a.startswith("figure_")]
        assert len(figures) == 12, figures
        for asset, short, _ in ids:
            file = (f"figures/{asset.removeprefix('figure_')}_{lang}.png" if asset.startswith("figure_")
                    else f"tables/{asset.removeprefix('published/')}.csv")
            assert short and sha[file].startswith(short), (lang, asset, short)
    instance = dg.DagsterInstance.get()
    for t in tables:
        event = instance.get_latest_materialization_event(dg.AssetKey(["published", t]))
        assert event.asset_materialization.tags["dagster/data_version"] == sha[f"tables/{t}.csv"], t
        assert event.asset_materialization.metadata["output_sha256"].value == sha[f"tables/{t}.csv"], t
    # the report's metadata lists its numbered outputs with the same identifiers
    meta = instance.get_latest_materialization_event(dg.AssetKey("evaluation_report")).asset_materialization.metadata
    assert "`published/prepost_tests`" in meta["numbered_outputs"].value
    assert meta["n_figures"].value == 12          # (the provenance picture is the report asset's own)


def _report_language():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("report_language", Path(__file__).with_name("report_language.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_report_is_written_in_its_own_language(published):
    """Issue 17: no English words (from a stop list) in the Swedish report and no Swedish
    ones in the English report, outside citations, quoted originals, names the study
    configures and the provenance appendix (tests/assets/report_language.py)."""
    rl = _report_language()
    year_dir = published.out / "reports" / YEAR
    assert rl.foreign_words(year_dir / "report.html", "sv") == {}
    assert rl.foreign_words(year_dir / "report.en.html", "en") == {}
    # the check can fail: an English sentence in the Swedish report is found
    probe = year_dir.parent / "probe.html"
    probe.write_text((year_dir / "report.html").read_text(encoding="utf-8").replace(
        "<h2", "<p>The change was not adjusted for the family of tests.</p><h2", 1), encoding="utf-8")
    try:
        assert set(rl.foreign_words(probe, "sv")) == {"the", "change", "was", "not", "adjusted", "for", "family", "of"}
    finally:
        probe.unlink()


def test_editing_a_report_text_rebuilds_the_report_and_nothing_before_it(published):
    """Issue 17: the researchers' Markdown texts are inputs of the report only; the report
    is otherwise built on request (no eager automation)."""
    year_dir = published.out / "reports" / YEAR
    sv = (year_dir / "report.html").read_text(encoding="utf-8")
    for heading in ("Bakgrund och utvärderingsfrågor", "Utvärderingsfrågor", "Diskussion", "Slutsatser",
                    "Referenser", "minsta viktiga skillnaden", "Författare"):
        assert heading in sv, heading
    assert sv.count('class="placeholder"') == 2          # discussion and conclusions are not written yet
    text = published.study_dir / "texts" / "background.md"
    text.write_text("An edited background, written for this test.\n", encoding="utf-8")
    again = published.run()
    assert again.success, again.lines
    assert sorted(again.materialised) == ["evaluation_report", "published_release"], again.materialised
    assert "An edited background, written for this test." in (year_dir / "report.en.html").read_text(encoding="utf-8")
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    roles = {i["role"]: i["sha256"] for i in manifest["inputs"]}
    assert roles["report text background (en)"] == hashlib.sha256(text.read_bytes()).hexdigest()
    assert published.run().materialised == []


def test_no_release_past_a_failed_gate_even_when_launched_from_the_ui(copied_small_run):
    """After a good release, wave T0 is delivered again with a duplicated ID: the runner
    refuses (tests/ops/test_gates.py). The Dagster UI can still launch ``published_release``
    on its own (the asset, or cross_wave_job's launchpad): that run must fail at the gate,
    name the failed check (never a value), and leave the last release byte for byte."""
    import dagster as dg
    import pyreadstat
    import yaml

    from pipelines.definitions import defs
    from tools.example_study import rewrite_sav

    env = copied_small_run
    year_dir = env.out / "reports" / "2025"
    before = {p.relative_to(year_dir): p.read_bytes() for p in year_dir.rglob("*") if p.is_file()}
    t0 = next(w for w in yaml.safe_load(env.config.read_text(encoding="utf-8"))["waves"] if w["id"] == "T0")
    path = env.study_dir / t0["file"]
    pseudonym = str(pyreadstat.read_sav(str(path), row_limit=3)[0].loc[2, t0["id_variable"]])
    rewrite_sav(path, lambda df: df.__setitem__(t0["id_variable"], df[t0["id_variable"]].where(
        df.index != 3, pseudonym)))
    report = env.run()
    assert not report.success and "harmonised_wave:unique_participant_ids[T0]" in dict(report.failed_checks)

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("cross_wave_job").execute_in_process(
            asset_selection=[dg.AssetKey("published_release")], instance=instance, raise_on_error=False)
    assert not result.success
    errors = [e.event_specific_data.error.to_string() for e in result.all_events if e.is_step_failure]
    assert len(errors) == 1 and "not released: 1 blocking check(s)" in errors[0], errors
    assert "harmonised_wave[T0]:unique_participant_ids failed" in errors[0] and pseudonym not in errors[0]
    after = {p.relative_to(year_dir): p.read_bytes() for p in year_dir.rglob("*") if p.is_file()}
    assert after == before
