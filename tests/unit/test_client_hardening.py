"""The client never leaks a foreign exception, a secret or a placed order id, and classifies failures honestly.

No sockets: a requests.Session with an adapter that plays the vendor's part (`FakeVendor`).
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from pydantic import BaseModel, field_validator
from requests.adapters import BaseAdapter
from tf.utils import Diagnostics

from provider.client import ClientSettings, GoGetSSLClient, errors
from provider.client._parse import parse
from provider.client.models import AddSSLOrderRequest, Balance, OrderStatus
from provider.common.services import NotConfigured
from provider.logs import RedactingFilter
from provider.provider import GoGetSSLProvider
from tests.support import minimal_order

PASSWORD = "s3cret-Pa55"
KEY = "K-123456"

Answer = tuple[int, Any, dict[str, str]]


class FakeVendor(BaseAdapter):
    """Answers /auth/ with KEY; every other request with the next scripted step (an answer, an exception,
    or a callable taking the PreparedRequest and returning either)."""

    def __init__(self, *steps: Answer | BaseException | Callable[[requests.PreparedRequest], Any]):
        super().__init__()
        self.steps = list(steps)
        self.seen: list[requests.PreparedRequest] = []
        self.auths = 0

    def send(self, request, **kwargs):  # noqa: ANN001 - requests' signature
        self.seen.append(request)
        if request.path_url.split("?")[0].endswith("/auth/"):
            self.auths += 1
            return _response(request, (200, {"key": KEY, "success": True}, {}))
        step = self.steps.pop(0)
        if callable(step) and not isinstance(step, BaseException):
            step = step(request)
        if isinstance(step, BaseException):
            raise step
        return _response(request, step)

    def close(self):
        pass

    def calls(self) -> list[requests.PreparedRequest]:
        return [r for r in self.seen if not r.path_url.split("?")[0].endswith("/auth/")]


def _response(request: requests.PreparedRequest, answer: Answer) -> requests.Response:
    status, body, headers = answer
    resp = requests.Response()
    resp.status_code = status
    resp.raw = io.BytesIO(body if isinstance(body, bytes) else
                          body.encode() if isinstance(body, str) else json.dumps(body).encode())
    resp.headers.update(headers)
    resp.request = request
    resp.url = request.url or ""
    return resp


def client_with(vendor: FakeVendor, *, retries: int = 0, sleeps: list[float] | None = None,
                on_secret: Callable[[str], None] | None = None) -> GoGetSSLClient:
    session = requests.Session()
    session.mount("https://", vendor)
    extra: dict[str, Any] = {} if on_secret is None else {"on_secret": on_secret}
    settings = ClientSettings("https://api.test/api", "user", PASSWORD, max_retries=retries,
                              sleep=(sleeps.append if sleeps is not None else lambda s: None),
                              random=lambda: 1.0, **extra)
    return GoGetSSLClient(settings, session=session)


def add_request() -> AddSSLOrderRequest:
    return AddSSLOrderRequest(**minimal_order(csr="C"))


def text_of(exc: BaseException) -> str:
    return str(exc) + repr(exc) + str(exc.args)


# -- A. no foreign exception escapes the client --

def test_deeply_nested_json_is_a_format_error_not_a_recursion_error():
    vendor = FakeVendor((200, "[" * 200_000 + "]" * 200_000, {}))
    with pytest.raises(errors.ResponseFormatError, match="not JSON"):
        client_with(vendor).orders.status(1)


@pytest.mark.parametrize("value", ["1e400", "-1e400", "inf", "nan", 1e400, float("nan"), "1.5", 2.5])
def test_int_fields_reject_huge_and_non_finite_numbers_as_format_errors(value):
    with pytest.raises(errors.ResponseFormatError, match="order_id"):
        parse(OrderStatus, {"order_id": value}, "getOrderStatus")


@pytest.mark.parametrize("value", ["1e400", "-1e400", "inf", "NaN", 1e400, float("-inf"), 10 ** 400])
def test_float_fields_turn_non_finite_numbers_into_none(value):
    assert parse(Balance, {"balance": value, "currency": "EUR"}, "getAccountBalance").balance is None


def test_a_huge_number_in_a_json_answer_is_a_format_error():
    vendor = FakeVendor((200, '{"order_id": 1e400, "status": "active"}', {}))
    with pytest.raises(errors.ResponseFormatError):
        client_with(vendor).orders.status(1)


def test_lenient_converters_say_what_is_wrong_without_echoing_the_value():
    with pytest.raises(errors.ResponseFormatError) as info:
        parse(OrderStatus, {"order_id": "twelve-SECRETISH"}, "getOrderStatus")
    assert "SECRETISH" not in str(info.value)


class _Exploding(BaseModel):
    value: int = 0

    @field_validator("value", mode="before")
    @classmethod
    def _boom(cls, v: Any) -> Any:
        raise KeyError("not a ValueError, so pydantic does not wrap it")


def test_parse_turns_any_exception_from_validation_into_a_format_error():
    with pytest.raises(errors.ResponseFormatError, match="getThing"):
        parse(_Exploding, {"value": 1}, "getThing")


@pytest.mark.parametrize("boom", [RuntimeError(f"boom ?auth_key={KEY}"), KeyError("x"), RecursionError("deep")])
def test_an_unexpected_exception_after_sending_is_a_client_error_with_unknown_outcome(boom):
    vendor = FakeVendor(boom)
    with pytest.raises(errors.GoGetSSLError) as info:
        client_with(vendor, retries=3).orders.add_ssl_order(add_request())
    assert info.value.outcome_unknown is True
    assert KEY not in text_of(info.value) and PASSWORD not in text_of(info.value)
    assert len(vendor.calls()) == 1  # never repeated


def test_an_unexpected_exception_before_the_request_is_sent_is_not_an_unknown_outcome():
    class BrokenAuth(FakeVendor):
        def send(self, request, **kwargs):  # noqa: ANN001
            raise ValueError("adapter broke before anything was sent")

    with pytest.raises(errors.GoGetSSLError) as info:
        client_with(BrokenAuth()).orders.add_ssl_order(add_request())
    assert info.value.outcome_unknown is False


def test_the_overall_deadline_defaults_to_the_read_timeout():
    assert ClientSettings("https://x.test", "u", "p", read_timeout=7).deadline == 7
    assert ClientSettings("https://x.test", "u", "p", read_timeout=7, total_timeout=2.5).deadline == 2.5


# -- B. an accepted order's id is never lost --

ADD_PATHS = [("add_ssl_order", "/orders/add_ssl_order/"), ("add_ssl_renew_order", "/orders/add_ssl_renew_order/")]


@pytest.mark.parametrize("method, path", ADD_PATHS)
def test_order_id_survives_an_answer_whose_other_fields_are_malformed(method, path):
    vendor = FakeVendor((200, {"order_id": "9001", "invoice_id": "x-y", "order_amount": "lots", "success": True,
                               "san": "not-a-list"}, {}))
    result = getattr(client_with(vendor).orders, method)(add_request())
    assert (result.order_id, result.complete) == (9001, False)
    assert result.invoice_id is None and result.san == [] and result.order_status == ""
    assert vendor.calls()[0].path_url.startswith("/api" + path)


@pytest.mark.parametrize("body, order_id", [
    ('{"order_id":"77","invoice_id":"5","order_status":"processing","appro', 77),
    ('{"product_id": 65, "order_id": 78, "invoice_id": 5, "san": [{"san_n', 78),
    ('[{"order_id": 79, "success": true}]', 79),
    ('<html>PHP Warning: x</html>{"success":true,"order_id":"80"}', 80),
])
def test_order_id_is_recovered_from_an_answer_that_is_not_a_json_object(body, order_id):
    for method, _path in ADD_PATHS:
        result = getattr(client_with(FakeVendor((200, body, {}))).orders, method)(add_request())
        assert (result.order_id, result.complete) == (order_id, False)


@pytest.mark.parametrize("body", [
    '{"order_id": 12',  # cut inside the number: 12 may be the start of 1234
    '{"order_id": "12',
    '<html>Service Unavailable</html>',
    '{"error": true, "message": "Insufficient funds", "order_id": "5"',  # an error, even if cut
    '{"order_id": "5", "x": 1, "order_id": "6", "oops',  # ambiguous
])
def test_no_order_id_is_guessed_from_an_ambiguous_answer(body):
    with pytest.raises(errors.ResponseFormatError) as info:
        client_with(FakeVendor((200, body, {}))).orders.add_ssl_order(add_request())
    assert info.value.outcome_unknown


def test_a_complete_answer_is_complete():
    vendor = FakeVendor((200, {"order_id": 9, "invoice_id": 1, "order_status": "processing", "success": True,
                               "complete": False}, {}))
    result = client_with(vendor).orders.add_ssl_order(add_request())
    assert (result.order_id, result.invoice_id, result.complete) == (9, 1, True)


def test_an_error_answer_is_still_an_api_error():
    vendor = FakeVendor((200, {"error": True, "message": "Insufficient funds", "description": "low",
                               "order_id": "5"}, {}))
    with pytest.raises(errors.APIError, match="Insufficient funds"):
        client_with(vendor).orders.add_ssl_order(add_request())


def test_format_error_carries_the_body_text_but_never_prints_it():
    body = f'<html>maintenance {KEY}</html>' + "x" * 500
    with pytest.raises(errors.ResponseFormatError) as info:
        client_with(FakeVendor((200, body, {}))).orders.status(1)
    assert info.value.body_text == body
    assert "x" * 300 not in text_of(info.value) and KEY not in text_of(info.value)


# -- C. "not found" only from the vendor's unknown-object answer --

@pytest.mark.parametrize("message, what", [("Order not found", "order"), ("  product NOT found. ", "product"),
                                           ("Order not found.", "order")])
def test_the_unknown_object_answer_is_not_found(message, what):
    vendor = FakeVendor((200, {"error": True, "message": message, "description": "Order 1 was not found"}, {}))
    with pytest.raises(errors.NotFoundError) as info:
        client_with(vendor).orders.status(1)
    assert info.value.what == what


@pytest.mark.parametrize("answer, expected", [
    ((200, {"error": True, "message": "API user not found", "description": "x"}, {}), errors.APIError),
    ((200, {"error": True, "message": "Not found", "description": "Order not found"}, {}), errors.APIError),
    ((200, {"error": True, "message": "Order 5 does not exist", "description": ""}, {}), errors.APIError),
    ((200, {"error": True, "message": "Order not found for reseller 7", "description": ""}, {}), errors.APIError),
    ((404, "<html><h1>404 Not Found</h1></html>", {}), errors.HTTPStatusError),
    ((404, "", {}), errors.HTTPStatusError),
    ((404, {"error": True, "message": "Not Found", "description": "No route"}, {}), errors.APIError),
], ids=["api-user", "generic", "does-not-exist", "longer", "html-404", "bare-404", "json-404"])
def test_nothing_else_is_not_found(answer, expected):
    with pytest.raises(errors.GoGetSSLError) as info:
        client_with(FakeVendor(answer)).orders.status(1)
    assert type(info.value) is expected


def test_the_not_found_rule_is_documented():
    assert "not found" in (errors.__doc__ or "").lower() and "404" in (errors.__doc__ or "")


# -- D. secrets never reach a message --

def test_vendor_texts_are_redacted():
    vendor = FakeVendor((200, {"error": True, "message": f"Bad key {KEY}",
                               "description": f"pass={PASSWORD}&x=1 auth_key=abcdef {{\"key\":\"zzzz9999\"}}"}, {}))
    with pytest.raises(errors.APIError) as info:
        client_with(vendor).orders.status(1)
    text = text_of(info.value) + info.value.message + info.value.description
    assert KEY not in text and PASSWORD not in text and "abcdef" not in text and "zzzz9999" not in text
    assert "REDACTED" in info.value.message


# What a hostile vendor puts in its texts to take over a terminal: clear the screen, set the window title, hide
# text, and forge a line of Terraform's own output.
TERMINAL_TRICKS = "\x1b[2J\x1b]0;owned\x07\x1b[8mhidden\x1b[0m\x9b31m\x00\r\nApply complete! Resources: 0 added."


def test_vendor_error_texts_carry_no_control_characters_nor_lines_of_their_own():
    vendor = FakeVendor((200, {"error": True, "message": "Bad" + TERMINAL_TRICKS,
                               "description": "Worse" + TERMINAL_TRICKS}, {}))
    with pytest.raises(errors.APIError) as info:
        client_with(vendor).orders.status(1)
    for text in (info.value.message, info.value.description, str(info.value)):
        assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text), repr(text)
        assert "Apply complete!" in text, "the text itself is kept, on the same line"


def test_vendor_strings_reach_state_without_control_characters():
    """Strings of an answer (status_description, domain, ...) go into state and messages: no escape sequence
    survives; line breaks and tabs do (PEM blocks and the CRLF-separated DCV file content need them)."""
    body = {"order_id": "1", "status": "active", "status_description": "ok" + TERMINAL_TRICKS,
            "crt_code": "-----BEGIN CERTIFICATE-----\r\nAAAA\n-----END CERTIFICATE-----\n", "success": True}
    status = client_with(FakeVendor((200, body, {}))).orders.status(1)
    assert not any(ord(c) < 32 and c not in "\r\n\t" or 127 <= ord(c) < 160 for c in status.status_description)
    assert status.crt_code == body["crt_code"]


def test_non_json_snippet_is_redacted_before_it_is_cut():
    early = f"<html>{PASSWORD} auth_key=QQQQQQQQ </html>"
    with pytest.raises(errors.ResponseFormatError) as info:
        client_with(FakeVendor((200, early, {}))).orders.status(1)
    assert PASSWORD not in str(info.value) and "QQQQ" not in str(info.value)
    straddling = "<html>" + "y" * 189 + PASSWORD + "</html>"  # the cut at 200 characters falls inside it
    with pytest.raises(errors.ResponseFormatError) as info:
        client_with(FakeVendor((200, straddling, {}))).orders.status(1)
    assert PASSWORD[:5] not in str(info.value)


def test_on_secret_hears_the_password_and_every_key():
    heard: list[str] = []
    refused = (403, {"error": True, "message": "Auth key is not valid", "description": "expired"}, {})
    vendor = FakeVendor(refused, (200, {"order_id": "1", "status": "active"}, {}))
    client_with(vendor, on_secret=heard.append).orders.status(1)
    assert PASSWORD in heard and KEY in heard


def test_the_client_does_not_import_the_provider_logging_module():
    for path in (Path(__file__).parents[2] / "provider" / "client").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("provider"), (path, node.module)
                assert node.module != "logs" or node.level == 0, path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("provider") for a in node.names), path


def test_log_filter_and_client_share_one_set_of_patterns():
    f = RedactingFilter()
    assert f.redact("GET /x?auth_key=abc123&y=1 pass=pw1 {\"key\": \"k-1\"}") == \
        "GET /x?auth_key=REDACTED&y=1 pass=REDACTED {\"key\": \"REDACTED\"}"


# -- F. the log filter's secrets change while other threads log --

def test_secrets_can_be_added_while_other_threads_log():
    redactor = RedactingFilter()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(redactor)
    logger = logging.getLogger("test.hardening.redactor")
    logger.addHandler(handler)
    logger.propagate = False
    failures: list[BaseException] = []
    stop = threading.Event()
    for i in range(300):
        redactor.add_secret(f"initial-secret-{i:04d}")

    def add(n: int) -> None:
        try:
            for i in range(3000):
                redactor.add_secret(f"secret-{n}-{i:05d}")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            failures.append(exc)

    def log() -> None:
        try:
            while not stop.is_set():
                logger.warning("value secret-0-00001 and initial-secret-0001")
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        loggers = [threading.Thread(target=log) for _ in range(3)]
        adders = [threading.Thread(target=add, args=(n,)) for n in range(3)]
        for t in loggers + adders:
            t.start()
        for t in adders:
            t.join()
        stop.set()
        for t in loggers:
            t.join()
    finally:
        sys.setswitchinterval(old)
        logger.removeHandler(handler)
    assert failures == []
    assert "initial-secret-0001" not in out.getvalue()


# -- G. redirects, clear text, TLS --

@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_never_followed(status):
    vendor = FakeVendor((status, "", {"Location": f"https://other.test/api/orders/add_ssl_order/?auth_key={KEY}"}),
                        (200, {"order_id": 9, "success": True}, {}))
    with pytest.raises(errors.HTTPStatusError) as info:
        client_with(vendor, retries=3).orders.add_ssl_order(add_request())
    assert len(vendor.calls()) == 1
    assert info.value.outcome_unknown is False and info.value.status_code == status
    message = str(info.value)
    assert f"HTTP {status}" in message and "https://other.test/api/orders/add_ssl_order/" in message
    assert "redirects are not followed" in message and "api_url" in message and KEY not in message


@pytest.mark.parametrize("url", ["http://my.gogetssl.com/api", "http://10.0.0.5:8999/api", "HTTP://example.com"])
def test_clear_text_api_url_to_a_remote_host_is_refused_in_validation(url):
    diags = Diagnostics()
    GoGetSSLProvider().validate_config(diags, {"api_url": url})
    (error,) = diags.diagnostics
    assert error.path == ["api_url"] and "clear text" in error.detail and "https://" in error.detail


@pytest.mark.parametrize("url", ["http://127.0.0.1:8999/api", "http://127.9.9.9/api", "http://[::1]:80/api",
                                 "http://localhost:8999/api", "https://my.gogetssl.com/api"])
def test_loopback_and_https_urls_are_accepted(url):
    diags = Diagnostics()
    GoGetSSLProvider().validate_config(diags, {"api_url": url})
    assert diags.diagnostics == []


def test_clear_text_api_url_from_the_environment_is_refused_at_configure(monkeypatch):
    monkeypatch.setenv("GOGETSSL_API_URL", "http://my.gogetssl.com/api")
    provider = GoGetSSLProvider()
    diags = Diagnostics()
    provider.configure_provider(diags, {"api_url": None, "username": "u", "password": "p"})
    (error,) = diags.diagnostics
    assert error.path == ["api_url"] and "clear text" in error.detail
    with pytest.raises(NotConfigured):
        _ = provider.client


def test_a_tls_verification_failure_is_a_tls_error_and_is_not_retried():
    sleeps: list[float] = []
    failure = requests.exceptions.SSLError(
        "HTTPSConnectionPool(host='api.test', port=443): Max retries exceeded with url: /api/auth/ (Caused by "
        "SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
        "self-signed certificate (_ssl.c:1006)')))")

    class TLSFails(FakeVendor):
        def send(self, request, **kwargs):  # noqa: ANN001
            self.seen.append(request)
            raise failure

    vendor = TLSFails()
    with pytest.raises(errors.TLSError) as info:
        client_with(vendor, retries=3, sleeps=sleeps).orders.add_ssl_order(add_request())
    assert isinstance(info.value, errors.ConnectError) and info.value.outcome_unknown is False
    assert "TLS verification of api.test failed" in str(info.value)
    assert "self-signed certificate" in str(info.value) and "may have been processed" not in str(info.value)
    assert len(vendor.seen) == 1 and sleeps == []


def test_a_tls_error_while_the_body_arrives_is_an_unknown_outcome():
    class Response(io.BytesIO):
        def read(self, *args, **kwargs):  # noqa: ANN001
            raise requests.exceptions.SSLError("[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] bad record mac")

    def answer(request):
        resp = _response(request, (200, "", {}))
        resp.raw = Response()
        return resp

    class Vendor(FakeVendor):
        def send(self, request, **kwargs):  # noqa: ANN001
            if request.path_url.endswith("/auth/"):
                return super().send(request, **kwargs)
            self.seen.append(request)
            return answer(request)

    with pytest.raises(errors.GoGetSSLError) as info:
        client_with(Vendor()).orders.add_ssl_order(add_request())
    assert info.value.outcome_unknown is True and not isinstance(info.value, errors.TLSError)


# -- H. scanning the order list --

class Listing:
    """getAllSSLOrders over `ids`, with the vendor's possible quirks switched on one by one."""

    def __init__(self, ids: list[int], *, page_cap: int | None = None, offset_cap: int | None = None,
                 ignore_offset: bool = False, count_is_page: bool = True, fail_at: set[int] | None = None,
                 short_at: dict[int, int] | None = None, refuse_at: dict[int, tuple[int, str]] | None = None):
        self.ids = ids
        self.refuse_at = refuse_at or {}  # offset -> (HTTP status, message) of a vendor error answer
        self.short_at = short_at or {}  # offset -> records that page holds (a page size that varies)
        self.page_cap, self.offset_cap, self.ignore_offset = page_cap, offset_cap, ignore_offset
        self.count_is_page = count_is_page
        self.fail_at = fail_at or set()
        self.offsets: list[int] = []
        self.limits: list[int] = []

    def __call__(self, request: requests.PreparedRequest) -> Answer:
        from urllib.parse import parse_qs, urlsplit

        q = parse_qs(urlsplit(request.url).query)
        limit, offset = int(q["limit"][0]), int(q["offset"][0])
        self.offsets.append(offset)
        self.limits.append(limit)
        if offset in self.fail_at:
            return 503, "busy", {}
        if offset in self.refuse_at:
            status, message = self.refuse_at[offset]
            return status, {"error": True, "message": message, "description": message}, {}
        if self.offset_cap is not None and offset > self.offset_cap:
            return 200, {"error": True, "message": "Invalid offset", "description": "offset too large"}, {}
        if self.ignore_offset:
            offset = 0
        n = min(limit, self.page_cap or limit, self.short_at.get(offset, limit))
        page = [{"order_id": str(i), "status": "active"} for i in self.ids[offset:offset + n]]
        count = len(page) if self.count_is_page else len(self.ids)
        return 200, {"orders": page, "limit": limit, "offset": offset, "count": count, "success": True}, {}


