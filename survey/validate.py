"""Validate a study without materialising anything: configuration, mapping and raw files.

``python -m pipelines validate`` calls :func:`validate` and prints every finding at once,
grouped by file, each with the variable, what was expected and found, and a suggestion.
Nothing stops at the first problem: a configuration error in one wave does not hide the
file problems of the others, a missing wave file does not hide the other waves, and a
broken scale file is reported next to everything else.

Findings are *errors* (the pipeline would fail, or would silently compute something
wrong), *warnings* (worth a look, e.g. missing-code declarations that differ from the
SPSS file's user-missing declarations) or *notes* (information, e.g. a variable exempted
from the identifier guard, with its reason). The per-wave checks are the pipeline's own
functions in :mod:`survey.ingest`, so validate and a run report the same problems.
Messages hold file names, variable names, counts and row numbers, never participant IDs
or answers.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
from pydantic import ValidationError

from privacy import identifiers
from privacy import problems as msg
from studyconfig.config import (
    DEFAULT_CONFIG,
    Attendance,
    ConfigError,
    ConfigIssue,
    StudyConfig,
    Wave,
    _format_validation_error,
    config_issues,
    instrument_option_issues,
    load_config,
    path_issues,
    read_yaml,
)
from survey import categories, ingest, missing_declarations, readers, wavefiles

ERROR, WARNING, NOTE = "error", "warning", "note"
#: share of the configured variables absent from a file above which the file itself is suspect
SWAPPED_SHARE = 0.5


#: The project's one finding type (:class:`privacy.problems.Problem`, the ingest checks'
#: too); validation fills in its ``wave``.
Finding = msg.Problem


def finding(severity: str, file: str, check: str, message: str, variable: str | None = None,
            expected: str | None = None, found: str | None = None, suggestion: str | None = None,
            wave: str | None = None) -> Finding:
    """A validation finding, severity first (as the checks below read best)."""
    return Finding(file=file, check=check, message=message, variable=variable, expected=expected, found=found,
                   suggestion=suggestion, severity=severity, wave=wave)


def _of_wave(p: Finding, wave: str | None, severity: str | None = None) -> Finding:
    """An ingest problem as a finding of ``wave`` (optionally at another severity)."""
    return replace(p, wave=wave, severity=severity or p.severity)


@dataclass
class Report:
    """All findings of one validation run."""

    config_path: Path
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == NOTE]

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors

    def render(self) -> str:
        """Findings grouped by file, then a one-line summary."""
        lines: list[str] = []
        groups: dict[str, list[Finding]] = {}
        for f in self.findings:
            groups.setdefault(f.file, []).append(f)
        for file, fs in groups.items():
            waves = sorted({f.wave for f in fs if f.wave})
            lines.append(f"{file}" + (f" (wave {', '.join(waves)})" if waves else ""))
            lines.extend(f"  - {f.line()}" for f in fs)
        n_e, n_w, n_n = len(self.errors), len(self.warnings), len(self.notes)
        if not self.findings:
            lines.append(f"{self.config_path}: no problems found")
        else:
            lines.append(f"{n_e} error(s), {n_w} warning(s)" + (f", {n_n} note(s)" if n_n else "")
                         + ("" if n_e else ": the study can be run"))
        return "\n".join(lines)


def _close(word: str, choices, n: int = 1) -> str | None:
    hits = difflib.get_close_matches(str(word), [str(c) for c in choices], n=n, cutoff=0.6)
    return hits[0] if hits else None


def _close_file(name: str, names) -> str | None:
    """The closest file name, unless its name holds an identifier (it is then never shown)."""
    from privacy.identifiers import file_name_problem

    return _close(name, [n for n in names if file_name_problem(n) is None])


def _did_you_mean(word: str, choices) -> str | None:
    hit = _close(word, choices)
    return f"did you mean {hit!r}?" if hit else None


def _did_you_mean_name(word: str, names) -> str | None:
    """As :func:`_did_you_mean`, for names read from a file (quoted only when they are names)."""
    hit = _close(word, names)
    return f"did you mean {identifiers.shown_name(hit)}?" if hit else None


def _shown(names, n: int = 10) -> str:
    names = list(names)
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


# -- the configuration -----------------------------------------------------------------


def _config_findings(path: Path) -> tuple[dict | None, StudyConfig | None, list[Finding]]:
    """Parse the YAML and validate it; every schema error is its own finding."""
    name = path.name
    if not path.exists():
        sibling = _close_file(name, [p.name for p in path.parent.glob("*.y*ml")]) if path.parent.exists() else None
        return None, None, [finding(ERROR, name, "config", f"study configuration {path} does not exist",
                                    suggestion=f"did you mean {sibling!r}?" if sibling else
                                    "pass --config PATH or set STUDY_CONFIG")]
    try:
        raw = read_yaml(path)
    except ConfigError as exc:
        msg = str(exc).removeprefix(f"{path}: ")
        return None, None, [finding(ERROR, name, "config", msg,
                                    suggestion=None if "anchors and aliases" in msg else
                                    "check indentation and quotes around the reported line")]
    if not isinstance(raw, dict):
        return None, None, [finding(ERROR, name, "config", "expected a mapping at the top level")]
    try:
        return raw, StudyConfig.model_validate({**raw, "base_dir": path.parent}), []
    except ValidationError as err:
        lines = _format_validation_error(path, err).splitlines()[1:]
        findings = []
        for line in lines:
            text = line.strip().removeprefix("- ")
            loc, _, msg = text.partition(": ")
            hint = re.search(r"\((did you mean [^)]*)\)", msg)
            findings.append(finding(ERROR, name, "config", msg.replace(hint.group(0), "").strip() if hint else msg,
                                    variable=None if loc.startswith("(") else loc, suggestion=hint.group(1) if hint else None))
        return raw, None, findings


#: issue kinds validate reports through its own, more detailed findings (scale files are
#: registered by ``_scale_findings``; unknown instruments by ``_wave_findings``)
_OWN_KINDS = {"scale", "instrument"}


def _issue_findings(issues: list[ConfigIssue], name: str) -> list[Finding]:
    """Findings with the same location and message as ``load_config``'s refusal."""
    return [finding(i.severity, name, "config", i.message, variable=i.where) for i in issues
            if i.kind not in _OWN_KINDS]


