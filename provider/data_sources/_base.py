"""What every data source shares: the provider's services, and errors reported as diagnostics."""

from __future__ import annotations

from typing import Any

from tf.iface import DataSource, ReadDataContext

from provider.client import errors
from provider.common.diagnostics import add_api_error
from provider.common.services import NotConfigured, ProviderServices, report_not_configured


class BaseDataSource(DataSource):
    def __init__(self, provider: ProviderServices):
        self.provider = provider

    def read(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return self.fetch(ctx, config)
        except NotConfigured as exc:
            report_not_configured(ctx.diagnostics, exc)
        except errors.GoGetSSLError as exc:
            add_api_error(ctx.diagnostics, exc, f"reading data source {ctx.type_name}")
        return None

    def fetch(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        raise NotImplementedError
