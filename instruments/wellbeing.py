"""WHO-5 Well-Being Index.

Rules (docs/instruments.md §3.2; constants in ``specs/who5.yaml``):

* raw score = sum of the five items (0–25); percentage = raw × 4 (0–100);
* ``who5_poor``: raw < 13 (poor well-being, indication to test for depression) [V];
* ``who5_depression_screen``: percentage ≤ 28 (likely depression, Topp et al. 2015) [R];
* no score if any item is missing (option ``min_valid``, default 5); with a lower
  ``min_valid`` the raw score is prorated as mean × 5.
"""

from __future__ import annotations

from ._common import ItemData, boolean, require, row_mean
from ._registry import check_min_valid
from ._spec import InstrumentSpec


def _score(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Score WHO-5 (called by :func:`instruments.score`; see there for the columns)."""
    min_valid = check_min_valid(spec, options["min_valid"], spec.n_items)
    mean, n_valid = row_mean(data.X)
    ok = n_valid >= min_valid
    raw = require(mean * spec.n_items, ok)
    pct = raw * spec.rules["percent_factor"]
    return {
        f"{spec.id}_raw": raw,
        f"{spec.id}_percent": pct,
        f"{spec.id}_poor": boolean(raw < spec.rules["poor_below_raw"], ok),
        f"{spec.id}_depression_screen": boolean(pct <= spec.rules["depression_max_percent"], ok),
        f"{spec.id}_n_valid": n_valid,
    }


def _reliability_scales(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """The five items as one scale ``total``."""
    return {"total": data.X}
