"""The release gate (pipelines/gates.py) on a tiny graph and a real temporary instance:
every way a blocking check above the release can fail to pass is reported, by name only."""

import dagster as dg
import pytest

from pipelines.gates import blocking_checks_not_passed

WAVES = dg.DynamicPartitionsDefinition(name="wave")
OUTCOME = {"wave": True, "panel": True}   # what the two blocking checks answer next


@dg.asset(partitions_def=WAVES)
def wave_data():
    return 1


@dg.asset_check(asset=wave_data, blocking=True, partitions_def=WAVES)
def codes_ok():
    return dg.AssetCheckResult(passed=OUTCOME["wave"], description="row 3 holds the secret value 99")


@dg.asset(deps=[wave_data], check_specs=[dg.AssetCheckSpec("ids_ok", asset="panel", blocking=True)])
def panel():
    yield dg.Output(2)
    yield dg.AssetCheckResult(passed=OUTCOME["panel"])


@dg.asset(check_specs=[dg.AssetCheckSpec("warn_only", asset="side", blocking=True)])
def side():
    yield dg.Output(3)
    yield dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


@dg.asset(deps=[panel, side])
def release():
    return 4


@dg.asset(check_specs=[dg.AssetCheckSpec("never_passes", asset="elsewhere", blocking=True)])
def elsewhere():
    yield dg.Output(5)
    yield dg.AssetCheckResult(passed=False)


DEFS = dg.Definitions(assets=[wave_data, panel, side, release, elsewhere], asset_checks=[codes_ok],
                      resources={"io_manager": dg.mem_io_manager})
GRAPH = DEFS.resolve_asset_graph()


@pytest.fixture
def instance(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as inst:
        inst.add_dynamic_partitions("wave", ["T0", "T1"])
        OUTCOME.update(wave=True, panel=True)
        yield inst


def run(instance, selection, partition=None):
    job = dg.define_asset_job("j", selection=selection)
    defs = dg.Definitions(assets=DEFS.assets, asset_checks=DEFS.asset_checks, jobs=[job],
                          resources={"io_manager": dg.mem_io_manager})
    return defs.resolve_job_def("j").execute_in_process(instance=instance, partition_key=partition,
                                                       raise_on_error=False)


def gate(instance):
    return blocking_checks_not_passed(instance, GRAPH, ["T0", "T1"], above=dg.AssetKey("release"))


def test_nothing_materialised_nothing_to_hold_back(instance):
    assert gate(instance) == []


def test_every_failure_above_the_release_is_named_and_only_those(instance):
    for w in ("T0", "T1"):
        assert run(instance, dg.AssetSelection.assets(wave_data), w).success
    assert run(instance, dg.AssetSelection.assets(panel, side, elsewhere)).success is False  # elsewhere fails
    assert gate(instance) == []          # a WARN result and a check below nothing released do not count

    OUTCOME["wave"] = False
    run(instance, dg.AssetSelection.assets(wave_data), "T1")
    problems = gate(instance)
    assert problems == ["wave_data[T1]:codes_ok failed"]
    assert "99" not in " ".join(problems) and "row" not in " ".join(problems)   # names only, never the description

    OUTCOME["wave"] = True
    run(instance, dg.AssetSelection.assets(wave_data), "T1")
    assert gate(instance) == []
    OUTCOME["panel"] = False
    run(instance, dg.AssetSelection.assets(panel))
    assert gate(instance) == ["panel:ids_ok failed"]


def test_a_check_that_did_not_run_on_the_latest_materialisation_holds_the_release(instance):
    for w in ("T0", "T1"):
        run(instance, dg.AssetSelection.assets(wave_data), w)
    run(instance, dg.AssetSelection.assets(panel, side))
    assert gate(instance) == []
    # materialised again without its check (possible from the UI): the check result is older
    assert run(instance, dg.AssetSelection.assets(wave_data).without_checks(), "T0").success
    assert gate(instance) == ["wave_data[T0]:codes_ok not evaluated on the latest materialisation"]
