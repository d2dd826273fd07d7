# Two commands do everything on a fresh machine with Python 3.11 and pip:
#   make run    set up .venv from the lock, materialise what is stale or missing, print outputs
#   make test   set up .venv from the lock, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export MPLBACKEND := Agg
# pytest-xdist workers: one per core (`make test PYTEST_WORKERS=0` runs in one process); a
# module's tests stay on one worker (--dist loadscope), and so do the modules that share a
# session run (tests/conftest.py: SHARED_RUN_MODULES), so each pipeline run is made once
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS) --dist loadscope

.PHONY: system-deps run run-all test test-fast lint dev validate bench lock clean-outputs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.lock
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
	@mkdir -p $(DAGSTER_HOME)
	@touch $@

run: $(STAMP)
	$(BIN)/python -m pipelines run

run-all: $(STAMP)
	$(BIN)/python -m pipelines run --all

validate: $(STAMP)
	$(BIN)/python -m pipelines validate

test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest -q -rfE --durations=40 $(XDIST)

# ruff (pyflakes, bugbear, isort, pyupgrade) on everything, mypy on every package and
# the import-linter contracts (the layers); settings in pyproject.toml; zero findings
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# PostgreSQL, Chromium and LibreOffice for the server, browser and DOCX tests (Debian packages).
system-deps:
	bash scripts/install-system-deps.sh

test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -q -rfE --durations=20 $(XDIST) -m "not slow and not postgres and not browser"

dev: $(STAMP)
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

# every benchmark (long: the pipeline at 100,000 participants); one of them with arguments:
#   make bench BENCH="pipeline --sizes 1000 10000"   (see benchmarks/README.md)
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH)

lock: | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	{ echo "# Exact versions of every package, generated with 'make lock' (pip freeze --all)."; \
	  echo "# 'make' always installs from this file; edit pyproject.toml, then run 'make lock'."; \
	  $(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^pip=='; } > requirements.lock

clean-outputs:
	rm -rf data/interim data/processed reports/20* $(DAGSTER_HOME)
