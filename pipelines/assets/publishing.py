"""Publishing: disclosure-controlled tables, figures and the yearly report under
``reports/<evaluation year>/``.

Everything published is aggregate: groups smaller than ``publishing.k_min_cell`` are
suppressed (with secondary suppression), and two blocking asset checks refuse a report
with an unflagged small count or a participant pseudonym in any published file. All
rendering (disclosure control, rounding, p-value notation, labels, figures, HTML, Word,
manifest) is done by the pure :mod:`pipelines.publish` package; the assets below read their
inputs, call it, and attach metadata.

Layout of ``reports/<year>/``::

    report.html, report.docx          Swedish (default language)
    report.en.html, report.en.docx    English
    manifest.json                     provenance (the only file with a timestamp / run id)
    tables/*.csv                      published tidy tables (raw floats, suppressed cells blank)
    figures/<name>_<lang>.{png,svg,pdf}
    internal/                         only if publishing.allow_internal_outputs (never published)
"""


from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pandas as pd

from analysis.cohort import is_member
from analysis.wave_summary import wave_means
from pipelines import parallel
from pipelines import study as study_glue
from pipelines.assets._meta import table_metadata
from pipelines.config import StudyConfig
from pipelines.fsutil import atomic_write_text
from pipelines.publish import aggregate, disclosure, docx_report, figures, manifest, report, style, tables
from pipelines.publish.labels import study_labels
from pipelines.resources import ProjectPaths, StudyResource
from pipelines.versioning import code_version

GROUP = "publishing"
OWNERS = ["team:evaluation-research"]
PUBLISH_VERSION = code_version("pipelines.publish", "analysis.wave_summary")
HL_LEVELS = ("inadequate", "problematic", "sufficient")

#: analysis assets whose disclosure-controlled copies are published as CSV
PUBLISHED_INPUTS = ("table1", "participant_flow", "prepost_tests", "effect_sizes", "categorical_change",
                    "responders", "mixed_model_terms", "mixed_model_glance", "mixed_model_means",
                    "eq5d_problem_shares", "eq5d_pchc", "wave_summaries", "dose_response_terms")


def outcome_labels(lang: str) -> dict[str, str]:
    t = study_glue.outcome_table()
    return dict(zip(t["column"], t[f"label_{lang}"]))


def wave_labels(config: StudyConfig, lang: str) -> dict[str, str]:
    return {w.id: getattr(w.label, lang) for w in config.waves}


def _year_dir(config: StudyConfig, paths: ProjectPaths) -> Path:
    return paths.report_dir(config.study.evaluation_year)


def _publish(name: str, df: pd.DataFrame, k: int) -> pd.DataFrame:
    """The disclosure-controlled version of one analysis table (as written to CSV)."""
    key = "reliability" if name == "wave_reliability" else name
    return tables.published_tables({name: df}, k).get(key, pd.DataFrame())


def _recurring_panel(config: StudyConfig, panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    rec = panel[is_member(panel["participant_id"], study_glue.recurring_ids(config, recurring_cohort))]
    return rec.assign(wave=rec["wave"].astype(str))


def _figure_result(context: dg.AssetExecutionContext, config: StudyConfig, paths: ProjectPaths, stem: str,
                   make: Callable, internal: bool = False, **extra) -> dg.MaterializeResult:
    """Render ``make(labels) -> Figure`` in every configured language, save PNG/SVG/PDF, and
    return metadata with the paths and a thumbnail of the default-language PNG."""
    folder = _year_dir(config, paths) / ("internal" if internal else "figures")
    langs = list(config.publishing.languages)
    default = config.publishing.default_language

    def render(lang: str) -> tuple[dict[str, Path], str | None]:
        files = style.save(make(study_labels(config, lang)), folder / f"{stem}_{lang}",
                           formats=config.publishing.figure_formats)
        # the UI thumbnail is the 300-dpi PNG scaled down; none of an internal figure: its
        # individual values must not reach the event log
        preview = (style.thumbnail_markdown(files["png"], alt=stem)
                   if lang == default and not internal and "png" in files else None)
        return files, preview

    # each language is built and saved on its own core; the bytes do not depend on it
    rendered = parallel.map_forked(render, langs, label=lambda lang: f"figure {stem} ({lang})")
    written = {lang: files for lang, (files, _) in zip(langs, rendered)}
    preview = next((p for _, p in rendered if p), None)
    context.log.info(f"{stem}: wrote {sum(len(v) for v in written.values())} file(s) to {folder}")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(next(iter(written[default].values())))),
        "preview": dg.MetadataValue.md(preview or ""),
        "files": dg.MetadataValue.json({lang: {k: str(v) for k, v in d.items()} for lang, d in written.items()}),
        **extra,
    })


