# Krea Studio. `make run` starts the portal; `make test` runs the test suite.
# Needs only Python 3.11+ and make: the first run bootstraps uv and the locked dependencies.

PYTHON ?= python3
# pytest-xdist workers: one per core by default; each has its own test database.
TEST_WORKERS ?= auto
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))

.PHONY: run test lint format install clean

run: $(VENV)/.installed
	bin/run

test: $(VENV)/.installed
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --durations=15 $(PYTEST_ARGS)

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
