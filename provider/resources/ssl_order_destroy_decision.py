"""What destroying a gogetssl_ssl_order does, decided in one place for the destroy plan, a replacement's plan, the
`destroy_outcome` attribute and delete().

One rule (`decide`): `on_destroy = "forget"` forgets the order whatever it is; an order already cancelled,
expired or rejected has nothing to cancel; a cancellation whose answer was uncertain may still be under the
vendor's review, and a second request during it is refused, so the destroy waits; `on_destroy = "cancel"`
cancels; the default cancels only while a refund is certain: before issuance, or inside the product's refund
window counted from the first issuance. A refund window that cannot be read counts as closed: cancelling after
it ends the certificate with no refund (KB 19), while forgetting the order keeps the certificate and says so.

A plan decides from state; delete() (ssl_order_destroy.py) decides again, with the same function, from the
order's status read at destroy: what the plan said is what the destroy does, unless GoGetSSL changed the
order in between.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tf.types import Unknown
from tf.utils import Diagnostics

from provider.client import errors
from provider.common.order_schema import DEFAULT_ON_DESTROY
from provider.common.order_state import order_id_of
from provider.common.services import NotConfigured, ProviderServices, refund_today
from provider.common.vendor import FAILED_STATUSES
from provider.resources import ssl_order_policy as policy


@dataclass(frozen=True)
class Decision:
    """What destroying an order does, and why."""

    #: "gone": nothing to cancel (cancelled, expired or rejected); "wait": an uncertain cancellation may still be
    #: under review; "forget": only removed from state; "cancel": on_destroy = "cancel"; "refund": cancelled while
    #: a refund is due (before issuance, or inside the refund window)
    kind: str
    #: "forget": why the order is only forgotten
    why: str = ""
    #: the order's status it was decided from: state's in a plan, GoGetSSL's at destroy (None: not read, as
    #: on_destroy = "forget" decides alone)
    status: Any = None
    #: "forget": the refund window is closed (not on_destroy), so on_destroy = "cancel" would cancel it anyway
    window_closed: bool = False
    #: "wait": when the vendor's review of the uncertain cancellation may end
    review_ends: dt.datetime | None = None


#: why an order whose on_destroy is "forget" is only forgotten
_BY_SETTING = "on_destroy = \"forget\""


def by_setting(on_destroy: Any) -> Decision | None:
    """What `on_destroy` decides alone, whatever the order is: "forget" (delete() then reads nothing); None when
    the order's status decides."""
    if (on_destroy or DEFAULT_ON_DESTROY) == "forget":
        return Decision("forget", _BY_SETTING)
    return None


def decide(services: ProviderServices, on_destroy: Any, cancel_requested_at: Any, status: Any,
           begin_date: Any, valid_from: Any, product_id: Any) -> Decision:
    """What destroying an order does: the one decision of the destroy plan (from state), a replacement's plan, the
    `destroy_outcome` attribute and delete() (from the order's status read at destroy)."""
    decided = by_setting(on_destroy)
    if decided is not None:
        return decided
    if status in FAILED_STATUSES:
        return Decision("gone", status=status)
    # GoGetSSL refuses a second cancellation while it reviews the first: the destroy waits for the review.
    review_ends = policy.cancel_review_ends(cancel_requested_at)
    if review_ends is not None:
        return Decision("wait", status=status, review_ends=review_ends)
    if (on_destroy or DEFAULT_ON_DESTROY) == "cancel":
        return Decision("cancel", status=status)
    issued = policy.first_issued(begin_date, valid_from)
    if issued is not None:  # issued once: also while a reissue of it is pending
        open_, why = policy.refund_window(issued, refund_days(services, product_id), refund_today(services))
        if not open_:
            return Decision("forget", f"{why}: its refund window is closed", status, window_closed=True)
    return Decision("refund", status=status)


def of_state(services: ProviderServices, state: dict[str, Any]) -> Decision | None:
    """What destroying the order in `state` does, decided from state (what a plan knows); None without an order."""
    if order_id_of(state) is None:
        return None
    return decide(services, state.get("on_destroy"), state.get("cancel_requested_at"), state.get("order_status"),
                  state.get("begin_date"), state.get("valid_from"), state.get("product_id"))


def announced(services: ProviderServices, state: dict[str, Any]) -> Decision | None:
    """What a plan says destroying the order will do (of_state): "forget", "cancel" or "refund"; None when there is
    nothing to cancel, or delete() will explain why it waits."""
    decision = of_state(services, state)
    return None if decision is None or decision.kind in ("gone", "wait") else decision


