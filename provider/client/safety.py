"""Keeping secrets secret and terminals safe: redaction of known values and secret-shaped text, the clear-text
URL rule, and the removal of control characters from the vendor's text.

One place for both users: the transport redacts everything that came from the network before it
reaches an exception message or a log line, and `provider.logs` redacts every log record with the
same patterns. Imports nothing heavy (plugin start-up imports `provider.logs`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

#: secret-shaped text: the auth key in a query string, the password in a form, a key in a JSON body
SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(auth_key=)[^&\s'\"]+"), r"\1REDACTED"),
    (re.compile(r"(pass=)[^&\s'\"]+"), r"\1REDACTED"),
    (re.compile(r"(\"(?:key|password|pass|auth_key)\"\s*:\s*\")[^\"]*(\")"), r"\1REDACTED\2"),
)
#: shorter values are not redacted: replacing every "a1" in a text would hide everything and protect nothing
MIN_SECRET_LENGTH = 4
#: C0 controls but tab, line feed and carriage return; DEL; C1 controls (0x9B alone starts an escape sequence)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def printable(text: str, *, lines: bool) -> str:
    """The vendor's `text` without control characters: Terraform prints diagnostics and logs as they are, even
    with -no-color, so an escape sequence in an answer could clear the screen, retitle the window or hide text.
    `lines`: keep tabs and line breaks (PEM blocks, the CRLF-separated DCV file content); without it, a line
    break becomes a space, so an error text cannot forge a line of Terraform's own output."""
    text = _CONTROL.sub("", text)
    return text if lines else _LINE_BREAKS.sub(" ", text)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with secret-shaped parts and every value of `secrets` replaced by REDACTED."""
    for pattern, repl in SECRET_PATTERNS:
        text = pattern.sub(repl, text)
    for value in secrets:
        text = text.replace(value, "REDACTED")
    return text


class SecretSet:
    """Known secret values, safe to read while other threads add to it.

    Copy-on-write: `add` builds a new tuple (longest first, so a secret containing another one is
    replaced whole) and swaps it in; `redact` iterates whichever snapshot it read, never a set that
    changes under it.
    """

    def __init__(self) -> None:
        self._values: tuple[str, ...] = ()
        self._lock = threading.Lock()  # writers only: two adds at once must not lose one

    def add(self, value: str | None) -> bool:
        """Remember `value`; True when it is new (and long enough to be worth redacting)."""
        if not value or len(value) < MIN_SECRET_LENGTH:
            return False
        with self._lock:
            if value in self._values:
                return False
            self._values = tuple(sorted((*self._values, value), key=len, reverse=True))
            return True

    def redact(self, text: str) -> str:
        return redact(text, self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"SecretSet({len(self._values)} values)"


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost: traffic that never leaves the machine."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    import ipaddress  # deferred: only configuration needs it

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def clear_text_risk(url: str) -> bool:
    """True when `url` is plain http:// to a host that is not loopback: the API password would cross
    the network unencrypted (it travels in the body of POST /auth/, the auth key in every query)."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() == "http" and not is_loopback_host(parts.hostname)
    except ValueError:
        return False
