"""The yearly report as a Word document (python-docx): real Word tables, embedded figures,
and byte-identical output on every run.

python-docx stamps the current time into the core properties and the zip entries; both are
replaced by a fixed date derived from the configuration
(:func:`publishing.manifest.fixed_date`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from pathlib import Path

import numpy as np
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor

from publishing.labels import catalogue
from publishing.tables import DisplayTable

FONT = "Calibri"


#: the order of a cell's properties in OOXML (``CT_TcPr`` is a sequence: Word rejects a file
#: whose elements are out of order)
_TCPR_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
               "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge",
               "tcPrChange")


def _insert_tcpr(tc_pr, el) -> None:
    """Insert ``el`` into a cell's properties at its place in :data:`_TCPR_ORDER`."""
    rank = _TCPR_ORDER.index(el.tag.rpartition("}")[2])
    for child in tc_pr:
        name = child.tag.rpartition("}")[2]
        if name in _TCPR_ORDER and _TCPR_ORDER.index(name) > rank:
            child.addprevious(el)
            return
    tc_pr.append(el)


def _border(cell, **edges) -> None:
    """Set cell borders, e.g. ``top=12`` (eighths of a point; 0 = none)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        _insert_tcpr(tc_pr, borders)
    for edge, size in edges.items():
        el = borders.find(qn(f"w:{edge}"))
        if el is None:
            el = OxmlElement(f"w:{edge}")
            borders.append(el)
        el.set(qn("w:val"), "single" if size else "nil")
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000" if size > 6 else "BFBFBF")


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _keep_row_whole(row) -> None:
    """A row is never split across a page break (``w:cantSplit``)."""
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _no_wrap(cell) -> None:
    """A numeric cell is never wrapped ("10/3" stays on one line): ``w:noWrap``."""
    _insert_tcpr(cell._tc.get_or_add_tcPr(), OxmlElement("w:noWrap"))


def _source_line(paragraph, ident: dict | None, drawn_from=(), L: dict | None = None) -> None:
    """The table's or figure's identifier under its caption: asset key and short sha256."""
    if not ident:
        return
    assert L is not None   # every caller passes the labels; L['output_source'] would fail on None anyway
    text = f"{L['output_source']}: {ident['asset']}"
    if ident.get("sha256"):
        text += f" · sha256 {ident['sha256']}"
    if drawn_from:
        text += f" · {L['output_drawn_from']} " + ", ".join(drawn_from)
    paragraph.add_run("\n")
    r = paragraph.add_run(text)
    r.font.size = Pt(7.5)
    r.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def _natural_chars(data, numeric=()) -> list[int]:
    """Each column's comfortable width in characters: a numeric column its longest cell (it
    never wraps), a label column its longest word or up to 26 (first column) / 14 characters
    of its longest cell."""
    def need(c):
        values = [line for v in data[c].tolist() for line in str(v).split("\n")]
        header_word = max((len(w) for w in str(c).split()), default=1)
        if c in numeric:                       # numbers never wrap
            return max(header_word, max((len(v) for v in values), default=1)) + 3
        longest_word = max((len(w) for v in values for w in v.split()), default=1)
        cap = 26 if c == data.columns[0] else 14
        return max(header_word, longest_word, min(max((len(v) for v in values), default=1), cap)) + 3

    return [need(c) for c in data.columns]


def _minimal_chars(data, numeric=()) -> list[int]:
    """Each column's least width in characters: a numeric column its longest cell (numbers
    never wrap), a label column its longest word (header included)."""
    def least(c):
        cells = [line for v in data[c].tolist() for line in str(v).split("\n")]
        words = [len(w) for w in str(c).split()] + [len(w) for v in cells for w in v.split()]
        longest = max(len(v) for v in cells) if c in numeric and cells else 0
        return max([longest, *words, 1]) + 3

    return [least(c) for c in data.columns]


def is_wide(t: DisplayTable) -> bool:
    """Does the table go on a landscape page (more than :data:`WIDE_TABLE_COLUMNS` columns)?"""
    return len(t.data.columns) > WIDE_TABLE_COLUMNS


def _fits(data, numeric, width) -> bool:
    """Do the columns fit ``width`` at their least width (numbers whole, words whole)?"""
    return sum(_minimal_chars(data, numeric)) * CHAR_WIDTH <= width


def _intervals_below(data, numeric):
    """The table with each estimate's interval on its own line ("0.27\n[0.05, 0.48]") in the
    numeric columns, for a portrait table that does not fit otherwise (a landscape page for
    it left near-empty continuation pages; wrapping at random split the intervals)."""
    out = data.copy()
    for c in numeric:
        if c in out.columns:
            out[c] = [str(v).replace(" [", "\n[", 1) if isinstance(v, str) else v for v in out[c].tolist()]
    return out


def _move_width(widths: list[int], need_more: list[int], spare: list[int]) -> list[int]:
    """Give each column what it needs more (``need_more``), as far as the others' ``spare``
    room allows, taken from them in proportion to their spare room."""
    deficit, room = sum(need_more), sum(spare)
    if not (deficit and room):
        return widths
    share = min(1.0, room / deficit)
    taken = sum(int(nm * share) for nm in need_more)
    return [wd + int(nm * share) - (int(taken * sp / room) if sp else 0)
            for wd, nm, sp in zip(widths, need_more, spare)]


def _column_widths(table, data, total, numeric=()) -> list[int]:
    """Widths proportional to each column's longest word-wrapped content (label columns get
    room; numeric columns stay narrow), set on ``table`` and returned (EMU)."""
    w = _natural_chars(data, numeric)
    s = sum(w)
    table.autofit = False
    widths = [int(total * wj / s) for wj in w]
    # short cells ("2024", "<5", "103") and then the other numbers get their own width where
    # they fall short, taken from the label columns as long as those keep room for their
    # longest word (a proportional share alone squeezed a year into "202/4")
    # (a header word counts 1.2 characters per letter: the header is bold)
    maxlen = [max((len(line) for v in data[c].tolist() for line in str(v).split("\n")), default=1)
              for c in data.columns]
    floor = _floors(data)
    for wanted in ([m <= 8 for m in maxlen], [c in numeric for c in data.columns]):
        spare = [0 if wt else max(0, wd - fl) for wd, fl, wt in zip(widths, floor, wanted)]
        need_more = [max(0, int(wj * CHAR_WIDTH) - wd) if wt else 0 for wj, wd, wt in zip(w, widths, wanted)]
        widths = _move_width(widths, need_more, spare)
    # last, every column up to its longest word (header included), from the room the others
    # have above theirs: a proportional share alone broke the header "Comparison" as "Compariso/n"
    widths = _move_width(widths, [max(0, fl - wd) for fl, wd in zip(floor, widths)],
                         [max(0, wd - fl) for wd, fl in zip(widths, floor)])
    excess = sum(widths) - total  # the rounding of the moves above: a few EMU, off the widest column
    if excess > 0:
        widest = widths.index(max(widths))
        widths[widest] -= excess
    _set_widths(table, widths)
    return widths


def _floors(data, numeric=()) -> list[int]:
    """Each column's least width (EMU): its longest word (a numeric column: its longest cell,
    numbers never wrap), a header word at 1.2 characters per letter (the header is bold),
    plus two characters."""
    def longest(c) -> int:
        cells = [str(v) for v in data[c].tolist()]
        parts = [line for v in cells for line in v.split("\n")] if c in numeric else [x for v in cells for x in v.split()]
        return max([len(x) for x in parts] + [int(len(x) * 1.2 + 0.5) for x in str(c).split()])

    return [int((longest(c) + 2) * CHAR_WIDTH) for c in data.columns]


def _set_widths(table, widths: list[int]) -> None:
    for col, width in zip(table.columns, widths):
        col.width = width                     # w:gridCol, which LibreOffice and Word lay out from
    for row in table.rows:                    # row by row: python-docx's column.cells is quadratic
        for cell, width in zip(row.cells, widths):
            cell.width = width


def fewer_lines(data, widths: list[int], floor: list[int], size: float, max_moves: int = 40,
                numeric=()) -> list[int]:
    """Column widths that wrap the table into fewer lines at font ``size``: one column at a
    time is widened to where one of its cells loses a line, taking the width from the other
    columns (first what they can give without wrapping more, then in proportion to their room
    above their ``floor``), while that lowers the table's total lines (per row, the most
    lines any of its cells wraps to).

    The proportional widths give the most room to the column with the longest text, e.g. an
    outcome's name printed once per group, while a comparison printed in every row wraps
    to two lines in each of them; this greedy search gives that column its line first.
    """
    char = CHAR_WIDTH * size / 8.25
    columns = [[str(c), *[str(v) for v in data[c].tolist()]] for c in data.columns]
    cache: dict[tuple[int, int], np.ndarray] = {}
    step = int(Cm(0.2))

    wraps = [c not in numeric for c in data.columns]   # numbers never wrap (their cells are set so)

    def lines(j: int, wd: int) -> np.ndarray:
        if (j, wd) not in cache:
            chars = max(1.0, (wd - CELL_PADDING) / char)
            cache[(j, wd)] = np.array([_lines(v, chars) if wraps[j] else v.count("\n") + 1 for v in columns[j]])
        return cache[(j, wd)]

    def free(a: int, wd: int) -> int:
        """How much narrower column ``a`` can get without wrapping into more lines."""
        own, give = int(lines(a, wd).sum()), 0
        while wd - give - step >= floor[a] and int(lines(a, wd - give - step).sum()) == own:
            give += step
        return give

    def take(widths: list[int], b: int, extra: int, spare: list[int]) -> list[int]:
        """``extra`` for column ``b``: first what other columns give without wrapping more (the
        most such room first), the rest in proportion to their room above their floor."""
        out = list(widths)
        out[b] += extra
        need = extra
        for a in sorted((a for a in range(len(out)) if a != b), key=lambda a: -free(a, widths[a])):
            give = min(need, free(a, widths[a]))
            out[a] -= give
            need -= give
        if need:
            left = [max(0, out[a] - floor[a]) if a != b else 0 for a in range(len(out))]
            room = sum(left)
            out = [wd - (need * sp // room if sp else 0) for wd, sp in zip(out, left)]
            roomiest = max(range(len(out)), key=lambda a: left[a])
            out[roomiest] -= sum(out) - sum(widths)      # the rounding: a few EMU
        return out

    widths = list(widths)
    n = len(widths)
    current = np.column_stack([lines(j, wd) for j, wd in enumerate(widths)])
    best_total = int(current.max(axis=1).sum())
    for _ in range(max_moves):
        best = None
        for b in range(n):
            spare = [max(0, widths[a] - floor[a]) if a != b else 0 for a in range(n)]
            room = sum(spare)
            own = int(lines(b, widths[b]).sum())
            breakpoints = 0
            for extra in range(step, room + 1, step):
                col = lines(b, widths[b] + extra)
                if int(col.sum()) >= own:
                    continue
                own = int(col.sum())
                trial_widths = take(widths, b, extra, spare)
                trial = np.column_stack([lines(a, wd) for a, wd in enumerate(trial_widths)])
                total = int(trial.max(axis=1).sum())
                if total < best_total:
                    best_total, best = total, (trial_widths, trial)
                breakpoints += 1
                if breakpoints == 4:
                    break
        if best is None:
            break
        widths, current = best
    return widths


#: Word's default cell margins (0.19 cm each side), in EMU
CELL_PADDING = Cm(0.38)


def _lines(text: str, chars: float) -> int:
    """Lines a cell's text takes at ``chars`` characters per line, breaking at spaces."""
    count = 0
    for part in str(text).split("\n"):
        line, n = 0, 1
        for word in part.split():
            if line and line + 1 + len(word) > chars:
                n, line = n + 1, len(word)
            else:
                line += (1 if line else 0) + len(word)
        count += n
    return max(count, 1)


