"""A black-box attacker on a published release folder ``reports/<year>/``.

It reads only what is published -- ``tables/*.csv``, ``report*.html``, ``report*.docx``
(the text of ``word/document.xml``), the text of ``figures/*.svg`` and ``manifest.json``
-- plus the study's *k* (``publishing.k_min_cell``), and tries to recover

* a **count of persons** between 1 and k - 1, or
* an **individual value** (one person's score, or every value of a very small group), or
* an **attribute of a group below k** (its mean, its SMD),

by the known attacks of statistical disclosure control (Hundepool et al. 2012,
doi:10.1002/9781118348239; ONS/Eurostat SDC guidance; ACRO's output checks):

=========================  ================================================================
``a_direct``               a small count printed as it is: count columns (``n``, ``n_*``) of
                           the CSVs, ``n = 3`` in the report or a figure
``b_differencing``         two published groups of which one contains the other (all vs
                           recurring respondents, flow stages, complete pairs, the mixed
                           model's participants, reliability's complete responses, ...):
                           the difference is a group, and with means/SDs its values
``c_totals``               a published total minus its published parts (Table 1's
                           categories, the flow, responder and PCHC categories, ...)
``d_back_calculation``     counts from percentages x denominators, shares, Wilson-CI bounds,
                           a t-test's df, the percentages printed in stacked-bar figures
``e_small_group_values``   means, SDs and quartiles of groups of 1-5 (a mean of n = 1 is a
                           value; mean and SD of n = 2 give both values; Q1/median/Q3 with
                           the mean and SD give every value of a group of up to 5)
``f_count_statistics``     statistics that are counts: exact McNemar (b), the corrected
                           McNemar with its estimate (b and c), Wilcoxon's number of non-zero
                           differences and its V
``g_narrative``            the report's sentences: the attrition sentence (numbers, the share
                           next to ``<k``, the SMD of a group below k), any ``n = c``
=========================  ================================================================

Each finding is a :class:`Claim`: a *group* in the vocabulary of :mod:`truth` and the count,
values or mean the attacker believes it has. :func:`verify` confirms a claim against the
ground truth of a generated study -- the truth is used only to confirm, never to find --
so that only true disclosures count. Derived counts are chained: a count recovered by one
attack is used by the others (e.g. a denominator from a percentage, then a hidden category
as total minus parts), until nothing new follows.

The attacker knows how the pipeline defines its groups (the methods section says it), but
not its code: published tables it does not recognise are still scanned for small counts
(reported as *unattributed*, since the truth cannot confirm them).
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: the five EQ-5D-5L dimensions, as the published tables name them (public knowledge of the
#: instrument: the attacker reads only published files, never the pipeline's code)
EQ5D_DIMENSIONS = ("eq5d5l_mo", "eq5d5l_sc", "eq5d5l_ua", "eq5d5l_pd", "eq5d5l_ad")

ATTACK_KINDS = ("a_direct", "b_differencing", "c_totals", "d_back_calculation", "e_small_group_values",
                "f_count_statistics", "g_narrative")
#: columns of the published CSVs that count persons (by name, as an outsider reads them)
NOT_PERSON_COUNTS = {"n_items", "n_valid_items"}
INT_TOL = 1e-6


def is_count_column(name: str) -> bool:
    """Whether a CSV column reads as a count of persons (``n`` or ``n_*``).

    Examples
    --------
    >>> [is_count_column(c) for c in ("n", "n_total", "n_items", "mean", "n_obs")]
    [True, True, False, False, True]
    """
    return (name == "n" or name.startswith("n_")) and name not in NOT_PERSON_COUNTS


# ------------------------------------------------------------------------------------------
# the release as an outsider sees it
# ------------------------------------------------------------------------------------------

@dataclass
class Release:
    """Everything published in ``reports/<year>/`` (outside ``internal/``), as read by an
    outsider: the CSV tables, the plain text of every report and figure, the manifest."""

    folder: Path
    k: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    svg_lines: dict[str, list[str]] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    primary_definition: str = "attendance"
    #: ``table.column`` count columns the attacker could not place (filled by the attacks)
    unmapped: set = field(default_factory=set)
    #: how many sentences / figures each text parser understood (filled by the attacks)
    parsed: dict = field(default_factory=dict)

    @property
    def n_numbers(self) -> int:
        """Numbers the attacker looked at: numeric CSV cells plus numbers in the texts."""
        cells = 0
        for df in self.tables.values():
            for c in df.columns:
                if not pd.api.types.is_bool_dtype(df[c]):
                    cells += int(pd.to_numeric(df[c], errors="coerce").notna().sum())
        words = sum(len(NUMBER.findall(t)) for t in self.texts.values())
        return cells + words


NUMBER = re.compile(r"(?<![\w.,])-?\d+(?:[.,]\d+)?")


def normalise_text(s: str) -> str:
    """Unescape HTML, unify minus signs and spaces (U+2212, no-break and thin spaces)."""
    s = html.unescape(s)
    for a, b in (("\u2212", "-"), ("\u00a0", " "), ("\u202f", " "), ("\u2009", " ")):
        s = s.replace(a, b)
    return s


def html_text(raw: str) -> str:
    """The visible text of an HTML page, one block (paragraph, list item, table row) a line."""
    raw = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", raw)
    raw = re.sub(r"(?i)<br\s*/?>|</(p|li|tr|h[1-6]|div|caption|figcaption|title)>", "\n", raw)
    raw = re.sub(r"(?i)</t[dh]>", " | ", raw)
    raw = re.sub(r"<[^>]+>", " ", raw)
    text = normalise_text(raw)
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines() if line.strip())


def docx_text(path: Path) -> str:
    """The text of a Word file's ``word/document.xml``, one paragraph a line."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    xml = re.sub(r"</w:p>", "\n", xml)
    xml = re.sub(r"</w:tc>", " | ", xml)
    xml = re.sub(r"<w:tab/>", " ", xml)
    parts = []
    for line in xml.split("\n"):
        parts.append("".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", line)))
    return "\n".join(normalise_text(p).strip() for p in parts if p.strip())


def svg_lines(raw: str) -> list[str]:
    """The text lines of an SVG figure: ``<text>`` elements, and matplotlib's comments that
    carry each text when glyphs are drawn as paths (``svg.fonttype: path``)."""
    lines = [m.strip() for m in re.findall(r"<!--(.*?)-->", raw, flags=re.DOTALL)]
    lines += [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<text[^>]*>(.*?)</text>", raw, flags=re.DOTALL)]
    return [normalise_text(x) for x in lines if x and not x.startswith("Created with")]


def load_release(folder, k: int, primary_definition: str = "attendance") -> Release:
    """Read a published release folder.

    Parameters
    ----------
    folder : path
        ``reports/<year>/``.
    k : int
        The study's ``publishing.k_min_cell``.
    primary_definition : {"attendance", "both"}
        The recurring-participant definition the report's methods section names.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); (d / "tables").mkdir()
    >>> _ = (d / "tables" / "t.csv").write_text("n,suppressed\\n3,False\\n")
    >>> r = load_release(d, 5)
    >>> list(r.tables), r.n_numbers
    (['t'], 1)
    """
    folder = Path(folder)
    rel = Release(folder=folder, k=int(k), primary_definition=primary_definition)
    for p in sorted((folder / "tables").glob("*.csv")):
        rel.tables[p.stem] = pd.read_csv(p, keep_default_na=True)
    for p in sorted(folder.glob("*.html")):
        rel.texts[p.name] = html_text(p.read_text(encoding="utf-8"))
    for p in sorted(folder.glob("*.docx")):
        rel.texts[p.name] = docx_text(p)
    for p in sorted((folder / "figures").glob("*.svg")):
        lines = svg_lines(p.read_text(encoding="utf-8"))
        rel.svg_lines[f"figures/{p.name}"] = lines
        rel.texts[f"figures/{p.name}"] = "\n".join(lines)
    man = folder / "manifest.json"
    if man.exists():
        rel.manifest = json.loads(man.read_text(encoding="utf-8"))
        rel.texts["manifest.json"] = normalise_text(json.dumps(rel.manifest, ensure_ascii=False, indent=0))
    return rel


# ------------------------------------------------------------------------------------------
# findings
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """One thing the attacker believes it recovered.

    ``group`` is a group of :mod:`truth` (``None``: the attacker cannot say which group, an
    *unattributed* finding); exactly one of ``count``, ``values``, ``mean`` or
    ``attribute`` says what was recovered about it; ``spec`` names the values
    (``("score", wave, var)`` or ``("change", pre, post, var)``).
    """

    attack: str
    files: tuple[str, ...]
    what: str
    group: tuple | None
    count: int | None = None
    spec: tuple | None = None
    values: tuple[float, ...] | None = None
    mean: float | None = None
    attribute: str | None = None
    tol: float = 1e-6

    @property
    def kind(self) -> str:
        return ("count" if self.count is not None else "values" if self.values is not None
                else "mean" if self.mean is not None else "attribute")

    def key(self) -> tuple:
        """What was disclosed (two attacks finding the same fact give the same key)."""
        v = self.count if self.count is not None else (
            tuple(round(x, 6) for x in self.values) if self.values is not None
            else round(self.mean, 6) if self.mean is not None else self.attribute)
        return (self.group, self.kind, self.spec, v)


@dataclass(frozen=True)
class Fact:
    """A count the attacker knows: published, or derived by an attack."""

    group: tuple
    value: int
    files: tuple[str, ...]
    attack: str        # "published" or one of ATTACK_KINDS
    what: str


@dataclass(frozen=True)
class Moments:
    """Size, mean and SD of a variable over a group (from a published row)."""

    group: tuple
    spec: tuple
    n: int
    mean: float
    sd: float | None
    files: tuple[str, ...]
    what: str
    quantiles: tuple | None = None   # (q1, median, q3), R type 7


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _int(x, tol: float = INT_TOL) -> int | None:
    v = _num(x)
    if v is None or abs(v - round(v)) > tol:
        return None
    return int(round(v))


def _is_small(v, k: int) -> bool:
    return v is not None and 1 <= v <= k - 1


def _s(x) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


# ------------------------------------------------------------------------------------------
# what each published table's rows count (the attacker's reading of the tables)
# ------------------------------------------------------------------------------------------

def _levels_of(row) -> tuple:
    merged = _s(row.get("merged_levels"))
    return tuple(merged.split("; ")) if merged else (_s(row.get("level")),)


def _is_categorical_row(row) -> bool:
    return _s(row.get("level")) != ""


def profile_levels(level: str) -> tuple[int, ...]:
    """The EQ-5D levels of a published profile group ("4–5", "2", "2.0").

    >>> profile_levels("4–5"), profile_levels("2.0")
    ((4, 5), (2,))
    """
    a, _, b = str(level).replace("-", "–").partition("–")
    return tuple(range(int(float(a)), int(float(b or a)) + 1))


def row_groups(table: str, row: pd.Series, primary: str) -> dict[str, tuple]:
    """Count column -> the group it counts, for one row of a published table the attacker
    recognises (empty for unknown tables: their small counts stay *unattributed*)."""
    g = lambda c: _s(row.get(c))
    pre, post = g("pre"), g("post")
    if table == "table1":
        wave, pop, var = g("group"), g("population"), g("variable")
        out = {"n_total": ("resp", wave, pop)}
        if _is_categorical_row(row):
            out["n"] = ("level", wave, pop, var, _levels_of(row))
        else:
            out["n"] = ("answered", wave, pop, var)
        return out
    if table == "wave_summaries":
        return {"n": ("answered", g("wave"), g("population"), g("outcome"))}
    if table == "mixed_model_means":
        return {"n": ("answered", g("wave"), "recurring", g("outcome"))}
    if table == "mixed_model_terms":
        return {"n_groups": ("model_groups", g("outcome")), "n_obs": ("model_obs", g("outcome"))}
    if table == "participant_flow":
        stage, definition = g("stage"), g("definition")
        if stage == "analysed_complete_pairs":
            d = "attendance" if definition == "recurring_attendance" else "both"
            return {"n": ("pairs", pre, post, d, g("outcome"))}
        if stage == "assessed":
            which = "assessed_pre" if g("wave") == pre else "assessed_post"
            return {"n": ("flow", pre, post, which)}
        name = {("lost_to_follow_up", "all"): "lost", ("new_at_follow_up", "all"): "new",
                ("lost_attending", "all"): "lost_attending", ("lost_not_attending", "all"): "lost_not_attending",
                ("analysed", "recurring_both_waves"): "both",
                ("excluded", "recurring_attendance"): "excluded_attendance",
                ("analysed", "recurring_attendance"): "analysed_attendance",
                ("reached", "all"): "reached"}.get((stage, definition))
        return {"n": ("flow", pre, post, name)} if name else {}
    if table in ("prepost_tests", "effect_sizes", "categorical_change"):
        return {"n": ("pairs", pre, post, primary, g("outcome"))}
    if table == "responders":
        return {"n": ("responders", pre, post, g("outcome"), g("category")),
                "n_total": ("pairs", pre, post, primary, g("outcome"))}
    if table == "eq5d_pchc":
        return {"n": ("pchc", pre, post, g("dimension"), g("category")), "n_total": ("pchc_pairs", pre, post)}
    if table == "eq5d_profile":
        if g("dimension") == "full_health":
            return {"n": ("eq5d_full", g("wave")), "n_total": ("eq5d_complete", g("wave"))}
        return {"n": ("eq5d_levels", g("wave"), g("dimension"), profile_levels(g("level"))),
                "n_total": ("eq5d_answered", g("wave"), g("dimension"))}
    if table == "eq5d_problem_shares":
        return {"n": ("eq5d_problem", g("wave"), g("dimension")), "n_total": ("eq5d_answered", g("wave"), g("dimension"))}
    if table == "dose_response_terms":
        return {"n": ("pairs", pre, post, "both", g("outcome"))}
    if table == "reliability":
        return {"n_complete": ("rel_complete", g("wave"), g("instrument"), g("scale"))}
    if table == "attrition":
        return {"n_completers": ("completer", pre, post), "n_dropouts": ("dropout", pre, post)}
    if table == "health_literacy_levels":
        return {"n": ("hl_level", g("wave"), g("level")),
                "n_total": ("answered", g("wave"), "recurring", "hls_eu_q16_level")}
    if table == "outcome_distributions":
        return {"n": ("answered", g("wave"), "recurring", g("outcome"))}
    if table == "sensitivity_estimates":
        method = g("method")
        if method == "complete_case":
            return {"n": ("pairs", pre, post, primary, g("outcome"))}
        if method == "mixed_model":
            return {"n": ("answered_either", pre, post, g("outcome"))}
        return {"n": ("flow", pre, post, "analysed_attendance" if primary == "attendance" else "both")}
    if table == "subgroup_estimates":
        return {"n": ("pairs_level", pre, post, g("outcome"), g("subgroup"), (g("subgroup_level"),))}
    if table == "eq5d_auc":
        return {"n": ("auc_complete",)}
    if table == "programme_reach":
        return {"n": ("reach", g("period"), g("workshop"))}
    return {}


#: tables of another population, attacked by their own tests (tests/assets/test_partners.py):
#: the partner survey is anonymous, so the generated study has no truth for it
OTHER_UNIVERSE = ("partner_",)


def _files(*names) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for group in names for n in (group if isinstance(group, tuple) else (group,))))


