"""The published codebook of each wave: ``codebook/codebook_<wave>.{csv,html,en.html}`` of the release.

One asset per wave (rendering in :mod:`publishing.codebook`), written into the
staging folder like every other publishing asset and released with them
(:mod:`publishing.release`). It depends on ``harmonised_wave``, so a wave that a
blocking check stops gets no codebook.
"""

import re
from pathlib import Path

import dagster as dg
import pandas as pd

from pipelines.partitions import WAVES
from pipelines.resources import ProjectPaths, StudyResource
from pipelines.versioning import code_version
from publishing import codebook as render
from publishing import disclosure, release
from publishing.tables import write_csv
from survey import ingest
from survey.fsutil import atomic_write_text

GROUP = "publishing"
OWNERS = ["team:evaluation-research"]
CODEBOOK_VERSION = code_version("publishing.codebook", "publishing.disclosure")
#: the folder under reports/<year>/ (the report appendix links to codebook/codebook_<wave>.html)
FOLDER = "codebook"


def codebook_paths(year_dir, wave: str) -> dict[str, Path]:
    folder = year_dir / FOLDER
    return {"csv": folder / f"codebook_{wave}.csv", "sv": folder / f"codebook_{wave}.html",
            "en": folder / f"codebook_{wave}.en.html"}


@dg.asset(
    partitions_def=WAVES, group_name=GROUP, kinds={"html", "csv"}, owners=OWNERS, code_version=CODEBOOK_VERSION,
    ins={"raw_wave": dg.AssetIn(), "wave_codebook": dg.AssetIn()}, deps=[dg.AssetKey("harmonised_wave")],
)
def wave_codebook_report(context: dg.AssetExecutionContext, study_config: StudyResource, paths: ProjectPaths,
                         raw_wave: pd.DataFrame, wave_codebook: pd.DataFrame) -> dg.MaterializeResult:
    """The wave's codebook as researchers read it: variable, label, type/format, value labels,
    missing codes, frequencies (counts below ``publishing.k_min_cell`` suppressed as "<k")
    and share missing; free text, dates and study codes never show a value. Written as CSV
    and HTML (Swedish and English) under ``reports/<year>/codebook/``; the Markdown metadata
    shows one line per variable."""
    config = study_config.load()
    wave = config.wave(context.partition_key)
    k = config.publishing.k_min_cell
    file = config.wave_path(wave.id).name
    canonical = {**wave.mapping, **wave.covariates, wave.id_variable: ingest.ID_COLUMN}
    missing = {v: dict(wave.missing_codes.for_variable(v)) for v in [*wave.mapping, *wave.covariates]}
    table = render.codebook_table(raw_wave, wave_codebook, wave=wave.id, k=k, id_variable=wave.id_variable,
                                  canonical=canonical, covariates=set(wave.covariates), missing_codes=missing)
    problems = disclosure.audit_table(table, k, f"codebook_{wave.id}")
    pages = {lang: render.render_html(table, wave_label=getattr(wave.label, lang), file=file, k=k, lang=lang)
             for lang in ("sv", "en")}
    ids = set(ingest.wave_ids(raw_wave, wave.id_variable).dropna().astype(str))
    text = "\n".join([*pages.values(), table.to_csv(index=False)])
    leaked = len(ids & set(re.findall(r"[0-9A-Za-z_\-]+", text)))
    if problems or leaked:
        raise RuntimeError(f"codebook of wave {wave.id}: not published ({len(problems)} unsuppressed small "
                           f"count(s), {leaked} participant id(s) in the text)")
    stage = release.staging_dir(paths.reports, config.study.evaluation_year)
    out = codebook_paths(stage, wave.id)
    out["csv"].parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, out["csv"])
    for lang in ("sv", "en"):
        atomic_write_text(out[lang], pages[lang])
    context.log.info(f"codebook of wave {wave.id}: {table['variable'].nunique()} variable(s) written to "
                     f"{out['csv'].parent}")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(out["sv"])),
        "files": dg.MetadataValue.json({k_: str(v) for k_, v in out.items()}),
        "jh/files": dg.MetadataValue.json(release.staged_files(stage, [p.relative_to(stage).as_posix()
                                                                       for p in out.values()])),
        "n_variables": int(table["variable"].nunique()),
        "n_suppressed": int(table["suppressed"].sum()),
        "k_min_cell": k,
        "codebook": dg.MetadataValue.md(render.render_markdown(table, k)),
    })
