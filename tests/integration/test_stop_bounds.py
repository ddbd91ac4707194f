"""Ctrl-C (StopProvider) ends every wait within a couple of seconds, even while a request hangs at the vendor,
with default settings (a 60 s request_timeout and 3 retries: 238 s before this was fixed), and keeps state
true: nothing is bought after the stop, and a purchase in doubt is reported as in doubt.

In-process against a sandbox whose answers hang (`slow` faults far beyond the bound); `stop_while` does what
StopProvider does once the hanging request has reached the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tf.iface import CreateContext, ReadContext, ReadDataContext
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient
from provider.client.models import AddSSLOrderRequest
from provider.data_sources.ssl_orders import SslOrdersDataSource
from provider.provider import GoGetSSLProvider
from provider.resources.ssl_order import SslOrderResource
from provider.resources.ssl_order_validation import SslOrderValidationResource
from tests.support import (
    Sandbox,
    configured_provider,
    errors_of,
    issued_order,
    make_csr,
    minimal_order,
    planned_order,
    stop_while,
)

HANG = {"mode": "slow", "delay_ms": 120_000, "times": 20}  # far longer than any bound below


def test_a_hanging_status_read_ends_at_stop_and_keeps_the_state(new_sandbox):
    box: Sandbox = new_sandbox()
    state = issued_order(box)
    provider = configured_provider(box)
    box.faults({"match": f"/orders/status/{state['order_id']}", **HANG})
    diags, status_path = Diagnostics(), f"/orders/status/{state['order_id']}"
    before = box.count(status_path)
    stopped = stop_while(provider, lambda: SslOrderResource(provider).read(ReadContext(diags, "gogetssl_ssl_order"),
                                                                           dict(state)),
                         lambda: box.count(status_path) > before)
    assert stopped.result == state  # nothing learnt, nothing lost
    assert errors_of(diags), diags.diagnostics
    assert box.count(status_path) == before + 1, "retried after the stop"


def test_a_retry_waiting_out_its_backoff_ends_at_stop(new_sandbox):
    box: Sandbox = new_sandbox()
    state = issued_order(box)
    # A 503, then a minute of backoff before the retry.
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password, max_retries=3, backoff_initial=60,
                                           backoff_cap=60, random=lambda: 1.0))
    provider = GoGetSSLProvider(client=client)
    box.faults({"match": f"/orders/status/{state['order_id']}", "mode": "http_503", "times": 20})
    diags, status_path = Diagnostics(), f"/orders/status/{state['order_id']}"
    before = box.count(status_path)
    stopped = stop_while(provider, lambda: SslOrderResource(provider).read(ReadContext(diags, "gogetssl_ssl_order"),
                                                                           dict(state)),
                         lambda: box.count(status_path) > before)
    assert stopped.result == state and errors_of(diags)
    assert box.count(status_path) == before + 1, "retried after the stop"


def test_a_listing_scan_waiting_on_a_hanging_page_ends_at_stop(new_sandbox):
    box: Sandbox = new_sandbox()
    provider = configured_provider(box)
    box.faults({"match": "/orders/ssl/all", **HANG})
    diags = Diagnostics()
    config: dict[str, Any] = {"status": None, "domain": None, "product_id": None, "expiring_within_days": None,
                              "subscription_ending_within_days": None}
    stop_while(provider, lambda: SslOrdersDataSource(provider).read(ReadDataContext(diags, "gogetssl_ssl_orders"),
                                                                    config),
               lambda: box.count("/orders/ssl/all") >= 1)
    assert errors_of(diags), diags.diagnostics
    assert box.count("/orders/ssl/all") == 1


def test_the_waiter_ends_at_stop_while_its_status_read_hangs(new_sandbox):
    box: Sandbox = new_sandbox()
    provider = configured_provider(box)
    kc = make_csr()
    order = provider.client.orders.add_ssl_order(AddSSLOrderRequest(**minimal_order(csr=kc.csr_pem)))
    box.faults({"match": f"/orders/status/{order.order_id}", **HANG})
    diags = Diagnostics()
    stopped = stop_while(
        provider,
        lambda: SslOrderValidationResource(provider).create(
            CreateContext(diags, "gogetssl_ssl_order_validation"),
            {"order_id": order.order_id, "validation_record_fqdns": None, "timeouts": {"create": "30m"}}),
        lambda: box.count(f"/orders/status/{order.order_id}") >= 1)
    assert stopped.result is None and errors_of(diags), diags.diagnostics


def test_a_purchase_in_doubt_at_stop_is_reported_in_doubt_and_not_bought_again(new_sandbox, tmp_path: Path):
    """addSSLOrder is processed but its answer is lost: the provider gives the request time to land (30 s by
    default) before looking for the order. A stop during that wait ends it, buys nothing more, and says the
    order may have been placed."""
    box: Sandbox = new_sandbox()
    provider = configured_provider(box)
    box.faults({"match": "add_ssl_order", "mode": "commit_then_reset", "times": 1})
    diags = Diagnostics()
    planned = planned_order(SslOrderResource.get_schema(), csr=make_csr().csr_pem)
    stopped = stop_while(provider, lambda: SslOrderResource(provider).create(
        CreateContext(diags, "gogetssl_ssl_order"), planned), lambda: box.count("add_ssl_order") >= 1)
    assert stopped.result is None
    assert "The order may have been placed" in errors_of(diags), diags.diagnostics
    assert box.count("add_ssl_order") == 1 and len(box.orders()) == 1


def test_a_purchase_already_on_its_way_at_stop_is_let_finish_and_reaches_state(new_sandbox):
    """Abandoning addSSLOrder in flight would turn a placed order into one in doubt: it is let finish (here its
    answer comes 1.5 s late), and the order reaches state; what comes after it (reading it back) is not sent."""
    box: Sandbox = new_sandbox()
    provider = configured_provider(box)
    box.faults({"match": "add_ssl_order", "mode": "slow", "delay_ms": 1500, "times": 1})
    diags = Diagnostics()
    planned = planned_order(SslOrderResource.get_schema(), csr=make_csr().csr_pem)
    stopped = stop_while(provider, lambda: SslOrderResource(provider).create(
        CreateContext(diags, "gogetssl_ssl_order"), planned), lambda: box.count("add_ssl_order") >= 1)
    (order,) = box.orders()
    assert stopped.result["order_id"] == order["order_id"] and not errors_of(diags), diags.diagnostics
