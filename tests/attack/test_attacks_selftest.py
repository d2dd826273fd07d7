"""The attacker is not vacuous: every attack finds a disclosure planted in a hand-made
release folder (so a change that breaks a parser or a rule fails here), and the ground
truth agrees with the project's own analysis library on a generated study."""

from __future__ import annotations

import math
import zipfile

import attacks
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

K = 5


def release(tmp_path, tables=None, files=None, k=K):
    """Write a release folder: ``tables`` name -> DataFrame (CSV), ``files`` relative path
    -> text (HTML, SVG) or bytes."""
    (tmp_path / "tables").mkdir(parents=True, exist_ok=True)
    (tmp_path / "figures").mkdir(exist_ok=True)
    for name, df in (tables or {}).items():
        df.to_csv(tmp_path / "tables" / f"{name}.csv", index=False, float_format="%.17g")
    for rel, content in (files or {}).items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return attacks.load_release(tmp_path, k)


def found(result, group, count=None, values=None, attack=None):
    """The claims of ``result`` about ``group`` with that count / those values."""
    out = []
    for c in result.claims:
        if c.group != group or (attack and c.attack != attack):
            continue
        if count is not None and c.count != count:
            continue
        if values is not None and (c.values is None or not np.allclose(sorted(c.values), sorted(values))):
            continue
        out.append(c)
    return out


def moments(x):
    x = np.asarray(x, float)
    return len(x), float(x.mean()), float(x.std(ddof=1)) if len(x) > 1 else float("nan")


# -- (b) differencing between populations --------------------------------------------------

def test_wave_summaries_all_minus_recurring_gives_two_exact_scores(tmp_path):
    rng = np.random.default_rng(1)
    rec = rng.integers(0, 26, 25) * 4.0
    everyone = np.concatenate([rec, [60.0, 84.0]])
    rows = []
    for pop, x in (("all", everyone), ("recurring", rec)):
        n, m, sd = moments(x)
        rows.append({"outcome": "who5_percent", "wave": "T1", "n": n, "estimate": m, "std_error": sd / math.sqrt(n),
                     "sd": sd, "population": pop, "suppressed": False, "suppression": ""})
    res = attacks.attack(release(tmp_path, {"wave_summaries": pd.DataFrame(rows)}))
    grp = ("minus", ("answered", "T1", "all", "who5_percent"), ("answered", "T1", "recurring", "who5_percent"))
    assert found(res, grp, count=2, attack="b_differencing")
    hit = found(res, grp, values=[60.0, 84.0], attack="b_differencing")
    assert hit and hit[0].spec == ("score", "T1", "who5_percent")


def test_table1_all_minus_recurring_with_one_person_gives_the_value(tmp_path):
    rec = [40.0, 52.0, 64.0, 68.0, 72.0, 80.0]
    rows = []
    for pop, x in (("all", rec + [12.0]), ("recurring", rec)):
        n, m, sd = moments(x)
        rows.append({"variable": "who5_percent", "level": "", "group": "T0", "n": n, "n_total": n, "percent": "",
                     "mean": m, "sd": sd, "median": np.median(x), "q1": np.quantile(x, .25), "q3": np.quantile(x, .75),
                     "population": pop, "merged_levels": "", "suppressed": False, "suppression": ""})
    res = attacks.attack(release(tmp_path, {"table1": pd.DataFrame(rows)}))
    grp = ("minus", ("answered", "T0", "all", "who5_percent"), ("answered", "T0", "recurring", "who5_percent"))
    assert found(res, grp, values=[12.0])
    assert found(res, ("minus", ("resp", "T0", "all"), ("resp", "T0", "recurring")), count=1)


def flow_rows(cells):
    rows = []
    for (stage, definition, wave), n in cells.items():
        rows.append({"stage": stage, "definition": definition, "wave": wave, "outcome": "", "n": n, "reason": "",
                     "pre": "T0", "post": "T1", "suppressed": n is None, "suppression": "" if n is not None else "primary"})
    return pd.DataFrame(rows)


# -- (c) totals minus parts --------------------------------------------------------------

def test_flow_hidden_cell_follows_from_its_neighbours(tmp_path):
    flow = flow_rows({("assessed", "all", "T0"): 30, ("assessed", "all", "T1"): 25,
                      ("lost_to_follow_up", "all", "T1"): None, ("new_at_follow_up", "all", "T1"): None,
                      ("analysed", "recurring_both_waves", "T1"): None,
                      ("excluded", "recurring_attendance", "T1"): 8, ("analysed", "recurring_attendance", "T1"): 13})
    res = attacks.attack(release(tmp_path, {"participant_flow": flow}))
    assert found(res, ("flow", "T0", "T1", "new"), count=4, attack="c_totals")


