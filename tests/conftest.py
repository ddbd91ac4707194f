"""Fixtures for every ring: sandboxes (one shared by the session, and ones a test starts for itself) and
Terraform pointed at the session's sandbox through a private filesystem mirror (e2e and soak)."""

from __future__ import annotations

import compileall
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import provider
from provider.main import install, mirror_cli_config
from tests.support import Sandbox


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the provider's modules once: every sandbox and plugin a test starts is a new Python, and where
    bytecode may not be written (PYTHONDONTWRITEBYTECODE) each would compile them from source again."""
    compileall.compile_dir(Path(provider.__file__).resolve().parent, quiet=2)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One sandbox for the session; tests tell their orders apart by id and domain."""
    sb = Sandbox(Path(tmp_path_factory.mktemp("sandbox")) / "sandbox.db")
    yield sb
    sb.stop()


@pytest.fixture
def new_sandbox(tmp_path: Path) -> Iterator[Callable[..., Sandbox]]:
    """Start a sandbox of the test's own: new_sandbox(*cli_flags, password=...) (Sandbox's arguments after the
    database). Its clock, faults and settings touch no other test; every one started is stopped at the end."""
    boxes: list[Sandbox] = []

    def start(*flags: str, **kwargs: Any) -> Sandbox:
        box = Sandbox(tmp_path / f"sandbox-{len(boxes)}.db", *flags, **kwargs)
        boxes.append(box)
        return box

    yield start
    for box in boxes:
        box.stop()


@pytest.fixture(scope="session")
def terraform_env(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Install the provider into a private filesystem mirror and point Terraform and the plugin at the sandbox."""
    root = Path(tmp_path_factory.mktemp("terraform"))
    install(root / "plugins")
    rc = root / "terraformrc"
    rc.write_text(mirror_cli_config(root / "plugins"))
    mp = pytest.MonkeyPatch()
    mp.setenv("TF_CLI_CONFIG_FILE", str(rc))
    mp.setenv("TF_IN_AUTOMATION", "1")
    mp.setenv("CHECKPOINT_DISABLE", "1")
    mp.delenv("TF_PLUGIN_CACHE_DIR", raising=False)
    mp.delenv("TF_LOG", raising=False)
    mp.setenv("GOGETSSL_API_URL", sandbox.url)
    mp.setenv("GOGETSSL_USERNAME", sandbox.user)
    mp.setenv("GOGETSSL_PASSWORD", sandbox.password)
    yield
    mp.undo()
