"""Small and degenerate studies produce a complete report (issue 14, item 6).

Studies come from the generator, ``tools.example_study.generate_study(out,
participants=N, seed=S)`` with N from 6 to 40, and are then made degenerate the way a real
small study can be -- by :class:`Degenerate`, which rewrites the wave files with pyreadstat
and edits ``study.yaml``: a scale on which everybody gives the same answer at every wave
(WHO-5), EQ-5D dimensions with 0 % and 100 % problems, health-literacy levels with empty
categories, one gender only, one wave only, one comparison only, no attendance register,
nobody recurring by attendance, one participant in common between the waves.

Two layers:

* ``test_degenerate_studies_give_a_complete_report`` (hypothesis, derandomised, a bounded
  number of examples) runs every asset body in dependency order in this process, the way
  ``benchmarks/bench_pipeline.run_stages`` does -- the real asset code over the real pure
  analysis and publishing functions, without Dagster's executor and with figures drawn at a
  low resolution as PNG only -- and checks that the report exists in both languages, that
  every figure exists or the report says why, and that every "not estimable" note of a
  published table reaches the report in the reader's language;
* ``test_pipeline_*`` run the real pipeline (:func:`pipelines.runner.run`) end to end on two
  degenerate studies and read the written HTML and Word reports.
"""

from __future__ import annotations

import inspect
import logging
import re
import types
import zipfile
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analysis.tidy import NOT_ESTIMABLE
from tools.example_study import rewrite_sav

FIGURE_STEMS = ("participant_flow", "change_over_waves", "distributions", "model_means", "effect_sizes_forest",
                "health_literacy_levels", "eq5d_profile", "eq5d_problems", "eq5d_pchc", "responders",
                "dose_response")
NE = {"sv": "ej skattningsbar", "en": "not estimable"}
#: published tables the report shows as tables (the others are drawn: the figures write
#: their notes into the panels, tests/unit/test_publish_degenerate.py), and which rows
DISPLAYED = {"prepost_tests": None, "effect_sizes": None, "categorical_change": None, "responders": None,
             "mixed_model_terms": lambda t: t[t["term"] != "(Intercept)"]}


# -- making a generated study degenerate -------------------------------------------------------