def test_table1_hidden_category_and_non_response_from_percent(tmp_path):
    rows = [{"variable": "gender", "level": "Kvinna", "group": "T0", "n": 12, "n_total": 17, "percent": 80.0,
             "population": "all", "merged_levels": "", "suppressed": False, "suppression": ""},
            {"variable": "gender", "level": "Man", "group": "T0", "n": None, "n_total": 17, "percent": None,
             "population": "all", "merged_levels": "", "suppressed": True, "suppression": "primary"}]
    res = attacks.attack(release(tmp_path, {"table1": pd.DataFrame(rows)}))
    assert found(res, ("answered", "T0", "all", "gender"), count=None) or True
    assert found(res, ("level", "T0", "all", "gender", ("Man",)), count=3, attack="c_totals")
    assert found(res, ("minus", ("resp", "T0", "all"), ("answered", "T0", "all", "gender")), count=2)


def test_responder_categories_minus_their_total(tmp_path):
    base = {"outcome": "who5_percent", "pre": "T0", "post": "T1", "n_total": 14, "suppressed": False, "suppression": ""}
    rows = [{**base, "category": "improved", "n": 9}, {**base, "category": "unchanged", "n": 3},
            {**base, "category": "worsened", "n": None, "suppressed": True}]
    res = attacks.attack(release(tmp_path, {"responders": pd.DataFrame(rows)}))
    assert found(res, ("responders", "T0", "T1", "who5_percent", "worsened"), count=2, attack="c_totals")
    assert found(res, ("responders", "T0", "T1", "who5_percent", "unchanged"), count=3, attack="a_direct")


# -- (d) back-calculation ---------------------------------------------------------------

def test_count_from_wilson_bounds(tmp_path):
    lo, hi = attacks.wilson(3, 14)
    rows = [{"dimension": "eq5d5l_mo", "wave": "T1", "n": None, "n_total": 14, "share": None, "ci_low": lo,
             "ci_high": hi, "ci_level": 0.95, "suppressed": True, "suppression": "primary"}]
    res = attacks.attack(release(tmp_path, {"eq5d_problem_shares": pd.DataFrame(rows)}))
    assert found(res, ("eq5d_problem", "T1", "eq5d5l_mo"), count=3, attack="d_back_calculation")


def test_count_from_a_t_tests_df(tmp_path):
    rows = [{"outcome": "who5_percent", "pre": "T0", "post": "T1", "test": "paired_t", "n": None, "estimate": None,
             "statistic": None, "df": 3, "method": "Paired t-test", "suppressed": True, "suppression": "primary"}]
    res = attacks.attack(release(tmp_path, {"prepost_tests": pd.DataFrame(rows)}))
    assert found(res, ("pairs", "T0", "T1", "attendance", "who5_percent"), count=4, attack="d_back_calculation")


def test_stacked_bar_percentages_give_the_hidden_level(tmp_path):
    t1 = pd.DataFrame([{"variable": "gender", "level": "a", "group": "T0", "n": 20, "n_total": 20, "percent": 100,
                        "population": "all", "merged_levels": "", "suppressed": False, "suppression": ""}])
    svg = "<svg>" + "".join(f"<!-- {t} -->" for t in ["0%", "20%", "Share", "0", "20", "40", "60", "80", "100",
                                                         "45", "40", "n = 20"]) + "</svg>"
    res = attacks.attack(release(tmp_path, {"table1": t1}, {"figures/health_literacy_levels_en.svg": svg}))
    hits = [c for c in res.claims if c.group and c.group[0] == "any_of" and c.count == 3]
    assert hits and hits[0].attack == "d_back_calculation"


# -- (e) values of small groups ------------------------------------------------------------

@pytest.mark.parametrize("values", [[37.5], [20.0, 44.0], [8.0, 8.0, 15.0], [20.0, 44.0, 48.0, 76.0],
                                    [0.1, 0.35, 0.7, 0.8, 0.95]])
def test_table1_quartiles_mean_and_sd_give_every_value_of_a_group_up_to_five(tmp_path, values):
    x = np.array(values)
    n, m, sd = moments(x)
    rows = [{"variable": "eq5d5l_index", "level": "", "group": "T2", "n": n, "n_total": n + 1, "percent": "",
             "mean": m, "sd": sd, "median": np.median(x), "q1": np.quantile(x, .25), "q3": np.quantile(x, .75),
             "population": "recurring", "merged_levels": "", "suppressed": False, "suppression": ""}]
    res = attacks.attack(release(tmp_path, {"table1": pd.DataFrame(rows)}, k=3))
    assert found(res, ("answered", "T2", "recurring", "eq5d5l_index"), values=values, attack="e_small_group_values")


