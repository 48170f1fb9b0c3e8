# One task runner. `make` (= `make test`) is the gate CI runs; `make demo` shows the product.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Tests and tools need some key; this one signs nothing that outlives the run.
TEST_ENV := SECRET_KEY=test-only-not-secret DJANGO_SETTINGS_MODULE=wallboard.settings

.DEFAULT_GOAL := test
.PHONY: test lint typecheck pytest pytest-postgres screenshots demo soak bench fmt lock clean \
	image-test

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || \
		{ echo "Python's venv module is missing: sudo apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Installs come from the locks, never the inputs (docs/dependencies.md). A lock that carries hashes
# puts pip in hash-checking mode on its own; --require-hashes says so, and fails an unhashed line.
# pip itself is one of the locked packages, so its upgrade is pinned and hash-checked too.
$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# Recompile the locks after editing requirements*.txt. Universal resolution for Python 3.11+ with
# the hash of every file PyPI has for each version, so any OS, architecture and supported Python
# installs from them. The runtime lock constrains the dev one: tests run what production runs.
# Existing pins are kept unless an input moved them; LOCK_ARGS=--upgrade takes the newest releases.
LOCK := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(LOCK_ARGS)

lock: | $(VENV)/.dev
	$(LOCK) requirements.txt -o requirements.lock
	$(LOCK) -c requirements.lock requirements-dev.txt -o requirements-dev.lock

test: lint typecheck pytest pytest-postgres

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

# The tests where SQLite and PostgreSQL differ (migrations, concurrent writes, the audit log,
# reports, the sign-in throttle, the admin, history, TV pairing) run again on the PostgreSQL
# server at TEST_POSTGRES_URL (default: local, user postgres). None answering: a laptop skips
# them with a banner, CI (REQUIRE_POSTGRES=1) fails. See docs/operations.md.
POSTGRES_TESTS := tests/test_postgres.py tests/test_daybook_database.py tests/test_actions.py \
	tests/test_actions_hardening.py tests/test_actions_rules.py \
	tests/test_reports.py tests/test_login_throttle.py tests/test_admin.py \
	tests/test_admin_pbx_warnings.py tests/test_rebuild_history_command.py \
	tests/test_staffing_history.py tests/integration/test_rebuild_history.py \
	tests/test_tv_pairing.py tests/test_tv_revocation.py tests/test_alarm_ack.py \
	tests/test_agent_day_handover.py tests/test_intraday_api.py tests/test_demo_seed.py \
	tests/test_report_totals.py

pytest-postgres: $(VENV)/.dev
	$(TEST_ENV) $(BIN)/pytest --postgres $(POSTGRES_TESTS)

# Retake the README's screenshots (docs/screenshots/) with the browser tests that show them.
screenshots: $(VENV)/.dev
	UPDATE_SCREENSHOTS=1 REQUIRE_BROWSER=1 $(TEST_ENV) $(BIN)/pytest \
		tests/integration/test_browser.py tests/integration/test_tv_kiosk.py \
		tests/integration/test_intraday_browser.py tests/integration/test_reports_browser.py

demo: $(VENV)/.runtime
	$(BIN)/python -m devstack.demo

# The Dockerfile's image, on a base made from Debian packages (no registry needed), runs the
# compose set until a board is live, then all is removed (docs/operations.md). Needs root (or
# a running dockerd), docker-compose and debootstrap; exit 3 when Docker cannot run here.
image-test: $(VENV)/.runtime
	$(BIN)/python -m devstack.image_test

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
	$(BIN)/python -m bench.reports --repeat 3

fmt: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules .demo .pytest_cache .mypy_cache .ruff_cache staticfiles
