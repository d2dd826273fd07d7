"""The study configuration: ``study.yaml`` as a validated pydantic model.

:mod:`studyconfig.config` holds the model (waves, instruments, attendance register, partner
surveys, analysis and publishing settings), :func:`~studyconfig.config.load_config` and the
environment overrides. Pure: it imports only :mod:`privacy` of the project (the file-name rule
of the identifier guard), never Dagster, the survey readers or the publishing code.
"""
