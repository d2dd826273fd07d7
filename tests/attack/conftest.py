"""The attacker's modules (attacks, truth, sweep) import each other by name: put this
folder on the import path (pytest runs with ``--import-mode=importlib``)."""

import sys
from pathlib import Path

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
