"""Publishing: the disclosure-controlled tables, the figures drawn from them, the yearly
report, and the atomic release of all of it into ``reports/<evaluation year>/``.

Everything here is made from the one registry of outputs
(:mod:`publishing.registry`): one asset ``published/<name>`` per table (computed
together, because the suppression is decided over the whole release), one
``figure_<name>`` per figure (it reads only its published tables), the
``evaluation_report`` (it reads only published tables and figures), and
``published_release``, which swaps the complete set into ``reports/<year>/`` only after
every output and both blocking disclosure checks have passed
(:mod:`publishing.release`). Rendering is done by the pure :mod:`publishing`
package; the assets read their inputs, call it, and attach metadata.

Layout::

    reports/.staging/<year>/          build folder of the publishing assets (never published)
    reports/<year>/                   the last complete release:
        report.html, report.docx          Swedish (default language)
        report.en.html, report.en.docx    English
        manifest.json                     provenance and the sha256 of every file beside it
        tables/*.csv                      the published tidy tables
        figures/<name>_<lang>.{png,svg,pdf}
    reports/internal/<year>/          only if publishing.allow_internal_outputs (never published)
"""


import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

import dagster as dg
import pandas as pd

from pipelines import gates, parallel
from pipelines.assets._meta import table_metadata
from pipelines.resources import ProjectPaths, StudyResource
from pipelines.versioning import code_version
from publishing import (
    categories,
    disclosure,
    docx_report,
    figures,
    lineage,
    manifest,
    registry,
    release,
    report,
    sdc,
    style,
    tables,
    texts,
)
from publishing.labels import label
from publishing.partners import PARTNER_TABLES
from publishing.populations import Persons
from publishing.study_labels import study_labels
from studyconfig.config import StudyConfig
from survey import study as study_glue
from survey.fsutil import atomic_write_text

GROUP = "publishing"
OWNERS = ["team:evaluation-research"]
PUBLISH_VERSION = code_version("publishing")
#: metadata key of every publishing asset: ``{path relative to the year folder: sha256}``
FILES = "jh/files"


def outcome_labels(lang: str) -> dict[str, str]:
    t = study_glue.outcome_table()
    return dict(zip(t["column"], t[f"label_{lang}"]))


def wave_labels(config: StudyConfig, lang: str) -> dict[str, str]:
    return {w.id: getattr(w.label, lang) for w in config.waves}


#: the participants' tables and the partner survey's (:mod:`pipelines.assets.partners`)
ALL_TABLES = (*registry.TABLES, *PARTNER_TABLES)


def table_key(name: str) -> dg.AssetKey:
    """Asset key of a published table: ``published/<name>``."""
    return dg.AssetKey(["published", name])


def _stage(config: StudyConfig, paths: ProjectPaths) -> Path:
    return release.staging_dir(paths.reports, config.study.evaluation_year)


def _files_meta(stage: Path, relpaths) -> dict:
    return {FILES: dg.MetadataValue.json(release.staged_files(stage, relpaths))}


def output_version(files: dict[str, str]) -> str:
    """Data version of a table or figure asset: the hash of its own output files (their
    paths and sha256), so the version shown in the UI confirms the file in the release
    (issue 17); an output whose bytes did not change keeps its version.

    >>> output_version({"tables/t.csv": "ab12"})        # one file: its own sha256
    'ab12'
    >>> len(output_version({"figures/f_sv.png": "ab", "figures/f_en.png": "cd"}))
    64
    """
    if len(files) == 1:
        return next(iter(files.values()))
    return hashlib.sha256("\n".join(f"{k} {v}" for k, v in sorted(files.items())).encode()).hexdigest()


def _table_output(extra: dict, stage: Path, name: str) -> dg.DataVersion:
    """Add a published table's file, path and sha256 to its metadata ``extra``; its data
    version (the CSV's sha256)."""
    extra.update(_output_meta(stage, [f"tables/{name}.csv"]))
    return dg.DataVersion(output_version(extra[FILES].value))


