"""The report as an evaluation report (issue 17): front matter and researcher-written
sections from study.yaml, placeholders when they are missing, a summary anchored on the
minimal important differences and the attrition caveat, the multiplicity family stated as
it was adjusted, generated references, and the Word document's fields (TOC, page numbers,
SEQ captions) and alt text."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import multiplicity, prepost
from publishing import docx_report, narrative, report, texts
from publishing.study_labels import study_labels
from studyconfig.config import ConfigError, load_config
from survey.study import register_study_scales

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "example"


@pytest.fixture
def study(tmp_path) -> Path:
    """The example study's configuration and texts (no data files are read here)."""
    dst = tmp_path / "study"
    dst.mkdir()
    for name in ("study.yaml", "attendance.csv"):
        shutil.copy(EXAMPLE / name, dst / name)
    for folder in ("texts", "scales", "waves", "partners"):
        shutil.copytree(EXAMPLE / folder, dst / folder)
    return dst


def edit(study: Path, change) -> None:
    cfg = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    change(cfg)
    (study / "study.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")


def config_of(study: Path):
    c = load_config(study / "study.yaml")
    register_study_scales(c)
    return c


# -- researcher-written sections -------------------------------------------------------------

def test_a_declared_text_is_read_and_a_missing_section_is_a_visible_placeholder(study):
    c = config_of(study)
    sv = texts.section_blocks(c, "background", "sv")
    assert sv[0] == {"type": "p", "text": "Exempeltext till den syntetiska exempelstudien."}
    assert any("deltagarbaserad" in b.get("text", "") for b in sv)
    (placeholder,) = texts.section_blocks(c, "discussion", "en")
    assert placeholder["type"] == "placeholder"
    assert "report.texts.discussion.en" in placeholder["text"] and "discussion" in placeholder["text"]
    (ph_sv,) = texts.section_blocks(c, "conclusions", "sv")
    assert "report.texts.conclusions.sv" in ph_sv["text"] and "slutsatser" in ph_sv["text"]


def test_markdown_lists_headings_links_and_raw_html():
    blocks = texts.markdown_blocks("## Frågor\n\n- a *b*\n- c\n  - nested\n\n1. one\n2. two\n\n<b>raw</b>\n\n"
                                   "[MAU](https://mau.se) och `kod`\n")
    assert blocks == [{"type": "h3", "text": "Frågor"},
                      {"type": "list", "items": ["a b", "c", "nested"], "ordered": False},
                      {"type": "list", "items": ["one", "two"], "ordered": True},
                      {"type": "p", "text": "raw"},                 # tags dropped, text kept
                      {"type": "p", "text": "MAU (https://mau.se) och kod"}]


def test_a_text_with_a_personal_identity_number_is_refused_without_repeating_it(study):
    (study / "texts" / "background.md").write_text("Intervju med 19811218-9876 om programmet.\n", encoding="utf-8")
    c = config_of(study)
    with pytest.raises(texts.ReportTextError) as exc:
        texts.section_blocks(c, "background", "en")
    msg = str(exc.value)
    assert "report.texts.background.en" in msg and "line 1" in msg and "personal identity number" in msg
    assert "9876" not in msg and "811218" not in msg
    # a year, a date and a diary number are not identities
    (study / "texts" / "background.md").write_text("Startade 2021-03-01, Dnr 2023-01234-01, 45 deltagare.\n",
                                                   encoding="utf-8")
    assert texts.section_blocks(c, "background", "en")[0]["type"] == "p"


def test_a_text_that_is_not_utf8_is_refused_with_the_file_and_key(study):
    (study / "texts" / "bakgrund.md").write_bytes("Hälsa".encode("cp1252"))
    with pytest.raises(texts.ReportTextError, match=r"report.texts.background.sv: 'texts/bakgrund.md' is not UTF-8"):
        texts.section_blocks(config_of(study), "background", "sv")


def test_a_declared_text_file_that_does_not_exist_stops_the_configuration(study):
    edit(study, lambda cfg: cfg["report"]["texts"].update(discussion={"sv": "texts/diskussion.md"}))
    with pytest.raises(ConfigError, match=r"report.texts.discussion.sv: 'texts/diskussion.md' does not exist"):
        load_config(study / "study.yaml")


def test_a_text_outside_the_study_folder_is_refused(study, tmp_path):
    (tmp_path / "outside.md").write_text("x", encoding="utf-8")
    edit(study, lambda cfg: cfg["report"]["texts"].update(conclusions={"en": "../outside.md"}))
    with pytest.raises(ConfigError, match="report.texts.conclusions.en.*outside the study folder"):
        load_config(study / "study.yaml")


