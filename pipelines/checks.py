"""Asset checks: thin wrappers over the pure validators in :mod:`survey.ingest`.

Per-wave checks run per partition and are *blocking*: when one fails, nothing downstream
of that wave is materialised. Cross-wave checks run on the ``panel``:
``id_format_consistent`` blocks, ``linkage_rate`` warns (like ``valid_score_rates``). Metadata holds counts, variable names and thresholds only -
never participant IDs or answers.
"""


import warnings

import dagster as dg
import pandas as pd

from pipelines.partitions import WAVES
from pipelines.resources import StudyResource
from survey import categories, ingest, missing_declarations, readers, study

# partitioned asset checks are a preview feature in Dagster 1.13; we rely on it knowingly
warnings.filterwarnings("ignore", category=dg.PreviewWarning)


def _result(problems: list[ingest.Problem], checked: int, what: str,
            severity=dg.AssetCheckSeverity.ERROR, **extra) -> dg.AssetCheckResult:
    """A check result from problems: only ``error`` problems fail it; warnings and notes are
    listed in the metadata (counts, variable names, row numbers - never IDs or answers)."""
    errors = [p for p in problems if p.severity == "error"]
    others = [p for p in problems if p.severity != "error"]
    n = sum(max(p.count, 1) for p in errors)
    meta = {
        f"n_{what}_checked": checked,
        "n_problems": len(errors),
        "n_affected": n,
        **extra,
    }
    if errors:
        meta["problems"] = dg.MetadataValue.md("\n".join(f"- {p}" for p in errors))
        variables = sorted({p.variable for p in errors if p.variable})
        if variables:
            meta["variables"] = ", ".join(variables)
    if others:
        meta["notes"] = dg.MetadataValue.md("\n".join(f"- {p.severity}: {p}" for p in others))
    return dg.AssetCheckResult(
        passed=not errors, severity=severity, metadata=meta,
        description=("; ".join(str(p) for p in errors[:5])
                     + (f"; and {len(errors) - 5} more problem(s) (see the check's metadata)" if len(errors) > 5
                        else "")) or None,
    )


def _file(study_config: StudyResource, wave_id: str) -> tuple:
    config = study_config.load()
    wave = config.wave(wave_id)
    return config, wave, config.wave_path(wave_id).name


@dg.asset_check(asset="harmonised_wave", blocking=True, partitions_def=WAVES,
                description="Every row has a participant ID and no ID occurs twice in the wave.")
def unique_participant_ids(context: dg.AssetCheckExecutionContext, study_config: StudyResource,
                           harmonised_wave: pd.DataFrame) -> dg.AssetCheckResult:
    _, _, file = _file(study_config, context.partition_key)
    return _result(ingest.check_unique_ids(harmonised_wave, file), len(harmonised_wave), "rows")


@dg.asset_check(asset="harmonised_wave", blocking=True, partitions_def=WAVES,
                description="Every participant ID matches the study's pseudonym pattern.")
def participant_id_format(context: dg.AssetCheckExecutionContext, study_config: StudyResource,
                          harmonised_wave: pd.DataFrame) -> dg.AssetCheckResult:
    config, _, file = _file(study_config, context.partition_key)
    return _result(ingest.check_id_format(harmonised_wave, file, config.study.id_pattern),
                   len(harmonised_wave), "rows", pattern=config.study.id_pattern)


@dg.asset_check(asset="harmonised_wave", blocking=True, partitions_def=WAVES,
                additional_ins={"raw_codebook": dg.AssetIn("raw_codebook")},
                description="Every answered item holds one of its instrument's codes.")
def allowed_codes(context: dg.AssetCheckExecutionContext, study_config: StudyResource,
                  harmonised_wave: pd.DataFrame, raw_codebook: pd.DataFrame) -> dg.AssetCheckResult:
    _, wave, file = _file(study_config, context.partition_key)
    allowed = study.allowed_codes(wave)
    raw_names = {item: raw for raw, item in wave.mapping.items()}
    return _result(ingest.check_codes(harmonised_wave, file, allowed, raw_names,
                                      ingest.user_missing_codes(raw_codebook)), len(allowed), "items")


@dg.asset_check(asset="harmonised_wave", blocking=True, partitions_def=WAVES,
                additional_ins={"raw_codebook": dg.AssetIn("raw_codebook")},
                description="Every item of every instrument the wave declares is mapped (an unmapped file "
                            "variable named like the mapped items is suggested).")
