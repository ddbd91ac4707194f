"""Logging for the plugin: to stderr (stdout carries the plugin handshake), at the level TF_LOG asks for,
with secrets redacted from every record, whichever library wrote it (urllib3 logs full URLs, and the auth
key travels in the query string)."""

from __future__ import annotations

import logging
import os
import re
import sys

_SECRETS = [
    (re.compile(r"(auth_key=)[^&\s'\"]+"), r"\1REDACTED"),
    (re.compile(r"(pass=)[^&\s'\"]+"), r"\1REDACTED"),
    (re.compile(r"(\"(?:key|password|pass|auth_key)\"\s*:\s*\")[^\"]*(\")"), r"\1REDACTED\2"),
]


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets replaced; also redacts exact values it was given."""

    def __init__(self) -> None:
        super().__init__()
        self._values: set[str] = set()

    def add_secret(self, value: str) -> None:
        if value and len(value) >= 4:
            self._values.add(value)

    def redact(self, text: str) -> str:
        for pattern, repl in _SECRETS:
            text = pattern.sub(repl, text)
        for value in self._values:
            text = text.replace(value, "REDACTED")
        return text

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
