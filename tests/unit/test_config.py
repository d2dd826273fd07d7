"""Study configuration: validation messages name the file and every offending key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from studyconfig.config import ConfigError, load_config

BASE = {
    "study": {"name": "Test", "evaluation_year": 2025, "id_pattern": "^JH-[0-9A-Z]{6}$"},
    "waves": [
        {"id": "T0", "label": {"sv": "Baslinje", "en": "Baseline"}, "date": "2023-10-01", "file": "t0.sav",
         "id_variable": "kod", "instruments": ["who5"],
         "mapping": {"w1": "who5_01", "w2": "who5_02", "w3": "who5_03", "w4": "who5_04", "w5": "who5_05"}},
        {"id": "T1", "label": {"sv": "Uppföljning", "en": "Follow-up"}, "date": "2024-12-01", "file": "t1.sav",
         "id_variable": "kod", "instruments": ["who5"],
         "mapping": {"a1": "who5_01", "a2": "who5_02", "a3": "who5_03", "a4": "who5_04", "a5": "who5_05"}},
    ],
    "recurring": {"definition": "present_at_both"},
    "analysis": {"baseline_wave": "T0", "comparisons": [["T0", "T1"]], "primary_outcomes": ["who5_percent"]},
}


def write(tmp_path: Path, cfg: dict) -> Path:
    p = tmp_path / "study.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return p


def test_valid_config_loads_and_resolves_paths(tmp_path):
    cfg = load_config(write(tmp_path, BASE))
    assert cfg.wave_ids == ["T0", "T1"]
    assert cfg.wave_path("T1") == (tmp_path / "t1.sav").resolve()
    assert cfg.analysis.p_adjust == "holm" and cfg.publishing.k_min_cell == 5


def test_typo_in_key_is_named_with_suggestion(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["analysis"]["primary_outcome"] = bad["analysis"].pop("primary_outcomes")
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, bad))
    msg = str(e.value)
    assert "study.yaml" in msg
    assert "analysis.primary_outcome: unknown key (did you mean 'primary_outcomes'?)" in msg
    assert "analysis.primary_outcomes: Field required" in msg


def test_unknown_wave_in_comparison_is_reported(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["analysis"]["comparisons"] = [["T0", "T3"]]
    with pytest.raises(ConfigError, match=r"analysis.comparisons\[0\]: unknown wave 'T3'"):
        load_config(write(tmp_path, bad))


def test_non_canonical_item_name_and_duplicate_target(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["waves"][0]["mapping"]["w1"] = "who5_1"
    bad["waves"][0]["mapping"]["w2"] = "who5_03"
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, bad))
    assert "'w1' -> 'who5_1': not a canonical item name" in str(e.value)
    assert "several raw variables map to the same item(s) ['who5_03']" in str(e.value)


def test_mapped_instrument_must_be_declared(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["waves"][1]["mapping"]["g1"] = "gse_01"
    with pytest.raises(ConfigError, match="items of 'gse' are mapped but 'gse' is not in its instruments"):
        load_config(write(tmp_path, bad))


def test_attendance_definition_needs_register(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["recurring"] = {"definition": "attendance"}
    with pytest.raises(ConfigError, match="no attendance register is configured"):
        load_config(write(tmp_path, bad))


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")
    p = tmp_path / "broken.yaml"
    p.write_text("study: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(p)


def test_waves_must_be_in_date_order(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["waves"][1]["date"] = "2022-01-01"
    with pytest.raises(ConfigError, match="date order"):
        load_config(write(tmp_path, bad))


def test_environment_variable_selects_config(tmp_path, monkeypatch):
    p = write(tmp_path, BASE)
    monkeypatch.setenv("STUDY_CONFIG", str(p))
    assert load_config().study.name == "Test"


def test_identifier_exemptions_need_a_reason(tmp_path):
    ok = copy.deepcopy(BASE)
    ok["waves"][0]["identifier_exemptions"] = {"verkstad_namn": "names of the health workshops, not of people"}
    cfg = load_config(write(tmp_path, ok))
    assert cfg.wave("T0").identifier_exemptions == {"verkstad_namn": "names of the health workshops, not of people"}
    assert cfg.wave("T1").identifier_exemptions == {}
    bad = copy.deepcopy(BASE)
    bad["waves"][1]["identifier_exemptions"] = {"verkstad_namn": "ok", "kontakt": ""}
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, bad))
    msg = str(e.value)
    assert "waves.1.identifier_exemptions: give a reason (at least 10 characters) why [" in msg
    assert "'verkstad_namn'" in msg and "'kontakt'" in msg


def test_typo_in_exemption_key_gets_a_suggestion(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["waves"][0]["identifier_exemption"] = {"verkstad_namn": "names of the health workshops"}
    with pytest.raises(ConfigError, match=r"waves.0.identifier_exemption: unknown key "
                                          r"\(did you mean 'identifier_exemptions'\?\)"):
        load_config(write(tmp_path, bad))


def test_two_waves_reading_the_same_file(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["waves"][1]["file"] = "./t0.sav"
    with pytest.raises(ConfigError, match=r"waves T0 and T1 all read the file 't0.sav'; every wave needs its own file"):
        load_config(write(tmp_path, bad))


def test_unknown_instrument_id_is_named_with_suggestion(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["waves"][1]["instruments"] = ["who5", "gsee"]
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, bad))
    assert "waves[1] (T1).instruments[1]: unknown instrument 'gsee' (did you mean 'gse'?)" in str(e.value)


def test_instrument_typo_next_to_its_mapped_items(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["waves"][0]["instruments"] = ["who_5"]
    with pytest.raises(ConfigError, match=r"items of 'who5' are mapped but 'who5' is not in its instruments list "
                                          r"\(is 'who_5' a typo of 'who5'\?\)"):
        load_config(write(tmp_path, bad))


def test_scale_instruments_are_known_and_missing_scale_files_named(tmp_path):
    cfg = copy.deepcopy(BASE)
    (tmp_path / "scales").mkdir()
    # a complete scale file (an incomplete one is refused on load since issue 14: registering
    # it would otherwise fail in the middle of a run)
    (tmp_path / "scales" / "own.yaml").write_text(
        "id: own_scale\nversion: '1'\nname: {sv: Egen, en: Own}\ncitation: x\nlicence: x\nstatus: open\n"
        "n_items: 3\ncodes: {1: a, 2: b, 3: c}\naggregation: mean\nmin_valid: 2\n", encoding="utf-8")
    cfg["scales"] = ["scales/own.yaml"]
    cfg["waves"][1]["instruments"] = ["who5", "own_scale"]
    assert load_config(write(tmp_path, cfg)).wave("T1").instruments == ["who5", "own_scale"]
    (tmp_path / "scales" / "bad.yaml").write_text("id: bad_scale\nn_items: 3\n", encoding="utf-8")
    cfg["scales"] = ["scales/bad.yaml"]
    cfg["waves"][1]["instruments"] = ["who5", "bad_scale"]
    with pytest.raises(ConfigError, match=r"scales\[0\]: invalid scale file 'scales/bad.yaml': .*'codes'") as e:
        load_config(write(tmp_path, cfg))
    assert "unknown instrument" not in str(e.value)  # one error, not a cascade
    cfg["waves"][1]["instruments"] = ["who5", "own_scale"]
    cfg["scales"] = ["scales/onw.yaml"]
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, cfg))
    assert "scales[0]: scale file 'scales/onw.yaml' does not exist (did you mean 'own.yaml'?)" in str(e.value)
    assert "unknown instrument 'own_scale'" in str(e.value)


def test_csv_encoding_is_one_of_the_supported(tmp_path):
    cfg = copy.deepcopy(BASE)
    cfg["waves"][0]["encoding"] = "cp1252"
    assert load_config(write(tmp_path, cfg)).wave("T0").encoding == "cp1252"
    cfg["waves"][0]["encoding"] = "utf8"
    with pytest.raises(ConfigError, match=r"waves.0.encoding: Input should be 'utf-8', 'cp1252' or 'latin-1'"):
        load_config(write(tmp_path, cfg))


# -- partner surveys ---------------------------------------------------------------------

SYN_MAP = {f"syn{i}": f"e2_synergy_{i:02d}" for i in range(1, 6)}
PARTNER = {"year": 2024, "file": "p2024.csv", "group_variable": "grupp",
           "group_labels": {1: {"sv": "Hälsofrämjare", "en": "Health promoters"}},
           "instruments": ["e2_synergy"], "mapping": dict(SYN_MAP), "free_text": ["kommentar"],
           "missing_codes": {"default": {8: "dont_know", 9: "no_answer"}},
           "item_texts": {"e2_synergy_01": {"sv": "Nya lösningar", "en": "New solutions"}}}


def with_partners(*surveys, **publishing) -> dict:
    cfg = copy.deepcopy(BASE)
    cfg["partner_surveys"] = [copy.deepcopy(s) for s in surveys]
    if publishing:
        cfg["publishing"] = publishing
    return cfg


def partner(**changes) -> dict:
    return {**copy.deepcopy(PARTNER), **changes}


def test_partner_surveys_load_with_defaults(tmp_path):
    cfg = load_config(write(tmp_path, with_partners(partner(), partner(year=2025, file="p2025.csv",
                                                                        instruments=None))))
    p24, p25 = cfg.partner_surveys
    assert cfg.partner_survey(2025) is p25 and cfg.resolve(p24.file) == (tmp_path / "p2024.csv").resolve()
    assert p24.instrument_ids == ["e2_synergy"] and len(p25.instrument_ids) == 7
    assert p24.group_labels[1].en == "Health promoters" and p24.encoding == "utf-8"
    assert p24.missing_codes.for_variable("syn1") == {8: "dont_know", 9: "no_answer"}
    assert cfg.publishing.k_min_partner == 5
    with pytest.raises(KeyError, match="no partner survey for year 2026"):
        cfg.partner_survey(2026)


def test_the_example_study_declares_two_partner_surveys():
    cfg = load_config()
    assert [p.year for p in cfg.partner_surveys] == [2024, 2025]
    for p in cfg.partner_surveys:
        assert cfg.resolve(p.file).is_file() and len(p.mapping) == 47 and p.free_text


@pytest.mark.parametrize("key,typo,hint", [("group_variable", "group_varable", "group_variable"),
                                           ("item_texts", "item_text", "item_texts"),
                                           ("free_text", "freetext", "free_text")])
def test_partner_survey_key_typos_get_a_suggestion(tmp_path, key, typo, hint):
    p = partner()
    p[typo] = p.pop(key)
    with pytest.raises(ConfigError, match=rf"partner_surveys\.0\.{typo}: unknown key \(did you mean '{hint}'\?\)"):
        load_config(write(tmp_path, with_partners(p)))


def test_publishing_k_min_partner_minimum_and_typo(tmp_path):
    # (k_min_cell lowered too: the partner threshold may not be below the participants')
    assert load_config(write(tmp_path, with_partners(partner(), k_min_partner=3, k_min_cell=3))
                       ).publishing.k_min_partner == 3
    with pytest.raises(ConfigError, match=r"publishing.k_min_partner: Input should be greater than or equal to 3"):
        load_config(write(tmp_path, with_partners(partner(), k_min_partner=2)))
    with pytest.raises(ConfigError, match=r"unknown key \(did you mean 'k_min_partner'\?\)"):
        load_config(write(tmp_path, with_partners(partner(), k_min_partners=5)))


@pytest.mark.parametrize("changes,message", [
    ({"mapping": {**SYN_MAP, "grupp": "e2_synergy_06"}}, "group_variable 'grupp' must not also be mapped"),
    ({"mapping": {**SYN_MAP, "x": "e2_synergy_01"}}, r"several raw variables map to the same item\(s\) \['e2_synergy_01'\]"),
    ({"mapping": {**SYN_MAP, "x": "synergy 6"}}, "'x' -> 'synergy 6': not a canonical item name"),
    ({"free_text": ["syn1"]}, "free_text variable 'syn1' is also mapped"),
    ({"item_texts": {"e2_synergy_1": {"sv": "a", "en": "b"}}},
     r"item_texts: 'e2_synergy_1' is not a mapped item \(did you mean 'e2_synergy_01'\?\)"),
    ({"group_variable": None}, "group_labels are given but no group_variable"),
    ({"instruments": []}, "instruments is empty"),
    ({"mapping": {**SYN_MAP, "r1": "e2_relationships_01"}},
     "items of 'e2_relationships' are mapped but 'e2_relationships' is not among its instruments"),
    ({"year": 2015}, "year: Input should be greater than or equal to 2016"),
    ({"encoding": "utf8"}, "encoding: Input should be 'utf-8', 'cp1252' or 'latin-1'"),
    ({"file": "t0.sav"}, "partner survey 2024 reads the wave file 't0.sav'"),
])
def test_partner_survey_problems_are_named(tmp_path, changes, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, with_partners(partner(**changes))))


def test_partner_survey_years_unique_ordered_and_files_distinct(tmp_path):
    with pytest.raises(ConfigError, match=r"more than one survey for year\(s\) \[2024\]"):
        load_config(write(tmp_path, with_partners(partner(), partner(file="b.csv"))))
    with pytest.raises(ConfigError, match="partner_surveys must be listed in year order"):
        load_config(write(tmp_path, with_partners(partner(year=2025), partner(file="b.csv"))))
    with pytest.raises(ConfigError, match="partner surveys 2024 and 2025 both read the file 'p2024.csv'"):
        load_config(write(tmp_path, with_partners(partner(), partner(year=2025))))


def test_partner_survey_unknown_instrument_and_item_out_of_range(tmp_path):
    bad = partner(instruments=["e2_synergie"], mapping={"s1": "e2_synergie_01"}, item_texts={})
    with pytest.raises(ConfigError, match=r"partner_surveys\[0\] \(2024\)\.instruments\[0\]: unknown instrument "
                                          r"'e2_synergie' \(did you mean 'e2_synergy'\?\)"):
        load_config(write(tmp_path, with_partners(bad)))
    beyond = partner(mapping={**SYN_MAP, "syn6": "e2_synergy_06"})
    with pytest.raises(ConfigError, match=r"'syn6' -> 'e2_synergy_06': e2_synergy has items "
                                          r"e2_synergy_01\.\.e2_synergy_05"):
        load_config(write(tmp_path, with_partners(beyond)))


def test_identifier_exemption_of_a_partner_survey_needs_a_reason(tmp_path):
    with pytest.raises(ConfigError, match="give a reason"):
        load_config(write(tmp_path, with_partners(partner(identifier_exemptions={"kommentar": "ok"}))))
    ok = partner(identifier_exemptions={"ort": "names of city districts, not of people"})
    assert load_config(write(tmp_path, with_partners(ok))).partner_surveys[0].identifier_exemptions

def test_figure_formats_default_all_three_and_are_validated(tmp_path):
    assert load_config(write(tmp_path, BASE)).publishing.figure_formats == ["png", "svg", "pdf"]
    ok = copy.deepcopy(BASE)
    ok["publishing"] = {"figure_formats": ["svg"]}
    assert load_config(write(tmp_path, ok)).publishing.figure_formats == ["svg"]
    for bad_formats in ([], ["svg", "svg"], ["gif"]):
        bad = copy.deepcopy(BASE)
        bad["publishing"] = {"figure_formats": bad_formats}
        with pytest.raises(ConfigError, match="figure_formats"):
            load_config(write(tmp_path, bad))


def test_k_min_partner_is_never_below_k_min_cell(tmp_path):
    with pytest.raises(ConfigError, match=r"publishing.k_min_partner \(5\) is below publishing.k_min_cell \(10\)"):
        load_config(write(tmp_path, with_partners(partner(), k_min_cell=10)))
    assert load_config(write(tmp_path, with_partners(partner(), k_min_cell=10, k_min_partner=10)))
    # without partner surveys the partner threshold is not used, and not checked
    cfg = with_partners(k_min_cell=10)
    cfg.pop("partner_surveys")
    assert load_config(write(tmp_path, cfg)).publishing.k_min_cell == 10


@pytest.mark.parametrize("changes,message", [
    ({"group_labels": {}}, "group_variable 'grupp' needs group_labels"),
    ({"respondent_variable": "syn1"}, "respondent_variable 'syn1' is also mapped to an item"),
    ({"respondent_variable": "grupp"}, "respondent_variable 'grupp' is also the group_variable"),
    ({"respondent_variable": "kommentar"}, "respondent_variable 'kommentar' is also a free_text variable"),
])
def test_partner_group_labels_and_respondent_variable(tmp_path, changes, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, with_partners(partner(**changes))))
    assert load_config(write(tmp_path, with_partners(partner(respondent_variable="lopnr")))
                       ).partner_surveys[0].respondent_variable == "lopnr"


def test_analysis_policies_are_configuration_with_the_documented_defaults(tmp_path):
    cfg = load_config(write(tmp_path, BASE))
    a = cfg.analysis
    assert (a.subgroup_variables, a.imputations, a.min_valid_score_rate) == (
        ["workshop", "gender", "language"], 20, 0.80)
    good = copy.deepcopy(BASE)
    good["analysis"].update(subgroup_variables=["age_group"], imputations=50, min_valid_score_rate=0.6)
    a = load_config(write(tmp_path, good)).analysis
    assert (a.subgroup_variables, a.imputations, a.min_valid_score_rate) == (["age_group"], 50, 0.6)
    for key, value, message in [("subgroup_variables", ["postcode"], "postcode: not a covariate"),
                                ("subgroup_variables", ["gender", "gender"], "listed twice"),
                                ("imputations", 1, "analysis.imputations"),
                                ("min_valid_score_rate", 1.5, "analysis.min_valid_score_rate")]:
        bad = copy.deepcopy(BASE)
        bad["analysis"][key] = value
        with pytest.raises(ConfigError, match=message):
            load_config(write(tmp_path, bad))