def _fig_asset(**kw):
    return dg.asset(group_name=GROUP, kinds={"matplotlib"}, owners=OWNERS, code_version=PUBLISH_VERSION, **kw)


# -- tables ---------------------------------------------------------------------------------

@dg.asset(group_name="analysis", kinds={"pandas"}, owners=OWNERS, code_version=PUBLISH_VERSION)
def wave_summaries(context: dg.AssetExecutionContext, study_config: StudyResource,
                   panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Mean and CI of every continuous outcome per wave, for all respondents and for the
    recurring participants (primary definition, recurring in any comparison).

    Columns: :func:`analysis.wave_summary.wave_means` plus ``population`` (``all`` or
    ``recurring``).
    """
    config = study_config.load()
    primary, secondary = study_glue.continuous_outcomes(config, panel)
    ids = study_glue.recurring_ids(config, recurring_cohort)
    all_resp = wave_means(panel, primary + secondary, config.analysis.ci_level).assign(population="all")
    recurring = wave_means(panel[is_member(panel["participant_id"], ids)], primary + secondary,
                           config.analysis.ci_level).assign(population="recurring")
    out = pd.concat([all_resp, recurring], ignore_index=True)
    out["wave"] = out["wave"].astype(str)
    context.add_output_metadata(table_metadata(out))
    return out


@dg.asset(
    group_name=GROUP, kinds={"csv"}, owners=OWNERS, code_version=PUBLISH_VERSION,
    ins={"wave_reliability": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())},
)
def published_tables(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                     table1: pd.DataFrame, participant_flow: pd.DataFrame, prepost_tests: pd.DataFrame,
                     effect_sizes: pd.DataFrame, categorical_change: pd.DataFrame, responders: pd.DataFrame,
                     mixed_model_terms: pd.DataFrame, mixed_model_glance: pd.DataFrame,
                     mixed_model_means: pd.DataFrame, eq5d_problem_shares: pd.DataFrame, eq5d_pchc: pd.DataFrame,
                     wave_summaries: pd.DataFrame, dose_response_terms: pd.DataFrame,
                     wave_reliability: dict[str, pd.DataFrame]) -> dg.MaterializeResult:
    """The published tidy tables, ``reports/<year>/tables/<name>.csv``: disclosure-controlled
    copies of the analysis tables (raw floats, codes not labels; cells below
    ``publishing.k_min_cell`` blank with ``suppressed``/``suppression`` flag columns,
    secondary suppression, small Table 1 categories merged). The report renders only these.
    """
    tables_in = {name: value for name, value in locals().items() if name in PUBLISHED_INPUTS}
    tables_in["wave_reliability"] = wave_reliability
    config = study_config.load()
    k = config.publishing.k_min_cell
    inputs = dict(tables_in)
    rel = inputs.pop("wave_reliability") or {}
    inputs["wave_reliability"] = pd.concat([rel[w] for w in config.wave_ids if w in rel], ignore_index=True) \
        if rel else pd.DataFrame()
    published = tables.published_tables(inputs, k)
    folder = _year_dir(config, paths) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        if old.stem not in published:
            old.unlink()
    for name, df in published.items():
        tables.write_csv(df, folder / f"{name}.csv")
    counts = {name: int(df[disclosure.SUPPRESSED].sum()) for name, df in published.items()}
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(folder)),
        "tables": dg.MetadataValue.json(sorted(published)),
        "suppressed_rows": dg.MetadataValue.json(counts),
        "k_min_cell": k,
    })


# -- figures --------------------------------------------------------------------------------

@_fig_asset()
def figure_participant_flow(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                            participant_flow: pd.DataFrame) -> dg.MaterializeResult:
    """TREND/CONSORT-style flow diagram per comparison, both recurring definitions."""
    config = study_config.load()
    flow = _publish("participant_flow", participant_flow, config.publishing.k_min_cell)
    return _figure_result(context, config, paths, "participant_flow",
                          lambda L: figures.participant_flow(flow, L, config.analysis.primary_outcomes))


@_fig_asset()
def figure_change_over_waves(context: dg.AssetExecutionContext, study_config: StudyResource,
                             paths: ProjectPaths, wave_summaries: pd.DataFrame) -> dg.MaterializeResult:
    """Primary outcomes: observed mean with CI per wave among recurring participants, n under
    each wave (PNG 300 dpi + SVG + PDF per language)."""
    config = study_config.load()
    k = config.publishing.k_min_cell
    s = _publish("wave_summaries", wave_summaries, k)
    s = s[(s["population"] == "recurring") & s["outcome"].isin(config.analysis.primary_outcomes)]
    return _figure_result(context, config, paths, "change_over_waves",
                          lambda L: figures.means_over_waves(s, config.analysis.primary_outcomes, L),
                          n_groups_suppressed=int(s[disclosure.SUPPRESSED].sum()))


@_fig_asset()
def figure_model_means(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                       mixed_model_means: pd.DataFrame) -> dg.MaterializeResult:
    """Mixed-model estimated mean per wave with CI for the primary outcomes."""
    config = study_config.load()
    m = _publish("mixed_model_means", mixed_model_means, config.publishing.k_min_cell)
    return _figure_result(context, config, paths, "model_means",
                          lambda L: figures.means_over_waves(m, config.analysis.primary_outcomes, L,
                                                             color=style.OKABE_ITO["bluish_green"]))


@_fig_asset()
def figure_effect_sizes_forest(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                               effect_sizes: pd.DataFrame) -> dg.MaterializeResult:
    """Forest plot of Hedges' g_av with CI for every outcome and comparison."""
    config = study_config.load()
    es = _publish("effect_sizes", effect_sizes, config.publishing.k_min_cell)
    return _figure_result(context, config, paths, "effect_sizes_forest",
                          lambda L: figures.forest(es, L, config.analysis.primary_outcomes))


@_fig_asset()
def figure_distributions(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                         panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> dg.MaterializeResult:
    """Box plots (quartiles, 10th–90th percentile whiskers, mean; no individual points) of
    the primary outcomes per wave among recurring participants."""
    config = study_config.load()
    primary, _ = study_glue.continuous_outcomes(config, panel)
    stats = aggregate.distribution_stats(_recurring_panel(config, panel, recurring_cohort), primary,
                                         config.wave_ids, config.publishing.k_min_cell)
    return _figure_result(context, config, paths, "distributions",
                          lambda L: figures.distributions(stats, primary, L),
                          n_groups_suppressed=int(stats[disclosure.SUPPRESSED].sum()))


@_fig_asset()
def figure_health_literacy_levels(context: dg.AssetExecutionContext, study_config: StudyResource,
                                  paths: ProjectPaths, panel: pd.DataFrame,
                                  recurring_cohort: pd.DataFrame) -> dg.MaterializeResult:
    """HLS-EU-Q16 level shares (inadequate / problematic / sufficient) per wave."""
    config = study_config.load()
    if "hls_eu_q16_level" not in panel.columns:
        return dg.MaterializeResult(metadata={"skipped": "no HLS-EU-Q16 in this study"})
    shares = aggregate.level_shares(_recurring_panel(config, panel, recurring_cohort), "hls_eu_q16_level",
                                    config.wave_ids, HL_LEVELS, config.publishing.k_min_cell)
    return _figure_result(context, config, paths, "health_literacy_levels",
                          lambda L: figures.health_literacy_levels(shares, L, HL_LEVELS))


@_fig_asset()
def figure_eq5d_problems(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                         eq5d_problem_shares: pd.DataFrame) -> dg.MaterializeResult:
    """Share with any problem per EQ-5D-5L dimension and wave, with CI."""
    config = study_config.load()
    if eq5d_problem_shares.empty:
        return dg.MaterializeResult(metadata={"skipped": "no EQ-5D-5L in this study"})
    s = _publish("eq5d_problem_shares", eq5d_problem_shares, config.publishing.k_min_cell)
    return _figure_result(context, config, paths, "eq5d_problems", lambda L: figures.eq5d_problems(s, L))


@_fig_asset()
def figure_eq5d_pchc(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                     eq5d_pchc: pd.DataFrame) -> dg.MaterializeResult:
    """Paretian Classification of Health Change, overall and per dimension."""
    config = study_config.load()
    if eq5d_pchc.empty:
        return dg.MaterializeResult(metadata={"skipped": "no EQ-5D-5L in this study"})
    p = _publish("eq5d_pchc", eq5d_pchc, config.publishing.k_min_cell)
    return _figure_result(context, config, paths, "eq5d_pchc", lambda L: figures.eq5d_pchc(p, L))


@_fig_asset()
def figure_responders(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                      responders: pd.DataFrame) -> dg.MaterializeResult:
    """Share improved / unchanged / worsened by at least the MID."""
    config = study_config.load()
    r = _publish("responders", responders, config.publishing.k_min_cell)
    return _figure_result(context, config, paths, "responders", lambda L: figures.responders(r, L))


@_fig_asset()
def figure_dose_response(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                         dose_response_terms: pd.DataFrame) -> dg.MaterializeResult:
    """Change per weekly visit (baseline-adjusted) with CI for the primary outcomes."""
    config = study_config.load()
    if dose_response_terms.empty:
        return dg.MaterializeResult(metadata={"skipped": "no attendance register in this study"})
    d = _publish("dose_response_terms", dose_response_terms, config.publishing.k_min_cell)
    return _figure_result(context, config, paths, "dose_response",
                          lambda L: figures.dose_response(d, L, config.analysis.primary_outcomes))


@_fig_asset()
def figure_individual_trajectories(context: dg.AssetExecutionContext, study_config: StudyResource,
                                   paths: ProjectPaths, panel: pd.DataFrame,
                                   recurring_cohort: pd.DataFrame) -> dg.MaterializeResult:
    """INTERNAL: individual trajectories of the primary outcomes, written to
    ``reports/<year>/internal/`` only when ``publishing.allow_internal_outputs`` is true
    (individual values; never part of the published report)."""
    config = study_config.load()
    if not config.publishing.allow_internal_outputs:
        return dg.MaterializeResult(metadata={"skipped": "publishing.allow_internal_outputs is false"})
    primary, _ = study_glue.continuous_outcomes(config, panel)
    rec = _recurring_panel(config, panel, recurring_cohort)
    return _figure_result(context, config, paths, "individual_trajectories",
                          lambda L: figures.individual_trajectories(rec, primary, L), internal=True)


FIGURE_ASSETS = [figure_participant_flow, figure_change_over_waves, figure_model_means, figure_effect_sizes_forest,
                 figure_distributions, figure_health_literacy_levels, figure_eq5d_problems, figure_eq5d_pchc,
                 figure_responders, figure_dose_response]


# -- report ---------------------------------------------------------------------------------

def read_published(folder: Path) -> dict[str, pd.DataFrame]:
    """The published CSV tables by name (what the report shows)."""
    return {p.stem: pd.read_csv(p, keep_default_na=True) for p in sorted(Path(folder).glob("*.csv"))}


@dg.asset(group_name=GROUP, kinds={"html", "docx"}, owners=OWNERS, code_version=PUBLISH_VERSION,
          deps=[published_tables, *FIGURE_ASSETS])
def evaluation_report(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                      attrition: pd.DataFrame) -> dg.MaterializeResult:
    """The yearly evaluation report in every configured language, as HTML and Word
    (``report.html`` / ``report.docx`` in the default language, ``report.<lang>.*``
    otherwise): summary, methods generated from the configuration, results (published
    tables and figures), limitations with the flow and attrition numbers, and a
    provenance appendix; then ``manifest.json`` with the sha256 of every output."""
    config = study_config.load()
    year_dir = _year_dir(config, paths)
    published = read_published(year_dir / "tables")
    prov = manifest.provenance(config, study_config.path())
    langs, default = config.publishing.languages, config.publishing.default_language

    def write(lang: str) -> dict[str, str]:
        L = study_labels(config, lang)
        figs = {stem: f"figures/{stem}_{lang}.png" for stem in report.FIGURES
                if (year_dir / "figures" / f"{stem}_{lang}.png").exists()}
        others = [(o.upper(), report.report_filename(o, default, "html")) for o in langs if o != lang]
        doc = report.build_document(config, L, published, attrition, figs, prov, others)
        html_path = year_dir / report.report_filename(lang, default, "html")
        atomic_write_text(html_path, report.render_html(doc))
        docx_path = docx_report.write_docx(doc, year_dir / report.report_filename(lang, default, "docx"),
                                           manifest.fixed_date(config))
        return {"html": str(html_path), "docx": str(docx_path)}

    # each language is written on its own core (pipelines/parallel.py); same bytes either way
    files = dict(zip(langs, parallel.map_forked(write, list(langs), label=lambda lang: f"report ({lang})")))
    man = manifest.write_manifest(year_dir, prov, context.run.run_id)
    context.log.info(f"report written to {year_dir}")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(files[default]["html"]),
        "manifest": dg.MetadataValue.path(str(man)),
        "files": dg.MetadataValue.json(files),
        "git_commit": str(prov["git"].get("commit")),
        "git_dirty": str(prov["git"].get("dirty")),
    })


