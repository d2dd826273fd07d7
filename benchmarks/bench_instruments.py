"""Benchmark of :func:`instruments.score`: vectorised scoring vs a naive row-wise version.

Run::

    python benchmarks/bench_instruments.py [--rows 1000000] [--naive-rows 2000] [--repeat 3]

For every built-in instrument it makes synthetic respondents (valid codes, about 5 %
missing answers and, where the instrument has one, about 3 % don't-know answers), times
``instruments.score`` on all of them (best of ``--repeat`` runs, including item
validation) and a naive ``DataFrame.apply(axis=1)`` scorer on a sample, and prints a
markdown table with seconds per million respondents and the speed-up. The naive scorers
below are a deliberately plain, independent re-implementation of the same rules; the
unit tests check that they agree with the vectorised scorers.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import sys
import time

import numpy as np
import pandas as pd

# benchmark the checkout this file lives in (not whatever an installed copy points to)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import instruments as ins  # noqa: E402
from instruments._registry import DATA_DIR  # noqa: E402

BUILTIN = ["eq5d5l", "whoqol_bref", "rand36", "hls_eu_q16", "hls_eu_q6", "hls19_q12", "eheals", "who5", "gse", "srh"]


# ----------------------------------------------------------------------------- data

def synthetic(instrument_id: str, n: int, seed: int = 0, missing: float = 0.05, dont_know: float = 0.03) -> pd.DataFrame:
    """``n`` synthetic respondents with valid codes, some missing and don't-know answers."""
    rng = np.random.default_rng(seed)
    sp = ins.spec(instrument_id)
    cols = {}
    for it in sp.items:
        c = sp.allowed[it]
        vals = np.asarray(c.values if c.values is not None else np.arange(c.min, c.max + 1), dtype=float)
        x = vals[rng.integers(0, len(vals), size=n)]
        u = rng.random(n)
        x[u < missing] = np.nan
        if sp.dont_know_code is not None:
            x[(u >= missing) & (u < missing + dont_know)] = sp.dont_know_code
        cols[it] = x
    return pd.DataFrame(cols)


# ----------------------------------------------------------------------------- naive scorers

def _valid(row, items, dk=None):
    vals = [row[i] for i in items]
    return [v for v in vals if not (isinstance(v, float) and math.isnan(v)) and v != dk]


def _level(value, levels):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for name, mx in levels:
        if value <= mx + 1e-9:
            return name
    return levels[-1][0]


