from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
