"""Study configuration: one validated YAML file describes a study.

The study configuration is the only place a researcher edits to add a wave, map raw
variables onto canonical instrument items, declare missing-value codes, choose the
recurring-participant definition and the analysis options. It is plain data, validated
with pydantic so that every mistake is reported with its location in the file.

This module never imports Dagster: the Dagster layer wraps it in a resource
(:mod:`pipelines.resources`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

#: libyaml's safe loader when available (same result, ~10x faster; the configuration is
#: read by every asset)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = PROJECT_ROOT / "data" / "example" / "study.yaml"

#: canonical item names are ``<instrument_id>_<NN>`` or, for EQ-5D-5L, ``eq5d5l_<dim>``
CANONICAL_ITEM = re.compile(r"^(?P<instrument>[a-z][a-z0-9_]*?)_(?P<item>\d{2}|mo|sc|ua|pd|ad|vas)$")

#: canonical covariate (non-item) variables a wave may carry
COVARIATES = (
    "gender",
    "age_group",
    "education",
    "region_of_birth",
    "language",
    "workshop",
)

#: shortest accepted reason for an identifier exemption (a word or two is not a reason)
MIN_EXEMPTION_REASON = 10

MissingKind = Literal["dont_know", "no_answer", "not_applicable", "invalid"]

#: a value code in ``value_labels`` (``1``, ``1.5`` or the text code of a string variable)
Code = int | float | str


class ConfigError(ValueError):
    """A study configuration that cannot be used; the message lists every problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    sv: str
    en: str


#: ``value_labels`` of a variable: code -> label; a plain string is the category as the files
#: spell it, ``{sv: ..., en: ...}`` adds the English translation for the report
ValueLabels = dict[Code, Label | str]


class MissingCodes(_Strict):
    """User-missing codes: ``default`` applies to every mapped item variable unless the
    variable has its own entry in ``by_variable`` (e.g. the EQ VAS, where 8 and 9 are
    valid answers and 998/999 are the missing codes)."""

    default: dict[int, MissingKind] = Field(default_factory=dict)
    by_variable: dict[str, dict[int, MissingKind]] = Field(default_factory=dict)

    def for_variable(self, raw_name: str) -> dict[int, MissingKind]:
        return self.by_variable.get(raw_name, self.default)