@given(st.lists(st.integers(0, 100), min_size=1, max_size=5))
@settings(max_examples=200, deadline=None)
def test_values_from_quantiles_recovers_any_small_group(xs):
    x = np.sort(np.array(xs, float))
    sd = float(x.std(ddof=1)) if len(x) > 1 else None
    got = attacks.values_from_quantiles(len(x), tuple(np.quantile(x, [.25, .5, .75])), float(x.mean()), sd)
    # n = 1-3 and 5 from the quartiles and the mean; n = 4 needs the SD (one of two roots is ordered)
    assert got is not None and np.allclose(sorted(got), x, atol=1e-6)


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=3, max_size=30), st.integers(1, 2))
@settings(max_examples=60, deadline=None)
def test_values_from_sums_recovers_the_one_or_two_left_out(xs, drop):
    x = np.array(xs)
    rest, out = x[drop:], x[:drop]
    total = x.sum() - rest.sum()
    sumsq = (x ** 2).sum() - (rest ** 2).sum()
    got = attacks.values_from_sums(drop, total, sumsq)
    assert np.allclose(sorted(got), sorted(out), atol=1e-4)


def test_prepost_of_two_pairs_gives_both_changes(tmp_path):
    d = np.array([-8.0, 20.0])
    n, m, sd = moments(d)
    t = m / (sd / math.sqrt(n))
    rows = [{"outcome": "who5_percent", "pre": "T0", "post": "T2", "test": "paired_t", "n": n, "estimate": m,
             "statistic": t, "df": 1, "method": "Paired t-test", "suppressed": False, "suppression": ""}]
    res = attacks.attack(release(tmp_path, {"prepost_tests": pd.DataFrame(rows)}))
    hit = found(res, ("pairs", "T0", "T2", "attendance", "who5_percent"), values=[-8.0, 20.0])
    assert hit and hit[0].spec == ("change", "T0", "T2", "who5_percent")


# -- (f) statistics that are counts --------------------------------------------------------

def test_exact_mcnemar_statistic_and_estimate_give_both_discordant_cells(tmp_path):
    b, c, n = 3, 0, 15
    rows = [{"outcome": "who5_depression_screen", "pre": "T0", "post": "T1", "test": "mcnemar_exact", "n": n,
             "estimate": (b - c) / n, "statistic": float(b), "df": None, "p_value": 0.25, "suppressed": False,
             "suppression": ""},
            {"outcome": "srh_good", "pre": "T0", "post": "T1", "test": "mcnemar", "n": 17, "estimate": (3 - 1) / 17,
             "statistic": (abs(3 - 1) - 1) ** 2 / 4, "df": 1, "p_value": 0.6, "suppressed": False, "suppression": ""}]
    res = attacks.attack(release(tmp_path, {"categorical_change": pd.DataFrame(rows)}))
    assert found(res, ("pairs_cells", "T0", "T1", "who5_depression_screen", False, True), count=3,
                 attack="f_count_statistics")
    assert found(res, ("pairs_cells", "T0", "T1", "srh_good", False, True), count=3, attack="f_count_statistics")
    assert found(res, ("pairs_cells", "T0", "T1", "srh_good", True, False), count=1, attack="f_count_statistics")


def test_wilcoxon_non_zero_differences_give_the_zero_changes(tmp_path):
    rows = [{"outcome": "who5_percent", "pre": "T0", "post": "T1", "test": "wilcoxon", "n": 13, "estimate": 1.0,
             "statistic": 1.0, "method": "Wilcoxon signed rank test with continuity correction (11 non-zero "
                                         "differences)", "suppressed": False, "suppression": ""}]
    res = attacks.attack(release(tmp_path, {"prepost_tests": pd.DataFrame(rows)}))
    assert found(res, ("pairs_sign", "T0", "T1", "who5_percent", "zero"), count=2)
    # V = 1 with 11 non-zero differences: exactly one positive difference (rank 1)
    assert found(res, ("pairs_sign", "T0", "T1", "who5_percent", "pos"), count=1, attack="f_count_statistics")


# -- (g) the narrative, and (a) small numbers in any text ------------------------------------

def test_attrition_sentence_share_next_to_a_suppressed_count(tmp_path):
    flow = flow_rows({("assessed", "all", "T0"): 30})
    html = ("<html><body><ul><li>Baseline → Follow-up: of 30 who answered at baseline, &lt;5 (10%) did not answer the "
            "follow-up, and 21 counted as recurring participants. The largest standardised baseline difference "
            "between completers and drop-outs: Age group (18-29 år), SMD = -1.24.</li></ul></body></html>")
    t1 = pd.DataFrame([{"variable": "age_group", "level": "18-29 år", "group": "T0", "n": 6, "n_total": 30,
                        "percent": 20.0, "population": "all", "merged_levels": "", "suppressed": False,
                        "suppression": ""}])
    res = attacks.attack(release(tmp_path, {"participant_flow": flow, "table1": t1}, {"report.en.html": html}))
    assert found(res, ("flow", "T0", "T1", "lost"), count=3, attack="g_narrative")
    assert res.statements and res.statements[0]["group"] == ("flow", "T0", "T1", "lost")
    # 3 drop-outs: the SMD is a statistic of a group below k, and its inversion (4 of 27
    # completers, 2 of 3 drop-outs) places the drop-outs in the category
    assert [c.attribute for c in res.claims if c.group == ("dropout", "T0", "T1")] == ["SMD -1.24"]
    smd = [c for c in res.claims if c.group == ("dropout_level", "T0", "T1", "age_group", ("18-29 år",))]
    assert smd and all(c.attack == "g_narrative" for c in smd)


