"""Validate a study without materialising anything: configuration, mapping and raw files.

Every problem is collected (not just the first) with file, variable, expected vs found
and a suggestion.
"""

from __future__ import annotations

from pipelines import ingest, study
from pipelines.config import ConfigError, load_config


def validate(config_path=None) -> list[str]:
    """All problems of a study as readable lines (empty list: ready to run)."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return [str(exc)]
    problems: list[str] = []
    try:
        study.register_study_scales(config)
    except Exception as exc:  # a broken scale file is a problem to report, not a crash
        problems.append(f"scale declaration: {exc}")
        return problems
    import instruments

    known = set(instruments.available()["id"])
    for w in config.waves:
        unknown = [i for i in w.instruments if i not in known]
        if unknown:
            problems.append(f"wave {w.id}: unknown instrument(s) {unknown}; known: {sorted(known)}")
            continue
        path = config.wave_path(w.id)
        try:
            raw = ingest.read_wave(path)
        except ingest.WaveError as exc:
            problems.append(str(exc))
            continue
        try:
            h = ingest.harmonise(raw, w, study.dont_know_codes(w))
        except ingest.WaveError as exc:
            problems.append(str(exc))
            continue
        found = [
            *ingest.check_required(h.data, path.name, ["participant_id", "wave", *study.required_items(w)]),
            *ingest.check_unique_ids(h.data, path.name),
            *ingest.check_id_format(h.data, path.name, config.study.id_pattern),
            *ingest.check_codes(h.data, path.name, study.allowed_codes(w),
                                {item: raw_name for raw_name, item in w.mapping.items()}),
            *ingest.check_no_identifiers(raw.data, raw.codebook, path.name, w.id_variable),
        ]
        problems.extend(str(p) for p in found)
    if config.attendance is not None:
        try:
            ingest.read_attendance(config.resolve(config.attendance.file), config.attendance)
        except ingest.WaveError as exc:
            problems.append(str(exc))
    return problems