def _raw_issue_findings(raw: dict, base: Path, name: str) -> list[Finding]:
    """The checks of :func:`studyconfig.config.config_issues` that can be made on a
    configuration that failed the schema (its files and instrument options), so that one
    error does not hide the others."""
    import instruments

    issues: list[ConfigIssue] = []
    scales = [s for s in raw.get("scales") or [] if isinstance(s, str)] if isinstance(raw.get("scales"), list) else []
    specs = {}
    for rel in scales:
        try:
            sp = instruments.load_scale(_resolve(base, rel))
            specs[sp.id] = sp
        except Exception:  # noqa: BLE001 - reported by _scale_findings
            continue
    options = raw.get("instrument_options")
    if isinstance(options, dict) and all(isinstance(k, str) and isinstance(v, dict) for k, v in options.items()):
        analysis = cast(dict, raw.get("analysis")) if isinstance(raw.get("analysis"), dict) else {}
        vs = analysis.get("eq5d_value_set")
        issues += instrument_option_issues(options, specs, vs if isinstance(vs, str) else None)
    entries = []
    for i, w in enumerate(cast(list, raw.get("waves")) if isinstance(raw.get("waves"), list) else []):
        if isinstance(w, dict) and isinstance(w.get("file"), str):
            entries.append((f"waves[{i}] ({w.get('id')}).file", w["file"]))
    att = raw.get("attendance")
    if isinstance(att, dict) and isinstance(att.get("file"), str):
        entries.append(("attendance.file", att["file"]))
    entries += [(f"scales[{i}]", s) for i, s in enumerate(scales)]
    allow = raw.get("allow_external_files") is True
    issues += path_issues(base, entries, allow)
    return _issue_findings(issues, name)


def _cross_reference_findings(raw: dict, name: str, already: list[Finding]) -> list[Finding]:
    """Cross-references pydantic skips when a field is invalid (it runs model-level checks
    only on valid fields): analysis waves that do not exist, duplicate wave ids."""
    waves = cast(list, raw.get("waves")) if isinstance(raw.get("waves"), list) else []
    ids = [w.get("id") for w in waves if isinstance(w, dict)]
    analysis = cast(dict, raw.get("analysis")) if isinstance(raw.get("analysis"), dict) else {}
    refs = [("analysis.baseline_wave", analysis.get("baseline_wave"))]
    comps = cast(list, analysis.get("comparisons")) if isinstance(analysis.get("comparisons"), list) else []
    refs += [(f"analysis.comparisons[{i}]", w) for i, pair in enumerate(comps)
             if isinstance(pair, list) for w in pair]
    seen = " ".join(f"{f.variable} {f.message}" for f in already)
    out = []
    for loc, wid in refs:
        if wid is not None and wid not in ids and f"unknown wave {wid!r}" not in seen:
            out.append(finding(ERROR, name, "config", f"unknown wave {wid!r}", variable=loc,
                               expected=f"one of {ids}", suggestion=_did_you_mean(wid, ids)))
    dup = sorted({str(i) for i in ids if ids.count(i) > 1})
    if dup and "duplicate wave id" not in seen:
        out.append(finding(ERROR, name, "config", f"duplicate wave id(s) {dup}", variable="waves"))
    return out


