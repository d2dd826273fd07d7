"""Figures, display tables and report text of degenerate studies (issue 14).

Every figure function gets what a tiny or degenerate study publishes -- no rows at all
(one wave: no comparison), rows whose estimates are NaN with a "not estimable" note,
shares of 0 % and 100 % with Wilson bounds at the share -- and must draw (``canvas.draw``
included), say "not estimable" / "ej skattningsbar" where something is missing, and never
give matplotlib a negative error bar. The display tables carry the translated notes in a
"Note" column, and the summary says why it has no comparison.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from analysis import distributions, eq5d, prepost, tidy
from publishing import figures, labels, registry, sdc, tables
from publishing.tables import Labels

NOT_ESTIMABLE = {"sv": "ej skattningsbar", "en": "not estimable"}
EMPTY = pd.DataFrame()


def L(lang="en") -> Labels:
    return Labels(lang, {"who5_percent": "WHO-5", "eq5d5l_index": "EQ-5D-5L index"},
                  {"T0": "Baseline", "T1": "Follow-up"}, ranges={"who5_percent": (0, 100)},
                  units={"who5_percent": "points"}, k=5)


def texts(fig) -> str:
    fig.canvas.draw()  # layout and drawing errors surface here, not at construction
    out = " ".join(t.get_text() for t in fig.findobj(Text))
    plt.close(fig)
    return out.replace("\n", " ")


@pytest.fixture(params=["sv", "en"])
def lang(request):
    return request.param


def test_every_reason_has_a_translation_in_every_language():
    cat = labels.catalogue()
    for lang in labels.LANGUAGES:
        assert set(cat[lang]["not_estimable_reasons"]) == set(tidy.REASONS.values()), lang
    assert labels.note_text(tidy.not_estimable("no_comparison"), "sv") == \
        "ej skattningsbar: ingen jämförelse mellan mättillfällen är angiven"
    assert labels.note_text("", "sv") == "" and labels.note_text(None, "en") == ""


# -- figures with nothing to draw --------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda L: figures.means_over_waves(EMPTY, ["who5_percent"], L),
    lambda L: figures.participant_flow(EMPTY, L, ["who5_percent"]),
    lambda L: figures.mean_change(EMPTY, ["who5_percent"], L, {"who5_percent": 10.0}),
    lambda L: figures.forest(EMPTY, L, ["who5_percent"]),
    lambda L: figures.distributions(EMPTY, ["who5_percent"], L),
    lambda L: figures.distributions(distributions.distribution_summary(pd.DataFrame({"wave": [], "y": []}), [], ["T0"]),
                                    [], L),
    lambda L: figures.eq5d_pchc(EMPTY, L),
    lambda L: figures.responders(EMPTY, L),
    lambda L: figures.eq5d_problems(EMPTY, L),
    lambda L: figures.dose_response(EMPTY, L, ["who5_percent"]),
], ids=["means", "flow", "mean_change", "forest", "distributions", "distributions_no_outcome", "pchc", "responders", "eq5d_problems",
        "dose_response"])
def test_a_figure_without_data_states_why(make, lang):
    assert NOT_ESTIMABLE[lang] in texts(make(L(lang)))


def test_comparison_figures_without_comparisons_name_the_reason():
    assert "no comparison between waves configured" in texts(figures.participant_flow(EMPTY, L(), ["who5_percent"]))
    assert "ingen jämförelse" in texts(figures.forest(EMPTY, L("sv"), ["who5_percent"]))


# -- figures with not-estimable rows -----------------------------------------------------------


def tiny_pairs(pre, post):
    ids = [f"p{i}" for i in range(len(pre))]
    return pd.DataFrame({"participant_id": ids * 2, "wave": ["T0"] * len(ids) + ["T1"] * len(ids),
                         "who5_percent": [*pre, *post]})


def test_forest_of_a_single_pair_marks_it_not_estimable(lang):
    es = prepost.paired_effect_sizes(tiny_pairs([40.0], [48.0]), ["who5_percent"], "T0", "T1")
    es = es.assign(suppressed=False, suppression="")  # as published with nothing suppressed
    assert NOT_ESTIMABLE[lang] in texts(figures.forest(es, L(lang), ["who5_percent"]))


def test_means_over_waves_marks_a_wave_without_estimate(lang):
    summary = pd.DataFrame({"outcome": "who5_percent", "wave": ["T0", "T1"], "n": [12, 0],
                            "estimate": [55.0, np.nan], "ci_low": [50.0, np.nan], "ci_high": [60.0, np.nan],
                            "suppressed": False, "note": ["", tidy.not_estimable("no_observations")]})
    text = texts(figures.means_over_waves(summary, ["who5_percent"], L(lang)))
    assert NOT_ESTIMABLE[lang] in text and "<5" not in text


def test_means_over_waves_with_a_ci_bound_on_the_wrong_side_by_rounding():
    summary = pd.DataFrame({"outcome": "who5_percent", "wave": ["T0", "T1"], "n": [12, 12],
                            "estimate": [55.0, 60.0], "ci_low": [55.0 + 1e-12, 50.0], "ci_high": [60.0, 60.0 - 1e-12],
                            "suppressed": False})
    texts(figures.means_over_waves(summary, ["who5_percent"], L()))


def test_eq5d_problems_at_zero_and_hundred_percent_and_an_empty_wave(lang):
    """The crash of issue 14: "'yerr' must not contain negative values"."""
    n = 9
    panel = pd.DataFrame({"participant_id": [f"p{i}" for i in range(n)] * 2, "wave": ["T0"] * n + ["T1"] * n,
                          "eq5d5l_mo": [1.0] * n + [np.nan] * n, "eq5d5l_pd": [4.0] * n + [np.nan] * n})
    shares = eq5d.problem_shares(panel, dims=("eq5d5l_mo", "eq5d5l_pd"), waves=["T0", "T1"])
    published = shares.assign(suppressed=False, suppression="")  # n 9 and 0: nothing to withhold
    text = texts(figures.eq5d_problems(published, L(lang)))
    assert NOT_ESTIMABLE[lang] in text  # T1: nobody answered


def test_whiskers_are_never_negative():
    low, high = figures._whisker([-3e-18, 0.2, np.nan], [0.1, -1e-15, 0.3])
    assert low.tolist()[:2] == [0.0, 0.2] and np.isnan(low[2]) and high.tolist() == [0.1, 0.0, 0.3]


def test_stacked_shares_without_pairs_say_not_estimable(lang):
    pchc = eq5d.pchc(tiny_pairs([1.0], [np.nan]).rename(columns={"who5_percent": "eq5d5l_mo"}), "T0", "T1",
                     dims=("eq5d5l_mo",))
    pchc = pchc.assign(suppressed=False, suppression="")  # no pairs: nothing to withhold
    text = texts(figures.eq5d_pchc(pchc, L(lang)))
    assert NOT_ESTIMABLE[lang] in text
    resp = pd.DataFrame({"outcome": "who5_percent", "pre": "T0", "post": "T1",
                         "category": ["improved", "worsened", "unchanged"], "n": 0, "n_total": 0, "share": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan, "mid": 10.0, "suppressed": False,
                         "note": tidy.not_estimable("no_pairs")})
    assert NOT_ESTIMABLE[lang] in texts(figures.responders(resp, L(lang)))


def test_health_literacy_wave_without_answers(lang):
    panel = pd.DataFrame({"wave": ["T0"] * 6 + ["T1"], "lvl": ["sufficient"] * 6 + [None]})
    shares = distributions.level_shares(panel, "lvl", ["T0", "T1"], ["inadequate", "problematic", "sufficient"]).assign(
        suppressed=False, suppression="")
    text = texts(figures.health_literacy_levels(shares, L(lang)))
    assert NOT_ESTIMABLE[lang] in text and "100" in text


def test_dose_response_rows_without_estimate(lang):
    terms = pd.DataFrame({"outcome": "who5_percent", "term": ["(Intercept)", "visits_per_week"], "n": 2,
                          "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "pre": "T0", "post": "T1",
                          "suppressed": False, "note": tidy.not_estimable("few_observations")})
    text = texts(figures.dose_response(terms, L(lang), ["who5_percent"]))
    assert labels.note_text(tidy.not_estimable("few_observations"), lang) in text


# -- display tables and report text ------------------------------------------------------------


def test_display_tables_carry_the_translated_notes(lang):
    res = prepost.paired_tests(tiny_pairs([40.0, 44.0, 52.0, 60.0, 48.0], [44.0, 48.0, 56.0, 64.0, 52.0]),
                               ["who5_percent"], "T0", "T1").assign(family="primary")
    shown = tables.display_prepost(res.assign(suppressed=False, suppression=""), L(lang))
    note = shown.data[labels.label("note", lang)].iloc[0]
    assert note == labels.note_text(tidy.not_estimable("no_change_variation"), lang)
    assert labels.label("note", lang) not in shown.numeric
    ok = prepost.paired_tests(tiny_pairs([40.0, 44.0, 52.0, 60.0, 48.0], [44.0, 52.0, 50.0, 68.0, 52.0]),
                              ["who5_percent"], "T0", "T1").assign(family="primary")
    assert labels.label("note", lang) not in tables.display_prepost(ok, L(lang)).data.columns  # nothing to say


def test_a_note_is_blanked_with_its_suppressed_row():
    """"fewer than 2 pairs" would tell a count of 1: it goes with the suppressed values."""
    res = prepost.paired_tests(tiny_pairs([40.0], [48.0]), ["who5_percent"], "T0", "T1").reset_index(drop=True)
    assert res["note"].notna().any()
    qs = sdc.Quantities(20)
    people = np.arange(20)
    for row in (0, 1):     # the t-test and the Wilcoxon row count the same one pair
        qs.add(people < 1, sdc.Placement("prepost_tests", row, ("n", "estimate")))
    sdc.protect(qs, 5)
    pub = registry.apply_decision({"prepost_tests": res}, qs.items)["prepost_tests"]
    assert pub.loc[0, "suppressed"] and pd.isna(pub.loc[0, "note"])
    assert pub.loc[1, "suppressed"] and pd.isna(pub.loc[1, "note"])


def test_display_of_a_table_without_rows_is_empty():
    terms = pd.DataFrame({"outcome": ["who5_percent"], "term": ["(Intercept)"], "n_groups": [12.0],
                          "estimate": [50.0], "ci_low": [45.0], "ci_high": [55.0], "df": [11.0], "p_value": [0.001],
                          "suppressed": [False]})
    assert tables.display_mixed(terms, L()).data.empty  # one wave: the intercept only, no contrast


def test_summary_of_a_study_without_comparisons(lang):
    from publishing import narrative
    from studyconfig.config import load_config

    config = load_config("data/example/study.yaml")
    config = config.model_copy(update={"analysis": config.analysis.model_copy(update={"comparisons": []})})
    blocks = narrative.summary(None, None, config, L(lang))
    assert len(blocks) == 1 and NOT_ESTIMABLE[lang] in blocks[0]["text"].lower()
