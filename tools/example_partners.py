"""Synthetic yearly partner surveys for the example study (Engage for Equity scales).

The partnership's members (health promoters, the city's departments, the university, the
NGO, residents in the steering group) answer an anonymous survey once a year with the
seven E2 scales (:mod:`instruments.e2`). This module writes two such surveys (2024 and
2025, about 25 respondents each) as CSV files with Swedish variable names, numeric
partner-group codes, user-missing codes (8 = vet ej, 9 = ej svar), blank answers, a
respondent who stopped half-way, and a free-text comment column that must never be
published. It is called by :func:`tools.example_study.generate_study`; it draws from
its own random stream, so the waves it writes next to are unchanged by it.

The model (all in SD units of a latent scale score): every respondent has a general
partnership appraisal ``g ~ N(0, 1)``; scale ``j``'s latent score is
``0.8 g + 0.6 u_j + group effect + year effect`` (so the scales correlate about 0.6);
an item is ``round(3.6 + 0.9 (0.85 z_j + 0.55 e))`` clipped to 1–5 (means near 3.6, some
ceiling). The 2025 survey is about 0.3 SD higher on relationships, synergy and collective
empowerment and 0.15 SD higher on the other scales; residents report less engagement in
research actions, the university more (:data:`GROUP_EFFECTS`, :data:`YEAR_EFFECTS`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import instruments
from instruments.e2 import SCALES

#: survey year -> number of respondents
PARTNER_YEARS = {2024: 26, 2025: 24}
#: partner group code -> (Swedish, English) label
PARTNER_GROUPS = {
    1: ("Hälsofrämjare", "Health promoters"),
    2: ("Stadens förvaltningar", "City departments"),
    3: ("Malmö universitet", "Malmö University"),
    4: ("Rädda Barnen (idéburen organisation)", "Save the Children (NGO)"),
    5: ("Boende i styrgruppen", "Residents in the steering group"),
}
GROUP_PROBS = (0.32, 0.24, 0.16, 0.12, 0.16)
#: group code -> {scale: effect in SD units}
GROUP_EFFECTS = {
    1: {"e2_relationships": 0.3},
    2: {"e2_contextual_capacity": 0.3, "e2_collective_empowerment": -0.3},
    3: {"e2_research_actions": 0.4},
    4: {},
    5: {"e2_research_actions": -0.6, "e2_transformation": 0.3},
}
#: year -> {scale: effect in SD units}
YEAR_EFFECTS = {
    2024: {},
    2025: {s: (0.3 if s in ("e2_relationships", "e2_synergy", "e2_collective_empowerment") else 0.15)
           for s in SCALES},
}
DONT_KNOW, NO_ANSWER = 8, 9
#: raw variable stems per scale; the 2025 questionnaire renamed every variable
_STEMS = {"e2_contextual_capacity": "kap", "e2_collective_empowerment": "egen", "e2_relationships": "rel",
          "e2_research_actions": "fors", "e2_synergy": "syn", "e2_transformation": "forand",
          "e2_outcomes": "res"}
_COMMENTS = (
    "Bra samarbete i år.",
    "Mötestiderna passar inte alla i styrgruppen.",
    "Vi behöver mer tid för att diskutera resultaten tillsammans.",
    "Det är svårt att hinna med alla möten.",
    "Fler boende borde vara med när frågorna väljs.",
    "Tydligare återkoppling från universitetet önskas.",
    "Hälsoverkstäderna fungerar väldigt bra.",
    "Budgeten är otydlig för oss som partner.",
)
#: Swedish/English wording of the synergy items in the example (made up, short paraphrases
#: of the construct, not the E2 questionnaire's wording)
EXAMPLE_ITEM_TEXTS = {
    "e2_synergy_01": ("Tillsammans hittar vi nya sätt att lösa problem", "Together we find new ways to solve problems"),
    "e2_synergy_02": ("Vi tar hänsyn till de berördas synpunkter", "We include the views of the people affected"),
    "e2_synergy_03": ("Våra mål är förstådda och har stöd", "Our goals are understood and supported"),
    "e2_synergy_04": ("Vi svarar mot behov i området", "We respond to needs in the area"),
    "e2_synergy_05": ("Vi uppnår mer tillsammans än var för sig", "We achieve more together than separately"),
}


def raw_name(year: int, canonical: str) -> str:
    """Raw variable name of a canonical E2 item in the survey of ``year``.

    Examples
    --------
    >>> raw_name(2024, "e2_synergy_03"), raw_name(2025, "e2_synergy_03")
    ('syn3', 'P25_SYN_03')
    """
    scale, number = canonical.rsplit("_", 1)
    stem = _STEMS[scale]
    return f"{stem}{int(number)}" if year == 2024 else f"P25_{stem.upper()}_{number}"


def group_variable(year: int) -> str:
    """Name of the partner-group variable in the survey of ``year``."""
    return "partnergrupp" if year == 2024 else "P25_GRUPP"


def comment_variable(year: int) -> str:
    """Name of the free-text comment variable in the survey of ``year``."""
    return "kommentar" if year == 2024 else "P25_KOMMENTAR"


def survey_frame(year: int, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """One synthetic partner survey as it would be exported (raw names, missing codes)."""
    groups = rng.choice(np.array(list(PARTNER_GROUPS)), size=n, p=GROUP_PROBS)
    g = rng.standard_normal(n)
    cols: dict[str, object] = {group_variable(year): groups.astype(float)}
    for scale in SCALES:
        items = instruments.items_of(scale)
        shift = np.array([GROUP_EFFECTS[int(k)].get(scale, 0.0) for k in groups]) + YEAR_EFFECTS[year].get(scale, 0.0)
        z = 0.8 * g + 0.6 * rng.standard_normal(n) + shift
        for item in items:
            x = np.clip(np.rint(3.6 + 0.9 * (0.85 * z + 0.55 * rng.standard_normal(n))), 1, 5)
            u = rng.random(n)
            x = np.where(u < 0.04, np.nan, x)
            x = np.where((u >= 0.04) & (u < 0.06), NO_ANSWER, x)
            x = np.where((u >= 0.06) & (u < 0.075), DONT_KNOW, x)
            cols[raw_name(year, item)] = x
    df = pd.DataFrame(cols)
    # one respondent stopped half-way: the last scales are blank
    quitter = int(rng.integers(0, n))
    for scale in SCALES[4:]:
        df.loc[quitter, [raw_name(year, it) for it in instruments.items_of(scale)]] = np.nan
    # one respondent left the partner group blank
    df.loc[int(rng.integers(0, n)), group_variable(year)] = np.nan
    has_comment = rng.random(n) < 0.4
    df[comment_variable(year)] = [str(rng.choice(_COMMENTS)) if c else "" for c in has_comment]
    return df


def _csv_bytes(df: pd.DataFrame) -> bytes:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype.kind == "f":
            out[c] = out[c].astype("Int64")
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_partner_surveys(out_dir, seed: int) -> tuple[dict[str, Path], str, str]:
    """Write the partner surveys into ``out_dir/partners/``.

    Parameters
    ----------
    out_dir
        The example study's folder.
    seed
        The study's seed; the partner surveys use their own stream derived from it.

    Returns
    -------
    paths : dict
        ``partner_<year>`` -> written file.
    yaml_text : str
        The ``partner_surveys:`` section of ``study.yaml`` (and ``publishing.k_min_partner``
        is left at its default).
    readme_text : str
        A section for the example's README.

    Examples
    --------
    >>> import tempfile
    >>> paths, yml, _ = write_partner_surveys(tempfile.mkdtemp(), seed=1)
    >>> sorted(paths), yml.splitlines()[0]
    (['partner_2024', 'partner_2025'], '')
    """
    out = Path(out_dir)
    (out / "partners").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xE2]))
    paths: dict[str, Path] = {}
    files: dict[int, str] = {}
    sizes: dict[int, int] = {}
    for year, n in PARTNER_YEARS.items():
        df = survey_frame(year, n, rng)
        files[year] = f"partners/jh_partnerenkat_{year}.csv"
        paths[f"partner_{year}"] = out / files[year]
        paths[f"partner_{year}"].write_bytes(_csv_bytes(df))
        sizes[year] = len(df)
    return paths, _yaml(files), _readme(files, sizes)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _yaml(files: dict[int, str]) -> str:
    L = [
        "",
        "# -- partner surveys (anonymous, one per year, never linked across years) ----------",
        "# The partnership's members answer the Engage for Equity (E2) scales. `mapping` links",
        "# raw variables to canonical E2 items (e2_<scale>_<NN>, see docs/instruments.md);",
        "# `instruments` defaults to the seven E2 scales. `group_variable` holds the partner",
        "# group (labels in `group_labels`); `free_text` variables are never published;",
        "# `item_texts` is the questionnaire's own wording (the E2 specs carry item numbers only).",
        "partner_surveys:",
    ]
    for year, file in files.items():
        L += [
            f"  - year: {year}",
            f"    file: {file}",
            f"    group_variable: {group_variable(year)}",
            "    group_labels:",
        ]
        L += [f"      {code}: {{sv: {_q(sv)}, en: {_q(en)}}}" for code, (sv, en) in PARTNER_GROUPS.items()]
        L += [f"    free_text: [{comment_variable(year)}]",
              "    missing_codes:",
              f"      default: {{{DONT_KNOW}: dont_know, {NO_ANSWER}: no_answer}}",
              "    mapping:"]
        for scale in SCALES:
            L += [f"      {raw_name(year, it)}: {it}" for it in instruments.items_of(scale)]
        L.append("    item_texts:")
        L += [f"      {it}: {{sv: {_q(sv)}, en: {_q(en)}}}" for it, (sv, en) in EXAMPLE_ITEM_TEXTS.items()]
    return "\n".join(L) + "\n"


def _readme(files: dict[int, str], sizes: dict[int, int]) -> str:
    rows = "\n".join(f"| `{files[y]}` | partnerenkät {y} / partner survey {y} (n = {sizes[y]}) |" for y in files)
    return f"""
## Partnerenkäter / Partner surveys

Anonyma årliga enkäter till partnerskapets medlemmar med Engage for Equity-skalorna
(syntetiska svar, ingen koppling mellan åren) / anonymous yearly surveys of the
partnership's members with the Engage for Equity scales (synthetic answers, no linkage
across years). Partnergrupp / partner group: 1 = hälsofrämjare, 2 = stadens
förvaltningar, 3 = universitetet, 4 = Rädda Barnen, 5 = boende i styrgruppen.
Bortfallskoder / missing codes: 8 = vet ej, 9 = ej svar. Fritextsvaren (`kommentar`)
publiceras aldrig / the free-text answers are never published.

| fil / file | innehåll / content |
|---|---|
{rows}
"""
