"""The provider: its configuration (the settings table of provider/common/provider_settings.py, with environment
fallbacks), the API client it builds once, its types."""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tf.iface import Config, DataSource, Provider, Resource
from tf.schema import Attribute, Schema
from tf.types import Number, Unknown
from tf.utils import Diagnostics

from provider import PROVIDER_ADDRESS
from provider.client.settings import DEFAULT_MAX_RETRIES, DEFAULT_READ_TIMEOUT
from provider.common.claims import ClaimBook
from provider.common.diagnostics import CREDENTIALS_REFUSED, refused_credentials
from provider.common.pricing import ApplySpending, PlanBudget
from provider.common.provider_settings import CREDENTIALS, ENV, PRODUCTION_API_URL, REFRESH_MODES, SETTINGS
from provider.common.services import NotConfigured, Slot

if TYPE_CHECKING:
    from provider.client import GoGetSSLClient
    from provider.client.models import Balance, Product, ProductDetails

T = TypeVar("T")

log = logging.getLogger("gogetssl.provider")

#: the settings the client is built from, read from the block or the environment as strings
_CONNECTION = ("api_url", *CREDENTIALS)
_NUMBERS = tuple(s.name for s in SETTINGS if isinstance(s.type, Number))


def _check_number(diags: Diagnostics, name: str, value: float, source: str | None = None,
                  written: str | None = None) -> bool:
    """max_retries a whole number from 0 to 20, request_timeout seconds from 1 to 3600 (NaN and infinities are
    neither). `source` names where the value came from (the setting, or its environment variable) and `written`
    is the value as written there, for the message."""
    accepted = {"max_retries": "a whole number from 0 to 20", "request_timeout": "seconds from 1 to 3600"}[name]
    ok = math.isfinite(value) and (0 <= value <= 20 and value == int(value) if name == "max_retries"
                                   else 1 <= value <= 3600)
    if not ok:
        source = source or name
        shown = repr(written) if written is not None else (repr(int(value)) if math.isfinite(value) and
                                                           value == int(value) else repr(value))
        diags.add_error(f"Invalid {source}", f"{source} is {shown}; give {accepted}.",
                        path=[name] if source == name else None)
    return ok


def _check_api_url(diags: Diagnostics, url: str, source: str = "api_url") -> bool:
    """An http(s) URL, and never plain http:// to a host off this machine (the password would be readable
    on the way). `source` names where the URL came from, for the message."""
    from provider.client.safety import clear_text_risk

    if not url.strip().lower().startswith(("http://", "https://")):
        diags.add_error(
            "Invalid api_url",
            f"{source} must be an http:// or https:// URL such as {PRODUCTION_API_URL}, got {url!r}.",
            path=["api_url"],
        )
        return False
    if clear_text_risk(url):
        diags.add_error(
            "Insecure api_url",
            f"{source} is {url!r}: plain http:// to a host that is not this machine, so the API password "
            "would travel in clear text; use https://. (http:// is accepted only for 127.0.0.1, ::1 and "
            "localhost, e.g. a local gogetssl-sandbox.)",
            path=["api_url"],
        )
        return False
    return True


def _check_refresh_mode(diags: Diagnostics, value: str, source: str = "refresh_mode") -> bool:
    if value not in REFRESH_MODES:
        diags.add_error("Invalid refresh_mode", f"{source} is {value!r}; accepted values: "
                        f"{', '.join(REFRESH_MODES)}.", path=["refresh_mode"])
        return False
    return True


