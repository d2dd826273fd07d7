"""The report's researcher-written sections and front matter (``report:`` in study.yaml).

Background, evaluation questions, discussion, conclusions and the researchers' own
references are text that only the research team can write: they come from Markdown files
declared per section and language (``report.texts``), parsed with markdown-it-py (the
CommonMark parser Dagster's own dependencies ship) into the report's plain block model
(``p``, ``h3``, ``list``), so both the HTML and the Word report render them the same way and
no raw HTML from a text file reaches the report. A section without a file becomes a
visible placeholder block that says which configuration key to set; the evaluation
questions have a generated default from the configured outcomes and comparisons.

The files are inputs of the report: :func:`texts_version` hashes them with the front
matter, and the runner rebuilds ``evaluation_report`` when it changes
(:func:`pipelines.runner.make_plan`). A text is refused when it holds a Swedish personal
identity number (the identifier guard's rule for free text): a researcher's draft must not
carry a participant's identity into the report.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import cast

from markdown_it import MarkdownIt

from publishing.labels import label
from studyconfig.config import REPORT_SECTIONS, Lang, StudyConfig

__all__ = ["TEXTS_VERSION", "ReportTextError", "markdown_blocks", "section_blocks", "texts_version", "front_matter",
           "evaluation_questions"]


#: metadata key of ``evaluation_report``: the :func:`texts_version` it was built from
TEXTS_VERSION = "jh/texts_version"


class ReportTextError(ValueError):
    """A report text that cannot be used (not UTF-8, or holds an identifier)."""


def _inline_text(token) -> str:
    """Plain text of an inline token: emphasis markers dropped, a link's address kept in
    parentheses after its text when it differs from it, line breaks as spaces."""
    out: list[str] = []
    href: list[str | None] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "link_open":
            href.append(child.attrGet("href"))
            out.append("\x00")
        elif child.type == "link_close":
            url = href.pop() if href else None
            start = len(out) - 1 - out[::-1].index("\x00")
            text = "".join(out[start + 1:])
            out[start:] = [text + (f" ({url})" if url and url != text else "")]
        elif child.type == "image":
            out.append(child.content)
    return "".join(out).strip()


def markdown_blocks(text: str) -> list[dict]:
    """Markdown as report blocks: headings (any level) become ``h3``, paragraphs ``p``,
    bullet and numbered lists ``list`` (``ordered`` for numbered; nested items are
    flattened), block quotes their paragraphs; code blocks are kept as paragraphs; raw
    HTML tags are dropped (an HTML block entirely, inline tags keeping their text).

    Examples
    --------
    >>> markdown_blocks("# Bakgrund\\n\\nProgrammet **startade** 2021.\\n\\n1. En\\n2. Två\\n")
    [{'type': 'h3', 'text': 'Bakgrund'}, {'type': 'p', 'text': 'Programmet startade 2021.'}, \
{'type': 'list', 'items': ['En', 'Två'], 'ordered': True}]
    >>> markdown_blocks("Se [rapporten](https://mau.se/r).\\n\\n<script>x</script>\\n")
    [{'type': 'p', 'text': 'Se rapporten (https://mau.se/r).'}]
    """
    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[dict] = []
    lists: list[dict] = []      # open lists (nested ones are merged into the outermost)
    in_heading = in_item = False
    for tok in tokens:
        if tok.type == "heading_open":
            in_heading = True
        elif tok.type == "heading_close":
            in_heading = False
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            if not lists:
                lists.append({"type": "list", "items": [], "ordered": tok.type == "ordered_list_open"})
            else:
                lists.append(lists[-1])
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            done = lists.pop()
            done["items"] = [i for i in done["items"] if i]   # (an empty "- " item)
            if not lists and done["items"]:
                blocks.append(done)
        elif tok.type == "list_item_open":
            in_item = True
            lists[-1]["items"].append("")
        elif tok.type == "list_item_close":
            in_item = False
        elif tok.type == "inline":
            content = _inline_text(tok)
            if not content:
                continue
            if in_heading:
                blocks.append({"type": "h3", "text": content})
            elif lists and in_item:
                items = lists[-1]["items"]
                items[-1] = f"{items[-1]} {content}".strip()
            elif lists:  # a nested item's paragraph after its own list closed
                lists[-1]["items"].append(content)
            else:
                blocks.append({"type": "p", "text": content})
        elif tok.type in ("fence", "code_block") and tok.content.strip():
            blocks.append({"type": "p", "text": tok.content.strip()})
    return blocks


def _read(config: StudyConfig, section: str, lang: str) -> str | None:
    rel = config.report.texts.get(section, {}).get(cast(Lang, lang))
    if rel is None:
        return None
    path = config.resolve(rel)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportTextError(f"report.texts.{section}.{lang}: {rel!r} does not exist") from None
    except UnicodeDecodeError as exc:
        raise ReportTextError(f"report.texts.{section}.{lang}: {rel!r} is not UTF-8 text "
                              f"(byte {exc.start}); save it as UTF-8") from None
    from privacy.identifiers import COORDINATION, PNR, WEAK, text_kinds

    for n, line in enumerate(text.splitlines(), start=1):
        kinds = {k: v for k, v in text_kinds(line).items() if v > WEAK}
        if kinds.keys() & {PNR, COORDINATION}:
            raise ReportTextError(f"report.texts.{section}.{lang}: {rel!r} line {n} holds what looks like a "
                                  "personal identity number; remove it (the report must not identify anyone)")
    return text


def section_blocks(config: StudyConfig, section: str, lang: str) -> list[dict]:
    """The researchers' text of ``section`` in ``lang`` as blocks, or one placeholder
    block naming the configuration key to set (``{"type": "placeholder", ...}``)."""
    text = _read(config, section, lang)
    if text is not None and text.strip():
        return markdown_blocks(text)
    return [{"type": "placeholder", "text": label("text_placeholder", lang,
                                                  section=label(f"section_{section}", lang).lower(),
                                                  config_key=f"report.texts.{section}.{lang}")}]


def evaluation_questions(config: StudyConfig, lang: str, outcome_name) -> list[dict]:
    """The evaluation questions: the researchers' text if given, else a numbered list
    generated from the configuration (one question per analysis the report answers)."""
    if config.report.texts.get("evaluation_questions", {}).get(cast(Lang, lang)):
        return section_blocks(config, "evaluation_questions", lang)
    a = config.analysis
    primary = ", ".join(outcome_name(o) for o in a.primary_outcomes)
    items = [label("eq_change", lang, outcomes=primary)]
    if a.secondary_outcomes:
        items.append(label("eq_secondary", lang, outcomes=", ".join(outcome_name(o) for o in a.secondary_outcomes)))
    items.append(label("eq_equity", lang))
    if config.attendance is not None:
        items.append(label("eq_dose", lang))
    if config.partner_surveys:
        items.append(label("eq_partnership", lang))
    return [{"type": "p", "text": label("eq_intro", lang)}, {"type": "list", "items": items, "ordered": True}]


def front_matter(config: StudyConfig, lang: str) -> list[tuple[str, str]]:
    """Title-page lines ``(label, value)`` of the configured front matter, in order."""
    r = config.report
    rows = []
    if r.authors:
        rows.append((label("fm_authors", lang), "; ".join(r.authors)))
    if r.organisation:
        rows.append((label("fm_organisation", lang), r.organisation))
    if r.date:
        rows.append((label("fm_date", lang), r.date.isoformat()))
    if r.ethics_approval:
        rows.append((label("fm_ethics", lang), r.ethics_approval))
    if r.funder:
        rows.append((label("fm_funder", lang), r.funder))
    if r.partners:
        rows.append((label("fm_partners", lang), "; ".join(r.partners)))
    if r.contact:
        rows.append((label("fm_contact", lang), r.contact))
    return rows


def texts_version(config: StudyConfig) -> str:
    """sha256 over the front matter and the bytes of every declared text file (a missing
    file counts as "missing"): the report's own input version."""
    h = hashlib.sha256(json.dumps(config.report.model_dump(mode="json"), sort_keys=True).encode())
    for section in REPORT_SECTIONS:
        for lang, rel in sorted(config.report.texts.get(section, {}).items()):
            path: Path = config.resolve(rel)
            h.update(f"\n{section}.{lang}:".encode())
            h.update(path.read_bytes() if path.is_file() else b"missing")
    return h.hexdigest()
