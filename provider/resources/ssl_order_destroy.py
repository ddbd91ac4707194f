"""Destroying a gogetssl_ssl_order at GoGetSSL, as `on_destroy` says: cancel it (for a refund while the refund
window is open), or forget it; never a second cancellation while the vendor may still review the first."""

from __future__ import annotations

from typing import Any

from tf.utils import Diagnostics

from provider.client import errors
from provider.common.diagnostics import add_api_error
from provider.common.order_schema import DEFAULT_ON_DESTROY
from provider.common.order_state import order_id_of
from provider.common.services import ProviderServices, configured_client
from provider.common.vendor import CANCEL_REVIEW_HOURS
from provider.resources import ssl_order_destroy_decision as destroy_decision
from provider.resources import ssl_order_policy as policy
from provider.resources import ssl_order_snapshot as snapshot
from provider.resources import ssl_order_spend as spend


def destroy(provider: ProviderServices, diags: Diagnostics, current: dict[str, Any]) -> dict[str, Any] | None:
    """Delete the order as `on_destroy` says: None when it left state, else the state to keep."""
    order_id = order_id_of(current)
    on_destroy = current.get("on_destroy") or DEFAULT_ON_DESTROY
    if order_id is None:
        return None
    if on_destroy == "forget":
        diags.add_warning(f"Order {order_id} was forgotten, not cancelled",
                          "on_destroy = \"forget\": the order was only removed from state; it stays at GoGetSSL.")
        return None
    client = configured_client(provider, diags)
    if client is None:
        return current
    try:
        status = spend.read_confirmed(client, order_id)
    except errors.GoGetSSLError as exc:
        add_api_error(diags, exc, f"reading order {order_id} before cancelling it")
        return current
    if status is None:
        return None
    kind, why = destroy_decision.decide(provider, on_destroy, current.get("cancel_requested_at"), status.status,
                                         status.begin_date, status.valid_from, status.product_id)
    if kind == "gone":
        if status.status != "cancelled":
            diags.add_warning(f"Order {order_id} is {status.status}: nothing to cancel",
                              "It was removed from state without a call.")
        return None
    review_ends = policy.cancel_review_ends(current.get("cancel_requested_at"))
    if kind == "wait" and review_ends is not None:
        diags.add_error(
            f"The cancellation of order {order_id} may be under review",
            f"A cancellation was requested at {current.get('cancel_requested_at')}, and its answer was "
            f"uncertain. GoGetSSL reviews cancellations within {CANCEL_REVIEW_HOURS} hours and the order keeps its "
            f"status ({status.status}) meanwhile; a second request during the review is refused, so nothing was "
            "sent again. Run terraform destroy again once GoGetSSL shows the order cancelled (it is then removed "
            f"without a call), or after {policy.stamp(review_ends)} to ask again. If the client area shows "
            "the cancellation pending, you may also run terraform state rm <address>.",
        )
        return current
    if kind == "forget":  # (on_destroy = "forget" returned above, before any call)
        diags.add_warning(
            f"Order {order_id} was forgotten, not cancelled: its refund window is closed",
            f"{why}. Cancelling now would end the certificate without a refund, so the order was only "
            "removed from state and stays valid at GoGetSSL. Set on_destroy = \"cancel\" to cancel anyway.",
        )
        return None
    asked = policy.stamp(policy.utc_now())
    snapshot.forget(client)
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

