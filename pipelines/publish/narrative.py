"""Report text generated from the configuration and the *published* tables (sv/en).

No sentence here states a number that is not read from a published table or the
configuration, so the text can never drift from the analysis, and no number can escape
disclosure control.
"""

from __future__ import annotations

import pandas as pd

import instruments
from pipelines.config import StudyConfig
from pipelines.publish.labels import label, not_estimable_text, note_text
from pipelines.publish.tables import Labels, fmt_ci, fmt_n, fmt_num, fmt_p_expr, fmt_pct
from pipelines.study import recurring_flag

_DEF = {
    "sv": {
        "present_at_both": "besvarade enkäten vid både baslinje och uppföljning",
        "attendance": ("besvarade enkäten vid både baslinje och uppföljning och deltog i genomsnitt "
                       "i mer än {v:g} aktivitet(er) per vecka mellan mättillfällena (närvaroregistret)"),
    },
    "en": {
        "present_at_both": "answered the survey at both baseline and follow-up",
        "attendance": ("answered the survey at both baseline and follow-up and attended on average "
                       "more than {v:g} activity/activities per week between the waves (attendance register)"),
    },
}
_ADJ = {"holm": "Holm", "fdr_bh": "Benjamini–Hochberg (FDR)", "bonferroni": "Bonferroni", "none": "–"}


def definition_text(config: StudyConfig, lang: str) -> str:
    """The configured recurring-participant definition in words."""
    return _DEF[lang][config.recurring.definition].format(v=config.recurring.min_visits_per_week)


def citations(config: StudyConfig, lang: str) -> list[str]:
    """One entry per instrument used in any wave: name, citation, DOI and rule status."""
    used = list(dict.fromkeys(i for w in config.waves for i in w.instruments))
    out = []
    for inst in used:
        s = instruments.spec(inst)
        doi = f" doi:{s.doi}." if s.doi else ""
        status = {"verified": "verifierad", "recalled": "ur minnet, ej verifierad",
                  "open": "öppen"}.get(s.status, s.status) if lang == "sv" else s.status
        out.append(f"{s.name[lang]} (version {s.version}): {s.citation.rstrip('.')}.{doi} "
                   f"[{'regelstatus' if lang == 'sv' else 'rule status'}: {status}]")
    return out


