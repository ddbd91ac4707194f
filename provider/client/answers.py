"""Reads an HTTP answer: its body (capped), then its JSON object or the client error the answer means.

Any answer, HTTP 200 included, whose JSON says `"error": true` is an error; 3xx answers are errors (redirects
are never followed); everything that came from the network is redacted before it reaches an exception.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from . import errors
from .safety import printable

log = logging.getLogger("gogetssl.client")

#: the vendor's answer for an unknown order or product: the only thing that is a NotFoundError (errors.py)
_NOT_FOUND = re.compile(r"^\s*(order|product)\s+not\s+found\s*\.?\s*$", re.IGNORECASE)
_ERROR_FLAGS = (True, 1, "1", "true")
MAX_BODY_IN_ERROR = 200
_MAX_VENDOR_TEXT = 1000


def read_capped(resp: requests.Response, limit: int, where: str) -> bytes:
    """The whole body of `resp`, or a ResponseFormatError once it grows beyond `limit` bytes."""
    chunks, size = [], 0
    for chunk in resp.iter_content(64 * 1024):
        size += len(chunk)
        chunks.append(chunk)
        if size > limit:
            resp.close()
            raise errors.ResponseFormatError(f"{where}: the answer is larger than {limit // (1024 * 1024)} MiB",
                                             body_text=b"".join(chunks)[:limit].decode("utf-8", "replace"))
    return b"".join(chunks)


def interpret(resp: requests.Response, raw: bytes, method: str, path: str, *, base: str,
              redact: Callable[[str], str]) -> dict[str, Any]:
    """The answer's JSON object, or the client error the answer means. `base`: the API URL the path is
    relative to; `redact`: what keeps secrets out of the error messages."""
    where = f"{method} {path}"
    status = resp.status_code
    log.debug("response %s -> HTTP %s", where, status)
    try:
        body = json.loads(raw)
    except Exception:  # noqa: BLE001 - not JSON, whatever json says (RecursionError on deep nesting)
        body = None

    if status == 429:  # refused before processing, whatever the body says
        raise errors.RateLimited(f"{where}: rate limited (HTTP 429)", retry_after=_retry_after(resp))
    if 300 <= status < 400:
        target = _redirect_target(resp, base + path, redact)
        raise errors.HTTPStatusError(f"{where}: answered HTTP {status} ({target}); "
                                     "redirects are not followed: set api_url to the final address",
                                     status_code=status)
    if isinstance(body, dict) and body.get("error") in _ERROR_FLAGS:
        message, description = _text(body.get("message")), _text(body.get("description"))
        clean_message = printable(redact(message), lines=False)[:_MAX_VENDOR_TEXT]
        clean_description = printable(redact(description), lines=False)[:_MAX_VENDOR_TEXT]
        found = _NOT_FOUND.match(message)
        if found and status not in (401, 403) and status < 500:
            raise errors.NotFoundError(clean_message, clean_description, status_code=status,
                                       what=found.group(1).lower())
        # 401/403 stay plain APIErrors: the caller renews the key first
        raise errors.APIError(clean_message, clean_description, status_code=status)

    if status >= 500:
        raise errors.ServerError(f"{where}: server error HTTP {status}", status_code=status)
    if status >= 400:
        if status in (401, 403):
            raise errors.APIError("Unauthorized", f"HTTP {status}", status_code=status)
        raise errors.HTTPStatusError(f"{where}: HTTP {status}", status_code=status)
    text = raw.decode("utf-8", "replace")
    if body is None:
        # Redact before cutting, so a secret straddling the cut is still found whole (an error path: the
        # cost of redacting a whole answer does not matter).
        raise errors.ResponseFormatError(
            f"{where}: the answer is not JSON (HTTP {status}): {snippet(redact(text))}", body_text=text)
    if not isinstance(body, dict):
        raise errors.ResponseFormatError(f"{where} answered with JSON that is not an object", body_text=text)
    return body


def snippet(text: str) -> str:
    """`text` on one line, cut to a length fit for an error message."""
    flat = " ".join(printable(text or "", lines=False).split())
    return flat[:MAX_BODY_IN_ERROR] + ("…" if len(flat) > MAX_BODY_IN_ERROR else "")


def _redirect_target(resp: requests.Response, url: str, redact: Callable[[str], str]) -> str:
    location = resp.headers.get("Location")
    if not location:
        return "a redirect without a location"
    try:
        parts = urlsplit(urljoin(url, location))
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port else "")
        target = f"{parts.scheme}://{netloc}{parts.path}"  # no query (it may carry a key), no user info
    except ValueError:
        target = "an unreadable location"
    return f"a redirect to {redact(target)[:MAX_BODY_IN_ERROR]}"


def _text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)[:_MAX_VENDOR_TEXT]
    except Exception:  # noqa: BLE001 - a vendor text we cannot print is no text
        return ""


def _retry_after(resp: requests.Response) -> float | None:
    try:
        return float(resp.headers.get("Retry-After", ""))
    except ValueError:
        return None
