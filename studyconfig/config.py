"""Study configuration: one validated YAML file describes a study.

The study configuration is the only place a researcher edits to add a wave, map raw
variables onto canonical instrument items, declare missing-value codes, choose the
recurring-participant definition and the analysis options. It is plain data, validated
with pydantic so that every mistake is reported with its location in the file.

This module never imports Dagster: the Dagster layer wraps it in a resource
(:mod:`pipelines.resources`).
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import functools
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import MethodType
from typing import Literal, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

#: libyaml's safe loader when available (same result, ~10x faster; the configuration is
#: read by every asset)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: smallest accepted ``publishing.k_min_cell`` (below it, groups of one or two people would
#: be published), and the smallest that passes without a warning
K_MIN_CELL_FLOOR, K_MIN_CELL_ADVISED = 3, 5

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

#: a report language (``publishing.languages``)
Lang = Literal["sv", "en"]

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
    holding free-text answers, which are dropped as soon as the file is read (never stored,
    never published); ``respondent_variable`` is an optional respondent number, used only to
    find duplicated rows; ``item_texts`` gives the wording of the team's questionnaire
    (Swedish/English) for the canonical items, since the E2 specs carry item numbers and
    constructs only. Ingestion: :mod:`survey.partner_surveys`.
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
        default_factory=dict, description="code of group_variable -> {sv, en} label (required with a "
                                          "group_variable: only these labels are ever published)"
    )
    respondent_variable: str | None = Field(
        default=None, description="raw variable holding a respondent number, if the file has one: used only "
                                  "to find duplicated rows, never stored beyond ingestion, never published"
    )
    missing_codes: MissingCodes = Field(default_factory=MissingCodes)
    item_texts: dict[str, Label] = Field(
        default_factory=dict, description="canonical item -> {sv, en} wording used in the questionnaire"
    )
    free_text: list[str] = Field(
        default_factory=list, description="raw variables holding free-text answers: dropped when the file is read "
                                          "(never stored, never published)"
    )
    identifier_exemptions: dict[str, str] = Field(default_factory=dict)
    encoding: Literal["utf-8", "cp1252", "latin-1"] = Field(
        default="utf-8", description="text encoding of a CSV survey file (SPSS files carry their own)"
    )

    # (a classmethod read from the class is a bound method; its __func__ is the plain function)
    _reasons_given = field_validator("identifier_exemptions")(cast(MethodType, Wave._reasons_given).__func__)

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
        if self.group_variable is not None and not self.group_labels:
            problems.append(f"group_variable {self.group_variable!r} needs group_labels: a {{sv, en}} label for "
                            "every code (only declared labels are published)")
        roles: dict[str, set[str | None]] = {"mapped to an item": set(self.mapping),
                                             "the group_variable": {self.group_variable},
                                             "a free_text variable": set(self.free_text)}
        if self.respondent_variable is not None:
            for role, names in roles.items():
                if self.respondent_variable in names:
                    problems.append(f"respondent_variable {self.respondent_variable!r} is also {role}")
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
    from privacy.identifiers import file_name_problem

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
    p_adjust_family: Literal["comparison", "all_comparisons"] = Field(
        default="comparison",
        description="which p-values form one family for analysis.p_adjust: the primary outcomes within each "
                    "comparison ('comparison', the default), or the primary outcomes at every comparison "
                    "together ('all_comparisons': stricter, e.g. for a confirmatory report of all follow-ups)")
    ci_level: float = Field(default=0.95, gt=0, lt=1)
    eq5d_value_set: str = "SE_Sun2022"
    min_subgroup_pairs: int = Field(default=10, ge=1)
    subgroup_variables: list[str] = Field(
        default_factory=lambda: ["workshop", "gender", "language"],
        description="covariates whose groups get their own mean change (equity subgroups), in this order")
    imputations: int = Field(default=20, ge=2, le=500,
                             description="number of imputed data sets (m) of the multiple-imputation sensitivity "
                                         "analysis")
    min_valid_score_rate: float = Field(
        default=0.80, gt=0, le=1,
        description="share of respondents with a valid headline score below which the wave check "
                    "valid_score_rates warns")
    mid: dict[str, float] = Field(
        default_factory=dict, description="minimal important differences overriding the defaults"
    )
    seed: int = 20231001
    linkage_floor: float = Field(
        default=0.5, ge=0, le=1,
        description="smallest acceptable share of baseline participants found at each follow-up "
                    "(check panel:linkage_rate warns below it)",
    )

    @field_validator("subgroup_variables")
    @classmethod
    def _known_covariates(cls, v: list[str]) -> list[str]:
        unknown = [c for c in v if c not in COVARIATES]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a covariate (known: {', '.join(COVARIATES)})")
        if len(set(v)) != len(v):
            raise ValueError("a covariate is listed twice")
        return v

    @property
    def outcomes(self) -> list[str]:
        return list(dict.fromkeys([*self.primary_outcomes, *self.secondary_outcomes]))


class Publishing(_Strict):
    k_min_cell: int = Field(default=5, description="smallest publishable group size (at least 3; below 5 warns)")
    k_min_partner: int = Field(
        default=5, ge=3,
        description="smallest publishable group in the partner surveys (partners are few and know each "
                    "other): no partner-group breakdown below it",
    )
    k_min_quantiles: int = Field(
        default=10, ge=3,
        description="smallest group for which order statistics (median, quartiles, 10th/90th percentiles) "
                    "are published: they are single persons' values, and with the mean and SD they give "
                    "away every value of a small group; at least 2 x k_min_cell is used")
    protect_item_nonresponse: bool = Field(
        default=False,
        description="also protect the persons who did not answer an item (a population total minus the valid "
                    "answers) as groups of fewer than k; off by default (item non-response is published as in "
                    "every survey report; turning it on withholds many more results)")
    languages: list[Literal["sv", "en"]] = Field(default_factory=lambda: cast("list[Lang]", ["sv", "en"]))
    default_language: Literal["sv", "en"] = "sv"
    allow_internal_outputs: bool = False
    figure_formats: list[Literal["png", "svg", "pdf"]] = Field(
        default_factory=lambda: cast('list[Literal["png", "svg", "pdf"]]', ["png", "svg", "pdf"]), min_length=1,
        description="file formats written for every figure; the HTML and Word reports embed the PNG, so "
                    "without png they have no figures (the disclosure-attack tests use svg only, for speed)",
    )
    category_labels: dict[Literal["sv", "en"], dict[str, str]] = Field(
        default_factory=dict,
        description="translations of covariate categories (the files' value labels) per report "
                    "language, e.g. {en: {Kvinna: Woman}}; untranslated categories are shown as they are",
    )

    @field_validator("figure_formats")
    @classmethod
    def _unique_formats(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("figure_formats lists a format twice")
        return v

    @field_validator("k_min_cell")
    @classmethod
    def _k_floor(cls, v: int) -> int:
        if v < K_MIN_CELL_FLOOR:
            raise ValueError(f"{v} is below {K_MIN_CELL_FLOOR}: groups of {', '.join(map(str, range(1, K_MIN_CELL_FLOOR)))} "
                             f"people could be recognised in the published tables; use at least {K_MIN_CELL_FLOOR} "
                             f"({K_MIN_CELL_ADVISED} is the default and advised)")
        return v


#: researcher-written sections of the report (Markdown files per language)
REPORT_SECTIONS = ("background", "evaluation_questions", "discussion", "conclusions", "references")


class Report(_Strict):
    """The report's front matter and the sections only the researchers can write. The
    Markdown files (paths relative to the study folder) are read when the report is
    built; a section without a file gets a generated placeholder that says so."""

    authors: list[str] = Field(default_factory=list, description="names (and affiliations) on the title page")
    organisation: str | None = Field(default=None, description="publishing organisation, e.g. Malmö universitet")
    date: dt.date | None = Field(default=None, description="date of the report on the title page")
    ethics_approval: str | None = Field(
        default=None, description="ethics approval, e.g. 'Etikprövningsmyndigheten, Dnr 2023-01234-01'")
    funder: str | None = None
    partners: list[str] = Field(default_factory=list, description="the programme's partners, named on the title page")
    contact: str | None = None
    texts: dict[Literal[REPORT_SECTIONS], dict[Literal["sv", "en"], str]] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="Markdown file per section and language, e.g. {discussion: {sv: texts/diskussion.md, "
                    "en: texts/discussion.md}}; sections: " + ", ".join(REPORT_SECTIONS))


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
    report: Report = Field(default_factory=Report)
    scales: list[str] = Field(
        default_factory=list, description="YAML files declaring study-specific Likert scales"
    )
    instrument_options: dict[str, dict[str, object]] = Field(default_factory=dict)
    value_labels: dict[str, ValueLabels] = Field(
        default_factory=dict,
        description="value labels shared by every wave: canonical covariate/item name (or raw variable name) -> "
                    "{code: label or {sv, en}}; they label variables whose file has no value labels of its "
                    "own (CSV and Excel waves), so that their codes line up with the SPSS waves' categories")
    allow_external_files: bool = Field(
        default=False, description="allow `file:` paths (waves, attendance, scales) outside the study folder")

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
            # (Wave._mapping_consistent has checked that every mapped name matches)
            mapped_instruments = {cast(re.Match[str], CANONICAL_ITEM.match(c))["instrument"]
                                  for c in w.mapping.values()}
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
            mapped_instruments = {cast(re.Match[str], CANONICAL_ITEM.match(c))["instrument"]
                                  for c in p.mapping.values() if CANONICAL_ITEM.match(c)}
            ids = p.instrument_ids
            for extra in sorted(mapped_instruments - set(ids)):
                problems.append(f"partner survey {p.year}: items of {extra!r} are mapped but {extra!r} is not "
                                f"among its instruments{_did_you_mean(extra, ids)}")
        if self.partner_surveys and self.publishing.k_min_partner < self.publishing.k_min_cell:
            problems.append(f"publishing.k_min_partner ({self.publishing.k_min_partner}) is below "
                            f"publishing.k_min_cell ({self.publishing.k_min_cell}): the partner surveys need at "
                            "least the participants' threshold (partners are fewer and know each other)")
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


def _did_you_mean(word: object, choices) -> str:
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


def read_yaml(path: Path) -> object:
    """A configuration YAML file, refusing anchors and aliases (no expansion bomb) and
    oversized files (:func:`instruments.load_yaml`).

    Raises
    ------
    ConfigError
        Not valid YAML, or a refused construct; the message names the file and the line.
    """
    try:
        return copy.deepcopy(_parse_yaml(path.read_text(encoding="utf-8"), path.name))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file") from None


@functools.lru_cache(maxsize=16)
def _parse_yaml(text: str, name: str) -> object:
    """The parsed text, kept for the next asset of the run: every asset reads the study
    configuration, and parsing it again each time cost about a second per run. Keyed by
    the whole text, so an edited file is parsed anew; callers get a deep copy."""
    from instruments import load_yaml

    return load_yaml(text, name)


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
        The file is missing, is not YAML (or uses anchors/aliases), breaks the schema, or
        has one of the problems of :func:`config_issues`; the message names the file and
        every offending key.
    """
    path = Path(path or os.environ.get("STUDY_CONFIG") or DEFAULT_CONFIG).resolve()
    if not path.exists():
        raise ConfigError(f"study configuration {path} does not exist")
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        config = StudyConfig.model_validate({**raw, "base_dir": path.parent})
    except ValidationError as err:
        raise ConfigError(_format_validation_error(path, err)) from None
    problems = [i for i in config_issues(config) if i.severity == "error"]
    if problems:
        raise ConfigError(f"{path}: {len(problems)} problem(s) in the study configuration:\n"
                          + "\n".join(f"  - {p}" for p in problems))
    return config


