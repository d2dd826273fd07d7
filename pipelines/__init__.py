"""Dagster orchestration of the Jämlik hälsa Lindängen evaluation.

Only this package knows about Dagster; it is a thin layer (definitions, assets, checks,
resources, IO managers, sensors, partitions, the runner and CLI, and one adapter module for
what Dagster does not expose publicly) over the pure packages :mod:`privacy`,
:mod:`studyconfig`, :mod:`survey`, :mod:`publishing`, :mod:`instruments` and :mod:`analysis`.

The pure modules lived here before issue 18 moved them. Their old import paths
(``pipelines.config``, ``pipelines.ingest``, ``pipelines.publish.tables`` …) still resolve,
to the very same module objects, so scripts and notebooks written against them keep working;
new code imports the new paths.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

#: old module path -> where the module lives now (issue 18's layout)
MOVED = {
    **{f"pipelines.{m}": f"privacy.{m}" for m in ("errors", "problems", "identifiers")},
    "pipelines.config": "studyconfig.config",
    **{f"pipelines.{m}": f"survey.{m}" for m in (
        "readers", "ingest", "wavefiles", "categories", "missing_declarations", "new_wave", "validate",
        "partner_surveys", "frames", "study", "fsutil")},
    **{f"pipelines.{m}": f"tools.{m}" for m in ("example_study", "example_partners")},
    "pipelines.publish": "publishing",
}


def _new_name(name: str) -> str | None:
    if name in MOVED:
        return MOVED[name]
    if name.startswith("pipelines.publish."):
        return "publishing." + name.removeprefix("pipelines.publish.")
    return None


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves an old module path to the module at its new place (the same object)."""

    def find_spec(self, fullname, path=None, target=None):
        new = _new_name(fullname)
        return importlib.util.spec_from_loader(fullname, self) if new else None

    def __init__(self) -> None:
        self._own: dict[str, importlib.machinery.ModuleSpec | None] = {}

    def create_module(self, spec):
        module = importlib.import_module(_new_name(spec.name))  # type: ignore[arg-type]
        self._own[spec.name] = module.__spec__
        return module

    def exec_module(self, module):
        # the import system has just set the module's ``__spec__`` to the old path's spec; the
        # module keeps its own (``importlib.util.find_spec`` of its new name reads it)
        module.__spec__ = self._own.pop(module.__spec__.name, module.__spec__)

    # ``python -m pipelines.example_study …`` (runpy) runs the moved module's own code as __main__
    def get_code(self, fullname):
        spec = _moved_spec(fullname)
        loader = spec.loader if spec else None
        return loader.get_code(spec.name) if spec and isinstance(loader, importlib.abc.InspectLoader) else None

    def is_package(self, fullname):
        spec = _moved_spec(fullname)
        return bool(spec and spec.submodule_search_locations is not None)


def _moved_spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """The import spec of the module an old path ``name`` now names (``None``: not moved)."""
    new = _new_name(name)
    return importlib.util.find_spec(new) if new else None


if not any(isinstance(f, _Alias) for f in sys.meta_path):
    sys.meta_path.insert(0, _Alias())  # before the path finder, which would load a second copy
