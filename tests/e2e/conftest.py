from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provider.main import install
from tests.e2e.harness import TerraformWorkdir
from tests.support import Sandbox

PROVIDER_BLOCK = """
terraform {
  required_providers {
    gogetssl = { source = "gogetssl/gogetssl" }
  }
}
provider "gogetssl" {}
"""


@pytest.fixture(scope="session")
def terraform_env(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Install the provider into a private filesystem mirror and point Terraform and the plugin at the sandbox."""
    root = Path(tmp_path_factory.mktemp("terraform"))
    install(root / "plugins")
    rc = root / "terraformrc"
    rc.write_text(
        'provider_installation {\n'
        f'  filesystem_mirror {{\n    path = "{root / "plugins"}"\n'
        '    include = ["registry.terraform.io/gogetssl/gogetssl"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/gogetssl/gogetssl"]\n  }\n}\n'
    )
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


@pytest.fixture
def workdir(terraform_env: None, tmp_path: Path) -> Iterator[TerraformWorkdir]:
    wd = TerraformWorkdir(tmp_path / "tf")
    yield wd
    # Teardown always destroys what a test left behind.
    if (wd.path / "terraform.tfstate").exists():
        wd.run("destroy", "-auto-approve", "-input=false", "-no-color", ok=(0, 1))


@pytest.fixture
def own_sandbox(terraform_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Start a sandbox of the test's own, with extra flags, and point the provider at it with a short
    request timeout (2 s) and 2 retries, so that faults play out quickly."""
    boxes: list[Sandbox] = []

    def start(*flags: str, timeout: float = 2, retries: int = 2) -> Sandbox:
        box = Sandbox(tmp_path / f"own-{len(boxes)}.db", *flags)
        boxes.append(box)
        monkeypatch.setenv("GOGETSSL_API_URL", box.url)
        monkeypatch.setenv("GOGETSSL_REQUEST_TIMEOUT", str(timeout))
        monkeypatch.setenv("GOGETSSL_MAX_RETRIES", str(retries))
        return box

    yield start
    for box in boxes:
        box.stop()
