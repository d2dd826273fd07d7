"""The one place where publishing reads the study's glue: a :class:`Labels` for one language
of one study (outcome labels and ranges from the instrument library after the study's own
scales are registered, wave labels and publishing settings from the configuration).

Kept apart from :mod:`publishing.labels` (the label catalogue, which the display
tables import) so that neither the catalogue nor the tables import the study layer, and
the two do not import each other.
"""

from __future__ import annotations

from publishing.labels import COVARIATE_LABELS
from publishing.tables import Labels
from survey.study import outcome_table, register_study_scales
from survey.wavefiles import category_translations

__all__ = ["study_labels"]


def study_labels(config, lang: str):
    """A :class:`publishing.tables.Labels` for one language of one study: outcome
    labels and ranges from the instrument library (after the study's own scales are
    registered), wave labels and publishing settings from the configuration."""
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
