"""Scoring: each wave's declared instruments scored with their published rules, and the
long panel of all waves."""


from typing import Any

import dagster as dg
import pandas as pd

import instruments
from pipelines.assets._meta import md_table, table_metadata
from pipelines.partitions import WAVES
from pipelines.resources import StudyResource
from pipelines.versioning import code_version
from survey import study

GROUP = "scoring"
OWNERS = ["team:evaluation-data"]
SCORING_VERSION = code_version("instruments", "survey.study", "survey.frames")


@dg.multi_asset(
    outs={
        "scored_wave": dg.AssetOut(
            description="Scale scores of every instrument the wave declares, with n_valid columns.",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS,
            code_version=SCORING_VERSION,
        ),
        "score_valid_rates": dg.AssetOut(
            description="Per instrument: share of respondents with a valid headline score.",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS,
            code_version=SCORING_VERSION,
        ),
    },
    partitions_def=WAVES,
    group_name=GROUP,
)
def scored_wave(context: dg.AssetExecutionContext, study_config: StudyResource,
                harmonised_wave: pd.DataFrame):
    """Score the harmonised wave with :func:`instruments.score` (rules and value sets as
    configured; the EQ-5D value set is the study's primary one)."""
    config = study_config.load()
    wave = config.wave(context.partition_key)
    from survey import frames  # pandera: loaded by the runs that validate, not by every import

    scored, rates = study.score_wave(harmonised_wave, wave, config)
    schema = frames.scored_schema(config, wave.id)
    frames.validate(scored, schema)
    # metadata extras (``Any``: as ``**`` arguments, mypy would match them to every parameter)
    per_instrument: dict[str, Any] = {f"valid_rate/{r.instrument}": float(r.valid_rate) for r in rates.itertuples()}
    yield dg.Output(scored, output_name="scored_wave", metadata=table_metadata(
        scored, schema=schema, valid_rates=md_table(rates[["instrument", "score_column", "n_rows", "n_scored", "valid_rate"]]),
        eq5d_value_set=config.analysis.eq5d_value_set,
        **per_instrument,
    ))
    yield dg.Output(rates, output_name="score_valid_rates", metadata=table_metadata(rates))


@dg.asset(
    group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=SCORING_VERSION,
    ins={"scored_wave": dg.AssetIn(partition_mapping=dg.AllPartitionMapping())},
    deps=["study_settings"],
)
def panel(context: dg.AssetExecutionContext, study_config: StudyResource,
          scored_wave: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """All configured waves stacked long: ``participant_id, wave``, covariates, scores."""
    config = study_config.load()
    missing = [w for w in config.wave_ids if w not in scored_wave]
    if missing:
        raise ValueError(f"panel: wave(s) {missing} have not been scored yet")
    from survey import frames

    out = pd.concat([scored_wave[w] for w in config.wave_ids], ignore_index=True)
    out["wave"] = pd.Categorical(out["wave"], categories=config.wave_ids, ordered=True)
    schema = frames.panel_schema(config)
    frames.validate(out, schema)
    per_wave = out.groupby("wave", observed=False).size().rename("n").reset_index()
    n_of_wave: dict[str, Any] = {f"n/{r.wave}": int(r.n) for r in per_wave.itertuples()}
    context.add_output_metadata(table_metadata(
        out, schema=schema, n_per_wave=md_table(per_wave),
        n_participants=int(out["participant_id"].nunique()),
        **n_of_wave,
    ))
    return out


@dg.asset(
    partitions_def=WAVES, group_name=GROUP, kinds={"pandas"}, owners=OWNERS, code_version=SCORING_VERSION,
    io_manager_key="interim_io_manager",
)
def wave_reliability(context: dg.AssetExecutionContext, study_config: StudyResource,
                     harmonised_wave: pd.DataFrame) -> pd.DataFrame:
    """Internal consistency per scale of every multi-item instrument in the wave:
    Cronbach's alpha with Feldt CI and McDonald's omega total (complete responses)."""
    config = study_config.load()
    wave = config.wave(context.partition_key)
    parts = []
    for inst in wave.instruments:
        items = instruments.items_of(inst)
        if len(items) < 3:
            continue
        rel = instruments.reliability(inst, harmonised_wave[items], ci_level=config.analysis.ci_level,
                                      **study.instrument_options(config, inst))
        parts.append(rel)
    out = pd.concat(parts, ignore_index=True).assign(wave=wave.id)
    context.add_output_metadata(table_metadata(
        out, alpha=md_table(out[["instrument", "scale", "n_complete", "alpha", "omega_total"]])))
    return out
