"""Pure statistics for the Jämlik hälsa Lindängen pre/post evaluation.

Plain pandas/numpy/scipy/statsmodels; never imports Dagster. Every public function
returns tidy DataFrames in the one column vocabulary of :mod:`analysis.tidy`, with
floats unrounded. Modules:

- :mod:`analysis.prepost` — paired t / Wilcoxon tests and paired effect sizes
- :mod:`analysis.categorical` — McNemar, Stuart–Maxwell marginal homogeneity
- :mod:`analysis.models` — random-intercept LMM (REML, Satterthwaite df), wave means
- :mod:`analysis.multiplicity` — p-value adjustment as R's ``p.adjust``
- :mod:`analysis.proportions` — Wilson intervals
- :mod:`analysis.cohort` — linking waves, recurring-participant cohort, flow counts
- :mod:`analysis.descriptives` — Table 1 and attrition (SMD)
- :mod:`analysis.eq5d` — Paretian classification of health change, problem shares
- :mod:`analysis.responders` — shares improved/worsened by at least the MID
- :mod:`analysis.subgroups` — paired change per subgroup with small-cell suppression
- :mod:`analysis.dose_response` — change regressed on attendance
- :mod:`analysis.sensitivity` — multiple imputation, complete-case vs model vs MI
- :mod:`analysis.health_economics` — EQ-5D area under the curve (QALY-type)
- :mod:`analysis.reliability` — Cronbach's alpha
- :mod:`analysis.tidy` — the column vocabulary

The long panel every function takes has ``participant_id``, ``wave`` and one column
per variable, one row per participant and wave.
"""
