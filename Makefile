# Two entry points: `make demo` and `make test`. Each builds its own virtual
# environment on first use, so a fresh machine needs only Python 3.11 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/sheetcrm: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,charts]'
	touch $@

demo: $(BIN)/sheetcrm
	$(BIN)/sheetcrm demo demo-crm

test: $(BIN)/sheetcrm
	$(BIN)/python -m pytest

lint: $(BIN)/sheetcrm
	$(BIN)/ruff check sheetcrm tests benchmarks
	$(BIN)/ruff format --check sheetcrm tests benchmarks

bench: $(BIN)/sheetcrm
	$(BIN)/python benchmarks/bench_commands.py

clean:
	rm -rf $(VENV) demo-crm
