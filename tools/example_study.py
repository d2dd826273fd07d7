"""Synthetic, pseudonymised example study ("syntetisk exempelstudie") for the pipeline.

``python -m tools.example_study --participants 250 --seed 2023 --out data/example``
writes a study that looks like the real Jämlik hälsa Lindängen survey — three SPSS waves
with Swedish labels, user-missing codes and raw variable names that change between waves,
a pseudonymised attendance register, a study-specific empowerment scale — together with
the ``study.yaml`` the pipeline runs on and the *known true effects* (``ground_truth.yaml``)
an analysis of the data should recover. Same arguments give byte-identical files.

How the data are generated
--------------------------
* Every survey participant has seven stable latent traits (physical health, mental
  well-being, social relations, environment, health literacy, self-efficacy,
  empowerment; correlated, standard normal) plus a wave-specific occasion deviation.
* Each item is an ordinal response of a *latent block* (a trait or a fixed mix of traits)
  through a normal-ogive graded model: ``y* = theta + item offset + noise``, cut at the
  instrument's thresholds. Negatively worded items (WHOQOL-BREF Q3, Q4, Q26, empowerment
  items 3 and 6, self-rated health's 1 = "mycket bra") are written in the questionnaire's
  raw direction, so the scorer's reversal gives back the latent direction.
* Taking part shifts each block's latent value by a fixed amount after one and after two
  years (:data:`LATENT_SHIFT`): fully for the designated *recurring* participants (who
  attend two fixed weekly sessions, > 1 visit/week on average), 30 % of it for the
  occasional participants. WHOQOL-BREF social relations has no effect (a null outcome).
* Attrition at each follow-up depends on the *observed* baseline self-rated health and on
  recurring status (missing at random given baseline): about a third drop out per wave,
  more among those with worse baseline health. New respondents join at T1 and T2.
* Item non-response (a few % per item, "vet ej" mostly on the health-literacy items,
  whole skipped pages) uses the questionnaire's user-missing codes.
* Ground truth: the true mean change T0->T1 and T0->T2 of every outcome in its *score*
  metric among recurring participants is the population expectation implied by the item
  generator, estimated on a large simulated cohort (``truth_n``, default 200 000) with the
  same code (see :func:`ground_truth`).

This module never imports Dagster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, cast

import numpy as np
import pandas as pd
import pyreadstat
import yaml

from tools import example_partners

__all__ = [
    "ID_PATTERN",
    "LATENT_SHIFT",
    "OUTCOMES",
    "generate_study",
    "ground_truth",
    "make_pseudonyms",
    "visits_per_week",
]

# --------------------------------------------------------------------------------------
# Study design constants
# --------------------------------------------------------------------------------------

ID_PATTERN = r"^JH-[0-9A-Z]{6}$"
_ALPHABET = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))

WAVES = ("T0", "T1", "T2")
WAVE_DATES = {
    "T0": dt.date(2023, 10, 15),
    "T1": dt.date(2024, 12, 10),
    "T2": dt.date(2025, 12, 9),
}
WAVE_LABELS = {
    "T0": ("Baslinje hösten 2023", "Baseline autumn 2023"),
    "T1": ("Uppföljning december 2024", "Follow-up December 2024"),
    "T2": ("Uppföljning december 2025", "Follow-up December 2025"),
}
ATTENDANCE_START = dt.date(2023, 9, 4)  # a Monday
ATTENDANCE_END = dt.date(2025, 12, 19)
#: ISO weeks without workshops (summer break, Christmas/New Year)
CLOSED_WEEKS = frozenset({29, 30, 31, 52, 1})
#: smallest average visits/week of a recurring participant between T0 and a follow-up
MIN_RECURRING_RATE = 1.1

INSTRUMENTS = ["whoqol_bref", "eq5d5l", "hls_eu_q16", "who5", "gse", "srh", "jh_empowerment"]

#: share of baseline respondents who are recurring participants (≈160 of 250)
RECURRING_SHARE = 0.64
NEW_AT_T1_SHARE = 0.12
NEW_AT_T2_SHARE = 0.10
REGISTER_ONLY_SHARE = 0.20
#: share of the latent effect an occasional (non-recurring) participant gets
OCCASIONAL_EFFECT = 0.3

TRUTH_N = 200_000

# --------------------------------------------------------------------------------------
# Canonical items
# --------------------------------------------------------------------------------------

WHOQOL = [f"whoqol_bref_{i:02d}" for i in range(1, 27)]
EQ5D_DIMS = ["mo", "sc", "ua", "pd", "ad"]
EQ5D = [f"eq5d5l_{d}" for d in EQ5D_DIMS] + ["eq5d5l_vas"]
HLS = [f"hls_eu_q16_{i:02d}" for i in range(1, 17)]
WHO5 = [f"who5_{i:02d}" for i in range(1, 6)]
GSE = [f"gse_{i:02d}" for i in range(1, 11)]
SRH = ["srh_01"]
EMP = [f"jh_empowerment_{i:02d}" for i in range(1, 9)]
ITEMS = WHOQOL + EQ5D + HLS + WHO5 + GSE + SRH + EMP

COVARIATES = ["gender", "age_group", "education", "region_of_birth", "language", "workshop"]

WHOQOL_DOMAINS = {
    "physical": [3, 4, 10, 15, 16, 17, 18],
    "psychological": [5, 6, 7, 11, 19, 26],
    "social": [20, 21, 22],
    "environment": [8, 9, 12, 13, 14, 23, 24, 25],
}
WHOQOL_NEGATIVE = (3, 4, 26)
EMP_REVERSE = (3, 6)

#: EQ-5D-5L Swedish value set, Sun et al. 2022 (HQLO 20:167, doi:10.1186/s12955-022-02083-w):
#: decrement per dimension for levels 2..5 (level 1 = 0), index = 1 + sum of decrements.
SE_SUN2022 = {
    "mo": (-0.022, -0.026, -0.087, -0.132),
    "sc": (-0.019, -0.056, -0.113, -0.159),
    "ua": (-0.022, -0.048, -0.131, -0.187),
    "pd": (-0.010, -0.047, -0.319, -0.442),
    "ad": (-0.031, -0.122, -0.277, -0.394),
}

# --------------------------------------------------------------------------------------
# Latent model
# --------------------------------------------------------------------------------------

TRAITS = ["phys", "psych", "social", "env", "hl", "gse", "emp"]
TRAIT_CORR = np.array(
    [
        [1.00, 0.50, 0.30, 0.30, 0.20, 0.30, 0.20],
        [0.50, 1.00, 0.45, 0.35, 0.20, 0.50, 0.35],
        [0.30, 0.45, 1.00, 0.35, 0.15, 0.30, 0.35],
        [0.30, 0.35, 0.35, 1.00, 0.25, 0.25, 0.30],
        [0.20, 0.20, 0.15, 0.25, 1.00, 0.35, 0.30],
        [0.30, 0.50, 0.30, 0.25, 0.35, 1.00, 0.45],
        [0.20, 0.35, 0.35, 0.30, 0.30, 0.45, 1.00],
    ]
)
#: latent value at a wave = STABLE * trait + OCCASION * wave-specific N(0, 1) deviation
STABLE, OCCASION = 0.85, 0.50


@dataclass(frozen=True)
class Block:
    """Items answered from one latent value (a trait or a fixed mix of traits)."""

    traits: dict[str, float]
    items: tuple[str, ...]
    offsets: tuple[float, ...]
    thresholds: tuple[float, ...]
    low: int  # code of the lowest category
    noise: float = 0.75
    #: items written in the questionnaire's reversed direction (raw high = latent low)
    reversed_items: tuple[str, ...] = ()
    #: True when the raw code grows with *worse* health for every item (EQ-5D dimensions)
    problems_scale: bool = False
    effect: str = ""  # key in LATENT_SHIFT


def _w(*numbers: int) -> tuple[str, ...]:
    return tuple(f"whoqol_bref_{i:02d}" for i in numbers)


_LIKERT5 = (-1.7, -0.8, 0.3, 1.4)
BLOCKS: dict[str, Block] = {
    "whoqol_overall": Block({"phys": 0.4, "psych": 0.4, "env": 0.2}, _w(1), (0.2,), _LIKERT5, 1,
                            effect="whoqol_overall"),
    "whoqol_health": Block({"phys": 1.0}, _w(2), (0.0,), _LIKERT5, 1, effect="whoqol_health"),
    "whoqol_physical": Block({"phys": 1.0}, _w(3, 4, 10, 15, 16, 17, 18),
                             (0.1, 0.3, -0.1, 0.4, -0.2, 0.0, -0.3), _LIKERT5, 1,
                             reversed_items=_w(3, 4), effect="whoqol_physical"),
    "whoqol_psychological": Block({"psych": 1.0}, _w(5, 6, 7, 11, 19, 26),
                                  (-0.1, 0.2, 0.0, 0.3, 0.1, 0.2), _LIKERT5, 1,
                                  reversed_items=_w(26), effect="whoqol_psychological"),
    "whoqol_social": Block({"social": 1.0}, _w(20, 21, 22), (0.3, -0.1, 0.1), _LIKERT5, 1,
                           effect="whoqol_social"),
    "whoqol_environment": Block({"env": 1.0}, _w(8, 9, 12, 13, 14, 23, 24, 25),
                                (0.2, 0.0, -0.6, 0.1, -0.3, 0.2, 0.3, 0.4), _LIKERT5, 1,
                                effect="whoqol_environment"),
    "eq5d_physical": Block({"phys": 1.0}, ("eq5d5l_mo", "eq5d5l_sc", "eq5d5l_ua", "eq5d5l_pd"),
                           (-0.25, -1.35, -0.05, 0.55), (0.3, 1.1, 1.9, 2.7), 1, noise=0.7,
                           problems_scale=True, effect="eq5d"),
    "eq5d_mental": Block({"psych": 1.0}, ("eq5d5l_ad",), (0.3,), (0.3, 1.1, 1.9, 2.7), 1,
                         noise=0.7, problems_scale=True, effect="eq5d"),
    "hls": Block({"hl": 1.0}, tuple(HLS),
                 (0.4, 0.5, 0.6, 0.5, -0.5, 0.0, 0.6, -0.3, 0.7, 0.6, -0.6, -0.2, 0.1, 0.5, 0.2, 0.3),
                 (-1.6, -0.6, 0.9), 1, noise=0.8, effect="hls"),
    "who5": Block({"psych": 1.0}, tuple(WHO5), (0.1, 0.0, -0.3, -0.2, 0.1),
                  (-2.2, -1.2, -0.4, 0.5, 1.5), 0, noise=0.7, effect="who5"),
    "gse": Block({"gse": 1.0}, tuple(GSE), (0.0, -0.3, -0.1, 0.1, 0.0, 0.3, -0.2, 0.1, 0.0, 0.2),
                 (-1.8, -0.6, 0.9), 1, effect="gse"),
    "emp": Block({"emp": 1.0}, tuple(EMP), (0.2, 0.4, -0.1, 0.3, -0.3, 0.0, -0.2, 0.1),
                 (-1.8, -0.8, 0.2, 1.3), 1, reversed_items=(EMP[2], EMP[5]), effect="emp"),
    "srh": Block({"phys": 0.6, "psych": 0.4}, ("srh_01",), (0.0,), (-2.0, -1.0, 0.0, 1.3), 1,
                 reversed_items=("srh_01",), effect="srh"),
}


class _VasBlock(TypedDict):
    """The shape of :data:`VAS_BLOCK`."""

    traits: dict[str, float]
    mean: float
    sd: float
    noise: float
    effect: str


#: EQ VAS: 0-100, linear in its latent mix, clipped, half of the answers heaped on 5s
VAS_BLOCK: _VasBlock = {"traits": {"phys": 0.6, "psych": 0.4}, "mean": 68.0, "sd": 16.0, "noise": 8.0,
                        "effect": "eq5d_vas"}

#: Latent shift (in SD of the stable trait) after one year (T1) and two years (T2) of
#: taking part, for recurring participants. Calibrated so that the effects in the score
#: metric are about: WHO-5 +6/+8 percentage points, HLS-EU-Q16 +1.0/+1.5, GSE +1.1/+1.5,
#: empowerment +0.22/+0.30, EQ VAS +3/+4, EQ-5D-5L index +0.015/+0.02, WHOQOL-BREF
#: psychological +4/+5, physical +2/+3, social 0/0, environment +1.5/+2 (0-100 metric).
LATENT_SHIFT: dict[str, tuple[float, float]] = {
    "who5": (0.294, 0.394),
    "hls": (0.247, 0.381),
    "gse": (0.174, 0.238),
    "emp": (0.257, 0.353),
    "eq5d_vas": (0.194, 0.259),
    "eq5d": (0.086, 0.116),  # all five EQ-5D-5L dimensions
    "whoqol_physical": (0.093, 0.139),
    "whoqol_psychological": (0.188, 0.235),
    "whoqol_social": (0.0, 0.0),  # the null effect
    "whoqol_environment": (0.070, 0.094),
    "whoqol_overall": (0.129, 0.165),  # Q1, not in a domain
    "whoqol_health": (0.093, 0.139),  # Q2, not in a domain
    "srh": (0.153, 0.213),  # self-rated health: about +5 / +7 percentage points "good"
}

#: outcome -> (Swedish/English description of the metric, higher is better)
OUTCOMES: dict[str, tuple[str, bool]] = {
    "who5_percent": ("WHO-5, procent 0-100 (råsumma x 4)", True),
    "eq5d5l_index": ("EQ-5D-5L index, svensk värdeuppsättning Sun 2022 (SE_Sun2022)", True),
    "hls_eu_q16_score": ("HLS-EU-Q16, antal lätta svar 0-16", True),
    "whoqol_bref_psychological_100": ("WHOQOL-BREF psykisk hälsa 0-100", True),
    "whoqol_bref_physical_100": ("WHOQOL-BREF fysisk hälsa 0-100", True),
    "whoqol_bref_social_100": ("WHOQOL-BREF sociala relationer 0-100", True),
    "whoqol_bref_environment_100": ("WHOQOL-BREF miljö 0-100", True),
    "eq5d5l_vas": ("EQ VAS 0-100", True),
    "gse_score": ("GSE, summa 10-40 (medelvärde x 10)", True),
    "jh_empowerment_score": ("Egenmakt och delaktighet, medelvärde 1-5", True),
    "srh_good": ("Andel med bra eller mycket bra självskattad hälsa (0-1)", True),
}

# --------------------------------------------------------------------------------------
# Questionnaire: labels
# --------------------------------------------------------------------------------------

DONT_KNOW, NO_ANSWER = 8, 9
HLS_DONT_KNOW = 5
VAS_DONT_KNOW, VAS_NO_ANSWER = 998, 999

_WHOQOL_TEXT = [
    "Hur skattar du din livskvalitet?",
    "Hur nöjd är du med din hälsa?",
    "Hindrar fysisk smärta dig från att göra det du behöver göra?",
    "Behöver du medicinsk behandling för att klara vardagen?",
    "Hur mycket njuter du av livet?",
    "Känns ditt liv meningsfullt?",
    "Hur bra kan du koncentrera dig?",
    "Hur trygg känner du dig i ditt dagliga liv?",
    "Hur hälsosam är din fysiska miljö?",
    "Har du tillräckligt med ork i vardagen?",
    "Kan du acceptera ditt utseende?",
    "Har du tillräckligt med pengar för dina behov?",
    "Har du tillgång till den information du behöver i vardagen?",
    "Har du möjlighet till fritidsaktiviteter?",
    "Hur väl kan du ta dig runt?",
    "Hur nöjd är du med din sömn?",
    "Hur nöjd är du med din förmåga att klara vardagens sysslor?",
    "Hur nöjd är du med din arbetsförmåga?",
    "Hur nöjd är du med dig själv?",
    "Hur nöjd är du med dina personliga relationer?",
    "Hur nöjd är du med ditt sexualliv?",
    "Hur nöjd är du med stödet från dina vänner?",
    "Hur nöjd är du med din bostad?",
    "Hur nöjd är du med din tillgång till hälso- och sjukvård?",
    "Hur nöjd är du med dina kommunikationer/transporter?",
    "Hur ofta har du negativa känslor som nedstämdhet, ångest eller oro?",
]
_WHOQOL_SCALES = {
    "quality": {1: "Mycket dålig", 2: "Dålig", 3: "Varken bra eller dålig", 4: "Bra", 5: "Mycket bra"},
    "satisfaction": {1: "Mycket missnöjd", 2: "Missnöjd", 3: "Varken nöjd eller missnöjd", 4: "Nöjd",
                     5: "Mycket nöjd"},
    "amount": {1: "Inte alls", 2: "Lite", 3: "Måttligt", 4: "Mycket", 5: "Väldigt mycket"},
    "extent": {1: "Inte alls", 2: "Lite", 3: "Måttligt", 4: "Till största delen", 5: "Helt"},
    "ability": {1: "Mycket dåligt", 2: "Dåligt", 3: "Varken bra eller dåligt", 4: "Bra", 5: "Mycket bra"},
    "frequency": {1: "Aldrig", 2: "Sällan", 3: "Ganska ofta", 4: "Mycket ofta", 5: "Alltid"},
}
_WHOQOL_SCALE_OF = (
    {1: "quality", 15: "ability", 26: "frequency"}
    | {i: "satisfaction" for i in [2, *range(16, 26)]}
    | {i: "amount" for i in range(3, 10)}
    | {i: "extent" for i in range(10, 15)}
)
_EQ5D_TEXT = {
    "mo": "EQ-5D-5L: rörlighet",
    "sc": "EQ-5D-5L: hygien",
    "ua": "EQ-5D-5L: huvudsakliga aktiviteter",
    "pd": "EQ-5D-5L: smärtor/besvär",
    "ad": "EQ-5D-5L: oro/nedstämdhet",
}
_EQ5D_CODES = {1: "Inga problem", 2: "Lätta problem", 3: "Måttliga problem", 4: "Svåra problem",
               5: "Extrema problem/kan inte"}
_HLS_TEXT = [
    "hitta information om behandlingar av sjukdomar som oroar dig",
    "ta reda på var du kan få professionell hjälp när du är sjuk",
    "förstå vad din läkare säger till dig",
    "förstå läkarens eller apotekspersonalens instruktioner om hur du ska ta din medicin",
    "bedöma när du kan behöva en andra åsikt från en annan läkare",
    "använda information som läkaren ger dig för att fatta beslut om din sjukdom",
    "följa instruktioner från läkare eller apotekspersonal",
    "hitta information om hur du hanterar psykisk ohälsa som stress eller depression",
    "förstå hälsovarningar om till exempel rökning, låg fysisk aktivitet och hög alkoholkonsumtion",
    "förstå varför du behöver hälsokontroller",
    "bedöma om information om hälsorisker i media är tillförlitlig",
    "bestämma hur du kan skydda dig mot sjukdom utifrån information i media",
    "ta reda på vilka aktiviteter som är bra för ditt psykiska välbefinnande",
    "förstå råd om hälsa från familjemedlemmar eller vänner",
    "förstå information i media om hur du kan bli friskare",
    "bedöma vilka vardagsvanor som har betydelse för din hälsa",
]
_HLS_CODES = {1: "Mycket svårt", 2: "Ganska svårt", 3: "Ganska lätt", 4: "Mycket lätt", 5: "Vet ej"}
_WHO5_TEXT = [
    "jag har känt mig glad och på gott humör",
    "jag har känt mig lugn och avslappnad",
    "jag har känt mig aktiv och energisk",
    "jag har vaknat pigg och utvilad",
    "mitt dagliga liv har varit fyllt av saker som intresserar mig",
]
_WHO5_CODES = {0: "Aldrig", 1: "Lite av tiden", 2: "Mindre än hälften av tiden",
               3: "Mer än hälften av tiden", 4: "För det mesta", 5: "Hela tiden"}
_GSE_TEXT = [
    "Jag klarar alltid av att lösa svåra problem om jag anstränger mig tillräckligt",
    "Om någon motarbetar mig kan jag hitta sätt att få det jag vill",
    "Det är lätt för mig att hålla fast vid mina mål",
    "Jag kan hantera oväntade händelser på ett bra sätt",
    "Jag vet hur jag ska hantera oförutsedda situationer",
    "Jag kan lösa de flesta problem om jag anstränger mig",
    "Jag kan vara lugn inför svårigheter eftersom jag litar på min förmåga",
    "När jag har problem kan jag oftast hitta flera lösningar",
    "När jag är i knipa kan jag oftast komma på en lösning",
    "Vad som än händer klarar jag oftast av det",
]
_GSE_CODES = {1: "Stämmer inte alls", 2: "Stämmer knappast", 3: "Stämmer ganska bra", 4: "Stämmer helt"}
_EMP_TEXT = [
    "Jag kan påverka beslut som rör min hälsa",
    "Jag vet var jag kan få stöd när jag behöver det",
    "Jag känner mig maktlös i kontakten med vården och myndigheter",
    "Mina åsikter tas på allvar i hälsoverkstaden",
    "Jag är med och bestämmer vad vi gör i verksamheten",
    "Det är svårt för mig att säga vad jag tycker i en grupp",
    "Jag kan hjälpa andra i mitt område att ta hand om sin hälsa",
    "Tillsammans kan vi som bor här förändra saker i Lindängen",
]
_EMP_CODES = {1: "Stämmer inte alls", 2: "Stämmer ganska dåligt", 3: "Stämmer delvis",
              4: "Stämmer ganska bra", 5: "Stämmer helt"}
_SRH_CODES = {1: "Mycket bra", 2: "Bra", 3: "Någorlunda", 4: "Dåligt", 5: "Mycket dåligt"}
_MISSING_LABELS = {DONT_KNOW: "Vet ej", NO_ANSWER: "Ej svar"}

COVARIATE_CODES: dict[str, dict[int, str]] = {
    "gender": {1: "Kvinna", 2: "Man", 3: "Annat/vill inte ange"},
    "age_group": {1: "18-29 år", 2: "30-44 år", 3: "45-64 år", 4: "65 år eller äldre"},
    "education": {1: "Förgymnasial eller ingen utbildning", 2: "Gymnasial", 3: "Eftergymnasial"},
    "region_of_birth": {1: "Sverige", 2: "Övriga Norden", 3: "Övriga Europa",
                        4: "Mellanöstern och Nordafrika", 5: "Afrika söder om Sahara", 6: "Övriga världen"},
    "language": {1: "Svenska", 2: "Arabiska", 3: "Somaliska", 4: "Persiska", 5: "Engelska",
                 6: "Bosniska/kroatiska/serbiska", 7: "Annat språk (med tolk)"},
    "workshop": {1: "Munhälsa och kost", 2: "Kvinnors hälsa", 3: "Diabetesprevention", 4: "Föräldragrupp"},
}
#: English names of the categories above, for the English report (publishing.category_labels)
COVARIATE_CODES_EN: dict[str, dict[int, str]] = {
    "gender": {1: "Woman", 2: "Man", 3: "Other/prefer not to say"},
    "age_group": {1: "18-29 years", 2: "30-44 years", 3: "45-64 years", 4: "65 years or older"},
    "education": {1: "Compulsory school or less", 2: "Upper secondary", 3: "Post-secondary"},
    "region_of_birth": {1: "Sweden", 2: "Other Nordic countries", 3: "Other Europe",
                        4: "Middle East and North Africa", 5: "Sub-Saharan Africa", 6: "Rest of the world"},
    "language": {1: "Swedish", 2: "Arabic", 3: "Somali", 4: "Persian", 5: "English",
                 6: "Bosnian/Croatian/Serbian", 7: "Other language (with interpreter)"},
    "workshop": {1: "Oral health and diet", 2: "Women's health", 3: "Diabetes prevention", 4: "Parents' group"},
}
COVARIATE_TEXT = {
    "gender": "Kön",
    "age_group": "Åldersgrupp",
    "education": "Högsta avslutade utbildning",
    "region_of_birth": "Födelseregion",
    "language": "Enkätens språk",
    "workshop": "Hälsoverkstad (huvudsaklig)",
}
#: weekdays (Monday = 0) each workshop meets
WORKSHOP_DAYS = {1: (0, 2), 2: (1, 3), 3: (2, 4), 4: (0, 3)}


def _item_label(canonical: str) -> str:
    inst, _, num = canonical.rpartition("_")
    if canonical.startswith("whoqol_bref_"):
        return f"WHOQOL-BREF {int(num)}: {_WHOQOL_TEXT[int(num) - 1]}"
    if canonical == "eq5d5l_vas":
        return "EQ VAS: din hälsa i dag (0 = sämsta, 100 = bästa tänkbara hälsa)"
    if canonical.startswith("eq5d5l_"):
        return _EQ5D_TEXT[num]
    if canonical.startswith("hls_eu_q16_"):
        return f"Hälsolitteracitet {int(num)}: hur lätt eller svårt är det att {_HLS_TEXT[int(num) - 1]}?"
    if canonical.startswith("who5_"):
        return f"WHO-5 {int(num)}, senaste två veckorna: {_WHO5_TEXT[int(num) - 1]}"
    if canonical.startswith("gse_"):
        return f"Självtillit {int(num)}: {_GSE_TEXT[int(num) - 1]}"
    if canonical.startswith("jh_empowerment_"):
        return f"Egenmakt {int(num)}: {_EMP_TEXT[int(num) - 1]}"
    if canonical == "srh_01":
        return "Hur bedömer du ditt allmänna hälsotillstånd?"
    raise KeyError(canonical)


def _item_codes(canonical: str) -> dict[int, str]:
    """Value labels of an item, including its user-missing codes."""
    if canonical.startswith("whoqol_bref_"):
        return _WHOQOL_SCALES[_WHOQOL_SCALE_OF[int(canonical[-2:])]] | _MISSING_LABELS
    if canonical == "eq5d5l_vas":
        return {VAS_DONT_KNOW: "Vet ej", VAS_NO_ANSWER: "Ej svar"}
    if canonical.startswith("eq5d5l_"):
        return _EQ5D_CODES | _MISSING_LABELS
    if canonical.startswith("hls_eu_q16_"):
        return _HLS_CODES | {NO_ANSWER: "Ej svar"}
    if canonical.startswith("who5_"):
        return _WHO5_CODES | _MISSING_LABELS
    if canonical.startswith("gse_"):
        return _GSE_CODES | _MISSING_LABELS
    if canonical.startswith("jh_empowerment_"):
        return _EMP_CODES | _MISSING_LABELS
    if canonical == "srh_01":
        return _SRH_CODES | _MISSING_LABELS
    raise KeyError(canonical)


def _item_missing(canonical: str) -> list:
    """SPSS user-missing declaration of an item."""
    if canonical == "eq5d5l_vas":
        return [VAS_DONT_KNOW, VAS_NO_ANSWER]
    if canonical.startswith("hls_eu_q16_"):
        return [HLS_DONT_KNOW, NO_ANSWER]
    return [{"lo": DONT_KNOW, "hi": NO_ANSWER}]


# --------------------------------------------------------------------------------------
# Raw variable names: each wave's questionnaire was numbered differently
# --------------------------------------------------------------------------------------

ID_VARIABLE = {"T0": "lopnr_kod", "T1": "studiekod", "T2": "deltagarkod"}
_EQ5D_T1 = {"mo": "eq_rorlighet", "sc": "eq_hygien", "ua": "eq_aktiviteter", "pd": "eq_smarta",
            "ad": "eq_oro", "vas": "eq_vas"}


def raw_name(wave: str, canonical: str) -> str:
    """Raw variable name of a canonical item or covariate in a wave's SPSS file.

    >>> raw_name("T0", "hls_eu_q16_03"), raw_name("T1", "hls_eu_q16_03"), raw_name("T2", "hls_eu_q16_03")
    ('f12_3', 'hl_3', 'q2_hls03')
    """
    inst, _, num = canonical.rpartition("_")
    if wave == "T0":
        cov = {"gender": "f1", "age_group": "f2", "education": "f3", "region_of_birth": "f4",
               "language": "f5", "workshop": "f6"}
        if canonical in cov:
            return cov[canonical]
        if canonical == "srh_01":
            return "f8"
        if canonical == "eq5d5l_vas":
            return "f11"
        if inst == "eq5d5l":
            return f"f10_{EQ5D_DIMS.index(num) + 1}"
        section = {"whoqol_bref": 9, "hls_eu_q16": 12, "who5": 13, "gse": 14, "jh_empowerment": 15}[inst]
        return f"f{section}_{int(num)}"
    if wave == "T1":
        cov = {"gender": "kon", "age_group": "aldersgrupp", "education": "utbildning",
               "region_of_birth": "fodelseregion", "language": "enkatsprak", "workshop": "verkstad"}
        if canonical in cov:
            return cov[canonical]
        if canonical == "srh_01":
            return "halsa_allm"
        if inst == "eq5d5l":
            return _EQ5D_T1[num]
        prefix = {"whoqol_bref": ("wq_", 2), "hls_eu_q16": ("hl_", 1), "who5": ("vb_", 1),
                  "gse": ("se_", 2), "jh_empowerment": ("emp_", 1)}[inst]
        return f"{prefix[0]}{int(num):0{prefix[1]}d}"
    if wave == "T2":
        cov = {"gender": "bg_kon", "age_group": "bg_aldgrp", "education": "bg_utb",
               "region_of_birth": "bg_fodreg", "language": "bg_sprak", "workshop": "bg_verkstad"}
        if canonical in cov:
            return cov[canonical]
        if canonical == "srh_01":
            return "q0_srh"
        if canonical == "eq5d5l_vas":
            return "q3_eqvas"
        if inst == "eq5d5l":
            return f"q3_eq5d_{num}"
        stem = {"whoqol_bref": "q1_whoqol", "hls_eu_q16": "q2_hls", "who5": "q4_who",
                "gse": "q5_gse", "jh_empowerment": "q6_emp"}[inst]
        width = 1 if inst in ("who5", "jh_empowerment") else 2
        return f"{stem}{int(num):0{width}d}"
    raise KeyError(wave)


#: order of the instrument sections in each wave's questionnaire
_SECTION_ORDER = {
    "T0": [SRH, WHOQOL, EQ5D, HLS, WHO5, GSE, EMP],
    "T1": [HLS, WHOQOL, EQ5D, SRH, WHO5, GSE, EMP],
    "T2": [SRH, WHOQOL, HLS, EQ5D, WHO5, GSE, EMP],
}

# --------------------------------------------------------------------------------------
# Pseudonyms and people
# --------------------------------------------------------------------------------------


def make_pseudonyms(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct random study codes ``JH-XXXXXX`` (digits and capitals, not sequential).

    >>> ids = make_pseudonyms(3, np.random.default_rng(1))
    >>> len(set(ids)) == 3 and all(re.match(ID_PATTERN, i) for i in ids)
    True
    """
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        draws = rng.integers(0, len(_ALPHABET), size=(max(2 * (n - len(out)), 8), 6))
        # the six characters of each row as one string (numpy, not a join per row)
        codes = np.ascontiguousarray(_ALPHABET[draws]).view(f"<U{draws.shape[1]}").ravel().tolist()
        for code in codes:
            code = "JH-" + code
            if code not in seen:
                seen.add(code)
                out.append(code)
                if len(out) == n:
                    break
    return out


