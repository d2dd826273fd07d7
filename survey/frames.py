"""The scored wave and the panel as pandera schemas: what each column is, its range, and
the rows' key, checked where the frame is made and shown in the Dagster UI as the asset's
column schema (with descriptions and constraints).

The schemas are built from the instruments' own output metadata
(:func:`instruments.outputs`, with the study's scoring options, so the EQ-5D index range is
the configured value set's), not written by hand. A frame that breaks its schema is a
fault in the scoring code, not in the input (bad input is stopped earlier by the blocking
checks): :func:`validate` raises :class:`FrameError`, naming asset, column, check and the
number of failing rows, never a value or a row's participant (pandera's own error lists
the failing values, so it is not passed on).

Pure: no Dagster.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
import pandera.pandas as pa

import instruments
from studyconfig.config import COVARIATES, StudyConfig
from survey import study
from survey.ingest import ID_COLUMN, WAVE_COLUMN

__all__ = ["FrameError", "panel_schema", "scored_schema", "validate"]

#: a computed score may exceed its bound by floating-point rounding (e.g. 100.00000000000001)
_TOLERANCE = 1e-9

_COVARIATE_TEXT = "Covariate as harmonised from the wave file (study.yaml mapping)."


class FrameError(ValueError):
    """A frame made by the pipeline broke its schema (aggregates only in the message)."""


def _score_column(row) -> pa.Column:
    bounds = [b for b in (row.min, row.max) if not (b is None or (isinstance(b, float) and math.isnan(b)))]
    checks = []
    if row.kind in ("continuous", "count"):
        # numeric; a column with no value at all (an empty wave) may come out as object
        checks.append(pa.Check(lambda s: pd.api.types.is_numeric_dtype(s) or bool(s.isna().all()),
                               element_wise=False, error="numeric"))
    if len(bounds) == 2:
        checks.append(pa.Check.in_range(row.min - _TOLERANCE, row.max + _TOLERANCE,
                                        error=f"in [{row.min:g}, {row.max:g}]"))
    unit = f" ({row.unit})" if isinstance(row.unit, str) and row.unit else ""
    return pa.Column(
        None, checks=checks, nullable=True, required=True,
        coerce=False, description=f"{row.label_en}{unit}; {row.instrument}, {row.kind}")


def _outputs(config: StudyConfig, instrument_ids: Iterable[str]) -> pd.DataFrame:
    frames = [instruments.outputs(i, **study.instrument_options(config, i)) for i in instrument_ids]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["column", "instrument", "label_en", "kind", "min", "max", "unit"])


def _columns(config: StudyConfig, instrument_ids: Iterable[str], wave_ids: list[str]) -> dict[str, pa.Column]:
    cols: dict[str, pa.Column] = {
        ID_COLUMN: pa.Column(None, nullable=False, description="Pseudonym of the participant (never published)."),
        WAVE_COLUMN: pa.Column(None, checks=pa.Check.isin(wave_ids, error=f"one of {', '.join(wave_ids)}"),
                               nullable=False, description="Survey wave (partition key)."),
    }
    for c in COVARIATES:
        cols[c] = pa.Column(None, nullable=True, required=False, description=_COVARIATE_TEXT)
    for d in study.EQ5D_DIMENSIONS:
        cols[d] = pa.Column(None, checks=pa.Check.in_range(1, 5, error="in [1, 5]"), nullable=True, required=False,
                            description="EQ-5D-5L dimension level (1 = no problems … 5 = extreme problems).")
    for row in _outputs(config, instrument_ids).drop_duplicates("column").itertuples():
        cols.setdefault(row.column, _score_column(row))
    return cols


def scored_schema(config: StudyConfig, wave_id: str) -> pa.DataFrameSchema:
    """Schema of one scored wave: key, covariates, EQ-5D levels and every output column of
    every instrument the wave declares, each within its instrument's range."""
    wave = config.wave(wave_id)
    return pa.DataFrameSchema(
        _columns(config, wave.instruments, [wave_id]), name=f"scored_wave[{wave_id}]", strict=True,
        unique=[ID_COLUMN], description="One row per participant of the wave.")


def panel_schema(config: StudyConfig) -> pa.DataFrameSchema:
    """Schema of the long panel: the union of the scored waves, one row per participant and
    wave."""
    declared = list(dict.fromkeys(i for w in config.waves for i in w.instruments))
    return pa.DataFrameSchema(
        _columns(config, declared, config.wave_ids), name="panel", strict=True,
        unique=[ID_COLUMN, WAVE_COLUMN], description="One row per participant and wave (long).")


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """``df`` unchanged if it meets ``schema``, else :class:`FrameError` listing each broken
    column and check with the number of failing rows (no values, no participants)."""
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        lines = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
            rows = int(group["index"].notna().sum())
            if check in ("column_in_schema", "column_in_dataframe"):  # failure cases are column names
                what = "unexpected" if check == "column_in_schema" else "missing"
                lines.append(f"{what} column(s) {', '.join(sorted(map(str, group['failure_case'])))}")
            elif check == "not_nullable":
                lines.append(f"column {column}: missing value(s): {rows} row(s)")
            elif check in ("multiple_fields_uniqueness", "field_uniqueness"):
                if "rows not unique" not in " ".join(lines):
                    lines.append(f"rows not unique on {', '.join(schema.unique or [])}: {rows} row(s)")
            elif str(check).startswith("dtype("):
                lines.append(f"column {column}: expected {check}, found another type")
            else:
                lines.append(f"column {column}: not {check}" + (f": {rows} row(s)" if rows else ""))
        raise FrameError(f"{schema.name}: the frame breaks its schema (a fault in the code, not in the input): "
                         + "; ".join(lines)) from None
    return df
