"""Partner surveys: read, guard, harmonise, check and score the yearly partner surveys (pure).

The partnership's members answer an anonymous survey once a year (the Engage for Equity
scales, :mod:`instruments.e2`; configuration: ``partner_surveys:``,
:class:`studyconfig.config.PartnerSurvey`). Respondents carry no study code and are never
linked across years. Ingestion uses the survey waves' machinery wherever it applies:

* the file is read by :func:`survey.ingest.read_wave` (SPSS ``.sav`` or CSV, read as it
  is) and judged by the identifier guard :func:`survey.ingest.check_no_identifiers`;
* the **free-text** variables (``free_text:``) are dropped right after reading, before
  anything is stored: only the variables the configuration uses (mapped items, the group
  variable, the respondent number) are kept. A free-text variable that the guard flags
  (an e-mail address in a comment) is therefore a *warning*, not a refusal: its values
  are never stored; any other flagged variable refuses the whole file, as for a wave;
* items are harmonised by :func:`survey.ingest.harmonise` (canonical names, declared
  missing codes, text in an item column refused with its rows), and checked with the
  wave validators (:func:`survey.ingest.check_codes`, ``check_required``,
  ``check_instruments_answered``, ``check_value_labels``, ``check_user_missing``);
* the partner group is kept as its *code* (text); only the configuration's
  ``group_labels`` are ever published, so a code without a label is an error;
* a respondent number (``respondent_variable:``, optional) is used only to find duplicated
  rows; it is dropped when the surveys are scored.

Every problem names the file, the variable, the rows and the kind of problem, never a
value. Pure code (pandas); the Dagster layer is :mod:`pipelines.assets.partners`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

import instruments
from studyconfig.config import Label, PartnerSurvey, StudyConfig, Wave
from survey import ingest
from survey.ingest import Problem, WaveError

#: columns of the stored raw frame that are not raw variables (reserved names)
RAW_YEAR, RAW_ROW = "__year__", "__row__"
#: columns of the harmonised and scored frames
YEAR, ROW, GROUP, RESPONDENT = "year", "row", "partner_group", "respondent"
#: what the free-text variables become in every message
FREE_TEXT_NOTE = "a free-text variable: dropped when the file is read, never stored or published"


# -- configuration helpers -------------------------------------------------------------------

def group_code(value) -> str | None:
    """A partner-group code as text: whole numbers without decimals, text stripped.

    Examples
    --------
    >>> group_code(3.0), group_code(" 3 "), group_code("Hälsofrämjare"), group_code(float("nan")), group_code("")
    ('3', '3', 'Hälsofrämjare', None, None)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if np.isfinite(number) and number.is_integer() else text


def group_labels(survey: PartnerSurvey) -> dict[str, Label]:
    """The survey's ``group_labels`` keyed by :func:`group_code`."""
    # (a configured code is a number or a text, whose code is its text; only a blank text key gives None)
    return {cast(str, group_code(k)): v for k, v in survey.group_labels.items()}


def used_variables(survey: PartnerSurvey) -> list[str]:
    """The raw variables the configuration uses: mapped items, group, respondent number."""
    out = list(survey.mapping)
    out += [v for v in (survey.group_variable, survey.respondent_variable) if v is not None]
    return out


def items(survey: PartnerSurvey) -> list[str]:
    """Every canonical item of the survey's instruments (in instrument order)."""
    return [it for inst in survey.instrument_ids for it in instruments.items_of(inst)]


def survey_instruments(config: StudyConfig) -> list[str]:
    """The instruments of all partner surveys, in order of first appearance."""
    return list(dict.fromkeys(i for p in config.partner_surveys for i in p.instrument_ids))


def scoring_options(config: StudyConfig, instrument_ids: Sequence[str]) -> dict[str, dict]:
    """Instrument id -> the study's ``instrument_options`` for it."""
    return {i: dict(config.instrument_options.get(i, {})) for i in instrument_ids}


def as_wave(survey: PartnerSurvey) -> Wave:
    """The survey as a :class:`~studyconfig.config.Wave`, so that the wave harmoniser and
    validators apply to it (ID variable: the file row; no covariates: the group is
    handled here). Not a configured wave: it is built without validation."""
    return Wave.model_construct(
        id=f"partners_{survey.year}",
        label=Label(sv=f"Partnerenkät {survey.year}", en=f"Partner survey {survey.year}"),
        file=survey.file, id_variable=RAW_ROW, instruments=survey.instrument_ids, mapping=dict(survey.mapping),
        covariates={}, missing_codes=survey.missing_codes, identifier_exemptions=dict(survey.identifier_exemptions),
        encoding=survey.encoding)