@dataclass(frozen=True)
class ConfigIssue:
    """One finding about a schema-valid configuration (no data values: keys, file names,
    folders, option names)."""

    severity: str       # "error" (refused), "warning" or "note"
    where: str          # the key, e.g. "instrument_options.hls_eu_q61"
    message: str
    kind: str = "config"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def path_issues(base_dir: Path, entries: list[tuple[str, str]], allow_external: bool) -> list[ConfigIssue]:
    """Input paths outside the study folder (refused unless ``allow_external_files``) and
    symbolic links (noted, with the folder they lead to).

    Parameters
    ----------
    base_dir : Path
        The study folder (the configuration file's folder).
    entries : list of (where, path)
        E.g. ``("waves[0] (T0).file", "waves/t0.sav")``.
    allow_external : bool
        The configuration's ``allow_external_files``.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> [str(i) for i in path_issues(d, [("attendance.file", "register.csv")], False)]
    []
    >>> [i.severity for i in path_issues(d, [("attendance.file", "../register.csv")], False)]
    ['error']
    >>> [i.severity for i in path_issues(d, [("attendance.file", "../register.csv")], True)]
    ['note']
    """
    root = Path(base_dir).resolve()
    out = []
    for where, rel in entries:
        given = Path(rel) if Path(rel).is_absolute() else Path(base_dir) / rel
        lexical = Path(os.path.normpath(os.path.abspath(given)))
        real = given.resolve()
        inside = real == root or root in real.parents
        linked = real != lexical
        via = f"a symbolic link to a file in {real.parent}" if linked else f"in {real.parent}"
        if not inside and not allow_external:
            out.append(ConfigIssue("error", where, f"{rel!r} is outside the study folder {root} ({via}); move the "
                                   "file into the study folder, or set `allow_external_files: true` at the top "
                                   "level of the configuration", kind="path"))
        elif not inside:
            out.append(ConfigIssue("note", where, f"{rel!r} is outside the study folder ({via}); allowed by "
                                   "allow_external_files", kind="path"))
        elif linked:
            out.append(ConfigIssue("note", where, f"{rel!r} is {via}", kind="path"))
    return out


