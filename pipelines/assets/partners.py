"""Partner surveys: the yearly anonymous surveys of the partnership's members (E2 scales).

One unpartitioned chain over all configured years (see ``docs/operations.md``, "Partner
surveys", for why not a partition per year)::

    raw_partner_surveys (+ partner_codebook)          ingest: read, identifier guard, free text dropped
      -> harmonised_partner_surveys (+ partner_item_missingness)   canonical items, group codes; checks
      -> scored_partner_surveys                        scoring: the E2 scales (instruments.score)
      -> partner_respondents, partner_scale_summary,   analysis: counts, means + CI + alpha per year,
         partner_group_summary, partner_trend                    per partner group (k_min_partner), trend
      -> published/partner_*                           publishing: disclosure-controlled together

Asset bodies are thin: the work is in :mod:`survey.partner_surveys`,
:mod:`analysis.partnership` and :mod:`publishing.partners`. Metadata holds counts,
variable names and file names only: never an answer, a group of one respondent, or free
text (which is never read past the file reader).
"""


import warnings
from typing import Any

import dagster as dg
import pandas as pd

from analysis import partnership
from pipelines.assets._meta import md_table, table_metadata
from pipelines.assets.publishing import FILES, PUBLISH_VERSION, _stage, _table_output, table_key
from pipelines.assets.publishing import OWNERS as PUBLISH_OWNERS
from pipelines.checks import _result
from pipelines.resources import ProjectPaths, StudyResource
from pipelines.versioning import code_version
from publishing import partners as publish_partners
from publishing import tables
from survey import partner_surveys as ps

warnings.filterwarnings("ignore", category=dg.PreviewWarning)

OWNERS = ["team:evaluation-data"]
INGEST_VERSION = code_version("survey.partner_surveys", "survey.ingest", "studyconfig.config")
SCORING_VERSION = code_version("survey.partner_surveys", "instruments")
ANALYSIS_VERSION = code_version("analysis.partnership", "instruments")


# -- ingest ---------------------------------------------------------------------------------------

@dg.multi_asset(
    outs={
        "raw_partner_surveys": dg.AssetOut(
            description="Every configured partner survey as read, stacked by year: only the variables the "
                        "configuration uses (items, group, respondent number); free-text and unused variables "
                        "are dropped before anything is stored.",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS, code_version=INGEST_VERSION,
            group_name="ingest"),
        "partner_codebook": dg.AssetOut(
            description="Variable labels, value labels and user-missing declarations of the partner-survey files "
                        "(free-text variables by name and label only).",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS, code_version=INGEST_VERSION,
            group_name="ingest"),
    },
)
def raw_partner_surveys(context: dg.AssetExecutionContext, study_config: StudyResource):
    """Read every partner survey with the wave reader and run the identifier guard before
    anything is stored (:func:`survey.partner_surveys.read_surveys`). A file with a
    variable that looks like a direct identifier is refused (every year's problems are
    reported at once); a declared free-text variable is dropped, so a finding there is a
    warning. The data version hashes the files with their configuration sections (the
    runner and the sensor compare it, as for the attendance register); the analysis assets
    depend on ``study_settings`` for the rest of the configuration (k, CI level)."""
    config = study_config.load()
    surveys = ps.read_surveys(config)
    for s in surveys:
        for note in s.notes:
            context.log.info(f"{s.file}: {note}")
        for p in s.guard:
            (context.log.warning if p.severity == "warning" else context.log.info)(f"identifier guard: {p}")
        if s.unused:
            context.log.info(f"{s.file}: {len(s.unused)} variable(s) not used by the configuration, not stored: "
                             f"{', '.join(s.unused[:20])}{' …' if len(s.unused) > 20 else ''}")
    data, codebook = ps.raw_frame(surveys), ps.codebook_frame(surveys)
    version = dg.DataVersion(ps.input_version(config))
    meta: dict[str, Any] = {
        "files": dg.MetadataValue.json({str(s.year): {"file": s.file, "sha256": s.sha256, "format": s.file_format,
                                                       "rows": len(s.data)} for s in surveys}),
        "n_surveys": len(surveys),
        "free_text_dropped": ", ".join(f"{s.year}: {', '.join(s.dropped_free_text)}" for s in surveys
                                       if s.dropped_free_text) or "none",
        "n_unused_variables_dropped": sum(len(s.unused) for s in surveys),
        "n_guard_warnings": sum(p.severity == "warning" for s in surveys for p in s.guard),
    }
    yield dg.Output(data, output_name="raw_partner_surveys", data_version=version,
                    metadata=table_metadata(data, **meta))
    yield dg.Output(codebook, output_name="partner_codebook", data_version=version,
                    metadata=table_metadata(codebook))


