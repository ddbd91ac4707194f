"""What the provider keeps for its resources lives on the provider object, not in module globals: the reconcile
ledger and the account view of one provider (one plugin process) are its own, a second provider starts without
them even on the same client, the view is made anew once stale and dropped when an order changes. In process,
no sockets (a client is built, never called)."""

from __future__ import annotations

import threading

from provider.client import ClientSettings, GoGetSSLClient
from provider.common.services import Slot
from provider.provider import GoGetSSLProvider
from provider.resources import ssl_order_account_view as account_view
from provider.resources import ssl_order_reconcile as reconcile


def _client() -> GoGetSSLClient:
    return GoGetSSLClient(ClientSettings("http://127.0.0.1:9/api", "user", "password"))


def test_a_slot_makes_its_object_once_again_when_stale_and_anew_after_forget() -> None:
    slot, made = Slot(), []

    def make() -> list[int]:
        made.append(1)
        return [len(made)]

    first = slot.get(make)
    assert slot.get(make) is first and made == [1]
    assert slot.get(make, stale=lambda kept: kept == [1]) == [2]
    slot.forget()
    assert slot.get(make) == [3]


def test_threads_that_ask_a_slot_together_share_one_object() -> None:
    slot, gate, got = Slot(), threading.Barrier(8), []

    def ask() -> None:
        gate.wait(5)
        got.append(slot.get(object))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(got) == 8 and all(g is got[0] for g in got)


def test_the_ledger_is_the_providers_own() -> None:
    client = _client()
    one, other = GoGetSSLProvider(client=client), GoGetSSLProvider(client=client)
    ledger = reconcile.ledger_of(one)
    ledger.claim(1800001)
    assert reconcile.ledger_of(one) is ledger
    assert reconcile.ledger_of(other) is not ledger and not reconcile.ledger_of(other).holds(1800001)


def test_the_account_view_is_the_providers_own_and_dropped_when_an_order_changes() -> None:
    client = _client()
    one, other = GoGetSSLProvider(client=client), GoGetSSLProvider(client=client)
    view = account_view.view_of(one, client)
    assert account_view.view_of(one, client) is view
    assert account_view.view_of(other, client) is not view
    account_view.forget(one)  # what every place, reissue, validation change and cancellation does
    assert account_view.view_of(one, client) is not view


def test_an_account_view_is_stale_after_its_ttl_or_for_another_client() -> None:
    client, now = _client(), [0.0]
    view = account_view.AccountView(client, clock=lambda: now[0])
    assert not view.stale(client)
    now[0] = account_view.VIEW_TTL + 0.1
    assert view.stale(client)
    now[0] = 0.0
    assert view.stale(_client())
