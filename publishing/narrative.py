"""Report text generated from the configuration and the *published* tables (sv/en).

No sentence here states a number that is not read from a published table or the
configuration, so the text can never drift from the analysis, and no number can escape
disclosure control.
"""

from __future__ import annotations

import pandas as pd

import instruments
from publishing.labels import label, not_estimable_text, note_text
from publishing.tables import Labels, fmt_ci, fmt_int, fmt_n, fmt_num, fmt_p_expr, fmt_pct, visits_text
from studyconfig.config import StudyConfig
from survey.study import recurring_flag

_DEF = {
    "sv": {
        "present_at_both": "besvarade enkäten vid både baslinje och uppföljning",
        "attendance": ("besvarade enkäten vid både baslinje och uppföljning och gjorde i genomsnitt "
                       "mer än {visits} per vecka mellan mättillfällena (närvaroregistret)"),
    },
    "en": {
        "present_at_both": "answered the survey at both baseline and follow-up",
        "attendance": ("answered the survey at both baseline and follow-up and made on average "
                       "more than {visits} per week between the waves (attendance register)"),
    },
}
_ADJ = {"holm": "Holm", "fdr_bh": "Benjamini–Hochberg (FDR)", "bonferroni": "Bonferroni", "none": "–"}


def definition_text(config: StudyConfig, lang: str) -> str:
    """The configured recurring-participant definition in words."""
    return _DEF[lang][config.recurring.definition].format(visits=visits_text(config.recurring.min_visits_per_week,
                                                                             lang))


def citations(config: StudyConfig, lang: str) -> list[str]:
    """One entry per instrument used in any wave: name, citation, DOI and rule status."""
    used = list(dict.fromkeys(i for w in config.waves for i in w.instruments))
    out = []
    for inst in used:
        s = instruments.spec(inst)
        if not s.doi and s.status == "open":   # the study's own scale: its file, not a publication
            out.append(f"{s.name[lang]} (version {s.version}): " + ("studiespecifik skala, inget publicerat "
                       "instrument [regelstatus: öppen]" if lang == "sv" else
                       "study-specific scale, not a published instrument [rule status: open]"))
            continue
        doi = f" doi:{s.doi}." if s.doi else ""
        status = {"verified": "verifierad", "recalled": "ur minnet, ej verifierad",
                  "open": "öppen"}.get(s.status, s.status) if lang == "sv" else s.status
        out.append(f"{s.name[lang]} (version {s.version}): {s.citation.rstrip('.')}.{doi} "
                   f"[{'regelstatus' if lang == 'sv' else 'rule status'}: {status}]")
    return out


def family_text(config: StudyConfig, L: Labels) -> str:
    """The multiplicity family as it was adjusted (``analysis.p_adjust`` over
    ``analysis.p_adjust_family``), in words.

    Examples
    --------
    >>> from studyconfig.config import load_config
    >>> from publishing.study_labels import study_labels
    >>> c = load_config("data/example/study.yaml")
    >>> family_text(c, study_labels(c, "en"))  # doctest: +ELLIPSIS
    'Within each comparison, the ... primary outcomes (...) form one family: their p-values were adjusted with the Holm method over ... tests per comparison (for the t-test and the Wilcoxon test separately).'
    """
    a, lang = config.analysis, L.lang
    primary = ", ".join(L.outcome(o) for o in a.primary_outcomes)
    n, m = len(a.primary_outcomes), max(len(a.comparisons), 1)
    if a.p_adjust == "none":
        return (f"De primära utfallsmåttens ({primary}) p-värden justerades inte för multipla jämförelser."
                if lang == "sv" else
                f"The p-values of the primary outcomes ({primary}) were not adjusted for multiple comparisons.")
    method = _ADJ[a.p_adjust]
    if a.p_adjust_family == "all_comparisons":
        return (f"De {n} primära utfallsmåtten ({primary}) vid alla {m} jämförelser utgör en familj: deras "
                f"p-värden justerades med {method}s metod över {n * m} test (för t-testet och Wilcoxons test var "
                "för sig)." if lang == "sv" else
                f"The {n} primary outcomes ({primary}) at all {m} comparisons form one family: their p-values were "
                f"adjusted with the {method} method over {n * m} tests (for the t-test and the Wilcoxon test "
                "separately).")
    return (f"Inom varje jämförelse utgör de {n} primära utfallsmåtten ({primary}) en familj: deras p-värden "
            f"justerades med {method}s metod över {n} test per jämförelse (för t-testet och Wilcoxons test var för "
            "sig)." if lang == "sv" else
            f"Within each comparison, the {n} primary outcomes ({primary}) form one family: their p-values were "
            f"adjusted with the {method} method over {n} tests per comparison (for the t-test and the Wilcoxon "
            "test separately).")