@dg.multi_asset(
    outs={
        "harmonised_partner_surveys": dg.AssetOut(
            description="Partner surveys on canonical names: year, row, partner_group (code), respondent (if "
                        "configured) and the E2 items (missing codes applied).",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS, code_version=INGEST_VERSION,
            group_name="ingest"),
        "partner_item_missingness": dg.AssetOut(
            description="Per year and item: answered, don't know, no answer and system-missing counts.",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS, code_version=INGEST_VERSION,
            group_name="ingest"),
    },
)
def harmonised_partner_surveys(context: dg.AssetExecutionContext, study_config: StudyResource,
                               raw_partner_surveys: pd.DataFrame, partner_codebook: pd.DataFrame):
    """Map each year's raw variables onto canonical E2 items with the wave harmoniser
    (:func:`survey.partner_surveys.harmonise`). Content problems (codes out of range,
    unlabelled groups, duplicated respondents) are left to the blocking checks."""
    config = study_config.load()
    h = ps.harmonise(raw_partner_surveys, partner_codebook, config)
    per_year = h.data.groupby(ps.YEAR).size()
    n_of_year: dict[str, Any] = {f"n/{y}": int(n) for y, n in per_year.items()}
    yield dg.Output(h.data, output_name="harmonised_partner_surveys", metadata=table_metadata(
        h.data, **n_of_year,
        instruments=", ".join(ps.survey_instruments(config))))
    yield dg.Output(h.missingness, output_name="partner_item_missingness", metadata=table_metadata(h.missingness))


def _check(what: str, problems, checked: int) -> dg.AssetCheckResult:
    return _result(problems, checked, what)


@dg.asset_check(asset="harmonised_partner_surveys", name="unique_respondents", blocking=True,
                description="A respondent number (if the survey has one) occurs once per year; without one, rows "
                            "repeating another row's answers are a warning.")
def partner_unique_respondents(study_config: StudyResource,
                               harmonised_partner_surveys: pd.DataFrame) -> dg.AssetCheckResult:
    config = study_config.load()
    return _check("rows", ps.check_respondents(harmonised_partner_surveys, config), len(harmonised_partner_surveys))


@dg.asset_check(asset="harmonised_partner_surveys", name="allowed_codes", blocking=True,
                additional_ins={"partner_codebook": dg.AssetIn("partner_codebook")},
                description="Every answered item holds one of its instrument's codes.")
def partner_allowed_codes(study_config: StudyResource, harmonised_partner_surveys: pd.DataFrame,
                          partner_codebook: pd.DataFrame) -> dg.AssetCheckResult:
    config = study_config.load()
    return _check("items", ps.check_codes(harmonised_partner_surveys, partner_codebook, config),
                  sum(len(s.mapping) for s in config.partner_surveys))


@dg.asset_check(asset="harmonised_partner_surveys", name="required_variables", blocking=True,
                additional_ins={"partner_codebook": dg.AssetIn("partner_codebook")},
                description="Every item of every instrument a survey declares is mapped, and every instrument "
                            "has at least one answer.")
def partner_required_variables(study_config: StudyResource, harmonised_partner_surveys: pd.DataFrame,
                               partner_codebook: pd.DataFrame) -> dg.AssetCheckResult:
    config = study_config.load()
    return _check("columns", ps.check_required(harmonised_partner_surveys, partner_codebook, config),
                  sum(len(ps.items(s)) for s in config.partner_surveys))


@dg.asset_check(asset="harmonised_partner_surveys", name="codebook_matches_config", blocking=True,
                additional_ins={"partner_codebook": dg.AssetIn("partner_codebook")},
                description="The files' value labels fit the instruments' answer codes, and no code an SPSS file "
                            "declares user-missing would be scored as an answer.")
def partner_codebook_matches_config(study_config: StudyResource, harmonised_partner_surveys: pd.DataFrame,
                                    partner_codebook: pd.DataFrame) -> dg.AssetCheckResult:
    config = study_config.load()
    return _check("variables", ps.check_codebook(harmonised_partner_surveys, partner_codebook, config),
                  sum(len(s.mapping) for s in config.partner_surveys))


@dg.asset_check(asset="harmonised_partner_surveys", name="partner_groups", blocking=True,
                description="Every partner-group code has sv/en labels in group_labels (only declared labels are "
                            "published).")
def partner_groups(study_config: StudyResource, harmonised_partner_surveys: pd.DataFrame) -> dg.AssetCheckResult:
    config = study_config.load()
    return _check("rows", ps.check_groups(harmonised_partner_surveys, config), len(harmonised_partner_surveys))


