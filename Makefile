# Krea Studio. `make run` starts the portal; `make test` runs the test suite.
# Needs only Python 3.11+ and make: the first run bootstraps uv and the locked dependencies.

PYTHON ?= python3
# pytest-xdist workers, each with its own test database: two per core by default. The
# browser and scenario tests spend part of their time waiting (on the live server, the
# simulator's clock, Chromium), so a second worker per core fills that time with other
# tests. The suite puts its long tests first (tests/conftest.py) and the workers take one
# test at a time, so the long ones run side by side at the start and no worker is left
# alone with one at the end.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))
# Compile the dependencies' bytecode once, at install: otherwise each test worker compiles
# Django, DRF, Celery, Playwright and the rest itself on a fresh clone, some 8 s of CPU each.
export UV_COMPILE_BYTECODE := 1

.PHONY: run test lint format install clean

run: $(VENV)/.installed
	bin/run

# Each worker imports and collects every test module: with bytecode caching off
# (PYTHONDONTWRITEBYTECODE, set in many shells and images) every worker compiles the
# project and rewrites every test's asserts again, some 15 s of CPU each. Keep the caches.
test: export PYTHONDONTWRITEBYTECODE :=
test: $(VENV)/.installed
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist load --maxschedchunk 1 --durations=15 $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(VENV)/.installed

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Re-sync only when the lockfile changes, so a second `make run` starts in seconds.
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

clean:
	rm -rf $(VENV) .uv var staticfiles .pytest_cache .ruff_cache
