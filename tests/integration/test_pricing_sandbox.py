"""What a plan of gogetssl_ssl_order says an order costs, against what the sandbox then charges: the account's
price (not the CA's `prices.vendor`), the SANs the product includes (from getProductDetails) free, and tax on
top at the rate of the account's latest invoice, counted by the balance check (docs/vendor-api.md §9.3).

In-process: the resource's plan and create run against a sandbox of the test's own, as Terraform would call
them (a new provider per command, computed attributes unknown until planned)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from tf.iface import CreateContext
from tf.utils import Diagnostics

from provider.provider import GoGetSSLProvider
from provider.resources.ssl_order import SslOrderResource
from provider.tfext.context import ResourcePlanContext
from tests.support import Sandbox, errors_of, make_csr, new_provider, plan_create

Start = Callable[..., Sandbox]


def apply_create(provider: GoGetSSLProvider, planned: dict[str, Any]) -> dict[str, Any]:
    diags = Diagnostics()
    state = SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), planned)
    assert state is not None and not [d for d in diags.diagnostics if d.severity == "error"], diags.diagnostics
    return state


def purchase_warning(diags: Diagnostics) -> str:
    (detail,) = [d.detail for d in diags.diagnostics if d.summary.startswith("This plan buys a certificate")]
    return detail


def invoice_of(box: Sandbox, order_id: int) -> dict[str, Any]:
    key = box.auth_key()
    return requests.get(f"{box.url}/orders/invoice/{order_id}", params={"auth_key": key}, timeout=10).json()


def balance_of(box: Sandbox) -> float:
    key = box.auth_key()
    return float(requests.get(f"{box.url}/account/balance/", params={"auth_key": key}, timeout=10).json()["balance"])


def test_a_plan_prices_at_the_accounts_price_not_the_cas_and_the_order_costs_that(new_sandbox: Start):
    box = new_sandbox()
    key = box.auth_key()
    catalogue = requests.get(f"{box.url}/products/ssl/65", params={"auth_key": key}, timeout=10).json()["product"]
    assert float(catalogue["prices"]["vendor"]["12"]) != float(catalogue["prices"]["12"]) == 6.90
    provider = new_provider(box)

    planned, diags = plan_create(provider)

    assert not errors_of(diags) and (planned["planned_action"], planned["planned_price"]) == ("order", 6.90)
    state = apply_create(provider, planned)
    assert state["planned_price"] == state["order_amount"] == box.order(state["order_id"])["amount"] == 6.90


def test_a_multi_domain_order_within_its_included_sans_costs_the_base_price(new_sandbox: Start):
    box = new_sandbox()
    provider = new_provider(box)
    kc, other = make_csr(key="ec256"), make_csr(key="ec256")
    two = [f"{x}.{kc.common_name}" for x in "ab"]
    three = [f"{x}.{other.common_name}" for x in "abc"]

    within, diags = plan_create(provider, csr=kc.csr_pem, product_id=67, dns_names=two, approver_emails=["dns"] * 2)
    beyond, _ = plan_create(provider, csr=other.csr_pem, product_id=67, dns_names=three,
                            approver_emails=["dns"] * 3)

    assert (within["planned_price"], beyond["planned_price"]) == (24.00, 32.00)  # the third SAN at 8.00
    assert "with 2 additional domains (2 included in the product)" in purchase_warning(diags)
    assert box.count("/products/details/67") == 1, "the product's details are read once per process"
    for planned in (within, beyond):
        state = apply_create(provider, planned)
        assert float(invoice_of(box, state["order_id"])["subtotal"]) == planned["planned_price"]


def test_with_tax_the_plan_shows_it_and_the_order_is_charged_what_the_plan_said(new_sandbox: Start):
    box = new_sandbox("--tax-rate", "21")
    box.place(make_csr(key="ec256").csr_pem)  # an earlier order: the account has an invoice to read the rate from
    provider = new_provider(box)
    before = balance_of(box)

    planned, diags = plan_create(provider)

    assert not errors_of(diags)
    assert (planned["planned_price"], planned["planned_tax"], planned["planned_currency"]) == (6.90, 1.45, "EUR")
    assert "6.90 EUR + 1.45 EUR tax (21%)" in purchase_warning(diags)
    state = apply_create(provider, planned)
    assert (state["planned_price"], state["planned_tax"]) == (6.90, 1.45), "apply keeps what the plan said"
    invoice = invoice_of(box, state["order_id"])
    assert (float(invoice["subtotal"]), float(invoice["tax"]), invoice["tax_rate"]) == (6.90, 1.45, "21%")
    assert round(before - balance_of(box), 2) == 8.35


def test_a_balance_that_covers_the_price_but_not_its_tax_fails_the_plan(new_sandbox: Start):
    box = new_sandbox("--tax-rate", "21", "--balance", "15.35")
    box.place(make_csr(key="ec256").csr_pem)  # 8.35 with tax: 7.00 left, more than 6.90, less than 8.35
    provider = new_provider(box)
    placed = box.count("add_ssl_order")

    planned, diags = plan_create(provider)

    assert errors_of(diags) == ["Account balance too low for this plan"]
    (detail,) = [d.detail for d in diags.diagnostics if d.severity == "error"]
    assert "8.35 EUR in all, tax included" in detail and "7.00 EUR" in detail, detail
    assert planned["planned_tax"] == 1.45
    assert box.count("add_ssl_order") == placed, "nothing was ordered"


def test_without_an_invoice_the_tax_is_null_and_the_warning_says_the_price_excludes_it(new_sandbox: Start):
    box = new_sandbox("--tax-rate", "21")
    provider = new_provider(box)

    first, diags = plan_create(provider)
    second, _ = plan_create(provider)

    assert not errors_of(diags) and first["planned_price"] == 6.90 and first["planned_tax"] is None
    assert "6.90 EUR excluding tax" in purchase_warning(diags)
    assert second["planned_tax"] is None
    assert box.count("/account/invoices") == 1, "the invoices are read once per process"
    state = apply_create(provider, first)
    assert state["planned_tax"] is None, "a tax planned as unknown stays null after apply"
    assert float(invoice_of(box, state["order_id"])["subtotal"]) == first["planned_price"]


def test_unreadable_invoices_leave_the_tax_unknown_and_the_plan_going(new_sandbox: Start):
    box = new_sandbox("--tax-rate", "21")
    box.place(make_csr(key="ec256").csr_pem)
    box.faults({"match": "/account/invoices", "mode": "http_500", "times": 100})

    planned, diags = plan_create(new_provider(box))

    assert not errors_of(diags)
    assert (planned["planned_price"], planned["planned_tax"]) == (6.90, None)
    assert "excluding tax" in purchase_warning(diags)


def test_a_plan_that_buys_nothing_reads_no_invoices(new_sandbox: Start):
    box = new_sandbox("--tax-rate", "21")
    provider = new_provider(box)
    planned, _ = plan_create(new_provider(box))
    state = apply_create(provider, planned)
    box.clear_faults()
    reads = box.count("/account/invoices")

    diags = Diagnostics()
    proposed = {**state, "on_destroy": "forget"}
    ctx = ResourcePlanContext(diags, "gogetssl_ssl_order", changed_fields={"on_destroy"}, config=proposed)
    free = SslOrderResource(new_provider(box)).plan(ctx, dict(state), proposed)

    assert not errors_of(diags)
    assert (free["planned_action"], free["planned_price"], free["planned_tax"]) == ("none", 0, 0)
    assert box.count("/account/invoices") == reads