def _output_meta(stage: Path, relpaths) -> dict:
    """``jh/files`` plus the first file's path and sha256 as their own entries (what the
    report's caption names: the research lead compares the two)."""
    files = release.staged_files(stage, relpaths)
    first = next(iter(files))
    return {FILES: dg.MetadataValue.json(files), "output_path": dg.MetadataValue.path(first),
            "output_sha256": files[first]}


# -- the published tables (one release-wide decision) ----------------------------------------

_SOURCES = sorted({s for t in registry.TABLES for s in t.sources} - {"wave_reliability", "published_categories"})
#: inputs the disclosure model needs besides the tables' sources (the persons of the release)
_PERSONS = ("panel", "recurring_cohort", "attendance")


def _context(config: StudyConfig, panel: pd.DataFrame, recurring_cohort: pd.DataFrame,
             plan: pd.DataFrame, attendance: pd.DataFrame | None = None) -> registry.Context:
    register = attendance if config.attendance is not None else None
    persons = Persons(categories.apply_plan(panel, plan), recurring_cohort, config.recurring.definition, register)
    return registry.Context(persons=persons, k=config.publishing.k_min_cell, waves=list(config.wave_ids),
                            comparisons=[cast("tuple[str, str]", tuple(c)) for c in config.analysis.comparisons],
                            definition=config.recurring.definition,
                            k_quantiles=config.publishing.k_min_quantiles,
                            protect_nonresponse=config.publishing.protect_item_nonresponse,
                            min_visits_per_week=config.recurring.min_visits_per_week,
                            wave_dates={w.id: w.date for w in config.waves})


def _audit_release(release_obj: registry.Release, folder: Path, k: int, ids: set[str]) -> list[str]:
    """The release-wide audit behind ``published_tables_disclosure`` (no values in messages)."""
    problems = sdc.audit(release_obj.quantities, k)
    problems += disclosure.audit_tables(folder, k)
    problems += disclosure.scan_for_ids(sorted(folder.glob("*.csv")), ids)
    return problems


@dg.multi_asset(
    name="published_tables",
    outs={t.name: dg.AssetOut(key=table_key(t.name), description=t.description, kinds={"pandas", "csv"},
                              owners=OWNERS, code_version=PUBLISH_VERSION, group_name=GROUP)
          for t in registry.TABLES},
    ins={**{s: dg.AssetIn(s) for s in _SOURCES},
         **{s: dg.AssetIn(s) for s in _PERSONS},
         "published_categories": dg.AssetIn("published_categories"),
         "wave_reliability": dg.AssetIn("wave_reliability", partition_mapping=dg.AllPartitionMapping())},
    check_specs=[dg.AssetCheckSpec("published_tables_disclosure", asset=table_key(t.name), blocking=True,
                                   description="The whole release passes the disclosure audit: no published count "
                                               "of 1 … k − 1 persons, no such group derivable from the published "
                                               "counts, no participant pseudonym in any table.")
                 for t in registry.TABLES],
)
def published_tables(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                     panel: pd.DataFrame, recurring_cohort: pd.DataFrame, attendance: pd.DataFrame,
                     published_categories: pd.DataFrame, wave_reliability: dict[str, pd.DataFrame],
                     **analysis_tables: pd.DataFrame):
    """Every published table, disclosure-controlled together (:func:`registry.protect_release`:
    threshold rule, then no small group derivable from any combination of the published
    counts of all tables), written to the staging folder as CSV and stored as assets."""
    config = study_config.load()
    k = config.publishing.k_min_cell
    inputs = dict(analysis_tables)
    inputs["published_categories"] = published_categories
    inputs["wave_reliability"] = pd.concat([wave_reliability[w] for w in config.wave_ids if w in wave_reliability],
                                           ignore_index=True) if wave_reliability else pd.DataFrame()
    ctx = _context(config, panel, recurring_cohort, published_categories, attendance)
    rel = registry.protect_release(inputs, ctx)
    folder = _stage(config, paths) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        if old.stem in registry.TABLES_BY_NAME and old.stem not in rel.tables:   # (partner tables: their own)
            old.unlink()
    for name, df in rel.tables.items():
        tables.write_csv(df, folder / f"{name}.csv")
    problems = _audit_release(rel, folder, k, set(ctx.persons.ids))
    summary = rel.summary().set_index("table")
    for spec in registry.TABLES:
        df = rel.tables.get(spec.name, pd.DataFrame())
        extra: dict[str, Any] = {"k_min_cell": k, "sources": ", ".join(spec.sources)}
        version = None
        if spec.name in summary.index:
            s = summary.loc[spec.name]
            extra.update(withheld_primary=int(s["withheld_primary"]), withheld_secondary=int(s["withheld_secondary"]))
            version = _table_output(extra, folder.parent, spec.name)
        yield dg.Output(df, output_name=spec.name, metadata=table_metadata(df, **extra), data_version=version)
    for spec in registry.TABLES:
        yield dg.AssetCheckResult(
            asset_key=table_key(spec.name), check_name="published_tables_disclosure", passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems[:10]) or f"release of {len(rel.tables)} tables passes (k = {k})",
            metadata={"n_problems": len(problems), "n_counts_checked": len(rel.quantities)})


