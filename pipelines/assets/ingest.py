"""Ingest: read each wave file as it is, harmonise it onto canonical items, read the
attendance register. Asset bodies are thin: they call :mod:`survey.ingest`."""


import dagster as dg
import pandas as pd

from pipelines.assets._meta import md_table, table_metadata
from pipelines.partitions import WAVES
from pipelines.resources import StudyResource
from pipelines.versioning import code_version
from survey import ingest, readers, study, wavefiles

GROUP = "ingest"
OWNERS = ["team:evaluation-data"]
INGEST_VERSION = code_version("survey.ingest", "studyconfig.config", "survey.readers", "survey.wavefiles")


@dg.multi_asset(
    outs={
        "raw_wave": dg.AssetOut(
            description="One survey wave exactly as delivered (read only; user-missing codes kept).",
            io_manager_key="interim_io_manager", kinds={"pandas", "spss"}, owners=OWNERS,
            code_version=INGEST_VERSION,
        ),
        "raw_codebook": dg.AssetOut(
            description="Variable labels, value labels and user-missing declarations of the wave file.",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS,
            code_version=INGEST_VERSION,
        ),
    },
    partitions_def=WAVES,
    group_name=GROUP,
)
def raw_wave(context: dg.AssetExecutionContext, study_config: StudyResource):
    """Read the wave file named in the study configuration (SPSS .sav/.zsav/.por, Stata .dta,
    CSV, .xlsx or .ods; see :mod:`survey.readers`), with the wave's ``value_labels``.

    The identifier guard (:mod:`privacy.identifiers`) runs here, before anything is
    stored: a personal identity or coordination number, phone number or e-mail address in
    any cell (free text and numeric items included), variable name, variable label or
    value label, a name where a pseudonym is expected, or a variable named like a name,
    address or contact field fails the asset, so the file never reaches ``data/interim``.
    Variables the wave exempts under ``identifier_exemptions`` are logged with their reason.

    The data version hashes the bytes that were parsed (the file is read once into memory,
    hashed and parsed from that snapshot, so a file replaced mid-read cannot be stored under
    the other version's hash) together with the wave's configuration (mapping, missing
    codes, value labels, instrument options, scale files), so a changed file or mapping
    marks everything downstream of this wave stale and nothing else.
    """
    config = study_config.load()
    wave = config.wave(context.partition_key)
    raw = wavefiles.read_configured_wave(config, wave)
    for note in raw.notes:
        context.log.info(f"{raw.path.name}: {note}")
    guard = ingest.check_no_identifiers(raw.data, raw.codebook, raw.path.name, wave.id_variable,
                                        wave.identifier_exemptions, id_pattern=config.study.id_pattern)
    for p in guard:
        if p.severity == "note":
            context.log.info(f"identifier guard: {p}")
        elif p.severity == "warning":
            context.log.warning(f"identifier guard: {p}")
    error = ingest.identifier_error(guard, raw.path.name, wave.id)
    if error is not None:
        raise error
    version = dg.DataVersion(study.wave_input_version(config, wave.id, file_sha256=raw.sha256))
    file_meta = {
        "file": dg.MetadataValue.path(str(raw.path)),
        "sha256": raw.sha256,
        "format": raw.file_format,
        "n_variables": raw.data.shape[1],
        "identifier_exemptions": ", ".join(f"{k} ({v})" for k, v in wave.identifier_exemptions.items()) or "none",
    }
    yield dg.Output(raw.data, output_name="raw_wave", data_version=version,
                    metadata=table_metadata(raw.data, **file_meta))
    yield dg.Output(raw.codebook, output_name="raw_codebook", data_version=version,
                    metadata=table_metadata(raw.codebook, sha256=raw.sha256))


