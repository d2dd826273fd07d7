"""The release-wide disclosure control (publishing.sdc), attacked.

Hand-made cases pin each rule; a property-based test builds many small random releases
(populations, recurring subsets, categories, item non-response, a second wave) and checks
the decision with an *independent* attacker: linear programming over the relations the
tables declare, with the published counts fixed and every count non-negative (the audit of
suppressed cells used in statistical disclosure control). No withheld or hidden group of
1 … k − 1 persons, and no union of two, may have its count pinned down.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from publishing import sdc

K = 5


def _pl(row, col="n"):
    return sdc.Placement("t", row, (col,))


def test_threshold_rule_withholds_small_counts_and_publishes_zeros():
    people = np.arange(20)
    qs = sdc.Quantities(20)
    small = qs.add(people < 3, _pl(0), label="small")
    zero = qs.add(people < 0, _pl(1), label="zero")
    big = qs.add(people >= 3, _pl(2), label="big")
    sdc.protect(qs, K)
    assert (small.status, zero.status, big.status) == ("primary", "", "")


def test_difference_of_two_populations_is_protected():
    """All respondents 27, recurring 25: the two non-recurring persons (and, from the means,
    their scores) would follow; one of the two counts is withheld."""
    people = np.arange(27)
    qs = sdc.Quantities(27)
    everyone = qs.add(people >= 0, _pl(0), label="all")
    rec = qs.add(people >= 2, _pl(1), label="recurring")
    rest = qs.nest(everyone, rec, label="non-recurring")
    sdc.protect(qs, K)
    assert rest.status == "hidden" and rest.size == 2
    assert {everyone.status, rec.status} == {"", "secondary"}
    assert sdc.audit(qs, K) == []


def test_item_nonresponse_is_not_protected():
    """27 respondents, 25 answered WHO-5: the two non-answers follow, by design."""
    people = np.arange(27)
    qs = sdc.Quantities(27)
    everyone = qs.add(people >= 0, _pl(0))
    valid = qs.add(people >= 2, _pl(1))
    qs.relate(everyone, [valid], exempt=True)
    sdc.protect(qs, K)
    assert everyone.published and valid.published


def test_flow_cell_cannot_be_recomputed_from_its_neighbours():
    """assessed = analysed + lost; lost = 4 is withheld, so one more cell must go."""
    people = np.arange(40)
    qs = sdc.Quantities(40)
    assessed = qs.add(people >= 0, _pl(0), label="assessed")
    analysed = qs.add(people >= 4, _pl(1), label="analysed")
    lost = qs.add(people < 4, _pl(2), label="lost")
    qs.relate(assessed, [analysed, lost])
    sdc.protect(qs, K)
    assert lost.status == "primary" and "secondary" in (assessed.status, analysed.status)
    assert sdc.audit(qs, K) == []


def test_linked_tables_share_one_decision():
    """The same set printed in two tables is one count: withheld in one, withheld in both."""
    people = np.arange(30)
    qs = sdc.Quantities(30)
    a = qs.add(people < 3, sdc.Placement("table1", 0, ("n",)))
    b = qs.add(people < 3, sdc.Placement("attrition", 5, ("smd",)))
    assert a is b and len(a.placements) == 2
    sdc.protect(qs, K)
    assert a.status == "primary"


def test_chain_through_several_tables_is_broken():
    """total (T) = a + b (table 1); b = c + d (table 2); a = 3 withheld, c and d published:
    T − c − d = a, so the recovery through both tables must be broken too."""
    people = np.arange(60)
    qs = sdc.Quantities(60)
    T = qs.add(people >= 0, sdc.Placement("t1", 0, ("n_total",)), label="T")
    a = qs.add(people < 3, sdc.Placement("t1", 1, ("n",)), label="a")
    b = qs.add(people >= 3, sdc.Placement("t1", 2, ("n",)), label="b")
    c = qs.add((people >= 3) & (people < 30), sdc.Placement("t2", 0, ("n",)), label="c")
    d = qs.add(people >= 30, sdc.Placement("t2", 1, ("n",)), label="d")
    qs.relate(T, [a, b])
    qs.relate(b, [c, d])
    sdc.protect(qs, K)
    assert a.status == "primary"
    assert sdc.audit(qs, K) == []
    assert sum(q.status == "secondary" for q in (T, b, c, d)) >= 2


def test_union_of_two_small_groups_is_protected():
    """Two withheld cells whose sum is recoverable and small (2 + 1) are a small group too."""
    people = np.arange(40)
    qs = sdc.Quantities(40)
    T = qs.add(people >= 0, _pl(0), label="T")
    a = qs.add(people < 2, _pl(1), label="a")
    b = qs.add(people == 2, _pl(2), label="b")
    c = qs.add(people >= 3, _pl(3), label="c")
    qs.relate(T, [a, b, c])
    sdc.protect(qs, K)
    assert (a.status, b.status) == ("primary", "primary")
    assert "secondary" in (T.status, c.status)


def test_relations_are_checked_against_the_data():
    people = np.arange(10)
    qs = sdc.Quantities(10)
    T = qs.add(people < 5, _pl(0))
    outside = qs.add(people >= 4, _pl(1), label="outside")
    with pytest.raises(sdc.ModelError, match="not part of"):
        qs.relate(T, [outside])


def test_a_model_that_counts_something_else_than_the_table_fails():
    qs = sdc.Quantities(10)
    with pytest.raises(sdc.ModelError, match="out of date"):
        qs.add(np.arange(10) < 4, _pl(0), label="x", expect=5)


def test_opaque_counts_get_the_threshold_only():
    qs = sdc.Quantities(10)
    o = qs.add(None, _pl(0), size=3, label="complete answers")
    sdc.protect(qs, K)
    assert o.status == "primary"


def test_covered_counts_are_not_counted_as_published():
    """A count printed only in cells that another withheld count blanks is not published."""
    people = np.arange(30)
    qs = sdc.Quantities(30)
    small = qs.add(people < 2, sdc.Placement("mcnemar", 0, ("statistic", "p_value")))
    other = qs.add(people >= 20, sdc.Placement("mcnemar", 0, ("statistic", "p_value")))
    sdc.protect(qs, K)
    assert small.status == "primary" and other.status == "covered"


# -- the attacker: linear programming over the declared relations ------------------------------

def relation_matrix(qs: sdc.Quantities) -> tuple[list, np.ndarray]:
    """The counts in relations (``sdc._related``) and the matrix of ``total − Σ parts = 0``,
    a row per relation, a column per count: the attackers' equality constraints."""
    related = sdc._related(qs)
    index = {id(q): i for i, q in enumerate(related)}
    A = np.zeros((len(qs.relations), len(related)))
    for r, (total, parts) in enumerate(qs.relations):
        A[r, index[id(total)]] += 1
        for part in parts:
            A[r, index[id(part)]] -= 1
    return related, A


