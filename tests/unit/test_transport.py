"""Every transport failure maps to the client's exception tree, with no secret in its text.

Uses a real requests.Session with an adapter that plays the network's part: no sockets.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import requests
from requests.adapters import BaseAdapter

from provider.client import ClientSettings, GoGetSSLClient, errors

PASSWORD = "s3cret-Pa55"


class ScriptedAdapter(BaseAdapter):
    """Answers each request with the next scripted step: a (status, body, headers) or an exception."""

    def __init__(self, steps: list[tuple[int, object, dict] | Exception | Callable]):
        super().__init__()
        self.steps = list(steps)
        self.seen: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):  # noqa: ANN001 - requests' signature
        self.seen.append(request)
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        status, body, headers = step
        resp = requests.Response()
        resp.status_code = status
        resp._content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        resp.headers.update(headers)
        resp.request = request
        resp.url = request.url
        return resp

    def close(self):
        pass


AUTH_OK = (200, {"key": "K-123", "success": True}, {})


def client_with(*steps) -> tuple[GoGetSSLClient, ScriptedAdapter]:
    adapter = ScriptedAdapter(list(steps))
    session = requests.Session()
    session.mount("https://", adapter)
    client = GoGetSSLClient(ClientSettings("https://api.test/api", "user", PASSWORD), session=session)
    return client, adapter


def assert_no_secret(exc: BaseException) -> None:
    text = str(exc) + repr(exc)
    assert PASSWORD not in text and "K-123" not in text


@pytest.mark.parametrize("exc, expected, unknown", [
    (requests.exceptions.ConnectTimeout("https://api.test/api/orders/status/1?auth_key=K-123"),
     errors.ConnectError, False),
    (requests.exceptions.ReadTimeout("https://api.test/api/orders/status/1?auth_key=K-123"),
     errors.RequestTimeout, True),
    (requests.exceptions.ConnectionError("NewConnectionError: Connection refused ?auth_key=K-123"),
     errors.ConnectError, False),
    (requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected ?auth_key=K-123"),
     errors.ConnectionLost, True),
    (requests.exceptions.ChunkedEncodingError("broken ?auth_key=K-123"), errors.ConnectionLost, True),
])
def test_network_failures_map_to_typed_errors(exc, expected, unknown):
    client, _ = client_with(AUTH_OK, exc)
    with pytest.raises(expected) as info:
        client.orders.status(1)
    assert info.value.outcome_unknown is unknown
    assert_no_secret(info.value)


def test_vendor_error_with_http_200_is_an_api_error_carrying_message_and_description():
    client, _ = client_with(AUTH_OK, (200, {"error": True, "message": "Invalid period",
                                            "description": "Period 7 is not available"}, {}))
    with pytest.raises(errors.APIError) as info:
        client.orders.status(1)
    assert info.value.message == "Invalid period"
    assert "Period 7 is not available" in str(info.value)


def test_not_found_is_its_own_class():
    client, _ = client_with(AUTH_OK, (200, {"error": True, "message": "Order not found", "description": ""}, {}))
    with pytest.raises(errors.NotFoundError):
        client.orders.status(1)


def test_html_page_and_truncated_json_are_format_errors():
    client, _ = client_with(AUTH_OK, (200, "<html><body>Maintenance</body></html>", {}),
                            (200, '{"order_id": 1, "sta', {}))
    with pytest.raises(errors.ResponseFormatError, match="not JSON"):
        client.orders.status(1)
    with pytest.raises(errors.ResponseFormatError):
        client.orders.status(1)


def test_server_error_and_rate_limit():
    client, _ = client_with(AUTH_OK, (503, "Service Unavailable", {}), (429, "slow down", {"Retry-After": "7"}))
    with pytest.raises(errors.ServerError) as info:
        client.orders.status(1)
    assert info.value.outcome_unknown
    with pytest.raises(errors.RateLimited) as limited:
        client.orders.status(1)
    assert limited.value.retry_after == 7


def test_key_is_sent_as_query_parameter_and_cached():
    client, adapter = client_with(AUTH_OK, (200, {"order_id": "1", "status": "active"}, {}),
                                  (200, {"order_id": "2", "status": "active"}, {}))
    client.orders.status(1)
    client.orders.status(2)
    auth, first, second = adapter.seen
    assert auth.url.endswith("/auth/") and "pass=" in auth.body and "auth_key" not in auth.url
    assert "auth_key=K-123" in first.url and "auth_key=K-123" in second.url


def test_refused_key_is_renewed_once_then_the_call_repeats():
    client, adapter = client_with(
        AUTH_OK,
        (403, {"error": True, "message": "Invalid auth key", "description": "expired"}, {}),
        (200, {"key": "K-456", "success": True}, {}),
        (200, {"order_id": "1", "status": "active"}, {}),
    )
    assert client.orders.status(1).status == "active"
    assert "auth_key=K-456" in adapter.seen[-1].url


def test_refused_twice_is_an_auth_error():
    refused = (403, {"error": True, "message": "Invalid auth key", "description": "expired"}, {})
    client, _ = client_with(AUTH_OK, refused, (200, {"key": "K-456"}, {}), refused)
    with pytest.raises(errors.AuthError):
        client.orders.status(1)


def test_wrong_credentials_never_echo_the_password():
    client, _ = client_with((200, {"error": True, "message": "Invalid credentials",
                                   "description": "Wrong username or API password"}, {}))
    with pytest.raises(errors.AuthError) as info:
        client.orders.status(1)
    assert_no_secret(info.value)
    assert PASSWORD not in repr(client) + repr(client.settings) + repr(client.transport)
