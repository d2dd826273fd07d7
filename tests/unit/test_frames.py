"""The pandera schemas of the scored wave and the panel (survey.frames): every frame the
scoring code makes from valid answers meets them, on many small generated waves (empty ones
included); a broken frame is refused with a message that names column, check and count but
never a value or a participant; and the Dagster column schema carries their descriptions
and constraints."""

import numpy as np
import pandas as pd
import pytest

import instruments
from pipelines.assets._meta import column_schema
from studyconfig.config import COVARIATES, load_config
from survey import frames, study
from survey.ingest import ID_COLUMN, WAVE_COLUMN


@pytest.fixture
def config():  # per test: tests/conftest.py empties the scale registry around each test
    cfg = load_config()
    study.register_study_scales(cfg)
    return cfg


def _harmonised(config, wave_id: str, n: int, rng: np.random.Generator) -> pd.DataFrame:
    wave = config.wave(wave_id)
    data = {ID_COLUMN: [f"P{wave_id}{i:05d}" for i in range(n)], WAVE_COLUMN: [wave_id] * n,
            "gender": rng.choice(["woman", "man", None], n)}
    for inst in wave.instruments:
        sp = instruments.spec(inst)
        for item in sp.items:
            codes = sp.allowed[item]
            x = rng.integers(int(codes.min), int(codes.max) + 1, n).astype(float)
            x[rng.random(n) < 0.15] = np.nan
            data[item] = x
    return pd.DataFrame(data)


def _scored(config, n: int, seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    return {w: study.score_wave(_harmonised(config, w, n, rng), config.wave(w), config)[0] for w in config.wave_ids}


@pytest.mark.parametrize("n", [0, 1, 2, 7, 40])
def test_frames_scored_from_valid_answers_meet_their_schemas(config, n):
    for seed in range(4):
        scored = _scored(config, n, seed)
        for w, df in scored.items():
            assert frames.validate(df, frames.scored_schema(config, w)) is df
        panel = pd.concat(scored.values(), ignore_index=True)
        panel["wave"] = pd.Categorical(panel["wave"], categories=config.wave_ids, ordered=True)
        frames.validate(panel, frames.panel_schema(config))


def _breakages(panel: pd.DataFrame, rng: np.random.Generator):
    """(what, broken frame, text the message must contain) for one random breakage each."""
    score = rng.choice([c for c in panel.columns if c.endswith("_percent") or c.endswith("_score")])
    rows = rng.choice(len(panel), size=int(rng.integers(1, 4)), replace=False)
    b = panel.copy()
    b.loc[rows, score] = 1000.0 + rng.random(len(rows))
    yield "out of range", b, f"column {score}: not in ["
    b = panel.copy()
    b.loc[rows[0], "eq5d5l_mo"] = 9
    yield "bad EQ-5D level", b, "column eq5d5l_mo: not in [1, 5]: 1 row(s)"
    b = panel.copy()
    b.loc[1, ID_COLUMN], b.loc[1, WAVE_COLUMN] = b.loc[0, ID_COLUMN], b.loc[0, WAVE_COLUMN]
    yield "duplicate key", b, "rows not unique on participant_id, wave: 2 row(s)"
    yield "unexpected column", panel.assign(name_of_person="x"), "unexpected column(s) name_of_person"
    yield "missing column", panel.drop(columns=[score]), f"missing column(s) {score}"
    b = panel.copy()
    b[score] = b[score].astype(str)
    yield "not numeric", b, f"column {score}: not numeric"
    b = panel.copy()
    b.loc[rows[0], ID_COLUMN] = None
    yield "missing pseudonym", b, f"column {ID_COLUMN}: missing value(s): 1 row(s)"


def test_a_broken_frame_is_refused_without_values_or_participants(config):
    for seed in range(6):
        rng = np.random.default_rng(100 + seed)
        scored = _scored(config, 12, seed)
        panel = pd.concat(scored.values(), ignore_index=True)
        panel["wave"] = pd.Categorical(panel["wave"], categories=config.wave_ids, ordered=True)
        ids = set(panel[ID_COLUMN].dropna())
        for what, broken, expected in _breakages(panel, rng):
            with pytest.raises(frames.FrameError) as err:
                frames.validate(broken, frames.panel_schema(config))
            message = str(err.value)
            assert message.startswith("panel: the frame breaks its schema"), what
            assert expected in message, (what, message)
            assert not any(i in message for i in ids), what
            assert "1000." not in message and "'x'" not in message and "failure_case" not in message, what


def test_the_ui_column_schema_carries_descriptions_and_constraints(config):
    panel = pd.concat(_scored(config, 5, 0).values(), ignore_index=True)
    schema = frames.panel_schema(config)
    cols = {c.name: c for c in column_schema(panel, schema=schema).columns}
    assert set(cols) == set(panel.columns)
    who5 = cols["who5_percent"]
    assert "WHO-5" in who5.description and who5.constraints.nullable
    assert "in [0, 100]" in who5.constraints.other and "numeric" in who5.constraints.other
    key = cols[ID_COLUMN]
    assert not key.constraints.nullable and "unique together with wave" in key.constraints.other
    assert set(schema.columns) >= {ID_COLUMN, WAVE_COLUMN, *COVARIATES}
    # the EQ-5D index range is the configured value set's, not a fixed one
    index = instruments.outputs("eq5d5l", **study.instrument_options(config, "eq5d5l")).set_index("column")
    lo, hi = index.loc["eq5d5l_index", ["min", "max"]]
    assert f"in [{lo:g}, {hi:g}]" in cols["eq5d5l_index"].constraints.other


def test_a_scored_wave_with_a_repeated_participant_is_refused(config):
    df = _scored(config, 6, 3)["T1"]
    df.loc[2, ID_COLUMN] = df.loc[4, ID_COLUMN]
    with pytest.raises(frames.FrameError, match=r"scored_wave\[T1\]: .*rows not unique on participant_id: 2 row"):
        frames.validate(df, frames.scored_schema(config, "T1"))
