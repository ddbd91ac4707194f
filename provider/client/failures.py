"""Maps what requests raised during an exchange to the client's exception tree, saying whether anything was sent.

ConnectError (and TLSError) only when the request certainly did not leave; RequestTimeout or ConnectionLost,
both with an unknown outcome, once it may have; Stopped when the caller's stop cut it (unknown outcome) or kept
it from being sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from . import errors
from .answers import MAX_BODY_IN_ERROR
from .deadline import Deadline
from .settings import ClientSettings

# A TLS failure during the handshake happens before a byte of the request is sent.
_TLS_VERIFY = re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLCertVerificationError|"
                         r"CertificateError|hostname .*doesn't match", re.IGNORECASE)
_TLS_HANDSHAKE = re.compile(r"WRONG_VERSION_NUMBER|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|"
                            r"NO_SHARED_CIPHER|HANDSHAKE_FAILURE|TLSV1_ALERT_[A-Z_]+|SSLV3_ALERT_[A-Z_]+|"
                            r"UNKNOWN_CA|TLSV1_UNRECOGNIZED_NAME", re.IGNORECASE)


def transport_error(exc: requests.exceptions.RequestException, where: str, watch: Deadline, *,
                    before_answer: bool, settings: ClientSettings, base: str,
                    redact: Callable[[str], str]) -> errors.GoGetSSLError:
    """The client's error for what requests raised; `before_answer`: raised before any of the answer."""
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema, requests.exceptions.URLRequired)):
        return errors.ConnectError(f"{where}: api_url is not a usable URL ({type(exc).__name__})")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        # the deadline cannot cause this: a socket is watched only once it is connected
        return errors.ConnectError(f"{where}: timed out connecting to {_host(base)}")
    if watch.cancel():
        return cut_error(where, settings, watch)
    text = repr(exc)
    if isinstance(exc, requests.exceptions.ReadTimeout) or (
            not before_answer and "Read timed out" in text):
        return errors.RequestTimeout(
            f"{where}: no answer within {settings.read_timeout:g}s (the request may have been processed)")
    if isinstance(exc, requests.exceptions.SSLError) and before_answer:
        tls = _tls_error(text, where, base, redact)
        if tls is not None:
            return tls
    if isinstance(exc, requests.exceptions.ConnectionError) and before_answer and _never_connected(exc):
        return errors.ConnectError(f"{where}: cannot connect to {_host(base)}")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return errors.ConnectionLost(
            f"{where}: the connection was closed before an answer arrived (the request may have been processed)")
    return errors.ConnectionLost(f"{where}: {type(exc).__name__} (the request may have been processed)")


def cut_error(where: str, settings: ClientSettings, watch: Deadline) -> errors.TransportError:
    """The error of an exchange the watchdog cut: at the caller's stop, or at the deadline."""
    if watch.stopped:
        return stopped_error(where, sent=True)
    return deadline_error(where, settings)


def stopped_error(where: str, *, sent: bool) -> errors.Stopped:
    if sent:
        return errors.Stopped(f"{where}: abandoned because Terraform asked the provider to stop (the request may "
                              "have been processed)", sent=True)
    return errors.Stopped(f"{where}: not sent, Terraform asked the provider to stop", sent=False)


def deadline_error(where: str, settings: ClientSettings) -> errors.RequestTimeout:
    return errors.RequestTimeout(f"{where}: no complete answer within {settings.deadline:g}s "
                                 "(the request may have been processed)")


def _tls_error(text: str, where: str, base: str, redact: Callable[[str], str]) -> errors.TLSError | None:
    """A TLSError when the failure is one of the handshake (nothing sent yet); None when unsure."""
    if _TLS_VERIFY.search(text):
        m = re.search(r"certificate verify failed: (.*?)\s*(?:\(_ssl\.c:\d+\)|['\"]\)|$)", text)
        reason = m.group(1).strip().rstrip(".") if m else "the server's certificate is not trusted"
        return errors.TLSError(f"{where}: TLS verification of {_hostname(base)} failed: "
                               f"{redact(reason)[:MAX_BODY_IN_ERROR]}; the request was not sent")
    m = _TLS_HANDSHAKE.search(text)
    if m:
        reason = m.group(0).lower().replace("_", " ")
        return errors.TLSError(f"{where}: TLS handshake with {_hostname(base)} failed: {reason}; "
                               "the request was not sent")
    return None


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    text = repr(exc)
    return any(s in text for s in ("NewConnectionError", "Connection refused", "Name or service not known",
                                   "nodename nor servname", "Failed to resolve", "No route to host",
                                   "NameResolutionError"))


def _host(base: str) -> str:
    return re.sub(r"^[a-z]+://", "", base).split("/")[0]


def _hostname(base: str) -> str:
    try:
        return urlsplit(base).hostname or _host(base)
    except ValueError:
        return _host(base)