def methods(config: StudyConfig, L: Labels) -> list[dict]:
    """Methods as report blocks (paragraphs and the instrument list), from the configuration."""
    lang = L.lang
    a = config.analysis
    waves = "; ".join(f"{getattr(w.label, lang)} ({w.date.isoformat()})" for w in config.waves)
    definition = definition_text(config, lang)
    vs = instruments.value_sets().set_index("id")
    value_set = a.eq5d_value_set
    name_col = "name_sv" if lang == "sv" else "name"
    vs_text = (f"{vs.loc[value_set, name_col] or vs.loc[value_set, 'name']} (doi:{vs.loc[value_set, 'doi']})"
               if value_set in vs.index else value_set)
    secondary = ", ".join(L.outcome(o) for o in a.secondary_outcomes)
    k = config.publishing.k_min_cell
    ci = f"{a.ci_level:.0%}".replace("%", "\u00a0%") if lang == "sv" else f"{a.ci_level:.0%}"
    p = lambda text: {"type": "p", "text": text}  # noqa: E731
    if lang == "sv":
        return [
            p(f"Enkäten besvarades vid {len(config.waves)} mättillfällen: {waves}. Deltagarna identifieras "
              "endast med en studiekod (pseudonym); kodnyckeln förvaras av Malmö universitet utanför analysen."),
            {"type": "h3", "text": label("instruments_heading", lang)},
            p("Följande instrument ingick. Skalpoäng beräknades enligt respektive manuals regler, inklusive "
              "reglerna för saknade svar; en skalpoäng saknas när färre frågor än manualens minimum besvarats."),
            {"type": "list", "items": citations(config, lang), "citations": True},
            p(f"EQ-5D-5L-index beräknades med värderingssetet {vs_text}."),
            {"type": "h3", "text": "Återkommande deltagare och analys"},
            p(f"Återkommande deltagare definierades som personer som {definition}. Båda definitionerna "
              "(svar vid båda tillfällena respektive närvaro enligt närvaroregistret) redovisas i deltagarflödet."),
            p("Förändring mellan mättillfällen analyserades parvis (efter − före) bland återkommande deltagare med svar "
              f"vid båda tillfällena: t-test för beroende mätningar (medelförändring med {ci} konfidensintervall) "
              "och Wilcoxons teckenrangtest. Effektstorlekar: Cohens d för parade data, Hedges g med medel-SD och rangbiseriell "
              "korrelation. Dikotoma utfall analyserades med McNemars test och ordnade nivåer med Stuart–Maxwells "
              "test. Andelen förbättrade och försämrade räknades med instrumentens minsta viktiga skillnad (MID)."),
            p(family_text(config, L) + " Sekundära utfall " + (f"({secondary}) " if secondary else "")
              + "redovisas utan justering och tolkas beskrivande. Konfidensintervallen är inte justerade för "
              "multipla jämförelser. Wilcoxons test beräknades som i R (wilcox.test): exakt p-värde när färre än "
              "50 par förändrats och inga två förändringar är lika, annars normalapproximation med "
              "kontinuitetskorrektion; SPSS och PSPP anger det asymptotiska p-värdet utan korrektion, som kan "
              "skilja sig i tredje decimalen."),
            p("Saknade svar: de parvisa analyserna använder deltagare med giltiga värden vid båda tillfällena "
              "(kompletta par). Alla mättillfällen modellerades dessutom med en linjär blandad modell "
              "(slumpmässigt intercept per deltagare, REML, Satterthwaite-frihetsgrader) som använder alla "
              "observerade svar och är giltig om bortfallet beror på observerade värden; som känslighetsanalys "
              f"användes multipel imputation (kedjade ekvationer, {a.imputations} imputerade datamängder, "
              f"fast slumpfrö {a.seed})."),
            p(f"Röjandekontroll: tabeller och figurer visar inte grupper med färre än {k} personer; sådana celler "
              "är undertryckta (<" f"{k}) eller sammanslagna, och ytterligare celler är undertryckta så att de inte "
              "kan räknas fram ur summor."),
        ]
    return [
        p(f"The survey was answered at {len(config.waves)} waves: {waves}. Participants are identified only by a "
          "study code (pseudonym); the key is kept by Malmö University outside the analysis."),
        {"type": "h3", "text": label("instruments_heading", lang)},
        p("The following instruments were used. Scale scores follow each manual's rules, including its "
          "missing-data rules; a score is missing when fewer items than the manual's minimum were answered."),
        {"type": "list", "items": citations(config, lang), "citations": True},
        p(f"The EQ-5D-5L index uses the value set {vs_text}."),
        {"type": "h3", "text": "Recurring participants and analysis"},
        p(f"Recurring participants were defined as persons who {definition}. Both definitions (answered both "
          "waves; attendance by the register) are reported in the participant flow."),
        p("Change between waves was analysed pairwise (post − pre) among recurring participants with answers at both "
          f"waves: paired t-test (mean change with {ci} confidence interval) and Wilcoxon signed-rank test. "
          "Effect sizes: Cohen's d for paired data, Hedges' g with average SD and the rank-biserial correlation. Binary outcomes were "
          "analysed with McNemar's test and ordered levels with the Stuart–Maxwell test. The shares improved and "
          "worsened use each instrument's minimal important difference (MID)."),
        p(family_text(config, L) + " Secondary outcomes " + (f"({secondary}) " if secondary else "")
          + "are reported unadjusted and read descriptively. The confidence intervals are not adjusted for "
          "multiple comparisons. The Wilcoxon test was computed as in R (wilcox.test): an exact p-value when "
          "fewer than 50 pairs changed and no two changes were tied, else the normal approximation with continuity "
          "correction; SPSS and PSPP report the asymptotic p-value without correction, which can differ in the "
          "third decimal."),
        p("Missing data: the paired analyses use participants with valid values at both waves (complete pairs). "
          "All waves were also modelled with a linear mixed model (random intercept per participant, REML, "
          "Satterthwaite degrees of freedom), which uses every observed answer and is valid if drop-out depends "
          f"on observed values; multiple imputation (chained equations, {a.imputations} imputed data sets, "
          f"fixed seed {a.seed}) was a sensitivity analysis."),
        p(f"Disclosure control: tables and figures do not show groups of fewer than {k} persons; such cells are "
          f"suppressed (<{k}) or merged, and further cells are suppressed so that they cannot be recovered from "
          "totals."),
    ]


