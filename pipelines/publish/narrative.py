"""Report text generated from the configuration and the result tables (sv/en).

No sentence here states a number that is not read from a result table or the
configuration, so the text can never drift from the analysis.
"""

from __future__ import annotations

import html

import pandas as pd

import instruments
from pipelines.config import StudyConfig
from pipelines.publish.tables import fmt_ci, fmt_n, fmt_num, fmt_p

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


def _outcome_list(cols, labels) -> str:
    return ", ".join(labels.get(c, c) for c in cols)


def methods(config: StudyConfig, lang: str) -> list[str]:
    """Methods paragraphs generated from the configuration."""
    a = config.analysis
    waves = "; ".join(f"{w.id} {getattr(w.label, lang)} ({w.date.isoformat()})" for w in config.waves)
    used = list(dict.fromkeys(i for w in config.waves for i in w.instruments))
    cites = []
    for inst in used:
        s = instruments.spec(inst)
        doi = f", doi:{s.doi}" if s.doi else ""
        cites.append(f"{s.name[lang]} ({s.citation}{doi}; {s.status})")
    definition = _DEF[lang][config.recurring.definition].format(v=config.recurring.min_visits_per_week)
    vs = instruments.value_sets().set_index("id")
    value_set = a.eq5d_value_set
    vs_text = f"{value_set}" + (f" (doi:{vs.loc[value_set, 'doi']})" if value_set in vs.index else "")
    labels = {c: lab for c, lab in zip(*_labels(lang))}
    primary = _outcome_list(a.primary_outcomes, labels)
    if lang == "sv":
        return [
            f"Enkäten besvarades vid {len(config.waves)} mättillfällen: {waves}. Deltagarna identifieras "
            "endast med en studiekod (pseudonym); kodnyckeln förvaras av Malmö universitet utanför analysen.",
            "Instrument: " + "; ".join(cites) + ". Skalpoäng beräknades enligt respektive manuals regler, "
            "inklusive reglerna för saknade svar (se instrumentbeskrivningen i projektets README).",
            f"Återkommande deltagare definierades som personer som {definition}. Båda definitionerna "
            "redovisas i deltagarflödet.",
            "Förändring mellan mättillfällen analyserades parvis (efter − före) bland återkommande deltagare med svar "
            "vid båda tillfällena: t-test för beroende mätningar (medelförändring med "
            f"{a.ci_level:.0%} konfidensintervall), Wilcoxons teckenrangtest samt effektstorlekarna Cohens d_z, "
            "Hedges g_av och rangbiseriell korrelation. Dikotoma utfall analyserades med McNemars test och "
            "ordnade nivåer med Stuart–Maxwells test. Alla mättillfällen modellerades dessutom med en linjär "
            "blandad modell (slumpmässigt intercept per deltagare, REML) som använder alla observerade svar.",
            f"De primära utfallsmåtten ({primary}) utgör en familj; deras p-värden justerades med "
            f"{_ADJ[a.p_adjust]}s metod. Övriga utfall är sekundära och redovisas utan sådan tolkning.",
            f"EQ-5D-5L-index beräknades med värderingssetet {vs_text}.",
            f"Tabeller och figurer visar inte grupper med färre än {config.publishing.k_min_cell} personer.",
        ]
    return [
        f"The survey was answered at {len(config.waves)} waves: {waves}. Participants are identified only by a "
        "study code (pseudonym); the key is kept by Malmö University outside the analysis.",
        "Instruments: " + "; ".join(cites) + ". Scale scores follow each manual's rules, including its "
        "missing-data rules (see the instrument section of the project README).",
        f"Recurring participants were defined as persons who {definition}. Both definitions are reported in "
        "the participant flow.",
        "Change between waves was analysed pairwise (post − pre) among recurring participants with answers at both "
        f"waves: paired t-test (mean change with {a.ci_level:.0%} confidence interval), Wilcoxon signed-rank "
        "test and the effect sizes Cohen's d_z, Hedges' g_av and the rank-biserial correlation. Binary "
        "outcomes were analysed with McNemar's test and ordered levels with the Stuart–Maxwell test. All waves "
        "were also modelled with a linear mixed model (random intercept per participant, REML) that uses every "
        "observed answer.",
        f"The primary outcomes ({primary}) form one family; their p-values were adjusted with the "
        f"{_ADJ[a.p_adjust]} method. Other outcomes are secondary.",
        f"The EQ-5D-5L index uses the value set {vs_text}.",
        f"Tables and figures do not show groups of fewer than {config.publishing.k_min_cell} persons.",
    ]


