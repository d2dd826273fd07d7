"""Questionnaire scoring for the Jämlik hälsa Lindängen evaluation.

Pure pandas/numpy; no Dagster. Every instrument is a declarative spec (``specs/*.yaml``,
coefficients in ``data/*.csv``) plus a small vectorised scorer, one module per family:
:mod:`~instruments.eq5d`, :mod:`~instruments.whoqol`, :mod:`~instruments.rand36`,
:mod:`~instruments.health_literacy`, :mod:`~instruments.wellbeing` (WHO-5),
:mod:`~instruments.self_efficacy` (GSE), :mod:`~instruments.srh`,
:mod:`~instruments.e2` (Engage for Equity partnership scales) and
:mod:`~instruments.likert` (user-declared scales).

Public API
----------
score, available, items_of, spec, outputs, reliability, register_scale, load_scale,
check_options, load_yaml, mid_defaults, value_sets, cronbach_alpha, omega_total; errors ItemError, SpecError,
OptionError, UnknownInstrumentError (all subclasses of ValueError).

Conventions of the output frames: same index as the input; scores ``float64`` with
``NaN`` when not scored; ``*_n_valid`` / ``*_n_dont_know`` ``int64``; binary flags pandas
nullable ``"boolean"``; levels ordered ``Categorical``; the EQ-5D-5L profile pandas
``"string"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import _registry
from ._common import item_matrix
from ._errors import InstrumentError, ItemError, OptionError, SpecError, UnknownInstrumentError
from ._spec import Codes, InstrumentSpec, OptionSpec, OutputSpec
from ._yaml import load_yaml
from .consistency import cronbach_alpha, omega_total
from .eq5d import value_sets

__all__ = [
    "score", "available", "items_of", "spec", "outputs", "output_table", "reliability", "register_scale",
    "load_scale", "check_options", "load_yaml", "mid_defaults", "value_sets", "cronbach_alpha", "omega_total",
    "InstrumentSpec", "Codes", "OutputSpec", "OptionSpec",
    "InstrumentError", "ItemError", "SpecError", "OptionError", "UnknownInstrumentError",
]


def spec(instrument_id: str) -> InstrumentSpec:
    """The specification of an instrument.

    Parameters
    ----------
    instrument_id : str
        A built-in id (see :func:`available`) or a registered user scale.

    Returns
    -------
    InstrumentSpec
        With ``id, name`` (``{"sv", "en"}``), ``version, items, allowed`` (item →
        :class:`Codes`), ``dont_know_code, citation, doi, licence, status, rule_status,
        scales, reverse, rules, options, outputs``.

    Raises
    ------
    UnknownInstrumentError
        If the id is neither built in nor registered.

    Examples
    --------
    >>> sp = spec("hls_eu_q16")
    >>> sp.dont_know_code, sp.allowed["hls_eu_q16_01"].describe(), sp.rule_status["min_valid_14"]
    (5, '1–4', 'recalled')
    >>> spec("eq5d5l").allowed["eq5d5l_vas"].describe()
    '0–100'
    """
    return _registry.get(instrument_id)


def items_of(instrument_id: str) -> list[str]:
    """Canonical item column names of an instrument, in questionnaire order.

    Parameters
    ----------
    instrument_id : str
        A built-in id or a registered user scale.

    Returns
    -------
    list of str
        ``<id>_01`` … ``<id>_NN`` (EQ-5D-5L: ``eq5d5l_mo, _sc, _ua, _pd, _ad, _vas``).

    Examples
    --------
    >>> items_of("who5")
    ['who5_01', 'who5_02', 'who5_03', 'who5_04', 'who5_05']
    >>> items_of("eq5d5l")
    ['eq5d5l_mo', 'eq5d5l_sc', 'eq5d5l_ua', 'eq5d5l_pd', 'eq5d5l_ad', 'eq5d5l_vas']
    """
    return list(_registry.get(instrument_id).items)


def _output_specs(sp: InstrumentSpec, opts: dict) -> tuple[OutputSpec, ...]:
    fam = _registry.family(sp)
    return fam._outputs(sp, opts) if hasattr(fam, "_outputs") else sp.outputs


def score(instrument_id: str, items: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """Score one instrument for every row of ``items``.

    Parameters
    ----------
    instrument_id : str
        ``eq5d5l, whoqol_bref, rand36, hls_eu_q16, hls_eu_q6, hls19_q12, eheals, who5, gse,
        srh`` or a registered user scale.
    items : pandas.DataFrame
        Canonical item columns (:func:`items_of`) holding the questionnaire's own codes;
        missing answers are ``NaN``/``<NA>``; other columns are ignored.
    **options
        Instrument options (see ``spec(id).options`` and ``docs/instruments.md``):

        - eq5d5l: ``value_set`` (default ``"SE_Sun2022"``; see :func:`value_sets`)
        - whoqol_bref: ``max_missing_fraction`` (0.2), ``domain_max_missing``
          (``{"physical": 2, "psychological": 2, "social": 0, "environment": 2}``)
        - rand36: ``missing_rule`` (``"half_scale"`` default, or ``"any_answered"``)
        - hls_eu_q16 / hls_eu_q6 / hls19_q12 / eheals / who5 / gse / user scales:
          ``min_valid`` (14 / 5 / 10 / 8 / 5 / 7 / from the scale file)
        - e2_* (Engage for Equity): ``min_valid`` (half the items, rounded up),
          ``reverse`` (item numbers, default none)

    Returns
    -------
    pandas.DataFrame
        Same index as ``items``; columns in the order of :func:`outputs`:

        - eq5d5l: ``eq5d5l_profile`` (string, e.g. "21212"), ``eq5d5l_lss`` (5–25),
          ``eq5d5l_vas`` (0–100), ``eq5d5l_index``, ``eq5d5l_n_valid`` (dimensions answered)
        - whoqol_bref: ``whoqol_bref_{physical,psychological,social,environment}`` (4–20),
          the same with suffix ``_100`` (0–100), ``whoqol_bref_overall_qol``,
          ``whoqol_bref_health_satisfaction`` (1–5), ``whoqol_bref_<domain>_n_valid``,
          ``whoqol_bref_n_valid``
        - rand36: ``rand36_{physical_functioning,role_physical,role_emotional,
          energy_fatigue,emotional_wellbeing,social_functioning,pain,general_health}``
          (0–100), ``rand36_health_change`` (0–100), ``rand36_<scale>_n_valid``
        - hls_eu_q16 (0–16), hls_eu_q6 (1–4), hls19_q12 (0–100), eheals (8–40):
          ``<id>_score``, ``<id>_level`` (ordered categorical), ``<id>_n_valid`` and, for the
          HLS instruments, ``<id>_n_dont_know``
        - who5: ``who5_raw`` (0–25), ``who5_percent`` (0–100), ``who5_poor`` (raw < 13),
          ``who5_depression_screen`` (percent ≤ 28), ``who5_n_valid``
        - gse: ``gse_score`` (10–40), ``gse_n_valid``
        - e2_<scale>: ``e2_<scale>_score`` (mean 1–5), ``e2_<scale>_n_valid``
        - srh: ``srh`` (1–5), ``srh_good`` (very good or good), ``srh_n_valid``
        - user scale: ``<id>_score``, ``<id>_level`` (if levels), ``<id>_n_valid``,
          ``<id>_n_dont_know`` (if a don't-know code)

    Raises
    ------
    ItemError
        Item columns absent, non-numeric, or holding codes outside the spec; the message
        names the columns, the codes found, the allowed codes and the number of rows (never
        row labels).
    OptionError
        Unknown option or invalid value.
    UnknownInstrumentError
        Unknown instrument id.

    Notes
    -----
    Rules, formulas and their verification status are in each family module's docstring,
    in ``spec(id).rule_status`` and in ``docs/instruments.md``.

    References
    ----------
    See ``spec(id).citation`` and ``spec(id).doi`` (e.g. WHOQOL-BREF:
    doi:10.1017/S0033291798006667; Swedish EQ-5D-5L value set: doi:10.1186/s12955-022-02083-w).

    Examples
    --------
    >>> eq = pd.DataFrame({"eq5d5l_mo": [2, 1], "eq5d5l_sc": [1, None], "eq5d5l_ua": [2, 1],
    ...                    "eq5d5l_pd": [1, 1], "eq5d5l_ad": [2, 1], "eq5d5l_vas": [70, 90]})
    >>> score("eq5d5l", eq)[["eq5d5l_profile", "eq5d5l_lss", "eq5d5l_index"]]
      eq5d5l_profile  eq5d5l_lss  eq5d5l_index
    0          21212         8.0         0.925
    1           <NA>         NaN           NaN
    >>> who = pd.DataFrame([[3, 3, 2, 2, 2]], columns=items_of("who5"))
    >>> score("who5", who)[["who5_raw", "who5_percent", "who5_poor"]]
       who5_raw  who5_percent  who5_poor
    0      12.0          48.0       True
    """
    sp = _registry.get(instrument_id)
    opts = _registry.resolve_options(sp, options)
    fam = _registry.family(sp)
    data = item_matrix(sp, items)
    columns = fam._score(sp, data, opts)
    order = [o.column for o in _output_specs(sp, opts)]
    if set(columns) != set(order):  # pragma: no cover - guarded by tests of every instrument
        raise RuntimeError(f"{sp.id}: scorer columns {sorted(columns)} differ from spec outputs {order}")
    return pd.DataFrame({c: columns[c] for c in order}, index=items.index)


def outputs(instrument_id: str, **options: Any) -> pd.DataFrame:
    """Metadata of the output columns of :func:`score`, one row per column.

    Parameters
    ----------
    instrument_id : str
    **options
        As for :func:`score`; only ``value_set`` changes the metadata (EQ-5D index label
        and range).

    Returns
    -------
    pandas.DataFrame
        ``column, instrument, label_sv, label_en, kind`` (continuous | binary | ordinal |
        categorical | text | count), ``min, max, higher_is_better, unit``.

    Examples
    --------
    >>> o = outputs("whoqol_bref").set_index("column")
    >>> o.loc["whoqol_bref_physical_100", "label_sv"]
    'Fysisk hälsa (WHOQOL-BREF, 0–100)'
    >>> float(outputs("eq5d5l", value_set="SE_Burstrom2020_TTO").set_index("column").loc["eq5d5l_index", "max"])
    0.9755
    """
    sp = _registry.get(instrument_id)
    opts = _registry.resolve_options(sp, options)
    rows = [{"column": o.column, "instrument": sp.id, "label_sv": o.label_sv, "label_en": o.label_en,
             "kind": o.kind, "min": o.min, "max": o.max, "higher_is_better": o.higher_is_better,
             "unit": o.unit} for o in _output_specs(sp, opts)]
    df = pd.DataFrame(rows)
    df["min"] = df["min"].astype(float)
    df["max"] = df["max"].astype(float)
    df["higher_is_better"] = df["higher_is_better"].astype("boolean")
    return df


#: (the registered specs, their output table) of the last :func:`output_table` call
_output_table: tuple[tuple[InstrumentSpec, ...], pd.DataFrame] | None = None


def output_table() -> pd.DataFrame:
    """:func:`outputs` (default options) of every registered instrument, built-in first,
    then user scales, in one table.

    Built once for each set of registered instruments and then copied: every figure and
    the report ask for it in each language, and building it from the specs took a fiftieth
    of a pipeline run. A scale registered, replaced or forgotten since (a new spec object:
    specs are frozen) rebuilds it.

    Examples
    --------
    >>> t = output_table()
    >>> t.loc[t["column"] == "who5_percent", ["instrument", "min", "max"]].values.tolist()
    [['who5', 0.0, 100.0]]
    >>> output_table() is not output_table()     # a copy each time: callers may change it
    True
    """
    global _output_table
    specs = tuple(_registry.all_specs())
    cached = _output_table
    if cached is None or len(cached[0]) != len(specs) or any(a is not b for a, b in zip(cached[0], specs)):
        cached = (specs, pd.concat([outputs(sp.id) for sp in specs], ignore_index=True))
        _output_table = cached
    return cached[1].copy()


def available() -> pd.DataFrame:
    """Instruments that :func:`score` knows, one row each (built-in first, then user scales).

    Returns
    -------
    pandas.DataFrame
        ``id, name, name_sv, n_items, items`` (tuple), ``codes`` (text),
        ``dont_know_code, outputs`` (tuple of column names), ``citation, doi, licence,
        status`` (overall: verified | recalled | open | derived), ``rule_status`` (dict),
        ``options`` (dict of defaults), ``version, builtin``.

    Examples
    --------
    >>> a = available().set_index("id")
    >>> a.loc["hls_eu_q16", ["codes", "status"]].tolist()
    ["1–4; don't know 5", 'recalled']
    >>> a.loc["rand36", "codes"]
    'items 1, 2, 20, 22, 32–36: 1–5; items 3–12: 1–3; items 13–19: 1–2; items 21, 23–31: 1–6'

    >>> sorted(a.index[a["builtin"]])[:3]
    ['e2_collective_empowerment', 'e2_contextual_capacity', 'e2_outcomes']
    """
    rows = []
    for sp in _registry.all_specs():
        rows.append({
            "id": sp.id, "name": sp.name["en"], "name_sv": sp.name["sv"], "n_items": sp.n_items,
            "items": sp.items, "codes": sp.codes_text(), "dont_know_code": sp.dont_know_code,
            "outputs": tuple(o.column for o in sp.outputs), "citation": sp.citation, "doi": sp.doi,
            "licence": sp.licence, "status": sp.status, "rule_status": dict(sp.rule_status),
            "options": {k: o.default for k, o in sp.options.items()}, "version": sp.version,
            "builtin": sp.builtin,
        })
    df = pd.DataFrame(rows)
    df["dont_know_code"] = df["dont_know_code"].astype("Int64")
    return df


def register_scale(path_or_dict: str | Path | Mapping) -> str:
    """Register a user-declared Likert scale so that :func:`score` treats it like a built-in.

    Parameters
    ----------
    path_or_dict : str, Path or dict
        A YAML file (or the equivalent dict) in this format::

            id: jh_empowerment            # items are jh_empowerment_01..NN
            version: "1.0"
            name: {sv: "Egenmakt och delaktighet", en: "Empowerment and participation"}
            citation: "Study-specific scale ..."
            doi: null
            licence: "..."
            status: open                  # verified | recalled | open
            n_items: 8
            codes: {1: "Stämmer inte alls", ..., 5: "Stämmer helt"}
            dont_know_code: null          # or an integer not among the codes
            reverse: [3, 6]               # item numbers, reversed as (min+max) - x
            aggregation: mean             # mean | sum | percent
            min_valid: 6
            levels: null                  # or [{name: low, max: 2.5}, {name: medium, max: 3.5}, {name: high}]
            higher_is_better: true

        ``doi``, ``dont_know_code``, ``reverse``, ``levels`` and ``higher_is_better`` may be
        left out (defaults null, null, [], null, true); an optional ``description`` is kept.

    Returns
    -------
    str
        The scale id.

    Raises
    ------
    SpecError
        Invalid file (message names the file and the key), an id that is built in, or an
        id already registered with different content. Registering identical content twice
        is fine.

    Notes
    -----
    Scoring rules: see :mod:`instruments.likert`. Outputs ``<id>_score``, ``<id>_n_valid``,
    ``<id>_level`` (with levels) and ``<id>_n_dont_know`` (with a don't-know code).

    Examples
    --------
    >>> sid = register_scale({"id": "doc_trust", "version": "1.0", "name": {"sv": "Tillit", "en": "Trust"},
    ...     "citation": "Example.", "licence": "CC0", "status": "open", "n_items": 3,
    ...     "codes": {1: "Nej", 2: "Delvis", 3: "Ja"}, "reverse": [2], "aggregation": "mean",
    ...     "min_valid": 2, "levels": [{"name": "low", "max": 2}, {"name": "high"}]})
    >>> score(sid, pd.DataFrame({"doc_trust_01": [3, 1], "doc_trust_02": [1, None], "doc_trust_03": [3, 1]}))
       doc_trust_score doc_trust_level  doc_trust_n_valid
    0              3.0            high                  3
    1              1.0             low                  2
    """
    return _registry.register(path_or_dict)


def load_scale(path: str | Path) -> InstrumentSpec:
    """Read and validate a user scale YAML file without registering it.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    InstrumentSpec

    Raises
    ------
    SpecError
        Naming the file and the key.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "bad.yaml")
    >>> _ = open(p, "w").write("id: bad_scale\\nn_items: 0\\n")
    >>> load_scale(p)
    Traceback (most recent call last):
    ...
    instruments._errors.SpecError: ...bad.yaml: key 'n_items': 0 is outside 1..99
    """
    return _registry.load_user_scale(Path(path))


def check_options(instrument: str | InstrumentSpec, options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate scoring options without scoring anything: names and values.

    Runs the instrument's own option handling (:func:`score` on zero rows), so every check
    :func:`score` would make on the options is made here, before any data are read.

    Parameters
    ----------
    instrument : str or InstrumentSpec
        An instrument id, or a spec (e.g. from :func:`load_scale`, not registered).
    options : mapping
        Option name -> value, as given to :func:`score`.

    Returns
    -------
    dict
        The resolved options (defaults filled in).

    Raises
    ------
    OptionError
        An unknown option name or an invalid value (the message names the option and what
        is accepted).
    UnknownInstrumentError
        Unknown instrument id.

    Examples
    --------
    >>> check_options("hls_eu_q16", {"min_valid": 12})
    {'min_valid': 12}
    >>> check_options("hls_eu_q16", {"min_vaild": 12})
    Traceback (most recent call last):
    ...
    instruments._errors.OptionError: hls_eu_q16: unknown option(s) min_vaild; valid options: min_valid
    >>> check_options("hls_eu_q16", {"min_valid": 40})
    Traceback (most recent call last):
    ...
    instruments._errors.OptionError: hls_eu_q16: option min_valid must be an integer in 1..16, got 40
    """
    sp = instrument if isinstance(instrument, InstrumentSpec) else _registry.get(instrument)
    opts = _registry.resolve_options(sp, options)
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in sp.items})
    _registry.family(sp)._score(sp, item_matrix(sp, empty), opts)
    return opts


