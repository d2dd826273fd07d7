"""WHOQOL-BREF: four domain scores (4–20 and 0–100) and the two general items.

Rules (WHOQOL-BREF manual, WHO 1996; docs/instruments.md §1.4), all read from
``specs/whoqol_bref.yaml``:

* Q3, Q4 and Q26 are reversed as ``6 − x`` (``(min + max) − x``);
* domain score = mean of the domain's items × 4 (range 4–20);
  0–100 score = (score − 4) × 100 / 16;
* the whole assessment is discarded (every score ``NaN``) if more than 20 % of the 26 items
  are missing (option ``max_missing_fraction``);
* a domain with at most 2 missing items is scored from the mean of its answered items
  (mean substitution); the social domain (3 items) only if no item is missing (option
  ``domain_max_missing``);
* Q1 (overall quality of life) and Q2 (satisfaction with health) are reported as answered.
"""

from __future__ import annotations

import numbers
from typing import Any, cast

import numpy as np

from ._common import ItemData, require, reverse_keyed, row_mean
from ._errors import OptionError
from ._registry import is_integer
from ._spec import InstrumentSpec


def _check(spec: InstrumentSpec, options: dict) -> None:
    f = options["max_missing_fraction"]
    if isinstance(f, (bool, np.bool_)) or not isinstance(f, numbers.Real) or not 0 <= cast(Any, f) <= 1:
        raise OptionError(f"{spec.id}: max_missing_fraction must be a number in [0, 1], got {f!r}")
    for dom, k in options["domain_max_missing"].items():
        if not is_integer(k) or not 0 <= k < len(spec.scales[dom]):
            raise OptionError(
                f"{spec.id}: domain_max_missing[{dom!r}] must be an integer in 0..{len(spec.scales[dom]) - 1}, got {k!r}"
            )


def _reversed(spec: InstrumentSpec, data: ItemData) -> np.ndarray:
    codes = spec.allowed[spec.items[0]]
    cols = [spec.items.index(it) for it in spec.reverse]
    return reverse_keyed(data.X, cols, codes.min, codes.max)


def _score(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Score WHOQOL-BREF (called by :func:`instruments.score`; see there for the columns)."""
    _check(spec, options)
    X = _reversed(spec, data)
    pos = {it: j for j, it in enumerate(spec.items)}
    _, n_valid_all = row_mean(X)
    kept = (spec.n_items - n_valid_all) <= options["max_missing_fraction"] * spec.n_items
    codes = spec.allowed[spec.items[0]]
    mult = spec.rules["domain_multiplier"]
    lo, hi = codes.min * mult, codes.max * mult
    out, counts = {}, {}
    for dom, items in spec.scales.items():
        mean, n_valid = row_mean(X[:, [pos[it] for it in items]])
        ok = kept & ((len(items) - n_valid) <= options["domain_max_missing"][dom])
        out[f"{spec.id}_{dom}"] = require(mean * mult, ok)
        counts[f"{spec.id}_{dom}_n_valid"] = n_valid
    for dom in spec.scales:
        out[f"{spec.id}_{dom}_100"] = (out[f"{spec.id}_{dom}"] - lo) * 100.0 / (hi - lo)
    for col, key in (("overall_qol", "overall_qol_item"), ("health_satisfaction", "health_satisfaction_item")):
        out[f"{spec.id}_{col}"] = require(X[:, spec.rules[key] - 1], kept)
    out.update(counts)
    out[f"{spec.id}_n_valid"] = n_valid_all
    return out


def _reliability_scales(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """The four domains' item matrices (reverse-keyed items reversed)."""
    X = _reversed(spec, data)
    pos = {it: j for j, it in enumerate(spec.items)}
    return {dom: X[:, [pos[it] for it in items]] for dom, items in spec.scales.items()}