def naive_scorer(instrument_id: str, **options):
    """A plain per-row function implementing the same rules (for ``DataFrame.apply``)."""
    sp = ins.spec(instrument_id)
    opts = {k: o.default for k, o in sp.options.items()}
    for k, v in options.items():
        opts[k] = opts[k] | v if isinstance(v, dict) else v
    nan = float("nan")

    if instrument_id == "eq5d5l":
        meta = pd.read_csv(DATA_DIR / "eq5d5l_value_sets.csv").set_index("id")
        coef = pd.read_csv(DATA_DIR / "eq5d5l_value_set_coefficients.csv")
        coef = coef[coef["value_set"] == meta.loc[opts["value_set"], "coefficients_name"]]
        terms = dict(zip(coef["term"], coef["coefficient"]))
        dims = ["mo", "sc", "ua", "pd", "ad"]

        def f(row):
            lv = [row[f"eq5d5l_{d}"] for d in dims]
            if any(math.isnan(v) for v in lv):
                return {"eq5d5l_profile": None, "eq5d5l_lss": nan, "eq5d5l_vas": row["eq5d5l_vas"], "eq5d5l_index": nan}
            lv = [int(v) for v in lv]
            idx = terms.get("constant", 0.0)
            for d, v in zip(dims, lv):
                idx += terms.get(f"{d.upper()}{v}", 0.0)
            if max(lv) > 1:
                idx += terms.get("any_level_gt1", 0.0)
            for k in (2, 3, 4):
                if max(lv) >= k:
                    idx += terms.get(f"any_level_ge{k}", 0.0)
            if max(lv) == 5:
                idx += terms.get("any_level_eq5", 0.0)
            return {"eq5d5l_profile": "".join(map(str, lv)), "eq5d5l_lss": float(sum(lv)),
                    "eq5d5l_vas": row["eq5d5l_vas"], "eq5d5l_index": idx}
        return f

    if instrument_id == "whoqol_bref":
        def f(row):
            r = {it: (6 - row[it] if it in sp.reverse else row[it]) for it in sp.items}
            answered = len(_valid(r, sp.items))
            keep = (26 - answered) <= opts["max_missing_fraction"] * 26
            out = {}
            for dom, items in sp.scales.items():
                v = _valid(r, items)
                ok = keep and (len(items) - len(v)) <= opts["domain_max_missing"][dom] and v
                out[f"whoqol_bref_{dom}"] = 4 * sum(v) / len(v) if ok else nan
            return out
        return f

    if instrument_id == "rand36":
        tbl = pd.read_csv(DATA_DIR / "rand36_item_recoding.csv")
        rec = {(int(i), int(c)): float(v) for i, c, v in zip(tbl["item"], tbl["raw_response"], tbl["recoded_0_100"])}

        def f(row):
            out = {}
            for name, items in sp.scales.items():
                v = [rec[(int(it[-2:]), int(row[it]))] for it in items if not math.isnan(row[it])]
                ok = (2 * len(v) >= len(items)) if opts["missing_rule"] == "half_scale" else len(v) >= 1
                out[f"rand36_{name}"] = sum(v) / len(v) if ok and v else nan
            return out
        return f

    if sp.family == "health_literacy":
        method, levels = sp.rules["method"], sp.rules["levels"]

        def f(row):
            v = _valid(row, sp.items, sp.dont_know_code)
            if len(v) < opts["min_valid"]:
                s = nan
            elif method == "count_easy":
                s = float(sum(1 for x in v if x in sp.rules["easy_codes"]))
            elif method == "percent_easy":
                s = 100.0 * sum(1 for x in v if x in sp.rules["easy_codes"]) / len(v)
            elif method == "mean":
                s = sum(v) / len(v)
            else:
                s = sum(v) / len(v) * len(sp.items)
            return {f"{sp.id}_score": s, f"{sp.id}_level": _level(s, levels)}
        return f

    if instrument_id == "who5":
        def f(row):
            v = _valid(row, sp.items)
            if len(v) < opts["min_valid"]:
                return {"who5_raw": nan, "who5_percent": nan, "who5_poor": None}
            raw = sum(v) / len(v) * 5
            return {"who5_raw": raw, "who5_percent": raw * 4, "who5_poor": raw < 13}
        return f

    if instrument_id == "gse":
        def f(row):
            v = _valid(row, sp.items)
            return {"gse_score": sum(v) / len(v) * 10 if len(v) >= opts["min_valid"] else nan}
        return f

    if sp.family == "e2":
        rev = {sp.items[i - 1] for i in opts["reverse"]}

        def f(row):
            v = _valid({it: (6 - row[it] if it in rev else row[it]) for it in sp.items}, sp.items)
            return {f"{sp.id}_score": sum(v) / len(v) if len(v) >= opts["min_valid"] else nan}
        return f

    if instrument_id == "srh":
        def f(row):
            x = row["srh_01"]
            return {"srh": x, "srh_good": None if math.isnan(x) else x <= 2}
        return f

    raise ValueError(instrument_id)


def score_naive(instrument_id: str, items: pd.DataFrame, **options) -> pd.DataFrame:
    """Row-wise scoring with ``DataFrame.apply(axis=1)``."""
    return items.apply(naive_scorer(instrument_id, **options), axis=1, result_type="expand")


# ----------------------------------------------------------------------------- timing

def _best(fn, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--naive-rows", type=int, default=2_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--instruments", nargs="*", default=BUILTIN)
    a = p.parse_args(argv)

    print(f"Scoring {a.rows:,} synthetic respondents per instrument (vectorised, best of {a.repeat}) "
          f"and {a.naive_rows:,} row-wise (DataFrame.apply); pandas {pd.__version__}, numpy {np.__version__}.\n")
    print("| instrument | items | vectorised s / 1M | row-wise s / 1M (extrapolated) | speed-up |")
    print("|---|---:|---:|---:|---:|")
    worst = 0.0
    for iid in a.instruments:
        big = synthetic(iid, a.rows)
        t_vec = _best(functools.partial(ins.score, iid, big), a.repeat) * 1e6 / a.rows
        small = big.iloc[: a.naive_rows]
        t_naive = _best(functools.partial(score_naive, iid, small), 1) * 1e6 / a.naive_rows
        worst = max(worst, t_vec)
        print(f"| {iid} | {ins.spec(iid).n_items} | {t_vec:.3f} | {t_naive:,.1f} | {t_naive / t_vec:,.0f}× |")
        del big
    print(f"\nSlowest vectorised instrument: {worst:.3f} s per million respondents (target ≤ 2 s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