def reliability(instrument_id: str, items: pd.DataFrame, ci_level: float = 0.95, **options: Any) -> pd.DataFrame:
    """Internal consistency of each scale of an instrument.

    Parameters
    ----------
    instrument_id : str
    items : pandas.DataFrame
        Canonical item columns, as for :func:`score` (codes are checked the same way).
    ci_level : float, default 0.95
    **options
        Instrument options, as for :func:`score`.

    Returns
    -------
    pandas.DataFrame
        One row per scale (WHOQOL-BREF: 4 domains; RAND-36: 8 scales; others: ``total``),
        columns ``instrument, scale, n_items, n_complete, alpha, alpha_ci_low,
        alpha_ci_high, ci_level, omega_total, method``. Empty for EQ-5D-5L (a descriptive
        system) and SRH (one item).

    Notes
    -----
    Items are used as scored: reverse-keyed items reversed (WHOQOL-BREF Q3, Q4, Q26; user
    scales' ``reverse``), RAND-36 recoded to 0–100, don't know as missing; HLS items on their
    1–4 codes (not dichotomised). Complete rows only. Alpha with Feldt's CI, omega total from
    a one-factor minres model: see :mod:`instruments.consistency`.

    References
    ----------
    Feldt LS, Woodruff DJ, Salih FA. Appl Psychol Meas 1987;11:93–103. McDonald RP. Test
    theory: a unified treatment. Erlbaum; 1999.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> base = rng.integers(0, 6, size=(200, 1))
    >>> x = np.clip(base + rng.integers(-1, 2, size=(200, 5)), 0, 5)
    >>> r = reliability("who5", pd.DataFrame(x, columns=items_of("who5")))
    >>> r[["scale", "n_items", "n_complete"]].values.tolist()
    [['total', 5, 200]]
    >>> bool(r.loc[0, "alpha_ci_low"] < r.loc[0, "alpha"] < r.loc[0, "alpha_ci_high"])
    True
    """
    from .consistency import _frame, _scale_reliability

    sp = _registry.get(instrument_id)
    opts = _registry.resolve_options(sp, options)
    data = item_matrix(sp, items)
    scales = _registry.family(sp)._reliability_scales(sp, data, opts)
    return _frame([_scale_reliability(sp.id, name, X, ci_level) for name, X in scales.items()])


