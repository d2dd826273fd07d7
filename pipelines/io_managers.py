"""Parquet storage for every table asset.

One file per asset (and per wave partition) under the configured data folder:
``<base>/<asset>/<partition>.parquet`` or ``<base>/<asset>.parquet``. A cross-wave asset
that reads a wave-partitioned asset receives ``{wave: DataFrame}``.

Local files are written atomically (:func:`pipelines.fsutil.atomic_write`: temporary file in
the same folder, fsync, rename), so a killed run never leaves a truncated parquet file;
object stores (``s3://`` etc.) replace an object atomically by themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import dagster as dg
import pandas as pd
from pyarrow import ArrowException
from upath import UPath

from pipelines.fsutil import atomic_write
from pipelines.resources import ProjectPaths

_LOCAL = ("", "file", "local")


class StorageError(Exception):
    """A table could not be stored; the message names columns and types, never values."""


def _write_parquet(df: pd.DataFrame, fh, name: str) -> None:
    """``df.to_parquet(fh)`` without letting a data value into the error message.

    pyarrow's conversion errors quote the offending cell ("Could not convert 'JH-0FCA07'
    with type str ..."), and Dagster stores the message of a failed step in the event log.
    The original error is therefore replaced (not chained) by one that names the asset and
    the columns whose values have mixed types.
    """
    try:
        df.to_parquet(fh, index=False)
    except (ArrowException, ValueError, TypeError, OverflowError) as exc:
        mixed = [str(c) for c in df.columns
                 if df[c].dtype == object and df[c].dropna().map(type).nunique() > 1]
        raise StorageError(
            f"{name}: cannot be stored as parquet ({type(exc).__name__}); columns with values of "
            f"mixed types: {', '.join(mixed) if mixed else 'none found'} (the original message is "
            "not shown because it may quote a data value)") from None


def _wants_mapping(context: dg.InputContext) -> bool:
    """Whether the input's declared type is a mapping (``dict[str, DataFrame]``)."""
    import typing

    declared = getattr(getattr(context, "dagster_type", None), "typing_type", None)
    return declared is dict or typing.get_origin(declared) is dict


class _ParquetUPathIOManager(dg.UPathIOManager):
    extension = ".parquet"

    def dump_to_path(self, context: dg.OutputContext, obj: pd.DataFrame, path: UPath) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(f"{context.asset_key.to_user_string()}: expected a DataFrame, got {type(obj).__name__}")
        name = context.asset_key.to_user_string()
        if path.protocol in _LOCAL:
            with atomic_write(Path(path.path), "wb") as fh:
                _write_parquet(obj, fh, name)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            _write_parquet(obj, fh, name)

    def load_partitions(self, context: dg.InputContext):
        """As Dagster's, except that an input declared as ``dict[str, DataFrame]`` (a
        cross-wave asset reading every wave) is a dict also when the study has one wave:
        Dagster hands a single partition over bare, which broke one-wave studies."""
        loaded = super().load_partitions(context)
        keys = context.asset_partition_keys
        if len(keys) == 1 and not isinstance(loaded, dict) and _wants_mapping(context):
            return {keys[0]: loaded}
        return loaded

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pd.DataFrame:
        if path.protocol in _LOCAL:
            return pd.read_parquet(Path(path.path))
        with path.open("rb") as fh:
            return pd.read_parquet(fh)


class ParquetIOManager(dg.ConfigurableIOManagerFactory):
    """Stores DataFrames as parquet under ``data/<stage>/`` of the project paths
    (floats kept raw, never rounded)."""

    paths: ProjectPaths
    stage: Literal["interim", "processed"] = "processed"

    def create_io_manager(self, context) -> _ParquetUPathIOManager:
        return _ParquetUPathIOManager(base_path=UPath(getattr(self.paths, self.stage)))
