"""Disclosure control of the partner survey's published tables: the partners are few and
know each other. Attacks: differencing the published year totals, group counts, group
means and year-to-year changes (model-independent arithmetic on the published tables),
and a linear-programming attacker with non-negative counts over the declared relations
(``lp_pinned`` of the release-wide tests); on the example study and on many small
generated partner populations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import instruments
from analysis import partnership
from publishing import partners as pp
from publishing import registry, sdc
from studyconfig.config import load_config
from survey import partner_surveys as ps

from .test_publish_sdc import lp_pinned, lp_pinned_knowing_the_marks

SCALES = ["e2_synergy", "e2_outcomes"]


def release(scored: pd.DataFrame, k: int, scales=SCALES, group: bool = True) -> registry.Release:
    """The published partner tables of ``scored`` as the pipeline makes them."""
    inputs = {
        "partner_respondents": partnership.respondent_counts(scored, group="partner_group" if group else None),
        "partner_scale_summary": partnership.yearly_summary(scored, scales),
        "partner_group_summary": partnership.group_summary(scored, scales, group="partner_group", min_group_n=k)
        if group else pd.DataFrame(columns=list(partnership.GROUP_COLUMNS)),
        "partner_trend": partnership.trend(scored, scales),
    }
    return pp.protect(inputs, scored, k)


def population(rng: np.random.Generator, sizes: dict[int, list[int]], missing: float = 0.1) -> pd.DataFrame:
    """Partner respondents: per year the sizes of groups "1", "2", … and, last, of the
    respondents without a group; E2 synergy and outcomes items with item non-response."""
    rows = []
    for year, ns in sizes.items():
        for gi, n in enumerate(ns):
            code = None if gi == len(ns) - 1 else str(gi + 1)
            rows += [{"year": year, "partner_group": code} for _ in range(n)]
    d = pd.DataFrame(rows, columns=["year", "partner_group"]).astype({"partner_group": "string"})
    for s in SCALES:
        for it in instruments.items_of(s):
            x = rng.integers(1, 6, len(d)).astype(float)
            x[rng.random(len(d)) < missing] = np.nan
            d[it] = x
    return pd.concat([d, partnership.score_scales(d, SCALES)], axis=1)


# -- attacks on the published tables (no model involved) ---------------------------------------------

def differencing_attacks(rel: registry.Release, k: int) -> list[str]:
    """Every count or mean of 1 … k − 1 partners that follows from the published tables by
    subtraction: a year's total minus its published group counts (one row withheld); a
    year's scale n minus the groups whose mean is published (the rest's mean follows); a
    change between two years minus one year's n (a withheld year)."""
    found = []
    small = lambda x: 1 <= round(x) <= k - 1  # noqa: E731
    r = rel.tables.get("partner_respondents")
    if r is not None:
        for y, g in r.groupby("year"):
            tot = g[g["stratum"] == "total"]
            parts = g[g["stratum"] != "total"]
            if len(tot) and not tot["suppressed"].iat[0] and len(parts) and not parts["suppressed"].any():
                # everything listed is shown: the rest is the groups that are not listed, together
                rest = tot["n"].iat[0] - parts["n"].sum()
                if small(rest):
                    found.append(f"respondents {y}: the groups not listed make {rest:g}")
    s, g = rel.tables.get("partner_scale_summary"), rel.tables.get("partner_group_summary")
    if s is not None and g is not None:
        for row in s[~s["suppressed"]].itertuples():
            shown = g[(g["outcome"] == row.outcome) & (g["year"] == row.year) & ~g["suppressed"]]
            rest = row.n - shown["n"].sum()
            if len(shown) and small(rest):
                found.append(f"{row.outcome} {row.year}: the mean of the other {rest:g} follows")
    t = rel.tables.get("partner_trend")
    if s is not None and t is not None:
        n_of = {(o, y): (n, sup) for o, y, n, sup in zip(s["outcome"], s["year"], s["n"], s["suppressed"])}
        for row in t[~t["suppressed"]].itertuples():
            a, b = n_of.get((row.outcome, row.pre)), n_of.get((row.outcome, row.post))
            for this, other in ((a, b), (b, a)):
                if this is not None and this[1] and other is not None and not other[1] and small(row.n - other[0]):
                    found.append(f"{row.outcome}: a withheld year of {row.n - other[0]:g} via the change")
    return found


