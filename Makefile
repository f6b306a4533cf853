PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config.yaml
BINDIR ?= $(HOME)/.local/bin

.PHONY: run test test-slow test-all lint bench bench-extract coverage mutate setup install uninstall

$(BIN)/newswatch: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/newswatch
	$(BIN)/pip install --quiet -e '.[test]'
	@# the browser tests drive Debian's chromium; as root, install it if it is missing
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	      chromium chromium-driver) >/dev/null \
	    || echo "could not install chromium: the browser tests will be skipped"; \
	  else echo "chromium is missing (not root): the browser tests will be skipped"; fi; \
	fi
	touch $@

setup: $(BIN)/newswatch

# `newswatch` on PATH: a link to the venv's script (which knows its own Python).
install: $(BIN)/newswatch
	@mkdir -p $(BINDIR)
	@ln -sf $(abspath $(BIN))/newswatch $(BINDIR)/newswatch
	@echo "$(BINDIR)/newswatch -> $(abspath $(BIN))/newswatch"
	@case ":$$PATH:" in *":$(BINDIR):"*) ;; *) echo "$(BINDIR) is not on your PATH;" \
	  "add it: echo 'export PATH=\"$(BINDIR):\$$PATH\"' >> ~/.profile, then open a new shell";; esac

uninstall:
	@if [ "$$(readlink $(BINDIR)/newswatch)" = "$(abspath $(BIN))/newswatch" ]; then \
	  rm $(BINDIR)/newswatch && echo "removed $(BINDIR)/newswatch"; fi

run: $(BIN)/newswatch
	$(BIN)/newswatch --config $(CONFIG) run

test: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: $(VENV)/.test-extras
	$(BIN)/python -m pytest -q -m slow; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

test-all: test test-slow

lint: $(VENV)/.test-extras
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(VENV)/.test-extras
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/crawl_site.py
	$(BIN)/python benchmarks/matching.py
	$(BIN)/python benchmarks/extraction.py
	$(BIN)/python benchmarks/extraction_classes.py
	$(BIN)/python benchmarks/service_memory.py
	$(BIN)/python benchmarks/many_sources.py
	$(BIN)/python benchmarks/archive_scale.py --plot
	$(BIN)/python benchmarks/serve_ttfb.py
	$(BIN)/python benchmarks/discovery.py

bench-extract: $(VENV)/.test-extras
	$(BIN)/python benchmarks/extraction.py
	@echo
	$(BIN)/python benchmarks/extraction_classes.py

# Benchmarks of the suite itself, not tests (docs/testing.md). Coverage counts every Python the
# tests start (the CLI, the service, crawl workers: pyproject's [tool.coverage.run]).
COVERAGE_DATA := $(CURDIR)/.coverage-data
coverage: $(VENV)/.test-extras
	$(BIN)/pip install --quiet -e '.[bench]'
	rm -rf $(COVERAGE_DATA) && mkdir -p $(COVERAGE_DATA)
	COVERAGE_FILE=$(COVERAGE_DATA)/coverage $(BIN)/coverage run -m pytest -q -m "not slow" \
	  -p no:cacheprovider; rc=$$?; \
	COVERAGE_FILE=$(COVERAGE_DATA)/coverage $(BIN)/coverage combine -q && \
	COVERAGE_FILE=$(COVERAGE_DATA)/coverage $(BIN)/coverage json -q -o $(COVERAGE_DATA)/coverage.json && \
	$(BIN)/python benchmarks/coverage_packages.py $(COVERAGE_DATA)/coverage.json; exit $$rc

# Mutation testing ([tool.mutmut] in pyproject.toml): CPU-heavy; MUTANTS='crawler.urls*' runs
# one module, MUTATE_JOBS sets the parallelism. Results are kept in mutants/ between runs.
MUTATE_JOBS ?= 2
MUTANTS ?=
mutate: $(VENV)/.test-extras
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/mutmut run --max-children $(MUTATE_JOBS) $(MUTANTS) >/dev/null
	$(BIN)/python benchmarks/mutation_scores.py --survivors
