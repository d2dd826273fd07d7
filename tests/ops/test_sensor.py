"""The new-wave sensor and the cross-wave automation, on a temporary Dagster instance.

The sensor is evaluated directly (``build_sensor_context``); the partition requests it
returns are applied to the instance the way the daemon applies them. What the
``cross_wave_automation`` sensor requests after the wave runs (Dagster's own evaluator, on
per-wave assets materialised in-process) is tested with the gate it must respect:
``tests/ops/test_gates.py::test_automation_does_not_materialise_below_a_failed_blocking_check``.
"""

from __future__ import annotations

import json

import dagster as dg
import pytest
import yaml

from pipelines.partitions import WAVES
from pipelines.resources import StudyResource
from pipelines.sensors import INPUT_ASSETS, INPUT_COMPANIONS, WAVE_ASSET_KEYS, wave_inbox_sensor
from studyconfig.config import load_config
from survey import study
from tools.example_study import rewrite_sav

#: every asset a run of the input assets materialises (a multi-asset runs whole)
INPUT_KEYS = [*INPUT_ASSETS.values(), *[k for ks in INPUT_COMPANIONS.values() for k in ks]]

WAVE_IDS = ["T0", "T1", "T2"]


@pytest.fixture
def instance(tmp_path):
    home = tmp_path / "sensor_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as inst:
        yield inst


def tick(instance: dg.DagsterInstance, config_path, cursor: str | None = None) -> dg.SensorResult:
    """One sensor evaluation; partition requests are applied as the daemon would."""
    context = dg.build_sensor_context(instance=instance, cursor=cursor,
                                      resources={"study_config": StudyResource(config_path=str(config_path))})
    result = wave_inbox_sensor(context)
    for req in result.dynamic_partitions_requests or []:
        if isinstance(req, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))
        else:
            for key in req.partition_keys:
                instance.delete_dynamic_partition(req.partitions_def_name, key)
    return result


def wave_requests(result: dg.SensorResult) -> dict[str, dg.RunRequest]:
    return {r.partition_key: r for r in result.run_requests if r.partition_key is not None}


def input_requests(result: dg.SensorResult) -> list[dg.RunRequest]:
    return [r for r in result.run_requests if r.partition_key is None]


def drop_first_respondent(sav_path) -> None:
    rewrite_sav(sav_path, lambda df: df.iloc[1:])


def test_first_tick_registers_waves_and_requests_one_run_per_wave_keyed_by_hash(small_study, instance):
    config_path = small_study / "study.yaml"
    config = load_config(config_path)
    result = tick(instance, config_path)

    assert [(r.partitions_def_name, list(r.partition_keys)) for r in result.dynamic_partitions_requests] \
        == [("wave", WAVE_IDS)]
    assert sorted(instance.get_dynamic_partitions(WAVES.name)) == WAVE_IDS
    runs = wave_requests(result)
    assert sorted(runs) == WAVE_IDS
    for w, req in runs.items():
        digest = study.wave_input_version(config, w)
        assert req.run_key == f"wave:{w}:{digest}:after:none"
        assert sorted(req.asset_selection) == sorted(WAVE_ASSET_KEYS)
        assert req.tags["jh/trigger"] == "wave_inbox_sensor"
    assert {dg.AssetKey("raw_wave"), dg.AssetKey("scored_wave")} <= set(WAVE_ASSET_KEYS)
    # the configuration file, the attendance register and the partner surveys are new inputs
    # too: one run for all of them
    (inputs,) = input_requests(result)
    assert sorted(inputs.asset_selection) == sorted(INPUT_KEYS)
    assert set(json.loads(result.cursor)) == {"wave:T0", "wave:T1", "wave:T2", "study_settings", "attendance",
                                              "partner_surveys"}


def test_second_tick_without_changes_requests_nothing(small_study, instance):
    config_path = small_study / "study.yaml"
    first = tick(instance, config_path)
    second = tick(instance, config_path, cursor=first.cursor)
    assert second.run_requests == []
    assert second.dynamic_partitions_requests == []
    assert "no new or changed input" in second.skip_reason.skip_message
    assert second.cursor == first.cursor
    # even with the cursor lost the same content yields the same run keys, which Dagster
    # launches at most once per sensor
    again = tick(instance, config_path, cursor=None)
    assert sorted(r.run_key for r in again.run_requests) == sorted(r.run_key for r in first.run_requests)


