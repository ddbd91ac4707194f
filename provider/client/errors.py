"""Every way a GoGetSSL API call can fail, as one exception tree.

    GoGetSSLError
    ├── TransportError          the exchange did not complete (attribute `sent`: may the server have acted?)
    │   ├── ConnectError        no connection was made: the request was certainly not processed
    │   ├── RequestTimeout      sent, but no answer in time: the outcome is unknown
    │   └── ConnectionLost      sent, then the connection dropped: the outcome is unknown
    ├── HTTPStatusError         a non-2xx answer that is not the vendor's error body
    │   ├── RateLimited         429 (retry_after seconds, when the server said)
    │   └── ServerError         5xx: the outcome of a write is unknown
    ├── ResponseFormatError     a 2xx answer that is not the JSON we expect (HTML page, truncated, wrong types)
    └── APIError                the vendor's `{"error": true, "message", "description"}`
        ├── AuthError           credentials refused, or the auth key refused even after re-authenticating
        └── NotFoundError       the order or product does not exist (for this account)

Messages never carry the password or the auth key: URLs are reduced to their path before
they reach an exception.
"""

from __future__ import annotations


class GoGetSSLError(Exception):
    """Base of every error the client raises."""

    #: whether the request may have reached the server and been acted upon
    outcome_unknown: bool = False


class TransportError(GoGetSSLError):
    def __init__(self, message: str, *, sent: bool):
        super().__init__(message)
        self.sent = sent
        self.outcome_unknown = sent


class ConnectError(TransportError):
    def __init__(self, message: str):
        super().__init__(message, sent=False)


class RequestTimeout(TransportError):
    def __init__(self, message: str):
        super().__init__(message, sent=True)


class ConnectionLost(TransportError):
    def __init__(self, message: str):
        super().__init__(message, sent=True)


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
    """A successful HTTP status with a body we cannot use."""

    outcome_unknown = True


class APIError(GoGetSSLError):
    """The vendor answered with its error shape."""

    def __init__(self, message: str, description: str = "", *, status_code: int = 200, path: str = ""):
        self.message = message or "Unknown error"
        self.description = description or ""
        self.status_code = status_code
        self.path = path
        self.outcome_unknown = status_code >= 500
        text = self.message if not self.description else f"{self.message}: {self.description}"
        super().__init__(text)


class AuthError(APIError):
    pass


class NotFoundError(APIError):
    pass
