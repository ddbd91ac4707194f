"""An uncertain order in an account that fills more than one listing page: GoGetSSL lists at most offset 1000 plus
one page of 1000 (2,000 orders, docs/vendor-api.md §9.4). The sandbox's page cap is lowered to 10: reconciliation
must read an account of 19 orders whole (pages of 10 and 9, then an empty one) in either sort order; and where
the listing is refused past an offset (an offset ceiling lowered to 10), it must fail naming the ceiling, never
order twice. (That a short page before a refusal past the real ceiling ends the listing, 1,999 orders in pages of
1000, is tested on the client: tests/unit/test_client_hardening.py.)

In-process against a sandbox; the provider's own client and resource code run unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tf.iface import CreateContext
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient
from provider.provider import GoGetSSLProvider
from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, live_orders, make_csr, planned_order

Start = Callable[..., Sandbox]


def _account(new_sandbox: Start, orders: int, list_order: str, fault: str, offset_cap: int = 1000) -> Sandbox:
    """A sandbox listing 10 orders a page up to offset `offset_cap`, holding `orders` orders placed by another
    tool, whose next addSSLOrder meets `fault`."""
    box = new_sandbox()
    for _ in range(orders):
        box.place(make_csr(key="ec256").csr_pem)
    box.faults({"match": "add_ssl_order", "mode": fault, "times": 1},
               list_order=list_order, list_page_cap=10, list_offset_cap=offset_cap)
    return box


def _create(box: Sandbox, csr: str) -> tuple[dict[str, Any] | None, Diagnostics]:
    """Apply the create of a minimal order for `csr` (no real waiting: the grace period's sleep returns at once)."""
    settings = ClientSettings(box.url, box.user, box.password, max_retries=0, read_timeout=2, sleep=lambda _s: None)
    provider = GoGetSSLProvider(client=GoGetSSLClient(settings))
    diags = Diagnostics()
    planned = planned_order(SslOrderResource.get_schema(), csr=csr)
    return SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), planned), diags


@pytest.mark.parametrize("list_order", ["oldest", "newest"])
def test_an_order_placed_by_an_uncertain_call_is_found_in_an_account_of_two_pages(new_sandbox: Start,
                                                                                  list_order: str):
    box = _account(new_sandbox, 19, list_order, "commit_then_reset")  # 19 orders: the mark reads them whole
    csr = make_csr().csr_pem
    state, diags = _create(box, csr)
    (placed,) = live_orders(box, csr)
    assert state is not None and state["order_id"] == placed["order_id"], [d.detail for d in diags.diagnostics]
    assert box.count("add_ssl_order") == 19 + 1, "found, so not placed again"
    assert any("Adopted order" in d.summary for d in diags.diagnostics)


@pytest.mark.parametrize("list_order", ["oldest", "newest"])
def test_an_uncertain_call_that_placed_nothing_is_proven_so_in_an_account_of_two_pages(new_sandbox: Start,
                                                                                       list_order: str):
    box = _account(new_sandbox, 19, list_order, "http_500")  # refused before it was processed
    csr = make_csr().csr_pem
    state, diags = _create(box, csr)
    (placed,) = live_orders(box, csr)
    assert state is not None and state["order_id"] == placed["order_id"], [d.detail for d in diags.diagnostics]
    assert box.count("add_ssl_order") == 19 + 2, "the whole listing proved the first call placed nothing"


@pytest.mark.parametrize("list_order", ["oldest", "newest"])
def test_past_the_listings_reach_an_uncertain_order_fails_naming_the_ceiling(new_sandbox: Start, list_order: str):
    box = _account(new_sandbox, 20, list_order, "commit_then_reset", offset_cap=10)  # offset 20 is refused
    csr = make_csr().csr_pem
    state, diags = _create(box, csr)
    assert state is None
    (error,) = [d for d in diags.diagnostics if d.severity == "error"]
    assert error.summary == "The order may have been placed"
    assert "offset ceiling" in error.detail and "2,000 orders" in error.detail
    assert "client area" in error.detail and "terraform import" in error.detail
    assert len(live_orders(box, csr)) == 1 and box.count("add_ssl_order") == 20 + 1, "never ordered twice"
