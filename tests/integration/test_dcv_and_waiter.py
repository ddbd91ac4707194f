"""Sandbox DCV checks on revalidate, and the waiter's polling against the sandbox with an injected clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tf.iface import CreateContext
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient
from provider.client.models import AddSSLOrderRequest
from provider.provider import GoGetSSLProvider
from provider.resources import ssl_order_validation as waiter
from tests.support import Sandbox, make_csr, minimal_order


@pytest.fixture
def dcv(tmp_path: Path, new_sandbox: Callable[..., Sandbox]) -> tuple[Sandbox, GoGetSSLClient, Path, Path]:
    """A sandbox that checks the published validation data (in `www` and `zone`), and a client for it."""
    www, zone = tmp_path / "www", tmp_path / "zone.json"
    sb = new_sandbox("--dcv-http-root", str(www), "--dcv-dns-zone", str(zone))
    return sb, GoGetSSLClient(ClientSettings(sb.url, sb.user, sb.password)), www, zone


def _order(client: GoGetSSLClient, **args) -> tuple[int, str]:
    """Place minimal_order(**args), http-validated unless args say otherwise, for a fresh CSR unless args give
    one; the order id and the fresh CSR's common name."""
    kc = make_csr()
    request = AddSSLOrderRequest(**minimal_order(**{"csr": kc.csr_pem, "dcv_method": "http", **args}))
    return int(client.orders.add_ssl_order(request).order_id), kc.common_name


def test_http_file_passes_validation_only_with_the_right_content(dcv):
    sb, client, www, _zone = dcv
    order_id, cn = _order(client)
    http = client.orders.status(order_id).approver_method.http
    assert http is not None
    path = www / cn / ".well-known" / "pki-validation" / http.filename
    assert "no file found" in client.orders.revalidate(order_id, cn)
    path.parent.mkdir(parents=True)
    path.write_text("wrong")
    assert "does not hold the expected content" in client.orders.revalidate(order_id, cn)
    assert "does not hold" in client.orders.status(order_id).validation_description
    path.write_text(http.content.replace("\r\n", "\n") + "\n")  # line endings do not matter
    client.orders.revalidate(order_id, cn)
    status = client.orders.status(order_id)
    assert status.status == "active" and status.crt_code and status.dcv_status == "2"


def test_dns_records_pass_validation_per_domain(dcv):
    sb, client, _www, zone = dcv
    kc = make_csr()
    sans = ["a." + kc.common_name]
    order_id, _ = _order(client, product_id=67, csr=kc.csr_pem, dcv_method="dns", dns_names=sans,
                         approver_emails=["dns"])
    status = client.orders.status(order_id)
    records = {}
    for rec in [status.approver_method.dns.record] + [s.validation.dns.record for s in status.san]:
        name, _type, value = rec.split()
        records[name] = value
    # Only the common name's record: not the SAN's (a record of the common name can end in "a." + its name
    # when its random label ends in "a", so the SAN's is told by its whole name).
    zone.write_text(json.dumps({n: v for n, v in records.items() if n.endswith("." + kc.common_name)
                                and not n.endswith("." + sans[0])}))
    client.orders.revalidate(order_id, kc.common_name)
    client.orders.revalidate(order_id, sans[0])
    status = client.orders.status(order_id)
    assert status.status == "processing" and [s.status for s in status.san] == ["1"]
    zone.write_text(json.dumps(records))
    client.orders.revalidate(order_id, sans[0])
    assert client.orders.status(order_id).status == "active"


def test_revalidate_refuses_unknown_domain_and_orders_not_processing(dcv):
    sb, client, _www, _zone = dcv
    order_id, cn = _order(client)
    from provider.client import errors
    with pytest.raises(errors.APIError, match="Invalid domain"):
        client.orders.revalidate(order_id, "other.example.com")
    sb.set_status(order_id, "cancelled")
    with pytest.raises(errors.APIError, match="not in processing state"):
        client.orders.revalidate(order_id, cn)


def test_waiter_backs_off_exponentially_up_to_the_cap_and_times_out(dcv, monkeypatch: pytest.MonkeyPatch):
    sb, client, _www, _zone = dcv
    order_id, cn = _order(client, dcv_method="dns")
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(waiter, "BACKOFF", waiter.Backoff(initial=1, factor=2, cap=8, sleep=sleep,
                                                          clock=lambda: now[0]))
    provider = GoGetSSLProvider(client=client)
    diags = Diagnostics()
    state = waiter.SslOrderValidationResource(provider).create(
        CreateContext(diags, "gogetssl_ssl_order_validation"),
        {"order_id": order_id, "validation_record_fqdns": None, "timeouts": {"create": "30s"}})
    assert state is None
    assert sleeps == [1, 2, 4, 8, 8, 7]  # capped at 8, the last one cut to the deadline
    (error,) = diags.diagnostics
    assert "Timed out" in error.summary and f"{cn} (dns): waiting for the CNAME record" in error.detail
    # one recheck per round; none once the deadline has passed (the last round only reads the status)
    assert sb.count(f"/orders/ssl/revalidate/{order_id}") == 6


def test_waiter_stops_at_once_on_a_rejected_order(dcv):
    sb, client, _www, _zone = dcv
    order_id, cn = _order(client, dcv_method="dns")
    sb.set_status(order_id, "rejected")
    provider = GoGetSSLProvider(client=client)
    diags = Diagnostics()
    state = waiter.SslOrderValidationResource(provider).create(
        CreateContext(diags, "gogetssl_ssl_order_validation"),
        {"order_id": order_id, "validation_record_fqdns": None, "timeouts": None})
    assert state is None
    (error,) = diags.diagnostics
    assert f"Order {order_id} is rejected: it will not be issued" == error.summary
    assert "left as it is" in error.detail
    assert sb.order(order_id)["status"] == "rejected"


def test_a_waiter_given_another_orders_csr_fails_at_once_instead_of_waiting_out_its_timeout(dcv):
    sb, client, _www, _zone = dcv
    order_id, _cn = _order(client, dcv_method="dns")
    sb.set_status(order_id, "active")
    stranger = make_csr(key="ec256").csr_pem
    diags = Diagnostics()

    state = waiter.SslOrderValidationResource(GoGetSSLProvider(client=client)).create(
        CreateContext(diags, "gogetssl_ssl_order_validation"),
        {"order_id": order_id, "csr": stranger, "validation_record_fqdns": None, "timeouts": {"create": "3s"}})

    assert state is None
    (error,) = diags.diagnostics
    assert error.summary == f"Order {order_id} is not for csr" and "csr" in error.detail
    assert sb.count(f"/orders/status/{order_id}") == 1, "no wait"


def test_a_waiter_csr_that_is_not_a_csr_fails_validate():
    diags = Diagnostics()

    waiter.SslOrderValidationResource(GoGetSSLProvider()).validate(
        diags, "gogetssl_ssl_order_validation", {"order_id": 1800001, "csr": "this is not a CSR"})

    (error,) = diags.diagnostics
    assert error.summary == "Invalid csr" and error.path == ["csr"]