def required_variables(context: dg.AssetCheckExecutionContext, study_config: StudyResource,
                       harmonised_wave: pd.DataFrame, raw_codebook: pd.DataFrame) -> dg.AssetCheckResult:
    _, wave, file = _file(study_config, context.partition_key)
    required = ["participant_id", "wave", *study.required_items(wave)]
    free = set(raw_codebook["variable"].astype(str)) - set(wave.covariates) - {wave.id_variable}
    return _result(ingest.check_required(harmonised_wave, file, required, wave.mapping, free),
                   len(required), "columns")


@dg.asset_check(asset="harmonised_wave", blocking=True, partitions_def=WAVES,
                description="Every instrument the wave declares has at least one answer (an instrument "
                            "missing in every row was not exported or is mapped to empty variables).")
def instruments_answered(context: dg.AssetCheckExecutionContext, study_config: StudyResource,
                         harmonised_wave: pd.DataFrame) -> dg.AssetCheckResult:
    _, wave, file = _file(study_config, context.partition_key)
    items = {inst: study.instrument_items(inst) for inst in wave.instruments}
    raw_names = {item: raw for raw, item in wave.mapping.items()}
    return _result(ingest.check_instruments_answered(harmonised_wave, file, items, raw_names),
                   len(items), "instruments")


@dg.asset_check(asset="harmonised_wave", blocking=True, partitions_def=WAVES,
                additional_ins={"raw_codebook": dg.AssetIn("raw_codebook"),
                                "item_missingness": dg.AssetIn("item_missingness")},
                description="The file's value labels fit the instruments' answer codes, and no code the SPSS "
                            "file declares user-missing would be scored as an answer (an SPSS file that has "
                            "lost all its declarations is a warning with the number of blank answers).")
def codebook_matches_config(context: dg.AssetCheckExecutionContext, study_config: StudyResource,
                            harmonised_wave: pd.DataFrame, raw_codebook: pd.DataFrame,
                            item_missingness: pd.DataFrame) -> dg.AssetCheckResult:
    config, wave, file = _file(study_config, context.partition_key)
    allowed = study.allowed_codes(wave)
    fmt = readers.format_of(config.wave_path(wave.id))
    declares = fmt in readers.DECLARES_USER_MISSING
    problems = [*ingest.check_value_labels(raw_codebook, file, wave.mapping, allowed, wave.missing_codes),
                *ingest.check_user_missing(harmonised_wave, raw_codebook, file, wave.mapping, allowed,
                                           wave.missing_codes, spss=declares),
                *missing_declarations.check_lost_declarations(file, fmt, raw_codebook, wave.mapping,
                                                              wave.missing_codes, item_missingness)]
    return _result(problems, len(wave.mapping), "variables")


@dg.asset_check(asset="harmonised_wave", blocking=True, partitions_def=WAVES,
                description="The wave can be linked to the other waves: not the same file as another wave, "
                            "participant IDs in the same format, and participants in common with the wave "
                            "analysis.comparisons pairs it with.")
def linked_to_other_waves(context: dg.AssetCheckExecutionContext, study_config: StudyResource,
                          harmonised_wave: pd.DataFrame) -> dg.AssetCheckResult:
    config, wave, file = _file(study_config, context.partition_key)
    others, unreadable = study.other_wave_ids(config, wave.id)
    if unreadable:
        context.log.info(f"not compared with wave(s) {', '.join(unreadable)} (file missing or unreadable; "
                         "their own partitions report why)")
    paired = [pre for pre, post in config.analysis.comparisons if post == wave.id]
    earlier = config.wave_ids[:config.wave_ids.index(wave.id)]
    sha = ingest.sha256_file(config.wave_path(wave.id))
    problems = ingest.check_wave_links(wave.id, file, harmonised_wave[ingest.ID_COLUMN], others, paired,
                                       sha256=sha, earlier=earlier)
    return _result(problems, len(others), "other_waves", paired_with=", ".join(paired) or "none")


@dg.asset_check(asset="raw_wave", blocking=True, partitions_def=WAVES,
                additional_ins={"raw_codebook": dg.AssetIn("raw_codebook")},
                description="No variable in the wave file looks like a direct identifier "
                            "(name, personal identity number, e-mail, phone, address). The guard "
                            "itself runs in raw_wave, which refuses to store such a file; this check "
                            "records the result and the exemptions with their reasons.")
def no_direct_identifiers(context: dg.AssetCheckExecutionContext, study_config: StudyResource,
                          raw_wave: pd.DataFrame, raw_codebook: pd.DataFrame) -> dg.AssetCheckResult:
    config, wave, file = _file(study_config, context.partition_key)
    problems = ingest.check_no_identifiers(raw_wave, raw_codebook, file, wave.id_variable,
                                           wave.identifier_exemptions, id_pattern=config.study.id_pattern)
    return _result(problems, raw_wave.shape[1], "variables",
                   n_exempted=sum(p.severity == "note" for p in problems))


