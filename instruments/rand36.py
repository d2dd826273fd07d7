"""RAND-36 (RAND 36-Item Health Survey 1.0): eight 0–100 scales.

Rules (RAND scoring instructions; docs/instruments.md §1.2):

1. each item is recoded to 0–100 with the table in ``data/rand36_item_recoding.csv``;
2. a scale is the mean of its recoded items that were answered;
3. missing data (option ``missing_rule``): ``"half_scale"`` (default) scores a scale only
   if at least half of its items are answered — the SF-36 manuals' rule [R], a documented
   deviation from RAND recommended in docs/instruments.md [D]; ``"any_answered"`` is RAND's
   own rule (any answered item suffices) [V].

Item 2 (health change) is in no scale; it is returned recoded as ``rand36_health_change``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ._common import ItemData, require, row_mean
from ._registry import DATA_DIR
from ._spec import InstrumentSpec


@functools.cache
def _lookup(file: str, n_items: int) -> np.ndarray:
    """(n_items, max_code + 1) table of recoded values; NaN where a code does not exist."""
    t = pd.read_csv(DATA_DIR / file)
    lut = np.full((n_items, int(t["raw_response"].max()) + 1), np.nan)
    lut[t["item"].to_numpy() - 1, t["raw_response"].to_numpy()] = t["recoded_0_100"].to_numpy(dtype=float)
    return lut


def recode(spec: InstrumentSpec, data: ItemData) -> np.ndarray:
    """All 36 items recoded to 0–100 (NaN where missing).

    Examples
    --------
    >>> import pandas as pd
    >>> from instruments import spec, items_of
    >>> from instruments._common import item_matrix
    >>> sp = spec("rand36")
    >>> d = item_matrix(sp, pd.DataFrame([[1] * 36], columns=items_of("rand36")))
    >>> recode(sp, d)[0, [0, 2, 20, 23]]
    array([100.,   0., 100.,   0.])
    """
    lut = _lookup(spec.rules["recoding_file"], spec.n_items)
    X = data.X
    codes = np.where(np.isnan(X), 0, X).astype(np.intp)  # code 0 does not exist -> NaN
    return lut[np.arange(spec.n_items), codes]


def _score(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Score RAND-36 (called by :func:`instruments.score`; see there for the columns)."""
    R = recode(spec, data)
    pos = {it: j for j, it in enumerate(spec.items)}
    out, counts = {}, {}
    for name, items in spec.scales.items():
        mean, n_valid = row_mean(R[:, [pos[it] for it in items]])
        if options["missing_rule"] == "half_scale":
            ok = 2 * n_valid >= len(items)
        else:
            ok = n_valid >= 1
        out[f"{spec.id}_{name}"] = require(mean, ok)
        counts[f"{spec.id}_{name}_n_valid"] = n_valid
    out[f"{spec.id}_health_change"] = R[:, spec.rules["health_change_item"] - 1]
    out.update(counts)
    return out


def _reliability_scales(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Each scale's recoded (0–100) item matrix."""
    R = recode(spec, data)
    pos = {it: j for j, it in enumerate(spec.items)}
    return {name: R[:, [pos[it] for it in items]] for name, items in spec.scales.items()}
