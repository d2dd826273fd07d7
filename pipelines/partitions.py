"""Survey waves as dynamic partitions.

Waves are declared in the study configuration, which is read at run time, so the set of
waves cannot be fixed when the code location loads. The ``wave`` partitions are therefore
*dynamic*: :func:`sync_wave_partitions` makes the instance's partitions equal the
configured waves; the CLI calls it before every run and the new-wave sensor calls it when a
wave file appears.
"""

from __future__ import annotations

import dagster as dg

from studyconfig.config import StudyConfig

#: the name of the ``wave`` partitions (``WAVES.name``, typed ``str`` rather than ``str | None``)
WAVES_NAME = "wave"
WAVES = dg.DynamicPartitionsDefinition(name=WAVES_NAME)


def sync_wave_partitions(instance: dg.DagsterInstance, config: StudyConfig) -> tuple[list[str], list[str]]:
    """Add configured waves missing from the instance and remove waves no longer configured.

    Returns the (added, removed) partition keys.
    """
    existing = set(instance.get_dynamic_partitions(WAVES_NAME))
    wanted = config.wave_ids
    added = [w for w in wanted if w not in existing]
    removed = sorted(existing - set(wanted))
    if added:
        instance.add_dynamic_partitions(WAVES_NAME, added)
    for key in removed:
        instance.delete_dynamic_partition(WAVES_NAME, key)
    return added, removed
