"""Glue between a study configuration and the instrument library (pure, no Dagster)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import instruments
from analysis.cohort import is_member
from studyconfig.config import COVARIATES, StudyConfig, Wave
from survey.ingest import ID_COLUMN, WAVE_COLUMN

#: EQ-5D-5L dimension items kept next to the scores (for problem shares and the PCHC)
EQ5D_DIMENSIONS = ["eq5d5l_mo", "eq5d5l_sc", "eq5d5l_ua", "eq5d5l_pd", "eq5d5l_ad"]


def register_study_scales(config: StudyConfig) -> list[str]:
    """Register the study's user-declared scales with the instrument library."""
    return [instruments.register_scale(p) for p in config.scale_paths()]


def instrument_options(config: StudyConfig, instrument_id: str) -> dict:
    """Scoring options for one instrument: the config's ``instrument_options`` plus the
    primary EQ-5D value set."""
    opts = dict(config.instrument_options.get(instrument_id, {}))
    if instrument_id == "eq5d5l":
        opts.setdefault("value_set", config.analysis.eq5d_value_set)
    return opts


def required_items(wave: Wave) -> list[str]:
    return [item for inst in wave.instruments for item in instruments.spec(inst).items]


def instrument_items(instrument_id: str) -> list[str]:
    """The canonical items of one instrument."""
    return list(instruments.spec(instrument_id).items)


def other_wave_ids(config: StudyConfig, wave_id: str):
    """The participant IDs of every *other* configured wave, read from their files.

    Returns
    -------
    (others, unreadable)
        :class:`survey.ingest.OtherWave` for each other wave whose file could be read and
        has its ID variable; the ids of the waves that could not (their own partitions
        report why).
    """
    from survey.ingest import OtherWave, WaveError, wave_ids
    from survey.wavefiles import read_configured_wave

    others, unreadable = [], []
    for w in config.waves:
        if w.id == wave_id:
            continue
        try:
            # only the ID variable: a tenth of the time of reading the whole file
            raw = read_configured_wave(config, w, columns=[w.id_variable])
        except WaveError:
            unreadable.append(w.id)
            continue
        if w.id_variable not in raw.data.columns:
            unreadable.append(w.id)
            continue
        others.append(OtherWave(w.id, raw.path.name, wave_ids(raw.data, w.id_variable), raw.sha256))
    return others, unreadable


class AllowedCodes:
    """An item's allowed codes plus its instrument's "don't know" code (duck-typed for
    :func:`survey.ingest.check_codes`: ``valid(values) -> mask`` and ``describe()``)."""

    def __init__(self, codes, dont_know_code: int | None):
        self.codes, self.dont_know_code = codes, dont_know_code

    def valid(self, values: np.ndarray) -> np.ndarray:
        ok = self.codes.valid(values)
        return ok | (values == self.dont_know_code) if self.dont_know_code is not None else ok

    def describe(self) -> str:
        dk = f" or {self.dont_know_code} (don't know)" if self.dont_know_code is not None else ""
        return self.codes.describe() + dk


def allowed_codes(wave: Wave) -> dict[str, AllowedCodes]:
    """Item -> the codes its instrument accepts (including a declared "don't know" code)."""
    out: dict[str, AllowedCodes] = {}
    for inst in wave.instruments:
        spec = instruments.spec(inst)
        for item in spec.items:
            out[item] = AllowedCodes(spec.allowed[item], spec.dont_know_code)
    return out


def dont_know_codes(wave: Wave) -> dict[str, int | None]:
    return {inst: instruments.spec(inst).dont_know_code for inst in wave.instruments}


