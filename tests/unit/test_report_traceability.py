"""Issue 17: the report's traceability -- caption identifiers, the numbered-output index and
the provenance picture's layout -- on small hand-made inputs and random graphs."""

from __future__ import annotations

import hypothesis.strategies as st
import pandas as pd
from hypothesis import given, settings

from publishing import lineage, report
from publishing.tables import DisplayTable


def _graph_strategy():
    """Random DAGs over nodes n0..n9: each node's parents have smaller numbers."""
    return st.lists(st.lists(st.integers(0, 9), max_size=3), min_size=2, max_size=10).map(
        lambda ps: {f"n{i}": sorted({f"n{p % i}" for p in parents}) if i else [] for i, parents in enumerate(ps)})


@settings(max_examples=150, deadline=None)
@given(_graph_strategy())
def test_every_arrow_of_the_provenance_picture_points_down(parents):
    start = f"n{len(parents) - 1}"
    cols = lineage.layers(start, parents)
    where = {n: i for i, col in enumerate(cols) for n in col}
    assert cols[-1] == [start] and start in where
    assert all(where[p] < where[c] for p, c in lineage.edges(cols, parents))
    # exactly the ancestors of start are drawn
    todo, anc = [start], {start}
    while todo:
        for p in parents.get(todo.pop(), []):
            if p not in anc:
                anc.add(p)
                todo.append(p)
    assert set(where) == anc


def test_skipped_assets_and_their_ancestors_are_left_out():
    parents = {"fig": ["tab"], "tab": ["an", "settings"], "an": ["panel"], "settings": ["cfgfile"]}
    cols = lineage.layers("fig", parents, skip=["settings"])
    assert {n for c in cols for n in c} == {"fig", "tab", "an", "panel"}


