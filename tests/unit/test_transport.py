"""Every transport failure maps to the client's exception tree, with no secret in its text.

Uses a real requests.Session with an adapter that plays the network's part: no sockets.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
import requests
from requests.adapters import BaseAdapter

from provider.client import ClientSettings, GoGetSSLClient, errors
from tests.support import minimal_order

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
        resp.raw = io.BytesIO(body.encode() if isinstance(body, str) else json.dumps(body).encode())
        resp.headers.update(headers)
        resp.request = request
        resp.url = request.url
        return resp

    def close(self):
        pass


AUTH_OK = (200, {"key": "K-123", "success": True}, {})


def client_with(*steps, retries: int = 0, sleeps: list[float] | None = None) -> tuple[GoGetSSLClient,
                                                                                   ScriptedAdapter]:
    adapter = ScriptedAdapter(list(steps))
    session = requests.Session()
    session.mount("https://", adapter)
    settings = ClientSettings("https://api.test/api", "user", PASSWORD, max_retries=retries,
                              sleep=(sleeps.append if sleeps is not None else lambda s: None), random=lambda: 1.0)
    client = GoGetSSLClient(settings, session=session)
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
        (403, {"error": True, "message": "Auth key is not valid", "description": "expired"}, {}),
        (200, {"key": "K-456", "success": True}, {}),
        (200, {"order_id": "1", "status": "active"}, {}),
    )
    assert client.orders.status(1).status == "active"
    assert "auth_key=K-456" in adapter.seen[-1].url


def test_a_refusal_in_the_live_apis_shape_renews_the_key_too():
    """The live API refuses a key with HTTP 403 and `{"message": "Auth key is not valid"}` (docs/vendor-api.md
    §9.6): no `error` flag is needed for the client to log in again."""
    client, adapter = client_with(
        AUTH_OK,
        (403, {"message": "Auth key is not valid"}, {}),
        (200, {"key": "K-456", "success": True}, {}),
        (200, {"order_id": "1", "status": "active"}, {}),
    )
    assert client.orders.status(1).status == "active"
    assert "auth_key=K-456" in adapter.seen[-1].url


def test_refused_twice_is_an_auth_error():
    refused = (403, {"error": True, "message": "Auth key is not valid", "description": "expired"}, {})
    client, _ = client_with(AUTH_OK, refused, (200, {"key": "K-456"}, {}), refused)
    with pytest.raises(errors.AuthError):
        client.orders.status(1)


def test_wrong_credentials_never_echo_the_password():
    client, _ = client_with((200, {"error": True, "message": "Wrong username/password",
                                   "description": "Wrong username/password"}, {}))
    with pytest.raises(errors.AuthError) as info:
        client.orders.status(1)
    assert_no_secret(info.value)
    assert PASSWORD not in repr(client) + repr(client.settings) + repr(client.transport)


OK_STATUS = (200, {"order_id": "1", "status": "active"}, {})
ADD_OK = (200, {"order_id": 9, "invoice_id": 1, "order_status": "processing", "success": True}, {})


def _add_request():
    from provider.client.models import AddSSLOrderRequest

    return AddSSLOrderRequest(**minimal_order(csr="C"))


@pytest.mark.parametrize("failure", [
    requests.exceptions.ReadTimeout("t"), requests.exceptions.ConnectionError("Connection aborted"),
    (503, "busy", {}), (500, {"error": True, "message": "Internal error", "description": ""}, {}),
    (200, "<html>oops</html>", {}),
], ids=["timeout", "reset", "503", "500-json", "garbage"])
def test_reads_retry_uncertain_failures_with_capped_exponential_backoff(failure):
    sleeps: list[float] = []
    client, adapter = client_with(AUTH_OK, failure, failure, failure, OK_STATUS, retries=3, sleeps=sleeps)
    assert client.orders.status(1).status == "active"
    assert sleeps == [0.5, 1.0, 2.0]  # initial 0.5 doubling (jitter pinned to its ceiling here)


def test_retries_stop_at_max_retries():
    client, adapter = client_with(AUTH_OK, *[(503, "busy", {})] * 3, retries=2)
    with pytest.raises(errors.ServerError):
        client.orders.status(1)
    assert len(adapter.seen) == 4  # auth + 1 try + 2 retries


def test_retry_after_is_honoured():
    sleeps: list[float] = []
    client, _ = client_with(AUTH_OK, (429, "slow", {"Retry-After": "7"}), OK_STATUS, retries=3, sleeps=sleeps)
    client.orders.status(1)
    assert sleeps == [7.0]


@pytest.mark.parametrize("failure, expected", [
    (requests.exceptions.ReadTimeout("t"), errors.RequestTimeout),
    (requests.exceptions.ConnectionError("Connection aborted"), errors.ConnectionLost),
    ((503, "busy", {}), errors.ServerError),
    ((200, "<html>oops</html>", {}), errors.ResponseFormatError),
])
def test_orders_that_spend_money_are_never_retried_after_an_uncertain_failure(failure, expected):
    client, adapter = client_with(AUTH_OK, failure, ADD_OK, retries=5)
    with pytest.raises(expected) as info:
        client.orders.add_ssl_order(_add_request())
    assert info.value.outcome_unknown
    assert len(adapter.seen) == 2  # auth + the one attempt


@pytest.mark.parametrize("failure", [
    requests.exceptions.ConnectionError("NewConnectionError: Connection refused"), (429, "slow", {}),
], ids=["never-sent", "rate-limited"])
def test_orders_retry_only_when_the_request_certainly_was_not_processed(failure):
    client, adapter = client_with(AUTH_OK, failure, ADD_OK, retries=3)
    assert client.orders.add_ssl_order(_add_request()).order_id == 9


def test_huge_bodies_are_refused():
    client, _ = client_with(AUTH_OK, (200, "x" * (11 * 1024 * 1024), {}))
    with pytest.raises(errors.ResponseFormatError, match="larger than 10 MiB"):
        client.orders.status(1)