def _flow_n(flow: pd.DataFrame, pre, post, stage, definition, wave=None) -> tuple[float, str | None]:
    """One count of the published flow and its suppression reason (``None`` if shown)."""
    g = flow[(flow["pre"] == pre) & (flow["post"] == post) & (flow["stage"] == stage)
             & (flow["definition"] == definition) & flow["outcome"].isna()]
    if wave is not None:
        g = g[g["wave"] == wave]
    if not len(g):
        return float("nan"), "missing"
    r = g.iloc[0]
    reason = r.get("suppression") if bool(r.get("suppressed", False)) else None
    return r["n"], (reason or None) if pd.isna(r["n"]) else None


def count_text(n, reason: str | None, k: int, lang: str) -> str:
    """A published count in running text: the number, "fewer than k" only when the count
    was withheld because it is itself small (primary), and "a number not shown" when it
    was withheld to protect another count (it may be large).

    Examples
    --------
    >>> count_text(21, None, 5, "en"), count_text(float("nan"), "primary", 5, "en")
    ('21', 'fewer than 5')
    >>> count_text(float("nan"), "secondary", 5, "sv")
    'ett antal som inte redovisas'
    """
    if reason is None and not pd.isna(n):
        return fmt_n(n, k, lang)
    if reason == "primary":
        return label("fewer_than_k", lang, k=k)
    return label("not_shown_count", lang)