def _lenient_waves(raw: dict, base_dir: Path) -> list[Wave]:
    """Waves that validate on their own, so their files can be checked even when another
    part of the configuration is broken."""
    out = []
    for w in raw.get("waves") or []:
        try:
            out.append(Wave.model_validate(w))
        except (ValidationError, TypeError):
            continue
    return out


def _resolve(base_dir: Path, relative: str) -> Path:
    p = Path(relative)
    return p if p.is_absolute() else (base_dir / p).resolve()


# -- scales and instruments ------------------------------------------------------------


def _scale_findings(config_name: str, scale_files: list[str], base_dir: Path) -> list[Finding]:
    import instruments

    findings = []
    for rel in scale_files:
        path = _resolve(base_dir, rel)
        if not path.exists():
            sib = _close_file(path.name, [p.name for p in path.parent.glob("*.y*ml")]) if path.parent.exists() else None
            findings.append(finding(ERROR, config_name, "scale_file", f"scale file {rel!r} does not exist",
                                    variable="scales", suggestion=f"did you mean {sib!r}?" if sib else
                                    "fix the path (relative to the study configuration)"))
            continue
        try:
            instruments.register_scale(path)
        except Exception as exc:  # SpecError or YAML error: a problem to report, not a crash
            findings.append(finding(ERROR, path.name, "scale_file", f"invalid scale declaration: {exc}",
                                    suggestion="compare with data/example/scales/jh_empowerment.yaml "
                                               "(see docs/howto-declare-a-scale.md)"))
    return findings


# -- one wave ---------------------------------------------------------------------------


def _missing_file(wave: Wave, path: Path, other_files: dict[str, Path]) -> Finding:
    folder = path.parent
    candidates = [p.name for p in folder.iterdir() if p.suffix.lower() in readers.EXTENSIONS] \
        if folder.exists() else []
    hit = _close_file(path.name, candidates)
    return finding(ERROR, path.name, "wave_file", f"wave file {wave.file!r} does not exist", variable=None,
                   expected=f"a wave file ({readers.SUPPORTED}) in {folder}", found=f"{len(candidates)} wave file(s) there",
                   suggestion=f"did you mean {hit!r}?" if hit else "fix `file:` of this wave", wave=wave.id)


def _swapped(wave: Wave, columns: set[str], others: dict[str, Wave]) -> str | None:
    """The wave whose configured variables this file holds instead (files swapped?)."""
    best, best_share = None, 0.0
    for wid, other in others.items():
        names = {other.id_variable, *other.mapping}
        share = len(names & columns) / len(names) if names else 0.0
        if share > best_share:
            best, best_share = wid, share
    return best if best_share >= 0.9 else None


def _absent_findings(wave: Wave, raw: ingest.RawWave, others: dict[str, Wave]) -> tuple[list[Finding], Wave | None]:
    """Configured variables absent from the file; returns the wave reduced to what is there."""
    cols = set(raw.data.columns)
    file = raw.path.name
    needed = [wave.id_variable, *wave.mapping, *wave.covariates]
    absent = [v for v in needed if v not in cols]
    if not absent:
        return [], wave
    findings: list[Finding] = []
    if len(absent) / len(needed) > SWAPPED_SHARE:
        other = _swapped(wave, cols, others)
        findings.append(finding(
            ERROR, file, "wave_file",
            f"{len(absent)} of {len(needed)} configured variables are not in the file "
            f"(e.g. {_shown(absent, 5)})", expected=f"the variables of wave {wave.id}'s mapping",
            found=f"variables such as {identifiers.shown_names(list(raw.data.columns)[:5], 5)}",
            suggestion=(f"this looks like wave {other}'s file: are the `file:` entries of waves {wave.id} "
                        f"and {other} swapped?") if other else "is `file:` the right file for this wave?",
            wave=wave.id))
    else:
        for v in absent:
            role = ("ID variable" if v == wave.id_variable else
                    f"mapped to {wave.mapping[v]}" if v in wave.mapping else f"covariate {wave.covariates[v]}")
            hit = _close(v, [c for c in raw.data.columns if c not in needed] or list(raw.data.columns))
            hint = f"did you mean {identifiers.shown_name(hit)}?" if hit else "check the spelling"
            findings.append(finding(ERROR, file, "mapping", f"configured variable is not in the file ({role})",
                                    variable=v, suggestion=hint, wave=wave.id))
    if wave.id_variable not in cols:
        return findings, None  # nothing row-level can be checked without the ID variable
    reduced = wave.model_copy(update={
        "mapping": {k: v for k, v in wave.mapping.items() if k in cols},
        "covariates": {k: v for k, v in wave.covariates.items() if k in cols},
    })
    return findings, reduced