def scanning(listing: Listing, pages: int = 100) -> GoGetSSLClient:
    return client_with(FakeVendor(*[listing] * pages))


def test_scan_reads_every_page_despite_a_page_cap_and_ends_at_a_shorter_page():
    listing = Listing(list(range(1000, 1250)), page_cap=40)
    scan = scanning(listing).orders.scan(page_size=100)
    assert [e.order_id for e in scan.entries] == list(range(1000, 1250))
    assert scan.complete is True and scan.newest_first is False
    assert listing.offsets == [0, 40, 80, 120, 160, 200, 240, 250], "a page of 10 after pages of 40, then none"


@pytest.mark.parametrize("refusal", [(200, "Function is locked"), (503, "Service unavailable")])
def test_a_vendor_error_after_a_short_page_below_the_ceiling_is_no_proof_of_the_end(refusal):
    """Only a refusal of an offset past the vendor's ceiling may confirm a short page as the last: an error
    answer at offset 17 (a lock, or a 5xx carrying the vendor's error body) proves nothing."""
    listing = Listing(list(range(1, 26)), page_cap=10, short_at={10: 7}, refuse_at={17: refusal})
    scan = scanning(listing).orders.scan()
    assert scan.complete is False and len(scan.entries) == 17


def test_a_short_page_in_the_middle_of_the_listing_is_not_taken_for_its_end():
    """A server whose page size varies answers 7 records at offset 10 while 25 orders exist: the scan asks the
    next offset before calling the listing complete (a reconciliation takes a complete scan as proof that an
    order was not placed, and would buy it again)."""
    listing = Listing(list(range(1, 26)), page_cap=10, short_at={10: 7})
    scan = scanning(listing).orders.scan()
    assert [e.order_id for e in scan.entries] == list(range(1, 26)) and scan.complete is True