def estimated_height(data, widths: list[int], size: float, numeric=()) -> float:
    """The table's estimated height in points at font ``size``: per row the most lines any
    cell wraps to (at the column's width, :data:`CHAR_WIDTH` scaled to the size), 1.2 lines
    of text each, plus the cell padding. An estimate, used only to decide whether a landscape
    table that just overflows its page is set one point smaller."""
    char = CHAR_WIDTH * size / 8.25
    total = 0.0
    rows = [list(data.columns), *data.itertuples(index=False)]
    wraps = [c not in numeric for c in data.columns]   # numbers never wrap (their cells are set so)
    for row in rows:
        lines = max(_lines(v, max(1.0, (wd - CELL_PADDING) / char)) if wrap else str(v).count("\n") + 1
                    for v, wd, wrap in zip(row, widths, wraps))
        total += lines * size * 1.2 + 1.5
    return total


def _page_room(doc, caption: str, note: str) -> float:
    """Points left on a fresh page of the current section for a table under its number,
    caption and source line and above its note (text at about 5.2 pt per character)."""
    sec = doc.sections[-1]
    width = _text_width(doc) / 12700
    height = (sec.page_height - sec.top_margin - sec.bottom_margin) / 12700
    caption_lines = 1 + math.ceil(len(caption) * 5.2 / width) + 1
    note_lines = math.ceil(len(note or "") * 4.4 / width)
    return height - caption_lines * 13.5 - note_lines * 10.5 - 12


