"""Write the SAME small synthetic wave in every file format the pipeline reads (run once; the
outputs are committed, so the tests need neither R nor PSPP).

    .venv/bin/python tests/unit/data/formats/make_fixtures.py

Needs R with haven (``apt-get install r-base-core r-cran-haven``), GNU PSPP (``pspp``),
openpyxl and LibreOffice (``soffice``, for the .ods copy). The wave is T0 of
``python -m tools.example_study --participants 30 --seed 16`` (synthetic: no real
persons) plus a long free-text variable with Swedish letters (``kommentar``, up to 600
characters) and a number with decimals (``bmi``). Files:

wave.sav                    pyreadstat (the reference; labels, value labels, user-missing ranges)
wave_haven.sav              haven::read_sav(user_na = TRUE) then haven::write_sav
wave_haven_lost_missing.sav haven::read_sav() (default: user-missing codes become NA) then write_sav
wave_pspp.sav / .zsav       GNU PSPP SAVE /COMPRESSED and /ZCOMPRESSED
wave_pspp.por               GNU PSPP EXPORT (portable; 8-character upper-case names)
wave_haven.dta              haven::write_dta (from the user_na = TRUE read)
wave_pyreadstat.dta         pyreadstat.write_dta
wave_excel_cp1252.csv       Swedish Excel "CSV": Windows-1252, ';', decimal comma, CRLF, codes
wave_excel_utf8_bom.csv     Swedish Excel "CSV UTF-8": UTF-8 with BOM, ';', decimal comma, CRLF
wave.xlsx                   openpyxl, one sheet "Enkät" (codes, numbers as numbers, dates as dates)
wave.ods                    LibreOffice conversion of wave.xlsx
wave.yaml                   the wave's study.yaml entry (raw names of wave.sav) and value_labels
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml

HERE = Path(__file__).resolve().parent
SEED = 16
BUILT_IN = {"whoqol_bref", "eq5d5l", "hls_eu_q16", "who5", "gse", "srh"}
WORDS = ("Jag tycker om yoga på tisdagar och att träffa andra i hälsoverkstaden. ",
         "Svårt att hinna med när barnen är sjuka; bättre tider på kvällen vore bra. ",
         "Maten vi lagade tillsammans var god, särskilt grönsakssoppan med örter. ",
         "Ibland förstår jag inte alla ord, men hälsofrämjarna förklarar gärna igen. ")


def comments(n: int, rng: np.random.Generator) -> list[str]:
    out = []
    for i in range(n):
        k = int(rng.integers(0, 9))
        out.append("" if i % 4 == 3 else "".join(WORDS[(i + j) % len(WORDS)] for j in range(k)).strip())
    return out


def base_wave(tmp: Path):
    from tools.example_study import generate_study

    generate_study(tmp, participants=30, seed=SEED, truth_n=2000)
    df, meta = pyreadstat.read_sav(str(tmp / "waves" / "jh_T0_hosten2023.sav"), user_missing=True)
    rng = np.random.default_rng(SEED)
    df["kommentar"] = comments(len(df), rng)
    df["bmi"] = np.round(rng.normal(26, 4, len(df)), 1)
    labels = {**meta.column_names_to_labels, "kommentar": "Övriga kommentarer (fritext)",
              "bmi": "Kroppsmasseindex (BMI), självrapporterad"}
    formats = {**meta.original_variable_types, "kommentar": "A600", "bmi": "F4.1"}
    config = yaml.safe_load((tmp / "study.yaml").read_text(encoding="utf-8"))
    return df, meta, labels, formats, config


def wave_entry(config: dict) -> dict:
    w = next(w for w in config["waves"] if w["id"] == "T0")
    w = {**w, "instruments": [i for i in w["instruments"] if i in BUILT_IN],
         "mapping": {r: c for r, c in w["mapping"].items() if not c.startswith("jh_")},
         "file": "wave.sav"}
    w["missing_codes"]["by_variable"] = {k: v for k, v in w["missing_codes"]["by_variable"].items()
                                         if k in w["mapping"]}
    return w


def spreadsheet_frame(df: pd.DataFrame) -> pd.DataFrame:
    """As Excel shows the file: whole numbers without decimals, codes not labels."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]) and (out[c].dropna() == out[c].dropna().round()).all():
            out[c] = out[c].astype("Int64")
    return out


