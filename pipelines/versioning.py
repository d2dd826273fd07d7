"""Code versions derived from what an asset runs.

An asset's ``code_version`` is a short hash of the source files of the modules (and
package data such as instrument specs and coefficient tables) it depends on, so editing a
scoring rule or a statistics function marks exactly the affected assets stale in the UI,
as R ``targets`` does.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from pathlib import Path

_DATA_SUFFIXES = {".py", ".yaml", ".yml", ".csv", ".json", ".html", ".css", ".j2"}


def _files_of(module_name: str) -> list[Path]:
    spec = importlib.util.find_spec(module_name)  # the source's location, without running the module
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"code_version: no module {module_name!r}")
    path = Path(spec.origin)
    if path.name == "__init__.py":
        return sorted(p for p in path.parent.rglob("*") if p.suffix in _DATA_SUFFIXES
                      and "__pycache__" not in p.parts)
    return [path]


def code_version(*module_names: str) -> str:
    """sha256 (first 16 hex digits) over the sources of the named modules or packages."""
    h = hashlib.sha256()
    for name in module_names:
        for f in _files_of(name):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]