#: Decision.kind -> the `destroy_outcome` attribute ("wait": a cancellation may be under review)
_OUTCOMES = {"gone": "nothing", "wait": "cancel", "forget": "forget", "cancel": "cancel", "refund": "cancel_for_refund"}


def set_destroy_outcome(services: ProviderServices, state: dict[str, Any],
                        planned: dict[str, Any] | None = None) -> dict[str, Any]:
    """Set `destroy_outcome` in a state about to be returned: what the plan said when it knew (apply keeps what
    its plan showed), else what destroying the order would do now (decide)."""
    if planned is not None and planned.get("destroy_outcome", Unknown) is not Unknown:
        state["destroy_outcome"] = planned["destroy_outcome"]  # null too: a state upgraded, not yet refreshed
    else:
        state["destroy_outcome"] = destroy_outcome(services, state)
    return state


def destroy_outcome(services: ProviderServices, state: dict[str, Any]) -> str | None:
    """The `destroy_outcome` of an order's state (of_state), None without an order."""
    decision = of_state(services, state)
    return None if decision is None else _OUTCOMES[decision.kind]


def refund_days(services: ProviderServices, product_id: Any) -> int | None:
    """The product's refund days, from its details (the only place the vendor documents them), read once per
    process; None when they cannot be read or give none. Never a guess: taking the usual 30 for a product whose
    window is shorter (0: no refund once issued) would cancel a certificate without a refund."""
    try:
        days = services.product_details(int(product_id or 0)).refund_days
    except (NotConfigured, errors.GoGetSSLError, TypeError, ValueError):
        return None
    return int(days) if days is not None and days >= 0 else None


def plan_destroy(services: ProviderServices, diags: Diagnostics, current: dict[str, Any]) -> None:
    """Say in a destroy plan what destroying the order will do at GoGetSSL."""
    decision = announced(services, current)
    if decision is None:
        return
    order_id, status = order_id_of(current), current.get("order_status")
    ends = " Its issued certificate stops working once GoGetSSL cancels the order." if status == "active" else ""
    if decision.kind == "forget":
        diags.add_warning(f"Destroying order {order_id} only forgets it",
                          f"{decision.why}: the order is removed from state and stays valid at GoGetSSL; nothing "
                          "is cancelled or refunded." + (" Set on_destroy = \"cancel\" to cancel it anyway."
                                                         if decision.window_closed else ""))
    elif decision.kind == "cancel":
        diags.add_warning(f"Destroying order {order_id} cancels it",
                          f"on_destroy = \"cancel\": GoGetSSL is asked to cancel order {order_id} (it is "
                          f"{status}); a refund is due only within its refund window.{ends}")
    else:
        diags.add_warning(f"Destroying order {order_id} cancels it for a refund",
                          f"Order {order_id} is {status} and within its refund window: GoGetSSL is asked to "
                          f"cancel it, and the refund goes to the account balance.{ends}")


def warn_replacement(services: ProviderServices, diags: Diagnostics, current: dict[str, Any],
                     replace: list[str]) -> None:
    """A replacement of an issued order whose destroy cancels it: say so, and how to keep the site up."""
    decision = announced(services, current)
    if decision is None:
        return
    order_id = order_id_of(current)
    if decision.kind == "forget":
        diags.add_warning(f"Replacing order {order_id} only forgets it",
                          f"Changing {', '.join(replace)} needs a new order; {decision.why}, so order {order_id} "
                          "is removed from state and stays valid at GoGetSSL: nothing is cancelled or refunded.",
                          path=[replace[0]])
        return
    if current.get("order_status") != "active":
        diags.add_warning(f"Replacing order {order_id} cancels it",
                          f"Changing {', '.join(replace)} needs a new order; destroying order {order_id} (it is "
                          f"{current.get('order_status')}) asks GoGetSSL to cancel it"
                          + (", for a refund." if decision.kind == "refund" else "."), path=[replace[0]])
        return
    diags.add_warning(
        f"Replacing order {order_id} cancels its issued certificate",
        f"Changing {', '.join(replace)} needs a new order, and destroying order {order_id} cancels it. Unless "
        "this resource and the gogetssl_ssl_order_validation that waits for it set lifecycle { "
        "create_before_destroy = true }, Terraform destroys first: the certificate stops working while the new "
        "order still waits for validation. With it, the old order is cancelled only once the new certificate "
        "is issued (docs/resources/ssl_order.md).", path=[replace[0]])