def test_scan_of_whole_pages_ends_at_an_empty_page():
    listing = Listing(list(range(1, 241)), page_cap=40)
    scan = scanning(listing).orders.scan(page_size=100)
    assert scan.complete is True and len(scan.entries) == 240 and listing.offsets[-1] == 240


def test_scan_asks_for_the_largest_page_the_vendor_gives():
    listing = Listing(list(range(1, 6)))
    scanning(listing).orders.scan()
    assert listing.limits == [1000, 1000]


# The live geometry (docs/vendor-api.md §9.4): pages of at most 1000, no offset above 1000.
@pytest.mark.parametrize("orders, complete, offsets", [
    (1, True, [0, 1]),  # a short first page proves nothing alone: the next one, empty, does
    (999, True, [0, 999]),
    (1000, True, [0, 1000]),
    (1001, True, [0, 1000, 1001]),  # a page of 1 after a page of 1000, then an empty one
    # a page of 999 after one of 1000; offset 1999 is refused, past the ceiling: the short page was the end
    (1999, True, [0, 1000, 1999]),
    (2000, False, [0, 1000, 2000]),  # exactly at the reach: 2000 or more cannot be told apart
    (2600, False, [0, 1000, 2000]),
])
def test_scan_reads_up_to_the_offset_ceiling_plus_one_page(orders, complete, offsets):
    listing = Listing(list(range(1, orders + 1)), page_cap=1000, offset_cap=1000)
    scan = scanning(listing).orders.scan()
    assert scan.complete is complete and listing.offsets == offsets
    assert [e.order_id for e in scan.entries] == list(range(1, min(orders, 2000) + 1))
    if complete:
        assert scan.refused_offset is None
    else:
        assert scan.refused_offset == 2000
        assert "offset ceiling" in scan.reason and "2,000 orders" in scan.reason


