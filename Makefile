# Two entry points, both work on a fresh clone:
#   make demo   set up .venv and shadow-run the bundled example, leaving a report
#   make test   set up .venv and run the whole test suite (ruff, mypy --strict, pytest)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	# dbt (the dbt preset's tests) in its own environment: it pins pathspec below mypy's needs
	$(PYTHON) -m venv $(VENV)/dbt
	$(VENV)/dbt/bin/pip install --quiet --upgrade pip
	$(VENV)/dbt/bin/pip install --quiet -e '.[dbt]'
	touch $(STAMP)

# Tools the tests need beyond Python packages, from Debian's packages: Chromium renders the HTML
# report, Java runs the Spark engine. Installed when running as root (CI); otherwise the scripts
# print the command, and only those tests are skipped (never in CI: tests/test_ci_environment.py).
system-deps:
	@scripts/install-browser.sh || echo "note: no chromium; the browser test will be skipped"
	@scripts/install-java.sh || echo "note: no java; the Spark engine tests will be skipped"

demo: $(STAMP)
	$(BIN)/python fixtures/demo/run_demo.py

lint: $(STAMP)
	$(BIN)/ruff check dataops_diff tests bench
	$(BIN)/ruff format --check dataops_diff tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) system-deps
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/compare.py --rows 5000000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
