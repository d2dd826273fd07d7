"""Propose the configuration entry of a new survey wave (``python -m pipelines new-wave``).

A new wave file (SPSS ``.sav``/``.zsav``/``.por``, Stata ``.dta``, CSV, ``.xlsx`` or ``.ods``)
arrives each year with raw variable names that may differ
from earlier waves. This module suggests the wave's ``waves:`` entry for ``study.yaml``:
the ID variable, the mapping of raw variables onto canonical instrument items, the
covariates and the missing-value codes. The researcher reviews the proposal; nothing is
written into the study configuration.

How variables are matched
-------------------------
1. **Earlier waves.** Every mapped variable (and covariate and ID variable) of every
   configured wave is read with its SPSS variable label and value labels. A new variable
   whose normalised label is the same as, or similar to, such a label gets the same
   canonical target. Similarity is :class:`difflib.SequenceMatcher`'s ratio on labels
   normalised by :func:`normalise_label`; ties (within 0.02) are broken by the overlap of
   the non-missing value labels.
2. **Instrument specs.** A label that names an instrument (``WHO-5 3, ...``,
   ``WHOQOL-BREF 12: ...``) followed by an item number is matched to that item when its
   labelled answer codes fit the instrument's allowed codes; such matches get similarity
   0.80 so they are always marked for checking.
3. Each canonical target is given to at most one variable (best matches first).

Matches below :data:`CHECK_BELOW` are marked ``# check: similarity 0.71``; variables with no
match of at least :data:`MIN_SIMILARITY` are listed as unmapped. Only labels, value labels
and aggregate facts are used; no participant data are printed.

Files without value labels (CSV, Excel) get, for each covariate matched to an earlier wave's
labelled variable, a proposed ``value_labels`` entry with that wave's codes and labels; the
reading options (``--encoding``, ``--delimiter``, ``--decimal``, ``--sheet``, and a detected
delimiter or decimal comma) are written into the entry.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from studyconfig.config import StudyConfig
from survey import ingest

#: a match at least this similar is proposed; below it the variable is left unmapped
MIN_SIMILARITY = 0.60
#: a proposed match less similar than this is marked ``# check`` in the YAML
CHECK_BELOW = 0.90
#: similarity given to a match found through an instrument's name and item number
SPEC_SIMILARITY = 0.80
#: two candidates closer than this are a tie, broken by value-label overlap
TIE = 0.02

ID_TARGET = "<id>"

_MISSING_KINDS = (
    ("dont_know", re.compile(r"vet ej|vet inte|don.?t know|kan inte svara", re.I)),
    ("not_applicable", re.compile(r"ej aktuell|ej tillämplig|inte aktuell|not applicable|n/?a\b", re.I)),
    ("no_answer", re.compile(r"ej svar|inget svar|svar saknas|saknas|no answer|missing|ej besvarad", re.I)),
)

_MONTHS_SV = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
              "oktober", "november", "december"]


@functools.lru_cache(maxsize=4096)
def normalise_label(label: str) -> str:
    """Lower-case a label, unify Unicode, drop punctuation and collapse white space.

    Parameters
    ----------
    label : str
        An SPSS variable or value label.

    Returns
    -------
    str
        The normalised label; letters (including å, ä, ö) and digits are kept.

    Examples
    --------
    >>> normalise_label("  WHO-5 1, senaste två veckorna: Jag har känt mig GLAD!")
    'who5 1 senaste två veckorna jag har känt mig glad'
    """
    text = unicodedata.normalize("NFKC", str(label or "")).lower()
    text = re.sub(r"(?<=\w)[-_](?=\w)", "", text)  # WHO-5 -> who5, EQ-5D-5L -> eq5d5l
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """difflib similarity (0-1) of two labels after :func:`normalise_label`.

    Parameters
    ----------
    a, b : str
        Labels.
    floor : float
        Below this the exact ratio is not needed: 0.0 is returned as soon as difflib's
        cheap upper bounds show the ratio cannot reach it (saves time on long files).

    Examples
    --------
    >>> similarity("Hur nöjd är du med din sömn?", "hur nöjd är du med din sömn")
    1.0
    """
    return _similarity(normalise_label(a), normalise_label(b), floor)


@functools.lru_cache(maxsize=1 << 16)
def _similarity(na: str, nb: str, floor: float) -> float:
    """:func:`similarity` of two normalised labels (cached: waves repeat their questions, so
    validate and new-wave compare the same pairs again and again)."""
    if not na or not nb:
        return 0.0
    sm = difflib.SequenceMatcher(None, na, nb, autojunk=False)
    if floor > 0 and (sm.real_quick_ratio() < floor or sm.quick_ratio() < floor):
        return 0.0
    return sm.ratio()


@dataclass(frozen=True)
class Variable:
    """What a wave file says about one variable (no data values, only metadata)."""

    name: str
    label: str
    value_labels: dict[float, str]
    missing_labels: dict[float, str]
    is_text: bool = False
    is_date: bool = False


@dataclass(frozen=True)
class Reference:
    """A known target for a variable: canonical item, covariate or the ID variable."""

    target: str
    kind: str  # "item" | "covariate" | "id"
    label: str
    value_labels: dict[float, str]
    source: str  # "wave T0 (f9_1)" or "spec whoqol_bref"
    raw_name: str | None = None
    wave: str | None = None


@dataclass(frozen=True)
class Match:
    """One proposed assignment of a raw variable to a target."""

    variable: str
    target: str
    kind: str
    similarity: float
    value_overlap: float
    source: str
    runner_up: str | None = None

    @property
    def uncertain(self) -> bool:
        return self.similarity < CHECK_BELOW or self.runner_up is not None


@dataclass
class Proposal:
    """A proposed ``waves:`` entry; render it with :func:`render_yaml`."""

    wave_id: str
    file: str
    date: dt.date
    date_source: str
    id_variable: Match | None
    items: list[Match]
    covariates: list[Match]
    instruments: list[str]
    incomplete: dict[str, list[str]]
    missing_default: dict[int, str]
    missing_by_variable: dict[str, dict[int, str]]
    unmapped: list[Variable]
    notes: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    comparison: tuple[str, str] | None = None
    #: reading settings for the entry (encoding, delimiter, decimal, sheet)
    settings: dict = field(default_factory=dict)
    #: covariate raw variable -> {code: label} proposed from the matched earlier wave
    value_labels: dict[str, dict] = field(default_factory=dict)
    value_label_sources: dict[str, str] = field(default_factory=dict)

    @property
    def mapping(self) -> dict[str, str]:
        """Raw variable -> canonical item, as it would go into the configuration."""
        return {m.variable: m.target for m in self.items}


def describe_variables(raw: ingest.RawWave) -> dict[str, Variable]:
    """The variables of a wave file with their labels (from :func:`survey.ingest.read_wave`).

    Parameters
    ----------
    raw : survey.ingest.RawWave

    Returns
    -------
    dict of str to Variable
        In file order. ``value_labels`` holds the labelled codes that are *not* declared
        user-missing, ``missing_labels`` the user-missing ones.
    """
    cb = raw.codebook
    labels: dict[str, str] = {}
    valid: dict[str, dict[float, str]] = {}
    missing: dict[str, dict[float, str]] = {}
    # one pass over the codebook's rows (a few hundred), not a pandas selection per variable
    for var, label, value, value_label, user_missing in zip(
            cb["variable"], cb["variable_label"], cb["value"], cb["value_label"], cb["user_missing"]):
        var = str(var)
        if var not in labels:
            labels[var] = str(label or "")
            valid[var], missing[var] = {}, {}
        if value is not None and not pd.isna(value):
            (missing if bool(user_missing) else valid)[var][float(value)] = str(value_label)
    out: dict[str, Variable] = {}
    for var in labels:
        col = raw.data[var] if var in raw.data else pd.Series(dtype="float64")
        first = col.dropna().iloc[0] if col.dtype == object and col.notna().any() else None
        out[var] = Variable(
            name=var, label=labels[var], value_labels=valid[var], missing_labels=missing[var],
            is_text=bool(pd.api.types.is_string_dtype(col) or col.dtype == object),
            is_date=bool(pd.api.types.is_datetime64_any_dtype(col) or isinstance(first, (dt.date, dt.datetime))
                         or _iso_dates(col)),
        )
    return out


def _iso_dates(col: pd.Series) -> bool:
    """A text column (CSV) whose every value is an ISO date (YYYY-MM-DD)."""
    if not (pd.api.types.is_string_dtype(col) or col.dtype == object):
        return False
    s = col.dropna().astype(str).str.strip()
    s = s[s != ""]
    return bool(len(s)) and bool(s.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()) and \
        bool(pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna().all())


def references_from_config(config: StudyConfig, exclude: Path | None = None) -> tuple[list[Reference], list[str]]:
    """Targets known from the configured waves, with their raw labels.

    Parameters
    ----------
    config : StudyConfig
    exclude : Path, optional
        A wave file to leave out (the new file itself, if it is already configured).

    Returns
    -------
    references : list of Reference
        One per mapped item, covariate and ID variable of every readable wave file.
    notes : list of str
        Waves whose files could not be read (they are skipped).
    """
    refs: list[Reference] = []
    notes: list[str] = []
    for w in config.waves:
        path = config.wave_path(w.id)
        if exclude is not None and path.resolve() == Path(exclude).resolve():
            notes.append(f"{path.name} is already configured as wave {w.id}; that wave is not used as a reference")
            continue
        try:
            from survey.wavefiles import read_configured_wave

            raw = read_configured_wave(config, w)
        except ingest.WaveError as exc:
            notes.append(f"wave {w.id} not used as a reference: {exc}")
            continue
        variables = describe_variables(raw)
        targets = ([(w.id_variable, ID_TARGET, "id")]
                   + [(r, c, "item") for r, c in w.mapping.items()]
                   + [(r, c, "covariate") for r, c in w.covariates.items()])
        for raw_name, target, kind in targets:
            v = variables.get(raw_name)
            if v is None:
                continue
            refs.append(Reference(target=target, kind=kind, label=v.label, value_labels=v.value_labels,
                                  source=f"wave {w.id} ({raw_name})", raw_name=raw_name, wave=w.id))
    return refs, notes


def _aliases(instrument_id: str) -> set[str]:
    import instruments

    s = instruments.spec(instrument_id)
    names = {instrument_id, instrument_id.replace("_", "-")}
    for lang in ("sv", "en"):
        name = (s.name or {}).get(lang, "")
        if name:
            names.add(name)
            names.add(name.split(" ")[0])
            names.update(re.findall(r"\(([^)]+)\)", name))
    return {normalise_label(n) for n in names if normalise_label(n) and len(normalise_label(n)) >= 3}


def _spec_match(variable: Variable, instrument_ids: list[str]) -> list[tuple[str, str]]:
    """(instrument, item) pairs a label names explicitly: ``<instrument name> <item number>``."""
    import instruments

    label = normalise_label(variable.label)
    hits = []
    for inst in instrument_ids:
        spec = instruments.spec(inst)
        for alias in sorted(_aliases(inst), key=len, reverse=True):
            m = re.match(rf"^(?:\w+ ){{0,2}}{re.escape(alias)} (\d{{1,2}})\b", label)
            if m:
                item = f"{inst}_{int(m.group(1)):02d}"
                if item in spec.items and _codes_fit(variable, spec.allowed[item], spec.dont_know_code):
                    hits.append((inst, item))
                break
    return hits


def _codes_fit(variable: Variable, allowed, dont_know_code) -> bool:
    codes = [c for c in variable.value_labels if c != dont_know_code]
    if not codes:
        return True
    import numpy as np

    return bool(np.all(allowed.valid(np.array(codes, dtype="float64"))))


def _value_overlap(a: dict[float, str], b: dict[float, str]) -> float:
    """Jaccard overlap of two value-label sets (code and normalised text)."""
    sa = {(float(k), normalise_label(v)) for k, v in a.items()}
    sb = {(float(k), normalise_label(v)) for k, v in b.items()}
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def candidate_matches(variables: dict[str, Variable], references: list[Reference],
                      instrument_ids: list[str] | None = None,
                      id_pattern: str | None = None, id_share: dict[str, float] | None = None) -> dict[str, list[Match]]:
    """Every plausible target of every variable, best first.

    Parameters
    ----------
    variables : dict of str to Variable
        The new file's variables (:func:`describe_variables`).
    references : list of Reference
        Known targets (:func:`references_from_config`).
    instrument_ids : list of str, optional
        Instruments whose specs are searched for ``<name> <item number>`` labels.
    id_pattern : str, optional
        The study's pseudonym pattern; with ``id_share``, a text variable whose values
        mostly match it is a candidate ID variable.
    id_share : dict of str to float, optional
        Share of non-empty values matching ``id_pattern``, per text variable.

    Returns
    -------
    dict of str to list of Match
        Only matches with similarity >= :data:`MIN_SIMILARITY`, one per target (the best
        reference of that target), sorted by (similarity, value overlap) descending.
    """
    out: dict[str, list[Match]] = {}
    for name, v in variables.items():
        best: dict[str, Match] = {}
        for ref in references:
            if ref.kind == "item" and v.is_text:
                continue
            sim = similarity(v.label, ref.label, MIN_SIMILARITY) if v.label else (1.0 if name == ref.raw_name else 0.0)
            if sim < MIN_SIMILARITY:
                continue
            ov = _value_overlap(v.value_labels, ref.value_labels)
            m = Match(name, ref.target, ref.kind, sim, ov, ref.source)
            old = best.get(ref.target)
            if old is None or (m.similarity, m.value_overlap) > (old.similarity, old.value_overlap):
                best[ref.target] = m
        if not v.is_text:
            for inst, item in _spec_match(v, instrument_ids or []):
                if item not in best:
                    best[item] = Match(name, item, "item", SPEC_SIMILARITY, 1.0,
                                       f"spec {inst} (instrument name and item number in the label)")
        if id_share and id_share.get(name, 0.0) >= 0.9:
            old = best.get(ID_TARGET)
            if old is None or old.similarity < 1.0:
                best[ID_TARGET] = Match(name, ID_TARGET, "id", 1.0, 1.0,
                                        f"{id_share[name]:.0%} of values match {id_pattern}")
        out[name] = sorted(best.values(), key=lambda m: (m.similarity, m.value_overlap), reverse=True)
    return out


def assign(candidates: dict[str, list[Match]]) -> dict[str, Match]:
    """One-to-one assignment: best (similarity, value overlap) first, each target once.

    A match whose variable had another target within :data:`TIE` that was *not* taken
    by a better variable keeps that runner-up for the ``# check`` comment.

    Returns
    -------
    dict of str to Match
        Variable -> its assigned match.
    """
    flat = [m for ms in candidates.values() for m in ms]
    flat.sort(key=lambda m: (round(m.similarity, 2), m.value_overlap, m.similarity), reverse=True)
    taken_var: dict[str, Match] = {}
    taken_target: set[str] = set()
    for m in flat:
        if m.variable in taken_var or m.target in taken_target:
            continue
        rivals = [r for r in candidates[m.variable]
                  if r.target != m.target and r.target not in taken_target
                  and abs(r.similarity - m.similarity) <= TIE and r.value_overlap >= m.value_overlap]
        if rivals:
            m = Match(m.variable, m.target, m.kind, m.similarity, m.value_overlap, m.source,
                      runner_up=rivals[0].target)
        taken_var[m.variable] = m
        taken_target.add(m.target)
    return taken_var


def missing_kind(label: str) -> str:
    for kind, rx in _MISSING_KINDS:
        if rx.search(label or ""):
            return kind
    return "invalid"


def _id_shares(raw: ingest.RawWave, variables: dict[str, Variable], pattern: str) -> dict[str, float]:
    shares = {}
    for name, v in variables.items():
        if not v.is_text or name not in raw.data:
            continue
        col = raw.data[name].dropna().astype(str).str.strip()
        col = col[col != ""]
        if len(col):
            shares[name] = float(col.str.fullmatch(pattern).mean())
    return shares


def _wave_date(raw: ingest.RawWave, variables: dict[str, Variable]) -> tuple[dt.date, str]:
    for name, v in variables.items():
        if v.is_date and name in raw.data:
            d = pd.to_datetime(raw.data[name], errors="coerce").dropna()
            if len(d):
                return d.median().date(), f"median of {name!r} ({v.label})" if v.label else f"median of {name!r}"
    return dt.date.today(), "today's date (no date variable in the file)"


def _next_wave_id(config: StudyConfig) -> str:
    nums = [int(m.group(1)) for w in config.waves if (m := re.fullmatch(r"T(\d+)", w.id))]
    return f"T{max(nums) + 1}" if nums else f"W{len(config.waves) + 1}"


def propose_wave(config: StudyConfig, file: str | os.PathLike, wave_id: str | None = None,
                 date: dt.date | None = None, encoding: str | None = None, delimiter: str | None = None,
                 decimal: str | None = None, sheet: str | None = None) -> Proposal:
    """Propose a ``waves:`` entry for a new wave file.

    Parameters
    ----------
    config : StudyConfig
        The study; its waves (and their files) are the references.
    file : path
        The new wave file (any format :mod:`survey.readers` reads; a CSV or Excel file
        has no labels and matches by name only).
    wave_id : str, optional
        Id of the new wave (default: the next ``T<n>``).
    date : datetime.date, optional
        Nominal date (default: median of the file's first date variable, else today).
    encoding, delimiter, decimal, sheet : str, optional
        How to read a CSV file or a workbook (as the wave's settings in study.yaml); the
        ones used (given or detected) go into the proposed entry.

    Returns
    -------
    Proposal
        ID variable, item mapping and covariates with their similarities, the declared
        instruments (those with at least one proposed item; an instrument with items left
        unmatched is listed in ``incomplete``), missing codes from the file's user-missing
        declarations (falling back to the matched earlier variable's codes) and the
        variables left unmapped.

    Raises
    ------
    survey.ingest.WaveError
        The file cannot be read.
    survey.ingest.IdentifierError
        The identifier guard stops the file (or its name): nothing is proposed.
    """
    import instruments
    from privacy import identifiers
    from survey import study

    path = Path(file).resolve()
    name_problem = identifiers.file_name_problem(path.name)
    if name_problem:
        raise ingest.IdentifierError(f"the new wave file: {name_problem}")
    raw = ingest.read_wave(path, encoding=encoding, delimiter=delimiter, decimal=decimal, sheet=sheet,
                           hint="new-wave")
    study.register_study_scales(config)
    variables = describe_variables(raw)
    refs, notes = references_from_config(config, exclude=path)
    known_insts = list(dict.fromkeys([i for w in config.waves for i in w.instruments
                                      if i in set(instruments.available()["id"])]
                                     + list(instruments.available()["id"])))
    shares = _id_shares(raw, variables, config.study.id_pattern)
    cands = candidate_matches(variables, refs, known_insts, config.study.id_pattern, shares)
    chosen = assign(cands)

    id_match = next((m for m in chosen.values() if m.kind == "id"), None)
    # the identifier guard, as raw_wave runs it: a file it would stop is not proposed (the
    # proposal prints labels, and such a file must not enter the pipeline anyway)
    guard = identifiers.check_no_identifiers(raw.data, raw.codebook, path.name,
                                             id_match.variable if id_match else None,
                                             id_pattern=config.study.id_pattern)
    error = identifiers.identifier_error(guard, path.name)
    if error is not None:
        raise error
    items = [chosen[v] for v in variables if v in chosen and chosen[v].kind == "item"]
    covs = [chosen[v] for v in variables if v in chosen and chosen[v].kind == "covariate"]
    order = {it: i for i, it in enumerate(
        [it for inst in known_insts for it in instruments.spec(inst).items])}
    items.sort(key=lambda m: order.get(m.target, 10**6))

    mapped_insts = {m.target.rsplit("_", 1)[0] if not m.target.startswith("eq5d5l_") else "eq5d5l"
                    for m in items}
    insts = [i for i in known_insts if i in mapped_insts]
    proposed_items = {m.target for m in items}
    incomplete = {i: [it for it in instruments.spec(i).items if it not in proposed_items] for i in insts}
    incomplete = {i: v for i, v in incomplete.items() if v}

    # missing codes: the file's user-missing declarations, else the matched earlier variable's
    ref_codes: dict[str, dict[int, str]] = {}
    by_source = {(r.wave, r.raw_name): r for r in refs}
    for m in items:
        v = variables[m.variable]
        if v.missing_labels:
            ref_codes[m.variable] = {int(c): missing_kind(lbl) for c, lbl in sorted(v.missing_labels.items())}
        else:
            src = re.match(r"wave (\S+) \((.+)\)$", m.source)
            if src and (src.group(1), src.group(2)) in by_source:
                codes = config.wave(src.group(1)).missing_codes.for_variable(src.group(2))
                ref_codes[m.variable] = {int(k): str(val) for k, val in codes.items()}
            else:
                ref_codes[m.variable] = {}
    counts = Counter(json.dumps(c, sort_keys=True) for c in ref_codes.values())
    default = {int(k): v for k, v in json.loads(counts.most_common(1)[0][0]).items()} if counts else {}
    by_variable = {var: c for var, c in ref_codes.items() if c != default}

    # value labels for covariates the file leaves unlabelled, from the matched earlier wave
    proposed_labels: dict[str, dict] = {}
    label_sources: dict[str, str] = {}
    for m in covs:
        v = variables[m.variable]
        src = re.match(r"wave (\S+) \((.+)\)$", m.source)
        ref = by_source.get((src.group(1), src.group(2))) if src else None
        if v.value_labels or v.missing_labels or ref is None or not ref.value_labels:
            continue
        col = raw.data[m.variable] if m.variable in raw.data else pd.Series(dtype="float64")
        present = pd.to_numeric(col.astype("string").str.strip(), errors="coerce")
        if col.notna().any() and present[col.notna()].isna().any():
            continue      # the file holds text (labels?), not codes
        proposed_labels[m.variable] = {(int(k) if float(k).is_integer() else float(k)): lab
                                       for k, lab in ref.value_labels.items()}
        label_sources[m.variable] = m.source

    assigned = set(chosen)
    unmapped = [v for name, v in variables.items() if name not in assigned]
    when, date_source = (date, "given") if date else _wave_date(raw, variables)
    wid = wave_id or _next_wave_id(config)
    baseline = config.analysis.baseline_wave
    try:
        rel = os.path.relpath(path, config.base_dir)
    except ValueError:  # other drive (Windows)
        rel = str(path)
    return Proposal(
        wave_id=wid, file=Path(rel).as_posix(), date=when, date_source=date_source,
        id_variable=id_match, items=items, covariates=covs, instruments=insts, incomplete=incomplete,
        missing_default=default, missing_by_variable=by_variable, unmapped=unmapped, notes=notes,
        labels={v.name: v.label for v in variables.values()},
        comparison=(baseline, wid) if baseline != wid else None,
        settings=_entry_settings(raw), value_labels=proposed_labels, value_label_sources=label_sources,
    )


def _entry_settings(raw: ingest.RawWave) -> dict:
    """The reading settings a proposed entry must carry (only those differing from the defaults)."""
    s = raw.settings
    out = {}
    if raw.file_format == "csv":
        if s.get("encoding", "utf-8") != "utf-8":
            out["encoding"] = s["encoding"]
        if s.get("delimiter", ",") != ",":
            out["delimiter"] = s["delimiter"]
        if s.get("decimal", ".") != ".":
            out["decimal"] = s["decimal"]
    elif raw.file_format in ("xlsx", "ods") and s.get("sheet"):
        out["sheet"] = s["sheet"]
    return out


def _q(value: str) -> str:
    """A YAML scalar: plain when safe, else double-quoted (JSON quoting is valid YAML)."""
    s = str(value)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_./-]*", s) and s.lower() not in {
            "yes", "no", "true", "false", "on", "off", "null", "y", "n"}:
        return s
    return json.dumps(s, ensure_ascii=False)


def _comment(m: Match) -> str:
    bits = []
    if m.uncertain:
        bits.append(f"check: similarity {m.similarity:.2f}")
        if m.runner_up:
            bits.append(f"or {m.runner_up}?")
        bits.append(f"from {m.source}")
    return ("  # " + ", ".join(bits)) if bits else ""


def render_yaml(p: Proposal) -> str:
    """The proposal as a commented YAML list item to paste under ``waves:`` in study.yaml.

    Returns
    -------
    str
        Valid YAML (a one-element list); uncertain matches carry ``# check: similarity
        0.71`` comments and the unmapped variables are listed as comments at the end.
    """
    month = _MONTHS_SV[p.date.month - 1]
    out = [
        f"# Proposed by `python -m pipelines new-wave` on {dt.date.today().isoformat()} - REVIEW BEFORE USE.",
        f"# {len(p.items)} item(s), {len(p.covariates)} covariate(s); "
        f"{sum(m.uncertain for m in p.items + p.covariates)} match(es) marked `# check`; "
        f"{len(p.unmapped)} variable(s) unmapped.",
        "# Paste under `waves:` in study.yaml (after the last wave), then run `python -m pipelines validate`.",
    ]
    out += [f"# note: {n}" for n in p.notes]
    if p.comparison:
        out.append(f"# and add [{p.comparison[0]}, {p.comparison[1]}] to analysis.comparisons")
    out += [
        f"- id: {_q(p.wave_id)}",
        f"  label: {{sv: {_q('Uppföljning ' + month + ' ' + str(p.date.year))}, "
        f"en: {_q('Follow-up ' + p.date.strftime('%B') + ' ' + str(p.date.year))}}}  # check: wording",
        f"  date: {p.date.isoformat()}  # check: nominal date ({p.date_source})",
        f"  file: {_q(p.file)}",
    ]
    for key, value in p.settings.items():
        out.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    if p.id_variable:
        out.append(f"  id_variable: {_q(p.id_variable.variable)}" + _comment(p.id_variable))
    else:
        out.append("  id_variable: CHANGE_ME  # check: no variable looks like the study code")
    out.append(f"  instruments: [{', '.join(p.instruments)}]")
    for inst, missing in p.incomplete.items():
        shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
        out.append(f"  # check: {inst}: {len(missing)} item(s) not found in the file: {shown}")
    out.append("  mapping:")
    for m in p.items:
        out.append(f"    {_q(m.variable)}: {m.target}" + _comment(m))
    if not p.items:
        out[-1] = "  mapping: {}"
    if p.covariates:
        out.append("  covariates:")
        for m in p.covariates:
            out.append(f"    {_q(m.variable)}: {m.target}" + _comment(m))
    if p.value_labels:
        out.append("  # the file has no value labels: codes and labels as in the matched earlier wave")
        out.append("  value_labels:")
        for var, codes in p.value_labels.items():
            out.append(f"    {_q(var)}:  # check: from {p.value_label_sources.get(var, 'an earlier wave')}")
            for code, lab in codes.items():
                out.append(f"      {json.dumps(code)}: {json.dumps(lab, ensure_ascii=False)}")
    out.append("  missing_codes:")
    out.append("    default: {" + ", ".join(f"{k}: {v}" for k, v in p.missing_default.items()) + "}")
    if p.missing_by_variable:
        out.append("    by_variable:")
        for var, codes in p.missing_by_variable.items():
            out.append(f"      {_q(var)}: {{" + ", ".join(f"{k}: {v}" for k, v in codes.items()) + "}")
    if p.unmapped:
        out.append("  # unmapped variables (ignored by the pipeline unless you map them):")
        for v in p.unmapped:
            out.append(f"  #   {v.name}: {v.label or '(no label)'}".rstrip())
    return "\n".join(out) + "\n"