def test_the_picture_is_drawn_with_files_and_partitioned_assets():
    parents = {"figure_x": ["published/x"], "published/x": ["x"], "x": ["panel"], "panel": ["scored_wave"],
               "scored_wave": ["raw_wave"], "raw_wave": []}
    cols = lineage.layers("figure_x", parents)
    fig = lineage.figure(cols, lineage.edges(cols, parents), [("waves/t0.sav", "ab" * 32, "raw_wave")],
                         "sv", partitioned=["raw_wave", "scored_wave"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "waves/\nt0.sav\nsha256 abababababab" in texts
    assert "scored_wave\n(en per mättillfälle)" in texts
    assert len([t for t in texts if t]) == 7 and len(texts) == 7 + 6          # boxes, then the 6 arrows


def _table(caption="T"):
    return DisplayTable(pd.DataFrame({"a": ["1"]}), caption)


def test_identify_names_the_asset_the_file_hash_and_what_a_figure_draws():
    blocks = [{"type": "figure", "source": "figure_responders", "number": 1, "title": "Svar"},
              {"type": "table", "source": "table1", "also": ("collected_categories",), "number": 1,
               "table": _table("Tabell ett")},
              {"type": "table", "number": 2, "table": _table()},           # (an appendix table: no asset)
              {"type": "p", "text": "x"}]
    files = {"figures/responders_en.png": "f" * 64, "tables/table1.csv": "1" * 64}
    out = report.identify(blocks, files, "en")
    assert out[0]["ident"] == {"asset": "figure_responders", "sha256": "f" * 12, "file": "figures/responders_en.png"}
    assert out[0]["drawn_from"] == ["published/responders"]
    assert out[1]["ident"]["sha256"] == "1" * 12 and out[1]["drawn_from"] == ["published/collected_categories"]
    assert "ident" not in out[2] and out[3] == blocks[3]
    index = report.output_index({"meta": {"lang": "en"}, "blocks": out})
    assert [(r["number"], r["asset"]) for r in index] == [("Figure 1", "figure_responders"),
                                                          ("Table 1", "published/table1")]
    # a file the assets did not record keeps the asset key and no hash
    assert report.identify(blocks[:1], {}, "sv")[0]["ident"]["sha256"] == ""


def test_the_identifier_is_printed_under_the_caption_in_html_and_word(tmp_path):
    from docx import Document

    from publishing import docx_report

    ident = {"asset": "published/responders", "sha256": "0123456789ab", "file": "tables/responders.csv"}
    html = report.html_table(_table("Svarande"), number=3, lang="sv", ident=ident)
    assert 'Källa i Dagster: <code>published/responders</code> · sha256 <code>0123456789ab</code>' in html
    doc = Document()
    docx_report.add_table(doc, _table("Svarande"), 3, "sv", ident)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Källa i Dagster: published/responders · sha256 0123456789ab" in text
    # rows are kept whole and numbers do not wrap
    xml = doc.tables[0]._tbl.xml
    assert "w:cantSplit" in xml


def test_the_attrition_table_shows_each_comparison_with_its_group_sizes():
    from publishing import tables

    att = pd.DataFrame({
        "variable": ["age", "gender", "gender"], "level": [None, "Kvinna", "Man"],
        "pre": ["T0"] * 3, "post": ["T1"] * 3, "n_completers": [40, 40, 40], "n_dropouts": [30, 30, 30],
        "smd": [0.25, -0.1, float("nan")], "suppression": [None, None, "primary"], "suppressed": [False, False, True]})
    L = tables.Labels(lang="sv", k=5, outcomes={"age": "Ålder", "gender": "Kön"}, waves={"T0": "T0", "T1": "T1"})
    t = tables.display_attrition(att, L)
    head = t.data.columns[2]
    assert "n = 40" in head and "n = 30" in head
    assert t.data[head].tolist() == ["0,25", "−0,10", "<5"]
    assert t.data.iloc[:, 0].tolist() == ["Ålder", "Kön", ""]


def test_a_truncated_y_axis_is_marked_and_a_full_one_is_not():
    import matplotlib.pyplot as plt

    from publishing.figures import mark_truncated_axis

    fig, ax = plt.subplots()
    ax.set_ylim(55, 72)
    assert mark_truncated_axis(ax, 0.0) and len(ax.lines) == 2
    ax2 = fig.add_subplot(2, 1, 2)
    ax2.set_ylim(0, 100)
    assert not mark_truncated_axis(ax2, 0.0) and not ax2.lines
    assert not mark_truncated_axis(ax2, float("nan"))
    plt.close(fig)


def test_alt_text_reads_the_plotted_values_and_names_withheld_ones():
    L = report.tables.Labels("sv", {"who5": "WHO-5", "eq5d5l_mo": "Rörlighet"}, {"T0": "Baslinje", "T1": "Uppföljning"})
    es = pd.DataFrame({"outcome": ["who5", "who5"], "pre": ["T0", "T0"], "post": ["T1", "T1"],
                       "effect_size_type": ["hedges_g_av", "cohens_d_z"], "estimate": [0.321, 0.4],
                       "suppressed": [False, False]})
    text = report.alt_text("effect_sizes_forest", {"effect_sizes": es}, L, "Effektstorlekar")
    assert text == "Effektstorlekar. WHO-5 → Uppföljning: g = 0,32."
    shares = pd.DataFrame({"dimension": ["eq5d5l_mo", "eq5d5l_mo"], "wave": ["T0", "T1"], "share": [0.35, None],
                           "suppressed": [False, True]})
    text = report.alt_text("eq5d_problems", {"eq5d_problem_shares": shares}, L, "Problem")
    assert "Baslinje 35 %" in text and "Uppföljning undertryckt" in text
    # a figure without a data reader points to its table; nothing is ever longer than ALT_MAX
    assert report.alt_text("participant_flow", {}, L, "Flöde").startswith("Flöde. ")
    many = pd.DataFrame({"outcome": ["who5"] * 400, "wave": ["T0"] * 400, "estimate": [1.0] * 400})
    assert len(report.alt_text("model_means", {"mixed_model_means": many}, L, "M")) <= report.ALT_MAX


def test_word_cell_properties_keep_the_schema_order(tmp_path):
    """Word rejects a file whose cell properties are out of order (CT_TcPr is a sequence):
    borders, then no-wrap, whatever order the code sets them in."""
    from docx import Document

    from publishing import docx_report

    t = DisplayTable(pd.DataFrame({"a": ["Lång text här", "x"], "n": ["103", "10"]}), "T", numeric=["n"],
                     group_rows=[0, 1])
    doc = Document()
    docx_report.add_table(doc, t, 1, "sv")
    order = docx_report._TCPR_ORDER
    for tc in doc.tables[0]._tbl.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tcPr"):
        names = [c.tag.rpartition("}")[2] for c in tc]
        assert names == sorted(names, key=order.index), names
    assert any("noWrap" in [c.tag.rpartition("}")[2] for c in tc]
               for tc in doc.tables[0]._tbl.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tcPr"))


def test_word_columns_never_break_a_word_when_the_page_has_room():
    """Random tables on a portrait page: no column narrower than its longest word (header
    included) whenever the words fit side by side at all, and the widths fill no more than
    the page (the effect-size table's header broke as "Compariso/n")."""
    import numpy as np
    import pandas as pd
    from docx import Document
    from docx.shared import Cm

    from publishing import docx_report

    rng = np.random.default_rng(7)
    words = ["Comparison", "Outcome", "n", "Follow-up", "December", "2024", "[0.02, 0.42]", "<5", "Psychological",
             "health", "(WHOQOL-BREF,", "0–100)", "Hedges'", "g", "0.21", "→", "Baseline", "Empowerment"]
    total = int(Cm(16))
    checked = 0
    for _ in range(200):
        n_cols, n_rows = int(rng.integers(2, 8)), int(rng.integers(1, 6))
        cols = [" ".join(rng.choice(words, int(rng.integers(1, 3)))) + f" {j}" for j in range(n_cols)]
        data = pd.DataFrame([[" ".join(rng.choice(words, int(rng.integers(1, 4)))) for _ in cols]
                             for _ in range(n_rows)], columns=cols)
        numeric = [c for c in cols if rng.random() < 0.3]
        table = Document().add_table(rows=n_rows, cols=n_cols)
        docx_report._column_widths(table, data, total, numeric)
        widths = [c.width for c in table.columns]  # stored in twips (635 EMU): rounded per column
        assert sum(widths) <= total + 635 * n_cols
        longest = [max([int(len(w) * 1.2 + 0.5) for w in str(c).split()] + [len(x) for v in data[c] for x in str(v).split()])
                   for c in cols]
        floors = [int((lg + 2) * docx_report.CHAR_WIDTH) for lg in longest]
        if sum(floors) <= total * 0.9:
            checked += 1
            assert all(w >= f - 635 for w, f in zip(widths, floors)), (cols, widths, floors)
    assert checked > 50


def test_a_portrait_table_too_wide_for_its_intervals_puts_them_on_their_own_line():
    """The effect-size table (six columns, three with estimate and interval) does not fit a
    portrait page with its intervals beside the estimates: each interval goes below its
    estimate (never split at random); a table that fits is left as it is."""
    from docx import Document

    from publishing import docx_report

    est = ["0.27 [0.05, 0.48]", "−0.03 [−0.23, 0.16]"]
    wide = pd.DataFrame({"Outcome": ["Psychological health (WHOQOL-BREF, 0–100)"] * 2,
                         "Comparison": ["→ Follow-up December 2024"] * 2, "n": ["89", "103"],
                         "Cohen's d (paired)": est, "Hedges' g (average SD)": est, "rank-biserial r": est})
    narrow = wide[["Outcome", "n", "Cohen's d (paired)"]]
    for data, split in ((wide, True), (narrow, False)):
        numeric = [c for c in data.columns if c not in ("Outcome", "Comparison")]
        doc = Document()
        docx_report.add_table(doc, DisplayTable(data, "T", numeric=numeric), 1, "en")
        assert doc.sections[-1].orientation == 0  # portrait
        cells = [c.text for c in doc.tables[0].rows[1].cells]
        assert ("0.27\n[0.05, 0.48]" in cells) is split and ("0.27 [0.05, 0.48]" in cells) is not split
