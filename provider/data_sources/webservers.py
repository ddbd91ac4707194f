"""gogetssl_webservers: the web server types (`webserver_type` ids) of a brand family."""

from __future__ import annotations

from typing import Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema
from tf.types import List, Number, String

from provider.data_sources._base import BaseDataSource
from provider.tfext.types import Object

FAMILIES = {"sectigo": 1, "comodo": 1, "gogetssl": 1, "geotrust": 2, "rapidssl": 2, "thawte": 2, "digicert": 2,
            "symantec": 2}


class WebserversDataSource(BaseDataSource):
    @classmethod
    def get_name(cls) -> str:
        return "webservers"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(version=1, description="Web server types for `webserver_type`, per brand family.", attributes=[
            Attribute("brand", String(), required=True,
                      description="A brand of the family: `sectigo` (also comodo, gogetssl) or `rapidssl` "
                                  "(also geotrust, thawte, digicert)."),
            Attribute("webservers", List(Object({"id": Number(), "software": String()})), computed=True,
                      description="The family's web server types: `id` (for `webserver_type`) and `software`."),
        ])

    def fetch(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        brand = str(config.get("brand") or "").lower()
        family = FAMILIES.get(brand)
        if family is None:
            ctx.diagnostics.add_error("Unknown brand", f"brand {brand!r} is not one of {', '.join(sorted(FAMILIES))}.",
                                      path=["brand"])
            return None
        servers = self.provider.client.tools.webservers(family)
        return {"brand": config.get("brand"), "webservers": [{"id": w.id, "software": w.software} for w in servers]}