def main() -> int:
    for tool in ("Rscript", "pspp", "soffice"):
        if not shutil.which(tool):
            print(f"{tool} not found", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        df, meta, labels, formats, config = base_wave(tmp)
    value_labels = meta.variable_value_labels
    pyreadstat.write_sav(df, str(HERE / "wave.sav"), file_label="Jämlik hälsa T0 (syntetisk)",
                         column_labels=[labels.get(c) for c in df.columns],
                         variable_value_labels=value_labels, missing_ranges=meta.missing_ranges,
                         variable_format=formats, variable_measure=meta.variable_measure)
    # R / haven
    r = f"""
library(haven)
d <- read_sav("{HERE / 'wave.sav'}", user_na = TRUE)
write_sav(d, "{HERE / 'wave_haven.sav'}")
write_dta(d, "{HERE / 'wave_haven.dta'}")
lost <- read_sav("{HERE / 'wave.sav'}")
write_sav(lost, "{HERE / 'wave_haven_lost_missing.sav'}")
"""
    subprocess.run(["Rscript", "-e", r], check=True)
    # GNU PSPP
    syntax = HERE / "pspp.sps"
    syntax.write_text(f"""GET FILE="{HERE / 'wave.sav'}".
SAVE OUTFILE="{HERE / 'wave_pspp.sav'}" /COMPRESSED.
SAVE OUTFILE="{HERE / 'wave_pspp.zsav'}" /ZCOMPRESSED.
EXPORT OUTFILE="{HERE / 'wave_pspp.por'}".
""", encoding="utf-8")
    try:
        subprocess.run(["pspp", "-O", "format=txt", "-o", "/dev/null", str(syntax)], check=True)
    finally:
        syntax.unlink()
    # Stata through pyreadstat (value labels need whole-number codes)
    dta_labels = {v: {int(k): lab for k, lab in vl.items()} for v, vl in value_labels.items()}
    # (Stata variable labels hold at most 80 characters)
    pyreadstat.write_dta(df, str(HERE / "wave_pyreadstat.dta"),
                         column_labels=[(labels.get(c) or "")[:80] or None for c in df.columns],
                         variable_value_labels=dta_labels)
    # Swedish Excel CSV: codes (no labels), ';', decimal comma, CRLF
    sheet = spreadsheet_frame(df)
    sheet["enkatdatum"] = pd.to_datetime(sheet["enkatdatum"]).dt.strftime("%Y-%m-%d")
    for name, enc in (("wave_excel_cp1252.csv", "cp1252"), ("wave_excel_utf8_bom.csv", "utf-8-sig")):
        sheet.to_csv(HERE / name, sep=";", decimal=",", lineterminator="\r\n", encoding=enc, index=False)
    # Excel workbook and its OpenDocument copy
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Enkät"
    ws.append(list(sheet.columns))
    for row in spreadsheet_frame(df).itertuples(index=False):
        ws.append([None if (v is pd.NA or v == "" or (isinstance(v, float) and np.isnan(v))) else
                   (int(v) if isinstance(v, (np.integer,)) else v) for v in row])
    notes = wb.create_sheet("Anteckningar")
    notes.append(["Syntetiska data: inga verkliga personer."])
    wb.save(HERE / "wave.xlsx")
    subprocess.run(["soffice", "--headless", "--convert-to", "ods", "--outdir", str(HERE), str(HERE / "wave.xlsx")],
                   check=True, capture_output=True)
    # the wave's configuration and the value labels a file without labels needs
    entry = wave_entry(config)
    covariate_labels = {cov: {int(k): lab for k, lab in value_labels[raw].items() if int(k) != 9}
                        for raw, cov in entry["covariates"].items()}
    (HERE / "wave.yaml").write_text(yaml.safe_dump({"wave": entry, "value_labels": covariate_labels},
                                                   allow_unicode=True, sort_keys=False), encoding="utf-8")
    print(f"written to {HERE} on {dt.date.today()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