# -- figures --------------------------------------------------------------------------------

def _figure_context(config: StudyConfig, panel_columns) -> registry.FigureContext:
    import instruments
    from survey.study import default_mids

    levels = tuple(name for name, _ in instruments.spec("hls_eu_q16").rules["levels"])
    primary = tuple(o for o in config.analysis.primary_outcomes)
    mids = default_mids(config, list(primary))
    return registry.FigureContext(primary=primary, hl_levels=levels, partner_k=config.publishing.k_min_partner,
                                  definition=config.recurring.definition,
                                  mids=tuple(zip(mids["outcome"], mids["mid"].astype(float))))


def _save_figure(context: dg.AssetExecutionContext, config: StudyConfig, folder: Path, stem: str,
                 make: Callable, internal: bool = False, title: str = "") -> dg.MaterializeResult:
    """Render ``make(labels) -> Figure`` in every configured language, save PNG/SVG/PDF, and
    return metadata with the files and a thumbnail of the default-language PNG."""
    langs = list(config.publishing.languages)
    default = config.publishing.default_language

    def render(lang: str) -> tuple[dict[str, Path], str | None]:
        fig = make(study_labels(config, lang))
        if fig is None:
            return {}, None
        files = style.save(fig, folder / f"{stem}_{lang}", formats=config.publishing.figure_formats)
        # the UI thumbnail is the 300-dpi PNG scaled down; none of an internal figure: its
        # individual values must not reach the event log
        preview = (style.thumbnail_markdown(files["png"], alt=stem)
                   if lang == default and not internal and "png" in files else None)
        return files, preview

    rendered = parallel.map_forked(render, langs, label=lambda lang: f"figure {stem} ({lang})")
    written = {lang: files for lang, (files, _) in zip(langs, rendered)}
    if not any(written.values()):
        for old in folder.glob(f"{stem}_*"):
            old.unlink()
        return dg.MaterializeResult(metadata={"skipped": "nothing to draw in this study", FILES: dg.MetadataValue.json({})})
    preview = next((p for _, p in rendered if p), None)
    rel = [Path(p).relative_to(folder.parent).as_posix() for d in written.values() for p in d.values()]
    context.log.info(f"{stem}: wrote {len(rel)} file(s)")
    meta: dict[str, Any] = {"path": dg.MetadataValue.path(str(next(iter(written[default].values())))),
                            "preview": dg.MetadataValue.md(preview or "")}
    if not internal:
        # the report's caption names the PNG of its language: the default language's first
        pngs = sorted(rel, key=lambda r: (not r.endswith(f"_{default}.png"), r))
        meta.update(_output_meta(folder.parent, pngs))
        if title:
            meta["caption"] = title
        return dg.MaterializeResult(metadata=meta, data_version=dg.DataVersion(output_version(meta[FILES].value)))
    return dg.MaterializeResult(metadata=meta)


def _figure_asset(spec: registry.FigureSpec):
    @dg.asset(name=f"figure_{spec.name}", group_name=GROUP, kinds={"matplotlib"}, owners=OWNERS,
              code_version=PUBLISH_VERSION, description=spec.description,
              ins={t: dg.AssetIn(key=table_key(t)) for t in spec.tables})
    def _asset(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
               **published: pd.DataFrame) -> dg.MaterializeResult:
        config = study_config.load()
        fctx = _figure_context(config, ())
        return _save_figure(context, config, _stage(config, paths) / "figures", spec.name,
                            lambda L: spec.render(published, L, fctx),
                            title=label(f"{spec.label_key}_title", config.publishing.default_language))

    return _asset


