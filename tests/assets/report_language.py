"""Stop lists for the report's language (issue 17): the Swedish report must not contain
English words and the English report no Swedish ones, outside what is language-neutral on
purpose -- citations and references (kept in their published language), the front matter
(names the study configures), file names, hashes and package names (the provenance
appendix), and code cells."""

from __future__ import annotations

import html
import re
from pathlib import Path

#: common English words that never belong in Swedish prose or a Swedish table
ENGLISH = {"the", "and", "of", "with", "for", "not", "is", "are", "was", "were", "to", "from", "scoring", "used",
           "study-specific", "recalled", "verified", "visit", "visits", "visit(s)", "week", "wave", "waves",
           "family", "role", "file", "value", "item", "physical", "psychological", "environment", "total",
           "missing", "recurring", "participants", "change", "mean", "adjusted", "estimate", "suppressed",
           "uncommitted", "configuration", "register", "survey", "scale", "level", "levels", "number"}
#: common Swedish words that never belong in English prose or an English table
SWEDISH = {"och", "att", "för", "med", "som", "inte", "eller", "av", "är", "var", "på", "till", "från", "det",
           "mättillfälle", "mättillfällen", "deltagare", "baslinje", "uppföljning", "förändring", "antal",
           "skala", "medel", "justerat", "ej", "skattningsbar", "undertryckt", "familj", "lätta", "totalpoäng",
           "verifierad", "öppen", "konfiguration", "närvaroregister", "partnerenkät"}
STOP = {"sv": ENGLISH, "en": SWEDISH}


def _neutral_removed(markup: str) -> str:
    """The report's HTML without the parts that are language-neutral on purpose."""
    s = re.sub(r"<dl class=\"front\">.*?</dl>", " ", markup, flags=re.S)
    s = re.sub(r"<(style|script)\b.*?</\1>", " ", s, flags=re.S)
    s = re.sub(r"<code>.*?</code>", " ", s, flags=re.S)
    # citations (the instrument list, the references): marked as such by the report
    s = re.sub(r"<(ul|ol) class=\"citations\">.*?</\1>", " ", s, flags=re.S)
    s = re.sub(r"<p class=\"citation\">.*?</p>", " ", s, flags=re.S)
    # a text quoted in its original language (”…”), and a citation in parentheses with its DOI
    s = re.sub(r"”[^”]*”", " ", s)
    s = re.sub(r"\([^()]*doi:[^()]*\)", " ", s)
    # proper names: the survey project, the programme
    s = s.replace("Engage for Equity", " ").replace("Jämlik hälsa Lindängen", " ")
    # the Swedish table-note label "Not." is not the English "not"
    s = re.sub(r"<p class=\"tnote\"><em>Not\.</em>", "<p>", s)
    # the provenance appendix: file names, hashes, package names and versions
    cut = s.find('id="appendix"')
    s = s[:cut] if cut >= 0 else s
    return s


def words(path: Path) -> list[str]:
    text = html.unescape(re.sub(r"<[^>]+>", " ", _neutral_removed(path.read_text(encoding="utf-8"))))
    return re.findall(r"[A-Za-zÅÄÖåäöÉé_()\-]+", text)


def foreign_words(path: Path, lang: str, allowed: set[str] = frozenset()) -> dict[str, int]:
    """Words of the other language's stop list in the report ``path`` written in ``lang``,
    with their counts (lower-cased; ``allowed`` are names the study configured)."""
    found: dict[str, int] = {}
    for w in words(path):
        lw = w.lower().strip("-")
        if lang == "sv" and w == "Not":   # Swedish "Not" (a note column), not the English "not"
            continue
        if lw in STOP[lang] and lw not in allowed:
            found[lw] = found.get(lw, 0) + 1
    return found
