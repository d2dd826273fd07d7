"""The provenance chain of one published figure, as a small picture for the report's appendix
(issue 17): figure → published table → analysis → … → scored wave → raw wave → input file
with its sha256.

The chain is the upstream part of the asset graph that the Dagster layer passes in as
``parents`` (asset key → the keys it reads); the published tables' parents are the
analysis assets the registry names (:attr:`publishing.registry.TableSpec.sources`),
not every input of the multi-asset that computes them together. The picture shows the same
names as the Dagster UI, so the research lead can follow it there, and the same short hashes
as the manifest and the captions.

Pure code; no Dagster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.patches import FancyBboxPatch

from publishing import style
from publishing.labels import label


def layers(start: str, parents: Mapping[str, Sequence[str]], skip: Sequence[str] = ()) -> list[list[str]]:
    """The ancestors of ``start`` in columns, from the sources (left) to ``start`` (right):
    each asset sits one column right of its furthest-right parent (longest path), so every
    arrow points to the right. Names in ``skip`` (settings, category plans) and their own
    ancestors are left out.

    >>> parents = {"fig": ["tab"], "tab": ["an"], "an": ["panel", "cohort"], "cohort": ["panel"],
    ...            "panel": ["scored", "settings"], "scored": ["raw"]}
    >>> layers("fig", parents, skip=["settings"])
    [['raw'], ['scored'], ['panel'], ['cohort'], ['an'], ['tab'], ['fig']]
    """
    seen: set[str] = set()
    order: list[str] = []

    def visit(node: str) -> None:          # depth-first, parents before children
        if node in seen or node in skip:
            return
        seen.add(node)
        for p in parents.get(node, ()):
            visit(p)
        order.append(node)

    visit(start)
    depth: dict[str, int] = {}
    for node in order:
        ps = [p for p in parents.get(node, ()) if p in depth]
        depth[node] = 1 + max((depth[p] for p in ps), default=-1)
    cols: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for node in order:
        cols[depth[node]].append(node)
    return [sorted(c) for c in cols]


def edges(cols: list[list[str]], parents: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The arrows between the nodes of :func:`layers` (parent, child).

    >>> edges([["a"], ["b"], ["c"]], {"c": ["b", "a"], "b": ["a"]})
    [('a', 'b'), ('a', 'c'), ('b', 'c')]
    """
    shown = {n for c in cols for n in c}
    return sorted((p, n) for n in shown for p in parents.get(n, ()) if p in shown)


def figure(cols: list[list[str]], arrows: list[tuple[str, str]], files: Sequence[tuple[str, str, str]],
           lang: str, partitioned: Sequence[str] = ()):
    """Draw the chain top-down: the input files (``files``: ``(file, sha256, asset that
    reads it)``) in the first row, then one row per layer of :func:`layers`, boxes named by
    asset key, arrows from parent to child. Partitioned assets say that they exist once per
    wave."""
    rows = ([[f"__file{i}" for i in range(len(files))]] if files else []) + cols
    widest = max(len(r) for r in rows)
    row_h = 0.42                                    # inches per row
    fig, ax = style.figure(style.FULL_WIDTH, row_h * len(rows) + 0.2)
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    box_w = min(0.94 / widest, 0.3)
    box_h = 0.62 / len(rows)
    pos: dict[str, tuple[float, float]] = {}
    for ri, row in enumerate(rows):
        y = 1 - (ri + 0.5) / len(rows)
        if files and ri == 1:          # the readers in the order of their files: no crossing arrows
            first = {r: i for i, (_, _, r) in reversed(list(enumerate(files)))}
            row = sorted(row, key=lambda n: first.get(n, len(files)))
        for ci, node in enumerate(row):
            pos[node] = ((ci + 0.5) / len(row), y)
    if files:                          # each file above the asset that reads it, as far as possible
        order = sorted(range(len(files)), key=lambda i: pos.get(files[i][2], (2.0, 0))[0])
        for slot, i in enumerate(order):
            pos[f"__file{i}"] = ((slot + 0.5) / len(files), pos[f"__file{i}"][1])

    def box(node: str, text: str, fc: str) -> None:
        x, y = pos[node]
        h = box_h * (1.45 if node.startswith("__file") else 1)
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - h / 2), box_w, h,
                                    boxstyle="round,pad=0,rounding_size=0.008",
                                    fc=fc, ec="#333333", lw=0.6, transform=ax.transAxes))
        ax.text(x, y, text, ha="center", va="center", fontsize=5.5, transform=ax.transAxes, linespacing=1.1)

    for i, (file, sha, _) in enumerate(files):
        folder, _, name = file.rpartition("/")
        box(f"__file{i}", (f"{folder}/\n" if folder else "") + f"{name}\nsha256 {(sha or '–')[:12]}", "#F2F2F2")
    each = label("lineage_per_wave", lang)
    for node in pos:
        if not node.startswith("__file"):
            box(node, node + (f"\n({each})" if node in partitioned else ""),
                "#DCEBF7" if node.startswith(("published/", "figure_")) else "white")
    row_of = {n: ri for ri, row in enumerate(rows) for n in row}

    def arrow(a: str, b: str) -> None:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        h0 = box_h * (1.45 if a.startswith("__file") else 1)
        if row_of[b] - row_of[a] > 1 and abs(x0 - x1) <= box_w / 2:
            # past the boxes between them: out of the left side, down, and in from the left
            ax.annotate("", xy=(x1 - box_w / 2, y1), xytext=(x0 - box_w / 2, y0), xycoords="axes fraction",
                        textcoords="axes fraction",
                        arrowprops=dict(arrowstyle="-|>", color="#333333", lw=0.6, shrinkA=0, shrinkB=0,
                                        mutation_scale=6,
                                        connectionstyle="arc,angleA=180,angleB=180,armA=10,armB=10,rad=0"))
            return
        if row_of[b] - row_of[a] > 1:
            # a long arrow goes down beside the column and enters the box from the side
            side = x1 - box_w / 2 if x0 < x1 else x1 + box_w / 2
            ax.annotate("", xy=(side, y1), xytext=(x0, y0 - h0 / 2), xycoords="axes fraction",
                        textcoords="axes fraction",
                        arrowprops=dict(arrowstyle="-|>", color="#333333", lw=0.6, shrinkA=0, shrinkB=0,
                                        mutation_scale=6, connectionstyle="angle,angleA=90,angleB=0,rad=0"))
            return
        ax.annotate("", xy=(x1, y1 + box_h / 2), xytext=(x0, y0 - h0 / 2), xycoords="axes fraction",
                    textcoords="axes fraction",
                    arrowprops=dict(arrowstyle="-|>", color="#333333", lw=0.6, shrinkA=0, shrinkB=0,
                                    mutation_scale=6))

    for a, b in arrows:
        arrow(a, b)
    for i, (_, _, reader) in enumerate(files):
        if reader in pos:
            arrow(f"__file{i}", reader)
    return fig