def _labels(lang: str):
    from pipelines.study import outcome_table

    t = outcome_table()
    return t["column"].tolist(), t[f"label_{lang}"].tolist()


def summary(tests: pd.DataFrame, outcome_labels: dict, wave_labels: dict, config: StudyConfig,
            lang: str) -> list[str]:
    """One sentence per primary outcome and comparison, read from the test table."""
    k = config.publishing.k_min_cell
    t = tests[(tests["test"] == "paired_t") & tests["outcome"].isin(config.analysis.primary_outcomes)]
    out = []
    for r in t.itertuples():
        name = outcome_labels.get(r.outcome, r.outcome)
        comp = f"{wave_labels.get(r.pre, r.pre)} → {wave_labels.get(r.post, r.post)}"
        if r.n < k:
            out.append(f"{name}, {comp}: " + ("för få par för att redovisas." if lang == "sv"
                                               else "too few pairs to report."))
            continue
        p_adj = "" if pd.isna(r.p_adj) else (f", justerat p = {fmt_p(r.p_adj, lang)}" if lang == "sv"
                                               else f", adjusted p = {fmt_p(r.p_adj, lang)}")
        if lang == "sv":
            out.append(f"{name}, {comp}: medelförändring {fmt_num(r.estimate, lang)} "
                       f"({r.ci_level:.0%} KI {fmt_ci(r.ci_low, r.ci_high, lang)}, n = {r.n}{p_adj}).")
        else:
            out.append(f"{name}, {comp}: mean change {fmt_num(r.estimate, lang)} "
                       f"({r.ci_level:.0%} CI {fmt_ci(r.ci_low, r.ci_high, lang)}, n = {r.n}{p_adj}).")
    return out


def flow_display(flow: pd.DataFrame, wave_labels: dict, lang: str, k_min: int) -> pd.DataFrame:
    """The participant-flow table with counts below ``k_min`` suppressed."""
    df = flow.copy()
    n_col = "n" if lang == "sv" else "n"
    cols = [c for c in df.columns if c not in ("n",)]
    df[n_col] = [fmt_n(v, k_min, lang) for v in flow["n"]]
    for c in ("pre", "post", "wave"):
        if c in df:
            df[c] = df[c].map(lambda w: wave_labels.get(w, w) if isinstance(w, str) else w)
    return df[cols + [n_col]].fillna("")


def limitations(flow: pd.DataFrame, config: StudyConfig, lang: str) -> list[str]:
    if lang == "sv":
        return [
            "Bortfallet mellan mättillfällena är betydande och kan hänga samman med hälsan vid baslinjen; "
            "de parvisa jämförelserna gäller dem som svarade vid båda tillfällena. Den blandade modellen "
            "använder alla observerade svar och är giltig om bortfallet beror på observerade tidigare värden.",
            "Gruppen återkommande deltagare är liten, vilket ger breda konfidensintervall. Utan kontrollgrupp "
            "kan förändringar inte med säkerhet tillskrivas programmet.",
            "Mätinvarians mellan språkversionerna av enkäten är inte fastställd för denna population.",
        ]
    return [
        "Attrition between waves is substantial and may depend on baseline health; the paired comparisons "
        "describe those who answered at both waves. The mixed model uses every observed answer and is valid "
        "if drop-out depends on observed earlier values.",
        "The group of recurring participants is small, so confidence intervals are wide. Without a control "
        "group, changes cannot be attributed to the programme with certainty.",
        "Measurement invariance across the questionnaire's language versions is not established for this "
        "population.",
    ]


def provenance_html(config: StudyConfig, lang: str) -> str:
    """Inputs and their hashes (the full manifest is ``manifest.json`` beside the report)."""
    from pipelines.ingest import sha256_file

    rows = []
    for w in config.waves:
        p = config.wave_path(w.id)
        rows.append((w.id, p.name, sha256_file(p) if p.exists() else "–"))
    if config.attendance:
        p = config.resolve(config.attendance.file)
        rows.append(("attendance", p.name, sha256_file(p) if p.exists() else "–"))
    head = "<tr><th>" + ("Indata" if lang == "sv" else "Input") + "</th><th>" + \
        ("Fil" if lang == "sv" else "File") + "</th><th>sha256</th></tr>"
    body = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td><td><code>{c}</code></td></tr>"
                   for a, b, c in rows)
    return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"
