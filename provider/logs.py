"""Logging for the plugin: to stderr (stdout carries the plugin handshake), at the level TF_LOG asks for,
with secrets redacted from every record, whichever library wrote it (urllib3 logs full URLs, and the auth
key travels in the query string)."""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import TYPE_CHECKING

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


def tf_log_level() -> int:
    level = os.environ.get("TF_LOG_PROVIDER") or os.environ.get("TF_LOG") or ""
    return {
        "TRACE": logging.DEBUG, "DEBUG": logging.DEBUG, "INFO": logging.INFO,
        "WARN": logging.WARNING, "ERROR": logging.ERROR,
    }.get(level.upper(), logging.WARNING)


def setup() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(REDACTOR)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(tf_log_level())
