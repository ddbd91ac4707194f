"""Logging for the plugin: to stderr (stdout carries the plugin handshake), at the level TF_LOG_PROVIDER (or
TF_LOG) asks for, with secrets redacted from every record, whichever library wrote it (urllib3 logs full URLs,
and the auth key travels in the query string).

Each record is one line of hclog JSON, the form go-plugin parses from a plugin's stderr (`@level`,
`@message`, `@module`, `@timestamp`, then fields): Terraform then logs it at its own level under the
provider's name, and TF_LOG_PROVIDER filters it. The levels: INFO for each money or lifecycle action and
the waiter's progress, DEBUG for each HTTP request, TRACE (below DEBUG) for other libraries' records.
Fields come from `extra={"fields": {...}}`."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provider.client.safety import SecretSet


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets replaced; also redacts exact values it was given.

    The patterns and the redaction itself are the client's (`provider.client.safety`): one rule for
    exception messages and log lines. Values may be added from any thread while others log: the set
    is copy-on-write, so a record is redacted against a stable snapshot. The set (and with it the
    patterns) is made on first use: the plugin sets logging up before its handshake, which needs neither."""

    def __init__(self) -> None:
        super().__init__()
        self._set: SecretSet | None = None
        self._set_lock = threading.Lock()

    @property
    def _secrets(self) -> SecretSet:
        if self._set is None:
            with self._set_lock:
                if self._set is None:
                    from provider.client.safety import SecretSet

                    self._set = SecretSet()
        return self._set

    def add_secret(self, value: str) -> None:
        self._secrets.add(value)

    def redact(self, text: str) -> str:
        return self._secrets.redact(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info:
            import traceback

            clean += "\n" + self.redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
            record.exc_text = None
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


REDACTOR = RedactingFilter()
TRACE = 5
logging.addLevelName(TRACE, "TRACE")
_HCLOG_LEVELS = {TRACE: "trace", logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn",
                 logging.ERROR: "error", logging.CRITICAL: "error"}
OURS = "gogetssl"  # the provider's loggers: gogetssl.client, gogetssl.provider, ...


def tf_log_level() -> int:
    level = os.environ.get("TF_LOG_PROVIDER") or os.environ.get("TF_LOG") or ""
    return {
        "TRACE": TRACE, "DEBUG": logging.DEBUG, "INFO": logging.INFO,
        "WARN": logging.WARNING, "ERROR": logging.ERROR,
    }.get(level.upper(), logging.WARNING)


class HclogFormatter(logging.Formatter):
    """One hclog JSON line per record. Records of other libraries are TRACE whatever their own level (their
    chatter is not the provider's news), unless they are warnings or errors."""

    def format(self, record: logging.LogRecord) -> str:
        level = record.levelno
        if not record.name.startswith(OURS) and level < logging.WARNING:
            level = TRACE
        entry: dict[str, Any] = {
            "@level": _HCLOG_LEVELS.get(level, "debug" if level < logging.INFO else "info"),
            "@message": record.getMessage(),
            "@module": record.name if record.name.startswith(OURS) else f"{OURS}.{record.name}",
            "@timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                          + f".{int(record.msecs):03d}000Z",
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({str(k): REDACTOR.redact(v) if isinstance(v, str) else v
                          for k, v in fields.items() if not str(k).startswith("@")})
        return json.dumps(entry, default=str, ensure_ascii=False)


class _LibraryLevel(logging.Filter):
    """Other libraries' records below WARNING pass only when TRACE is asked for."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith(OURS) or record.levelno >= logging.WARNING or self.level <= TRACE


def setup() -> None:
    level = tf_log_level()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(HclogFormatter())
    handler.addFilter(_LibraryLevel(level))
    handler.addFilter(REDACTOR)  # last: it rewrites the message the formatter writes out
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


_EVENTS = logging.getLogger(f"{OURS}.provider")


def event(message: str, **fields: Any) -> None:
    """An INFO event of the provider (an order placed, a reissue, a cancellation, the waiter's progress), with
    its fields as hclog fields. Whole numbers (ids) go as text: hclog reads JSON numbers as floats and would
    print order 1800001 as 1.800001e+06."""
    _EVENTS.info(message, extra={"fields": {k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v
                                            for k, v in fields.items()}})