class Wave(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: Label
    date: dt.date
    file: str
    id_variable: str
    instruments: list[str]
    mapping: dict[str, str] = Field(
        description="raw variable name -> canonical item name (e.g. q14 -> hls_eu_q16_03)"
    )
    covariates: dict[str, str] = Field(
        default_factory=dict, description="raw variable name -> canonical covariate name"
    )
    missing_codes: MissingCodes = Field(default_factory=MissingCodes)
    identifier_exemptions: dict[str, str] = Field(
        default_factory=dict,
        description="raw variable name -> the reason it is not a direct identifier although the identifier "
                    "guard would stop it (e.g. a workshop *name*); the reason is logged on every run",
    )
    encoding: Literal["utf-8", "cp1252", "latin-1"] = Field(
        default="utf-8", description="text encoding of a CSV wave file (SPSS, Stata and workbook files carry "
                                     "their own)"
    )
    delimiter: Literal[",", ";", "\t"] | None = Field(
        default=None, description="field delimiter of a CSV wave file; left out: detected from the header "
                                  "(comma, semicolon or tab)")
    decimal: Literal[".", ","] | None = Field(
        default=None, description="decimal mark of numbers in a CSV wave file; left out: '.', or ',' when a "
                                  "semicolon- or tab-separated file writes its numbers with decimal commas only")
    sheet: str | None = Field(default=None, description="worksheet of an .xlsx/.ods wave file (default: the first)")
    value_labels: dict[str, ValueLabels] = Field(
        default_factory=dict,
        description="value labels for a file format without them (CSV, Excel): raw variable or canonical "
                    "covariate/item name -> {code: label or {sv, en}}; overrides the study's shared "
                    "value_labels and, for this wave, the file's own labels of that variable")
    new_categories: dict[str, str] = Field(
        default_factory=dict,
        description="covariate (canonical or raw name) -> the reason why categories that no other wave has "
                    "are right in this wave (e.g. a workshop that started this year); the cross-wave "
                    "category check then accepts them")

    @field_validator("identifier_exemptions")
    @classmethod
    def _reasons_given(cls, v: dict[str, str]) -> dict[str, str]:
        return _exemption_reasons(v)

    @field_validator("file")
    @classmethod
    def _file_name_holds_no_identifier(cls, v: str) -> str:
        return _no_identifier_in_file_name(v)

    @field_validator("new_categories")
    @classmethod
    def _category_reasons(cls, v: dict[str, str]) -> dict[str, str]:
        short = [k for k, reason in v.items() if len(str(reason or "").strip()) < MIN_EXEMPTION_REASON]
        if short:
            raise ValueError(f"give a reason (at least {MIN_EXEMPTION_REASON} characters) why {short} have new "
                             "categories in this wave, e.g. {workshop: 'the diabetes group started in 2025'}")
        return {k: str(reason).strip() for k, reason in v.items()}

    @field_validator("covariates")
    @classmethod
    def _known_covariates(cls, v: dict[str, str]) -> dict[str, str]:
        bad = sorted(set(v.values()) - set(COVARIATES))
        if bad:
            raise ValueError(f"unknown covariate name(s) {bad}; allowed: {list(COVARIATES)}")
        return v

    @model_validator(mode="after")
    def _mapping_consistent(self) -> Wave:
        problems = []
        targets = list(self.mapping.values())
        dup = sorted({t for t in targets if targets.count(t) > 1})
        if dup:
            problems.append(f"several raw variables map to the same item(s) {dup}")
        for raw, canonical in self.mapping.items():
            m = CANONICAL_ITEM.match(canonical)
            if not m:
                problems.append(
                    f"mapping {raw!r} -> {canonical!r}: not a canonical item name "
                    "(<instrument>_<NN>, or eq5d5l_mo/sc/ua/pd/ad/vas)"
                )
        if self.id_variable in self.mapping:
            problems.append(f"id_variable {self.id_variable!r} must not also be mapped to an item")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class PartnerSurvey(_Strict):
    """One yearly, anonymous partner survey (the partnership's members answer the Engage for
    Equity scales, see :mod:`instruments.e2`).

    Respondents carry no study code and are never linked across years: every survey is its
    own cross-section. ``mapping`` links raw variables to canonical items of the
    ``instruments`` (default: the seven E2 scales); ``group_variable`` holds the respondent's
    partner group, with its codes' labels in ``group_labels``; ``free_text`` names variables
    holding free-text answers, which are never published; ``item_texts`` gives the wording
    of the team's questionnaire (Swedish/English) for the canonical items, since the E2
    specs carry item numbers and constructs only.
    """

    year: int = Field(ge=2016, le=2100)
    file: str
    instruments: list[str] | None = Field(
        default=None, description="instrument ids the survey contains; default: the seven E2 scales"
    )
    mapping: dict[str, str] = Field(
        description="raw variable name -> canonical item name (e.g. syn_3 -> e2_synergy_03)"
    )
    group_variable: str | None = Field(
        default=None, description="raw variable holding the respondent's partner group"
    )
    group_labels: dict[int | str, Label] = Field(
        default_factory=dict, description="code of group_variable -> {sv, en} label"
    )
    missing_codes: MissingCodes = Field(default_factory=MissingCodes)
    item_texts: dict[str, Label] = Field(
        default_factory=dict, description="canonical item -> {sv, en} wording used in the questionnaire"
    )
    free_text: list[str] = Field(
        default_factory=list, description="raw variables holding free-text answers (never published)"
    )
    identifier_exemptions: dict[str, str] = Field(default_factory=dict)
    encoding: Literal["utf-8", "cp1252", "latin-1"] = Field(
        default="utf-8", description="text encoding of a CSV survey file (SPSS files carry their own)"
    )

    _reasons_given = field_validator("identifier_exemptions")(Wave._reasons_given.__func__)

    @property
    def instrument_ids(self) -> list[str]:
        """The declared instruments, or the seven E2 scales."""
        if self.instruments is not None:
            return list(self.instruments)
        from instruments.e2 import SCALES

        return list(SCALES)

    @model_validator(mode="after")
    def _consistent(self) -> PartnerSurvey:
        problems = []
        targets = list(self.mapping.values())
        dup = sorted({t for t in targets if targets.count(t) > 1})
        if dup:
            problems.append(f"several raw variables map to the same item(s) {dup}")
        for raw, canonical in self.mapping.items():
            if not CANONICAL_ITEM.match(canonical):
                problems.append(f"mapping {raw!r} -> {canonical!r}: not a canonical item name (<instrument>_<NN>)")
        if self.instruments is not None:
            if not self.instruments:
                problems.append("instruments is empty (leave it out for the seven E2 scales)")
            dup_i = sorted({i for i in self.instruments if self.instruments.count(i) > 1})
            if dup_i:
                problems.append(f"instrument(s) listed twice: {dup_i}")
        if self.group_variable is not None and self.group_variable in self.mapping:
            problems.append(f"group_variable {self.group_variable!r} must not also be mapped to an item")
        if self.group_labels and self.group_variable is None:
            problems.append("group_labels are given but no group_variable")
        for var in self.free_text:
            if var in self.mapping:
                problems.append(f"free_text variable {var!r} is also mapped to an item")
            if var == self.group_variable:
                problems.append(f"free_text variable {var!r} is also the group_variable")
        for item in self.item_texts:
            if item not in targets:
                problems.append(f"item_texts: {item!r} is not a mapped item{_did_you_mean(item, targets)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Attendance(_Strict):
    file: str
    id_column: str = "participant_id"
    workshop_column: str = "workshop"
    date_column: str = "visit_date"
    identifier_exemptions: dict[str, str] = Field(
        default_factory=dict,
        description="register column -> the reason it is not a direct identifier although the identifier "
                    "guard would stop it; the reason is logged on every run",
    )

    @field_validator("identifier_exemptions")
    @classmethod
    def _reasons_given(cls, v: dict[str, str]) -> dict[str, str]:
        return _exemption_reasons(v)

    @field_validator("file")
    @classmethod
    def _file_name_holds_no_identifier(cls, v: str) -> str:
        return _no_identifier_in_file_name(v)


def _exemption_reasons(v: dict[str, str]) -> dict[str, str]:
    short = [k for k, reason in v.items() if len(str(reason or "").strip()) < MIN_EXEMPTION_REASON]
    if short:
        raise ValueError(
            f"give a reason (at least {MIN_EXEMPTION_REASON} characters) why {short} hold(s) no direct "
            "identifier, e.g. {workshop_name: 'names of the health workshops, not of people'}"
        )
    return {k: str(reason).strip() for k, reason in v.items()}


def _no_identifier_in_file_name(v: str) -> str:
    """A file name that holds a personal identity number, phone number or e-mail address is
    refused (the identifier guard's file-name rule); the message never repeats it."""
    from pipelines.identifiers import file_name_problem

    problem = file_name_problem(v)
    if problem:
        raise ValueError(problem)
    return v


class Recurring(_Strict):
    """Who counts as a recurring participant.

    ``present_at_both``: answered the baseline and the follow-up wave being compared.
    ``attendance``: additionally attended on average more than ``min_visits_per_week``
    visits per week between the baseline date and the follow-up date (attendance register).
    Both definitions are always reported; ``definition`` picks the primary one.
    """

    definition: Literal["present_at_both", "attendance"] = "attendance"
    min_visits_per_week: float = Field(default=1.0, ge=0)


class Analysis(_Strict):
    baseline_wave: str
    comparisons: list[tuple[str, str]] = Field(
        description="(pre, post) wave pairs for the paired analyses"
    )
    primary_outcomes: list[str] = Field(min_length=1)
    secondary_outcomes: list[str] = Field(default_factory=list)
    p_adjust: Literal["holm", "fdr_bh", "bonferroni", "none"] = "holm"
    ci_level: float = Field(default=0.95, gt=0, lt=1)
    eq5d_value_set: str = "SE_Sun2022"
    min_subgroup_pairs: int = Field(default=10, ge=1)
    mid: dict[str, float] = Field(
        default_factory=dict, description="minimal important differences overriding the defaults"
    )
    seed: int = 20231001
    linkage_floor: float = Field(
        default=0.5, ge=0, le=1,
        description="smallest acceptable share of baseline participants found at each follow-up "
                    "(check panel:linkage_rate warns below it)",
    )

    @property
    def outcomes(self) -> list[str]:
        return list(dict.fromkeys([*self.primary_outcomes, *self.secondary_outcomes]))


class Publishing(_Strict):
    k_min_cell: int = Field(default=5, ge=1, description="smallest publishable group size")
    k_min_partner: int = Field(
        default=5, ge=3,
        description="smallest publishable group in the partner surveys (partners are few and know each "
                    "other): no partner-group breakdown below it",
    )
    languages: list[Literal["sv", "en"]] = Field(default_factory=lambda: ["sv", "en"])
    default_language: Literal["sv", "en"] = "sv"
    allow_internal_outputs: bool = False
    category_labels: dict[Literal["sv", "en"], dict[str, str]] = Field(
        default_factory=dict,
        description="translations of covariate categories (the files' value labels) per report "
                    "language, e.g. {en: {Kvinna: Woman}}; untranslated categories are shown as they are",
    )


class Study(_Strict):
    name: str
    name_en: str | None = None
    evaluation_year: int = Field(ge=2016, le=2100)
    id_pattern: str = Field(
        default=r"^[A-Z]{2}-[0-9A-Z]{6}$", description="regular expression every pseudonym matches"
    )

    @field_validator("id_pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        re.compile(v)
        return v


class StudyConfig(_Strict):
    """The validated study configuration (see ``data/example/study.yaml``)."""

    study: Study
    waves: list[Wave] = Field(min_length=1)
    attendance: Attendance | None = None
    recurring: Recurring = Field(default_factory=Recurring)
    analysis: Analysis
    publishing: Publishing = Field(default_factory=Publishing)
    partner_surveys: list[PartnerSurvey] = Field(
        default_factory=list, description="yearly anonymous surveys of the partnership's members (E2 scales)"
    )
    scales: list[str] = Field(
        default_factory=list, description="YAML files declaring study-specific Likert scales"
    )
    instrument_options: dict[str, dict[str, object]] = Field(default_factory=dict)
    value_labels: dict[str, ValueLabels] = Field(
        default_factory=dict,
        description="value labels shared by every wave: canonical covariate/item name (or raw variable name) -> "
                    "{code: label or {sv, en}}; they label variables whose file has no value labels of its "
                    "own (CSV and Excel waves), so that their codes line up with the SPSS waves' categories")

    #: directory of the YAML file; relative paths in the config are resolved against it
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _cross_references(self) -> StudyConfig:
        problems = []
        ids = [w.id for w in self.waves]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            problems.append(f"duplicate wave id(s) {dup}")
        dates = [w.date for w in self.waves]
        if dates != sorted(dates):
            problems.append("waves must be listed in date order")
        files: dict[Path, list[str]] = {}
        for w in self.waves:
            files.setdefault(self.resolve(w.file), []).append(w.id)
        for path, waves in files.items():
            if len(waves) > 1:
                problems.append(f"waves {' and '.join(waves)} all read the file {path.name!r}; every wave needs "
                                "its own file (a copy-pasted `file:` entry?)")
        for name, wid in [("analysis.baseline_wave", self.analysis.baseline_wave)] + [
            (f"analysis.comparisons[{i}]", w)
            for i, pair in enumerate(self.analysis.comparisons)
            for w in pair
        ]:
            if wid not in ids:
                problems.append(f"{name}: unknown wave {wid!r}{_did_you_mean(wid, ids)}")
        for w in self.waves:
            mapped_instruments = {CANONICAL_ITEM.match(c)["instrument"] for c in w.mapping.values()}
            for extra in sorted(mapped_instruments - set(w.instruments)):
                typo = difflib.get_close_matches(extra, [i for i in w.instruments if i not in mapped_instruments],
                                                 n=1)
                problems.append(
                    f"wave {w.id}: items of {extra!r} are mapped but {extra!r} is not in its instruments list"
                    + (f" (is {typo[0]!r} a typo of {extra!r}?)" if typo else "")
                )
        years = [p.year for p in self.partner_surveys]
        dup_years = sorted({y for y in years if years.count(y) > 1})
        if dup_years:
            problems.append(f"partner_surveys: more than one survey for year(s) {dup_years}")
        elif years != sorted(years):
            problems.append("partner_surveys must be listed in year order")
        wave_files = {self.resolve(w.file) for w in self.waves}
        seen: dict[Path, int] = {}
        for p in self.partner_surveys:
            path = self.resolve(p.file)
            if path in wave_files:
                problems.append(f"partner survey {p.year} reads the wave file {path.name!r}")
            if path in seen:
                problems.append(f"partner surveys {seen[path]} and {p.year} both read the file {path.name!r}")
            seen.setdefault(path, p.year)
            mapped_instruments = {CANONICAL_ITEM.match(c)["instrument"] for c in p.mapping.values()
                                  if CANONICAL_ITEM.match(c)}
            ids = p.instrument_ids
            for extra in sorted(mapped_instruments - set(ids)):
                problems.append(f"partner survey {p.year}: items of {extra!r} are mapped but {extra!r} is not "
                                f"among its instruments{_did_you_mean(extra, ids)}")
        if self.recurring.definition == "attendance" and self.attendance is None:
            problems.append("recurring.definition is 'attendance' but no attendance register is configured")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # -- convenience -----------------------------------------------------------------
    def wave(self, wave_id: str) -> Wave:
        for w in self.waves:
            if w.id == wave_id:
                return w
        raise KeyError(f"unknown wave {wave_id!r}{_did_you_mean(wave_id, self.wave_ids)}")

    @property
    def wave_ids(self) -> list[str]:
        return [w.id for w in self.waves]

    def resolve(self, relative: str) -> Path:
        p = Path(relative)
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def wave_path(self, wave_id: str) -> Path:
        return self.resolve(self.wave(wave_id).file)

    def partner_survey(self, year: int) -> PartnerSurvey:
        for p in self.partner_surveys:
            if p.year == year:
                return p
        raise KeyError(f"no partner survey for year {year!r}"
                       f"{_did_you_mean(year, [p.year for p in self.partner_surveys])}")

    def scale_paths(self) -> list[Path]:
        return [self.resolve(s) for s in self.scales]


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _format_validation_error(path: Path, err: ValidationError) -> str:
    lines = [f"{path}: {err.error_count()} problem(s) in the study configuration:"]
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            parent_fields = _fields_at(e["loc"][:-1])
            msg = f"unknown key{_did_you_mean(e['loc'][-1], parent_fields)}"
        lines.append(f"  - {loc}: {msg}")
    return "\n".join(lines)


def _fields_at(loc) -> list[str]:
    """Field names of the model at a location (for 'did you mean' suggestions)."""
    model: type[BaseModel] | None = StudyConfig
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        ann = field.annotation
        args = getattr(ann, "__args__", ()) or (ann,)
        model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            inner = [getattr(a, "__args__", ()) for a in args]
            model = next(
                (b for grp in inner for b in grp if isinstance(b, type) and issubclass(b, BaseModel)), None
            )
    return list(model.model_fields) if model else []


def load_config(path: str | os.PathLike | None = None) -> StudyConfig:
    """Load and validate a study configuration.

    Parameters
    ----------
    path
        YAML file. ``None`` means the ``STUDY_CONFIG`` environment variable if set,
        else the bundled example study.

    Raises
    ------
    ConfigError
        The file is missing, is not YAML, or breaks the schema; the message names the
        file and every offending key.
    """
    path = Path(path or os.environ.get("STUDY_CONFIG") or DEFAULT_CONFIG).resolve()
    if not path.exists():
        raise ConfigError(f"study configuration {path} does not exist")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        config = StudyConfig.model_validate({**raw, "base_dir": path.parent})
    except ValidationError as err:
        raise ConfigError(_format_validation_error(path, err)) from None
    problems = instrument_problems(config)
    if problems:
        raise ConfigError(f"{path}: {len(problems)} problem(s) in the study configuration:\n"
                          + "\n".join(f"  - {p}" for p in problems))
    return config


def instrument_problems(config: StudyConfig) -> list[str]:
    """Instrument ids in the waves' ``instruments`` lists that are neither built in nor
    declared by one of the study's scale files (typos get a close id as suggestion), and
    scale files that do not exist.

    Read-only: scale files are only parsed for their ``id``, nothing is registered.
    """
    import instruments

    problems: list[str] = []
    declared: set[str] = set()
    for i, (rel, path) in enumerate(zip(config.scales, config.scale_paths())):
        if not path.is_file():
            problems.append(f"scales[{i}]: scale file {rel!r} does not exist"
                            f"{_did_you_mean(path.name, [p.name for p in path.parent.glob('*.y*ml')]) if path.parent.is_dir() else ''}")
            continue
        try:
            sid = (yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}).get("id")
        except (yaml.YAMLError, AttributeError):
            continue  # an invalid scale file is reported when it is registered
        if isinstance(sid, str):
            declared.add(sid)
    known: list[str] | None = None
    for wi, w in enumerate(config.waves):
        for ii, inst in enumerate(w.instruments):
            if inst in declared:
                continue
            try:
                instruments.spec(inst)
                continue
            except Exception:
                pass
            if known is None:
                known = sorted({*instruments.available()["id"], *declared})
            problems.append(f"waves[{wi}] ({w.id}).instruments[{ii}]: unknown instrument {inst!r}"
                            f"{_did_you_mean(inst, known)}; known: {', '.join(known)}")
    for pi, p in enumerate(config.partner_surveys):
        for ii, inst in enumerate(p.instruments or []):
            if inst in declared:
                continue
            try:
                instruments.spec(inst)
                continue
            except Exception:
                pass
            if known is None:
                known = sorted({*instruments.available()["id"], *declared})
            problems.append(f"partner_surveys[{pi}] ({p.year}).instruments[{ii}]: unknown instrument {inst!r}"
                            f"{_did_you_mean(inst, known)}; known: {', '.join(known)}")
        for raw, canonical in p.mapping.items():
            m = CANONICAL_ITEM.match(canonical)
            inst = m["instrument"] if m else None
            if inst is None or inst in declared:
                continue
            try:
                items = instruments.items_of(inst)
            except Exception:
                continue  # reported above (unknown instrument)
            if canonical not in items:
                problems.append(f"partner_surveys[{pi}] ({p.year}).mapping: {raw!r} -> {canonical!r}: {inst} has "
                                f"items {items[0]}..{items[-1]}{_did_you_mean(canonical, items)}")
    return problems


def config_hash(path: str | os.PathLike) -> str:
    """sha256 of the configuration file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
