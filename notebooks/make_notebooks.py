"""Write the exploration notebooks (``NN-topic.ipynb``) from the cell sources below.

``python notebooks/make_notebooks.py`` regenerates every notebook without outputs (the
form they are kept in git). Edit the cells here, not in the .ipynb files, so the
notebooks stay reviewable as plain Python.

Every notebook reads *materialised assets* from the project's Dagster instance and
storage (run ``python -m pipelines run`` first) and never recomputes scoring or
statistics. They show aggregates only: no participant IDs, no row-level data.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
import logging
import numbers
import os
from pathlib import Path

import dagster as dg
import pandas as pd
from IPython.display import Image, display

from studyconfig.config import PROJECT_ROOT, load_config
from pipelines.definitions import defs
from survey import study

# The same instance and storage as `python -m pipelines run` (DAGSTER_HOME, JH_OUTPUT_ROOT,
# STUDY_CONFIG; defaults: .dagster_home/, the project folder, the example study).
os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))
logging.getLogger("dagster").setLevel(logging.WARNING)
instance = dg.DagsterInstance.get()
config = load_config()
study.register_study_scales(config)  # labels of the study's own scales
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 30)
K_MIN = config.publishing.k_min_cell


def load(asset: str, wave: str | None = None):
    """A materialised asset (a wave's partition with `wave=`); fails if it is missing."""
    return defs.load_asset_value(asset, instance=instance, partition_key=wave)


def code(v) -> str:
    """An answer code as the codebook means it: 7 rather than 7.0; a text code unchanged."""
    return str(int(v)) if isinstance(v, numbers.Real) and float(v).is_integer() else str(v)


def show(fig):
    """Display a figure as PNG (the pipeline's matplotlib backend is non-interactive)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    display(Image(buf.getvalue()))


print("study:", config.study.name, "| waves:", config.wave_ids, "| instance:", instance.root_directory)
'''

NOTEBOOKS = {
    "01-explore-wave.ipynb": [
        ("md", """\
# 01 · Explore a wave and its codebook

What the wave file contains (variables, labels, value labels, user-missing codes), how it
maps onto canonical items, and how complete the answers are. Everything shown is read from
materialised assets (`raw_codebook`, `wave_codebook`, `harmonised_wave`, `item_missingness`)
and is aggregate: no participant IDs and no individual answers.

Run `python -m pipelines run` first. Change `WAVE` below to look at another wave."""),
        ("code", SETUP),
        ("code", """\
WAVE = config.wave_ids[-1]
wave_cfg = config.wave(WAVE)
print(WAVE, "-", wave_cfg.label.en, "| file:", wave_cfg.file, "| instruments:", ", ".join(wave_cfg.instruments))"""),
        ("md", "## Codebook of the raw file\nOne row per variable: its SPSS label and how many values carry labels."),
        ("code", """\
raw_codebook = load("raw_codebook", WAVE)
variables = (raw_codebook.groupby("variable", sort=False)
             .agg(label=("variable_label", "first"),
                  n_value_labels=("value", "count"),
                  user_missing=("user_missing", lambda s: ", ".join(
                      code(v) for v in raw_codebook.loc[s.index][s.astype(bool)]["value"])))
             .reset_index())
print(len(variables), "variables")
variables"""),
        ("md", "Value labels of one variable (the first mapped item), with the user-missing codes flagged."),
        ("code", """\
first_item_var = next(iter(wave_cfg.mapping))
raw_codebook[raw_codebook["variable"] == first_item_var][["value", "value_label", "user_missing"]]"""),
        ("md", "## Mapping onto canonical items\n`wave_codebook` adds the canonical name of every mapped variable; unmapped variables are ignored by the pipeline."),
        ("code", """\
wave_codebook = load("wave_codebook", WAVE)
mapping = wave_codebook.drop_duplicates("variable")[["variable", "canonical", "variable_label"]]
print("mapped:", int(mapping["canonical"].notna().sum()), "| not mapped:", mapping.loc[mapping["canonical"].isna(), "variable"].tolist())
mapping.head(15)"""),
        ("md", "## The harmonised wave: columns, types and distributions (aggregates only)"),
        ("code", """\
harmonised = load("harmonised_wave", WAVE)
print(harmonised.shape[0], "rows,", harmonised.shape[1], "columns")
harmonised.dtypes.value_counts()"""),
        ("code", """\
items = [c for c in harmonised.columns if c in set(wave_cfg.mapping.values())]
harmonised[items].describe().T.head(20)"""),
        ("md", "Covariates as counts per level; counts below `k_min_cell` are shown as `<k`."),
        ("code", """\
covariates = [c for c in wave_cfg.covariates.values() if c in harmonised]
for cov in covariates:
    counts = harmonised[cov].value_counts(dropna=False)
    shown = counts.astype(object).where(counts >= K_MIN, f"<{K_MIN}")
    print(f"{cov}:", dict(shown))"""),
        ("md", "## Item missingness\nAnswered, don't know, no answer and system-missing per item (from `item_missingness`)."),
        ("code", """\
miss = load("item_missingness", WAVE)
miss = miss.assign(answered_rate=miss["n_answered"] / miss["n_rows"])
miss.sort_values("answered_rate")[["variable", "item", "n_rows", "n_answered", "n_dont_know", "n_no_answer",
                                   "n_system_missing", "answered_rate"]].head(10)"""),
        ("code", """\
from publishing import style

fig, ax = style.figure(height=style.FULL_WIDTH * 0.45)
by_instrument = miss.assign(instrument=miss["item"].str.replace(r"_(\\d{2}|mo|sc|ua|pd|ad|vas)$", "", regex=True))
rate = by_instrument.groupby("instrument")["answered_rate"].mean().sort_values()
ax.barh(rate.index, rate.values, color=style.PALETTE[0])
ax.xaxis.set_major_formatter(style.percent_formatter("en"))
ax.set_xlabel("mean share of answered items")
ax.set_xlim(0, 1)
show(fig)"""),
    ],
    "02-scores-and-reliability.ipynb": [
        ("md", """\
# 02 · Instrument scores and reliability

How many respondents got a valid score per instrument and wave, the distribution of the
scores, and internal consistency (Cronbach's alpha, McDonald's omega) per scale and wave.
Read from `score_valid_rates`, `scored_wave` and `wave_reliability`; nothing is rescored
here. The scoring rules are in the instrument specs (`instruments.spec(id)`)."""),
        ("code", SETUP),
        ("code", """\
import instruments

rows = []
for inst in dict.fromkeys(i for w in config.waves for i in w.instruments):
    s = instruments.spec(inst)
    rows.append({"instrument": inst, "name": s.name["en"], "items": s.n_items, "status": s.status,
                 "doi": s.doi})
pd.DataFrame(rows)"""),
        ("md", "## Valid scores per instrument and wave"),
        ("code", """\
valid = pd.concat([load("score_valid_rates", w).assign(wave=w) for w in config.wave_ids], ignore_index=True)
valid.pivot(index="instrument", columns="wave", values="valid_rate").round(3)"""),
        ("md", "## Score distributions per wave (continuous outcomes, aggregates only)"),
        ("code", """\
kinds = study.outcome_kinds()
summaries = []
for w in config.wave_ids:
    scored = load("scored_wave", w)
    cols = [c for c in scored.columns if kinds.get(c) == "continuous"]
    summaries.append(scored[cols].describe().T.assign(wave=w))
scores = pd.concat(summaries).reset_index(names="score")
scores[["score", "wave", "count", "mean", "std", "min", "50%", "max"]].round(2).head(24)"""),
        ("md", "## Internal consistency per scale and wave"),
        ("code", """\
reliability = pd.concat([load("wave_reliability", w) for w in config.wave_ids], ignore_index=True)
print(list(reliability.columns))
reliability.pivot_table(index=["instrument", "scale"], columns="wave", values="alpha").round(2)"""),
        ("code", """\
from publishing import style

fig, ax = style.figure(height=style.FULL_WIDTH * 0.5)
table = reliability.pivot_table(index=["instrument", "scale"], columns="wave", values="alpha")
labels = [f"{i} / {s}" if s != i else i for i, s in table.index]
for j, w in enumerate(table.columns):
    ax.plot(table[w].values, range(len(table)), "o", color=style.PALETTE[j % len(style.PALETTE)], label=w)
ax.set_yticks(range(len(table)), labels)
ax.axvline(0.7, color=style.GREY, linestyle="--", linewidth=0.8)
ax.set_xlabel("Cronbach's alpha")
ax.legend(frameon=False)
show(fig)"""),
    ],
    "03-prepost-and-sensitivity.ipynb": [
        ("md", """\
# 03 · Pre/post results and sensitivity analyses

The recurring-participant flow, the paired pre/post comparisons with adjusted p-values,
standardised effect sizes, and how the estimates change under other missing-data
approaches. Read from `participant_flow`, `prepost_tests`, `effect_sizes` and
`sensitivity_estimates` (tidy tables, floats unrounded; rounding here is for display)."""),
        ("code", SETUP),
        ("md", "## Participant flow (primary definition of a recurring participant)"),
        ("code", """\
flow = load("participant_flow")
print("primary definition:", config.recurring.definition)
flow[flow["outcome"].isna()][["pre", "post", "stage", "definition", "wave", "n", "reason"]]"""),
        ("md", "## Paired comparisons (paired t-test; Wilcoxon rows are in the same table)"),
        ("code", """\
tests = load("prepost_tests")
print("tests:", sorted(tests["test"].unique()), "| adjustment:", tests["p_adj_method"].dropna().unique())
t = tests[tests["test"] == "paired_t"]
t[["family", "outcome", "pre", "post", "n", "estimate", "ci_low", "ci_high", "p_value", "p_adj"]].round(3)"""),
        ("md", "## Effect sizes"),
        ("code", """\
es = load("effect_sizes")
es.pivot_table(index=["outcome", "pre", "post"], columns="effect_size_type", values="estimate").round(2)"""),
        ("md", "## Sensitivity: the same contrasts under other missing-data approaches"),
        ("code", """\
sens = load("sensitivity_estimates")
sens.pivot_table(index=["outcome", "pre", "post"], columns="method", values="estimate").round(2)"""),
        ("code", """\
from publishing import style

s = sens[sens["post"] == config.analysis.comparisons[-1][1]]
methods = list(dict.fromkeys(s["method"]))
outcomes = list(dict.fromkeys(s["outcome"]))
fig, axes = style.figure(height=style.FULL_WIDTH * 0.3 * max(1, len(outcomes)) ** 0.5 + 1,
                         ncols=len(outcomes), sharey=True)
axes = axes if hasattr(axes, "__len__") else [axes]
for ax, outcome in zip(axes, outcomes):
    d = s[s["outcome"] == outcome].set_index("method").reindex(methods)
    ax.errorbar(d["estimate"], range(len(d)), xerr=[d["estimate"] - d["ci_low"], d["ci_high"] - d["estimate"]],
                fmt="o", color=style.PALETTE[0])
    ax.axvline(0, color=style.GREY, linewidth=0.8)
    ax.set_title(style.wrap(outcome, 18), fontsize=8)
axes[0].set_yticks(range(len(methods)), methods)
show(fig)"""),
    ],
    "04-custom-figure.ipynb": [
        ("md", """\
# 04 · A custom figure for the report

A forest plot of standardised effect sizes (Hedges' g_av, with CIs) for every outcome and
comparison, in the house style (`publishing.style`: Okabe-Ito palette, decimal comma
in Swedish, PNG 300 dpi + SVG + PDF with fixed metadata). Built from the materialised
`effect_sizes` table; groups smaller than `k_min_cell` are left out. The figure is written
next to the report's figures (`reports/<year>/figures/custom_*`)."""),
        ("code", SETUP),
        ("code", """\
from pipelines.assets.publishing import outcome_labels, wave_labels
from publishing import style
from pipelines.resources import ProjectPaths

LANG = config.publishing.default_language
es = load("effect_sizes")
print("effect size types:", sorted(es["effect_size_type"].unique()))
g = es[(es["effect_size_type"] == "hedges_g_av") & (es["n"] >= K_MIN)].copy()
print(len(g), "estimates;", int(((es["effect_size_type"] == "hedges_g_av") & (es["n"] < K_MIN)).sum()), "suppressed (n < k)")"""),
        ("code", """\
olab, wlab = outcome_labels(LANG), wave_labels(config, LANG)
outcomes = [o for o in config.analysis.outcomes if o in set(g["outcome"])]
comparisons = [tuple(c) for c in config.analysis.comparisons]
fig, ax = style.figure(height=0.9 + 0.32 * len(outcomes))
step = 0.8 / max(1, len(comparisons))
for j, (pre, post) in enumerate(comparisons):
    d = g[(g["pre"] == pre) & (g["post"] == post)].set_index("outcome").reindex(outcomes)
    y = [i + (j - (len(comparisons) - 1) / 2) * step for i in range(len(outcomes))]
    ax.errorbar(d["estimate"], y, xerr=[d["estimate"] - d["ci_low"], d["ci_high"] - d["estimate"]],
                fmt="o", markersize=4, capsize=2, color=style.PALETTE[j % len(style.PALETTE)],
                label=f"{wlab[pre]} → {wlab[post]}")
ax.axvline(0, color=style.GREY, linewidth=0.8)
ax.set_yticks(range(len(outcomes)), [style.wrap(olab.get(o, o), 40) for o in outcomes])
ax.invert_yaxis()
ax.xaxis.set_major_formatter(style.number_formatter(LANG, 1))
ax.set_xlabel("Hedges g (95 % KI)" if LANG == "sv" else "Hedges' g (95% CI)")
ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=1, fontsize=7)
show(fig)"""),
        ("md", "Save it next to the report's figures (the house style fixes the file metadata, so reruns give identical bytes)."),
        ("code", """\
fig_dir = ProjectPaths().report_dir(config.study.evaluation_year) / "figures"
written = style.save(fig, fig_dir / f"custom_effect_sizes_{LANG}")
{k: str(v.relative_to(ProjectPaths().base)) for k, v in written.items()}"""),
    ],
}


def build(name: str, cells) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:2]}-{i:02d}"
    return nb


def main() -> None:
    """Write every notebook in :data:`NOTEBOOKS` next to this script, outputs stripped."""
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(name, cells), HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