@dg.asset_check(asset="scored_wave", partitions_def=WAVES,
                additional_ins={"score_valid_rates": dg.AssetIn("score_valid_rates")},
                description="Each instrument's headline score is valid for at least "
                            "analysis.min_valid_score_rate (default 80 %) of respondents (warning only).")
def valid_score_rates(context: dg.AssetCheckExecutionContext, study_config: StudyResource,
                      scored_wave: pd.DataFrame, score_valid_rates: pd.DataFrame) -> dg.AssetCheckResult:
    threshold = study_config.load().analysis.min_valid_score_rate
    low = score_valid_rates[score_valid_rates["valid_rate"] < threshold]
    problems = [ingest.Problem(context.partition_key, "valid_score_rates",
                               f"valid for {r.valid_rate:.0%} of {r.n_rows} respondents",
                               variable=r.score_column, expected=f">= {threshold:.0%}")
                for r in low.itertuples()]
    return _result(problems, len(score_valid_rates), "instruments", severity=dg.AssetCheckSeverity.WARN,
                   threshold=threshold,
                   min_valid_rate=float(score_valid_rates["valid_rate"].min()) if len(score_valid_rates) else 0.0)


WAVE_CHECKS = [unique_participant_ids, participant_id_format, allowed_codes, required_variables,
               instruments_answered, codebook_matches_config, linked_to_other_waves,
               no_direct_identifiers, valid_score_rates]


# -- cross-wave checks on the panel (unpartitioned: they see every wave at once) ------------


@dg.asset_check(asset="panel", blocking=True,
                description="All pseudonyms of all waves have one format (prefix, case, length), "
                            "so that participants can be linked across waves.")
def id_format_consistent(panel: pd.DataFrame) -> dg.AssetCheckResult:
    """Blocking: a wave whose IDs have another shape stops the analysis (counts only)."""
    formats = ingest.id_formats_by_wave(panel)
    problems = ingest.check_id_format_consistent(panel)
    return _result(problems, int(formats["n_ids"].sum()), "ids",
                   n_formats=int(formats["format"].nunique()),
                   formats=dg.MetadataValue.md(formats.to_markdown(index=False)))


@dg.asset_check(asset="panel",
                description="Share of baseline participants found again at each follow-up wave is at "
                            "least analysis.linkage_floor (warning only).")
def linkage_rate(study_config: StudyResource, panel: pd.DataFrame) -> dg.AssetCheckResult:
    """Warns (does not block) when a follow-up wave links too few baseline participants:
    a sign of changed pseudonyms or of attrition the report must discuss."""
    config = study_config.load()
    floor, baseline = config.analysis.linkage_floor, config.analysis.baseline_wave
    rates = ingest.linkage_rates(panel, baseline, config.wave_ids)
    low = rates[~(rates["linkage_rate"] >= floor)]
    problems = [ingest.Problem(f"wave {r.wave}", "linkage_rate",
                               f"{r.n_linked} of {r.n_baseline} baseline participants found "
                               f"({r.linkage_rate:.0%})", expected=f">= {floor:.0%}",
                               count=int(r.n_baseline - r.n_linked))
                for r in low.itertuples()]
    return _result(problems, len(rates), "follow_up_waves", severity=dg.AssetCheckSeverity.WARN,
                   linkage_floor=floor, baseline_wave=baseline,
                   min_linkage_rate=float(rates["linkage_rate"].min()) if len(rates) else float("nan"),
                   **{f"linkage_rate/{r.wave}": float(r.linkage_rate) for r in rates.itertuples()},
                   linkage=dg.MetadataValue.md(rates.to_markdown(index=False, floatfmt=".3f")))


@dg.asset_check(asset="panel", blocking=True,
                additional_ins={"wave_codebook": dg.AssetIn("wave_codebook",
                                                            partition_mapping=dg.AllPartitionMapping())},
                description="Every covariate's categories in each wave occur in the other waves (no codes next "
                            "to labels, no new spelling, no unexplained new category), so that Table 1 does not "
                            "split one category in two.")
def categories_consistent(study_config: StudyResource, panel: pd.DataFrame,
                          wave_codebook: dict[str, pd.DataFrame]) -> dg.AssetCheckResult:
    """Blocking: :func:`survey.categories.check_categories` over all waves (counts only)."""
    config = study_config.load()
    waves = categories.panel_categories(panel, config, wave_codebook)
    problems = categories.check_categories(waves)
    covs = sorted({c for w in waves for c in w.observed})
    return _result(problems, len(covs), "covariates", covariates=", ".join(covs) or "none")


CROSS_WAVE_CHECKS = [id_format_consistent, linkage_rate, categories_consistent]
