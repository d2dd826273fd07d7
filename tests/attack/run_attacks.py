"""Attack many small generated studies and print the summary table.

    .venv/bin/python tests/attack/run_attacks.py --studies 20 --k 5 3 --out /tmp/attack-sweep
    .venv/bin/python tests/attack/run_attacks.py --out /tmp/attack-sweep --reattack   # attacker changed

Studies are ``N = 10 + (3 i mod 31)`` participants (10-40; the generator's minimum is 10)
with seed ``--first-seed + i``, each run once per *k*. ``--out`` keeps every study, its
release and a ``run.json`` (status, seconds), so that ``--reattack`` can rerun the attacks
alone on the same releases. ``--details`` lists every verified recovery.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import attacks
import sweep


def plan(n_studies: int, first_seed: int, ks: list[int]) -> list[tuple[int, int, int]]:
    """(participants, seed, k) of every study of a sweep."""
    return [(10 + (3 * i) % 31, first_seed + i, k) for i in range(n_studies) for k in ks]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--studies", type=int, default=20, help="generated studies per k (default 20)")
    ap.add_argument("--first-seed", type=int, default=100)
    ap.add_argument("--k", type=int, nargs="+", default=[5, 3])
    ap.add_argument("--out", type=Path, help="keep every study here (default: a temporary folder)")
    ap.add_argument("--reattack", action="store_true", help="only rerun the attacks on the kept releases")
    ap.add_argument("--details", action="store_true", help="list every verified recovery")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="attack-sweep-"))
    rows = []
    for participants, seed, k in plan(args.studies, args.first_seed, args.k):
        root = out / f"n{participants}_s{seed}_k{k}"
        t0 = time.perf_counter()
        if args.reattack:
            row = sweep.reattack_study(root, participants, seed, k)
        else:
            if root.exists():
                shutil.rmtree(root)
            row = sweep.attack_study(root, participants, seed, k)
            (root / "run.json").write_text(json.dumps({
                "status": row["status"], "seconds_pipeline": row["seconds_pipeline"]}), encoding="utf-8")
        rows.append(row)
        print(f"{row['study']}: {row['status']}, pipeline {row.get('seconds_pipeline', '-')} s, attack "
              f"{row.get('seconds_attack', '-')} s, {len(row['recoveries'])} recoveries "
              f"({row['distinct']} distinct), {len(row.get('partial_recoveries', []))} in a partial release "
              f"[{time.perf_counter() - t0:.0f} s]", flush=True)
    print()
    print(attacks.summarise(rows))
    if args.details:
        for r in rows:
            for x in r["recoveries"] + r.get("partial_recoveries", []):
                print(f"{x.study} | {x.attack} | {x.category} | {', '.join(x.files)} | {x.what} | {x.group} | {x.value}")
            for c in r["unattributed"]:
                print(f"{r['study']} | unattributed | {', '.join(c.files)} | {c.what}")
            for s in r["false_statements"]:
                print(f"{r['study']} | false statement | {s}")
    if not args.out:
        print(f"(studies kept in {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
