"""The provider serves functions and actions (protocol 6.10's action schemas) beside its resources; Terraform
versions that know neither must still initialise, plan and apply with it (issue 23): 1.0.3, the oldest this
provider supports, and 1.11.4, the last before actions."""

from __future__ import annotations

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, TERRAFORM_1_0, TERRAFORM_1_11, Sandbox, make_csr, older_terraform, order_hcl


@pytest.mark.parametrize("version, installed", [("1.0", TERRAFORM_1_0), ("1.11", TERRAFORM_1_11)])
def test_an_older_terraform_initialises_plans_and_applies_an_order(
        version: str, installed, workdir: TerraformWorkdir, sb: Sandbox) -> None:
    if not installed.exists():
        pytest.skip(f"Terraform {version} is installed by the Makefile on Linux x86_64 only")
    workdir.write("site.csr", make_csr(key="ec256").csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site"))

    def tf(*args: str) -> str:
        run = older_terraform(version, workdir.path, *args)
        assert run.returncode == 0, f"terraform {' '.join(args)}:\n{run.stdout}{run.stderr}"
        return run.stdout

    assert f"Terraform v{version}." in tf("version")
    tf("init", "-input=false")
    assert "1 to add" in tf("plan", "-input=false")
    tf("apply", "-auto-approve", "-input=false")
    order_id = workdir.state()["values"]["root_module"]["resources"][0]["values"]["order_id"]
    assert sb.order(order_id)["status"] == "processing"
    assert "No changes" in tf("plan", "-input=false")
