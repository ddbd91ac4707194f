"""Refresh of gogetssl_ssl_order with `refresh_mode = "listing"`, from one view of the account per plugin
process: a plan of many settled orders costs a few listing calls instead of one status call per order, and
the changes GoGetSSL makes out of band that show in the listing (cancellation, expiry, rejection, issuance,
a reissue with a new expiry) still reach state. The default, `full`, reads every order.

Each "plan" below is a new provider with a new client, as Terraform starts a new plugin process per command;
its refreshes run 10 at a time, as Terraform's default parallelism does."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tf.iface import ImportContext, ReadContext
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient
from provider.client.models import ReissueRequest
from provider.provider import GoGetSSLProvider
from provider.resources.ssl_order import SslOrderResource
from provider.tfext.types import normalize_pem
from tests.support import Sandbox, in_parallel, make_csr, place_many


def _resource(box: Sandbox, refresh_mode: str = "listing") -> SslOrderResource:
    """The resource as a new plugin process sees it: its own client, nothing cached (its retries do not wait)."""
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password, sleep=lambda _seconds: None))
    return SslOrderResource(GoGetSSLProvider(client=client, refresh_mode=refresh_mode))


def _estate(box: Sandbox, n: int, status: str = "active") -> list[dict[str, Any]]:
    """n orders placed outside Terraform, set to `status`, then imported: their states."""
    ids = place_many(box, [make_csr(key="ec256").csr_pem for _ in range(n)])
    if status != "processing":
        in_parallel(lambda oid: box.set_status(oid, status), ids)
    res = _resource(box)
    states = in_parallel(lambda oid: res.import_(ImportContext(Diagnostics(), "gogetssl_ssl_order"), str(oid)), ids)
    assert all(states)
    return states  # type: ignore[return-value]


def _plan(box: Sandbox, states: list[dict[str, Any]], refresh_mode: str = "listing",
          ) -> tuple[list[dict[str, Any] | None], list[Diagnostics]]:
    """Refresh every state in one new process, 10 at a time."""
    res = _resource(box, refresh_mode)
    diags = [Diagnostics() for _ in states]
    with ThreadPoolExecutor(10) as pool:
        new = list(pool.map(lambda i: res.read(ReadContext(diags[i], "gogetssl_ssl_order"), states[i]),
                            range(len(states))))
    return new, diags


def _api_calls(box: Sandbox) -> dict[str, int]:
    return {k: v for k, v in box.requests().items() if " /api/" in k}


def _delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: n - before.get(k, 0) for k, n in after.items() if n - before.get(k, 0)}


def test_a_plan_of_many_settled_orders_reads_the_listing_not_each_order(new_sandbox):
    box = new_sandbox()
    states = _estate(box, 40)
    before = _api_calls(box)

    new, diags = _plan(box, states)

    calls = _delta(_api_calls(box), before)
    assert new == states and not any(d.diagnostics for d in diags), "nothing changed: every state is kept"
    assert not [k for k in calls if "/orders/status/" in k], calls
    assert sum(calls.values()) <= 4, calls  # a login, one listing page, one bulk status


def _among_others(box: Sandbox, pages: int, list_order: str) -> list[dict[str, Any]]:
    """Five settled orders in state, among `pages` pages of orders the state does not hold, listed in
    `list_order`, 10 a page (the view asks for 1000: a test of paging need not place thousands of orders)."""
    settled = _estate(box, 5)
    place_many(box, [make_csr(key="ec256").csr_pem for _ in range(pages * 10)])
    box.faults(list_order=list_order, list_page_cap=10)
    return settled


def test_a_listing_of_many_pages_is_read_only_as_far_as_the_state_needs(new_sandbox):
    box = new_sandbox()
    settled = _among_others(box, 3, "oldest")  # 3 more pages, listed after the state's orders
    before = _api_calls(box)

    new, _diags = _plan(box, settled)

    calls = _delta(_api_calls(box), before)
    assert new == settled
    assert sum(n for k, n in calls.items() if "/orders/ssl/all" in k) == 1, calls


def test_an_account_far_larger_than_the_state_costs_a_few_pages_not_the_whole_listing(new_sandbox):
    box = new_sandbox()
    settled = _among_others(box, 4, "newest")  # 4 pages of newer orders, listed before the state's
    before = _api_calls(box)

    new, _diags = _plan(box, settled)

    calls = _delta(_api_calls(box), before)
    assert new == settled
    assert sum(n for k, n in calls.items() if "/orders/ssl/all" in k) == 3, calls
    # then the five refreshes that stopped waiting are answered together (those that gave up at once, in one
    # bulk call; one that gave up while it was under way, in a second)
    assert 1 <= sum(n for k, n in calls.items() if "/orders/statuses/" in k) <= 2, calls
    assert not [k for k in calls if "/orders/status/" in k], calls


def test_every_out_of_band_change_reaches_state(new_sandbox):
    box = new_sandbox()
    states = _estate(box, 6)
    processing = _estate(box, 1, status="processing")
    cancelled, expired, rejected, reissued, kept, renewed_date = (s["order_id"] for s in states)
    box.set_status(cancelled, "cancelled")
    box.set_status(expired, "expired")
    box.set_status(rejected, "rejected")
    box.set_status(processing[0]["order_id"], "active")  # issued since the last plan
    box.clock(1)  # a day later, the certificate of one order is reissued outside Terraform
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password))
    client.orders.reissue(reissued, ReissueRequest(csr=make_csr(states[3]["domain"], key="ec256").csr_pem,
                                                    webserver_type=1, dcv_method="dns", dns_names=[]))
    box.set_status(reissued, "active")

    new, diags = _plan(box, [*states, *processing])

    by_id = {s["order_id"]: (n, d) for s, n, d in zip([*states, *processing], new, diags, strict=True)}
    for oid in (cancelled, rejected):
        state, d = by_id[oid]
        assert state is None and "outside Terraform" in d.diagnostics[0].summary
    assert by_id[expired][0]["order_status"] == "expired"
    issued = by_id[processing[0]["order_id"]][0]
    assert issued["order_status"] == "active" and issued["certificate_pem"]
    again = by_id[reissued][0]
    assert again["certificate_pem"] != states[3]["certificate_pem"], "the reissued certificate reaches state"
    assert by_id[kept][0] == states[4] and by_id[renewed_date][0] == states[5]


def test_a_listing_that_cannot_be_read_leaves_the_bulk_status_to_answer(new_sandbox):
    box = new_sandbox()
    states = _estate(box, 3)
    box.set_status(states[0]["order_id"], "cancelled")
    box.faults({"match": "/orders/ssl/all", "mode": "http_500", "times": 100})
    before = _api_calls(box)

    new, diags = _plan(box, states)

    calls = _delta(_api_calls(box), before)
    assert new[0] is None and "outside Terraform" in diags[0].diagnostics[0].summary and new[1:] == states[1:]
    assert 1 <= sum(n for k, n in calls.items() if "/orders/statuses/" in k) <= 2, calls
    assert [k for k in calls if "/orders/status/" in k] == [f"GET /api/orders/status/{states[0]['order_id']}"]


def test_when_neither_listing_nor_bulk_status_answers_each_order_is_read_itself(new_sandbox):
    box = new_sandbox()
    states = _estate(box, 3)
    box.set_status(states[0]["order_id"], "cancelled")
    box.faults({"match": "/orders/ssl/all", "mode": "http_500", "times": 100},
               {"match": "/orders/statuses/", "mode": "http_500", "times": 100})
    before = _api_calls(box)

    new, _diags = _plan(box, states)

    calls = _delta(_api_calls(box), before)
    assert new[0] is None and new[1:] == states[1:]
    assert sum(n for k, n in calls.items() if "/orders/status/" in k) == 3, calls


def test_an_estate_of_300_settled_orders_is_refreshed_with_at_most_ten_requests(new_sandbox):
    """The whole account is the state, listed newest first: the first refreshes wait for pages far down the
    listing, and the view must keep reading rather than send them each to a call of their own."""
    box = new_sandbox()
    states = _estate(box, 300)
    box.faults(list_order="newest")
    before = _api_calls(box)

    new, _diags = _plan(box, states)

    calls = _delta(_api_calls(box), before)
    assert new == states
    assert sum(calls.values()) <= 10, calls


def test_when_the_state_is_the_account_the_view_is_read_to_its_end_however_many_pages(new_sandbox):
    box = new_sandbox()
    states = _estate(box, 100)
    box.faults(list_order="newest", list_page_cap=10)  # ten pages, the state's first orders on the last
    before = _api_calls(box)

    new, _diags = _plan(box, states)

    calls = _delta(_api_calls(box), before)
    assert new == states
    assert not [k for k in calls if "/orders/status/" in k], calls


def test_by_default_a_reissue_that_keeps_the_expiry_reaches_state(new_sandbox):
    """The listing shows nothing of a reissue made outside Terraform on the day of issue (same status, same
    expiry): only a full read sees the new certificate, which is why `full` is the default."""
    box = new_sandbox()
    states = _estate(box, 2)
    rid = states[0]["order_id"]
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password))
    client.orders.reissue(rid, ReissueRequest(csr=make_csr(states[0]["domain"], key="ec256").csr_pem,
                                              webserver_type=1, dcv_method="dns", dns_names=[]))
    box.set_status(rid, "active")
    vendor = client.orders.status(rid)
    assert vendor.crt_code != states[0]["certificate_pem"] and vendor.valid_till == states[0]["valid_till"]
    before = _api_calls(box)

    new, _diags = _plan(box, states, refresh_mode="full")

    assert new[0]["certificate_pem"] == vendor.crt_code
    # The certificate is for the new key: state's csr is the one it was issued for, so a configuration that
    # still holds the old CSR plans a reissue back to it instead of a clean plan over a mismatched pair.
    assert normalize_pem(new[0]["csr"]) == normalize_pem(vendor.csr_code) != normalize_pem(states[0]["csr"])
    calls = _delta(_api_calls(box), before)
    assert not [k for k in calls if "/orders/ssl/all" in k or "/orders/statuses/" in k], calls


def _impatient(box: Sandbox) -> SslOrderResource:
    """A listing-mode resource whose client gives each request 1 s and retries it 3 times."""
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password, read_timeout=1.0, total_timeout=1.0,
                                           max_retries=3))
    return SslOrderResource(GoGetSSLProvider(client=client, refresh_mode="listing"))


def _refresh_all(res: SslOrderResource, states: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    with ThreadPoolExecutor(10) as pool:
        return list(pool.map(lambda s: res.read(ReadContext(Diagnostics(), "gogetssl_ssl_order"), s), states))


def test_a_hanging_listing_delays_the_refreshes_by_one_request_deadline_not_its_retries(new_sandbox):
    box = new_sandbox()
    states = _estate(box, 5)
    box.faults({"match": "/orders/ssl/all", "mode": "slow", "delay_ms": 6000, "times": 100},
               {"match": "/orders/statuses/", "mode": "slow", "delay_ms": 6000, "times": 100})
    res = _impatient(box)

    started = time.monotonic()
    new = _refresh_all(res, states)
    elapsed = time.monotonic() - started

    # Full mode answers these in well under a second; the listing's reader retries 3 x 1 s per call.
    assert new == states
    assert elapsed < 2.5, f"the refreshes waited {elapsed:.1f} s for a listing that does not answer"


def test_stop_provider_ends_the_wait_for_the_listing(new_sandbox):
    box = new_sandbox()
    states = _estate(box, 3)
    box.faults({"match": "/orders/ssl/all", "mode": "slow", "delay_ms": 6000, "times": 100})
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password))  # the default 60 s deadline
    provider = GoGetSSLProvider(client=client, refresh_mode="listing")
    res = SslOrderResource(provider)
    threading.Timer(0.3, provider.stopping.set).start()

    started = time.monotonic()
    new = _refresh_all(res, states)
    elapsed = time.monotonic() - started

    assert new == states
    assert elapsed < 2.0, f"the refreshes went on waiting {elapsed:.1f} s after StopProvider"
