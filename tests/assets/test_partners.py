"""The partner surveys end to end on the session's small run (``small_run``: the small
generated study, whose partner surveys carry planted free text and respondent numbers,
``plant_partner_secrets`` in tests/conftest.py): the partner tables, the figure and the
report section in both languages; no partner group below k published; no free text
(nor respondent number) anywhere under reports/, in the stored tables or in the Dagster
instance; a changed partner file re-runs the partner chain and nothing else; and bad
partner files stopped at ingestion by the guard and the blocking checks."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.slow

YEAR = "2025"
PARTNER_TABLES = ("partner_respondents", "partner_scale_summary", "partner_group_summary", "partner_trend")
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@pytest.fixture
def run(small_run_env):
    """The session's small run (:func:`small_run`), whose partner surveys carry planted
    free text and respondent numbers (``.partner_secrets``: :func:`plant_partner_secrets`)."""
    return small_run_env


def _tables(env) -> dict[str, pd.DataFrame]:
    d = env.out / "reports" / YEAR / "tables"
    return {name: pd.read_csv(d / f"{name}.csv", dtype={"partner_group": "string"}) for name in PARTNER_TABLES}


def test_partner_tables_figure_and_section_in_both_languages(run):
    year_dir = run.out / "reports" / YEAR
    t = _tables(run)
    assert t["partner_respondents"].loc[t["partner_respondents"]["stratum"] == "total", "n"].tolist() == [26, 24]
    assert len(t["partner_scale_summary"]) == 14 and t["partner_scale_summary"]["alpha"].notna().all()
    assert len(t["partner_trend"]) == 7
    for lang in ("sv", "en"):
        for ext in ("png", "svg", "pdf"):
            assert (year_dir / "figures" / f"partner_scale_means_{lang}.{ext}").stat().st_size > 5_000
    sv = (year_dir / "report.html").read_text(encoding="utf-8")
    en = (year_dir / "report.en.html").read_text(encoding="utf-8")
    for html, heading, caveat in ((sv, "Partnerskap och egenmakt", "inte deltagarnas utfall"),
                                  (en, "Partnership and empowerment", "not the participants&#39; outcomes")):
        assert f'<h2 id="partnership">{heading}</h2>' in html and f'href="#partnership">{heading}' in html
        assert "doi:10.1002/ajcp.12503" in html and "Boursaw" in html and caveat in html
        assert 'src="figures/partner_scale_means_' in html
        section = html[html.index('id="partnership"'):html.index('id="limitations"')]
        assert section.count("<table") >= 4 and "<figure>" in section
    from docx import Document

    for name, heading in (("report.docx", "Partnerskap och egenmakt"),
                          ("report.en.docx", "Partnership and empowerment")):
        doc = Document(str(year_dir / name))
        assert heading in [p.text for p in doc.paragraphs]
    import json

    m = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {"partner survey 2024", "partner survey 2025"} <= {i["role"] for i in m["inputs"]}
    assert "e2_synergy" in {i["id"] for i in m["instruments"]} and m["publishing"]["k_min_partner"] == 5


def test_no_partner_group_below_k_is_published(run):
    k = 5
    t = _tables(run)
    g = t["partner_group_summary"]
    assert (g.loc[~g["suppressed"], "n"] >= k).all() and len(g.loc[~g["suppressed"]]) > 0
    assert g.loc[g["suppressed"], ["n", "mean", "sd"]].isna().all().all()
    r = t["partner_respondents"]
    parts = r[r["stratum"] != "total"]
    assert ((parts["n"] >= k) | (parts["n"] == 0) | parts["n"].isna()).all()
    # the raw group sizes: the small groups exist, and none of them is listed
    scored = pd.read_parquet(run.out / "data" / "interim" / "scored_partner_surveys.parquet")
    sizes = scored.groupby(["year", "partner_group"]).size()
    small = {(int(y), str(c)) for (y, c), n in sizes.items() if n < k}
    assert small
    listed = {(int(y), str(c)) for y, c in zip(g["year"], g["partner_group"])} | \
        {(int(y), str(c)) for y, c in zip(parts["year"], parts["partner_group"]) if pd.notna(c)}
    assert not small & listed
    from publishing import disclosure

    assert disclosure.audit_tables(run.out / "reports" / YEAR / "tables", k) == []


def _stored_texts(root: Path):
    """Every file under ``root`` as text: parquet tables decoded, the rest as bytes (zip
    members and PDF streams opened, as the release's scanner does)."""
    from publishing.disclosure import _texts

    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".parquet":
            yield p, pd.read_parquet(p).to_csv().encode("utf-8")
        else:
            for blob in _texts(p):
                yield p, blob


def test_no_free_text_or_respondent_number_anywhere(run):
    """Free text: in no file at all (it is dropped when the file is read). Respondent
    numbers: only in the two ingestion tables (for the duplicate check), nowhere else."""
    free = [s.split(" ")[0] for s in run.partner_secrets["free_text"]] + ["example.se", "hemlig kommentar"]
    numbers = run.partner_secrets["respondent"]
    assert len(run.partner_secrets["free_text"]) == 50 and len(numbers) == 24
    ingestion = {"raw_partner_surveys.parquet", "harmonised_partner_surveys.parquet"}
    hits, seen_in = set(), set()
    for root in (run.out, run.root / "dagster_home"):
        for path, blob in _stored_texts(root):
            for m in free + numbers:
                if any(m.encode(enc) in blob for enc in ("utf-8", "utf-16-le")):
                    if m in numbers and path.name in ingestion:
                        seen_in.add(path.name)
                        continue
                    hits.add((path.relative_to(run.root).as_posix(), m))
    assert not hits, sorted(hits)[:10]
    assert seen_in == ingestion          # the scan can see them where they are


def test_guard_warning_for_free_text_is_recorded_without_the_value(run):
    rec = dg.DagsterInstance.get().fetch_materializations(dg.AssetKey("raw_partner_surveys"), limit=1).records[0]
    meta = rec.event_log_entry.asset_materialization.metadata
    assert meta["free_text_dropped"].value == "2024: kommentar, 2025: P25_KOMMENTAR"
    assert meta["n_guard_warnings"].value >= 2           # an e-mail address in each year's comments


def test_a_changed_partner_file_reruns_only_the_partner_chain(run):
    from pipelines import runner
    from pipelines.definitions import defs
    from studyconfig.config import load_config

    config = load_config(run.config)
    instance = dg.DagsterInstance.get()
    assert runner.make_plan(defs, instance, config, run.config).empty
    path = run.study_dir / "partners" / "jh_partnerenkat_2025.csv"
    original = path.read_bytes()
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        df.loc[0, "P25_SYN_02"] = "1" if df.loc[0, "P25_SYN_02"] != "1" else "2"
        df.to_csv(path, index=False)
        plan = runner.make_plan(defs, instance, config, run.config)
        keys = {k.to_user_string() for k in plan.cross_wave}
        assert not any(plan.waves.values())
        assert {"raw_partner_surveys", "scored_partner_surveys", "partner_scale_summary",
                "published/partner_scale_summary", "figure_partner_scale_means", "evaluation_report"} <= keys
        assert not keys & {"panel", "prepost_tests", "published/table1", "figure_change_over_waves"}
    finally:
        path.write_bytes(original)


# -- bad partner files: stopped at ingestion -------------------------------------------------------

PARTNER_INGEST = ["raw_partner_surveys", "partner_codebook", "harmonised_partner_surveys",
                  "partner_item_missingness", "scored_partner_surveys"]


def _ingest(env) -> dg.ExecuteInProcessResult:
    from pipelines.assets import partners
    from pipelines.definitions import ASSET_CHECKS, ASSETS, build_resources

    return dg.materialize([*ASSETS, *ASSET_CHECKS], selection=dg.AssetSelection.assets(*PARTNER_INGEST)
                          | dg.AssetSelection.checks(*partners.CHECKS),
                          instance=dg.DagsterInstance.ephemeral(), resources=build_resources(),
                          raise_on_error=False, run_config=QUIET)


def _damage(env, year: int, change) -> None:
    cfg = yaml.safe_load(env.config.read_text(encoding="utf-8"))
    s = next(p for p in cfg["partner_surveys"] if p["year"] == year)
    path = env.study_dir / s["file"]
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(df, s)
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    env.config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _failure(result) -> str:
    """The step failures' root messages, as ``python -m pipelines run`` prints them."""
    from pipelines.runner import _root_message

    fails = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return "\n".join(_root_message(e.event_specific_data.error) for e in fails)


def test_identifier_in_a_partner_file_refuses_it_and_stores_nothing(pipeline_env):
    _damage(pipeline_env, 2024, lambda df, s: df.insert(1, "epost", ["a.person@example.se"] + [""] * (len(df) - 1)))
    result = _ingest(pipeline_env)
    msg = _failure(result)
    assert "jh_partnerenkat_2024.csv (partner survey 2024)" in msg and "'epost'" in msg and "e-mail" in msg
    assert "a.person" not in msg and "example.se" not in msg
    assert not (pipeline_env.out / "data" / "interim" / "raw_partner_surveys.parquet").exists()


def test_unlabelled_group_and_out_of_range_code_block_scoring(pipeline_env):
    def damage(df, s):
        df.loc[2, s["group_variable"]] = "7"
        df.loc[4, next(iter(s["mapping"]))] = "6"

    _damage(pipeline_env, 2025, damage)
    result = _ingest(pipeline_env)
    evals = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evals["partner_groups"].passed and not evals["allowed_codes"].passed
    assert "rows 3" in evals["partner_groups"].description and "jh_partnerenkat_2025.csv" in \
        evals["partner_groups"].description
    assert "P25_KAP_01 -> e2_contextual_capacity_01" in evals["allowed_codes"].description
    assert evals["unique_respondents"].passed and evals["no_direct_identifiers"].passed
    assert "7" not in evals["partner_groups"].description.split("{")[0]      # the code is not quoted
    # the blocking checks stop what is downstream: nothing is scored
    assert not (pipeline_env.out / "data" / "interim" / "scored_partner_surveys.parquet").exists()


def test_a_study_without_partner_surveys_publishes_no_partner_table(pipeline_env):
    """The partner chain runs on nothing: empty tables, no CSV, no figure, no section."""
    from pipelines.assets import partners
    from pipelines.definitions import ASSET_CHECKS, ASSETS, build_resources

    cfg = yaml.safe_load(pipeline_env.config.read_text(encoding="utf-8"))
    cfg.pop("partner_surveys")
    pipeline_env.config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    chain = [*PARTNER_INGEST, "partner_respondents", "partner_scale_summary", "partner_group_summary",
             "partner_trend", *[f"published/{t}" for t in PARTNER_TABLES], "figure_partner_scale_means"]
    result = dg.materialize([*ASSETS, *ASSET_CHECKS], selection=dg.AssetSelection.assets(
        *[dg.AssetKey.from_user_string(k) for k in chain]) | dg.AssetSelection.checks(*partners.CHECKS),
        instance=dg.DagsterInstance.ephemeral(), resources=build_resources(), raise_on_error=False, run_config=QUIET)
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    staged = pipeline_env.out / "reports" / ".staging" / YEAR
    assert not list((staged / "tables").glob("partner_*")) if (staged / "tables").exists() else True
    assert not list((staged / "figures").glob("partner_*")) if (staged / "figures").exists() else True
    from publishing import partnership_report
    from publishing.study_labels import study_labels
    from studyconfig.config import load_config

    config = load_config(pipeline_env.config)
    assert partnership_report.section(config, study_labels(config, "sv"), {}, {}) == []