@pytest.mark.parametrize("orders, cap, complete, offsets", [
    (100, 37, True, [0, 37, 74, 100]),  # pages of 37 shown twice, then 26, then none
    (74, 37, True, [0, 37, 74]),  # two whole pages: only the empty page ends it
    (37, None, True, [0, 37]),
])
def test_a_short_first_page_is_settled_by_the_next(orders, cap, complete, offsets):
    listing = Listing(list(range(1, orders + 1)), page_cap=cap)
    scan = scanning(listing).orders.scan()
    assert scan.complete is complete and listing.offsets == offsets and len(scan.entries) == orders


def test_a_short_first_page_then_a_refused_offset_is_not_complete():
    listing = Listing(list(range(1, 38)), offset_cap=30)
    scan = scanning(listing).orders.scan()
    assert scan.complete is False and scan.refused_offset == 37 and len(scan.entries) == 37


def test_scan_detects_newest_first():
    scan = scanning(Listing(list(range(500, 300, -1)))).orders.scan(page_size=64)
    assert scan.complete and scan.newest_first is True and len(scan.entries) == 200


@pytest.mark.parametrize("ids, expected", [([5], None), ([], None), ([3, 9, 4], None)])
def test_scan_order_undecidable(ids, expected):
    assert scanning(Listing(ids)).orders.scan().newest_first is expected


