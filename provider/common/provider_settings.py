"""The provider block's settings as one table: each attribute, its type, its environment variable, its default
and its description. The schema and the environment fallbacks (provider/provider.py), the diagnostics that
name a variable (refused credentials) and the docs' table of variables (provider/devtools/docs.py) read it."""

from __future__ import annotations

from dataclasses import dataclass

from tf.types import Number, String, TfType

from provider.client.settings import DEFAULT_MAX_RETRIES, DEFAULT_READ_TIMEOUT

PRODUCTION_API_URL = "https://my.gogetssl.com/api"
REFRESH_MODES = ("full", "listing")
#: what the API password is, in the password's description and in every refused-credentials error
API_PASSWORD = ("the API password generated in the client area under Reseller Modules → API settings (not the "
                "login password), which expires yearly")


@dataclass(frozen=True)
class Setting:
    """One setting of the provider block."""

    name: str
    type: TfType
    env: str
    #: used when neither the block nor the environment sets it, as the docs show it; None: it must be given
    default: str | None
    #: the description, without where the value comes from (`description` adds that)
    about: str
    sensitive: bool = False

    @property
    def description(self) -> str:
        fallback = f", else {self.default}" if self.default is not None else ""
        return f"{self.about} Defaults to `{self.env}`{fallback}."


SETTINGS: tuple[Setting, ...] = (
    Setting("api_url", String(), "GOGETSSL_API_URL", f"the production API `{PRODUCTION_API_URL}`",
            "Base URL of the GoGetSSL API. Point it at a `gogetssl-sandbox` (`http://127.0.0.1:8999/api`) to try "
            "the provider without an account. Plain `http://` is accepted only for loopback addresses (the "
            "password would travel in clear text), and redirects are not followed: give the final address."),
    Setting("username", String(), "GOGETSSL_USERNAME", None, "API user name (the client-area login)."),
    Setting("password", String(), "GOGETSSL_PASSWORD", None, f"{API_PASSWORD[0].upper()}{API_PASSWORD[1:]}.",
            sensitive=True),
    Setting("max_retries", Number(), "GOGETSSL_MAX_RETRIES", f"{DEFAULT_MAX_RETRIES}",
            "How many times a request that is safe to repeat (a read, a recheck) is retried after a connection "
            "error, a timeout, HTTP 429 or 5xx, with capped exponential backoff and jitter, honouring "
            "Retry-After. A whole number from 0 to 20. Requests that place, renew, reissue or cancel an order are "
            "never repeated blindly: after an uncertain failure the provider looks for the order instead."),
    Setting("request_timeout", Number(), "GOGETSSL_REQUEST_TIMEOUT", f"{DEFAULT_READ_TIMEOUT:g}",
            "Seconds one request may take, start to finish (looking up the host, connecting, waiting and reading "
            "the answer), from 1 to 3600. After an uncertain answer to a request that places or cancels an order, "
            "the provider also waits this long (at most 30 s) for the request to land before looking at the "
            "account's orders."),
    Setting("refresh_mode", String(), "GOGETSSL_REFRESH_MODE", f"`{REFRESH_MODES[0]}`",
            "How a plan refreshes issued orders. `full` (default): one status call per order, so every change "
            "GoGetSSL makes is seen. `listing`: one view of the account per plan (the order listing and the bulk "
            "status of its issued orders, a few calls in all), and an order is read on its own only when "
            "GoGetSSL reports another status or expiry; for large estates. With `listing`, a reissue made "
            "outside Terraform that keeps the certificate's expiry date is not seen (the listing shows nothing "
            "of it) until the order is read in full."),
)
#: each setting's environment variable, by attribute name
ENV = {s.name: s.env for s in SETTINGS}
#: the settings the API refuses as credentials
CREDENTIALS = ("username", "password")
