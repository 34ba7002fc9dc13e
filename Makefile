# The README's two commands: `make run` and `make test`. Everything is installed from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test quick lint typecheck contracts unit bench bench-quick audit install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The peers the benchmarks compare against (bm25s), not needed to run or test docbot.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/docbot index
	$(BIN)/docbot console

lint: $(STAMP)
	$(BIN)/ruff check retrieval bot tests bench
	$(BIN)/ruff format --check retrieval bot tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The layers and forbidden imports declared in pyproject.toml ([tool.importlinter]).
contracts: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck contracts unit

# The edit loop: everything but the tests marked slow (subprocesses, faults, evaluation sets).
quick: $(STAMP)
	$(BIN)/pytest -q -m "not slow" -n 2

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.quality
	$(BIN)/python -m bench.telegram
	$(BIN)/python -m bench.telegram --chats 200 --per-chat 25 --burst 200 --hostile 0.05 --reindex
	$(BIN)/python -m bench.library_load --threads 8 --searches 1000
	$(BIN)/python -m bench.speed
	$(BIN)/python -m bench.open_time
	$(BIN)/python -m bench.build
	$(BIN)/python -m bench.coldstart

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m bench.speed --quick
	$(BIN)/python -m bench.build --passages 20000

# Known vulnerabilities in the installed dependencies (needs the vulnerability services online).
audit: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit --progress-spinner off

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
