"""Command line for the yearly cycle: ``python -m pipelines <command> [--config PATH]``."""

from pipelines.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
