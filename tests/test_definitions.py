"""Definitions snapshot: the code location loads and its graph is exactly the one reviewed.

An asset or check added, renamed or removed makes this test fail, so graph changes show up
in review. After an intended change, regenerate the two lists with

    .venv/bin/python tests/test_definitions.py

and paste its output over ``EXPECTED_ASSETS`` and ``EXPECTED_CHECKS``.
"""

from __future__ import annotations

import dagster as dg
import pytest

GROUPS = {"ingest", "scoring", "analysis", "publishing"}

EXPECTED_ASSETS = [
    "attendance",
    "attrition",
    "categorical_change",
    "dose_response_terms",
    "effect_sizes",
    "eq5d_auc",
    "eq5d_pchc",
    "eq5d_problem_shares",
    "eq5d_profile",
    "evaluation_report",
    "figure_change_over_waves",
    "figure_distributions",
    "figure_dose_response",
    "figure_effect_sizes_forest",
    "figure_eq5d_pchc",
    "figure_eq5d_problems",
    "figure_eq5d_profile",
    "figure_health_literacy_levels",
    "figure_individual_trajectories",
    "figure_model_means",
    "figure_participant_flow",
    "figure_partner_scale_means",
    "figure_responders",
    "harmonised_partner_surveys",
    "harmonised_wave",
    "health_literacy_levels",
    "item_missingness",
    "mixed_model_glance",
    "mixed_model_means",
    "mixed_model_terms",
    "outcome_distributions",
    "panel",
    "participant_flow",
    "partner_codebook",
    "partner_group_summary",
    "partner_item_missingness",
    "partner_respondents",
    "partner_scale_summary",
    "partner_trend",
    "prepost_tests",
    "programme_reach",
    "published/attrition",
    "published/categorical_change",
    "published/collected_categories",
    "published/dose_response_terms",
    "published/effect_sizes",
    "published/eq5d_auc",
    "published/eq5d_pchc",
    "published/eq5d_problem_shares",
    "published/eq5d_profile",
    "published/health_literacy_levels",
    "published/mixed_model_means",
    "published/mixed_model_terms",
    "published/outcome_distributions",
    "published/participant_flow",
    "published/partner_group_summary",
    "published/partner_respondents",
    "published/partner_scale_summary",
    "published/partner_trend",
    "published/prepost_tests",
    "published/programme_reach",
    "published/reliability",
    "published/responders",
    "published/sensitivity_estimates",
    "published/subgroup_estimates",
    "published/table1",
    "published/wave_summaries",
    "published_categories",
    "published_release",
    "raw_codebook",
    "raw_partner_surveys",
    "raw_wave",
    "recurring_cohort",
    "responders",
    "score_valid_rates",
    "scored_partner_surveys",
    "scored_wave",
    "sensitivity_estimates",
    "study_settings",
    "subgroup_estimates",
    "table1",
    "wave_codebook",
    "wave_codebook_report",
    "wave_reliability",
    "wave_summaries",
]

EXPECTED_CHECKS = [
    "evaluation_report:report_disclosure",
    "harmonised_partner_surveys:allowed_codes",
    "harmonised_partner_surveys:codebook_matches_config",
    "harmonised_partner_surveys:partner_groups",
    "harmonised_partner_surveys:required_variables",
    "harmonised_partner_surveys:unique_respondents",
    "harmonised_wave:allowed_codes",
    "harmonised_wave:codebook_matches_config",
    "harmonised_wave:instruments_answered",
    "harmonised_wave:linked_to_other_waves",
    "harmonised_wave:participant_id_format",
    "harmonised_wave:required_variables",
    "harmonised_wave:unique_participant_ids",
    "panel:categories_consistent",
    "panel:id_format_consistent",
    "panel:linkage_rate",
    "published/attrition:published_tables_disclosure",
    "published/categorical_change:published_tables_disclosure",
    "published/collected_categories:published_tables_disclosure",
    "published/dose_response_terms:published_tables_disclosure",
    "published/effect_sizes:published_tables_disclosure",
    "published/eq5d_auc:published_tables_disclosure",
    "published/eq5d_pchc:published_tables_disclosure",
    "published/eq5d_problem_shares:published_tables_disclosure",
    "published/eq5d_profile:published_tables_disclosure",
    "published/health_literacy_levels:published_tables_disclosure",
    "published/mixed_model_means:published_tables_disclosure",
    "published/mixed_model_terms:published_tables_disclosure",
    "published/outcome_distributions:published_tables_disclosure",
    "published/participant_flow:published_tables_disclosure",
    "published/partner_group_summary:published_tables_disclosure",
    "published/partner_respondents:published_tables_disclosure",
    "published/partner_scale_summary:published_tables_disclosure",
    "published/partner_trend:published_tables_disclosure",
    "published/prepost_tests:published_tables_disclosure",
    "published/programme_reach:published_tables_disclosure",
    "published/reliability:published_tables_disclosure",
    "published/responders:published_tables_disclosure",
    "published/sensitivity_estimates:published_tables_disclosure",
    "published/subgroup_estimates:published_tables_disclosure",
    "published/table1:published_tables_disclosure",
    "published/wave_summaries:published_tables_disclosure",
    "raw_partner_surveys:no_direct_identifiers",
    "raw_wave:no_direct_identifiers",
    "scored_wave:valid_score_rates",
]


