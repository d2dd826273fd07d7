"""The report's section on the partner survey: "Partnerskap och egenmakt / Partnership and
empowerment" (self-contained: one function returning report blocks for one language, and
the display tables it uses).

Everything here reads the *published* partner tables (:mod:`publishing.partners`,
already disclosure-controlled with ``publishing.k_min_partner``) and the configuration; no
number is computed here, none is printed that is not in a published table, and the
partner groups are named only by the configuration's ``group_labels``. Free text is
never an input.

Blocks follow :mod:`publishing.report` (``h2``, ``h3``, ``p``, ``list``, ``table``
with a :class:`~publishing.tables.DisplayTable`, ``figure``); figure and table
blocks come *without* numbers, which the report assigns in document order.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

import instruments
from publishing.disclosure import REASON, SUPPRESSED
from publishing.labels import label
from publishing.partners import scale_names
from publishing.tables import DisplayTable, Labels, fmt_ci, fmt_n, fmt_num, fmt_p, fmt_suppressed
from studyconfig.config import StudyConfig
from survey.partner_surveys import GROUP, YEAR, group_code, group_labels, survey_instruments

#: the figure stem of the section (``registry.FIGURES``)
FIGURE = "partner_scale_means"
SECTION_ID = "partnership"


def _reason(r) -> str | None:
    return r.get(REASON) if bool(r.get(SUPPRESSED, False)) else None


def _count(n, reason, k: int, lang: str) -> str:
    """A published count (``<k`` / ``x`` when withheld)."""
    return fmt_n(n, k, lang, reason=reason) if reason is None or pd.isna(n) else fmt_suppressed(reason, k, lang)


def _codes(column: pd.Series) -> pd.Series:
    """Partner-group codes as text (a CSV round trip may have made them numbers)."""
    return pd.Series([group_code(v) for v in column.tolist()], index=column.index, dtype="object")


def _ci_pct(L: Labels) -> str:
    return f"{L.ci_level:.0%}".replace("%", "\u00a0%") if L.lang == "sv" else f"{L.ci_level:.0%}"


def group_names(config: StudyConfig, lang: str) -> dict[str, str]:
    """Partner-group code -> label in ``lang`` (the latest survey that declares the code).

    Examples
    --------
    >>> from studyconfig.config import load_config
    >>> group_names(load_config(), "en")["1"]
    'Health promoters'
    """
    out: dict[str, str] = {}
    for s in config.partner_surveys:
        for code, lab in group_labels(s).items():
            out[code] = getattr(lab, lang)
    return out


# -- display tables ---------------------------------------------------------------------------

def _by_scale(t: pd.DataFrame, *years: str) -> pd.DataFrame:
    """Rows ordered by scale (in order of first appearance), then year(s)."""
    order = {o: i for i, o in enumerate(dict.fromkeys(t["outcome"]))}
    return t.assign(_o=t["outcome"].map(order)).sort_values(["_o", *years], kind="stable").drop(columns="_o")


def display_scales(summary: pd.DataFrame, L: Labels, k: int) -> DisplayTable:
    """One row per scale and year: n, mean (SD), CI, alpha [CI] and n_alpha."""
    lang = L.lang
    summary = _by_scale(summary, YEAR)
    names = scale_names(dict.fromkeys(summary["outcome"]), lang, short=True)
    rows = []
    for r in summary.to_dict("records"):
        why = _reason(r)
        shown = why is None and not pd.isna(r["mean"])
        alpha_ok = shown and not pd.isna(r.get("n_complete")) and not pd.isna(r.get("alpha"))
        rows.append({
            label("col_scale", lang): names[r["outcome"]],
            label("partner_col_year", lang): str(int(r[YEAR])),
            label("n", lang): _count(r["n"], why, k, lang),
            label("mean_sd", lang): f"{fmt_num(r['mean'], lang)} ({fmt_num(r['sd'], lang)})" if shown else "–",
            label("ci", lang, ci=L.ci_level): fmt_ci(r["ci_low"], r["ci_high"], lang) if shown else "–",
            label("partner_col_alpha", lang, ci=L.ci_level):
                f"{fmt_num(r['alpha'], lang)} {fmt_ci(r['alpha_ci_low'], r['alpha_ci_high'], lang)}"
                if alpha_ok else "–",
            label("partner_col_n_alpha", lang): fmt_n(r["n_complete"], k, lang) if alpha_ok else "–",
        })
    df = pd.DataFrame(rows)
    key = label("col_scale", lang)
    blocks = [i for i in range(len(df)) if i == 0 or df[key].iat[i] != df[key].iat[i - 1]]
    df.loc[[i for i in range(len(df)) if i not in blocks], key] = ""
    note = f"{label('partner_note', lang, k=k)} {label('partner_alpha_note', lang, k=k)}"
    return DisplayTable(df, label("table_partner_scales_caption", lang, ci=L.ci_level), note,
                        numeric=list(df.columns[2:]), group_rows=blocks)


def display_trend(trend: pd.DataFrame, L: Labels, k: int) -> DisplayTable:
    """One row per scale and comparison: n, change, CI, p."""
    lang = L.lang
    trend = _by_scale(trend, "post", "pre")
    names = scale_names(dict.fromkeys(trend["outcome"]), lang, short=True)
    rows = []
    for r in trend.to_dict("records"):
        why = _reason(r)
        shown = why is None and not pd.isna(r["estimate"])
        comp = (label("partner_per_year", lang, first=int(r["pre"]), last=int(r["post"])) if r["test"] == "ols_slope"
                else f"{int(r['pre'])} → {int(r['post'])}")
        rows.append({
            label("col_scale", lang): names[r["outcome"]],
            label("comparison", lang): comp,
            label("n", lang): _count(r["n"], why, k, lang),
            label("partner_col_change", lang): fmt_num(r["estimate"], lang) if shown else "–",
            label("ci", lang, ci=L.ci_level): fmt_ci(r["ci_low"], r["ci_high"], lang) if shown else "–",
            "p": fmt_p(r["p_value"], lang) if shown else "–",
        })
    df = pd.DataFrame(rows)
    key = label("col_scale", lang)
    blocks = [i for i in range(len(df)) if i == 0 or df[key].iat[i] != df[key].iat[i - 1]]
    df.loc[[i for i in range(len(df)) if i not in blocks], key] = ""
    return DisplayTable(df, label("table_partner_trend_caption", lang, ci=L.ci_level), label("partner_note", lang, k=k),
                        numeric=list(df.columns[2:]), group_rows=blocks)


def display_respondents(resp: pd.DataFrame, L: Labels, k: int, names: Mapping[str, str]) -> DisplayTable:
    """Rows: the partner groups, group not stated, all respondents; columns: the years."""
    lang = L.lang
    years = sorted(int(y) for y in resp[YEAR].unique())
    resp = resp.assign(**{GROUP: _codes(resp[GROUP])})
    codes = list(dict.fromkeys(resp.loc[resp["stratum"] == "group", GROUP].dropna()))
    codes = sorted(codes, key=lambda c: (list(names).index(c) if c in names else len(names), c))
    spec = [(names.get(c, c), "group", c) for c in codes]
    if (resp["stratum"] == "not_stated").any():
        spec.append((label("partner_not_stated", lang), "not_stated", None))
    spec.append((label("partner_total", lang), "total", None))
    rows = []
    for text, stratum, code in spec:
        row = {label("partner_col_group", lang): text}
        for y in years:
            g = resp[(resp[YEAR] == y) & (resp["stratum"] == stratum)]
            if code is not None:
                g = g[g[GROUP] == code]
            row[str(y)] = "–" if not len(g) else _count(g["n"].iloc[0], _reason(g.iloc[0].to_dict()), k, lang)
        rows.append(row)
    df = pd.DataFrame(rows)
    return DisplayTable(df, label("table_partner_respondents_caption", lang, k=k), label("partner_note", lang, k=k),
                        numeric=list(df.columns[1:]), group_rows=[len(df) - 1])


def display_groups(groups: pd.DataFrame, L: Labels, k: int, names: Mapping[str, str]) -> DisplayTable | None:
    """Rows: scale x year; columns: the partner groups; cells "mean (n)", ``<k``/``x`` when
    withheld, – when the group had no respondent that year. ``None`` when no group is shown."""
    lang = L.lang
    if groups is None or not len(groups) or bool(groups[SUPPRESSED].astype(bool).all()):
        return None
    groups = _by_scale(groups, YEAR).assign(**{GROUP: lambda t: _codes(t[GROUP])})
    snames = scale_names(dict.fromkeys(groups["outcome"]), lang, short=True)
    codes = sorted(dict.fromkeys(groups[GROUP].dropna()),
                   key=lambda c: (list(names).index(c) if c in names else len(names), c))
    rows = []
    for (o, y), g in groups.groupby(["outcome", YEAR], sort=False):
        row = {label("col_scale", lang): snames[o], label("partner_col_year", lang): str(int(y))}
        by = {str(r[GROUP]): r for r in g.to_dict("records")}
        for c in codes:
            r = by.get(c)
            if r is None:
                row[names.get(c, c)] = "–"
            elif _reason(r) is not None or pd.isna(r["mean"]):
                row[names.get(c, c)] = fmt_suppressed(_reason(r) or "primary", k, lang)
            else:
                row[names.get(c, c)] = f"{fmt_num(r['mean'], lang)} ({fmt_n(r['n'], k, lang)})"
        rows.append(row)
    df = pd.DataFrame(rows)
    key = label("col_scale", lang)
    blocks = [i for i in range(len(df)) if i == 0 or df[key].iat[i] != df[key].iat[i - 1]]
    df.loc[[i for i in range(len(df)) if i not in blocks], key] = ""
    return DisplayTable(df, label("table_partner_groups_caption", lang, k=k), label("partner_note", lang, k=k),
                        numeric=list(df.columns[2:]), group_rows=blocks)


# -- methods --------------------------------------------------------------------------------

_STATUS_ORDER = ("verified", "recalled", "open")


def _statuses(sid: str, lang: str) -> str:
    """A scale's rules grouped by verification status, in words (``verified: …; open: …``)."""
    by: dict[str, list[str]] = {}
    for key, status in (instruments.spec(sid).rule_status or {}).items():
        base = "n_items" if key.startswith("n_items") else key
        try:
            text = label(f"rule_{base}", lang)
        except KeyError:
            text = base.replace("_", " ")
        by.setdefault(str(status), []).append(text)
    parts = [f"{label(f'partner_rule_{st}', lang)}: {', '.join(by[st])}" for st in _STATUS_ORDER if st in by]
    return "; ".join(parts + [f"{st}: {', '.join(v)}" for st, v in by.items() if st not in _STATUS_ORDER])


