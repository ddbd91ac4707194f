"""The client against the sandbox: each call, auth renewal, and errors users can act on."""

from __future__ import annotations

import time

import pytest

from provider.client import ClientSettings, GoGetSSLClient, errors
from provider.client.models import AddSSLOrderRequest
from tests.support import CONTACTS, Sandbox, make_csr, minimal_order


@pytest.fixture
def client(sandbox: Sandbox) -> GoGetSSLClient:
    return GoGetSSLClient(ClientSettings(sandbox.url, sandbox.user, sandbox.password))


def request(**over) -> AddSSLOrderRequest:
    return AddSSLOrderRequest(**minimal_order(**{"csr": make_csr().csr_pem, **over}))


def test_place_read_and_cancel(client: GoGetSSLClient, sandbox: Sandbox):
    result = client.orders.add_ssl_order(request())
    assert result.order_id and result.invoice_id and result.currency == "EUR"
    assert result.approver_method.dns is not None and " CNAME " in result.approver_method.dns.record
    status = client.orders.status(result.order_id)
    assert status.status == "processing" and status.product_id == 65 and status.validity_period == 12
    assert status.contacts["tech_email"] == CONTACTS["tech_email"]
    assert [e.status for e in client.orders.statuses([result.order_id])] == ["processing"]
    client.orders.cancel(result.order_id, "no longer needed")
    # A cancellation is a request the vendor reviews (docs/vendor-api.md §8): the order keeps its status meanwhile
    # (the test sandbox reviews for seconds, not hours).
    deadline = time.monotonic() + 20
    while (status := client.orders.status(result.order_id)).status != "cancelled" and time.monotonic() < deadline:
        time.sleep(0.25)
    assert status.status == "cancelled"


def test_multi_domain_order_sends_comma_joined_lists(client: GoGetSSLClient, sandbox: Sandbox):
    kc = make_csr()
    result = client.orders.add_ssl_order(request(product_id=67, csr=kc.csr_pem, dcv_method="http",
                                                 dns_names=["a." + kc.common_name, "b." + kc.common_name],
                                                 approver_emails=["dns", "http"]))
    stored = sandbox.order(result.order_id)
    assert stored["dns_names"] == ["a." + kc.common_name, "b." + kc.common_name]
    assert stored["approver_emails"] == "dns,http"
    assert [s.validation_method for s in result.san] == ["dns", "http"]


def test_vendor_refusal_is_an_api_error_with_the_vendor_text(client: GoGetSSLClient):
    with pytest.raises(errors.APIError) as info:
        client.orders.add_ssl_order(request(product_id=999))
    assert info.value.message == "Invalid product_id" and "999" in info.value.description


def test_unknown_order_is_not_found(client: GoGetSSLClient):
    with pytest.raises(errors.NotFoundError) as info:
        client.orders.status(1)
    assert info.value.what == "order"
    with pytest.raises(errors.NotFoundError) as product:
        client.products.get_ssl(999)
    assert product.value.what == "product"


def test_products_and_balance(client: GoGetSSLClient):
    products = client.products.list_ssl()
    assert {p.id for p in products} >= {65, 66, 67}
    assert client.products.get_ssl(66).wildcard_enabled is True
    assert client.account.balance().balance > 0


def test_expired_key_is_renewed_transparently(client: GoGetSSLClient, sandbox: Sandbox):
    auths = sandbox.count("/auth/")
    # The client's first login gets a key the sandbox does not know, so the sandbox itself refuses it as it
    # would a key the vendor revoked (a retry that reused the refused key would be refused again).
    sandbox.faults({"match": "/api/auth/", "mode": "patch_body", "patch": {"key": "revoked-key"}, "times": 1})
    try:
        assert client.products.get_ssl(65).id == 65
    finally:
        sandbox.clear_faults()
    assert sandbox.count("/auth/") == auths + 2  # the login that got the revoked key, and one renewal


def test_wrong_password_fails_fast_without_echoing_it(sandbox: Sandbox):
    bad = GoGetSSLClient(ClientSettings(sandbox.url, sandbox.user, "Wr0ng-Secret"))
    with pytest.raises(errors.AuthError) as info:
        bad.products.list_ssl()
    assert "Wr0ng-Secret" not in str(info.value)


def test_nothing_listening_is_a_connect_error():
    client = GoGetSSLClient(ClientSettings("http://127.0.0.1:9/api", "u", "p", connect_timeout=2))
    with pytest.raises(errors.ConnectError) as info:
        client.products.list_ssl()
    assert info.value.outcome_unknown is False


def test_scan_reads_the_whole_listing(client: GoGetSSLClient):
    placed = {client.orders.add_ssl_order(request()).order_id for _ in range(2)}
    scan = client.orders.scan(page_size=25)
    assert scan.complete is True and placed <= {e.order_id for e in scan.entries}
    assert len({e.order_id for e in scan.entries}) == len(scan.entries)
