"""Linking waves, defining the recurring-participant cohort, and flow-diagram counts.

The programme evaluates *recurring participants* — people who take part regularly
(more than about once a week) in group activities. Two cohort definitions are
reported side by side (TREND statement, item 13: participant flow):

- ``recurring_both_waves``: answered the survey at both waves compared;
- ``recurring_attendance``: answered at both waves **and** attended at least
  ``min_visits_per_week`` activities per week between the two wave dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis import _panel
from analysis.tidy import as_tidy

__all__ = ["link_waves", "recurring_cohort", "flow_counts", "reached_between", "is_member", "COHORT_COLUMNS",
           "FLOW_COLUMNS"]

COHORT_COLUMNS = (
    "participant_id", "present_pre", "present_post", "visits", "weeks", "visits_per_week",
    "recurring_both_waves", "recurring_attendance",
)  # fmt: skip
FLOW_COLUMNS = ("stage", "definition", "wave", "outcome", "n", "reason")


def is_member(ids: pd.Series, members) -> np.ndarray:
    """Boolean mask: which ``ids`` (e.g. the panel's ``participant_id``) are in
    ``members`` (a set or sequence of IDs, e.g. a recurring cohort).

    Equals ``ids.isin(members).to_numpy()``, in linear time for pandas 3's pyarrow
    strings (whose ``isin`` converts each member in a Python loop); use it to filter
    the panel by a cohort.

    Examples
    --------
    >>> import pandas as pd
    >>> is_member(pd.Series(["a", "b", "c"]), {"a", "c"}).tolist()
    [True, False, True]
    """
    return _panel.isin(ids, members)


def _present(panel: pd.DataFrame, outcomes: Sequence[str] | None) -> pd.Series:
    if outcomes:
        return panel[list(outcomes)].notna().any(axis=1)
    return pd.Series(True, index=panel.index)


def link_waves(panel: pd.DataFrame, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Who was assessed at which wave: one row per participant x wave.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id`` and ``wave``.
    outcomes : sequence of str, optional
        If given, a participant counts as present at a wave only if at least one of
        these columns is non-missing there; otherwise any row counts.

    Returns
    -------
    pandas.DataFrame
        ``participant_id, wave, present, pattern``: every participant crossed with
        every wave (in wave order); ``present`` is bool; ``pattern`` joins the waves
        the participant was present at with "+" (e.g. ``"T0+T2"``).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": ["a", "a", "b"], "wave": ["T0", "T1", "T1"]})
    >>> link_waves(panel)
      participant_id wave  present pattern
    0              a   T0     True   T0+T1
    1              a   T1     True   T0+T1
    2              b   T0    False      T1
    3              b   T1     True      T1
    """
    _panel.check_panel(panel, list(outcomes or ()))
    waves = _panel.wave_levels(panel)
    ids = sorted(panel[_panel.ID].dropna().unique().tolist())
    seen = panel.loc[_present(panel, outcomes), [_panel.ID, _panel.WAVE]].dropna()
    # participants x waves presence matrix, filled by position (vectorised: no Python
    # loop over participants)
    row = pd.Index(ids).get_indexer(seen[_panel.ID].to_numpy(dtype=object))
    col = pd.Index(waves).get_indexer(seen[_panel.WAVE].to_numpy(dtype=object))
    present = np.zeros((len(ids), len(waves)), dtype=bool)
    ok = (row >= 0) & (col >= 0)
    present[row[ok], col[ok]] = True
    grid = pd.MultiIndex.from_product([ids, waves], names=[_panel.ID, _panel.WAVE]).to_frame(index=False)
    grid["present"] = present.ravel()
    # pattern: one string per distinct presence combination (at most 2^waves of them)
    combos, which = np.unique(present, axis=0, return_inverse=True) if len(ids) else (present, np.zeros(0, int))
    labels = np.array(["+".join(str(w) for w, p in zip(waves, c) if p) for c in combos], dtype=object)
    grid["pattern"] = np.repeat(labels[np.asarray(which).ravel()], len(waves)) if len(ids) else []
    return grid


def _wave_date(wave_dates: Mapping, wave) -> pd.Timestamp:
    if wave not in wave_dates:
        raise KeyError(f"wave_dates has no date for wave {wave!r}")
    return pd.Timestamp(wave_dates[wave])


def recurring_cohort(
    panel: pd.DataFrame,
    pre,
    post,
    attendance: pd.DataFrame | None = None,
    wave_dates: Mapping | None = None,
    min_visits_per_week: float = 1.0,
    outcomes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per-participant cohort flags for the pair of waves ``pre`` -> ``post``.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel with ``participant_id`` and ``wave``.
    pre, post : wave label
        Waves compared.
    attendance : pandas.DataFrame, optional
        Activity attendance, ``participant_id`` plus either ``date`` (one row per
        visit; visits between the two wave dates, both inclusive, are counted) or
        ``visits`` (counts already restricted to the period, summed per person).
        Without it the attendance columns are missing (NA).
    wave_dates : mapping, optional
        Wave -> date (anything ``pandas.Timestamp`` accepts), the survey date of
        each wave. Needed with ``attendance``.
    min_visits_per_week : float, default 1.0
        Threshold of the attendance definition: recurring means attending *more than* this many visits per week on average (``visits_per_week >`` it), as the programme defines recurring participants ("more than once a week").
    outcomes : sequence of str, optional
        Presence requires at least one of these non-missing (see :func:`link_waves`).

    Returns
    -------
    pandas.DataFrame
        One row per participant present at ``pre`` or ``post``:
        ``participant_id, present_pre, present_post, visits, weeks,
        visits_per_week, recurring_both_waves, recurring_attendance``. ``weeks`` is
        the time between the wave dates in weeks; ``visits`` is 0 for
        participants absent from ``attendance``; ``recurring_attendance`` is a
        nullable boolean (NA when attendance is not given). This frame is row-level
        data: keep it inside the pipeline.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": ["a", "a", "b", "b", "c"],
    ...                       "wave": ["T0", "T1", "T0", "T1", "T0"]})
    >>> visits = pd.DataFrame({"participant_id": ["a"] * 4 + ["b"],
    ...                        "date": ["2023-10-02", "2023-10-09", "2023-10-10", "2023-10-12", "2023-10-03"]})
    >>> c = recurring_cohort(panel, "T0", "T1", visits, {"T0": "2023-10-01", "T1": "2023-10-22"})
    >>> c[["participant_id", "visits", "visits_per_week", "recurring_attendance"]]
      participant_id  visits  visits_per_week  recurring_attendance
    0              a       4         1.333333                  True
    1              b       1         0.333333                 False
    2              c       0         0.000000                 False
    """
    links = link_waves(panel, outcomes)
    wide = links.pivot(index=_panel.ID, columns=_panel.WAVE, values="present")
    for w in (pre, post):
        if w not in wide.columns:
            raise KeyError(f"wave {w!r} not in panel")
    out = pd.DataFrame({"present_pre": wide[pre].astype(bool), "present_post": wide[post].astype(bool)})
    out = out[out["present_pre"] | out["present_post"]]
    out.index.name = _panel.ID
    out = out.reset_index()
    out["recurring_both_waves"] = out["present_pre"] & out["present_post"]
    if attendance is None:
        out["visits"] = np.nan
        out["weeks"] = np.nan
        out["visits_per_week"] = np.nan
        out["recurring_attendance"] = pd.array([pd.NA] * len(out), dtype="boolean")
        return out.loc[:, list(COHORT_COLUMNS)]
    if wave_dates is None:
        raise ValueError("wave_dates are needed to relate attendance to the waves")
    start, end = _wave_date(wave_dates, pre), _wave_date(wave_dates, post)
    if end <= start:
        raise ValueError("the post wave date must be after the pre wave date")
    weeks = (end - start).days / 7
    if "date" in attendance.columns:
        dates = pd.to_datetime(attendance["date"])
        inside = ((dates >= start) & (dates <= end)).to_numpy()
        # count the ID column only (the register can have millions of visits)
        counts = attendance[_panel.ID][inside].value_counts()
    elif "visits" in attendance.columns:
        counts = attendance.groupby(_panel.ID)["visits"].sum()
    else:
        raise KeyError("attendance needs a 'date' or a 'visits' column")
    out["visits"] = out[_panel.ID].map(counts).fillna(0).astype(int)
    out["weeks"] = weeks
    out["visits_per_week"] = out["visits"] / weeks
    flag = out["recurring_both_waves"] & (out["visits_per_week"] > min_visits_per_week)
    out["recurring_attendance"] = flag.astype("boolean")
    return out.loc[:, list(COHORT_COLUMNS)]


def flow_counts(
    panel: pd.DataFrame,
    pre,
    post,
    attendance: pd.DataFrame | None = None,
    wave_dates: Mapping | None = None,
    min_visits_per_week: float = 1.0,
    outcomes: Sequence[str] | None = None,
    cohort: pd.DataFrame | None = None,
    register: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """TREND/CONSORT-style participant flow for ``pre`` -> ``post``, both definitions.

    Parameters
    ----------
    panel, pre, post, attendance, wave_dates, min_visits_per_week
        As for :func:`recurring_cohort`.
    outcomes : sequence of str, optional
        If given, one extra ``analysed_complete_pairs`` row per outcome and
        definition gives the number of complete pairs for that outcome (and, without
        ``cohort``, presence needs one of them answered).
    cohort : pandas.DataFrame, optional
        The :func:`recurring_cohort` of this comparison, already computed: the flow then
        counts exactly the cohort every other analysis uses (one population, one n).
    register : pandas.DataFrame, optional
        The attendance register (``participant_id``, ``date``: one row per visit), with
        ``wave_dates``: adds the reach stage (:func:`reached_between`).

    Returns
    -------
    pandas.DataFrame
        ``stage, definition, wave, outcome, n, reason``, rows in flow order:

        - with ``register``, ``reached``: everyone with a visit between the wave dates
          (the programme's reach in this period, surveyed or not);
        - ``assessed`` at ``pre`` and at ``post`` (definition ``all``);
        - ``lost_to_follow_up`` (assessed at pre, not at post), with ``attendance`` split
          by the reason for loss into ``lost_attending`` (still attending more than
          ``min_visits_per_week`` visits per week between the waves: non-response) and
          ``lost_not_attending`` (at most that: left the programme or rarely attended);
        - ``new_at_follow_up`` (assessed at post only);
        - per definition (``recurring_both_waves``, ``recurring_attendance``):
          ``excluded`` rows with their ``reason`` (attendance definition only:
          below the attendance threshold, or attendance unknown) and ``analysed``;
        - optionally ``analysed_complete_pairs`` per outcome.

        Counts are raw; suppressing small cells is the renderer's job.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"participant_id": ["a", "a", "b", "b", "c", "d"],
    ...                       "wave": ["T0", "T1", "T0", "T1", "T0", "T1"]})
    >>> visits = pd.DataFrame({"participant_id": ["a", "b"], "visits": [30, 2]})
    >>> flow = flow_counts(panel, "T0", "T1", visits, {"T0": "2023-10-01", "T1": "2024-03-31"})
    >>> flow[["stage", "definition", "wave", "n"]]
                   stage            definition wave  n
    0           assessed                   all   T0  3
    1           assessed                   all   T1  3
    2  lost_to_follow_up                   all   T1  1
    3     lost_attending                   all   T1  0
    4 lost_not_attending                   all   T1  1
    5   new_at_follow_up                   all   T1  1
    6           analysed  recurring_both_waves   T1  2
    7           excluded  recurring_attendance   T1  1
    8           analysed  recurring_attendance   T1  1
    """
    c = cohort.reset_index(drop=True) if cohort is not None else \
        recurring_cohort(panel, pre, post, attendance, wave_dates, min_visits_per_week, outcomes)
    lost = c["present_pre"] & ~c["present_post"]
    rows = [
        {"stage": "assessed", "definition": "all", "wave": pre, "n": int(c["present_pre"].sum()), "reason": ""},
        {"stage": "assessed", "definition": "all", "wave": post, "n": int(c["present_post"].sum()), "reason": ""},
        {"stage": "lost_to_follow_up", "definition": "all", "wave": post,
         "n": int(lost.sum()), "reason": f"no survey answer at {post}"},
        {"stage": "new_at_follow_up", "definition": "all", "wave": post,
         "n": int((~c["present_pre"] & c["present_post"]).sum()), "reason": f"no survey answer at {pre}"},
        {"stage": "analysed", "definition": "recurring_both_waves", "wave": post,
         "n": int(c["recurring_both_waves"].sum()), "reason": ""},
    ]  # fmt: skip
    both = c["recurring_both_waves"]
    if attendance is not None:
        # reasons for loss (TREND): did the people lost to follow-up keep attending?
        attending = c["visits_per_week"] > min_visits_per_week
        rows[3:3] = [
            {"stage": "lost_attending", "definition": "all", "wave": post, "n": int((lost & attending).sum()),
             "reason": f"more than {min_visits_per_week:g} visits per week between {pre} and {post}, "
                       f"no survey answer at {post}"},
            {"stage": "lost_not_attending", "definition": "all", "wave": post, "n": int((lost & ~attending).sum()),
             "reason": f"at most {min_visits_per_week:g} visits per week between {pre} and {post}, "
                       f"no survey answer at {post}"},
        ]  # fmt: skip
        below = both & (c["visits_per_week"] <= min_visits_per_week)
        rows.append({
            "stage": "excluded", "definition": "recurring_attendance", "wave": post, "n": int(below.sum()),
            "reason": f"at most {min_visits_per_week:g} visits per week between {pre} and {post}",
        })  # fmt: skip
    else:
        rows.append({
            "stage": "excluded", "definition": "recurring_attendance", "wave": post, "n": int(both.sum()),
            "reason": "attendance data not available",
        })  # fmt: skip
    rows.append({
        "stage": "analysed", "definition": "recurring_attendance", "wave": post,
        "n": int(c["recurring_attendance"].fillna(False).sum()), "reason": "",
    })  # fmt: skip
    if outcomes:
        for definition in ("recurring_both_waves", "recurring_attendance"):
            keep = set(c.loc[c[definition].fillna(False).astype(bool), _panel.ID])
            sub = panel[_panel.isin(panel[_panel.ID], keep)]
            for outcome in outcomes:
                n = len(_panel.paired(sub, outcome, pre, post)) if len(sub) else 0
                rows.append({"stage": "analysed_complete_pairs", "definition": definition, "wave": post,
                             "outcome": outcome, "n": n, "reason": ""})  # fmt: skip
    if register is not None:
        if wave_dates is None:
            raise ValueError("wave_dates are needed to relate the register to the waves")
        reached = reached_between(register, wave_dates[pre], wave_dates[post])
        rows.insert(0, {"stage": "reached", "definition": "all", "wave": post, "n": len(reached),
                        "reason": f"at least one visit between {pre} and {post} (attendance register)"})
    out = as_tidy(rows, FLOW_COLUMNS)
    return out


def reached_between(register: pd.DataFrame, start, end) -> set[str]:
    """The persons with at least one visit from ``start`` to ``end`` (both inclusive, as
    :func:`recurring_cohort` counts visits between the wave dates).

    Examples
    --------
    >>> reg = pd.DataFrame({"participant_id": ["a", "b", "c"], "date": ["2023-09-30", "2023-10-01", "2024-04-01"]})
    >>> sorted(reached_between(reg, "2023-10-01", "2024-03-31"))
    ['b']
    """
    dates = pd.to_datetime(register["date"])
    inside = ((dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))).to_numpy()
    return set(register[_panel.ID][inside].astype(str))
