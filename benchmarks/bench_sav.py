"""Reading a large SPSS wave file with pyreadstat: which options help.

Run::

    python -m benchmarks sav [--file WAVE.sav] [--config study.yaml] [--wave T0] [--repeat 3]

Default: the T0 file of the 100,000-participant study that ``python -m benchmarks
pipeline`` generates under ``$TMPDIR/jh_bench`` (generated here if missing). Each variant
runs in a fresh process (so peak RSS is its own) and the best wall time of ``--repeat``
runs is reported, together with the columns read and whether the values equal the
baseline's (``survey.ingest.read_wave`` reads the whole file with ``user_missing=True,
apply_value_formats=False``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_STUDY = Path(tempfile.gettempdir()) / "jh_bench" / "study_100000"

#: variant -> (description, keyword arguments / strategy)
VARIANTS = {
    "baseline": "read_sav(user_missing=True, apply_value_formats=False): every variable (what read_wave does)",
    "metadataonly": "read_sav(metadataonly=True): labels, value labels, missing ranges only (no data)",
    "usecols": "usecols = ID + mapped items + covariates of the wave",
    "usecols_nodate": "usecols + disable_datetime_conversion=True",
    "id_only": "usecols = [ID variable] (what a check comparing the waves' IDs needs)",
    "nodate": "every variable, disable_datetime_conversion=True",
    "dict": "every variable, output_format='dict' (numpy arrays, no DataFrame)",
    "chunks_20k": "read_file_in_chunks(chunksize=20,000) then concat",
    "multiprocessing_2": "read_file_multiprocessing(num_processes=2)",
    "usecols_multiprocessing_2": "usecols + read_file_multiprocessing(num_processes=2)",
}


def _columns(config: Path | None, wave: str) -> list[str] | None:
    if config is None:
        return None
    sys.path.insert(0, str(ROOT))
    from studyconfig.config import load_config

    w = load_config(config).wave(wave)
    return [w.id_variable, *w.mapping, *w.covariates]


def _one(variant: str, path: str, cols: list[str] | None) -> dict:
    """Run one variant in this process; returns seconds, shape and checksums."""
    import numpy as np
    import pandas as pd
    import pyreadstat

    kw = {"user_missing": True, "apply_value_formats": False}
    t0 = time.perf_counter()
    if variant == "baseline":
        df, _ = pyreadstat.read_sav(path, **kw)
    elif variant == "metadataonly":
        _, meta = pyreadstat.read_sav(path, metadataonly=True, **kw)
        df = pd.DataFrame(index=range(0), columns=meta.column_names)
    elif variant == "usecols":
        df, _ = pyreadstat.read_sav(path, usecols=cols, **kw)
    elif variant == "id_only":
        df, _ = pyreadstat.read_sav(path, usecols=(cols or [])[:1], **kw)
    elif variant == "usecols_nodate":
        df, _ = pyreadstat.read_sav(path, usecols=cols, disable_datetime_conversion=True, **kw)
    elif variant == "nodate":
        df, _ = pyreadstat.read_sav(path, disable_datetime_conversion=True, **kw)
    elif variant == "dict":
        d, _ = pyreadstat.read_sav(path, output_format="dict", **kw)
        df = pd.DataFrame(d)
    elif variant == "chunks_20k":
        df = pd.concat([c for c, _ in pyreadstat.read_file_in_chunks(pyreadstat.read_sav, path, chunksize=20_000,
                                                                       **kw)], ignore_index=True)
    elif variant == "multiprocessing_2":
        df, _ = pyreadstat.read_file_multiprocessing(pyreadstat.read_sav, path, num_processes=2, **kw)
    elif variant == "usecols_multiprocessing_2":
        df, _ = pyreadstat.read_file_multiprocessing(pyreadstat.read_sav, path, num_processes=2, usecols=cols, **kw)
    else:
        raise KeyError(variant)
    seconds = time.perf_counter() - t0
    def checksum(frame):
        num = frame.select_dtypes("number")
        return float(np.nansum(num.to_numpy(dtype=float))) if num.size else 0.0

    sub = df[[c for c in (cols or []) if c in df.columns]]
    return {"seconds": seconds, "rows": int(df.shape[0]), "columns": int(df.shape[1]),
            "checksum": checksum(df), "checksum_mapped": checksum(sub)}


def _widen(path: Path, extra: int) -> Path:
    """A copy of ``path`` with ``extra`` more variables (random 1-5 codes, labelled,
    about 10 % missing), written to the temporary folder."""
    import numpy as np
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
    rng = np.random.default_rng(0)
    new = {f"x{i:04d}": np.where(rng.random(len(df)) < 0.1, np.nan, rng.integers(1, 6, len(df))).astype(float)
           for i in range(extra)}
    wide = pd_concat(df, new)
    out = Path(tempfile.gettempdir()) / "jh_bench" / f"{path.stem}_plus{extra}.sav"
    pyreadstat.write_sav(wide, str(out), column_labels={**meta.column_names_to_labels,
                                                       **{k: f"Extra variable {k}" for k in new}},
                         variable_value_labels={**meta.variable_value_labels,
                                                **{k: {1: "a", 2: "b", 3: "c", 4: "d", 5: "e"} for k in new}},
                         missing_ranges=meta.missing_ranges, row_compress=True)
    return out


def pd_concat(df, new: dict):
    import pandas as pd

    return pd.concat([df, pd.DataFrame(new, index=df.index)], axis=1)


def _measure(variant: str, path: Path, cols, repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_one", variant, "--file", str(path),
               "--_cols", json.dumps(cols)]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(p.pid, 0)
        out = json.loads(p.stdout.read().decode())
        p.stdout.close()
        p.stderr.close()
        out["peak_rss_mb"] = usage.ru_maxrss / 1024
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"{variant} failed")
        if best is None or out["seconds"] < best["seconds"]:
            best = out
    return best


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--file", type=Path, default=DEFAULT_STUDY / "waves" / "jh_T0_hosten2023.sav")
    p.add_argument("--config", type=Path, default=None, help="study.yaml for the usecols variants "
                   "(default: study.yaml two folders above --file)")
    p.add_argument("--wave", default="T0")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--variants", nargs="*", default=list(VARIANTS))
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    p.add_argument("--widen", type=int, default=0, metavar="N",
                   help="first write a copy of the file with N extra unmapped numeric variables (real survey "
                        "exports often carry hundreds) and benchmark that")
    p.add_argument("--_one", help=argparse.SUPPRESS)
    p.add_argument("--_cols", help=argparse.SUPPRESS)
    p.add_argument("--_widen", type=int, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a._widen:
        print(_widen(a.file, a._widen))
        return 0
    if a._one:
        print(json.dumps(_one(a._one, str(a.file), json.loads(a._cols))))
        return 0
    if not a.file.exists() and a.file.parent.parent == DEFAULT_STUDY:
        print(f"generating the 100,000-participant study in {DEFAULT_STUDY} ...", flush=True)
        subprocess.run([sys.executable, "-m", "tools.example_study", "--participants", "100000",
                        "--out", str(DEFAULT_STUDY)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    config = a.config or a.file.parent.parent / "study.yaml"
    cols = _columns(config if config.exists() else None, a.wave)
    if a.widen:  # in a child process: this one must stay small (a child inherits its peak RSS at fork)
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--file", str(a.file),
                              "--_widen", str(a.widen)], cwd=ROOT, check=True, capture_output=True, text=True)
        a.file = Path(out.stdout.strip())
    size = a.file.stat().st_size
    print(f"{a.file.name}: {size / 2**20:.1f} MiB; best of {a.repeat}, each in a fresh process; "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| variant | what | wall s | peak RSS MiB | rows × columns | same values as baseline |")
    print("|---|---|---:|---:|---|---|")
    results = {}
    base = None
    for v in a.variants:
        r = _measure(v, a.file, cols, a.repeat)
        results[v] = r
        if v == "baseline":
            base = r
        def close(x, y):
            return abs(x - y) <= 1e-9 * max(abs(y), 1.0)

        if v in ("metadataonly", "id_only") or base is None:
            same = "–"
        elif r["columns"] == base["columns"] and close(r["checksum"], base["checksum"]):
            same = "yes"
        elif close(r["checksum_mapped"], base["checksum_mapped"]):
            same = ("yes (mapped columns)" if r["columns"] < base["columns"]
                    else "mapped columns yes; date variables as SPSS seconds")
        else:
            same = "NO"
        print(f"| {v} | {VARIANTS[v]} | {r['seconds']:.2f} | {r['peak_rss_mb']:.0f} | "
              f"{r['rows']:,} × {r['columns']} | {same} |", flush=True)
    if a.json:
        a.json.write_text(json.dumps({"file": str(a.file), "bytes": size, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
