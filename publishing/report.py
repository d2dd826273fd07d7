"""The yearly report as one language-specific document model, rendered to HTML here and to
Word by :mod:`publishing.docx_report`.

A document is ``{"meta": {...}, "blocks": [...]}``; a block is a dict with ``type``:
``h2`` / ``h3`` (``text``, ``id``), ``p`` (``text``), ``list`` (``items``, ``ordered``; ``p`` and
``list`` may carry ``citations``: reference text kept in its published language),
``placeholder`` (``text``: a researcher-written section still missing), ``table``
(``table``: :class:`~publishing.tables.DisplayTable`, ``number``) or ``figure``
(``src`` relative to the report, ``title``, ``caption``, ``number``). Both renderers draw
the same blocks, so the HTML and the DOCX say the same thing.

The report's structure follows published programme evaluations: front matter (title page
from ``report:`` in study.yaml), summary anchored on the minimal important differences,
background and evaluation questions, methods, results, the partnership, discussion,
limitations, conclusions, references and a provenance appendix. Background, discussion and
conclusions are the researchers' own text (:mod:`publishing.texts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import cast

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

import instruments
from publishing import narrative, partnership_report, registry, tables, texts
from publishing.labels import catalogue, label, not_estimable_text
from publishing.tables import DisplayTable, Labels
from studyconfig.config import Lang, StudyConfig

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)
_ENV.globals["zip"] = zip

#: figure stems (files ``figures/<stem>_<lang>.png``), from the one registry of outputs
FIGURES = tuple(f.name for f in registry.FIGURES)
_FIG_KEYS = {f.name: f.label_key for f in registry.FIGURES}


def report_filename(lang: str, default_language: str, ext: str) -> str:
    """``report.<ext>`` for the default language, else ``report.<lang>.<ext>``.

    Examples
    --------
    >>> report_filename("sv", "sv", "html"), report_filename("en", "sv", "docx")
    ('report.html', 'report.en.docx')
    """
    return f"report.{ext}" if lang == default_language else f"report.{lang}.{ext}"


#: the manifest's input roles (English, as in manifest.json) in Swedish
_ROLES_SV = (("configuration", "konfiguration"), ("wave ", "mättillfälle "), ("attendance register", "närvaroregister"),
             ("partner survey ", "partnerenkät "), ("scale", "skala"), ("report text ", "rapporttext "))
_STATUS_SV = {"verified": "verifierad", "recalled": "ur minnet, ej verifierad", "open": "öppen"}


def role_text(role: str, lang: str) -> str:
    """An input's role from the manifest in the report's language.

    Examples
    --------
    >>> role_text("wave T0", "sv"), role_text("report text discussion (sv)", "sv"), role_text("scale", "en")
    ('mättillfälle T0', 'rapporttext diskussion (sv)', 'scale')
    """
    if lang != "sv":
        return role
    for en, sv in _ROLES_SV:
        if role.startswith(en):
            rest = role[len(en):]
            if en == "report text ":
                section, _, tail = rest.partition(" ")
                rest = f"{label(f'section_{section}', 'sv').lower()} {tail}".strip()
            return sv + rest
    return role


def _provenance_tables(prov: dict, lang: str) -> list[DisplayTable]:
    sv = lang == "sv"
    inputs = pd.DataFrame([{("Roll" if sv else "Role"): role_text(i["role"], lang), ("Fil" if sv else "File"): i["file"],
                            "sha256": i["sha256"] or "–"} for i in prov["inputs"]])
    git = prov["git"]
    rows = [
        ("Konfigurationens sha256" if sv else "Configuration sha256", prov["config_sha256"]),
        ("Git-commit" if sv else "Git commit", git.get("commit") or "–"),
        ("Ändringar som inte checkats in" if sv else "Uncommitted changes",
         "–" if git.get("dirty") is None else (("ja" if sv else "yes") if git["dirty"] else ("nej" if sv else "no"))),
        ("requirements.lock sha256", prov["requirements_lock_sha256"] or "–"),
        ("EQ-5D-värderingsset" if sv else "EQ-5D value set", prov["eq5d_value_sets"]["used"]),
        *[(p, v or "–") for p, v in prov["packages"].items()],
    ]
    software = pd.DataFrame(rows, columns=["Uppgift" if sv else "Item", "Värde" if sv else "Value"])
    inst = pd.DataFrame([{"Instrument": i["id"], "Version": i["version"], "DOI": i["doi"] or "–",
                          ("Regelstatus" if sv else "Rule status"): _STATUS_SV.get(i["status"], i["status"]) if sv
                          else i["status"]} for i in prov["instruments"]])
    return [DisplayTable(inputs, "Indatafiler" if sv else "Input files"),
            DisplayTable(software, "Konfiguration, kod och programvara" if sv else "Configuration, code and software"),
            DisplayTable(inst, "Instrumentspecifikationer" if sv else "Instrument specifications")]


#: the appendix's provenance picture (``figures/lineage_<lang>.png``, drawn by
#: :mod:`publishing.lineage`) and the figure whose chain it shows
LINEAGE = "lineage"
LINEAGE_FIGURE = "effect_sizes_forest"

#: every figure's published tables (the partner figure's from its own module)
FIGURE_TABLES = {f"figure_{f.name}": tuple(f.tables) for f in registry.FIGURES}


def output_key(source: str) -> str:
    """Dagster asset key (as shown in the UI) of a table or figure block's ``source``.

    >>> output_key("prepost_tests"), output_key("figure_responders")
    ('published/prepost_tests', 'figure_responders')
    """
    return source if source.startswith("figure_") else f"published/{source}"


def output_file(source: str, lang: str) -> str:
    """The file, relative to the year folder, whose sha256 identifies a table or figure block
    (a figure: its PNG in the report's language).

    >>> output_file("prepost_tests", "sv"), output_file("figure_responders", "en")
    ('tables/prepost_tests.csv', 'figures/responders_en.png')
    """
    if source.startswith("figure_"):
        return f"figures/{source.removeprefix('figure_')}_{lang}.png"
    return f"tables/{source}.csv"


def identify(blocks: list[dict], outputs: Mapping[str, str], lang: str) -> list[dict]:
    """Give every table and figure block its stable identifier (issue 17): the Dagster asset
    it was made from and the short sha256 of the output file (``ident``), and for a figure
    the published tables it draws (``drawn_from``). ``outputs`` maps file paths relative to
    the year folder to their sha256 (the publishing assets' ``jh/files`` metadata, the same
    hashes as the manifest); a block whose file is unknown keeps its asset key only.

    >>> b = identify([{"type": "table", "source": "responders"}, {"type": "p"}],
    ...              {"tables/responders.csv": "0123456789abcdef" * 4}, "sv")
    >>> b[0]["ident"]
    {'asset': 'published/responders', 'sha256': '0123456789ab', 'file': 'tables/responders.csv'}
    """
    out = []
    for b in blocks:
        src = b.get("source")
        if b["type"] in ("table", "figure") and src:
            file = output_file(src, lang)
            sha = outputs.get(file, "")
            b = {**b, "ident": {"asset": output_key(src), "sha256": sha[:12], "file": file}}
            drawn = FIGURE_TABLES.get(src, ()) + tuple(b.get("also", ()))
            if drawn:
                b["drawn_from"] = [output_key(t) for t in drawn]
        out.append(b)
    return out


def output_index(doc: dict) -> list[dict]:
    """The numbered tables and figures of one report with their asset, file and sha256: what
    the ``evaluation_report`` asset shows in the UI, so a number in the report leads to the
    asset that made it."""
    L = catalogue()[doc["meta"]["lang"]]
    rows = []
    for b in doc["blocks"]:
        if b["type"] in ("table", "figure") and b.get("ident"):
            kind = L["table"] if b["type"] == "table" else L["figure"]
            title = b["table"].caption if b["type"] == "table" else b["title"]
            rows.append({"kind": b["type"], "number": f"{kind} {b['number']}", "caption": title, **b["ident"]})
    return rows


def index_markdown(rows: list[dict]) -> str:
    """:func:`output_index` as a Markdown table (the ``evaluation_report`` asset's metadata).

    >>> print(index_markdown([{"kind": "table", "number": "Tabell 1", "caption": "Flöde | n",
    ...                        "asset": "published/participant_flow", "sha256": "0123456789ab",
    ...                        "file": "tables/participant_flow.csv"}]))
    | Number | Caption | Asset | File | sha256 |
    |---|---|---|---|---|
    | Tabell 1 | Flöde \\| n | `published/participant_flow` | tables/participant_flow.csv | `0123456789ab` |
    """
    lines = ["| Number | Caption | Asset | File | sha256 |", "|---|---|---|---|---|"]
    for r in rows:
        cap = r["caption"].replace("|", "\\|")
        lines.append(f"| {r['number']} | {cap} | `{r['asset']}` | {r['file']} | `{r['sha256']}` |")
    return "\n".join(lines)


#: longest alternative text (characters): screen readers read it whole
ALT_MAX = 1200


def _value(r, L: Labels, digits: int, pct: bool = False) -> str:
    if bool(r.get("suppressed", False)) or pd.isna(r.get("share" if pct else "estimate")):
        return label("suppressed_short", L.lang)
    return (tables.fmt_pct(r["share"], L.lang) + " %") if pct else tables.fmt_num(r["estimate"], L.lang, digits)


def alt_text(stem: str, published: Mapping[str, pd.DataFrame], L: Labels, title: str,
             primary: tuple[str, ...] | None = None) -> str:
    """The figure's alternative text, written from the published table it draws (issue 17:
    the accessibility law asks for text that conveys what the figure shows): the title,
    then the plotted values in reading order -- per outcome the estimate at each wave,
    per outcome and comparison the effect size, per dimension and wave the share with
    problems -- with withheld values named as such. Other figures get their title and a
    pointer to the table beside them.

    >>> L = tables.Labels("en", {"who5": "WHO-5"}, {"T0": "Baseline", "T1": "Follow-up"})
    >>> t = pd.DataFrame({"outcome": ["who5", "who5"], "wave": ["T0", "T1"], "estimate": [59.2, 67.0],
    ...                   "suppressed": [False, True]})
    >>> alt_text("model_means", {"mixed_model_means": t}, L, "Means")
    'Means. WHO-5: Baseline 59.20, Follow-up suppressed.'
    >>> c = pd.DataFrame({"outcome": ["who5", "who5"], "pre": "T0", "post": "T1", "test": ["paired_t", "wilcoxon"],
    ...                   "estimate": [6.57, 6.0], "suppressed": False})
    >>> alt_text("change_over_waves", {"prepost_tests": c}, L, "Change")
    'Change. WHO-5: → Follow-up 6.57.'
    """
    parts: list[str] = []
    spec = next((f for f in registry.FIGURES if f.name == stem), None)
    t = published.get(spec.tables[0]) if spec else None
    if t is not None and len(t):
        if stem == "change_over_waves" and {"outcome", "pre", "post", "test", "estimate"} <= set(t.columns):
            t = t[t["test"] == "paired_t"]
            if primary is not None:
                t = t[t["outcome"].isin(primary)]
            for o, g in t.groupby("outcome", sort=False):
                d = L.digits(o)
                parts.append(f"{L.outcome(o)}: " + ", ".join(f"{L.comparison_short(r['pre'], r['post'])} "
                                                              f"{_value(r, L, d)}" for r in g.to_dict("records")))
        elif stem == "model_means" and {"outcome", "wave", "estimate"} <= set(t.columns):
            if "population" in t.columns:       # the figure draws the recurring participants
                t = t[t["population"] == "recurring"]
            if primary is not None:             # ... and the primary outcomes
                t = t[t["outcome"].isin(primary)]
            for o, g in t.groupby("outcome", sort=False):
                d = L.digits(o)
                parts.append(f"{L.outcome(o)}: " + ", ".join(f"{L.wave(r['wave'])} {_value(r, L, d)}"
                                                              for r in g.to_dict("records")))
        elif stem == "effect_sizes_forest" and {"outcome", "estimate", "effect_size_type"} <= set(t.columns):
            g = t[t["effect_size_type"] == "hedges_g_av"]
            for r in g.to_dict("records"):
                parts.append(f"{L.outcome(r['outcome'])} {L.comparison_short(r['pre'], r['post'])}: "
                             f"g = {_value(r, L, 2)}")
        elif stem == "eq5d_problems" and {"dimension", "wave", "share"} <= set(t.columns):
            for dim, g in t.groupby("dimension", sort=False):
                parts.append(f"{label(dim, L.lang)}: " + ", ".join(f"{L.wave(r['wave'])} {_value(r, L, 0, pct=True)}"
                                                                    for r in g.to_dict("records")))
    text = ". ".join([title, *parts]) + "."
    if not parts:
        text = f"{title}. {label('alt_see_table', L.lang)}"
    return text if len(text) <= ALT_MAX else text[:ALT_MAX - 1].rsplit(" ", 1)[0] + " …"


def build_document(config: StudyConfig, L: Labels, published: dict[str, pd.DataFrame],
                   attrition: pd.DataFrame | None, figure_files: dict[str, str], prov: dict,
                   other_languages: list[tuple[str, str]], outputs: Mapping[str, str] | None = None) -> dict:
    """Assemble the report for one language.

    Parameters
    ----------
    config : StudyConfig
    L : Labels
        Labels of the language.
    published : dict of DataFrame
        The published (disclosure-controlled) tables by name.
    attrition : DataFrame or None
        Baseline SMDs of completers vs drop-outs (no counts are read from it).
    figure_files : dict
        Figure stem → PNG path relative to the report.
    prov : dict
        :func:`publishing.manifest.provenance`.
    other_languages : list of (label, href)
    outputs : mapping, optional
        File path (relative to the year folder) → sha256 of the published tables and
        figures; with it every table and figure caption carries its identifier
        (:func:`identify`).

    Returns
    -------
    dict
        ``{"meta": ..., "blocks": [...]}`` (see the module docstring).
    """
    lang = L.lang
    ci = config.analysis.ci_level
    k = config.publishing.k_min_cell
    blocks: list[dict] = []
    n_fig = n_tab = 0

    def h2(key):
        blocks.append({"type": "h2", "text": label(key, lang), "id": key})

    def h3(text):
        blocks.append({"type": "h3", "text": text})

    def fig(stem):
        nonlocal n_fig
        if stem not in figure_files:
            # a figure that could not be made is stated, not silently left out (issue 14)
            if stem == "dose_response" and config.attendance is None:
                blocks.append({"type": "p", "text": f"{label(f'{_FIG_KEYS[stem]}_title', lang)}: "
                                                    f"{not_estimable_text('no_attendance', lang)}."})
            return
        n_fig += 1
        key = _FIG_KEYS[stem]
        title = label(f"{key}_title", lang)
        blocks.append({"type": "figure", "src": figure_files[stem], "number": n_fig, "source": f"figure_{stem}",
                       "title": title, "alt": alt_text(stem, P, L, title, tuple(config.analysis.primary_outcomes)),
                       "caption": label(f"{key}_caption", lang, ci=ci, k=k) + " " + label("fig_withheld_note", lang, k=k)})

    def tab(t: DisplayTable | None, source: str | None = None, also: tuple[str, ...] = ()):
        nonlocal n_tab
        if t is None or t.data.empty:
            return
        n_tab += 1
        blocks.append({"type": "table", "table": t, "number": n_tab, **({"source": source} if source else {}),
                       **({"also": also} if also else {})})

    P = published
    has = lambda name: name in P and not P[name].empty  # noqa: E731
    h2("summary")
    blocks += narrative.summary(P.get("prepost_tests"), P.get("participant_flow"), config, L, attrition)
    h2("background")
    blocks += texts.section_blocks(config, "background", lang)
    h3(label("evaluation_questions_heading", lang))
    blocks += texts.evaluation_questions(config, lang, L.outcome)
    h2("methods")
    blocks += narrative.methods(config, L)
    h2("results")
    if has("programme_reach"):
        h3(label("reach_heading", lang))
        blocks += narrative.reach(P["programme_reach"], L, config)
        tab(tables.display_reach(P["programme_reach"], L), "programme_reach")
    h3(label("fig_flow_title", lang))
    fig("participant_flow")
    if has("participant_flow"):
        tab(tables.display_flow(P["participant_flow"], L), "participant_flow")
    if has("table1"):
        h3(label("table1_heading", lang))
        tab(tables.display_table1(P["table1"], L, "recurring", P.get("collected_categories")), "table1",
            ("collected_categories",) if has("collected_categories") else ())
        tab(tables.display_table1(P["table1"], L, "all", P.get("collected_categories")), "table1",
            ("collected_categories",) if has("collected_categories") else ())
    h3(label("fig_change_title", lang))
    fig("change_over_waves")
    if has("prepost_tests"):
        tab(tables.display_prepost(P["prepost_tests"], L), "prepost_tests")
    fig("distributions")
    if has("sensitivity_estimates"):
        h3(label("sensitivity_heading", lang))
        tab(tables.display_sensitivity(P["sensitivity_estimates"], L), "sensitivity_estimates")
    h3(label("fig_model_means_title", lang))
    fig("model_means")
    if has("mixed_model_terms"):
        tab(tables.display_mixed(P["mixed_model_terms"], L), "mixed_model_terms")
    h3(label("fig_forest_title", lang))
    fig("effect_sizes_forest")
    if has("effect_sizes"):
        tab(tables.display_effect_sizes(P["effect_sizes"], L), "effect_sizes")
    h3(label("fig_hl_levels_title", lang))
    fig("health_literacy_levels")
    if has("categorical_change"):
        tab(tables.display_categorical(P["categorical_change"], L), "categorical_change")
    h3("EQ-5D-5L")
    fig("eq5d_profile")
    if has("eq5d_profile"):
        tab(tables.display_full_health(P["eq5d_profile"], L), "eq5d_profile")
    fig("eq5d_problems")
    fig("eq5d_pchc")
    if has("eq5d_auc"):
        h3(label("auc_heading", lang))
        tab(tables.display_auc(P["eq5d_auc"], L), "eq5d_auc")
    h3(label("fig_responders_title", lang))
    fig("responders")
    if has("responders"):
        tab(tables.display_responders(P["responders"], L), "responders")
    if has("subgroup_estimates"):
        h3(label("subgroups_heading", lang))
        tab(tables.display_subgroups(P["subgroup_estimates"], L, config.analysis.min_subgroup_pairs), "subgroup_estimates")
    h3(label("fig_dose_title", lang))
    fig("dose_response")
    if has("reliability"):
        h3(label("reliability_heading", lang))
        names = {i: instruments.spec(i).name[lang] for i in dict.fromkeys(P["reliability"]["instrument"])}
        tab(tables.display_reliability(P["reliability"], L, names), "reliability")
    # the partner survey: its own section (publishing/partnership_report.py)
    part, n_fig, n_tab = partnership_report.number_blocks(
        partnership_report.section(config, L, P, figure_files), n_fig, n_tab)
    blocks += part
    h2("discussion")
    blocks += texts.section_blocks(config, "discussion", lang)
    h2("limitations")
    if has("participant_flow"):
        blocks += narrative.limitations(P["participant_flow"], attrition, config, L)
    if has("attrition"):
        tab(tables.display_attrition(P["attrition"], L), "attrition")
    h2("conclusions")
    blocks += texts.section_blocks(config, "conclusions", lang)
    h2("references")
    blocks.append({"type": "p", "text": label("generated_references_intro", lang)})
    blocks.append({"type": "list", "items": narrative.references(config, lang), "citations": True})
    if config.report.texts.get("references", {}).get(cast(Lang, lang)):
        h3(label("researchers_references", lang))
        blocks += [{**b, "citations": True} for b in texts.section_blocks(config, "references", lang)]
    h2("appendix")
    blocks.append({"type": "p", "text": label("appendix_intro", lang)})
    suffix = ".html" if lang == "sv" else f".{lang}.html"
    blocks.append({"type": "p", "text": label("codebook_intro", lang)})
    blocks.append({"type": "list", "items": [f"{getattr(w.label, lang)}: codebook/codebook_{w.id}{suffix}"
                                             for w in config.waves]})
    for t in _provenance_tables(prov, lang):
        tab(t)
    if LINEAGE in figure_files:
        of = next((b["number"] for b in blocks if b.get("source") == f"figure_{LINEAGE_FIGURE}"), None)
        n_fig += 1
        blocks.append({"type": "figure", "src": figure_files[LINEAGE], "number": n_fig,
                       "title": label("fig_lineage_title", lang),
                       "caption": label("fig_lineage_caption", lang, figure=of if of is not None else "–")})
    meta = {
        "lang": lang,
        "title": label("report_title", lang),
        "subtitle": label("report_subtitle", lang, year=config.study.evaluation_year),
        "study_name": config.study.name if lang == "sv" else (config.study.name_en or config.study.name),
        "synthetic": "syntetisk" in config.study.name.lower()
                     or "synthetic" in (config.study.name_en or "").lower(),
        "year": config.study.evaluation_year,
        "other_languages": other_languages,
        "front": texts.front_matter(config, lang),
    }
    if outputs is not None:
        blocks = identify(blocks, outputs, lang)
    return {"meta": meta, "blocks": blocks}


def html_table(t: DisplayTable | pd.DataFrame, caption: str | None = None, numeric: tuple[str, ...] = (),
               number: int | None = None, lang: str = "sv", ident: dict | None = None,
               drawn_from: list[str] | None = None) -> str:
    """A display table as accessible HTML (APA: number and caption above with the table's
    identifier, note below)."""
    if isinstance(t, pd.DataFrame):
        t = DisplayTable(t, caption or "", numeric=list(numeric))
    return _ENV.get_template("table.html.j2").render(t=t, number=number, L=catalogue()[lang], ident=ident,
                                                     drawn_from=drawn_from or [],
                                                     rows=list(t.data.itertuples(index=False)),
                                                     cols=list(t.data.columns))


def render_html(doc: dict) -> str:
    """Fill ``templates/report.html.j2`` with a document from :func:`build_document`."""
    meta = doc["meta"]
    blocks = []
    for b in doc["blocks"]:
        if b["type"] == "table":
            b = {**b, "html": html_table(b["table"], number=b["number"], lang=meta["lang"], ident=b.get("ident"),
                                      drawn_from=b.get("drawn_from"))}
        blocks.append(b)
    toc = [b for b in doc["blocks"] if b["type"] == "h2"]
    return _ENV.get_template("report.html.j2").render(meta=meta, blocks=blocks, toc=toc,
                                                      L=catalogue()[meta["lang"]])