def named_groups(rel: Release) -> list[tuple]:
    """Every group a published row names, whether its count is shown or suppressed (a
    suppressed cell is still a part of its total)."""
    out: dict[tuple, None] = {}
    for name, df in rel.tables.items():
        for _, row in df.iterrows():
            for g in row_groups(name, row, rel.primary_definition).values():
                if g is not None and None not in g:
                    out[g] = None
    return list(out)


def published_facts(rel: Release) -> tuple[list[Fact], list[Claim]]:
    """Every count cell of every CSV as a :class:`Fact`; small counts of tables the
    attacker does not recognise as unattributed ``a_direct`` claims."""
    facts, unattributed = [], []
    for name, df in rel.tables.items():
        f = f"tables/{name}.csv"
        count_cols = [c for c in df.columns if is_count_column(str(c))]
        for i, row in df.iterrows():
            groups = row_groups(name, row, rel.primary_definition)
            for c in count_cols:
                v = _int(row[c])
                if v is None:
                    continue
                grp = groups.get(c)
                if grp is None and name.startswith(OTHER_UNIVERSE):
                    if _is_small(v, rel.k):     # still a small count: unattributed
                        unattributed.append(Claim("a_direct", (f,), f"{name} row {i} column {c} = {v}", None, count=v))
                    continue
                if grp is None or None in grp:
                    rel.unmapped.add(f"{name}.{c}")
                    if _is_small(v, rel.k):
                        unattributed.append(Claim("a_direct", (f,), f"{name} row {i} column {c} = {v}", None, count=v))
                    continue
                facts.append(Fact(grp, v, (f,), "published", f"{name} row {i} {c}"))
    return facts, unattributed


