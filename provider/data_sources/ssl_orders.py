"""gogetssl_ssl_orders: the account's orders, filtered by status, domain, product and expiry (for bulk import
with `for_each`, and expiry checks over every certificate of the account)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema
from tf.types import List, Number, String

from provider.client.paging import LISTING_PAGE, LISTING_REACH
from provider.common import order_listing as listing
from provider.data_sources._base import BaseDataSource
from provider.tfext.types import Object

if TYPE_CHECKING:
    from provider.client.models import OrderStatus

ORDER_TYPE = Object({"order_id": Number(), "status": String(), "product_id": Number(), "domain": String(),
                     "dns_names": List(String()), "valid_till": String(), "end_date": String()})


def order_values(o: OrderStatus) -> dict[str, Any]:
    return {"order_id": o.order_id, "status": o.status, "product_id": o.product_id, "domain": o.domain or None,
            "dns_names": listing.names_of(o)[1:], "valid_till": o.valid_till, "end_date": o.end_date}


class SslOrdersDataSource(BaseDataSource):
    @classmethod
    def get_name(cls) -> str:
        return "ssl_orders"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            version=2,
            description="The account's orders, whoever placed them, optionally filtered; filters combine. Reads "
                        f"the order listing (one call per {LISTING_PAGE} orders; GoGetSSL's listing reaches at most "
                        f"{LISTING_REACH:,} orders) and the status of each order that passes the listing's status "
                        "filter (one call each). A listing that cannot be read to its end (it stops early, or the "
                        "account is larger than it reaches) fails the read, naming why, unless "
                        "`allow_incomplete = true`: the ids feed `for_each` imports, and a short list would drop "
                        "orders from them.",
            attributes=[
                *listing.filter_attributes(),
                listing.allow_incomplete_attribute(),
                Attribute("orders", List(ORDER_TYPE), computed=True,
                          description="The matching orders by order id: `order_id`, `status`, `product_id`, "
                                      "`domain` (the common name), `dns_names` (the SANs), `valid_till` (when "
                                      "the current certificate ends, to be reissued inside the subscription) and "
                                      "`end_date` (when the subscription ends, to be renewed) (`YYYY-MM-DD`, null "
                                      "before issuance)."),
                Attribute("ids", List(Number()), computed=True, description="The matching orders' ids, ascending."),
            ],
        )

    def fetch(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        filters = listing.Filters.from_config(ctx.diagnostics, config)
        if filters is None:
            return None
        found = listing.find_orders(self.provider.client, filters, self.provider.stopping)
        if not listing.report_incomplete(ctx.diagnostics, found, config.get("allow_incomplete")):
            return None
        orders = [order_values(o) for o in found.orders]
        return {**{a.name: config.get(a.name) for a in listing.filter_attributes()},
                "allow_incomplete": config.get("allow_incomplete"),
                "orders": orders, "ids": [o["order_id"] for o in orders]}
