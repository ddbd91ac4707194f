"""Money paths and deadlines under a hostile vendor: each test reproduces a defect a review found (a
create paying twice, a look-alike order adopted, a stuck login or resolver stretching every request).

In-process against a sandbox (tests/support.py); the provider's own client and resource code run
unchanged. Where Terraform's scheduling decides the interleaving (two creates of one apply), the
interleaving is forced through the client's `sleep` setting, which the provider calls while it
gives an uncertain request time to land.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from tf.iface import CreateContext
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient, errors
from provider.provider import GoGetSSLProvider
from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, live_orders, make_csr, minimal_order, planned_order

Start = Callable[..., Sandbox]


def create(provider: GoGetSSLProvider, csr: str) -> tuple[dict[str, Any] | None, Diagnostics]:
    """Apply the create of a minimal order for `csr`, as Terraform would; the state and the diagnostics."""
    diags = Diagnostics()
    planned = planned_order(SslOrderResource.get_schema(), csr=csr)
    state = SslOrderResource(provider).create(CreateContext(diags, "gogetssl_ssl_order"), planned)
    return state, diags


# -- 1. money: a create that could not take the apply's mark, and a later create that did --
def test_an_order_placed_before_the_mark_was_taken_is_bought_twice(new_sandbox: Start):
    """Create A cannot read the listing when it takes the apply's mark (a transient 500), places its order
    anyway, and the answer is lost. While A gives its request time to land, create B of the same apply
    takes the mark: the highest id is now A's own order. A's search looks only above the mark, so it
    'proves' that nothing was placed and orders again: two paid orders for A, one of them not in state."""
    sb = new_sandbox("--issue-after", "0")  # a DV order the CA issues at once: no duplicate refusal to save A
    sb.faults({"match": "/orders/ssl/all", "mode": "http_500", "times": 1},
              {"match": "add_ssl_order", "mode": "commit_then_reset", "times": 1})
    csr_a, csr_b = make_csr().csr_pem, make_csr().csr_pem
    others: list[Any] = []

    def sleep(_seconds: float) -> None:
        if not others:  # another resource of the same apply is created meanwhile
            others.append(create(provider, csr_b))

    provider = GoGetSSLProvider(client=GoGetSSLClient(ClientSettings(sb.url, sb.user, sb.password, max_retries=0,
                                                                     read_timeout=2, sleep=sleep)))
    state, diags = create(provider, csr_a)
    placed = live_orders(sb, csr_a)
    assert len(placed) == 1, (f"create A paid for {len(placed)} orders: {[o['order_id'] for o in placed]}; "
                              f"state holds {state and state['order_id']}; "
                              f"{[d.summary for d in diags.diagnostics]}")


# -- 2. deadlines --
@pytest.mark.timeout(60)
def test_a_slow_dns_answer_is_not_bounded_by_request_timeout(new_sandbox: Start, monkeypatch: pytest.MonkeyPatch):
    """request_timeout promises 'start to finish'. Name resolution happens before the deadline's watchdog
    sees a socket, so a resolver that takes 6 s stretches a 1 s request to 6 s (and a hung resolver to
    forever)."""
    sb = new_sandbox()
    port = urlsplit(sb.url).port
    real = socket.getaddrinfo

    def slow_resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "localhost":
            time.sleep(6)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_resolver)
    client = GoGetSSLClient(ClientSettings(f"http://localhost:{port}/api", sb.user, sb.password, max_retries=0,
                                           read_timeout=1, total_timeout=1))
    started = time.monotonic()
    with pytest.raises(errors.GoGetSSLError):
        client.account.balance()
    elapsed = time.monotonic() - started
    assert elapsed < 3, f"a request with a 1 s request_timeout took {elapsed:.1f} s"


@pytest.mark.timeout(120)
def test_a_stuck_auth_makes_concurrent_requests_wait_far_past_their_deadline(new_sandbox: Start):
    """Terraform calls the plugin from up to 10 threads. /auth/ hangs; each thread takes the key lock in
    turn and spends a full deadline on its own /auth/ attempt, so the n-th thread's request ends after n
    deadlines: with the default 60 s, a plan of 8 orders hangs 8 minutes before the last error."""
    sb = new_sandbox()
    sb.faults({"match": "/auth", "mode": "slow", "delay_ms": 4000, "times": 100})
    client = GoGetSSLClient(ClientSettings(sb.url, sb.user, sb.password, max_retries=0,
                                           read_timeout=1, total_timeout=1))
    n = 8
    go = threading.Barrier(n)
    took: list[float] = []
    lock = threading.Lock()

    def read() -> None:
        go.wait()
        started = time.monotonic()
        try:
            client.account.balance()
        except errors.GoGetSSLError:
            pass
        with lock:
            took.append(time.monotonic() - started)

    threads = [threading.Thread(target=read) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(took) == n
    assert max(took) < 3, f"requests with a 1 s request_timeout took up to {max(took):.1f} s: {sorted(took)}"


# -- 3. a listing whose order is not what the scan infers --
class StatusSortedListing(HTTPAdapter):
    """The vendor lists orders by status, then newest first (`ORDER BY status DESC, id DESC`): its sort order
    is not public (docs/vendor-api.md §8). Everything but the listing goes to the sandbox unchanged."""

    def __init__(self, sb: Sandbox):
        super().__init__()
        self.sb = sb

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if "/orders/ssl/all" not in (request.url or ""):
            return super().send(request, **kwargs)
        q = parse_qs(urlsplit(request.url).query)
        limit, offset = int(q["limit"][0]), int(q["offset"][0])
        orders = sorted(self.sb.orders(), key=lambda o: (o["status"], o["order_id"]), reverse=True)
        page = [{"order_id": str(o["order_id"]), "status": o["status"]} for o in orders[offset:offset + limit]]
        body = json.dumps({"orders": page, "limit": limit, "offset": offset, "count": len(page),
                           "success": True}).encode()
        resp = requests.Response()
        resp.status_code, resp.url, resp.request = 200, request.url, request
        resp.headers["Content-Type"] = "application/json"
        resp.raw = io.BytesIO(body)
        resp._content, resp._content_consumed = body, True
        return resp


def test_a_listing_sorted_by_status_hides_the_placed_order_and_it_is_bought_twice(new_sandbox: Start):
    """Both the mark and the search decide "newest first" from the first two entries of the listing and then
    stop at the first entry at or below the mark. Listed by status, two cancelled orders come first
    (descending ids), so the search stops before it reaches the order the lost request placed (already
    active: a DV order issued at once), declares the listing proven empty, and orders again."""
    sb = new_sandbox("--issue-after", "0")
    for _ in range(2):
        sb.set_status(sb.place(make_csr().csr_pem), "cancelled")  # old orders of the account
    csr = make_csr().csr_pem
    sb.faults({"match": "add_ssl_order", "mode": "commit_then_reset", "times": 1})
    session = requests.Session()
    session.mount("http://", StatusSortedListing(sb))
    settings = ClientSettings(sb.url, sb.user, sb.password, max_retries=0, read_timeout=2, sleep=lambda _s: None)
    provider = GoGetSSLProvider(client=GoGetSSLClient(settings, session=session))
    state, diags = create(provider, csr)
    placed = live_orders(sb, csr)
    assert len(placed) == 1, (f"paid for {len(placed)} orders: {[o['order_id'] for o in placed]}; state holds "
                              f"{state and state['order_id']}; {[d.summary for d in diags.diagnostics]}")


# -- 4. an identical order placed by another tool while the create waits --
def test_an_identical_order_placed_by_another_tool_during_the_grace_period_is_adopted(new_sandbox: Start):
    """Two pipelines apply the same configuration (a re-run CI job, a copied workspace). This create's
    addSSLOrder is refused with a 500 before processing; while it waits, the other pipeline's identical
    order lands. The search cannot tell the orders apart and adopts the other pipeline's order: both
    states hold it, and either destroy cancels the other's certificate."""
    sb = new_sandbox()
    csr = make_csr().csr_pem
    theirs: list[int] = []

    def sleep(_seconds: float) -> None:
        if not theirs:
            theirs.append(sb.place(csr))

    sb.faults({"match": "add_ssl_order", "mode": "http_500", "times": 1})
    settings = ClientSettings(sb.url, sb.user, sb.password, max_retries=0, read_timeout=2, sleep=sleep)
    provider = GoGetSSLProvider(client=GoGetSSLClient(settings))
    state, diags = create(provider, csr)
    assert theirs
    assert state is None or state["order_id"] != theirs[0], (
        f"adopted order {theirs[0]}, placed by another tool: {[d.summary for d in diags.diagnostics]}")


# -- a login that fails leaves the paid request unsent, and says so --
def test_a_failed_login_is_not_an_uncertain_order(new_sandbox: Start):
    """When /auth/ fails (a 500, a garbled answer), the order request itself was never sent: the create must
    know that, rather than treat it as an order that may exist and spend a listing and a grace period."""
    from provider.client.models import AddSSLOrderRequest

    sb = new_sandbox()
    sb.faults({"match": "/auth", "mode": "http_500", "times": 10})
    client = GoGetSSLClient(ClientSettings(sb.url, sb.user, sb.password, max_retries=0, read_timeout=2))
    with pytest.raises(errors.GoGetSSLError) as raised:
        client.orders.add_ssl_order(AddSSLOrderRequest(**minimal_order(csr=make_csr().csr_pem)))
    assert raised.value.outcome_unknown is False, str(raised.value)
    assert "not sent" in str(raised.value)
    assert sb.count("add_ssl_order") == 0