#: baseline imbalance between completers and drop-outs worth a sentence in the summary
#: (|SMD| of at least 0.2, Cohen's "small"; the largest is also in Limitations)
SUMMARY_SMD = 0.2


def _largest_smd(attrition: pd.DataFrame | None, pre, post) -> pd.Series | None:
    """The row of the largest absolute baseline SMD (completers vs drop-outs) of one comparison."""
    if attrition is None or not len(attrition) or "smd" not in attrition:
        return None
    a = attrition[(attrition["pre"] == pre) & (attrition["post"] == post)].dropna(subset=["smd"])
    return a.loc[a["smd"].abs().idxmax()] if len(a) else None


def _smd_variable(row: pd.Series, L: Labels) -> str:
    lvl = f" ({row['level']})" if isinstance(row.get("level"), str) and row["level"] else ""
    return f"{L.outcome(row['variable'])}{lvl}"


def mid_phrase(estimate: float, mid: float | None, lang: str, digits: int) -> str:
    """", smaller than the minimal important difference (10)" and the like; empty
    without a MID.

    Examples
    --------
    >>> mid_phrase(6.6, 10.0, "en", 1)
    ', smaller than the minimal important difference (10.0)'
    >>> mid_phrase(-0.08, 0.05, "sv", 3)
    ', minst lika stor som den minsta viktiga skillnaden (0,050)'
    """
    if mid is None or pd.isna(mid) or pd.isna(estimate):
        return ""
    key = "summary_mid_reached" if abs(estimate) >= mid else "summary_mid_below"
    return ", " + label(key, lang, mid=fmt_num(mid, lang, digits))


def _period_bound(period: str, end: bool, lang: str) -> str:
    year, _, half = str(period).partition("-H")
    if half not in ("1", "2"):
        return year
    return label(f"reach_{'to' if end else 'from'}_{half}", lang, year=year)


def reach(table: pd.DataFrame, L: Labels, config: StudyConfig) -> list[dict]:
    """One paragraph on the programme's reach from the published reach table's grand total
    (nothing when that count is withheld)."""
    total = table[(table["period"] == "all") & (table["workshop"] == "all")]
    if not len(total) or pd.isna(total["n"].iloc[0]):
        return []
    r = total.iloc[0]
    periods = sorted(p for p in table["period"].astype(str).unique() if p != "all")
    workshops = table.loc[table["workshop"] != "all", "workshop"].nunique()
    values = dict(first=_period_bound(periods[0], False, L.lang), last=_period_bound(periods[-1], True, L.lang),
                  n=fmt_n(r["n"], L.k, L.lang), sessions=fmt_int(r["sessions"], L.lang), workshops=int(workshops))
    key = "reach_text_withheld" if pd.isna(r.get("visits")) else "reach_text"
    if key == "reach_text":
        values["visits"] = fmt_int(r["visits"], L.lang)
    return [{"type": "p", "text": label(key, L.lang, **values)}]


