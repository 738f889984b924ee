# Two commands do all the set-up on a fresh machine:
#   make run   - create .venv, install kratomsim, run the default night report
#   make test  - create .venv, install everything (test extras, Debian's chromium), run ruff, mypy, pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT := out

.PHONY: run test lint typecheck pytest browser bench calibration clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	mkdir -p $(OUT)
	$(BIN)/kratomsim night --product K51 --dose 2g --at 22:30 --wake 06:30 --nights 7 \
		--plot $(OUT)/night.png --plot $(OUT)/night.html

# Browser tests drive Debian's chromium; install it when missing (the machines run as root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else echo "chromium missing and not root: browser tests will fail under CI"; fi; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test browser
	$(BIN)/pytest
	$(BIN)/pytest --doctest-modules src/kratomsim/__init__.py src/kratomsim/scenario.py src/kratomsim/interactions_report.py -q

test: lint typecheck pytest

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/cli_start.py
	$(BIN)/python benchmarks/web_night.py
	$(BIN)/python benchmarks/population.py
	$(BIN)/python benchmarks/audit.py

# Developer command: refit and rebuild the shipped PK parameter file (about a minute).
calibration: $(VENV)/.installed-run
	$(BIN)/kratomsim calibrate --out src/kratomsim/data/pk_parameters.yaml

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
