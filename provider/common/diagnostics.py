"""Where client errors become Terraform diagnostics: one place, so every resource words them alike."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tf.utils import Diagnostics

from provider.client import errors

if TYPE_CHECKING:
    from provider.common.order_rules import Problem

_FIELD_IN_MESSAGE = re.compile(r"\b(?:invalid|missing)\s+([a-z_]+)\b", re.IGNORECASE)


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
        summary = "GoGetSSL refused the credentials"
        detail = (f"While {action}, the API answered: {exc}. Check the provider's username and password "
                  "(or GOGETSSL_USERNAME / GOGETSSL_PASSWORD): the password is the API password from the client "
                  "area (Reseller Modules → API settings), which expires yearly.")
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