def summary(tests: pd.DataFrame, flow: pd.DataFrame, config: StudyConfig, L: Labels,
            attrition: pd.DataFrame | None = None) -> list[dict]:
    """An opening sentence from the flow, then one sentence per primary outcome and
    comparison, read from the published test table, each set against the outcome's minimal
    important difference (:func:`survey.study.default_mids`); then a sentence on
    selective attrition when the largest baseline SMD between completers and drop-outs is
    at least :data:`SUMMARY_SMD`, and how to read the results (MID, unadjusted CIs). An
    outcome whose change could not be estimated gets its "not estimable: <reason>" note
    instead; a study without any comparison (one wave) gets one sentence saying so."""
    from survey.study import default_mids

    lang, k = L.lang, L.k
    comps = [tuple(c) for c in config.analysis.comparisons]
    if not comps or tests is None or not len(tests) or flow is None or not len(flow):
        # one wave, or no comparison configured: nothing to compare, and the report says so
        return [{"type": "p", "text": not_estimable_text("no_comparison", lang).capitalize() + "."}]
    flag = recurring_flag(config.recurring.definition)
    pre0, post0 = comps[0]
    intro = label("summary_intro", lang,
                  n_rec=" / ".join(count_text(*_flow_n(flow, a, b, "analysed", flag), k, lang) for a, b in comps),
                  n_base=count_text(*_flow_n(flow, pre0, post0, "assessed", "all", pre0), k, lang),
                  definition=label("def_" + flag, lang, visits=L.visits),
                  comparisons=" / ".join(L.comparison(a, b) for a, b in comps))
    t = tests[(tests["test"] == "paired_t") & tests["outcome"].isin(config.analysis.primary_outcomes)]
    m = default_mids(config, list(config.analysis.primary_outcomes))
    mids = dict(zip(m["outcome"], m["mid"]))
    blocks: list[dict] = [{"type": "p", "text": intro}]
    for (pre, post), g in t.groupby(["pre", "post"], sort=False):
        items = []
        for r in g.itertuples():
            name = L.outcome(r.outcome)
            if bool(getattr(r, "suppressed", False)):
                why = "summary_withheld" if getattr(r, "suppression", "") == "secondary" else "summary_too_few"
                items.append(f"{name}: {label(why, lang)}")
                continue
            why = note_text(getattr(r, "note", None), lang)
            if pd.isna(r.estimate) or pd.isna(r.ci_low):  # not estimable: say why, with n
                items.append(f"{name}: {why or label('summary_too_few', lang)}"
                             + (f" (n = {fmt_n(r.n, k, lang)})." if why else ""))
                continue
            d = L.digits(r.outcome)
            key = "summary_change_unadj" if pd.isna(r.p_adj) else "summary_change"
            text = label(key, lang, est=fmt_num(r.estimate, lang, d), ci_label=label("ci", lang, ci=r.ci_level),
                         ci=fmt_ci(r.ci_low, r.ci_high, lang, d), n=int(r.n),
                         p=fmt_p_expr(r.p_value if pd.isna(r.p_adj) else r.p_adj, lang))
            mid = mids.get(r.outcome)
            if mid is not None:   # "(…; p = .05), smaller than the minimal important difference (10)."
                text = text.rstrip(".") + mid_phrase(r.estimate, mid, lang, d) + "."
            items.append(f"{name}: {text}")
        blocks += [{"type": "p", "text": f"{L.comparison(pre, post)}:"}, {"type": "list", "items": items}]
    smd = [(abs(row["smd"]), row) for a, b in comps if (row := _largest_smd(attrition, a, b)) is not None]
    if smd:
        size, row = max(smd, key=lambda x: x[0])
        if size >= SUMMARY_SMD:
            blocks.append({"type": "p", "text": label("summary_attrition", lang, smd=fmt_num(size, lang, 2),
                                                      variable=_smd_variable(row, L))})
    if mids:
        blocks.append({"type": "p", "text": label("summary_reading", lang)})
    unverified = unverified_primary(config, L)
    if unverified:
        blocks.append({"type": "p", "text": label("summary_unverified", lang, outcomes=", ".join(unverified))})
    return blocks