def test_the_texts_version_follows_every_text_byte_and_the_front_matter(study):
    c = config_of(study)
    v0 = texts.texts_version(c)
    assert texts.texts_version(config_of(study)) == v0
    (study / "texts" / "background.md").write_text("Changed.\n", encoding="utf-8")
    v1 = texts.texts_version(config_of(study))
    assert v1 != v0
    edit(study, lambda cfg: cfg["report"].update(ethics_approval="Dnr 2024-00001-01"))
    assert texts.texts_version(config_of(study)) not in (v0, v1)


def test_front_matter_and_generated_evaluation_questions(study):
    c = config_of(study)
    front = dict(texts.front_matter(c, "sv"))
    assert front["Författare"].startswith("Forskargruppen") and front["Utgivare"] == "Malmö universitet"
    assert "Etikgodkännande" in front and "Partner" in front and "Finansiär" not in front
    L = study_labels(c, "en")
    qs = texts.evaluation_questions(c, "en", L.outcome)
    assert qs[1]["ordered"] and len(qs[1]["items"]) == 5    # change, secondary, equity, dose, partnership
    assert L.outcome(c.analysis.primary_outcomes[0]) in qs[1]["items"][0]
    (study / "texts" / "questions.md").write_text("1. Own question\n", encoding="utf-8")
    edit(study, lambda cfg: cfg["report"]["texts"].update(evaluation_questions={"en": "texts/questions.md"}))
    c = config_of(study)
    assert texts.evaluation_questions(c, "en", L.outcome) == [{"type": "list", "items": ["Own question"],
                                                              "ordered": True}]


# -- summary, methods and references ---------------------------------------------------------

def _tests_table(c, estimate=6.6):
    o = c.analysis.primary_outcomes
    return pd.DataFrame({"outcome": o, "pre": "T0", "post": "T1", "test": "paired_t", "n": 40,
                         "estimate": [estimate] + [0.01] * (len(o) - 1), "ci_low": -1.0, "ci_high": 12.0,
                         "ci_level": 0.95, "p_value": 0.03, "p_adj": 0.09, "note": None, "suppressed": False})


def _flow():
    rows = [("assessed", "all", "T0", 60), ("analysed", "present_at_both", None, 40),
            ("analysed", "attendance", None, 30)]
    return pd.DataFrame([{"pre": "T0", "post": "T1", "stage": s, "definition": d, "wave": w, "n": n,
                          "outcome": None, "suppressed": False} for s, d, w, n in rows])


def test_the_summary_sets_each_change_against_its_mid_and_names_selective_attrition(study):
    c = config_of(study)
    edit(study, lambda cfg: cfg["analysis"].update(comparisons=[["T0", "T1"]]))
    c = config_of(study)
    attrition = pd.DataFrame({"pre": "T0", "post": "T1", "variable": ["who5_percent", "age"],
                              "level": [None, None], "smd": [0.12, -0.58]})
    for lang, below, attr in (("en", "smaller than the minimal important difference (10.0)", "0.58"),
                              ("sv", "mindre än den minsta viktiga skillnaden (10,0)", "0,58")):
        blocks = narrative.summary(_tests_table(c), _flow(), c, study_labels(c, lang), attrition)
        who5 = blocks[2]["items"][0]
        assert below in who5, who5
        text = " ".join(b.get("text", "") for b in blocks)
        assert attr in text and ("Limitations" in text or "Begränsningar" in text)
    reached = narrative.summary(_tests_table(c, estimate=-12.0), _flow(), c, study_labels(c, "en"), None)
    assert "at least the minimal important difference (10.0)" in reached[2]["items"][0]
    assert not any("standardised difference" in b.get("text", "") for b in reached)
    # a primary outcome on an unverified scoring rule (HLS-EU-Q16: recalled) is called provisional
    assert narrative.unverified_primary(c, study_labels(c, "en")) == [study_labels(c, "en").outcome("hls_eu_q16_score")]
    assert any("provisional" in b.get("text", "") and "HLS-EU-Q16" in b["text"] for b in reached)
    small = attrition.assign(smd=[0.05, 0.1])
    quiet = narrative.summary(_tests_table(c), _flow(), c, study_labels(c, "en"), small)
    assert not any("was selective" in b.get("text", "") for b in quiet)


def test_the_methods_state_the_family_as_it_was_adjusted(study):
    c = config_of(study)
    n, m = len(c.analysis.primary_outcomes), len(c.analysis.comparisons)
    text = " ".join(b.get("text", "") for b in narrative.methods(c, study_labels(c, "en")))
    assert f"Within each comparison, the {n} primary outcomes" in text
    assert "confidence intervals are not adjusted" in text and "continuity correction" in text
    edit(study, lambda cfg: cfg["analysis"].update(p_adjust_family="all_comparisons", p_adjust="fdr_bh"))
    c = config_of(study)
    text = " ".join(b.get("text", "") for b in narrative.methods(c, study_labels(c, "sv")))
    assert f"vid alla {m} jämförelser utgör en familj" in text and f"över {n * m} test" in text
    assert "Benjamini–Hochberg" in text
    refs = narrative.references(c, "en")
    assert any(r.startswith("Benjamini Y") for r in refs) and not any(r.startswith("Holm S") for r in refs)