@dg.multi_asset(
    outs={
        "harmonised_wave": dg.AssetOut(
            description="The wave on canonical names: participant_id, wave, covariates, items "
                        "(missing codes applied).",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS,
            code_version=INGEST_VERSION,
        ),
        "wave_codebook": dg.AssetOut(
            description="The file's codebook with the canonical name of every mapped variable.",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS,
            code_version=INGEST_VERSION,
        ),
        "item_missingness": dg.AssetOut(
            description="Per item: answered, don't know, no answer and system-missing counts.",
            io_manager_key="interim_io_manager", kinds={"pandas"}, owners=OWNERS,
            code_version=INGEST_VERSION,
        ),
    },
    partitions_def=WAVES,
    group_name=GROUP,
)
def harmonised_wave(context: dg.AssetExecutionContext, study_config: StudyResource,
                    raw_wave: pd.DataFrame, raw_codebook: pd.DataFrame):
    """Map raw variables onto canonical instrument items and apply the missing-value codes.

    Fails, naming every absent variable, when the mapping refers to variables the file does
    not have. Content problems (codes out of range, duplicate IDs) are left to the blocking
    checks, so that they are reported per variable with counts.
    """
    config = study_config.load()
    wave = config.wave(context.partition_key)
    raw = ingest.RawWave(data=raw_wave, codebook=raw_codebook, sha256="", path=config.wave_path(wave.id),
                         file_format="")
    h = ingest.harmonise(raw, wave, study.dont_know_codes(wave))
    miss = h.missingness
    answered = miss["n_answered"].sum() / miss["n_rows"].sum() if len(miss) else float("nan")
    yield dg.Output(h.data, output_name="harmonised_wave", metadata=table_metadata(
        h.data,
        n_participants=int(h.data[ingest.ID_COLUMN].nunique()),
        instruments=", ".join(wave.instruments),
        n_items_mapped=len(wave.mapping),
        item_response_rate=float(answered),
        n_dont_know=int(miss["n_dont_know"].sum()) if len(miss) else 0,
    ))
    yield dg.Output(h.codebook, output_name="wave_codebook", metadata=table_metadata(h.codebook))
    yield dg.Output(miss, output_name="item_missingness", metadata=table_metadata(
        miss, worst_items=md_table(
            miss.assign(answered_rate=miss["n_answered"] / miss["n_rows"])
            .nsmallest(5, "answered_rate")[["item", "n_rows", "n_answered", "n_dont_know", "n_no_answer"]]
        ),
    ))


@dg.asset(
    group_name=GROUP, kinds={"pandas", "csv"}, owners=OWNERS, code_version=INGEST_VERSION,
)
def attendance(context: dg.AssetExecutionContext, study_config: StudyResource):
    """Pseudonymised attendance register: one row per visit (participant, workshop, date)."""
    config = study_config.load()
    if config.attendance is None:
        context.log.info("no attendance register configured")
        return dg.Output(pd.DataFrame({"participant_id": pd.Series(dtype="string"),
                             "workshop": pd.Series(dtype="string"),
                             "visit_date": pd.Series(dtype="datetime64[ns]")}))
    path = config.resolve(config.attendance.file)
    # hashed and parsed from the same bytes; the identifier guard runs on every column of the
    # register before anything is stored
    raw_bytes = ingest.read_attendance_bytes(path)
    digest = readers.sha256_bytes(raw_bytes)
    reg = ingest.read_attendance(path, config.attendance, raw_bytes, id_pattern=config.study.id_pattern,
                                 log=context.log.info)
    return dg.Output(reg, data_version=dg.DataVersion(digest), metadata=table_metadata(
        reg, sha256=digest, file=dg.MetadataValue.path(str(path)),
        n_participants=int(reg["participant_id"].nunique()),
        first_visit=str(reg["visit_date"].min().date()) if len(reg) else "",
        last_visit=str(reg["visit_date"].max().date()) if len(reg) else "",
    ))


@dg.asset(group_name=GROUP, kinds={"yaml"}, owners=OWNERS, code_version=INGEST_VERSION)
def study_settings(context: dg.AssetExecutionContext, study_config: StudyResource):
    """The study configuration's analysis settings; its data version is the configuration
    file's sha256, so editing the configuration marks the cross-wave results stale."""
    config = study_config.load()
    from studyconfig.config import config_hash

    digest = config_hash(study_config.path())
    table = study.settings_table(config)
    return dg.Output(table, data_version=dg.DataVersion(digest), metadata=table_metadata(
        table, config_file=dg.MetadataValue.path(str(study_config.path())), sha256=digest,
        settings=md_table(table)))
