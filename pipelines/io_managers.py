"""Parquet storage for every table asset.

One file per asset (and per wave partition) under the configured data folder:
``<base>/<asset>/<partition>.parquet`` or ``<base>/<asset>.parquet``. A cross-wave asset
that reads a wave-partitioned asset receives ``{wave: DataFrame}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import dagster as dg
import pandas as pd
from upath import UPath

from pipelines.resources import ProjectPaths


class _ParquetUPathIOManager(dg.UPathIOManager):
    extension = ".parquet"

    def dump_to_path(self, context: dg.OutputContext, obj: pd.DataFrame, path: UPath) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(f"{context.asset_key.to_user_string()}: expected a DataFrame, got {type(obj).__name__}")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(str(path) + ".tmp")
        obj.to_parquet(tmp, index=False)
        tmp.replace(Path(str(path)))

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pd.DataFrame:
        return pd.read_parquet(Path(str(path)))


class ParquetIOManager(dg.ConfigurableIOManagerFactory):
    """Stores DataFrames as parquet under ``data/<stage>/`` of the project paths
    (floats kept raw, never rounded)."""

    paths: ProjectPaths
    stage: Literal["interim", "processed"] = "processed"

    def create_io_manager(self, context) -> _ParquetUPathIOManager:
        return _ParquetUPathIOManager(base_path=UPath(getattr(self.paths, self.stage)))
