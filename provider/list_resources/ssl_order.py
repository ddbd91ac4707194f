"""gogetssl_ssl_order (list resource): finds the account's orders for `terraform query`, with the filters of
gogetssl_ssl_orders, so that `terraform query -generate-config-out=orders.tf` writes an `import` block and a
configuration for each, and the next apply adopts them without placing an order.

Each result carries the order's identity (its id), a display name, and, when Terraform asks for it (to
generate configuration, or with `include_resource = true`), the state an import of the order produces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from tf.schema import Schema
from tf.types import Unknown
from tf.utils import Diagnostics

from provider.client import errors
from provider.common import order_listing as listing
from provider.common.diagnostics import add_api_error
from provider.common.order_state import adopted_state
from provider.common.services import ProviderServices, configured_client
from provider.common.vendor import FAILED_STATUSES, STATUSES
from provider.tfext.protocol610 import Found


class SslOrderList:
    def __init__(self, provider: ProviderServices):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "ssl_order"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(version=0, attributes=[*listing.filter_attributes(), listing.allow_incomplete_attribute()],
                      description="Finds the account's orders, whoever placed them. Filters combine; without "
                                  "`status`, cancelled and rejected orders (nothing left to manage) and expired "
                                  "ones are left out. The configuration generated for an order sets "
                                  "`renew_before_days = 0` and `reissue_before_days = 0`: adopting renews and "
                                  "reissues nothing until you set them.")

    def validate(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        # what is still unknown (a variable, a value from elsewhere) is checked when the query runs
        known = {k: v for k, v in config.items()
                 if v is not Unknown and not (isinstance(v, list) and any(x is Unknown for x in v))}
        listing.Filters.from_config(diags, known)

    def list(self, diags: Diagnostics, config: dict[str, Any], include_state: bool,
             limit: int | None) -> Iterator[Found]:
        filters = listing.Filters.from_config(diags, config)
        client = configured_client(self.provider, diags) if filters is not None else None
        if filters is None or client is None:
            return
        if filters.statuses is None:
            # Left out unless `status` names them: nothing left to manage (the resource imports a cancelled or
            # rejected order inert, with a warning), or nothing to adopt (an expired certificate).
            filters = dataclasses.replace(filters, statuses=frozenset(s for s in STATUSES
                                                                      if s not in FAILED_STATUSES))
        try:
            found = listing.find_orders(client, filters, self.provider.stopping, limit)
        except errors.GoGetSSLError as exc:
            add_api_error(diags, exc, "listing the account's orders")
            return
        if not listing.report_incomplete(diags, found, config.get("allow_incomplete"), query=True):
            return  # nothing generated from a listing cut short, unless allow_incomplete accepts it
        for order in found.orders:
            state = adopted_state(order) if include_state else None  # as an import of it holds it
            names = listing.names_of(order)
            yield Found({"order_id": order.order_id}, _display(order, names), state)


def _display(order: Any, names: list[str]) -> str:
    more = f" (+{len(names) - 1} SANs)" if len(names) > 1 else ""
    till = f", certificate until {order.valid_till}" if order.valid_till else ""
    if order.end_date and order.end_date != order.valid_till:
        till += f", subscription until {order.end_date}"
    return f"{order.order_id}: {names[0] if names else '?'}{more}, {order.status}, product {order.product_id}{till}"
