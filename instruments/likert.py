"""User-declared Likert scales (see :func:`instruments.register_scale`).

Rules, all taken from the scale's YAML file:

* reverse-keyed items (``reverse``) are recoded as ``(min + max) − x`` where ``min`` and
  ``max`` are the smallest and largest answer codes;
* the don't-know code (``dont_know_code``), if any, is counted in ``<id>_n_dont_know`` and
  treated as missing;
* with at least ``min_valid`` valid answers, the score is
  ``mean`` — the mean of the valid answers;
  ``sum`` — mean × n_items (equal to the plain sum when nothing is missing; prorated
  otherwise, so that scores with and without missing items are on the same scale);
  ``percent`` — (mean − min) / (max − min) × 100;
* ``levels`` cut the score at inclusive upper bounds (the last level is open-ended).
"""

from __future__ import annotations

from ._common import ItemData, categorise, require, reverse_keyed, row_mean
from ._registry import check_min_valid
from ._spec import InstrumentSpec


def _reversed(spec: InstrumentSpec, data: ItemData):
    codes = spec.allowed[spec.items[0]]
    return reverse_keyed(data.X, [spec.items.index(it) for it in spec.reverse], codes.min, codes.max)


def _score(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Score a user-declared scale (called by :func:`instruments.score`)."""
    min_valid = check_min_valid(spec, options["min_valid"], spec.n_items)
    codes = spec.allowed[spec.items[0]]
    mean, n_valid = row_mean(_reversed(spec, data))
    agg = spec.rules["aggregation"]
    if agg == "mean":
        value = mean
    elif agg == "sum":
        value = mean * spec.n_items
    else:
        value = (mean - codes.min) / (codes.max - codes.min) * 100.0
    value = require(value, n_valid >= min_valid)
    out = {f"{spec.id}_score": value}
    if spec.rules.get("levels"):
        out[f"{spec.id}_level"] = categorise(value, spec.rules["levels"])
    out[f"{spec.id}_n_valid"] = n_valid
    if data.n_dont_know is not None:
        out[f"{spec.id}_n_dont_know"] = data.n_dont_know
    return out


def _reliability_scales(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """The items (reverse-keyed ones reversed) as one scale ``total``."""
    return {"total": _reversed(spec, data)}
