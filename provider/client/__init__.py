"""GoGetSSL API client: one object per API area over a shared transport. Knows nothing of Terraform.

The package imports its heavy parts (requests, pydantic) only when the client is first used,
so that importing `provider.client.errors` costs a Terraform plugin launch nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .client import GoGetSSLClient
    from .settings import ClientSettings

__all__ = ["ClientSettings", "GoGetSSLClient"]


def __getattr__(name: str) -> Any:
    if name == "GoGetSSLClient":
        from .client import GoGetSSLClient

        return GoGetSSLClient
    if name == "ClientSettings":
        from .settings import ClientSettings

        return ClientSettings
    raise AttributeError(name)