def score_wave(harmonised: pd.DataFrame, wave: Wave, config: StudyConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every instrument the wave declares.

    Returns
    -------
    scored
        ``participant_id, wave``, covariates, EQ-5D dimensions (if present) and every
        score column of every instrument.
    valid_rates
        One row per instrument: ``instrument, n_rows, n_scored, valid_rate, score_column``
        (aggregates only).
    """
    covariates = [c for c in COVARIATES if c in harmonised.columns]
    parts = [harmonised[[ID_COLUMN, WAVE_COLUMN, *covariates]]]
    dims = [d for d in EQ5D_DIMENSIONS if d in harmonised]
    if dims:
        parts.append(harmonised[dims])
    rates = []
    for inst in wave.instruments:
        items = harmonised[instruments.items_of(inst)]
        scores = instruments.score(inst, items, **instrument_options(config, inst))
        scores = scores.drop(columns=[c for c in scores.columns if c in harmonised.columns and c in dims])
        parts.append(scores)
        main = primary_score_column(inst)
        n_scored = int(scores[main].notna().sum())
        rates.append({"instrument": inst, "score_column": main, "n_rows": len(scores),
                      "n_scored": n_scored,
                      "valid_rate": n_scored / len(scores) if len(scores) else np.nan})
    scored = pd.concat(parts, axis=1)
    return scored, pd.DataFrame(rates)


def primary_score_column(instrument_id: str) -> str:
    """The first continuous (else first) output of an instrument: its headline score."""
    outs = instruments.outputs(instrument_id)
    cont = outs[outs["kind"] == "continuous"]
    return str((cont if len(cont) else outs)["column"].iloc[0])



def outcome_kinds() -> dict[str, str]:
    """Score column -> kind (continuous, binary, ordinal, ...) for every known instrument,
    including user-declared scales already registered."""
    table = outcome_table()
    return dict(zip(table["column"], table["kind"]))


def outcome_table() -> pd.DataFrame:
    """Every output column of every known instrument with labels, range and direction
    (:func:`instruments.output_table`)."""
    return instruments.output_table()


#: wave settings added after the first data versions were recorded: left out of the hash
#: while they have their default, so that existing materialisations stay up to date
_LATER_WAVE_SETTINGS = ("delimiter", "decimal", "sheet", "value_labels")
#: wave settings that do not change the wave's data (only a cross-wave check reads them)
_NOT_WAVE_DATA = ("new_categories",)


def wave_input_version(config: StudyConfig, wave_id: str, file_sha256: str | None = None) -> str:
    """Data version of a wave's inputs: the file's bytes, the wave's configuration
    section (with the shared ``value_labels`` naming its variables), the instrument
    options and the user-declared scale files.

    A change to any of them re-runs that wave (and what depends on it); nothing else.
    ``file_sha256``: the hash of the bytes that were actually parsed (``raw_wave`` passes
    it, so the version always describes the stored content); ``None`` hashes the file now.
    """
    import hashlib
    import json

    from survey.ingest import sha256_file
    from survey.wavefiles import value_labels_fingerprint

    wave = config.wave(wave_id)
    h = hashlib.sha256()
    path = config.wave_path(wave_id)
    if file_sha256 is not None:
        h.update(file_sha256.encode())
    else:
        h.update(sha256_file(path).encode() if path.exists() else b"file missing")
    dump = wave.model_dump(mode="json")
    for key in _NOT_WAVE_DATA:
        dump.pop(key, None)
    for key in _LATER_WAVE_SETTINGS:
        if dump.get(key) in (None, {}, []):
            dump.pop(key, None)
    shared = value_labels_fingerprint(config, wave)
    if shared:
        dump["shared_value_labels"] = shared
    h.update(json.dumps(dump, sort_keys=True).encode())
    h.update(json.dumps(config.instrument_options, sort_keys=True, default=str).encode())
    h.update(config.analysis.eq5d_value_set.encode())
    for p in config.scale_paths():
        h.update(sha256_file(p).encode() if p.exists() else b"file missing")
    return h.hexdigest()


def settings_table(config: StudyConfig) -> pd.DataFrame:
    """The analysis-relevant settings of the study as a two-column table (for lineage)."""
    rows = [
        ("study", config.study.name), ("evaluation_year", config.study.evaluation_year),
        ("waves", ", ".join(config.wave_ids)),
        ("recurring.definition", config.recurring.definition),
        ("recurring.min_visits_per_week", config.recurring.min_visits_per_week),
        ("analysis.comparisons", "; ".join(f"{a}->{b}" for a, b in config.analysis.comparisons)),
        ("analysis.primary_outcomes", ", ".join(config.analysis.primary_outcomes)),
        ("analysis.secondary_outcomes", ", ".join(config.analysis.secondary_outcomes)),
        ("analysis.p_adjust", config.analysis.p_adjust), ("analysis.ci_level", config.analysis.ci_level),
        ("analysis.eq5d_value_set", config.analysis.eq5d_value_set),
        ("publishing.k_min_cell", config.publishing.k_min_cell),
    ]
    return pd.DataFrame({"setting": [r[0] for r in rows], "value": [str(r[1]) for r in rows]})


def default_mids(config: StudyConfig, outcomes: list[str]) -> pd.DataFrame:
    """Minimal important differences used for the responder analysis: the config's
    ``analysis.mid`` overrides, else the instrument library's cited defaults (the EQ-5D
    index MID of the study's primary value set). Columns ``outcome, mid, source, status``;
    outcomes without any MID are left out."""
    table = instruments.mid_defaults()
    vs = config.analysis.eq5d_value_set
    table = table[table["value_set"].isna() | (table["value_set"] == vs)]
    rows = []
    for o in outcomes:
        if o in config.analysis.mid:
            rows.append({"outcome": o, "mid": float(config.analysis.mid[o]),
                         "source": "study configuration (analysis.mid)", "status": "configured"})
            continue
        hit = table[table["outcome"] == o]
        if len(hit):
            r = hit.iloc[0]
            rows.append({"outcome": o, "mid": float(r["mid"]), "source": str(r["source"]), "status": str(r["status"])})
    return pd.DataFrame(rows, columns=["outcome", "mid", "source", "status"])


def higher_is_better() -> dict[str, bool]:
    t = outcome_table()
    return {c: bool(h) for c, h in zip(t["column"], t["higher_is_better"]) if pd.notna(h)}


def continuous_outcomes(config: StudyConfig, panel: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(primary, secondary) configured outcomes that are continuous scores present in the panel."""
    kinds = outcome_kinds()

    def keep(cols):
        return [c for c in cols if c in panel.columns and kinds.get(c) == "continuous"]

    return keep(config.analysis.primary_outcomes), keep(config.analysis.secondary_outcomes)


def recurring_flag(definition: str) -> str:
    """The cohort column of a recurring-participant definition (``attendance`` or
    ``present_at_both``)."""
    return "recurring_attendance" if definition == "attendance" else "recurring_both_waves"


def recurring_ids(config: StudyConfig, recurring_cohort: pd.DataFrame) -> set:
    """Pseudonyms recurring (primary definition) in any comparison (stays inside the pipeline)."""
    flag = recurring_cohort[recurring_flag(config.recurring.definition)].fillna(False).astype(bool)
    return set(recurring_cohort.loc[flag, "participant_id"])


def stack(frames: list[pd.DataFrame], columns) -> pd.DataFrame:
    """The frames one below the other; an empty frame with ``columns`` when there are none
    (a study with one wave has no comparison, so a per-comparison table has no rows).

    Examples
    --------
    >>> stack([], ["outcome", "n"]).columns.tolist()
    ['outcome', 'n']
    >>> len(stack([pd.DataFrame({"n": [1]}), pd.DataFrame({"n": [2]})], ["n"]))
    2
    """
    if not frames:
        return pd.DataFrame(columns=list(columns))
    return pd.concat(frames, ignore_index=True)


def analysed_panel(panel: pd.DataFrame, recurring_cohort: pd.DataFrame, pre: str, post: str,
                   definition: str) -> pd.DataFrame:
    """The panel restricted to the recurring participants of one comparison and its two waves."""
    flag = recurring_flag(definition)
    c = recurring_cohort[(recurring_cohort["pre"] == pre) & (recurring_cohort["post"] == post)]
    ids = set(c.loc[c[flag].fillna(False).astype(bool), "participant_id"])
    return panel[is_member(panel["participant_id"], ids) & panel["wave"].isin([pre, post]).to_numpy()]
