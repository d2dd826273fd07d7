"""Metadata helpers shared by the asset modules (aggregates only, never row values)."""


from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg
import pandas as pd

if TYPE_CHECKING:  # pandera is imported where a frame is validated (survey.frames), not at load
    import pandera.pandas as pa

_KIND = {"b": "boolean", "i": "integer", "u": "integer", "f": "float", "O": "text", "M": "datetime"}


def column_schema(df: pd.DataFrame, descriptions: dict[str, str] | None = None,
                  schema: pa.DataFrameSchema | None = None) -> dg.TableSchema:
    """The frame's columns with their type; with a pandera ``schema`` (:mod:`survey.frames`)
    also each column's description and constraints (nullable, unique, range)."""
    descriptions = descriptions or {}
    declared = schema.columns if schema is not None else {}
    key = list(schema.unique or []) if schema is not None else []
    cols = []
    for name, dtype in df.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            kind = "category"
        elif pd.api.types.is_string_dtype(dtype):
            kind = "text"
        else:
            kind = _KIND.get(getattr(dtype, "kind", "O"), str(dtype))
        spec = declared.get(str(name))
        constraints = None
        if spec is not None:
            other = [str(c.error) for c in spec.checks if c.error]
            if key and str(name) in key:
                other.append("unique together with " + ", ".join(k for k in key if k != name) if len(key) > 1
                             else "unique")
            constraints = dg.TableColumnConstraints(nullable=spec.nullable, unique=key == [str(name)], other=other)
        cols.append(dg.TableColumn(str(name), kind, description=descriptions.get(str(name))
                                   or (spec.description if spec is not None else None), constraints=constraints))
    return dg.TableSchema(columns=cols)


def table_metadata(df: pd.DataFrame, descriptions: dict[str, str] | None = None,
                   schema: pa.DataFrameSchema | None = None, **extra) -> dict:
    """Row count and column schema (the UI's standard table metadata) plus extras."""
    return {
        "dagster/row_count": dg.MetadataValue.int(len(df)),
        "dagster/column_schema": column_schema(df, descriptions, schema),
        **extra,
    }


def md_table(df: pd.DataFrame, floatfmt: str = ".3f") -> dg.MetadataValue:
    """A small aggregate table as Markdown for the UI."""
    return dg.MetadataValue.md(df.to_markdown(index=False, floatfmt=floatfmt))
