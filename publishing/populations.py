"""Who is counted by each published number: person-level sets for disclosure control.

:class:`Persons` indexes every person of the study once (sorted pseudonyms; the index
never leaves the pipeline) and answers set questions as boolean masks over them: who
answered wave T0, who is a recurring participant of T0 → T1, who has a valid WHO-5 score
at T1, whose gender at T0 is "Kvinna". The disclosure models of the published tables
(:mod:`publishing.registry`) build every published count from these masks and
check that the mask counts exactly what the table prints, so the model cannot drift away
from the analysis unnoticed.

Pure code (pandas/NumPy); no Dagster.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from analysis import reach

ID, WAVE = "participant_id", "wave"


def flag_column(definition: str) -> str:
    """The cohort column of a recurring-participant definition.

    Examples
    --------
    >>> flag_column("attendance"), flag_column("present_at_both"), flag_column("recurring_both_waves")
    ('recurring_attendance', 'recurring_both_waves', 'recurring_both_waves')
    """
    if definition in ("attendance", "recurring_attendance"):
        return "recurring_attendance"
    return "recurring_both_waves"


class Persons:
    """Person-level masks over the panel and the recurring cohort.

    Parameters
    ----------
    panel : DataFrame
        The long panel (``participant_id``, ``wave``, covariates, scores).
    cohort : DataFrame
        The ``recurring_cohort`` asset (one row per comparison and participant).
    definition : str
        The study's primary recurring definition (``attendance`` or ``present_at_both``).
    register : DataFrame, optional
        The attendance register (``participant_id``, ``workshop``, ``date`` or ``visit_date``)
        for the programme-reach counts; its persons who never answered a survey are persons
        of the study too (every mask is false for them except :meth:`reached`).
    reach_period : str
        The reach table's period (:func:`analysis.reach.period_of`).

    Examples
    --------
    >>> panel = pd.DataFrame({"participant_id": ["b", "a", "a", "c"], "wave": ["T0", "T0", "T1", "T1"],
    ...                       "who5": [40.0, None, 60.0, 52.0]})
    >>> cohort = pd.DataFrame({"participant_id": ["a", "b", "c"], "pre": "T0", "post": "T1",
    ...                        "recurring_both_waves": [True, False, False],
    ...                        "recurring_attendance": [True, False, False]})
    >>> p = Persons(panel, cohort, "attendance")
    >>> p.ids.tolist(), p.present("T0").tolist(), p.valid("who5", "T0").tolist()
    (['a', 'b', 'c'], [True, True, False], [False, True, False])
    >>> p.analysed("T0", "T1").tolist(), p.recurring().tolist()
    ([True, False, False], [True, False, False])
    """

    def __init__(self, panel: pd.DataFrame, cohort: pd.DataFrame, definition: str,
                 register: pd.DataFrame | None = None, reach_period: str = "half_year"):
        self._visits = reach.visit_table(register, reach_period) if register is not None and len(register) else None
        registered = set() if self._visits is None else set(self._visits[ID])
        ids = pd.Index(sorted(set(panel[ID].dropna().astype(str)) | registered), name=ID)
        self.ids = ids
        self.n = len(ids)
        self.definition = flag_column(definition)
        p = panel.assign(**{ID: panel[ID].astype(str), WAVE: panel[WAVE].astype(str)})
        self._by_wave = {w: g.drop_duplicates(ID).set_index(ID).reindex(ids) for w, g in p.groupby(WAVE, sort=False)}
        self._present = {w: ids.isin(g[ID]) for w, g in p.groupby(WAVE, sort=False)}
        self._flags: dict[tuple, np.ndarray] = {}
        self.cohort = cohort.assign(**{ID: cohort[ID].astype(str), "pre": cohort["pre"].astype(str),
                                       "post": cohort["post"].astype(str)})

    # -- basic sets --------------------------------------------------------------------------

    def none(self) -> np.ndarray:
        return np.zeros(self.n, dtype=bool)

    def everyone(self) -> np.ndarray:
        return np.ones(self.n, dtype=bool)

    def of(self, ids) -> np.ndarray:
        """Mask of the given pseudonyms."""
        return self.ids.isin(pd.Index(pd.Series(list(ids), dtype=object).astype(str)))

    def present(self, wave) -> np.ndarray:
        """Answered wave ``wave`` (has a row in the panel)."""
        return np.asarray(self._present.get(str(wave), self.none()), dtype=bool).copy()

    def values(self, column: str, wave) -> pd.Series:
        """``column`` at ``wave`` aligned to the persons (missing where absent)."""
        frame = self._by_wave.get(str(wave))
        if frame is None or column not in frame.columns:
            return pd.Series(np.nan, index=self.ids)
        return frame[column]

    def has_column(self, column: str) -> bool:
        """The panel has ``column`` (answered or not)."""
        return any(column in frame.columns for frame in self._by_wave.values())

    def valid(self, column: str, wave) -> np.ndarray:
        """Has a non-missing ``column`` at ``wave``."""
        return self.values(column, wave).notna().to_numpy(dtype=bool)

    def equals(self, column: str, wave, level) -> np.ndarray:
        """``column`` at ``wave`` equals ``level`` (as text)."""
        v = self.values(column, wave)
        return (v.notna() & (v.astype(object).astype(str) == str(level))).to_numpy(dtype=bool)

    def numeric(self, column: str, wave) -> np.ndarray:
        return pd.to_numeric(self.values(column, wave), errors="coerce").to_numpy(dtype=float)

    # -- cohort sets -------------------------------------------------------------------------

    def _cohort_flag(self, pre, post, column: str) -> np.ndarray:
        key = (str(pre), str(post), column)
        if key not in self._flags:
            c = self.cohort[(self.cohort["pre"] == str(pre)) & (self.cohort["post"] == str(post))]
            self._flags[key] = self.of(c.loc[c[column].fillna(False).astype(bool), ID])
        return self._flags[key].copy()

    def analysed(self, pre, post, definition: str | None = None) -> np.ndarray:
        """Recurring participants of the comparison ``pre → post`` (primary definition
        unless ``definition`` is given)."""
        return self._cohort_flag(pre, post, flag_column(definition) if definition else self.definition)

    def attending(self, pre, post, min_visits_per_week: float) -> np.ndarray:
        """Attended more than ``min_visits_per_week`` visits per week on average between the
        waves of ``pre → post`` (the attendance register; anyone answering either wave)."""
        c = self.cohort[(self.cohort["pre"] == str(pre)) & (self.cohort["post"] == str(post))]
        if "visits_per_week" not in c.columns:
            return self.none()
        return self.of(c.loc[pd.to_numeric(c["visits_per_week"], errors="coerce") > min_visits_per_week, ID])

    @cached_property
    def _recurring(self) -> np.ndarray:
        flag = self.cohort[self.definition].fillna(False).astype(bool)
        return self.of(self.cohort.loc[flag, ID])

    def recurring(self) -> np.ndarray:
        """Recurring (primary definition) in any comparison."""
        return self._recurring.copy()

    # -- the attendance register -------------------------------------------------------------

    def _visits_in(self, period: str, workshop: str) -> pd.DataFrame:
        v = self._visits
        if v is None:
            return pd.DataFrame({ID: pd.Series(dtype=object)})
        keep = np.ones(len(v), dtype=bool)
        if period != reach.ALL:
            keep &= (v["period"] == str(period)).to_numpy()
        if workshop != reach.ALL:
            keep &= (v["workshop"] == str(workshop)).to_numpy()
        return v[keep]

    def reached(self, period: str = reach.ALL, workshop: str = reach.ALL) -> np.ndarray:
        """Has a visit in ``period`` to ``workshop`` (:data:`analysis.reach.ALL` for any)."""
        return self.of(self._visits_in(period, workshop)[ID].unique())

    def attended_between(self, start, end) -> np.ndarray:
        """Has a visit from ``start`` to ``end`` (both inclusive; the flow's reach stage)."""
        v = self._visits
        if v is None:
            return self.none()
        inside = (v["date"] >= pd.Timestamp(start)) & (v["date"] <= pd.Timestamp(end))
        return self.of(v.loc[inside, ID].unique())

    def visit_counts(self, period: str = reach.ALL, workshop: str = reach.ALL) -> np.ndarray:
        """Each person's number of visits in ``period`` to ``workshop`` (0 for none)."""
        counts = self._visits_in(period, workshop)[ID].value_counts()
        return counts.reindex(self.ids, fill_value=0).to_numpy(dtype=float)

    def pairs(self, column: str, pre, post, within: np.ndarray) -> np.ndarray:
        """``within`` with a valid ``column`` at both waves (the complete pairs)."""
        return within & self.valid(column, pre) & self.valid(column, post)