def mid_defaults() -> pd.DataFrame:
    """Default minimal important differences for score columns that have one.

    Returns
    -------
    pandas.DataFrame
        ``outcome, value_set, mid, source, status``. EQ-5D-5L index MIDs are the
        instrument-defined values we derived (McClure method) per value set; EQ VAS 7,
        WHO-5 percentage 10 and RAND-36 scales 5 (recalled) come from the reference table.
        Read from package data (``data/mid_defaults.csv``, which points into the copied
        reference files ``eq5d5l_instrument_defined_mid_DERIVED.csv`` and
        ``reference_values_and_mid.csv``).

    Notes
    -----
    MIDs are population- and anchor-specific; report them with distribution-based
    criteria (½ SD, SEM). None is published for HLS-EU, HLS19, eHEALS or GSE.

    Examples
    --------
    >>> m = mid_defaults()
    >>> m.loc[m["value_set"] == "SE_Sun2022", ["outcome", "mid", "status"]].values.tolist()
    [['eq5d5l_index', 0.0657, 'derived']]
    >>> float(m.loc[m["outcome"] == "who5_percent", "mid"].iloc[0])
    10.0
    """
    d = _registry.DATA_DIR
    m = pd.read_csv(d / "mid_defaults.csv", dtype={"value_set": "string"})
    derived = pd.read_csv(d / "eq5d5l_instrument_defined_mid_DERIVED.csv").set_index("value_set")
    from_file = m["source_file"] == "eq5d5l_instrument_defined_mid_DERIVED.csv"
    m.loc[from_file, "mid"] = derived.loc[m.loc[from_file, "source_key"],
                                          "mean_abs_change_single_level_transition"].to_numpy()
    m["mid"] = m["mid"].astype(float)
    return m[["outcome", "value_set", "mid", "source", "status"]].reset_index(drop=True)
