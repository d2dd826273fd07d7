"""The project's single Dagster code location.

``dagster dev`` (run from the project folder) loads this module through ``workspace.yaml``
and ``[tool.dagster]`` in ``pyproject.toml``. Nothing here reads configuration: the study
configuration and output folders are resolved by the resources at run time
(``STUDY_CONFIG``, ``JH_OUTPUT_ROOT``).
"""

from __future__ import annotations

import warnings

import dagster as dg

from pipelines import checks, jobs, sensors
from pipelines.assets import analysis, codebook, ingest, partners, publishing, scoring
from pipelines.io_managers import ParquetIOManager
from pipelines.resources import ProjectPaths, StudyResource

warnings.filterwarnings("ignore", category=dg.PreviewWarning)
warnings.filterwarnings("ignore", category=dg.BetaWarning)

ASSETS = [
    *dg.load_assets_from_modules([ingest], group_name=None),
    *dg.load_assets_from_modules([scoring]),
    *dg.load_assets_from_modules([analysis]),
    *dg.load_assets_from_modules([publishing]),
    *dg.load_assets_from_modules([codebook]),
    *dg.load_assets_from_modules([partners]),      # the partner surveys (own groups per asset)
]
ASSETS = sensors.with_cross_wave_automation(ASSETS)  # cross-wave assets follow the wave runs (eager)
ASSET_CHECKS = [*checks.WAVE_CHECKS, *checks.CROSS_WAVE_CHECKS,
                *getattr(analysis, "CHECKS", []), *getattr(publishing, "CHECKS", []), *partners.CHECKS]


def build_resources(config_path: str | None = None, output_root: str | None = None) -> dict:
    """Resources for a run; ``None`` means resolve from the environment at run time."""
    paths = ProjectPaths(root=output_root)
    return {
        "study_config": StudyResource(config_path=config_path),
        "paths": paths,
        "io_manager": ParquetIOManager(paths=paths, stage="processed"),
        "interim_io_manager": ParquetIOManager(paths=paths, stage="interim"),
    }


defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=ASSET_CHECKS,
    resources=build_resources(),
    jobs=jobs.stage_jobs(ASSETS),
    sensors=sensors.SENSORS,
)
# the report's provenance picture reads the asset graph (set here: publishing cannot import
# this module, which imports it)
publishing.LINEAGE_GRAPH_SOURCE = defs.resolve_asset_graph
