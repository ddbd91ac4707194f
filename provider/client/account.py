"""Account calls (getAccountBalance, getAllInvoices)."""

from __future__ import annotations

from ._parse import parse
from .errors import ResponseFormatError
from .models import Balance, Invoice
from .transport import Transport


class AccountAPI:
    def __init__(self, transport: Transport):
        self._t = transport

    def balance(self) -> Balance:
        return parse(Balance, self._t.get("/account/balance/"), "getAccountBalance")

    def invoices(self) -> list[Invoice]:
        """Every invoice of the account (getAllInvoices), in the vendor's order."""
        body = self._t.get("/account/invoices/")
        invoices = body.get("invoices", [])
        if invoices in (None, "", {}):  # an account without invoices may answer an empty value of any kind
            return []
        if not isinstance(invoices, list):
            raise ResponseFormatError("getAllInvoices: 'invoices' is not a list")
        return [parse(Invoice, i, "getAllInvoices") for i in invoices]
