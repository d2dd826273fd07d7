"""The bad-input corpus: every malformed wave file or configuration is rejected by the
pipeline itself with a message naming the file, the variable and the rows (or counts), and
nothing beyond the ingest layer of the bad wave is materialised.

Each case damages a private copy of the small example study. Most cases run the bad wave's
partition through the real asset graph (``dg.materialize`` of every per-wave asset and
check, as ``python -m pipelines run`` does per wave, on an in-memory instance), so the
assertions are on the same step failures and blocking-check results the CLI reports;
configuration cases go through ``runner.run`` itself (they stop before Dagster starts).
A handful of cases run the whole pipeline end to end (``test_full_run_*``).

Decisions (see docs/operations.md, "Bad input"):

* a CSV with a UTF-8 byte-order mark is read correctly (the mark is dropped and noted);
  a UTF-16 file is rejected;
* a CSV that is not UTF-8 is rejected with the rows it breaks in and a hint when it looks
  like Windows-1252; ``encoding: cp1252`` on the wave reads it; a semicolon-separated file
  is read (the delimiter is detected) unless the wave declares another delimiter;
* a follow-up wave that shares no participant with the wave it is compared with, IDs in a
  format no other wave uses and two waves with the same file are errors, not warnings.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from survey import ingest
from tools.example_study import rewrite_sav

pytestmark = pytest.mark.slow

FILES = {"T0": "jh_T0_hosten2023.sav", "T1": "jh_T1_dec2024.sav", "T2": "jh_T2_dec2025.sav"}
INGEST_ASSETS = {"raw_wave", "raw_codebook", "harmonised_wave", "wave_codebook", "item_missingness"}
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


# -- a study copy that a case damages -------------------------------------------------------


class Study:
    """A private copy of the small study: its configuration as a dict and its wave files."""

    def __init__(self, root: Path):
        self.root = root
        self.cfg = yaml.safe_load((root / "study.yaml").read_text(encoding="utf-8"))
        self.expected: list[str] = []   # fragments a damage function computes from the data
        self.secrets: list[str] = []    # values that must never appear in a message

    def save(self) -> None:
        (self.root / "study.yaml").write_text(yaml.safe_dump(self.cfg, allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")

    def wave(self, wid: str) -> dict:
        return next(w for w in self.cfg["waves"] if w["id"] == wid)

    def path(self, wid: str) -> Path:
        return self.root / self.wave(wid)["file"]

    def read(self, wid: str):
        return pyreadstat.read_sav(str(self.path(wid)), user_missing=True)

    def write(self, wid: str, df: pd.DataFrame, labels=None, value_labels=None, missing=None,
              path: Path | None = None) -> None:
        """Write ``df`` (read from wave ``wid``) to the wave's file, or to ``path``, with the
        file's labels, missing ranges and measurement levels and these overrides
        (:func:`tools.example_study.rewrite_sav`)."""
        rewrite_sav(self.path(wid), lambda _: df, column_labels=labels, value_labels=value_labels, missing=missing,
                    to=path)

    def edit(self, wid: str, change: Callable[[pd.DataFrame], None], labels=None, value_labels=None, missing=None,
             path: Path | None = None) -> None:
        rewrite_sav(self.path(wid), change, column_labels=labels, value_labels=value_labels, missing=missing,
                    to=path)

    def add_column(self, wid: str, name: str, values, label: str | None = None) -> None:
        self.edit(wid, lambda df: df.__setitem__(name, values), labels={name: label} if label else None)

    def csv_frame(self, wid: str) -> pd.DataFrame:
        """The wave as a spreadsheet export has it: covariates as their Swedish labels."""
        df, meta = self.read(wid)
        for var in self.wave(wid)["covariates"]:
            df[var] = df[var].map(meta.variable_value_labels.get(var, {}))
        return df

    def put_csv(self, wid: str, data: bytes, name: str | None = None) -> Path:
        path = self.root / "waves" / (name or Path(self.wave(wid)["file"]).stem + ".csv")
        path.write_bytes(data)
        self.wave(wid)["file"] = f"waves/{path.name}"
        return path


def pnr(i: int, century: str = "") -> str:
    """A valid (Luhn) personal identity number with separator, deterministic in ``i``."""
    yymmdd = f"{50 + i % 40:02d}{1 + i % 12:02d}{1 + i % 28:02d}"
    nine = yymmdd + f"{(37 * i) % 1000:03d}"
    for c in range(10):
        if ingest.luhn_valid(nine + str(c)):
            return f"{century}{yymmdd}-{nine[6:]}{c}"
    raise AssertionError


def fresh_ids(n: int, prefix: str = "JH-Z") -> list[str]:
    return [f"{prefix}{i:05d}" for i in range(n)]


# -- the cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    damage: Callable[[Study], None]
    expect: tuple[str, ...]
    wave: str | None      # the partition that must fail; None: the configuration is rejected
    where: str            # failing step ("raw_wave", "harmonised_wave"), blocking check name, or "config"
    file: str | None = None  # the file the message must name (default: the wave's configured file)


def _corrupt(s: Study):
    raw = s.path("T0").read_bytes()
    s.path("T0").write_bytes(raw[:600] + bytes(np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8)))


def _truncated(s: Study):
    raw = s.path("T0").read_bytes()
    s.path("T0").write_bytes(raw[: len(raw) // 2])


def _garbage(s: Study):
    s.path("T0").write_bytes(bytes(np.random.default_rng(2).integers(128, 256, 4000, dtype=np.uint8)))


def _zero_rows(s: Study):
    df, _ = s.read("T0")
    s.write("T0", df.iloc[:0])


def _xlsx(s: Study):
    """An Excel workbook saved under a .csv name (issue 16: it used to print 650 characters
    of binary); .xlsx itself is a supported format since then."""
    workbook = Path(__file__).parents[1] / "unit" / "data" / "formats" / "wave.xlsx"
    s.put_csv("T0", workbook.read_bytes())


def _csv_named_sav(s: Study):
    text = s.csv_frame("T0").to_csv(index=False)
    s.path("T0").write_text(text, encoding="utf-8")


def _sav_named_csv(s: Study):
    s.put_csv("T0", s.path("T0").read_bytes())


def _semicolon(s: Study):
    """A semicolon-separated file whose wave declares the comma (a detected semicolon is read)."""
    s.put_csv("T0", s.csv_frame("T0").to_csv(index=False, sep=";", decimal=",").encode("utf-8"))
    s.wave("T0")["delimiter"] = ","


def _cp1252(s: Study):
    df = s.csv_frame("T0")
    s.put_csv("T0", df.to_csv(index=False).encode("cp1252"))
    text_cols = list(s.wave("T0")["covariates"])
    bad = df[text_cols].apply(lambda c: c.fillna("").map(lambda v: any(ord(ch) > 127 for ch in v))).any(axis=1)
    rows = tuple(int(i) + 1 for i in np.flatnonzero(bad.to_numpy()))
    s.expected.append(f"not valid UTF-8 text in {len(rows)} data row(s) (rows {ingest._rows_text(rows, len(rows))})")


def _utf16(s: Study):
    s.put_csv("T0", s.csv_frame("T0").to_csv(index=False).encode("utf-16"))


def _ragged(s: Study):
    lines = s.csv_frame("T0").to_csv(index=False).splitlines()
    lines[5] += ",extra"
    s.put_csv("T0", ("\n".join(lines) + "\n").encode("utf-8"))


def _duplicate_header(s: Study):
    df = s.csv_frame("T0")
    text = df.to_csv(index=False).replace(",f13_2,", ",f13_1,", 1)
    s.put_csv("T0", text.encode("utf-8"))


def _blank_header(s: Study):
    df = s.csv_frame("T0")
    i = list(df.columns).index("tolkstod")
    s.put_csv("T0", df.rename(columns={"tolkstod": ""}).to_csv(index=False).encode("utf-8"))
    s.expected.append(f"(column(s) {i + 1})")


def _header_only(s: Study):
    s.put_csv("T0", s.csv_frame("T0").iloc[:0].to_csv(index=False).encode("utf-8"))


def _missing_file(s: Study):
    s.path("T0").unlink()


def _pnr_text(s: Study):
    values = [pnr(i) for i in range(70)]
    s.secrets += values
    s.add_column("T0", "v99", values)


def _pnr_numeric(s: Study):
    values = [float(pnr(i, century="19").replace("-", "")) for i in range(70)]
    s.secrets += [str(int(v)) for v in values]
    s.add_column("T0", "bakgrund", values)


def _email(s: Study):
    values = [f"deltagare{i}@example.se" if i % 7 == 0 else "" for i in range(70)]
    s.secrets += [v for v in values if v]
    s.add_column("T0", "kontakt", values)


def _phone(s: Study):
    values = [f"070-{100 + i:03d} {i % 90 + 10:02d} {i % 80 + 10:02d}" if i < 10 else "" for i in range(70)]
    s.secrets += [v for v in values if v]
    s.add_column("T0", "v98", values)


def _name_field(s: Study):
    values = ["Anna", "Ali", "Fatima", "Erik", "Sara"] * 14
    s.add_column("T0", "fornamn", values)


def _address_label(s: Study):
    values = [f"Lindängsvägen {i}" for i in range(70)]
    s.secrets += values
    s.add_column("T0", "bg_7", values, label="Gatuadress")
    s.secrets.append("Gatuadress")       # a label's text is never quoted (issue 15)


def _pnr_as_study_code(s: Study):
    values = [pnr(i) for i in range(70)]
    s.secrets += values
    s.edit("T0", lambda df: df.__setitem__("lopnr_kod", values))


def _rename_key(d: dict, old: str, new: str) -> dict:
    return {(new if k == old else k): v for k, v in d.items()}


def _mapped_absent(s: Study):
    s.wave("T0")["mapping"] = _rename_key(s.wave("T0")["mapping"], "f12_3", "f12_33")


def _id_variable_absent(s: Study):
    s.wave("T0")["id_variable"] = "lopnr_kd"


def _covariate_absent(s: Study):
    s.wave("T0")["covariates"] = _rename_key(s.wave("T0")["covariates"], "f5", "f5_sprak")


def _text_in_item(s: Study):
    def change(df):
        col = df["f13_1"].map(lambda v: "" if pd.isna(v) else str(int(v)))
        col.iloc[[2, 6]] = ["fyra", "vet inte riktigt"]
        df["f13_1"] = col
    s.edit("T0", change, value_labels={"f13_1": None}, missing={"f13_1": []})


def _duplicate_ids(s: Study):
    s.edit("T0", lambda df: df.__setitem__("lopnr_kod", df["lopnr_kod"].where(df.index != 1, df.loc[0, "lopnr_kod"])))


def _missing_ids(s: Study):
    s.edit("T0", lambda df: df.__setitem__("lopnr_kod", df["lopnr_kod"].where(~df.index.isin([3, 8]), "")))


def _ids_lower_case(s: Study):
    s.edit("T1", lambda df: df.__setitem__("studiekod", df["studiekod"].str.lower()))


def _ids_other_prefix(s: Study):
    s.cfg["study"]["id_pattern"] = "^[A-Z]{2}-[0-9A-Z]{6}$"   # a loose pattern lets the other prefix through
    s.edit("T1", lambda df: df.__setitem__("studiekod", df["studiekod"].str.replace("JH-", "MU-", regex=False)))


def _no_overlap(s: Study):
    def change(df):
        df["studiekod"] = fresh_ids(len(df))
    s.edit("T1", change)


def _same_content(s: Study):
    t1, t2 = s.wave("T1"), s.wave("T2")
    shutil.copyfile(s.path("T1"), s.root / "waves" / "jh_T2_kopia.sav")
    for key in ("id_variable", "mapping", "covariates", "missing_codes", "instruments"):
        t2[key] = copy.deepcopy(t1[key])   # (the same object twice would be dumped as a YAML alias)
    t2["file"] = "waves/jh_T2_kopia.sav"


def _codes_out_of_range(s: Study):
    s.edit("T1", lambda df: df.__setitem__("vb_1", df["vb_1"].where(~df.index.isin([0, 1, 2]), 7.0)))


def _undeclared_missing_out_of_range(s: Study):
    df, _ = s.read("T1")
    df["wq_01"] = df["wq_01"].where(~df.index.isin([1, 4]), 8.0)
    s.write("T1", df)
    s.wave("T1")["missing_codes"]["default"] = {9: "no_answer"}
    rows = tuple(int(i) + 1 for i in np.flatnonzero((df["wq_01"] == 8.0).to_numpy()))
    s.expected.append(f"variable 'wq_01 -> whoqol_bref_01': {len(rows)} value(s) outside the instrument's codes "
                      f"(codes the SPSS file declares user-missing); expected 1–5; rows "
                      f"{ingest._rows_text(rows, len(rows))} (the SPSS file declares 8 as user-missing, but "
                      "missing_codes does not: declare it under missing_codes)")
    s.secrets.append("Vet ej")          # a label's text is never quoted (issue 15)


def _undeclared_missing_in_range(s: Study):
    df, meta = s.read("T0")
    df["f11"] = df["f11"].where(~df.index.isin([1, 3, 5]), 99.0)
    labels = {**meta.variable_value_labels["f11"], 99.0: "Ej svar (gammal kod)"}
    s.write("T0", df, value_labels={"f11": labels},
            missing={"f11": [*meta.missing_ranges["f11"], {"lo": 99.0, "hi": 99.0}]})
    mask = df["f11"] == 99.0
    rows = tuple(int(i) + 1 for i in np.flatnonzero(mask.to_numpy()))
    s.expected += [f"{len(rows)} value(s) hold code 99, which the SPSS file declares user-missing "
                   "but missing_codes does not, so they would be scored as answers, "
                   "in 1 variable(s): f11", f"rows {ingest._rows_text(rows, len(rows))}"]
    s.secrets.append("gammal kod")      # a label's text is never quoted (issue 15)


def _unmapped_item(s: Study):
    del s.wave("T0")["mapping"]["f9_26"]


def _instrument_all_missing(s: Study):
    def change(df):
        for i in range(1, 11):
            df[f"se_{i:02d}"] = np.nan
    s.edit("T1", change)


def _value_labels_contradict(s: Study):
    relabelled = {0.0: "Stämmer inte alls", 1.0: "Stämmer knappast", 2.0: "Stämmer ganska bra", 3.0: "Stämmer helt",
                  8.0: "Vet ej", 9.0: "Ej svar"}
    s.edit("T0", lambda df: None, value_labels={f"f14_{i}": relabelled for i in range(1, 11)})


def _no_date(s: Study):
    del s.wave("T1")["date"]


def _bad_date(s: Study):
    s.wave("T1")["date"] = "2024-13-10"


def _same_file(s: Study):
    s.wave("T2")["file"] = s.wave("T1")["file"]


def _instrument_typo_mapped(s: Study):
    s.wave("T1")["instruments"] = ["gsee" if i == "gse" else i for i in s.wave("T1")["instruments"]]


def _instrument_typo_unmapped(s: Study):
    s.wave("T2")["instruments"] = [*s.wave("T2")["instruments"], "hls_eu_q66"]


def _key_typo(s: Study):
    s.cfg["analysis"]["p_adjsut"] = s.cfg["analysis"].pop("p_adjust")


def _unknown_wave(s: Study):
    s.cfg["analysis"]["comparisons"] = [["T0", "T1"], ["T0", "T3"]]


def _exemption_without_reason(s: Study):
    s.wave("T0")["identifier_exemptions"] = {"tolkstod": "ok"}


CASES = [
    # -- the file itself (raw_wave fails; nothing is stored) --
    Case("corrupt_sav", _corrupt, ("cannot be read as an SPSS .sav file, it is damaged or truncated",), "T0", "raw_wave"),
    Case("truncated_sav", _truncated, ("cannot be read as an SPSS .sav file, it is damaged or truncated",), "T0",
         "raw_wave"),
    Case("sav_without_signature", _garbage, ("not an SPSS .sav file (it does not start with the SPSS signature $FL2); "
                                             "it looks like a binary file of unknown type",), "T0", "raw_wave"),
    Case("empty_file", lambda s: s.path("T0").write_bytes(b""), ("the file is empty (0 bytes)",), "T0", "raw_wave"),
    Case("sav_zero_rows", _zero_rows, ("the file has no data rows (0 rows, 82 variable(s))",), "T0", "raw_wave"),
    Case("wrong_extension_xlsx", _xlsx, ("jh_T0_hosten2023.csv: file looks like an Excel workbook (zip signature) "
                                         "although it is named .csv; rename it to .xlsx",), "T0", "raw_wave",
         file="jh_T0_hosten2023.csv"),
    Case("csv_named_sav", _csv_named_sav, ("not an SPSS .sav file", "it looks like a text file (CSV?)"), "T0",
         "raw_wave"),
    Case("sav_named_csv", _sav_named_csv, ("this is an SPSS .sav file named .csv; rename it to .sav",), "T0",
         "raw_wave", file="jh_T0_hosten2023.csv"),
    Case("csv_semicolon_delimiter", _semicolon, ("the header line is separated by semicolons (81 ';', 0 commas as "
                                                 "declared); set `delimiter: ';'` for this wave",), "T0", "raw_wave",
         file="jh_T0_hosten2023.csv"),
    Case("csv_cp1252", _cp1252, ("first in variable 'f", "it looks like Windows-1252 (cp1252) text",
                                 "set `encoding: cp1252`"), "T0", "raw_wave", file="jh_T0_hosten2023.csv"),
    Case("csv_utf16_bom", _utf16, ("the file is UTF-16 text (it starts with a UTF-16 byte-order mark)",), "T0",
         "raw_wave", file="jh_T0_hosten2023.csv"),
    Case("csv_ragged_row", _ragged, ("line 6 (data row 5) has 83 fields, the header has 82",), "T0", "raw_wave",
         file="jh_T0_hosten2023.csv"),
    Case("csv_duplicate_column", _duplicate_header, ("the header names 1 variable(s) more than once: 'f13_1' (2 times)",),
         "T0", "raw_wave", file="jh_T0_hosten2023.csv"),
    Case("csv_blank_column_name", _blank_header, ("1 column(s) of the header have no name",), "T0", "raw_wave",
         file="jh_T0_hosten2023.csv"),
    Case("csv_header_only", _header_only, ("the file has no data rows (0 rows, 82 variable(s))",), "T0", "raw_wave",
         file="jh_T0_hosten2023.csv"),
    Case("missing_file", _missing_file, ("does not exist",), "T0", "raw_wave"),
    # -- direct identifiers (raw_wave refuses to store the file) --
    Case("personal_numbers_as_text", _pnr_text, (
        "1 variable(s) look like direct identifiers, so the file was not stored: 'v99'",
        "variable 'v99': 70 value(s) look like Swedish personal identity numbers (valid date and check digit); "
        "rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 60 more"), "T0", "raw_wave"),
    Case("personal_numbers_as_numbers", _pnr_numeric, (
        "variable 'bakgrund': 70 value(s) look like Swedish personal identity numbers",), "T0", "raw_wave"),
    Case("email_addresses", _email, ("variable 'kontakt': 10 value(s) look like e-mail addresses; rows 1, 8, 15",),
         "T0", "raw_wave"),
    Case("phone_numbers", _phone, ("variable 'v98': 10 value(s) look like phone numbers; rows 1, 2, 3",), "T0",
         "raw_wave"),
    Case("name_field", _name_field, ("variable 'fornamn': the variable name suggests a name",), "T0", "raw_wave"),
    Case("address_by_label", _address_label, ("variable 'bg_7': the variable label suggests a postal address",),
         "T0", "raw_wave"),
    Case("personal_numbers_as_study_code", _pnr_as_study_code, (
        "variable 'lopnr_kod': 70 value(s) look like Swedish personal identity numbers",), "T0", "raw_wave"),
    # -- the mapping does not fit the file (harmonised_wave fails) --
    Case("mapped_variable_absent", _mapped_absent, ("1 configured variable(s) not in the file",
                                                    "'f12_33' (mapped to 'hls_eu_q16_03') (did you mean 'f12_3'?)"),
         "T0", "harmonised_wave"),
    Case("id_variable_absent", _id_variable_absent, ("'lopnr_kd' (ID variable) (did you mean 'lopnr_kod'?)",), "T0",
         "harmonised_wave"),
    Case("covariate_absent", _covariate_absent, ("'f5_sprak' (covariate 'language')",), "T0", "harmonised_wave"),
    Case("text_in_numeric_item", _text_in_item, ("1 mapped item variable(s) hold text where a numeric answer code is "
                                                 "expected", "'f13_1' (who5_01): 2 value(s) are text, not a code; "
                                                 "rows 3, 7"), "T0", "harmonised_wave"),
    # -- blocking checks on the harmonised wave --
    Case("duplicate_ids", _duplicate_ids, ("variable 'participant_id': 1 participant ID(s) occur more than once "
                                           "(2 rows); expected one row per participant; rows 1, 2",), "T0",
         "unique_participant_ids"),
    Case("missing_ids", _missing_ids, ("variable 'participant_id': 2 row(s) without a participant ID; rows 4, 9",),
         "T0", "unique_participant_ids"),
    Case("ids_not_matching_pattern", _ids_lower_case, (
        "variable 'participant_id': 53 participant ID(s) do not match the pseudonym pattern (53 would match in "
        "upper case); expected pattern ^JH-[0-9A-Z]{6}$; rows 1, 2, 3",), "T1", "participant_id_format"),
    Case("id_format_differs_between_waves", _ids_other_prefix, (
        "participant ID(s) are written in a format no other wave uses; expected IDs shaped like 'JH-XXXXXX' "
        "(waves T0, T2), found 'MU-XXXXXX'",), "T1", "linked_to_other_waves"),
    Case("follow_up_without_overlap", _no_overlap, (
        "none of the wave's 53 participant IDs occurs in wave T0 (jh_T0_hosten2023.sav, 70 IDs), which "
        "analysis.comparisons pairs it with",), "T1", "linked_to_other_waves"),
    Case("same_file_content_twice", _same_content, ("the file is byte-identical to wave T1's file (jh_T1_dec2024.sav)",),
         "T2", "linked_to_other_waves", file="jh_T2_kopia.sav"),
    Case("codes_out_of_range", _codes_out_of_range, ("variable 'vb_1 -> who5_01': 3 value(s) outside the "
                                                     "instrument's codes (above 5); expected 0–5; rows 1, 2, 3",),
         "T1", "allowed_codes"),
    Case("undeclared_missing_code_out_of_range", _undeclared_missing_out_of_range, (), "T1", "allowed_codes"),
    Case("undeclared_missing_code_scored_as_answer", _undeclared_missing_in_range, (), "T0",
         "codebook_matches_config"),
    Case("unmapped_variable_matching_an_item", _unmapped_item, (
        "variable 'whoqol_bref_26': 1 of 26 item(s) of instrument whoqol_bref not mapped",
        "map 'f9_26' to whoqol_bref_26"), "T0", "required_variables"),
    Case("instrument_with_every_item_missing", _instrument_all_missing, (
        "variable 'se_01, se_02, se_03, se_04, se_05, se_06 …': instrument gse has no answer at all: its 10 item(s) "
        "are missing in all 53 row(s)",), "T1", "instruments_answered"),
    Case("value_labels_contradict_config", _value_labels_contradict, (
        "value labels do not match gse's answer codes for 10 variable(s): f14_1 -> gse_01",
        "expected 1–4, found labelled codes {0, 1, 2, 3}"), "T0", "codebook_matches_config"),
    # -- the configuration (rejected before anything runs) --
    Case("wave_without_date", _no_date, ("waves.1.date: Field required",), None, "config"),
    Case("wave_with_impossible_date", _bad_date, ("waves.1.date: Input should be a valid date",), None, "config"),
    Case("two_waves_same_file", _same_file, ("waves T1 and T2 all read the file 'jh_T1_dec2024.sav'; every wave "
                                             "needs its own file",), None, "config"),
    Case("instrument_id_typo", _instrument_typo_mapped, ("wave T1: items of 'gse' are mapped but 'gse' is not in its "
                                                         "instruments list (is 'gsee' a typo of 'gse'?)",), None,
         "config"),
    Case("unknown_instrument_id", _instrument_typo_unmapped, ("waves[2] (T2).instruments[7]: unknown instrument "
                                                              "'hls_eu_q66' (did you mean 'hls_eu_q6'?)",), None,
         "config"),
    Case("config_key_typo", _key_typo, ("analysis.p_adjsut: unknown key (did you mean 'p_adjust'?)",), None, "config"),
    Case("comparison_with_unknown_wave", _unknown_wave, ("analysis.comparisons[1]: unknown wave 'T3'",), None,
         "config"),
    Case("identifier_exemption_without_reason", _exemption_without_reason, (
        "waves.0.identifier_exemptions: give a reason (at least 10 characters) why ['tolkstod']",), None, "config"),
]


# -- running one wave through the asset graph -------------------------------------------------


@dataclass
class Outcome:
    report: object          # pipelines.runner.RunReport
    logs: list[str]

    @property
    def text(self) -> str:
        return "\n".join([*(f"{c}: {d}" for c, d in self.report.failed_checks), *self.report.errors])


def run_wave(env, wave: str) -> Outcome:
    """Materialise every per-wave asset and check of one wave partition, as the runner does
    for each wave, on an in-memory instance."""
    from pipelines import runner
    from pipelines.definitions import ASSET_CHECKS, ASSETS, build_resources
    from pipelines.sensors import WAVE_ASSET_KEYS
    from studyconfig.config import load_config

    config = load_config(env.config)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("wave", config.wave_ids)
    result = dg.materialize([*ASSETS, *ASSET_CHECKS], selection=list(WAVE_ASSET_KEYS), partition_key=wave,
                            instance=instance, resources=build_resources(str(env.config), str(env.out)),
                            raise_on_error=False, run_config=QUIET)
    report = runner.RunReport(plan=runner.Plan(), success=result.success, materialised=[], failed_checks=[],
                              errors=[])
    runner._job_result_summary(result, report)
    logs = [e.user_message for e in instance.all_logs(result.run_id) if e.user_message]
    return Outcome(report, logs)


@pytest.fixture(scope="module")
def all_ids(small_study_template) -> list[str]:
    """Every participant ID of the small study (none may appear in a message)."""
    ids = []
    for file in FILES.values():
        df, _ = pyreadstat.read_sav(str(small_study_template / "waves" / file))
        ids += [v for v in df.iloc[:, 0].astype(str)]
    assert all(re.fullmatch(r"JH-[0-9A-Z]{6}", i) for i in ids)
    return ids


def _interim_files(out: Path) -> list[Path]:
    base = out / "data" / "interim"
    return sorted(base.rglob("*.parquet")) if base.exists() else []


def _nothing_beyond_ingest(out: Path, wave: str) -> None:
    assert not (out / "data" / "processed").exists() or not list((out / "data" / "processed").rglob("*.parquet"))
    assert not (out / "reports").exists() or not list((out / "reports").rglob("report*"))
    stored = {p.parent.name for p in _interim_files(out) if p.stem == wave}
    assert stored <= INGEST_ASSETS, stored


def _check_message(case: Case, s: Study, text: str, all_ids: list[str]) -> None:
    for fragment in (*case.expect, *s.expected):
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    leaked = [v for v in [*all_ids, *s.secrets] if v and v in text]
    assert not leaked, f"values in the message: {leaked[:3]}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_rejected(case: Case, pipeline_env, all_ids):
    from studyconfig.config import ConfigError

    s = Study(pipeline_env.study_dir)
    file = case.file or (Path(s.wave(case.wave)["file"]).name if case.wave else "study.yaml")
    case.damage(s)
    s.save()
    if case.wave is None:
        with pytest.raises(ConfigError) as e:
            pipeline_env.run()
        text = str(e.value)
        assert "study.yaml" in text
        assert not (pipeline_env.out / "data").exists()     # rejected before anything was written
        _nothing_beyond_ingest(pipeline_env.out, "")
        _check_message(case, s, text, all_ids)
        return
    outcome = run_wave(pipeline_env, case.wave)
    report = outcome.report
    assert not report.success
    text = outcome.text
    if case.where in ("raw_wave", "harmonised_wave"):
        assert [e for e in report.errors if e.startswith(f"{case.where}:")], text
    else:
        failed = [c for c, _ in report.failed_checks if c not in report.warned_checks]
        assert f"harmonised_wave:{case.where}[{case.wave}]" in failed, text
    assert file in text
    materialised = {m.split("[")[0] for m in report.materialised}
    assert materialised <= INGEST_ASSETS, materialised
    if case.where == "raw_wave":                       # nothing of a rejected file is stored
        assert not materialised and not _interim_files(pipeline_env.out)
    _nothing_beyond_ingest(pipeline_env.out, case.wave)
    _check_message(case, s, text, all_ids)
    assert not [m for m in outcome.logs if any(v in m for v in s.secrets)]


# -- inputs that look odd but are fine ----------------------------------------------------------


def test_csv_with_utf8_byte_order_mark_is_read_correctly(pipeline_env):
    s = Study(pipeline_env.study_dir)
    s.put_csv("T0", b"\xef\xbb\xbf" + s.csv_frame("T0").to_csv(index=False).encode("utf-8"))
    s.save()
    outcome = run_wave(pipeline_env, "T0")
    assert outcome.report.success, outcome.text
    assert any("UTF-8 byte-order mark at the start of the file removed" in m for m in outcome.logs)
    raw = pd.read_parquet(pipeline_env.out / "data" / "interim" / "raw_wave" / "T0.parquet")
    assert raw.columns[0] == "lopnr_kod"               # not '\ufefflopnr_kod'


def test_cp1252_csv_is_read_when_the_wave_declares_it(pipeline_env):
    s = Study(pipeline_env.study_dir)
    s.put_csv("T0", s.csv_frame("T0").to_csv(index=False).encode("cp1252"))
    s.wave("T0")["encoding"] = "cp1252"
    s.save()
    outcome = run_wave(pipeline_env, "T0")
    assert outcome.report.success, outcome.text
    h = pd.read_parquet(pipeline_env.out / "data" / "interim" / "harmonised_wave" / "T0.parquet")
    assert {"Föräldragrupp", "Munhälsa och kost"} & set(h["workshop"].dropna())


def test_exempted_column_passes_and_its_reason_is_logged(pipeline_env):
    s = Study(pipeline_env.study_dir)
    s.add_column("T0", "verkstad_namn", ["Munhälsa och kost", "Kvinnors hälsa"] * 35)
    s.save()
    blocked = run_wave(pipeline_env, "T0")
    assert "variable 'verkstad_namn': the variable name suggests a name" in blocked.text
    shutil.rmtree(pipeline_env.out, ignore_errors=True)
    s.wave("T0")["identifier_exemptions"] = {"verkstad_namn": "names of the health workshops, not of people"}
    s.save()
    outcome = run_wave(pipeline_env, "T0")
    assert outcome.report.success, outcome.text
    notes = [m for m in outcome.logs if "identifier guard" in m]
    assert notes and ("exempted from the identifier guard, reason: 'names of the health workshops, not of people'"
                      in notes[0])
    assert "variable 'verkstad_namn'" in notes[0] and "Munhälsa" not in " ".join(outcome.logs)


# -- a handful of cases end to end, through `python -m pipelines run`'s runner ----------------


def _full(case_id: str, pipeline_env):
    case = next(c for c in CASES if c.id == case_id)
    s = Study(pipeline_env.study_dir)
    case.damage(s)
    s.save()
    return case, s, pipeline_env.run()


@pytest.mark.parametrize("case_id", ["corrupt_sav", "personal_numbers_as_text", "duplicate_ids",
                                     "follow_up_without_overlap"])
def test_full_run_stops_at_the_bad_wave(case_id, pipeline_env, all_ids):
    case, s, report = _full(case_id, pipeline_env)
    assert not report.success
    text = "\n".join([*report.errors, *(f"{c}: {d}" for c, d in report.failed_checks), *report.lines])
    _check_message(case, s, text, all_ids)
    bad = [m for m in report.materialised if m.endswith(f"[{case.wave}]")]
    assert {m.split("[")[0] for m in bad} <= INGEST_ASSETS
    assert not [m for m in report.materialised if "[" not in m]          # no cross-wave asset
    _nothing_beyond_ingest(pipeline_env.out, case.wave)
    if case.where == "raw_wave":
        assert not (pipeline_env.out / "data" / "interim" / "raw_wave" / f"{case.wave}.parquet").exists()


def test_full_run_reports_every_bad_wave_at_once(pipeline_env, all_ids):
    """The wave partitions run side by side: one bad wave does not hide another's problem,
    a good wave is still materialised, and nothing across waves is."""
    cases = [next(c for c in CASES if c.id == i) for i in ("corrupt_sav", "codes_out_of_range")]
    s = Study(pipeline_env.study_dir)
    for case in cases:
        case.damage(s)
    s.save()
    report = pipeline_env.run()
    assert not report.success
    text = "\n".join([*report.errors, *(f"{c}: {d}" for c, d in report.failed_checks), *report.lines])
    for case in cases:
        _check_message(case, s, text, all_ids)
    from pipelines.sensors import WAVE_ASSET_KEYS

    good = {m.split("[")[0] for m in report.materialised if m.endswith("[T2]")}
    assert good == {k.to_user_string() for k in WAVE_ASSET_KEYS}      # the good wave, in full
    assert not [m for m in report.materialised if "[" not in m]          # no cross-wave asset
    assert not (pipeline_env.out / "data" / "processed" / "panel.parquet").exists()


def test_full_run_rejects_a_bad_configuration_before_starting(pipeline_env, all_ids):
    from studyconfig.config import ConfigError

    with pytest.raises(ConfigError) as e:
        _full("instrument_id_typo", pipeline_env)
    assert "(is 'gsee' a typo of 'gse'?)" in str(e.value)
    assert not (pipeline_env.out / "data").exists()
    assert not list((pipeline_env.root / "dagster_home").glob("*.db"))  # no run was even recorded


def test_every_listed_kind_of_bad_input_is_covered():
    ids = {c.id for c in CASES}
    required = {"corrupt_sav", "empty_file", "sav_zero_rows", "wrong_extension_xlsx", "csv_semicolon_delimiter",
                "csv_cp1252", "csv_utf16_bom", "duplicate_ids", "missing_ids", "id_format_differs_between_waves",
                "codes_out_of_range", "text_in_numeric_item", "mapped_variable_absent",
                "unmapped_variable_matching_an_item", "wave_without_date", "two_waves_same_file",
                "follow_up_without_overlap", "instrument_with_every_item_missing", "value_labels_contradict_config",
                "undeclared_missing_code_out_of_range", "undeclared_missing_code_scored_as_answer",
                "instrument_id_typo"}
    assert required <= ids and len(ids) == len(CASES) >= 30
