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


#: Table 1 covariates (canonical names from the study configuration)
COVARIATE_LABELS = {
    "sv": {"gender": "Kön", "age_group": "Åldersgrupp", "education": "Utbildning",
           "region_of_birth": "Födelseregion", "language": "Enkätens språk", "workshop": "Hälsoverkstad"},
    "en": {"gender": "Gender", "age_group": "Age group", "education": "Education",
           "region_of_birth": "Region of birth", "language": "Questionnaire language", "workshop": "Health workshop"},
}


def study_labels(config, lang: str):
    """A :class:`pipelines.publish.tables.Labels` for one language of one study: outcome
    labels and ranges from the instrument library (after the study's own scales are
    registered), wave labels and publishing settings from the configuration."""
    from pipelines.publish.tables import Labels
    from pipelines.study import outcome_table, register_study_scales
    from pipelines.wavefiles import category_translations

    register_study_scales(config)
    t = outcome_table()
    return Labels(
        lang=lang,
        outcomes=dict(zip(t["column"], t[f"label_{lang}"])),
        waves={w.id: getattr(w.label, lang) for w in config.waves},
        ranges={c: (lo, hi) for c, lo, hi in zip(t["column"], t["min"], t["max"])},
        units={c: u for c, u in zip(t["column"], t["unit"]) if isinstance(u, str)},
        variables=COVARIATE_LABELS[lang],
        # publishing.category_labels, plus the {sv, en} names given under value_labels
        categories=category_translations(config, lang),
        k=config.publishing.k_min_cell,
        ci_level=config.analysis.ci_level,
        p_adjust=config.analysis.p_adjust,
        min_visits=config.recurring.min_visits_per_week,
    )
