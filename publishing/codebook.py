"""The published codebook of a wave: one row per variable and value, with frequencies under
disclosure control (pure: pandas and the standard library).

:func:`codebook_table` builds the tidy table (written as CSV); :func:`render_html` and
:func:`render_markdown` render it. What is shown of a variable depends on what it holds:

* **labelled** (value labels in the file or in study.yaml): every labelled code with its
  count, declared missing codes marked with their kind, values without a label pooled;
* **numbers without labels** (e.g. the EQ VAS, ``bmi``): each value that at least *k*
  respondents gave, the rarer ones pooled as "other values";
* **free text** (a string variable without value labels that is not a configured
  covariate), **dates** and the **participant ID**: never a value, only "free text, n
  answered" (or "date", "pseudonym");
* always a "system-missing" row (blank answers) and the variable's share missing.

Counts between 1 and *k* − 1 are suppressed ("<k"), with secondary suppression so that no
suppressed count can be recovered from the variable's total
(:mod:`publishing.sdc`); a share missing that would reveal such a
count is left out.
"""

from __future__ import annotations

import datetime as dt
import html

import numpy as np
import pandas as pd

COLUMNS = ["wave", "variable", "canonical", "variable_label", "type", "format", "value", "value_label", "missing",
           "n", "percent", "n_total", "share_missing", "suppressed", "suppression", "note", "label_source"]

TEXT = {
    "sv": {"title": "Kodbok", "wave": "Våg", "file": "Fil", "rows": "Rader", "variable": "Variabel",
           "canonical": "Standardnamn", "label": "Etikett", "type": "Typ/format", "value": "Värde",
           "value_label": "Värdeetikett", "missing": "Bortfall", "n": "n", "percent": "%",
           "share_missing": "Andel bortfall", "suppressed": "färre än {k} (dolt)",
           "intro": "Frekvenser med färre än {k} svarande visas som \u201d<{k}\u201d; för att de inte ska kunna räknas "
                    "fram döljs ibland även ett annat värde. Fritext, datum och studiekoder visas aldrig.",
           "system_missing": "systembortfall (tomt)", "other": "övriga värden (var och ett färre än {k})",
           "unlabelled": "värden utan etikett", "free_text": "fritext, {n} besvarade",
           "see_table1": "antal redovisas i tabell 1",
           "date": "datum, {n} besvarade", "pseudonym": "studiekod (pseudonym), {n} rader"},
    "en": {"title": "Codebook", "wave": "Wave", "file": "File", "rows": "Rows", "variable": "Variable",
           "canonical": "Canonical name", "label": "Label", "type": "Type/format", "value": "Value",
           "value_label": "Value label", "missing": "Missing", "n": "n", "percent": "%",
           "share_missing": "Share missing", "suppressed": "fewer than {k} (hidden)",
           "intro": "Counts of fewer than {k} respondents are shown as \u201c<{k}\u201d; so that they cannot be "
                    "derived, another value is sometimes hidden too. Free text, dates and study codes are never shown.",
           "system_missing": "system-missing (blank)", "other": "other values (each fewer than {k})",
           "unlabelled": "values without a label", "free_text": "free text, {n} answered",
           "see_table1": "counts in Table 1",
           "date": "date, {n} answered", "pseudonym": "study code (pseudonym), {n} rows"},
}