def _min_valid(sid: str, options: Mapping[str, Mapping]):
    s = instruments.spec(sid)
    opt = s.options.get("min_valid") if isinstance(s.options, dict) else None
    value = options.get(sid, {}).get("min_valid", getattr(opt, "default", None))
    return "–" if value is None else value


def display_rules(scales, lang: str, options: Mapping[str, Mapping] | None = None) -> tuple[DisplayTable, str]:
    """The scales' item counts and scoring minimum as a table, and their rule statuses: one
    sentence when every scale has the same (the table then has no status column).

    Examples
    --------
    >>> t, text = display_rules(["e2_synergy", "e2_outcomes"], "en")
    >>> t.data.values.tolist()
    [['Synergy', '5', '3'], ['Projected outcomes', '6', '3']]
    >>> for part in text.split("): ")[1].split("; "):
    ...     print(part)
    verified: scale and construct, no cut-offs
    recalled: response scale 1–5, score = mean of the items, no reverse-worded items
    open: item count, minimum number of answered items.
    """
    options = options or {}
    names = scale_names(scales, lang, short=True)
    statuses = {sid: _statuses(sid, lang) for sid in scales}
    same = len(set(statuses.values())) == 1
    rows = []
    for sid in scales:
        row = {label("col_scale", lang): names[sid],
               label("partner_col_items", lang): str(instruments.spec(sid).n_items),
               label("partner_col_min_valid", lang): str(_min_valid(sid, options))}
        if not same:
            row[label("partner_col_status", lang)] = statuses[sid]
        rows.append(row)
    df = pd.DataFrame(rows)
    table = DisplayTable(df, label("table_partner_rules_caption", lang), numeric=list(df.columns[1:3]))
    text = label("partner_rule_status_same", lang, statuses=next(iter(statuses.values()))) if same and scales else ""
    return table, text