def instrument_option_issues(options: dict, scale_specs: dict, value_set: str | None = None) -> list[ConfigIssue]:
    """``instrument_options`` checked against the instruments and their options, before
    any data are read: unknown instrument keys and option names (with "did you mean"),
    invalid values (the instrument's own check, :func:`instruments.check_options`), and
    ``analysis.eq5d_value_set``.

    Parameters
    ----------
    options : dict
        ``instrument_options`` of the configuration.
    scale_specs : dict
        Id -> spec of the study's own scales (from their files, not registered).
    value_set : str, optional
        ``analysis.eq5d_value_set``.

    Examples
    --------
    >>> [str(i) for i in instrument_option_issues({"hls_eu_q61": {"min_valid": 14}}, {})]
    ["instrument_options.hls_eu_q61: unknown instrument (did you mean 'hls_eu_q6' or 'hls_eu_q16'?); it would be ignored; known: ..."]
    >>> [str(i) for i in instrument_option_issues({"hls_eu_q16": {"min_vaild": 14}}, {})]
    ["instrument_options.hls_eu_q16.min_vaild: unknown option (did you mean 'min_valid'?); hls_eu_q16 accepts: min_valid"]
    """
    import json

    key = json.dumps([options, value_set, sorted((k, repr(v)) for k, v in scale_specs.items())],
                     sort_keys=True, default=repr)
    if key not in _OPTION_ISSUES:  # the configuration is loaded by every asset: check once per process
        _OPTION_ISSUES[key] = _instrument_option_issues(options, scale_specs, value_set)
    return list(_OPTION_ISSUES[key])


