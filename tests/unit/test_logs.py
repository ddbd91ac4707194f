"""provider/logs.py: a secret the provider learns never reaches a log line, whether it sits in a record's
message, in its %-arguments or in the text of an exception, and the rest of every line is left as written."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from provider import logs
from provider.logs import REDACTOR, RedactingFilter


@pytest.fixture
def emit() -> Iterator[tuple[RedactingFilter, logging.Logger, io.StringIO]]:
    """A fresh filter on a handler writing to a buffer (as logs.setup() puts REDACTOR on stderr's handler)."""
    redactor, out = RedactingFilter(), io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    logger = logging.getLogger(f"test.logs.{uuid.uuid4().hex}")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield redactor, logger, out
    logger.removeHandler(handler)


def secret() -> str:
    return f"Pa55-{uuid.uuid4().hex}"


def test_a_secret_in_the_message_is_replaced_and_the_rest_kept(emit):
    redactor, logger, out = emit
    password = secret()
    redactor.add_secret(password)
    logger.warning(f"login as sandbox with {password} failed")
    assert out.getvalue() == f"WARNING {logger.name}: login as sandbox with REDACTED failed\n"


def test_a_secret_in_the_arguments_is_replaced_and_the_rest_formatted(emit):
    redactor, logger, out = emit
    key = secret()
    redactor.add_secret(key)
    logger.info("GET %s took %d ms (%.1f s)", f"/orders/status/7?key={key}&x=1", 1500, 1.5)
    logger.info("settings %s", {"user": "sandbox", "password": key})  # an argument's repr, not only strings
    assert out.getvalue().splitlines() == [
        f"INFO {logger.name}: GET /orders/status/7?key=REDACTED&x=1 took 1500 ms (1.5 s)",
        f"INFO {logger.name}: settings {{'user': 'sandbox', 'password': 'REDACTED'}}",
    ]


def test_a_secret_in_an_exception_is_replaced_in_the_traceback(emit):
    redactor, logger, out = emit
    password = secret()
    redactor.add_secret(password)
    try:
        raise ConnectionError(f"POST /auth/ with user=sandbox&password={password} was reset")
    except ConnectionError:
        logger.exception("request failed")
    text = out.getvalue()
    assert password not in text
    assert text.startswith(f"ERROR {logger.name}: request failed\nTraceback (most recent call last):")
    assert text.rstrip().endswith("ConnectionError: POST /auth/ with user=sandbox&password=REDACTED was reset")


def test_secret_shaped_text_is_replaced_before_its_value_is_known(emit):
    _redactor, logger, out = emit
    logger.debug('GET /api/products/ssl/?auth_key=k3y-123&limit=5 form pass=hunter2 body {"key": "abc-1"}')
    assert out.getvalue() == (f"DEBUG {logger.name}: GET /api/products/ssl/?auth_key=REDACTED&limit=5 "
                              'form pass=REDACTED body {"key": "REDACTED"}\n')


def test_text_without_secrets_is_left_exactly_as_written(emit):
    redactor, logger, out = emit
    redactor.add_secret(secret())
    redactor.add_secret("abc")  # too short to redact: it would blank every "abc" in every line
    logger.info("order %s of abc.example.com is %s", 1800001, "processing")
    assert out.getvalue() == f"INFO {logger.name}: order 1800001 of abc.example.com is processing\n"


def test_a_secret_containing_another_is_replaced_whole(emit):
    redactor, logger, out = emit
    short = secret()
    redactor.add_secret(short)
    redactor.add_secret(short + "-and-more")
    logger.warning(f"tokens {short}-and-more and {short}")
    assert out.getvalue() == f"WARNING {logger.name}: tokens REDACTED and REDACTED\n"


def test_the_plugin_log_set_up_redacts_what_the_provider_adds(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]):
    """logs.setup() is what the plugin runs: its stderr handler carries REDACTOR, the filter the provider feeds
    with the password and every auth key (on_secret=REDACTOR.add_secret), whichever library logs."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    monkeypatch.setenv("TF_LOG", "TRACE")
    monkeypatch.delenv("TF_LOG_PROVIDER", raising=False)
    password = secret()
    try:
        logs.setup()
        REDACTOR.add_secret(password)
        logging.getLogger("urllib3.connectionpool").debug("POST /api/auth/ user=%s body %s", "sandbox", password)
        logging.getLogger("gogetssl.client").info("retrying with %s", password)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    captured = capsys.readouterr()
    assert captured.out == "", "stdout belongs to the plugin handshake"
    assert password not in captured.err
    lines = [json.loads(line) for line in captured.err.splitlines()]
    assert [(x["@module"], x["@level"], x["@message"]) for x in lines] == [
        ("gogetssl.urllib3.connectionpool", "trace", "POST /api/auth/ user=sandbox body REDACTED"),
        ("gogetssl.client", "info", "retrying with REDACTED")]


@pytest.fixture
def plugin_stderr(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """logs.setup() writes to stderr as the plugin does; this gives its lines, parsed. The root logger is
    restored afterwards."""
    import json

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield lambda: [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    root.handlers[:] = handlers
    root.setLevel(level)


def test_lines_are_hclog_json_filtered_at_the_level_tf_log_provider_asks_for(plugin_stderr, monkeypatch):
    monkeypatch.setenv("TF_LOG_PROVIDER", "INFO")
    logs.setup()
    password = secret()
    REDACTOR.add_secret(password)

    logs.event("addSSLOrder: placed order 7", order_id=7, amount=6.9, note=f"with {password}")
    logging.getLogger("gogetssl.client").debug("request POST /auth/")
    logging.getLogger("urllib3.connectionpool").debug("Starting new HTTP connection (1): 127.0.0.1:8999")

    (line,) = plugin_stderr()
    assert line["@level"] == "info" and line["@module"] == "gogetssl.provider"
    assert line["@message"] == "addSSLOrder: placed order 7" and line["@timestamp"].endswith("Z")
    assert (line["order_id"], line["amount"], line["note"]) == ("7", 6.9, "with REDACTED")


def test_at_trace_other_libraries_come_through_as_trace_and_http_as_debug(plugin_stderr, monkeypatch):
    monkeypatch.setenv("TF_LOG_PROVIDER", "TRACE")
    logs.setup()

    logging.getLogger("gogetssl.client").debug("request POST /auth/")
    logging.getLogger("urllib3.connectionpool").debug("Starting new HTTP connection (1): 127.0.0.1:8999")

    levels = [(line["@module"], line["@level"]) for line in plugin_stderr()]
    assert levels == [("gogetssl.client", "debug"), ("gogetssl.urllib3.connectionpool", "trace")]
