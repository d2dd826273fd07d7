"""Rendering of tidy result tables: rounding and p-value notation live here and only here
(APA style; decimal comma in Swedish)."""

from __future__ import annotations

import math

import pandas as pd

from pipelines.publish.labels import label

DIGITS = 2


def fmt_num(x, lang: str = "sv", digits: int = DIGITS) -> str:
    """Round for display.

    Examples
    --------
    >>> fmt_num(3.14159, "en"), fmt_num(3.14159, "sv"), fmt_num(float("nan"))
    ('3.14', '3,14', '–')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return "–"
    s = f"{x:.{digits}f}".replace("-", "−")
    return s.replace(".", ",") if lang == "sv" else s


def fmt_p(p, lang: str = "sv") -> str:
    """p-value notation: three decimals, ``< .001`` below 0.001; English follows APA (no
    leading zero), Swedish keeps the zero and uses the decimal comma.

    Examples
    --------
    >>> fmt_p(0.0314, "en"), fmt_p(0.00002, "en"), fmt_p(0.5, "sv"), fmt_p(0.0002, "sv")
    ('.031', '< .001', '0,500', '< 0,001')
    """
    if p is None or pd.isna(p):
        return "–"
    if lang == "sv":
        return "< 0,001" if p < 0.001 else f"{p:.3f}".replace(".", ",")
    return "< .001" if p < 0.001 else f"{p:.3f}".removeprefix("0")


def fmt_ci(lo, hi, lang: str = "sv", digits: int = DIGITS) -> str:
    """``[lo, hi]`` (semicolon separator in Swedish, where the comma is the decimal mark)."""
    sep = "; " if lang == "sv" else ", "
    return f"[{fmt_num(lo, lang, digits)}{sep}{fmt_num(hi, lang, digits)}]"


def fmt_n(n, k_min: int, lang: str = "sv") -> str:
    """A count, suppressed below ``k_min``."""
    if pd.isna(n):
        return "–"
    return label("suppressed", lang, k=k_min) if 0 < int(n) < k_min else str(int(n))


def prepost_table(tests: pd.DataFrame, outcome_labels: dict[str, str], wave_labels: dict[str, str],
                  lang: str = "sv", k_min: int = 5) -> pd.DataFrame:
    """One display row per outcome x comparison: n, mean change [CI], t-test p, adjusted p,
    Wilcoxon p. Rows with fewer than ``k_min`` pairs show no estimates."""
    t = tests[tests["test"] == "paired_t"].set_index(["outcome", "pre", "post"])
    w = tests[tests["test"] == "wilcoxon"].set_index(["outcome", "pre", "post"])
    method = str(t["p_adj_method"].dropna().iloc[0]) if t["p_adj_method"].notna().any() else "none"
    rows = []
    for key, r in t.iterrows():
        outcome, pre, post = key
        small = r["n"] < k_min
        wp = w["p_value"].get(key, float("nan")) if len(w) else float("nan")
        rows.append({
            label("outcome", lang): outcome_labels.get(outcome, outcome),
            label("family", lang): label(r.get("family", "primary"), lang) if "family" in r else "",
            label("comparison", lang): f"{wave_labels.get(pre, pre)} → {wave_labels.get(post, post)}",
            label("n", lang): fmt_n(r["n"], k_min, lang),
            label("mean_change", lang): "–" if small else fmt_num(r["estimate"], lang),
            label("ci", lang, ci=r["ci_level"]): "–" if small else fmt_ci(r["ci_low"], r["ci_high"], lang),
            "p (t)": "–" if small else fmt_p(r["p_value"], lang),
            label("p_adj", lang, method=method): "–" if small or pd.isna(r["p_adj"]) else fmt_p(r["p_adj"], lang),
            "p (Wilcoxon)": "–" if small else fmt_p(wp, lang),
        })
    return pd.DataFrame(rows)