def test_scan_stops_incomplete_at_an_offset_ceiling():
    scan = scanning(Listing(list(range(1, 2001)), offset_cap=1000)).orders.scan(page_size=500)
    assert len(scan.entries) == 1500 and scan.complete is False and "Invalid offset" in scan.reason
    assert scan.refused_offset == 1500


def test_scan_stops_incomplete_when_the_server_ignores_offset():
    listing = Listing(list(range(1, 301)), ignore_offset=True)
    scan = scanning(listing).orders.scan(page_size=100)
    assert [e.order_id for e in scan.entries] == list(range(1, 101))
    assert scan.complete is False and "repeat" in scan.reason and len(listing.offsets) == 2


def test_scan_stops_incomplete_at_max_pages():
    scan = scanning(Listing(list(range(1, 1001)))).orders.scan(page_size=10, max_pages=3)
    assert len(scan.entries) == 30 and scan.complete is False and "3 pages" in scan.reason


def test_scan_stops_when_asked():
    scan = scanning(Listing(list(range(1, 301)))).orders.scan(page_size=50, stop=lambda e: e.order_id == 120)
    assert scan.entries[-1].order_id == 120 and len(scan.entries) == 120
    assert scan.complete is False and scan.reason == "stopped"


def test_scan_error_on_the_first_page_raises_and_later_errors_end_the_scan():
    with pytest.raises(errors.ServerError):
        scanning(Listing(list(range(1, 10)), fail_at={0})).orders.scan()
    scan = scanning(Listing(list(range(1, 300)), fail_at={100})).orders.scan(page_size=100)
    assert len(scan.entries) == 100 and scan.complete is False and "HTTP 503" in scan.reason
    assert scan.refused_offset is None, "a busy server is not an offset ceiling"


