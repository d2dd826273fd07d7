"""Atomic file writes for every output of the pipeline.

A file is written to a temporary file in the same folder (``.tmp-<name>.<pid>-<random>``),
flushed and ``fsync``-ed, then moved into place with :func:`os.replace` (atomic on POSIX
file systems: a reader sees the old file or the new one, never a partial one). A run that
is killed mid-write leaves at most a temporary file, never a truncated output at a final
path; two processes writing the same output at once leave one complete version.

The data are fsync-ed before the rename, so even after a power failure the final path holds
the complete new file or the complete previous one (the folder itself is not fsync-ed: the
rename may be lost, never half-done); the cost is one fsync per output file, a fraction of a
second per run.

Temporary files start with :data:`TMP_PREFIX` and end with the writer's process id and a
random token, so they never match an output glob (``*.csv``, ``*.parquet``, ``*.png``),
:func:`is_temp_file` recognises them (the disclosure scan and the manifest skip them), and
:func:`remove_stale_temp_files` deletes those whose writer has died.

Pure standard library; no Dagster.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

#: every temporary file written by :func:`atomic_write` starts with this
TMP_PREFIX = ".tmp-"
_TMP_NAME = re.compile(r"^\.tmp-(?P<name>.+)\.(?P<pid>\d+)-(?P<token>[0-9a-f]{8})$")


def temp_path_for(path: str | os.PathLike) -> Path:
    """The temporary sibling that :func:`atomic_write` uses for ``path``.

    Examples
    --------
    >>> p = temp_path_for("/out/tables/flow.csv")
    >>> p.parent.as_posix(), p.name.startswith(".tmp-flow.csv."), p.suffix == ".csv", is_temp_file(p)
    ('/out/tables', True, False, True)
    """
    path = Path(path)
    return path.with_name(f"{TMP_PREFIX}{path.name}.{os.getpid()}-{secrets.token_hex(4)}")


def is_temp_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a temporary file of :func:`atomic_write` (complete or not).

    Examples
    --------
    >>> is_temp_file("figures/.tmp-flow_sv.png.4711-0a1b2c3d"), is_temp_file("figures/flow_sv.png")
    (True, False)
    """
    return Path(path).name.startswith(TMP_PREFIX)


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", *, encoding: str | None = None,
                 newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on a clean exit move it to ``path``.

    Parameters
    ----------
    path : path-like
        Final location (its folder is created if missing).
    mode : {"wb", "w"}
        Binary or text.
    encoding, newline : str, optional
        For text mode (default ``utf-8`` and ``""``: no newline translation, the bytes
        written are exactly the text's).

    Yields
    ------
    file object
        Write to it; it is flushed, fsync-ed and renamed over ``path`` when the block
        ends without an exception. On an exception the temporary file is removed and
        ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with atomic_write(d / "a.txt", "w") as fh:
    ...     _ = fh.write("hej\\n")
    ...     (d / "a.txt").exists()
    False
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('hej\\n', ['a.txt'])
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write: mode must be 'wb' or 'w', not {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # final permissions follow the umask
    try:
        if mode == "w":
            fh: IO = open(fd, "w", encoding=encoding or "utf-8", newline="" if newline is None else newline)
        else:
            fh = open(fd, "wb")
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    try:
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`); returns ``path``."""
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, without newline translation; returns ``path``."""
    return atomic_write_bytes(path, text.encode(encoding))


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    try:  # Linux: a killed process nobody has reaped yet (a zombie) still answers kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][:1]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def remove_stale_temp_files(folders: Iterable[str | os.PathLike]) -> list[Path]:
    """Delete temporary files of :func:`atomic_write` whose writing process has died.

    A killed run leaves its temporary files behind; they are never read (outputs are
    only found by their final names) but take space. Files of a live process (another
    run writing right now, e.g. one launched from the Dagster UI) are kept. Process ids
    are looked up on this machine: an output root is not meant to be shared between
    machines (the run lock of :mod:`pipelines.locking` does not span machines either).

    Parameters
    ----------
    folders : iterable of path-like
        Searched recursively; missing folders are skipped.

    Returns
    -------
    list of Path
        The files removed.
    """
    removed = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for p in folder.rglob(f"{TMP_PREFIX}*"):
            m = _TMP_NAME.match(p.name)
            if m is None or not p.is_file() or _pid_alive(int(m["pid"])):
                continue
            try:
                p.unlink()
            except FileNotFoundError:
                continue
            removed.append(p)
    return removed


def sha256_file(path: str | Path) -> str:
    """sha256 of a file, read in 1 MiB chunks (the one implementation: the manifest, the
    release, the wave files' data versions and the sensors all hash with it)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