FIGURE_ASSETS = [_figure_asset(spec) for spec in registry.FIGURES]


@dg.asset(group_name=GROUP, kinds={"matplotlib"}, owners=OWNERS, code_version=PUBLISH_VERSION)
def figure_individual_trajectories(context: dg.AssetExecutionContext, study_config: StudyResource,
                                   paths: ProjectPaths, panel: pd.DataFrame,
                                   recurring_cohort: pd.DataFrame) -> dg.MaterializeResult:
    """INTERNAL: individual trajectories of the primary outcomes, written to
    ``reports/internal/<year>/`` only when ``publishing.allow_internal_outputs`` is true
    (individual values; never part of a release)."""
    config = study_config.load()
    if not config.publishing.allow_internal_outputs:
        return dg.MaterializeResult(metadata={"skipped": "publishing.allow_internal_outputs is false"})
    primary, _ = study_glue.continuous_outcomes(config, panel)
    from analysis.cohort import is_member

    rec = panel[is_member(panel["participant_id"], study_glue.recurring_ids(config, recurring_cohort))]
    rec = rec.assign(wave=rec["wave"].astype(str))
    folder = paths.reports / "internal" / str(config.study.evaluation_year)
    folder.mkdir(parents=True, exist_ok=True)
    return _save_figure(context, config, folder, "individual_trajectories",
                        lambda L: figures.individual_trajectories(rec, primary, L), internal=True)


# -- the report -----------------------------------------------------------------------------

#: what the appendix's provenance picture leaves out (the configuration and category plans
#: reach every asset; the codebook comes from the wave file, as the raw wave does)
_LINEAGE_SKIP = ("study_settings", "published_categories", "raw_codebook")
#: which asset reads which kind of input file (``manifest.input_files`` roles)
_FILE_READERS = (("wave ", "raw_wave"), ("attendance register", "attendance"))


#: ``() -> AssetGraph`` of the code location, set by :mod:`pipelines.definitions` (which
#: imports this module, so it cannot be imported from here without a cycle)
LINEAGE_GRAPH_SOURCE: Callable | None = None


def lineage_graph() -> tuple[dict[str, list[str]], set[str]]:
    """Parents of every asset as the UI names them, and the partitioned assets; a published
    table's parents are the analysis assets the registry names (the multi-asset that
    computes all of them together reads every analysis table)."""
    if LINEAGE_GRAPH_SOURCE is None:
        raise RuntimeError("the asset graph is unknown: load pipelines.definitions first")
    graph = LINEAGE_GRAPH_SOURCE()
    parents, partitioned = {}, set()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        parents[key.to_user_string()] = sorted(p.to_user_string() for p in node.parent_keys)
        if node.partitions_def is not None:
            partitioned.add(key.to_user_string())
    for spec in ALL_TABLES:
        parents[table_key(spec.name).to_user_string()] = list(spec.sources)
    return parents, partitioned


def _lineage_figure(stage: Path, prov: dict, lang: str,
                    graph: tuple[dict[str, list[str]], set[str]]) -> str:
    """Draw the appendix's provenance picture for ``lang`` from ``graph`` (:func:`lineage_graph`,
    resolved once per report); its path relative to the stage."""
    parents, partitioned = graph
    start = f"figure_{report.LINEAGE_FIGURE}"
    cols = lineage.layers(start, parents, skip=_LINEAGE_SKIP)
    shown = {n for c in cols for n in c}
    files = [(i["file"], i["sha256"] or "", reader) for i in prov["inputs"]
             for prefix, reader in _FILE_READERS if i["role"].startswith(prefix) and reader in shown]
    fig = lineage.figure(cols, lineage.edges(cols, parents), files, lang, sorted(partitioned))
    rel = f"figures/lineage_{lang}.png"
    style.save(fig, stage / rel[:-4], formats=("png",))
    return rel