def _report_probe(diags: Diagnostics, exc: Exception, url: str, url_source: str, config: Config) -> None:
    """The configure-time probe failed: say which setting is at fault."""
    from provider.client import errors

    status = getattr(exc, "status_code", None)
    if status == 404 or isinstance(exc, errors.ResponseFormatError) or (
            isinstance(exc, errors.HTTPStatusError) and status in (404, 405)):
        diags.add_error(
            "No GoGetSSL API at api_url",
            f"{url_source} is {url!r}, and POST {url.rstrip('/')}/auth/ did not answer as the GoGetSSL API does "
            f"({exc}). The API's base URL ends in /api: {PRODUCTION_API_URL}, or http://127.0.0.1:PORT/api for a "
            "gogetssl-sandbox.", path=["api_url"])
    elif isinstance(exc, errors.AuthError):
        # on the provider block: Terraform prints the line an error is on
        diags.add_error(CREDENTIALS_REFUSED, refused_credentials(f"The API at {url} answered: {exc}.", config))
    elif isinstance(exc, errors.TLSError):
        diags.add_error(
            "The GoGetSSL API's TLS certificate was refused",
            f"{url_source} is {url!r}: {exc}. The host's certificate is not valid for this address (or not "
            "trusted here): check the host name in api_url.", path=["api_url"])
    elif isinstance(exc, errors.TransportError):
        hint = ("raise request_timeout if the API is slow" if isinstance(exc, errors.RequestTimeout)
                else "check the address (host name and port) and the network")
        diags.add_error(
            "Cannot reach the GoGetSSL API",
            f"{url_source} is {url!r}: {exc}. Nothing was planned against it; {hint}.", path=["api_url"])
    else:
        diags.add_error("The GoGetSSL API failed", f"{url_source} is {url!r}: logging in failed: {exc}.",
                        path=["api_url"])


class _Once(Generic[T]):
    """A value fetched once per process, single flight: one fetch at a time, outside the lock; threads that ask
    while it runs wait for it and get its result or its error, without fetching again themselves. A later call
    after a failed fetch fetches again."""

    def __init__(self, fetch: Callable[[], T]) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._value: T | None = None
        self._flight: tuple[threading.Event, list[Any]] | None = None  # (done, [result or error])

    def get(self) -> T:
        with self._lock:
            if self._value is not None:
                return self._value
            flight = self._flight
            leader = flight is None
            if flight is None:
                flight = self._flight = (threading.Event(), [])
        done, outcome = flight
        if not leader:
            done.wait()
            if not outcome or isinstance(outcome[0], BaseException):
                raise outcome[0] if outcome else RuntimeError("the fetch ended without a result")
            return outcome[0]  # type: ignore[no-any-return]
        try:
            value = self._fetch()
            outcome.append(value)
            return value
        except BaseException as exc:
            outcome.append(exc)
            raise
        finally:
            with self._lock:
                if outcome and not isinstance(outcome[0], BaseException):
                    self._value = outcome[0]
                self._flight = None
            done.set()