def methods(config: StudyConfig, L: Labels) -> list[dict]:
    """The partner survey's methods: design, the E2 citation, scoring rules with their
    statuses, statistics, disclosure control."""
    lang = L.lang
    scales = survey_instruments(config)
    e2 = [s for s in scales if s.startswith("e2_")] or scales
    ref = instruments.spec(e2[0])
    years = sorted(p.year for p in config.partner_surveys)
    stats = label("partner_methods_stats", lang, ci=_ci_pct(L))
    if len(years) >= 3:
        stats += " " + label("partner_methods_slope", lang)
    rules, status = display_rules(scales, lang, {s: config.instrument_options.get(s, {}) for s in scales})
    p = lambda text: {"type": "p", "text": text}  # noqa: E731
    wording = item_wording(config, lang)
    return [
        {"type": "h3", "text": label("partner_methods_heading", lang)},
        p(label("partner_methods_survey", lang, doi=ref.doi, licence=ref.licence.strip())),
        {**p(label("partner_reference", lang, citation=ref.citation.strip(), doi=ref.doi)), "citations": True},
        p(label("partner_methods_scoring", lang)),
        {"type": "table", "table": rules},
        *([p(status)] if status else []),
        *([p(label("partner_item_wording", lang, year=config.partner_surveys[-1].year)),
           {"type": "list", "items": wording}] if wording else []),
        p(stats),
        p(label("partner_methods_sdc", lang, k=config.publishing.k_min_partner)),
    ]


