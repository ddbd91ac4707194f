"""One owner per order, and no cancellation the plan did not show, through real Terraform: what Terraform adds
is the order of its calls (an import, a read, a plan per resource; `-replace` and taint planned as a create)
and which diagnostics it prints; the decisions themselves are tested in-process (tests/integration/
test_one_owner.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, order_hcl

pytestmark = pytest.mark.e2e


def _apply_one(wd: TerraformWorkdir, sb: Sandbox, *, status: str = "active") -> int:
    wd.write("a.csr", make_csr().csr_pem)
    wd.write("main.tf", PROVIDER_BLOCK + order_hcl("a", "a"))
    wd.init()
    wd.apply()
    order_id = int(wd.resource("gogetssl_ssl_order.a")["order_id"])
    if status != "processing":
        sb.set_status(order_id, status)
    return order_id


def test_an_order_imported_beside_the_resource_that_holds_it_fails_the_plan(workdir: TerraformWorkdir,
                                                                            sb: Sandbox):
    order_id = _apply_one(workdir, sb)
    # what `terraform query -generate-config-out` writes for an order the configuration already manages
    workdir.write("generated.tf", order_hcl("b", "a") + f'import {{\n  to = gogetssl_ssl_order.b\n'
                                                         f'  id = "{order_id}"\n}}\n')
    plan = workdir.plan(ok=(1,))
    assert f"Order {order_id} is held by two gogetssl_ssl_order resources" in plan.text
    assert f"This plan imports order {order_id}" in plan.text and "removed {" in plan.text
    # `terraform import` itself plans nothing: the next plan catches the second owner, and deleting the
    # second block then must not cancel the certificate the first keeps
    (workdir.path / "generated.tf").unlink()
    workdir.write("b.tf", order_hcl("b", "a"))
    workdir.import_("gogetssl_ssl_order.b", str(order_id))
    assert "held by two" in workdir.plan(ok=(1,)).text
    (workdir.path / "b.tf").unlink()
    # (whichever of the two Terraform plans first may still say what destroying it alone would do)
    assert "held by two" in workdir.run("apply", "-auto-approve", "-input=false", "-no-color", ok=(1,)).text
    assert sb.count("cancel_ssl_order") == 0
    workdir.write("b.tf", 'removed {\n  from = gogetssl_ssl_order.b\n  lifecycle {\n    destroy = false\n  }\n}\n')
    workdir.apply()
    assert sb.order(order_id)["status"] == "active" and sb.count("cancel_ssl_order") == 0
    assert workdir.plan().rc == 0


def test_replacing_a_processing_order_with_its_own_csr_fails_at_plan(workdir: TerraformWorkdir, sb: Sandbox):
    order_id = _apply_one(workdir, sb, status="processing")
    for how in (["-replace=gogetssl_ssl_order.a"], None):
        if how is None:
            workdir.run("taint", "gogetssl_ssl_order.a")
        result = workdir.run("apply", "-auto-approve", "-input=false", "-no-color", *(how or []), ok=(1,))
        assert f"Order {order_id} cannot be replaced while it is processing" in result.text
    assert sb.order(order_id)["status"] == "processing" and sb.count("cancel_ssl_order") == 0
    assert sb.count("/orders/add_ssl_order") == 1


def test_replacing_an_issued_order_says_it_cancels_its_certificate(workdir: TerraformWorkdir, sb: Sandbox):
    order_id = _apply_one(workdir, sb)
    # Terraform drops the warnings of a replacement's create plan: the old order's destroy_outcome says it,
    # in the rendered plan and in `terraform show -json` alike
    replace, plan = workdir.saved_plan("-replace=gogetssl_ssl_order.a")
    assert replace.rc == 2 and '~ destroy_outcome' in replace.text and '"cancel_for_refund" -> (known after apply)' \
        in replace.text, replace.text
    (change,) = [c["change"] for c in plan["resource_changes"]]
    assert change["actions"] == ["delete", "create"] and change["before"]["destroy_outcome"] == "cancel_for_refund"
    # the CI guide's script lists the cancellation beside the purchase
    plan_file = workdir.path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    script = Path(__file__).resolve().parents[2] / "examples" / "ci" / "purchases.py"
    listed = subprocess.run([sys.executable, str(script), str(plan_file)], capture_output=True, text=True,
                            check=True).stdout
    assert f"cancel_for_refund gogetssl_ssl_order.a: order {order_id} (active)" in listed, listed
    workdir.run("taint", "gogetssl_ssl_order.a")
    tainted = workdir.plan()
    assert tainted.rc == 2 and f"Replacing order {order_id} cancels its issued certificate" in tainted.text


def test_renaming_the_key_of_a_processing_order_fails_every_plan(workdir: TerraformWorkdir, sb: Sandbox):
    """Terraform plans the new key's create and the old key's destroy in parallel: whichever comes first, the
    plan fails (the old order would be cancelled, then the new one refused as its duplicate)."""
    def config(key: str) -> str:
        block = order_hcl("site", "site").replace("{\n", f'{{\n  for_each = toset(["{key}"])\n', 1)
        return PROVIDER_BLOCK + block

    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", config("a"))
    workdir.init()
    workdir.apply()
    workdir.write("main.tf", config("b"))
    for refresh in ("-refresh=true", "-refresh=true", "-refresh=true", "-refresh=false"):
        result = workdir.plan(refresh, ok=(1,))
        assert "cannot be replaced while it is processing" in result.text, result.text
    assert sb.count("cancel_ssl_order") == 0
