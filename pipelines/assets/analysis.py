"""Analysis: recurring-participant cohort, participant flow, pre/post comparisons, effect
sizes, categorical change and all-wave mixed models. Each asset is one tidy table
(:mod:`analysis.tidy` vocabulary) computed by the pure :mod:`analysis` library."""


import dagster as dg
import pandas as pd

from analysis import categorical, cohort, models, prepost
from pipelines import study as study_glue
from pipelines.assets._meta import md_table, table_metadata
from pipelines.resources import StudyResource
from pipelines.versioning import code_version

GROUP = "analysis"
OWNERS = ["team:evaluation-research"]
ANALYSIS_VERSION = code_version("analysis", "pipelines.study")


def _comparisons(config):
    return [tuple(c) for c in config.analysis.comparisons]


def _continuous_outcomes(config, panel: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(primary, secondary) outcomes that are continuous scores present in the panel."""
    kinds = study_glue.outcome_kinds()
    keep = lambda cols: [c for c in cols if c in panel.columns and kinds.get(c) == "continuous"]  # noqa: E731
    return keep(config.analysis.primary_outcomes), keep(config.analysis.secondary_outcomes)


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
    out = pd.concat(frames, ignore_index=True)
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
                     panel: pd.DataFrame, attendance: pd.DataFrame) -> pd.DataFrame:
    """TREND/CONSORT-style flow counts per comparison: assessed per wave, lost to follow-up,
    excluded (and why), analysed - for both recurring-participant definitions."""
    config = study_config.load()
    frames = []
    for pre, post in _comparisons(config):
        f = cohort.flow_counts(panel, pre, post, attendance=_attendance_visits(config, attendance),
                               wave_dates=_wave_dates(config),
                               min_visits_per_week=config.recurring.min_visits_per_week,
                               outcomes=config.analysis.primary_outcomes)
        frames.append(f.assign(pre=pre, post=post))
    out = pd.concat(frames, ignore_index=True)
    context.add_output_metadata(table_metadata(
        out, flow=md_table(out[out["outcome"].isna()][["pre", "post", "stage", "definition", "wave", "n", "reason"]],
                           floatfmt=".0f")))
    return out


def analysed_panel(panel: pd.DataFrame, recurring_cohort: pd.DataFrame, pre: str, post: str,
                   definition: str) -> pd.DataFrame:
    """The panel restricted to the recurring participants of one comparison."""
    flag = "recurring_attendance" if definition == "attendance" else "recurring_both_waves"
    c = recurring_cohort[(recurring_cohort["pre"] == pre) & (recurring_cohort["post"] == post)]
    ids = set(c.loc[c[flag].astype(bool), "participant_id"])
    return panel[panel["participant_id"].isin(ids) & panel["wave"].isin([pre, post])]


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def prepost_tests(context: dg.AssetExecutionContext, study_config: StudyResource,
                  panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Paired t-test and Wilcoxon signed-rank test per outcome and comparison among
    recurring participants; p-values adjusted within the primary family (config)."""
    config = study_config.load()
    primary, secondary = _continuous_outcomes(config, panel)
    frames = []
    for pre, post in _comparisons(config):
        sub = analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition)
        for family, outcomes in (("primary", primary), ("secondary", secondary)):
            if outcomes:
                res = prepost.paired_tests(sub, outcomes, pre, post, ci_level=config.analysis.ci_level,
                                           p_adjust=config.analysis.p_adjust)
                frames.append(res.assign(family=family))
    out = pd.concat(frames, ignore_index=True)
    t = out[out["test"] == "paired_t"]
    context.add_output_metadata(table_metadata(
        out, p_adjust=config.analysis.p_adjust, primary_family=", ".join(primary),
        summary=md_table(t[["outcome", "pre", "post", "n", "estimate", "ci_low", "ci_high", "p_adj"]]),
    ))
    return out


@dg.asset(group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=ANALYSIS_VERSION)
def effect_sizes(context: dg.AssetExecutionContext, study_config: StudyResource,
                 panel: pd.DataFrame, recurring_cohort: pd.DataFrame) -> pd.DataFrame:
    """Standardised paired effect sizes (Cohen's d_z, Hedges' g_av, rank-biserial) with CIs."""
    config = study_config.load()
    primary, secondary = _continuous_outcomes(config, panel)
    frames = []
    for pre, post in _comparisons(config):
        sub = analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition)
        frames.append(prepost.paired_effect_sizes(sub, primary + secondary, pre, post,
                                                  ci_level=config.analysis.ci_level))
    out = pd.concat(frames, ignore_index=True)
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
        sub = analysed_panel(panel, recurring_cohort, pre, post, config.recurring.definition)
        for col in panel.columns:
            if kinds.get(col) == "binary" and sub[col].notna().any():
                frames.append(categorical.mcnemar(sub, col, pre, post))
                frames.append(categorical.mcnemar(sub, col, pre, post, exact=True))
            elif kinds.get(col) == "ordinal" and sub[col].notna().any():
                frames.append(categorical.marginal_homogeneity(sub, col, pre, post))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
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
    primary, secondary = _continuous_outcomes(config, panel)
    flag = "recurring_attendance" if config.recurring.definition == "attendance" else "recurring_both_waves"
    ids = set(recurring_cohort.loc[recurring_cohort[flag].astype(bool), "participant_id"])
    sub = panel[panel["participant_id"].isin(ids)].copy()
    sub["wave"] = sub["wave"].astype(str)
    terms, glances = [], []
    for outcome in primary + secondary:
        t, g, _ = models.mixed(sub, outcome, fixed="wave")
        terms.append(t.assign(outcome=outcome))
        glances.append(g.assign(outcome=outcome))
    terms_df = pd.concat(terms, ignore_index=True)
    glance_df = pd.concat(glances, ignore_index=True)
    yield dg.Output(terms_df, output_name="mixed_model_terms", metadata=table_metadata(terms_df))
    yield dg.Output(glance_df, output_name="mixed_model_glance", metadata=table_metadata(glance_df))
