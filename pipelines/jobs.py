"""The pipeline's two stages as Dagster jobs: what the command line runs, and what the UI shows.

``wave_job``
    Ingest, harmonise, check, score and codebook one survey wave: every asset partitioned
    by :data:`pipelines.partitions.WAVES`, one partition per run.
``cross_wave_job``
    Everything without partitions: the inputs read once (configuration, attendance
    register, partner surveys), the panel of all waves, the analyses and the publications.

``python -m pipelines run`` (:mod:`pipelines.runner`) executes these two jobs through
Dagster's public ``JobDefinition.execute_in_process`` with the sub-selection of stale assets
(``asset_selection``): one run of ``wave_job`` per stale wave, then one run of
``cross_wave_job``. The runs therefore carry the stage's job name in the Dagster UI's run
list, beside the runs of the sensor and of declarative automation (see
:mod:`pipelines.sensors`), and the same jobs can be launched from the UI's launchpad.

Both jobs use the in-process executor: their steps are short (a second or two) and the
multiprocess executor would import the whole code location again in a new process for
each step; the parallel work (several waves, the report languages of a figure) is done
where it is independent, see :mod:`pipelines.parallel`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import dagster as dg

from pipelines.assets import codebook as codebook_assets
from pipelines.assets import ingest as ingest_assets
from pipelines.assets import scoring as scoring_assets
from pipelines.partitions import WAVES

WAVE_JOB, CROSS_WAVE_JOB = "wave_job", "cross_wave_job"


def wave_assets(modules: Iterable = (ingest_assets, scoring_assets, codebook_assets)) -> list[dg.AssetsDefinition]:
    """The asset definitions partitioned by wave (one run per wave materialises them).

    Parameters
    ----------
    modules
        Asset modules to scan; by default the ingest and scoring stages and the per-wave
        published codebook.

    Returns
    -------
    list of dagster.AssetsDefinition
        Every definition in ``modules`` whose partitions definition is :data:`WAVES`.
    """
    found = {id(obj): obj for mod in modules for obj in vars(mod).values()
             if isinstance(obj, dg.AssetsDefinition) and obj.partitions_def == WAVES}
    return list(found.values())


WAVE_ASSET_KEYS = sorted({k for a in wave_assets() for k in a.keys})
WAVE_ASSET_SELECTION = dg.AssetSelection.assets(*WAVE_ASSET_KEYS)

wave_job = dg.define_asset_job(
    WAVE_JOB, selection=WAVE_ASSET_SELECTION, executor_def=dg.in_process_executor,
    description="Ingest, harmonise, check, score and document one survey wave (one partition per run).",
)


def stage_jobs(assets: Sequence) -> list[dg.UnresolvedAssetJobDefinition]:
    """``wave_job`` and the ``cross_wave_job`` of ``assets`` (every asset without partitions).

    Parameters
    ----------
    assets
        The code location's asset definitions.

    Returns
    -------
    list
        The two stage jobs; together they select every asset once.

    Raises
    ------
    ValueError
        When a partitioned asset is not in ``wave_job`` (it would belong to no stage).
    """
    keys = {k for a in assets for k in a.keys}
    partitioned = {k for a in assets if a.partitions_def is not None for k in a.keys}
    stray = sorted(k.to_user_string() for k in partitioned - set(WAVE_ASSET_KEYS))
    if stray:
        raise ValueError(f"partitioned asset(s) outside the wave stage: {', '.join(stray)}; put them in a module "
                         "that pipelines.jobs.wave_assets scans, or give them a stage of their own")
    cross_wave_job = dg.define_asset_job(
        CROSS_WAVE_JOB, selection=dg.AssetSelection.assets(*sorted(keys - partitioned)),
        executor_def=dg.in_process_executor,
        description="The panel of all waves, the analyses and the publications, with the inputs read once "
                    "(configuration, attendance register, partner surveys).",
    )
    return [wave_job, cross_wave_job]
