"""gogetssl_domain_emails: the approver addresses the CAs accept for a domain (for `approver_email`)."""

from __future__ import annotations

from typing import Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema
from tf.types import List, String

from provider.data_sources._base import BaseDataSource


class DomainEmailsDataSource(BaseDataSource):
    @classmethod
    def get_name(cls) -> str:
        return "domain_emails"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(version=1, description="Approver addresses accepted for e-mail validation of a domain.",
                      attributes=[
                          Attribute("domain", String(), required=True, description="The domain, e.g. example.com."),
                          Attribute("emails", List(String()), computed=True,
                                    description="Accepted approver addresses (admin@, webmaster@, ...)."),
                      ])

    def fetch(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any]:
        domain = str(config.get("domain") or "")
        return {"domain": domain, "emails": self.provider.client.tools.domain_emails(domain)}
