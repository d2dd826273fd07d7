"""Cross-wave check: a covariate's categories line up across waves (pure, no Dagster).

A CSV wave that carries gender as codes (``1``, ``2``) next to SPSS waves that carry it as
labels (``Kvinna``, ``Man``) makes Table 1 show "1" and "Kvinna" as separate categories; a
new spelling or a category that no other wave has does the same more quietly.
:func:`check_categories` finds such waves and blocks them, with the wave, the variable and
the categories *by count* (never their text), and says how to map them
(``value_labels:`` in study.yaml, or ``new_categories:`` for a category that is really new).

What a wave's categories are
----------------------------
*Observed*: the distinct non-missing values of the harmonised covariate (value labels
applied). *Declared*: the file's (or study.yaml's) value labels of the raw variable, except
missing codes. A wave is a **codes wave** for a covariate when it declares no labels and
every observed value is a number; otherwise a **labels wave**. A labels wave is compared
with the other labels waves only (so the SPSS waves are never blamed for a CSV wave's
codes), a codes wave with every other wave; a wave whose observed categories are all
declared in its own codebook is compared only with waves that declare theirs. A wave fails
when some observed category is neither observed nor declared in the waves it is compared
with (with two waves that both declare their categories, both are named: the check cannot
tell which spelling is right).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from survey.ingest import Problem, file_rows

CHECK = "categories_consistent"
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
#: a new category this similar to a known one (after folding case and spaces) is a new spelling
SPELLING_SIMILARITY = 0.85


@dataclass
class WaveCategories:
    """What the check needs of one wave (no IDs)."""

    wave: str
    file: str
    #: canonical covariate -> harmonised column (text), in file row order
    observed: dict[str, pd.Series]
    #: canonical covariate -> labelled categories of the raw variable (missing codes excluded)
    declared: dict[str, set[str]] = field(default_factory=dict)
    #: canonical covariate -> raw variable name
    raw_names: dict[str, str] = field(default_factory=dict)
    #: canonical covariate -> reason from the wave's ``new_categories``
    accepted: dict[str, str] = field(default_factory=dict)

    def categories(self, covariate: str) -> set[str]:
        col = self.observed.get(covariate)
        if col is None:
            return set()
        s = col.dropna().astype(str).str.strip()
        return set(s[s != ""])

    def is_codes(self, covariate: str) -> bool:
        cats = self.categories(covariate)
        return bool(cats) and not self.declared.get(covariate) and all(_NUMBER.fullmatch(c) for c in cats)


def wave_categories(wave, file: str, harmonised: pd.DataFrame, codebook: pd.DataFrame) -> WaveCategories:
    """:class:`WaveCategories` of a configured wave from its harmonised data and codebook.

    Parameters
    ----------
    wave : studyconfig.config.Wave
    file : str
        File name for the messages.
    harmonised : DataFrame
        The wave's harmonised data (or its rows of the panel, in file order).
    codebook : DataFrame
        The wave's codebook (``raw_codebook`` or ``wave_codebook``).
    """
    observed, declared, raw_names = {}, {}, {}
    cb = codebook
    for raw, cov in wave.covariates.items():
        if cov not in harmonised.columns:
            continue
        observed[cov] = harmonised[cov].reset_index(drop=True)
        raw_names[cov] = raw
        rows = cb[cb["variable"].astype(str) == raw]
        rows = rows[~rows["user_missing"].astype(bool)] if "user_missing" in rows else rows
        codes = {float(c) for c in wave.missing_codes.for_variable(raw)}
        keep = rows["value"].isna() | ~rows["value"].isin(codes)
        has_code = rows["value"].notna()
        if "value_text" in rows:
            has_code |= rows["value_text"].notna()
        labelled = rows[keep & has_code]
        declared[cov] = {str(v).strip() for v in labelled["value_label"] if str(v).strip()}
    accepted = {}
    for key, reason in wave.new_categories.items():
        cov = wave.covariates.get(key, key)
        accepted[cov] = reason
    return WaveCategories(wave.id, file, observed, declared, raw_names, accepted)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _spelled_like(category: str, known: set[str]) -> bool:
    f = _fold(category)
    return any(_fold(k) == f or difflib.SequenceMatcher(None, _fold(k), f).ratio() >= SPELLING_SIMILARITY
               for k in known)


def check_categories(waves: list[WaveCategories]) -> list[Problem]:
    """Covariates whose categories in one wave do not occur in the other waves.

    Parameters
    ----------
    waves
        Every wave of the study (:func:`wave_categories`).

    Returns
    -------
    list of Problem
        One ``error`` per wave and covariate with categories the compared waves do not
        have (``note`` when the wave accepts them under ``new_categories``): the count of
        such categories of the wave's categories, the rows holding them, and the kind
        (codes without value labels, another spelling, new). Never a category's text.

    Examples
    --------
    >>> t0 = WaveCategories("T0", "t0.sav", {"gender": pd.Series(["Kvinna", "Man", "Kvinna"])},
    ...                     {"gender": {"Kvinna", "Man", "Annat"}}, {"gender": "kon"})
    >>> t2 = WaveCategories("T2", "t2.csv", {"gender": pd.Series(["1", "2", "3", None])},
    ...                     {}, {"gender": "bg_kon"})
    >>> [p.message for p in check_categories([t0, t2])]
    ['3 of 3 categories of gender in T2 do not occur in T0 (codes without value labels?)']
    """
    problems: list[Problem] = []
    covariates = list(dict.fromkeys(c for w in waves for c in w.observed))
    for cov in covariates:
        having = [w for w in waves if w.categories(cov) or w.declared.get(cov)]
        for w in having:
            cats = w.categories(cov)
            if not cats:
                continue
            refs = [o for o in having if o is not w]
            if not w.is_codes(cov):
                refs = [o for o in refs if not o.is_codes(cov)]
            if w.declared.get(cov) and cats <= w.declared[cov]:
                # a wave whose codebook declares its categories is judged only by waves that
                # declare theirs (a CSV wave of free text cannot show that an SPSS wave is wrong)
                refs = [o for o in refs if o.declared.get(cov)]
            if not refs:
                continue
            known = set().union(*[o.categories(cov) | o.declared.get(cov, set()) for o in refs])
            new = cats - known
            if not new:
                continue
            col = w.observed[cov].astype("string").str.strip()
            mask = col.isin(sorted(new)).fillna(False).astype(bool)
            n_rows = int(mask.sum())
            where = "/".join(o.wave for o in refs)
            var = f"{w.raw_names[cov]} -> {cov}" if cov in w.raw_names else cov
            if len(new) == len(cats):
                kind = ("codes without value labels?" if w.is_codes(cov) and any(not o.is_codes(cov) for o in refs)
                        else "another coding, spelling or language?")
            else:
                n_spelled = sum(_spelled_like(c, known) for c in new)
                bits = []
                if n_spelled:
                    bits.append(f"{n_spelled} spelled like a category of the other waves with other letters, "
                                "case or spaces")
                if len(new) - n_spelled:
                    bits.append(f"{len(new) - n_spelled} new")
                kind = "; ".join(bits)
            message = f"{len(new)} of {len(cats)} categories of {cov} in {w.wave} do not occur in {where} ({kind})"
            if cov in w.accepted:
                problems.append(Problem(w.file, CHECK, message + f"; accepted under new_categories, reason: "
                                        f"{w.accepted[cov]!r}", variable=var, count=n_rows, severity="note"))
                continue
            if w.is_codes(cov):
                suggestion = (f"map the codes to the categories as {where} spell them under value_labels, for this "
                              f"wave or shared by all waves: value_labels: {{{cov}: {{<code>: {{sv: <label>, "
                              "en: <label>}}}}")
            else:
                suggestion = (f"write the categories as {where} do (or map codes under value_labels); a category "
                              f"that is really new in this wave: accept it under the wave's new_categories: "
                              f"{{{cov}: <reason>}}")
            problems.append(Problem(w.file, CHECK, message, variable=var, count=n_rows, rows=file_rows(mask),
                                    expected=f"the categories of {cov} in {where}", suggestion=suggestion))
    return problems


def panel_categories(panel: pd.DataFrame, config, codebooks: dict[str, pd.DataFrame]) -> list[WaveCategories]:
    """:class:`WaveCategories` of every configured wave from the panel (rows in file order
    within each wave) and the waves' codebooks (``wave_codebook`` partitions)."""
    out = []
    waves = panel["wave"].astype(str)
    for w in config.waves:
        rows = panel[(waves == w.id).to_numpy()].reset_index(drop=True)
        cb = codebooks.get(w.id)
        if cb is None:
            cb = pd.DataFrame(columns=["variable", "value", "value_label", "user_missing", "value_text"])
        out.append(wave_categories(w, config.wave_path(w.id).name, rows, cb))
    return out