def item_wording(config: StudyConfig, lang: str) -> list[str]:
    """The questionnaire's wording of the items the latest survey gives in ``item_texts``
    ("Synergy 1: …"), in instrument and item order.

    Examples
    --------
    >>> from studyconfig.config import load_config
    >>> item_wording(load_config(), "en")[0]
    'Synergy 1: Together we find new ways to solve problems'
    """
    if not config.partner_surveys:
        return []
    texts = config.partner_surveys[-1].item_texts
    out = []
    for sid in survey_instruments(config):
        name = scale_names([sid], lang, short=True)[sid]
        for i, item in enumerate(instruments.items_of(sid), 1):
            if item in texts:
                out.append(f"{name} {i}: {getattr(texts[item], lang)}")
    return out


# -- the section ------------------------------------------------------------------------------

def section(config: StudyConfig, L: Labels, published: Mapping[str, pd.DataFrame],
            figure_files: Mapping[str, str]) -> list[dict]:
    """The report section "Partnerskap och egenmakt" / "Partnership and empowerment" for one
    language, from the published partner tables (empty without partner surveys).

    Parameters
    ----------
    config : StudyConfig
    L : Labels
        Labels of the language (``L.k`` is the participants' threshold and is not used:
        the partner tables follow ``publishing.k_min_partner``).
    published : mapping
        Published tables by name (``partner_respondents``, ``partner_scale_summary``,
        ``partner_group_summary``, ``partner_trend``; missing or empty ones are skipped).
    figure_files : mapping
        Figure stem -> PNG path relative to the report (:data:`FIGURE`).

    Returns
    -------
    list of dict
        Report blocks: ``h2`` (id ``partnership``), the caveat, methods, the figure, the
        tables. Figure and table blocks carry no ``number``.
    """
    if not config.partner_surveys:
        return []
    lang, k = L.lang, config.publishing.k_min_partner

    def get(name):
        t = published.get(name)
        return t if t is not None and len(t) else None

    resp, summary, groups, trend = (get("partner_respondents"), get("partner_scale_summary"),
                                    get("partner_group_summary"), get("partner_trend"))
    names = group_names(config, lang)
    latest = config.partner_surveys[-1]
    group_text = ", ".join(getattr(v, lang) for v in latest.group_labels.values()) or "–"
    counts = "–"
    if resp is not None:
        tot = resp[resp["stratum"] == "total"]
        counts = "; ".join(f"{int(r[YEAR])}: n = {_count(r['n'], _reason(r), k, lang)}" for r in tot.to_dict("records"))
    blocks: list[dict] = [
        {"type": "h2", "text": label("partnership", lang), "id": SECTION_ID},
        {"type": "p", "text": label("partner_intro", lang, groups=group_text, counts=counts)},
        {"type": "p", "text": label("partner_caveat", lang)},
        *methods(config, L),
        {"type": "h3", "text": label("partner_results_heading", lang)},
    ]
    if summary is None or bool(summary[SUPPRESSED].astype(bool).all()):
        blocks.append({"type": "p", "text": label("partner_nothing", lang)})
    if FIGURE in figure_files:
        blocks.append({"type": "figure", "src": figure_files[FIGURE], "source": f"figure_{FIGURE}",
                       "title": label("fig_partner_means_title", lang),
                       "caption": label("fig_partner_means_caption", lang, ci=L.ci_level, k=k)})
    if summary is not None:
        blocks.append({"type": "table", "table": display_scales(summary, L, k), "source": "partner_scale_summary"})
    if trend is not None:
        blocks.append({"type": "table", "table": display_trend(trend, L, k), "source": "partner_trend"})
    if resp is not None and (resp["stratum"] == "group").any():
        blocks.append({"type": "table", "table": display_respondents(resp, L, k, names),
                       "source": "partner_respondents"})
    shown = display_groups(groups, L, k, names) if groups is not None else None
    if shown is not None:
        blocks.append({"type": "table", "table": shown, "source": "partner_group_summary"})
    elif groups is not None:
        blocks.append({"type": "p", "text": label("partner_no_groups", lang, k=k)})
    return blocks


def number_blocks(blocks: list[dict], n_fig: int, n_tab: int) -> tuple[list[dict], int, int]:
    """Give the section's figures and tables their numbers after ``n_fig``/``n_tab``.

    Examples
    --------
    >>> b, f, t = number_blocks([{"type": "figure"}, {"type": "table"}, {"type": "p"}], 3, 7)
    >>> [x.get("number") for x in b], f, t
    ([4, 8, None], 4, 8)
    """
    out = []
    for b in blocks:
        if b["type"] == "figure":
            n_fig += 1
            b = {**b, "number": n_fig}
        elif b["type"] == "table":
            n_tab += 1
            b = {**b, "number": n_tab}
        out.append(b)
    return out, n_fig, n_tab