def check_release(rel: registry.Release, k: int) -> None:
    assert pp.audit(rel, k) == []
    assert lp_pinned(rel.quantities, k) == []
    assert lp_pinned_knowing_the_marks(rel.quantities, k) == []
    assert differencing_attacks(rel, k) == []
    g = rel.tables.get("partner_group_summary")
    if g is not None and len(g):
        shown = g[~g["suppressed"]]
        assert (shown["n"] >= k).all(), "a partner group below k is published"
        assert g.loc[g["suppressed"], ["n", "mean", "sd", "ci_low", "ci_high"]].isna().all().all()
    for name, t in rel.tables.items():
        for c in [c for c in t.columns if c == "n" or c.startswith("n_")]:
            v = pd.to_numeric(t[c], errors="coerce")
            assert not ((v >= 1) & (v < k)).any(), (name, c)


# -- the example study ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_scored():
    config = load_config()
    raw = ps.read_surveys(config)
    h = ps.harmonise(ps.raw_frame(raw), ps.codebook_frame(raw), config)
    return ps.score(h.data, config)[0]


def test_example_partner_release(example_scored):
    rel = release(example_scored, 5, scales=list(instruments.e2.SCALES))
    check_release(rel, 5)
    r = rel.tables["partner_respondents"]
    assert r.loc[r["stratum"] == "total", "n"].tolist() == [26, 24]
    g = rel.tables["partner_group_summary"]
    listed = {y: set(g.loc[g["year"] == y, "partner_group"]) for y in (2024, 2025)}
    present = {y: set(example_scored.loc[example_scored["year"] == y, "partner_group"].dropna()) for y in (2024, 2025)}
    assert listed[2025] < present[2025] and listed[2024] < present[2024]   # the small groups are not listed
    assert len(listed[2025]) >= 2 and (g["n"].dropna() >= 5).all()
    assert set(rel.tables) == {t.name for t in pp.PARTNER_TABLES}


def test_a_stricter_k_withholds_more(example_scored):
    loose, strict = (release(example_scored, k, scales=list(instruments.e2.SCALES)) for k in (5, 7))
    check_release(strict, 7)
    shown = {name: int((~r.tables["partner_group_summary"]["suppressed"]).sum()) for name, r in
             (("loose", loose), ("strict", strict))}
    assert shown["strict"] < shown["loose"]


# -- hand-made attacks -----------------------------------------------------------------------------

def test_a_small_group_cannot_be_recovered_from_the_year_total():
    # 2024: groups of 10, 9 and 2 partners, nobody without a group: total − 10 − 9 = 2
    scored = population(np.random.default_rng(1), {2024: [10, 9, 2, 0], 2025: [8, 8, 6, 0]}, missing=0.0)
    unprotected = partnership.respondent_counts(scored, group="partner_group")
    t = unprotected[unprotected["year"] == 2024]
    assert t.loc[t["stratum"] == "total", "n"].iat[0] - t.loc[t["subgroup_level"].isin(["1", "2"]), "n"].sum() == 2
    rel = release(scored, 5)
    check_release(rel, 5)
    r = rel.tables["partner_respondents"]
    r24 = r[r["year"] == 2024]
    assert "3" not in set(r24["partner_group"].dropna())   # the group of 2 is not listed at all
    assert r24["suppressed"].sum() >= 1                  # and one more count is withheld


def test_the_not_stated_rest_cannot_be_recovered_from_group_means():
    # 2025: groups of 8 and 7 and 2 without a group: the year's mean minus the two groups'
    # means would give the mean of the 2 (the complement): one group mean is withheld
    scored = population(np.random.default_rng(2), {2024: [9, 9, 0], 2025: [8, 7, 2]}, missing=0.0)
    rel = release(scored, 5)
    check_release(rel, 5)
    g = rel.tables["partner_group_summary"]
    assert g.loc[g["year"] == 2025, "suppressed"].any()
    assert not g.loc[g["year"] == 2024, "suppressed"].any()      # no rest in 2024: both groups shown


