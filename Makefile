# Each target creates the virtualenv it needs; only Python 3.11+ and make are assumed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: bench soak demo test test-unit test-integration test-e2e lint schema docs clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,lint]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m provider.devtools.demo

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider --ignore=tests/soak tests

# Bounded by SOAK_RESOURCES (20), SOAK_ROUNDS (10) and SOAK_SEED.
soak: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider --timeout=1900 tests/soak

test-unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

test-integration: $(STAMP)
	$(PY) -m pytest -q tests/integration

test-e2e: $(STAMP)
	$(PY) -m pytest -q tests/e2e

bench: $(STAMP)
	$(PY) bench/startup.py

lint: $(STAMP)
	$(VENV)/bin/ruff check provider tests
	$(VENV)/bin/mypy provider

clean:
	rm -rf $(VENV) .demo .pytest_cache

schema: $(STAMP)
	UPDATE_SCHEMA=1 $(PY) -m pytest -q -rs tests/e2e/test_schema.py

docs: $(STAMP)
	$(PY) -m provider.devtools.docs
