"""gogetssl_ssl_order (data source): any order by id, with the same outputs as the resource."""

from __future__ import annotations

from typing import Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema

from provider.client import errors
from provider.common.order_schema import PLANNED_NAMES, resource_schema
from provider.common.order_state import adopted_state
from provider.data_sources._base import BaseDataSource


class SslOrderDataSource(BaseDataSource):
    @classmethod
    def get_name(cls) -> str:
        return "ssl_order"

    @classmethod
    def get_schema(cls) -> Schema:
        attrs = []
        for a in resource_schema().attributes:
            if a.name in ("renew_before_days", "reissue_before_days", "on_destroy", "cancel_requested_at",
                          "certificate_requested_at", *PLANNED_NAMES):
                continue
            if a.name == "order_id":
                attrs.append(Attribute("order_id", a.type, required=True, description="The order to read."))
            else:
                attrs.append(Attribute(a.name, a.type, computed=True, description=a.description))
        return Schema(version=1, description="Reads any order of the account by id: its arguments as the API "
                                             "returns them, status, validation data and certificate.",
                      attributes=attrs)

    def fetch(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        order_id = config.get("order_id")
        try:
            status = self.provider.client.orders.status(int(order_id or 0))
        except errors.NotFoundError:
            ctx.diagnostics.add_error(f"Order {order_id} not found",
                                      "GoGetSSL does not know this order for the configured credentials.",
                                      path=["order_id"])
            return None
        state = adopted_state(status)  # the outputs an import of the order holds
        names = {a.name for a in self.get_schema().attributes}
        return {k: v for k, v in state.items() if k in names}
