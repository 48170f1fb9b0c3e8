# One task runner. `make` (= `make test`) is the gate CI runs; `make demo` shows the product.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Tests and tools need some key; this one signs nothing that outlives the run.
TEST_ENV := SECRET_KEY=test-only-not-secret DJANGO_SETTINGS_MODULE=wallboard.settings

.DEFAULT_GOAL := test
.PHONY: test lint typecheck pytest demo fmt clean

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

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(TEST_ENV) $(BIN)/mypy .

pytest: $(VENV)/.dev
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

demo: $(VENV)/.runtime
	$(BIN)/python -m devstack.demo

fmt: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache staticfiles
