"""Health literacy: HLS-EU-Q16, HLS-EU-Q6, HLS19-Q12 and eHEALS.

One scorer, four methods chosen by ``rules.method`` in the spec file:

``count_easy`` (HLS-EU-Q16)
    number of valid answers coded "easy" (``rules.easy_codes``); not prorated.
``mean`` (HLS-EU-Q6)
    mean of the valid answers (1–4).
``percent_easy`` (HLS19-Q12)
    100 × easy answers / valid answers.
``sum`` (eHEALS)
    sum of the answers; if ``min_valid`` allows missing items, prorated as mean × n_items.

In every case "don't know" (code 5 for the HLS instruments) is counted in
``<id>_n_dont_know`` and then treated as missing; a score needs at least ``min_valid``
valid answers; levels come from ``rules.levels`` (inclusive upper bounds). Several of
these rules are recalled rather than verified: see each spec's ``rule_status``.
"""

from __future__ import annotations

import numpy as np

from ._common import ItemData, categorise, require, row_mean
from ._registry import check_min_valid
from ._spec import InstrumentSpec


def _score(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Score a health-literacy instrument (called by :func:`instruments.score`)."""
    min_valid = check_min_valid(spec, options["min_valid"], spec.n_items)
    X = data.X
    mean, n_valid = row_mean(X)
    method = spec.rules["method"]
    if method in ("count_easy", "percent_easy"):
        easy = np.isin(X, np.asarray(spec.rules["easy_codes"], dtype=float)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = easy.astype(float) if method == "count_easy" else 100.0 * easy / n_valid
    elif method == "mean":
        value = mean
    elif method == "sum":
        value = mean * spec.n_items
    else:  # pragma: no cover - guarded by the spec files shipped with the package
        raise ValueError(f"{spec.id}: unknown method {method!r}")
    value = require(value, n_valid >= min_valid)
    out = {f"{spec.id}_score": value}
    if spec.rules.get("levels"):
        out[f"{spec.id}_level"] = categorise(value, spec.rules["levels"])
    out[f"{spec.id}_n_valid"] = n_valid
    if data.n_dont_know is not None:
        out[f"{spec.id}_n_dont_know"] = data.n_dont_know
    return out


def _reliability_scales(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """The item matrix (raw codes, don't know as missing) as one scale ``total``."""
    return {"total": data.X}