def _survey_text(text: str, survey: PartnerSurvey) -> str:
    return text.replace(f"(wave partners_{survey.year})", f"(partner survey {survey.year})")


def input_version(config: StudyConfig) -> str:
    """Data version of the partner surveys' inputs: every file's bytes with its
    configuration section, the options of their instruments and the study's scale files.

    Examples
    --------
    >>> from studyconfig.config import load_config
    >>> len(input_version(load_config()))
    64
    """
    h = hashlib.sha256()
    for p in config.partner_surveys:
        path = config.resolve(p.file)
        h.update(ingest.sha256_file(path).encode() if path.exists() else b"file missing")
        h.update(json.dumps(p.model_dump(mode="json"), sort_keys=True).encode())
    h.update(json.dumps(scoring_options(config, survey_instruments(config)), sort_keys=True, default=str).encode())
    for path in config.scale_paths():
        h.update(ingest.sha256_file(path).encode() if path.exists() else b"file missing")
    return h.hexdigest()


# -- reading -----------------------------------------------------------------------------------

@dataclass
class RawSurvey:
    """One partner survey as read: only the variables the configuration uses."""

    year: int
    file: str
    data: pd.DataFrame
    codebook: pd.DataFrame
    sha256: str
    file_format: str
    notes: list[str] = field(default_factory=list)
    guard: list[Problem] = field(default_factory=list)
    dropped_free_text: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


def guard(raw: ingest.RawWave, survey: PartnerSurvey) -> list[Problem]:
    """The identifier guard on every variable of the file; a finding in a declared
    free-text variable is a warning (the variable is dropped before anything is stored).

    Examples
    --------
    >>> from studyconfig.config import PartnerSurvey
    >>> s = PartnerSurvey(year=2024, file="p.csv", instruments=["e2_synergy"],
    ...                   mapping={f"s{i}": f"e2_synergy_0{i}" for i in range(1, 6)}, free_text=["note"])
    >>> data = pd.DataFrame({"s1": [4, 5], "note": ["mejla mig: a@b.se", ""]})
    >>> raw = ingest.RawWave(data, pd.DataFrame({"variable": ["s1", "note"], "variable_label": ["", ""]}),
    ...                      "", None, "csv")
    >>> [(p.severity, p.variable) for p in guard(raw, s)]
    [('warning', 'note')]
    """
    found = ingest.check_no_identifiers(raw.data, raw.codebook, raw.path.name if raw.path else survey.file,
                                        survey.respondent_variable or "", survey.identifier_exemptions)
    out = []
    free = set(survey.free_text)
    for p in found:
        if p.severity == "error" and p.variable in free:
            p = dataclasses.replace(p, severity="warning", message=f"{p.message} ({FREE_TEXT_NOTE})",
                                    suggestion="remove such details from the comments in the source if they "
                                               "are not needed")
        out.append(p)
    return out


