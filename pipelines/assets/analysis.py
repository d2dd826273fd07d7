"""Analysis: recurring-participant cohort, participant flow, pre/post comparisons, effect
sizes, categorical change and all-wave mixed models. Each asset is one tidy table
(:mod:`analysis.tidy` vocabulary) computed by the pure :mod:`analysis` library."""


from collections.abc import Mapping
from typing import cast

import dagster as dg
import pandas as pd

from analysis import (
    categorical,
    cohort,
    descriptives,
    distributions,
    dose_response,
    eq5d,
    health_economics,
    models,
    prepost,
    reach,
    sensitivity,
    subgroups,
)
from analysis import responders as responders_lib
from pipelines.assets._meta import md_table, table_metadata
from pipelines.resources import StudyResource
from pipelines.versioning import code_version
from publishing import categories
from publishing.populations import Persons
from survey import study as study_glue

GROUP = "analysis"
OWNERS = ["team:evaluation-research"]
ANALYSIS_VERSION = code_version("analysis", "survey.study")


def _comparisons(config):
    return [tuple(c) for c in config.analysis.comparisons]


def _attendance_visits(config, attendance: pd.DataFrame) -> pd.DataFrame | None:
    if config.attendance is None:
        return None
    return attendance.rename(columns={"visit_date": "date"})[["participant_id", "date"]]


