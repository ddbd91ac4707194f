"""Importing gogetssl_ssl_order, in-process against the sandbox (tests/support.py import_run: the import, the
refresh of what it returned and the plan, in one provider, as `terraform plan` with an `import` block runs them):
an order of every product type, configured as docs/guides/adopt.md says, plans clean, and a bad id is a clear
error. Moved from tests/e2e (issue 21); Terraform's own import paths (an `import` block, `terraform import`)
are tested there once each, in tests/e2e/test_ssl_order.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tf.iface import ImportContext
from tf.utils import Diagnostics

from provider.resources.ssl_order import SslOrderResource
from tests.support import ORGANIZATION, Sandbox, errors_of, import_run, make_csr, new_provider, order_config, plan_run


@pytest.mark.parametrize("product_id, extra, wildcard", [
    (65, {}, False),
    (66, {"dcv_method": "dns"}, True),
    (67, {"dcv_method": "dns", "dns_names": ["a.{cn}", "b.{cn}"], "approver_emails": ["dns", "http"]}, False),
    (68, ORGANIZATION, False),
    (69, ORGANIZATION, False),
    (71, {"dcv_method": "email", "approver_email": "admin@{cn}"}, False),
], ids=["dv", "wildcard", "multi-domain", "ov", "ev", "rapidssl-email"])
def test_import_of_each_product_type_plans_clean(sandbox: Sandbox, product_id: int, extra: dict[str, Any],
                                                 wildcard: bool):
    base = make_csr().common_name
    kc = make_csr(("*." if wildcard else "") + base)
    args = json.loads(json.dumps({"dcv_method": "http", **extra}).replace("{cn}", base))
    order_id = sandbox.place(kc.csr_pem, product_id=product_id, **args)  # as another tool would
    # every import starts with renewal and reissue off (adopting buys nothing): the configuration says so too
    config = order_config(csr=kc.csr_pem, product_id=product_id, renew_before_days=0, reissue_before_days=0, **args)
    plan = import_run(sandbox, order_id, config)  # "1 to import, 0 to add, 0 to change, 0 to destroy"
    assert plan.actions == ["no-op"] and not plan.errors, (plan.changed, plan.diags.diagnostics)
    assert plan.prior is not None and plan.prior["order_id"] == order_id
    assert plan_run(sandbox, plan.prior, config).actions == ["no-op"]  # the plan after the apply


def test_import_of_an_unknown_or_malformed_id_is_a_clear_error(sandbox: Sandbox):
    resource = SslOrderResource(new_provider(sandbox))
    bad = Diagnostics()
    assert resource.import_(ImportContext(bad, "gogetssl_ssl_order"), "abc") is None
    assert errors_of(bad) == ["Invalid import id"]
    missing = Diagnostics()
    assert resource.import_(ImportContext(missing, "gogetssl_ssl_order"), "42") is None
    assert errors_of(missing) == ["Order 42 not found"]
