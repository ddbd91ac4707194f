"""Actions through the bundled Terraform 1.15 (issue 23): `terraform plan -invoke` and `apply -invoke` of
gogetssl_recheck_validation and gogetssl_resend_approver_email, and an `action_trigger` that rechecks an
order's validation the moment its DNS records are published. In-process cases: tests/integration/test_actions.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, order_hcl, unique_domain

CODE = "ActionsTrigger001"


def _dns_config(base: str, trigger: bool) -> str:
    """A dns-validated order whose records (from dcv_records) a terraform_data publishes into the sandbox's
    zone file, and the recheck action for it, fired by the records' creation when `trigger`."""
    lifecycle = """
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.gogetssl_recheck_validation.site]
    }
  }""" if trigger else ""
    return PROVIDER_BLOCK + order_hcl("site", product_id=67, dns_names=[f"www.{base}"], approver_emails=["dns"],
                                      unique_code=CODE) + f"""
variable "dcv_dns_zone" {{ type = string }}

action "gogetssl_recheck_validation" "site" {{
  config {{
    order_id = gogetssl_ssl_order.site.order_id
  }}
}}

resource "terraform_data" "dns_zone" {{
  input = {{ for r in provider::gogetssl::dcv_records(file("${{path.module}}/site.csr"), "{CODE}", "dns") :
            r.record_name => r.record_value }}
  provisioner "local-exec" {{
    command     = "printf '%s' \\"$ZONE\\" > \\"$ZONE_FILE\\""
    environment = {{ ZONE = jsonencode(self.input), ZONE_FILE = var.dcv_dns_zone }}
  }}
  depends_on = [gogetssl_ssl_order.site]{lifecycle}
}}
"""


def _setup(workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox], tmp_path: Path,
           trigger: bool) -> Sandbox:
    zone = tmp_path / "zone.json"
    box = own_sandbox("--dcv-dns-zone", str(zone), timeout=None, retries=None)
    base = unique_domain("act")
    workdir.write("site.csr", make_csr(base, key="ec256", sans=[base, f"www.{base}"]).csr_pem)
    workdir.write("terraform.tfvars", f'dcv_dns_zone = "{zone}"\n')
    workdir.write("main.tf", _dns_config(base, trigger))
    workdir.init()
    return box


def test_an_action_trigger_rechecks_validation_once_the_records_are_published(
        workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    box = _setup(workdir, own_sandbox, tmp_path, trigger=True)
    plan = workdir.plan().text
    assert 'action "gogetssl_recheck_validation" "site"' in plan and "Actions: 1 to invoke" in plan, plan

    applied = workdir.apply().text

    order_id = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    assert f"order {order_id} is issued (active)" in applied, applied
    assert box.order(order_id)["status"] == "active", "issued by the recheck alone: no waiter, no poll"


def test_plan_and_apply_invoke_the_recheck_and_print_the_cas_answer(
        workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    box = _setup(workdir, own_sandbox, tmp_path, trigger=False)
    (tmp_path / "zone.json").write_text("{}")
    workdir.apply()
    order_id = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    (tmp_path / "zone.json").write_text("{}")  # the records withdrawn: the CA finds nothing

    planned = workdir.run("plan", "-invoke=action.gogetssl_recheck_validation.site", "-no-color").text
    assert "action.gogetssl_recheck_validation.site" in planned and "will be invoked" in planned, planned

    invoked = workdir.run("apply", "-invoke=action.gogetssl_recheck_validation.site", "-auto-approve",
                          "-no-color").text
    assert "no CNAME record" in invoked and invoked.count("pending") >= 2, invoked
    assert box.order(order_id)["status"] == "processing"


def test_apply_invoke_resends_the_approval_email(workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox]
                                                 ) -> None:
    box = own_sandbox(timeout=None, retries=None)
    made = make_csr(key="ec256")
    workdir.write("site.csr", made.csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl("site", dcv_method="email",
                                                        approver_email=f"admin@{made.common_name}") + """
action "gogetssl_resend_approver_email" "site" {
  config {
    order_id = gogetssl_ssl_order.site.order_id
  }
}
""")
    workdir.init()
    workdir.apply()
    order_id = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    planned = workdir.run("plan", "-invoke=action.gogetssl_resend_approver_email.site", "-no-color").text
    assert "Actions: 1 to invoke" in planned, planned
    assert box.order(order_id)["emails_sent"] == [], "a plan sends nothing"

    invoked = workdir.run("apply", "-invoke=action.gogetssl_resend_approver_email.site", "-auto-approve",
                          "-no-color").text

    assert f"{made.common_name}: approval e-mail sent again to admin@{made.common_name}" in invoked, invoked
    assert [m["to"] for m in box.order(order_id)["emails_sent"]] == [f"admin@{made.common_name}"]
    assert json.loads(workdir.run("show", "-json").out)["values"]["root_module"]["resources"][0]["values"][
        "order_id"] == order_id, "the state is as it was"
