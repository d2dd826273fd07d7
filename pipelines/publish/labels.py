"""Access to the label catalogue (``labels.yaml``) and to outcome labels."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGUAGES = ("sv", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict:
    return yaml.safe_load((Path(__file__).parent / "labels.yaml").read_text(encoding="utf-8"))


def label(key: str, lang: str = "sv", **fmt) -> str:
    """A catalogue entry in ``lang``, formatted with ``fmt``.

    Examples
    --------
    >>> label("wave", "en")
    'Wave'
    >>> label("ci", "sv", ci=0.95)
    '95% KI'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    text = catalogue()[lang][key]
    return text.format(**fmt) if fmt else text