def _choice(rng: np.random.Generator, n: int, probs) -> np.ndarray:
    """Codes 1..k with probabilities ``probs`` (rows may differ per person)."""
    p = np.asarray(probs, dtype=float)
    if p.ndim == 1:
        p = np.broadcast_to(p, (n, p.size))
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(n)
    return (u[:, None] > cum).sum(axis=1) + 1


def _demographics(rng: np.random.Generator, n: int) -> pd.DataFrame:
    region = _choice(rng, n, [0.15, 0.02, 0.10, 0.50, 0.15, 0.08])
    lang_by_region = {
        1: [0.95, 0, 0, 0, 0.05, 0, 0],
        2: [0.90, 0, 0, 0, 0.10, 0, 0],
        3: [0.35, 0, 0, 0, 0.10, 0.55, 0],
        4: [0.20, 0.60, 0, 0.15, 0.05, 0, 0],
        5: [0.20, 0, 0.60, 0, 0.10, 0, 0.10],
        6: [0.20, 0, 0, 0.30, 0.30, 0, 0.20],
    }
    language = _choice(rng, n, np.array([lang_by_region[r] for r in region]))
    gender = _choice(rng, n, [0.75, 0.23, 0.02])
    age_group = _choice(rng, n, [0.15, 0.40, 0.35, 0.10])
    education = _choice(rng, n, [0.35, 0.35, 0.30])
    workshop_probs = np.where((gender == 2)[:, None], [0.40, 0.0, 0.35, 0.25], [0.30, 0.30, 0.20, 0.20])
    workshop = _choice(rng, n, workshop_probs)
    return pd.DataFrame({"gender": gender, "age_group": age_group, "education": education,
                         "region_of_birth": region, "language": language, "workshop": workshop})