def lp_pinned(qs: sdc.Quantities, k: int) -> list[str]:
    """Withheld or hidden groups of 1 … k − 1 persons (and unions of two) whose count the
    published counts pin down, found by min/max linear programs with every count ≥ 0."""
    related, A = relation_matrix(qs)
    bounds = [(q.size, q.size) if q.published else (0, None) for q in related]
    small = [i for i, q in enumerate(related) if not q.published and not q.exempt and 1 <= q.size <= k - 1]
    targets = [([i], related[i].label) for i in small]
    targets += [([i, j], "two together") for x, i in enumerate(small) for j in small[x + 1:]
                if related[i].size + related[j].size <= k - 1 and not (related[i].members & related[j].members).any()]
    pinned = []
    for cols, what in targets:
        c = np.zeros(len(related))
        c[cols] = 1
        lo = linprog(c, A_eq=A, b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=A, b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
        assert lo.status == 0 and hi.status in (0, 3), (lo.message, hi.message)   # feasible (hi may be unbounded)
        if hi.status == 0 and (-hi.fun) - lo.fun < 0.5:
            pinned.append(what)
    return pinned


def random_release(seed: int, n: int, k: int) -> sdc.Quantities:
    """A small release shaped like the real one: two waves, all/recurring, a covariate
    broken down per population and wave, item non-response, a flow, a paired category."""
    rng = np.random.default_rng(seed)
    qs = sdc.Quantities(n)
    t0 = rng.random(n) < 0.85
    t1 = rng.random(n) < 0.7
    rec = t0 & t1 & (rng.random(n) < 0.8)
    cov = rng.integers(0, rng.integers(2, 5), n)            # covariate levels
    cov_missing = rng.random(n) < 0.08
    item = rng.random(n) < 0.9                              # answered an item
    row = iter(range(10_000))

    def add(mask, label, table="t"):
        return qs.add(mask, sdc.Placement(table, next(row), ("n",)), label=label)

    for w, present in (("T0", t0), ("T1", t1)):
        P = add(present, f"all {w}", "table1")
        R = add(present & rec, f"rec {w}", "table1")
        qs.nest(P, R, label=f"non-rec {w}")
        for pop, base in (("all", P), ("rec", R)):
            valid = add(base.members & ~cov_missing, f"answered cov {pop} {w}", "table1")
            qs.relate(base, [valid], exempt=True)
            cells = [add(valid.members & (cov == lv), f"cov {lv} {pop} {w}", "table1") for lv in np.unique(cov)]
            qs.relate(valid, [c for c in cells if c.size or True])
            iv = add(base.members & item, f"item {pop} {w}", "summaries")
            qs.relate(base, [iv], exempt=True)
        qs.nest(qs.add(present & item, hidden=True), qs.add(present & rec & item, hidden=True))
    both = add(t0 & t1, "both", "flow")
    lost = add(t0 & ~t1, "lost", "flow")
    new = add(~t0 & t1, "new", "flow")
    qs.relate(add(t0, "all T0", "flow"), [both, lost])
    qs.relate(add(t1, "all T1", "flow"), [both, new])
    qs.nest(both, add(rec, "recurring", "flow"))
    pairs = add(rec & item, "pairs", "tests")
    qs.relate(qs.add(rec, hidden=True), [pairs], exempt=True)
    better = add(pairs.members & (rng.random(n) < 0.3), "better", "tests")
    qs.relate(pairs, [better])
    return qs


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(6, 40), k=st.sampled_from([3, 5]))
def test_no_small_group_can_be_pinned_down_by_linear_programming(seed, n, k):
    qs = random_release(seed, n, k)
    sdc.protect(qs, k)
    assert not [q for q in qs.items if q.published and 1 <= q.size <= k - 1]
    assert sdc.audit(qs, k) == []
    assert lp_pinned(qs, k) == []