def _kind(col: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(col):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(col):
        return "date"
    if pd.api.types.is_numeric_dtype(col):
        return "numeric"
    present = col.dropna()
    if len(present) and all(isinstance(v, (dt.date, dt.datetime, pd.Timestamp)) for v in present.iloc[:50]):
        return "date"
    return "text"


def _blank(col: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col) or \
            pd.api.types.is_datetime64_any_dtype(col):
        return col.isna()
    return (col.isna() | col.astype("string").str.strip().eq("")).fillna(True).astype(bool)


def _fmt_value(v) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def codebook_table(data: pd.DataFrame, codebook: pd.DataFrame, *, wave: str, k: int, id_variable: str,
                   canonical: dict[str, str] | None = None, covariates: set[str] | frozenset = frozenset(),
                   missing_codes: dict[str, dict] | None = None) -> pd.DataFrame:
    """The published codebook of one wave.

    Parameters
    ----------
    data
        The wave as read (``raw_wave``): one column per variable, user-missing codes as codes.
    codebook
        Its codebook (``raw_codebook`` or ``wave_codebook``): ``variable, variable_label,
        value, value_label, user_missing, value_text`` and optionally ``format``,
        ``label_source``.
    wave, k
        Wave id and ``publishing.k_min_cell``.
    id_variable
        The pseudonym variable (never listed).
    canonical
        Raw variable -> canonical item or covariate name.
    covariates
        Raw names of the configured covariates (their text values are categories, not free text).
    missing_codes
        Raw variable -> {code: kind} declared in study.yaml.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`; one row per shown value of every variable plus its system-missing
        row. ``n`` and ``percent`` are NaN where suppressed (``suppressed``,
        ``suppression``); ``share_missing`` (blank + declared missing codes, per
        variable) is NaN where it would reveal a count of 1 … k − 1.

    Examples
    --------
    >>> d = pd.DataFrame({"kod": ["a", "b", "c", "d", "e", "f"], "q1": [1.0, 1, 1, 1, 2, 9],
    ...                   "fritt": ["hej", "", "x", None, "y", "z"]})
    >>> cb = pd.DataFrame({"variable": ["kod", "q1", "q1", "q1", "fritt"], "variable_label": ["", "Fråga", "Fråga",
    ...                    "Fråga", "Kommentar"], "value": [np.nan, 1, 2, 9, np.nan],
    ...                    "value_label": ["", "Ja", "Nej", "Ej svar", ""], "user_missing": [False, False, False, True,
    ...                    False], "value_text": [pd.NA] * 5})
    >>> t = codebook_table(d, cb, wave="T0", k=3, id_variable="kod")
    >>> t[t.variable == "q1"][["value", "value_label", "missing", "n", "suppression"]].to_dict("list")
    {'value': ['1', '2', '9', ''], 'value_label': ['Ja', 'Nej', 'Ej svar', ''], 'missing': ['', '', 'user-missing', 'system'], 'n': [nan, nan, nan, 0.0], 'suppression': ['secondary', 'primary', 'primary', '']}
    >>> t[t.variable == "fritt"]["note"].tolist()
    ['free text', '']
    """
    canonical = canonical or {}
    missing_codes = missing_codes or {}
    n_rows = len(data)
    rows: list[dict] = []
    by_variable = {str(v): g for v, g in codebook.groupby(codebook["variable"].astype(str), sort=False)}
    for var in map(str, data.columns):
        col = data[var]
        entries = by_variable.get(var, codebook.iloc[:0])
        label = str(entries["variable_label"].iloc[0]) if len(entries) and pd.notna(
            entries["variable_label"].iloc[0]) else ""
        fmt = str(entries["format"].iloc[0]) if "format" in entries and len(entries) and pd.notna(
            entries["format"].iloc[0]) else ""
        source = str(entries["label_source"].iloc[0]) if "label_source" in entries and len(entries) else "file"
        kind = _kind(col)
        blank = _blank(col)
        base = {"wave": wave, "variable": var, "canonical": canonical.get(var, ""), "variable_label": label,
                "type": kind, "format": fmt, "n_total": n_rows, "note": "", "label_source": source}
        declared = {float(c): str(kd) for c, kd in missing_codes.get(var, {}).items()}
        labelled = entries[entries["value"].notna()]
        text_labelled = entries[entries["value_text"].notna()] if "value_text" in entries else entries.iloc[:0]
        var_rows: list[dict] = []
        if var == id_variable:
            var_rows.append({**base, "value": "", "value_label": "", "missing": "", "n": int((~blank).sum()),
                             "note": "pseudonym", "_mask": ~blank.to_numpy(dtype=bool)})
        elif kind == "date" or (kind == "text" and not len(text_labelled) and not len(labelled)
                                and var not in covariates):
            var_rows.append({**base, "value": "", "value_label": "", "missing": "", "n": int((~blank).sum()),
                             "note": "date" if kind == "date" else "free text", "_mask": ~blank.to_numpy(dtype=bool)})
        elif kind == "text" and len(text_labelled):
            s = col.astype("string").str.strip()
            shown = set()
            for r in text_labelled.itertuples():
                text_code = str(r.value_text).strip()
                shown.add(text_code)
                miss = "user-missing" if bool(r.user_missing) else ""
                hit = s.eq(text_code).fillna(False).to_numpy(dtype=bool)
                var_rows.append({**base, "value": text_code, "value_label": str(r.value_label), "missing": miss,
                                 "n": int(hit.sum()), "_mask": hit})
            other = ~blank & ~s.isin(sorted(shown)).fillna(False).astype(bool)
            if other.any():
                var_rows.append({**base, "value": "", "value_label": "", "missing": "", "n": int(other.sum()),
                                 "note": "unlabelled", "_mask": other.to_numpy(dtype=bool)})
        else:
            if kind == "text":          # a configured covariate written as text: its categories
                values = col.astype("string").str.strip().where(~blank)
            else:
                values = pd.to_numeric(col, errors="coerce").astype("float64")
            codes: dict[float, tuple[str, str]] = {}
            if kind != "text":
                for r in labelled.itertuples():
                    code = float(r.value)
                    codes[code] = (str(r.value_label), "user-missing" if bool(r.user_missing) else "")
                for c in declared:
                    codes.setdefault(c, ("", ""))
            counts = values.dropna().value_counts()
            for code, (vlabel, miss) in sorted(codes.items()):
                miss = declared.get(code, miss)
                var_rows.append({**base, "value": _fmt_value(code), "value_label": vlabel, "missing": miss,
                                 "n": int(counts.get(code, 0)), "_mask": (values == code).fillna(False).to_numpy(bool)})
            rest = counts[[c not in codes for c in counts.index]] if len(counts) else counts
            answer_labels = any(not miss and c not in declared for c, (_, miss) in codes.items())
            if len(rest):
                if answer_labels:
                    var_rows.append({**base, "value": "", "value_label": "", "missing": "", "n": int(rest.sum()),
                                     "note": "unlabelled",
                                     "_mask": values.isin(list(rest.index)).fillna(False).to_numpy(bool)})
                else:
                    big = rest[rest >= k].sort_index()
                    for v, n in big.items():
                        var_rows.append({**base, "value": _fmt_value(v), "value_label": "", "missing": "",
                                         "n": int(n), "_mask": (values == v).fillna(False).to_numpy(bool)})
                    small = rest[rest < k]
                    if len(small):
                        var_rows.append({**base, "value": "", "value_label": "", "missing": "",
                                         "n": int(small.sum()), "note": "other",
                                         "_mask": values.isin(list(small.index)).fillna(False).to_numpy(bool)})
        var_rows.append({**base, "value": "", "value_label": "", "missing": "system", "n": int(blank.sum()),
                         "_mask": blank.to_numpy(dtype=bool)})
        if var in covariates and var != id_variable:
            # a covariate's categories are published (recoded, protected with every linked
            # table) in Table 1; the codebook lists them without counts
            for r in var_rows:
                r["n"], r["note"], r["_mask"] = np.nan, r["note"] or "see_table1", None
        n_missing = sum(r["n"] for r in var_rows if r["missing"])
        answered = n_rows - n_missing
        share = n_missing / n_rows if n_rows else np.nan
        if 0 < n_missing < k or 0 < answered < k:
            share = np.nan
        for r in var_rows:
            r["share_missing"] = share
        rows.extend(var_rows)
    table = pd.DataFrame(rows)
    for column in COLUMNS:
        if column not in table:
            table[column] = np.nan if column in ("n", "percent", "share_missing") else ""
    table["percent"] = 100 * table["n"] / table["n_total"]
    table = _protect(table, n_rows, k)
    return table[COLUMNS].reset_index(drop=True)


def _protect(table: pd.DataFrame, n_rows: int, k: int) -> pd.DataFrame:
    """Threshold and secondary suppression (:mod:`publishing.sdc`): the values of a
    variable (and its blanks) add up to the wave's respondents, so no count of 1 … k − 1
    may be left recoverable from the others."""
    from publishing import sdc

    q = sdc.Quantities(n_rows)
    everyone = q.add(np.ones(n_rows, dtype=bool), label="respondents")
    for i in table.index:
        q.add(everyone.members, sdc.Placement("codebook", int(i), ("n_total", "percent"), withholds_row=False))
    for var, g in table.groupby("variable", sort=False):
        parts = []
        for i in g.index:
            m = table.at[i, "_mask"]
            if m is None or (isinstance(m, float) and np.isnan(m)):
                continue
            parts.append(q.add(m, sdc.Placement("codebook", int(i), ("n", "percent")),
                               label=f"a value of {var}", expect=table.at[i, "n"]))
        if parts:
            q.relate(everyone, parts, label=f"values of {var}")
    sdc.protect(q, k)
    withheld: dict[int, str] = {}
    blank: dict[str, list[int]] = {}
    out = table.drop(columns="_mask").copy()
    for qt in q.items:
        if qt.status not in (sdc.PRIMARY, sdc.SECONDARY):
            continue
        for pl in qt.placements:
            for column in pl.columns:
                blank.setdefault(column, []).append(pl.row)
            if pl.withholds_row and withheld.get(pl.row) != "primary":
                withheld[pl.row] = qt.status
    for column, rows in blank.items():   # one assignment per column (a cell at a time is slow)
        out.loc[sorted(set(rows)), column] = np.nan
    out["suppression"] = [withheld.get(i, "") for i in out.index]
    out["suppressed"] = out["suppression"] != ""
    return out


MISSING_KIND = {
    "sv": {"dont_know": "vet ej", "no_answer": "ej svar", "not_applicable": "ej aktuellt", "invalid": "ogiltigt",
           "user-missing": "bortfallskod i filen"},
    "en": {"dont_know": "don't know", "no_answer": "no answer", "not_applicable": "not applicable",
           "invalid": "invalid", "user-missing": "missing code in the file"},
}


def _display_value(r, T, k) -> tuple[str, str]:
    """(value, value label) as shown for one row."""
    note = r.note
    if note == "pseudonym":
        return "", T["pseudonym"].format(n=_n(r, k))
    if note == "free text":
        return "", T["free_text"].format(n=_n(r, k))
    if note == "date":
        return "", T["date"].format(n=_n(r, k))
    if note == "other":
        return "", T["other"].format(k=k)
    if note == "unlabelled":
        return "", T["unlabelled"]
    if note == "see_table1":
        return str(r.value), f"{r.value_label} ({T['see_table1']})" if r.value_label else T["see_table1"]
    if r.missing == "system":
        return "", T["system_missing"]
    return str(r.value), str(r.value_label)


def _n(r, k) -> str:
    if bool(r.suppressed):
        return f"<{k}" if r.suppression == "primary" else "x"
    return "–" if pd.isna(r.n) else f"{int(r.n):d}"


def _pct(r, lang) -> str:
    if bool(r.suppressed) or pd.isna(r.percent):
        return ""
    s = f"{r.percent:.1f}"
    return s.replace(".", ",") if lang == "sv" else s


def render_html(table: pd.DataFrame, *, wave_label: str, file: str, k: int, lang: str = "sv") -> str:
    """A self-contained HTML page of :func:`codebook_table` (every text escaped)."""
    T = TEXT[lang]
    esc = html.escape
    n_rows = f"{int(table['n_total'].iloc[0])}" if len(table) and pd.notna(table["n_total"].iloc[0]) else f"<{k}"
    head = [T[c] for c in ("variable", "label", "type", "value", "value_label", "missing", "n", "percent",
                           "share_missing")]
    out = [f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">",
           f"<title>{esc(T['title'])} – {esc(wave_label)}</title>",
           "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:0.9em}"
           "th,td{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}"
           "td.n{text-align:right}tr.first td{border-top:2px solid #999}</style></head><body>",
           f"<h1>{esc(T['title'])}: {esc(wave_label)}</h1>",
           f"<p>{esc(T['file'])}: {esc(file)} · {esc(T['rows'])}: {n_rows}</p>",
           f"<p>{esc(T['intro'].format(k=k))}</p>", "<table>",
           "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    previous = None
    for r in table.itertuples():
        first = r.variable != previous
        previous = r.variable
        value, vlabel = _display_value(r, T, k)
        missing = "" if not r.missing else ("–" if r.missing == "system" else
                                            MISSING_KIND[lang].get(r.missing, r.missing))
        share = "" if not first or pd.isna(r.share_missing) else (
            f"{100 * r.share_missing:.1f} %".replace(".", "," if lang == "sv" else "."))
        name = f"{r.variable}" + (f" ({r.canonical})" if r.canonical else "")
        typ = r.type + (f" {r.format}" if r.format else "")
        cells = [name if first else "", r.variable_label if first else "", typ if first else "", value, vlabel,
                 missing, _n(r, k) if not r.note or r.note in ("other", "unlabelled") else "", _pct(r, lang)
                 if not r.note or r.note in ("other", "unlabelled") else "", share]
        tr = '<tr class="first">' if first else "<tr>"
        out.append(tr + "".join(
            f"<td class=\"n\">{esc(str(c))}</td>" if i in (6, 7, 8) else f"<td>{esc(str(c))}</td>"
            for i, c in enumerate(cells)) + "</tr>")
    out.append("</tbody></table></body></html>\n")
    return "\n".join(out)


def render_markdown(table: pd.DataFrame, k: int, max_rows: int = 200) -> str:
    """One line per variable (name, canonical name, type, shown values, share missing) as
    Markdown, for the asset's metadata in the Dagster UI."""
    lines = ["| variable | canonical | type | values shown | share missing |", "|---|---|---|---|---|"]
    for var, g in table.groupby("variable", sort=False):
        r = g.iloc[0]
        shown = int((g["missing"] != "system").sum())
        note = r.note if r.note in ("pseudonym", "free text", "date") else f"{shown}"
        share = "" if pd.isna(r.share_missing) else f"{100 * r.share_missing:.1f} %"
        lines.append(f"| {var} | {r.canonical} | {r.type} {r.format} | {note} | {share} |")
        if len(lines) - 2 >= max_rows:
            lines.append(f"| … | | | | ({table['variable'].nunique() - max_rows} more) |")
            break
    return "\n".join(lines) + f"\n\nCounts below {k} are suppressed in the published files."
