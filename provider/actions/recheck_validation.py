"""gogetssl_recheck_validation: ask the CA to check domain validation now, one progress line per domain.

Meant for an `action_trigger { events = [after_create, after_update] }` on the DNS record or file resource that
publishes an order's validation, so the CA looks the moment the record exists instead of at its next round."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tf.utils import Diagnostics

from provider.actions._base import OrderAction, domains_of, order_schema, pending
from provider.client import errors
from provider.client.models import OrderStatus
from provider.common.diagnostics import add_api_error


class RecheckValidationAction(OrderAction):
    NAME = "recheck_validation"
    SCHEMA = order_schema(
        "Asks the CA to check an order's domain control validation now (the vendor's revalidate call), and prints "
        "the CA's answer for each domain. For DNS and file validation; a domain validated by e-mail is skipped "
        "with a line that says so (see gogetssl_resend_approver_email). Touches no state and spends nothing. "
        "An order already issued is a line, not an error, so a trigger firing late does not fail the apply; an "
        "order cancelled or rejected, or unknown, is an error naming it. Needs Terraform 1.14 or newer.",
        "Only this domain (the common name or a SAN of the order); every domain when left out.")

    def run(self, diags: Diagnostics, client: Any, order_id: int, status: OrderStatus,
            domain: str | None) -> Iterator[str]:
        if status.status == "active":
            yield f"order {order_id} is already issued (active): nothing to recheck"
            return
        if not pending(diags, order_id, status, "validation can be rechecked"):
            return
        for name, method, email in domains_of(status):
            if domain is not None and name != domain:
                continue
            if self.stopped(diags, order_id):
                return
            if method == "email":
                yield (f"{name}: validated by e-mail ({email or 'the approver address'}); the CA does not check it, "
                       "the approver's click does (gogetssl_resend_approver_email mails it again)")
                continue
            try:
                answer = client.orders.revalidate(order_id, name)
            except errors.APIError as exc:
                if self._issued(client, order_id):  # an earlier domain's check completed the validation
                    yield f"order {order_id} is issued (active): every domain has passed"
                    return
                diags.add_error(f"Recheck of {name} refused for order {order_id}",
                                f"GoGetSSL answered: {exc.message}", ["domain"] if domain else ["order_id"])
                continue
            except errors.GoGetSSLError as exc:
                add_api_error(diags, exc, f"rechecking {name} of order {order_id}")
                return
            yield f"{name}: {answer or 'checked'}"
        if not diags.has_errors() and self._issued(client, order_id):
            yield f"order {order_id} is issued (active)"

    @staticmethod
    def _issued(client: Any, order_id: int) -> bool:
        try:
            return client.orders.status(order_id).status == "active"
        except errors.GoGetSSLError:
            return False
