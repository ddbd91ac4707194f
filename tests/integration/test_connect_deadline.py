"""Connecting within the request's deadline: several dead addresses share one deadline, and a host name the
resolver cannot even encode is a clear connection error, not a crash (found by a review)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import urllib3.util.connection

from provider.client import ClientSettings, GoGetSSLClient, errors
from tests.support import Sandbox


# -- every resolved address used to get a full connect timeout --
@pytest.mark.timeout(60)
def test_several_unreachable_addresses_share_one_deadline(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch):
    """_connect_within_deadline tries each resolved address in turn, each with the full connect timeout
    (min(connect_timeout, deadline)); the watchdog only sees a socket once one is connected. A host whose
    first addresses are black holes (a broken IPv6 route before the IPv4 address is the common case) makes
    a 1 s request take N seconds."""
    sb = sandbox
    port = urlsplit(sb.url).port
    real_gai = socket.getaddrinfo
    real_cc = urllib3.util.connection.create_connection
    holes = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]

    def gai(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "localhost":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in [*holes, "127.0.0.1"]]
        return real_gai(host, *args, **kwargs)

    def black_hole(address: Any, timeout: Any = None, *args: Any, **kwargs: Any) -> Any:
        if address[0] in holes:  # a SYN nobody answers: the connect waits its whole timeout
            time.sleep(timeout if isinstance(timeout, (int, float)) else 5)
            raise TimeoutError("timed out")
        return real_cc(address, timeout, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", gai)
    monkeypatch.setattr(urllib3.util.connection, "create_connection", black_hole)
    client = GoGetSSLClient(ClientSettings(f"http://localhost:{port}/api", sb.user, sb.password, max_retries=0,
                                           read_timeout=1, total_timeout=1))
    started = time.monotonic()
    try:
        client.account.balance()
    except errors.GoGetSSLError:
        pass
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"a request with a 1 s request_timeout took {elapsed:.1f} s"


# -- a name the resolver cannot encode used to raise KeyError, with a thread traceback --
@pytest.mark.timeout(60)
def test_a_host_label_too_long_is_a_clear_connection_error(monkeypatch: pytest.MonkeyPatch):
    """_resolve's worker catches only OSError; socket.getaddrinfo raises UnicodeError for a label over 63
    characters (IDNA). The worker dies with an unhandled traceback, `found` is empty, `found["infos"]` raises
    KeyError, and the client reports "unexpected KeyError inside the client ('infos')". (urllib3 alone raised
    LocationParseError, naming the bad label.) Once a key exists, the same KeyError on a paid request would
    carry sent=True: 'the request may have been processed' for a request that never left."""
    hooks: list[str] = []
    monkeypatch.setattr(threading, "excepthook", lambda a: hooks.append(f"{a.exc_type.__name__}: {a.exc_value}"))
    client = GoGetSSLClient(ClientSettings(f"https://{'a' * 64}.example.com/api", "u", "p", max_retries=0,
                                           read_timeout=2, total_timeout=2))
    with pytest.raises(errors.GoGetSSLError) as raised:
        client.account.balance()
    problems = []
    if "KeyError" in str(raised.value) or "AssertionError" in str(raised.value):
        problems.append(f"message: {raised.value}")
    if raised.value.outcome_unknown:
        problems.append("a request that never left is reported as possibly processed")
    if hooks:
        problems.append(f"unhandled thread exceptions: {hooks}")
    assert not problems, problems


