"""Generate a small study, run the real pipeline on it, attack what it published, verify.

Used by ``test_attacker.py`` and by ``run_attacks.py`` (the summary table). One study:

1. ``tools.example_study.generate_study(out, participants=N, seed=S)``;
2. ``publishing.k_min_cell`` set to *k* in the generated ``study.yaml`` (and
   ``publishing.figure_formats: [svg]``: the attacker reads the SVG text, and PNG/PDF
   cost two thirds of the figure time);
3. ``pipelines.runner.run`` with its own output root and Dagster instance (as
   ``tests/conftest.py``'s ``PipelineEnv``);
4. :func:`attacks.attack` on ``reports/<year>/``, :func:`attacks.verify` against
   :class:`truth.StudyTruth`.

A run that fails is recorded with its error class (``crashed``), or as ``blocked`` when a
blocking check stopped it; neither counts as safe nor as recovered. What a failed run left
on disk is attacked as well and reported separately (``partial_*``).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

import attacks
from truth import StudyTruth

ERROR = re.compile(r"^(?P<step>[\w.\[\]/ -]+?): (?P<cls>[A-Z]\w*(?:Error|Exception|Failure)\w*)")


@contextlib.contextmanager
def environment(**env):
    """Set environment variables for the duration of a run, then restore them."""
    old = {k: os.environ.get(k) for k in [*env, "STUDY_CONFIG"]}
    os.environ.update({k: str(v) for k, v in env.items()})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def configure(study_yaml: Path, k: int, figure_formats=("svg",), protect_nonresponse: bool = False) -> None:
    """Set ``publishing.k_min_cell`` (and ``figure_formats``, ``protect_item_nonresponse``)
    in a generated study.yaml."""
    from tools.example_study import set_publishing

    settings: dict = {"k_min_cell": k}
    if figure_formats:
        settings["figure_formats"] = list(figure_formats)
    if protect_nonresponse:
        settings["protect_item_nonresponse"] = True
    set_publishing(study_yaml, **settings)


def error_class(errors: list[str], failed_checks: list) -> str:
    """``step: ErrorClass`` of the first error (never the message: it may quote data)."""
    for e in errors:
        m = ERROR.match(e)
        if m:
            return f"crashed: {m['step']}: {m['cls']}"
    if errors:
        return "crashed: unknown error"
    if failed_checks:
        return f"blocked: {failed_checks[0][0]}"
    return "crashed: unknown"


def attack_study(root: Path, participants: int, seed: int, k: int, figure_formats=("svg",),
                 attack_partial: bool = True, protect_nonresponse: bool = False) -> dict:
    """Generate, run, attack and verify one study under ``root``; one summary row."""
    from pipelines import runner
    from tools.example_study import generate_study

    root = Path(root)
    study = root / "study"
    t0 = time.perf_counter()
    generate_study(study, participants=participants, seed=seed, truth_n=2000)
    configure(study / "study.yaml", k, figure_formats, protect_nonresponse)
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    with environment(STUDY_CONFIG=study / "study.yaml", JH_OUTPUT_ROOT=root / "out",
                     DAGSTER_HOME=root / "dagster_home"):
        report = runner.run(study / "study.yaml", echo=lines.append)
    t_run = time.perf_counter() - t0
    status = "ok" if report.success else error_class(report.errors, report.failed_checks)
    return _attack(root, participants, seed, k, status, t_run, attack_partial)


def reattack_study(root: Path, participants: int, seed: int, k: int, attack_partial: bool = True) -> dict:
    """Attack a study kept by an earlier :func:`attack_study` again (its ``run.json``)."""
    import json

    run = json.loads((Path(root) / "run.json").read_text(encoding="utf-8"))
    return _attack(Path(root), participants, seed, k, run["status"], run["seconds_pipeline"], attack_partial)


def _attack(root: Path, participants: int, seed: int, k: int, status: str, t_run: float,
            attack_partial: bool) -> dict:
    from studyconfig.config import load_config

    study = root / "study"
    config = load_config(study / "study.yaml")
    folder = root / "out" / "reports" / str(config.study.evaluation_year)
    name = f"N={participants} seed={seed} k={k}"
    row = {"study": name, "participants": participants, "seed": seed, "k": k, "status": status,
           "seconds_pipeline": round(t_run, 1), "folder": str(folder), "recoveries": [], "refuted": [],
           "unattributed": [], "false_statements": [], "distinct": 0, "n_numbers": 0, "n_facts": 0}
    ok = status == "ok"
    if not ok and not (attack_partial and (folder / "tables").exists()):
        return row
    t1 = time.perf_counter()
    definition = "attendance" if config.recurring.definition == "attendance" else "both"
    rel = attacks.load_release(folder, k, primary_definition=definition)
    result = attacks.attack(rel)
    truth = StudyTruth(study / "study.yaml")
    recs, refuted, false = attacks.verify(result, truth, k, study=name)
    prefix = "" if ok else "partial_"
    row.update({f"{prefix}recoveries": recs, f"{prefix}distinct": attacks.distinct(recs, truth)})
    if ok:
        row.update({"refuted": refuted, "unattributed": result.unattributed, "false_statements": false,
                    "n_numbers": result.n_numbers, "n_facts": result.n_facts, "unmapped": result.unmapped,
                    "parsed": result.parsed, "n_comparisons": len(config.analysis.comparisons)})
    row["seconds_attack"] = round(time.perf_counter() - t1, 1)
    return row
