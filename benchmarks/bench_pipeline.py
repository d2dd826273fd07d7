"""Scale benchmark of the whole pipeline: wall time and peak memory per stage and end to end.

Run (from the repository root; takes about 10 minutes on the 2-core reference machine)::

    python -m benchmarks pipeline                         # 1,000, 10,000, 100,000 participants
    python -m benchmarks pipeline --sizes 1000 10000      # a subset
    python -m benchmarks pipeline --workdir /tmp/jh_bench --profile
    python -m benchmarks pipeline --replot                # figure + README table from the JSON

For every size it

1. generates a synthetic study with ``python -m tools.example_study --participants N``
   (3 waves, attendance register) under ``--workdir`` (a temporary folder, never committed;
   kept and reused between runs unless the generator changed or ``--regenerate``);
2. **stages**: in a fresh process, calls the asset bodies in dependency order, without
   Dagster's executor or IO manager, and times each one: *read* (``ingest.read_wave``,
   attendance, settings), *harmonise* (``ingest.harmonise`` and the wave checks),
   *score* (``study.score_wave``, reliability), *panel* (stacking, cross-wave checks),
   *analysis* (every analysis asset: cohort, tests, models, imputation, ...), *figures*
   (``publish.figures``) and *report* (published tables, HTML/Word report, disclosure
   checks); *io* is writing each table once to parquet and reading it back. Peak RSS per
   stage is sampled every 10 ms (``psutil``); ``--profile`` writes a cProfile per stage;
3. **end to end**: runs the real CLI, ``python -m pipelines run --config <study.yaml>``,
   with fresh ``DAGSTER_HOME`` and ``JH_OUTPUT_ROOT`` folders, measures its wall time and
   peak RSS (``os.wait4``), reads the per-step durations from the Dagster instance
   (``instance.get_run_step_stats``) and then times a second, nothing-to-do run.

Results go to ``benchmarks/results/pipeline.json`` and ``pipeline_scaling.png`` and the
table between the ``bench:pipeline`` markers of ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import inspect
import io
import json
import logging
import math
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
README = HERE / "README.md"
STAGES = ["read", "harmonise", "score", "panel", "analysis", "figures", "report"]
DEFAULT_SIZES = [1_000, 10_000, 100_000]
#: targets of issue 9 on the 2-core, 24 GiB reference machine
TARGET_E2E_S, TARGET_RSS_MB, TARGET_RATIO = 300.0, 4096.0, 12.0

# ----------------------------------------------------------------------------- helpers


def _python() -> str:
    return sys.executable


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory_gib"] = round(int(mem) / 2**20, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("dagster", "pandas", "numpy", "pyarrow", "pyreadstat", "scipy", "matplotlib"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            pass
    return info


def _git() -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def _run_measured(cmd: list[str], env: dict | None = None, log: Path | None = None, cwd: Path = ROOT) -> dict:
    """Run ``cmd``; return wall seconds, peak RSS (MiB, the child's own ``ru_maxrss``) and
    the exit code. Output goes to ``log``."""
    out = open(log, "w") if log else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
            "returncode": p.returncode}


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ----------------------------------------------------------------------------- study generation


def ensure_study(workdir: Path, n: int, seed: int, regenerate: bool) -> tuple[Path, dict]:
    """The generated study of ``n`` participants (reused when the generator is unchanged)."""
    study = workdir / f"study_{n}"
    meta_path = study / ".bench_meta.json"
    gen_hash = _sha256(ROOT / "tools" / "example_study.py")
    if not regenerate and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("generator_sha256") == gen_hash and meta.get("seed") == seed:
            return study, meta
    if study.exists():
        shutil.rmtree(study)
    print(f"  generating {n:,} participants ...", flush=True)
    res = _run_measured([_python(), "-m", "tools.example_study", "--participants", str(n), "--seed", str(seed),
                         "--out", str(study)], log=workdir / f"generate_{n}.log")
    if res["returncode"]:
        raise SystemExit(f"generator failed for {n} participants; see {workdir / f'generate_{n}.log'}")
    # row counts in a child process: this driver stays small, because a child process
    # inherits its parent's peak RSS at fork (ru_maxrss would include it)
    code = ("import json, sys, pyreadstat; print(json.dumps({p.split('/')[-1][:-4]: "
            "pyreadstat.read_sav(p, metadataonly=True)[1].number_rows for p in sys.argv[1:]}))")
    rows = json.loads(subprocess.run([_python(), "-c", code, *map(str, sorted((study / "waves").glob("*.sav")))],
                                     check=True, capture_output=True, text=True).stdout)
    with open(study / "attendance.csv", "rb") as fh:
        att_rows = sum(1 for _ in fh) - 1
    meta = {"participants": n, "seed": seed, "generator_sha256": gen_hash, "generate": res,
            "wave_rows": rows, "attendance_rows": att_rows,
            "bytes": {p.name: p.stat().st_size for p in [*sorted((study / "waves").glob("*.sav")),
                                                         study / "attendance.csv"]}}
    meta_path.write_text(json.dumps(meta, indent=2))
    return study, meta


# ----------------------------------------------------------------------------- stages (in-process)


class _RSSSampler(threading.Thread):
    """Samples this process's resident set size every ``interval`` seconds."""

    def __init__(self, interval: float = 0.01):
        super().__init__(daemon=True)
        self.interval, self.peak, self._halt = interval, 0, threading.Event()
        try:
            import psutil

            self._rss = psutil.Process().memory_info
        except ImportError:  # pragma: no cover - psutil is a Dagster dependency
            page = os.sysconf("SC_PAGE_SIZE")
            self._rss = lambda: types.SimpleNamespace(rss=int(Path("/proc/self/statm").read_text().split()[1]) * page)

    def current(self) -> int:
        return self._rss().rss

    def reset(self) -> None:
        self.peak = self.current()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.peak = max(self.peak, self.current())

    def stop(self) -> None:
        self._halt.set()


class _Context:
    """What the asset bodies use of Dagster's context (partition, log, metadata, run id)."""

    def __init__(self, partition_key: str | None = None):
        self.partition_key = partition_key
        self.log = logging.getLogger("bench_pipeline")
        self.run = types.SimpleNamespace(run_id="benchmark")
        self.metadata: dict = {}

    def add_output_metadata(self, metadata: dict, output_name: str | None = None) -> None:
        self.metadata.update(metadata)


def _stage_of_asset(name: str, group: str | None) -> str:
    if name in ("raw_wave", "raw_codebook", "attendance", "study_settings"):
        return "read"
    if name in ("harmonised_wave", "wave_codebook", "item_missingness"):
        return "harmonise"
    if name in ("scored_wave", "score_valid_rates", "wave_reliability"):
        return "score"
    if name == "panel":
        return "panel"
    if name.startswith("figure_"):
        return "figures"
    if name in ("published_tables", "evaluation_report"):
        return "report"
    if group == "analysis":
        return "analysis"
    return "other"


def stage_map(defs) -> dict[str, str]:
    """Dagster node (op) name -> benchmark stage, for assets and asset checks."""
    graph = defs.resolve_asset_graph()
    out = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        ad = node.assets_def
        stage = _stage_of_asset(key.to_user_string(), node.group_name)
        out.setdefault(ad.node_def.name, stage)
    from pipelines.definitions import ASSET_CHECKS

    for c in ASSET_CHECKS:
        target = next(iter(c.check_keys)).asset_key.to_user_string()
        out[c.node_def.name] = _stage_of_asset(target, None)
    return out


def run_stages(study: Path, out_root: Path, json_out: Path, profile_dir: Path | None) -> dict:
    """Call every asset body (and asset check) in dependency order and time it per stage."""
    sampler = _RSSSampler()
    sampler.start()
    rss0 = sampler.current()
    t0 = time.perf_counter()
    os.environ["STUDY_CONFIG"] = str(study / "study.yaml")
    os.environ["JH_OUTPUT_ROOT"] = str(out_root)
    os.environ.setdefault("MPLBACKEND", "Agg")
    import dagster as dg
    import pandas as pd

    from pipelines.definitions import ASSET_CHECKS, defs
    from pipelines.resources import ProjectPaths, StudyResource
    from studyconfig.config import load_config

    import_s = time.perf_counter() - t0
    config = load_config(study / "study.yaml")
    resources = {"study_config": StudyResource(config_path=str(study / "study.yaml")),
                 "paths": ProjectPaths(root=str(out_root))}
    graph = defs.resolve_asset_graph()
    stages = stage_map(defs)
    waves = config.wave_ids
    partitioned = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).partitions_def is not None}

    store: dict[str, object] = {}  # asset -> value, or {wave: value} for partitioned assets
    per_asset: dict[str, float] = {}
    per_stage = {s: {"wall_s": 0.0, "peak_rss_mb": 0.0} for s in [*STAGES, "io"]}
    checks_failed: list[str] = []
    profiles = {s: cProfile.Profile() for s in STAGES} if profile_dir else {}
    io_dir = Path(tempfile.mkdtemp(prefix="io_", dir=out_root))

    def inputs_for(fn, keys_by_input, wave):
        kwargs = {}
        for name in inspect.signature(fn).parameters:
            if name == "context":
                kwargs[name] = _Context(wave)
            elif name in resources:
                kwargs[name] = resources[name]
            elif name in keys_by_input:
                key = keys_by_input[name].to_user_string()
                value = store[key]
                kwargs[name] = value[wave] if key in partitioned and wave is not None else value
            else:
                raise KeyError(f"don't know how to provide parameter {name!r}")
        return kwargs

    def record(stage, name, seconds):
        per_asset[name] = per_asset.get(name, 0.0) + seconds
        per_stage[stage]["wall_s"] += seconds
        per_stage[stage]["peak_rss_mb"] = max(per_stage[stage]["peak_rss_mb"], sampler.peak / 2**20)

    def io_roundtrip(name, value):
        if not isinstance(value, pd.DataFrame):
            return
        sampler.reset()
        t = time.perf_counter()
        path = io_dir / f"{name}.parquet"
        value.to_parquet(path, index=False)
        pd.read_parquet(path)
        path.unlink()
        record("io", "io", time.perf_counter() - t)

    def call(node_name, fn, keys_by_input, out_keys, wave):
        stage = stages[node_name]
        kwargs = inputs_for(fn, keys_by_input, wave)
        sampler.reset()
        prof = profiles.get(stage)
        t = time.perf_counter()
        if prof:
            prof.enable()
        result = fn(**kwargs)
        outputs = {}
        items = list(result) if inspect.isgenerator(result) else [result]
        if prof:
            prof.disable()
        record(stage, node_name, time.perf_counter() - t)
        for item in items:
            if isinstance(item, dg.Output):
                outputs[item.output_name if item.output_name != "result" else out_keys[0]] = item.value
            elif isinstance(item, dg.AssetCheckResult):
                if not item.passed and item.severity == dg.AssetCheckSeverity.ERROR:
                    checks_failed.append(f"{node_name}: {item.description}")
            elif isinstance(item, dg.MaterializeResult) or item is None:
                outputs[out_keys[0]] = None
            else:
                outputs[out_keys[0]] = item
        for key, value in outputs.items():
            if key in partitioned:
                store.setdefault(key, {})[wave] = value
            else:
                store[key] = value
            io_roundtrip(key, value)

    checks_by_asset: dict[str, list] = {}
    for c in ASSET_CHECKS:
        checks_by_asset.setdefault(next(iter(c.check_keys)).asset_key.to_user_string(), []).append(c)

    done = set()
    for key in graph.toposorted_asset_keys:
        ad = graph.get(key).assets_def
        if id(ad) in done:
            continue
        done.add(id(ad))
        fn = ad.node_def.compute_fn.decorated_fn
        out_keys = [k.to_user_string() for k in ad.keys]
        for wave in (waves if ad.partitions_def is not None else [None]):
            call(ad.node_def.name, fn, ad.keys_by_input_name, out_keys, wave)
            for asset in out_keys:
                for c in checks_by_asset.get(asset, []):
                    ins = {**c.keys_by_input_name}
                    call(c.node_def.name, c.node_def.compute_fn.decorated_fn, ins, [asset], wave)

    sampler.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "import_s": import_s, "baseline_rss_mb": rss0 / 2**20,
        "stages": per_stage,
        "total_s": sum(v["wall_s"] for k, v in per_stage.items() if k != "io"),
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "assets": dict(sorted(per_asset.items(), key=lambda kv: -kv[1])),
        "rows": {"panel": len(store["panel"]), "recurring_cohort": len(store["recurring_cohort"]),
                 "attendance": len(store["attendance"])},
        "checks_failed": checks_failed,
    }
    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
        for s, prof in profiles.items():
            prof.dump_stats(profile_dir / f"{s}.prof")
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
            (profile_dir / f"{s}.txt").write_text(buf.getvalue())
    shutil.rmtree(io_dir, ignore_errors=True)
    json_out.write_text(json.dumps(result, indent=2))
    return result


