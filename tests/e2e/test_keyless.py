"""Keyless by design (issue 23, item 4): the provider takes a CSR, never a key, and its API password can be an
ephemeral value (Terraform 1.10+), which Terraform keeps out of plan files and state. What docs/guides/keyless.md
says was verified here is verified by these tests."""

from __future__ import annotations

import zipfile
from collections.abc import Callable

from provider import PROVIDER_SOURCE
from tests.e2e.harness import TerraformWorkdir
from tests.support import Sandbox, make_csr, order_hcl

EPHEMERAL_PROVIDER = f"""
terraform {{
  required_providers {{
    gogetssl = {{ source = "{PROVIDER_SOURCE}" }}
  }}
}}

variable "gogetssl_password" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

provider "gogetssl" {{
  password = var.gogetssl_password
}}
"""


def test_an_ephemeral_password_orders_and_is_in_no_plan_file_nor_state(
        workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox], monkeypatch) -> None:
    box = own_sandbox(password="Ephemeral-Secret-Pa55", timeout=None, retries=None)
    monkeypatch.delenv("GOGETSSL_PASSWORD")  # the password comes from the ephemeral variable only
    made = make_csr(key="ec256")
    workdir.write("site.csr", made.csr_pem)
    workdir.write("main.tf", EPHEMERAL_PROVIDER + order_hcl("site"))
    password = f"-var=gogetssl_password={box.password}"
    workdir.init()
    workdir.run("plan", "-input=false", "-no-color", "-out=tfplan", password)
    with zipfile.ZipFile(workdir.path / "tfplan") as plan:
        saved = b"".join(plan.read(name) for name in plan.namelist())
    assert box.password.encode() not in saved, "the password is in the saved plan"

    applied = workdir.run("apply", "-input=false", "-no-color", password, "tfplan").text

    assert "Apply complete! Resources: 1 added" in applied, applied
    order_id = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    assert box.order(order_id)["csr"].strip() == made.csr_pem.strip()
    state = workdir.state_file()
    assert box.password not in state and "PRIVATE KEY" not in state and made.key_pem not in state
    assert workdir.run("plan", "-detailed-exitcode", "-input=false", "-no-color", password).rc == 0