def published_moments(rel: Release) -> list[Moments]:
    """Size, mean, SD (and quartiles) of every published mean: Table 1's continuous rows,
    the wave summaries, the paired t-tests (SD of the change from t or the CI)."""
    out = []
    t1 = rel.tables.get("table1")
    if t1 is not None:
        for i, r in t1.iterrows():
            if _is_categorical_row(r):
                continue
            n, m = _int(r.get("n")), _num(r.get("mean"))
            if n is None or m is None or n == 0:
                continue
            q = tuple(_num(r.get(c)) for c in ("q1", "median", "q3"))
            wave, pop, var = _s(r["group"]), _s(r["population"]), _s(r["variable"])
            out.append(Moments(("answered", wave, pop, var), ("score", wave, var), n, m, _num(r.get("sd")),
                               ("tables/table1.csv",), f"table1 row {i}", q if None not in q else None))
    ws = rel.tables.get("wave_summaries")
    if ws is not None:
        for i, r in ws.iterrows():
            n, m = _int(r.get("n")), _num(r.get("estimate"))
            if n is None or m is None or n == 0:
                continue
            sd = _num(r.get("sd"))
            if sd is None and _num(r.get("std_error")) is not None:
                sd = _num(r["std_error"]) * math.sqrt(n)
            wave, pop, var = _s(r["wave"]), _s(r["population"]), _s(r["outcome"])
            out.append(Moments(("answered", wave, pop, var), ("score", wave, var), n, m, sd,
                               ("tables/wave_summaries.csv",), f"wave_summaries row {i}"))
    pp = rel.tables.get("prepost_tests")
    if pp is not None:
        for i, r in pp.iterrows():
            if _s(r.get("test")) != "paired_t":
                continue
            n, m = _int(r.get("n")), _num(r.get("estimate"))
            if n is None or m is None or n == 0:
                continue
            sd = None
            t = _num(r.get("statistic"))
            if t not in (None, 0.0):
                sd = abs(m) * math.sqrt(n) / abs(t)
            elif n > 1 and _num(r.get("ci_low")) is not None and _num(r.get("ci_high")) is not None:
                from scipy import stats
                level = _num(r.get("ci_level")) or 0.95
                tq = stats.t.ppf(1 - (1 - level) / 2, n - 1)
                sd = (_num(r["ci_high"]) - _num(r["ci_low"])) / (2 * tq) * math.sqrt(n)
            pre, post, var = _s(r["pre"]), _s(r["post"]), _s(r["outcome"])
            out.append(Moments(("pairs", pre, post, rel.primary_definition, var), ("change", pre, post, var), n, m,
                               sd, ("tables/prepost_tests.csv",), f"prepost_tests row {i}"))
    return out


# ------------------------------------------------------------------------------------------
# what the attacker knows about how groups nest and add up (the pipeline's definitions)
# ------------------------------------------------------------------------------------------

def supersets(g: tuple, primary: str, first_wave: str | None) -> list[tuple]:
    """Groups that contain ``g`` by definition (one step; see :func:`ancestors`).

    Examples
    --------
    >>> supersets(("answered", "T1", "recurring", "who5_percent"), "attendance", "T0")
    [('answered', 'T1', 'all', 'who5_percent'), ('resp', 'T1', 'recurring'), ('model_groups', 'who5_percent')]
    """
    kind = g[0]
    out: list[tuple] = []
    if kind in ("resp", "answered", "level") and g[2] == "recurring":
        out.append((kind, g[1], "all", *g[3:]))
    if kind == "level":
        out.append(("answered", *g[1:4]))
    elif kind == "answered":
        out.append(("resp", g[1], g[2]))
        if g[2] == "recurring":
            out.append(("model_groups", g[3]))
            if g[3] == "eq5d5l_index":   # the index needs every dimension answered
                out += [("eq5d_answered", g[1], d) for d in
                        EQ5D_DIMENSIONS]
    elif kind == "flow":
        pre, post, stage = g[1:]
        up = {"assessed_pre": [("resp", pre, "all")], "assessed_post": [("resp", post, "all")],
              "lost": [("flow", pre, post, "assessed_pre")], "new": [("flow", pre, post, "assessed_post")],
              "lost_attending": [("flow", pre, post, "lost"), ("flow", pre, post, "reached")],
              "lost_not_attending": [("flow", pre, post, "lost")],
              "both": [("flow", pre, post, "assessed_pre"), ("flow", pre, post, "assessed_post")],
              "excluded_attendance": [("flow", pre, post, "both")],
              "analysed_attendance": [("flow", pre, post, "both"), ("flow", pre, post, "reached")]}
        out += up.get(stage, [])
        if stage == ("analysed_attendance" if primary == "attendance" else "both"):
            out += [("resp", pre, "recurring"), ("resp", post, "recurring")]
    elif kind == "pairs":
        pre, post, d, var = g[1:]
        out.append(("flow", pre, post, "analysed_attendance" if d == "attendance" else "both"))
        if d == "attendance":
            out.append(("pairs", pre, post, "both", var))
    elif kind in ("pairs_cells", "pairs_sign", "responders"):
        out.append(("pairs", g[1], g[2], primary, g[3]))
    elif kind == "pchc":
        out.append(("pchc_pairs", g[1], g[2]))
    elif kind == "eq5d_problem":
        out.append(("eq5d_answered", g[1], g[2]))
    elif kind == "eq5d_levels":
        out.append(("eq5d_answered", g[1], g[2]))
        if 1 not in g[3]:
            out.append(("eq5d_problem", g[1], g[2]))
    elif kind == "eq5d_full":
        out += [("eq5d_complete", g[1])] + [("eq5d_levels", g[1], d, (1,)) for d in
                                            EQ5D_DIMENSIONS]
    elif kind == "eq5d_complete":
        out += [("eq5d_answered", g[1], d) for d in EQ5D_DIMENSIONS]
    elif kind == "eq5d_answered" or kind == "hl_level":
        out.append(("resp", g[1], "recurring"))
    elif kind == "model_groups" and first_wave is not None:
        out.append(("resp", first_wave, "recurring"))
    elif kind == "rel_complete" or kind in ("dropout", "completer"):
        out.append(("resp", g[1], "all"))
    elif kind == "dropout_answered":
        out.append(("dropout", g[1], g[2]))
    elif kind == "dropout_level":
        out.append(("dropout_answered", g[1], g[2], g[3]))
    elif kind == "reach":   # a workshop's half-year is part of its whole time and of the half-year
        if g[1] != "all":
            out.append(("reach", "all", g[2]))
        if g[2] != "all":
            out.append(("reach", g[1], "all"))
    return out


