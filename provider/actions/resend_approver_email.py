"""gogetssl_resend_approver_email: mail an order's approver address(es) again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tf.utils import Diagnostics

from provider.actions._base import OrderAction, domains_of, order_schema, pending
from provider.client import errors
from provider.client.models import OrderStatus
from provider.common.diagnostics import add_api_error


class ResendApproverEmailAction(OrderAction):
    NAME = "resend_approver_email"
    SCHEMA = order_schema(
        "Asks GoGetSSL to send an order's approval e-mail again: to every domain validated by e-mail (the "
        "vendor's resendValidationEmail), or to one `domain`'s approver (resend). Touches no state and spends "
        "nothing; every invocation sends mail, so it is never retried after an uncertain answer. An order that "
        "is not pending, or has no domain validated by e-mail, is an error naming it. Needs Terraform 1.14 or "
        "newer.",
        "Only this domain's approver (the common name or a SAN of the order); every e-mail-validated domain "
        "when left out.")

    def run(self, diags: Diagnostics, client: Any, order_id: int, status: OrderStatus,
            domain: str | None) -> Iterator[str]:
        if not pending(diags, order_id, status, "the approval e-mail can be sent again"):
            return
        emailed = [(d, e) for d, m, e in domains_of(status) if m == "email" and (domain is None or d == domain)]
        if not emailed:
            which = domain or f"order {order_id}"
            diags.add_error(f"No approval e-mail to send for {which}",
                            f"{which[0].upper() + which[1:]} is validated by DNS or a file, not by e-mail: "
                            "gogetssl_recheck_validation asks the CA to check it.",
                            ["domain"] if domain else ["order_id"])
            return
        if self.stopped(diags, order_id):
            return
        try:
            answer = client.orders.resend_validation_email(order_id, domain)
        except errors.GoGetSSLError as exc:
            add_api_error(diags, exc, f"resending the approval e-mail of order {order_id}")
            return
        for name, email in emailed:
            yield f"{name}: approval e-mail sent again to {email or 'its approver'}"
        if answer:
            yield f"order {order_id}: {answer}"
