"""Publishing: house-style figures, formatted tables and the yearly report.

Pure code (matplotlib, pandas, jinja2; no Dagster). The publishing assets in
:mod:`pipelines.assets.publishing` call it. Rounding happens here and only here.
"""
