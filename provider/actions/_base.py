"""What both actions share: their `order_id` and `domain` arguments, reading the order, stopping on Ctrl-C."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tf.schema import Attribute, Schema
from tf.types import Number, String, Unknown
from tf.utils import Diagnostics

from provider.client import errors
from provider.client.models import OrderStatus
from provider.common.diagnostics import add_api_error
from provider.common.order_rules import is_hostname, is_whole
from provider.common.services import ProviderServices, configured_client
from provider.common.vendor import VALIDATING_STATUSES


def order_schema(description: str, domain_help: str) -> Schema:
    return Schema(version=0, description=description, attributes=[
        Attribute("order_id", Number(), required=True, description="The order: a gogetssl_ssl_order's `order_id`."),
        Attribute("domain", String(), optional=True, description=domain_help),
    ])


class OrderAction:
    """An action on one pending order. Subclasses give NAME, SCHEMA and `run(diags, order_id, status, domain)`."""

    NAME = ""
    SCHEMA: Schema

    def __init__(self, provider: ProviderServices) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.NAME

    @classmethod
    def get_schema(cls) -> Schema:
        return cls.SCHEMA

    def validate(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        order_id, domain = config.get("order_id"), config.get("domain")
        if order_id not in (None, Unknown) and (not is_whole(order_id) or int(order_id) < 1):
            diags.add_error("Invalid order_id", f"order_id is {order_id!r}; give an order id, a positive whole "
                            "number (a gogetssl_ssl_order's order_id).", ["order_id"])
        if isinstance(domain, str) and not is_hostname(domain.strip()):
            diags.add_error("Invalid domain", f"domain is {domain!r}; give the common name or a SAN of the order, "
                            "or leave it out for every domain.", ["domain"])

    def plan(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        self.validate(diags, config)

    def invoke(self, diags: Diagnostics, config: dict[str, Any]) -> Iterator[str]:
        self.validate(diags, config)
        client = configured_client(self.provider, diags)
        if diags.has_errors() or client is None:
            return
        order_id = int(config["order_id"])
        domain = (config.get("domain") or "").strip().lower() or None
        try:
            status = client.orders.status(order_id)
        except errors.GoGetSSLError as exc:
            add_api_error(diags, exc, f"reading order {order_id}")
            return
        names = [d for d, _, _ in domains_of(status)]
        if domain is not None and domain not in names:
            diags.add_error(f"{domain} is not a domain of order {order_id}",
                            f"Order {order_id} is for {', '.join(names)}.", ["domain"])
            return
        yield from self.run(diags, client, order_id, status, domain)

    def run(self, diags: Diagnostics, client: Any, order_id: int, status: OrderStatus,
            domain: str | None) -> Iterator[str]:
        raise NotImplementedError

    def stopped(self, diags: Diagnostics, order_id: int) -> bool:
        """True, with an error, once Terraform has asked the provider to stop (Ctrl-C)."""
        if not self.provider.stopping.is_set():
            return False
        diags.add_error(f"Stopped: order {order_id}", "Terraform asked the provider to stop (Ctrl-C); nothing more "
                        "was asked of GoGetSSL for this order.")
        return True


def pending(diags: Diagnostics, order_id: int, status: OrderStatus, what: str) -> bool:
    """True while the order's validation is pending; otherwise an error naming the order and its status."""
    if status.status in VALIDATING_STATUSES:
        return True
    diags.add_error(f"Order {order_id} is {status.status or 'in an unknown status'}",
                    f"{what[0].upper() + what[1:]} only while the order's validation is pending "
                    f"(status {' or '.join(VALIDATING_STATUSES)}).", ["order_id"])
    return False


def domains_of(status: OrderStatus) -> list[tuple[str, str, str]]:
    """(domain, method, approver address or "") of the order's common name, then each SAN, lower-case."""
    out = [(status.domain.lower(), status.dcv_method, status.approver_email)]
    for san in status.san:
        email = san.validation.email if san.validation and san.validation_method == "email" else ""
        if san.san_name.lower() not in [d for d, _, _ in out]:
            out.append((san.san_name.lower(), san.validation_method, email or ""))
    return out