@dg.asset_check(asset="raw_partner_surveys", name="no_direct_identifiers", blocking=True,
                additional_ins={"partner_codebook": dg.AssetIn("partner_codebook")},
                description="No stored variable of a partner survey looks like a direct identifier. The guard "
                            "itself runs in raw_partner_surveys, which refuses such a file; this check records the "
                            "result and the exemptions with their reasons.")
def partner_no_direct_identifiers(study_config: StudyResource, raw_partner_surveys: pd.DataFrame,
                                  partner_codebook: pd.DataFrame) -> dg.AssetCheckResult:
    config = study_config.load()
    problems = ps.check_identifiers(raw_partner_surveys, partner_codebook, config)
    return _result(problems, raw_partner_surveys.shape[1], "variables",
                   n_exempted=sum(p.severity == "note" for p in problems))


# -- scoring --------------------------------------------------------------------------------------

@dg.asset(group_name="scoring", kinds={"pandas"}, owners=OWNERS, code_version=SCORING_VERSION,
          io_manager_key="interim_io_manager")
def scored_partner_surveys(context: dg.AssetExecutionContext, study_config: StudyResource,
                           harmonised_partner_surveys: pd.DataFrame) -> pd.DataFrame:
    """The E2 scales of every year scored with :func:`instruments.score` (options from
    ``instrument_options``): ``year, partner_group``, items, ``<scale>_score`` and
    ``<scale>_n_valid``. The respondent number and file row are not kept."""
    config = study_config.load()
    scored, rates = ps.score(harmonised_partner_surveys, config)
    per_scale: dict[str, Any] = {f"valid_rate/{r.year}/{r.instrument}": float(r.valid_rate)
                                 for r in rates.itertuples()}
    context.add_output_metadata(table_metadata(
        scored, valid_rates=md_table(rates) if len(rates) else "no partner surveys",
        **per_scale))
    return scored


# -- analysis -------------------------------------------------------------------------------------

def _scales(config) -> tuple[list[str], dict]:
    scales = ps.survey_instruments(config)
    return scales, ps.scoring_options(config, scales)


def _configured(out: pd.DataFrame, config, year: str = "year") -> pd.DataFrame:
    """Only the rows of a scale in a year whose survey declares it."""
    declared = {(f"{i}_score", s.year) for s in config.partner_surveys for i in s.instrument_ids}
    keep = [(o, int(y)) in declared for o, y in zip(out["outcome"], out[year])] if len(out) else []
    return out[keep].reset_index(drop=True) if len(out) else out


@dg.asset(group_name="analysis", kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION,
          deps=["study_settings"])
def partner_respondents(study_config: StudyResource, scored_partner_surveys: pd.DataFrame) -> dg.Output:
    """Partner respondents per year: all, per partner group, without a group
    (:func:`analysis.partnership.respondent_counts`; disclosure control when published)."""
    config = study_config.load()
    has_group = any(s.group_variable for s in config.partner_surveys)
    out = partnership.respondent_counts(scored_partner_surveys, group=ps.GROUP if has_group else None, year=ps.YEAR)
    return dg.Output(out, metadata=table_metadata(out))


@dg.asset(group_name="analysis", kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION,
          deps=["study_settings"])
def partner_scale_summary(study_config: StudyResource, scored_partner_surveys: pd.DataFrame) -> dg.Output:
    """Mean, SD and t-based CI of every E2 scale per survey year, with Cronbach's alpha
    (Feldt CI) on the complete responses (:func:`analysis.partnership.yearly_summary`)."""
    config = study_config.load()
    scales, options = _scales(config)
    out = _configured(partnership.yearly_summary(scored_partner_surveys, scales, year=ps.YEAR,
                                                 ci_level=config.analysis.ci_level, options=options), config)
    return dg.Output(out, metadata=table_metadata(out, scales=", ".join(scales)))


@dg.asset(group_name="analysis", kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION,
          deps=["study_settings"])
def partner_group_summary(study_config: StudyResource, scored_partner_surveys: pd.DataFrame) -> dg.Output:
    """E2 scale means per survey year and partner group; groups with fewer than
    ``publishing.k_min_partner`` scores (and the smallest others while the rest would be
    that small) are not estimated (:func:`analysis.partnership.group_summary`)."""
    config = study_config.load()
    scales, options = _scales(config)
    k = config.publishing.k_min_partner
    if not any(s.group_variable for s in config.partner_surveys) or not len(scored_partner_surveys):
        out = pd.DataFrame(columns=list(partnership.GROUP_COLUMNS))
    else:
        out = _configured(partnership.group_summary(scored_partner_surveys, scales, group=ps.GROUP, min_group_n=k,
                                                    year=ps.YEAR, ci_level=config.analysis.ci_level,
                                                    options=options), config)
    withheld = int(out["suppressed"].sum()) if len(out) else 0
    return dg.Output(out, metadata=table_metadata(out, k_min_partner=k, n_rows_withheld=withheld))