def _label_findings(wave: Wave, raw: ingest.RawWave, references, file: str) -> list[Finding]:
    """Mapped variables whose label clearly names another canonical item (e.g. a wrong
    item number), judged against the labels of the same items in the other waves."""
    from survey import new_wave

    variables = new_wave.describe_variables(raw)
    # the distinct labels of each target (waves repeat their questions: comparing each label
    # once keeps this linear in the number of waves)
    by_target: dict[str, set[str]] = {}
    for r in references:
        if r.kind == "item" and r.wave != wave.id:
            by_target.setdefault(r.target, set()).add(r.label)
    findings = []
    for var, item in wave.mapping.items():
        v = variables.get(var)
        if v is None or not v.label:
            continue
        own = max((new_wave.similarity(v.label, label) for label in by_target.get(item, ())), default=None)
        best_item, best_sim = None, 0.0
        for target, labels in by_target.items():
            if target == item:
                continue
            s = max(new_wave.similarity(v.label, label, 0.95) for label in labels)
            if s > best_sim:
                best_item, best_sim = target, s
        if own is not None and best_item and best_sim >= 0.95 and best_sim - own >= 0.1:
            findings.append(finding(
                ERROR, file, "mapping_label", f"mapped to {item}, but its label matches {best_item} in the "
                f"other waves (similarity {best_sim:.2f} vs {own:.2f} for {item})", variable=var,
                suggestion=f"map {var!r} to {best_item}, or check the item numbers",
                wave=wave.id))
    return findings


def _unmapped_findings(wave: Wave, raw: ingest.RawWave, references, file: str) -> list[Finding]:
    """Items of a declared instrument that no raw variable is mapped to, with the file's
    best-matching variable as the suggestion."""
    import instruments
    from survey import new_wave

    mapped = set(wave.mapping.values())
    missing = [it for inst in wave.instruments for it in instruments.spec(inst).items if it not in mapped]
    if not missing:
        return []
    variables = new_wave.describe_variables(raw)
    free = {n: v for n, v in variables.items()
            if n not in wave.mapping and n not in wave.covariates and n != wave.id_variable}
    cands = new_wave.candidate_matches(free, [r for r in references if r.wave != wave.id and r.kind == "item"],
                                       list(wave.instruments))
    best: dict[str, tuple[str, float]] = {}
    for var, ms in cands.items():
        for m in ms:
            if m.target in missing and m.similarity > best.get(m.target, ("", 0.0))[1]:
                best[m.target] = (var, m.similarity)
    findings = []
    for item in missing:
        inst = item.rsplit("_", 1)[0] if not item.startswith("eq5d5l_") else "eq5d5l"
        hint = (f"map {identifiers.shown_name(best[item][0])} (label similarity {best[item][1]:.2f}) to {item}"
                if item in best
                else f"map the file's variable for {item}, or remove {inst} from the wave's instruments")
        findings.append(finding(ERROR, file, "unmapped_item", f"item of declared instrument {inst} is not mapped",
                                variable=item, suggestion=hint, wave=wave.id))
    return findings


def _user_missing(raw: ingest.RawWave) -> dict[str, set[int]]:
    return {v: set(codes) for v, codes in ingest.user_missing_codes(raw.codebook).items()}


def _missing_code_findings(wave: Wave, raw: ingest.RawWave, data: pd.DataFrame, file: str) -> list[Finding]:
    """SPSS user-missing declarations vs ``missing_codes`` (the pipeline's
    ``codebook_matches_config`` check): codes that would be scored as answers are errors,
    other differences warnings."""
    from survey import study

    problems = ingest.check_user_missing(data, raw.codebook, file, wave.mapping, study.allowed_codes(wave),
                                         wave.missing_codes, spss=raw.file_format in readers.DECLARES_USER_MISSING)
    return [_of_wave(p, wave.id) for p in problems]


def _value_label_findings(wave: Wave, raw: ingest.RawWave, file: str) -> list[Finding]:
    """Mapped variables whose SPSS value labels (non-missing codes) do not fit the
    instrument's answer codes: codes outside them (error) or fewer codes (warning); the
    pipeline's ``codebook_matches_config`` check."""
    from survey import study

    problems = ingest.check_value_labels(raw.codebook, file, wave.mapping, study.allowed_codes(wave),
                                         wave.missing_codes)
    return [_of_wave(p, wave.id) for p in problems]