def _graph():
    from pipelines.definitions import defs

    return defs, defs.resolve_asset_graph()


def asset_keys() -> list[str]:
    """Sorted user strings of every materialisable asset of the code location."""
    return sorted(k.to_user_string() for k in _graph()[1].materializable_asset_keys)


def check_keys() -> list[str]:
    """Sorted ``asset:check`` strings of every asset check of the code location."""
    return sorted(k.to_user_string() for k in _graph()[1].asset_check_keys)


def test_definitions_load_with_jobs_and_sensors():
    defs, _ = _graph()
    defs.validate_loadable(defs)
    assert sorted(s.name for s in defs.sensors) == ["cross_wave_automation", "wave_inbox_sensor"]
    assert {j.name for j in defs.resolve_all_job_defs()} >= {"wave_job", "cross_wave_job"}


def test_the_two_stage_jobs_select_every_asset_once_with_its_checks():
    """``python -m pipelines run`` executes these jobs: each asset belongs to exactly one."""
    from pipelines.jobs import CROSS_WAVE_JOB, WAVE_JOB

    defs, graph = _graph()
    wave, cross = defs.resolve_job_def(WAVE_JOB), defs.resolve_job_def(CROSS_WAVE_JOB)
    selected = {name: job.asset_layer.asset_graph.executable_asset_keys for name, job in
                ((WAVE_JOB, wave), (CROSS_WAVE_JOB, cross))}
    assert not selected[WAVE_JOB] & selected[CROSS_WAVE_JOB]
    assert selected[WAVE_JOB] | selected[CROSS_WAVE_JOB] == graph.materializable_asset_keys
    assert selected[WAVE_JOB] == {k for k in graph.materializable_asset_keys if graph.get(k).partitions_def}
    checks = set(wave.asset_layer.asset_graph.asset_check_keys) | set(cross.asset_layer.asset_graph.asset_check_keys)
    assert checks == set(graph.asset_check_keys)
    assert wave.partitions_def is not None and cross.partitions_def is None
    assert wave.executor_def.name == cross.executor_def.name == "in_process"


def test_a_partitioned_asset_outside_the_wave_stage_is_refused():
    from pipelines.jobs import stage_jobs
    from pipelines.partitions import WAVES

    @dg.asset(partitions_def=WAVES)
    def stray_partitioned():
        return 1

    with pytest.raises(ValueError, match="stray_partitioned"):
        stage_jobs([stray_partitioned])


def test_asset_keys_snapshot():
    assert asset_keys() == EXPECTED_ASSETS


def test_check_keys_snapshot():
    assert check_keys() == EXPECTED_CHECKS


def test_every_asset_has_group_owner_description_and_code_version():
    _, graph = _graph()
    problems = []
    for key in sorted(graph.materializable_asset_keys):
        node = graph.get(key)
        name = key.to_user_string()
        if node.group_name not in GROUPS:
            problems.append(f"{name}: group {node.group_name!r}")
        if not [o for o in node.owners if o.startswith("team:")]:
            problems.append(f"{name}: no owning team")
        if not (node.description or "").strip():
            problems.append(f"{name}: no description")
        if not node.code_version:
            problems.append(f"{name}: no code_version")
    assert problems == []


def test_wave_assets_are_partitioned_and_cross_wave_assets_follow_them():
    from pipelines.partitions import WAVES
    from pipelines.sensors import INPUT_ASSETS, INPUT_COMPANIONS, WAVE_ASSET_KEYS

    _, graph = _graph()
    partitioned = {k for k in graph.materializable_asset_keys if graph.get(k).partitions_def is not None}
    assert partitioned == set(WAVE_ASSET_KEYS)
    assert all(graph.get(k).partitions_def == WAVES for k in partitioned)
    roots = {k for k in graph.materializable_asset_keys - partitioned if not graph.get(k).parent_keys}
    # roots read input files (the sensor watches them): the configuration, the attendance
    # register and the partner surveys (with partner_codebook, the other output of their reader)
    assert roots == set(INPUT_ASSETS.values()) | {k for ks in INPUT_COMPANIONS.values() for k in ks}
    from pipelines.sensors import ON_REQUEST

    for key in graph.materializable_asset_keys - partitioned - roots - ON_REQUEST:
        assert isinstance(graph.get(key).automation_condition, dg.AutomationCondition), key
    # the annual report and its release are built on request only (issue 17)
    assert not [k for k in partitioned | roots | ON_REQUEST if graph.get(k).automation_condition is not None]
    assert ON_REQUEST == {dg.AssetKey("evaluation_report"), dg.AssetKey("published_release")}


if __name__ == "__main__":  # print the snapshot lists for pasting
    import warnings

    warnings.filterwarnings("ignore")
    for name, keys in (("EXPECTED_ASSETS", asset_keys()), ("EXPECTED_CHECKS", check_keys())):
        print(f"{name} = [")
        for k in keys:
            print(f'    "{k}",')
        print("]\n")