class GoGetSSLProvider(Provider):
    """The provider; it is also the ProviderServices (provider/common/services.py) its types are given."""

    def __init__(self, client: GoGetSSLClient | None = None, refresh_mode: str = "full") -> None:
        """`client`: an API client to use instead of one built by configure_provider (tests, embedding);
        `refresh_mode`: the `refresh_mode` setting until configure_provider reads it."""
        self._client: GoGetSSLClient | None = client
        #: "full" or "listing" (see the refresh_mode setting)
        self.refresh_mode = refresh_mode
        self._catalogue: _Once[dict[int, Product]] = _Once(
            lambda: {int(p.id): p for p in self.client.products.list_ssl() if p.id is not None})
        self._balance: _Once[Balance] = _Once(lambda: self.client.account.balance())
        self._details: dict[int, _Once[ProductDetails]] = {}
        self._details_lock = threading.Lock()
        # A tuple, so that "not known" is cached too: one read of the invoices per process, whatever it gives.
        self._tax: _Once[tuple[float | None]] = _Once(lambda: (self._read_tax_percent(),))
        #: what the plans this process makes buy, checked against the balance
        self.budget = PlanBudget()
        #: which order each gogetssl_ssl_order planned in this process holds (one owner per order)
        self.claims = ClaimBook()
        #: what this (apply) process has bought, each purchase checked against the balance just before it
        self.spending = ApplySpending()
        #: what this process knows of the orders its resources place (ssl_order_reconcile.Ledger)
        self.ledger = Slot()
        #: the account's orders as this process's refreshes share them (ssl_order_account_view.AccountView)
        self.account_view = Slot()
        #: set when Terraform asks the provider to stop (Ctrl-C): every wait ends early, and the client sends nothing
        #: more and abandons a request in flight (it is the client's stop signal: a given client's own)
        self.stopping: threading.Event = client.settings.stop if client is not None else threading.Event()

    def get_model_prefix(self) -> str:
        return "gogetssl_"

    def full_name(self) -> str:
        return PROVIDER_ADDRESS

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return Schema(
            version=1,
            description="Orders and manages SSL/TLS certificates through the GoGetSSL reseller API.",
            attributes=[Attribute(s.name, s.type, description=s.description, optional=True, sensitive=s.sensitive)
                        for s in SETTINGS],
        )

    def validate_config(self, diags: Diagnostics, config: Config) -> None:
        for name in _NUMBERS:
            value = config.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                _check_number(diags, name, value)
        url = config.get("api_url")
        if isinstance(url, str) and url:
            _check_api_url(diags, url)
        mode = config.get("refresh_mode")
        if isinstance(mode, str):
            _check_refresh_mode(diags, mode)

    def configure_provider(self, diags: Diagnostics, config: Config) -> None:
        values: dict[str, Any] = {}
        for name in _CONNECTION:
            value = config.get(name)
            if value is Unknown:
                # Known only after apply of something else: Terraform calls us again then.
                return
            values[name] = value if value not in (None, "") else os.environ.get(ENV[name], "")
        from_env = not config.get("api_url") and bool(os.environ.get(ENV["api_url"]))
        values["api_url"] = values["api_url"] or PRODUCTION_API_URL
        _check_api_url(diags, values["api_url"], ENV["api_url"] if from_env else "api_url")
        for name in CREDENTIALS:
            if not values[name]:
                diags.add_error(
                    f"Missing GoGetSSL {name}",
                    f"Set {name} in the provider \"gogetssl\" block or the environment variable {ENV[name]}.",
                    # never on the sensitive password: Terraform prints the configuration line an error is on
                    path=[name] if name != "password" else None,
                )
        numbers: dict[str, float] = {}
        for name in _NUMBERS:
            env = ENV[name]
            value = config.get(name)
            source, written = name, None
            if value is None and os.environ.get(env, "").strip():
                source, written = env, os.environ[env]
                try:
                    value = float(written)
                except ValueError:
                    diags.add_error(f"Invalid {env}", f"{env} must be a number, got {written!r}.")
                    continue
            if value is not None and _check_number(diags, name, value, source, written):
                numbers[name] = value
        mode = config.get("refresh_mode")
        if mode is Unknown:
            return
        mode = mode or os.environ.get(ENV["refresh_mode"], "").strip() or REFRESH_MODES[0]
        if _check_refresh_mode(diags, mode, "refresh_mode" if config.get("refresh_mode") else ENV["refresh_mode"]):
            self.refresh_mode = mode
        if diags.has_errors():
            return
        from provider.client import ClientSettings, GoGetSSLClient, errors  # deferred: keeps start-up light
        from provider.logs import REDACTOR

        timeout = float(numbers.get("request_timeout", DEFAULT_READ_TIMEOUT))
        client = GoGetSSLClient(
            ClientSettings(
                api_url=values["api_url"], username=values["username"], password=values["password"],
                max_retries=int(numbers.get("max_retries", DEFAULT_MAX_RETRIES)),
                read_timeout=timeout,
                total_timeout=timeout,  # request_timeout bounds a whole request, not each socket read
                on_secret=REDACTOR.add_secret,  # the password and every auth key stay out of the logs
                stop=self.stopping,  # Ctrl-C ends the client's waits and requests too
            )
        )
        # Log in now: a wrong URL, an API out of reach or refused credentials fail here, once, on the setting
        # at fault, instead of once per resource (every call would log in first anyway).
        try:
            client.login()
        except errors.GoGetSSLError as exc:
            _report_probe(diags, exc, values["api_url"], ENV["api_url"] if from_env else "api_url", config)
            return
        self._client = client
        if os.environ.get("TF_PLUGIN_MAGIC_COOKIE"):  # served by Terraform: one balance check per run and account
            self.budget.share_run(values["api_url"], values["username"])

    @property
    def client(self) -> GoGetSSLClient:
        if self._client is None:
            raise NotConfigured("the provider is not configured (its settings are unknown or invalid)")
        return self._client

    def catalogue(self) -> dict[int, Product]:
        """The SSL product catalogue by id, fetched once per provider process (it changes rarely, and
        Terraform starts a new process for every command), single flight. Raises the client's errors."""
        return self._catalogue.get()

    def balance(self) -> Balance:
        """The account's balance and currency, read once per provider process, single flight."""
        return self._balance.get()

    def product_details(self, product_id: int) -> ProductDetails:
        """The product's details (/products/details/{id}: SANs included, refund days), once per process."""
        with self._details_lock:
            once = self._details.get(product_id)
            if once is None:
                once = self._details[product_id] = _Once(lambda: self.client.products.details(product_id))
        return once.get()

    def tax_percent(self) -> float | None:
        """The account's tax rate in percent, from its latest invoice, read once per process (single flight);
        None when not known. Never raises: a plan goes on without it, its price marked as excluding tax."""
        return self._tax.get()[0]

    def _read_tax_percent(self) -> float | None:
        from provider.client import errors  # deferred: keeps start-up light
        from provider.common.pricing import tax_percent

        try:
            return tax_percent(self.client.account.invoices())
        except (NotConfigured, errors.GoGetSSLError) as exc:
            log.info("the account's invoices could not be read, so its tax rate is not known: %s", exc)
            return None

    def get_data_sources(self) -> list[type[DataSource]]:
        from provider.data_sources.account_balance import AccountBalanceDataSource
        from provider.data_sources.domain_emails import DomainEmailsDataSource
        from provider.data_sources.product import ProductDataSource
        from provider.data_sources.products import ProductsDataSource
        from provider.data_sources.ssl_order import SslOrderDataSource
        from provider.data_sources.ssl_orders import SslOrdersDataSource
        from provider.data_sources.webservers import WebserversDataSource

        return [ProductsDataSource, ProductDataSource, WebserversDataSource, DomainEmailsDataSource,
                SslOrderDataSource, SslOrdersDataSource, AccountBalanceDataSource]

    def get_resources(self) -> list[type[Resource]]:
        from provider.resources.ssl_order import SslOrderResource
        from provider.resources.ssl_order_validation import SslOrderValidationResource

        return [SslOrderResource, SslOrderValidationResource]

    def get_functions(self) -> list[type[Any]]:
        """Provider-defined functions (Terraform 1.8+): pure and offline, served unconfigured."""
        from provider.functions.cert_info import CertInfoFunction
        from provider.functions.csr_info import CsrInfoFunction
        from provider.functions.dcv_records import DcvRecordsFunction
        from provider.functions.expires_within import ExpiresWithinFunction

        return [CsrInfoFunction, CertInfoFunction, DcvRecordsFunction, ExpiresWithinFunction]

    def get_actions(self) -> list[type[Any]]:
        """Actions (Terraform 1.14+), served through provider/tfext/servicer.py."""
        from provider.actions.recheck_validation import RecheckValidationAction
        from provider.actions.resend_approver_email import ResendApproverEmailAction

        return [RecheckValidationAction, ResendApproverEmailAction]

    def get_list_resources(self) -> list[type[Any]]:
        """List resources (`terraform query`), served through provider/tfext/servicer.py."""
        from provider.list_resources.ssl_order import SslOrderList

        return [SslOrderList]
