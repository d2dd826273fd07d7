"""``python -m benchmarks [NAME [ARGS...]]``: run one benchmark or all of them.

Without arguments every ``bench_*.py`` runs with its defaults and prints its Markdown
table. ``python -m benchmarks pipeline --sizes 1000 10000`` runs ``bench_pipeline.py``
with those arguments (``--help`` lists them).
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent
scripts = {p.stem.removeprefix("bench_"): p for p in sorted(HERE.glob("bench_*.py"))}

if len(sys.argv) > 1:
    name = sys.argv[1]
    if name not in scripts:
        sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(scripts)}")
    sys.argv = [str(scripts[name]), *sys.argv[2:]]
    runpy.run_path(str(scripts[name]), run_name="__main__")
else:
    for script in scripts.values():
        print(f"\n## {script.stem}\n", flush=True)
        sys.argv = [str(script)]
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as stop:  # each script ends with SystemExit(main())
            if stop.code:
                raise