def _code_findings(wave: Wave, raw: ingest.RawWave, data: pd.DataFrame, file: str) -> list[Finding]:
    """Answers outside the instrument's codes; variables with the same cause (same kinds of
    unexpected values, same SPSS user-missing declaration) are reported together. Values
    are described by kind, never shown; codes the SPSS file declares user-missing are
    codebook codes and are named in the suggestion (see :mod:`privacy.problems`)."""
    from survey import study

    user_missing = _user_missing(raw)
    raw_names = {item: r for r, item in wave.mapping.items()}
    allowed = study.allowed_codes(wave)
    groups: dict[tuple, list[ingest.Problem]] = {}
    for p in ingest.check_codes(data, file, allowed, raw_names, ingest.user_missing_codes(raw.codebook)):
        var, _, item = (p.variable or "").partition(" -> ")
        col = data[item].astype("float64").to_numpy()
        bad = col[~np.isnan(col) & ~allowed[item].valid(col)]
        in_spss = tuple(sorted(c for c in user_missing.get(var, set()) if float(c) in set(bad.tolist())))
        kinds = re.search(r"\(([^()]*)\)$", p.message)
        groups.setdefault((p.expected, kinds.group(1) if kinds else "", in_spss), []).append(p)
    findings = []
    for (expected, kinds, in_spss), problems in groups.items():
        variables = [cast(str, p.variable).split(" -> ")[0] for p in problems]   # check_codes names each one
        suggestion: str | None
        if in_spss:
            cb = raw.codebook
            labels = cb[(cb["variable"] == variables[0]) & cb["value"].isin(in_spss)]
            kind_of = {int(r.value): _missing_kind_of(r.value_label) for r in labels.itertuples()}
            named = [(msg.codebook_code(c) or "a code", kind_of.get(c, "no_answer")) for c in in_spss]
            suggestion = (f"the SPSS file declares {', '.join(c for c, _ in named)} as user-missing: add "
                          + ", ".join(f"{c}: {k}" for c, k in named)
                          + " to missing_codes (`default`, or `by_variable` for these variables)")
        else:
            suggestion = problems[0].suggestion
        if len(problems) == 1:
            p = problems[0]
            findings.append(replace(p, suggestion=suggestion, wave=wave.id))
        else:
            n = sum(p.count for p in problems)
            findings.append(finding(
                ERROR, file, "allowed_codes",
                f"{n} value(s) outside the instrument's codes ({kinds}) in {len(problems)} variables: "
                f"{_shown(variables, 8)}", expected=expected, suggestion=suggestion, wave=wave.id))
    return findings


def _missing_kind_of(label: str) -> str:
    from survey.new_wave import missing_kind

    return missing_kind(label)


def _cross_wave_id_findings(read: dict[str, tuple[ingest.RawWave, pd.Series]], order: list[str],
                            comparisons: list) -> list[Finding]:
    """Every wave against the others (the pipeline's ``linked_to_other_waves`` check): the
    same file twice, IDs in another format, IDs equal only after normalising case, spaces
    or dashes, no participant in common with a compared wave."""
    findings = []
    for w, (raw, ids) in read.items():
        others = [ingest.OtherWave(o, r.path.name, i, r.sha256) for o, (r, i) in read.items() if o != w]
        paired = [pair[0] for pair in comparisons if len(pair) == 2 and pair[1] == w]
        earlier = order[:order.index(w)] if w in order else []
        problems = ingest.check_wave_links(w, raw.path.name, ids, others, paired, sha256=raw.sha256,
                                           earlier=earlier)
        findings += [_of_wave(p, w) for p in problems]
    return findings