def _wave_dates(config) -> dict:
    return {w.id: pd.Timestamp(w.date) for w in config.waves}


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def recurring_cohort(context: dg.AssetExecutionContext, study_config: StudyResource,
                     panel: pd.DataFrame, attendance: pd.DataFrame) -> pd.DataFrame:
    """Per comparison and participant: present at each wave, visits per week between the
    wave dates, and membership under both recurring-participant definitions.
    Internal table (pseudonyms); never published."""
    config = study_config.load()
    frames = []
    for pre, post in _comparisons(config):
        c = cohort.recurring_cohort(
            panel, pre, post, attendance=_attendance_visits(config, attendance),
            wave_dates=_wave_dates(config), min_visits_per_week=config.recurring.min_visits_per_week,
        )
        frames.append(c.assign(pre=pre, post=post))
    out = study_glue.stack(frames, [*cohort.COHORT_COLUMNS, "pre", "post"])
    counts = (out.groupby(["pre", "post"])[["recurring_both_waves", "recurring_attendance"]].sum()
              .reset_index())
    context.add_output_metadata(table_metadata(
        out, definition=config.recurring.definition,
        min_visits_per_week=config.recurring.min_visits_per_week,
        recurring_counts=md_table(counts, floatfmt=".0f"),
    ))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def participant_flow(context: dg.AssetExecutionContext, study_config: StudyResource,
                     panel: pd.DataFrame, recurring_cohort: pd.DataFrame,
                     attendance: pd.DataFrame) -> pd.DataFrame:
    """TREND/CONSORT-style flow counts per comparison: reached by the programme between the
    waves (attendance register), assessed per wave, lost to follow-up, excluded (and why),
    analysed - for both recurring-participant definitions, counted on the one
    ``recurring_cohort`` every other analysis uses."""
    config = study_config.load()
    frames = []
    register = _attendance_visits(config, attendance)
    for pre, post in _comparisons(config):
        c = recurring_cohort[(recurring_cohort["pre"] == pre) & (recurring_cohort["post"] == post)]
        f = cohort.flow_counts(panel, pre, post, attendance=None if config.attendance is None else c,
                               wave_dates=_wave_dates(config), min_visits_per_week=config.recurring.min_visits_per_week,
                               outcomes=config.analysis.primary_outcomes, cohort=c, register=register)
        frames.append(f.assign(pre=pre, post=post))
    out = study_glue.stack(frames, [*cohort.FLOW_COLUMNS, "pre", "post"])
    context.add_output_metadata(table_metadata(
        out, flow=md_table(out[out["outcome"].isna()][["pre", "post", "stage", "definition", "wave", "n", "reason"]],
                           floatfmt=".0f")))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def prepost_tests(context: dg.AssetExecutionContext, study_config: StudyResource,
                  panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Paired t-test and Wilcoxon signed-rank test per outcome and comparison among
    recurring participants; p-values adjusted within the primary family only (config
    ``analysis.p_adjust``: the primary outcomes of each comparison, or of all comparisons
    together with ``analysis.p_adjust_family: all_comparisons``); secondary outcomes carry
    ``p_adj_method = "none"``."""
    config = study_config.load()
    primary, secondary = study_glue.continuous_outcomes(config, panel)
    frames = []
    for pre, post in _comparisons(config):
        sub = study_glue.analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition)
        # only the declared primary family is adjusted; secondary outcomes are descriptive
        for family, outcomes, adjust in (("primary", primary, config.analysis.p_adjust),
                                         ("secondary", secondary, "none")):
            if outcomes:
                res = prepost.paired_tests(sub, outcomes, pre, post, ci_level=config.analysis.ci_level,
                                           p_adjust=adjust)
                frames.append(res.assign(family=family))
    out = study_glue.stack(frames, [*prepost.PAIRED_TEST_COLUMNS, "family"])
    if config.analysis.p_adjust_family == "all_comparisons" and len(out):
        out = prepost.adjust_across(out, out["family"] == "primary", config.analysis.p_adjust)
    t = out[out["test"] == "paired_t"]
    context.add_output_metadata(table_metadata(
        out, p_adjust=config.analysis.p_adjust, p_adjust_family=config.analysis.p_adjust_family,
        primary_family=", ".join(primary),
        summary=md_table(t[["outcome", "pre", "post", "n", "estimate", "ci_low", "ci_high", "p_adj"]]),
    ))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def effect_sizes(context: dg.AssetExecutionContext, study_config: StudyResource,
                 panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Standardised paired effect sizes (Cohen's d_z, Hedges' g_av, rank-biserial) with CIs."""
    config = study_config.load()
    primary, secondary = study_glue.continuous_outcomes(config, panel)
    frames = []
    for pre, post in _comparisons(config):
        sub = study_glue.analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition)
        frames.append(prepost.paired_effect_sizes(sub, primary + secondary, pre, post,
                                                  ci_level=config.analysis.ci_level))
    out = study_glue.stack(frames, prepost.EFFECT_SIZE_COLUMNS)
    context.add_output_metadata(table_metadata(out))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def categorical_change(context: dg.AssetExecutionContext, study_config: StudyResource,
                       panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Change in binary outcomes (McNemar, continuity-corrected, and exact) and in ordered
    levels (Stuart-Maxwell marginal homogeneity) among recurring participants."""
    config = study_config.load()
    kinds = study_glue.outcome_kinds()
    frames = []
    for pre, post in _comparisons(config):
        sub = study_glue.analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition)
        for col in panel.columns:
            if kinds.get(col) == "binary" and sub[col].notna().any():
                frames.append(categorical.mcnemar(sub, col, pre, post))
                frames.append(categorical.mcnemar(sub, col, pre, post, exact=True))
            elif kinds.get(col) == "ordinal" and sub[col].notna().any():
                frames.append(categorical.marginal_homogeneity(sub, col, pre, post))
    out = study_glue.stack(frames, categorical.CATEGORICAL_TEST_COLUMNS)
    context.add_output_metadata(table_metadata(out))
    return out


@dg.multi_asset(
    outs={
        "mixed_model_terms": dg.AssetOut(kinds={"pandas", "statsmodels"}, owners=OWNERS,
                                         code_version=ANALYSIS_VERSION,
                                         description="Fixed-effect terms of the all-wave mixed models."),
        "mixed_model_glance": dg.AssetOut(kinds={"pandas", "statsmodels"}, owners=OWNERS,
                                          code_version=ANALYSIS_VERSION,
                                          description="Model-level statistics and variance components."),
    },
    group_name=GROUP,
)
def mixed_models(context: dg.AssetExecutionContext, study_config: StudyResource,
                 panel: pd.DataFrame, recurring_cohort: pd.DataFrame):
    """Linear mixed model per outcome over all waves (random intercept per participant,
    REML, every observed row of the participants recurring in any comparison)."""
    config = study_config.load()
    primary, secondary = study_glue.continuous_outcomes(config, panel)
    sub = panel[cohort.is_member(panel["participant_id"], study_glue.recurring_ids(config, recurring_cohort))].copy()
    sub["wave"] = sub["wave"].astype(str)
    terms, glances = [], []
    for outcome in primary + secondary:
        t, g, _ = models.mixed(sub, outcome, fixed="wave")
        terms.append(t.assign(outcome=outcome))
        glances.append(g.assign(outcome=outcome))
    terms_df = study_glue.stack(terms, models.TERM_COLUMNS)
    glance_df = study_glue.stack(glances, models.GLANCE_COLUMNS)
    yield dg.Output(terms_df, output_name="mixed_model_terms", metadata=table_metadata(terms_df))
    yield dg.Output(glance_df, output_name="mixed_model_glance", metadata=table_metadata(glance_df))


def _covariates(panel: pd.DataFrame) -> list[str]:
    from studyconfig.config import COVARIATES

    return [c for c in COVARIATES if c in panel.columns]


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def table1(context: dg.AssetExecutionContext, study_config: StudyResource,
           panel: pd.DataFrame, recurring_cohort: pd.DataFrame,
           published_categories: pd.DataFrame) -> pd.DataFrame:
    """Table 1: n, %, mean (SD), median (IQR) and missing per wave, for all respondents and
    for the analysed recurring participants (``population`` column); covariates in their
    published categories (``published_categories``)."""
    config = study_config.load()
    primary, secondary = study_glue.continuous_outcomes(config, panel)
    cov = _covariates(panel)
    variables = cov + primary + secondary
    p = categories.apply_plan(panel, published_categories).assign(wave=panel["wave"].astype(str))
    frames = [descriptives.table1(p, variables, by="wave", categorical=cov).assign(population="all")]
    rec = p[cohort.is_member(p["participant_id"], study_glue.recurring_ids(config, recurring_cohort))]
    frames.append(descriptives.table1(rec, variables, by="wave", categorical=cov).assign(population="recurring"))
    out = pd.concat(frames, ignore_index=True)
    context.add_output_metadata(table_metadata(out))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def attrition(context: dg.AssetExecutionContext, study_config: StudyResource,
              panel: pd.DataFrame, published_categories: pd.DataFrame) -> pd.DataFrame:
    """Baseline characteristics of completers vs drop-outs at each follow-up, with
    standardised mean differences (covariates in their published categories)."""
    config = study_config.load()
    panel = categories.apply_plan(panel, published_categories)
    primary, secondary = study_glue.continuous_outcomes(config, panel)
    cov = _covariates(panel)
    frames = []
    for pre, post in _comparisons(config):
        base = panel[panel["wave"] == pre].copy()
        followed = set(panel.loc[panel["wave"] == post, "participant_id"])
        base["completed"] = cohort.is_member(base["participant_id"], followed)
        res = descriptives.attrition(base, "completed", cov + primary + secondary, categorical=cov)
        frames.append(res.assign(pre=pre, post=post))
    out = study_glue.stack(frames, [*descriptives.ATTRITION_COLUMNS, "pre", "post"])
    context.add_output_metadata(table_metadata(out))
    return out


@dg.multi_asset(
    outs={
        "eq5d_pchc": dg.AssetOut(kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION,
                                 description="Paretian Classification of Health Change per comparison "
                                             "(overall and per dimension)."),
        "eq5d_problem_shares": dg.AssetOut(kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION,
                                           description="Share reporting any problem per EQ-5D dimension "
                                                       "and wave, with Wilson CIs."),
        "eq5d_profile": dg.AssetOut(kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION,
                                    description="EQ-5D-5L descriptive profile per wave: every level of every "
                                                "dimension and the share in full health (11111), Wilson CIs "
                                                "(Devlin, Parkin & Janssen 2020)."),
    },
    group_name=GROUP,
)
def eq5d_change(context: dg.AssetExecutionContext, study_config: StudyResource,
                panel: pd.DataFrame, recurring_cohort: pd.DataFrame):
    """EQ-5D-5L descriptive-system change among recurring participants."""
    config = study_config.load()
    dims = [d for d in study_glue.EQ5D_DIMENSIONS if d in panel.columns]
    ci = config.analysis.ci_level
    pchc = [eq5d.pchc(study_glue.analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition),
                      pre, post, dims=dims, ci_level=ci) for pre, post in _comparisons(config)] if dims else []
    pchc_df = pd.concat(pchc, ignore_index=True) if pchc else pd.DataFrame()
    rec = panel[cohort.is_member(panel["participant_id"], study_glue.recurring_ids(config, recurring_cohort))]
    rec = rec.assign(wave=rec["wave"].astype(str))
    shares = eq5d.problem_shares(rec, dims=dims, waves=config.wave_ids, ci_level=ci) if dims else pd.DataFrame()
    profile = eq5d.level_profile(rec, dims=dims, waves=config.wave_ids, ci_level=ci) if dims else pd.DataFrame()
    yield dg.Output(pchc_df, output_name="eq5d_pchc", metadata=table_metadata(pchc_df))
    yield dg.Output(shares, output_name="eq5d_problem_shares", metadata=table_metadata(shares))
    yield dg.Output(profile, output_name="eq5d_profile", metadata=table_metadata(profile))


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def responders(context: dg.AssetExecutionContext, study_config: StudyResource,
               panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Share improved / worsened by at least the minimal important difference (config
    overrides, else the instrument library's cited defaults), with Wilson CIs."""
    config = study_config.load()
    primary, secondary = study_glue.continuous_outcomes(config, panel)
    mids = study_glue.default_mids(config, primary + secondary)
    mid = dict(zip(mids["outcome"], mids["mid"]))
    frames = []
    for pre, post in _comparisons(config):
        sub = study_glue.analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition)
        frames.append(responders_lib.responders(sub, list(mid), pre, post, mid, study_glue.higher_is_better(),
                                                ci_level=config.analysis.ci_level))
    out = study_glue.stack(frames, responders_lib.RESPONDER_COLUMNS).merge(mids.rename(columns={"source": "mid_source",
                                                                          "status": "mid_status"}),
                                                     on="outcome", how="left")
    context.add_output_metadata(table_metadata(out, mids=md_table(mids[["outcome", "mid", "status"]])))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def sensitivity_estimates(context: dg.AssetExecutionContext, study_config: StudyResource,
                          panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Primary outcomes' mean change by complete case, mixed model and multiple
    imputation (chained equations, seeded, Rubin's rules), side by side."""
    config = study_config.load()
    primary, _ = study_glue.continuous_outcomes(config, panel)
    frames = []
    for pre, post in _comparisons(config):
        # the recurring participants of this comparison (the population of the paired tests)
        sub = study_glue.analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition).copy()
        sub["wave"] = sub["wave"].astype(str)
        frames.append(sensitivity.compare_estimates(sub, primary, pre, post, m=config.analysis.imputations,
                                                    seed=config.analysis.seed, ci_level=config.analysis.ci_level))
    out = study_glue.stack(frames, sensitivity.COMPARE_COLUMNS)
    context.add_output_metadata(table_metadata(out, seed=config.analysis.seed,
                                               m_imputations=config.analysis.imputations))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def programme_reach(context: dg.AssetExecutionContext, study_config: StudyResource,
                    attendance: pd.DataFrame) -> pd.DataFrame:
    """Programme reach: people, visits and sessions per workshop and half-year, with totals
    (:func:`analysis.reach.programme_reach`; empty without an attendance register)."""
    config = study_config.load()
    if config.attendance is None:
        return pd.DataFrame(columns=list(reach.REACH_COLUMNS))
    out = reach.programme_reach(attendance)
    context.add_output_metadata(table_metadata(out))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def dose_response_terms(context: dg.AssetExecutionContext, study_config: StudyResource,
                        panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Change against attendance (visits per week) among everyone answering both waves
    (OLS of change on visits per week, adjusted for the baseline value)."""
    config = study_config.load()
    primary, _ = study_glue.continuous_outcomes(config, panel)
    frames = []
    if config.attendance is None:
        return pd.DataFrame()
    for pre, post in _comparisons(config):
        c = recurring_cohort[(recurring_cohort["pre"] == pre) & (recurring_cohort["post"] == post)
                             & recurring_cohort["recurring_both_waves"].astype(bool)]
        sub = panel[cohort.is_member(panel["participant_id"], set(c["participant_id"]))].copy()
        sub["wave"] = sub["wave"].astype(str)
        changes = prepost.paired_changes(sub, primary, pre, post)
        res = dose_response.dose_response(changes, c[["participant_id", "visits_per_week"]],
                                          adjust_baseline=True, ci_level=config.analysis.ci_level,
                                          outcomes=primary)
        frames.append(res.assign(pre=pre, post=post))
    out = study_glue.stack(frames, [*dose_response.DOSE_COLUMNS, "pre", "post"])
    context.add_output_metadata(table_metadata(out))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def subgroup_estimates(context: dg.AssetExecutionContext, study_config: StudyResource,
                       panel: pd.DataFrame, recurring_cohort: pd.DataFrame,
                       published_categories: pd.DataFrame) -> pd.DataFrame:
    """Mean change per group of each ``analysis.subgroup_variables`` covariate (default:
    workshop, gender, questionnaire language; published categories); subgroups below ``analysis.min_subgroup_pairs`` pairs are flagged and their estimates
    not reported."""
    config = study_config.load()
    panel = categories.apply_plan(panel, published_categories)
    primary, _ = study_glue.continuous_outcomes(config, panel)
    frames = []
    for pre, post in _comparisons(config):
        sub = study_glue.analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition).copy()
        sub["wave"] = sub["wave"].astype(str)
        for by in [c for c in config.analysis.subgroup_variables if c in sub.columns]:
            frames.append(subgroups.subgroups(sub, primary, pre, post, by=by,
                                              min_pairs=config.analysis.min_subgroup_pairs,
                                              ci_level=config.analysis.ci_level))
    out = study_glue.stack(frames, subgroups.SUBGROUP_COLUMNS)
    context.add_output_metadata(table_metadata(out, min_pairs=config.analysis.min_subgroup_pairs))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def eq5d_auc(context: dg.AssetExecutionContext, study_config: StudyResource,
             panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Health-economic input: area under the EQ-5D index curve between the waves
    (trapezoid, years from the wave dates) and its change versus baseline held constant;
    cohort means with CIs, for the city's health-economic model."""
    config = study_config.load()
    if "eq5d5l_index" not in panel.columns:
        return pd.DataFrame()
    rec = panel[cohort.is_member(panel["participant_id"], study_glue.recurring_ids(config, recurring_cohort))].copy()
    rec["wave"] = rec["wave"].astype(str)
    out = health_economics.eq5d_auc(rec, _wave_dates(config), ci_level=config.analysis.ci_level)
    context.add_output_metadata(table_metadata(out, value_set=config.analysis.eq5d_value_set))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas", "statsmodels"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def mixed_model_means(context: dg.AssetExecutionContext, study_config: StudyResource,
                      panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Model-estimated mean per wave (linear mixed model, REML, Satterthwaite df)."""
    config = study_config.load()
    primary, secondary = study_glue.continuous_outcomes(config, panel)
    sub = panel[cohort.is_member(panel["participant_id"], study_glue.recurring_ids(config, recurring_cohort))].copy()
    sub["wave"] = sub["wave"].astype(str)
    out = study_glue.stack([models.estimated_means(sub, o, ci_level=config.analysis.ci_level)
                            for o in primary + secondary], models.MEANS_COLUMNS)
    context.add_output_metadata(table_metadata(out))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION,
          ins={"wave_codebook": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())})
def published_categories(context: dg.AssetExecutionContext, study_config: StudyResource, panel: pd.DataFrame,
                         recurring_cohort: pd.DataFrame, wave_codebook: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Global recoding of the covariates before publication: every observed answer and the
    category it is published in. Categories declared in the wave files' value labels (or
    the configuration's category labels) are kept unless they have 1 … k − 1 persons in
    some group a table breaks them down by; those and every undeclared answer (free text,
    codes without a label) are collected in "Övriga/Other". Internal (holds the raw answers)."""
    config = study_config.load()
    cov = _covariates(panel)
    # per language (``sv``/``en``) -> {category: translation}; declared_levels reads it read-only
    labels = cast("Mapping[str, Mapping[str, str]]", config.publishing.category_labels)
    declared = categories.declared_levels(wave_codebook.values(), labels, cov)
    persons = Persons(panel, recurring_cohort, config.recurring.definition)
    groups = categories.breakdown_groups(persons, config.wave_ids, _comparisons(config))
    plan = categories.recode_plan(persons, cov, declared, groups, config.publishing.k_min_cell)
    summary = plan.groupby(["variable", "reason"]).size().rename("n_categories").reset_index()
    context.add_output_metadata(table_metadata(plan, categories=md_table(summary, floatfmt=".0f"),
                                               k_min_cell=config.publishing.k_min_cell))
    return plan


#: the EQ-5D visual analogue scale (0-100), drawn beside the primary outcomes' distributions
EQ_VAS = "eq5d5l_vas"


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def outcome_distributions(context: dg.AssetExecutionContext, study_config: StudyResource,
                          panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Box-plot statistics (quartiles, 10th and 90th percentiles, mean) of the primary
    outcomes per wave among the recurring participants, and of the EQ VAS (its
    distribution per wave is part of reporting EQ-5D data: Devlin, Parkin & Janssen 2020)."""
    config = study_config.load()
    primary, _ = study_glue.continuous_outcomes(config, panel)
    shown = [*primary, *[c for c in (EQ_VAS,) if c in panel.columns and c not in primary]]
    rec = panel[cohort.is_member(panel["participant_id"], study_glue.recurring_ids(config, recurring_cohort))]
    out = distributions.distribution_summary(rec, shown, config.wave_ids)
    context.add_output_metadata(table_metadata(out))
    return out


def _hl_levels() -> list[str]:
    """The HLS-EU-Q16 levels in order, from its instrument spec."""
    import instruments

    return [name for name, _ in instruments.spec("hls_eu_q16").rules["levels"]]


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def health_literacy_levels(context: dg.AssetExecutionContext, study_config: StudyResource,
                           panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """HLS-EU-Q16 level shares (inadequate / problematic / sufficient) per wave among the
    recurring participants (empty without HLS-EU-Q16)."""
    config = study_config.load()
    if "hls_eu_q16_level" not in panel.columns:
        return pd.DataFrame(columns=list(distributions.LEVEL_SHARE_COLUMNS))
    rec = panel[cohort.is_member(panel["participant_id"], study_glue.recurring_ids(config, recurring_cohort))]
    out = distributions.level_shares(rec, "hls_eu_q16_level", config.wave_ids, _hl_levels())
    context.add_output_metadata(table_metadata(out))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def wave_summaries(context: dg.AssetExecutionContext, study_config: StudyResource,
                   panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Mean and CI of every continuous outcome per wave, for all respondents and for the
    recurring participants (primary definition, recurring in any comparison).

    Columns: :func:`analysis.wave_summary.wave_means` plus ``population`` (``all`` or
    ``recurring``).
    """
    from analysis.wave_summary import wave_means

    config = study_config.load()
    primary, secondary = study_glue.continuous_outcomes(config, panel)
    ids = study_glue.recurring_ids(config, recurring_cohort)
    all_resp = wave_means(panel, primary + secondary, config.analysis.ci_level).assign(population="all")
    recurring = wave_means(panel[cohort.is_member(panel["participant_id"], ids)], primary + secondary,
                           config.analysis.ci_level).assign(population="recurring")
    out = pd.concat([all_resp, recurring], ignore_index=True)
    out["wave"] = out["wave"].astype(str)
    context.add_output_metadata(table_metadata(out))
    return out
