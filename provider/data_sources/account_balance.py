"""gogetssl_account_balance: the reseller account's balance."""

from __future__ import annotations

from typing import Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema
from tf.types import Number, String

from provider.data_sources._base import BaseDataSource


class AccountBalanceDataSource(BaseDataSource):
    @classmethod
    def get_name(cls) -> str:
        return "account_balance"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(version=1, description="The account balance that orders draw on.", attributes=[
            Attribute("balance", Number(), computed=True, description="Balance."),
            Attribute("currency", String(), computed=True, description="Currency of the balance."),
        ])

    def fetch(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any]:
        b = self.provider.client.account.balance()
        return {"balance": b.balance, "currency": b.currency}