# ----------------------------------------------------------------------------- end to end (CLI)


def _union_length(intervals: list[tuple[float, float]]) -> float:
    """Seconds during which at least one step was running (the wave runs overlap).

    >>> _union_length([(0, 2), (1, 3), (5, 6)])
    4.0
    """
    total, end = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


def run_e2e(study: Path, run_dir: Path, json_out: Path) -> dict:
    """``python -m pipelines run`` from a fresh instance, then again with nothing to do."""
    if run_dir.exists():
        shutil.rmtree(run_dir)
    home, out_root = run_dir / "dagster_home", run_dir / "out"
    home.mkdir(parents=True)
    out_root.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home), "JH_OUTPUT_ROOT": str(out_root),
           "STUDY_CONFIG": str(study / "study.yaml"), "MPLBACKEND": "Agg"}
    cmd = [_python(), "-m", "pipelines", "run", "--config", str(study / "study.yaml")]
    first = _run_measured(cmd, env=env, log=run_dir / "run1.log")
    rerun = _run_measured(cmd, env=env, log=run_dir / "run2.log")
    os.environ["DAGSTER_HOME"] = str(home)
    import dagster as dg

    from pipelines.definitions import defs

    stages = stage_map(defs)
    per_stage = {s: 0.0 for s in STAGES}
    steps: dict[str, float] = {}
    intervals: list[tuple[float, float]] = []
    runs = []
    with dg.DagsterInstance.get() as instance:
        for rec in reversed(instance.get_run_records()):
            stats = instance.get_run_step_stats(rec.dagster_run.run_id)
            step_total = 0.0
            for s in stats:
                if s.start_time is None or s.end_time is None:
                    continue
                d = s.end_time - s.start_time
                intervals.append((s.start_time, s.end_time))
                step_total += d
                steps[s.step_key] = steps.get(s.step_key, 0.0) + d
                per_stage[stages.get(s.step_key, "other")] = per_stage.get(stages.get(s.step_key, "other"), 0.0) + d
            run_wall = (rec.end_time - rec.start_time) if rec.start_time and rec.end_time else None
            runs.append({"partition": rec.dagster_run.tags.get("dagster/partition"),
                         "status": rec.dagster_run.status.value, "wall_s": run_wall, "steps_s": step_total,
                         "n_steps": len(stats)})
    result = {
        "wall_s": first["wall_s"], "peak_rss_mb": first["peak_rss_mb"], "cpu_s": first["cpu_s"],
        "returncode": first["returncode"], "rerun_wall_s": rerun["wall_s"], "rerun_returncode": rerun["returncode"],
        "stages": per_stage, "steps_total_s": sum(steps.values()), "steps_busy_s": _union_length(intervals),
        "runs": runs, "steps": dict(sorted(steps.items(), key=lambda kv: -kv[1])),
        "log_tail": (run_dir / "run1.log").read_text()[-1500:],
    }
    json_out.write_text(json.dumps(result, indent=2))
    return result