#: width of one character of the table font (8–8.5 pt Calibri, with room), in EMU
CHAR_WIDTH = Pt(5.4)

#: tables wider than this many columns go on a landscape page
WIDE_TABLE_COLUMNS = 6
PORTRAIT = (Cm(21.0), Cm(29.7))
#: a figure is set this wide, or less when it would be taller than FIGURE_MAX_HEIGHT: a
#: portrait page (25.3 cm between the margins) then has room for the figure, a caption of
#: eight lines and a heading above it, so that the caption is never split from its figure
FIGURE_WIDTH, FIGURE_MAX_HEIGHT = Cm(16), Cm(18)
MARGIN = Cm(2.5)


def _orient(doc, landscape: bool) -> None:
    """Start a new section (on a new page) in the given orientation, unless the current
    section already has it; margins stay the same."""
    sec = doc.sections[-1]
    if (sec.orientation == WD_ORIENT.LANDSCAPE) == landscape:
        return
    new = doc.add_section(WD_SECTION.NEW_PAGE)
    new.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    new.page_width, new.page_height = PORTRAIT[::-1] if landscape else PORTRAIT


def add_field(paragraph, instruction: str, shown: str = "", bold: bool = False) -> None:
    """A Word field (``PAGE``, ``TOC …``, ``SEQ Figur …``) as a complex field in
    ``paragraph``, with ``shown`` as its cached result (what a reader sees before Word
    updates the fields: the number the report computed)."""
    def run_with(child):
        r = paragraph.add_run()
        r.bold = bold
        r._r.append(child)
        return r

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(shown).bold = bold
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _title_page_end(doc, L: dict) -> None:
    """After the title page: the table of contents as a Word TOC field (Word fills it when
    the document is opened: ``updateFields`` is set), page numbers in the footer, and a
    page break."""
    doc.add_paragraph()
    heading = doc.add_paragraph()
    heading.add_run(L["table_of_contents"]).bold = True
    add_field(doc.add_paragraph(), r'TOC \o "1-2" \h \z \u', L["toc_update_hint"])
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_field(footer, "PAGE", "1")
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)
    doc.add_page_break()