def read_survey(config: StudyConfig, survey: PartnerSurvey) -> RawSurvey:
    """Read one partner survey, run the identifier guard, keep only the used variables.

    Raises
    ------
    survey.ingest.WaveError
        The file cannot be read (see :func:`survey.ingest.read_wave`), or a used
        variable has a reserved name.
    survey.ingest.IdentifierError
        A variable other than a declared free-text one looks like a direct identifier
        (nothing of the file is kept).
    """
    path = config.resolve(survey.file)
    try:
        raw = ingest.read_wave(path, encoding=survey.encoding, id_variable=survey.respondent_variable)
    except WaveError as exc:
        raise type(exc)(f"{exc} (partner survey {survey.year})") from None
    found = guard(raw, survey)
    error = ingest.identifier_error(found, path.name, f"partners_{survey.year}")
    if error is not None:
        raise ingest.IdentifierError(_survey_text(str(error), survey))
    reserved = [v for v in used_variables(survey) if v in (RAW_YEAR, RAW_ROW)]
    if reserved:
        raise WaveError(f"{path.name} (partner survey {survey.year}): variable name(s) {reserved} are reserved "
                        "by the pipeline; rename them in the file and the configuration")
    columns = [str(c) for c in raw.data.columns]
    keep = [c for c in used_variables(survey) if c in columns]
    data = raw.data[keep].copy()
    data.insert(0, RAW_ROW, np.arange(1, len(data) + 1, dtype="int64"))
    data.insert(0, RAW_YEAR, np.int64(survey.year))
    free = [c for c in columns if c in set(survey.free_text)]
    cb = raw.codebook
    cb = pd.concat([cb[~cb["variable"].isin(free)],
                    cb[cb["variable"].isin(free)].drop_duplicates("variable").assign(
                        value=np.nan, value_label="", user_missing=False, value_text=pd.NA)],
                   ignore_index=True) if len(cb) else cb
    order = {v: i for i, v in enumerate(columns)}
    cb = cb.sort_values("variable", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    cb.insert(0, YEAR, np.int64(survey.year))
    unused = [c for c in columns if c not in set(keep) and c not in set(free)]
    return RawSurvey(year=survey.year, file=path.name, data=data, codebook=cb, sha256=raw.sha256,
                     file_format=raw.file_format, notes=list(raw.notes), guard=found, dropped_free_text=free,
                     unused=unused)


def read_surveys(config: StudyConfig) -> list[RawSurvey]:
    """Read every configured partner survey; the problems of all of them at once.

    Raises
    ------
    survey.ingest.WaveError
        One or more surveys cannot be read or are refused by the identifier guard; the
        message lists every survey's problem (an ``IdentifierError`` if any was refused).
    """
    out, errors, refused = [], [], False
    for survey in config.partner_surveys:
        try:
            out.append(read_survey(config, survey))
        except WaveError as exc:
            errors.append(str(exc))
            refused |= isinstance(exc, ingest.IdentifierError)
    if errors:
        kind = ingest.IdentifierError if refused else WaveError
        raise kind(errors[0] if len(errors) == 1 else
                   f"{len(errors)} partner surveys cannot be used:\n" + "\n".join(f"* {e}" for e in errors))
    return out


def raw_frame(surveys: Sequence[RawSurvey]) -> pd.DataFrame:
    """The surveys' used variables stacked (``__year__``, ``__row__``, raw variables; a
    variable absent from a year is missing there). A variable with text in one year and
    numbers in another is stored as text (the harmoniser reads codes from text)."""
    if not surveys:
        return pd.DataFrame({RAW_YEAR: pd.Series(dtype="int64"), RAW_ROW: pd.Series(dtype="int64")})
    df = pd.concat([s.data for s in surveys], ignore_index=True)
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype("string")
    return df


def codebook_frame(surveys: Sequence[RawSurvey]) -> pd.DataFrame:
    """The surveys' codebooks stacked (``year`` first; free-text variables by name and label only)."""
    if not surveys:
        return pd.DataFrame(columns=[YEAR, "variable", "variable_label", "value", "value_label", "user_missing",
                                     "value_text"])
    cb = pd.concat([s.codebook for s in surveys], ignore_index=True)
    return cb.astype({"value": "float64", "value_text": "string", "variable_label": "string",
                      "value_label": "string", "variable": "string"})


# -- harmonising -------------------------------------------------------------------------------

@dataclass
class Harmonised:
    data: pd.DataFrame
    missingness: pd.DataFrame


def _slice(raw: pd.DataFrame, codebook: pd.DataFrame, survey: PartnerSurvey, config: StudyConfig) -> ingest.RawWave:
    sel = raw[raw[RAW_YEAR] == survey.year].reset_index(drop=True)
    cb = codebook[codebook[YEAR] == survey.year].drop(columns=[YEAR]).reset_index(drop=True) \
        if len(codebook) else codebook
    cols = [RAW_ROW] + [c for c in used_variables(survey) if c in set(cb["variable"].astype(str))]
    present = [c for c in cols if c in sel.columns]
    return ingest.RawWave(data=sel[present], codebook=cb, sha256="", path=config.resolve(survey.file),
                          file_format="")


def harmonise_survey(raw: pd.DataFrame, codebook: pd.DataFrame, survey: PartnerSurvey,
                     config: StudyConfig) -> Harmonised:
    """One year on canonical names: ``year``, ``row`` (the file's data row), ``partner_group``
    (code as text; missing codes and blanks missing), ``respondent`` (text, if configured)
    and the canonical items as floats (missing codes applied by
    :func:`survey.ingest.harmonise`).

    Raises
    ------
    survey.ingest.WaveError
        A configured variable is not in the file (all listed, with close matches), or an
        item column holds text (variables and rows named, never values).
    """
    rw = _slice(raw, codebook, survey, config)
    file = rw.path.name
    absent = [(v, role) for v, role in ((survey.group_variable, "group_variable"),
                                        (survey.respondent_variable, "respondent_variable"))
              if v is not None and v not in rw.data.columns]
    absent += [(v, f"mapped to {item!r}") for v, item in survey.mapping.items() if v not in rw.data.columns]
    if absent:
        names = list(codebook.loc[codebook[YEAR] == survey.year, "variable"].astype(str)) if len(codebook) else []
        lines = []
        for v, role in absent:
            close = [c for c in _close(v, names) if c not in survey.free_text]
            lines.append(f"  - {v!r} ({role})" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise WaveError(f"{file} (partner survey {survey.year}): {len(absent)} configured variable(s) not in the "
                        "file:\n" + "\n".join(lines))
    dk = {inst: instruments.spec(inst).dont_know_code for inst in survey.instrument_ids}
    try:
        h = ingest.harmonise(rw, as_wave(survey), dk)
    except WaveError as exc:
        raise WaveError(_survey_text(str(exc), survey)) from None
    out = pd.DataFrame({YEAR: np.full(len(h.data), survey.year, dtype="int64"),
                        ROW: rw.data[RAW_ROW].to_numpy(dtype="int64")})
    out[GROUP] = _groups(rw.data, survey)
    if survey.respondent_variable is not None:
        out[RESPONDENT] = pd.Series([_respondent(v) for v in rw.data[survey.respondent_variable].tolist()],
                                    dtype="string").to_numpy()
    for item in survey.mapping.values():
        out[item] = h.data[item].to_numpy(dtype="float64")
    miss = h.missingness.drop(columns=["wave"]).assign(**{YEAR: survey.year})
    return Harmonised(out, miss[[YEAR, *[c for c in miss.columns if c != YEAR]]])


def _respondent(value) -> str | None:
    """A respondent number as text: text as written (stripped; ``007`` stays ``007``), a
    number without decimals when whole."""
    if isinstance(value, str):
        return value.strip() or None
    return group_code(value)


def _close(word: str, names: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(word, names, n=2)


def _groups(data: pd.DataFrame, survey: PartnerSurvey) -> pd.Series:
    if survey.group_variable is None:
        return pd.Series(pd.NA, index=data.index, dtype="string")
    missing = {group_code(c) for c in survey.missing_codes.for_variable(survey.group_variable)}
    codes = [group_code(v) for v in data[survey.group_variable].tolist()]
    return pd.Series([None if c is None or c in missing else c for c in codes], index=data.index, dtype="string")


def harmonise(raw: pd.DataFrame, codebook: pd.DataFrame, config: StudyConfig) -> Harmonised:
    """Every configured year (:func:`harmonise_survey`), stacked; items of instruments a
    year does not have are missing there.

    Raises
    ------
    survey.ingest.WaveError
        Every year's problems at once.
    """
    parts, errors = [], []
    for survey in config.partner_surveys:
        try:
            parts.append(harmonise_survey(raw, codebook, survey, config))
        except WaveError as exc:
            errors.append(str(exc))
    if errors:
        raise WaveError("\n".join(errors))
    if not parts:
        empty = pd.DataFrame({YEAR: pd.Series(dtype="int64"), ROW: pd.Series(dtype="int64"),
                              GROUP: pd.Series(dtype="string")})
        return Harmonised(empty, pd.DataFrame(columns=[YEAR, "variable", "item", "n_rows"]))
    item_order = list(dict.fromkeys(it for inst in survey_instruments(config) for it in instruments.items_of(inst)))
    data = pd.concat([p.data for p in parts], ignore_index=True)
    lead = [c for c in (YEAR, ROW, GROUP, RESPONDENT) if c in data.columns]
    data = data[lead + [c for c in item_order if c in data.columns]]
    return Harmonised(data, pd.concat([p.missingness for p in parts], ignore_index=True))


def year_slice(data: pd.DataFrame, year: int) -> pd.DataFrame:
    """One year's rows with a fresh index (row numbers in messages are the file's)."""
    return data[data[YEAR] == year].reset_index(drop=True)


# -- checks (each: list of Problems over every year) -------------------------------------------

def _file(config: StudyConfig, survey: PartnerSurvey) -> str:
    return config.resolve(survey.file).name


def check_respondents(data: pd.DataFrame, config: StudyConfig) -> list[Problem]:
    """Respondent numbers, where configured, are unique within a year (blank ones are a
    warning); without them, rows repeating another row's answers exactly are a warning
    (a double export?)."""
    problems = []
    for s in config.partner_surveys:
        d, file = year_slice(data, s.year), _file(config, s)
        if s.respondent_variable is not None and RESPONDENT in d:
            ids = d[RESPONDENT]
            blank = ids.isna()
            if blank.any():
                problems.append(Problem(file, "unique_respondents", f"{int(blank.sum())} row(s) without a "
                                        "respondent number", variable=s.respondent_variable,
                                        count=int(blank.sum()), rows=ingest.file_rows(blank), severity="warning"))
            dup = ids.duplicated(keep=False) & ~blank
            if dup.any():
                problems.append(Problem(file, "unique_respondents", f"{int(ids[dup].nunique())} respondent "
                                        f"number(s) occur more than once ({int(dup.sum())} rows)",
                                        variable=s.respondent_variable, count=int(dup.sum()),
                                        rows=ingest.file_rows(dup), expected="one row per respondent"))
            continue
        cols = [c for c in (GROUP, *s.mapping.values()) if c in d]
        answered = d[list(s.mapping.values())].notna().sum(axis=1) >= max(1, len(s.mapping) // 2)
        key = d[cols].astype("string").fillna("\x00")
        dup = key.duplicated(keep=False) & answered
        if dup.any():
            problems.append(Problem(file, "unique_respondents", f"{int(dup.sum())} row(s) repeat another row's "
                                    "answers exactly (a duplicated export?)", count=int(dup.sum()),
                                    rows=ingest.file_rows(dup), expected="one row per respondent",
                                    suggestion="check the export; identical answers can also be genuine",
                                    severity="warning"))
    return problems


def allowed(survey: PartnerSurvey) -> dict:
    """Item -> allowed codes of the survey's instruments (as for a wave)."""
    from survey import study

    return study.allowed_codes(as_wave(survey))


def check_codes(data: pd.DataFrame, codebook: pd.DataFrame, config: StudyConfig) -> list[Problem]:
    """Every answered item holds one of its instrument's codes (:func:`survey.ingest.check_codes`)."""
    problems = []
    for s in config.partner_surveys:
        cb = codebook[codebook[YEAR] == s.year] if len(codebook) else codebook
        raw_names = {item: raw for raw, item in s.mapping.items()}
        problems += ingest.check_codes(year_slice(data, s.year), _file(config, s), allowed(s), raw_names,
                                       ingest.user_missing_codes(cb))
    return problems


def check_required(data: pd.DataFrame, codebook: pd.DataFrame, config: StudyConfig) -> list[Problem]:
    """Every item of every instrument a survey declares is mapped (an unmapped variable
    named like the mapped ones is suggested), and every instrument has an answer."""
    problems = []
    for s in config.partner_surveys:
        d, file = year_slice(data, s.year), _file(config, s)
        names = set(codebook.loc[codebook[YEAR] == s.year, "variable"].astype(str)) if len(codebook) else set()
        free = names - {s.group_variable, s.respondent_variable} - set(s.free_text)
        problems += ingest.check_required(d, file, items(s), s.mapping, free)
        raw_names = {item: raw for raw, item in s.mapping.items()}
        problems += ingest.check_instruments_answered(
            d, file, {inst: instruments.items_of(inst) for inst in s.instrument_ids}, raw_names)
    return problems


def check_codebook(data: pd.DataFrame, codebook: pd.DataFrame, config: StudyConfig) -> list[Problem]:
    """The file's value labels fit the instruments' codes and no SPSS user-missing code
    would be scored as an answer (:func:`survey.ingest.check_value_labels`,
    :func:`survey.ingest.check_user_missing`)."""
    problems = []
    for s in config.partner_surveys:
        file = _file(config, s)
        cb = codebook[codebook[YEAR] == s.year].drop(columns=[YEAR]) if len(codebook) else codebook
        problems += ingest.check_value_labels(cb, file, s.mapping, allowed(s), s.missing_codes)
        problems += ingest.check_user_missing(year_slice(data, s.year), cb, file, s.mapping, allowed(s),
                                              s.missing_codes, spss=file.lower().endswith((".sav", ".zsav")))
    return problems


def check_groups(data: pd.DataFrame, config: StudyConfig) -> list[Problem]:
    """Every partner-group code has a label in ``group_labels`` (only declared labels are
    published); a survey whose respondents all lack a group is a warning."""
    problems = []
    for s in config.partner_surveys:
        if s.group_variable is None:
            continue
        d, file = year_slice(data, s.year), _file(config, s)
        declared = group_labels(s)
        codes = d[GROUP]
        bad = codes.notna() & ~codes.isin(list(declared))
        if bad.any():
            problems.append(Problem(file, "partner_groups", f"{int(bad.sum())} row(s) hold a partner-group code "
                                    "that group_labels does not declare", variable=s.group_variable,
                                    count=int(bad.sum()), rows=ingest.file_rows(bad),
                                    expected="one of the declared codes {" + ", ".join(declared) + "}",
                                    suggestion="declare the code under group_labels (with sv and en labels), or "
                                               "under missing_codes if it means 'not stated'"))
        if len(d) and codes.isna().all():
            problems.append(Problem(file, "partner_groups", f"no respondent has a partner group (all {len(d)} "
                                    "missing)", variable=s.group_variable, count=len(d),
                                    expected="group codes", suggestion="is the right variable configured?",
                                    severity="warning"))
    return problems


def check_identifiers(raw: pd.DataFrame, codebook: pd.DataFrame, config: StudyConfig) -> list[Problem]:
    """The identifier guard on the stored variables (the raw asset already refused any file
    with an identifier; this records the result and the exemptions' reasons)."""
    problems = []
    for s in config.partner_surveys:
        sel = raw[raw[RAW_YEAR] == s.year].reset_index(drop=True)
        cols = [c for c in used_variables(s) if c in sel.columns]
        cb = codebook[codebook[YEAR] == s.year].drop(columns=[YEAR]) if len(codebook) else codebook
        cb = cb[cb["variable"].isin(cols)] if len(cb) else cb
        exempt = {k: v for k, v in s.identifier_exemptions.items() if k in cols}
        problems += ingest.check_no_identifiers(sel[cols], cb, _file(config, s), s.respondent_variable or "",
                                                exempt)
    return problems


# -- scoring -----------------------------------------------------------------------------------

def score(harmonised: pd.DataFrame, config: StudyConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score each year's instruments with :func:`instruments.score`.

    Returns
    -------
    scored : DataFrame
        ``year, partner_group``, the canonical items and ``<scale>_score``,
        ``<scale>_n_valid`` of every instrument (missing in a year without it); the
        respondent number and the file row are not kept.
    valid_rates : DataFrame
        ``year, instrument, score_column, n_rows, n_scored, valid_rate``.
    """
    ids = survey_instruments(config)
    options = scoring_options(config, ids)
    item_cols = [c for c in harmonised.columns if c not in (YEAR, ROW, GROUP, RESPONDENT)]
    frames, rates = [], []
    for s in config.partner_surveys:
        d = year_slice(harmonised, s.year)
        parts = [d[[YEAR, GROUP, *item_cols]]]
        for inst in ids:
            cols = instruments.items_of(inst)
            present = all(c in d.columns for c in cols) and inst in s.instrument_ids
            if present:
                sc = instruments.score(inst, d[cols], **options[inst])
            else:
                sc = instruments.score(inst, pd.DataFrame(np.nan, index=d.index, columns=cols), **options[inst])
            parts.append(sc)
            if present:
                col = f"{inst}_score"
                n = int(sc[col].notna().sum())
                rates.append({YEAR: s.year, "instrument": inst, "score_column": col, "n_rows": len(d),
                              "n_scored": n, "valid_rate": n / len(d) if len(d) else np.nan})
        frames.append(pd.concat(parts, axis=1))
    if not frames:
        return (pd.DataFrame({YEAR: pd.Series(dtype="int64"), GROUP: pd.Series(dtype="string")}),
                pd.DataFrame(columns=[YEAR, "instrument", "score_column", "n_rows", "n_scored", "valid_rate"]))
    return pd.concat(frames, ignore_index=True), pd.DataFrame(rates)
