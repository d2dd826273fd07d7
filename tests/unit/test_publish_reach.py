"""Programme reach (issue 17): the attendance register's people, visits and sessions per
workshop and half-year, and the attacker's view of what is published of it.

The published reach table prints counts of persons (``n``) whose groups overlap (a person
may attend several workshops and half-years) and sums of visits that add up over
workshops and half-years. The tests generate many small registers, protect the table as
the release does and try to recover a small group or a withheld cell's visits.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis import reach
from publishing import disclosure, registry
from publishing.populations import Persons
from publishing.tables import Labels, display_reach

COHORT = pd.DataFrame(columns=["participant_id", "pre", "post", "recurring_both_waves", "recurring_attendance"])


def _register(rng: np.random.Generator) -> pd.DataFrame:
    """A small register: 2-30 persons, 1-3 workshops, visits in 1-3 half-years, a few heavy attenders."""
    n_people = int(rng.integers(2, 31))
    workshops = ["Föräldragrupp", "Kvinnors hälsa", "Munhälsa och kost"][: int(rng.integers(1, 4))]
    halves = [("2024-02-05", 120), ("2024-08-05", 120), ("2025-02-03", 120)][: int(rng.integers(1, 4))]
    rows = []
    for i in range(n_people):
        pid = f"JH-{i:04d}"
        for w in rng.choice(workshops, size=int(rng.integers(1, len(workshops) + 1)), replace=False):
            heavy = rng.random() < 0.15
            for start, days in halves:
                if rng.random() < 0.35:
                    continue
                n_visits = int(rng.integers(20, 60)) if heavy else int(rng.geometric(0.35))
                offsets = rng.integers(0, days, size=n_visits)
                rows += [(pid, w, (pd.Timestamp(start) + pd.Timedelta(days=int(d))).date().isoformat())
                         for d in offsets]
    if not rows:
        rows = [("JH-0000", workshops[0], halves[0][0])]
    return pd.DataFrame(rows, columns=["participant_id", "workshop", "visit_date"])


def _release(register: pd.DataFrame, k: int, finish: bool = True) -> tuple[pd.DataFrame, Persons]:
    """The reach table as the release publishes it (only this table, so nothing else hides it)."""
    answered = register["participant_id"].drop_duplicates().iloc[::2]    # some answered a survey, some never
    panel = pd.DataFrame({"participant_id": answered, "wave": "T0"})
    persons = Persons(panel, COHORT, "attendance", register)
    ctx = registry.Context(persons=persons, k=k, waves=["T0"], comparisons=[], definition="attendance")
    spec = registry.table_spec("programme_reach")
    if not finish:
        spec = registry.TableSpec(spec.name, spec.sources, spec.build, spec.model, spec.weight)
    rel = registry.protect_release({"programme_reach": reach.programme_reach(register)}, ctx, [spec])
    return rel.tables["programme_reach"], persons


def _truth(register: pd.DataFrame) -> pd.DataFrame:
    """Sets and visits per (period, workshop) computed here from the register, not by the library."""
    v = register.drop_duplicates().assign(date=lambda d: pd.to_datetime(d["visit_date"]))
    v["period"] = v["date"].dt.year.astype(str) + np.where(v["date"].dt.month <= 6, "-H1", "-H2")
    out = {}
    for p in [*sorted(v["period"].unique()), "all"]:
        for w in [*sorted(v["workshop"].unique()), "all"]:
            g = v[((v["period"] == p) | (p == "all")) & ((v["workshop"] == w) | (w == "all"))]
            out[(p, w)] = {"members": frozenset(g["participant_id"]), "visits": len(g),
                           "per_person": g["participant_id"].value_counts().to_numpy(),
                           "sessions": len(g[["workshop", "date"]].drop_duplicates())}
    return out


def _inside(inner: tuple[str, str], outer: tuple[str, str]) -> bool:
    """``inner`` ⊆ ``outer`` by the table's definitions (what an outsider knows)."""
    return inner != outer and all(o == "all" or o == i for i, o in zip(inner, outer))


def test_reach_counts_by_hand():
    reg = pd.DataFrame({"participant_id": ["a", "a", "a", "b", "c"],
                        "workshop": ["W", "W", "V", "W", "V"],
                        "visit_date": ["2024-03-01", "2024-03-01", "2024-03-01", "2024-09-02", "2024-09-02"]})
    t = reach.programme_reach(reg).set_index(["period", "workshop"])
    # the repeated register row is one visit; a person in two workshops is one person of "all"
    assert t.loc[("2024-H1", "W"), ["n", "visits", "sessions"]].tolist() == [1, 1, 1]
    assert t.loc[("2024-H1", "all"), ["n", "visits", "sessions"]].tolist() == [1, 2, 2]
    assert t.loc[("all", "all"), ["n", "visits", "sessions"]].tolist() == [3, 4, 4]
    assert t.loc[("2024-H2", "W"), ["n", "visits", "sessions"]].tolist() == [1, 1, 1]
    assert reach.programme_reach(reg.iloc[:0]).columns.tolist() == list(reach.REACH_COLUMNS)


@pytest.mark.parametrize("seed", range(40))
def test_reach_agrees_with_an_independent_count(seed):
    reg = _register(np.random.default_rng(seed))
    t = reach.programme_reach(reg)
    truth = _truth(reg)
    assert len(t) == len(truth)
    for r in t.to_dict("records"):
        want = truth[(r["period"], r["workshop"])]
        assert (r["n"], r["visits"], r["sessions"]) == (len(want["members"]), want["visits"], want["sessions"])