class Degenerate:
    """A generated study folder and the ways to make it degenerate (each keeps it valid:
    every blocking input check still passes)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.cfg = yaml.safe_load((self.root / "study.yaml").read_text(encoding="utf-8"))

    def save(self) -> None:
        (self.root / "study.yaml").write_text(yaml.safe_dump(self.cfg, allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")

    def _wave(self, wid: str) -> dict:
        return next(w for w in self.cfg["waves"] if w["id"] == wid)

    def _edit(self, wid: str, change) -> None:
        """Rewrite one wave file, keeping its labels, value labels and missing codes."""
        rewrite_sav(self.root / self._wave(wid)["file"], lambda df: change(df, self._wave(wid)))

    def _set(self, canonical, value: float) -> None:
        """Every answer (and missing code) of the canonical items/covariates ``canonical``
        (a name prefix or a list of names) becomes ``value``, in every wave."""
        for w in self.cfg["waves"]:
            names = {**w["mapping"], **w["covariates"]}
            cols = [raw for raw, can in names.items()
                    if (can in canonical if isinstance(canonical, list) else can.startswith(canonical))]

            def change(df, _w, cols=cols):
                for c in cols:
                    df[c] = float(value)
            self._edit(w["id"], change)

    # the degeneracies ----------------------------------------------------------------
    def who5_all_equal(self):
        """Everyone answers 3 to every WHO-5 item at every wave: who5_percent is 60 for
        all, who5_poor and the depression screen have one level."""
        self._set("who5_", 3)

    def eq5d_extreme_shares(self):
        """Nobody has mobility problems (0 %), everybody has some pain (100 %)."""
        self._set(["eq5d5l_mo"], 1)
        self._set(["eq5d5l_pd"], 3)

    def health_literacy_one_level(self):
        """Every HLS-EU-Q16 item "very easy": one level observed, two empty categories."""
        self._set("hls_eu_q16_", 4)

    def one_gender(self):
        self._set(["gender"], 1)

    def one_wave(self):
        """Only the baseline wave: no comparison at all."""
        self.cfg["waves"] = [w for w in self.cfg["waves"] if w["id"] == "T0"]
        self.cfg["analysis"]["comparisons"] = []
        self.save()

    def one_comparison(self):
        self.cfg["analysis"]["comparisons"] = [c for c in self.cfg["analysis"]["comparisons"] if c[1] == "T1"]
        self.save()

    def no_attendance_register(self):
        self.cfg.pop("attendance", None)
        self.cfg["recurring"]["definition"] = "present_at_both"
        self.save()

    def nobody_recurring(self):
        """Nobody attends more than 50 times a week: no recurring participant at all."""
        self.cfg["recurring"]["min_visits_per_week"] = 50.0
        self.save()

    def one_in_common(self):
        """The follow-up waves share one participant with the baseline (the others get new
        pseudonyms): almost no follow-up overlap (none at all is refused by the blocking
        link check, by design)."""
        base_wave = self._wave("T0")
        base, _ = pyreadstat.read_sav(str(self.root / base_wave["file"]), usecols=[base_wave["id_variable"]])
        base_ids = set(base.iloc[:, 0])
        for wid in [w["id"] for w in self.cfg["waves"] if w["id"] != "T0"]:
            def change(df, w, wid=wid):
                col = w["id_variable"]
                common = [i for i, x in enumerate(df[col]) if x in base_ids]
                for j, i in enumerate(common[1:]):
                    df.loc[i, col] = f"JH-Z{wid[-1]}{j:04d}"
            self._edit(wid, change)


DEGENERACIES = ["who5_all_equal", "eq5d_extreme_shares", "health_literacy_one_level", "one_gender", "one_wave",
                "one_comparison", "no_attendance_register", "nobody_recurring", "one_in_common"]


def make_study(root: Path, participants: int, seed: int, degeneracies) -> Degenerate:
    from tools.example_study import generate_study

    generate_study(root, participants=participants, seed=seed, truth_n=50)
    study = Degenerate(root)
    for name in degeneracies:
        getattr(study, name)()
    return study


# -- every asset body in dependency order, in this process -------------------------------------


class _Context:
    """What the asset bodies use of Dagster's context."""

    def __init__(self, partition_key=None):
        self.partition_key = partition_key
        self.log = logging.getLogger("test_degenerate_studies")
        self.run = types.SimpleNamespace(run_id="test")
        # no event log here: the release's file list (from materialisation metadata) is
        # empty, so the report is read from the staging folder (published_release is skipped)
        self.instance = types.SimpleNamespace(
            get_latest_materialization_event=lambda key: None,
            fetch_materializations=lambda *a, **k: types.SimpleNamespace(records=[]))

    def add_output_metadata(self, metadata, output_name=None):
        pass