def test_changed_wave_file_requests_exactly_that_wave(small_study, instance):
    config_path = small_study / "study.yaml"
    first = tick(instance, config_path)
    old = wave_requests(first)["T2"].run_key
    cfg = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    drop_first_respondent(small_study / cfg["waves"][2]["file"])

    third = tick(instance, config_path, cursor=first.cursor)
    assert list(wave_requests(third)) == ["T2"]
    assert input_requests(third) == []
    new = wave_requests(third)["T2"].run_key
    assert new != old
    assert new == f"wave:T2:{study.wave_input_version(load_config(config_path), 'T2')}:after:none"
    assert third.dynamic_partitions_requests == []
    assert tick(instance, config_path, cursor=third.cursor).run_requests == []


def test_changed_partner_survey_requests_the_partner_reader_only(small_study, instance):
    from survey.partner_surveys import input_version

    config_path = small_study / "study.yaml"
    first = tick(instance, config_path)
    cfg = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    path = small_study / cfg["partner_surveys"][1]["file"]
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n", 1))      # any change of bytes
    second = tick(instance, config_path, cursor=first.cursor)
    assert wave_requests(second) == {}
    (inputs,) = input_requests(second)
    assert inputs.asset_selection == [dg.AssetKey("raw_partner_surveys"), dg.AssetKey("partner_codebook")]
    digest = input_version(load_config(config_path))
    assert inputs.run_key == f"partner_surveys:{digest}:after:none"
    assert tick(instance, config_path, cursor=second.cursor).run_requests == []


def test_wave_already_materialised_with_same_content_is_not_requested(small_study, instance):
    """A wave materialised by ``make run`` (same data version) is fresh: no run."""
    config_path = small_study / "study.yaml"
    config = load_config(config_path)
    instance.add_dynamic_partitions(WAVES.name, WAVE_IDS)
    instance.report_runless_asset_event(dg.AssetMaterialization(
        "raw_wave", partition="T0", tags={"dagster/data_version": study.wave_input_version(config, "T0")}))
    instance.report_runless_asset_event(dg.AssetMaterialization(
        "raw_wave", partition="T1", tags={"dagster/data_version": "an older version"}))
    result = tick(instance, config_path)
    assert sorted(wave_requests(result)) == ["T1", "T2"]
    assert wave_requests(result)["T1"].run_key.endswith(":after:an older version")
    assert result.dynamic_partitions_requests == []


def test_config_edit_requests_study_settings_only_and_partitions_follow_the_waves(small_study, instance):
    config_path = small_study / "study.yaml"
    first = tick(instance, config_path)
    cfg = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    cfg["analysis"]["p_adjust"] = "bonferroni" if cfg["analysis"].get("p_adjust") != "bonferroni" else "holm"
    config_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    second = tick(instance, config_path, cursor=first.cursor)
    assert wave_requests(second) == {}
    (inputs,) = input_requests(second)
    assert inputs.asset_selection == [dg.AssetKey("study_settings")]

    # a wave dropped from the configuration loses its partition; a configured wave whose
    # file has not arrived is registered (the panel waits for it) but not run
    cfg["waves"] = cfg["waves"][:2]
    cfg["analysis"]["comparisons"] = [c for c in cfg["analysis"]["comparisons"] if "T2" not in c]
    cfg["waves"][1]["file"] = "waves/not_delivered_yet.sav"
    config_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    third = tick(instance, config_path, cursor=second.cursor)
    assert [(type(r).__name__, list(r.partition_keys)) for r in third.dynamic_partitions_requests] \
        == [("DeleteDynamicPartitionsRequest", ["T2"])]
    assert sorted(instance.get_dynamic_partitions(WAVES.name)) == ["T0", "T1"]
    assert wave_requests(third) == {}
    assert "wave:T2" not in json.loads(third.cursor)


def test_a_file_in_the_inbox_that_no_wave_names_is_reported_in_the_tick(small_study, instance):
    """Issue 16: a file dropped next to the wave files without a study.yaml entry used to be
    ignored without a hint; the tick now names it (and requests nothing for it)."""
    config_path = small_study / "study.yaml"
    first = tick(instance, config_path)
    (small_study / "waves" / "jh_T3_dec2026.xlsx").write_bytes(b"PK\x03\x04")
    (small_study / "waves" / ".~lock.jh_T3_dec2026.xlsx#").write_bytes(b"x")
    result = tick(instance, config_path, cursor=first.cursor)
    assert not result.run_requests
    reason = result.skip_reason.skip_message
    assert "1 file(s) in the inbox that no wave names: jh_T3_dec2026.xlsx" in reason
    assert "python -m pipelines new-wave" in reason
