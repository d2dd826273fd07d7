"""Rounding, p-value notation and display tables (one place: publishing.tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from publishing import tables
from publishing.labels import LANGUAGES, catalogue, label


def test_p_value_notation_apa_and_swedish():
    assert tables.fmt_p(0.0314, "en") == ".031"
    assert tables.fmt_p(0.0314, "sv") == "0,031"
    assert tables.fmt_p(0.0004, "en") == "< .001"
    assert tables.fmt_p(0.0004, "sv") == "< 0,001"
    assert tables.fmt_p(np.nan, "sv") == "–"
    # in running text the relation sign is part of the value: never "p = < 0,001"
    assert tables.fmt_p_expr(0.0004, "sv") == "< 0,001"
    assert tables.fmt_p_expr(0.2, "en") == "= .200"


def test_numbers_use_decimal_comma_and_true_minus_in_swedish():
    assert tables.fmt_num(-1.234, "sv") == "−1,23"
    assert tables.fmt_num(-0.001, "en") == "0.00"          # no "−0.00"
    assert tables.fmt_ci(-0.5, 1.25, "sv") == "[−0,50; 1,25]"
    assert tables.fmt_ci(-0.5, 1.25, "en") == "[−0.50, 1.25]"


def test_counts_below_k_are_shown_as_less_than_k():
    assert tables.fmt_n(3, 5, "sv") == "<5"
    assert tables.fmt_n(np.nan, 5, "en", reason="primary") == "<5"
    assert tables.fmt_n(5, 5, "en") == "5"


def test_a_count_withheld_to_protect_another_is_never_called_small():
    """A blank count says "<k" only when it was withheld for being small itself: a count
    withheld to protect another may be large ("<5 did not answer" where 9 did)."""
    assert tables.fmt_n(np.nan, 5, "en", reason="secondary") == "x"
    assert tables.fmt_n(np.nan, 5, "en") == "x"           # reason unknown: never "<k"


def test_catalogue_has_the_same_keys_in_both_languages():
    cat = catalogue()
    assert set(cat) == set(LANGUAGES)
    assert set(cat["sv"]) == set(cat["en"])
    assert label("ci", "sv", ci=0.95) == "95% KI"


def test_display_prepost_hides_suppressed_rows():
    tests = pd.DataFrame({
        "outcome": ["who5_percent"] * 4, "pre": "T0", "post": ["T1", "T1", "T2", "T2"],
        "test": ["paired_t", "wilcoxon"] * 2, "n": [40.0, 40.0, np.nan, np.nan],
        "estimate": [6.5, 6.0, np.nan, np.nan], "ci_low": [3.0, 2.0, np.nan, np.nan],
        "ci_high": [10.0, 9.0, np.nan, np.nan], "ci_level": 0.95, "p_value": [0.0004, 0.001, np.nan, np.nan],
        "p_adj": [0.002, 0.003, np.nan, np.nan], "p_adj_method": "holm", "family": "primary",
        "suppressed": [False, False, True, True], "suppression": ["", "", "primary", "primary"]})
    L = tables.Labels("sv", {"who5_percent": "WHO-5"}, {"T0": "Baslinje", "T1": "Uppf. 1", "T2": "Uppf. 2"},
                      ranges={"who5_percent": (0, 100)})
    d = tables.display_prepost(tests, L).data
    assert d.iloc[0]["Medelförändring"] == "6,5"
    assert d.iloc[0]["p (t)"] == "< 0,001"
    assert d.iloc[1]["n"] == "<5" and d.iloc[1]["Medelförändring"] == "–"
    assert d.iloc[1]["Utfallsmått"] == ""          # repeated outcome label blanked within its block


def test_table1_categories_are_translated_when_the_config_says_so():
    from publishing.tables import Labels, display_table1

    t1 = pd.DataFrame({
        "variable": ["gender", "gender"], "level": ["Kvinna", "Man"], "group": ["T0", "T0"],
        "n": [20, 10], "n_total": [30, 30], "percent": [66.7, 33.3], "mean": [float("nan")] * 2,
        "sd": [float("nan")] * 2, "median": [float("nan")] * 2, "q1": [float("nan")] * 2,
        "q3": [float("nan")] * 2, "n_missing": [0, 0], "population": ["all", "all"],
    })
    L = Labels(lang="en", outcomes={}, waves={"T0": "Baseline"}, variables={"gender": "Gender"},
               categories={"Kvinna": "Woman"})
    shown = display_table1(t1, L, population="all").data.to_string()
    assert "Woman" in shown and "Kvinna" not in shown and "Man" in shown


def test_table1_shows_a_suppressed_category_as_suppressed_not_as_absent():
    """A suppressed category has no count and no percent; it must still be shown (as
    "<k"), not as "–" (which means: not asked in that wave)."""
    from publishing import disclosure
    from publishing.tables import Labels, display_table1

    nan = float("nan")
    t1 = pd.DataFrame({
        "variable": ["gender", "gender", "who5"], "level": ["Kvinna", "Man", ""], "group": ["T0", "T0", "T0"],
        "n": [nan, nan, 28], "n_total": [30, 30, 30], "percent": [nan, nan, nan], "mean": [nan, nan, 61.0],
        "sd": [nan, nan, 12.0], "median": [nan, nan, 60.0], "q1": [nan, nan, 52.0], "q3": [nan, nan, 72.0],
        "population": "recurring", disclosure.SUPPRESSED: [True, True, False],
    })
    L = Labels(lang="en", outcomes={"who5": "WHO-5"}, waves={"T0": "Baseline"}, variables={"gender": "Gender"}, k=5)
    data = display_table1(t1, L, population="recurring").data
    col = [c for c in data.columns if c.startswith("Baseline")][0]
    shown = dict(zip(data.iloc[:, 1], data[col]))
    assert shown["Kvinna"] == shown["Man"] != "–" and "5" in shown["Kvinna"]
    assert shown["Mean (SD)"].startswith("61")


def _labels(lang="en"):
    return tables.Labels(lang, {"who5_percent": "WHO-5", "gender": "Gender"}, {"T0": "Baseline", "T1": "Follow-up"},
                         ranges={"who5_percent": (0, 100)}, categories={"Kvinna": "Woman"})


def test_sensitivity_table_shows_the_three_analyses_side_by_side():
    sens = pd.DataFrame({"outcome": "who5_percent", "pre": "T0", "post": "T1",
                         "method": ["complete_case", "mixed_model", "multiple_imputation"],
                         "n": [40.0, 52.0, np.nan], "estimate": [6.5, 6.1, np.nan], "ci_low": [3.0, 2.9, np.nan],
                         "ci_high": [10.0, 9.3, np.nan], "ci_level": 0.95, "note": None,
                         "suppressed": [False, False, True], "suppression": ["", "", "secondary"]})
    d = tables.display_sensitivity(sens, _labels()).data
    row = d.iloc[0]
    assert row["Complete pairs: n"] == "40" and row["Complete pairs"] == "6.5 [3.0, 10.0]"
    assert row["Mixed model"] == "6.1 [2.9, 9.3]"
    # withheld to protect another count: not shown and not called small
    assert row["Multiple imputation: n"] == "x" and row["Multiple imputation"] == "–"


def test_subgroup_table_states_the_precision_rule_and_translates_categories():
    sub = pd.DataFrame({"outcome": "who5_percent", "pre": "T0", "post": "T1", "subgroup": "gender",
                        "subgroup_level": ["Kvinna", "Övriga/Other"], "n": [24.0, 7.0], "estimate": [5.0, np.nan],
                        "ci_low": [1.0, np.nan], "ci_high": [9.0, np.nan], "ci_level": 0.95,
                        "suppressed": [False, True], "suppression": ["", "min_pairs"]})
    d = tables.display_subgroups(sub, _labels(), 10).data
    assert d["Category"].tolist() == ["Woman", "Other (merged)"]
    assert d["n"].tolist() == ["24", "7"]
    assert d.iloc[1]["Change [95% CI]"] == "fewer than 10 pairs"
    assert d.iloc[0]["Change [95% CI]"] == "5.0 [1.0, 9.0]"


def test_auc_table_rows_are_named_and_withheld_rows_blank():
    auc = pd.DataFrame({"outcome": "eq5d5l_index", "category": ["auc", "auc_baseline_constant", "auc_change"],
                        "n": [30.0, 30.0, 30.0], "estimate": [1.234, 1.2, 0.034], "ci_low": [1.1, 1.1, -0.01],
                        "ci_high": [1.3, 1.3, 0.08], "ci_level": 0.95, "suppressed": False, "suppression": ""})
    d = tables.display_auc(auc, _labels("sv")).data
    assert d.iloc[2, 0] == "Skillnad (QALY)" and d.iloc[2, 2] == "0,034 [−0,010; 0,080]"
