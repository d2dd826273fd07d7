"""Release-wide statistical disclosure control: one decision over every published number.

Every count of persons the release publishes (a table cell, a total, the ``n`` of a mean,
the discordant pairs an exact McNemar test implies) is a :class:`Quantity`: the exact set
of persons it counts (a boolean mask over the study's persons), the *domain* it belongs to
and the places where it is printed (:class:`Placement`). The same set published in several
tables is one quantity, so it is shown or withheld everywhere at once.

:func:`protect` then decides, for the whole release at once:

1. **Threshold rule (primary suppression).** A quantity of 1 … *k* − 1 persons is withheld
   (zeros are published).
2. **No small group can be derived (secondary suppression).** An attacker can combine
   published counts linearly (totals minus parts, differences between populations, between
   tables, between waves). Within a domain, the persons are split into *atoms* (persons
   with the same membership in every quantity); each published quantity is an equation
   over the atom counts. A group of persons is *derivable* when its indicator vector lies
   in the row space of the published equations (exact linear algebra, SVD). The groups
   checked are: every withheld quantity, every atom, every difference of two nested
   published quantities, every published quantity minus its published disjoint parts,
   and every union of two withheld quantities. While any of them has 1 … *k* − 1 persons
   and is derivable, the cheapest published quantity of the derivation is withheld too.
   For magnitudes this also protects values: within a domain every published mean comes
   with its ``n`` over the same set, so a derivable group's count is also a derivable
   group's sum (and, for one person, that person's value).
3. **Dominance ((n, k) rule)** for sums of non-negative magnitudes (e.g. visits): a cell
   where the largest *n* contributors hold more than *p* % of the total is withheld
   (:func:`dominated`).

**Item non-response is not a protected group.** A count of valid answers (the ``n`` of a
mean, the denominator of a share) is declared with its ``base``: the population it is
conditioned on (e.g. all respondents at T0). The persons of the base who did not answer,
``base − valid``, follow from the two counts as in every survey report, and this one kind
of group is exempt. Any other group is protected, including population, category and value
differences *within* the respondents to an item (the non-recurring respondents who
answered WHO-5 at T0, and their mean, are a protected group).

Quantities of different *domains* are never combined (used for universes that nothing else
in the release describes). A quantity without a mask (``members=None``) is *opaque*: only
the threshold rule applies (e.g. the complete responses behind a reliability coefficient,
which no other published number describes).

Pure code (NumPy only); no Dagster, no pandas.

References
----------
Hundepool A, Domingo-Ferrer J, Franconi L, et al. *Statistical Disclosure Control*. Wiley,
2012. doi:10.1002/9781118348239 (ch. 4-5: threshold and dominance rules, secondary
suppression, linked tables and the audit of derivable cells).
Griffiths E, Greci C, Kotrotsios Y, et al. *Handbook on Statistical Disclosure Control for
Outputs*. Safe Data Access Professionals Working Group, 2019 (differencing, class
disclosure, statistics that reduce to counts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

#: statuses of a quantity after :func:`protect`
PUBLISHED, PRIMARY, SECONDARY, HIDDEN, COVERED = "", "primary", "secondary", "hidden", "covered"
#: relative tolerance of the row-space test
_TOL = 1e-8


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


@dataclass
class Quantity:
    """One count of persons that the release publishes (or keeps hidden).

    Attributes
    ----------
    domain : hashable
        Universe of the count; quantities of different domains are audited separately.
    members : ndarray of bool or None
        Who is counted (a mask over the study's persons), or ``None`` for an opaque count.
    size : int
        Number of persons; equals ``members.sum()``.
    placements : list of Placement
        Where it is printed (empty for a hidden quantity).
    weight : float
        Importance for the choice of secondary suppressions (cost = weight × size ×
        number of placements).
    hidden : bool
        Never published (only a group to protect).
    bases : list of ndarray
        Populations this count is the valid answers of (item non-response ``base −
        members`` is not protected, see the module docstring).
    label : str
        Description for audit messages (never a value).
    status : str
        ``""`` (published), ``"primary"``, ``"secondary"`` or ``"hidden"`` after
        :func:`protect`.
    reason : str
        Why it was withheld, for metadata and docs.
    """

    domain: Hashable
    members: np.ndarray | None
    size: int
    placements: list[Placement] = field(default_factory=list)
    weight: float = 1.0
    hidden: bool = False
    bases: list[np.ndarray] = field(default_factory=list)
    label: str = ""
    status: str = PUBLISHED
    reason: str = ""

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED and not self.hidden

    @property
    def cost(self) -> float:
        return self.weight * max(self.size, 1) * max(len(self.placements), 1)


class Quantities:
    """Builder that merges quantities with the same domain and member set.

    Examples
    --------
    >>> qs = Quantities(n_persons=4)
    >>> a = qs.add(np.array([1, 1, 0, 0], bool), Placement("t", 0, ("n",)))
    >>> b = qs.add(np.array([1, 1, 0, 0], bool), Placement("u", 3, ("n",)))
    >>> a is b, len(qs), len(a.placements)
    (True, 1, 2)
    """

    def __init__(self, n_persons: int):
        self.n_persons = n_persons
        self._by_key: dict[tuple, Quantity] = {}
        self.items: list[Quantity] = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, members: np.ndarray | None, placement: Placement | None = None, *, domain: Hashable = "release",
            size: int | None = None, weight: float = 1.0, hidden: bool = False, base: np.ndarray | None = None,
            label: str = "", expect: float | None = None) -> Quantity:
        """Add (or find) the quantity counting ``members`` in ``domain`` and place it.

        ``base`` declares ``members`` as the valid answers of that population. ``expect``
        is the count the table prints; a mismatch means the disclosure model of that table
        no longer describes what the analysis computed, and raises :class:`ModelError`
        (nothing is published on a model that is out of date).
        """
        if members is not None:
            members = self._mask(members, label)
            n = int(members.sum())
            key = (domain, np.packbits(members).tobytes())
        else:
            if size is None:
                raise ModelError(f"{label or domain}: an opaque quantity needs its size")
            n = int(size)
            key = (domain, "opaque", label, n, len(self.items))
        if expect is not None and not _isnan(expect) and int(round(float(expect))) != n:
            raise ModelError(f"disclosure model out of date: {label or domain} counts {n} persons but the table "
                             f"prints {int(round(float(expect)))}")
        q = self._by_key.get(key)
        if q is None:
            q = Quantity(domain=domain, members=members, size=n, weight=weight, hidden=hidden, label=label)
            self._by_key[key] = q
            self.items.append(q)
        else:
            q.weight = max(q.weight, weight)
            if not q.label:
                q.label = label
        if base is not None and members is not None:
            b = self._mask(base, label)
            if (members & ~b).any():
                raise ModelError(f"{label}: the valid answers are not a subset of their base population")
            if not any(np.array_equal(b, x) for x in q.bases):
                q.bases.append(b)
        if placement is not None:
            q.placements.append(placement)
        q.hidden = not q.placements and (hidden or q.hidden)
        return q

    def _mask(self, m, label) -> np.ndarray:
        m = np.asarray(m, dtype=bool)
        if m.shape != (self.n_persons,):
            raise ModelError(f"{label}: mask of {m.shape} persons, expected {self.n_persons}")
        return m


class ModelError(RuntimeError):
    """The disclosure model of a published table disagrees with the table (a code error)."""


def _isnan(x) -> bool:
    try:
        return bool(np.isnan(float(x)))
    except (TypeError, ValueError):
        return False


# -- linear algebra ----------------------------------------------------------------------------

def _atoms(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Atoms of a family of sets.

    Parameters
    ----------
    masks : ndarray of bool, shape (n_sets, n_persons)

    Returns
    -------
    incidence : ndarray of float, shape (n_sets, n_atoms)
        1 where the atom lies in the set.
    sizes : ndarray of int, shape (n_atoms,)
        Persons per atom (persons in no set are left out).

    Examples
    --------
    >>> m = np.array([[1, 1, 1, 0], [0, 1, 1, 0]], bool)
    >>> inc, sizes = _atoms(m)
    >>> inc.tolist(), sizes.tolist()
    ([[1.0, 1.0], [0.0, 1.0]], [1, 2])
    """
    covered = masks.any(axis=0)
    if not covered.any():
        return np.zeros((masks.shape[0], 0)), np.zeros(0, dtype=int)
    cols = np.packbits(masks[:, covered].T, axis=1)  # one byte string per person
    patterns, counts = np.unique(cols, axis=0, return_counts=True)
    inc = np.unpackbits(patterns, axis=1, count=masks.shape[0]).T.astype(float)
    return inc, counts.astype(int)


def _row_space(rows: np.ndarray) -> np.ndarray:
    """Orthonormal basis (columns) of the row space of ``rows`` (n_rows × n_atoms)."""
    if rows.size == 0:
        return np.zeros((rows.shape[1], 0))
    _, s, vt = np.linalg.svd(rows, full_matrices=False)
    tol = s.max() * max(rows.shape) * np.finfo(float).eps * 10 if len(s) else 0
    return vt[s > tol].T


def _svd(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Full SVD of ``rows`` and its numerical rank."""
    u, s, vt = np.linalg.svd(rows, full_matrices=True)
    tol = s.max() * max(rows.shape) * np.finfo(float).eps * 10 if len(s) else 0
    return u, s, vt, int((s > tol).sum())


def _spaces(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Orthonormal bases (columns) of the row space and of the null space of ``rows``."""
    n = rows.shape[1]
    if rows.size == 0:
        return np.zeros((n, 0)), np.eye(n)
    _, s, vt = np.linalg.svd(rows, full_matrices=True)
    tol = s.max() * max(rows.shape) * np.finfo(float).eps * 10 if len(s) else 0
    r = int((s > tol).sum())
    return vt[:r].T, vt[r:].T


def small_derivable_groups(null: np.ndarray, sizes: np.ndarray, k: int, max_atoms: int = 4,
                           accept: Callable[[tuple], bool] | None = None) -> list[tuple]:
    """Every group of at most ``max_atoms`` atoms with 1 … k − 1 persons whose count is a
    linear combination of the published counts.

    A 0/1 vector ``v`` over the atoms is derivable exactly when it is orthogonal to the null
    space of the published equations, i.e. when the null-space rows of its atoms sum to
    zero. The rows are projected on two random directions and zero sums of one to
    ``max_atoms`` of them are found by sorting (pairs and quadruples meet in the middle);
    each candidate is confirmed by the exact row-space test of the caller.

    Parameters
    ----------
    null : ndarray, shape (n_atoms, d)
        Orthonormal basis of the null space (rows = atoms).
    sizes : ndarray of int
        Persons per atom.
    k : int
    max_atoms : int
    accept : callable, optional
        ``accept(group) -> bool`` (atom indices): whether a candidate counts (e.g. it is
        not an exempt group). The search stops at the smallest group size with an accepted
        candidate.

    Returns
    -------
    list of tuple of int
        Candidate groups (atom indices), smallest first.

    Examples
    --------
    Three atoms; published: all three together and the last two together, so the first
    atom alone is derivable.

    >>> _, null = _spaces(np.array([[1., 1., 1.], [0., 1., 1.]]))
    >>> small_derivable_groups(null, np.array([1, 3, 3]), 5)
    [(0,)]
    """
    n = len(sizes)
    if n == 0 or max_atoms < 1:
        return []
    if null.shape[1] == 0:  # everything is derivable
        return [(a,) for a in np.flatnonzero((sizes >= 1) & (sizes <= k - 1))]
    cand = np.flatnonzero((sizes >= 1) & (sizes <= k - 1))
    if not len(cand):
        return []
    rng = np.random.default_rng(20231015)
    proj = null[cand] @ rng.standard_normal((null.shape[1], 2))
    scale = max(float(np.abs(proj).max()), 1e-300)
    tol = 1e-9 * scale
    s1, s2 = proj[:, 0], proj[:, 1]
    sz = sizes[cand]
    found: set[tuple] = set()

    def ok(idx: tuple) -> bool:
        return (abs(s1[list(idx)].sum()) <= tol and abs(s2[list(idx)].sum()) <= tol
                and 1 <= sz[list(idx)].sum() <= k - 1
                and (accept is None or accept(tuple(int(cand[a]) for a in idx))))

    # smallest groups first; a level with a hit is returned at once (a larger group that
    # contains a derivable smaller one is found again after the smaller one is protected)
    for a in range(len(cand) if max_atoms >= 1 else 0):
        if ok((a,)):
            found.add((a,))
    live = np.flatnonzero(np.abs(s1) > tol)                  # atoms not derivable alone
    if not found and max_atoms >= 2 and len(live) >= 2:
        ii, jj = np.triu_indices(len(live), 1)
        i, j = live[ii], live[jj]
        keep = sz[i] + sz[j] <= k - 1
        i, j = i[keep], j[keep]
        pair_sum = s1[i] + s1[j]
        for x in np.flatnonzero(np.abs(pair_sum) <= tol):
            if ok((i[x], j[x])):
                found.add((int(i[x]), int(j[x])))
        if not found and max_atoms >= 3 and len(i):
            order = np.argsort(pair_sum, kind="stable")
            ps, pi, pj = pair_sum[order], i[order], j[order]
            for a in live:                                    # triples: a + (pair) = 0
                lo, hi = np.searchsorted(ps, [-s1[a] - tol, -s1[a] + tol])
                for x in range(lo, min(hi, lo + 1000)):
                    g = tuple(sorted({int(a), int(pi[x]), int(pj[x])}))
                    if len(g) == 3 and ok(g):
                        found.add(g)
            if not found and max_atoms >= 4:                  # quadruples: pair + pair = 0
                lo = np.searchsorted(ps, -ps - tol)
                hi = np.searchsorted(ps, -ps + tol)
                for x in np.flatnonzero(hi > lo):
                    for y in range(lo[x], min(hi[x], lo[x] + 1000)):
                        g = tuple(sorted({int(pi[x]), int(pj[x]), int(pi[y]), int(pj[y])}))
                        if len(g) == 4 and ok(g):
                            found.add(g)
                    if len(found) > 100:
                        break
    groups = sorted(found, key=lambda g: (sz[list(g)].sum(), g))
    return [tuple(int(cand[a]) for a in g) for g in groups]


def derivable(targets: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Which target vectors (rows) lie in the span of ``basis`` (orthonormal columns).

    Examples
    --------
    >>> rows = np.array([[1., 1., 1.], [0., 1., 1.]])
    >>> derivable(np.array([[1., 0., 0.], [0., 1., 0.]]), _row_space(rows)).tolist()
    [True, False]
    """
    if targets.size == 0:
        return np.zeros(len(targets), dtype=bool)
    if basis.shape[1] == 0:
        return ~targets.any(axis=1)
    resid = targets - (targets @ basis) @ basis.T
    scale = np.maximum(np.linalg.norm(targets, axis=1), 1.0)
    return np.linalg.norm(resid, axis=1) <= _TOL * scale


@dataclass
class Violation:
    """A derivable group of 1 … k − 1 persons, the published quantities of one derivation
    (indices into the domain's list) and what kind of attack it is."""

    kind: str
    size: int
    support: list[int]
    target: np.ndarray
    origin: int | None = None


class _Domain:
    """The audit of one domain: atoms, published rows and the groups to protect."""

    #: at most this many candidate parts are tried per published total (attack 2)
    MAX_PARTS = 60
    #: groups of up to this many atoms are searched exhaustively (attack 3)
    MAX_ATOMS = 0

    def __init__(self, qs: list[Quantity], k: int):
        self.qs, self.k = qs, k
        bases = [b for q in qs for b in q.bases]
        masks = np.array([q.members for q in qs] + bases, dtype=bool)
        inc, self.sizes = _atoms(masks)
        self.inc = inc[:len(qs)]
        base_inc = inc[len(qs):]
        # item non-response groups are not protected: within a base population, the cells
        # of the partition by the valid-answer sets declared on that base
        bases_inc: dict[bytes, np.ndarray] = {}
        members: dict[bytes, list[np.ndarray]] = defaultdict(list)
        j = 0
        for i, q in enumerate(qs):
            for _ in q.bases:
                b = base_inc[j] > 0
                key = b.tobytes()
                bases_inc[key] = b
                members[key].append(self.inc[i] > 0)
                j += 1
        self._bases = []
        for key, b in bases_inc.items():
            sig = np.array(members[key], dtype=bool)[:, b]          # validity signature per atom of b
            _, cell = np.unique(sig.T, axis=0, return_inverse=True)
            self._bases.append((b, np.flatnonzero(b), np.asarray(cell).ravel()))

    def _published(self) -> np.ndarray:
        return np.array([q.published for q in self.qs], dtype=bool)

    def small(self, vec: np.ndarray) -> int | None:
        s = int(round(float(vec @ self.sizes)))
        return s if 1 <= s <= self.k - 1 else None

    def is_exempt(self, vec: np.ndarray) -> bool:
        """Item non-response only: within one base population, the group is made of whole
        cells of the partition by the valid-answer sets declared on that base (who answered
        which items), e.g. the respondents who answered one question but not another."""
        t = np.rint(vec).astype(bool)
        if not t.any():
            return False
        for b, atoms, cell in self._bases:
            if (t & ~b).any():
                continue
            inside = t[atoms]
            n_cells = cell.max() + 1
            full = np.bincount(cell, minlength=n_cells)
            hit = np.bincount(cell, weights=inside, minlength=n_cells)
            if np.all((hit == 0) | (hit == full)):
                return True
        return False

    def first_violation(self) -> Violation | None:
        """The first derivable, non-exempt group of 1 … k − 1 persons (cheap attacks first)."""
        found = self.violations(first_only=True)
        return found[0] if found else None

    def violations(self, first_only: bool = False) -> list[Violation]:
        """Every derivable, non-exempt group of 1 … k − 1 persons found by the attacks of
        the module docstring (or the first one), each with the quantities that break it."""
        out: list[Violation] = []
        pub = np.flatnonzero(self._published())
        if not len(pub):
            return out
        sizes = self.sizes
        sub = self.inc[pub]
        inter = np.rint((sub * sizes) @ sub.T).astype(np.int64)   # |A ∩ B| for published A, B
        own = np.diag(inter).copy()
        contained = inter == own[None, :]                          # column set ⊆ row set
        # (1) two nested published counts whose difference is small: A − B
        diff = own[:, None] - own[None, :]
        nested = contained & (diff >= 1) & (diff <= self.k - 1)
        for i, j in np.argwhere(nested):
            t = sub[i] - sub[j]
            if not self.is_exempt(t):
                out.append(Violation("difference of two published counts", int(diff[i, j]),
                                     [int(pub[i]), int(pub[j])], t))
                if first_only:
                    return out
        # (2) a published total minus its published disjoint parts (greedy, largest first;
        # two parts are disjoint when their intersection count is zero)
        order = np.argsort(-own, kind="stable")
        rank_of = np.empty_like(order)
        rank_of[order] = np.arange(len(order))
        for a in order:
            cand = np.flatnonzero(contained[a] & (own > 0) & (own < own[a]))
            if len(cand) < 2:
                continue
            cand = cand[np.argsort(rank_of[cand], kind="stable")][: self.MAX_PARTS]
            chosen: list[int] = []
            for b in cand:
                if not chosen or not inter[chosen, b].any():
                    chosen.append(int(b))
            if len(chosen) < 2:
                continue
            size = int(own[a] - own[chosen].sum())
            if not 1 <= size <= self.k - 1:
                continue
            rest = sub[a] - sub[chosen].sum(axis=0)
            if not self.is_exempt(rest):
                out.append(Violation("total minus its published parts", size,
                                     [int(pub[a])] + [int(pub[b]) for b in chosen], rest))
                if first_only:
                    return out
        # (3) by the row-space test: every group of up to MAX_ATOMS atoms (complete for
        # k <= MAX_ATOMS + 1), every withheld count and every union of two withheld counts
        u, sv, vt, rank = _svd(sub)
        basis, null = vt[:rank].T, vt[rank:].T
        self._round = (pub, u[:, :rank], sv[:rank], vt[:rank])
        targets, kinds = [], []

        def accept(group: tuple) -> bool:
            t = np.zeros(sub.shape[1])
            t[list(group)] = 1.0
            return not self.is_exempt(t) and bool(derivable(t[None, :], basis)[0])

        for group in small_derivable_groups(null, sizes, self.k, self.MAX_ATOMS, accept):
            t = np.zeros(sub.shape[1])
            t[list(group)] = 1.0
            targets.append(t)
            kinds.append("linear combination of published counts")
        withheld = [i for i, q in enumerate(self.qs) if not q.published and self.small(self.inc[i]) is not None]
        origins: list[int | None] = [None] * len(targets)
        for i in withheld:
            targets.append(self.inc[i])
            kinds.append(f"withheld count ({self.qs[i].label})")
            origins.append(i)
        for x in range(len(withheld)):
            for y in range(x + 1, len(withheld)):
                un = np.minimum(self.inc[withheld[x]] + self.inc[withheld[y]], 1)
                if self.small(un) is not None:
                    targets.append(un)
                    kinds.append("union of two withheld counts")
                    origins.append(withheld[x])
        keep = [i for i, t in enumerate(targets) if not self.is_exempt(t)]
        if keep:
            T = np.array([targets[i] for i in keep])
            for h in np.flatnonzero(derivable(T, basis)):
                t = T[h]
                out.append(Violation(kinds[keep[h]], int(round(float(t @ sizes))), [], t, origins[keep[h]]))
                if first_only:
                    out[-1].support = self.support(t)
                    return out
        return out

    def support(self, target: np.ndarray) -> list[int]:
        """The published quantities of one derivation of ``target`` (minimum-norm)."""
        pub, u, sv, vt = self._round
        lam = u @ ((vt @ target) / sv)          # minimum-norm solution of Rᵀ λ = target
        return [int(pub[i]) for i in np.flatnonzero(np.abs(lam) > 1e-9)]

    def breakers(self, target: np.ndarray) -> list[int]:
        """Published quantities whose withholding alone makes ``target`` non-derivable.

        With the thin SVD ``R = U S Vᵀ`` of the published rows, a row is *essential* (not
        in the span of the others) exactly when its leverage ``‖U_i‖²`` is 1; withholding
        it opens the null direction ``z_i = V S⁻¹ U_iᵀ``, orthogonal to every other row,
        and the target stops being derivable iff ``target · z_i ≠ 0``. One SVD answers
        the question for every row at once.
        """
        pub, u, sv, vt = self._round
        if getattr(self, "_z_round", None) is not self._round:
            lev = (u ** 2).sum(axis=1)
            self._essential = np.flatnonzero(lev > 1 - 1e-9)
            self._z = (u[self._essential] / sv) @ vt     # rows: z_i for each essential row
            self._z_round = self._round
        if not len(self._essential):
            return []
        hit = np.abs(self._z @ target) > 1e-9 * max(1.0, float(np.abs(target).sum()))
        return [int(pub[i]) for i in self._essential[hit]]

    def choose(self, v: Violation) -> int:
        """The quantity to withhold for one violation: the cheapest that breaks the
        derivation on its own (exact, :meth:`breakers`); if none does (the group is
        derivable in several independent ways), the cheapest of the derivation found,
        after which the next round finds the next derivation."""
        cost = self._cost
        if v.origin is not None:      # prefer a cell of the same table as the protected one
            near = {p.table for p in self.qs[v.origin].placements}
            cost = np.array([c if any(p.table in near for p in q.placements) else 10 * c
                             for c, q in zip(self._cost, self.qs)])
        if not v.kind.startswith(("difference", "total")):
            cands = self.breakers(v.target)
            if cands:
                return min(cands, key=lambda i: (cost[i], i))
            v.support = v.support or self.support(v.target)
        return min(v.support, key=lambda i: (cost[i], i))

    def fix_round(self) -> int:
        """One round: every violation found gets a withheld quantity, unless a quantity
        chosen earlier in the round already breaks it. Returns how many were withheld."""
        self._cost = np.array([q.cost for q in self.qs])
        found = self.violations()
        chosen: dict[int, str] = {}
        for v in found:
            if v.kind.startswith(("difference", "total")):
                if any(i in chosen for i in v.support):
                    continue
            elif any(i in chosen for i in self.breakers(v.target)):
                continue
            chosen.setdefault(self.choose(v), v.kind)
        for i, kind in chosen.items():
            self.qs[i].status = SECONDARY
            self.qs[i].reason = f"protects a group of fewer than {self.k} ({kind})"
        return len(chosen)


def _by_domain(quantities: Iterable[Quantity]) -> dict[Hashable, list[Quantity]]:
    out: dict[Hashable, list[Quantity]] = defaultdict(list)
    for q in quantities:
        if q.members is not None:
            out[q.domain].append(q)
    return out


def protect(quantities: Iterable[Quantity], k: int, max_rounds: int = 100_000) -> list[Quantity]:
    """Decide which quantities are published (status ``""``) and which withheld.

    Parameters
    ----------
    quantities : iterable of Quantity
    k : int
        Smallest publishable number of persons (``publishing.k_min_cell``).
    max_rounds : int
        Safety limit on secondary suppressions.

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
    >>> [q.status for q in protect(qs.items, 5)]
    ['primary', 'secondary', '', '']
    """
    qs = list(quantities)
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
    rounds = 0
    # small dense problems: one BLAS thread is faster (and much faster on a busy machine)
    with threadpool_limits(1):
        for domain_qs in _by_domain(qs).values():
            d = _Domain(domain_qs, k)
            while d.fix_round():
                _cover(qs)
                rounds += 1
                if rounds > max_rounds:
                    raise RuntimeError("secondary suppression did not converge")
    return qs


def _cover(qs: Sequence[Quantity]) -> None:
    """Mark published quantities that no longer appear anywhere (every cell where they are
    printed is blanked by a withheld quantity) as ``covered``: they are not published, so
    they are neither used in derivations nor protected by further suppressions."""
    blanked: set[tuple[str, int, str]] = set()
    for q in qs:
        if q.status in (PRIMARY, SECONDARY):
            blanked |= {(p.table, p.row, c) for p in q.placements for c in p.columns}
    for q in qs:
        if q.status == PUBLISHED and q.placements and all(
                (p.table, p.row, c) in blanked for p in q.placements for c in p.columns):
            q.status = COVERED


def audit(quantities: Sequence[Quantity], k: int) -> list[str]:
    """Problems of a finished decision: a published quantity of 1 … k − 1 persons, or a
    derivable group of 1 … k − 1 persons in any domain (messages without values).

    Examples
    --------
    >>> qs = Quantities(12)
    >>> people = np.arange(12)
    >>> _ = qs.add(people >= 0, Placement("flow", 0, ("n",)), label="assessed")
    >>> _ = qs.add(people >= 2, Placement("flow", 1, ("n",)), label="analysed")
    >>> audit(qs.items, 5)
    ['release: a group of fewer than 5 persons can be derived (difference of two published counts) from flow row 0, flow row 1']
    """
    problems = []
    for q in quantities:
        if q.published and 1 <= q.size <= k - 1:
            where = ", ".join(f"{p.table} row {p.row}" for p in q.placements[:3])
            problems.append(f"{q.label or q.domain}: a count of fewer than {k} persons is published ({where})")
    for domain, domain_qs in _by_domain(quantities).items():
        with threadpool_limits(1):
            v = _Domain(domain_qs, k).first_violation()
        if v is not None:
            where = ", ".join(f"{p.table} row {p.row}" for i in v.support[:4] for p in domain_qs[i].placements[:1])
            problems.append(f"{_domain_name(domain)}: a group of fewer than {k} persons can be derived ({v.kind}) "
                            f"from {where}")
    return problems


def _domain_name(domain: Hashable) -> str:
    return " ".join(str(x) for x in domain) if isinstance(domain, tuple) else str(domain)


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