def ancestors(g: tuple, primary: str, first_wave: str | None, depth: int = 4) -> list[tuple]:
    """Every group that contains ``g`` by definition, up to ``depth`` steps."""
    seen: dict[tuple, None] = {}
    frontier = [g]
    for _ in range(depth):
        nxt = []
        for x in frontier:
            for p in supersets(x, primary, first_wave):
                if p not in seen and p != g:
                    seen[p] = None
                    nxt.append(p)
        frontier = nxt
    return list(seen)


def partitions(groups: Iterable[tuple], primary: str) -> list[tuple[tuple, list[tuple]]]:
    """(total, parts) that add up by definition, for the groups the release names."""
    groups = list(dict.fromkeys(groups))
    out: list[tuple[tuple, list[tuple]]] = []
    levels: dict[tuple, list[tuple]] = {}
    for g in groups:
        if g[0] == "level":
            levels.setdefault(("answered", *g[1:4]), []).append(g)
    for total, parts in levels.items():
        out.append((total, parts))
    for g in groups:
        if g[0] == "answered" or (g[0] == "eq5d_answered"):
            resp = ("resp", g[1], g[2]) if g[0] == "answered" else ("resp", g[1], "recurring")
            out.append((resp, [g, ("minus", resp, g)]))
        if g[0] in ("resp",) and g[2] == "recurring":
            total = ("resp", g[1], "all")
            out.append((total, [g, ("minus", total, g)]))
    comps = {(g[1], g[2]) for g in groups if g[0] in ("flow", "pairs", "responders", "pchc", "pchc_pairs",
                                                         "pairs_cells", "pairs_sign")}
    for pre, post in comps:
        f = lambda s, pre=pre, post=post: ("flow", pre, post, s)
        out.append((f("assessed_pre"), [f("both"), f("lost")]))
        out.append((f("lost"), [f("lost_attending"), f("lost_not_attending")]))
        out.append((f("assessed_post"), [f("both"), f("new")]))
        out.append((f("both"), [f("excluded_attendance"), f("analysed_attendance")]))
    by_outcome: dict[tuple, set] = {}
    for g in groups:
        if g[0] == "responders":
            by_outcome.setdefault(("pairs", g[1], g[2], primary, g[3]), set()).add("resp")
        if g[0] in ("pairs_cells", "pairs_sign"):
            by_outcome.setdefault(("pairs", g[1], g[2], primary, g[3]), set()).add(g[0])
    for total, kinds in by_outcome.items():
        pre, post, _, var = total[1:]
        if "resp" in kinds:
            out.append((total, [("responders", pre, post, var, c) for c in ("improved", "worsened", "unchanged")]))
        if "pairs_cells" in kinds:
            out.append((total, [("pairs_cells", pre, post, var, a, b) for a in (False, True) for b in (False, True)]))
        if "pairs_sign" in kinds:
            out.append((total, [("pairs_sign", pre, post, var, "zero"), ("pairs_sign", pre, post, var, "nonzero")]))
            out.append((("pairs_sign", pre, post, var, "nonzero"),
                        [("pairs_sign", pre, post, var, "pos"), ("pairs_sign", pre, post, var, "neg")]))
    profile: dict[tuple, list[tuple]] = {}
    for g in groups:
        if g[0] == "eq5d_levels":
            profile.setdefault(("eq5d_answered", g[1], g[2]), []).append(g)
    for total, parts in profile.items():
        out.append((total, parts))                      # the level groups add up to those answering
        mild = [p for p in parts if p[3] == (1,)]
        if mild:                                        # ... and "any problem" is all but level 1
            out.append((total, [mild[0], ("eq5d_problem", total[1], total[2])]))
    for g in groups:
        if g[0] == "eq5d_full":
            total = ("eq5d_complete", g[1])
            out.append((total, [g, ("minus", total, g)]))
    pchc: dict[tuple, dict[str, list]] = {}
    for g in groups:
        if g[0] == "pchc":
            pchc.setdefault(("pchc_pairs", g[1], g[2]), {}).setdefault(g[3], []).append(g)
    for total, dims in pchc.items():
        for parts in dims.values():
            out.append((total, parts))
    drop = {(g[1], g[2]) for g in groups if g[0] in ("dropout", "completer", "dropout_level", "dropout_answered")}
    for pre, post in drop:
        out.append((("resp", pre, "all"), [("completer", pre, post), ("dropout", pre, post)]))
    return out


# ------------------------------------------------------------------------------------------
# attacks that add facts
# ------------------------------------------------------------------------------------------

