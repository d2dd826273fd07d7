"""Metadata helpers shared by the asset modules (aggregates only, never row values)."""


import dagster as dg
import pandas as pd

_KIND = {"b": "boolean", "i": "integer", "u": "integer", "f": "float", "O": "text", "M": "datetime"}


def column_schema(df: pd.DataFrame, descriptions: dict[str, str] | None = None) -> dg.TableSchema:
    descriptions = descriptions or {}
    cols = []
    for name, dtype in df.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            kind = "category"
        elif pd.api.types.is_string_dtype(dtype):
            kind = "text"
        else:
            kind = _KIND.get(getattr(dtype, "kind", "O"), str(dtype))
        cols.append(dg.TableColumn(str(name), kind, description=descriptions.get(str(name))))
    return dg.TableSchema(columns=cols)


def table_metadata(df: pd.DataFrame, descriptions: dict[str, str] | None = None, **extra) -> dict:
    """Row count and column schema (the UI's standard table metadata) plus extras."""
    return {
        "dagster/row_count": dg.MetadataValue.int(len(df)),
        "dagster/column_schema": column_schema(df, descriptions),
        **extra,
    }


def md_table(df: pd.DataFrame, floatfmt: str = ".3f") -> dg.MetadataValue:
    """A small aggregate table as Markdown for the UI."""
    return dg.MetadataValue.md(df.to_markdown(index=False, floatfmt=floatfmt))
