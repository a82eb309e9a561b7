# Two commands on a fresh machine: `make run` and `make test`.
# Each (re)builds .venv from pyproject.toml when it is missing or older than it.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/python main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_descent.py
	$(VENV)/bin/python benchmarks/bench_network.py
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python benchmarks/bench_gui.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
