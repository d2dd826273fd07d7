"""Engage for Equity (E2) partnership scales (Boursaw et al. 2021).

Seven scales of the E2 Community Engagement Survey, answered by the members of a
community–academic partnership (not by programme participants), each a built-in
instrument with its own spec ``specs/e2_<scale>.yaml``:

======================================  ==============================
scale (Boursaw et al. 2021)             instrument id
======================================  ==============================
contextual capacity                     ``e2_contextual_capacity``
commitment to collective empowerment    ``e2_collective_empowerment``
relationships                           ``e2_relationships``
community engagement in research        ``e2_research_actions``
actions
synergy                                 ``e2_synergy``
partner and partnership transformation  ``e2_transformation``
projected outcomes                      ``e2_outcomes``
======================================  ==============================

Rules (each spec's ``rule_status``; reasoning in ``docs/instruments.md``):

* items are answered on 1–5 [R: the published scales' response format could not be read;
  1 "not at all" … 5 "to a great extent" is the format of the predecessor measures,
  Oetzel et al. 2018, Table 2, V];
* reverse-keyed items (option ``reverse``: item numbers, default none [R]) are recoded as
  ``(1 + 5) − x``;
* score = mean of the valid answers when at least ``min_valid`` items are answered
  (default: half of the items, rounded up) [?: no E2 missing-data rule was found]; no
  cut-offs or levels (none published);
* the number of items of each scale is [?] (see the spec's ``notes``); a questionnaire with
  a different item set is declared as a user scale (:func:`instruments.register_scale`)
  under its own id.

References
----------
Boursaw B, Oetzel JG, Dickson E, et al. Scales of practices and outcomes for
community-engaged research. Am J Community Psychol 2021;67(3–4):256–270.
doi:10.1002/ajcp.12503 (open access, PMC8355013).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._common import ItemData, require, reverse_keyed, row_mean
from ._errors import OptionError
from ._registry import check_min_valid, is_integer
from ._spec import InstrumentSpec

#: the seven E2 scales in the order of Boursaw et al. (2021)
SCALES: tuple[str, ...] = (
    "e2_contextual_capacity",
    "e2_collective_empowerment",
    "e2_relationships",
    "e2_research_actions",
    "e2_synergy",
    "e2_transformation",
    "e2_outcomes",
)


def reverse_positions(spec: InstrumentSpec, reverse) -> list[int]:
    """Column positions (0-based) of the reverse-keyed items named by number in ``reverse``.

    Raises
    ------
    OptionError
        ``reverse`` is not a list of distinct item numbers 1..n_items.

    Examples
    --------
    >>> from instruments import spec
    >>> reverse_positions(spec("e2_synergy"), [2, 5])
    [1, 4]
    >>> reverse_positions(spec("e2_synergy"), [6])
    Traceback (most recent call last):
    ...
    instruments._errors.OptionError: e2_synergy: option reverse must be a list of distinct item numbers 1..5, got [6]
    """
    n = spec.n_items
    ok = isinstance(reverse, (list, tuple, np.ndarray)) and all(
        is_integer(i) and 1 <= i <= n for i in reverse)
    if ok and len(set(int(i) for i in reverse)) != len(reverse):
        ok = False
    if not ok:
        raise OptionError(f"{spec.id}: option reverse must be a list of distinct item numbers 1..{n}, "
                          f"got {reverse!r}")
    return sorted(int(i) - 1 for i in reverse)


def _keyed(spec: InstrumentSpec, data: ItemData, reverse: Sequence[int]) -> np.ndarray:
    codes = spec.allowed[spec.items[0]]
    return reverse_keyed(data.X, reverse_positions(spec, reverse), codes.min, codes.max)


def _score(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """Score one E2 scale (called by :func:`instruments.score`)."""
    min_valid = check_min_valid(spec, options["min_valid"], spec.n_items)
    mean, n_valid = row_mean(_keyed(spec, data, options["reverse"]))
    return {
        f"{spec.id}_score": require(mean, n_valid >= min_valid),
        f"{spec.id}_n_valid": n_valid,
    }


def _reliability_scales(spec: InstrumentSpec, data: ItemData, options: dict) -> dict:
    """The items (reverse-keyed ones reversed) as one scale ``total``."""
    return {"total": _keyed(spec, data, options["reverse"])}
