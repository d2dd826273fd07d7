"""Word output: real tables, embedded figures, and byte-identical files."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import pandas as pd
import pytest
from docx import Document

from publishing import docx_report, figures, style
from publishing.tables import DisplayTable, Labels


def _model(tmp_path):
    L = Labels("sv", {"y": "Utfall"}, {"T0": "Baslinje", "T1": "Uppföljning"})
    s = pd.DataFrame({"outcome": "y", "wave": ["T0", "T1"], "n": [30, 25], "estimate": [1.0, 2.0],
                      "ci_low": [0.5, 1.5], "ci_high": [1.5, 2.5], "suppressed": False})
    style.save(figures.means_over_waves(s, ["y"], L), tmp_path / "figures" / "f_sv")
    table = DisplayTable(pd.DataFrame({"Utfall": ["WHO-5", ""], "n": ["81", "<5"], "Medel": ["6,6", "–"]}),
                         caption="Parvis jämförelse", note="Celler < 5 undertryckta.", numeric=["n", "Medel"],
                         group_rows=[0])
    return {"meta": {"lang": "sv", "title": "Rapport", "subtitle": "Årsrapport 2025", "study_name": "Test",
                     "synthetic": True, "year": 2025, "other_languages": []},
            "blocks": [{"type": "h2", "text": "Resultat", "id": "results"},
                       {"type": "list", "items": ["en", "två"]},
                       {"type": "table", "table": table, "number": 1},
                       {"type": "figure", "src": "figures/f_sv.png", "title": "Figur", "caption": "Text", "number": 1}]}


def test_docx_has_real_tables_and_an_embedded_figure(tmp_path):
    path = docx_report.write_docx(_model(tmp_path), tmp_path / "report.docx", dt.datetime(2025, 12, 9, 12))
    doc = Document(str(path))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert [c.text for c in t.rows[0].cells] == ["Utfall", "n", "Medel"]
    assert t.rows[2].cells[1].text == "<5"
    assert len(doc.inline_shapes) == 1
    assert any(p.style.name == "List Bullet" for p in doc.paragraphs)
    assert doc.core_properties.created.replace(tzinfo=None) == dt.datetime(2025, 12, 9, 12)


@pytest.mark.parametrize("height_px", [300, 1200, 2400])
def test_a_figure_and_its_whole_caption_share_a_page(tmp_path, height_px):
    """16 cm wide unless taller than 18 cm (then 18 cm high, same aspect); the caption is
    kept on one page (keep together) and the figure with it (keep with next)."""
    import matplotlib.pyplot as plt

    model = _model(tmp_path)
    fig = plt.figure(figsize=(10, height_px / 100), dpi=100)
    fig.savefig(tmp_path / "figures" / "f_sv.png")
    plt.close(fig)
    doc = Document(str(docx_report.write_docx(model, tmp_path / "r.docx", dt.datetime(2025, 12, 9, 12))))
    shape = doc.inline_shapes[0]
    from PIL import Image

    w, h = Image.open(tmp_path / "figures" / "f_sv.png").size
    assert shape.height / shape.width == pytest.approx(h / w, rel=1e-3)
    if docx_report.FIGURE_WIDTH * h / w <= docx_report.FIGURE_MAX_HEIGHT:
        assert shape.width == docx_report.FIGURE_WIDTH
    else:
        assert shape.height == docx_report.FIGURE_MAX_HEIGHT and shape.width < docx_report.FIGURE_WIDTH
    pictures = [i for i, p in enumerate(doc.paragraphs) if p._p.xpath(".//pic:pic")]
    figure, caption = doc.paragraphs[pictures[0]], doc.paragraphs[pictures[0] + 1]
    assert caption.text.startswith("Figur 1") and figure.paragraph_format.keep_with_next
    assert caption.paragraph_format.keep_together


def test_docx_bytes_are_identical_across_saves(tmp_path):
    when = dt.datetime(2025, 12, 9, 12)
    a = docx_report.write_docx(_model(tmp_path), tmp_path / "a.docx", when).read_bytes()
    b = docx_report.write_docx(_model(tmp_path), tmp_path / "b.docx", when).read_bytes()
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    with zipfile.ZipFile(tmp_path / "a.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 12, 9, 12, 0, 0)}


def _wide(rows: int) -> DisplayTable:
    cols = {f"Kolumn {i}": [f"{i},{r}" for r in range(rows)] for i in range(7)}
    cols["Kolumn 0"] = [f"Utfallsmått nummer {r} med en lång etikett" for r in range(rows)]
    return DisplayTable(pd.DataFrame(cols), "Bred tabell", "", numeric=[f"Kolumn {i}" for i in range(1, 7)])


def _sizes(t: DisplayTable) -> set[float]:
    doc = Document()
    docx_report.add_table(doc, t, 1, "sv")
    return {r.font.size.pt for row in doc.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs
            if r.text}


def test_a_landscape_table_that_just_overflows_is_set_smaller():
    """Issue 17: a wide table a few rows too long for its landscape page is set at 7 pt
    (its last rows had filled a second, otherwise empty page); one that fits, and one that
    needs two pages anyway, keep 8 pt."""
    def estimates(t):
        doc = Document()
        docx_report._orient(doc, landscape=True)
        table = doc.add_table(rows=len(t.data) + 1, cols=len(t.data.columns))
        widths = docx_report._column_widths(table, t.data, docx_report._text_width(doc), t.numeric)
        room = docx_report._page_room(doc, t.caption, t.note)
        return [docx_report.estimated_height(t.data, widths, s, t.numeric) / room for s in (8.0, 7.0)]

    fits = just_over = long = None
    for rows in range(5, 120):
        t = _wide(rows)
        h8, h7 = estimates(t)
        if h8 <= 0.9:
            fits = t
        elif h8 > 1 and h7 <= 0.95 and just_over is None:
            just_over = t
        elif h7 > 1.5:
            long = t
            break
    assert fits is not None and just_over is not None and long is not None
    assert _sizes(fits) == {8.0} and _sizes(just_over) == {7.0} and _sizes(long) == {8.0}


def _grouped(groups: int, per_group: int) -> DisplayTable:
    """A model table: a long outcome name once per group, a comparison in every row."""
    rows = []
    for g in range(groups):
        for i in range(per_group):
            rows.append({"Utfallsmått": f"Utfall {g}: ett långt namn på utfallsmåttet (WHOQOL-BREF, 0–100)"
                         if i == 0 else "",
                         "Term": f"Uppföljning december {2024 + i} vs baslinje", "n": "127", "Skattning": "7,1",
                         "95% KI": "[3,8; 10,4]", "df": "181,0", "p": "< 0,001"})
    return DisplayTable(pd.DataFrame(rows), "Modell", "", numeric=["n", "Skattning", "95% KI", "df", "p"])


def _total_lines(t: DisplayTable, widths, size=8.0) -> int:
    char = docx_report.CHAR_WIDTH * size / 8.25
    return sum(max(docx_report._lines(v, max(1.0, (wd - docx_report.CELL_PADDING) / char)) for v, wd in zip(row, widths))
               for row in [list(t.data.columns), *t.data.itertuples(index=False)])


@pytest.mark.parametrize("groups, per_group", [(6, 2), (11, 2), (8, 3), (3, 4)])
def test_fewer_lines_gives_the_repeated_column_its_line(groups, per_group):
    """Issue 17: proportional widths gave the once-per-group outcome name the room and wrapped
    the comparison printed in every row; the greedy search gives the comparison one line,
    lowers the total, keeps every column at least its floor and the total width."""
    t = _grouped(groups, per_group)
    doc = Document()
    docx_report._orient(doc, landscape=True)
    table = doc.add_table(rows=len(t.data) + 1, cols=len(t.data.columns))
    widths = docx_report._column_widths(table, t.data, docx_report._text_width(doc), t.numeric)
    floor = docx_report._floors(t.data, t.numeric)
    better = docx_report.fewer_lines(t.data, widths, floor, 8.0)
    assert _total_lines(t, better) < _total_lines(t, widths)
    assert all(b >= f for b, f in zip(better, floor)) and sum(better) <= sum(widths)
    char = docx_report.CHAR_WIDTH * 8.0 / 8.25
    term = list(t.data.columns).index("Term")
    assert all(docx_report._lines(v, (better[term] - docx_report.CELL_PADDING) / char) == 1 for v in t.data["Term"])
    # nothing to gain: the widths stay
    assert docx_report.fewer_lines(t.data, better, floor, 8.0) == better