def _trait_shift(demo: pd.DataFrame) -> np.ndarray:
    """Mean differences of the latent traits by demographics (n x traits)."""
    shift = np.zeros((len(demo), len(TRAITS)))
    age = demo["age_group"].to_numpy()
    edu = demo["education"].to_numpy()
    non_swedish = (demo["language"].to_numpy() != 1).astype(float)
    shift[:, TRAITS.index("phys")] = -0.25 * (age - 2)
    shift[:, TRAITS.index("hl")] = 0.30 * (edu - 2) - 0.30 * non_swedish
    shift[:, TRAITS.index("env")] = 0.15 * (edu - 2)
    return shift


# --------------------------------------------------------------------------------------
# Item responses
# --------------------------------------------------------------------------------------


def _mix(theta: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    idx = [TRAITS.index(t) for t in weights]
    w = np.array(list(weights.values()))
    scale = np.sqrt(w @ TRAIT_CORR[np.ix_(idx, idx)] @ w)
    return sum(wt * theta[t] for t, wt in weights.items()) / scale


def _simulate_responses(
    rng: np.random.Generator,
    traits: np.ndarray,
    shift: np.ndarray,
    dose: np.ndarray,
    years: np.ndarray,
    coupled: bool = False,
) -> dict[str, dict[str, np.ndarray]]:
    """Complete item responses (raw questionnaire codes) of every person at every wave.

    Parameters
    ----------
    traits
        n x 7 stable latent traits.
    shift
        n x 7 demographic mean shifts.
    dose
        n, share of the latent effect a person gets (1 recurring, 0.3 occasional).
    years
        n x waves, years of participation at each wave (0 = first wave, <0 = not yet).
    coupled
        Reuse the occasion deviations and item noise of the first wave at every wave
        (common random numbers): each wave's marginal distribution is unchanged, so mean
        changes are estimated with far less Monte Carlo error. Used only for the ground truth.
    """
    n = traits.shape[0]
    occasion0 = rng.standard_normal((n, len(TRAITS)))
    noise0 = {name: rng.standard_normal((n, len(b.items))) for name, b in BLOCKS.items()}
    vas_noise0 = rng.standard_normal(n)
    heap0 = rng.random(n)
    out: dict[str, dict[str, np.ndarray]] = {}
    for w, wave in enumerate(WAVES):
        if coupled or w == 0:
            occasion, noise, vas_noise, heap = occasion0, noise0, vas_noise0, heap0
        else:
            occasion = rng.standard_normal((n, len(TRAITS)))
            noise = {name: rng.standard_normal((n, len(b.items))) for name, b in BLOCKS.items()}
            vas_noise = rng.standard_normal(n)
            heap = rng.random(n)
        theta_all = STABLE * traits + OCCASION * occasion + shift
        theta = {t: theta_all[:, i] for i, t in enumerate(TRAITS)}
        y = np.clip(years[:, w], 0, 2).astype(int)

        def effect(key: str, y: np.ndarray = y) -> np.ndarray:
            per_year = np.array((0.0, *LATENT_SHIFT[key]))
            return dose * per_year[y]

        items: dict[str, np.ndarray] = {}
        for name, b in BLOCKS.items():
            lat = _mix(theta, b.traits) + effect(b.effect)
            sign = -1.0 if b.problems_scale else 1.0  # EQ-5D: higher level = more problems
            ystar = sign * lat[:, None] + np.array(b.offsets)[None, :] + b.noise * noise[name]
            codes = b.low + (ystar[:, :, None] > np.array(b.thresholds)[None, None, :]).sum(axis=2)
            top = b.low + len(b.thresholds)
            for j, item in enumerate(b.items):
                col = codes[:, j]
                items[item] = (top + b.low - col) if item in b.reversed_items else col
        lat = _mix(theta, VAS_BLOCK["traits"]) + effect(VAS_BLOCK["effect"])
        vas = VAS_BLOCK["mean"] + VAS_BLOCK["sd"] * lat + VAS_BLOCK["noise"] * vas_noise
        vas = np.where(heap < 0.5, np.round(vas / 5) * 5, np.round(vas))
        items["eq5d5l_vas"] = np.clip(vas, 0, 100).astype(int)
        out[wave] = {k: items[k].astype(np.int64) for k in ITEMS}
    return out


def _scores(items: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Outcome scores of *complete* raw item responses (reference scoring for the truth)."""

    def w(i: int) -> np.ndarray:
        x = items[f"whoqol_bref_{i:02d}"].astype(float)
        return 6 - x if i in WHOQOL_NEGATIVE else x

    out = {}
    for dom, nums in WHOQOL_DOMAINS.items():
        raw = np.mean([w(i) for i in nums], axis=0) * 4
        out[f"whoqol_bref_{dom}_100"] = (raw - 4) * 100 / 16
    index = np.ones(len(items["srh_01"]))
    for d, dec in SE_SUN2022.items():
        lev = items[f"eq5d5l_{d}"]
        index = index + np.select([lev == k for k in (2, 3, 4, 5)], dec, 0.0)
    out["eq5d5l_index"] = index
    out["eq5d5l_vas"] = items["eq5d5l_vas"].astype(float)
    out["hls_eu_q16_score"] = np.sum([items[i] >= 3 for i in HLS], axis=0).astype(float)
    out["who5_percent"] = np.sum([items[i] for i in WHO5], axis=0) * 4.0
    out["gse_score"] = np.mean([items[i] for i in GSE], axis=0) * 10.0
    emp = [(6 - items[it]) if k + 1 in EMP_REVERSE else items[it] for k, it in enumerate(EMP)]
    out["jh_empowerment_score"] = np.mean(emp, axis=0).astype(float)
    out["srh_good"] = (items["srh_01"] <= 2).astype(float)
    return {k: out[k] for k in OUTCOMES}


# --------------------------------------------------------------------------------------
# Attrition (missing at random given observed baseline self-rated health)
# --------------------------------------------------------------------------------------

ATTRITION = {"T1": {"intercept": 0.05, "srh": 0.55, "recurring": 0.70},
             "T2": {"intercept": -0.70, "srh": 0.45, "recurring": 0.60, "answered_t1": 1.30}}


def _response_probabilities(srh0: np.ndarray,
                            recurring: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """P(answers T1) and (P(answers T2), P(T2 | answered T1), P(T2 | not T1)).

    ``srh0`` is the observed baseline self-rated health (1 = mycket bra .. 5 = mycket dåligt;
    missing counts as 3).
    """
    good = 3.0 - np.where(np.isin(srh0, [1, 2, 3, 4, 5]), srh0, 3)
    a, b = ATTRITION["T1"], ATTRITION["T2"]
    p1 = 1 / (1 + np.exp(-(a["intercept"] + a["srh"] * good + a["recurring"] * recurring)))
    lin2 = b["intercept"] + b["srh"] * good + b["recurring"] * recurring
    p2_if1 = 1 / (1 + np.exp(-(lin2 + b["answered_t1"])))
    p2_if0 = 1 / (1 + np.exp(-lin2))
    return p1, (p1 * p2_if1 + (1 - p1) * p2_if0, p2_if1, p2_if0)


# --------------------------------------------------------------------------------------
# Ground truth
# --------------------------------------------------------------------------------------


def ground_truth(seed: int, truth_n: int = TRUTH_N) -> list[dict]:
    """True mean change of every outcome among recurring participants.

    Two large simulated cohorts (``truth_n`` recurring participants each, demographics,
    traits and responses from exactly the generator used for the study, no item
    non-response, no attrition):

    * ``true_mean_change``: mean of score(post) - score(pre) with common random numbers
      (the occasion deviations and item noise of T0 reused at T1/T2). Every wave keeps its
      marginal distribution, so this is an unbiased estimate of E[score(post)] -
      E[score(pre)] with a tiny Monte Carlo error (``monte_carlo_se``); a zero latent
      shift gives exactly 0.
    * ``expected_change_observed_pairs``: with independent noise at every wave (the real
      process), the mean change weighted by each person's probability of answering the
      follow-up under the attrition model — what a complete-pairs analysis of the
      recurring participants estimates on average (differs slightly from the true change
      because drop-out depends on baseline self-rated health: regression to the mean).
    * ``mean_pre`` and ``sd_change`` come from the independent-noise cohort.
    """
    ss = np.random.SeedSequence([seed, 7_777])
    results: dict[bool, dict[str, dict[str, np.ndarray]]] = {}
    weights = None
    for coupled, child in zip((True, False), ss.spawn(2), strict=True):
        rng = np.random.default_rng(child)
        demo = _demographics(rng, truth_n)
        traits = rng.standard_normal((truth_n, len(TRAITS))) @ np.linalg.cholesky(TRAIT_CORR).T
        years = np.tile(np.arange(len(WAVES)), (truth_n, 1))
        resp = _simulate_responses(rng, traits, _trait_shift(demo), np.ones(truth_n), years, coupled)
        results[coupled] = {wave: _scores(resp[wave]) for wave in WAVES}
        if not coupled:
            p1, (p2, _, _) = _response_probabilities(resp["T0"]["srh_01"], np.ones(truth_n))
            weights = {"T1": p1, "T2": p2}
    assert weights is not None   # the loop's second cohort (coupled False) always sets it
    rows = []
    for outcome, (metric, better) in OUTCOMES.items():
        for post in WAVES[1:]:
            d_crn = results[True][post][outcome] - results[True]["T0"][outcome]
            d_ind = results[False][post][outcome] - results[False]["T0"][outcome]
            rows.append({
                "outcome": outcome,
                "pre": "T0",
                "post": post,
                "true_mean_change": _r(d_crn.mean()),
                "monte_carlo_se": _r(d_crn.std(ddof=1) / np.sqrt(truth_n)),
                "expected_change_observed_pairs": _r(np.average(d_ind, weights=weights[post])),
                "mean_pre": _r(results[False]["T0"][outcome].mean()),
                "sd_change": _r(d_ind.std(ddof=1)),
                "metric": metric,
                "higher_is_better": better,
            })
    return rows


def _r(x: float) -> float:
    """Round for the written files (keeps them byte-stable)."""
    v = round(float(x), 4)
    return 0.0 if v == 0 else v


# --------------------------------------------------------------------------------------
# Attendance register
# --------------------------------------------------------------------------------------


def _mondays() -> list[dt.date]:
    out, d = [], ATTENDANCE_START
    while d <= ATTENDANCE_END:
        out.append(d)
        d += dt.timedelta(days=7)
    return out


def _attendance(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """Visits (participant_id, workshop, visit_date) for every person in the register.

    Each person has one or two fixed weekly sessions (weekdays of a workshop) attended
    with a personal probability during an active period; workshops pause for three summer
    weeks and at Christmas. Recurring participants: two sessions attended with p 0.55-0.75
    (≈1.3 visits a week); if by chance one of them would average no more than
    :data:`MIN_RECURRING_RATE` visits a week between T0 and a follow-up, missed sessions
    in that interval are turned into visits until they do, so the designated recurring
    participants are exactly those the pipeline's rule (> 1 visit a week) finds.
    Occasional participants: one session with p 0.10-0.55 (never > 1 a week), many stop
    before the end. New respondents start some months before their first wave;
    register-only people (children's activities, short visits) have a short spell.
    """
    mondays = _mondays()
    open_week = np.array([m.isocalendar()[1] not in CLOSED_WEEKS for m in mondays])
    nweeks = len(mondays)
    # dates as integer days (numpy datetime64[D]): no Python date object per visit
    monday_day = np.array(mondays, dtype="datetime64[D]").astype(np.int64)
    end_day = _day(ATTENDANCE_END)
    wave_day = {w: _day(d) for w, d in WAVE_DATES.items()}
    # (numpy compares the date objects; its stubs accept no date as the value searched for)
    week_of = {name: int(np.searchsorted(np.array(mondays), cast(Any, d))) for name, d in
               {"T1": WAVE_DATES["T1"] - dt.timedelta(days=300),
                "T1_end": WAVE_DATES["T1"] - dt.timedelta(days=20),
                "T2": WAVE_DATES["T2"] - dt.timedelta(days=330),
                "T2_end": WAVE_DATES["T2"] - dt.timedelta(days=20)}.items()}
    labels = COVARIATE_CODES["workshop"]
    # the random draws below are made person by person in a fixed order (the files must not
    # change); everything per visit is vectorised
    rows_person, rows_ws, rows_day = [], [], []
    for person, (kind, ws) in enumerate(people[["kind", "workshop"]].itertuples(index=False)):
        if kind == "recurring":
            start, end = int(rng.integers(0, 4)), nweeks
            p = rng.uniform(0.55, 0.75, size=2)
        elif kind == "occasional":
            start = int(rng.integers(0, 6))
            end = int(rng.integers(start + 8, nweeks + 1)) if rng.random() < 0.6 else nweeks
            p = rng.uniform(0.10, 0.55, size=1)
        elif kind in ("new_T1", "new_T2"):
            lo, hi = (week_of["T1"], week_of["T1_end"]) if kind == "new_T1" else (week_of["T2"], week_of["T2_end"])
            start, end = int(rng.integers(lo, hi)), nweeks
            p = rng.uniform(0.3, 0.9, size=int(rng.integers(1, 3)))
        else:  # register only: short spell, never answered the survey
            start = int(rng.integers(0, nweeks - 2))
            end = min(nweeks, start + int(rng.integers(2, 21)))
            p = rng.uniform(0.3, 0.9, size=1)
        # sessions: first slot in the person's own workshop, second sometimes in another
        slots = [(ws, WORKSHOP_DAYS[ws][0])]
        if len(p) == 2:
            other = ws if rng.random() < 0.7 else int(rng.choice([k for k in labels if k != ws]))
            day = next(d for d in (*WORKSHOP_DAYS[other], *range(5)) if d != slots[0][1])
            slots.append((other, day))
        dates = monday_day[:, None] + np.array([day for _, day in slots])[None, :]
        active = np.zeros(nweeks, bool)
        active[start:end] = True
        possible = (active & open_week)[:, None] & (dates <= end_day)
        attend = (rng.random((nweeks, len(p))) < p[None, :]) & possible
        if kind == "recurring":
            for wave in WAVES[1:]:
                t0, t1 = WAVE_DATES["T0"], WAVE_DATES[wave]
                inside = possible & (dates >= wave_day["T0"]) & (dates <= wave_day[wave])
                need = int(np.floor(MIN_RECURRING_RATE * (t1 - t0).days / 7)) + 1 - int(attend[inside].sum())
                if need > 0:
                    missed = np.flatnonzero((inside & ~attend).ravel())
                    attend.ravel()[rng.choice(missed, size=need, replace=False)] = True
        for s, (wsk, _) in enumerate(slots):
            visit_days = dates[attend[:, s], s]
            rows_person.append(np.full(visit_days.size, person))
            rows_ws.append(np.full(visit_days.size, wsk))
            rows_day.append(visit_days)
    person_idx = np.concatenate(rows_person) if rows_person else np.zeros(0, int)
    ws_codes = np.concatenate(rows_ws) if rows_ws else np.zeros(0, int)
    # IDs and workshops as ordered categoricals with lexicographically sorted categories:
    # they sort like the strings, and millions of visits hold small codes, not str objects
    ids = people["participant_id"].to_numpy(dtype=object)
    id_order = np.argsort(ids, kind="stable")
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[id_order] = np.arange(len(ids))
    ws_names = sorted(labels.values())
    ws_rank = np.array([ws_names.index(labels[k]) if k in labels else -1 for k in range(max(labels) + 1)])
    att = pd.DataFrame({
        "participant_id": pd.Categorical.from_codes(id_rank[person_idx], categories=ids[id_order], ordered=True),
        "workshop": pd.Categorical.from_codes(ws_rank[ws_codes], categories=ws_names, ordered=True),
        "visit_date": (np.concatenate(rows_day) if rows_day else np.zeros(0, np.int64)).astype("datetime64[D]"),
    })
    att["visit_date"] = att["visit_date"].astype("datetime64[ns]")
    return att.sort_values(["visit_date", "participant_id", "workshop"], kind="mergesort").reset_index(drop=True)


def _day(d: dt.date) -> int:
    """Days since 1970-01-01 (the integer behind numpy's ``datetime64[D]``)."""
    return int(np.datetime64(d, "D").astype(np.int64))


def visits_per_week(attendance: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    """Average visits per week of each participant between ``start`` and ``end`` (inclusive).

    Parameters
    ----------
    attendance
        Register with columns ``participant_id`` and ``visit_date`` (dates or ISO strings).
    start, end
        The interval, e.g. the baseline and follow-up dates.

    Returns
    -------
    pandas.Series
        Visits / ((end - start) in days / 7), indexed by participant_id (only people with
        at least one visit in the interval).

    Examples
    --------
    >>> att = pd.DataFrame({"participant_id": ["JH-AAAAAA"] * 3,
    ...                     "visit_date": ["2024-01-01", "2024-01-03", "2024-01-10"]})
    >>> visits_per_week(att, dt.date(2024, 1, 1), dt.date(2024, 1, 15)).round(2).tolist()
    [1.5]
    """
    dates = pd.to_datetime(attendance["visit_date"]).dt.normalize()
    inside = attendance[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]
    weeks = (end - start).days / 7
    return inside.groupby("participant_id", observed=True).size() / weeks


# --------------------------------------------------------------------------------------
# Writing files
# --------------------------------------------------------------------------------------


def _patch_sav_timestamp(path: Path, when: dt.datetime) -> None:
    """Replace the creation date/time ReadStat writes into the .sav header by ``when``.

    The 176-byte 'SPSS system file' header record is: rec_type[4], prod_name[60],
    layout_code, nominal_case_size, compression, weight_index, ncases (int32 each),
    bias (float64), creation_date[9] 'dd mmm yy' at byte 92, creation_time[8]
    'hh:mm:ss' at byte 101, file_label[64], padding[3].
    """
    data = bytearray(path.read_bytes())
    if data[:4] != b"$FL2" or not re.fullmatch(rb"\d\d [A-Z][a-z]{2} \d\d", bytes(data[92:101])) \
            or not re.fullmatch(rb"\d\d:\d\d:\d\d", bytes(data[101:109])):
        raise RuntimeError(f"{path}: unexpected SPSS header layout; cannot fix its timestamp")
    month = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()[when.month - 1]
    data[92:101] = f"{when.day:02d} {month} {when.year % 100:02d}".encode("ascii")
    data[101:109] = when.strftime("%H:%M:%S").encode("ascii")
    path.write_bytes(bytes(data))


def _write_sav(df: pd.DataFrame, path: Path, wave: str, meta: dict) -> None:
    pyreadstat.write_sav(
        df,
        path,
        file_label=f"Jämlik hälsa {wave} (syntetisk)",
        column_labels=meta["labels"],
        row_compress=True,
        note=["Syntetiska data: inga verkliga personer. Synthetic data: no real persons.",
              "Skapad med python -m tools.example_study"],
        variable_value_labels=meta["value_labels"],
        missing_ranges=meta["missing"],
        variable_measure=meta["measure"],
        variable_format=meta["format"],
    )
    # creation stamp: noon, three weeks after the wave's nominal date
    _patch_sav_timestamp(path, dt.datetime.combine(WAVE_DATES[wave] + dt.timedelta(days=21), dt.time(12)))


def _wave_frame(wave: str, ids, demo: pd.DataFrame, items: dict[str, np.ndarray],
                admin: dict[str, tuple[str, object, dict[int, str] | None]]) -> tuple[pd.DataFrame, dict]:
    cols: dict[str, object] = {ID_VARIABLE[wave]: list(ids)}
    labels = {ID_VARIABLE[wave]: "Studiekod (pseudonym)"}
    value_labels, missing, measure, fmt = {}, {}, {ID_VARIABLE[wave]: "nominal"}, {ID_VARIABLE[wave]: "A9"}
    for cov in COVARIATES:
        name = raw_name(wave, cov)
        cols[name] = demo[cov].to_numpy(dtype=float)
        labels[name] = COVARIATE_TEXT[cov]
        value_labels[name] = COVARIATE_CODES[cov] | {NO_ANSWER: "Ej svar"}
        missing[name] = [NO_ANSWER]
        measure[name] = "ordinal" if cov in ("age_group", "education") else "nominal"
        fmt[name] = "F1.0"
    for section in _SECTION_ORDER[wave]:
        for item in section:
            name = raw_name(wave, item)
            cols[name] = items[item].astype(float)
            labels[name] = _item_label(item)
            value_labels[name] = _item_codes(item)
            missing[name] = _item_missing(item)
            measure[name] = "scale" if item == "eq5d5l_vas" else "ordinal"
            fmt[name] = "F3.0" if item == "eq5d5l_vas" else "F1.0"
    for name, (label, values, codes) in admin.items():
        cols[name] = values
        labels[name] = label
        if codes:
            value_labels[name] = codes
            measure[name] = "nominal"
            fmt[name] = "F1.0"
    df = pd.DataFrame(cols)
    return df, {"labels": labels, "value_labels": value_labels, "missing": missing,
                "measure": measure, "format": fmt}


def _apply_missing(rng: np.random.Generator, items: dict[str, np.ndarray], demo: pd.DataFrame) -> dict:
    """Item non-response with the questionnaire's codes (the same draws for every wave size)."""
    n = len(demo)
    out = {k: v.copy() for k, v in items.items()}
    u = {k: rng.random(n) for k in ITEMS}
    skip_back_page = rng.random(n) < 0.02  # GSE and empowerment left blank
    skip_hls_page = rng.random(n) < 0.01
    non_swedish = demo["language"].to_numpy() != 1
    low_edu = demo["education"].to_numpy() == 1
    p_dk_hls = 0.02 + 0.03 * non_swedish + 0.02 * low_edu
    for k in ITEMS:
        x = out[k]
        if k == "eq5d5l_vas":
            x[u[k] < 0.010] = VAS_DONT_KNOW
            x[(u[k] >= 0.010) & (u[k] < 0.030)] = VAS_NO_ANSWER
        elif k in HLS:
            x[u[k] < p_dk_hls] = HLS_DONT_KNOW
            x[(u[k] >= p_dk_hls) & (u[k] < p_dk_hls + 0.015)] = NO_ANSWER
            x[skip_hls_page] = NO_ANSWER
        elif k.startswith("eq5d5l_"):
            x[u[k] < 0.010] = NO_ANSWER
        else:
            x[u[k] < 0.006] = DONT_KNOW
            x[(u[k] >= 0.006) & (u[k] < 0.021)] = NO_ANSWER
            if k in GSE or k in EMP:
                x[skip_back_page] = NO_ANSWER
    return out


def generate_study(out_dir, participants: int = 250, seed: int = 2023, truth_n: int = TRUTH_N) -> dict[str, Path]:
    """Write the synthetic example study into ``out_dir``.

    Parameters
    ----------
    out_dir
        Output folder (created). Existing files of the same names are overwritten.
    participants
        Baseline (T0) respondents; ≈64 % of them are recurring participants, ≈12 % and
        ≈10 % of this number join at T1 and T2, and ≈20 % are in the attendance register
        only.
    seed
        Seed of every random draw; same arguments give byte-identical files.
    truth_n
        Size of the simulated cohorts the ground truth is computed on.

    Returns
    -------
    dict
        Name -> path of every written file: ``wave_T0``, ``wave_T1``, ``wave_T2``,
        ``attendance``, ``scale``, ``ground_truth``, ``partner_2024``, ``partner_2025``
        (the partner surveys, :mod:`tools.example_partners`), ``text_bakgrund``,
        ``text_background`` (the report's background text), ``study``, ``readme``.
    """
    if participants < 6:
        raise ValueError("participants must be at least 6")
    out = Path(out_dir)
    (out / "waves").mkdir(parents=True, exist_ok=True)
    (out / "scales").mkdir(parents=True, exist_ok=True)
    ss = np.random.SeedSequence(seed)
    r_ids, r_people, r_latent, r_missing, r_response, r_admin, r_att = (
        np.random.default_rng(s) for s in ss.spawn(7)
    )

    n0 = participants
    n_rec = round(RECURRING_SHARE * n0)
    n1, n2 = round(NEW_AT_T1_SHARE * n0), round(NEW_AT_T2_SHARE * n0)
    n_reg = round(REGISTER_ONLY_SHARE * n0)
    n_survey = n0 + n1 + n2
    ids = make_pseudonyms(n_survey + n_reg, r_ids)

    first_wave = np.array([0] * n0 + [1] * n1 + [2] * n2)
    recurring = np.zeros(n_survey, bool)
    recurring[r_people.permutation(n0)[:n_rec]] = True
    demo = _demographics(r_people, n_survey)
    traits = r_people.standard_normal((n_survey, len(TRAITS))) @ np.linalg.cholesky(TRAIT_CORR).T
    dose = np.where(recurring, 1.0, np.where(first_wave == 0, OCCASIONAL_EFFECT, 0.5))
    years = np.arange(len(WAVES))[None, :] - first_wave[:, None]
    complete = _simulate_responses(r_latent, traits, _trait_shift(demo), dose, years)

    # language: some switch to the Swedish questionnaire at later waves
    demo_by_wave = {"T0": demo.copy()}
    switch = r_people.random(n_survey)
    for w, wave in enumerate(WAVES[1:], start=1):
        d = demo.copy()
        d.loc[(switch < 0.08 * w) & (d["language"] != 1), "language"] = 1
        demo_by_wave[wave] = d
    for wave in WAVES:  # item non-response in the covariates
        d = demo_by_wave[wave]
        d.loc[r_missing.random(n_survey) < 0.02, "education"] = NO_ANSWER
        d.loc[r_missing.random(n_survey) < 0.01, "region_of_birth"] = NO_ANSWER
    observed = {wave: _apply_missing(r_missing, complete[wave], demo_by_wave[wave]) for wave in WAVES}

    # who answers which wave
    p1, (_, p2_if1, p2_if0) = _response_probabilities(observed["T0"]["srh_01"], recurring.astype(float))
    u1, u2 = r_response.random(n_survey), r_response.random(n_survey)
    answered = {"T0": first_wave == 0}
    answered["T1"] = ((first_wave == 0) & (u1 < p1)) | (first_wave == 1)
    p2 = np.where(answered["T1"], p2_if1, p2_if0)
    answered["T2"] = ((first_wave == 0) & (u2 < p2)) | ((first_wave == 1) & (u2 < 0.6)) | (first_wave == 2)

    paths: dict[str, Path] = {}
    files = {"T0": "waves/jh_T0_hosten2023.sav", "T1": "waves/jh_T1_dec2024.sav",
             "T2": "waves/jh_T2_dec2025.sav"}
    for wave in WAVES:
        sel = np.flatnonzero(answered[wave])
        sel = sel[np.argsort(np.array(ids)[sel], kind="stable")]
        m = len(sel)
        non_sv = demo_by_wave[wave]["language"].to_numpy()[sel] != 1
        assisted = np.where(r_admin.random(m) < np.where(non_sv, 0.45, 0.08), 1, 2).astype(float)
        dates = [WAVE_DATES[wave] + dt.timedelta(days=int(k)) for k in r_admin.integers(-18, 26, m)]
        mode = r_admin.choice([1, 2, 3], size=m, p=[0.5, 0.3, 0.2]).astype(float)
        if wave == "T0":
            admin = {
                "enkatdatum": ("Datum då enkäten besvarades", dates, None),
                "tolkstod": ("Besvarad med stöd av tolk eller hälsofrämjare", assisted,
                             {1: "Ja", 2: "Nej"}),
                "f7": ("Hur länge har du deltagit i Jämlik hälsa?",
                       r_admin.choice([1, 2, 3, 4], size=m, p=[0.3, 0.25, 0.25, 0.2]).astype(float),
                       {1: "Mindre än 6 månader", 2: "6-12 månader", 3: "1-2 år", 4: "Mer än 2 år"}),
            }
        elif wave == "T1":
            admin = {
                "ifylld_datum": ("Ifyllnadsdatum", dates, None),
                "hjalp_ifyllnad": ("Fick hjälp att fylla i enkäten", assisted, {1: "Ja", 2: "Nej"}),
                "insamlingssatt": ("Insamlingssätt", np.where(mode == 3, 1.0, mode),
                                   {1: "Papper", 2: "Surfplatta"}),
            }
        else:
            admin = {
                "svarsdatum": ("Svarsdatum", dates, None),
                "intervjuarstod": ("Intervjuarstödd ifyllnad", 2.0 - assisted, {0: "Nej", 1: "Ja"}),
                "svarsform": ("Svarsform", mode, {1: "Papper", 2: "Webb", 3: "Intervju"}),
            }
        demo_w = demo_by_wave[wave].iloc[sel].reset_index(drop=True)
        items_w = {k: v[sel] for k, v in observed[wave].items()}
        df, meta = _wave_frame(wave, [ids[i] for i in sel], demo_w, items_w, admin)
        path = out / files[wave]
        _write_sav(df, path, wave, meta)
        paths[f"wave_{wave}"] = path

    kinds = np.where(recurring, "recurring", np.where(first_wave == 0, "occasional",
                                                      np.where(first_wave == 1, "new_T1", "new_T2")))
    register_ws = np.concatenate([demo["workshop"].to_numpy(), _choice(r_att, n_reg, [0.3, 0.3, 0.2, 0.2])])
    people = pd.DataFrame({"participant_id": ids, "kind": [*kinds, *["register_only"] * n_reg],
                           "workshop": register_ws})
    att = _attendance(r_att, people)
    # the designated recurring participants must be recurring under the pipeline's rule
    for wave in WAVES[1:]:
        rate = visits_per_week(att, WAVE_DATES["T0"], WAVE_DATES[wave])
        rec_ids = [ids[i] for i in np.flatnonzero(recurring)]
        occ_ids = [ids[i] for i in np.flatnonzero(~recurring & (first_wave == 0))]
        if (rate.reindex(rec_ids).fillna(0) <= 1.05).any() or (rate.reindex(occ_ids).fillna(0) >= 0.95).any():
            raise RuntimeError("attendance generator broke the recurring/occasional separation")
    days = att["visit_date"].to_numpy().astype("datetime64[D]")
    day_values, day_codes = np.unique(days, return_inverse=True)  # a few hundred distinct dates
    att_out = att.assign(visit_date=pd.Categorical.from_codes(day_codes.ravel(), categories=day_values.astype(str)))
    paths["attendance"] = out / "attendance.csv"
    paths["attendance"].write_bytes(att_out.to_csv(index=False, lineterminator="\n").encode("utf-8"))

    paths["scale"] = out / "scales" / "jh_empowerment.yaml"
    paths["scale"].write_bytes(EMPOWERMENT_SCALE_YAML.encode("utf-8"))
    (out / "texts").mkdir(parents=True, exist_ok=True)
    for name, text in EXAMPLE_TEXTS.items():   # the researchers' background section, both languages
        key = f"text_{Path(name).stem}"
        paths[key] = out / "texts" / name
        paths[key].write_bytes(text.encode("utf-8"))

    truth = ground_truth(seed, truth_n)
    counts = _counts(answered, first_wave, recurring, ids, att)
    paths["ground_truth"] = out / "ground_truth.yaml"
    paths["ground_truth"].write_bytes(_ground_truth_yaml(truth, participants, seed, truth_n, counts).encode("utf-8"))
    partner_paths, partner_yaml, partner_readme = example_partners.write_partner_surveys(out, seed)
    paths.update(partner_paths)
    paths["study"] = out / "study.yaml"
    paths["study"].write_bytes((_study_yaml(files) + partner_yaml).encode("utf-8"))
    paths["readme"] = out / "README.md"
    paths["readme"].write_bytes((_readme(participants, seed, counts, files) + partner_readme).encode("utf-8"))

    from studyconfig.config import load_config  # validate what we wrote (no Dagster import)

    load_config(paths["study"])
    return paths


def set_publishing(study_yaml: str | Path, **settings: Any) -> None:
    r"""Set keys of the ``publishing:`` section of a generated ``study.yaml`` in place,
    keeping its comments and order: a key already there (at the section's own indentation)
    gets the new value, a new key is added as the section's first line.

    For tests and the attacker sweep, which vary the disclosure settings and the figure
    formats of generated studies. Values are written in YAML flow style (numbers, booleans,
    lists of strings).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "study.yaml"
    >>> _ = path.write_text("study: {}\npublishing:\n  # k\n  k_min_cell: 5\nreport: {}\n")
    >>> set_publishing(path, k_min_cell=3, figure_formats=["png"])
    >>> print(path.read_text(), end="")
    study: {}
    publishing:
      figure_formats: ["png"]
      # k
      k_min_cell: 3
    report: {}
    >>> set_publishing(path, colour=True, level={"a": 1})
    Traceback (most recent call last):
    ValueError: ...: publishing.level: only numbers, booleans, strings and lists of them are set here
    """
    path = Path(study_yaml)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.rstrip("\n") == "publishing:"]
    if len(starts) != 1:
        raise ValueError(f"{path}: expected one top-level 'publishing:' line, found {len(starts)}")
    start = starts[0]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() and not lines[i][0].isspace()
                and not lines[i].startswith("#")), len(lines))
    body = [i for i in range(start + 1, end) if lines[i].strip() and not lines[i].lstrip().startswith("#")]
    indent = lines[body[0]][:len(lines[body[0]]) - len(lines[body[0]].lstrip())] if body else "  "
    for key, value in settings.items():
        if not (isinstance(value, (bool, int, float, str)) or
                (isinstance(value, (list, tuple)) and all(isinstance(v, (bool, int, float, str)) for v in value))):
            raise ValueError(f"{path}: publishing.{key}: only numbers, booleans, strings and lists of them "
                             "are set here")
        line = f"{indent}{key}: {json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)}\n"
        at = [i for i in body if lines[i].startswith(f"{indent}{key}:")]
        if at:
            lines[at[0]] = line
        else:
            lines.insert(start + 1, line)
            body = [i + 1 if i > start else i for i in body]
    path.write_text("".join(lines), encoding="utf-8")



def rewrite_sav(path: str | Path, change: Callable[[pd.DataFrame], pd.DataFrame | None] | None = None, *,
                column_labels: Mapping[str, str | None] | None = None,
                value_labels: Mapping[str, Mapping[float, str] | None] | None = None,
                missing: Mapping[str, list] | None = None, to: str | Path | None = None) -> None:
    """Rewrite an SPSS file after ``change(df)``, keeping what the file declares.

    For tests that damage or edit a generated wave the way a real export can change:
    ``change`` edits the frame read with its user-missing codes as values (in place, or
    returns a new frame: rows dropped, columns added). Column labels, value labels,
    user-missing ranges and measurement levels of the file are kept for every column
    still in the frame; ``column_labels``, ``value_labels`` and ``missing`` override or add
    (a value label set of ``None`` removes that column's labels). Written to ``to``, else
    back to ``path``.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "w.sav"
    >>> pyreadstat.write_sav(pd.DataFrame({"kod": ["A", "B"], "q1": [1.0, 9.0]}), str(path),
    ...                      column_labels=["Kod", "Fråga 1"], variable_value_labels={"q1": {1.0: "Ja", 9.0: "Vet ej"}},
    ...                      missing_ranges={"q1": [9.0]})
    >>> rewrite_sav(path, lambda df: df.assign(q2=[2.0, 1.0]).iloc[1:], column_labels={"q2": "Fråga 2"},
    ...             value_labels={"q1": {1.0: "Ja", 2.0: "Nej", 9.0: "Vet ej"}})
    >>> df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    >>> df.to_dict("list"), meta.column_labels, meta.missing_ranges
    ({'kod': ['B'], 'q1': [9.0], 'q2': [1.0]}, ['Kod', 'Fråga 1', 'Fråga 2'], {'q1': [{'lo': 9.0, 'hi': 9.0}]})
    >>> meta.variable_value_labels
    {'q1': {1.0: 'Ja', 2.0: 'Nej', 9.0: 'Vet ej'}}
    """
    df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    if change is not None:
        changed = change(df)
        df = df if changed is None else changed
    labels = {**meta.column_names_to_labels, **(column_labels or {})}
    values: dict[str, Any] = {**meta.variable_value_labels, **(value_labels or {})}
    ranges = {**meta.missing_ranges, **(missing or {})}
    pyreadstat.write_sav(df, str(to or path), column_labels=[labels.get(c) for c in df.columns],
                         variable_value_labels={c: v for c, v in values.items() if c in df.columns and v is not None},
                         missing_ranges={c: v for c, v in ranges.items() if c in df.columns},
                         variable_measure={c: v for c, v in meta.variable_measure.items() if c in df.columns})


def _counts(answered, first_wave, recurring, ids, att) -> dict:
    ids = np.array(ids[: len(first_wave)])
    c: dict[str, int | float] = {f"n_{w}": int(answered[w].sum()) for w in WAVES}
    c["n_recurring_baseline"] = int(recurring.sum())
    for w in WAVES[1:]:
        rate = visits_per_week(att, WAVE_DATES["T0"], WAVE_DATES[w]).reindex(ids).fillna(0).to_numpy()
        both = answered["T0"] & answered[w]
        c[f"n_pairs_T0_{w}"] = int(both.sum())
        c[f"n_recurring_pairs_T0_{w}"] = int((both & (rate > 1.0)).sum())
        c[f"attrition_{w}"] = round(float(1 - both.sum() / answered["T0"].sum()), 3)
        c[f"n_new_{w}"] = int((first_wave == WAVES.index(w)).sum())
    c["n_attendance_rows"] = len(att)
    c["n_attendance_people"] = int(att["participant_id"].nunique())
    return c


# --------------------------------------------------------------------------------------
# Text files
# --------------------------------------------------------------------------------------

EMPOWERMENT_SCALE_YAML = """\
id: jh_empowerment
version: "1.0"
name: {sv: "Egenmakt och delaktighet", en: "Empowerment and participation"}
citation: "Study-specific scale of the synthetic Jämlik hälsa example study; not a published instrument."
doi: null
licence: "Synthetic example; replace with the team's own scale (e.g. Engage for Equity, Making Decisions Empowerment Scale) and its licence."
status: open
n_items: 8
codes: {1: "Stämmer inte alls", 2: "Stämmer ganska dåligt", 3: "Stämmer delvis", 4: "Stämmer ganska bra", 5: "Stämmer helt"}
dont_know_code: null
reverse: [3, 6]
aggregation: mean
min_valid: 6
levels: null
higher_is_better: true
"""


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _yaml_str(text: str) -> str:
    """A YAML double-quoted scalar (safe for any label text)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: the example study's researcher-written background (``report.texts.background``); the
#: discussion and conclusions are left out on purpose: the report shows their placeholders
EXAMPLE_TEXTS = {
    "bakgrund.md": """\
*Exempeltext till den syntetiska exempelstudien.*

Jämlik hälsa Lindängen är ett hälsofrämjande program i Malmö som bygger på deltagarbaserad
forskning (CBPR): boende, hälsopromotorer, staden och universitetet planerar och utvärderar
aktiviteterna tillsammans. Programmet syftar till bättre hälsorelaterad livskvalitet, ökad
hälsolitteracitet och mer delaktighet och egenmakt bland deltagarna.

Utvärderingen följer deltagarna med en enkät vid flera mättillfällen och partnerskapet med en
årlig partnerenkät.
""",
    "background.md": """\
*Example text of the synthetic example study.*

Jämlik hälsa Lindängen is a health-promotion programme in Malmö built on community-based
participatory research (CBPR): residents, health promoters, the city and the university plan
and evaluate the activities together. The programme aims at better health-related quality of
life, greater health literacy and more participation and empowerment among its participants.

The evaluation follows participants with a survey at several waves and the partnership with a
yearly partner survey.
""",
}


def _study_yaml(files: dict[str, str]) -> str:
    L: list[str] = []
    add = L.append
    add("# Study configuration of the SYNTHETIC example study (generated by")
    add("# `python -m tools.example_study`; do not edit by hand, regenerate instead).")
    add("# To configure the real study, copy this file next to the real data and edit it:")
    add("# it is the only place where waves, variable names, missing-value codes and the")
    add("# analysis are declared. Relative paths are resolved against this file's folder.")
    add("")
    add("# -- the study -------------------------------------------------------------------")
    add("study:")
    add("  name: " + _q("Jämlik hälsa Lindängen (syntetisk exempelstudie)"))
    add("  name_en: " + _q("Equal health Lindängen (synthetic example study)"))
    add("  # year of the evaluation report these data feed")
    add("  evaluation_year: 2025")
    add("  # every pseudonymised study code must match this pattern (checked on load)")
    add("  id_pattern: " + _q(ID_PATTERN))
    add("")
    add("# -- survey waves, in date order ---------------------------------------------------")
    add("# One entry per SPSS file. `mapping` links each RAW variable name in that file to the")
    add("# canonical item name (<instrument>_<NN>, e.g. hls_eu_q16_03; EQ-5D-5L uses")
    add("# eq5d5l_mo/sc/ua/pd/ad/vas). Raw names may change from wave to wave; canonical names")
    add("# never do. Variables not listed (survey date, interviewer support, ...) are ignored.")
    add("waves:")
    for wave in WAVES:
        sv, en = WAVE_LABELS[wave]
        add(f"  - id: {wave}")
        add(f"    label: {{sv: {_q(sv)}, en: {_q(en)}}}")
        add("    # nominal date of the wave; recurring participation is counted between wave dates")
        add(f"    date: {WAVE_DATES[wave].isoformat()}")
        add(f"    file: {files[wave]}")
        add("    # variable holding the participant's study code in this file")
        add(f"    id_variable: {ID_VARIABLE[wave]}")
        add("    instruments: [" + ", ".join(INSTRUMENTS) + "]")
        add("    # raw variable -> canonical item")
        add("    mapping:")
        for section in _SECTION_ORDER[wave]:
            for item in section:
                add(f"      {raw_name(wave, item)}: {item}")
        add("    # raw variable -> canonical covariate (gender, age_group, education,")
        add("    # region_of_birth, language, workshop); codes and labels come from the file")
        add("    covariates:")
        for cov in COVARIATES:
            add(f"      {raw_name(wave, cov)}: {cov}")
        add("    # user-missing codes: `default` applies to every mapped item; a variable listed")
        add("    # under `by_variable` uses only its own codes (the EQ VAS, where 8 and 9 are valid")
        add("    # answers; the HLS-EU-Q16 items, whose 'vet ej' box is code 5)")
        add("    missing_codes:")
        add(f"      default: {{{DONT_KNOW}: dont_know, {NO_ANSWER}: no_answer}}")
        add("      by_variable:")
        add(f"        {raw_name(wave, 'eq5d5l_vas')}: {{{VAS_DONT_KNOW}: dont_know, {VAS_NO_ANSWER}: no_answer}}")
        for item in HLS:
            add(f"        {raw_name(wave, item)}: {{{HLS_DONT_KNOW}: dont_know, {NO_ANSWER}: no_answer}}")
    add("")
    add("# -- attendance register (pseudonymised, one row per visit) -------------------------")
    add("attendance:")
    add("  file: attendance.csv")
    add("  id_column: participant_id")
    add("  workshop_column: workshop")
    add("  date_column: visit_date")
    add("")
    add("# -- who counts as a recurring participant -----------------------------------------")
    add("# attendance: answered both waves AND attended on average more than")
    add("# `min_visits_per_week` visits a week between the two wave dates (the programme's")
    add("# definition). present_at_both: answered both waves. Both are always reported.")
    add("recurring:")
    add("  definition: attendance")
    add("  min_visits_per_week: 1.0")
    add("")
    add("# -- analysis ---------------------------------------------------------------------")
    add("analysis:")
    add("  baseline_wave: T0")
    add("  # (pre, post) pairs for the paired within-person comparisons")
    add("  comparisons: [[T0, T1], [T0, T2]]")
    add("  # primary outcomes share the multiplicity adjustment (p_adjust)")
    add("  primary_outcomes: [who5_percent, eq5d5l_index, hls_eu_q16_score, whoqol_bref_psychological_100]")
    add("  secondary_outcomes: [eq5d5l_vas, gse_score, jh_empowerment_score, whoqol_bref_physical_100,")
    add("    whoqol_bref_social_100, whoqol_bref_environment_100, srh_good]")
    add("  p_adjust: holm")
    add("  ci_level: 0.95")
    add("  # EQ-5D-5L value set: Swedish social value set, Sun et al. 2022")
    add("  eq5d_value_set: SE_Sun2022")
    add("  # smallest number of pairs for which a subgroup estimate is reported")
    add("  min_subgroup_pairs: 10")
    add("  # covariates whose groups get their own mean change (the equity subgroups)")
    add("  subgroup_variables: [workshop, gender, language]")
    add("  # imputed data sets of the multiple-imputation sensitivity analysis (seeded by `seed`)")
    add("  imputations: 20")
    add("  # a wave whose headline score is valid for fewer respondents than this gets a warning")
    add("  min_valid_score_rate: 0.8")
    add("")
    add("# -- publishing -------------------------------------------------------------------")
    add("publishing:")
    add("  # groups smaller than this are suppressed in every published table and figure")
    add("  k_min_cell: 5")
    add("  # English names of the categories (the files' value labels are Swedish)")
    add("  category_labels:")
    add("    en:")
    for var, codes in COVARIATE_CODES.items():
        for code, sv in codes.items():
            add(f"      {_yaml_str(sv)}: {_yaml_str(COVARIATE_CODES_EN[var][code])}")
    add("")
    add("# -- the report: title page and the sections only the researchers can write -------")
    add("# (Markdown files per language; a section without a file is a visible placeholder)")
    add("report:")
    add("  authors: [Forskargruppen Jämlik hälsa (syntetiskt exempel)]")
    add("  organisation: Malmö universitet")
    add("  ethics_approval: Exempel – inget verkligt diarienummer (syntetiska data)")
    add("  partners: [Malmö stad, Malmö universitet, Hyresgästföreningen (exempel)]")
    add("  texts:")
    add("    background: {sv: texts/bakgrund.md, en: texts/background.md}")
    add("")
    add("# -- study-specific Likert scales (one YAML file each, paths relative to this file) -")
    add("scales: [scales/jh_empowerment.yaml]")
    add("")
    add("# -- options overriding an instrument's default scoring rules ---------------------")
    add("instrument_options:")
    add("  # HLS-EU-Q16: score only respondents with at least 14 valid answers")
    add("  hls_eu_q16: {min_valid: 14}")
    return "\n".join(L) + "\n"


def _ground_truth_yaml(truth: list[dict], participants: int, seed: int, truth_n: int, counts: dict) -> str:
    header = f"""\
# Known true effects of the synthetic example study (generated by
# `python -m tools.example_study --participants {participants} --seed {seed}`).
# An analysis of these data should recover `true_mean_change` within its confidence
# intervals (for the paired complete-case analysis the expected value is
# `expected_change_observed_pairs`; the two differ slightly, see `method`).
"""
    doc: dict[str, Any] = {
        "method": (
            "Items are generated from latent traits (7 correlated stable traits + a wave-specific "
            "occasion deviation, normal-ogive graded responses cut at each instrument's thresholds; "
            "negatively worded items written in their raw direction). Taking part shifts each "
            "instrument's latent value by `latent_shift` (SD units) after one year (T1) and two years "
            "(T2) for recurring participants (30 % of it for occasional participants). The true effect "
            "in the SCORE metric is the population expectation of score(post) - score(pre) among "
            "recurring participants (complete item responses, no attrition), estimated with the "
            f"study's own generator on {truth_n} simulated recurring participants using common random "
            "numbers (every wave keeps its marginal distribution; `monte_carlo_se` is the Monte Carlo "
            "standard error; a zero latent shift gives exactly 0). `expected_change_observed_pairs` is "
            "the same change with independent noise at every wave, weighted by each person's "
            "probability of answering the follow-up under the attrition model (drop-out depends on "
            "observed baseline self-rated health and recurring status: missing at random given "
            "baseline, so complete pairs regress slightly towards the mean). `mean_pre` is the "
            "expected T0 score and `sd_change` the SD of individual changes. Scores: WHOQOL-BREF "
            "domains 0-100 ((mean x 4 - 4) x 100/16, Q3, Q4, Q26 reversed); EQ-5D-5L index with the "
            "Swedish value set of Sun et al. 2022 (SE_Sun2022); EQ VAS 0-100; HLS-EU-Q16 number of "
            "'fairly/very easy' answers 0-16; WHO-5 raw sum x 4; GSE mean x 10 (10-40); empowerment "
            "mean 1-5 (items 3, 6 reversed); srh_good share answering 'mycket bra' or 'bra'."
        ),
        "cohort": "recurring participants (attend > 1 visit/week on average) answering T0",
        "seed": seed,
        "participants": participants,
        "truth_n": truth_n,
        "latent_shift": {k: {"T1": v[0], "T2": v[1]} for k, v in LATENT_SHIFT.items()},
        "attrition_model": {
            "T1": "logit P(answer) = intercept + srh * (3 - baseline srh_01) + recurring * recurring",
            "T2": "as T1, plus answered_t1 * (answered T1)",
            "coefficients": ATTRITION,
        },
        "occasional_effect_share": OCCASIONAL_EFFECT,
        "realised_counts": counts,
        "effects": truth,
    }
    doc["method"] = textwrap.fill(doc["method"], width=88) + "\n"
    return header + yaml.dump(doc, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)


class _BlockDumper(yaml.SafeDumper):
    """Safe dumper writing multi-line strings as literal blocks (readable ``method``)."""


_BlockDumper.add_representer(
    str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
)


def _readme(participants: int, seed: int, counts: dict, files: dict[str, str]) -> str:
    cmd = f"python -m tools.example_study --participants {participants} --seed {seed} --out data/example"
    return f"""\
# Syntetisk exempelstudie – Jämlik hälsa Lindängen

**Alla data i den här mappen är syntetiska.** De är slumpgenererade och beskriver inga
verkliga personer; studiekoderna (`JH-XXXXXX`) är påhittade pseudonymer. Data liknar den
verkliga enkätstudien (tre mätomgångar, SPSS-filer med svenska etiketter, kodade
bortfall, variabelnamn som skiljer sig mellan omgångarna, närvaroregister) så att
pipelinen kan köras och testas utan personuppgifter. Kända sanna effekter finns i
`ground_truth.yaml`.

**All data in this folder are synthetic.** They are randomly generated and describe no
real persons; the study codes are made-up pseudonyms. The data mimic the real survey
(three waves, SPSS files with Swedish labels, user-missing codes, raw variable names that
change between waves, an attendance register) so that the pipeline can be run and tested
without personal data. Known true effects are in `ground_truth.yaml`.

## Filer / Files

| fil / file | innehåll / content |
|---|---|
| `study.yaml` | studiekonfiguration som pipelinen kör på (kommenterad mall för den riktiga studien) / the study configuration the pipeline runs on (commented template for the real study) |
| `{files['T0']}` | T0, baslinje hösten 2023 / baseline autumn 2023 (n = {counts['n_T0']}) |
| `{files['T1']}` | T1, uppföljning december 2024 / follow-up December 2024 (n = {counts['n_T1']}, varav {counts['n_new_T1']} nya / new) |
| `{files['T2']}` | T2, uppföljning december 2025 / follow-up December 2025 (n = {counts['n_T2']}, varav {counts['n_new_T2']} nya / new) |
| `attendance.csv` | pseudonymiserat närvaroregister sept 2023 – dec 2025, en rad per besök / pseudonymised attendance register, one row per visit ({counts['n_attendance_rows']} rows, {counts['n_attendance_people']} people) |
| `scales/jh_empowerment.yaml` | studiespecifik skala "Egenmakt och delaktighet" (8 items, påhittad) / study-specific empowerment scale (made up) |
| `ground_truth.yaml` | sanna förändringar T0→T1 och T0→T2 per utfallsmått bland återkommande deltagare, och hur de beräknats / true changes per outcome among recurring participants, and how they were computed |

Instrument: WHOQOL-BREF, EQ-5D-5L, HLS-EU-Q16, WHO-5, GSE, självskattad hälsa,
egenmaktsskalan. Variabeletiketterna är korta svenska omskrivningar, inte de officiella
formulären / variable labels are short Swedish paraphrases, not the official
questionnaire wording. Bortfallskoder / missing codes: 8 = vet ej, 9 = ej svar
(HLS-EU-Q16: 5 = vet ej; EQ VAS: 998 = vet ej, 999 = ej svar).

Återkommande deltagare (närvaro > 1 gång/vecka) vid baslinjen / recurring participants at
baseline: {counts['n_recurring_baseline']}; par T0–T1 / pairs T0–T1: {counts['n_pairs_T0_T1']}
(återkommande / recurring: {counts['n_recurring_pairs_T0_T1']}); par T0–T2 / pairs T0–T2:
{counts['n_pairs_T0_T2']} (återkommande / recurring: {counts['n_recurring_pairs_T0_T2']}).

## Så skapades data / How the data were generated

```
{cmd}
```

(from the repository root; the output does not depend on the output folder, and the same
arguments always give byte-identical files). The generator, its latent-trait model and the
ground-truth method are documented in `tools/example_study.py`.
"""


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.example_study", description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=250, help="baseline respondents (default 250)")
    parser.add_argument("--seed", type=int, default=2023, help="random seed (default 2023)")
    parser.add_argument("--out", default="data/example", help="output folder (default data/example)")
    parser.add_argument("--truth-n", type=int, default=TRUTH_N,
                        help=f"simulated cohort size for the ground truth (default {TRUTH_N})")
    args = parser.parse_args(argv)
    paths = generate_study(args.out, participants=args.participants, seed=args.seed, truth_n=args.truth_n)
    for name, path in paths.items():
        print(f"{name:14s} {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
