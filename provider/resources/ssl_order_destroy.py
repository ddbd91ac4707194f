"""Destroying a gogetssl_ssl_order at GoGetSSL, as `on_destroy` says: cancel it (for a refund while the refund
window is open), or forget it; never a second cancellation while the vendor may still review the first.

delete() is two steps. `decide` reads the order (unless `on_destroy = "forget"` decides alone) and decides with
the function the destroy plan used (ssl_order_destroy_decision.py), from the status GoGetSSL reports now: an
order issued, cancelled or past its refund window since the plan is destroyed as it is now. `act` does what was
decided: cancel, forget, wait for a review of an earlier cancellation, or let an order that is gone leave state.
"""

from __future__ import annotations

from typing import Any

from tf.utils import Diagnostics

from provider.client import errors
from provider.common.diagnostics import add_api_error
from provider.common.order_state import order_id_of
from provider.common.services import ProviderServices, configured_client
from provider.common.vendor import CANCEL_REVIEW_HOURS
from provider.resources import ssl_order_account_view as account_view
from provider.resources import ssl_order_destroy_decision as destroy_decision
from provider.resources import ssl_order_policy as policy
from provider.resources import ssl_order_spend as spend
from provider.resources.ssl_order_destroy_decision import Decision


def destroy(provider: ProviderServices, diags: Diagnostics, current: dict[str, Any]) -> dict[str, Any] | None:
    """Delete the order as `on_destroy` says: None when it left state, else the state to keep."""
    if order_id_of(current) is None:
        return None
    decision = decide(provider, diags, current)
    if decision is None:
        return current  # the order could not be read: nothing was decided, and nothing was done
    return act(provider, diags, current, decision)


def decide(provider: ProviderServices, diags: Diagnostics, current: dict[str, Any]) -> Decision | None:
    """What destroying the order of `current` does, decided as its destroy plan was, from the order's status read
    now; `on_destroy = "forget"` decides without a read. None, with the diagnostic added, when the order could not
    be read."""
    order_id = order_id_of(current)
    assert order_id is not None
    decided = destroy_decision.by_setting(current.get("on_destroy"))
    if decided is not None:
        return decided
    client = configured_client(provider, diags)
    if client is None:
        return None
    try:
        status = spend.read_confirmed(client, order_id)
    except errors.GoGetSSLError as exc:
        add_api_error(diags, exc, f"reading order {order_id} before cancelling it")
        return None
    if status is None:
        # GoGetSSL does not know the order (it said so twice): there is nothing to cancel, and nothing to say.
        return Decision("gone")
    return destroy_decision.decide(provider, current.get("on_destroy"), current.get("cancel_requested_at"),
                                   status.status, status.begin_date, status.valid_from, status.product_id)


def act(provider: ProviderServices, diags: Diagnostics, current: dict[str, Any],
        decision: Decision) -> dict[str, Any] | None:
    """Do what `decision` says to the order of `current`: None when the order left state, else the state to keep."""
    order_id = order_id_of(current)
    if decision.kind == "forget":
        if decision.window_closed:
            diags.add_warning(
                f"Order {order_id} was forgotten, not cancelled: its refund window is closed",
                f"{decision.why}. Cancelling now would end the certificate without a refund, so the order was only "
                "removed from state and stays valid at GoGetSSL. Set on_destroy = \"cancel\" to cancel anyway.",
            )
        else:
            diags.add_warning(f"Order {order_id} was forgotten, not cancelled",
                              "on_destroy = \"forget\": the order was only removed from state; it stays at "
                              "GoGetSSL.")
        return None

    if decision.kind == "gone":
        if decision.status not in (None, "cancelled"):
            diags.add_warning(f"Order {order_id} is {decision.status}: nothing to cancel",
                              "It was removed from state without a call.")
        return None

    if decision.kind == "wait" and decision.review_ends is not None:
        diags.add_error(
            f"The cancellation of order {order_id} may be under review",
            f"A cancellation was requested at {current.get('cancel_requested_at')}, and its answer was "
            f"uncertain. GoGetSSL reviews cancellations within {CANCEL_REVIEW_HOURS} hours and the order keeps its "
            f"status ({decision.status}) meanwhile; a second request during the review is refused, so nothing was "
            "sent again. Run terraform destroy again once GoGetSSL shows the order cancelled (it is then removed "
            f"without a call), or after {policy.stamp(decision.review_ends)} to ask again. If the client area shows "
            "the cancellation pending, you may also run terraform state rm <address>.",
        )
        return current

    return _cancel(provider, diags, current)


def _cancel(provider: ProviderServices, diags: Diagnostics, current: dict[str, Any]) -> dict[str, Any] | None:
    """Ask GoGetSSL to cancel the order ("cancel" or "refund"): None once the request is made (GoGetSSL reviews it),
    else the state to keep, marked when the request may have arrived."""
    order_id = order_id_of(current)
    assert order_id is not None
    client = configured_client(provider, diags)
    if client is None:
        return current
    asked = policy.stamp(policy.utc_now())
    account_view.forget(provider)
    try:
        outcome = spend.cancel(client, order_id)
    except spend.CancelUnknown as exc:
        diags.add_error(
            f"The cancellation of order {order_id} may have been requested",
            f"cancelSSLOrder did not answer clearly, twice ({exc}), and the order's status cannot show a "
            "cancellation under review. The order stays in state, marked as cancellation requested at "
            f"{asked}: a destroy within the next {CANCEL_REVIEW_HOURS} hours sends no further request "
            "(GoGetSSL refuses one during its review) and removes the order once GoGetSSL reports it cancelled.",
        )
        return {**current, "cancel_requested_at": asked}
    except errors.GoGetSSLError as exc:
        add_api_error(diags, exc, f"cancelling order {order_id}")
        return current

    if outcome == "under_review":
        diags.add_warning(f"Cancellation of order {order_id} is already under review",
                          "GoGetSSL answered that a cancellation of this order is already being reviewed; "
                          "nothing new was requested, and the order was removed from state.")
        return None
    diags.add_warning(
        f"Cancellation of order {order_id} requested",
        f"GoGetSSL reviews cancellation requests (usually within 2-{CANCEL_REVIEW_HOURS} hours); the order keeps "
        "its status until then. A refund, if due (before issuance or within the refund window after it), goes to "
        "the account balance.",
    )
    return None
