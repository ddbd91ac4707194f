"""The client object: the transport plus one object per API area."""

from __future__ import annotations

import requests

from .account import AccountAPI
from .clock import VendorClock
from .orders import OrdersAPI
from .products import ProductsAPI
from .settings import ClientSettings
from .tools import ToolsAPI
from .transport import Transport


class GoGetSSLClient:
    def __init__(self, settings: ClientSettings, session: requests.Session | None = None):
        self.settings = settings
        self.transport = Transport(settings, session)
        self.clock = VendorClock()  # "today" as GoGetSSL's answers state it
        self.orders = OrdersAPI(self.transport, self.clock)
        self.products = ProductsAPI(self.transport)
        self.account = AccountAPI(self.transport)
        self.tools = ToolsAPI(self.transport)

    def login(self) -> None:
        """Log in now (POST /auth/) unless a key is held: the client's errors say whether the URL, the network or
        the credentials are at fault. Every call logs in by itself; this only makes it happen first."""
        self.transport.login()

    def close(self) -> None:
        """Close the connections the client opened (optional: they close with the process)."""
        self.transport.close()

    def __repr__(self) -> str:
        return f"GoGetSSLClient({self.settings.api_url!r})"