def test_scan_skips_unreadable_records_but_does_not_claim_completeness():
    def page(request):
        offset = int(request.url.split("offset=")[1].split("&")[0])
        orders = [{"order_id": "1", "status": "active"}, {"order_id": "oops"}, {"status": "x"},
                  {"order_id": "2", "status": "active"}] if offset == 0 else []
        return 200, {"orders": orders, "count": len(orders), "success": True}, {}

    scan = client_with(FakeVendor(page, page)).orders.scan()
    assert [e.order_id for e in scan.entries] == [1, 2] and scan.complete is False
    assert "2 unreadable" in scan.reason


def test_list_all_still_works():
    entries, count = scanning(Listing(list(range(1, 6)), count_is_page=False)).orders.list_all(limit=2, offset=1)
    assert [e.order_id for e in entries] == [2, 3] and count == 5


def test_the_vendor_clock_takes_a_plausible_stated_time_and_ignores_an_absurd_one():
    from provider.client.clock import VendorClock

    local = 1_800_000_000.0  # 2027-01-15
    clock = VendorClock(local=lambda: local)
    assert not clock.observed
    clock.observe({"time_stamp": str(int(local + 30 * 86400))})
    assert clock.observed and clock.today() == dt.date(2027, 2, 14)
    for absurd in (local + 800 * 86400, local - 800 * 86400, 0, "soon", True, None, float("nan")):
        clock.observe({"time_stamp": absurd})
        assert clock.today() == dt.date(2027, 2, 14), absurd
