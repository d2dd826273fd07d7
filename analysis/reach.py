"""Programme reach from the attendance register: people, visits and sessions.

The reach stage of a TREND flow (Des Jarlais et al. 2004, item 13; RE-AIM's *reach*):
how many people the programme's workshops reached, how often they came and how many
sessions were held, per workshop and half-year, before any survey. Counted from the
pseudonymised attendance register (one row per visit: participant, workshop, date).

- ``n`` (people): distinct persons with at least one visit (a person attending two workshops
  counts once in the "all workshops" rows, so those are not the sum of the workshops);
- ``visits``: distinct (person, workshop, date) visits (a repeated register row is one visit);
- ``sessions``: distinct (workshop, date) meetings with at least one visit recorded.

Visits and sessions add up over workshops and half-years; people do not.

Pure pandas; no Dagster.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["REACH_COLUMNS", "ALL", "period_of", "programme_reach", "visit_table"]

#: the tidy columns of :func:`programme_reach`
REACH_COLUMNS = ("period", "workshop", "n", "visits", "sessions")
#: the period / workshop value of a total row
ALL = "all"

_PERIODS = ("half_year", "year")


def period_of(dates: pd.Series, period: str = "half_year") -> pd.Series:
    """The reporting period of each date: ``YYYY-H1`` (January–June) / ``YYYY-H2``, or ``YYYY``.

    Examples
    --------
    >>> period_of(pd.Series(pd.to_datetime(["2024-06-30", "2024-07-01"]))).tolist()
    ['2024-H1', '2024-H2']
    >>> period_of(pd.Series(pd.to_datetime(["2024-06-30"])), "year").tolist()
    ['2024']
    """
    if period not in _PERIODS:
        raise ValueError(f"period must be one of {_PERIODS}, not {period!r}")
    d = pd.to_datetime(dates)
    year = d.dt.year.astype("Int64").astype(str)
    if period == "year":
        return year.astype(object)
    half = (d.dt.month > 6).map({False: "-H1", True: "-H2"}).astype(str)
    return (year + half).astype(object)


def visit_table(visits: pd.DataFrame, period: str = "half_year") -> pd.DataFrame:
    """The register as distinct visits with their period: ``participant_id, workshop, date, period``.

    ``visits`` has ``participant_id``, ``workshop`` and ``date`` (or ``visit_date``); rows
    without a date or workshop are not visits and are left out.
    """
    date = "date" if "date" in visits.columns else "visit_date"
    v = pd.DataFrame({"participant_id": visits["participant_id"].astype(object).astype(str),
                      "workshop": visits["workshop"].astype(object),
                      "date": pd.to_datetime(visits[date], errors="coerce")})
    v = v.dropna(subset=["workshop", "date"])
    v = v.assign(workshop=v["workshop"].astype(str)).drop_duplicates(["participant_id", "workshop", "date"])
    return v.assign(period=period_of(v["date"], period)).reset_index(drop=True)


def programme_reach(visits: pd.DataFrame, period: str = "half_year") -> pd.DataFrame:
    """People, visits and sessions per workshop and period, with totals.

    Parameters
    ----------
    visits : DataFrame
        The attendance register: ``participant_id``, ``workshop``, ``date`` (or ``visit_date``).
    period : {"half_year", "year"}

    Returns
    -------
    DataFrame
        :data:`REACH_COLUMNS`; one row per period × workshop (periods in time order,
        workshops by name), then per period "all"
        workshops, then per workshop the whole time ("all" periods), then the grand total.
        Empty (with the columns) for an empty register.

    Examples
    --------
    >>> reg = pd.DataFrame({"participant_id": ["a", "a", "b", "a", "b"],
    ...                     "workshop": ["W", "W", "W", "V", "V"],
    ...                     "date": ["2024-03-01", "2024-03-08", "2024-03-08", "2024-09-01", "2024-03-01"]})
    >>> print(programme_reach(reg).to_string(index=False))
     period workshop  n  visits  sessions
    2024-H1        V       1       1         1
    2024-H1        W       2       3         2
    2024-H2        V       1       1         1
    2024-H2        W       0       0         0
    2024-H1      all       2       4         3
    2024-H2      all       1       1         1
        all        V       2       2         2
        all        W       2       3         2
        all      all       2       5         4
    """
    v = visit_table(visits, period)
    if v.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("period", "workshop") else "int64")
                             for c in REACH_COLUMNS})
    periods, workshops = sorted(v["period"].unique()), sorted(v["workshop"].unique())

    def row(p: str, w: str, g: pd.DataFrame) -> dict:
        return {"period": p, "workshop": w, "n": int(g["participant_id"].nunique()), "visits": len(g),
                "sessions": int(len(g[["workshop", "date"]].drop_duplicates()))}

    rows = [row(p, w, v[(v["period"] == p) & (v["workshop"] == w)]) for p in periods for w in workshops]
    rows += [row(p, ALL, v[v["period"] == p]) for p in periods]
    rows += [row(ALL, w, v[v["workshop"] == w]) for w in workshops]
    rows.append(row(ALL, ALL, v))
    out = pd.DataFrame(rows, columns=list(REACH_COLUMNS))
    return out.astype({"n": "int64", "visits": "int64", "sessions": "int64"})
