"""General Self-Efficacy Scale (GSE, Schwarzer & Jerusalem).

Rules (docs/instruments.md §3.3): score = mean of the answered items × 10, i.e. the sum
metric 10–40, prorated when items are missing; scored only if at most 3 of the 10 items
are missing (option ``min_valid``, default 7 — the authors' SPSS ``MEAN.7``). The
authors reject cut-offs, so there is no level column.
"""

from __future__ import annotations

from ._common import ItemData, require, row_mean
from ._registry import check_min_valid
from ._spec import InstrumentSpec


def _score(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Score the GSE (called by :func:`instruments.score`; see there for the columns)."""
    min_valid = check_min_valid(spec, options["min_valid"], spec.n_items)
    mean, n_valid = row_mean(data.X)
    return {
        f"{spec.id}_score": require(mean * spec.n_items, n_valid >= min_valid),
        f"{spec.id}_n_valid": n_valid,
    }


def _reliability_scales(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """The ten items as one scale ``total``."""
    return {"total": data.X}