def unverified_primary(config: StudyConfig, L: Labels) -> list[str]:
    """Labels of the primary outcomes whose instrument's scoring rule is not verified
    against its manual (status ``recalled`` or ``open``): the summary calls their results
    provisional."""
    from survey.study import outcome_table

    t = outcome_table()
    inst = dict(zip(t["column"], t["instrument"]))
    out = []
    for o in config.analysis.primary_outcomes:
        try:
            status = instruments.spec(inst[o]).status if o in inst else "verified"
        except instruments.InstrumentError:
            continue
        if status != "verified":
            out.append(L.outcome(o))
    return out


def limitations(flow: pd.DataFrame, attrition: pd.DataFrame | None, config: StudyConfig, L: Labels) -> list[dict]:
    """Limitations with the numbers from the published flow and the attrition SMDs."""
    lang, k = L.lang, L.k
    comps = [tuple(c) for c in config.analysis.comparisons]
    flag = recurring_flag(config.recurring.definition)
    parts = []
    for pre, post in comps:
        (base, base_r), (lost, lost_r) = (_flow_n(flow, pre, post, "assessed", "all", pre),
                                          _flow_n(flow, pre, post, "lost_to_follow_up", "all"))
        rec, rec_r = _flow_n(flow, pre, post, "analysed", flag)
        share = fmt_pct(lost / base, lang) if not (pd.isna(lost) or pd.isna(base) or base == 0) else "–"
        smd_txt = ""
        top = _largest_smd(attrition, pre, post)
        if top is not None:
            var = _smd_variable(top, L)
            smd_txt = (f" Största standardiserade skillnaden vid baslinjen mellan de som svarade vid uppföljningen "
                       f"och bortfallet: {var}, SMD = {fmt_num(top['smd'], lang)}."
                       if lang == "sv" else
                       f" The largest standardised baseline difference between completers and drop-outs: "
                       f"{var}, SMD = {fmt_num(top['smd'], lang)}.")
        b_txt, l_txt, r_txt = (count_text(base, base_r, k, lang), count_text(lost, lost_r, k, lang),
                               count_text(rec, rec_r, k, lang))
        share_txt = "" if share == "–" else (f" ({share}\u00a0%)" if lang == "sv" else f" ({share}%)")
        if lang == "sv":
            parts.append(f"{L.comparison(pre, post)}: av {b_txt} som besvarade baslinjen besvarade "
                         f"{l_txt}{share_txt} inte uppföljningen, och {r_txt} "
                         f"räknades som återkommande deltagare.{smd_txt}")
        else:
            parts.append(f"{L.comparison(pre, post)}: of {b_txt} who answered at baseline, "
                         f"{l_txt}{share_txt} did not answer the follow-up, and "
                         f"{r_txt} counted as recurring participants.{smd_txt}")
    if lang == "sv":
        intro = ("Bortfallet mellan mättillfällena är betydande och kan hänga samman med hälsan vid baslinjen; "
                 "de parvisa jämförelserna gäller dem som svarade vid båda tillfällena. Den blandade modellen "
                 "använder alla observerade svar och är giltig om bortfallet beror på observerade tidigare värden.")
        rest = [
            "Gruppen återkommande deltagare är liten, vilket ger breda konfidensintervall (se tabellerna). Utan "
            "kontrollgrupp kan förändringar inte med säkerhet tillskrivas programmet; regression mot medelvärdet "
            "och säsongsvariation kan bidra.",
            "Mätinvarians mellan språkversionerna av enkäten är inte fastställd för denna population.",
        ]
    else:
        intro = ("Attrition between waves is substantial and may depend on baseline health; the paired comparisons "
                 "describe those who answered at both waves. The mixed model uses every observed answer and is valid "
                 "if drop-out depends on observed earlier values.")
        rest = [
            "The group of recurring participants is small, so confidence intervals are wide (see the tables). "
            "Without a control group, changes cannot be attributed to the programme with certainty; regression to "
            "the mean and seasonal variation may contribute.",
            "Measurement invariance across the questionnaire's language versions is not established for this "
            "population.",
        ]
    return [{"type": "p", "text": intro}, {"type": "list", "items": parts}, *[{"type": "p", "text": t} for t in rest]]


