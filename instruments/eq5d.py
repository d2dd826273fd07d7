"""EQ-5D-5L: health-state profile, level sum score, EQ VAS and value-set index.

The index is additive for every value set shipped here::

    index = constant + sum over dimensions of decrement[dimension, level]
            + interaction terms (any_level_gt1, any_level_ge2/3/4, any_level_eq5)

Coefficients are package data (``data/eq5d5l_value_set_coefficients.csv``, copied from the
project's reference folder with citations); this module holds only the model structure. For
speed, the index of all 3,125 states is tabulated once per value set and looked up.

Rules (docs/instruments.md §1.1): no profile, level sum or index if any of the five
dimensions is missing (no imputation); the EQ VAS is handled independently.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from ._common import ItemData, row_mean
from ._errors import SpecError
from ._registry import DATA_DIR
from ._spec import InstrumentSpec, OutputSpec

N_LEVELS = 5
COEFFICIENTS_FILE = "eq5d5l_value_set_coefficients.csv"
VALUE_SETS_FILE = "eq5d5l_value_sets.csv"
_TERM_DIM = re.compile(r"^(?P<dim>[A-Z]{2})(?P<level>[1-5])$")
_TERM_ANY = re.compile(r"^any_level_(?P<op>gt|ge|eq)(?P<level>[1-5])$")


@functools.cache
def _value_set_table() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / VALUE_SETS_FILE, dtype=str).set_index("id", drop=False)


@functools.cache
def _states(n_dims: int) -> np.ndarray:
    """All health states as a (5**n_dims, n_dims) array of levels, in profile order."""
    grid = np.indices((N_LEVELS,) * n_dims).reshape(n_dims, -1).T
    return grid + 1


@functools.cache
def state_table(value_set: str, dims: tuple[str, ...] = ("mo", "sc", "ua", "pd", "ad")) -> np.ndarray:
    """Index value of every one of the 3,125 states under ``value_set``.

    Position ``sum((level_d − 1) × 5**(4 − d))`` holds the state's value, i.e. the states are
    in profile order 11111, 11112, …, 55555.

    Examples
    --------
    >>> t = state_table("SE_Sun2022")
    >>> len(t), float(t[0]), round(float(t[-1]), 3)
    (3125, 1.0, -0.314)
    """
    meta = _value_set_table()
    if value_set not in meta.index:
        raise ValueError(f"unknown EQ-5D-5L value set {value_set!r}; known: {', '.join(meta.index)}")
    coef = pd.read_csv(DATA_DIR / COEFFICIENTS_FILE)
    coef = coef[coef["value_set"] == meta.loc[value_set, "coefficients_name"]]
    if coef.empty:
        raise SpecError(COEFFICIENTS_FILE, "value_set", f"no coefficients for {value_set!r}")
    states = _states(len(dims))
    dim_pos = {d.upper(): j for j, d in enumerate(dims)}
    values = np.zeros(len(states))
    for term, c in zip(coef["term"], coef["coefficient"].astype(float)):
        m_dim, m_any = _TERM_DIM.match(term), _TERM_ANY.match(term)
        if term == "constant":
            values += c
        elif m_dim and m_dim["dim"] in dim_pos:
            values += c * (states[:, dim_pos[m_dim["dim"]]] == int(m_dim["level"]))
        elif m_any:
            lv, op = int(m_any["level"]), m_any["op"]
            hit = {"gt": states > lv, "ge": states >= lv, "eq": states == lv}[op].any(axis=1)
            values += c * hit
        else:
            raise SpecError(COEFFICIENTS_FILE, "term", f"unknown term {term!r} in value set {value_set!r}")
    return values


@functools.cache
def _profile_strings(n_dims: int) -> np.ndarray:
    return np.array(["".join(map(str, s)) for s in _states(n_dims)], dtype=object)


def _profiles(state: np.ndarray, complete: np.ndarray, n_dims: int) -> pd.api.extensions.ExtensionArray:
    """Profile strings as a pandas ``"string"`` array (``<NA>`` where incomplete)."""
    table = _profile_strings(n_dims)
    if pd.StringDtype().storage == "pyarrow":  # fast path: one Arrow take, no Python strings
        import pyarrow as pa

        taken = pa.array(table, type=pa.string()).take(pa.array(state, mask=~complete))
        return pd.array(taken, dtype=pd.StringDtype())
    return pd.array(np.where(complete, table[state], None), dtype=pd.StringDtype())


def value_sets() -> pd.DataFrame:
    """The EQ-5D-5L value sets that ``score("eq5d5l", ..., value_set=...)`` accepts.

    Returns
    -------
    pandas.DataFrame
        One row per value set: ``id, name, name_sv, doi, kind, status, min, max, full_health,
        note`` (``name_sv``: the Swedish name used in Swedish labels)
        (``min``/``max`` over all 3,125 states; ``full_health`` is the value of 11111).

    Examples
    --------
    >>> vs = value_sets()
    >>> vs.loc[vs["id"] == "SE_Burstrom2020_TTO", ["min", "max"]].round(4).values.tolist()
    [[0.2433, 0.9755]]
    """
    meta = _value_set_table()
    rows = []
    for vid, r in meta.iterrows():
        t = state_table(vid)
        rows.append({"id": vid, "name": r["name"], "name_sv": r["name_sv"], "doi": r["doi"], "kind": r["kind"], "status": r["status"],
                     "min": float(t.min()), "max": float(t.max()), "full_health": float(t[0]), "note": r["note"]})
    return pd.DataFrame(rows)


def _score(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Score EQ-5D-5L (called by :func:`instruments.score`; see there for the columns)."""
    dims = tuple(f"{spec.id}_{d}" for d in spec.rules["dimensions"])
    D = data.cols(dims)
    vas = data.cols([f"{spec.id}_{spec.rules['vas_item']}"])[:, 0]
    _, n_valid = row_mean(D)
    complete = n_valid == len(dims)
    weights = N_LEVELS ** np.arange(len(dims) - 1, -1, -1)
    state = np.where(complete, (np.where(complete[:, None], D, 1.0) - 1) @ weights, 0).astype(np.intp)
    table = state_table(options["value_set"], tuple(spec.rules["dimensions"]))
    profile = _profiles(state, complete, len(dims))
    return {
        f"{spec.id}_profile": profile,
        f"{spec.id}_lss": np.where(complete, D.sum(axis=1), np.nan),
        f"{spec.id}_vas": vas,
        f"{spec.id}_index": np.where(complete, table[state], np.nan),
        f"{spec.id}_n_valid": n_valid,
    }


def _outputs(spec: InstrumentSpec, options: dict) -> tuple[OutputSpec, ...]:
    """Output metadata with the chosen value set's name and range filled in."""
    vs = value_sets().set_index("id").loc[options["value_set"]]
    out = []
    for o in spec.outputs:
        if o.column.endswith("_index"):
            o = OutputSpec(o.column, o.label_sv.format(value_set_name=vs["name_sv"]),
                           o.label_en.format(value_set_name=vs["name"]), o.kind, vs["min"], vs["max"],
                           o.higher_is_better, "points (0-100)" if vs["max"] > 1.5 else o.unit)
        out.append(o)
    return tuple(out)


def _reliability_scales(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """EQ-5D-5L is a descriptive (formative) system: internal consistency does not apply."""
    return {}
