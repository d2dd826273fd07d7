"""Published tables: disclosure control, rounding and p-value notation live here and only
here (APA style; decimal comma in Swedish).

Two layers:

* the published tidy tables (raw floats, codes not labels, suppressed cells blank with a
  ``suppressed`` flag) are made by the registry (:mod:`publishing.registry`) and
  written by :func:`write_csv`; they are the only input of the figures and the report;
* the ``display_*`` functions render a published table for one language as a
  :class:`DisplayTable` of formatted strings, which :mod:`publishing.report`
  writes to HTML and :mod:`publishing.docx_report` to Word.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from publishing import disclosure
from publishing.categories import OTHER_LEVEL
from publishing.labels import label, note_text

#: default number of decimals (APA: two for most statistics)
DIGITS = 2
#: p-values: three decimals, "< .001" below this
P_FLOOR = 0.001


# -- number formatting ---------------------------------------------------------------------

def _isnan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def fmt_num(x, lang: str = "sv", digits: int = DIGITS, keep_sign: bool = False) -> str:
    """Round for display (U+2212 minus; decimal comma in Swedish). A negative value that
    rounds to zero is shown as 0 unless ``keep_sign`` (confidence limits: −0.00 says the
    interval reaches below zero).

    Examples
    --------
    >>> fmt_num(3.14159, "en"), fmt_num(-3.14159, "sv"), fmt_num(float("nan"))
    ('3.14', '−3,14', '–')
    >>> fmt_num(-0.0039, "en"), fmt_num(-0.0039, "en", keep_sign=True), fmt_num(-0.0, "en", keep_sign=True)
    ('0.00', '−0.00', '0.00')
    """
    if _isnan(x):
        return "–"
    s = f"{float(x):.{digits}f}"
    if float(s) == 0 and not (keep_sign and float(x) < 0):
        s = s.lstrip("-")
    s = s.replace("-", "−")
    return s.replace(".", ",") if lang == "sv" else s


def fmt_p(p, lang: str = "sv") -> str:
    """p-value notation: three decimals, ``< .001`` below 0.001; English follows APA (no
    leading zero), Swedish keeps the zero and uses the decimal comma.

    Examples
    --------
    >>> fmt_p(0.0314, "en"), fmt_p(0.00002, "en"), fmt_p(0.5, "sv"), fmt_p(0.0002, "sv")
    ('.031', '< .001', '0,500', '< 0,001')
    """
    if _isnan(p):
        return "–"
    if p < P_FLOOR:
        return "< 0,001" if lang == "sv" else "< .001"
    s = f"{p:.3f}"
    return s.replace(".", ",") if lang == "sv" else s.removeprefix("0")


def fmt_p_expr(p, lang: str = "sv") -> str:
    """A p-value with its relation sign, for running text: ``= .031`` or ``< .001``.

    Examples
    --------
    >>> fmt_p_expr(0.0314, "en"), fmt_p_expr(0.00002, "sv")
    ('= .031', '< 0,001')
    """
    s = fmt_p(p, lang)
    return s if s.startswith("<") or s == "–" else f"= {s}"


def fmt_ci(lo, hi, lang: str = "sv", digits: int = DIGITS) -> str:
    """``[lo, hi]`` (semicolon separator in Swedish, where the comma is the decimal mark).

    Examples
    --------
    >>> fmt_ci(0.1, 1.25, "sv"), fmt_ci(-0.1, 1.25, "en", 1), fmt_ci(-0.0039, 0.2, "en")
    ('[0,10; 1,25]', '[−0.1, 1.2]', '[−0.00, 0.20]')
    """
    sep = "; " if lang == "sv" else ", "
    return f"[{fmt_num(lo, lang, digits, keep_sign=True)}{sep}{fmt_num(hi, lang, digits, keep_sign=True)}]"


def fmt_suppressed(reason, k_min: int, lang: str = "sv") -> str:
    """The mark of a suppressed cell: ``<k`` when it is small itself (primary), ``x`` when
    it was hidden so that a small number cannot be recovered from a total or by difference
    (``secondary``, ``complement``: the cell itself may be large).

    Examples
    --------
    >>> fmt_suppressed("primary", 5), fmt_suppressed("secondary", 5), fmt_suppressed(None, 5)
    ('<5', 'x', '<5')
    """
    if reason in ("secondary", "complement"):
        return label("suppressed_secondary", lang)
    return label("suppressed", lang, k=k_min)


def fmt_n(n, k_min: int, lang: str = "sv", reason=None) -> str:
    """A count; between 1 and ``k_min`` − 1 shows ``<k``; a blank (withheld) count shows
    ``<k`` only when ``reason`` says it was withheld for being small itself (``primary``),
    else ``x``: a count withheld to protect another may be large, and "<k" would misstate it.

    Examples
    --------
    >>> fmt_n(12, 5), fmt_n(3, 5), fmt_n(0, 5)
    ('12', '<5', '0')
    >>> fmt_n(float("nan"), 5, reason="primary"), fmt_n(float("nan"), 5, reason="secondary"), fmt_n(float("nan"), 5)
    ('<5', 'x', 'x')
    """
    if _isnan(n):
        return fmt_suppressed(reason if reason == "primary" else "secondary", k_min, lang)
    if 0 < int(n) < k_min:
        return fmt_suppressed("primary", k_min, lang)
    return str(int(n))


def fmt_int(x, lang: str = "sv") -> str:
    """A whole number with thousands separated (Swedish: no-break space; English: comma).

    Examples
    --------
    >>> fmt_int(27718, "sv"), fmt_int(27718, "en"), fmt_int(950, "en"), fmt_int(float("nan"))
    ('27\xa0718', '27,718', '950', '–')
    """
    if _isnan(x):
        return "–"
    s = f"{int(round(float(x))):,}"
    return s.replace(",", "\u00a0") if lang == "sv" else s


def fmt_pct(share, lang: str = "sv", digits: int = 0) -> str:
    """A share (0–1) as a percentage without the sign.

    Examples
    --------
    >>> fmt_pct(0.4567, "sv", 1), fmt_pct(0.4567, "en")
    ('45,7', '46')
    """
    return fmt_num(None if _isnan(share) else 100 * float(share), lang, digits)


def fmt_mid(x, lang: str = "sv") -> str:
    """A minimal important difference with up to three significant digits.

    Examples
    --------
    >>> fmt_mid(10.0, "sv"), fmt_mid(0.0657, "sv"), fmt_mid(7, "en")
    ('10', '0,0657', '7')
    """
    if _isnan(x):
        return "–"
    s = f"{float(x):.3g}"
    return s.replace(".", ",") if lang == "sv" else s


def digits_for(lo, hi) -> int:
    """Decimals for values of an outcome with range ``[lo, hi]``: 3 for ranges up to 2
    (EQ-5D index), 2 up to 20 (sum scores), else 1 (0–100 scales).

    Examples
    --------
    >>> digits_for(-0.314, 1), digits_for(0, 16), digits_for(0, 100)
    (3, 2, 1)
    """
    if _isnan(lo) or _isnan(hi):
        return DIGITS
    r = float(hi) - float(lo)
    return 3 if r <= 2 else 2 if r <= 20 else 1


# -- published tables ------------------------------------------------------------------------

def write_csv(df: pd.DataFrame, path) -> None:
    """Write a published table as UTF-8 CSV, floats at full precision, ``\\n`` line ends
    (byte-identical on every run), atomically (temporary file, then rename)."""
    from survey.fsutil import atomic_write_text

    atomic_write_text(path, df.to_csv(index=False, lineterminator="\n", float_format="%.17g"))


# -- display tables ------------------------------------------------------------------------

@dataclass
class DisplayTable:
    """A rendered table: formatted strings plus presentation hints.

    Attributes
    ----------
    data : DataFrame
        Cells as strings, column names as headers.
    caption, note : str
    numeric : list of str
        Columns aligned right (decimal alignment).
    group_rows : list of int
        Row positions that start a new block (drawn with a rule above / bold first cell).
    """

    data: pd.DataFrame
    caption: str = ""
    note: str = ""
    numeric: list[str] = field(default_factory=list)
    group_rows: list[int] = field(default_factory=list)


@dataclass
class Labels:
    """Everything a display table needs to turn codes into words for one language."""

    lang: str
    outcomes: dict[str, str]
    waves: dict[str, str]
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    k: int = 5
    ci_level: float = 0.95
    p_adjust: str = "holm"
    min_visits: float = 1.0

    def outcome(self, o) -> str:
        return self.outcomes.get(o, self.variables.get(o, o))

    @property
    def visits(self) -> str:
        """The attendance threshold as words: "1 visit", "1.5 visits", "1 besök", "1,5 besök"."""
        return visits_text(self.min_visits, self.lang)

    def wave(self, w) -> str:
        return self.waves.get(w, w) if isinstance(w, str) else ""

    def comparison(self, pre, post) -> str:
        return f"{self.wave(pre)} → {self.wave(post)}"

    def comparison_short(self, pre, post) -> str:
        """For table cells: "→ <post>" when ``pre`` is the first (baseline) wave."""
        first = next(iter(self.waves), None)
        return f"→ {self.wave(post)}" if pre == first else self.comparison(pre, post)

    def digits(self, o) -> int:
        lo, hi = self.ranges.get(o, (np.nan, np.nan))
        return digits_for(lo, hi)


def _reason(g: pd.DataFrame):
    """The suppression reason of a group of rows that share one count (first row)."""
    return g[disclosure.REASON].iloc[0] if disclosure.REASON in g.columns and len(g) else None


def _notes(rows, lang: str) -> str:
    """The distinct "not estimable" notes of ``rows`` (a frame or a row), translated."""
    values = rows["note"].tolist() if isinstance(rows, pd.DataFrame) and "note" in rows.columns else \
        [getattr(rows, "note", None) if not hasattr(rows, "get") else rows.get("note")]
    return "; ".join(dict.fromkeys(t for t in (note_text(v, lang) for v in values) if t))


def _add_notes(df: pd.DataFrame, notes: list[str], lang: str) -> pd.DataFrame:
    """Append a "Note" column with the notes, only when one of them says something."""
    if any(notes):
        df = df.assign(**{label("note", lang): notes})
    return df


def _numeric(df: pd.DataFrame, first: int, lang: str) -> list[str]:
    """The right-aligned columns: from position ``first`` on, except the note column."""
    return [c for c in df.columns[first:] if c != label("note", lang)]


def _blocks(df: pd.DataFrame, key: str) -> list[int]:
    if key not in df.columns:  # a table without rows (e.g. no wave contrast in a one-wave study)
        return []
    vals = df[key].tolist()
    return [i for i in range(len(vals)) if i == 0 or vals[i] != vals[i - 1]]


def _blank_repeats(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    df = df.copy()
    for c in [c for c in cols if c in df.columns]:
        prev = df[c].shift()
        df.loc[df[c] == prev, c] = ""
    return df


def display_prepost(tests: pd.DataFrame, L: Labels) -> DisplayTable:
    """Paired t-test and Wilcoxon per outcome and comparison (one row each)."""
    lang, k = L.lang, L.k
    t = tests[tests["test"] == "paired_t"].set_index(["outcome", "pre", "post"])
    w = tests[tests["test"] == "wilcoxon"].set_index(["outcome", "pre", "post"])
    rows, notes = [], []
    for key, r in t.iterrows():
        outcome, pre, post = key
        small = bool(r.get(disclosure.SUPPRESSED, False)) or _isnan(r["n"]) or r["n"] < k
        d = L.digits(outcome)
        wp = w["p_value"].get(key, np.nan) if len(w) else np.nan
        rows.append({
            label("outcome", lang): L.outcome(outcome),
            label("family", lang): label(r["family"], lang) if "family" in r and isinstance(r["family"], str) else "",
            label("comparison", lang): L.comparison_short(pre, post),
            label("n", lang): fmt_n(r["n"], k, lang, reason=r.get(disclosure.REASON)),
            label("mean_change", lang): "–" if small else fmt_num(r["estimate"], lang, d),
            label("ci", lang, ci=L.ci_level): "–" if small else fmt_ci(r["ci_low"], r["ci_high"], lang, d),
            "p (t)": "–" if small else fmt_p(r["p_value"], lang),
            label("p_adj", lang, method=_method_name(L.p_adjust)): "–" if small or _isnan(r["p_adj"])
            or r.get("p_adj_method") == "none" else fmt_p(r["p_adj"], lang),
            "p (Wilcoxon)": "–" if small else fmt_p(wp, lang),
        })
        notes.append("" if small else "; ".join(dict.fromkeys(
            x for x in (_notes(r, lang), _notes(w.loc[[key]], lang) if key in w.index else "") if x)))
    df = _add_notes(pd.DataFrame(rows), notes, lang)
    blocks = _blocks(df, label("outcome", lang)) if len(df) else []
    df = _blank_repeats(df, [label("outcome", lang), label("family", lang)]) if len(df) else df
    return DisplayTable(df, label("table_prepost_caption", lang, ci=L.ci_level, method=_method_name(L.p_adjust)),
                        label("suppressed_note", lang, k=k), numeric=_numeric(df, 3, lang), group_rows=blocks)


def _method_name(m: str) -> str:
    return {"holm": "Holm", "fdr_bh": "Benjamini–Hochberg", "bonferroni": "Bonferroni", "none": "–"}.get(m, m)


def display_effect_sizes(es: pd.DataFrame, L: Labels) -> DisplayTable:
    """One row per outcome × comparison, one column per effect-size type (estimate [CI])."""
    lang = L.lang
    types = list(dict.fromkeys(es["effect_size_type"]))
    rows, notes = [], []
    for (o, pre, post), g in es.groupby(["outcome", "pre", "post"], sort=False):
        g = g.set_index("effect_size_type")
        n = g["n"].iloc[0]
        row = {label("outcome", lang): L.outcome(o), label("comparison", lang): L.comparison_short(pre, post),
               label("n", lang): fmt_n(n, L.k, lang, reason=_reason(g))}
        for t in types:
            if t in g.index and not bool(g.loc[t].get(disclosure.SUPPRESSED, False)):
                r = g.loc[t]
                row[label(f"es_{t}", lang)] = f"{fmt_num(r['estimate'], lang)} {fmt_ci(r['ci_low'], r['ci_high'], lang)}"
            else:
                row[label(f"es_{t}", lang)] = "–"
        rows.append(row)
        notes.append(_notes(g, lang))
    df = _add_notes(pd.DataFrame(rows), notes, lang)
    blocks = _blocks(df, label("outcome", lang))
    df = _blank_repeats(df, [label("outcome", lang)])
    return DisplayTable(df, label("table_effect_caption", lang, ci=L.ci_level), label("suppressed_note", lang, k=L.k),
                        numeric=_numeric(df, 2, lang), group_rows=blocks)


def display_categorical(cc: pd.DataFrame, L: Labels) -> DisplayTable:
    """McNemar / Stuart–Maxwell per outcome and comparison."""
    lang = L.lang
    rows, notes = [], []
    for r in cc.itertuples(index=False):
        small = bool(getattr(r, disclosure.SUPPRESSED, False))
        rows.append({
            label("outcome", lang): L.outcome(r.outcome), label("comparison", lang): L.comparison_short(r.pre, r.post),
            label("col_test", lang): label(f"test_{r.test}", lang),
            label("n", lang): fmt_n(r.n, L.k, lang, reason=getattr(r, disclosure.REASON, None)),
            label("estimate", lang): "–" if small or _isnan(r.estimate) else fmt_num(r.estimate, lang),
            label("col_statistic", lang): "–" if small else fmt_num(r.statistic, lang),
            label("col_df", lang): "–" if small or _isnan(r.df) else f"{r.df:g}",
            "p": "–" if small else fmt_p(r.p_value, lang),
        })
        notes.append("" if small else _notes(r, lang))
    df = _add_notes(pd.DataFrame(rows), notes, lang)
    blocks = _blocks(df, label("outcome", lang))
    df = _blank_repeats(df, [label("outcome", lang)])
    return DisplayTable(df, label("table_categorical_caption", lang), label("suppressed_note", lang, k=L.k),
                        numeric=_numeric(df, 3, lang), group_rows=blocks)


def display_responders(resp: pd.DataFrame, L: Labels) -> DisplayTable:
    """Improved / unchanged / worsened share [CI] per outcome and comparison."""
    lang = L.lang
    cats = ["improved", "unchanged", "worsened"]
    rows, notes = [], []
    for (o, pre, post), g in resp.groupby(["outcome", "pre", "post"], sort=False):
        g = g.set_index("category")
        row = {label("outcome", lang): L.outcome(o),
               label("mid", lang): fmt_mid(g["mid"].iloc[0], lang) if "mid" in g else "–",
               label("comparison", lang): L.comparison_short(pre, post),
               label("n", lang): fmt_n(g["n_total"].iloc[0], L.k, lang)}
        for c in cats:
            if c in g.index and not bool(g.loc[c].get(disclosure.SUPPRESSED, False)):
                r = g.loc[c]
                row[label(f"resp_{c}", lang) + " %"] = (f"{fmt_pct(r['share'], lang)} "
                                                        f"{fmt_ci(100 * r['ci_low'], 100 * r['ci_high'], lang, 0)}")
            else:
                row[label(f"resp_{c}", lang) + " %"] = (fmt_suppressed(g.loc[c].get(disclosure.REASON), L.k, lang)
                                                        if c in g.index else "–")
        rows.append(row)
        notes.append(_notes(g, lang))
    df = _add_notes(pd.DataFrame(rows), notes, lang)
    blocks = _blocks(df, label("outcome", lang))
    df = _blank_repeats(df, [label("outcome", lang), label("mid", lang)])
    return DisplayTable(df, label("table_responders_caption", lang, ci=L.ci_level),
                        label("suppressed_note", lang, k=L.k), numeric=_numeric(df, 3, lang), group_rows=blocks)


def display_mixed(terms: pd.DataFrame, L: Labels) -> DisplayTable:
    """Wave contrasts against baseline from the mixed models (intercept left out)."""
    lang = L.lang
    t = terms[terms["term"] != "(Intercept)"]
    rows, notes = [], []
    for r in t.itertuples(index=False):
        small = bool(getattr(r, disclosure.SUPPRESSED, False))
        wave = str(r.term).removeprefix("wave")
        d = L.digits(r.outcome)
        rows.append({
            label("outcome", lang): L.outcome(r.outcome),
            label("col_term", lang): label("term_vs_baseline", lang, wave=L.wave(wave)),
            label("n", lang): fmt_n(getattr(r, "n_groups", np.nan), L.k, lang, reason=getattr(r, disclosure.REASON, None)),
            label("estimate", lang): "–" if small else fmt_num(r.estimate, lang, d),
            label("ci", lang, ci=L.ci_level): "–" if small else fmt_ci(r.ci_low, r.ci_high, lang, d),
            label("col_df", lang): "–" if small else fmt_num(r.df, lang, 1),
            "p": "–" if small else fmt_p(r.p_value, lang),
        })
        notes.append("" if small else _notes(r, lang))
    df = _add_notes(pd.DataFrame(rows), notes, lang)
    blocks = _blocks(df, label("outcome", lang))
    df = _blank_repeats(df, [label("outcome", lang)])
    note = label("suppressed_note", lang, k=L.k) + (" n = antal deltagare i modellen." if lang == "sv"
                                                     else " n = number of participants in the model.")
    return DisplayTable(df, label("table_mixed_caption", lang, ci=L.ci_level), note, numeric=_numeric(df, 2, lang),
                        group_rows=blocks)


def scale_name(instrument: str, scale: str, L: Labels) -> str:
    """A scale of an instrument in the reader's language: ``total`` is "Totalpoäng" /
    "Total score", a domain is its score's label without the range ("Fysisk hälsa" for
    WHOQOL-BREF ``physical``), else the scale id with spaces."""
    if scale == "total":
        return label("scale_total", L.lang)
    name = L.outcome(f"{instrument}_{scale}")
    return name.split(" (")[0] if name != f"{instrument}_{scale}" else str(scale).replace("_", " ")


def display_reliability(rel: pd.DataFrame, L: Labels, instrument_names: dict[str, str]) -> DisplayTable:
    """Alpha [CI] and omega per instrument scale and wave."""
    lang = L.lang
    rows = []
    for r in rel.itertuples(index=False):
        small = bool(getattr(r, disclosure.SUPPRESSED, False))
        rows.append({
            label("col_instrument", lang): instrument_names.get(r.instrument, r.instrument),
            label("col_scale", lang): scale_name(r.instrument, r.scale, L),
            label("wave", lang): L.wave(r.wave),
            label("n", lang): fmt_n(r.n_complete, L.k, lang, reason=getattr(r, disclosure.REASON, None)),
            label("col_alpha", lang): "–" if small else f"{fmt_num(r.alpha, lang)} "
                                                         f"{fmt_ci(r.alpha_ci_low, r.alpha_ci_high, lang)}",
            label("col_omega", lang): "–" if small else fmt_num(r.omega_total, lang),
        })
    df = pd.DataFrame(rows)
    key = [label("col_instrument", lang), label("col_scale", lang)]
    blocks = [i for i in range(len(df)) if i == 0 or tuple(df.iloc[i][key]) != tuple(df.iloc[i - 1][key])]
    df = _blank_repeats(df, key)
    return DisplayTable(df, label("table_reliability_caption", lang, ci=L.ci_level),
                        label("suppressed_note", lang, k=L.k), numeric=list(df.columns[3:]), group_rows=blocks)


def visits_text(v: float, lang: str) -> str:
    """A number of visits in words, singular where English needs it, decimal comma in Swedish.

    Examples
    --------
    >>> visits_text(1, "en"), visits_text(1.5, "en"), visits_text(1, "sv"), visits_text(1.5, "sv")
    ('1\xa0visit', '1.5\xa0visits', '1\xa0besök', '1,5\xa0besök')
    """
    number = f"{v:g}"
    if lang == "sv":
        return f"{number.replace('.', ',')}\u00a0besök"
    return f"{number}\u00a0visit" if float(v) == 1 else f"{number}\u00a0visits"


def flow_count(flow: pd.DataFrame, L: Labels, pre: str, post: str, stage: str, definition: str,
               wave: str | None = None, outcome: str | None = None) -> str:
    """One count of the published participant flow as shown in the flow table and figure
    (``<k`` or ``x`` when suppressed, see :func:`fmt_n`); ``outcome=None`` is the row
    without an outcome."""
    g = flow[(flow["pre"] == pre) & (flow["post"] == post) & (flow["stage"] == stage)
             & (flow["definition"] == definition)]
    g = g[g["outcome"].isna()] if outcome is None else g[g["outcome"] == outcome]
    if wave is not None:
        g = g[g["wave"] == wave]
    if not len(g):
        return fmt_n(np.nan, L.k, L.lang)
    return fmt_n(g["n"].iloc[0], L.k, L.lang, reason=g[disclosure.REASON].iloc[0] if disclosure.REASON in g else None)


def period_text(period: str, lang: str) -> str:
    """A reach period in words (:func:`analysis.reach.period_of` codes; ``all``: the whole time).

    Examples
    --------
    >>> period_text("2024-H1", "sv"), period_text("2024-H2", "en"), period_text("2024", "en"), period_text("all", "en")
    ('jan–jun 2024', 'Jul–Dec 2024', '2024', 'Whole period')
    """
    if period == "all":
        return label("reach_all_periods", lang)
    year, _, half = str(period).partition("-H")
    return label(f"reach_half_{half}", lang, year=year) if half in ("1", "2") else str(period)


def _reach_order(reach: pd.DataFrame) -> pd.DataFrame:
    """Periods in time order then the whole period; within each, workshops then all workshops."""
    last = lambda col: (reach[col] == "all").astype(int)  # noqa: E731
    return reach.assign(_p=last("period"), _w=last("workshop")) \
        .sort_values(["_p", "period", "_w", "workshop"], kind="stable").drop(columns=["_p", "_w"])


def display_reach(reach: pd.DataFrame, L: Labels) -> DisplayTable:
    """Programme reach: one block per half-year (and the whole period), one row per
    workshop and one for all workshops; people, visits, visits per person, sessions."""
    lang = L.lang
    rows: list[dict] = []
    starts: list[int] = []
    reason = disclosure.REASON
    previous = None
    for i, (_, r) in enumerate(_reach_order(reach).iterrows()):
        first = r["period"] != previous
        if first:
            starts.append(i)
        previous = r["period"]
        workshop = label("reach_all_workshops", lang) if r["workshop"] == "all" \
            else L.categories.get(str(r["workshop"]), str(r["workshop"]))
        n_text = fmt_n(r["n"], L.k, lang, reason=r.get(reason))
        visits = r.get("visits")
        rows.append({
            label("col_reach_period", lang): period_text(str(r["period"]), lang) if first else "",
            label("col_reach_workshop", lang): workshop,
            label("col_reach_people", lang): n_text,
            label("col_reach_visits", lang): "x" if _isnan(visits) else fmt_int(visits, lang),
            label("col_reach_visits_per_person", lang): "x" if _isnan(visits) or _isnan(r.get("visits_per_person"))
            else fmt_num(r["visits_per_person"], lang, 1),
            label("col_reach_sessions", lang): fmt_int(r["sessions"], lang),
        })
    df = pd.DataFrame(rows)
    note = label("suppressed_note", lang, k=L.k) + " " + label("reach_note", lang)
    return DisplayTable(df, label("table_reach_caption", lang), note, numeric=list(df.columns[2:]),
                        group_rows=starts)


def display_flow(flow: pd.DataFrame, L: Labels) -> DisplayTable:
    """The participant flow as a readable table: one row per stage, one column per comparison."""
    lang = L.lang
    visits = L.visits
    comps = list(dict.fromkeys(zip(flow["pre"], flow["post"])))
    baseline = comps[0][0] if comps else ""
    # the reasons for loss exist when the study has an attendance register
    reasons = [(f"– {label('flow_' + stage, lang, visits=visits)}", stage, "all", None)
               for stage in ("lost_attending", "lost_not_attending") if (flow["stage"] == stage).any()]

    # the reach stage exists when the study has an attendance register
    reached = [(label("flow_reached", lang), "reached", "all", None)] if (flow["stage"] == "reached").any() else []
    spec = [
        *reached,
        (label("flow_assessed", lang, wave=L.wave(baseline)), "assessed", "all", "pre"),
        (label("flow_assessed_followup", lang), "assessed", "all", "post"),
        (label("flow_lost_to_follow_up", lang), "lost_to_follow_up", "all", None),
        *reasons,
        (label("flow_new_at_follow_up", lang), "new_at_follow_up", "all", None),
        (label("flow_analysed_both", lang), "analysed", "recurring_both_waves", None),
        (label("flow_excluded_attendance", lang, visits=visits), "excluded", "recurring_attendance", None),
        (label("flow_analysed_attendance", lang, visits=visits), "analysed", "recurring_attendance", None),
    ]
    rows = []
    for text, stage, definition, which in spec:
        row = {label("flow_stage", lang): text}
        for pre, post in comps:
            wave = pre if which == "pre" else post if which == "post" else None
            row[L.comparison(pre, post)] = flow_count(flow, L, pre, post, stage, definition, wave)
        rows.append(row)
    outcomes = list(dict.fromkeys(flow.loc[flow["stage"] == "analysed_complete_pairs", "outcome"].dropna()))
    for definition in ("recurring_attendance", "recurring_both_waves"):
        for o in outcomes:
            row = {label("flow_stage", lang): f"{label('flow_complete_pairs', lang)}: {L.outcome(o)} "
                                              f"({label('def_' + definition, lang, visits=visits)})"}
            for pre, post in comps:
                row[L.comparison(pre, post)] = flow_count(flow, L, pre, post, "analysed_complete_pairs", definition,
                                                          outcome=o)
            rows.append(row)
    df = pd.DataFrame(rows)
    return DisplayTable(df, label("table_flow_caption", lang), label("suppressed_note", lang, k=L.k),
                        numeric=list(df.columns[1:]),
                        group_rows=[0, *([1] if reached else []), len(reached) + 4 + len(reasons),
                                    len(reached) + 7 + len(reasons), len(reached) + 7 + len(reasons) + len(outcomes)])


def collected_note(collected: pd.DataFrame | None, L: Labels) -> str:
    """The note saying which declared categories Table 1 collects in "Övriga" (names only;
    undeclared answers are only said to exist).

    Examples
    --------
    >>> c = pd.DataFrame({"variable": ["language", "language", "gender"], "category": ["Engelska", "", "Annat"]})
    >>> collected_note(c, Labels("en", {}, {}, variables={"language": "Language", "gender": "Gender"},
    ...                          categories={"Annat": "Other"}))
    'Other: Language: Engelska and other answers; Gender: Other.'
    """
    if collected is None or not len(collected):
        return ""
    parts = []
    for var, g in collected.groupby("variable", sort=False):
        names = [L.categories.get(c, c) for c in g["category"].fillna("").astype(str) if c]
        other = (g["category"].fillna("").astype(str) == "").any()
        text = ", ".join(names)
        if other:
            text = f"{text} {label('and_other_answers', L.lang)}" if text else label("other_answers", L.lang)
        parts.append(f"{L.outcome(var)}: {text}")
    return f"{label('other_levels_short', L.lang)}: " + "; ".join(parts) + "."


def display_table1(t1: pd.DataFrame, L: Labels, population: str,
                   collected: pd.DataFrame | None = None) -> DisplayTable:
    """Table 1 for one population: variables × waves; categorical n (%), continuous M (SD)
    and Md [Q1; Q3]; the note names the declared categories collected in "Övriga"."""
    lang = L.lang
    t = t1[t1["population"] == population]
    waves = list(dict.fromkeys(t["group"]))
    totals = t.groupby("group", sort=False)["n_total"].max()
    cols = {w: f"{L.wave(w)} (n = {fmt_n(totals.get(w), L.k, lang)})" for w in waves}
    rows: list[dict[str, str]] = []
    blocks: list[int] = []
    for var, g in t.groupby("variable", sort=False):
        blocks.append(len(rows))
        # categories have a level (continuous rows: empty); a suppressed category has no percent
        cat = g["level"].fillna("").astype(str) != ""
        if cat.any():
            rows.append({label("variable", lang): L.outcome(var), label("level", lang): "", **{cols[w]: "" for w in waves}})
            for lv, h in g[cat].groupby("level", sort=False):
                name = label("other_levels", lang) if lv == OTHER_LEVEL else L.categories.get(lv, lv)
                row = {label("variable", lang): "", label("level", lang): name}
                h = h.set_index("group")
                for w in waves:
                    if w not in h.index:
                        row[cols[w]] = "–"
                        continue
                    r = h.loc[w]
                    row[cols[w]] = (fmt_suppressed(r.get(disclosure.REASON), L.k, lang)
                                    if bool(r.get(disclosure.SUPPRESSED, False))
                                    else f"{fmt_n(r['n'], L.k, lang)} ({fmt_num(r['percent'], lang, 1)})")
                rows.append(row)
        else:
            h = g.set_index("group")
            d = L.digits(var)
            r1 = {label("variable", lang): L.outcome(var), label("level", lang): label("mean_sd", lang)}
            r2 = {label("variable", lang): "", label("level", lang): label("median_iqr", lang)}
            for w in waves:
                if w not in h.index or bool(h.loc[w].get(disclosure.SUPPRESSED, False)):
                    r1[cols[w]] = r2[cols[w]] = (fmt_suppressed(h.loc[w].get(disclosure.REASON), L.k, lang)
                                                 if w in h.index else "–")
                    continue
                r = h.loc[w]
                r1[cols[w]] = f"{fmt_num(r['mean'], lang, d)} ({fmt_num(r['sd'], lang, d)})"
                r2[cols[w]] = f"{fmt_num(r['median'], lang, d)} {fmt_ci(r['q1'], r['q3'], lang, d)}"
            rows += [r1, r2]
    df = pd.DataFrame(rows)
    pop = label(f"population_{population}", lang).lower()
    note = " ".join(x for x in (label("suppressed_note", lang, k=L.k), collected_note(collected, L)) if x)
    return DisplayTable(df, label("table1_caption", lang, population=pop), note,
                        numeric=list(df.columns[2:]), group_rows=blocks)


def _estimate_ci(r, lang: str, digits: int) -> str:
    return f"{fmt_num(r['estimate'], lang, digits)} {fmt_ci(r['ci_low'], r['ci_high'], lang, digits)}"


def display_sensitivity(sens: pd.DataFrame, L: Labels) -> DisplayTable:
    """Mean change per outcome and comparison by complete pairs, mixed model and multiple
    imputation, side by side (one row per outcome × comparison)."""
    lang = L.lang
    methods = [m for m in ("complete_case", "mixed_model", "multiple_imputation") if m in set(sens["method"])]
    rows, notes = [], []
    for (o, pre, post), g in sens.groupby(["outcome", "pre", "post"], sort=False):
        g = g.set_index("method")
        d = L.digits(o)
        row = {label("outcome", lang): L.outcome(o), label("comparison", lang): L.comparison_short(pre, post)}
        for m in methods:
            r = g.loc[m] if m in g.index else None
            head = label(f"sens_{m}", lang)
            if r is None:
                row[f"{head}: n"], row[head] = "–", "–"
                continue
            row[f"{head}: n"] = fmt_n(r["n"], L.k, lang, reason=r.get(disclosure.REASON))
            shown = not bool(r.get(disclosure.SUPPRESSED, False)) and not _isnan(r["estimate"])
            row[head] = _estimate_ci(r, lang, d) if shown else "–"
        rows.append(row)
        notes.append(_notes(g[~g[disclosure.SUPPRESSED].fillna(False).astype(bool)]
                            if disclosure.SUPPRESSED in g.columns else g, lang))
    df = _add_notes(pd.DataFrame(rows), notes, lang)
    blocks = _blocks(df, label("outcome", lang))
    df = _blank_repeats(df, [label("outcome", lang)])
    return DisplayTable(df, label("table_sensitivity_caption", lang, ci=L.ci_level),
                        label("suppressed_note", lang, k=L.k), numeric=_numeric(df, 2, lang), group_rows=blocks)


def display_subgroups(sub: pd.DataFrame, L: Labels, min_pairs: int) -> DisplayTable:
    """Mean paired change per subgroup (baseline category of workshop, gender, language)."""
    lang = L.lang
    rows = []
    for r in sub.to_dict("records"):
        lv = str(r.get("subgroup_level", ""))
        d = L.digits(r["outcome"])
        reason = r.get(disclosure.REASON)
        if reason == "min_pairs":
            shown = label("fewer_pairs_than", lang, m=min_pairs)
        elif bool(r.get(disclosure.SUPPRESSED, False)) or _isnan(r["estimate"]):
            shown = "–"
        else:
            shown = _estimate_ci(r, lang, d)
        rows.append({
            label("outcome", lang): L.outcome(r["outcome"]),
            label("comparison", lang): L.comparison_short(r["pre"], r["post"]),
            label("col_subgroup", lang): L.outcome(r["subgroup"]),
            label("level", lang): label("other_levels", lang) if lv == OTHER_LEVEL else L.categories.get(lv, lv),
            label("n", lang): fmt_n(r["n"], L.k, lang, reason=None if reason == "min_pairs" else reason),
            label("col_change_ci", lang, ci=L.ci_level): shown,
        })
    df = pd.DataFrame(rows)
    blocks = _blocks(df, label("outcome", lang))
    df = _blank_repeats(df, [label("outcome", lang), label("comparison", lang), label("col_subgroup", lang)])
    return DisplayTable(df, label("table_subgroups_caption", lang, ci=L.ci_level, m=min_pairs),
                        label("suppressed_note", lang, k=L.k), numeric=list(df.columns[4:]), group_rows=blocks)


def display_auc(auc: pd.DataFrame, L: Labels) -> DisplayTable:
    """The area under the EQ-5D index curve (QALYs over the follow-up): observed, with
    baseline health held constant, and their difference."""
    lang = L.lang
    rows = []
    for r in auc.to_dict("records"):
        small = bool(r.get(disclosure.SUPPRESSED, False)) or _isnan(r["estimate"])
        rows.append({
            label("estimate", lang): label(f"auc_{r['category']}", lang),
            label("n", lang): fmt_n(r["n"], L.k, lang, reason=r.get(disclosure.REASON)),
            label("col_qaly_ci", lang, ci=L.ci_level): "–" if small else _estimate_ci(r, lang, 3),
        })
    df = pd.DataFrame(rows)
    return DisplayTable(df, label("table_auc_caption", lang, ci=L.ci_level), label("suppressed_note", lang, k=L.k),
                        numeric=list(df.columns[1:]))


def display_attrition(att: pd.DataFrame, L: Labels) -> DisplayTable:
    """Baseline differences between completers and drop-outs (standardised mean
    differences, completers − drop-outs), one column per comparison with its two group
    sizes; categorical variables per category (TREND item 13: baseline comparison of
    those lost to follow-up)."""
    lang = L.lang
    comps = list(dict.fromkeys(zip(att["pre"], att["post"])))
    heads = {}
    for pre, post in comps:
        g = att[(att["pre"] == pre) & (att["post"] == post)]
        nc = fmt_n(g["n_completers"].max(), L.k, lang)
        nd = fmt_n(g["n_dropouts"].max(), L.k, lang)
        heads[(pre, post)] = label("col_attrition_smd", lang, comparison=L.comparison_short(pre, post),
                                   n_completers=nc, n_dropouts=nd)
    rows: list[dict[str, str]] = []
    blocks: list[int] = []
    v_col, l_col = label("variable", lang), label("level", lang)
    for var, g in att.groupby("variable", sort=False):
        blocks.append(len(rows))
        for lv, h in g.groupby(g["level"].fillna("").astype(str), sort=False):
            name = "" if lv == "" else (label("other_levels", lang) if lv == OTHER_LEVEL else L.categories.get(lv, lv))
            row = {v_col: L.outcome(var), l_col: name}
            for (pre, post), head in heads.items():
                r = h[(h["pre"] == pre) & (h["post"] == post)]
                if r.empty:
                    row[head] = "–"
                    continue
                r = r.iloc[0]
                if bool(r.get(disclosure.SUPPRESSED, False)):
                    row[head] = fmt_suppressed(r.get(disclosure.REASON), L.k, lang)
                else:
                    row[head] = "–" if _isnan(r["smd"]) else fmt_num(r["smd"], lang, 2)
            rows.append(row)
    df = _blank_repeats(pd.DataFrame(rows), [v_col])
    return DisplayTable(df, label("table_attrition_caption", lang), label("attrition_note", lang, k=L.k),
                        numeric=list(df.columns[2:]), group_rows=blocks)


def display_full_health(profile: pd.DataFrame, L: Labels) -> DisplayTable | None:
    """The share in full health (EQ-5D-5L 11111) per wave, from the published
    ``eq5d_profile`` (its ``full_health`` rows); ``None`` without such rows."""
    lang = L.lang
    t = profile[profile["dimension"] == "full_health"] if "dimension" in profile else profile.iloc[:0]
    if t.empty:
        return None
    rows = []
    for r in t.to_dict("records"):
        small = bool(r.get(disclosure.SUPPRESSED, False)) or _isnan(r["share"])
        rows.append({
            label("wave", lang): L.wave(r["wave"]),
            label("col_complete_profiles", lang): fmt_n(r["n_total"], L.k, lang),
            label("n", lang): fmt_n(r["n"], L.k, lang, reason=r.get(disclosure.REASON)),
            label("col_full_health", lang): "–" if small else
            f"{fmt_pct(r['share'], lang)} {fmt_ci(100 * r['ci_low'], 100 * r['ci_high'], lang, 0)}",
        })
    df = pd.DataFrame(rows)
    return DisplayTable(df, label("table_full_health_caption", lang, ci=L.ci_level),
                        label("suppressed_note", lang, k=L.k), numeric=list(df.columns[1:]))
