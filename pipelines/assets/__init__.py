"""Dagster assets, one module per stage: ingest, scoring, analysis, publishing."""