# -- blocking disclosure checks -------------------------------------------------------------

def _participant_ids(panel: pd.DataFrame) -> set[str]:
    return set(panel["participant_id"].dropna().astype(str))


@dg.asset_check(asset=published_tables, blocking=True, additional_ins={"panel": dg.AssetIn("panel")},
                description="No published table has an unflagged count between 1 and k − 1, and none "
                            "contains a participant pseudonym.")
def published_tables_disclosure(study_config: StudyResource, paths: ProjectPaths,
                                panel: pd.DataFrame) -> dg.AssetCheckResult:
    """Blocking: audits every ``reports/<year>/tables/*.csv`` (:func:`disclosure.audit_tables`,
    :func:`disclosure.scan_for_ids`)."""
    config = study_config.load()
    folder = _year_dir(config, paths) / "tables"
    problems = disclosure.audit_tables(folder, config.publishing.k_min_cell)
    problems += disclosure.scan_for_ids(sorted(folder.glob("*")), _participant_ids(panel))
    return dg.AssetCheckResult(passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
                               description="; ".join(problems[:20]) or "all published tables pass",
                               metadata={"n_problems": len(problems)})


@dg.asset_check(asset=evaluation_report, blocking=True, additional_ins={"panel": dg.AssetIn("panel")},
                description="No file under reports/<year>/ (outside internal/) contains a participant "
                            "pseudonym or an unflagged small count.")
def report_disclosure(study_config: StudyResource, paths: ProjectPaths, panel: pd.DataFrame) -> dg.AssetCheckResult:
    """Blocking: scans every published file (HTML, DOCX members, PDF streams, SVG, PNG, CSV,
    manifest) for any participant pseudonym of the study's panel and re-audits the CSVs."""
    config = study_config.load()
    year_dir = _year_dir(config, paths)
    files = disclosure.published_files(year_dir)
    problems = disclosure.audit_tables(year_dir / "tables", config.publishing.k_min_cell)
    problems += disclosure.scan_for_ids(files, _participant_ids(panel))
    return dg.AssetCheckResult(passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
                               description="; ".join(problems[:20]) or f"{len(files)} published file(s) pass",
                               metadata={"n_files_scanned": len(files), "n_problems": len(problems)})


CHECKS = [published_tables_disclosure, report_disclosure]
