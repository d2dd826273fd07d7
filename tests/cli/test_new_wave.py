"""`python -m pipelines new-wave FILE`: the example T2 file, treated as a new wave of a
study that only knows T0 and T1, gets (almost) its real mapping proposed."""

from __future__ import annotations

import re

import pyreadstat
import pytest
import yaml

from pipelines.cli import main
from studyconfig.config import load_config
from survey import new_wave, validate


def _without_t2(study_dir):
    """The study configuration with wave T2 removed; returns (config path, T2's real entry)."""
    path = study_dir / "study.yaml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    t2 = next(w for w in cfg["waves"] if w["id"] == "T2")
    cfg["waves"] = [w for w in cfg["waves"] if w["id"] != "T2"]
    cfg["analysis"]["comparisons"] = [c for c in cfg["analysis"]["comparisons"] if "T2" not in c]
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, t2


def _share_correct(proposal, truth: dict) -> float:
    return sum(proposal.mapping.get(raw) == item for raw, item in truth.items()) / len(truth)


def test_t2_as_new_wave(small_study):
    cfg_path, t2 = _without_t2(small_study)
    config = load_config(cfg_path)
    p = new_wave.propose_wave(config, small_study / "waves/jh_T2_dec2025.sav")
    assert _share_correct(p, t2["mapping"]) >= 0.95
    assert p.id_variable.variable == t2["id_variable"]
    assert {m.variable: m.target for m in p.covariates} == t2["covariates"]
    assert p.wave_id == "T2" and p.file == t2["file"]
    assert p.instruments == t2["instruments"]
    assert p.missing_default == {8: "dont_know", 9: "no_answer"}
    assert p.missing_by_variable["q3_eqvas"] == {998: "dont_know", 999: "no_answer"}
    assert {v.name for v in p.unmapped} == {"svarsdatum", "intervjuarstod", "svarsform"}

    # the proposal is valid YAML and, added to the study, gives a study that validates
    entry = yaml.safe_load(new_wave.render_yaml(p))
    assert isinstance(entry, list) and entry[0]["mapping"] == p.mapping
    cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    cfg["waves"].append(entry[0])
    cfg["analysis"]["comparisons"].append(["T0", "T2"])
    cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = validate.run_validation(cfg_path)
    assert report.ok, report.render()


def test_changed_labels_are_matched_and_marked(small_study):
    """Next year's file: new variable names, labels reworded a little, one new question."""
    cfg_path, t2 = _without_t2(small_study)
    src = small_study / "waves/jh_T2_dec2025.sav"
    df, meta = pyreadstat.read_sav(str(src), user_missing=True)
    rename = {c: f"v{i:03d}" for i, c in enumerate(df.columns)}
    labels = {}
    for c, lab in meta.column_names_to_labels.items():
        lab = lab or ""
        lab = re.sub(r"^(WHOQOL-BREF \d+): Hur ", r"\1. hur ", lab)   # punctuation and case change
        lab = re.sub(r"^WHO-5 \d, senaste två veckorna: jag har", "Under de senaste 14 dagarna har jag", lab)
        labels[rename[c]] = lab
    df = df.rename(columns=rename)
    df["v999"] = 1.0
    labels["v999"] = "Har du deltagit i en hälsocirkel?"
    new = small_study / "waves/jh_T3_dec2026.sav"
    pyreadstat.write_sav(df, str(new), column_labels=labels,
                         variable_value_labels={rename[k]: v for k, v in meta.variable_value_labels.items()},
                         missing_ranges={rename[k]: v for k, v in meta.missing_ranges.items()})
    config = load_config(cfg_path)
    p = new_wave.propose_wave(config, new, wave_id="T3")
    truth = {rename[raw]: item for raw, item in t2["mapping"].items()}
    assert _share_correct(p, truth) >= 0.95
    assert "v999" in {v.name for v in p.unmapped}
    text = new_wave.render_yaml(p)
    who5 = [m for m in p.items if m.target.startswith("who5_")]
    assert sum(m.uncertain for m in who5) == 4  # the 4 reworded labels are flagged (item 5 unchanged)
    assert all(p.mapping[m.variable] == truth[m.variable] for m in who5)
    assert re.search(r"who5_01  # check: similarity 0\.\d\d", text)
    assert "#   v999: Har du deltagit i en hälsocirkel?" in text


def test_cli_writes_proposal(small_study, tmp_path, capsys):
    cfg_path, _ = _without_t2(small_study)
    out = tmp_path / "t2.yaml"
    status = main(["new-wave", str(small_study / "waves/jh_T2_dec2025.sav"), "--config", str(cfg_path),
                   "--out", str(out), "--id", "T2", "--date", "2025-12-09"])
    assert status == 0
    entry = yaml.safe_load(out.read_text(encoding="utf-8"))[0]
    assert entry["id"] == "T2" and str(entry["date"]) == "2025-12-09"
    err = capsys.readouterr().err
    assert "72 item(s)" in err and "unmapped" in err


@pytest.mark.parametrize("args", [["no/such/file.sav"], ["x.sav", "--date", "9 December"]])
def test_cli_usage_errors(small_study, args):
    assert main(["new-wave", *args, "--config", str(small_study / "study.yaml")]) == 2