def _wave_findings(wave: Wave, path: Path, others: dict[str, Wave], known: set[str], id_pattern: str,
                   references, config: StudyConfig | None = None,
                   categories_out: list | None = None) -> tuple[list[Finding], tuple[ingest.RawWave, pd.Series] | None]:
    from survey import study

    findings: list[Finding] = []
    unknown = [i for i in wave.instruments if i not in known]
    for inst in unknown:
        findings.append(finding(ERROR, path.name, "instrument", f"unknown instrument {inst!r}",
                                variable="instruments", expected="a built-in instrument or a declared scale",
                                suggestion=_did_you_mean(inst, known) or
                                "declare it as a scale file under `scales:` (docs/howto-declare-a-scale.md)",
                                wave=wave.id))
    if unknown:
        wave = wave.model_copy(update={
            "instruments": [i for i in wave.instruments if i in known],
            "mapping": {r: c for r, c in wave.mapping.items() if c.rsplit("_", 1)[0] not in unknown},
        })
    try:
        raw = wavefiles.read_wave_file(path, wave, config)
    except ingest.WaveError as exc:
        if not path.exists():
            return findings + [_missing_file(wave, path, {})], None
        return findings + [finding(ERROR, path.name, "wave_file", str(exc), wave=wave.id)], None
    file = path.name
    guard = ingest.check_no_identifiers(raw.data, raw.codebook, file, wave.id_variable, wave.identifier_exemptions,
                                        id_pattern=id_pattern)
    findings += [_of_wave(p, wave.id) for p in guard]
    absent, reduced = _absent_findings(wave, raw, others)
    findings += absent
    if reduced is None:
        return findings, None
    try:
        h = ingest.harmonise(raw, reduced, study.dont_know_codes(reduced))
    except ingest.WaveError as exc:
        return findings + [finding(ERROR, file, "harmonise", str(exc), wave=wave.id)], None
    if not any(f.check == "wave_file" for f in absent):  # not when the whole file is suspect
        findings += _unmapped_findings(wave, raw, references, file)
    problems = [
        *ingest.check_unique_ids(h.data, file),
        *ingest.check_id_format(h.data, file, id_pattern),
        *ingest.check_instruments_answered(h.data, file, {i: study.instrument_items(i) for i in reduced.instruments},
                                           {item: r for r, item in reduced.mapping.items()}),
    ]
    findings += [_of_wave(p, wave.id) for p in problems]
    findings += _code_findings(reduced, raw, h.data, file)
    findings += _label_findings(reduced, raw, references, file)
    findings += _value_label_findings(reduced, raw, file)
    findings += _missing_code_findings(reduced, raw, h.data, file)
    findings += [_of_wave(p, wave.id) for p in missing_declarations.check_lost_declarations(
        file, raw.file_format, raw.codebook, reduced.mapping, reduced.missing_codes, h.missingness)]
    for note in raw.notes:
        findings.append(finding(NOTE, file, "reading", note, wave=wave.id))
    if categories_out is not None:
        categories_out.append(categories.wave_categories(reduced, file, h.data, h.codebook))
    return findings, (raw, h.data["participant_id"])


# -- attendance register ----------------------------------------------------------------


def _attendance_findings(att: Attendance, path: Path, id_pattern: str,
                         wave_ids: dict[str, pd.Series], first: pd.Timestamp | None,
                         last: pd.Timestamp | None, needed: bool) -> list[Finding]:
    file = path.name
    if not path.exists():
        hit = _close_file(file, [p.name for p in path.parent.glob("*.csv")]) if path.parent.exists() else None
        return [finding(ERROR, file, "attendance", f"attendance register {att.file!r} does not exist",
                        suggestion=f"did you mean {hit!r}?" if hit else "fix attendance.file")]
    try:
        reg = ingest.read_attendance_file(path)
    except ingest.WaveError as exc:
        return [finding(ERROR, file, "attendance", str(exc))]
    findings = [_of_wave(p, None) for p in ingest.check_register_identifiers(reg, file, att, id_pattern)]
    cols = {att.id_column: "id_column", att.workshop_column: "workshop_column", att.date_column: "date_column"}
    for col, key in cols.items():
        if col not in reg.columns:
            findings.append(finding(ERROR, file, "attendance", f"configured column (attendance.{key}) is not in "
                                    "the register", variable=col,
                                    found=f"columns {identifiers.shown_names(reg.columns, 20)}",
                                    suggestion=_did_you_mean_name(col, reg.columns) or f"fix attendance.{key}"))
    if att.date_column in reg.columns:
        dates = pd.to_datetime(reg[att.date_column], errors="coerce", format="%Y-%m-%d")
        bad = dates.isna() & reg[att.date_column].notna()
        if bad.any():
            findings.append(finding(ERROR, file, "attendance", f"{int(bad.sum())} value(s) are not dates; rows "
                                    f"{msg.rows_text(ingest.file_rows(bad), int(bad.sum()))}",
                                    variable=att.date_column, expected="YYYY-MM-DD"))
        if first is not None and last is not None and dates.notna().any():
            outside = dates.notna() & ((dates < first - pd.Timedelta(days=366)) | (dates > last + pd.Timedelta(days=366)))
            if outside.any():
                findings.append(finding(WARNING, file, "attendance",
                                        f"{int(outside.sum())} visit(s) more than a year outside the waves' dates",
                                        variable=att.date_column,
                                        expected=f"{first.date()} - {last.date()} (+/- 1 year)",
                                        suggestion="check for typing errors in the year"))
    if att.id_column in reg.columns:
        ids = reg[att.id_column].str.strip()
        blank = ids.isna() | (ids == "")
        if blank.any():
            findings.append(finding(ERROR, file, "attendance", f"{int(blank.sum())} visit(s) without a participant ID; rows "
                                    f"{msg.rows_text(ingest.file_rows(blank), int(blank.sum()))}",
                                    variable=att.id_column))
        badfmt = ~blank & ~ids.fillna("").str.fullmatch(id_pattern).astype(bool)
        if badfmt.any():
            findings.append(finding(ERROR, file, "attendance", f"{int(badfmt.sum())} participant ID(s) do not match "
                                    f"the pseudonym pattern; rows {msg.rows_text(ingest.file_rows(badfmt), int(badfmt.sum()))}",
                                    variable=att.id_column, expected=f"pattern {id_pattern}"))
        if needed and wave_ids:
            register = set(ids.dropna())
            survey = set().union(*[set(s.dropna()) for s in wave_ids.values()])
            absent = len(survey - register)
            if survey and absent == len(survey):
                findings.append(finding(ERROR, file, "attendance", "no survey participant appears in the register",
                                        variable=att.id_column,
                                        suggestion="is the register pseudonymised with the same key as the survey?"))
            elif survey and absent / len(survey) > 0.5:
                findings.append(finding(WARNING, file, "attendance",
                                        f"{absent} of {len(survey)} survey participants never appear in the register",
                                        variable=att.id_column,
                                        suggestion="with recurring.definition: attendance they count as non-recurring"))
    return findings


