# One task runner. `make` (= `make test`) is the gate CI runs; `make demo` shows the product.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Tests and tools need some key; this one signs nothing that outlives the run.
TEST_ENV := SECRET_KEY=test-only-not-secret DJANGO_SETTINGS_MODULE=wallboard.settings

.DEFAULT_GOAL := test
.PHONY: test lint typecheck pytest screenshots demo soak bench fmt clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || \
		{ echo "Python's venv module is missing: sudo apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

test: lint typecheck pytest

# ESLint for static/ (package.json is for linting only): npm ci again whenever the lockfile changes.
node_modules/.installed: package.json package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || \
		{ echo "make lint needs Node.js 18.18+ and npm for ESLint: sudo apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: $(VENV)/.dev node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/eslint

typecheck: $(VENV)/.dev
	$(TEST_ENV) $(BIN)/mypy .

pytest: $(VENV)/.dev
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# Retake the README's screenshots (docs/screenshots/) with the browser tests that show them.
screenshots: $(VENV)/.dev
	UPDATE_SCREENSHOTS=1 REQUIRE_BROWSER=1 $(TEST_ENV) $(BIN)/pytest \
		tests/integration/test_browser.py tests/integration/test_tv_kiosk.py

demo: $(VENV)/.runtime
	$(BIN)/python -m devstack.demo

# The whole product under random faults; SOAK_MINUTES, SOAK_SCREENS, SOAK_PBX_DOWN_S, SOAK_SEED.
soak: $(VENV)/.dev
	$(TEST_ENV) $(BIN)/pytest -m soak -s --timeout 0 tests/integration/test_soak.py \
		--soak-minutes $(or $(SOAK_MINUTES),10) --soak-screens $(or $(SOAK_SCREENS),50) \
		--soak-pbx-down-s $(or $(SOAK_PBX_DOWN_S),60) --soak-seed $(or $(SOAK_SEED),1)

# A short standard set of benchmarks (docs/performance.md): tables on stdout, JSON in
# bench/results/. Figures only, never pass/fail; on a shared machine they are noisy.
bench: $(VENV)/.dev
	$(BIN)/python -m bench.worker --events 10000
	$(BIN)/python -m bench.fanout --scenario small --events-per-s 20 --screens 50 --duration 10
	$(BIN)/python -m bench.fanout --scenario contact-centre --events-per-s 300 --screens 300 \
		--duration 10
	$(BIN)/python -m bench.render --agents 1000 --queues 10 --deltas 5000
	$(BIN)/python -m bench.accuracy --minutes 5

fmt: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules .demo .pytest_cache .mypy_cache .ruff_cache staticfiles