def test_the_attacker_finds_what_an_unprotected_release_gives_away():
    """The LP attacker is not vacuous: without secondary suppression it recovers the group."""
    people = np.arange(40)
    qs = sdc.Quantities(40)
    assessed = qs.add(people >= 0, _pl(0), label="assessed")
    analysed = qs.add(people >= 4, _pl(1), label="analysed")
    lost = qs.add(people < 4, _pl(2), label="lost")
    qs.relate(assessed, [analysed, lost])
    for q in qs.items:
        q.status = "primary" if q is lost else ""
    assert lp_pinned(qs, K) == ["lost"]


# -- the "<k" marks: the block-wise and closed-form ranges against one whole-system LP ------

def lp_pinned_knowing_the_marks(qs: sdc.Quantities, k: int) -> list[int]:
    """A stronger attacker than :func:`lp_pinned`: a count printed as "<k" (withheld as
    small itself) lies in 1 … k − 1, not just ≥ 0; with a published total, several such
    marks can pin each other down (three "<5" groups that make 3 respondents are one each).
    Two linear programmes over all relations at once for every small withheld or hidden
    count; returns their positions in ``sdc._related(qs)``."""
    related, A = relation_matrix(qs)
    bounds = [(q.size, q.size) if q.published else (1, k - 1) if q.status == sdc.PRIMARY and q.placements
              else (0, None) for q in related]
    pinned = []
    for i, q in enumerate(related):
        if q.published or q.exempt or not 1 <= q.size <= k - 1:
            continue
        c = np.zeros(len(related))
        c[i] = 1
        lo = linprog(c, A_eq=A, b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=A, b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
        assert lo.status == 0, lo.message
        if hi.status == 0 and (-hi.fun) - lo.fun < 0.5:
            pinned.append(i)
    return pinned


def pinned_by_marks_whole_system(qs: sdc.Quantities, k: int) -> list[int]:
    """The definition of :func:`sdc._pinned_by_marks` without its shortcuts: nothing
    when no count is marked "<k", else :func:`lp_pinned_knowing_the_marks`."""
    if not any(q.status == sdc.PRIMARY and q.placements for q in sdc._related(qs)):
        return []
    return lp_pinned_knowing_the_marks(qs, k)


def random_codebook(seed: int, n: int) -> sdc.Quantities:
    """A codebook-like release: every variable's values (and blanks) add up to the
    respondents, whose total is published."""
    rng = np.random.default_rng(seed)
    qs = sdc.Quantities(n)
    everyone = qs.add(np.ones(n, dtype=bool), _pl(0, "n_total"), label="respondents")
    row = iter(range(1, 10_000))
    for _ in range(rng.integers(1, 8)):
        values = rng.choice(rng.integers(2, 7), size=n, p=None)
        qs.relate(everyone, [qs.add(values == v, _pl(next(row)), label="value") for v in np.unique(values)])
    return qs


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(6, 40), k=st.sampled_from([3, 5, 10]),
       shape=st.sampled_from(["release", "codebook"]), withheld=st.floats(0.0, 0.9))
def test_marks_pin_the_same_counts_blockwise_as_in_the_whole_system(seed, n, k, shape, withheld):
    """Any decision state (counts withheld at random, the small ones marked "<k"): solving
    each independent block on its own, and a block of one relation in closed form, finds
    exactly the counts that linear programming over the whole system finds."""
    qs = random_release(seed, n, k) if shape == "release" else random_codebook(seed, n)
    rng = np.random.default_rng(seed + 1)
    for q in qs.items:
        if q.hidden:
            q.status = sdc.HIDDEN
        elif rng.random() < withheld:
            q.status = sdc.PRIMARY if 1 <= q.size <= k - 1 else sdc.SECONDARY
        else:
            q.status = sdc.PUBLISHED
    assert sdc._pinned_by_marks(qs, k) == pinned_by_marks_whole_system(qs, k)


def test_the_comparison_is_not_vacuous():
    """A total of 8 made of two "<5" groups pins both (4 + 4); one of 7 pins neither."""
    people = np.arange(20)
    for total, expected in ((8, [0, 1]), (7, [])):
        qs = sdc.Quantities(20)
        a = qs.add(people < 4, _pl(0), label="a")
        b = qs.add((people >= 4) & (people < total), _pl(1), label="b")
        qs.relate(qs.add(people < total, _pl(2), label="total"), [a, b])
        a.status = b.status = sdc.PRIMARY
        assert sdc._pinned_by_marks(qs, K) == pinned_by_marks_whole_system(qs, K) == expected