_OPTION_ISSUES: dict[str, list[ConfigIssue]] = {}


def _instrument_option_issues(options: dict, scale_specs: dict, value_set: str | None) -> list[ConfigIssue]:
    import instruments

    def spec_of(key: str):
        if key in scale_specs:
            return scale_specs[key]  # None for an invalid scale file (reported as such)
        try:
            return instruments.spec(key)
        except instruments.InstrumentError:
            return None

    out = []
    for key, opts in options.items():
        where = f"instrument_options.{key}"
        sp = spec_of(key)
        if sp is None and key in scale_specs:
            continue
        if sp is None:
            known = sorted({*map(str, instruments.available()["id"]), *scale_specs})
            close = difflib.get_close_matches(str(key), known, n=2)
            hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
            out.append(ConfigIssue("error", where, f"unknown instrument{hint}; it would be ignored; known: "
                                   f"{', '.join(known)}", kind="options"))
            continue
        unknown = [n for n in opts if n not in sp.options]
        for name in unknown:
            out.append(ConfigIssue("error", f"{where}.{name}", f"unknown option{_did_you_mean(name, sp.options)}; "
                                   f"{key} accepts: {', '.join(sp.options) or 'no options'}", kind="options"))
        if unknown:
            continue
        try:
            instruments.check_options(sp, opts)
        except instruments.InstrumentError as exc:
            out.append(ConfigIssue("error", where, str(exc).removeprefix(f"{key}: "), kind="options"))
    if value_set is not None:
        try:
            instruments.check_options("eq5d5l", {"value_set": value_set})
        except instruments.InstrumentError as exc:
            out.append(ConfigIssue("error", "analysis.eq5d_value_set",
                                   str(exc).removeprefix("eq5d5l: option ").replace("value_set=", "", 1),
                                   kind="options"))
    return out


