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


def note_text(note, lang: str = "sv") -> str:
    """An analysis ``note`` ("not estimable: <reason>", :mod:`analysis.tidy`) in ``lang``;
    empty for an empty or missing note. The reasons are fixed texts translated by the
    catalogue's ``not_estimable_reasons``; a reason without a translation is shown as it is.

    Examples
    --------
    >>> note_text("not estimable: fewer than 2 pairs", "sv")
    'ej skattningsbar: färre än 2 par'
    >>> note_text("not estimable: fewer than 2 pairs", "en"), note_text(float("nan"), "en")
    ('not estimable: fewer than 2 pairs', '')
    """
    from analysis.tidy import NOT_ESTIMABLE

    if not isinstance(note, str) or not note.strip():
        return ""
    if not note.startswith(NOT_ESTIMABLE):
        return note
    reason = note[len(NOT_ESTIMABLE):]
    return label("not_estimable", lang, reason=catalogue()[lang]["not_estimable_reasons"].get(reason, reason))


def not_estimable_text(reason: str, lang: str = "sv") -> str:
    """"not estimable: <reason>" in ``lang`` for a key of :data:`analysis.tidy.REASONS`.

    Examples
    --------
    >>> not_estimable_text("no_attendance", "sv")
    'ej skattningsbar: inget närvaroregister'
    """
    from analysis.tidy import not_estimable

    return note_text(not_estimable(reason), lang)


#: Table 1 covariates (canonical names from the study configuration)
COVARIATE_LABELS = {
    "sv": {"gender": "Kön", "age_group": "Åldersgrupp", "education": "Utbildning",
           "region_of_birth": "Födelseregion", "language": "Enkätens språk", "workshop": "Hälsoverkstad"},
    "en": {"gender": "Gender", "age_group": "Age group", "education": "Education",
           "region_of_birth": "Region of birth", "language": "Questionnaire language", "workshop": "Health workshop"},
}