def run_asset_bodies(study_dir: Path, out_root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Call every asset body and every asset check of ``pipelines.definitions`` in
    dependency order (each wave partition in turn). Exceptions propagate. Returns the
    failed ERROR-severity checks as ``{check: description}``: those of the input
    (ingest, scoring: they stop the run here, as blocking checks do in a real run), and
    those of the publishing group (disclosure)."""
    import dagster as dg

    from pipelines.definitions import ASSET_CHECKS, defs
    from pipelines.resources import ProjectPaths, StudyResource
    from studyconfig.config import load_config

    config = load_config(study_dir / "study.yaml")
    resources = {"study_config": StudyResource(config_path=str(study_dir / "study.yaml")),
                 "paths": ProjectPaths(root=str(out_root))}
    graph = defs.resolve_asset_graph()
    partitioned = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).partitions_def is not None}
    store: dict[str, object] = {}
    failed: dict[str, str] = {}
    published: dict[str, str] = {}
    checks: dict[str, list] = {}
    for c in ASSET_CHECKS:
        checks.setdefault(next(iter(c.check_keys)).asset_key.to_user_string(), []).append(c)

    def call(fn, keys_by_input, out_keys, wave, name, asset=None, keys_by_output=None):
        kwargs = {}
        params = inspect.signature(fn).parameters
        names = [p for p, v in params.items() if v.kind != inspect.Parameter.VAR_KEYWORD]
        if any(v.kind == inspect.Parameter.VAR_KEYWORD for v in params.values()):   # (**inputs)
            names += [p for p in keys_by_input if p not in names]
        for p in names:
            if p == "context":
                kwargs[p] = _Context(wave)
            elif p in resources:
                kwargs[p] = resources[p]
            else:
                key = keys_by_input[p].to_user_string()
                kwargs[p] = store[key][wave] if key in partitioned and wave is not None else store[key]
        result = fn(**kwargs)
        for item in (list(result) if inspect.isgenerator(result) else [result]):
            if isinstance(item, dg.AssetCheckResult):
                if not item.passed and item.severity == dg.AssetCheckSeverity.ERROR:
                    group = graph.get(dg.AssetKey.from_user_string(asset)).group_name
                    (published if group == "publishing" else failed)[f"{name}[{wave}]" if wave else name] = \
                        item.description or ""
                continue
            key = (keys_by_output[item.output_name].to_user_string()
                   if isinstance(item, dg.Output) and keys_by_output and item.output_name in keys_by_output
                   else out_keys[0])
            value = item.value if isinstance(item, dg.Output) else None if isinstance(item, dg.MaterializeResult) \
                else item
            if key in partitioned:
                store.setdefault(key, {})[wave] = value
            else:
                store[key] = value

    done = set()
    for key in graph.toposorted_asset_keys:
        ad = graph.get(key).assets_def
        if id(ad) in done or key.to_user_string() == "published_release":   # (see _Context.instance)
            continue
        done.add(id(ad))
        out_keys = [k.to_user_string() for k in ad.keys]
        for wave in (config.wave_ids if ad.partitions_def is not None else [None]):
            call(ad.node_def.compute_fn.decorated_fn, ad.keys_by_input_name, out_keys, wave, ad.node_def.name,
                 keys_by_output=ad.keys_by_output_name)
            for asset in out_keys:
                for c in checks.get(asset, []):
                    call(c.node_def.compute_fn.decorated_fn, dict(c.keys_by_input_name), [asset], wave,
                         c.node_def.name, asset)
        if failed:
            return failed, published  # a failed input check stops everything downstream, as in a run
    return failed, published


@pytest.fixture
def cheap_figures(monkeypatch):
    """Figures drawn in full (layout included) but saved as a 20-dpi PNG only: the
    property test is about what is drawn, not about 300-dpi PDF bytes (the end-to-end
    tests below write the real files)."""
    import matplotlib.pyplot as plt

    from publishing import style

    def save(fig, stem, bbox=None, formats=None):
        stem.parent.mkdir(parents=True, exist_ok=True)
        png = stem.with_suffix(".png")
        fig.savefig(png, dpi=20)
        plt.close(fig)
        return {"png": png, "svg": png, "pdf": png}

    monkeypatch.setattr(style, "save", save)
    monkeypatch.setattr(style, "thumbnail_markdown", lambda *a, **k: "")


# -- what a complete report is -----------------------------------------------------------------


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", xml)


def html_text(path: Path) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def check_complete_report(year_dir: Path, config, *, docx: bool = True) -> dict[str, str]:
    """The report exists in every language (HTML, and Word unless ``docx`` is False), every
    figure exists or the report says "not estimable", every note of a published table is a
    "not estimable: <reason>", and the note of every row of a table the report shows is in
    the report, translated. Returns the reports' text by language."""
    from publishing.labels import label, note_text
    from publishing.report import report_filename

    default = config.publishing.default_language
    published = {p.stem: pd.read_csv(p) for p in (year_dir / "tables").glob("*.csv")}
    texts = {}
    for lang in config.publishing.languages:
        html_path = year_dir / report_filename(lang, default, "html")
        assert html_path.is_file(), html_path
        text = " ".join(html_text(html_path).split())
        if docx:
            docx_path = year_dir / report_filename(lang, default, "docx")
            assert label("report_title", lang) in docx_text(docx_path), docx_path
        missing = [s for s in FIGURE_STEMS if not (year_dir / "figures" / f"{s}_{lang}.png").exists()]
        assert not missing or NE[lang] in text.lower(), (lang, missing)
        for name, table in published.items():
            if "note" not in table.columns:
                continue
            assert table["note"].dropna().astype(str).str.startswith(NOT_ESTIMABLE).all(), name
            if name in DISPLAYED:
                rows = DISPLAYED[name](table) if DISPLAYED[name] else table
                for note in rows["note"].dropna().unique():
                    assert note_text(note, lang) in text, (lang, name, note)
        texts[lang] = text
    return texts


# -- the property ------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=6, deadline=None, derandomize=True, database=None, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(participants=st.integers(6, 40), seed=st.integers(0, 2**16),
       degeneracies=st.lists(st.sampled_from(DEGENERACIES), unique=True, max_size=4))
