"""Account calls (getAccountBalance)."""

from __future__ import annotations

from ._parse import parse
from .models import Balance
from .transport import Transport


class AccountAPI:
    def __init__(self, transport: Transport):
        self._t = transport

    def balance(self) -> Balance:
        return parse(Balance, self._t.get("/account/balance/"), "getAccountBalance")
