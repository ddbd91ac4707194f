"""SANs paid for: an order keeps the SANs it was bought with across reissues, so shrinking `dns_names` and growing
it back within them is a free reissue, and only growing beyond them buys a new order (issue 20, item 8).

In-process against the sandbox: the planned action and price are the provider's answer; how Terraform renders a
planned reissue is the subject of tests/e2e/test_subscription.py."""

from __future__ import annotations

from collections.abc import Callable

from tests.support import Sandbox, applied, errors_of, issued_order, new_provider, plan_change, refreshed

Start = Callable[..., Sandbox]


def _reissued(box: Sandbox, state: dict, dns_names: list[str]) -> dict:
    """`state` after a planned and applied free reissue to `dns_names`, once the CA has issued it."""
    planned, diags = plan_change(new_provider(box), state, dns_names=dns_names)
    assert not errors_of(diags) and (planned["planned_action"], planned["planned_price"]) == ("reissue", 0), \
        (planned["planned_action"], diags.diagnostics)
    after, diags = applied(box, state, planned)
    assert after is not None and not errors_of(diags), diags.diagnostics
    box.set_status(state["order_id"], "active")
    return refreshed(box, after)


def test_the_vendor_reports_the_sans_bought_not_the_sans_held_after_a_reissue(new_sandbox: Start):
    """GoGetSSL's getOrderStatus counts the SANs bought (`single_san_count`, `wildcard_san_count`): integrations
    compare them with a reissue's SANs to buy the shortfall (docs/vendor-api.md §5). A reissue to fewer SANs does
    not sell the others back."""
    box = new_sandbox()
    state = issued_order(box, product_id=67, dns_names=["a.example.com", "b.example.com", "c.example.com"])
    order_id = state["order_id"]
    before = box.api(f"/orders/status/{order_id}")
    assert (before["single_san_count"], before["wildcard_san_count"]) == ("3", "0")
    _reissued(box, state, state["dns_names"][:1])
    after = box.api(f"/orders/status/{order_id}")
    assert after["domains"].count(",") == 1, "the order now holds one SAN"
    assert (after["single_san_count"], after["wildcard_san_count"], after["total_domains"]) == ("3", "0", "4")


def test_growing_dns_names_back_within_the_sans_bought_is_a_free_reissue(new_sandbox: Start):
    """3 SANs bought, reissued down to 1: going back to 3 is a free reissue of the same order (the README's
    promise), where it used to plan a replacement: a new paid order, and a cancellation of this one."""
    box = new_sandbox()
    state = issued_order(box, product_id=67, dns_names=["a.example.org", "b.example.org", "c.example.org"])
    order_id, three = state["order_id"], state["dns_names"]
    state = _reissued(box, state, three[:1])
    assert state["dns_names"] == three[:1]
    balance, paid = box.balance(), box.count("add_ssl_order") + box.count("add_ssl_renew_order")

    planned, diags = plan_change(new_provider(box), state, dns_names=three)
    assert not errors_of(diags), diags.diagnostics
    assert (planned["planned_action"], planned["planned_price"]) == ("reissue", 0)
    assert not any("purchase" in d.summary.lower() or "buys" in d.summary.lower() for d in diags.diagnostics)
    state = _reissued(box, state, three)
    assert (state["order_id"], state["dns_names"], state["order_status"]) == (order_id, three, "active")
    assert box.balance() == balance and box.count("add_ssl_order") + box.count("add_ssl_renew_order") == paid


def test_growing_dns_names_beyond_the_sans_bought_still_plans_a_new_order(new_sandbox: Start):
    box = new_sandbox()
    state = issued_order(box, product_id=67, dns_names=["a.example.net", "b.example.net", "c.example.net"])
    state = _reissued(box, state, state["dns_names"][:1])
    planned, diags = plan_change(new_provider(box), state,
                                 dns_names=["a.example.net", "b.example.net", "c.example.net", "d.example.net"])
    assert planned["planned_action"] == "order" and planned["planned_price"] > 0, planned["planned_action"]
