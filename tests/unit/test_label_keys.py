"""Every label key the code asks for exists in both languages.

A key missing from ``labels.yaml`` is a KeyError when the figure or table that needs it is
drawn, which may be only in a rare study (a partner figure with a withheld year crashed a
10-person study this way). The code is scanned for literal keys of ``label(...)``.
"""

from __future__ import annotations

import re
from pathlib import Path

from publishing.labels import LANGUAGES, catalogue

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r"""\blabel\(\s*["']([A-Za-z0-9_]+)["']\s*[,)]""")


def literal_keys() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(p for pkg in ("pipelines", "publishing") for p in (ROOT / pkg).rglob("*.py")):
        for key in CALL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, []).append(str(path.relative_to(ROOT)))
    return found


def test_the_scan_sees_the_label_calls():
    keys = literal_keys()
    assert len(keys) > 100 and {"partner_year", "suppressed_note", "fewer_than_k"} <= set(keys)


def test_every_literal_label_key_exists_in_every_language():
    cat = catalogue()
    missing = {(lang, key): files[0] for key, files in literal_keys().items() for lang in LANGUAGES
               if key not in cat[lang]}
    assert not missing, missing


def test_no_label_reads_like_code():
    """Symbols such as d_z or g_av are code names, not report text (issue 17): no label in
    either language joins two letters with an underscore (format fields aside)."""
    offenders = []
    entries = catalogue()
    for lang in LANGUAGES:
        for key, text in entries[lang].items():
            if isinstance(text, str) and re.search(r"[A-Za-z]_[A-Za-z]", re.sub(r"\{[^}]*\}", "", text)):
                offenders.append(f"{lang}:{key}: {text[:60]}")
    assert offenders == []
