"""The one publication path: every published table and figure is one registry entry.

A :class:`TableSpec` names a published table, the analysis assets it is built from, how it
is built (``build``: the analysis tables → the table as published, before disclosure
control), and its *disclosure model* (``model``: which persons each printed count counts,
as masks from :class:`publishing.populations.Persons`). A :class:`FigureSpec` names
a figure, the published tables it draws and its renderer. The Dagster layer makes one
asset per table (``published/<name>``) and per figure from these lists, the report takes
its order from them, and nothing is published around them: figures, captions and the
narrative read only the protected tables.

:func:`protect_release` builds every table, collects the counts of all of them into one
:class:`publishing.sdc.Quantities`, decides the release-wide suppression
(:func:`publishing.sdc.protect`) and blanks what must not be published.

Pure code; no Dagster.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import reach
from analysis.proportions import wilson_ci
from publishing import partner_figures, sdc
from publishing.populations import Persons

SUPPRESSED, REASON = "suppressed", "suppression"
#: the analysis tables' explanation of a missing estimate (:mod:`analysis.tidy`): withheld with its row
NOTE = "note"

_STATS = ("estimate", "std_error", "statistic", "df", "p_value", "p_adj", "ci_low", "ci_high")


@dataclass
class Context:
    """What the builders and disclosure models need to know about the study.

    Attributes
    ----------
    persons : Persons
    k : int
        ``publishing.k_min_cell`` of this release (partner surveys use their own).
    waves : list of str
    comparisons : list of (pre, post)
    definition : str
        Primary recurring definition (``attendance`` / ``present_at_both``).
    k_quantiles : int
        Smallest group whose order statistics (median, quartiles, percentiles) are
        published (``publishing.k_min_quantiles``, at least 2k).
    protect_nonresponse : bool
        ``publishing.protect_item_nonresponse``: item non-response groups are protected too.
    min_visits_per_week : float
        ``recurring.min_visits_per_week``: the attendance threshold (the flow's reasons for loss).
    wave_dates : dict
        Wave → its date (the flow's reach stage: visits between the wave dates).
    """

    persons: Persons
    k: int
    waves: list[str]
    comparisons: list[tuple[str, str]]
    definition: str
    k_quantiles: int = 10
    protect_nonresponse: bool = False
    min_visits_per_week: float = 1.0
    wave_dates: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TableSpec:
    """One published table.

    Attributes
    ----------
    name : str
        CSV name (``tables/<name>.csv``) and asset key ``published/<name>``.
    sources : tuple of str
        Analysis assets it is built from (the lineage the UI shows).
    build : callable
        ``build(inputs, ctx) -> DataFrame``: the table as published, before disclosure
        control (codes, not labels; floats unrounded).
    model : callable
        ``model(table, ctx, quantities)``: adds every count the table prints, with its
        placements (see :mod:`publishing.sdc`).
    weight : float
        How much the table's numbers matter when a cell must be withheld to protect
        another (higher: withheld last).
    description : str
    finish : callable, optional
        ``finish(protected, ctx) -> DataFrame``: what follows from the decision on the
        counts of persons for the table's other numbers (sums of magnitudes such as visits,
        and what is derived from them), applied after it.
    """

    name: str
    sources: tuple[str, ...]
    build: Callable[[Mapping[str, pd.DataFrame], Context], pd.DataFrame]
    model: Callable[[pd.DataFrame, Context, sdc.Quantities], None]
    weight: float = 1.0
    description: str = ""
    finish: Callable[[pd.DataFrame, Context], pd.DataFrame] | None = None


def _num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def _pl(name: str, row: int, cols: Sequence[str], withholds_row: bool = True) -> sdc.Placement:
    return sdc.Placement(name, int(row), tuple(cols), withholds_row)


def _existing(df: pd.DataFrame, cols: Sequence[str]) -> tuple[str, ...]:
    return tuple(c for c in cols if c in df.columns)


def _mask(qt: sdc.Quantity) -> np.ndarray:
    """The persons ``qt`` counts. Every quantity the models below combine was added with a mask;
    only an opaque one (``members`` None, which no set operation could use) has none."""
    assert qt.members is not None
    return qt.members


# -- shared populations (hidden unless a table prints them) -----------------------------------

def _pop(q: sdc.Quantities, ctx: Context, population: str, wave) -> sdc.Quantity:
    """Respondents at ``wave`` (``population`` all or recurring); recurring ones are part of
    all respondents (the non-recurring respondents are a protected group)."""
    p = ctx.persons
    everyone = q.add(p.present(wave), hidden=True, label=f"respondents at {wave}")
    if population != "recurring":
        return everyone
    rec = q.add(p.present(wave) & p.recurring(), hidden=True, label=f"recurring respondents at {wave}")
    q.nest(everyone, rec, label=f"non-recurring respondents at {wave}")
    return rec


def _valid(q: sdc.Quantities, base: sdc.Quantity, mask: np.ndarray, placement=None, *, label: str,
           expect=None, weight: float = 1.0) -> sdc.Quantity:
    """The valid answers of ``base`` to an item (its non-answers are protected only with
    ``publishing.protect_item_nonresponse``)."""
    v = q.add(base.members & mask, placement, label=label, expect=expect, weight=weight)
    q.relate(base, [v], exempt=not q.protect_nonresponse, label=f"non-answers ({label})")
    return v


def _analysed(q: sdc.Quantities, ctx: Context, pre, post, definition: str | None = None) -> sdc.Quantity:
    p = ctx.persons
    d = definition or ctx.definition
    both = q.add(p.analysed(pre, post, "present_at_both"), hidden=True, label=f"answered {pre} and {post}")
    pre_q = q.add(p.present(pre), hidden=True, label=f"respondents at {pre}")
    q.nest(pre_q, both, label=f"respondents at {pre} lost at {post}")
    if flag_is_attendance(d):
        att = q.add(p.analysed(pre, post, "attendance"), hidden=True, label=f"recurring {pre}->{post}")
        q.nest(both, att, label=f"answered both waves, not recurring by attendance ({pre}->{post})")
        return att
    return both


def flag_is_attendance(definition: str) -> bool:
    return definition in ("attendance", "recurring_attendance")


def _pairs_q(q: sdc.Quantities, ctx: Context, outcome: str, pre, post, placement=None, *,
             definition: str | None = None, expect=None, weight: float = 1.0) -> sdc.Quantity:
    """The complete pairs of ``outcome`` among the analysed participants of a comparison."""
    base = _analysed(q, ctx, pre, post, definition)
    return _valid(q, base, ctx.persons.pairs(outcome, pre, post, ctx.persons.everyone()), placement,
                  label=f"complete pairs of {outcome} ({pre}->{post})", expect=expect, weight=weight)


def _nest_across_waves(q: sdc.Quantities, family: list[sdc.Quantity], label: str) -> None:
    """Declare the nestings an outsider would assume across waves (the recurring
    participants at a follow-up are among those at baseline; a stable category likewise),
    where they hold in the data."""
    for a in family:
        for b in family:
            if a is not b and a.size > b.size and not (b.members & ~_mask(a)).any():
                q.nest(a, b, label=label)


# -- Table 1 ----------------------------------------------------------------------------------

def _population(ctx: Context, population: str, wave) -> np.ndarray:
    m = ctx.persons.present(wave)
    return m & ctx.persons.recurring() if population == "recurring" else m


_QUANTILES = ("median", "q1", "q3", "whislo", "med", "whishi")


def _blank_small_quantiles(t: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Order statistics are single persons' values: with the mean and SD, those of a small
    group give away its values (n = 5: Q1, median and Q3 are the 2nd–4th values, the 10th
    and 90th percentiles give the 1st and 5th). They are published only for groups of at
    least ``k_quantiles`` (``publishing.k_min_quantiles``, at least 2k)."""
    cols = [c for c in _QUANTILES if c in t.columns]
    if cols and "n" in t.columns:
        small = pd.to_numeric(t["n"], errors="coerce") < max(ctx.k_quantiles, 2 * ctx.k)
        t.loc[small, cols] = np.nan
    return t


def build_table1(inputs, ctx: Context) -> pd.DataFrame:
    # categories were recoded upstream (publishing.categories): codes as published
    t = inputs["table1"].drop(columns=["n_missing"], errors="ignore").reset_index(drop=True)
    return _blank_small_quantiles(t, ctx)


def model_table1(t: pd.DataFrame, ctx: Context, q: sdc.Quantities, name: str = "table1",
                 weight: float = 2.0) -> None:
    p = ctx.persons
    levels: dict[tuple, list[sdc.Quantity]] = {}
    valid_of: dict[tuple, sdc.Quantity] = {}
    families: dict[tuple, list[sdc.Quantity]] = {}
    for i, r in enumerate(t.itertuples(index=False)):
        w = weight * (1.5 if r.population == "recurring" else 1.0)
        P = _pop(q, ctx, r.population, r.group)
        q.add(P.members, _pl(name, i, ["n_total"], withholds_row=False), weight=w,
              label=f"respondents at {r.group} ({r.population})", expect=r.n_total)
        families.setdefault(("population", r.population), []).append(P)
        level = "" if pd.isna(r.level) else str(r.level)
        if level:
            key = (r.variable, r.group, r.population)
            if key not in valid_of:
                valid_of[key] = _valid(q, P, p.valid(r.variable, r.group), label=f"answered {r.variable} at "
                                       f"{r.group} ({r.population})", weight=w)
            q.add(valid_of[key].members, _pl(name, i, ["percent"]), weight=w)
            cell = q.add(P.members & p.equals(r.variable, r.group, level), _pl(name, i, ["n", "percent"]),
                         weight=w, label=f"a category of {r.variable} at {r.group} ({r.population})", expect=r.n)
            levels.setdefault(key, []).append(cell)
            families.setdefault(("category", r.variable, level, r.population), []).append(cell)
            if r.population == "recurring":
                everyone = q.add(p.present(r.group) & p.equals(r.variable, r.group, level), hidden=True,
                                 label=f"a category of {r.variable} at {r.group} (all)")
                q.nest(everyone, cell, label=f"non-recurring in a category of {r.variable} at {r.group}")
        else:
            v = _valid(q, P, p.valid(r.variable, r.group), _pl(name, i, ["n", "mean", "sd", "median", "q1", "q3"]),
                       label=f"{r.variable} at {r.group} ({r.population})", expect=r.n, weight=w)
            if r.population == "recurring":
                everyone = _valid(q, _pop(q, ctx, "all", r.group), p.valid(r.variable, r.group),
                                  label=f"{r.variable} at {r.group} (all)")
                q.nest(everyone, v, label=f"non-recurring answering {r.variable} at {r.group}")
    for key, cells in levels.items():
        q.relate(valid_of[key], cells, label=f"categories of {key[0]} at {key[1]} ({key[2]})")
    for fam, members in families.items():
        _nest_across_waves(q, list({id(m): m for m in members}.values()), f"{fam[0]} change across waves")


# -- participant flow ---------------------------------------------------------------------------

def build_flow(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["participant_flow"].reset_index(drop=True)


def model_flow(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    for (pre, post), g in t.groupby(["pre", "post"], sort=False):
        both_m, att_m = p.analysed(pre, post, "present_at_both"), p.analysed(pre, post, "attendance")
        attending = p.attending(pre, post, ctx.min_visits_per_week)
        lost = p.present(pre) & ~p.present(post)
        masks = {
            ("assessed", "all", pre): p.present(pre), ("assessed", "all", post): p.present(post),
            ("lost_to_follow_up", "all", None): lost,
            ("lost_attending", "all", None): lost & attending,
            ("lost_not_attending", "all", None): lost & ~attending,
            ("new_at_follow_up", "all", None): ~p.present(pre) & p.present(post),
            ("analysed", "recurring_both_waves", None): both_m, ("excluded", "recurring_attendance", None): both_m & ~att_m,
            ("analysed", "recurring_attendance", None): att_m,
        }
        if (g["stage"] == "reached").any():
            # the reach stage: everyone with a visit between the wave dates; the lost who kept
            # attending and the recurring by attendance are among them (the rest is protected)
            masks[("reached", "all", None)] = p.attended_between(ctx.wave_dates[pre], ctx.wave_dates[post])
        Q = {key: q.add(m, hidden=True, label=f"flow: {key[0]} ({key[1]}, {pre}->{post})") for key, m in masks.items()}
        if ("reached", "all", None) in Q:
            q.relate(Q[("reached", "all", None)], [Q[("analysed", "recurring_attendance", None)],
                                                    Q[("lost_attending", "all", None)]])
        q.relate(Q[("assessed", "all", pre)], [Q[("analysed", "recurring_both_waves", None)],
                                               Q[("lost_to_follow_up", "all", None)]])
        if ((g["stage"] == "lost_attending") | (g["stage"] == "lost_not_attending")).any():
            q.relate(Q[("lost_to_follow_up", "all", None)], [Q[("lost_attending", "all", None)],
                                                              Q[("lost_not_attending", "all", None)]])
        q.relate(Q[("assessed", "all", post)], [Q[("analysed", "recurring_both_waves", None)],
                                                Q[("new_at_follow_up", "all", None)]])
        q.relate(Q[("analysed", "recurring_both_waves", None)], [Q[("analysed", "recurring_attendance", None)],
                                                                 Q[("excluded", "recurring_attendance", None)]])
        pairs: dict[str, dict[str, sdc.Quantity]] = {}
        for i in g.index:
            r = t.loc[i]
            if r["stage"] == "analysed_complete_pairs":
                d = "attendance" if r["definition"] == "recurring_attendance" else "present_at_both"
                pq = _pairs_q(q, ctx, r["outcome"], pre, post, _pl("participant_flow", i, ["n"]), definition=d,
                              expect=r["n"], weight=4.0)
                pairs.setdefault(r["outcome"], {})[d] = pq
                continue
            key = (r["stage"], r["definition"], r["wave"] if r["stage"] == "assessed" else None)
            if key not in Q:
                raise sdc.ModelError(f"participant_flow: unknown stage in row {i}")
            q.add(Q[key].members, _pl("participant_flow", i, ["n"]), weight=4.0, expect=r["n"])
        for o, byd in pairs.items():
            if "attendance" in byd and "present_at_both" in byd:
                q.nest(byd["present_at_both"], byd["attendance"],
                       label=f"pairs of {o} not recurring by attendance ({pre}->{post})")


# -- paired tests --------------------------------------------------------------------------------

_NONZERO = re.compile(r"\s*\(\d+ non-zero differences?\)")


def build_prepost(inputs, ctx: Context) -> pd.DataFrame:
    t = inputs["prepost_tests"].reset_index(drop=True).copy()
    # the number of non-zero differences is a count of persons (zero change = n − it): never printed
    t["method"] = t["method"].astype(str).str.replace(_NONZERO, "", regex=True)
    return t


def model_prepost(t: pd.DataFrame, ctx: Context, q: sdc.Quantities, name: str = "prepost_tests",
                  weight: float = 10.0) -> None:
    cols = _existing(t, ["n", *_STATS])
    for i, r in enumerate(t.itertuples(index=False)):
        _pairs_q(q, ctx, r.outcome, r.pre, r.post, _pl(name, i, cols), expect=r.n, weight=weight)


def build_effect_sizes(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["effect_sizes"].reset_index(drop=True)


def model_effect_sizes(t, ctx, q):
    model_prepost(t, ctx, q, name="effect_sizes", weight=6.0)


def build_categorical(inputs, ctx: Context) -> pd.DataFrame:
    t = inputs["categorical_change"].reset_index(drop=True).copy()
    if len(t):
        # the exact test's "statistic" is a count of discordant pairs: never printed
        t.loc[t["test"] == "mcnemar_exact", "statistic"] = np.nan
    return t


def model_categorical(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    cols = _existing(t, ["n", "estimate", "statistic", "df", "p_value"])
    for i, r in enumerate(t.itertuples(index=False)):
        pairs = _pairs_q(q, ctx, r.outcome, r.pre, r.post, _pl("categorical_change", i, cols), expect=r.n,
                         weight=3.0)
        m = pairs.members
        a_txt = p.values(r.outcome, r.pre).astype(object).map(str)
        b_txt = p.values(r.outcome, r.post).astype(object).map(str)
        levels = sorted(set(a_txt[m]) | set(b_txt[m]))
        # McNemar's statistics and p-values reduce to counts: the discordant pairs are published
        # counts too (the Stuart-Maxwell statistic of three or more levels does not determine
        # them, so only its n is a count)
        if r.test in ("mcnemar", "mcnemar_exact") and len(levels) == 2:
            lo, hi = levels
            cells = [q.add(m & (a_txt == x).to_numpy() & (b_txt == y).to_numpy(), _pl("categorical_change", i, cols),
                           weight=3.0, label=f"discordant pairs ({what}) of {r.outcome} ({r.pre}->{r.post})")
                     for x, y, what in ((lo, hi, "negative to positive"), (hi, lo, "positive to negative"))]
            q.relate(pairs, cells, label=f"concordant pairs of {r.outcome} ({r.pre}->{r.post})")


def build_responders(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["responders"].reset_index(drop=True)


def model_responders(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    for (o, pre, post), g in t.groupby(["outcome", "pre", "post"], sort=False):
        cells = []
        for i in g.index:
            r = t.loc[i]
            pairs = _pairs_q(q, ctx, o, pre, post, _pl("responders", i, ["n_total", "share", "ci_low", "ci_high"]),
                             expect=r["n_total"], weight=2.0)
            change = p.numeric(o, post) - p.numeric(o, pre)
            c = change if "higher is better" in str(r["method"]) else -change
            mid = float(r["mid"])
            improved, worsened = c >= mid - 1e-9 * mid, c <= -mid + 1e-9 * mid
            cat = {"improved": improved, "worsened": worsened, "unchanged": ~improved & ~worsened}[r["category"]]
            cells.append(q.add(pairs.members & cat, _pl("responders", i, ["n", "share", "ci_low", "ci_high"]),
                               weight=2.0, label=f"{r['category']} on {o} ({pre}->{post})", expect=r["n"]))
        q.relate(pairs, cells, label=f"responder categories of {o} ({pre}->{post})")


# -- EQ-5D ----------------------------------------------------------------------------------------

DIMS = ("eq5d5l_mo", "eq5d5l_sc", "eq5d5l_ua", "eq5d5l_pd", "eq5d5l_ad")
FULL_HEALTH = "full_health"       # (analysis.eq5d.FULL_HEALTH)
#: weight of the EQ-5D profile's counts (see model_profile)
W_PROFILE = 0.3


def build_problem_shares(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["eq5d_problem_shares"].reset_index(drop=True)


def model_problem_shares(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    shares = ["share", "ci_low", "ci_high"]
    for i, r in enumerate(t.itertuples(index=False)):
        pop = _pop(q, ctx, "recurring", r.wave)
        valid = _valid(q, pop, p.valid(r.dimension, r.wave), _pl("eq5d_problem_shares", i, ["n_total", *shares]),
                       label=f"answered {r.dimension} at {r.wave} (recurring)", expect=r.n_total, weight=2.0)
        prob = q.add(_mask(valid) & (p.numeric(r.dimension, r.wave) > 1),
                     _pl("eq5d_problem_shares", i, ["n", *shares]), weight=2.0,
                     label=f"problems on {r.dimension} at {r.wave} (recurring)", expect=r.n)
        q.relate(valid, [prob], label=f"no problems on {r.dimension} at {r.wave} (recurring)")


def collapse_levels(counts: Sequence[int], k: int) -> list[list[int]]:
    """Groups of adjacent EQ-5D levels (1-based) such that no group of problem levels counts
    1 … k − 1 persons where it can be avoided: from the most severe level down, a small group
    is merged with the next milder level (statistical disclosure control by global
    recoding; Devlin, Parkin & Janssen 2020 also collapse sparse levels in small samples). A
    small remainder at level 2 joins the group above it. Level 1 (no problems) always stays
    alone: "any problem" (levels 2–5, :func:`model_problem_shares`) must remain a sum of
    published groups, or one table minus the other would give the merged-away level. An
    empty level stays on its own (a published 0, as everywhere in the release); when all of
    2–5 together are fewer than k they form one group, which the threshold rule withholds.

    >>> collapse_levels([84, 26, 10, 3, 4], 5)
    [[1], [2], [3], [4, 5]]
    >>> collapse_levels([120, 3, 1, 0, 0], 5)       # (all problems together are fewer than k)
    [[1], [2, 3, 4, 5]]
    >>> collapse_levels([120, 0, 1, 0, 2], 2)       # through an empty level to the next
    [[1], [2, 3, 4, 5]]
    >>> collapse_levels([120, 6, 0, 0, 0], 5)       # (nobody at 3-5: zeros stay apart)
    [[1], [2], [3], [4], [5]]
    >>> collapse_levels([50, 3, 20, 0, 0], 5)       # a small level 2 joins level 3
    [[1], [2, 3], [4], [5]]
    >>> collapse_levels([60, 30, 0, 0, 0], 5)
    [[1], [2], [3], [4], [5]]
    """
    groups: list[list[int]] = []
    current: list[int] = []
    for level in range(len(counts), 1, -1):
        current = [level, *current]
        total = sum(counts[lv - 1] for lv in current)
        if total == 0 or total >= k:
            groups.insert(0, current)
            current = []
    # a small remainder at level 2 joins the groups above it up to the first that is not empty
    while current and groups:
        current = [*current, *groups.pop(0)]
        if sum(counts[lv - 1] for lv in current) >= k:
            break
    if current:
        groups.insert(0, current)
    return [[1], *groups]


def build_profile(inputs, ctx: Context) -> pd.DataFrame:
    """The profile with the levels of each dimension and wave recoded into groups that are
    0 or at least k persons (:func:`collapse_levels`); ``level`` is the group ("4–5")."""
    t = inputs["eq5d_profile"].reset_index(drop=True)
    if t.empty:
        return t
    out = []
    for (d, _), g in t.groupby(["dimension", "wave"], sort=False):
        if d == FULL_HEALTH:
            out.append(g.assign(level=g["level"].astype(str)))
            continue
        g = g.sort_values("level")
        counts = [int(x) for x in g["n"]]
        n_total = int(g["n_total"].max())
        for grp in collapse_levels(counts, ctx.k):
            n = sum(counts[lv - 1] for lv in grp)
            lo, hi = wilson_ci(np.array([n]), np.array([n_total]), float(g["ci_level"].iloc[0]))
            row = g.iloc[0].to_dict()
            row.update(level=f"{grp[0]}–{grp[-1]}" if len(grp) > 1 else str(grp[0]), n=n,
                       share=n / n_total if n_total else np.nan, ci_low=float(lo[0]), ci_high=float(hi[0]))
            out.append(pd.DataFrame([row]))
    return pd.concat(out, ignore_index=True)


def profile_levels(level: str) -> list[int]:
    """The EQ-5D levels of a published profile group.

    >>> profile_levels("4–5"), profile_levels("2")
    ([4, 5], [2])
    """
    a, _, b = str(level).partition("–")
    return list(range(int(a), int(b or a) + 1))


def model_profile(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    """Each level of a dimension at a wave is a count of the recurring respondents who
    answered that dimension then, and the five levels add up to them; the full-health count
    is part of those with a complete profile. Its cells weigh least of all tables: when a
    small level must be protected, the profile gives up its own cells before a model
    estimate or a problem share elsewhere is withheld."""
    p = ctx.persons
    shares = ["share", "ci_low", "ci_high"]
    valid: sdc.Quantity | None
    for (d, w), g in t.groupby(["dimension", "wave"], sort=False):
        pop = _pop(q, ctx, "recurring", w)
        if d == FULL_HEALTH:
            dims = [dim for dim in DIMS if p.has_column(dim)]     # (as analysis.eq5d.level_profile)
            complete = p.present(w)
            for dim in dims:
                complete &= p.valid(dim, w)
            full = complete.copy()
            for dim in dims:
                full &= p.numeric(dim, w) == 1
            for i in g.index:
                r = t.loc[i]
                valid = _valid(q, pop, complete, _pl("eq5d_profile", i, ["n_total", *shares]),
                               label=f"complete EQ-5D profile at {w} (recurring)", expect=r["n_total"], weight=W_PROFILE)
                cell = q.add(valid.members & full, _pl("eq5d_profile", i, ["n", *shares]), weight=W_PROFILE,
                             label=f"full health (11111) at {w} (recurring)", expect=r["n"])
                q.relate(valid, [cell], label=f"not in full health at {w} (recurring)")
            continue
        cells, valid, problem_cells = [], None, []
        for i in g.index:
            r = t.loc[i]
            valid = _valid(q, pop, p.valid(d, w), _pl("eq5d_profile", i, ["n_total", *shares]),
                           label=f"answered {d} at {w} (recurring)", expect=r["n_total"], weight=W_PROFILE)
            levels = profile_levels(r["level"])
            cell = q.add(_mask(valid) & np.isin(p.numeric(d, w), levels), _pl("eq5d_profile", i, ["n", *shares]),
                         weight=W_PROFILE, label=f"a level of {d} at {w} (recurring)", expect=r["n"])
            cells.append(cell)
            if 1 not in levels:
                problem_cells.append(cell)
        assert valid is not None   # a groupby group has at least one row
        q.relate(valid, cells, label=f"levels of {d} at {w} (recurring)")
        # "any problem" (eq5d_problem_shares) is the sum of the groups of levels 2-5: the same
        # persons as that table's count, so one quantity, related to its parts here
        problems = q.add(_mask(valid) & (p.numeric(d, w) > 1), hidden=True,
                         label=f"problems on {d} at {w} (recurring)")
        q.relate(problems, problem_cells, label=f"problem levels of {d} at {w} (recurring)")


def build_pchc(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["eq5d_pchc"].reset_index(drop=True)


def model_pchc(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    shares = ["share", "ci_low", "ci_high"]
    for (pre, post), g in t.groupby(["pre", "post"], sort=False):
        base = _analysed(q, ctx, pre, post)
        dims = [d for d in DIMS if d in set(g["dimension"])] or list(DIMS)
        comp_m = np.ones(p.n, dtype=bool)
        for d in DIMS:
            if p.valid(d, pre).any() or p.valid(d, post).any():
                comp_m &= p.valid(d, pre) & p.valid(d, post)
        x = {d: p.numeric(d, pre) for d in dims}
        y = {d: p.numeric(d, post) for d in dims}
        better_any = np.any([y[d] < x[d] for d in dims], axis=0)
        worse_any = np.any([y[d] > x[d] for d in dims], axis=0)
        overall = {"better": better_any & ~worse_any, "worse": worse_any & ~better_any,
                   "mixed": better_any & worse_any, "unchanged": ~better_any & ~worse_any}
        blocks: dict[str, list[sdc.Quantity]] = {}
        comp = None
        for i in g.index:
            r = t.loc[i]
            comp = _valid(q, base, comp_m, _pl("eq5d_pchc", i, ["n_total", *shares]),
                          label=f"complete EQ-5D profiles ({pre}->{post})", expect=r["n_total"], weight=2.0)
            d = r["dimension"]
            if d == "overall":
                cat = overall.get(r["category"])
            else:
                cat = {"better": y[d] < x[d], "worse": y[d] > x[d], "same": y[d] == x[d],
                       "unchanged": y[d] == x[d]}.get(r["category"])
            if cat is None:
                raise sdc.ModelError(f"eq5d_pchc: unknown category in row {i}")
            blocks.setdefault(d, []).append(q.add(comp.members & cat, _pl("eq5d_pchc", i, ["n", *shares]), weight=2.0,
                                                  label=f"PCHC {r['category']} ({d}, {pre}->{post})",
                                                  expect=r["n"]))
        for d, cells in blocks.items():
            assert comp is not None   # blocks has cells only after a row set comp
            q.relate(comp, cells, label=f"PCHC categories ({d}, {pre}->{post})")


def build_auc(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["eq5d_auc"].reset_index(drop=True)


def model_auc(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    rec = q.add(p.recurring(), hidden=True, label="recurring participants")
    m = p.recurring()
    for w in ctx.waves:
        m &= p.valid("eq5d5l_index", w)
    for i, r in enumerate(t.itertuples(index=False)):
        _valid(q, rec, m, _pl("eq5d_auc", i, _existing(t, ["n", "estimate", "std_error", "ci_low", "ci_high"])),
               label="EQ-5D index at every wave (recurring)", expect=r.n, weight=2.0)


# -- models and summaries -------------------------------------------------------------------------

def build_mixed_terms(inputs, ctx: Context) -> pd.DataFrame:
    t = inputs["mixed_model_terms"].reset_index(drop=True)
    g = inputs.get("mixed_model_glance")
    if g is not None and len(g):
        t = t.merge(g[["outcome", "n_obs", "n_groups"]], on="outcome", how="left")
    return t


def _ever_valid(ctx: Context, outcome: str) -> np.ndarray:
    p = ctx.persons
    m = p.none()
    for w in ctx.waves:
        m |= p.present(w) & p.valid(outcome, w)
    return m


def model_mixed_terms(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    rec = q.add(p.recurring(), hidden=True, label="recurring participants")
    cols = _existing(t, ["n_groups", "n_obs", *_STATS])
    for i, r in enumerate(t.itertuples(index=False)):
        _valid(q, rec, _ever_valid(ctx, r.outcome), _pl("mixed_model_terms", i, cols),
               label=f"{r.outcome} at any wave (recurring)", expect=getattr(r, "n_groups", None), weight=3.0)
        wave = str(r.term).removeprefix("wave") if str(r.term) != "(Intercept)" else ctx.waves[0]
        if wave in ctx.waves:  # the contrast rests on the persons answering that wave
            _valid(q, _pop(q, ctx, "recurring", wave), p.valid(r.outcome, wave), _pl("mixed_model_terms", i, cols),
                   label=f"{r.outcome} at {wave} (recurring)", weight=3.0)


def build_mixed_means(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["mixed_model_means"].reset_index(drop=True)


def model_mixed_means(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    cols = _existing(t, ["n", *_STATS])
    for i, r in enumerate(t.itertuples(index=False)):
        _valid(q, _pop(q, ctx, "recurring", r.wave), p.valid(r.outcome, r.wave), _pl("mixed_model_means", i, cols),
               label=f"{r.outcome} at {r.wave} (recurring)", expect=r.n, weight=3.0)


def build_wave_summaries(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["wave_summaries"].reset_index(drop=True)


def model_wave_summaries(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    cols = _existing(t, ["n", *_STATS, "sd"])
    for i, r in enumerate(t.itertuples(index=False)):
        v = _valid(q, _pop(q, ctx, r.population, r.wave), p.valid(r.outcome, r.wave), _pl("wave_summaries", i, cols),
                   label=f"{r.outcome} at {r.wave} ({r.population})", expect=r.n,
                   weight=3.0 if r.population == "recurring" else 1.5)
        if r.population == "recurring":
            everyone = _valid(q, _pop(q, ctx, "all", r.wave), p.valid(r.outcome, r.wave),
                              label=f"{r.outcome} at {r.wave} (all)")
            q.nest(everyone, v, label=f"non-recurring answering {r.outcome} at {r.wave}")


def build_dose(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["dose_response_terms"].reset_index(drop=True)


def model_dose(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    cols = _existing(t, ["n", *_STATS])
    for i, r in enumerate(t.itertuples(index=False)):
        _pairs_q(q, ctx, r.outcome, r.pre, r.post, _pl("dose_response_terms", i, cols), definition="present_at_both",
                 expect=r.n, weight=2.0)


def build_reliability(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["wave_reliability"].reset_index(drop=True)


def _complete_answers(ctx: Context, r) -> np.ndarray | None:
    """Respondents at ``r.wave`` who answered every item of the scale (the panel's
    ``<instrument>[_<scale>]_n_valid`` equal to ``n_items``), or None when the panel does
    not tell (then the count is opaque)."""
    p = ctx.persons
    for col in (f"{r.instrument}_{r.scale}_n_valid", f"{r.instrument}_n_valid"):
        if pd.notna(getattr(r, "n_items", np.nan)) and p.valid(col, r.wave).any():
            m = p.present(r.wave) & (p.numeric(col, r.wave) == float(r.n_items))
            if pd.notna(r.n_complete) and int(m.sum()) == int(_num(r.n_complete)):
                return m
    return None


def model_reliability(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    # the complete responses to one scale at one wave: a part of the wave's respondents
    # (the rest is item non-response, protected with publishing.protect_item_nonresponse);
    # where the panel cannot say who they are, an opaque count under the threshold only
    cols = _existing(t, ["n_complete", "alpha", "alpha_ci_low", "alpha_ci_high", "omega_total"])
    for i, r in enumerate(t.itertuples(index=False)):
        label = f"complete answers to {r.instrument} {r.scale} at {r.wave}"
        members = _complete_answers(ctx, r)
        if members is not None:
            _valid(q, _pop(q, ctx, "all", r.wave), members, _pl("reliability", i, cols), label=label,
                   expect=r.n_complete)
            continue
        q.add(None, _pl("reliability", i, cols), size=int(_num(r.n_complete)) if pd.notna(r.n_complete) else 0,
              weight=1.0, label=label)


def build_subgroups(inputs, ctx: Context) -> pd.DataFrame:
    t = inputs["subgroup_estimates"].reset_index(drop=True).copy()
    if SUPPRESSED in t.columns:  # the analysis's precision rule (too few pairs), not disclosure control
        t = t.rename(columns={SUPPRESSED: "below_min_pairs"})
    return t


def model_subgroups(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    cols = _existing(t, ["n", *_STATS])
    for (o, pre, post, by), g in t.groupby(["outcome", "pre", "post", "subgroup"], sort=False):
        pairs = _pairs_q(q, ctx, o, pre, post)
        cells = [q.add(pairs.members & p.equals(by, pre, str(t.loc[i, "subgroup_level"])),
                       _pl("subgroup_estimates", i, cols), weight=1.0,
                       label=f"a {by} subgroup of the pairs of {o} ({pre}->{post})", expect=t.loc[i, "n"])
                 for i in g.index]
        q.relate(pairs, cells, exempt=True, label=f"pairs of {o} without {by} ({pre}->{post})")


def build_sensitivity(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["sensitivity_estimates"].reset_index(drop=True)


def model_sensitivity(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    cols = _existing(t, ["n", *_STATS])
    for i, r in enumerate(t.itertuples(index=False)):
        base = _analysed(q, ctx, r.pre, r.post)
        pl = _pl("sensitivity_estimates", i, cols)
        if r.method == "complete_case":
            _pairs_q(q, ctx, r.outcome, r.pre, r.post, pl, expect=r.n, weight=2.0)
        elif r.method == "mixed_model":
            _valid(q, base, p.valid(r.outcome, r.pre) | p.valid(r.outcome, r.post), pl,
                   label=f"{r.outcome} at {r.pre} or {r.post}", expect=r.n, weight=2.0)
        else:  # multiple imputation: every analysed participant
            q.add(base.members, pl, weight=2.0, label=f"recurring {r.pre}->{r.post}", expect=r.n)


def build_attrition(inputs, ctx: Context) -> pd.DataFrame:
    """One row per variable and comparison: the standardised difference between
    completers and drop-outs at baseline (for a categorical variable, its category with
    the largest |SMD|) and the two group sizes. Per-category counts of the two groups are
    not published: together with Table 1 they would break the groups down further."""
    t = inputs["attrition"].copy()
    t["level"] = t["level"].fillna("").astype(str)
    rows = []
    for (var, pre, post), g in t.groupby(["variable", "pre", "post"], sort=False):
        sizes = g.groupby("group")["n_total"].first()
        smd = g.drop_duplicates("level")
        top = smd.loc[smd["smd"].abs().idxmax()] if smd["smd"].notna().any() else smd.iloc[0]
        rows.append({"variable": var, "level": top["level"], "pre": pre, "post": post,
                     "n_completers": sizes.get("completers", np.nan), "n_dropouts": sizes.get("dropouts", np.nan),
                     "contrast": top.get("contrast", "completers - dropouts"), "smd": top["smd"],
                     "effect_size_type": "smd", "categorical": bool((g["level"] != "").any())})
    return pd.DataFrame(rows)


def model_attrition(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    for i, r in enumerate(t.itertuples(index=False)):
        base = _pop(q, ctx, "all", r.pre)
        groups = {"completers": base.members & p.present(r.post), "dropouts": base.members & ~p.present(r.post)}
        G = {g: q.add(m, _pl("attrition", i, [f"n_{g}", "smd"]), weight=1.0,
                      label=f"{g} of {r.pre}->{r.post}", expect=getattr(r, f"n_{g}")) for g, m in groups.items()}
        q.relate(base, list(G.values()))
        # the SMD rests on every category (or the valid answers) of both groups
        cells: dict[str, list[sdc.Quantity]] = {}
        for g, gq in G.items():
            valid = _valid(q, gq, p.valid(r.variable, r.pre), _pl("attrition", i, ["smd"]),
                           label=f"{g} answering {r.variable}")
            if r.categorical:
                v = p.values(r.variable, r.pre)
                for lv in sorted(set(v[gq.members].dropna().astype(object).map(str))):
                    c = q.add(gq.members & p.equals(r.variable, r.pre, lv), _pl("attrition", i, ["smd"]), weight=1.0,
                              label=f"{g} in a category of {r.variable}")
                    cells.setdefault(lv, []).append(c)
                q.relate(valid, [c for lv in cells for c in cells[lv] if not (c.members & ~_mask(gq)).any()],
                         label=f"categories of {r.variable} among {g}")
        for lv, parts in cells.items():
            everyone = q.add(base.members & p.equals(r.variable, r.pre, lv), hidden=True,
                             label=f"a category of {r.variable} at {r.pre} (all)")
            q.relate(everyone, parts, label=f"a category of {r.variable} at {r.pre} by follow-up")


def build_distributions(inputs, ctx: Context) -> pd.DataFrame:
    return _blank_small_quantiles(inputs["outcome_distributions"].reset_index(drop=True).copy(), ctx)


def model_distributions(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    cols = _existing(t, ["n", "mean", "whislo", "q1", "med", "q3", "whishi"])
    for i, r in enumerate(t.itertuples(index=False)):
        _valid(q, _pop(q, ctx, "recurring", r.wave), p.valid(r.outcome, r.wave),
               _pl("outcome_distributions", i, cols), label=f"{r.outcome} at {r.wave} (recurring)", expect=r.n,
               weight=2.0)


def build_levels(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["health_literacy_levels"].reset_index(drop=True)


def model_levels(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = ctx.persons
    for (o, w), g in t.groupby(["outcome", "wave"], sort=False):
        cells, valid = [], None
        for i in g.index:
            r = t.loc[i]
            valid = _valid(q, _pop(q, ctx, "recurring", w), p.valid(o, w),
                           _pl("health_literacy_levels", i, ["n_total", "share"]),
                           label=f"{o} at {w} (recurring)", expect=r["n_total"], weight=2.0)
            cells.append(q.add(valid.members & p.equals(o, w, r["level"]),
                               _pl("health_literacy_levels", i, ["n", "share"]), weight=2.0,
                               label=f"a level of {o} at {w} (recurring)", expect=r["n"]))
        assert valid is not None   # a groupby group has at least one row
        q.relate(valid, cells, label=f"levels of {o} at {w} (recurring)")


def build_collected(inputs, ctx: Context) -> pd.DataFrame:
    """Per covariate, the declared categories collected in Övriga/Other (by name) and,
    as one row with an empty ``category``, whether other answers were collected too
    (never which: they may be free text)."""
    plan = inputs["published_categories"]
    rows = []
    for var, g in plan[plan["published_level"] != plan["level"]].groupby("variable", sort=False):
        rows += [{"variable": var, "category": str(c)} for c in sorted(g.loc[g["reason"] == "small", "level"])]
        if (g["reason"] == "undeclared").any():
            rows.append({"variable": var, "category": ""})
    return pd.DataFrame(rows, columns=["variable", "category"])


def model_none(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    """A table without counts of persons (names of categories only)."""


# -- programme reach (the attendance register) ----------------------------------------------------

def build_reach(inputs, ctx: Context) -> pd.DataFrame:
    return inputs["programme_reach"].reset_index(drop=True)


def model_reach(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    """People reached per period × workshop and their totals: each a set of persons of the
    register (:meth:`Persons.reached`). A workshop's people are part of its whole-time
    people and of the period's people, which are part of everyone reached: the differences
    (e.g. the people who came only in the second half-year) are protected groups. The
    workshops overlap (one person may attend several), so they are not parts of a sum."""
    p = ctx.persons
    Q: dict[tuple[str, str], sdc.Quantity] = {}
    for i in t.index:
        per, w = str(t.at[i, "period"]), str(t.at[i, "workshop"])
        Q[(per, w)] = q.add(p.reached(per, w), _pl("programme_reach", i, ["n", "visits"]), weight=2.0,
                            expect=t.at[i, "n"], label=f"reached: {w}, {per}")
    everyone = Q.get((reach.ALL, reach.ALL))
    for (per, w), qt in Q.items():
        if per != reach.ALL and (reach.ALL, w) in Q:
            q.nest(Q[(reach.ALL, w)], qt, label=f"reached: {w} outside {per}")
        if w != reach.ALL and (per, reach.ALL) in Q:
            q.nest(Q[(per, reach.ALL)], qt, label=f"reached in {per} outside {w}")
        if everyone is not None and (per == reach.ALL) != (w == reach.ALL):
            q.nest(everyone, qt, label=f"reached outside {w}, {per}")


def finish_reach(t: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Visits after the decision on the people: a cell's visits are withheld with its people
    and where one person made most of them (dominance, :func:`sdc.dominated`); a total's
    visits only where every cell it adds up is published (a total is never the way to a
    withheld cell's visits). Visits per person where both are published."""
    t = t.copy()
    t["visits"] = pd.to_numeric(t["visits"], errors="coerce").astype(float)
    t.loc[t["n"].isna(), "visits"] = np.nan
    cell = (t["period"] != reach.ALL) & (t["workshop"] != reach.ALL)
    for i in t.index[cell & t["visits"].notna()]:
        if sdc.dominated(ctx.persons.visit_counts(str(t.at[i, "period"]), str(t.at[i, "workshop"]))):
            t.at[i, "visits"] = np.nan
    hidden = t[cell & t["visits"].isna()]
    for i in t.index[~cell]:
        per, w = t.at[i, "period"], t.at[i, "workshop"]
        of_total = ((hidden["period"] == per) | (per == reach.ALL)) & ((hidden["workshop"] == w) | (w == reach.ALL))
        if of_total.any():
            t.at[i, "visits"] = np.nan
    n = pd.to_numeric(t["n"], errors="coerce")
    t.insert(int(t.columns.get_loc("visits")) + 1, "visits_per_person", (t["visits"] / n).where(n > 0))
    return t


#: every published table, in report order
TABLES: tuple[TableSpec, ...] = (
    TableSpec("collected_categories", ("published_categories",), build_collected, model_none, 0.0,
              "Declared categories collected in Övriga/Other because they were small somewhere (names only)."),
    TableSpec("programme_reach", ("programme_reach",), build_reach, model_reach, 2.0,
              "People, visits and sessions per workshop and half-year (the attendance register).", finish_reach),
    TableSpec("participant_flow", ("participant_flow",), build_flow, model_flow, 4.0,
              "Participant flow per comparison (TREND/CONSORT stages, both recurring definitions)."),
    TableSpec("table1", ("table1",), build_table1, model_table1, 2.0,
              "Participants' characteristics and outcomes per wave, all respondents and recurring participants."),
    TableSpec("attrition", ("attrition",), build_attrition, model_attrition, 1.0,
              "Baseline characteristics of completers and drop-outs with standardised mean differences."),
    TableSpec("wave_summaries", ("wave_summaries",), build_wave_summaries, model_wave_summaries, 3.0,
              "Observed mean with CI of every continuous outcome per wave, all respondents and recurring."),
    TableSpec("outcome_distributions", ("outcome_distributions",), build_distributions, model_distributions, 2.0,
              "Quartiles, 10th/90th percentiles and mean of the primary outcomes per wave (recurring)."),
    TableSpec("prepost_tests", ("prepost_tests",), build_prepost, model_prepost, 10.0,
              "Paired t-test and Wilcoxon signed-rank test per outcome and comparison."),
    TableSpec("effect_sizes", ("effect_sizes",), build_effect_sizes, model_effect_sizes, 6.0,
              "Standardised paired effect sizes with CIs."),
    TableSpec("mixed_model_terms", ("mixed_model_terms", "mixed_model_glance"), build_mixed_terms,
              model_mixed_terms, 3.0, "Fixed-effect terms of the all-wave mixed models (with n)."),
    TableSpec("mixed_model_means", ("mixed_model_means",), build_mixed_means, model_mixed_means, 3.0,
              "Model-estimated mean per wave."),
    TableSpec("sensitivity_estimates", ("sensitivity_estimates",), build_sensitivity, model_sensitivity, 2.0,
              "Mean change by complete case, mixed model and multiple imputation."),
    TableSpec("subgroup_estimates", ("subgroup_estimates",), build_subgroups, model_subgroups, 1.0,
              "Mean change per workshop, gender and questionnaire language."),
    TableSpec("categorical_change", ("categorical_change",), build_categorical, model_categorical, 3.0,
              "McNemar and Stuart-Maxwell tests of binary and ordered outcomes."),
    TableSpec("health_literacy_levels", ("health_literacy_levels",), build_levels, model_levels, 2.0,
              "HLS-EU-Q16 level shares per wave (recurring)."),
    TableSpec("eq5d_problem_shares", ("eq5d_problem_shares",), build_problem_shares, model_problem_shares, 2.0,
              "Share with any problem per EQ-5D-5L dimension and wave."),
    TableSpec("eq5d_profile", ("eq5d_profile",), build_profile, model_profile, W_PROFILE,
              "EQ-5D-5L descriptive profile per wave: every level of every dimension and full health (11111)."),
    TableSpec("eq5d_pchc", ("eq5d_pchc",), build_pchc, model_pchc, 2.0,
              "Paretian Classification of Health Change."),
    TableSpec("eq5d_auc", ("eq5d_auc",), build_auc, model_auc, 2.0,
              "Area under the EQ-5D index curve (health-economic input)."),
    TableSpec("responders", ("responders",), build_responders, model_responders, 2.0,
              "Improved / unchanged / worsened by at least the minimal important difference."),
    TableSpec("dose_response_terms", ("dose_response_terms",), build_dose, model_dose, 2.0,
              "Change per weekly visit, adjusted for baseline."),
    TableSpec("reliability", ("wave_reliability",), build_reliability, model_reliability, 1.0,
              "Cronbach's alpha and McDonald's omega per scale and wave."),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}


def table_spec(name: str) -> TableSpec:
    return TABLES_BY_NAME[name]


# -- the release-wide decision -------------------------------------------------------------------

@dataclass
class Release:
    """The protected tables and the decision behind them."""

    tables: dict[str, pd.DataFrame]
    quantities: sdc.Quantities

    def summary(self) -> pd.DataFrame:
        """Per table: rows, rows withheld (primary / secondary), for metadata (no values)."""
        rows = []
        for name, t in self.tables.items():
            r = t[REASON] if REASON in t else pd.Series("", index=t.index)
            rows.append({"table": name, "rows": len(t), "withheld_primary": int((r == "primary").sum()),
                         "withheld_secondary": int((r == "secondary").sum())})
        return pd.DataFrame(rows)


def protect_release(inputs: Mapping[str, pd.DataFrame], ctx: Context,
                    specs: Sequence[TableSpec] = TABLES) -> Release:
    """Build every published table, decide the release-wide suppression and apply it.

    Parameters
    ----------
    inputs : mapping of str -> DataFrame
        Analysis tables by asset name (missing or empty ones are skipped).
    ctx : Context
    specs : sequence of TableSpec

    Returns
    -------
    Release
        Protected tables (suppressed cells blank; ``suppressed`` flag and ``suppression``
        reason per row) and the quantities with their decisions.

    Raises
    ------
    publishing.sdc.ModelError
        A table's disclosure model does not count what the table prints.
    """
    built: dict[str, pd.DataFrame] = {}
    q = sdc.Quantities(ctx.persons.n, protect_nonresponse=ctx.protect_nonresponse)
    for spec in specs:
        srcs = {s: inputs.get(s) for s in spec.sources}
        main = srcs.get(spec.sources[0])
        if main is None or not len(main):
            continue
        t = spec.build(srcs, ctx).reset_index(drop=True)
        built[spec.name] = t
        spec.model(t, ctx, q)
    sdc.protect(q, ctx.k)
    protected = apply_decision(built, q.items)
    for spec in specs:
        if spec.finish is not None and spec.name in protected:
            protected[spec.name] = spec.finish(protected[spec.name], ctx)
    return Release(protected, q)


def apply_decision(tables: Mapping[str, pd.DataFrame], quantities: Sequence[sdc.Quantity]) -> dict[str, pd.DataFrame]:
    """Blank the placements of withheld quantities; flag rows (``suppressed``,
    ``suppression`` = ``primary`` where a count of the row is itself small, else
    ``secondary``)."""
    out = {name: t.copy() for name, t in tables.items()}
    reason = {name: pd.Series("", index=t.index, dtype=object) for name, t in out.items()}
    blank: dict[str, dict[int, set[str]]] = {name: {} for name in out}
    for qt in getattr(quantities, "items", quantities):
        if qt.status not in (sdc.PRIMARY, sdc.SECONDARY):
            continue
        for pl in qt.placements:
            if pl.table not in out:
                continue
            blank[pl.table].setdefault(pl.row, set()).update(pl.columns)
            if pl.withholds_row:
                cur = reason[pl.table].iat[pl.row]
                if cur != "primary":
                    reason[pl.table].iat[pl.row] = "primary" if qt.status == sdc.PRIMARY else "secondary"
    for name, t in out.items():
        for row, cols in blank[name].items():
            for c in cols:
                if c in t.columns:
                    if not pd.api.types.is_float_dtype(t[c].dtype):
                        t[c] = pd.to_numeric(t[c], errors="coerce").astype(float) \
                            if pd.api.types.is_numeric_dtype(t[c].dtype) or pd.api.types.is_bool_dtype(t[c].dtype) \
                            else t[c].astype(object)
                    t.iat[row, t.columns.get_loc(c)] = np.nan
        t[REASON] = reason[name].to_numpy()
        t[SUPPRESSED] = (t[REASON] != "").to_numpy()
        if "below_min_pairs" in t.columns:
            low = t["below_min_pairs"].fillna(False).astype(bool)
            t.loc[low & (t[REASON] == ""), REASON] = "min_pairs"
            t[SUPPRESSED] = t[SUPPRESSED] | low
            t = t.drop(columns="below_min_pairs")
        if NOTE in t.columns:   # a "not estimable: fewer than 2 pairs" would tell the withheld count
            t[NOTE] = t[NOTE].astype(object).where(~t[SUPPRESSED].to_numpy(), None)
        out[name] = t
    return out


# -- figures ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FigureContext:
    """What figure renderers need besides the tables and the labels."""

    primary: tuple[str, ...]
    hl_levels: tuple[str, ...] = ("inadequate", "problematic", "sufficient")
    #: ``publishing.k_min_partner`` (the partner survey's figure)
    partner_k: int = 5
    #: ``recurring.definition``: whose complete pairs the flow diagram shows
    definition: str = "attendance"
    #: (outcome, minimal important difference) of the primary outcomes that have one
    mids: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class FigureSpec:
    """One published figure: files ``figures/<name>_<lang>.{png,svg,pdf}``, asset
    ``figure_<name>``.

    Attributes
    ----------
    name : str
    tables : tuple of str
        The published tables it draws (its only inputs).
    render : callable
        ``render(tables, labels, ctx) -> matplotlib Figure`` (or ``None`` when there is
        nothing to draw, e.g. no EQ-5D in the study).
    label_key : str
        Prefix of its title and caption in the label catalogue (``<key>_title``,
        ``<key>_caption``).
    description : str
    """

    name: str
    tables: tuple[str, ...]
    render: Callable
    label_key: str
    description: str = ""


def _recurring(t: pd.DataFrame | None) -> pd.DataFrame | None:
    """The recurring participants' rows of ``wave_summaries`` (the model's population)."""
    if t is None or not len(t) or "population" not in t.columns:
        return None
    return t[t["population"] == "recurring"]


def _partner_means(T, L, c):
    t = T["partner_scale_summary"]
    return partner_figures.scale_means_figure(t, L, c.partner_k) if t is not None and len(t) else None


def _figures():
    from publishing import figures as F
    from publishing import style

    def nonempty(t):
        return t is not None and len(t)

    return (
        FigureSpec("participant_flow", ("participant_flow",),
                   lambda T, L, c: F.participant_flow(T["participant_flow"], L, c.primary, c.definition)
                   if nonempty(T["participant_flow"]) else None, "fig_flow",
                   "TREND/CONSORT flow diagram, one column per comparison, both recurring definitions."),
        FigureSpec("change_over_waves", ("prepost_tests",),
                   lambda T, L, c: F.mean_change(T["prepost_tests"], c.primary, L, dict(c.mids))
                   if nonempty(T["prepost_tests"]) else None, "fig_change",
                   "Mean change within persons per comparison with CI, against ± the MID."),
        FigureSpec("distributions", ("outcome_distributions",),
                   lambda T, L, c: F.distributions(T["outcome_distributions"],
                                                   list(dict.fromkeys([*c.primary,
                                                                       *T["outcome_distributions"]["outcome"]])), L)
                   if nonempty(T["outcome_distributions"]) else None, "fig_distribution",
                   "Box plots per wave (10th–90th percentile whiskers, no points)."),
        FigureSpec("model_means", ("mixed_model_means", "wave_summaries"),
                   lambda T, L, c: F.means_over_waves(T["mixed_model_means"], c.primary, L,
                                                      color=style.OKABE_ITO["bluish_green"],
                                                      observed=_recurring(T["wave_summaries"]))
                   if nonempty(T["mixed_model_means"]) else None, "fig_model_means",
                   "Mixed-model estimated mean per wave with CI, beside the observed mean."),
        FigureSpec("effect_sizes_forest", ("effect_sizes",),
                   lambda T, L, c: F.forest(T["effect_sizes"], L, c.primary)
                   if nonempty(T["effect_sizes"]) else None, "fig_forest",
                   "Hedges' g_av with CI, every outcome × comparison."),
        FigureSpec("health_literacy_levels", ("health_literacy_levels",),
                   lambda T, L, c: F.health_literacy_levels(T["health_literacy_levels"], L, c.hl_levels)
                   if nonempty(T["health_literacy_levels"]) else None, "fig_hl_levels",
                   "Stacked HLS-EU-Q16 level shares per wave."),
        FigureSpec("eq5d_profile", ("eq5d_profile",),
                   lambda T, L, c: F.eq5d_profile(T["eq5d_profile"], L)
                   if nonempty(T["eq5d_profile"]) else None, "fig_eq5d_profile",
                   "EQ-5D-5L descriptive profile: share at each level per dimension and wave."),
        FigureSpec("eq5d_problems", ("eq5d_problem_shares",),
                   lambda T, L, c: F.eq5d_problems(T["eq5d_problem_shares"], L)
                   if nonempty(T["eq5d_problem_shares"]) else None, "fig_eq5d_problems",
                   "Share with any problem per EQ-5D-5L dimension and wave, Wilson CI."),
        FigureSpec("eq5d_pchc", ("eq5d_pchc",),
                   lambda T, L, c: F.eq5d_pchc(T["eq5d_pchc"], L) if nonempty(T["eq5d_pchc"]) else None,
                   "fig_pchc", "Paretian Classification of Health Change, overall and per dimension."),
        FigureSpec("responders", ("responders",),
                   lambda T, L, c: F.responders(T["responders"], L) if nonempty(T["responders"]) else None,
                   "fig_responders", "Improved / unchanged / worsened by at least the MID."),
        FigureSpec("dose_response", ("dose_response_terms",),
                   lambda T, L, c: F.dose_response(T["dose_response_terms"], L, c.primary)
                   if nonempty(T["dose_response_terms"]) else None, "fig_dose",
                   "Change per weekly visit (baseline-adjusted) with CI."),
        FigureSpec("partner_scale_means", ("partner_scale_summary",), _partner_means, "fig_partner_means",
                   "Partner survey: E2 scale means per survey year with CI (publishing.partners)."),
    )


#: every published figure, in report order
FIGURES: tuple[FigureSpec, ...] = _figures()
FIGURES_BY_NAME = {f.name: f for f in FIGURES}