def analysis_issues(config: StudyConfig, specs: dict) -> list[ConfigIssue]:
    """Outcomes, minimal important differences and comparisons that a run would silently
    skip or misread: an outcome (or ``analysis.mid`` key) that is no score of an instrument
    any wave declares (with "did you mean"), a comparison of a wave with itself or with an
    earlier wave.

    Parameters
    ----------
    config : StudyConfig
    specs : dict
        Id -> spec of the study's own scales (``None`` for an invalid scale file).
    """
    import json

    declared = sorted({i for w in config.waves for i in w.instruments})
    key = json.dumps([declared, config.analysis.primary_outcomes, config.analysis.secondary_outcomes,
                      sorted(config.analysis.mid), sorted((k, repr(v)) for k, v in specs.items())], default=repr)
    if key not in _OUTCOME_ISSUES:
        _OUTCOME_ISSUES[key] = _outcome_issues(config, specs, declared)
    out = list(_OUTCOME_ISSUES[key])
    dates = {w.id: w.date for w in config.waves}
    for i, (pre, post) in enumerate(config.analysis.comparisons):
        if pre == post:
            out.append(ConfigIssue("error", f"analysis.comparisons[{i}]", f"compares wave {pre} with itself",
                                   kind="analysis"))
        elif pre in dates and post in dates and dates[pre] > dates[post]:
            out.append(ConfigIssue("error", f"analysis.comparisons[{i}]",
                                   f"[{pre}, {post}]: the first wave must be the earlier one (pre, post); "
                                   f"write [{post}, {pre}]", kind="analysis"))
    return out


_OUTCOME_ISSUES: dict[str, list[ConfigIssue]] = {}


def _outcome_issues(config: StudyConfig, specs: dict, declared: list[str]) -> list[ConfigIssue]:
    import instruments

    def columns(inst: str) -> list[str]:
        if inst in specs:
            return [o.column for o in specs[inst].outputs] if specs[inst] is not None else []
        try:
            return [str(c) for c in instruments.outputs(inst)["column"]]
        except instruments.InstrumentError:
            return []

    usable = {c: inst for inst in declared for c in columns(inst)}
    if any(inst in specs and specs[inst] is None for inst in declared):
        return []  # an invalid scale file is reported as such; its scores are unknown
    elsewhere = {c: str(inst) for inst in instruments.available()["id"] for c in columns(str(inst))}
    out = []
    items = [(f"analysis.primary_outcomes[{i}]", o) for i, o in enumerate(config.analysis.primary_outcomes)]
    items += [(f"analysis.secondary_outcomes[{i}]", o) for i, o in enumerate(config.analysis.secondary_outcomes)]
    items += [(f"analysis.mid.{o}", o) for o in config.analysis.mid]
    for where, o in items:
        if o in usable:
            continue
        if o in elsewhere:
            msg = f"{o!r} is a score of {elsewhere[o]}, which no wave declares in its instruments"
        else:
            msg = f"unknown outcome {o!r}{_did_you_mean(o, list(usable))}; it would be left out of the analysis"
        out.append(ConfigIssue("error", where, msg, kind="analysis"))
    return out


def scale_specs(config: StudyConfig) -> tuple[dict, list[ConfigIssue]]:
    """The study's scale files read and validated without registering them:
    (id -> spec, issues for files that are missing or invalid)."""
    import instruments

    specs: dict[str, instruments.InstrumentSpec | None] = {}
    issues: list[ConfigIssue] = []
    for i, (rel, path) in enumerate(zip(config.scales, config.scale_paths())):
        if not path.is_file():
            near = _did_you_mean(path.name, [p.name for p in path.parent.glob("*.y*ml")]) if path.parent.is_dir() else ""
            issues.append(ConfigIssue("error", f"scales[{i}]", f"scale file {rel!r} does not exist{near}", kind="scale"))
            continue
        try:
            sp = instruments.load_scale(path)
        except instruments.InstrumentError as exc:
            issues.append(ConfigIssue("error", f"scales[{i}]", f"invalid scale file {rel!r}: {exc}", kind="scale"))
            try:  # its id still counts as declared (one error, not a second "unknown instrument")
                sid = instruments.load_yaml(path.read_text(encoding="utf-8"), path.name).get("id")
            except (yaml.YAMLError, AttributeError, OSError, UnicodeDecodeError):
                sid = None
            if isinstance(sid, str):
                specs[sid] = None
            continue
        specs[sp.id] = sp
    return specs, issues


def input_paths(config: StudyConfig) -> list[tuple[str, str]]:
    """Every input path of the configuration with its key (waves, attendance, scales)."""
    entries = [(f"waves[{i}] ({w.id}).file", w.file) for i, w in enumerate(config.waves)]
    if config.attendance is not None:
        entries.append(("attendance.file", config.attendance.file))
    entries += [(f"scales[{i}]", s) for i, s in enumerate(config.scales)]
    entries += [(f"partner_surveys[{i}] ({p.year}).file", p.file) for i, p in enumerate(config.partner_surveys)]
    entries += [(f"report.texts.{section}.{lang}", path) for section, by_lang in config.report.texts.items()
                for lang, path in by_lang.items()]
    return entries


