"""Where client errors become Terraform diagnostics: one place, so every resource words them alike."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tf.utils import Diagnostics

from provider.client import errors
from provider.common.provider_settings import API_PASSWORD, CREDENTIALS, ENV

if TYPE_CHECKING:
    from provider.common.order_rules import Problem

_FIELD_IN_MESSAGE = re.compile(r"\b(?:invalid|missing)\s+([a-z_]+)\b", re.IGNORECASE)
#: the summary of the one full credential error (the configure-time login's, or the first refused call's)
CREDENTIALS_REFUSED = "GoGetSSL refused the credentials"


def refused_credentials(answer: str, config: Mapping[str, Any] | None = None) -> str:
    """The one explanation of refused credentials, after `answer` (what the API said): where the username and
    password came from, when the provider's configuration is at hand, else where they can be set; and what the
    password is."""
    if config is None:
        where = (f"Check the provider's username and password (or {ENV['username']} and "
                 f"{ENV['password']}).")
    else:
        sources = " and ".join(f"the provider's {name}" if config.get(name) else f"the environment's {ENV[name]}"
                               for name in CREDENTIALS)
        where = f"The username and password came from {sources}."
    return f"{answer} {where} The password is {API_PASSWORD}."


def add_api_error(diags: Diagnostics, exc: errors.GoGetSSLError, action: str,
                  known_fields: frozenset[str] = frozenset()) -> None:
    """Report a failed call: `action` says what was being done, e.g. "reading order 1800001"."""
    path = None
    if isinstance(exc, errors.APIError):
        m = _FIELD_IN_MESSAGE.search(exc.message)
        if m and m.group(1).lower() in known_fields:
            path = [m.group(1).lower()]
    if isinstance(exc, errors.AuthError) and not exc.claim_report():
        # One refusal, one full explanation per run: every other resource still fails (nothing may be planned
        # unchecked), in a line that points to it.
        summary = "Not checked: the credentials were refused"
        detail = (f"While {action}: GoGetSSL refused the provider's credentials in this run (nothing more is sent "
                  "with them); the one full credential error of this run says what to fix.")
    elif isinstance(exc, errors.AuthError):
        summary = CREDENTIALS_REFUSED
        detail = refused_credentials(f"While {action}, the API answered: {exc}.")
    elif isinstance(exc, errors.APIError):
        summary = f"GoGetSSL API error: {exc.message}"
        detail = f"While {action}, the API answered: {exc}."
    elif isinstance(exc, errors.Stopped):
        summary = "Stopped: Terraform asked the provider to stop"
        detail = f"While {action}: {exc}."
    elif isinstance(exc, errors.TransportError):
        summary = "Cannot reach the GoGetSSL API"
        detail = f"While {action}: {exc}. Check api_url and the network."
    else:
        summary = "Unexpected answer from the GoGetSSL API"
        detail = f"While {action}: {exc}."
    diags.add_error(summary, detail, path=path)


def report_problems(diags: Diagnostics, problems: list[Problem]) -> None:
    """Rule failures (config checks), each on its attribute."""
    for p in problems:
        diags.add_error(p.summary, p.detail, path=p.path)