def test_references_name_used_instruments_once_and_no_code(study):
    c = config_of(study)
    refs = narrative.references(c, "sv")
    assert len(refs) == len(set(refs))
    assert sum("Boursaw" in r for r in refs) == 1              # seven E2 scales, one article
    assert not any("instruments." in r or "()" in r for r in refs)
    assert not any("Study-specific" in r for r in refs)        # the study's own scale is no reference
    assert any(r.startswith("EQ-5D-5L-värderingsset") for r in refs)


def test_adjusting_across_comparisons_pools_the_primary_family_per_test():
    t = pd.DataFrame({"outcome": ["a", "b", "a", "b", "a", "c"], "post": ["T1", "T1", "T2", "T2", "T1", "T1"],
                      "test": ["paired_t"] * 4 + ["wilcoxon", "paired_t"],
                      "p_value": [0.01, 0.02, 0.04, 0.03, 0.2, 0.001], "p_adj": np.nan, "p_adj_method": "holm"})
    family = t["outcome"].isin(["a", "b"]).to_numpy()
    out = prepost.adjust_across(t, family, "holm")
    # R: p.adjust(c(0.01, 0.02, 0.04, 0.03), "holm") = 0.04 0.06 0.06 0.06
    assert out["p_adj"].iloc[:4].tolist() == pytest.approx([0.04, 0.06, 0.06, 0.06])
    assert out["p_adj"].iloc[4] == pytest.approx(0.2)          # one Wilcoxon test: its own family
    assert np.isnan(out["p_adj"].iloc[5])                      # not in the family: unchanged
    assert multiplicity.p_adjust([0.01, 0.02, 0.04, 0.03], "holm").tolist() == pytest.approx([0.04, 0.06, 0.06, 0.06])


# -- rendering ----------------------------------------------------------------------------------

def _doc_model(tmp_path):
    from publishing import figures, style
    from publishing.tables import DisplayTable, Labels

    L = Labels("sv", {"y": "Utfall"}, {"T0": "Baslinje", "T1": "Uppföljning"})
    s = pd.DataFrame({"outcome": "y", "wave": ["T0", "T1"], "n": [30, 25], "estimate": [1.0, 2.0],
                      "ci_low": [0.5, 1.5], "ci_high": [1.5, 2.5], "suppressed": False})
    style.save(figures.means_over_waves(s, ["y"], L), tmp_path / "figures" / "f_sv")
    table = DisplayTable(pd.DataFrame({"Utfall": ["WHO-5"], "n": ["81"]}), caption="Parvis", numeric=["n"])
    return {"meta": {"lang": "sv", "title": "Rapport", "subtitle": "Årsrapport 2025", "study_name": "Test",
                     "synthetic": False, "year": 2025, "other_languages": [],
                     "front": [("Författare", "A. Forskare"), ("Etikgodkännande", "Dnr 2023-01234-01")]},
            "blocks": [{"type": "h2", "text": "Bakgrund", "id": "background"},
                       {"type": "placeholder", "text": "[Platshållare] saknas"},
                       {"type": "list", "items": ["ett", "två"], "ordered": True},
                       {"type": "table", "table": table, "number": 1},
                       {"type": "figure", "src": "figures/f_sv.png", "title": "Medel", "caption": "Text",
                        "number": 1}]}


def test_html_renders_front_matter_placeholders_and_numbered_lists(tmp_path):
    html = report.render_html(_doc_model(tmp_path))
    assert '<dl class="front"><dt>Författare</dt><dd>A. Forskare</dd>' in html
    assert '<p class="placeholder">[Platshållare] saknas</p>' in html
    assert "<ol>" in html and "<li>två</li>" in html


def test_word_has_a_toc_page_numbers_seq_captions_and_alt_text(tmp_path):
    from docx import Document

    path = docx_report.write_docx(_doc_model(tmp_path), tmp_path / "r.docx", dt.datetime(2025, 12, 9, 12))
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode("utf-8")
        footers = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/footer"))
        settings = z.read("word/settings.xml").decode("utf-8")
    assert 'TOC \\o "1-2"' in body and "SEQ Tabell" in body and "SEQ Figur" in body
    assert "PAGE" in footers and "w:updateFields" in settings
    assert 'descr="Medel. Text"' in body
    doc = Document(str(path))
    assert any(p.style.name == "List Number" for p in doc.paragraphs)
    texts_ = [p.text for p in doc.paragraphs]
    assert "Författare: A. Forskare" in texts_ and "Tabell 1" in texts_
    assert any(t.startswith("Figur 1. Medel.") for t in texts_)
    placeholder = next(p for p in doc.paragraphs if p.text == "[Platshållare] saknas")
    assert placeholder.runs[0].italic
