"""Self-rated health (single item, Swedish national survey wording).

``srh`` is the answer as given (1 = very good … 5 = very bad, lower is better);
``srh_good`` is ``True`` for "very good" or "good" (``rules.good_codes``), the way
Folkhälsomyndigheten reports it.
"""

from __future__ import annotations

import numpy as np

from ._common import ItemData, boolean
from ._spec import InstrumentSpec


def _score(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Score self-rated health (called by :func:`instruments.score`)."""
    x = data.X[:, 0]
    known = ~np.isnan(x)
    return {
        spec.id: x,
        f"{spec.id}_good": boolean(np.isin(x, np.asarray(spec.rules["good_codes"], dtype=float)), known),
        f"{spec.id}_n_valid": known.astype(np.int64),
    }


def _reliability_scales(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """A single item has no internal consistency."""
    return {}