@dg.asset(group_name=GROUP, kinds={"html", "docx"}, owners=OWNERS, code_version=PUBLISH_VERSION,
          ins={t.name: dg.AssetIn(key=table_key(t.name)) for t in ALL_TABLES},
          deps=[*FIGURE_ASSETS, dg.AssetDep("wave_codebook_report", partition_mapping=dg.AllPartitionMapping())])
def evaluation_report(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                      **published: pd.DataFrame) -> dg.MaterializeResult:
    """The yearly evaluation report in every configured language, as HTML and Word
    (``report.html`` / ``report.docx`` in the default language, ``report.<lang>.*``
    otherwise), from the published tables and figures only: summary, methods generated from
    the configuration, results, limitations and a provenance appendix."""
    config = study_config.load()
    stage = _stage(config, paths)
    prov = manifest.provenance(config, study_config.path())
    langs, default = config.publishing.languages, config.publishing.default_language
    P = {name: df for name, df in published.items() if df is not None and len(df)}
    graph = lineage_graph()

    def write(lang: str) -> tuple[dict[str, str], list[dict]]:
        L = study_labels(config, lang)
        figs = {stem: f"figures/{stem}_{lang}.png" for stem in report.FIGURES
                if (stage / "figures" / f"{stem}_{lang}.png").exists()}
        figs[report.LINEAGE] = _lineage_figure(stage, prov, lang, graph)
        others = [(o.upper(), report.report_filename(o, default, "html")) for o in langs if o != lang]
        doc = report.build_document(config, L, P, P.get("attrition"), figs, prov, others, outputs)
        html_name = report.report_filename(lang, default, "html")
        docx_name = report.report_filename(lang, default, "docx")
        atomic_write_text(stage / html_name, report.render_html(doc))
        docx_report.write_docx(doc, stage / docx_name, manifest.fixed_date(config))
        return {"html": html_name, "docx": docx_name, "lineage": figs[report.LINEAGE]}, report.output_index(doc)

    # the sha256 of every table and figure, as their assets recorded them: the captions name them
    outputs = _release_files(context.instance, config.wave_ids)
    # each language is written on its own core (pipelines/parallel.py); same bytes either way
    written = parallel.map_forked(write, list(langs), label=lambda lang: f"report ({lang})")
    files: dict[str, dict[str, str]] = {lang: f for lang, (f, _) in zip(langs, written)}
    index = dict(zip(langs, (i for _, i in written)))[default]
    rel = [n for d in files.values() for n in d.values()]
    return dg.MaterializeResult(metadata={
        "files": dg.MetadataValue.json(files), **_files_meta(stage, rel),
        "numbered_outputs": dg.MetadataValue.md(report.index_markdown(index)),
        "n_tables": sum(1 for r in index if r["kind"] == "table"),
        "n_figures": sum(1 for r in index if r["kind"] == "figure"),
        "git_commit": str(prov["git"].get("commit")), "git_dirty": str(prov["git"].get("dirty")),
        texts.TEXTS_VERSION: texts.texts_version(config),
    })


def _participant_ids(panel: pd.DataFrame, attendance: pd.DataFrame) -> set[str]:
    """Every pseudonym of the study: the survey panel's and the attendance register's (people
    who came but never answered a survey are looked for too)."""
    return set(panel["participant_id"].dropna().astype(str)) | set(attendance["participant_id"].dropna().astype(str))


def _release_files(instance: dg.DagsterInstance, waves: list[str]) -> dict[str, str]:
    """Every file of the release, from the latest materialisation of each publishing asset
    (of each wave, for the per-wave codebooks)."""
    keys = [table_key(t.name) for t in ALL_TABLES] + \
           [dg.AssetKey(f"figure_{f.name}") for f in registry.FIGURES] + [dg.AssetKey("evaluation_report")]
    events = [instance.get_latest_materialization_event(key) for key in keys]
    for w in waves:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("wave_codebook_report"), asset_partitions=[w]), limit=1).records
        events.append(records[0].event_log_entry if records else None)
    out: dict[str, str] = {}
    for event in events:
        meta = event.asset_materialization.metadata if event and event.asset_materialization else {}
        files = meta.get(FILES)
        if files is not None:
            out.update(dict(cast("Mapping[str, str]", files.value)))   # jh/files: {path: sha256}
    return out


