"""A configured wave's file, read with the wave's settings (pure, no Dagster).

Joins :mod:`survey.readers` (formats) and the study configuration: the reading options
of a wave (``encoding``, ``delimiter``, ``decimal``, ``sheet``) and the ``value_labels``
that give CSV and Excel waves the categories the SPSS waves carry in their files.

Which value labels a variable gets
----------------------------------
1. The wave's own ``value_labels`` (key: raw variable name, or the canonical covariate /
   item name the wave maps it to) replace the file's labels of that variable.
2. The study's shared ``value_labels`` (same keys) label a variable only when its file has
   no value labels of its own (a CSV or Excel wave, or an unlabelled SPSS variable).

A label is written ``{code: Kvinna}`` or ``{code: {sv: Kvinna, en: Woman}}``: the ``sv``
text is the category (as the SPSS waves spell it), ``en`` its English name in the report.
"""

from __future__ import annotations

import hashlib
import json
from typing import cast

import numpy as np
import pandas as pd

from studyconfig.config import Label, Lang, StudyConfig, Wave
from survey import ingest


def read_options(wave: Wave) -> dict:
    """Keyword arguments of :func:`survey.ingest.read_wave` for a configured wave."""
    return {"encoding": wave.encoding, "delimiter": wave.delimiter, "decimal": wave.decimal, "sheet": wave.sheet,
            "id_variable": wave.id_variable}


def _raw_name(wave: Wave, key: str) -> str:
    by_canonical = {c: r for r, c in {**wave.mapping, **wave.covariates}.items()}
    return by_canonical.get(key, key)


def configured_value_labels(config: StudyConfig | None, wave: Wave,
                            file_labelled: set[str] | None = None) -> dict[str, dict]:
    """Raw variable -> {code: Label | str} that the configuration gives this wave.

    Parameters
    ----------
    config
        The study (its shared ``value_labels``); ``None``: only the wave's own.
    wave
        The wave.
    file_labelled
        Raw variables that have value labels in the file (shared labels skip them);
        ``None``: apply the shared labels to every variable they name.

    Examples
    --------
    >>> w = Wave.model_validate(dict(id="T2", label={"sv": "a", "en": "b"}, date="2025-12-01", file="t2.csv",
    ...     id_variable="kod", instruments=[], mapping={}, covariates={"kon": "gender"},
    ...     value_labels={"kon": {3: "Annat"}}))
    >>> sorted(configured_value_labels(None, w))
    ['kon']
    """
    out: dict[str, dict] = {}
    shared = config.value_labels if config is not None else {}
    for key, labels in shared.items():
        raw = _raw_name(wave, key)
        if file_labelled is not None and raw in file_labelled:
            continue
        out[raw] = dict(labels)
    for key, labels in wave.value_labels.items():
        out[_raw_name(wave, key)] = dict(labels)
    return out


def _label_text(label: Label | str) -> str:
    return label.sv if isinstance(label, Label) else str(label)


def apply_value_labels(codebook: pd.DataFrame, labels: dict[str, dict]) -> pd.DataFrame:
    """The codebook with ``labels`` (raw variable -> {code: label}) in place of the file's
    value labels of those variables (``label_source = "study.yaml"``); variables the file
    does not have are ignored."""
    if not labels:
        return codebook
    cb = codebook.copy()
    if "label_source" not in cb:
        cb["label_source"] = "file"
    present = set(cb["variable"].astype(str))
    parts = [cb[~cb["variable"].astype(str).isin(set(labels) & present)]]
    for var, codes in labels.items():
        if var not in present:
            continue
        old = cb[cb["variable"].astype(str) == var].iloc[0]
        declared = cb[(cb["variable"].astype(str) == var) & cb["user_missing"].astype(bool)]
        missing_values = set(declared["value"].dropna().astype(float))
        rows = []
        for code, label in codes.items():
            text = str(code) if isinstance(code, str) else pd.NA
            try:
                number = float(code)
            except (TypeError, ValueError):
                number = np.nan
            rows.append({**old.to_dict(), "value": number, "value_label": _label_text(label),
                         "user_missing": bool(number in missing_values), "value_text": text,
                         "label_source": "study.yaml"})
        parts.append(pd.DataFrame(rows, columns=cb.columns))
    out = pd.concat(parts, ignore_index=True)
    order = {v: i for i, v in enumerate(dict.fromkeys(codebook["variable"].astype(str)))}
    out = out.sort_values("variable", key=lambda s: s.astype(str).map(order), kind="stable").reset_index(drop=True)
    return out.astype({"value": "float64", "value_text": "string", "user_missing": bool})