def _recoverable_visits(t: pd.DataFrame) -> list[tuple[str, str]]:
    """Withheld cells whose visits follow from the published visits (totals are sums of
    cells): exact linear algebra over the withheld cells."""
    cells = t[(t["period"] != "all") & (t["workshop"] != "all")]
    unknown = [(p, w) for p, w, v in zip(cells["period"], cells["workshop"], cells["visits"]) if pd.isna(v)]
    if not unknown:
        return []
    rows = []
    for r in t[t["visits"].notna()].to_dict("records"):
        rows.append([float((r["period"] in ("all", p)) and (r["workshop"] in ("all", w))) for p, w in unknown])
    a = np.array(rows) if rows else np.zeros((0, len(unknown)))
    rank = np.linalg.matrix_rank(a) if len(a) else 0
    found = []
    for j, cell in enumerate(unknown):
        e = np.zeros((1, len(unknown)))
        e[0, j] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            found.append(cell)
    return found


def _attack(t: pd.DataFrame, truth: dict, k: int) -> list[str]:
    """Everything the attacker gets from one published reach table (empty: nothing)."""
    found = []
    pub = {(r["period"], r["workshop"]): r for r in t.to_dict("records")}
    # 1. small counts printed
    found += [f"n of {key} is {r['n']:g}" for key, r in pub.items() if pd.notna(r["n"]) and 0 < r["n"] < k]
    # 2. differences of nested published counts (e.g. the people who came only in one half-year)
    for inner, outer in itertools.permutations(pub, 2):
        if _inside(inner, outer) and pd.notna(pub[inner]["n"]) and pd.notna(pub[outer]["n"]):
            d = pub[outer]["n"] - pub[inner]["n"]
            if 0 < d < k:
                found.append(f"{outer} without {inner}: {d:g}")
    # 3. a withheld cell's visits from the totals
    found += [f"visits of withheld {cell}" for cell in _recoverable_visits(t)
              if len(truth[cell]["members"]) > 0]
    # 4. published visits: one person's share, and the values themselves
    for key, r in pub.items():
        if pd.notna(r["visits"]):
            if r["visits"] != truth[key]["visits"]:
                found.append(f"visits of {key} misstated")
            if pd.isna(r["n"]):
                found.append(f"visits of {key} without its n")
            per = truth[key]["per_person"]
            if len(per) and per.max() > 0.5 * per.sum():
                found.append(f"visits of {key} dominated by one person")
        if pd.notna(r["visits_per_person"]) and (pd.isna(r["visits"]) or pd.isna(r["n"])):
            found.append(f"visits per person of {key} without its visits and n")
    return found


@pytest.mark.parametrize("k", [3, 5])
def test_reach_release_withstands_the_attacker(k):
    """150 small registers per k: no small group, no withheld cell's visits, no dominated
    visits can be read or derived; what is published is true; the release audits pass."""
    suppressed_somewhere = visits_withheld = 0
    for seed in range(150):
        reg = _register(np.random.default_rng(1000 * k + seed))
        t, persons = _release(reg, k)
        truth = _truth(reg)
        assert _attack(t, truth, k) == [], f"seed {seed}"
        assert disclosure.audit_table(t, k) == []
        for r in t.to_dict("records"):
            if pd.notna(r["n"]):
                assert r["n"] == len(truth[(r["period"], r["workshop"])]["members"])
        suppressed_somewhere += bool(t["suppressed"].any())
        visits_withheld += bool((t["visits"].isna() & t["n"].notna()).any())
    # the sweep reaches the cases it is about
    assert suppressed_somewhere > 20 and visits_withheld > 10


def test_the_attacker_finds_visits_when_totals_are_not_protected():
    """Self-test: without the visits rule (finish) the same attack recovers withheld cells' visits."""
    hits = 0
    for seed in range(60):
        reg = _register(np.random.default_rng(5000 + seed))
        t, _ = _release(reg, 5, finish=False)
        t = t.assign(visits_per_person=np.nan)
        hits += any(s.startswith("visits of withheld") for s in _attack(t, _truth(reg), 5))
    assert hits > 0


def test_register_only_persons_are_persons_of_the_release():
    reg = pd.DataFrame({"participant_id": ["a", "z"], "workshop": ["W", "W"], "visit_date": ["2024-03-01"] * 2})
    p = Persons(pd.DataFrame({"participant_id": ["a"], "wave": ["T0"]}), COHORT, "attendance", reg)
    assert p.ids.tolist() == ["a", "z"]
    assert p.present("T0").tolist() == [True, False]
    assert p.reached("2024-H1", "W").tolist() == [True, True]
    assert p.visit_counts().tolist() == [1.0, 1.0]


def test_reach_display_in_both_languages():
    reg = _register(np.random.default_rng(3))
    t, _ = _release(reg, 3)
    for lang, all_text in (("sv", "Alla aktiviteter"), ("en", "All workshops")):
        d = display_reach(t, Labels(lang, {}, {}, k=3))
        assert all_text in d.data.iloc[:, 1].tolist()
        assert len(d.data) == len(t)
        # every withheld number is shown as a mark, never as a blank or "nan"
        assert not d.data.isin(["", "nan"]).iloc[:, 2:].any().any()
