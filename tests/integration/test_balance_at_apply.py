"""No purchase the balance does not cover: an apply (of a saved plan, or one whose balance dropped since its
plan) reads the balance before each purchase and refuses the one it does not cover before asking GoGetSSL,
naming what it did buy. In-process against a sandbox of the test's own, one provider per plugin process."""

from __future__ import annotations

from collections.abc import Callable

from tf.iface import CreateContext
from tf.utils import Diagnostics

from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, errors_of, make_csr, new_provider, plan_create

Start = Callable[..., Sandbox]


def test_a_saved_plan_applied_after_the_balance_dropped_buys_only_what_it_covers(new_sandbox: Start):
    box = new_sandbox("--balance", "14")  # two PositiveSSL orders (6.90 each) fit at plan time
    planner = new_provider(box)
    plans = [plan_create(planner, csr=make_csr(key="ec256").csr_pem) for _ in range(2)]
    assert all(not errors_of(diags) for _planned, diags in plans)
    box.place(make_csr(key="ec256").csr_pem)  # someone else spends 6.90 before the apply
    assert round(box.balance(), 2) == 7.10
    applier = new_provider(box)  # the apply's own plugin process
    first, second = Diagnostics(), Diagnostics()
    bought = SslOrderResource(applier).create(CreateContext(first, "gogetssl_ssl_order"), plans[0][0])
    assert bought is not None and not errors_of(first)
    refused = SslOrderResource(applier).create(CreateContext(second, "gogetssl_ssl_order"), plans[1][0])
    assert refused is None
    assert errors_of(second) == ["Account balance too low for this order"]
    detail = second.diagnostics[0].detail
    assert "6.90" in detail and "0.20" in detail, detail
    assert f"order {bought['order_id']}" in detail, "the error names what this apply did buy"
    assert box.count("/orders/add_ssl_order") == 2, "the uncovered order was never sent to GoGetSSL"


def test_an_order_the_balance_covers_is_bought(new_sandbox: Start):
    box = new_sandbox("--balance", "7")
    planned, diags = plan_create(new_provider(box))
    assert not errors_of(diags)
    done = Diagnostics()
    state = SslOrderResource(new_provider(box)).create(CreateContext(done, "gogetssl_ssl_order"), planned)
    assert state is not None and not errors_of(done)
    assert round(box.balance(), 2) == 0.10


def _multi_domain(box: Sandbox) -> dict:
    """Product 67 (multi-domain) with two SANs, while the product's details (the SANs it includes) fail to load:
    its price can only be bounded (24 + 2 x 8 = 40 at most)."""
    box.faults({"match": "/products/details", "mode": "vendor_error", "message": "Method is deprecated",
                "times": 1000})
    csr = make_csr(key="ec256")
    return {"product_id": 67, "csr": csr.csr_pem, "dns_names": [f"a.{csr.common_name}", f"b.{csr.common_name}"],
            "approver_emails": ["dns", "dns"]}


def test_without_the_products_details_an_order_is_priced_at_most_and_bought(new_sandbox: Start):
    box = new_sandbox("--balance", "1000")
    args = _multi_domain(box)
    planned, diags = plan_create(new_provider(box), **args)
    assert not errors_of(diags) and planned["planned_price"] == 40
    assert any("at most" in (d.detail or "") for d in diags.diagnostics), diags.diagnostics
    done = Diagnostics()
    state = SslOrderResource(new_provider(box)).create(CreateContext(done, "gogetssl_ssl_order"), planned)
    assert state is not None and not errors_of(done)
    assert state["order_amount"] <= 40


def test_without_the_products_details_an_order_the_bound_exceeds_is_not_bought(new_sandbox: Start):
    box = new_sandbox("--balance", "1")
    planned, diags = plan_create(new_provider(box), **_multi_domain(box))
    assert errors_of(diags) == ["Account balance too low for this plan"]
    done = Diagnostics()
    assert SslOrderResource(new_provider(box)).create(CreateContext(done, "gogetssl_ssl_order"), planned) is None
    assert errors_of(done) == ["Account balance too low for this order"]
    assert box.count("/orders/add_ssl_order") == 0


def test_orders_whose_csrs_are_known_only_at_apply_are_each_counted(new_sandbox: Start):
    """Two orders whose CSRs are made in the same run (tls_cert_request) look alike at plan time: each is a
    purchase of its own against the balance."""
    from tf.types import Unknown

    box = new_sandbox("--balance", "10")  # one PositiveSSL (6.90) fits, two do not
    walk = new_provider(box)
    _first, one = plan_create(walk, csr=Unknown)
    _second, two = plan_create(walk, csr=Unknown)
    assert errors_of(one) == [] and errors_of(two) == ["Account balance too low for this plan"]


def test_a_plan_says_when_a_purchase_could_not_be_counted(new_sandbox: Start):
    """SANs known only at apply: the price, and so the balance check, waits for the apply."""
    from tf.types import Unknown

    box = new_sandbox()
    planned, diags = plan_create(new_provider(box), product_id=67, dns_names=Unknown)
    assert planned["planned_price"] is Unknown
    assert [d.summary for d in diags.diagnostics if d.severity == "warning"][-1].startswith("Price not known")