# ----------------------------------------------------------------------------- reporting


def _fmt_s(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.1f}" if x >= 10 else f"{x:.2f}"


def scaling(results: dict) -> dict:
    """Growth factors and log-log slopes between consecutive sizes (e2e and per stage)."""
    by_n = {r["participants"]: r for r in results["sizes"]}
    ns = sorted(by_n)
    out = {}
    for a, b in zip(ns, ns[1:]):
        ra, rb = by_n[a], by_n[b]
        entry = {}
        for label, get in [("e2e", lambda r: r.get("e2e", {}).get("wall_s")),
                           ("stages_total", lambda r: r.get("stages", {}).get("total_s")),
                           *[(s, lambda r, s=s: r.get("stages", {}).get("stages", {}).get(s, {}).get("wall_s"))
                             for s in STAGES]]:
            ta, tb = get(ra), get(rb)
            if ta and tb:
                entry[label] = {"ratio": tb / ta, "exponent": math.log(tb / ta) / math.log(b / a)}
        out[f"{a}->{b}"] = entry
    return out


def targets(results: dict) -> dict:
    by_n = {r["participants"]: r for r in results["sizes"]}
    out = {}
    big = by_n.get(100_000, {}).get("e2e")
    if big:
        out["e2e_100k_wall_s"] = {"value": big["wall_s"], "target": TARGET_E2E_S, "met": big["wall_s"] <= TARGET_E2E_S}
        out["e2e_100k_peak_rss_mb"] = {"value": big["peak_rss_mb"], "target": TARGET_RSS_MB,
                                       "met": big["peak_rss_mb"] <= TARGET_RSS_MB}
    ratio = results.get("scaling", {}).get("10000->100000", {}).get("e2e", {}).get("ratio")
    if ratio:
        out["e2e_10k_to_100k_ratio"] = {"value": ratio, "target": TARGET_RATIO, "met": ratio <= TARGET_RATIO}
    return out


