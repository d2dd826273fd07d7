"""``python -m benchmarks``: run every benchmark and print its Markdown table."""

import runpy
from pathlib import Path

for script in sorted(Path(__file__).parent.glob("bench_*.py")):
    print(f"\n## {script.stem}\n")
    runpy.run_path(str(script), run_name="__main__")