def config_issues(config: StudyConfig) -> list[ConfigIssue]:
    """Everything about a schema-valid configuration that would stop or mislead a run,
    checked before anything runs (``load_config`` refuses the errors; ``validate`` lists
    them all, with the same messages).

    Errors: scale files missing or invalid; unknown instruments in a wave's
    ``instruments``; ``instrument_options`` with an unknown instrument, an unknown option
    or an invalid value; an unknown ``analysis.eq5d_value_set``; outcomes or ``mid`` keys
    that are no score of a declared instrument; comparisons of a wave with itself or with
    an earlier wave; input files outside the
    study folder without ``allow_external_files: true``. Warnings: ``publishing.k_min_cell``
    below 5. Notes: symbolic links and allowed external files (where they lead; no data).
    """
    import instruments

    specs, issues = scale_specs(config)
    known: list[str] | None = None
    for wi, w in enumerate(config.waves):
        for ii, inst in enumerate(w.instruments):
            if inst in specs:
                continue
            try:
                instruments.spec(inst)
                continue
            except instruments.InstrumentError:
                pass
            if known is None:
                known = sorted({*map(str, instruments.available()["id"]), *specs})
            issues.append(ConfigIssue("error", f"waves[{wi}] ({w.id}).instruments[{ii}]",
                                      f"unknown instrument {inst!r}{_did_you_mean(inst, known)}; known: "
                                      f"{', '.join(known)}", kind="instrument"))
    for pi, p in enumerate(config.partner_surveys):
        for ii, inst in enumerate(p.instruments or []):
            if inst in specs:
                continue
            try:
                instruments.spec(inst)
                continue
            except instruments.InstrumentError:
                pass
            if known is None:
                known = sorted({*map(str, instruments.available()["id"]), *specs})
            issues.append(ConfigIssue("error", f"partner_surveys[{pi}] ({p.year}).instruments[{ii}]",
                                      f"unknown instrument {inst!r}{_did_you_mean(inst, known)}; known: "
                                      f"{', '.join(known)}", kind="instrument"))
        for raw, canonical in p.mapping.items():
            m = CANONICAL_ITEM.match(canonical)
            item_inst = m["instrument"] if m else None
            if item_inst is None or item_inst in specs:
                continue
            try:
                items = instruments.items_of(item_inst)
            except Exception:
                continue  # reported above (unknown instrument)
            if canonical not in items:
                issues.append(ConfigIssue("error", f"partner_surveys[{pi}] ({p.year}).mapping",
                                          f"{raw!r} -> {canonical!r}: {item_inst} has items {items[0]}..{items[-1]}"
                                          f"{_did_you_mean(canonical, items)}", kind="instrument"))
    issues += instrument_option_issues(config.instrument_options, specs, config.analysis.eq5d_value_set)
    issues += analysis_issues(config, specs)
    issues += path_issues(config.base_dir, input_paths(config), config.allow_external_files)
    for section, by_lang in config.report.texts.items():
        for lang, rel in by_lang.items():
            if not config.resolve(rel).is_file():
                issues.append(ConfigIssue("error", f"report.texts.{section}.{lang}",
                                          f"{rel!r} does not exist (a Markdown file relative to the study folder; "
                                          "leave the entry out to get a placeholder in the report)", kind="path"))
            elif lang not in config.publishing.languages:
                issues.append(ConfigIssue("warning", f"report.texts.{section}.{lang}",
                                          f"{lang!r} is not among publishing.languages: the text is not used",
                                          kind="path"))
    k = config.publishing.k_min_cell
    if k < K_MIN_CELL_ADVISED:
        issues.append(ConfigIssue("warning", "publishing.k_min_cell",
                                  f"{k} is below the advised {K_MIN_CELL_ADVISED}: small groups are easier to "
                                  "recognise; use it only with a reason agreed with the research team",
                                  kind="disclosure"))
    return issues


def config_notices(config: StudyConfig) -> list[tuple[str, str]]:
    """The warnings and notes of :func:`config_issues` as ``(severity, text)``, for the
    runner to print before it starts."""
    return [(i.severity, str(i)) for i in config_issues(config) if i.severity != "error"]


def config_hash(path: str | os.PathLike) -> str:
    """sha256 of the configuration file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
