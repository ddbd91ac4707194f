"""Every way a GoGetSSL API call can fail, as one exception tree.

    GoGetSSLError
    ├── TransportError          the exchange did not complete (`outcome_unknown`: may the server have acted?)
    │   ├── ConnectError        no connection was made: the request was certainly not processed
    │   │   └── TLSError        the server's certificate (or the TLS handshake) was refused: nothing was sent
    │   ├── RequestTimeout      sent, but no complete answer in time: the outcome is unknown
    │   ├── ConnectionLost      sent, then the connection dropped: the outcome is unknown
    │   └── Stopped             the caller asked to stop (Ctrl-C): not sent, or abandoned in flight (outcome unknown)
    ├── HTTPStatusError         a non-2xx answer that is not the vendor's error body (3xx: redirects are refused)
    │   ├── RateLimited         429 (retry_after seconds, when the server said)
    │   └── ServerError         5xx: the outcome of a write is unknown
    ├── ResponseFormatError     a 2xx answer that is not the JSON we expect (HTML page, truncated, wrong types);
    │                           `body_text` keeps the raw answer for machine use, never for display
    ├── APIError                the vendor's `{"error": true, "message", "description"}`
    │   ├── AuthError           credentials refused, or the auth key refused even after re-authenticating; the
    │   │                       client's later calls raise it again at once (`again()`), sending nothing
    │   └── NotFoundError       the order or product does not exist (for this account); `what` says which
    └── UnexpectedError         anything else that went wrong inside the client (a bug, a library failure)

`outcome_unknown` on every error says whether the request may have reached the server and been
acted upon; callers that spend money reconcile when it is True, and may repeat when it is False.

NotFoundError comes only from an unambiguous signal, because callers forget a paid order on it: the
vendor's error body whose `message` is exactly the unknown-object answer, "Order not found" or
"Product not found" (case and surrounding blanks ignored, one final full stop allowed; the sandbox
answers `{"error": true, "message": "Order not found", "description": "Order N was not found"}`).
Nothing else is: not an HTTP 404 (a wrong api_url, a proxy or a wrong verb answers that: it is an
HTTPStatusError, or an APIError when it carries the vendor's error body), not "API user not found",
not a description that happens to say "not found".

Messages never carry the password or the auth key: URLs are reduced to their path, and every text
that came from the network (the vendor's message and description, a snippet of a non-JSON answer,
a redirect's location) is redacted before it reaches an exception.
"""

from __future__ import annotations

import threading


class GoGetSSLError(Exception):
    """Base of every error the client raises."""

    #: whether the request may have reached the server and been acted upon
    outcome_unknown: bool = False


class TransportError(GoGetSSLError):
    def __init__(self, message: str, *, sent: bool):
        super().__init__(message)
        self.outcome_unknown = sent


class ConnectError(TransportError):
    def __init__(self, message: str):
        super().__init__(message, sent=False)


class TLSError(ConnectError):
    """The TLS handshake failed (most often: the certificate was not trusted). The request was not sent,
    and repeating it will not help: it is never retried."""


class RequestTimeout(TransportError):
    def __init__(self, message: str):
        super().__init__(message, sent=True)


class ConnectionLost(TransportError):
    def __init__(self, message: str):
        super().__init__(message, sent=True)


class Stopped(TransportError):
    """The caller asked the client to stop (ClientSettings.stop): the request was not sent (`outcome_unknown`
    False), or it was in flight and abandoned (True: the server may have acted)."""


class HTTPStatusError(GoGetSSLError):
    def __init__(self, message: str, *, status_code: int):
        super().__init__(message)
        self.status_code = status_code


class RateLimited(HTTPStatusError):
    def __init__(self, message: str, *, status_code: int = 429, retry_after: float | None = None):
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class ServerError(HTTPStatusError):
    outcome_unknown = True


class ResponseFormatError(GoGetSSLError):
    """A successful HTTP status with a body we cannot use.

    `body_text` is the raw answer as text ("" when there was none to keep), so that a caller can still
    recover what it must not lose (the id of an order the vendor accepted). It is not redacted and is
    never part of str() or repr(): do not log it or show it."""

    outcome_unknown = True

    def __init__(self, message: str, *, body_text: str = ""):
        super().__init__(message)
        self.body_text = body_text


class APIError(GoGetSSLError):
    """The vendor answered with its error shape."""

    def __init__(self, message: str, description: str = "", *, status_code: int = 200):
        self.message = message or "Unknown error"
        self.description = description or ""
        self.status_code = status_code
        self.outcome_unknown = status_code >= 500
        text = self.message if not self.description else f"{self.message}: {self.description}"
        super().__init__(text)


class _ReportOnce:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claimed = False

    def claim(self) -> bool:
        with self._lock:
            first, self._claimed = not self._claimed, True
            return first


class AuthError(APIError):
    """The credentials were refused. The transport remembers the refusal: the password does not change within a
    process, so every later call raises `again()` without a request, and one broken key costs one refusal (and
    one full error for the user) per run, not one per resource."""

    def __init__(self, message: str, description: str = "", *, status_code: int = 200,
                 first: AuthError | None = None):
        super().__init__(message, description, status_code=status_code)
        #: the refusal this error repeats without a request; None when GoGetSSL answered this call itself
        self.first = first
        self._report: _ReportOnce = first._report if first is not None else _ReportOnce()

    def again(self) -> AuthError:
        """The same refusal, for a later call that was not sent."""
        return AuthError(self.message, self.description, status_code=self.status_code, first=self.first or self)

    def claim_report(self) -> bool:
        """True for the first caller (of this refusal and every `again()` of it) who reports it to the user."""
        return self._report.claim()


class NotFoundError(APIError):
    """The vendor's unknown-object answer (see the module docstring). `what` is "order" or "product"."""

    def __init__(self, message: str, description: str = "", *, status_code: int = 200, what: str = ""):
        super().__init__(message, description, status_code=status_code)
        self.what = what or ("product" if "product" in self.message.lower() else "order")


class UnexpectedError(GoGetSSLError):
    """An exception the client did not foresee, mapped so that none but the client's own escape it.
    `outcome_unknown` is True when the request may have reached the server (`sent`)."""

    def __init__(self, message: str, *, sent: bool):
        super().__init__(message)
        self.outcome_unknown = sent
