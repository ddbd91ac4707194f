"""The retry policy: which failures may be repeated for which requests, and how long to wait before each retry.

A request that is not idempotent (a new order costs money) is repeated only when it certainly was not sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from . import errors
from .settings import ClientSettings

log = logging.getLogger("gogetssl.client")

T = TypeVar("T")

#: the failures the policy judges; anything else is raised at once
_JUDGED = (errors.TransportError, errors.HTTPStatusError, errors.ResponseFormatError, errors.APIError)


def with_retries(settings: ClientSettings, where: str, idempotent: bool, attempt: Callable[[], T]) -> T:
    """`attempt()`, repeated up to `settings.max_retries` times while its failure is `retryable`; never once
    `settings.stop` is set (the last failure is raised at once, also during the backoff)."""
    tries = 0
    while True:
        try:
            return attempt()
        except _JUDGED as exc:
            if tries >= settings.max_retries or not retryable(exc, idempotent) or settings.stop.is_set():
                raise
            delay = backoff(settings, tries, exc)
            log.info("%s failed (%s); retry %d of %d in %.1fs", where, type(exc).__name__,
                     tries + 1, settings.max_retries, delay)
            if settings.pause(delay):
                raise
            tries += 1


def retryable(exc: Exception, idempotent: bool) -> bool:
    if isinstance(exc, (errors.TLSError, errors.Stopped)):
        return False  # an untrusted certificate stays untrusted; a stop stays a stop
    if isinstance(exc, errors.ConnectError):
        return True  # nothing was sent: safe for any request
    if isinstance(exc, errors.RateLimited):
        return True  # refused before processing
    if isinstance(exc, errors.APIError):
        return idempotent and exc.status_code >= 500
    if isinstance(exc, (errors.TransportError, errors.ServerError, errors.ResponseFormatError)):
        return idempotent
    return False


def backoff(settings: ClientSettings, attempt: int, exc: Exception) -> float:
    """Capped exponential backoff with full jitter; at least what Retry-After asked for."""
    ceiling = min(settings.backoff_cap, settings.backoff_initial * (2 ** attempt))
    delay = ceiling * settings.random()
    if isinstance(exc, errors.RateLimited) and exc.retry_after is not None:
        delay = max(delay, min(exc.retry_after, settings.retry_after_cap))
    return delay
