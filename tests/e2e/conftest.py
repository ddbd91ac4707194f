"""The e2e fixtures: a working directory per test, and sandboxes of a test's own that the provider talks to
(`terraform_env`, Terraform set up against the session's sandbox, is in tests/conftest.py: the soak uses it too)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import Sandbox


@pytest.fixture
def workdir(terraform_env: None, tmp_path: Path) -> Iterator[TerraformWorkdir]:
    """A Terraform working directory of the test's own. Nothing is destroyed at the end: the orders a test
    placed live in a sandbox thrown away with it (or in the session's, where tests tell orders apart by id
    and domain), and a teardown destroy checked nothing while it took a quarter of the ring's time. A test
    about destroying destroys, and asserts what it did."""
    yield TerraformWorkdir(tmp_path / "tf")


@pytest.fixture
def own_sandbox(terraform_env: None, new_sandbox: Callable[..., Sandbox],
                monkeypatch: pytest.MonkeyPatch) -> Callable[..., Sandbox]:
    """Start a sandbox of the test's own (extra CLI flags; Sandbox's keyword arguments such as password) and
    point the provider at it, its credentials included. By default with a short request timeout (2 s) and 2
    retries, so that faults play out quickly; `timeout` or `retries` None leaves the provider's default."""

    def start(*flags: str, timeout: float | None = 2, retries: int | None = 2, **kwargs: Any) -> Sandbox:
        box = new_sandbox(*flags, **kwargs)
        monkeypatch.setenv("GOGETSSL_API_URL", box.url)
        monkeypatch.setenv("GOGETSSL_USERNAME", box.user)
        monkeypatch.setenv("GOGETSSL_PASSWORD", box.password)
        for env, value in (("GOGETSSL_REQUEST_TIMEOUT", timeout), ("GOGETSSL_MAX_RETRIES", retries)):
            if value is None:
                monkeypatch.delenv(env, raising=False)
            else:
                monkeypatch.setenv(env, str(value))
        return box

    return start


@pytest.fixture
def sb(own_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A sandbox of the test's own, so that moving its clock or injecting faults touches no other test; the
    provider talks to it with its default timeout and retries."""
    return own_sandbox(timeout=None, retries=None)
