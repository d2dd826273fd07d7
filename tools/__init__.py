"""Developer tools, not part of a pipeline run: the synthetic example-study generator
(``python -m tools.example_study``) and its partner-survey part. Only synthetic data."""
