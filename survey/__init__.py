"""Survey I/O: read, harmonise, check and link the survey waves (pure; no Dagster).

- :mod:`survey.readers`: SPSS (.sav, .zsav), CSV (Swedish Excel included), .xlsx and Stata
  files into one frame plus codebook;
- :mod:`survey.ingest`: harmonising a wave, the per-wave checks, the attendance register,
  cross-wave linkage;
- :mod:`survey.wavefiles`, :mod:`survey.partner_surveys`: reading the configured files;
- :mod:`survey.study`: glue between the configuration and the instrument library (scoring,
  the analysed panel);
- :mod:`survey.frames`: pandera schemas of the scored wave and the panel;
- :mod:`survey.validate`, :mod:`survey.new_wave`, :mod:`survey.missing_declarations`,
  :mod:`survey.categories`: what ``python -m pipelines validate`` and ``new-wave`` report;
- :mod:`survey.fsutil`: atomic writes and file hashes.

It builds on :mod:`studyconfig`, :mod:`privacy`, :mod:`instruments` and :mod:`analysis`, and is
used by :mod:`publishing` and by the Dagster layer :mod:`pipelines`.
"""
