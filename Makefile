# Two commands set everything up on a fresh machine with python3 and make: `make demo` and
# `make test`. uv comes from the package registry into .uv/; it installs into .venv exactly
# the versions in uv.lock (`--locked` refuses a uv.lock that no longer matches pyproject.toml:
# after changing dependencies, run `make lock` and commit uv.lock).
PYTHON     ?= python3
UV_VERSION := 0.13.8
VENV       := .venv
BIN        := $(VENV)/bin
UV         := .uv/bin/uv
UV_STAMP   := .uv/.installed-$(UV_VERSION)
# The interpreter is the one PYTHON names; uv must not try to download one. Bytecode is
# compiled at install, as pip did: with PYTHONDONTWRITEBYTECODE=1 (set on these machines)
# every process would otherwise recompile, and Prefect's server would take twice as long to start.
SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never \
        $(UV) sync --quiet --locked --compile-bytecode --python $(PYTHON) --no-default-groups

# One stamp per install, each a superset of the one before:
#   runtime (install, demo) < + notebooks (report) < + dask, dev tools (test, lint) < + bench.
# An install also touches the smaller ones' stamps, so `make demo` after `make test`
# installs nothing; a change to pyproject.toml or uv.lock makes every stamp stale.
RUNTIME   := $(VENV)/.installed-runtime
NOTEBOOKS := $(VENV)/.installed-notebooks
DEV       := $(VENV)/.installed-dev
BENCH     := $(VENV)/.installed-bench
DEPS      := pyproject.toml uv.lock $(UV_STAMP)
# pywb (the local wayback of the demo and tests) lives in its own environment: it pins
# redis 2.10, which Prefect's stack cannot share (tools/wayback/pyproject.toml).
WAYBACK   := .venv-wayback/.installed

.PHONY: wayback install demo test lint bench report lock clean chromium

install: $(RUNTIME)  ## the runtime only: the `verdicts` command and the Prefect flows

# Installs say one line each (the demo's output stays short when piped).
$(UV_STAMP):
	@echo "installing uv $(UV_VERSION) into .uv/"
	@rm -rf .uv
	@$(PYTHON) -m venv .uv
	@.uv/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION) 2>/dev/null || \
	  .uv/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@touch $@

$(RUNTIME): $(DEPS)
	@echo "installing the runtime into $(VENV)/ (uv.lock)"
	@$(SYNC)
	@touch $@

$(NOTEBOOKS): $(DEPS)
	@echo "installing the runtime and notebook packages into $(VENV)/ (uv.lock)"
	@$(SYNC) --extra notebooks
	@touch $(RUNTIME) $@

$(DEV): $(DEPS)
	@echo "installing the runtime, notebook, dask and dev packages into $(VENV)/ (uv.lock)"
	@$(SYNC) --extra notebooks --extra dask --group dev
	@touch $(RUNTIME) $(NOTEBOOKS) $@

$(BENCH): $(DEPS)
	@echo "installing everything, benchmark baselines included, into $(VENV)/ (uv.lock)"
	@$(SYNC) --extra notebooks --extra dask --group dev --group bench
	@touch $(RUNTIME) $(NOTEBOOKS) $(DEV) $@

$(WAYBACK): tools/wayback/pyproject.toml tools/wayback/uv.lock $(UV_STAMP)
	@echo "installing pywb into .venv-wayback/ (tools/wayback/uv.lock)"
	@cd tools/wayback && UV_PROJECT_ENVIRONMENT=../../.venv-wayback UV_PYTHON_DOWNLOADS=never \
	  ../../$(UV) sync --quiet --locked --compile-bytecode --python $(PYTHON)
	@touch $@

wayback: $(WAYBACK)  ## pywb alone, for `verdicts replica --wayback` and the backfill tests

demo: $(RUNTIME) $(WAYBACK)  ## the main job: 14 simulated nights crawled from the local replica
	@$(BIN)/verdicts demo

# The report's browser test looks at the HTML report in headless Chromium, from Debian's
# packages (installing it needs root, as on CI; elsewhere install `chromium` once yourself).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(DEV) $(WAYBACK) chromium  ## lint, import contracts, types, then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(DEV)
	$(BIN)/ruff check .

bench: $(BENCH)  ## every benchmark in bench/ (slow; figures go to the README by hand)
	$(BIN)/python -m bench

report: $(NOTEBOOKS)  ## run the notebooks on data/ and write their charts as PNG files to reports/
	$(BIN)/verdicts report

lock: $(UV_STAMP)  ## re-resolve uv.lock (and tools/wayback/uv.lock) after a dependency change
	UV_PYTHON_DOWNLOADS=never $(UV) lock --python $(PYTHON)
	cd tools/wayback && UV_PYTHON_DOWNLOADS=never ../../$(UV) lock --python $(PYTHON)

clean:
	rm -rf $(VENV) .venv-wayback .uv data reports
