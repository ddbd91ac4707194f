"""gogetssl_ssl_order's CRUD methods against the sandbox, for paths Terraform alone cannot provoke."""

from __future__ import annotations

from collections.abc import Callable

import requests
from requests.adapters import HTTPAdapter
from tf.iface import CreateContext, ImportContext
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient
from provider.provider import GoGetSSLProvider
from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, make_csr, planned_order


class DropStatusReads(HTTPAdapter):
    """The network loses every getOrderStatus call; everything else reaches the sandbox."""

    def send(self, request, **kwargs):  # noqa: ANN001
        if "/orders/status/" in (request.url or ""):
            raise requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected")
        return super().send(request, **kwargs)


def planned() -> dict:
    """The planned state of an http-validated minimal order with a fresh CSR."""
    return planned_order(SslOrderResource.get_schema(), csr=make_csr().csr_pem, dcv_method="http")


def test_order_placed_but_not_read_back_is_still_returned_in_state(sandbox: Sandbox):
    session = requests.Session()
    session.mount("http://", DropStatusReads())
    provider = GoGetSSLProvider(
        client=GoGetSSLClient(ClientSettings(sandbox.url, sandbox.user, sandbox.password), session=session))
    diags = Diagnostics()

    state = SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), planned())

    assert state is not None and state["order_id"]
    assert sandbox.order(state["order_id"])["status"] == "processing"
    assert set(state) == {a.name for a in SslOrderResource.get_schema().attributes}
    assert state["approver_method"]["http"]["filename"].endswith(".txt")  # from the addSSLOrder answer
    # A warning, not an error: an error would make Terraform taint the order, and the next apply would
    # cancel it and buy another.
    assert not [d for d in diags.diagnostics if d.severity == "error"]
    (warning,) = diags.diagnostics
    assert f"Order {state['order_id']} was placed" in warning.summary and "next refresh" in warning.detail


def test_rule_violations_are_caught_before_the_vendor_is_asked(sandbox: Sandbox):
    provider = GoGetSSLProvider(client=GoGetSSLClient(ClientSettings(sandbox.url, sandbox.user, sandbox.password)))
    diags = Diagnostics()
    adds = sandbox.count("add_ssl_order")
    bad = planned() | {"dcv_method": "carrier-pigeon", "period": 7}
    assert SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), bad) is None
    (error,) = diags.diagnostics  # the static error stops the product check (and any spending)
    assert error.path == ["dcv_method"] and "Invalid dcv_method" in error.summary
    assert sandbox.count("add_ssl_order") == adds


def test_product_rules_run_at_apply_too(sandbox: Sandbox):
    provider = GoGetSSLProvider(client=GoGetSSLClient(ClientSettings(sandbox.url, sandbox.user, sandbox.password)))
    diags = Diagnostics()
    adds = sandbox.count("add_ssl_order")
    assert SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"),
                                             planned() | {"period": 7}) is None
    (error,) = diags.diagnostics
    assert error.path == ["period"] and "12, 24, 36" in error.detail
    assert sandbox.count("add_ssl_order") == adds
    fetches = sandbox.count("/products/ssl")
    provider.catalogue()
    provider.catalogue()
    assert sandbox.count("/products/ssl") == fetches  # fetched once per provider process


def test_an_order_issued_at_once_is_adopted_not_bought_twice(new_sandbox: Callable[..., Sandbox]):
    """commit_then_reset on addSSLOrder against a sandbox that issues at once: the lost order is already
    active when the provider looks for it, and must still be found."""
    box = new_sandbox("--issue-after", "0")
    box.faults({"match": "add_ssl_order", "mode": "commit_then_reset", "times": 1})
    waited: list[float] = []  # the wait for the lost request to land, taken at once (the order is committed)
    provider = GoGetSSLProvider(client=GoGetSSLClient(ClientSettings(box.url, box.user, box.password,
                                                                     sleep=waited.append)))
    diags = Diagnostics()
    state = SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), planned())
    assert waited, "the provider gave the lost request time to land before looking for it"
    assert state is not None
    (order,) = box.orders()
    assert state["order_id"] == order["order_id"] and order["status"] == "active"
    assert any("Adopted order" in d.summary for d in diags.diagnostics)


def test_an_import_never_takes_another_orders_answer_for_the_one_asked(new_sandbox: Callable[..., Sandbox]):
    """A status answer about order A for order B would put A into B's resource (and a plan would then replace,
    so cancel, the order adopted under A's own address)."""
    box = new_sandbox()
    first, second = box.place(make_csr(key="ec256").csr_pem), box.place(make_csr(key="ec256").csr_pem)
    box.faults({"match": f"/orders/status/{second}", "mode": "patch_body", "times": 1000,
                "patch": {"order_id": str(first)}})
    resource = SslOrderResource(GoGetSSLProvider(client=GoGetSSLClient(ClientSettings(box.url, box.user,
                                                                                      box.password))))
    diags = Diagnostics()
    assert resource.import_(ImportContext(diags, "gogetssl_ssl_order"), str(second)) is None
    assert any(f"is about order {first}" in d.detail for d in diags.to_pb())
    box.faults({"match": f"/orders/status/{second}", "mode": "patch_body", "times": 1000, "patch": {"order_id": None}})
    diags = Diagnostics()
    assert resource.import_(ImportContext(diags, "gogetssl_ssl_order"), str(second)) is None
    assert any("is about no order" in d.detail for d in diags.to_pb())
