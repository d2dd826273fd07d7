"""Where a module reaches into a library's private (underscore) API: the scan behind the
adapter tests (``test_dagster_adapter.py``, ``test_matplotlib_adapter.py``), which allow it
in the adapter module only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def private_uses(path: Path, package: str, aliases: tuple[str, ...] = ()) -> list[str]:
    """``"<file>:<line> <name>"`` for every private use of ``package`` in ``path``.

    A private use is an imported module or name of ``package`` with a part that starts with
    an underscore (``from dagster._core.x import y``, ``import dagster._utils``,
    ``from matplotlib.backends import _backend_pdf_ps``), or an underscore attribute of
    the package under one of ``aliases`` (``dg._x``).
    """
    def private(name: str) -> bool:
        parts = name.split(".")
        return parts[0] == package and any(part.startswith("_") for part in parts[1:])

    where = path.relative_to(ROOT)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and isinstance(node.value, ast.Name) \
                and node.value.id in aliases:
            names = [f"{package}.{node.attr}"]
        else:
            continue
        found += [f"{where}:{node.lineno} {name}" for name in dict.fromkeys(names) if private(name)]
    return found