def wilson(x: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of x successes in n (as R's ``prop.test(correct = FALSE)``).

    Examples
    --------
    >>> [round(v, 4) for v in wilson(3, 10)]
    [0.1078, 0.6032]
    """
    from scipy import stats
    z = stats.norm.ppf(1 - (1 - level) / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def back_calculated_facts(rel: Release) -> list[Fact]:
    """``d_back_calculation``: counts from percentages, shares, Wilson bounds and df."""
    out: list[Fact] = []
    t1 = rel.tables.get("table1")
    if t1 is not None and "percent" in t1:
        # n / percent x 100 is the number answering; a merged category may use another
        # denominator, so where the rows of one variable disagree the unmerged rows win
        denominators: dict[tuple, dict[bool, set]] = {}
        where: dict[tuple, int] = {}
        for i, r in t1.iterrows():
            n, pct = _num(r.get("n")), _num(r.get("percent"))
            if not _is_categorical_row(r) or n is None or pct is None or n <= 0 or pct <= 0:
                continue
            valid = 100 * n / pct
            if abs(valid - round(valid)) < 1e-6:
                g = ("answered", _s(r["group"]), _s(r["population"]), _s(r["variable"]))
                merged = bool(_s(r.get("merged_levels")))
                denominators.setdefault(g, {True: set(), False: set()})[merged].add(int(round(valid)))
                if not merged:
                    where.setdefault(g, i)
        for g, d in denominators.items():
            if len(d[False]) == 1:   # rows of merged categories only: their denominator is unclear
                out.append(Fact(g, next(iter(d[False])), ("tables/table1.csv",), "d_back_calculation",
                                f"table1 row {where[g]}: n / percent = number answering"))
    for name in ("responders", "eq5d_pchc", "eq5d_problem_shares", "eq5d_profile"):
        df = rel.tables.get(name)
        if df is None:
            continue
        for i, r in df.iterrows():
            if _num(r.get("n")) is not None:
                continue
            total = _int(r.get("n_total"))
            grp = row_groups(name, r, rel.primary_definition).get("n")
            if total is None or total <= 0 or grp is None:
                continue
            share, lo, hi = _num(r.get("share")), _num(r.get("ci_low")), _num(r.get("ci_high"))
            level = _num(r.get("ci_level")) or 0.95
            cands = set(range(total + 1))
            if share is not None:
                cands &= {x for x in cands if abs(x / total - share) < 1e-9}
            if lo is not None or hi is not None:
                cands &= {x for x in cands if (lo is None or abs(wilson(x, total, level)[0] - lo) < 1e-7)
                          and (hi is None or abs(wilson(x, total, level)[1] - hi) < 1e-7)}
            if (share is not None or lo is not None or hi is not None) and len(cands) == 1:
                out.append(Fact(grp, cands.pop(), (f"tables/{name}.csv",), "d_back_calculation",
                                f"{name} row {i}: count from share / Wilson CI x n_total"))
    pp = rel.tables.get("prepost_tests")
    if pp is not None:
        for i, r in pp.iterrows():
            if _s(r.get("test")) == "paired_t" and _num(r.get("n")) is None and _int(r.get("df")) is not None:
                out.append(Fact(("pairs", _s(r["pre"]), _s(r["post"]), rel.primary_definition, _s(r["outcome"])),
                                _int(r["df"]) + 1, ("tables/prepost_tests.csv",), "d_back_calculation",
                                f"prepost_tests row {i}: n = df + 1"))
    out += stacked_bar_facts(rel)
    return out


NONZERO = re.compile(r"\((\d+) (?:non-zero differences|differenser skilda från noll|nollskilda differenser)\)")


def _subset_sizes(m: int, v: int) -> set[int]:
    """Sizes j of the subsets of {1..m} whose sum is v."""
    if v < 0 or v > m * (m + 1) // 2:
        return set()
    # reach[j] = bitmask of sums reachable with j elements
    reach = [0] * (m + 1)
    reach[0] = 1
    for r in range(1, m + 1):
        for j in range(r, 0, -1):
            reach[j] |= reach[j - 1] << r
    return {j for j in range(m + 1) if (reach[j] >> v) & 1}


def count_statistic_facts(rel: Release) -> list[Fact]:
    """``f_count_statistics``: McNemar's discordant cells, Wilcoxon's non-zero and
    positive differences."""
    out: list[Fact] = []
    cc = rel.tables.get("categorical_change")
    f = "tables/categorical_change.csv"
    if cc is not None:
        for i, r in cc.iterrows():
            test, n, est, stat = _s(r.get("test")), _int(r.get("n")), _num(r.get("estimate")), _num(r.get("statistic"))
            pre, post, var = _s(r.get("pre")), _s(r.get("post")), _s(r.get("outcome"))
            cell = lambda a, b, pre=pre, post=post, var=var: ("pairs_cells", pre, post, var, a, b)
            if test == "mcnemar_exact" and stat is not None and _int(stat) is not None:
                b = _int(stat)
                out.append(Fact(cell(False, True), b, (f,), "f_count_statistics", f"row {i}: exact McNemar statistic = b"))
                if n is not None and est is not None and _int(b - est * n, 1e-6) is not None:
                    out.append(Fact(cell(True, False), _int(b - est * n), (f,), "f_count_statistics",
                                    f"row {i}: c = b - estimate x n"))
            elif test == "mcnemar" and stat is not None and n is not None and est is not None:
                d = _int(est * n)
                if d is None:
                    continue
                if stat > 0:
                    s = (abs(d) - 1) ** 2 / stat
                    s_int = _int(s, 1e-6)
                    if s_int is not None and s_int >= abs(d) and (s_int + d) % 2 == 0:
                        out.append(Fact(cell(False, True), (s_int + d) // 2, (f,), "f_count_statistics",
                                        f"row {i}: b from corrected McNemar and the estimate"))
                        out.append(Fact(cell(True, False), (s_int - d) // 2, (f,), "f_count_statistics",
                                        f"row {i}: c from corrected McNemar and the estimate"))
    pp = rel.tables.get("prepost_tests")
    if pp is not None:
        for i, r in pp.iterrows():
            if _s(r.get("test")) != "wilcoxon":
                continue
            m = NONZERO.search(_s(r.get("method")))
            pre, post, var = _s(r.get("pre")), _s(r.get("post")), _s(r.get("outcome"))
            if not m:
                continue
            nz = int(m.group(1))
            out.append(Fact(("pairs_sign", pre, post, var, "nonzero"), nz, ("tables/prepost_tests.csv",),
                            "f_count_statistics", f"prepost_tests row {i}: Wilcoxon's number of non-zero differences"))
            v = _int(r.get("statistic"))
            if v is not None:
                sizes = _subset_sizes(nz, v)
                if len(sizes) == 1:
                    out.append(Fact(("pairs_sign", pre, post, var, "pos"), sizes.pop(), ("tables/prepost_tests.csv",),
                                    "f_count_statistics", f"prepost_tests row {i}: Wilcoxon V fixes the positive count"))
    return out


def stacked_bar_facts(rel: Release) -> list[Fact]:
    """``d_back_calculation`` on the HLS-EU-Q16 level figure: integer percentages x the n
    printed beside each bar give each level's count; the hatched remainder is the rest."""
    out: list[Fact] = []
    t1 = rel.tables.get("table1")
    waves = list(dict.fromkeys(t1["group"].astype(str))) if t1 is not None and "group" in t1 else []
    for fname, lines in rel.svg_lines.items():
        if "health_literacy_levels" not in fname or not waves:
            continue
        rows, current = [], []
        for x in lines:
            m = re.fullmatch(r"n = (\d+)", x)
            if m:
                rows.append((current, int(m.group(1))))
                current = []
            elif re.fullmatch(r"\d+", x):
                current.append(int(x))
            elif re.fullmatch(r"<\d+", x):
                current = ["hidden"]
        # the percentage axis ticks (0 ... 100) come before the bars: drop them
        rows = [(p if p[:6] != [0, 20, 40, 60, 80, 100] else p[6:], n) for p, n in rows]
        rel.parsed["stacked bars"] = rel.parsed.get("stacked bars", 0) + len(rows)
        for wave, (pcts, n) in zip(waves, rows):
            if "hidden" in pcts or not pcts or n <= 0:
                continue
            counts = []
            for p in pcts:
                xs = [x for x in range(n + 1) if round(100 * x / n) == p]
                counts.append(xs[0] if len(xs) == 1 else None)
            if None in counts:
                continue
            rest = n - sum(counts)
            levels = ("inadequate", "problematic", "sufficient")
            hidden = len(levels) - len(pcts)
            if hidden >= 1 and rest >= 0:
                cands = [("union", *[("hl_level", wave, lv) for lv in combo])
                         for combo in itertools.combinations(levels, hidden)]
                out.append(Fact(("any_of", *cands), rest, (fname,), "d_back_calculation",
                                f"{fname}: n beside the bar minus the labelled percentages"))
    return out


# ------------------------------------------------------------------------------------------
# the narrative
# ------------------------------------------------------------------------------------------

#: how the report words a count it does not print (publishing/labels.yaml
#: ``fewer_than_k``, ``not_shown_count``), as the parsers read it: ``<k`` and ``x``
WORDED_COUNTS = [(re.compile(r"\b(?:fewer than|färre än) (\d+)"), r"<\1"),
                 (re.compile(r"\b(?:a number not shown|ett antal som inte redovisas)"), "x")]


def canonical_counts(text: str) -> str:
    """The report's worded counts as ``<k`` / ``x``.

    Examples
    --------
    >>> canonical_counts("of 25, fewer than 5 (12%) did not; a number not shown counted")
    'of 25, <5 (12%) did not; x counted'
    """
    for rx, repl in WORDED_COUNTS:
        text = rx.sub(repl, text)
    return text


LIMITATION = [
    re.compile(r"of (?P<base><?\d+) who answered at baseline, (?P<lost><?\d+|x)(?: \((?P<share>[\d–-]+) ?%\))? did not "
               r"answer the follow-up, and (?P<rec><?\d+|x) counted as recurring participants\.(?P<rest>[^\n]*)"),
    re.compile(r"av (?P<base><?\d+) som besvarade baslinjen besvarade (?P<lost><?\d+|x)(?: \((?P<share>[\d–-]+) ?%\))? "
               r"inte uppföljningen, och (?P<rec><?\d+|x) räknades som återkommande deltagare\.(?P<rest>[^\n]*)"),
]
SUMMARY_INTRO = [
    re.compile(r"among the (?P<base><?\d+|x) who answered the survey at baseline: n = (?P<recs>[^ ]+(?: / [^ ]+)*) "
               r"in the comparisons"),
    re.compile(r"bland de (?P<base><?\d+|x) som besvarade enkäten vid baslinjen: n = (?P<recs>[^ ]+(?: / [^ ]+)*) "
               r"i jämförelserna"),
]
SMD = re.compile(r":\s*(?P<var>[^:]+?)(?: \((?P<level>[^()]*(?:\([^()]*\))?[^()]*)\))?, SMD = (?P<smd>-?\d+(?:[.,]\d+)?)\.")
N_EQUALS = re.compile(r"\bn\s*=\s*(\d+)(?![\d.,]*\s*[–-]\s*\d)")


def _smd_prop(p1: float, p2: float) -> float:
    pooled = math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    return (p1 - p2) / pooled if pooled > 0 else (0.0 if p1 == p2 else float("nan"))


def narrative_facts_and_claims(rel: Release) -> tuple[list[Fact], list[Claim], list[dict]]:
    """``g_narrative``: the attrition sentences of the limitations section (baseline, lost
    to follow-up with its share, recurring; the SMD of drop-outs vs completers).

    Returns facts, claims and *statements* (``<k`` printed where the truth can check it).
    """
    facts: list[Fact] = []
    claims: list[Claim] = []
    statements: list[dict] = []
    flow = rel.tables.get("participant_flow")
    comps = list(dict.fromkeys(zip(flow["pre"].astype(str), flow["post"].astype(str)))) if flow is not None else []
    t1 = rel.tables.get("table1")
    for fname, text in rel.texts.items():
        if not fname.startswith("report"):
            continue
        text = canonical_counts(text)
        hits = [m for rx in LIMITATION for m in rx.finditer(text)]
        rel.parsed["attrition sentences"] = rel.parsed.get("attrition sentences", 0) + len(hits)
        intro = [m for rx in SUMMARY_INTRO for m in rx.finditer(text)]
        rel.parsed["summary sentences"] = rel.parsed.get("summary sentences", 0) + len(intro)
        flag = "analysed_attendance" if rel.primary_definition == "attendance" else "both"
        for m in intro:
            recs = m["recs"].split(" / ")
            if len(recs) != len(comps):
                continue
            for (pre, post), val in zip(comps, recs):
                if val.isdigit():
                    facts.append(Fact(("flow", pre, post, flag), int(val), (fname,), "g_narrative",
                                      "summary: recurring participants"))
                elif val.startswith("<") and val[1:].isdigit():
                    statements.append({"file": fname, "group": ("flow", pre, post, flag),
                                       "text": f"{val} recurring participants", "below": int(val[1:])})
            if m["base"].isdigit() and comps:
                facts.append(Fact(("flow", *comps[0], "assessed_pre"), int(m["base"]), (fname,), "g_narrative",
                                  "summary: answered at baseline"))
        for (pre, post), m in zip(comps, hits):
            base, lost, rec, share = m["base"], m["lost"], m["rec"], m["share"] or ""
            num = lambda s: int(s) if s.isdigit() else None
            b, lo, rc = num(base), num(lost), num(rec)
            for val, grp, label in ((b, ("flow", pre, post, "assessed_pre"), "baseline"),
                                    (lo, ("flow", pre, post, "lost"), "lost to follow-up"),
                                    (rc, ("flow", pre, post, "analysed_attendance" if rel.primary_definition
                                          == "attendance" else "both"), "recurring")):
                if val is not None:
                    facts.append(Fact(grp, val, (fname,), "g_narrative", f"limitations: {label}"))
            for s, grp in ((lost, ("flow", pre, post, "lost")), (rec, None), (base, None)):
                if s.startswith("<") and grp is not None:
                    statements.append({"file": fname, "group": grp, "text": f"{s} did not answer the follow-up",
                                       "below": int(s[1:])})
            if lo is None and b is not None and share.isdigit():
                cands = [x for x in range(b + 1) if round(100 * x / b) == int(share)]
                if lost.startswith("<"):
                    cands = [x for x in cands if x < int(lost[1:])]
                if len(cands) == 1:
                    facts.append(Fact(("flow", pre, post, "lost"), cands[0], (fname,), "g_narrative",
                                      "limitations: the share next to a suppressed number of drop-outs"))
                    lo = cands[0]
            sm = SMD.search(m["rest"])
            if sm:
                claims += _smd_claims(rel, fname, pre, post, sm, b, lo, t1, lost, share)
    return facts, claims, statements


def _smd_claims(rel, fname, pre, post, sm, base, lost, t1, lost_text="", share="") -> list[Claim]:
    """The SMD of the attrition sentence: a statistic of the drop-outs (and, for a category,
    of the drop-outs in it). Only what the text itself shows is claimed: the number of
    drop-outs is printed, or printed as ``<k`` (then every size its share allows is tried),
    and the SMD of two shares is inverted over every split of completers and drop-outs;
    a claim is made when every possible size is below k."""
    out = []
    k = rel.k
    smd = float(sm["smd"].replace(",", "."))
    level = (sm["level"] or "").strip()
    what = f"attrition sentence states SMD = {sm['smd']} for {sm['var'].strip()}" + (f" ({level})" if level else "")
    var = None
    if level and t1 is not None:
        for v, g in t1.groupby("variable", sort=False):
            names = set(g["level"].dropna().astype(str))
            for ml in g.get("merged_levels", pd.Series(dtype=str)).dropna().astype(str):
                names |= set(ml.split("; "))
            if level in names:
                var = str(v)
                break
    if base is None:
        return out
    if lost is not None:
        sizes = [lost]
    elif lost_text.startswith("<") and lost_text[1:].isdigit():
        sizes = list(range(1, int(lost_text[1:])))
        if share.isdigit():
            sizes = [x for x in sizes if round(100 * x / base) == int(share)]
    else:
        sizes = []
    sizes = [x for x in sizes if 0 < x < base]
    if sizes and all(_is_small(x, k) for x in sizes):
        out.append(Claim("g_narrative", (fname,), what + ": a statistic of fewer than k drop-outs",
                         ("dropout", pre, post), attribute=f"SMD {smd}"))
    if var is None or not sizes:
        return out
    xds = set()
    for n_d in sizes:
        n_c = base - n_d
        xds |= {xd for xc in range(n_c + 1) for xd in range(n_d + 1)
                if abs(round(_smd_prop(xc / n_c, xd / n_d), 2) - smd) < 1e-9}
    grp = ("dropout_level", pre, post, var, (level,))
    if len(xds) == 1 and _is_small(next(iter(xds)), k):
        out.append(Claim("g_narrative", (fname,), what + ": the number of drop-outs in the category", grp,
                         count=next(iter(xds))))
    elif xds and all(_is_small(x, k) for x in xds):
        out.append(Claim("g_narrative", (fname,), what + ": a statistic of fewer than k drop-outs in the category",
                         grp, attribute=f"SMD {smd}"))
    return out


def text_small_numbers(rel: Release, known: set[int]) -> list[Claim]:
    """``a_direct`` on the texts: every ``n = c`` (and Wilcoxon's non-zero count) with
    1 <= c <= k - 1. Numbers that equal no published or derived count are unattributed."""
    out = []
    for fname, text in rel.texts.items():
        for rx, what in ((N_EQUALS, "n = {}"), (NONZERO, "({} non-zero differences)")):
            for m in rx.finditer(text):
                c = int(m.group(1))
                if _is_small(c, rel.k):
                    ctx = text[max(0, m.start() - 60): m.end() + 20].replace("\n", " ")
                    out.append(Claim("a_direct", (fname,), f"text '{what.format(c)}' in '…{ctx}…'", None, count=c))
    return out


# ------------------------------------------------------------------------------------------
# values of small groups
# ------------------------------------------------------------------------------------------

def values_from_moments(n: int, mean: float, sd: float | None) -> tuple[float, ...] | None:
    """Every value of a group of one or two from its mean (and SD).

    Examples
    --------
    >>> values_from_moments(1, 60.0, None)
    (60.0,)
    >>> [round(v, 9) for v in values_from_moments(2, 72.0, 16.97056274847714)]
    [60.0, 84.0]
    """
    if n == 1:
        return (float(mean),)
    if n == 2 and sd is not None:
        half = sd / math.sqrt(2)
        return (mean - half, mean + half)
    return None


def values_from_sums(n: int, total: float, sumsq: float | None) -> tuple[float, ...] | None:
    """Every value of a group of one or two from the sum and the sum of squares."""
    if n == 1:
        return (float(total),)
    if n == 2 and sumsq is not None:
        disc = 2 * sumsq - total * total
        if disc < -1e-6 * max(1.0, abs(sumsq)):
            return None
        r = math.sqrt(max(disc, 0.0))
        return ((total - r) / 2, (total + r) / 2)
    return None


def values_from_quantiles(n: int, q: tuple, mean: float | None, sd: float | None) -> tuple[float, ...] | None:
    """Every value of a group of up to five from Q1, the median and Q3 (R type 7), with the
    mean (and the SD when the quartiles and mean leave one degree of freedom).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([20.0, 44.0, 48.0, 76.0])
    >>> qs = tuple(np.quantile(x, [0.25, 0.5, 0.75]))
    >>> [round(v, 9) for v in values_from_quantiles(4, qs, x.mean(), x.std(ddof=1))]
    [20.0, 44.0, 48.0, 76.0]
    """
    if n < 1 or n > 5 or q is None or None in q:
        return None
    rows, rhs = [], []
    for p, val in zip((0.25, 0.5, 0.75), q):
        h = (n - 1) * p
        lo = int(math.floor(h))
        a = np.zeros(n)
        a[lo] += 1 - (h - lo)
        if h - lo > 0:
            a[lo + 1] += h - lo
        rows.append(a)
        rhs.append(val)
    if mean is not None:
        rows.append(np.ones(n) / n)
        rhs.append(mean)
    A, b = np.array(rows), np.array(rhs)
    rank = np.linalg.matrix_rank(A)
    x0, *_ = np.linalg.lstsq(A, b, rcond=None)
    if not np.allclose(A @ x0, b, atol=1e-7 * max(1.0, float(np.abs(b).max()))):
        return None
    if rank == n:
        return tuple(float(v) for v in x0)
    if rank == n - 1 and sd is not None and mean is not None and n > 1:
        _, _, vt = np.linalg.svd(A)
        v = vt[-1]
        # sum of squares fixes t: |x0 + t v|^2 = (n - 1) sd^2 + n mean^2
        target = (n - 1) * sd * sd + n * mean * mean
        qa, qb, qc = v @ v, 2 * x0 @ v, x0 @ x0 - target
        disc = qb * qb - 4 * qa * qc
        if disc < -1e-6 * max(1.0, target):
            return None
        sols = []
        scale = 1e-6 * max(1.0, float(np.abs(x0).max()))
        for t in ((-qb - math.sqrt(max(disc, 0))) / (2 * qa), (-qb + math.sqrt(max(disc, 0))) / (2 * qa)):
            x = x0 + t * v
            if np.all(np.diff(x) >= -scale):
                sols.append(tuple(float(val) for val in x))
        if len(sols) == 2 and np.allclose(sols[0], sols[1], atol=10 * scale, rtol=0):
            sols = [tuple((a + b) / 2 for a, b in zip(*sols))]   # a double root
        if len(sols) == 1:
            return sols[0]
    return None


def _tol(values) -> float:
    return 1e-6 * max(1.0, max((abs(v) for v in values), default=1.0))


def moment_claims(rel: Release, moments: list[Moments], first_wave: str | None) -> list[Claim]:
    """``e_small_group_values`` on published rows (n <= 5) and ``b_differencing`` of
    means/SDs between a group and a group inside it (all vs recurring, ...)."""
    k = rel.k
    out = []
    by_key: dict[tuple, Moments] = {}
    for m in moments:
        by_key.setdefault((m.group, m.spec), m)
        vals = values_from_moments(m.n, m.mean, m.sd)
        if vals is None and m.quantiles is not None:
            vals = values_from_quantiles(m.n, m.quantiles, m.mean, m.sd)
        if vals is not None:
            out.append(Claim("e_small_group_values", m.files, f"{m.what}: every value of a group of {m.n}", m.group,
                             spec=m.spec, values=tuple(sorted(vals)), tol=_tol(vals)))
        elif _is_small(m.n, k):
            out.append(Claim("e_small_group_values", m.files, f"{m.what}: mean of a group of {m.n}", m.group,
                             spec=m.spec, mean=m.mean, tol=_tol([m.mean])))
    for (g, spec), m in by_key.items():
        for anc in ancestors(g, rel.primary_definition, first_wave):
            big = by_key.get((anc, spec))
            if big is None:
                continue
            n = big.n - m.n
            if not _is_small(n, k):
                continue
            grp = ("minus", anc, g)
            files = _files(big.files, m.files)
            total = big.n * big.mean - m.n * m.mean
            what = f"{big.what} minus {m.what}"
            sumsq = None
            if big.sd is not None and (m.sd is not None or m.n == 1):
                ss = lambda x: (x.n - 1) * (x.sd or 0.0) ** 2 + x.n * x.mean ** 2
                sumsq = ss(big) - ss(m)
            vals = values_from_sums(n, total, sumsq)
            if vals is not None:
                out.append(Claim("b_differencing", files, f"{what}: every value of the {n} in between", grp,
                                 spec=spec, values=tuple(sorted(vals)), tol=_tol(vals)))
            else:
                out.append(Claim("b_differencing", files, f"{what}: mean of the {n} in between", grp, spec=spec,
                                 mean=total / n, tol=_tol([total / n])))
    return out


# ------------------------------------------------------------------------------------------
# inference: differences and totals, chained until nothing new follows
# ------------------------------------------------------------------------------------------

def infer(rel: Release, facts: list[Fact], first_wave: str | None, rounds: int = 6,
          named: Iterable[tuple] = ()) -> dict[tuple, Fact]:
    """Close the known counts under differencing (``b``) and totals minus parts (``c``).

    Returns
    -------
    dict
        group -> the first :class:`Fact` found for it (published ones first).
    """
    known: dict[tuple, Fact] = {}
    for f in sorted(facts, key=lambda f: f.attack != "published"):
        known.setdefault(f.group, f)
    base_groups = [g for g in dict.fromkeys([*known, *named]) if g[0] not in ("minus", "union", "any_of")]
    parts_of = partitions(base_groups, rel.primary_definition)
    for _ in range(rounds):
        new: list[Fact] = []
        for g in [g for g in known if g[0] not in ("minus", "union", "any_of")]:
            small = known[g]
            for anc in ancestors(g, rel.primary_definition, first_wave):
                big = known.get(anc)
                grp = ("minus", anc, g)
                if big is None or grp in known:
                    continue
                new.append(Fact(grp, big.value - small.value, _files(big.files, small.files), "b_differencing",
                                f"{big.what} minus {small.what}"))
        for total, parts in parts_of:
            t = known.get(total)
            have = [p for p in parts if p in known]
            missing = [p for p in parts if p not in known]
            if t is not None and missing and len(missing) < len(parts):
                grp = missing[0] if len(missing) == 1 else ("union", *missing)
                if grp not in known:
                    value = t.value - sum(known[p].value for p in have)
                    files = _files(t.files, *[known[p].files for p in have])
                    new.append(Fact(grp, value, files, "c_totals",
                                    f"{t.what} minus {len(have)} published part(s)"))
            elif t is None and not missing:
                new.append(Fact(total, sum(known[p].value for p in parts),
                                _files(*[known[p].files for p in parts]), "c_totals", "sum of the parts"))
        added = False
        for f in new:
            if f.group not in known:
                known[f.group] = f
                added = True
        if not added:
            break
    return known


def first_wave_of(rel: Release) -> str | None:
    flow = rel.tables.get("participant_flow")
    if flow is not None and len(flow):
        return str(flow["pre"].iloc[0])
    t1 = rel.tables.get("table1")
    return str(t1["group"].iloc[0]) if t1 is not None and len(t1) else None


@dataclass
class AttackResult:
    """Everything one attack run found on one release."""

    claims: list[Claim]
    unattributed: list[Claim]
    statements: list[dict]
    n_numbers: int
    n_facts: int
    unmapped: list = field(default_factory=list)
    parsed: dict = field(default_factory=dict)


def attack(rel: Release) -> AttackResult:
    """Run every attack on a release.

    Returns
    -------
    AttackResult
        ``claims`` (attributed to a group; to be verified), ``unattributed`` (small
        numbers the attacker found but cannot place: reported, not verifiable),
        ``statements`` (``<k`` printed for a group the truth can check) and the number of
        numbers looked at.
    """
    k = rel.k
    first = first_wave_of(rel)
    facts, unattributed = published_facts(rel)
    facts += back_calculated_facts(rel)
    facts += count_statistic_facts(rel)
    n_facts, n_claims, statements = narrative_facts_and_claims(rel)
    facts += n_facts
    known = infer(rel, facts, first, named=named_groups(rel))
    claims: list[Claim] = list(n_claims)
    for g, f in known.items():
        if _is_small(f.value, k):
            kind = "a_direct" if f.attack == "published" else f.attack
            claims.append(Claim(kind, f.files, f"{f.what} = {f.value}", g, count=f.value))
    # the same number recovered by several routes: keep every route (attack kinds), the
    # summary also counts distinct facts
    for f in facts:
        if _is_small(f.value, k) and known.get(f.group) is not f:
            kind = "a_direct" if f.attack == "published" else f.attack
            claims.append(Claim(kind, f.files, f"{f.what} = {f.value}", f.group, count=f.value))
    claims += moment_claims(rel, published_moments(rel), first)
    values_known = {f.value for f in known.values()}
    for c in text_small_numbers(rel, values_known):
        if c.count in values_known:
            continue   # the same number as a count found (and attributed) in the tables
        unattributed.append(c)
    return AttackResult(claims=claims, unattributed=unattributed, statements=statements,
                        n_numbers=rel.n_numbers, n_facts=len(known), unmapped=sorted(rel.unmapped),
                        parsed=dict(rel.parsed))


# ------------------------------------------------------------------------------------------
# verification (uses the truth ONLY to confirm a claim)
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recovery:
    """A verified disclosure."""

    study: str
    attack: str
    files: tuple[str, ...]
    what: str
    group: tuple
    value: object

    @property
    def category(self) -> str:
        return category(self.group)


def _truth_count(truth, g) -> int:
    if g[0] == "any_of":
        raise ValueError("any_of has no single count")
    return truth.count(g)


def verify(result: AttackResult, truth, k: int, study: str = "") -> tuple[list[Recovery], list[Claim], list[dict]]:
    """Confirm each claim against the truth.

    Parameters
    ----------
    result : AttackResult
    truth : object
        With ``count(group) -> int`` and ``values(group, spec) -> sorted array``
        (:class:`truth.StudyTruth`).
    k : int

    Returns
    -------
    (recoveries, refuted, false_statements)
        Claims that are true disclosures; claims the truth contradicts (or cannot
        evaluate); ``<k`` statements that are false.
    """
    recs, refuted = [], []
    for c in result.claims:
        ok, value = False, None
        try:
            if c.count is not None:
                if c.group[0] == "any_of":
                    ok = any(_truth_count(truth, g) == c.count for g in c.group[1:])
                else:
                    ok = _truth_count(truth, c.group) == c.count
                ok &= _is_small(c.count, k)
                value = c.count
            elif c.values is not None:
                true = truth.values(c.group, c.spec)
                ok = len(true) == len(c.values) and bool(np.allclose(true, sorted(c.values), atol=c.tol, rtol=0))
                value = tuple(round(v, 4) for v in c.values)
            elif c.mean is not None:
                true = truth.values(c.group, c.spec)
                ok = _is_small(len(true), k) and abs(float(np.mean(true)) - c.mean) <= c.tol
                value = round(c.mean, 4)
            else:
                n = truth.count(c.group)
                ok = _is_small(n, k)
                value = c.attribute
        except (KeyError, ValueError, TypeError, IndexError):
            ok = False
        if ok:
            recs.append(Recovery(study, c.attack, c.files, c.what, c.group, value))
        else:
            refuted.append(c)
    false_statements = []
    for s in result.statements:
        try:
            n = truth.count(s["group"])
        except (KeyError, ValueError):
            continue
        if not (0 < n < s["below"]):
            false_statements.append({**s, "study": study, "true_count_at_least_k": n >= s["below"]})
    return recs, refuted, false_statements


NONRESPONSE_PARTS = {"answered", "pairs", "rel_complete", "eq5d_answered", "eq5d_complete", "model_groups", "pchc_pairs",
                     "model_obs"}


def category(group) -> str:
    """``non-response`` for a group of people who did not answer something (a population
    minus those answering an item, complete pairs, complete scales); else ``group``.

    Examples
    --------
    >>> category(("minus", ("resp", "T0", "all"), ("answered", "T0", "all", "who5_percent")))
    'non-response'
    >>> category(("flow", "T0", "T1", "new"))
    'group'
    """
    if group and group[0] == "minus" and group[2][0] in NONRESPONSE_PARTS:
        return "non-response"
    return "group"


def distinct(recoveries: Iterable[Recovery], truth=None) -> int:
    """Distinct disclosed facts: the same count (or values) of the same persons found by
    several routes counts once (with ``truth``, groups are compared by their members, so
    ``flow new`` and ``assessed at follow-up minus both waves`` are one fact)."""
    keys = set()
    for r in recoveries:
        ident = r.group
        if truth is not None and r.group[0] != "any_of":
            try:
                ident = hash(truth.members_of(r.group))
            except (KeyError, ValueError):
                ident = r.group
        keys.add((ident, repr(r.value)))
    return len(keys)


def summarise(rows: list[dict]) -> str:
    """A plain-text summary table of a sweep (see ``run_attacks.py``)."""
    lines = []
    done = [r for r in rows if r["status"] == "ok"]
    crashed = [r for r in rows if r["status"] != "ok"]
    lines.append(f"studies attacked: {len(done)} (crashed, not counted: {len(crashed)})")
    if crashed:
        kinds: dict[str, int] = {}
        for r in crashed:
            kinds[r["status"]] = kinds.get(r["status"], 0) + 1
        lines.append("  crashes by error: " + ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items())))
    times = sorted(r["seconds_pipeline"] for r in rows if r.get("seconds_pipeline") is not None)
    atimes = sorted(r["seconds_attack"] for r in rows if r.get("seconds_attack") is not None)
    if times:
        lines.append(f"seconds per study: pipeline median {times[len(times) // 2]:g} ({times[0]:g}-{times[-1]:g})"
                     + (f", attack + verification median {atimes[len(atimes) // 2]:g}" if atimes else ""))
    lines.append(f"numbers checked: {sum(r['n_numbers'] for r in done)}; "
                 f"group counts known to the attacker: {sum(r['n_facts'] for r in done)}")
    total = sum(len(r["recoveries"]) for r in done)
    lines.append(f"verified recoveries: {total} ({sum(r['distinct'] for r in done)} distinct facts) in "
                 f"{sum(1 for r in done if r['recoveries'])} of {len(done)} studies")
    lines.append(f"  {'attack':<22} {'found':>6} {'non-response':>13} {'studies':>8}")
    for kind in ATTACK_KINDS:
        hits = [x for r in done for x in r["recoveries"] if x.attack == kind]
        nr = sum(1 for x in hits if x.category == "non-response")
        s = sum(1 for r in done if any(x.attack == kind for x in r["recoveries"]))
        lines.append(f"  {kind:<22} {len(hits):>6} {nr:>13} {s:>8}")
    partial = [r for r in crashed if r.get("partial_recoveries")]
    if partial:
        lines.append(f"crashed studies whose partly written release still discloses: {len(partial)} "
                     f"({sum(len(r['partial_recoveries']) for r in partial)} recoveries; not counted above)")
    lines.append(f"refuted claims (attacker wrong, or misled by a false text): {sum(len(r['refuted']) for r in done)}; "
                 f"unattributed small numbers in texts/unknown tables: {sum(len(r['unattributed']) for r in done)}; "
                 f"false '<k' statements: {sum(len(r['false_statements']) for r in done)}")
    return "\n".join(lines)


__all__ = [
    "ATTACK_KINDS",
    "AttackResult",
    "Claim",
    "Fact",
    "Moments",
    "Recovery",
    "Release",
    "attack",
    "distinct",
    "load_release",
    "summarise",
    "values_from_moments",
    "values_from_quantiles",
    "values_from_sums",
    "verify",
    "wilson",
]
