"""Publishing: figures and the yearly report under ``reports/<evaluation year>/``.

Everything published is aggregate: groups smaller than ``publishing.k_min_cell`` are
suppressed. Rendering (rounding, p-value notation, labels) is done by
:mod:`pipelines.publish`."""


import dagster as dg
import pandas as pd

from analysis.wave_summary import wave_means
from pipelines import study as study_glue
from pipelines.assets._meta import table_metadata
from pipelines.assets.analysis import _continuous_outcomes
from pipelines.config import StudyConfig
from pipelines.publish import figures, narrative, report, style, tables
from pipelines.publish.labels import label
from pipelines.resources import ProjectPaths, StudyResource
from pipelines.versioning import code_version

GROUP = "publishing"
OWNERS = ["team:evaluation-research"]
PUBLISH_VERSION = code_version("pipelines.publish", "analysis.wave_summary")


def outcome_labels(lang: str) -> dict[str, str]:
    t = study_glue.outcome_table()
    return dict(zip(t["column"], t[f"label_{lang}"]))


def wave_labels(config: StudyConfig, lang: str) -> dict[str, str]:
    return {w.id: getattr(w.label, lang) for w in config.waves}


@dg.asset(group_name="analysis", kinds={"pandas"}, owners=OWNERS, code_version=PUBLISH_VERSION)
def wave_summaries(context: dg.AssetExecutionContext, study_config: StudyResource,
                   panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Mean and CI of every continuous outcome per wave, for all respondents and for the
    recurring participants (primary definition, recurring in any comparison)."""
    config = study_config.load()
    study_glue.register_study_scales(config)
    primary, secondary = _continuous_outcomes(config, panel)
    flag = "recurring_attendance" if config.recurring.definition == "attendance" else "recurring_both_waves"
    ids = set(recurring_cohort.loc[recurring_cohort[flag].astype(bool), "participant_id"])
    all_resp = wave_means(panel, primary + secondary, config.analysis.ci_level).assign(population="all")
    recurring = wave_means(panel[panel["participant_id"].isin(ids)], primary + secondary,
                           config.analysis.ci_level).assign(population="recurring")
    out = pd.concat([all_resp, recurring], ignore_index=True)
    out["wave"] = out["wave"].astype(str)
    context.add_output_metadata(table_metadata(out))
    return out


@dg.asset(group_name=GROUP, kinds={"matplotlib"}, owners=OWNERS, code_version=PUBLISH_VERSION)
def figure_change_over_waves(context: dg.AssetExecutionContext, study_config: StudyResource,
                             paths: ProjectPaths, wave_summaries: pd.DataFrame) -> dg.MaterializeResult:
    """Primary outcomes: mean with 95 % CI per wave among recurring participants (one
    figure per language, PNG 300 dpi + SVG + PDF)."""
    config = study_config.load()
    study_glue.register_study_scales(config)
    fig_dir = paths.report_dir(config.study.evaluation_year) / "figures"
    s = wave_summaries[(wave_summaries["population"] == "recurring")
                       & wave_summaries["outcome"].isin(config.analysis.primary_outcomes)]
    written = {}
    for lang in config.publishing.languages:
        fig = figures.change_over_waves(s, outcome_labels(lang), wave_labels(config, lang), lang,
                                        k_min=config.publishing.k_min_cell, ci_level=config.analysis.ci_level)
        written[lang] = style.save(fig, fig_dir / f"change_over_waves_{lang}")
    png = written[config.publishing.default_language]["png"]
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(png)),
        "files": dg.MetadataValue.json({lang: {k: str(v) for k, v in d.items()} for lang, d in written.items()}),
        "n_groups_suppressed": int((s["n"] < config.publishing.k_min_cell).sum()),
    })


@dg.asset(group_name=GROUP, kinds={"html"}, owners=OWNERS, code_version=PUBLISH_VERSION,
          deps=[figure_change_over_waves])
def evaluation_report(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                      prepost_tests: pd.DataFrame, participant_flow: pd.DataFrame) -> dg.MaterializeResult:
    """The yearly evaluation report, ``reports/<year>/report.html`` (Swedish) and
    ``report.en.html`` (English): summary, methods generated from the configuration,
    results, limitations and provenance."""
    config = study_config.load()
    study_glue.register_study_scales(config)
    out_dir = paths.report_dir(config.study.evaluation_year)
    k = config.publishing.k_min_cell
    files = {}
    for lang in config.publishing.languages:
        name = "report.html" if lang == config.publishing.default_language else f"report.{lang}.html"
        files[lang] = out_dir / name
    for lang in config.publishing.languages:
        olab, wlab = outcome_labels(lang), wave_labels(config, lang)
        display = tables.prepost_table(prepost_tests, olab, wlab, lang, k)
        flow = narrative.flow_display(participant_flow, wlab, lang, k)
        ci = config.analysis.ci_level
        results = [
            {"title": label("table_flow_caption", lang),
             "table": report.html_table(flow, numeric=(label("n", lang),))},
            {"title": label("fig_change_title", lang),
             "figure": f"figures/change_over_waves_{lang}.png",
             "caption": label("fig_change_caption", lang, ci=ci, k=k)},
            {"title": label("mean_change", lang),
             "table": report.html_table(display, caption=label("table_prepost_caption", lang, ci=ci,
                                                                method=config.analysis.p_adjust),
                                        numeric=tuple(display.columns[3:])),
             "note": label("suppressed_note", lang, k=k)},
        ]
        html = report.render_html(
            lang,
            year=config.study.evaluation_year,
            subtitle=label("report_subtitle", lang, year=config.study.evaluation_year),
            study_name=config.study.name if lang == "sv" else (config.study.name_en or config.study.name),
            synthetic="syntetisk" in config.study.name.lower() or "synthetic" in (config.study.name_en or "").lower(),
            other_languages=[(other.upper(), files[other].name) for other in config.publishing.languages
                             if other != lang],
            summary=narrative.summary(prepost_tests, olab, wlab, config, lang),
            methods=narrative.methods(config, lang),
            results=results,
            limitations=narrative.limitations(participant_flow, config, lang),
            provenance=narrative.provenance_html(config, lang),
        )
        files[lang].write_text(html, encoding="utf-8")
    main = files[config.publishing.default_language]
    context.log.info(f"report written to {main}")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(main)),
        "files": dg.MetadataValue.json({k_: str(v) for k_, v in files.items()}),
    })
