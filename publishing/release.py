"""Publishing as one atomic set: a staging folder, then one swap into ``reports/<year>/``.

The publishing assets write their outputs (tables, figures, the report) into the staging
folder ``reports/.staging/<year>/``, which persists between runs like a build folder (an
asset that is up to date keeps its files there). Nothing in it is published. When every
output and every disclosure check has passed, :func:`promote` assembles a complete new
release in a fresh folder next to the published one (copies of exactly the files the
assets recorded, each verified against the sha256 recorded when it was written), writes ``manifest.json`` describing exactly those files, and exchanges the new
folder with ``reports/<year>/`` in one atomic ``renameat2(RENAME_EXCHANGE)`` (Linux). A
reader of ``reports/<year>/`` therefore sees either the previous complete release or the
new complete release, never a mixture, however the run ends (killed, full disk, a failed
check): the manifest always describes exactly the files beside it.

Where the exchange is not available (another OS or file system), the old release is
renamed aside, the new one renamed in and the old removed; a crash between the two
renames leaves ``reports/<year>/`` absent and the previous release in
``reports/.previous-<year>-*``, which :func:`recover` (called before every run) puts back.

Pure code (standard library); no Dagster.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from survey.fsutil import sha256_file

STAGING = ".staging"
NEW_PREFIX = ".release-"
OLD_PREFIX = ".previous-"
_RENAME_EXCHANGE = 2


class ReleaseError(RuntimeError):
    """A release could not be assembled (a staged file is missing or changed)."""


def staging_dir(reports: Path, year: int | str) -> Path:
    """``reports/.staging/<year>/`` (created)."""
    d = Path(reports) / STAGING / str(year)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ``renameat2``); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _copy(src: Path, dst: Path) -> str:
    """Copy ``src`` to ``dst`` (never a hard link: a later in-place write to the staging file
    would change the published one) and return the sha256 of what was written."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for chunk in iter(lambda: fin.read(1 << 20), b""):
            h.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return h.hexdigest()


def recover(reports: Path, year: int | str) -> list[str]:
    """Repair what an interrupted :func:`promote` left behind (call before a run).

    Returns
    -------
    list of str
        What was done (no data), for the run's log.
    """
    reports, done = Path(reports), []
    target = reports / str(year)
    old = sorted(reports.glob(f"{OLD_PREFIX}{year}-*"))
    if not target.exists() and old:
        os.rename(old[-1], target)
        done.append(f"restored the previous release of {year} (a swap was interrupted)")
        old = old[:-1]
    for d in [*old, *reports.glob(f"{NEW_PREFIX}{year}-*")]:
        shutil.rmtree(d, ignore_errors=True)
        done.append(f"removed an unfinished release folder of {year}")
    return done


def promote(reports: Path, year: int | str, files: Mapping[str, str],
            write_manifest: Callable[[Path], Path], *, before_swap: Callable[[Path], None] | None = None) -> Path:
    """Assemble a complete release from the staging folder and swap it in atomically.

    Parameters
    ----------
    reports : Path
        The ``reports/`` folder.
    year : int or str
        Evaluation year (``reports/<year>/``).
    files : mapping of str -> str
        Every file of the release, relative to ``reports/.staging/<year>/``, with the
        sha256 recorded when it was written.
    write_manifest : callable
        ``write_manifest(folder) -> path``: writes ``manifest.json`` into the new release
        folder (which then holds exactly ``files``).
    before_swap : callable, optional
        ``before_swap(folder)``: last check of the assembled folder (e.g. the disclosure
        scan); raising aborts and leaves the published release untouched.

    Returns
    -------
    Path
        ``reports/<year>/``.

    Raises
    ------
    ReleaseError
        A staged file is missing, or its content is not what was recorded (it changed
        after it was written): nothing is published.
    """
    reports = Path(reports)
    stage = staging_dir(reports, year)
    new = reports / f"{NEW_PREFIX}{year}-{uuid.uuid4().hex[:8]}"
    target = reports / str(year)
    try:
        new.mkdir(parents=True)
        for rel, digest in sorted(files.items()):
            src = stage / rel
            if not src.is_file():
                raise ReleaseError(f"{rel}: missing from the staging folder; run again with --all")
            if _copy(src, new / rel) != digest:
                raise ReleaseError(f"{rel}: changed after it was written (content does not match its "
                                   "recorded sha256); run again with --all")
        write_manifest(new)
        if before_swap is not None:
            before_swap(new)
        for d in [new, *[p for p in new.rglob("*") if p.is_dir()]]:
            _fsync_dir(d)
        if target.exists():
            if not _exchange(new, target):
                old = reports / f"{OLD_PREFIX}{year}-{uuid.uuid4().hex[:8]}"
                os.rename(target, old)
                os.rename(new, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                shutil.rmtree(new, ignore_errors=True)   # the previous release, now at `new`
        else:
            os.rename(new, target)
        _fsync_dir(reports)
    finally:
        if new.exists() and new != target:
            shutil.rmtree(new, ignore_errors=True)
    return target


def staged_files(stage: Path, relpaths: Iterable[str]) -> dict[str, str]:
    """``{relpath: sha256}`` of files just written to the staging folder."""
    return {rel: sha256_file(Path(stage) / rel) for rel in relpaths}
