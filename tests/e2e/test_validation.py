"""Bad input never reaches the API, through real Terraform: a bad configuration fails `terraform plan` with a
diagnostic Terraform prints on the attribute's line, and the sandbox receives no add_ssl_order request. The
whole matrix of bad configurations runs in-process (tests/integration/test_config_validation.py); here, one
case per kind of rule, and what only Terraform shows (validate without credentials, unknown values)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, csr_of_kind, make_csr, order_hcl

pytestmark = pytest.mark.e2e


# What Terraform adds to the provider's answer, once per kind of rule (the whole matrix of bad configurations
# runs in-process, tests/integration/test_config_validation.py): (case id, attribute expected in the
# diagnostic, text expected in its summary, config overrides of an http-validated minimal order, CSR kind).
CASES: list[tuple[str, str, str, dict[str, Any], str | None]] = [
    # a static rule, at validate: the attribute's line is printed under the diagnostic
    ("dcv-unknown-method", "dcv_method", "Invalid dcv_method", {"dcv_method": "ftp"}, None),
    # a missing attribute: no line to point at, the summary names it
    ("dcv-email-without-approver", "approver_email", "approver_email is required", {"dcv_method": "email"}, None),
    # a rule of the product catalogue, at plan (the provider configured)
    ("product-unknown", "product_id", "Unknown product_id", {"product_id": 999}, None),
    # a CSR rule on a value read from a file
    ("csr-bad-signature", "csr", "Invalid csr", {}, "tampered"),
]



def config(overrides: dict[str, Any]) -> str:
    """The configuration of a case: its overrides of an http-validated minimal order "site", whose csr is the
    file site.csr unless the overrides carry one."""
    return PROVIDER_BLOCK + order_hcl("site", **{"dcv_method": "http", **overrides})


@pytest.fixture(scope="module")
def shared_workdir(terraform_env: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TerraformWorkdir]:
    wd = TerraformWorkdir(Path(tmp_path_factory.mktemp("validation")))
    wd.write("main.tf", PROVIDER_BLOCK)
    wd.init()
    yield wd


def diagnostics(result_text: str) -> list[dict[str, Any]]:
    out = []
    for line in result_text.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("type") == "diagnostic" and msg["diagnostic"]["severity"] == "error":
            out.append(msg["diagnostic"])
    return out


@pytest.mark.parametrize("case_id, attribute, summary, overrides, csr_kind", CASES, ids=[c[0] for c in CASES])
def test_bad_configuration_fails_plan_naming_the_attribute(shared_workdir: TerraformWorkdir, sandbox: Sandbox,
                                                           case_id, attribute, summary, overrides, csr_kind):
    kc = make_csr()
    csr = csr_of_kind(csr_kind) if csr_kind not in (None, "literal", "san-primary") else kc.csr_pem
    if csr_kind == "san-primary":
        overrides = {**overrides, "dns_names": ["www." + kc.common_name, kc.common_name.upper()]}
    shared_workdir.write("site.csr", csr)
    text = config(overrides)
    shared_workdir.write("main.tf", text)
    adds = sandbox.count("add_ssl_order")

    result = shared_workdir.run("plan", "-json", "-input=false", "-detailed-exitcode", ok=(1,))

    diags = diagnostics(result.out)
    assert diags, result.text
    matching = [d for d in diags if summary in d["summary"]]
    assert matching, f"no diagnostic with {summary!r}: {[d['summary'] for d in diags]}"
    d = matching[0]
    if f"\n  {attribute} =" in text:
        # The diagnostic points at the attribute: Terraform shows that attribute's line of the configuration.
        assert d["snippet"]["code"].lstrip().startswith(attribute), d["snippet"]["code"]
    else:
        # A missing attribute has no line to point at: the summary names it.
        assert attribute in d["summary"]
    assert d["detail"], "the detail must say what is accepted"
    assert "Traceback" not in result.text and "rpc error" not in result.text
    assert sandbox.count("add_ssl_order") == adds


def test_all_problems_are_reported_together(shared_workdir: TerraformWorkdir):
    shared_workdir.write("site.csr", make_csr().csr_pem)
    shared_workdir.write("main.tf", config({"admin_email": "x", "tech_phone": "no", "signature_hash": "MD5"}))
    result = shared_workdir.run("plan", "-json", "-input=false", ok=(1,))
    summaries = sorted(d["summary"] for d in diagnostics(result.out))
    assert summaries == ["Invalid admin_email", "Invalid signature_hash", "Invalid tech_phone"]


def test_validate_alone_catches_static_rules_without_credentials(shared_workdir: TerraformWorkdir,
                                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GOGETSSL_PASSWORD")
    shared_workdir.write("site.csr", make_csr().csr_pem)
    shared_workdir.write("main.tf", config({"dcv_method": "ftp"}))
    result = shared_workdir.run("validate", "-no-color", ok=(1,))
    assert "Invalid dcv_method" in result.text


def test_values_unknown_at_plan_are_checked_at_apply_before_ordering(workdir: TerraformWorkdir, sandbox: Sandbox):
    workdir.write("main.tf", PROVIDER_BLOCK + """
resource "terraform_data" "csr" {
  input = "this is not a CSR"
}
""" + order_hcl("site", csr_expr="terraform_data.csr.output", dcv_method="http"))
    workdir.init()
    plan = workdir.plan()
    assert plan.rc == 2 and "Invalid csr" not in plan.text  # unknown at plan: skipped, not an error
    adds = sandbox.count("add_ssl_order")
    result = workdir.apply(ok=(1,))
    assert "Invalid csr" in result.text
    assert sandbox.count("add_ssl_order") == adds
    state = workdir.state()
    addresses = [r["address"] for r in state.get("values", {}).get("root_module", {}).get("resources", [])]
    assert "gogetssl_ssl_order.site" not in addresses
