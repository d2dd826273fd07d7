"""An SPSS file that has lost its user-missing declarations (pure, no Dagster).

R's ``haven::read_sav()`` (default ``user_na = FALSE``) turns the "Vet ej"/"Ej svar" codes
into blanks; written back with ``write_sav()`` the file has neither the codes nor their
declarations. Other tools do the same. The pipeline then sees system-missing answers where
the study's ``missing_codes`` expect don't-know and no-answer codes: the instruments'
don't-know rules cannot apply and the missing-data report counts skipped questions.
:func:`check_lost_declarations` says so, with counts only, instead of blaming study.yaml.
"""

from __future__ import annotations

import pandas as pd

from survey.ingest import Problem, user_missing_codes
from survey.readers import DECLARES_USER_MISSING, LOSES_USER_MISSING

CHECK = "user_missing_declarations"
KINDS = ("dont_know", "no_answer", "not_applicable", "invalid")


def check_lost_declarations(file: str, file_format: str, codebook: pd.DataFrame, mapping: dict[str, str],
                            missing_codes, missingness: pd.DataFrame) -> list[Problem]:
    """A file that could declare user-missing codes, declares none, while study.yaml does.

    Parameters
    ----------
    file, file_format
        File name and :attr:`survey.readers.WaveFile.file_format`; formats that cannot
        declare user-missing codes (CSV, Excel, Stata) are not judged; a portable .por file,
        whose codes are read as blanks, always is.
    codebook
        The file's codebook (its ``user_missing`` flags).
    mapping, missing_codes
        The wave's ``mapping`` and ``missing_codes``.
    missingness
        :attr:`survey.ingest.Harmonised.missingness` (per mapped variable: system-missing
        and per-kind counts).

    Returns
    -------
    list of Problem
        Nothing when the file declares any user-missing code or study.yaml declares none.
        Otherwise a ``warning`` when no declared code occurs in the data (the codes became
        blanks: how many answers are blank in the variables concerned), or a ``note`` when
        the codes are still there (study.yaml's codes are applied to them).

    Examples
    --------
    >>> cb = pd.DataFrame({"variable": ["q1"], "value": [1.0], "value_label": ["Aldrig"], "user_missing": [False]})
    >>> miss = pd.DataFrame({"variable": ["q1"], "n_system_missing": [7], "n_dont_know": [0], "n_no_answer": [0],
    ...                      "n_not_applicable": [0], "n_invalid": [0]})
    >>> from studyconfig.config import MissingCodes
    >>> [p.severity for p in check_lost_declarations("t1.sav", "spss", cb, {"q1": "who5_01"},
    ...                                               MissingCodes(default={8: "dont_know"}), miss)]
    ['warning']
    """
    portable = file_format in LOSES_USER_MISSING
    if not portable and (file_format not in DECLARES_USER_MISSING or user_missing_codes(codebook)):
        return []
    expected = [v for v in mapping if missing_codes.for_variable(v)]
    if not expected or missingness is None or not len(missingness):
        return []
    m = missingness[missingness["variable"].astype(str).isin(expected)]
    n_codes = int(sum(m[f"n_{k}"].sum() for k in KINDS if f"n_{k}" in m))
    n_blank = int(m["n_system_missing"].sum()) if "n_system_missing" in m else 0
    if n_codes:
        return [Problem(file, CHECK, f"the file declares no user-missing codes, but the {n_codes} value(s) holding "
                        f"the codes study.yaml declares in {len(expected)} variable(s) are treated as missing "
                        "as declared there", count=n_codes, severity="note")]
    if not n_blank:
        return []
    if portable:
        return [Problem(
            file, CHECK, f"an SPSS portable file: its user-missing codes are read as blanks, so the codes study.yaml "
            f"declares for {len(expected)} variable(s) cannot be told apart from skipped questions; {n_blank} "
            "answer(s) in these variables are blank and count as system-missing, not as don't know or no answer",
            count=n_blank, suggestion="ask for a .sav export of the wave", severity="warning")]
    return [Problem(
        file, CHECK, f"the file declares no user-missing codes and none of the codes study.yaml declares for "
        f"{len(expected)} variable(s) occurs in it: it appears to have lost its declarations (e.g. exported by R's "
        f"read_sav()/write_sav() or another tool that turns them into blanks); {n_blank} answer(s) in these "
        "variables are blank, so they count as system-missing, not as don't know or no answer",
        count=n_blank, expected="the don't-know/no-answer codes as values, declared user-missing",
        found=f"no declarations, {n_blank} blank answer(s)",
        suggestion="ask for the original SPSS export (or re-export with haven::read_sav(user_na = TRUE)); if the "
                   "blanks really are unanswered questions, nothing is lost", severity="warning")]