@dg.asset_check(asset=evaluation_report, blocking=True,
                additional_ins={"panel": dg.AssetIn("panel"), "attendance": dg.AssetIn("attendance")},
                description="No file of the release (tables, figures, report text, Word members, PDF streams) "
                            "contains a participant pseudonym, and no published table has an unflagged small count.")
def report_disclosure(context: dg.AssetCheckExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                      panel: pd.DataFrame, attendance: pd.DataFrame) -> dg.AssetCheckResult:
    """Blocking: scans every file that the release will contain (in the staging folder)."""
    config = study_config.load()
    stage = _stage(config, paths)
    files = [stage / rel for rel in _release_files(context.instance, config.wave_ids)]
    problems = disclosure.audit_tables(stage / "tables", config.publishing.k_min_cell)
    problems += disclosure.scan_for_ids(files, _participant_ids(panel, attendance))
    return dg.AssetCheckResult(passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
                               description="; ".join(problems[:20]) or f"{len(files)} file(s) of the release pass",
                               metadata={"n_files_scanned": len(files), "n_problems": len(problems)})


@dg.asset(group_name=GROUP, kinds={"folder"}, owners=OWNERS, code_version=PUBLISH_VERSION,
          ins={"panel": dg.AssetIn("panel"), "attendance": dg.AssetIn("attendance")},
          deps=[evaluation_report, *FIGURE_ASSETS, *[table_key(t.name) for t in ALL_TABLES],
                dg.AssetDep("wave_codebook_report", partition_mapping=dg.AllPartitionMapping())])
def published_release(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                      panel: pd.DataFrame, attendance: pd.DataFrame) -> dg.MaterializeResult:
    """Swap the complete, checked set of outputs into ``reports/<year>/`` at once
    (:func:`publishing.release.promote`), with ``manifest.json`` describing exactly
    the files beside it. Runs only when the report and every table passed their blocking
    disclosure checks; a failed or killed run leaves the previous release untouched.

    Launched on its own from the UI (the asset, or ``cross_wave_job``'s launchpad), it
    also refuses while any blocking check above it has not passed on its
    asset's latest materialisation (:func:`pipelines.gates.blocking_checks_not_passed`,
    the runner's rule): a release is never made past a failed gate."""
    config = study_config.load()
    year = config.study.evaluation_year
    if LINEAGE_GRAPH_SOURCE is None:
        raise RuntimeError("the asset graph is unknown: load pipelines.definitions first")
    not_passed = gates.blocking_checks_not_passed(context.instance, LINEAGE_GRAPH_SOURCE(), config.wave_ids,
                                                  above=context.asset_key)
    if not_passed:
        raise release.ReleaseError(
            f"not released: {len(not_passed)} blocking check(s) have not passed on the latest materialisation "
            f"of their asset: {'; '.join(not_passed[:10])}{' …' if len(not_passed) > 10 else ''}. Correct what "
            "the check names (`python -m pipelines status` lists the failures), then run `python -m pipelines run`")
    files = _release_files(context.instance, config.wave_ids)
    prov = manifest.provenance(config, study_config.path())
    ids = _participant_ids(panel, attendance)

    def scan(folder: Path) -> None:
        found = disclosure.scan_for_ids(disclosure.published_files(folder), ids)
        if found:
            raise release.ReleaseError("; ".join(found))

    target = release.promote(paths.reports, year, files,
                             lambda folder: manifest.write_manifest(folder, prov, context.run.run_id),
                             before_swap=scan)
    langs, default = config.publishing.languages, config.publishing.default_language
    reports = {lang: str(target / report.report_filename(lang, default, "html")) for lang in langs}
    context.log.info(f"release of {len(files)} file(s) published to {target}")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(target)), "n_files": len(files),
        "files": dg.MetadataValue.json({lang: {"html": p, "docx": p[:-5] + ".docx"} for lang, p in reports.items()}),
        "manifest": dg.MetadataValue.path(str(target / manifest.MANIFEST_NAME)),
        "manifest_sha256": release.sha256_file(target / manifest.MANIFEST_NAME),
    })


CHECKS = [report_disclosure]