# -- entry point --------------------------------------------------------------------------


def run_validation(config_path: str | os.PathLike | None = None) -> Report:
    """Validate a study: configuration, scale files, every wave file and the attendance register.

    Parameters
    ----------
    config_path : path, optional
        The study configuration (default: ``$STUDY_CONFIG``, else the example study).

    Returns
    -------
    Report
        Every finding (errors and warnings) of every part, in one run; ``report.ok`` is
        true when there is no error.

    Notes
    -----
    Checked, without materialising anything:

    * the configuration schema (all errors together) and, for each wave that is valid on
      its own, its files even when another part of the configuration is broken;
    * scale files (missing, invalid declarations) and unknown instruments;
    * per wave: the file exists (with a close file name as suggestion); configured
      variables exist (typos get a close name; a file holding another wave's variables is
      reported as swapped files); every item of every declared instrument is mapped;
      labels that name a different item than mapped (wrong item number); participant IDs
      present, unique and in the pseudonym format; codes outside the instrument's answers
      (with the SPSS user-missing declaration as hint); value labels vs the instrument's
      answer codes; missing-code declarations vs SPSS user-missing declarations (warning);
      variables that look like direct identifiers;
    * across waves: participant IDs written in different formats;
    * the attendance register: file, columns, dates, IDs;
    * the partner surveys (when the configuration is valid): the identifier guard, every
      configured variable present, text in items, codes, group labels, respondent numbers,
      value labels and user-missing codes (:func:`_partner_findings`).

    Examples
    --------
    >>> report = run_validation()  # the example study
    >>> report.ok
    True
    """
    import instruments
    from survey import new_wave

    path = Path(config_path or os.environ.get("STUDY_CONFIG") or DEFAULT_CONFIG).resolve()
    raw, config, findings = _config_findings(path)
    if raw is None:
        return Report(path, findings)
    base = path.parent
    if config is None:
        findings += _cross_reference_findings(raw, path.name, findings)
        findings += _raw_issue_findings(raw, base, path.name)
    else:
        findings += _issue_findings(config_issues(config), path.name)
    scale_files = list(raw.get("scales") or []) if isinstance(raw.get("scales"), list) else []
    findings += _scale_findings(path.name, scale_files, base)
    waves = config.waves if config else _lenient_waves(raw, base)
    study_raw = cast(dict, raw.get("study")) if isinstance(raw.get("study"), dict) else {}
    id_pattern = config.study.id_pattern if config else study_raw.get("id_pattern", r"^[A-Z]{2}-[0-9A-Z]{6}$")
    try:
        re.compile(id_pattern)
    except re.error:
        id_pattern = r".*"
    known = set(instruments.available()["id"])
    paths = {w.id: _resolve(base, w.file) for w in waves}
    # labels of every wave's mapped variables: the references for label-based checks
    references = []
    for w in waves:
        try:
            r = wavefiles.read_wave_file(paths[w.id], w, config)
        except ingest.WaveError:
            continue
        variables = new_wave.describe_variables(r)
        for raw_name, item in w.mapping.items():
            if raw_name in variables:
                references.append(new_wave.Reference(item, "item", variables[raw_name].label,
                                                     variables[raw_name].value_labels,
                                                     f"wave {w.id} ({raw_name})", raw_name, w.id))
    read: dict[str, tuple[ingest.RawWave, pd.Series]] = {}
    others = {w.id: w for w in waves}
    wave_categories: list[categories.WaveCategories] = []
    for w in waves:
        fs, got = _wave_findings(w, paths[w.id], {k: v for k, v in others.items() if k != w.id}, known,
                                 id_pattern, references, config, wave_categories)
        findings += fs
        if got is not None:
            read[w.id] = got
    analysis_raw = cast(dict, raw.get("analysis")) if isinstance(raw.get("analysis"), dict) else {}
    comparisons = config.analysis.comparisons if config else [
        p for p in (analysis_raw.get("comparisons") or []) if isinstance(p, list)]
    findings += _cross_wave_id_findings(read, [w.id for w in waves], comparisons)
    # the pipeline's blocking panel check categories_consistent
    wave_of_file = {c.file: c.wave for c in wave_categories}
    findings += [_of_wave(p, wave_of_file.get(p.file)) for p in categories.check_categories(wave_categories)]
    wave_ids = {w: (r.path.name, ids) for w, (r, ids) in read.items()}
    att_raw = raw.get("attendance")
    if isinstance(att_raw, dict):
        try:
            att = Attendance.model_validate(att_raw)
        except ValidationError:
            att = None  # already reported by the schema check
        if att is not None:
            dates = [pd.Timestamp(w.date) for w in waves]
            recurring = cast(dict, raw.get("recurring")) if isinstance(raw.get("recurring"), dict) else {}
            findings += _attendance_findings(
                att, _resolve(base, att.file), id_pattern, {w: s for w, (_, s) in wave_ids.items()},
                min(dates) if dates else None, max(dates) if dates else None,
                needed=recurring.get("definition", "attendance") == "attendance")
    if config is not None and config.partner_surveys:
        findings += _partner_findings(config)
    return Report(path, findings)


