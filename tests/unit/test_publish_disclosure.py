"""The audits of published files used by the blocking checks: unflagged small counts and
the pseudonym scan (the release-wide suppression is tested in test_publish_sdc.py and
test_publish_registry.py)."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd

from publishing import disclosure, tables

K = 5


def test_audit_finds_a_tampered_count_of_three(tmp_path):
    ok = pd.DataFrame({"outcome": ["a", "b"], "n": [12.0, np.nan], "suppressed": [False, True]})
    tables.write_csv(ok, tmp_path / "prepost_tests.csv")
    assert disclosure.audit_tables(tmp_path, K) == []
    tampered = ok.assign(n=[3.0, np.nan])
    tables.write_csv(tampered, tmp_path / "prepost_tests.csv")
    problems = disclosure.audit_tables(tmp_path, K)
    assert problems == ["prepost_tests.csv: row 0 has n = 3 (< 5) and is not flagged suppressed"]


def test_scan_for_ids_opens_docx_zip_members(tmp_path):
    f = tmp_path / "report.docx"
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:t>" + "x" * 500 + "JH-ABC123</w:t>")
    assert disclosure.scan_for_ids([f], ["JH-ABC123"]) == ["report.docx: 1 participant id(s)"]
    assert disclosure.scan_for_ids([f], ["JH-ZZZ999"]) == []


def test_published_files_excludes_internal(tmp_path):
    (tmp_path / "internal").mkdir()
    (tmp_path / "internal" / "x.png").write_bytes(b"1")
    (tmp_path / "report.html").write_text("ok")
    assert [p.name for p in disclosure.published_files(tmp_path)] == ["report.html"]