@dg.asset(group_name="analysis", kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION,
          deps=["study_settings"])
def partner_trend(study_config: StudyResource, scored_partner_surveys: pd.DataFrame) -> dg.Output:
    """Change of each scale mean between consecutive survey years (Welch), and with three
    or more years the least-squares slope per year (:func:`analysis.partnership.trend`)."""
    config = study_config.load()
    scales, options = _scales(config)
    years = sorted(scored_partner_surveys[ps.YEAR].unique()) if len(scored_partner_surveys) else []
    parts = [partnership.trend(scored_partner_surveys, scales, year=ps.YEAR, ci_level=config.analysis.ci_level,
                               options=options)]
    if len(years) >= 3:
        parts.append(partnership.trend(scored_partner_surveys, scales, year=ps.YEAR, method="ols_slope",
                                       ci_level=config.analysis.ci_level, options=options))
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    declared = {(f"{i}_score", s.year) for s in config.partner_surveys for i in s.instrument_ids}
    keep = [(o, int(a)) in declared and (o, int(b)) in declared for o, a, b in zip(out["outcome"], out["pre"],
                                                                                    out["post"])]
    out = out[keep].reset_index(drop=True) if len(out) else out
    return dg.Output(out, metadata=table_metadata(out))


# -- publishing -----------------------------------------------------------------------------------

@dg.multi_asset(
    name="published_partner_tables",
    outs={t.name: dg.AssetOut(key=table_key(t.name), description=t.description, kinds={"pandas", "csv"},
                              owners=PUBLISH_OWNERS, code_version=PUBLISH_VERSION, group_name="publishing")
          for t in publish_partners.PARTNER_TABLES},
    ins={**{s: dg.AssetIn(s) for s in publish_partners.SOURCES},
         "scored_partner_surveys": dg.AssetIn("scored_partner_surveys")},
    check_specs=[dg.AssetCheckSpec("published_tables_disclosure", asset=table_key(t.name), blocking=True,
                                   description="The partner release passes the disclosure audit with "
                                               "k = publishing.k_min_partner: no published count of 1 … k − 1 "
                                               "partners, no such group derivable from the published counts, no "
                                               "partner group below k estimated.")
                 for t in publish_partners.PARTNER_TABLES],
)
def published_partner_tables(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                             scored_partner_surveys: pd.DataFrame, **analysis_tables: pd.DataFrame):
    """The partner survey's published tables, disclosure-controlled together over their own
    persons (every respondent of every year) with ``publishing.k_min_partner``
    (:func:`publishing.partners.protect`), written to the staging folder as CSV."""
    config = study_config.load()
    k = config.publishing.k_min_partner
    rel = publish_partners.protect(analysis_tables, scored_partner_surveys, k)
    folder = _stage(config, paths) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        if old.stem in publish_partners.PARTNER_TABLES_BY_NAME and old.stem not in rel.tables:
            old.unlink()
    for name, df in rel.tables.items():
        tables.write_csv(df, folder / f"{name}.csv")
    problems = publish_partners.audit(rel, k)
    summary = rel.summary().set_index("table") if rel.tables else pd.DataFrame()
    for spec in publish_partners.PARTNER_TABLES:
        df = rel.tables.get(spec.name, pd.DataFrame())
        extra: dict[str, Any] = {"k_min_partner": k, "sources": ", ".join(spec.sources)}
        version = None
        if spec.name in summary.index:
            s = summary.loc[spec.name]
            extra.update(withheld_primary=int(s["withheld_primary"]), withheld_secondary=int(s["withheld_secondary"]))
            version = _table_output(extra, folder.parent, spec.name)
        else:
            extra[FILES] = dg.MetadataValue.json({})
        yield dg.Output(df, output_name=spec.name, metadata=table_metadata(df, **extra), data_version=version)
    for spec in publish_partners.PARTNER_TABLES:
        yield dg.AssetCheckResult(
            asset_key=table_key(spec.name), check_name="published_tables_disclosure", passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems[:10]) or f"partner release of {len(rel.tables)} tables passes (k = {k})",
            metadata={"n_problems": len(problems), "n_counts_checked": len(rel.quantities)})


CHECKS = [partner_unique_respondents, partner_allowed_codes, partner_required_variables,
          partner_codebook_matches_config, partner_groups, partner_no_direct_identifiers]