def read_configured_wave(config: StudyConfig, wave: Wave | str, columns: list[str] | None = None,
                         hint: str = "wave") -> ingest.RawWave:
    """Read a configured wave's file with its settings and its ``value_labels`` applied.

    Returns
    -------
    survey.ingest.RawWave
        As :func:`survey.ingest.read_wave`; the codebook carries a ``label_source``
        column (``file`` or ``study.yaml``).
    """
    wave = config.wave(wave) if isinstance(wave, str) else wave
    return read_wave_file(config.wave_path(wave.id), wave, config, columns=columns, hint=hint)


def read_wave_file(path, wave: Wave, config: StudyConfig | None = None, columns: list[str] | None = None,
                   hint: str = "wave") -> ingest.RawWave:
    """:func:`read_configured_wave` for a file given by path (``config`` may be ``None``
    when the configuration is broken: only the wave's own value labels apply)."""
    raw = ingest.read_wave(path, columns=columns, hint=hint, **read_options(wave))
    cb = raw.codebook.assign(label_source="file")
    labelled = set(cb.dropna(subset=["value"])["variable"].astype(str)) | set(
        cb.dropna(subset=["value_text"])["variable"].astype(str))
    raw.codebook = apply_value_labels(cb, configured_value_labels(config, wave, labelled))
    return raw


def value_labels_fingerprint(config: StudyConfig, wave: Wave) -> str:
    """Hash of the shared value labels naming this wave's variables ("" when there are none),
    for the wave's data version."""
    names = {*wave.mapping, *wave.mapping.values(), *wave.covariates, *wave.covariates.values()}
    relevant = {k: {str(c): (v.model_dump() if isinstance(v, Label) else v) for c, v in labels.items()}
                for k, labels in config.value_labels.items() if k in names}
    if not relevant:
        return ""
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def category_translations(config: StudyConfig, lang: str) -> dict[str, str]:
    """Category -> its name in ``lang`` from every ``value_labels`` entry with ``{sv, en}``
    labels (the report's ``publishing.category_labels`` take precedence)."""
    out: dict[str, str] = {}
    tables = [config.value_labels, *[w.value_labels for w in config.waves]]
    for table in tables:
        for labels in table.values():
            for label in labels.values():
                if isinstance(label, Label):
                    out.setdefault(label.sv, getattr(label, lang))
    out.update(config.publishing.category_labels.get(cast(Lang, lang), {}))
    return out


def inbox_folders(config: StudyConfig) -> list:
    """The inbox: the folders that hold the configured wave files (for the real study
    ``data/raw/``; the example study's ``waves/``), in configuration order."""
    return list(dict.fromkeys(config.wave_path(w.id).parent for w in config.waves))


def unconfigured_files(config: StudyConfig) -> list:
    """Files in the inbox that look like wave files (a supported extension) but that no wave
    of the configuration names (the attendance register, hidden and temporary files aside).

    Examples
    --------
    >>> import tempfile, pathlib, shutil
    >>> from studyconfig.config import load_config
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = shutil.copytree(load_config().base_dir, d, dirs_exist_ok=True)
    >>> _ = (d / "waves" / "jh_T3_dec2026.csv").write_text("id\\n1\\n")
    >>> [p.name for p in unconfigured_files(load_config(d / "study.yaml"))]
    ['jh_T3_dec2026.csv']
    """
    from survey.readers import EXTENSIONS

    configured = {config.wave_path(w.id).resolve() for w in config.waves}
    if config.attendance is not None:
        configured.add(config.resolve(config.attendance.file).resolve())
    out = []
    for folder in inbox_folders(config):
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in EXTENSIONS \
                    and p.resolve() not in configured:
                out.append(p)
    return out
