"""Parquet storage for every table asset.

One file per asset (and per wave partition) under the configured data folder:
``<base>/<asset>/<partition>.parquet`` or ``<base>/<asset>.parquet``. A cross-wave asset
that reads a wave-partitioned asset receives ``{wave: DataFrame}``.

Local files are written atomically (:func:`survey.fsutil.atomic_write`: temporary file in
the same folder, fsync, rename), so a killed run never leaves a truncated parquet file;
object stores (``s3://`` etc.) replace an object atomically by themselves.

Stored data are verified, not assumed: every local file written is recorded in the
materialisation's metadata with its size and sha256 (:data:`STORED_FILE`,
:data:`STORED_BYTES`, :data:`STORED_SHA256`). ``python -m pipelines run`` and ``status``
compare each stored asset's file with that record (:func:`stored_file_problem`); a missing,
truncated or overwritten file makes the asset stale, and the next run rebuilds it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Literal

import dagster as dg
import pandas as pd
from pyarrow import ArrowException
from upath import UPath

from pipelines.resources import ProjectPaths
from survey.fsutil import atomic_write

_LOCAL = ("", "file", "local")

#: materialisation metadata written with every locally stored file: where, how many bytes,
#: sha256 of the bytes (no data values)
STORED_FILE, STORED_BYTES, STORED_SHA256 = "jh/stored_file", "jh/stored_bytes", "jh/stored_sha256"

#: the io manager key of each storage stage (see :mod:`pipelines.definitions`)
STAGES = {"io_manager": "processed", "interim_io_manager": "interim"}


def file_digest(path: str | os.PathLike) -> tuple[int, str]:
    """``(size in bytes, sha256 hex digest)`` of a file.

    Examples
    --------
    >>> import tempfile, os
    >>> fd, p = tempfile.mkstemp(); _ = os.write(fd, b"abc"); os.close(fd)
    >>> file_digest(p)[0], file_digest(p)[1][:12]
    (3, 'ba7816bf8f01')
    """
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def stored_path(stage_dir: str | os.PathLike, key_path: list[str], partition: str | None) -> Path:
    """Where the parquet IO manager stores an asset (partition) under a stage folder
    (``<stage>/<asset>.parquet`` or ``<stage>/<asset>/<partition>.parquet``).

    Examples
    --------
    >>> stored_path("/out/data/interim", ["scored_wave"], "T0").as_posix()
    '/out/data/interim/scored_wave/T0.parquet'
    >>> stored_path("/out/data/processed", ["panel"], None).as_posix()
    '/out/data/processed/panel.parquet'
    """
    base = Path(stage_dir).joinpath(*key_path)
    return base / f"{partition}.parquet" if partition is not None else base.with_name(base.name + ".parquet")


def stored_file_problem(path: str | os.PathLike, size: int | None, sha256: str | None) -> str | None:
    """Why a stored file differs from what was recorded when it was written, or ``None``.

    Parameters
    ----------
    path : path-like
        The file the IO manager would read.
    size, sha256 : int or None, str or None
        Recorded at write time (:data:`STORED_BYTES`, :data:`STORED_SHA256`); ``None`` for
        files written before they were recorded: then only their existence is checked.

    Returns
    -------
    str or None
        ``"missing"``, ``"N bytes, M recorded"``, ``"content changed since it was written
        (sha256 differs)"``, ``"unreadable (<error>)"``, or ``None`` when it matches.

    Examples
    --------
    >>> import tempfile, os
    >>> fd, p = tempfile.mkstemp(); _ = os.write(fd, b"abc"); os.close(fd)
    >>> n, digest = file_digest(p)
    >>> stored_file_problem(p, n, digest) is None
    True
    >>> _ = open(p, "wb").write(b"xyz")
    >>> stored_file_problem(p, n, digest)
    'content changed since it was written (sha256 differs)'
    >>> stored_file_problem(p + ".gone", n, digest)
    'missing'
    """
    path = Path(path)
    try:
        found = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({type(exc).__name__})"
    if not path.is_file():
        return "not a file"
    if size is None or sha256 is None:
        return None
    if found != size:
        return f"{found} bytes, {size} recorded when it was written"
    try:
        _, digest = file_digest(path)
    except OSError as exc:
        return f"unreadable ({type(exc).__name__})"
    return None if digest == sha256 else "content changed since it was written (sha256 differs)"


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
            local = Path(path.path)
            with atomic_write(local, "wb") as fh:
                _write_parquet(obj, fh, name)
            size, digest = file_digest(local)
            context.add_output_metadata({STORED_FILE: dg.MetadataValue.path(str(local)),
                                         STORED_BYTES: size, STORED_SHA256: digest})
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
