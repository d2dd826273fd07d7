"""Issue 18: the import graph of the project's own packages has no cycles (counting imports
inside functions too: a lazy import hides a cycle, it does not remove it), the packages keep
their layers (the import-linter contracts in pyproject.toml, read here so there is one
source), and the pure packages import neither Dagster nor the Dagster layer."""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pipelines", "publishing", "survey", "studyconfig", "privacy", "tools", "analysis", "instruments")
#: the packages that must stay free of Dagster and of the pipeline layer
PURE = ("publishing", "survey", "studyconfig", "privacy", "tools", "analysis", "instruments")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = p
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module (of ours, or a top-level third-party name) that ``name`` imports anywhere."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                pkg = pkg[:len(pkg) - (node.level - 1)]
                base = ".".join([*pkg, base] if base else pkg)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        for t in targets:
            own = t
            while own and own not in modules:
                own = own.rpartition(".")[0]
            found.add(own or t.split(".")[0])
    found.discard(name)
    return found


def _graph_here() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imports(m, p, modules) for m, p in modules.items()}


@functools.cache
def _graph() -> dict[str, set[str]]:
    """The import graph, parsed in a fresh interpreter: CPython 3.11.7's ``ast.parse`` can
    fail with "AST constructor recursion depth mismatch" after other tests in the same
    process (python/cpython#106905), which would make this test depend on the test order."""
    done = subprocess.run([sys.executable, __file__], capture_output=True, text=True, timeout=300, check=True)
    return {m: set(deps) for m, deps in json.loads(done.stdout).items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_has_no_cycles():
    graph = _graph()
    assert len(graph) > 60 and "publishing.registry" in graph
    assert _cycles(graph) == []


def test_the_pure_packages_import_neither_dagster_nor_the_pipeline_layer():
    bad = {m: sorted(t for t in deps if t == "dagster" or t.startswith("pipelines"))
           for m, deps in _graph().items() if m.split(".")[0] in PURE}
    assert {m: d for m, d in bad.items() if d} == {}


def _layers() -> list[list[str]]:
    """The layers contract of pyproject.toml, top first; ``a | b`` are independent siblings."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return [[p.strip() for p in layer.split("|")] for layer in contract["layers"]]


def _layer_violations(graph: dict[str, set[str]], layers: list[list[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs where a package imports one in a higher layer or an
    independent sibling of its own layer."""
    rank = {pkg: (i, j) for i, layer in enumerate(layers) for j, pkg in enumerate(layer)}
    out = []
    for module, deps in graph.items():
        src = rank.get(module.split(".")[0])
        for dep in deps:
            dst = rank.get(dep.split(".")[0])
            if src is None or dst is None or dep.split(".")[0] == module.split(".")[0]:
                continue
            if dst[0] < src[0] or (dst[0] == src[0] and dst[1] != src[1]):
                out.append((module, dep))
    return sorted(out)


def test_the_layer_check_finds_an_import_against_the_grain():
    layers = [["top", "side"], ["middle"], ["bottom"]]
    graph = {"top.a": {"middle.b", "bottom"}, "middle.b": {"bottom.c"}, "bottom.c": {"top.a"},
             "side": {"top.a"}, "middle.d": {"numpy"}}
    assert _layer_violations(graph, layers) == [("bottom.c", "top.a"), ("side", "top.a")]


def test_every_package_sits_in_its_layer():
    layers = _layers()
    assert sorted(p for layer in layers for p in layer) == sorted(PACKAGES)
    assert _layer_violations(_graph(), layers) == []


def test_the_import_contracts_hold():
    """import-linter itself (what `make lint` runs), so the contracts are checked as written."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_old_import_paths_resolve_to_the_moved_modules():
    """Scripts written against the paths before issue 18's move keep working, on the very
    same module objects (no second copy with its own state)."""
    import pipelines
    import publishing.tables
    import studyconfig.config
    import survey.ingest
    from pipelines.publish.tables import display_prepost  # noqa: F401  (the old spelling)

    assert pipelines.MOVED["pipelines.config"] == "studyconfig.config"
    import pipelines.config
    import pipelines.ingest
    import pipelines.publish.tables
    assert pipelines.config is studyconfig.config and pipelines.ingest is survey.ingest
    assert pipelines.publish.tables is publishing.tables
    assert display_prepost is publishing.tables.display_prepost
    # the moved module keeps its own spec (pipelines.versioning finds its source through it;
    # an old import that overwrote it broke code_version for every later test)
    assert importlib.util.find_spec("survey.ingest").origin == survey.ingest.__file__
    assert publishing.tables.__spec__.name == "publishing.tables"


def test_the_old_generator_command_still_runs(tmp_path):
    """``python -m pipelines.example_study`` (the generator's documented contract before the
    move) writes the same files as ``python -m tools.example_study``."""
    out = {}
    for module in ("pipelines.example_study", "tools.example_study"):
        folder = tmp_path / module
        subprocess.run([sys.executable, "-m", module, "--participants", "12", "--seed", "3", "--truth-n", "50",
                        "--out", str(folder)],
                       cwd=ROOT, check=True, capture_output=True, timeout=300)
        out[module] = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
                       if p.is_file()}
    assert out["pipelines.example_study"] == out["tools.example_study"] and out["tools.example_study"]


if __name__ == "__main__":   # _graph()'s fresh interpreter
    print(json.dumps({m: sorted(deps) for m, deps in _graph_here().items()}))
