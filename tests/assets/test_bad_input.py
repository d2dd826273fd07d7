"""Bad input gets a clear error naming file, variable and rows or counts, and nothing
downstream is written."""

from __future__ import annotations

import pyreadstat
import pytest
import yaml

pytestmark = pytest.mark.slow


def _cfg(env):
    return yaml.safe_load(env.config.read_text(encoding="utf-8"))


def _save(env, cfg):
    env.config.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _nothing_downstream(env):
    out = env.out
    assert not (out / "data" / "processed" / "panel.parquet").exists()
    assert not list((out / "reports").rglob("report*.html")) if (out / "reports").exists() else True


def _rewrite_sav(path, change):
    df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    df = change(df)
    pyreadstat.write_sav(df, str(path), column_labels=meta.column_names_to_labels,
                         variable_value_labels=meta.variable_value_labels, missing_ranges=meta.missing_ranges)


def test_missing_wave_file(pipeline_env):
    cfg = _cfg(pipeline_env)
    (pipeline_env.study_dir / cfg["waves"][1]["file"]).unlink()
    report = pipeline_env.run()
    assert not report.success
    text = "\n".join(report.errors)
    assert "does not exist" in text and cfg["waves"][1]["file"].split("/")[-1] in text
    _nothing_downstream(pipeline_env)


def test_mapped_variable_absent(pipeline_env):
    cfg = _cfg(pipeline_env)
    raw_name = next(iter(cfg["waves"][0]["mapping"]))
    cfg["waves"][0]["mapping"] = {(raw_name + "x" if k == raw_name else k): v
                                  for k, v in cfg["waves"][0]["mapping"].items()}
    _save(pipeline_env, cfg)
    report = pipeline_env.run()
    assert not report.success
    text = "\n".join(report.errors)
    assert f"'{raw_name}x'" in text and f"did you mean '{raw_name}'" in text
    _nothing_downstream(pipeline_env)


def test_code_out_of_range_blocks_downstream(pipeline_env):
    cfg = _cfg(pipeline_env)
    wave = cfg["waves"][1]
    raw_name, item = next((k, v) for k, v in wave["mapping"].items() if v.startswith("who5_"))
    path = pipeline_env.study_dir / wave["file"]

    def change(df):
        df.loc[df.index[:3], raw_name] = 7.0
        return df

    _rewrite_sav(path, change)
    report = pipeline_env.run()
    assert not report.success
    failed = dict(report.failed_checks)
    key = next(k for k in failed if "allowed_codes" in k)
    assert "[T1]" in key
    assert f"{raw_name} -> {item}" in failed[key] and "3 value(s) outside" in failed[key]
    assert "expected 0–5" in failed[key]
    _nothing_downstream(pipeline_env)


def test_duplicate_participant_id_blocks_downstream(pipeline_env):
    cfg = _cfg(pipeline_env)
    wave = cfg["waves"][0]
    id_var = wave["id_variable"]

    def change(df):
        df.loc[df.index[1], id_var] = df.loc[df.index[0], id_var]
        return df

    _rewrite_sav(pipeline_env.study_dir / wave["file"], change)
    report = pipeline_env.run()
    assert not report.success
    failed = dict(report.failed_checks)
    key = next(k for k in failed if "unique_participant_ids" in k)
    assert "1 participant ID(s) occur more than once (2 rows)" in failed[key] and "rows 1, 2" in failed[key]
    _nothing_downstream(pipeline_env)


def test_config_typo(pipeline_env):
    cfg = _cfg(pipeline_env)
    cfg["analysis"]["primary_outcomes"] = ["who5_percent"]
    cfg["analysis"]["p_adjsut"] = "holm"
    _save(pipeline_env, cfg)
    from pipelines.config import ConfigError

    with pytest.raises(ConfigError, match=r"analysis.p_adjsut: unknown key \(did you mean 'p_adjust'\?\)"):
        pipeline_env.run()
    _nothing_downstream(pipeline_env)