def _text_width(doc):
    sec = doc.sections[-1]
    return sec.page_width - sec.left_margin - sec.right_margin


def add_table(doc, t: DisplayTable, number: int | None, lang: str, ident: dict | None = None,
              drawn_from=()) -> None:
    """An APA-style Word table: number and italic caption above, rules only at the top,
    under the header and at the bottom, right-aligned numeric columns, note below.
    Wide tables (:func:`is_wide`) are set on a landscape page."""
    L = catalogue()[lang]
    landscape = is_wide(t)
    _orient(doc, landscape=landscape)
    if number:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.keep_with_next = True
        p.add_run(f"{L['table']} ").bold = True
        add_field(p, f"SEQ {L['table']} \\* ARABIC", str(number), bold=True)
    cap = doc.add_paragraph()
    cap.paragraph_format.keep_with_next = True
    cap.add_run(t.caption).italic = True
    _source_line(cap, ident, drawn_from, L)
    data = t.data
    if not landscape and not _fits(data, t.numeric, _text_width(doc)):
        data = _intervals_below(data, t.numeric)
    table = doc.add_table(rows=len(data) + 1, cols=len(data.columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = True
    widths = _column_widths(table, data, _text_width(doc), t.numeric)
    points = 8.0 if len(data.columns) > 6 else 8.5
    if landscape:
        # a landscape table that just overflows its page (a few rows and the note on a
        # second, otherwise empty landscape page) is given widths that wrap it into fewer
        # lines, at 8 pt or else at 7 pt, when that keeps it on one page
        room = _page_room(doc, t.caption, t.note)

        def height(ws: list[int], pts: float) -> float:
            return estimated_height(data, ws, pts, t.numeric)

        if height(widths, points) > room:
            floor = _floors(data, t.numeric)
            for pts in (points, 7.0):
                wrapped = fewer_lines(data, widths, floor, pts, numeric=t.numeric)
                if height(wrapped, pts) <= room:
                    widths, points = wrapped, pts
                    _set_widths(table, widths)
                    break
            # else: it takes two pages anyway, as laid out
    size = Pt(points)

    def write(cell, text, bold=False, right=False):
        cell.text = ""
        par = cell.paragraphs[0]
        par.paragraph_format.space_after = Pt(0)
        par.paragraph_format.space_before = Pt(0)
        if right:
            par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = par.add_run(str(text))
        run.font.size = size
        run.bold = bold

    rows = list(table.rows)                   # resolve rows and cells once: each lookup walks the XML
    for c, cell in zip(data.columns, rows[0].cells):
        write(cell, c, bold=True, right=c in t.numeric)
        _border(cell, top=12, bottom=6)
    _repeat_header(rows[0])
    for r in rows:
        _keep_row_whole(r)
    for i, row in enumerate(data.itertuples(index=False), start=1):
        for c, v, cell in zip(data.columns, row, rows[i].cells):
            write(cell, v, right=c in t.numeric)
            if c in t.numeric or (len(str(v)) <= 8 and " " not in str(v)):
                _no_wrap(cell)
            if (i - 1) in t.group_rows and i > 1:
                _border(cell, top=2)
            if i == len(data):
                _border(cell, bottom=12)
    if t.note:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(3)
        r = p.add_run(f"{L['note']}. ")
        r.italic = True
        r.font.size = Pt(8)
        p.add_run(t.note).font.size = Pt(8)
    else:
        doc.add_paragraph()


def _landscape_plan(blocks: list[dict]) -> list[bool]:
    """Which blocks go on landscape pages: every wide table, plus the sub-heading and text
    that introduce it (so a heading is never left alone at the foot of a portrait page)."""
    plan, carry = [False] * len(blocks), False
    for i in range(len(blocks) - 1, -1, -1):
        kind = blocks[i]["type"]
        if kind == "table":
            carry = is_wide(blocks[i]["table"])
            plan[i] = carry
        elif kind in ("figure", "h2"):
            carry = False
        else:
            plan[i] = carry
            if kind == "h3":
                carry = False
    return plan


def build_docx(doc_model: dict, base_dir: Path) -> DocxDocument:
    """A python-docx ``Document`` from :func:`publishing.report.build_document`;
    figure paths are resolved against ``base_dir``."""
    meta = doc_model["meta"]
    lang = meta["lang"]
    L = catalogue()[lang]
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = PORTRAIT
    sec.left_margin = sec.right_margin = MARGIN
    sec.top_margin = sec.bottom_margin = Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for name in ("Heading 1", "Heading 2", "Title"):
        st = doc.styles[name]
        st.font.name = FONT
        st.font.color.rgb = RGBColor(0x00, 0x46, 0x7F)
    doc.add_paragraph(meta["title"], style="Title")
    sub = doc.add_paragraph(f"{meta['subtitle']} · {meta['study_name']}")
    sub.runs[0].italic = True
    for key, value in meta.get("front", []):      # the title page's front matter
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(2)
        p.add_run(f"{key}: ").bold = True
        p.add_run(value)
    if meta["synthetic"]:
        p = doc.add_paragraph()
        r = p.add_run(L["synthetic_notice"])
        r.bold = True
        r.font.color.rgb = RGBColor(0xA0, 0x50, 0x00)
    _title_page_end(doc, L)
    blocks = doc_model["blocks"]
    for b, landscape in zip(blocks, _landscape_plan(blocks)):
        t = b["type"]
        _orient(doc, landscape)
        if t == "h2":
            doc.add_heading(b["text"], level=1)
        elif t == "h3":
            doc.add_heading(b["text"], level=2)
        elif t == "p":
            doc.add_paragraph(b["text"])
        elif t == "placeholder":
            r = doc.add_paragraph().add_run(b["text"])
            r.italic = True
            r.font.color.rgb = RGBColor(0xB3, 0x5C, 0x00)
        elif t == "list":
            for item in b["items"]:
                doc.add_paragraph(item, style="List Number" if b.get("ordered") else "List Bullet")
        elif t == "table":
            add_table(doc, b["table"], b["number"], lang, b.get("ident"), b.get("drawn_from", ()))
        elif t == "figure":
            p = doc.add_paragraph()
            p.paragraph_format.keep_with_next = True
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            shape = p.add_run().add_picture(str(Path(base_dir) / b["src"]), width=FIGURE_WIDTH)
            if shape.height > FIGURE_MAX_HEIGHT:   # a tall figure shares its page with its caption
                shape.width, shape.height = Emu(round(shape.width * FIGURE_MAX_HEIGHT / shape.height)), FIGURE_MAX_HEIGHT
            # alt text (accessibility): the figure's title and what it shows
            shape._inline.docPr.set("descr", b.get("alt") or f"{b['title']}. {b['caption']}")
            shape._inline.docPr.set("title", b["title"])
            cap = doc.add_paragraph()
            cap.paragraph_format.keep_together = True   # the caption is not split from its figure
            cap.add_run(f"{L['figure']} ").bold = True
            add_field(cap, f"SEQ {L['figure']} \\* ARABIC", str(b["number"]), bold=True)
            cap.add_run(f". {b['title']}. ").bold = True
            cap.add_run(b["caption"]).font.size = Pt(9)
            _source_line(cap, b.get("ident"), b.get("drawn_from", ()), L)
    return doc


def save_deterministic(doc: DocxDocument, path: Path, when: dt.datetime, title: str = "") -> Path:
    """Save ``doc`` with fixed core properties and fixed zip timestamps (same bytes every run).

    Parameters
    ----------
    doc : docx.Document
    path : Path
    when : datetime
        Stamped as created/modified date and as every zip entry's time.
    title : str
        Core-properties title.
    """
    cp = doc.core_properties
    cp.author = ""
    cp.last_modified_by = ""
    cp.title = title
    cp.comments = ""
    cp.revision = 1
    cp.created = when
    cp.modified = when
    cp.last_printed = when
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename))
    from survey.fsutil import atomic_write_bytes

    atomic_write_bytes(path, out.getvalue())  # temporary file, then rename: never a partial .docx
    return path


def write_docx(doc_model: dict, path: Path, when: dt.datetime) -> Path:
    """Render and save the Word report deterministically."""
    doc = build_docx(doc_model, Path(path).parent)
    return save_deterministic(doc, Path(path), when, title=f"{doc_model['meta']['title']} {doc_model['meta']['year']}")