def _partner_findings(config: StudyConfig) -> list[Finding]:
    """The partner surveys through the pipeline's own reader, guard, harmoniser and checks
    (:mod:`survey.partner_surveys`), every year at once, without storing anything."""
    from survey import partner_surveys as ps

    findings: list[Finding] = []
    read = []
    for s in config.partner_surveys:
        file = config.resolve(s.file).name
        try:
            r = ps.read_survey(config, s)
        except ingest.WaveError as exc:
            findings.append(finding(ERROR, file, "partner_survey", str(exc)))
            continue
        findings += [_of_wave(p, None) for p in r.guard]
        if r.unused:
            findings.append(finding(NOTE, file, "partner_survey", f"{len(r.unused)} variable(s) not used by the "
                                    f"configuration (not stored): {_shown(r.unused)}"))
        read.append((s, r))
    if not read:
        return findings
    raw, codebook = ps.raw_frame([r for _, r in read]), ps.codebook_frame([r for _, r in read])
    parts = []
    for s, r in read:
        try:
            parts.append(ps.harmonise_survey(raw, codebook, s, config).data)
        except ingest.WaveError as exc:
            findings.append(finding(ERROR, r.file, "partner_survey", str(exc)))
    if not parts:
        return findings
    data = pd.concat(parts, ignore_index=True)
    years = set(data[ps.YEAR])
    sub = config.model_copy(update={"partner_surveys": [s for s in config.partner_surveys if s.year in years]})
    for problems in (ps.check_respondents(data, sub), ps.check_codes(data, codebook, sub),
                     ps.check_required(data, codebook, sub), ps.check_codebook(data, codebook, sub),
                     ps.check_groups(data, sub)):
        findings += [_of_wave(p, None) for p in problems]
    return findings


def validate(config_path: str | os.PathLike | None = None) -> list[str]:
    """Every *error* of a study as a readable line (empty list: ready to run).

    Parameters
    ----------
    config_path : path, optional
        The study configuration (default: ``$STUDY_CONFIG``, else the example study).

    Returns
    -------
    list of str
        One line per error, prefixed with the file name; warnings are left out (use
        :func:`run_validation` for them).

    Examples
    --------
    >>> validate()
    []
    """
    return [f"{f.file}: {f.line()}" for f in run_validation(config_path).errors]


__all__ = ["ConfigError", "Finding", "Report", "load_config", "run_validation", "validate"]
