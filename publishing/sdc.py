"""Release-wide statistical disclosure control: one decision over every published count.

Every count of persons the release publishes (a table cell, a total, the ``n`` of a mean,
the discordant pairs an exact McNemar test implies) is a :class:`Quantity`: the set of
persons it counts (a boolean mask over the study's persons, used for its size and to verify
every declared relation), the places where it is printed (:class:`Placement`) and its
weight. The same set of persons published in several tables is one quantity, so it is shown
or withheld everywhere at once (*linked tables*).

The tables also declare the **relations an outsider knows from their definitions**
(:meth:`Quantities.relate`): a total is the sum of its categories, the recurring
participants are part of all respondents, the complete pairs part of the analysed
participants, the completers and drop-outs together the baseline respondents. Each relation
is checked against the masks, and what its parts do not cover becomes a *remainder*
quantity (the non-recurring respondents, the persons without change on a dimension, the
non-answers): hidden, but protected like any other group.

:func:`protect` then decides for the whole release at once:

1. **Threshold rule (primary suppression).** A quantity of 1 … *k* − 1 persons is withheld
   (zeros are published).
2. **No small group can be recovered (secondary suppression).** With the published counts
   known, the relations are a linear system in the withheld and hidden counts. A count is
   recovered exactly when its unit vector lies in the row space of the system restricted to
   the unknown counts (exact linear algebra, SVD): totals minus parts, differences between
   populations, tables and waves, chains through several linked tables. While a withheld or
   hidden group of 1 … *k* − 1 persons (or the union of two of them) is recoverable, the
   cheapest published count that breaks the recovery is withheld as well, preferring a
   count of the same table. For magnitudes this also protects values: a mean is published
   with its ``n``, so a recoverable small group's count is also a recoverable small group's
   sum (and, for one person, that person's value).
3. **Dominance ((n, k) rule)** for sums of non-negative magnitudes (e.g. visits): a cell
   where the largest *n* contributors hold more than *p* % of the total is withheld
   (:func:`dominated`).

**Item non-response is not a protected group.** A relation between a population and its
valid answers to an item (``exempt=True``) has a remainder that is not protected: the
non-answers to a question follow from a valid ``n`` and its population total, as in every
survey report. Every other remainder is protected, including population, category and value
differences *within* the respondents to an item (the non-recurring respondents who answered
WHO-5 at T0, and their mean, are a protected group).

What is not modelled (see ``docs/publishing.md``): relations an outsider cannot know from
the definitions (two categories of different variables that happen to contain the same
persons), inferences from non-negativity beyond the unions of two groups, and
reconstruction of the microdata from very many exact counts (a limit of every
suppression method; the release keeps its tables coarse: global recoding of small
categories, no cross-tabulations).

Pure code (NumPy only); no Dagster, no pandas.

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, et al. *Statistical Disclosure Control*. Wiley,
2012. doi:10.1002/9781118348239 (ch. 4-5: threshold and dominance rules, secondary
suppression, linked tables, auditing suppressed cells by linear programming).
Griffiths E, Greci C, Kotrotsios Y, et al. *Handbook on Statistical Disclosure Control for
Outputs*. Safe Data Access Professionals Working Group, 2019 (differencing, class
disclosure, statistics that reduce to counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

#: statuses of a quantity after :func:`protect`
PUBLISHED, PRIMARY, SECONDARY, HIDDEN, COVERED = "", "primary", "secondary", "hidden", "covered"
_TOL = 1e-9


@dataclass(frozen=True)
class Placement:
    """Where a quantity is printed: ``columns`` of row ``row`` (position) of ``table``.

    When the quantity is withheld, those columns are blanked; ``withholds_row`` says the
    row's statistics are withheld as a whole (the row is flagged suppressed).
    """

    table: str
    row: int
    columns: tuple[str, ...]
    withholds_row: bool = True


@dataclass(eq=False)
class Quantity:
    """One count of persons that the release publishes (or keeps hidden).

    Attributes
    ----------
    members : ndarray of bool or None
        Who is counted (a mask over the study's persons), or ``None`` for an opaque count
        (only the threshold applies; it takes part in no relation).
    size : int
        Number of persons; equals ``members.sum()``.
    placements : list of Placement
        Where it is printed (empty for a hidden quantity).
    weight : float
        Importance for the choice of secondary suppressions (cost = weight × size ×
        number of placements).
    hidden : bool
        Never published (a remainder or another group that is only protected).
    exempt : bool
        Item non-response (a remainder of an ``exempt`` relation): not protected.
    label : str
        Description for audit messages (never a value).
    status, reason : str
        After :func:`protect`: ``""`` (published), ``"primary"``, ``"secondary"``,
        ``"hidden"`` or ``"covered"`` (published nowhere any more: every cell where it
        is printed is blanked by another withheld count), and why.
    """

    members: np.ndarray | None
    size: int
    placements: list[Placement] = field(default_factory=list)
    weight: float = 1.0
    hidden: bool = False
    exempt: bool = False
    label: str = ""
    status: str = PUBLISHED
    reason: str = ""

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED and not self.hidden

    @property
    def cost(self) -> float:
        return self.weight * max(self.size, 1) * max(len(self.placements), 1)


class ModelError(RuntimeError):
    """The disclosure model of a published table disagrees with the table (a code error)."""


def _isnan(x) -> bool:
    try:
        return bool(np.isnan(float(x)))
    except (TypeError, ValueError):
        return False


class Quantities:
    """The counts of a release and the relations between them.

    Quantities with the same member set are merged (a set published in two tables is one
    count). Relations are checked against the masks when they are declared.

    Examples
    --------
    >>> qs = Quantities(n_persons=6)
    >>> people = np.arange(6)
    >>> total = qs.add(people >= 0, Placement("t", 0, ("n_total",)), label="total")
    >>> a = qs.add(people < 2, Placement("t", 1, ("n",)), label="a")
    >>> b = qs.add(people >= 2, Placement("t", 2, ("n",)), label="b")
    >>> again = qs.add(people < 2, Placement("u", 0, ("n",)))
    >>> again is a, len(a.placements)
    (True, 2)
    >>> qs.relate(total, [a, b])
    >>> len(qs.relations)
    1
    """

    def __init__(self, n_persons: int, protect_nonresponse: bool = False):
        self.n_persons = n_persons
        #: protect item non-response too (models then declare no relation exempt)
        self.protect_nonresponse = protect_nonresponse
        self._by_key: dict[bytes, Quantity] = {}
        self.items: list[Quantity] = []
        self.relations: list[tuple[Quantity, tuple[Quantity, ...]]] = []
        self._relation_keys: set[tuple] = set()

    def __len__(self) -> int:
        return len(self.items)

    def _mask(self, m, label) -> np.ndarray:
        m = np.asarray(m, dtype=bool)
        if m.shape != (self.n_persons,):
            raise ModelError(f"{label}: mask of {m.shape} persons, expected {self.n_persons}")
        return m

    def add(self, members: np.ndarray | None, placement: Placement | None = None, *, size: int | None = None,
            weight: float = 1.0, hidden: bool = False, label: str = "", expect: float | None = None) -> Quantity:
        """Add (or find) the quantity counting ``members`` and place it.

        ``expect`` is the count the table prints; a mismatch means the disclosure model of
        that table no longer describes what the analysis computed, and raises
        :class:`ModelError` (nothing is published on a model that is out of date).
        """
        if members is not None:
            members = self._mask(members, label)
            n = int(members.sum())
            key = np.packbits(members).tobytes()
            q = self._by_key.get(key)
        else:
            if size is None:
                raise ModelError(f"{label}: an opaque quantity needs its size")
            n, q = int(size), None
        if expect is not None and not _isnan(expect) and int(round(float(expect))) != n:
            raise ModelError(f"disclosure model out of date: {label} counts {n} persons but the table "
                             f"prints {int(round(float(expect)))}")
        if q is None:
            q = Quantity(members=members, size=n, weight=weight, hidden=hidden, label=label)
            if members is not None:
                self._by_key[key] = q
            self.items.append(q)
        else:
            q.weight = max(q.weight, weight)
            q.label = q.label or label
            q.exempt = q.exempt and hidden           # a published or protected set is not exempt
        if placement is not None:
            q.placements.append(placement)
        q.hidden = not q.placements and (hidden or q.hidden)
        return q

    def relate(self, total: Quantity, parts: Sequence[Quantity], *, exempt: bool = False,
               label: str = "") -> Quantity | None:
        """Declare ``total`` = sum of ``parts`` (+ a remainder), as the tables define it.

        The parts must be pairwise disjoint subsets of the total (checked). What they do not
        cover is added as a hidden *remainder* quantity, protected unless ``exempt``
        (item non-response). Returns the remainder (``None`` if the parts cover the total).
        """
        parts = list({id(p): p for p in parts if p is not total}.values())   # an empty set may repeat
        if total.members is None or any(p.members is None for p in parts):
            raise ModelError(f"{label or total.label}: opaque quantities take part in no relation")
        covered = np.zeros(self.n_persons, dtype=bool)
        for p in parts:
            if (p.members & ~total.members).any():
                raise ModelError(f"{label or total.label}: '{p.label}' is not part of '{total.label}'")
            if (p.members & covered).any():
                raise ModelError(f"{label or total.label}: the parts overlap ('{p.label}')")
            covered |= p.members
        rest = None
        if (total.members & ~covered).any():
            rest_mask = total.members & ~covered
            key = np.packbits(rest_mask).tobytes()
            existed = key in self._by_key
            rest = self.add(rest_mask, hidden=True, label=label or f"{total.label} without its parts")
            if not existed:
                rest.exempt = exempt
            elif not exempt:
                rest.exempt = False
        members = tuple(sorted({id(p) for p in parts} | ({id(rest)} if rest is not None else set())))
        relation_key = (id(total), members)
        if relation_key not in self._relation_keys:
            self._relation_keys.add(relation_key)
            self.relations.append((total, tuple(parts) + ((rest,) if rest is not None else ())))
        return rest

    def nest(self, outer: Quantity, inner: Quantity, *, exempt: bool = False, label: str = "") -> Quantity | None:
        """Declare ``inner`` ⊂ ``outer`` by definition (``outer`` = ``inner`` + remainder)."""
        if inner is outer:
            return None
        return self.relate(outer, [inner], exempt=exempt, label=label)


# -- the audit --------------------------------------------------------------------------------

@dataclass
class Violation:
    """A recoverable group of 1 … k − 1 persons and the withheld quantity it was found for."""

    kind: str
    size: int
    target: np.ndarray          # over the unknown quantities
    origin: int | None = None   # index (into the quantity list) of the protected quantity


class _System:
    """The relations as a linear system, with the published counts as knowns.

    Rows are relations (``total − Σ parts = 0``), columns quantities. Only the quantities
    that take part in some relation matter; a count that is in no relation can only be
    recovered from itself.
    """

    def __init__(self, qs: Sequence[Quantity], relations, k: int):
        self.qs, self.k = list(qs), k
        index = {id(q): i for i, q in enumerate(self.qs)}
        rows = []
        for total, parts in relations:
            r = np.zeros(len(self.qs))
            r[index[id(total)]] += 1.0
            for p in parts:
                r[index[id(p)]] -= 1.0
            rows.append(r)
        self.A = np.array(rows) if rows else np.zeros((0, len(self.qs)))
        self.sizes = np.array([q.size for q in self.qs])

    def _unknown(self) -> np.ndarray:
        return np.array([not q.published for q in self.qs], dtype=bool)

    def _small(self, i: int | np.integer) -> bool:
        return 1 <= self.qs[i].size <= self.k - 1

    def violations(self) -> tuple[list[Violation], tuple]:
        """Every withheld or hidden, non-exempt quantity of 1 … k − 1 persons (and every
        union of two) that the published counts determine."""
        unknown = np.flatnonzero(self._unknown())
        pos = {int(i): j for j, i in enumerate(unknown)}
        M = self.A[:, unknown]
        keep_rows = np.abs(M).sum(axis=1) > 0
        M = M[keep_rows]
        if M.size:
            u, s, vt = np.linalg.svd(M, full_matrices=False)
            tol = s.max() * max(M.shape) * np.finfo(float).eps * 10 if len(s) else 0.0
            r = int((s > tol).sum())
            u, s, vt = u[:, :r], s[:r], vt[:r]
        else:
            u, s, vt = np.zeros((0, 0)), np.zeros(0), np.zeros((0, len(unknown)))
        state = (unknown, pos, u, s, vt, keep_rows)
        targets = [i for i in unknown if self._small(i) and not self.qs[i].exempt]
        T, kinds, origins = [], [], []
        for i in targets:
            t = np.zeros(len(unknown))
            t[pos[int(i)]] = 1.0
            T.append(t)
            kinds.append(f"withheld count ({self.qs[i].label})")
            origins.append(int(i))
        for x in range(len(targets)):
            for y in range(x + 1, len(targets)):
                a, b = targets[x], targets[y]
                if self.qs[a].size + self.qs[b].size <= self.k - 1:
                    t = np.zeros(len(unknown))
                    t[pos[int(a)]] = t[pos[int(b)]] = 1.0
                    T.append(t)
                    kinds.append("two withheld counts together")
                    origins.append(int(a))
        out = []
        if T:
            Tm = np.array(T)
            resid = Tm - (Tm @ vt.T) @ vt if vt.size else Tm
            hit = np.linalg.norm(resid, axis=1) <= _TOL * np.linalg.norm(Tm, axis=1)
            for h in np.flatnonzero(hit):
                out.append(Violation(kinds[h], int(round(Tm[h] @ self.sizes[unknown])), Tm[h], origins[h]))
        return out, state

    def breakers(self, v: Violation, state) -> list[int]:
        """Published quantities whose withholding alone makes the group unrecoverable.

        Withholding published quantity ``p`` adds its column ``a_p`` to the unknowns. If
        ``a_p`` lies in the column space of the current system ``M``, a new null vector
        ``(−M⁺ a_p, 1)`` appears, and the group stops being recoverable iff its target has a
        non-zero product with ``−M⁺ a_p``. One SVD answers this for every ``p`` at once.
        """
        unknown, pos, u, s, vt, keep_rows = state
        if getattr(self, "_z_state", None) is not state:      # once per round: M⁺ a_p for every p
            published = np.flatnonzero(~self._unknown())
            P = self.A[keep_rows][:, published]                  # columns a_p
            if s.size and len(published):
                in_span = np.linalg.norm(P - u @ (u.T @ P), axis=0) <= _TOL * np.maximum(np.linalg.norm(P, axis=0), 1)
                usable = in_span & (np.abs(P).sum(axis=0) > 0)
                z = vt.T @ ((u.T @ P[:, usable]) / s[:, None])
            else:
                usable, z = np.zeros(len(published), dtype=bool), np.zeros((len(unknown), 0))
            self._z_state, self._z, self._z_cols = state, z, published[usable]
        if not self._z.size:
            return []
        effect = np.abs(v.target @ self._z)
        return [int(c) for c in self._z_cols[effect > 1e-9]]

    def involved(self, v: Violation, state) -> list[int]:
        """Published quantities that share a relation with the unknowns of a minimum-norm
        recovery of the group (the fallback candidates)."""
        unknown, pos, u, s, vt, keep_rows = state
        lam = u @ ((vt @ v.target) / s) if s.size else np.zeros(0)   # rows used by the recovery
        rows = np.flatnonzero(keep_rows)[np.abs(lam) > 1e-9]
        cols = np.flatnonzero(np.abs(self.A[rows]).sum(axis=0) > 0)
        return [int(c) for c in cols if self.qs[c].published]

    def fix_round(self) -> int:
        """Withhold one published count for every recoverable group (unless a count chosen
        in this round already breaks its recovery); the number withheld."""
        found, state = self.violations()
        if not found:
            return 0
        base_cost = np.array([q.cost for q in self.qs])
        chosen: dict[int, str] = {}
        for v in found:
            br = self.breakers(v, state)
            if any(b in chosen for b in br):
                continue
            near = {p.table for p in self.qs[v.origin].placements} if v.origin is not None else set()

            def cost(i: int, near: set = near) -> tuple:
                # a zero is withheld only when nothing else helps (an "x" on a zero confuses readers)
                same = any(p.table in near for p in self.qs[i].placements)
                return (self.qs[i].size == 0, base_cost[i] * (1 if same or not near else 10), i)

            cands = br or self.involved(v, state)
            if not cands:
                raise RuntimeError(f"cannot protect a group ({v.kind}): no published count to withhold")
            pick = min(cands, key=cost)
            chosen.setdefault(pick, v.kind)
        for i, kind in chosen.items():
            self.qs[i].status = SECONDARY
            self.qs[i].reason = f"protects a group of fewer than {self.k} ({kind})"
        return len(chosen)


def _cover(qs: Sequence[Quantity]) -> bool:
    """Mark published quantities that no longer appear anywhere (every cell where they are
    printed is blanked by a withheld quantity) as ``covered``; True if any changed."""
    blanked: set[tuple[str, int, str]] = set()
    for q in qs:
        if q.status in (PRIMARY, SECONDARY):
            blanked |= {(p.table, p.row, c) for p in q.placements for c in p.columns}
    changed = False
    for q in qs:
        if q.status == PUBLISHED and q.placements and all(
                (p.table, p.row, c) in blanked for p in q.placements for c in p.columns):
            q.status = COVERED
            changed = True
    return changed


def protect(quantities: Quantities, k: int, max_rounds: int = 10_000) -> list[Quantity]:
    """Decide which quantities are published (status ``""``) and which withheld.

    Parameters
    ----------
    quantities : Quantities
        The release's counts and relations.
    k : int
        Smallest publishable number of persons (``publishing.k_min_cell``).
    max_rounds : int
        Safety limit on rounds of secondary suppression.

    Returns
    -------
    list of Quantity
        The quantities, with ``status`` and ``reason`` set.

    Examples
    --------
    Categories a, b, c of one group (3, 10 and 40 persons) and the group total (53): a is
    withheld (primary) and, because total − b − c = a, so is b, the cheapest other cell.

    >>> people = np.arange(53)
    >>> qs = Quantities(53)
    >>> parts = [qs.add(people < 3, Placement("t", 0, ("n",)), label="a"),
    ...          qs.add((people >= 3) & (people < 13), Placement("t", 1, ("n",)), label="b"),
    ...          qs.add(people >= 13, Placement("t", 2, ("n",)), label="c")]
    >>> total = qs.add(people >= 0, Placement("t", 3, ("n_total",)), label="total")
    >>> qs.relate(total, parts)
    >>> [q.status for q in protect(qs, 5)]
    ['primary', 'secondary', '', '']
    """
    qs = quantities.items
    for q in qs:
        q.reason = ""
        if q.hidden:
            q.status = HIDDEN
        elif 1 <= q.size <= k - 1:
            q.status = PRIMARY
            q.reason = f"fewer than {k} persons"
        else:
            q.status = PUBLISHED
    _cover(qs)
    related = _related(quantities)
    with threadpool_limits(1):  # small dense problems: one BLAS thread is faster (much faster when busy)
        system = _System(related, quantities.relations, k)
        for _ in range(max_rounds):
            if not system.fix_round():
                break
            _cover(qs)
        else:
            raise RuntimeError("secondary suppression did not converge")
    unmark_pinned(quantities, k)
    return qs


def _mark_bounds(related: Sequence[Quantity], k: int) -> list[tuple]:
    """What an outsider knows of each count: a published one exactly, one printed as
    "<k" (withheld as small itself, with a place in a table) lies in 1 … k − 1, any other
    is non-negative."""
    return [(q.size, q.size) if q.published else (1, k - 1) if q.status == PRIMARY and q.placements
            else (0, None) for q in related]


def _pinned_by_marks(quantities: Quantities, k: int) -> list[int]:
    """Positions (in :func:`_related`) of withheld or hidden groups of 1 … k − 1 persons
    whose size the published counts *and* the "<k" marks fix (linear programming: the
    smallest and largest size the relations allow differ by less than one).

    Each linear programme is solved on its own block only: with the published counts as
    constants the relations fall apart into independent blocks of unknown counts (in a
    codebook, one per variable; every relation shares the published respondent total),
    and a count's range depends on its block alone, because the true sizes satisfy every
    block at once. The true size lies in the range, so when the smallest size is already
    half a person below it, the count is not fixed and the largest size is not needed.
    Both shortcuts give exactly the positions the whole system gives; they make the
    codebooks (hundreds of small counts) several times faster.
    """
    from scipy.optimize import linprog

    related = _related(quantities)
    if not related:
        return []
    A = _System(related, quantities.relations, k).A
    bounds = _mark_bounds(related, k)
    if not any(b == (1, k - 1) for b in bounds):
        return []
    known = np.array([q.published for q in related], dtype=bool)
    values = np.array([q.size if q.published else 0 for q in related], dtype=float)
    rhs = -(A[:, known] @ values[known]) if len(A) else np.zeros(0)
    block = _blocks(A, ~known)
    pinned = []
    for i, q in enumerate(related):
        if q.published or q.exempt or not 1 <= q.size <= k - 1:
            continue
        cols = np.flatnonzero(block == block[i])
        rows = np.flatnonzero(np.abs(A[:, cols]).sum(axis=1) > 0)
        sub, b_sub, sub_bounds = A[np.ix_(rows, cols)], rhs[rows], [bounds[j] for j in cols]
        at = int(np.flatnonzero(cols == i)[0])
        if len(rows) == 1:
            smallest, largest = _range_in_one_relation(sub[0], float(b_sub[0]), sub_bounds, at)
            if largest - smallest < 0.5:
                pinned.append(i)
            continue
        c = (cols == i).astype(float)
        lo = linprog(c, A_eq=sub, b_eq=b_sub, bounds=sub_bounds, method="highs")
        if lo.status != 0 or q.size - lo.fun > 0.5 + 1e-6:   # (the margin: as the whole-range test below)
            continue
        hi = linprog(-c, A_eq=sub, b_eq=b_sub, bounds=sub_bounds, method="highs")
        if hi.status == 0 and (-hi.fun) - lo.fun < 0.5:
            pinned.append(i)
    return pinned


def _range_in_one_relation(a: np.ndarray, b: float, bounds: Sequence[tuple], i: int) -> tuple[float, float]:
    """Smallest and largest value of ``x[i]`` with ``a · x = b`` and ``x`` within ``bounds``
    (``None``: no upper bound): the linear programme of :func:`_pinned_by_marks` for a
    block of one relation, solved in closed form (the other terms of the sum range over an
    interval; the common case of a codebook variable, hundreds per release, where calling
    the LP solver twice each costs seconds). Assumes a solution exists (the true sizes
    are one); tests compare it with :func:`scipy.optimize.linprog`.

    >>> _range_in_one_relation(np.array([1., 1., 1.]), 7.0, [(1, 4), (1, 4), (0, None)], 0)
    (1.0, 4.0)
    >>> _range_in_one_relation(np.array([1., 1.]), 7.0, [(1, 4), (0, None)], 0)
    (1.0, 4.0)
    >>> _range_in_one_relation(np.array([1., 1.]), 5.0, [(1, 4), (1, 4)], 0)
    (1.0, 4.0)
    >>> _range_in_one_relation(np.array([1., 1.]), 8.0, [(1, 4), (1, 4)], 0)
    (4.0, 4.0)
    >>> _range_in_one_relation(np.array([-1., -1., 1.]), -13.0, [(1, 4), (0, None), (0, None)], 0)
    (1.0, 4.0)
    """
    low, high = 0.0, 0.0          # range of the sum of the other terms
    for j, (aj, (lo, hi)) in enumerate(zip(a, bounds)):
        if j == i or aj == 0:
            continue
        ends = (aj * lo, aj * (np.inf if hi is None else hi))
        low, high = low + min(ends), high + max(ends)
    ai = a[i]
    ends = ((b - high) / ai, (b - low) / ai)
    lo_i, hi_i = bounds[i]
    return max(float(lo_i), float(min(ends))), min(np.inf if hi_i is None else float(hi_i), float(max(ends)))


def _blocks(A: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Block label of each column of ``A``: unknown columns that share a row (a relation),
    directly or through other unknown columns, have one label; each known column has a
    label of its own (connected components of the rows-and-unknown-columns graph,
    :func:`scipy.sparse.csgraph.connected_components`).

    >>> b = _blocks(np.array([[1., -1., 0., -1.], [0., 0., 1., -1.]]), np.array([True, True, True, False]))
    >>> b[0] == b[1], b[1] == b[2], b[2] == b[3]
    (np.True_, np.False_, np.False_)
    """
    from scipy.sparse import bmat, csr_matrix
    from scipy.sparse.csgraph import connected_components

    edges = csr_matrix((A != 0) & unknown[np.newaxis, :])
    graph = bmat([[None, edges], [edges.T, None]])
    _, labels = connected_components(graph, directed=False)
    return labels[A.shape[0]:]


def unmark_pinned(quantities: Quantities, k: int, max_rounds: int = 50) -> list[Quantity]:
    """Printing "<k" tells that a count lies in 1 … k − 1; several such marks with a
    published total can fix each other (a total of 8 made of two "<5" groups: 4 + 4; a year
    of "<3" partners made of "<3" with a score and "<3" without: 1 + 1). Where the marks
    pin a small group, the primary quantities of its relations are shown as withheld
    ("x", status ``secondary``) instead, which says nothing about their size.

    Returns the quantities whose mark was removed.

    Examples
    --------
    >>> people = np.arange(20)
    >>> qs = Quantities(20)
    >>> a = qs.add(people < 4, Placement("t", 0, ("n",)), label="a")
    >>> b = qs.add((people >= 4) & (people < 8), Placement("t", 1, ("n",)), label="b")
    >>> total = qs.add(people < 8, Placement("t", 2, ("n",)), label="total")
    >>> qs.relate(total, [a, b])
    >>> [q.status for q in protect(qs, 5)]
    ['secondary', 'secondary', '']
    """
    changed: list[Quantity] = []
    for _ in range(max_rounds):
        pinned = _pinned_by_marks(quantities, k)
        if not pinned:
            break
        related = _related(quantities)
        hit = {id(related[i]) for i in pinned}
        demote = [q for total, parts in quantities.relations for q in (total, *parts)
                  if q.status == PRIMARY and q.placements
                  and any(id(x) in hit for x in (total, *parts))]
        demote += [related[i] for i in pinned if related[i].status == PRIMARY and related[i].placements]
        demote = [q for q in dict.fromkeys(demote) if q.status == PRIMARY]
        if not demote:
            break
        for q in demote:
            q.status = SECONDARY
            q.reason = f"withheld without a '<{k}' mark: the marks would fix its size"
        changed += demote
    return changed


def _related(quantities: Quantities) -> list[Quantity]:
    ids = {id(t) for t, _ in quantities.relations} | {id(p) for _, ps in quantities.relations for p in ps}
    return [q for q in quantities.items if id(q) in ids]


def audit(quantities: Quantities, k: int) -> list[str]:
    """Problems of a finished decision: a published count of 1 … k − 1 persons, or a
    withheld or hidden group of 1 … k − 1 persons that the published counts determine
    (messages name tables and rows, never values).

    Examples
    --------
    >>> qs = Quantities(12)
    >>> people = np.arange(12)
    >>> flow = qs.add(people >= 0, Placement("flow", 0, ("n",)), label="assessed")
    >>> analysed = qs.add(people >= 2, Placement("flow", 1, ("n",)), label="analysed")
    >>> _ = qs.nest(flow, analysed, label="not analysed")
    >>> audit(qs, 5)
    ['a group of fewer than 5 persons can be recovered from the published counts: not analysed']
    """
    problems = []
    for q in quantities.items:
        if q.published and 1 <= q.size <= k - 1:
            where = ", ".join(f"{p.table} row {p.row}" for p in q.placements[:3])
            problems.append(f"a count of fewer than {k} persons is published ({where})")
    with threadpool_limits(1):
        found, _ = _System(_related(quantities), quantities.relations, k).violations()
    for v in found:
        problems.append(f"a group of fewer than {k} persons can be recovered from the published counts: "
                        f"{v.kind.removeprefix('withheld count (').rstrip(')')}")
    return problems


def dominated(values: np.ndarray, n: int = 1, p: float = 0.5) -> bool:
    """The (n, k) dominance rule: the ``n`` largest contributions make up more than the
    share ``p`` of a non-negative total (e.g. one person's visits are most of a workshop's).

    Examples
    --------
    >>> dominated(np.array([40, 3, 2, 1])), dominated(np.array([10, 9, 8, 7]))
    (True, False)
    """
    v = np.sort(np.asarray(values, dtype=float)[np.isfinite(values)])[::-1]
    total = v.sum()
    return bool(total > 0 and v[:n].sum() > p * total)
