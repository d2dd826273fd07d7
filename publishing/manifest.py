"""Provenance manifest of a published report (``reports/<year>/manifest.json``).

The manifest records what the outputs were made from and with: sha256 of every input
file and of the configuration, the git commit (and whether the working tree had
uncommitted changes), the hash of ``requirements.lock``, Python and direct-dependency
versions, EQ-5D value sets and instrument spec versions, the Dagster run id, and the
sha256 of every output. Only the manifest carries a timestamp and the run id, so every
other output is byte-identical across runs on the same inputs.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

import instruments
from studyconfig.config import PROJECT_ROOT, StudyConfig
from survey.fsutil import atomic_write_text, is_temp_file, sha256_file

DISTRIBUTION = "jamlik-halsa-evaluation"
MANIFEST_NAME = "manifest.json"


def input_files(config: StudyConfig, config_path: Path) -> list[dict]:
    """Every input file with its role, path relative to the configuration, and sha256.

    Returns
    -------
    list of dict
        ``{"role", "file", "sha256"}`` for the configuration, each wave file, the
        attendance register, each partner survey, each user-declared scale file and each
        researcher-written report text (``sha256`` is ``None`` for a missing file).
    """
    base = Path(config_path).resolve().parent
    entries = [("configuration", Path(config_path).resolve())]
    entries += [(f"wave {w.id}", config.wave_path(w.id)) for w in config.waves]
    if config.attendance is not None:
        entries.append(("attendance register", config.resolve(config.attendance.file)))
    entries += [(f"partner survey {p.year}", config.resolve(p.file)) for p in config.partner_surveys]
    entries += [("scale", p) for p in config.scale_paths()]
    entries += [(f"report text {section} ({lang})", config.resolve(rel))
                for section, by_lang in config.report.texts.items() for lang, rel in by_lang.items()]
    out = []
    for role, p in entries:
        try:
            rel = str(p.resolve().relative_to(base))
        except ValueError:
            rel = p.name
        out.append({"role": role, "file": rel, "sha256": sha256_file(p) if p.exists() else None})
    return out


def git_info(repo: Path = PROJECT_ROOT) -> dict:
    """``{"commit": sha or None, "dirty": bool or None}``; tolerates a missing git or repository."""
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=20, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=60, check=True).stdout
        return {"commit": commit or None, "dirty": bool(status.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def package_versions() -> dict[str, str | None]:
    """Python and the installed versions of the project's direct dependencies."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    try:
        reqs = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        reqs = []
    for r in reqs:
        if "extra ==" in r:
            continue
        name = re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0]
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return dict(sorted(out.items()))


def lock_hash(path: Path = PROJECT_ROOT / "requirements.lock") -> str | None:
    return sha256_file(path) if path.exists() else None


def instrument_versions(config: StudyConfig) -> list[dict]:
    """Each instrument used by any wave or partner survey: id, spec version, DOI and rule status."""
    used = list(dict.fromkeys([*(i for w in config.waves for i in w.instruments),
                               *(i for p in config.partner_surveys for i in p.instrument_ids)]))
    out = []
    for i in used:
        s = instruments.spec(i)
        out.append({"id": i, "version": str(s.version), "doi": s.doi, "status": s.status})
    return out


def value_sets(config: StudyConfig) -> dict:
    """EQ-5D value sets known to the instrument library (id → DOI) and the one used."""
    vs = instruments.value_sets()
    return {"used": config.analysis.eq5d_value_set,
            "available": {str(r.id): (str(r.doi) if isinstance(r.doi, str) else None) for r in vs.itertuples()}}


def provenance(config: StudyConfig, config_path: Path) -> dict:
    """The run-independent part of the manifest (also printed in the report appendix)."""
    return {
        "study": config.study.name,
        "evaluation_year": config.study.evaluation_year,
        "inputs": input_files(config, config_path),
        "config_sha256": sha256_file(Path(config_path)),
        "git": git_info(),
        "requirements_lock_sha256": lock_hash(),
        "packages": package_versions(),
        "instruments": instrument_versions(config),
        "eq5d_value_sets": value_sets(config),
        "publishing": {"k_min_cell": config.publishing.k_min_cell,
                       "k_min_partner": config.publishing.k_min_partner,
                       "languages": list(config.publishing.languages),
                       "allow_internal_outputs": config.publishing.allow_internal_outputs},
    }


def output_hashes(year_dir: Path) -> dict[str, str]:
    """sha256 of every file under ``year_dir`` except the manifest, by relative path.

    Temporary files of an interrupted or concurrent write (:func:`survey.fsutil.is_temp_file`)
    are not outputs and are left out.
    """
    year_dir = Path(year_dir)
    return {p.relative_to(year_dir).as_posix(): sha256_file(p) for p in sorted(year_dir.rglob("*"))
            if p.is_file() and p.name != MANIFEST_NAME and not is_temp_file(p)}


def write_manifest(year_dir: Path, prov: dict, run_id: str | None, now: dt.datetime | None = None) -> Path:
    """Write ``manifest.json`` (atomically): the provenance plus run id, time and output hashes."""
    manifest = {
        "manifest_version": 1,
        "generated_at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "run_id": run_id,
        **prov,
        "outputs": output_hashes(year_dir),
    }
    return atomic_write_text(Path(year_dir) / MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def fixed_date(config: StudyConfig) -> dt.datetime:
    """The date stamped into documents (DOCX core properties, zip entries): the last wave's
    date, so it changes only when the data do."""
    d = max(w.date for w in config.waves)
    return dt.datetime(d.year, d.month, d.day, 12, 0, 0)
