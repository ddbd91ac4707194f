"""Tool calls: web server types (getWebServers) and approver addresses (getDomainEmails)."""

from __future__ import annotations

from ._parse import parse
from .errors import ResponseFormatError
from .models import Webserver
from .transport import Transport


class ToolsAPI:
    def __init__(self, transport: Transport):
        self._t = transport

    def webservers(self, family: int) -> list[Webserver]:
        """family 1: Comodo/Sectigo/GoGetSSL brands; 2: GeoTrust/RapidSSL/Thawte/DigiCert brands."""
        body = self._t.get(f"/tools/webservers/{int(family)}")
        servers = body.get("webservers", [])
        if not isinstance(servers, list):
            raise ResponseFormatError("getWebServers: 'webservers' is not a list")
        return [parse(Webserver, w, "getWebServers") for w in servers]

    def domain_emails(self, domain: str) -> list[str]:
        """Approver addresses the CAs accept for a domain (the vendor's two lists are identical)."""
        body = self._t.post("/tools/domain/emails/", {"domain": domain}, idempotent=True)
        emails = body.get("ComodoApprovalEmails") or body.get("GeotrustApprovalEmails") or []
        if not isinstance(emails, list):
            raise ResponseFormatError("getDomainEmails: the address list is not a list")
        return [str(e) for e in emails]