def methods(config: StudyConfig, L: Labels) -> list[dict]:
    """Methods as report blocks (paragraphs and the instrument list), from the configuration."""
    lang = L.lang
    a = config.analysis
    waves = "; ".join(f"{getattr(w.label, lang)} ({w.date.isoformat()})" for w in config.waves)
    definition = definition_text(config, lang)
    vs = instruments.value_sets().set_index("id")
    value_set = a.eq5d_value_set
    vs_text = (f"{vs.loc[value_set, 'name']} (doi:{vs.loc[value_set, 'doi']})" if value_set in vs.index
               else value_set)
    primary = ", ".join(L.outcome(o) for o in a.primary_outcomes)
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
            {"type": "list", "items": citations(config, lang)},
            p(f"EQ-5D-5L-index beräknades med värderingssetet {vs_text}."),
            {"type": "h3", "text": "Återkommande deltagare och analys"},
            p(f"Återkommande deltagare definierades som personer som {definition}. Båda definitionerna "
              "(svar vid båda tillfällena respektive närvaro enligt närvaroregistret) redovisas i deltagarflödet."),
            p("Förändring mellan mättillfällen analyserades parvis (efter − före) bland återkommande deltagare med svar "
              f"vid båda tillfällena: t-test för beroende mätningar (medelförändring med {ci} konfidensintervall) "
              "och Wilcoxons teckenrangtest. Effektstorlekar: Cohens d_z, Hedges g_av och rangbiseriell "
              "korrelation. Dikotoma utfall analyserades med McNemars test och ordnade nivåer med Stuart–Maxwells "
              "test. Andelen förbättrade och försämrade räknades med instrumentens minsta viktiga skillnad (MID)."),
            p(f"De primära utfallsmåtten ({primary}) utgör en familj; deras p-värden justerades med "
              f"{_ADJ[a.p_adjust]}s metod. Sekundära utfall ({secondary}) redovisas utan justering och tolkas "
              "beskrivande."),
            p("Saknade svar: de parvisa analyserna använder deltagare med giltiga värden vid båda tillfällena "
              "(kompletta par). Alla mättillfällen modellerades dessutom med en linjär blandad modell "
              "(slumpmässigt intercept per deltagare, REML, Satterthwaite-frihetsgrader) som använder alla "
              "observerade svar och är giltig om bortfallet beror på observerade värden; som känslighetsanalys "
              f"användes multipel imputation (kedjade ekvationer, fast slumpfrö {a.seed})."),
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
        {"type": "list", "items": citations(config, lang)},
        p(f"The EQ-5D-5L index uses the value set {vs_text}."),
        {"type": "h3", "text": "Recurring participants and analysis"},
        p(f"Recurring participants were defined as persons who {definition}. Both definitions (answered both "
          "waves; attendance by the register) are reported in the participant flow."),
        p("Change between waves was analysed pairwise (post − pre) among recurring participants with answers at both "
          f"waves: paired t-test (mean change with {ci} confidence interval) and Wilcoxon signed-rank test. "
          "Effect sizes: Cohen's d_z, Hedges' g_av and the rank-biserial correlation. Binary outcomes were "
          "analysed with McNemar's test and ordered levels with the Stuart–Maxwell test. The shares improved and "
          "worsened use each instrument's minimal important difference (MID)."),
        p(f"The primary outcomes ({primary}) form one family; their p-values were adjusted with the "
          f"{_ADJ[a.p_adjust]} method. Secondary outcomes ({secondary}) are reported unadjusted and read "
          "descriptively."),
        p("Missing data: the paired analyses use participants with valid values at both waves (complete pairs). "
          "All waves were also modelled with a linear mixed model (random intercept per participant, REML, "
          "Satterthwaite degrees of freedom), which uses every observed answer and is valid if drop-out depends "
          "on observed values; multiple imputation (chained equations, fixed seed "
          f"{a.seed}) was a sensitivity analysis."),
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


def summary(tests: pd.DataFrame, flow: pd.DataFrame, config: StudyConfig, L: Labels) -> list[dict]:
    """An opening sentence from the flow, then one sentence per primary outcome and
    comparison, read from the published test table. An outcome whose change could not be
    estimated gets its "not estimable: <reason>" note instead; a study without any
    comparison (one wave) gets one sentence saying so."""
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
                  definition=label("def_" + flag, lang, v=L.min_visits),
                  comparisons=" / ".join(L.comparison(a, b) for a, b in comps))
    t = tests[(tests["test"] == "paired_t") & tests["outcome"].isin(config.analysis.primary_outcomes)]
    blocks = [{"type": "p", "text": intro}]
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
            items.append(f"{name}: " + label(key, lang, est=fmt_num(r.estimate, lang, d),
                                             ci_label=label("ci", lang, ci=r.ci_level),
                                             ci=fmt_ci(r.ci_low, r.ci_high, lang, d), n=int(r.n),
                                             p=fmt_p_expr(r.p_value if pd.isna(r.p_adj) else r.p_adj, lang)))
        blocks += [{"type": "p", "text": f"{L.comparison(pre, post)}:"}, {"type": "list", "items": items}]
    return blocks


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
        if attrition is not None and len(attrition) and "smd" in attrition:
            a = attrition[(attrition["pre"] == pre) & (attrition["post"] == post)].dropna(subset=["smd"])
            if len(a):
                top = a.loc[a["smd"].abs().idxmax()]
                var = L.outcome(top["variable"])
                lvl = f" ({top['level']})" if isinstance(top["level"], str) and top["level"] else ""
                smd_txt = (f" Största standardiserade skillnaden vid baslinjen mellan de som svarade vid uppföljningen "
                           f"och bortfallet: {var}{lvl}, SMD = {fmt_num(top['smd'], lang)}."
                           if lang == "sv" else
                           f" The largest standardised baseline difference between completers and drop-outs: "
                           f"{var}{lvl}, SMD = {fmt_num(top['smd'], lang)}.")
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
