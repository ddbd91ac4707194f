"""Provider functions through the bundled Terraform 1.15 (issue 23): what Terraform itself adds, which the
in-process tests (tests/unit/test_functions.py, tests/integration/test_dcv_records_function.py) cannot show:
the schema Terraform reads, its calls on an unconfigured provider, its wording of a refused argument, and a DNS
record planned with its value before the order exists."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, order_hcl, self_signed_certificate, unique_domain

UTC = dt.UTC


def test_functions_answer_in_terraform_on_an_unconfigured_provider(workdir: TerraformWorkdir) -> None:
    made = make_csr("fn.example.com", key="ec256", sans=["fn.example.com", "www.fn.example.com"])
    workdir.write("site.csr", made.csr_pem)
    workdir.write("site.pem", self_signed_certificate(
        "fn.example.com", ["fn.example.com"], dt.datetime(2026, 12, 1, tzinfo=UTC), dt.datetime(2027, 1, 10,
                                                                                                tzinfo=UTC)))
    workdir.write("main.tf", PROVIDER_BLOCK + """
locals {
  csr  = provider::gogetssl::csr_info(file("${path.module}/site.csr"))
  cert = provider::gogetssl::cert_info(file("${path.module}/site.pem"))
}
output "csr" { value = local.csr }
output "not_after" { value = local.cert.not_after }
output "soon" { value = provider::gogetssl::expires_within(local.cert.not_after, 45, "2026-12-06T20:00:00Z") }
output "later" { value = provider::gogetssl::expires_within(local.cert.not_after, 30, "2026-12-06T20:00:00Z") }
output "records" { value = provider::gogetssl::dcv_records(file("${path.module}/site.csr"), "Terraform0000001", "dns") }
""")
    workdir.init()
    workdir.apply()
    out = {k: v["value"] for k, v in json.loads(workdir.run("output", "-json").out).items()}
    assert out["csr"]["common_name"] == "fn.example.com" and out["csr"]["key_curve"] == "P-256"
    assert out["csr"]["dns_names"] == ["fn.example.com", "www.fn.example.com"]
    assert out["not_after"] == "2027-01-10T00:00:00Z"
    assert (out["soon"], out["later"]) == (True, False)
    assert [r["domain"] for r in out["records"]] == ["fn.example.com", "www.fn.example.com"]
    assert all(r["record_type"] == "CNAME" and r["record_value"].endswith(".Terraform0000001.sectigo.com")
               for r in out["records"])


def test_terraform_names_the_parameter_a_function_refuses(workdir: TerraformWorkdir) -> None:
    workdir.write("site.csr", make_csr().csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + """
output "records" { value = provider::gogetssl::dcv_records(file("${path.module}/site.csr"), "short", "dns") }
""")
    workdir.init()
    text = " ".join(workdir.plan(ok=(1,)).text.split())
    assert 'Invalid value for "unique_code" parameter: it is \'short\'; give 15 to 20 letters and digits' in text, text


def test_dns_records_from_dcv_records_are_known_on_the_first_plan_and_one_apply_issues_the_order(
        workdir: TerraformWorkdir, own_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    zone = tmp_path / "zone.json"
    box = own_sandbox("--dcv-dns-zone", str(zone), timeout=None, retries=None)
    base = unique_domain("planned")
    workdir.write("site.csr", make_csr(base, key="ec256", sans=[base, f"www.{base}"]).csr_pem)
    workdir.write("terraform.tfvars", f'dcv_dns_zone = "{zone}"\n')
    workdir.write("main.tf", PROVIDER_BLOCK + order_hcl(
        "site", product_id=67, dns_names=[f"www.{base}"], approver_emails=["dns"], unique_code="PlannedRecords01") + """
variable "dcv_dns_zone" { type = string }

locals {
  records = provider::gogetssl::dcv_records(file("${path.module}/site.csr"), "PlannedRecords01", "dns")
}

# Stands for a DNS provider's record resource: its values are known before the order exists.
resource "terraform_data" "dns_zone" {
  input = { for r in local.records : r.record_name => r.record_value }
  provisioner "local-exec" {
    command     = "printf '%s' \\"$ZONE\\" > \\"$ZONE_FILE\\""
    environment = { ZONE = jsonencode(self.input), ZONE_FILE = var.dcv_dns_zone }
  }
}

resource "gogetssl_ssl_order_validation" "site" {
  order_id                = gogetssl_ssl_order.site.order_id
  validation_record_fqdns = keys(terraform_data.dns_zone.output)
  timeouts {
    create = "2m"
  }
}
""")
    workdir.init()
    _, plan = workdir.saved_plan()
    (zone_change,) = [c for c in plan["resource_changes"] if c["address"] == "terraform_data.dns_zone"]
    planned = zone_change["change"]["after"]["input"]
    assert len(planned) == 2 and all(v.endswith(".PlannedRecords01.sectigo.com") for v in planned.values())
    assert not zone_change["change"]["after_unknown"].get("input"), "the record values are known at plan"

    workdir.run("apply", "-input=false", "-no-color", "tfplan")

    order_id = workdir.resource("gogetssl_ssl_order.site")["order_id"]
    assert box.order(order_id)["status"] == "active"
    published = json.loads(zone.read_text())
    assert published == planned