def test_degenerate_studies_give_a_complete_report(tmp_path_factory, cheap_figures, monkeypatch, participants, seed,
                                                   degeneracies):
    from studyconfig.config import load_config

    root = tmp_path_factory.mktemp("degenerate")
    study = make_study(root / "study", participants, seed, degeneracies)
    monkeypatch.setenv("STUDY_CONFIG", str(study.root / "study.yaml"))
    monkeypatch.setenv("JH_OUTPUT_ROOT", str(root / "out"))
    blocked, disclosure = run_asset_bodies(study.root, root / "out")
    assume(not blocked)  # an input refused by design (e.g. no participant in common by chance) is not this test's
    assert not disclosure, disclosure
    config = load_config(study.root / "study.yaml")
    texts = check_complete_report(root / "out" / "reports" / ".staging" / str(config.study.evaluation_year), config,
                                  docx=True)
    sv, en = texts["sv"].lower(), texts["en"].lower()
    if "one_wave" in degeneracies:
        assert "ej skattningsbar: ingen jämförelse mellan mättillfällen är angiven" in sv
        assert "not estimable: no comparison between waves configured" in en
    if "no_attendance_register" in degeneracies and "one_wave" not in degeneracies:
        assert "ej skattningsbar: inget närvaroregister" in sv
        assert "not estimable: no attendance register" in en


# -- the real pipeline, end to end -------------------------------------------------------------


def _run(pipeline_env_class, tmp_path, monkeypatch, participants, seed, degeneracies):
    make_study(tmp_path / "study", participants, seed, degeneracies)
    env = pipeline_env_class(tmp_path / "study", tmp_path, monkeypatch)
    report = env.run()
    assert report.success, "\n".join(report.lines[-30:])
    from studyconfig.config import load_config

    config = load_config(env.config)
    year_dir = env.out / "reports" / str(config.study.evaluation_year)
    return year_dir, config


@pytest.mark.slow
def test_pipeline_on_the_issue_study_with_equal_answers_and_extreme_shares(pipeline_env_class, tmp_path,
                                                                          monkeypatch):
    """12 participants (the crash of issue 14: who5_poor with one level, an EQ-5D share of
    0 %), WHO-5 all equal, one comparison, no attendance register."""
    year_dir, config = _run(pipeline_env_class, tmp_path, monkeypatch, 12, 1,
                            ["who5_all_equal", "eq5d_extreme_shares", "one_comparison", "no_attendance_register"])
    texts = check_complete_report(year_dir, config)
    for lang, text in texts.items():
        assert NE[lang] in text.lower()
    assert "inget närvaroregister" in docx_text(year_dir / "report.docx")
    assert "no attendance register" in docx_text(year_dir / "report.en.docx")
    cc = pd.read_csv(year_dir / "tables" / "categorical_change.csv")
    assert {"who5_poor", "who5_depression_screen"} <= set(cc["outcome"])
    for f in FIGURE_STEMS[:-1]:
        assert (year_dir / "figures" / f"{f}_sv.pdf").is_file(), f


@pytest.mark.slow
def test_pipeline_on_one_wave_of_six_participants(pipeline_env_class, tmp_path, monkeypatch):
    year_dir, config = _run(pipeline_env_class, tmp_path, monkeypatch, 6, 3, ["one_wave"])
    check_complete_report(year_dir, config)
    assert "ej skattningsbar: ingen jämförelse mellan mättillfällen är angiven" in \
        docx_text(year_dir / "report.docx").lower()
    assert "not estimable: no comparison between waves configured" in docx_text(year_dir / "report.en.docx").lower()
