"""The asset layer in memory (fast, not marked slow: ``make test-fast`` runs it).

The ingest and scoring assets and their checks run with ``dg.materialize_to_memory`` on a
tiny generated study (an ephemeral instance, outputs kept in memory, nothing written), and
the cross-wave ``panel`` asset is called directly with ``dg.build_asset_context`` on the
scored frames. The end-to-end tests (``tests/assets/test_pipeline.py`` and the others,
marked slow) run the whole graph through the runner; these check each stage's contract in
seconds: what the asset returns, what its checks say, and what its metadata shows (never a
row value).
"""

from __future__ import annotations

import json
import warnings

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from pipelines.assets import ingest as ingest_assets
from pipelines.assets import scoring
from pipelines.checks import WAVE_CHECKS
from pipelines.resources import ProjectPaths, StudyResource
from studyconfig.config import load_config
from survey import frames

warnings.filterwarnings("ignore", category=DeprecationWarning)

TINY_N = 24
WAVE_ASSETS = [ingest_assets.raw_wave, ingest_assets.harmonised_wave, scoring.scored_wave]


@pytest.fixture(scope="module")
def tiny_study(tmp_path_factory):
    from tools.example_study import generate_study

    out = tmp_path_factory.mktemp("tiny_study")
    generate_study(out, participants=TINY_N, seed=3, truth_n=500)
    return out


def _run_wave(study_dir, wave: str, tmp_path):
    resources = {"study_config": StudyResource(config_path=str(study_dir / "study.yaml")),
                 "paths": ProjectPaths(root=str(tmp_path / "out"))}
    (tmp_path / "home").mkdir(parents=True, exist_ok=True)
    with dg.instance_for_test(temp_dir=str(tmp_path / "home")) as instance:
        instance.add_dynamic_partitions("wave", load_config(study_dir / "study.yaml").wave_ids)
        result = dg.materialize_to_memory([*WAVE_ASSETS, *WAVE_CHECKS], partition_key=wave, instance=instance,
                                          resources=resources, raise_on_error=False)
        checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
        metadata = {m.asset_key.to_user_string(): m.metadata for m in result.asset_materializations_for_node(
            "scored_wave")}
        outputs = {}
        if result.success:
            outputs = {name: result.output_for_node(node, name) for node, name in
                       [("harmonised_wave", "harmonised_wave"), ("scored_wave", "scored_wave"),
                        ("raw_wave", "raw_wave")]}
    return result, checks, outputs, metadata


def test_a_wave_is_read_harmonised_scored_and_checked_in_memory(tiny_study, tmp_path):
    result, checks, out, metadata = _run_wave(tiny_study, "T0", tmp_path)
    assert result.success
    config = load_config(tiny_study / "study.yaml")
    harmonised, scored = out["harmonised_wave"], out["scored_wave"]
    assert len(harmonised) == len(scored) == harmonised["participant_id"].nunique() > 0
    assert set(harmonised["wave"]) == {"T0"}
    frames.validate(scored, frames.scored_schema(config, "T0"))  # the asset's own schema holds
    # every wave check ran on the partition and the blocking ones passed
    assert set(checks) == {"unique_participant_ids", "participant_id_format", "allowed_codes", "required_variables",
                           "instruments_answered", "codebook_matches_config", "linked_to_other_waves",
                           "no_direct_identifiers", "valid_score_rates"}
    failed = {name: c.description for name, c in checks.items() if not c.passed}
    assert not failed, failed
    # the UI shows the schema with descriptions and constraints, and no participant
    schema = metadata["scored_wave"]["dagster/column_schema"].schema
    cols = {c.name: c for c in schema.columns}
    assert "in [0, 100]" in cols["who5_percent"].constraints.other
    assert cols["participant_id"].constraints.nullable is False
    shown = json.dumps({k: str(v) for m in metadata.values() for k, v in m.items()})
    assert not any(pid in shown for pid in harmonised["participant_id"])
    # nothing was written: outputs stay in memory
    assert not (tmp_path / "out" / "data").exists()


def test_an_out_of_range_answer_fails_the_blocking_check_in_memory(tiny_study, tmp_path):
    import shutil

    study = tmp_path / "study"
    shutil.copytree(tiny_study, study)
    config = load_config(study / "study.yaml")
    wave = config.wave("T1")
    path = config.wave_path("T1")
    raw_item = next(raw for raw, canonical in wave.mapping.items() if canonical == "who5_03")
    if path.suffix == ".sav":
        from tools.example_study import rewrite_sav

        # not a WHO-5 code (0-5), not a declared missing code (8, 9)
        rewrite_sav(path, lambda df: df.__setitem__(raw_item, df[raw_item].where(df.index >= 3, 7.0)))
    else:  # pragma: no cover - the generator writes SPSS files
        pytest.skip(f"unexpected wave format {path.suffix}")
    result, checks, _, _ = _run_wave(study, "T1", tmp_path)
    allowed = checks["allowed_codes"]
    assert not allowed.passed and allowed.severity == dg.AssetCheckSeverity.ERROR
    assert f"variable '{raw_item} -> who5_03': 3 value(s) outside the instrument's codes" in allowed.description
    assert "7" not in allowed.description  # the count and the rows, never the value
    # the blocking check stops scoring: the scored wave is not materialised
    assert not any(e.asset_key == dg.AssetKey("scored_wave") for e in result.get_asset_materialization_events())


def test_the_panel_stacks_the_scored_waves_in_memory(tiny_study, tmp_path):
    config = load_config(tiny_study / "study.yaml")
    scored = {}
    for w in config.wave_ids:
        result, _, out, _ = _run_wave(tiny_study, w, tmp_path / w)
        assert result.success, w
        scored[w] = out["scored_wave"]
    context = dg.build_asset_context(resources={"study_config": StudyResource(config_path=str(
        tiny_study / "study.yaml"))})
    panel = scoring.panel(context, scored_wave=scored)
    assert list(panel["wave"].cat.categories) == config.wave_ids
    assert len(panel) == sum(len(df) for df in scored.values())
    assert not panel.duplicated(["participant_id", "wave"]).any()
    frames.validate(panel, frames.panel_schema(config))
    # a panel with a repeated participant and wave is refused, without naming the participant
    doubled = {**scored, config.wave_ids[-1]: pd.concat([scored[config.wave_ids[-1]]] * 2, ignore_index=True)}
    with pytest.raises(frames.FrameError) as err:
        scoring.panel(dg.build_asset_context(resources={"study_config": StudyResource(
            config_path=str(tiny_study / "study.yaml"))}), scored_wave=doubled)
    assert "rows not unique on participant_id, wave" in str(err.value)
    assert not any(pid in str(err.value) for pid in np.unique(panel["participant_id"]))
