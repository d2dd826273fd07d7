"""The published codebook (publishing.codebook): frequencies under disclosure control,
never a free-text answer, date or study code."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publishing import codebook as cbk
from publishing import disclosure
from survey import readers

DATA = Path(__file__).parent / "data" / "formats"


@pytest.fixture(scope="module")
def fixture_wave():
    wf = readers.read(DATA / "wave.sav")
    return wf.data, wf.codebook()


def test_fixture_codebook_shows_labels_formats_and_hides_free_text(fixture_wave):
    data, cb = fixture_wave
    t = cbk.codebook_table(data, cb, wave="T0", k=5, id_variable="lopnr_kod", covariates={"f1", "f2"},
                           canonical={"f1": "gender", "f9_1": "whoqol_bref_01"},
                           missing_codes={"f9_1": {8: "dont_know", 9: "no_answer"}})
    assert list(t.columns) == cbk.COLUMNS
    assert set(t["variable"]) == set(data.columns)
    f1 = t[t["variable"] == "f1"]
    assert f1["canonical"].iloc[0] == "gender" and f1["format"].iloc[0] == "F1.0"
    assert "Kvinna" in set(f1["value_label"])
    f9 = t[t["variable"] == "f9_1"]
    assert dict(zip(f9["value"], f9["missing"]))["8"] == "dont_know"
    # free text, dates and study codes: one row with a count, never a value
    for var, note in (("kommentar", "free text"), ("enkatdatum", "date"), ("lopnr_kod", "pseudonym")):
        rows = t[t["variable"] == var]
        assert rows["note"].iloc[0] == note and (rows["value"] == "").all()
    html = cbk.render_html(t, wave_label="Baslinje", file="wave.sav", k=5, lang="sv")
    csv = t.to_csv(index=False)
    md = cbk.render_markdown(t, 5)
    secrets = [*data["lopnr_kod"], *[c[:30] for c in data["kommentar"] if c],
               *pd.to_datetime(data["enkatdatum"]).dt.strftime("%Y-%m-%d")]
    for text in (html, csv, md):
        assert not [s for s in secrets if s in text]
    assert "fritext, " in html and "Kodbok: Baslinje" in html
    assert disclosure.audit_table(t, 5, "codebook") == []
    # VAS: numbers without labels; only values at least k respondents gave are listed
    vas = t[(t["variable"] == "f11") & (t["missing"] == "")]
    assert (vas.loc[vas["value"] != "", "n"].dropna() >= 5).all() and (vas["note"] == "other").any()


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.integers(1, 6), st.just(9)), min_size=1, max_size=40),
       labelled=st.booleans(), k=st.integers(3, 6))
def test_property_no_small_count_can_be_read_or_derived(values, labelled, k):
    data = pd.DataFrame({"kod": [f"JH-{i:06d}" for i in range(len(values))],
                         "q": pd.Series([np.nan if v is None else float(v) for v in values])})
    rows = [("kod", "", np.nan, "", False)]
    rows += [("q", "Fråga", float(c), f"svar {c}", c == 9) for c in (1, 2, 3, 9)] if labelled else \
        [("q", "Fråga", np.nan, "", False)]
    cb = pd.DataFrame(rows, columns=["variable", "variable_label", "value", "value_label", "user_missing"])
    cb["value_text"] = pd.Series([pd.NA] * len(cb), dtype="string")
    t = cbk.codebook_table(data, cb, wave="T0", k=k, id_variable="kod")
    assert disclosure.audit_table(t, k, "codebook") == []
    q = t[t["variable"] == "q"]
    shown = q["n"].dropna()
    hidden = q[q["suppressed"]]
    # the shown counts never exceed the rows of the wave
    assert int(shown.sum()) <= len(values)
    # a single hidden count could be recovered from the published total: never exactly one
    # (unless the total itself is hidden: a wave of fewer than k rows)
    assert len(hidden) != 1 or q["n_total"].isna().all()
    # the share missing never reveals a count of 1 .. k-1
    share = q["share_missing"].iloc[0]
    if not np.isnan(share):
        n_missing = round(share * len(values))
        assert n_missing == 0 or n_missing >= k
        assert len(values) - n_missing == 0 or len(values) - n_missing >= k
    # no value that fewer than k respondents gave is listed without a label
    if not labelled:
        listed = q[(q["value"] != "") & ~q["suppressed"]]
        counts = pd.Series([v for v in values if v is not None]).value_counts()
        assert all(counts.get(int(v), 0) >= k for v in listed["value"])
    html = cbk.render_html(t, wave_label="T0", file="t0.sav", k=k, lang="en")
    assert not re.search(r"JH-\d{6}", html)