def test_small_n_in_a_figure_and_a_word_file_is_reported(tmp_path):
    svg = "<svg><!-- Recurring by attendance --><!-- n = 3 --><!-- n = 13–16 --></svg>"
    xml = ('<w:document><w:body><w:p><w:r><w:t>Table 1 (n = 2)</w:t></w:r></w:p></w:body></w:document>')
    doc = tmp_path / "elsewhere" / "x.docx"
    doc.parent.mkdir()
    with zipfile.ZipFile(doc, "w") as z:
        z.writestr("word/document.xml", xml)
    res = attacks.attack(release(tmp_path, {}, {"figures/participant_flow_en.svg": svg,
                                                "report.docx": doc.read_bytes()}))
    texts = sorted(c.what.split("'")[1] for c in res.unattributed)
    assert texts == ["n = 2", "n = 3"]        # "n = 13–16" is a range, not a count


def test_unknown_table_with_a_small_count_is_unattributed(tmp_path):
    res = attacks.attack(release(tmp_path, {"new_table": pd.DataFrame({"n_people": [2, 40], "x": [1, 2]})}))
    assert [c.count for c in res.unattributed] == [2]


def test_a_safe_release_yields_nothing(tmp_path):
    flow = flow_rows({("assessed", "all", "T0"): 40, ("assessed", "all", "T1"): 30,
                      ("lost_to_follow_up", "all", "T1"): 15, ("new_at_follow_up", "all", "T1"): 5,
                      ("analysed", "recurring_both_waves", "T1"): 25,
                      ("excluded", "recurring_attendance", "T1"): 10, ("analysed", "recurring_attendance", "T1"): 15})
    res = attacks.attack(release(tmp_path, {"participant_flow": flow}))
    assert res.claims == [] and res.unattributed == []


# -- verification --------------------------------------------------------------------------

class FakeTruth:
    def __init__(self, counts, values=None):
        self.counts, self.vals = counts, values or {}

    def count(self, g):
        return self.counts[g]

    def values(self, g, spec):
        return np.sort(np.asarray(self.vals[(g, spec)], float))

    def members_of(self, g):
        return frozenset(range(self.counts[g]))


def test_verify_keeps_only_true_disclosures():
    g1, g2, g3 = ("flow", "T0", "T1", "new"), ("flow", "T0", "T1", "lost"), ("answered", "T0", "all", "x")
    spec = ("score", "T0", "x")
    claims = [attacks.Claim("c_totals", ("a",), "new", g1, count=4),
              attacks.Claim("c_totals", ("a",), "lost", g2, count=2),           # truth says 9: refuted
              attacks.Claim("e_small_group_values", ("a",), "one", g3, spec=spec, values=(12.0,)),
              attacks.Claim("e_small_group_values", ("a",), "one", g3, spec=spec, values=(13.0,))]
    result = attacks.AttackResult(claims, [], [{"file": "r", "group": g2, "text": "<5", "below": 5}], 0, 0)
    truth = FakeTruth({g1: 4, g2: 9, g3: 1}, {(g3, spec): [12.0]})
    recs, refuted, false = attacks.verify(result, truth, 5, "s")
    assert [(r.group, r.value) for r in recs] == [(g1, 4), (g3, (12.0,))]
    assert len(refuted) == 2
    assert false and false[0]["true_count_at_least_k"]


def test_summary_table_counts_by_attack():
    rec = attacks.Recovery("s", "c_totals", ("f",), "w", ("flow", "T0", "T1", "new"), 4)
    rows = [{"status": "ok", "recoveries": [rec], "distinct": 1, "refuted": [], "unattributed": [],
             "false_statements": [], "n_numbers": 10, "n_facts": 3},
            {"status": "crashed: categorical_change: ValueError", "recoveries": [], "distinct": 0}]
    text = attacks.summarise(rows)
    assert "studies attacked: 1 (crashed, not counted: 1)" in text
    assert "categorical_change: ValueError x1" in text
    assert [line.split()[1] for line in text.splitlines() if line.strip().startswith("c_totals")] == ["1"]
