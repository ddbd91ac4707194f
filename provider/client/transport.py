"""HTTP transport for the GoGetSSL v1 API: authentication, the auth key, encodings, error mapping.

Owns the rules every call shares: `POST /auth/` for a key, cached for the life of the
process and renewed once when the server refuses it (401/403); the key travels as the
`auth_key` query parameter; bodies are form-encoded; and any answer (HTTP 200 included)
whose JSON says `"error": true` is an error. It never retries on its own: whether a
request may be repeated is the caller's decision (a new order costs money).
"""

from __future__ import annotations

import logging
import re
import threading
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
            return self._key

    # -- calls --
    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.call("GET", path, params=params)

    def post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        return self.call("POST", path, form=form)

    def call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, form: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Make an authenticated call; return the JSON object, or raise from errors."""
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
            resp = self._session.request(method, url, params=params, data=form, timeout=timeout)
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
            body = resp.json()
        except ValueError:
            body = None

        if isinstance(body, dict) and body.get("error") in (True, 1, "1", "true"):
            exc_cls: type[errors.APIError] = errors.APIError
            message, description = str(body.get("message") or ""), str(body.get("description") or "")
            if status in (401, 403):
                exc_cls = errors.APIError  # transport decides: re-auth first
            elif _NOT_FOUND.search(message) or (status == 404):
                exc_cls = errors.NotFoundError
            raise exc_cls(message, description, status_code=status, path=path)

        if status == 429:
            raise errors.RateLimited(f"{where}: rate limited (HTTP 429)", retry_after=_retry_after(resp))
        if status >= 500:
            raise errors.ServerError(f"{where}: server error HTTP {status}", status_code=status)
        if status >= 400:
            if status in (401, 403):
                raise errors.APIError("Unauthorized", f"HTTP {status}", status_code=status, path=path)
            raise errors.HTTPStatusError(f"{where}: HTTP {status}", status_code=status)
        if body is None:
            snippet = _snippet(resp.text)
            raise errors.ResponseFormatError(f"{where}: the answer is not JSON (HTTP {status}): {snippet}")
        return body

    def _host(self) -> str:
        return re.sub(r"^[a-z]+://", "", self.base).split("/")[0]


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
