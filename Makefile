# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench report clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## the main job: 14 simulated nights crawled from the local replica
	$(BIN)/verdicts demo

test: $(STAMP)  ## lint, then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)  ## every benchmark in bench/ (slow; figures go to the README by hand)
	$(BIN)/python -m bench

report: $(STAMP)  ## run the notebooks on data/ and write their charts as PNG files to reports/
	$(BIN)/verdicts report

clean:
	rm -rf $(VENV) data reports
