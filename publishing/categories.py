"""Which categories of the covariates are published (global recoding before suppression).

Covariate categories are broken down in several linked tables (Table 1 for all respondents
and for the recurring participants at every wave, the attrition table, the equity
subgroups). A category with 1 … k − 1 persons in any of them would have to be suppressed in
each, with further suppressions to protect it through every total it belongs to. As in
official statistics, such categories are first *recoded*, the same way in every table and
wave: they are collected in :data:`OTHER_LEVEL`. Answers outside the declared categories
(free text, codes without a label) are always collected there and never named. The
declared categories that were collected are named in the table notes (that a category has
few persons somewhere is what a ``<k`` would show too). If the collected category is still
small somewhere, the release-wide suppression (:mod:`publishing.sdc`) withholds it.

Pure code; no Dagster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from publishing.populations import Persons

#: the published level that collects small and undeclared categories
OTHER_LEVEL = "Övriga/Other"


def declared_levels(codebooks: Iterable[pd.DataFrame], category_labels: Mapping[str, Mapping[str, str]],
                    covariates: Sequence[str]) -> dict[str, set[str]]:
    """Declared categories per covariate: the value labels of every wave's codebook (not
    user-missing) plus the configuration's category labels (their keys).

    Examples
    --------
    >>> cb = pd.DataFrame({"canonical": ["gender", "gender", "gender"], "value_label": ["Kvinna", "Man", "Ej svar"],
    ...                    "user_missing": [False, False, True]})
    >>> sorted(declared_levels([cb], {"en": {"Annat": "Other"}}, ["gender"])["gender"])
    ['Annat', 'Kvinna', 'Man']
    """
    keys = {str(k) for lang in category_labels.values() for k in lang}
    out: dict[str, set[str]] = {c: set() for c in covariates}
    for cb in codebooks:
        if cb is None or not len(cb) or "canonical" not in cb:
            continue
        ok = ~cb["user_missing"].fillna(False).astype(bool) & cb["value_label"].fillna("").astype(str).ne("")
        for c, lab in zip(cb.loc[ok, "canonical"], cb.loc[ok, "value_label"]):
            if c in out:
                out[c].add(str(lab))
    for c in out:
        out[c] |= keys
    return out


def breakdown_groups(persons: Persons, waves: Sequence[str], comparisons: Sequence[tuple[str, str]]
                     ) -> list[tuple[str, np.ndarray]]:
    """The person groups in which covariates are broken down in the published tables,
    with the wave whose answer counts: every wave (all respondents, recurring
    participants), every comparison's baseline (completers, drop-outs, the analysed
    recurring participants of the subgroup analysis)."""
    groups = []
    for w in waves:
        groups.append((w, persons.present(w)))
        groups.append((w, persons.present(w) & persons.recurring()))
    for pre, post in comparisons:
        base = persons.present(pre)
        groups += [(pre, base & persons.present(post)), (pre, base & ~persons.present(post)),
                   (pre, persons.analysed(pre, post))]
    return groups


def recode_plan(persons: Persons, covariates: Sequence[str], declared: Mapping[str, set[str]],
                groups: Sequence[tuple[str, np.ndarray]], k: int) -> pd.DataFrame:
    """The published level of every observed value of every covariate.

    Parameters
    ----------
    persons : Persons
    covariates : sequence of str
    declared : mapping of str -> set of str
        :func:`declared_levels`.
    groups : sequence of (wave, mask)
        :func:`breakdown_groups`.
    k : int
        ``publishing.k_min_cell``.

    Returns
    -------
    DataFrame
        ``variable, level, published_level, reason`` with ``reason`` one of
        ``declared`` (published as it is), ``small`` (a declared category with 1 … k − 1
        persons in some group: collected) and ``undeclared`` (collected, never named).
        Internal: ``level`` holds the raw answers (free text included); never published.

    Examples
    --------
    >>> panel = pd.DataFrame({"participant_id": list("abcdefgh"), "wave": "T0",
    ...                       "gender": ["K"] * 5 + ["M"] * 2 + ["my aunt"]})
    >>> cohort = pd.DataFrame(columns=["participant_id", "pre", "post", "recurring_both_waves",
    ...                                "recurring_attendance"])
    >>> p = Persons(panel, cohort, "attendance")
    >>> plan = recode_plan(p, ["gender"], {"gender": {"K", "M"}}, [("T0", p.present("T0"))], 5)
    >>> plan[["level", "published_level", "reason"]].to_dict("list")
    {'level': ['K', 'M', 'my aunt'], 'published_level': ['K', 'Övriga/Other', 'Övriga/Other'], 'reason': ['declared', 'small', 'undeclared']}
    """
    rows = []
    for var in covariates:
        values: set[str] = set()
        for w in {w for w, _ in groups}:
            v = persons.values(var, w)
            values |= set(v.dropna().astype(object).map(str))
        dec = declared.get(var, set())
        for level in sorted(values):
            if level not in dec:
                rows.append((var, level, OTHER_LEVEL, "undeclared"))
                continue
            small = False
            for w, mask in groups:
                n = int((mask & persons.equals(var, w, level)).sum())
                if 1 <= n <= k - 1:
                    small = True
                    break
            rows.append((var, level, OTHER_LEVEL if small else level, "small" if small else "declared"))
    return pd.DataFrame(rows, columns=["variable", "level", "published_level", "reason"])


def apply_plan(panel: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """The panel with every covariate value replaced by its published level.

    Examples
    --------
    >>> panel = pd.DataFrame({"participant_id": ["a", "b"], "wave": "T0", "gender": ["K", "my aunt"]})
    >>> plan = pd.DataFrame({"variable": "gender", "level": ["K", "my aunt"],
    ...                      "published_level": ["K", OTHER_LEVEL], "reason": ["declared", "undeclared"]})
    >>> apply_plan(panel, plan)["gender"].tolist()
    ['K', 'Övriga/Other']
    """
    out = panel.copy()
    for var, g in plan.groupby("variable", sort=False):
        if var not in out.columns:
            continue
        mapping = dict(zip(g["level"].astype(str), g["published_level"].astype(str)))
        col = out[var]
        text = col.astype(object).where(col.isna(), col.astype(object).map(str))
        out[var] = pd.Series(text.map(lambda x, mapping=mapping: mapping.get(x, x) if isinstance(x, str) else x),
                             index=out.index, dtype=object)
    return out