#: methods the report cites, each with the condition under which it is used (the
#: references list names only what this study's configuration actually ran)
METHOD_REFERENCES = (
    ("holm", "Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat 1979;6(2):65–70."),
    ("fdr_bh", "Benjamini Y, Hochberg Y. Controlling the false discovery rate: a practical and powerful approach "
               "to multiple testing. J R Stat Soc B 1995;57(1):289–300. doi:10.1111/j.2517-6161.1995.tb02031.x."),
    ("always", "Lakens D. Calculating and reporting effect sizes to facilitate cumulative science: a practical "
               "primer for t-tests and ANOVAs. Front Psychol 2013;4:863. doi:10.3389/fpsyg.2013.00863."),
    ("always", "Kuznetsova A, Brockhoff PB, Christensen RHB. lmerTest package: tests in linear mixed effects "
               "models. J Stat Softw 2017;82(13):1–26. doi:10.18637/jss.v082.i13."),
    ("always", "van Buuren S, Groothuis-Oudshoorn K. mice: multivariate imputation by chained equations in R. "
               "J Stat Softw 2011;45(3):1–67. doi:10.18637/jss.v045.i03."),
    ("eq5d", "Devlin N, Parkin D, Janssen B. Methods for Analysing and Reporting EQ-5D Data. Cham: Springer; "
             "2020. doi:10.1007/978-3-030-47622-9."),
    ("always", "Des Jarlais DC, Lyles C, Crepaz N; TREND Group. Improving the reporting quality of "
               "nonrandomized evaluations of behavioral and public health interventions: the TREND statement. "
               "Am J Public Health 2004;94(3):361–366. doi:10.2105/AJPH.94.3.361."),
)


def references(config: StudyConfig, lang: str) -> list[str]:
    """The generated reference list: every instrument the study used (waves and partner
    surveys) with its DOI, the EQ-5D value set, and the statistical methods this
    configuration ran (:data:`METHOD_REFERENCES`). The researchers' own references follow
    it in the report (``report.texts.references``).

    Examples
    --------
    >>> from studyconfig.config import load_config
    >>> refs = references(load_config("data/example/study.yaml"), "en")
    >>> any(r.startswith("Topp CW") for r in refs), any(r.startswith("Holm S") for r in refs)
    (True, True)
    """
    used = list(dict.fromkeys([*(i for w in config.waves for i in w.instruments),
                               *(i for p in config.partner_surveys for i in p.instrument_ids)]))
    out: list[str] = []
    for inst in used:
        s = instruments.spec(inst)
        if not s.doi and s.status == "open":
            continue  # a study-specific scale: described under Methods, nothing to cite
        out.append(s.citation.rstrip(".") + "." + (f" doi:{s.doi}." if s.doi and s.doi not in s.citation else ""))
    eq5d = any(i.startswith("eq5d") for i in used)
    vs = instruments.value_sets().set_index("id")
    if eq5d and config.analysis.eq5d_value_set in vs.index:
        v = vs.loc[config.analysis.eq5d_value_set]
        name = v["name_sv"] if lang == "sv" and isinstance(v.get("name_sv"), str) else v["name"]
        prefix = "EQ-5D-5L-värderingsset" if lang == "sv" else "EQ-5D-5L value set"
        out.append(f"{prefix}: {name}." + (f" doi:{v['doi']}." if isinstance(v["doi"], str) and v["doi"] else ""))
    for when, ref in METHOD_REFERENCES:
        if when == "always" or when == config.analysis.p_adjust or (when == "eq5d" and eq5d):
            out.append(ref)
    return list(dict.fromkeys(out))
