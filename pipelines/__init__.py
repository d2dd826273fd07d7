"""Dagster orchestration of the Jämlik hälsa Lindängen evaluation.

Only this package knows about Dagster; it is a thin layer over the pure
:mod:`instruments` (scoring) and :mod:`analysis` (statistics) libraries.
"""