def markdown_table(results: dict) -> str:
    sizes = sorted(results["sizes"], key=lambda r: r["participants"])
    head = "| stage | " + " | ".join(f"{r['participants']:,}" for r in sizes) + " |"
    lines = [head, "|---|" + "---:|" * len(sizes)]

    def row(label, get, fmt=_fmt_s):
        vals = []
        for r in sizes:
            try:
                vals.append(fmt(get(r)))
            except (KeyError, TypeError):
                vals.append("–")
        lines.append(f"| {label} | " + " | ".join(vals) + " |")

    row("survey rows (T0 + T1 + T2)", lambda r: sum(r["study"]["wave_rows"].values()), lambda v: f"{v:,}")
    row("attendance rows", lambda r: r["study"]["attendance_rows"], lambda v: f"{v:,}")
    row("generate the study (s)", lambda r: r["study"]["generate"]["wall_s"])
    for s in STAGES:
        row(f"{s} (s)", lambda r, s=s: r["stages"]["stages"][s]["wall_s"])
    row("parquet write + read of every table (s)", lambda r: r["stages"]["stages"]["io"]["wall_s"])
    row("**all stages, in-process (s)**", lambda r: r["stages"]["total_s"])
    row("peak RSS, in-process stages (MiB)", lambda r: r["stages"]["peak_rss_mb"], lambda v: f"{v:,.0f}")
    row("**end to end, `python -m pipelines run` (s)**", lambda r: r["e2e"]["wall_s"])
    for s in STAGES:
        row(f"  Dagster steps: {s} (s, summed over the wave runs that overlap)" if s in ("read", "harmonise", "score")
            else f"  Dagster steps: {s} (s)", lambda r, s=s: r["e2e"]["stages"][s])
    row("  no step running: imports, planning, run start-up (s)",
        lambda r: r["e2e"]["wall_s"] - r["e2e"]["steps_busy_s"])
    row("**peak RSS end to end (MiB)**", lambda r: r["e2e"]["peak_rss_mb"], lambda v: f"{v:,.0f}")
    row("rerun, nothing to do (s)", lambda r: r["e2e"]["rerun_wall_s"])
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    """Log-log time per stage and end to end against participants, and peak memory."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results["sizes"], key=lambda r: r["participants"])
    n = [r["participants"] for r in sizes]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11.5, 5.2), gridspec_kw={"width_ratios": [1.7, 1]})
    colors = plt.get_cmap("tab10").colors
    markers = "ovD^<>p"
    for i, s in enumerate(STAGES):
        t = [r.get("stages", {}).get("stages", {}).get(s, {}).get("wall_s") for r in sizes]
        if all(t):
            ax.plot(n, t, marker=markers[i], ms=4, lw=1.1, color=colors[i], label=f"stage: {s}")
    e2e = [r.get("e2e", {}).get("wall_s") for r in sizes]
    if all(e2e):
        ax.plot(n, e2e, marker="s", ms=6, lw=2.4, color="black", label="end to end (python -m pipelines run)")
        for x, y in zip(n, e2e):
            ax.annotate(f"{y:.0f} s", (x, y), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=8)
        # linear cost from the middle size (the target: at most 12x from 10,000 to 100,000)
        k = n.index(10_000) if 10_000 in n else 0
        ref_n = [x for x in n if x >= n[k]]
        ax.plot(ref_n, [e2e[k] * x / n[k] for x in ref_n], ls="--", lw=1.2, color="grey",
                label=f"slope 1 from {n[k]:,} (time \u221d participants)")
        ax.axhline(TARGET_E2E_S, ls=":", lw=1.2, color="firebrick", label="target: 5 min at 100,000")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(n, [f"{x:,}" for x in n])
    ax.minorticks_off()
    ax.set_xlabel("baseline participants (\u00d7 3 survey waves)")
    ax.set_ylabel("wall time (s, log scale)")
    ax.set_title("Wall time per stage (in-process) and end to end", fontsize=10)
    ax.grid(True, which="major", lw=0.4, alpha=0.6)
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, frameon=False)
    rss_e2e = [r.get("e2e", {}).get("peak_rss_mb") for r in sizes]
    rss_st = [r.get("stages", {}).get("peak_rss_mb") for r in sizes]
    if all(rss_e2e):
        ax2.plot(n, [v / 1024 for v in rss_e2e], marker="s", color="black", lw=2, label="end to end (CLI)")
        for x, v in zip(n, rss_e2e):
            ax2.annotate(f"{v / 1024:.1f}", (x, v / 1024), xytext=(0, 7), textcoords="offset points", ha="center",
                         fontsize=8)
    if all(rss_st):
        ax2.plot(n, [v / 1024 for v in rss_st], marker="o", color=colors[0], lw=1.2, label="stages, in-process")
    ax2.axhline(TARGET_RSS_MB / 1024, ls=":", lw=1.2, color="firebrick", label="target: 4 GiB")
    ax2.set_xscale("log")
    ax2.set_xticks(n, [f"{x:,}" for x in n])
    ax2.minorticks_off()
    ax2.set_xlabel("baseline participants (\u00d7 3 survey waves)")
    ax2.set_ylabel("peak resident set size (GiB)")
    top = max([v for v in [*rss_e2e, *rss_st, TARGET_RSS_MB] if v]) / 1024
    ax2.set_ylim(0, top * 1.15)
    ax2.set_title("Peak memory (largest process)", fontsize=10)
    ax2.grid(True, which="major", lw=0.4, alpha=0.6)
    ax2.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    m = results.get("machine", {})
    load = results.get("load_before", ["?"])[0]
    busy = isinstance(load, (int, float)) and load >= 1
    fig.suptitle(f"Pipeline scaling on the synthetic study: {m.get('cpus', '?')} shared CPU cores, "
                 f"{m.get('memory_gib', '?')} GiB, {results.get('date', '')[:10]} "
                 f"(load average {load} at start{': timings are noisy' if busy else ''})", fontsize=9.5)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)


def update_readme(results: dict) -> None:
    if not README.exists():
        return
    text = README.read_text()
    start, end = "<!-- bench:pipeline:start -->", "<!-- bench:pipeline:end -->"
    if start not in text or end not in text:
        return
    block = markdown_table(results)
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    README.write_text(f"{before}{start}\n{block}\n{end}{after}")


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks pipeline", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES, help="baseline participants")
    p.add_argument("--seed", type=int, default=2023)
    p.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "jh_bench",
                   help="where studies and run folders go (default: $TMPDIR/jh_bench; never committed)")
    p.add_argument("--regenerate", action="store_true", help="regenerate the studies even if unchanged")
    p.add_argument("--skip-stages", action="store_true")
    p.add_argument("--skip-e2e", action="store_true")
    p.add_argument("--profile", action="store_true", help="cProfile per stage into WORKDIR/profile_<n>/")
    p.add_argument("--results", type=Path, default=RESULTS / "pipeline.json")
    p.add_argument("--replot", action="store_true", help="only redraw the figure and README table from --results")
    # internal: one measurement in a fresh process
    p.add_argument("--_stages", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--_e2e", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--_out", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--_json", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--_profile_dir", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a._stages:
        run_stages(a._stages, a._out, a._json, a._profile_dir)
        return 0
    if a._e2e:
        run_e2e(a._e2e, a._out, a._json)
        return 0
    if a.replot:
        results = json.loads(a.results.read_text())
        plot(results, a.results.with_name("pipeline_scaling.png"))
        update_readme(results)
        print(markdown_table(results))
        return 0

    a.workdir.mkdir(parents=True, exist_ok=True)
    previous = json.loads(a.results.read_text()) if a.results.exists() else {"sizes": []}
    results = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": _machine(), "git": _git(),
               "load_before": _load(), "seed": a.seed, "sizes": []}
    print(f"Pipeline benchmark: sizes {a.sizes}, workdir {a.workdir}, load average {results['load_before']}")
    for n in a.sizes:
        print(f"\n[{n:,} participants]", flush=True)
        study, meta = ensure_study(a.workdir, n, a.seed, a.regenerate)
        entry = {"participants": n, "study": meta, "load_before": _load()}
        me = [_python(), "-m", "benchmarks.bench_pipeline"]
        if not a.skip_stages:
            out = a.workdir / f"stages_{n}"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            cmd = [*me, "--_stages", str(study), "--_out", str(out), "--_json", str(out / "stages.json")]
            if a.profile:
                cmd += ["--_profile_dir", str(a.workdir / f"profile_{n}")]
            res = _run_measured(cmd, env={**os.environ, "MPLBACKEND": "Agg"}, log=a.workdir / f"stages_{n}.log")
            if res["returncode"]:
                raise SystemExit(f"stage benchmark failed; see {a.workdir / f'stages_{n}.log'}")
            entry["stages"] = json.loads((out / "stages.json").read_text())
            st = entry["stages"]
            print("  stages: " + ", ".join(f"{s} {st['stages'][s]['wall_s']:.1f}s" for s in STAGES)
                  + f"; total {st['total_s']:.1f}s, peak RSS {st['peak_rss_mb']:,.0f} MiB", flush=True)
        if not a.skip_e2e:
            run_dir = a.workdir / f"e2e_{n}"
            json_path = a.workdir / f"e2e_{n}.json"
            res = _run_measured([*me, "--_e2e", str(study), "--_out", str(run_dir), "--_json", str(json_path)],
                                log=a.workdir / f"e2e_{n}.log")
            if res["returncode"]:
                raise SystemExit(f"end-to-end benchmark failed; see {a.workdir / f'e2e_{n}.log'}")
            entry["e2e"] = json.loads(json_path.read_text())
            e = entry["e2e"]
            if e["returncode"]:
                raise SystemExit(f"python -m pipelines run failed for {n}: {e['log_tail']}")
            print(f"  end to end: {e['wall_s']:.1f}s, peak RSS {e['peak_rss_mb']:,.0f} MiB; "
                  f"rerun {e['rerun_wall_s']:.1f}s", flush=True)
        entry["load_after"] = _load()
        prev = next((r for r in previous.get("sizes", []) if r["participants"] == n), None)
        if prev and prev.get("study", {}).get("generator_sha256") == meta.get("generator_sha256"):
            for part in ("stages", "e2e"):  # keep a part skipped in this run
                if part not in entry and part in prev:
                    entry[part] = prev[part]
        results["sizes"].append(entry)
    # keep sizes measured earlier but not in this run
    measured = {r["participants"] for r in results["sizes"]}
    results["sizes"] += [r for r in previous.get("sizes", []) if r["participants"] not in measured]
    results["sizes"].sort(key=lambda r: r["participants"])
    results["load_after"] = _load()
    results["scaling"] = scaling(results)
    results["targets"] = targets(results)
    a.results.parent.mkdir(parents=True, exist_ok=True)
    a.results.write_text(json.dumps(results, indent=2))
    plot(results, a.results.with_name("pipeline_scaling.png"))
    update_readme(results)
    print("\n" + markdown_table(results))
    for name, t in results["targets"].items():
        print(f"{name}: {t['value']:.2f} (target {t['target']}) {'met' if t['met'] else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
