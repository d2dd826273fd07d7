"""Published tables of the partner surveys: their own universe of persons, their own k.

The partner surveys (:mod:`survey.partner_surveys`) are a second population, separate
from the programme's participants: the partnership's members, few and known to each
other, answering anonymously once a year. Their published tables are registry entries
like the participants' (:class:`publishing.registry.TableSpec`: build + disclosure
model), listed in :data:`PARTNER_TABLES`, and protected by the same release-wide
machinery (:func:`publishing.registry.protect_release`,
:mod:`publishing.sdc`) over their own person index (:class:`PartnerPersons`: every
respondent of every year once; a respondent of 2024 and one of 2025 are different persons,
as they cannot be linked) with the threshold ``publishing.k_min_partner``.

Relations declared (what an outsider knows from the tables' definitions):

* a year's respondents = the sum of its partner groups + the respondents without a group
  (the latter are a protected group when they are not published);
* the respondents with a score on a scale are part of the year's (or the group's)
  respondents: item non-response, *exempt*;
* a year's respondents with a score = the sum of the groups' respondents with a score +
  those without a group (a protected remainder);
* the respondents with every item of a scale answered (Cronbach's alpha) are part of those
  with a score (exempt);
* a year-to-year change counts the respondents of both years (= the two years' ``n``).

**No breakdown below k.** A partner group (or the respondents without a group) with 1 …
k − 1 respondents is not listed at all, in the counts or the means: a row marked "<k" would
tell that the group has at least one member, and with the year's total that can pin small
groups down (three groups marked "<5" that together make 3 respondents are one each). Such
groups are hidden groups in the model, protected like any other. A group the analysis
withheld to protect a smaller one (:func:`analysis.partnership.group_summary`, "complement")
keeps its row, blank and flagged. Free text is never an input of any table here.

Pure code; no Dagster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import numpy as np
import pandas as pd

from publishing import registry, sdc
from publishing.disclosure import REASON, SUPPRESSED
from publishing.partner_figures import _scale, scale_means_figure, scale_names  # noqa: F401
from publishing.populations import Persons
from publishing.registry import Context, TableSpec
from survey.partner_surveys import GROUP, YEAR

_ANALYSIS_WITHHELD, _ANALYSIS_REASON = "_analysis_withheld", "_analysis_reason"
#: how much a count matters when one must be withheld to protect another (cost = weight ×
#: persons × places; :func:`publishing.sdc.protect`): a year's results come first, a
#: year-to-year change is withheld before a year it is computed from
W_YEAR, W_GROUP_COUNT, W_GROUP_MEAN, W_ALPHA, W_TREND = 20.0, 3.0, 1.0, 2.0, 1.0
_STATS = ("n", "mean", "sd", "std_error", "df", "ci_low", "ci_high")
_ALPHA = ("n_complete", "alpha", "alpha_ci_low", "alpha_ci_high")
_TREND = ("n", "estimate", "std_error", "statistic", "df", "p_value", "ci_low", "ci_high")


class PartnerPersons:
    """Person-level masks over every partner respondent of every year.

    Parameters
    ----------
    scored : DataFrame
        ``scored_partner_surveys``: one row per respondent and year, ``year``,
        ``partner_group``, the canonical items and ``<scale>_score`` columns.

    Examples
    --------
    >>> d = pd.DataFrame({"year": [2024, 2024, 2025], "partner_group": ["1", None, "1"],
    ...                   "e2_synergy_score": [4.0, None, 3.5]})
    >>> p = PartnerPersons(d)
    >>> p.n, p.year(2024).tolist(), p.group(2024, "1").tolist(), p.not_stated(2024).tolist()
    (3, [True, True, False], [True, False, False], [False, True, False])
    >>> p.valid("e2_synergy_score", 2024).tolist(), p.groups(2025)
    ([True, False, False], ['1'])
    """

    def __init__(self, scored: pd.DataFrame):
        self.data = scored.reset_index(drop=True)
        self.n = len(self.data)
        self._year = self.data[YEAR].to_numpy()
        g = self.data[GROUP] if GROUP in self.data else pd.Series(pd.NA, index=self.data.index, dtype="string")
        self._group = g.astype("string")

    def none(self) -> np.ndarray:
        return np.zeros(self.n, dtype=bool)

    def year(self, y) -> np.ndarray:
        """Respondents of survey year ``y``."""
        return self._year == int(y)

    def years(self) -> list[int]:
        return sorted(int(y) for y in np.unique(self._year))

    def groups(self, y) -> list[str]:
        """The partner groups (codes) present in year ``y``, sorted."""
        return sorted(self._group[self.year(y)].dropna().unique().tolist())

    def group(self, y, g) -> np.ndarray:
        """Respondents of year ``y`` in partner group ``g`` (code as text)."""
        return self.year(y) & (self._group == str(g)).fillna(False).to_numpy(dtype=bool)

    def not_stated(self, y) -> np.ndarray:
        """Respondents of year ``y`` without a partner group."""
        return self.year(y) & self._group.isna().to_numpy()

    def valid(self, column: str, y) -> np.ndarray:
        """Respondents of year ``y`` with a non-missing ``column`` (a score)."""
        if column not in self.data:
            return self.none()
        return self.year(y) & self.data[column].notna().to_numpy()

    def complete(self, items: Sequence[str], y) -> np.ndarray:
        """Respondents of year ``y`` who answered every one of ``items``."""
        if not items or any(i not in self.data for i in items):
            return self.none()
        return self.year(y) & self.data[list(items)].notna().all(axis=1).to_numpy()


def _pl(name: str, row: int, cols: Sequence[str], withholds_row: bool = True) -> sdc.Placement:
    return sdc.Placement(name, int(row), tuple(cols), withholds_row)


def _cols(t: pd.DataFrame, cols: Sequence[str]) -> tuple[str, ...]:
    return tuple(c for c in cols if c in t.columns)


# -- the population of one year ----------------------------------------------------------------

def _year_parts(q: sdc.Quantities, ctx: Context, y) -> dict:
    """The year's respondents, its groups and the respondents without a group, related
    (year = Σ groups + not stated); hidden unless a table prints them."""
    p = cast(PartnerPersons, ctx.persons)
    year = q.add(p.year(y), hidden=True, label=f"partner respondents {y}")
    groups = {g: q.add(p.group(y, g), hidden=True, label=f"a partner group {y}") for g in p.groups(y)}
    parts = [groups[g] for g in p.groups(y)]
    ns = p.not_stated(y)
    if ns.any():
        parts.append(q.add(ns, hidden=True, label=f"partner respondents without a group {y}"))
    _relate_with_rest(q, year, parts, ctx.k, f"partner respondents {y}")
    return {"year": year, "groups": groups}


def _relate_with_rest(q: sdc.Quantities, total: sdc.Quantity, parts: Sequence[sdc.Quantity], k: int,
                      label: str) -> None:
    """``total`` = Σ ``parts`` (+ what they leave out), declared through the *rest*: the
    parts of 1 … k − 1 persons and the remainder together, a protected group of its own.

    The tables list only the parts of at least ``k`` persons (:func:`build_respondents`), so
    an outsider always knows the rest (the total minus the listed parts), whatever it is
    made of: it must not be 1 … k − 1 persons either, even when it is the union of three
    or more small groups (which :func:`publishing.sdc.protect` does not look for
    by itself).
    """
    listed = [part for part in parts if part.size >= k or part.size == 0]
    small = [part for part in parts if 1 <= part.size < k]
    covered = np.zeros(q.n_persons, dtype=bool)
    for part in listed:
        covered |= part.members
    rest_mask = total.members & ~covered
    if not rest_mask.any():
        q.relate(total, listed, label=label)
        return
    rest = q.add(rest_mask, hidden=True, label=f"{label}: the groups of fewer than {k} together")
    q.relate(total, [*listed, rest], label=label)
    if small and not (len(small) == 1 and small[0] is rest):
        q.relate(rest, small, label=f"{label}: not in a group")


def _valid(q: sdc.Quantities, ctx: Context, outcome: str, y, placement=None, *, expect=None,
           weight: float = 1.0) -> sdc.Quantity:
    """Respondents of year ``y`` with a score on ``outcome`` (part of the year: exempt)."""
    base = _year_parts(q, ctx, y)["year"]
    v = q.add(ctx.persons.valid(outcome, y), placement, label=f"partner respondents with {outcome} {y}",
              expect=expect, weight=weight)
    q.relate(base, [v], exempt=True, label=f"partner non-answers to {outcome} {y}")
    return v


# -- respondents --------------------------------------------------------------------------------

def build_respondents(inputs, ctx: Context) -> pd.DataFrame:
    """The year totals and the partner groups (and the respondents without a group) with at
    least ``k`` respondents, or none: a smaller group is not listed at all (not even as
    "<k", which would tell that it has at least one member)."""
    t = inputs["partner_respondents"].rename(columns={"subgroup_level": GROUP}).reset_index(drop=True)
    small = (t["stratum"] != "total") & (t["n"] >= 1) & (t["n"] < ctx.k)
    return t[~small].reset_index(drop=True)


def model_respondents(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = cast(PartnerPersons, ctx.persons)
    for i, r in enumerate(t.itertuples(index=False)):
        _year_parts(q, ctx, r.year)
        if r.stratum == "total":
            mask, label, w = p.year(r.year), f"partner respondents {r.year}", W_YEAR
        elif r.stratum == "group":
            mask, label, w = p.group(r.year, getattr(r, GROUP)), f"a partner group {r.year}", W_GROUP_COUNT
        elif r.stratum == "not_stated":
            mask, label, w = p.not_stated(r.year), f"partner respondents without a group {r.year}", W_GROUP_COUNT
        else:
            raise sdc.ModelError(f"partner_respondents: unknown stratum in row {i}")
        q.add(mask, _pl("partner_respondents", i, ["n"]), weight=w, label=label, expect=r.n)


# -- scale means per year -------------------------------------------------------------------------

def build_scale_summary(inputs, ctx: Context) -> pd.DataFrame:
    t = inputs["partner_scale_summary"]
    return t.drop(columns=["n_missing"], errors="ignore").reset_index(drop=True)


def model_scale_summary(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    import instruments

    p = cast(PartnerPersons, ctx.persons)
    stats, alpha = _cols(t, _STATS), _cols(t, _ALPHA)
    for i, r in enumerate(t.itertuples(index=False)):
        v = _valid(q, ctx, r.outcome, r.year, _pl("partner_scale_summary", i, stats), expect=r.n, weight=W_YEAR)
        if alpha:
            c = q.add(p.complete(instruments.items_of(_scale(r.outcome)), r.year),
                      _pl("partner_scale_summary", i, alpha, withholds_row=False), weight=W_ALPHA,
                      label=f"partner respondents answering every item of {r.outcome} {r.year}",
                      expect=getattr(r, "n_complete", None))
            q.relate(v, [c], exempt=True, label=f"partner respondents with an item of {r.outcome} unanswered {r.year}")


# -- scale means per partner group ------------------------------------------------------------------

def build_group_summary(inputs, ctx: Context) -> pd.DataFrame:
    """The groups the analysis estimated; a group it withheld to protect a smaller one keeps
    its row, blank, with the analysis's reason (restored after the release-wide decision);
    a group with fewer than ``min_group_n`` scores is not listed (no breakdown below k)."""
    t = inputs["partner_group_summary"].reset_index(drop=True).copy()
    small = t[SUPPRESSED].astype(bool) & t["reason"].astype("string").fillna("").str.startswith("fewer")
    t = t[~small].reset_index(drop=True)
    t = t.rename(columns={"subgroup_level": GROUP, SUPPRESSED: _ANALYSIS_WITHHELD, "reason": _ANALYSIS_REASON})
    t = t.drop(columns=[c for c in ("subgroup", *_ALPHA) if c in t.columns])
    t[GROUP] = t[GROUP].astype("string")
    return t


def model_group_summary(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = cast(PartnerPersons, ctx.persons)
    stats = _cols(t, _STATS)
    for (outcome, y), g in t.groupby(["outcome", YEAR], sort=False):
        total = _valid(q, ctx, outcome, y)
        groups = _year_parts(q, ctx, y)["groups"]
        printed = {}
        for i in g.index:
            r = t.loc[i]
            members = p.valid(outcome, y) & p.group(y, r[GROUP])
            if bool(r[_ANALYSIS_WITHHELD]):
                printed[r[GROUP]] = q.add(members, hidden=True, label=f"a partner group with {outcome} {y}")
            else:
                printed[r[GROUP]] = q.add(members, _pl("partner_group_summary", i, stats), weight=W_GROUP_MEAN,
                                          label=f"a partner group with {outcome} {y}", expect=r["n"])
        parts = []
        for code in p.groups(y):
            part = printed.get(code) or q.add(p.valid(outcome, y) & p.group(y, code), hidden=True,
                                              label=f"a partner group with {outcome} {y}")
            q.relate(groups[code], [part], exempt=True, label=f"non-answers to {outcome} in a partner group {y}")
            parts.append(part)
        _relate_with_rest(q, total, parts, ctx.k, f"partner respondents with {outcome} {y}")


# -- change across years ----------------------------------------------------------------------------

def build_trend(inputs, ctx: Context) -> pd.DataFrame:
    """The changes between years whose every year has at least ``k`` respondents with a
    score (or none): a change that rests on a year of 1 … k − 1 is not listed (its ``n``,
    marked "<k", would bound that year's count from both sides)."""
    t = inputs["partner_trend"].reset_index(drop=True)
    s = inputs.get("partner_scale_summary")
    if s is None or not len(t):
        return t
    n_of = {(o, int(y)): n for o, y, n in zip(s["outcome"], s[YEAR], s["n"])}
    years = cast(PartnerPersons, ctx.persons).years()

    def ok(r) -> bool:
        span = [y for y in years if int(r["pre"]) <= y <= int(r["post"])] if r["test"] == "ols_slope" \
            else [int(r["pre"]), int(r["post"])]
        return not any(1 <= n_of.get((r["outcome"], y), 0) < ctx.k for y in span)

    keep = [ok(r) for r in t.to_dict("records")]
    return t[keep].reset_index(drop=True)


def model_trend(t: pd.DataFrame, ctx: Context, q: sdc.Quantities) -> None:
    p = cast(PartnerPersons, ctx.persons)
    cols = _cols(t, _TREND)
    for i, r in enumerate(t.itertuples(index=False)):
        years = [y for y in p.years() if int(r.pre) <= y <= int(r.post)] if r.test == "ols_slope" \
            else [int(r.pre), int(r.post)]
        parts = [_valid(q, ctx, r.outcome, y) for y in years]
        union = np.zeros(p.n, dtype=bool)
        for v in parts:
            union |= v.members
        u = q.add(union, _pl("partner_trend", i, cols), weight=W_TREND,
                  label=f"partner respondents with {r.outcome} in {r.pre}-{r.post}", expect=r.n)
        q.relate(u, parts, label=f"partner respondents with {r.outcome} in {r.pre}-{r.post}")


#: every published table of the partner surveys, in report order
PARTNER_TABLES: tuple[TableSpec, ...] = (
    TableSpec("partner_respondents", ("partner_respondents",), build_respondents, model_respondents, W_YEAR,
              "Partner survey respondents per year: all, per partner group, without a group."),
    TableSpec("partner_scale_summary", ("partner_scale_summary",), build_scale_summary, model_scale_summary, W_YEAR,
              "E2 scale means with CI, SD and Cronbach's alpha per survey year (partner survey)."),
    TableSpec("partner_group_summary", ("partner_group_summary",), build_group_summary, model_group_summary,
              W_GROUP_MEAN,
              "E2 scale means with CI per survey year and partner group (groups below k_min_partner withheld)."),
    TableSpec("partner_trend", ("partner_trend", "partner_scale_summary"), build_trend, model_trend, W_TREND,
              "Change of the E2 scale means between survey years (Welch; OLS slope with three or more years)."),
)
PARTNER_TABLES_BY_NAME = {t.name: t for t in PARTNER_TABLES}
#: the analysis assets the partner tables are built from
SOURCES = tuple(dict.fromkeys(s for t in PARTNER_TABLES for s in t.sources))


def context(scored: pd.DataFrame, k: int) -> Context:
    """The registry context of the partner release (``k`` = ``publishing.k_min_partner``)."""
    # Context.persons is typed for the study's Persons; the partner release carries its own person
    # index, read only by the partner builders and models above (cast back) and for its size
    persons = cast(Persons, PartnerPersons(scored))
    return Context(persons=persons, k=int(k), waves=[], comparisons=[], definition="")


def protect(inputs: Mapping[str, pd.DataFrame], scored: pd.DataFrame, k: int) -> registry.Release:
    """Build the partner tables and decide their suppression over all of them at once.

    Parameters
    ----------
    inputs : mapping
        The analysis tables by asset name (:data:`SOURCES`).
    scored : DataFrame
        ``scored_partner_surveys`` (the person index; never published).
    k : int
        ``publishing.k_min_partner``.

    Returns
    -------
    publishing.registry.Release
        Tables with suppressed cells blank, ``suppressed`` and ``suppression`` per row
        (``primary``: the row's own count is 1 … k − 1; ``secondary``: withheld so that
        such a count cannot be recovered); the quantities with their decisions.
    """
    rel = registry.protect_release(inputs, context(scored, k), PARTNER_TABLES)
    t = rel.tables.get("partner_group_summary")
    if t is not None:
        withheld = t[_ANALYSIS_WITHHELD].fillna(False).astype(bool)
        why = t[_ANALYSIS_REASON].astype("string").fillna("")
        for c in _cols(t, _STATS):
            t.loc[withheld, c] = np.nan
        t.loc[withheld & (t[REASON] == ""), REASON] = np.where(
            why[withheld & (t[REASON] == "")].str.startswith("fewer"), "primary", "secondary")
        t[SUPPRESSED] = t[REASON] != ""
        rel.tables["partner_group_summary"] = t.drop(columns=[_ANALYSIS_WITHHELD, _ANALYSIS_REASON])
    return rel


def audit(release: registry.Release, k: int) -> list[str]:
    """The disclosure audit of the partner release (no values in messages): no published
    count of 1 … k − 1 partners, no such group derivable, no unflagged small count, no
    published estimate of a group below k."""
    from publishing.disclosure import audit_table

    problems = sdc.audit(release.quantities, k)
    for name, t in release.tables.items():
        problems += audit_table(t, k, name)
    g = release.tables.get("partner_group_summary")
    if g is not None and len(g):
        shown = ~g[SUPPRESSED].astype(bool)
        small = shown & ~(pd.to_numeric(g["n"], errors="coerce") >= k)
        if small.any():
            problems.append(f"partner_group_summary: {int(small.sum())} partner-group row(s) with fewer than {k} "
                            "respondents are not flagged suppressed")
    return problems