def test_a_withheld_year_cannot_be_recovered_from_the_change():
    # 2025 has 3 respondents on the scales: its n and mean are withheld, and so must be the
    # change 2024 -> 2025 (n = n2024 + n2025, estimate = mean2025 - mean2024)
    scored = population(np.random.default_rng(3), {2024: [12, 0], 2025: [3, 0]}, missing=0.0)
    rel = release(scored, 5, group=False)
    check_release(rel, 5)
    assert "partner_trend" not in rel.tables or not len(rel.tables["partner_trend"])   # not listed at all
    s = rel.tables["partner_scale_summary"]
    assert s.loc[s["year"] == 2025, "suppressed"].all() and not s.loc[s["year"] == 2024, "suppressed"].any()


def test_three_small_groups_are_not_pinned_by_their_marks():
    # 2024: 9 + 7 + 1 + 1 + 1 = 19; marking the three groups of one "<5" would pin them to 1
    scored = population(np.random.default_rng(5), {2024: [9, 7, 1, 1, 1, 0], 2025: [6, 6, 6, 0, 0, 0]},
                        missing=0.0)
    rel = release(scored, 5)
    check_release(rel, 5)
    r = rel.tables["partner_respondents"]
    assert set(r.loc[r["year"] == 2024, "partner_group"].dropna()) <= {"1", "2"}


def test_the_attacks_find_what_an_unprotected_release_gives_away():
    """The attacker is not blind: without the release-wide decision (threshold only on the
    group means, as a naive report would do) it finds the small groups."""
    scored = population(np.random.default_rng(4), {2024: [10, 9, 2, 0], 2025: [8, 7, 0, 2]}, missing=0.0)
    inputs = {
        "partner_respondents": partnership.respondent_counts(scored, group="partner_group"),
        "partner_scale_summary": partnership.yearly_summary(scored, SCALES),
        "partner_group_summary": partnership.group_summary(scored, SCALES, group="partner_group", min_group_n=1),
        "partner_trend": partnership.trend(scored, SCALES),
    }
    ctx = pp.context(scored, 5)
    built, q = {}, sdc.Quantities(ctx.persons.n)
    for spec in pp.PARTNER_TABLES:
        t = spec.build(inputs, ctx).reset_index(drop=True)
        built[spec.name] = t
        spec.model(t, ctx, q)
    for qt in q.items:                       # the threshold rule only: no secondary suppression
        qt.status = sdc.HIDDEN if qt.hidden else sdc.PRIMARY if 1 <= qt.size < 5 else sdc.PUBLISHED
    naive = registry.apply_decision(built, q.items)
    naive["partner_group_summary"] = naive["partner_group_summary"].drop(
        columns=["_analysis_withheld", "_analysis_reason"])
    found = differencing_attacks(registry.Release(naive, q), 5)
    assert any("respondents 2024: the groups not listed make 2" in f for f in found)
    assert any("2025: the mean of the other 2 follows" in f for f in found)
    assert any("can be recovered" in a for a in sdc.audit(q, 5))
    assert lp_pinned(q, 5)
    # the same population, protected: nothing found
    check_release(release(scored, 5), 5)


# -- many small generated partner populations ----------------------------------------------------------

@st.composite
def populations(draw):
    years = draw(st.sampled_from([[2024, 2025], [2023, 2024, 2025]]))
    n_groups = draw(st.integers(1, 4))
    sizes = {y: [draw(st.integers(0, 12)) for _ in range(n_groups)] + [draw(st.integers(0, 3))] for y in years}
    missing, k = draw(st.sampled_from([0.0, 0.1, 0.3])), draw(st.sampled_from([3, 5, 6]))
    return sizes, draw(st.integers(0, 2**31 - 1)), missing, k


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=populations())
def test_property_no_small_partner_group_is_recoverable(case):
    sizes, seed, missing, k = case
    scored = population(np.random.default_rng(seed), sizes, missing)
    if scored.empty or not scored["year"].nunique() >= 1:
        return
    rel = release(scored, k)
    check_release(rel, k)
