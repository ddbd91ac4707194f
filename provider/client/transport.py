"""HTTP transport for the GoGetSSL v1 API: authentication, the auth key, encodings, error mapping.

Owns the rules every call shares: `POST /auth/` for a key, cached for the life of the
process and renewed once when the server refuses it (401/403); the key travels as the
`auth_key` query parameter; bodies are form-encoded; and any answer (HTTP 200 included)
whose JSON says `"error": true` is an error. It never retries on its own: whether a
request may be repeated is the caller's decision (a new order costs money).
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from . import errors

log = logging.getLogger("gogetssl.client")

_NOT_FOUND = re.compile(r"\bnot\s+found\b|does\s+not\s+exist", re.IGNORECASE)
_MAX_BODY_IN_ERROR = 200


@dataclass(frozen=True)
class ClientSettings:
    """Every tunable of the client, in one place."""

    api_url: str
    username: str = field(repr=False)
    password: str = field(repr=False)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    user_agent: str = "terraform-provider-gogetssl"
    #: retries of a request that is safe to repeat (reads, rechecks); writes that spend money never
    #: repeat unless the request certainly did not reach the server
    max_retries: int = 3
    backoff_initial: float = 0.5
    backoff_cap: float = 10.0
    retry_after_cap: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)


class Transport:
    def __init__(self, settings: ClientSettings, session: requests.Session | None = None):
        self.settings = settings
        self.base = settings.api_url.rstrip("/")
        self._session = session or requests.Session()
        self._session.headers["User-Agent"] = settings.user_agent
        self._key: str | None = None
        self._key_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Transport({self.base!r})"

    # -- auth --
    def _auth_key(self, refresh: bool = False) -> str:
        with self._key_lock:
            if self._key is None or refresh:
                self._key = None
                try:
                    body = self._send("POST", "/auth/", form={"user": self.settings.username,
                                                              "pass": self.settings.password})
                except errors.APIError as exc:
                    raise errors.AuthError(exc.message or "Authentication failed", exc.description,
                                           status_code=exc.status_code, path="/auth/") from None
                key = body.get("key") if isinstance(body, dict) else None
                if not isinstance(key, str) or not key:
                    raise errors.ResponseFormatError("POST /auth/ answered without an auth key")
                self._key = key
                from provider.logs import REDACTOR  # the key is a secret too: keep it out of every log line

                REDACTOR.add_secret(key)
            return self._key

    # -- calls --
    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.call("GET", path, params=params, idempotent=True)

    def post(self, path: str, form: dict[str, str], *, idempotent: bool = False) -> dict[str, Any]:
        """POST a form. `idempotent` marks calls safe to repeat (reads and rechecks): only those retry
        after an uncertain failure; a write that spends money retries only when it certainly was not sent."""
        return self.call("POST", path, form=form, idempotent=idempotent)

    def call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, form: dict[str, str] | None = None,
        idempotent: bool = False,
    ) -> dict[str, Any]:
        """Make an authenticated call with the retry policy; return the JSON object, or raise from errors."""
        attempt = 0
        while True:
            try:
                return self._call_once(method, path, params=params, form=form)
            except (errors.TransportError, errors.HTTPStatusError, errors.ResponseFormatError,
                    errors.APIError) as exc:
                if attempt >= self.settings.max_retries or not _retryable(exc, idempotent):
                    raise
                delay = self._backoff(attempt, exc)
                log.info("%s %s failed (%s); retry %d of %d in %.1fs", method, path, type(exc).__name__,
                         attempt + 1, self.settings.max_retries, delay)
                self.settings.sleep(delay)
                attempt += 1

    def _backoff(self, attempt: int, exc: Exception) -> float:
        """Capped exponential backoff with full jitter; at least what Retry-After asked for."""
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_initial * (2 ** attempt))
        delay = ceiling * self.settings.random()
        if isinstance(exc, errors.RateLimited) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, self.settings.retry_after_cap))
        return delay

    def _call_once(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, form: dict[str, str] | None = None
    ) -> dict[str, Any]:
        key = self._auth_key()
        try:
            body = self._send(method, path, params={**(params or {}), "auth_key": key}, form=form)
        except errors.APIError as exc:
            if exc.status_code not in (401, 403):
                raise
            # The key expired or was revoked: a refused request was not processed, so one
            # retry with a fresh key is safe even for writes.
            log.info("auth key refused on %s %s; authenticating again", method, path)
            key = self._auth_key(refresh=True)
            try:
                body = self._send(method, path, params={**(params or {}), "auth_key": key}, form=form)
            except errors.APIError as again:
                if again.status_code in (401, 403):
                    raise errors.AuthError(again.message, again.description, status_code=again.status_code,
                                           path=path) from None
                raise
        if not isinstance(body, dict):
            raise errors.ResponseFormatError(f"{method} {path} answered with JSON that is not an object")
        return body

    def _send(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, form: dict[str, str] | None = None
    ) -> Any:
        url = self.base + path
        where = f"{method} {path}"
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        log.debug("request %s", where)
        try:
            resp = self._session.request(method, url, params=params, data=form, timeout=timeout, stream=True)
            raw = _read_capped(resp, self.settings.max_body_bytes, where)
        except requests.exceptions.ConnectTimeout:
            raise errors.ConnectError(f"{where}: timed out connecting to {self._host()}") from None
        except requests.exceptions.ReadTimeout:
            raise errors.RequestTimeout(
                f"{where}: no answer within {self.settings.read_timeout:g}s (the request may have been processed)"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                raise errors.ConnectError(f"{where}: cannot connect to {self._host()}") from None
            raise errors.ConnectionLost(
                f"{where}: the connection was closed before an answer arrived (the request may have been processed)"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise errors.ConnectionLost(f"{where}: {type(exc).__name__}") from None

        status = resp.status_code
        log.debug("response %s -> HTTP %s", where, status)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None

        if status == 429:  # refused before processing, whatever the body says
            raise errors.RateLimited(f"{where}: rate limited (HTTP 429)", retry_after=_retry_after(resp))
        if isinstance(body, dict) and body.get("error") in (True, 1, "1", "true"):
            exc_cls: type[errors.APIError] = errors.APIError
            message, description = str(body.get("message") or ""), str(body.get("description") or "")
            if status in (401, 403):
                exc_cls = errors.APIError  # transport decides: re-auth first
            elif _NOT_FOUND.search(message) or (status == 404):
                exc_cls = errors.NotFoundError
            raise exc_cls(message, description, status_code=status, path=path)

        if status >= 500:
            raise errors.ServerError(f"{where}: server error HTTP {status}", status_code=status)
        if status >= 400:
            if status in (401, 403):
                raise errors.APIError("Unauthorized", f"HTTP {status}", status_code=status, path=path)
            raise errors.HTTPStatusError(f"{where}: HTTP {status}", status_code=status)
        if body is None:
            snippet = _snippet(raw.decode("utf-8", "replace"))
            raise errors.ResponseFormatError(f"{where}: the answer is not JSON (HTTP {status}): {snippet}")
        return body

    def _host(self) -> str:
        return re.sub(r"^[a-z]+://", "", self.base).split("/")[0]


def _retryable(exc: Exception, idempotent: bool) -> bool:
    if isinstance(exc, errors.ConnectError):
        return True  # nothing was sent: safe for any request
    if isinstance(exc, errors.RateLimited):
        return True  # refused before processing
    if isinstance(exc, errors.APIError):
        return idempotent and exc.status_code >= 500
    if isinstance(exc, (errors.TransportError, errors.ServerError, errors.ResponseFormatError)):
        return idempotent
    return False


def _read_capped(resp: requests.Response, limit: int, where: str) -> bytes:
    chunks, size = [], 0
    for chunk in resp.iter_content(64 * 1024):
        size += len(chunk)
        if size > limit:
            resp.close()
            raise errors.ResponseFormatError(f"{where}: the answer is larger than {limit // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    text = repr(exc)
    return any(s in text for s in ("NewConnectionError", "Connection refused", "Name or service not known",
                                   "nodename nor servname", "Failed to resolve", "No route to host"))


def _retry_after(resp: requests.Response) -> float | None:
    try:
        return float(resp.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _snippet(text: str) -> str:
    flat = " ".join((text or "").split())
    return flat[:_MAX_BODY_IN_ERROR] + ("…" if len(flat) > _MAX_BODY_IN_ERROR else "")
