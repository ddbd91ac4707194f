"""The one routing table: every path the sandbox answers (vendor API and control) and the handler behind it.

API paths live under /api: form-encoded POST bodies, `auth_key` in the query string (or the body),
a GET's query string as its parameters; a known path with the wrong verb answers 405. Control
paths live under /_sandbox, need no key, and the ones that take a body take a JSON object; any
other control request is a 404. Paths arrive without their trailing slash (the vendor accepts both).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from . import account, control, dcv, orders
from .core import Response, Sandbox, error
from .faults import Faults

API_PREFIX = "/api"
CONTROL_PREFIX = "/_sandbox"


@dataclass(frozen=True)
class Context:
    """What a handler may touch: the vendor's state and, for control endpoints, the live fault set."""

    sandbox: Sandbox
    faults: Faults


# handler(context, path match, parameters: the form for API routes, the JSON object for control ones)
Handler = Callable[[Context, re.Match[str], dict[str, Any]], Response]


@dataclass(frozen=True)
class Route:
    verb: str
    pattern: re.Pattern[str]  # the whole path, prefix included, without a trailing slash
    handler: Handler
    needs_key: bool = False  # API: a valid auth_key, or 403
    json_body: bool = False  # control: the body must be a JSON object (an empty body is {}), or 400


def _api(verb: str, path: str, handler: Handler, needs_key: bool = True) -> Route:
    return Route(verb, re.compile(API_PREFIX + path), handler, needs_key=needs_key)


def _control(verb: str, path: str, handler: Handler, json_body: bool = False) -> Route:
    return Route(verb, re.compile(CONTROL_PREFIX + path), handler, json_body=json_body)


ROUTES: tuple[Route, ...] = (
    # auth and the catalogue
    _api("POST", r"/auth", lambda c, m, p: account.auth(c.sandbox, p), needs_key=False),
    _api("GET", r"/products/ssl", lambda c, m, p: account.products()),
    _api("GET", r"/products/ssl/(\w+)", lambda c, m, p: account.product(m.group(1))),
    _api("GET", r"/products", lambda c, m, p: account.all_products()),
    _api("GET", r"/products/details/(\w+)", lambda c, m, p: account.product_details(m.group(1))),
    _api("GET", r"/tools/webservers/(\w+)", lambda c, m, p: account.webservers(m.group(1))),
    # orders
    _api("POST", r"/orders/add_ssl_order", lambda c, m, p: orders.add_ssl_order(c.sandbox, p)),
    _api("POST", r"/orders/add_ssl_renew_order", lambda c, m, p: orders.add_ssl_renew_order(c.sandbox, p)),
    _api("POST", r"/orders/ssl/reissue/(\w+)", lambda c, m, p: orders.reissue(c.sandbox, m.group(1), p)),
    _api("POST", r"/orders/cancel_ssl_order", lambda c, m, p: orders.cancel_ssl_order(c.sandbox, p)),
    _api("GET", r"/orders/status/(\w+)", lambda c, m, p: orders.order_status(c.sandbox, m.group(1))),
    _api("POST", r"/orders/statuses", lambda c, m, p: orders.orders_statuses(c.sandbox, p)),
    _api("GET", r"/orders/ssl/all", lambda c, m, p: orders.all_orders(c.sandbox, p)),
    # domain control validation
    _api("POST", r"/orders/ssl/revalidate/(\w+)", lambda c, m, p: dcv.revalidate(c.sandbox, m.group(1), p)),
    _api("GET", r"/orders/ssl/resend_validation_email/(\w+)",
         lambda c, m, p: dcv.resend_validation_email(c.sandbox, m.group(1))),
    _api("POST", r"/orders/ssl/resend/(\w+)", lambda c, m, p: dcv.resend(c.sandbox, m.group(1), p)),
    _api("POST", r"/orders/ssl/change_validation_method/(\w+)",
         lambda c, m, p: dcv.change_validation_method(c.sandbox, m.group(1), p)),
    _api("POST", r"/orders/ssl/change_validation_email/(\w+)",
         lambda c, m, p: dcv.change_validation_email(c.sandbox, m.group(1), p)),
    _api("POST", r"/orders/ssl/change_domains_validation_method/(\w+)",
         lambda c, m, p: dcv.change_domains_validation_method(c.sandbox, m.group(1), p)),
    _api("POST", r"/tools/domain/emails", lambda c, m, p: dcv.domain_emails(p)),
    # the account
    _api("GET", r"/account", lambda c, m, p: account.account(c.sandbox)),
    _api("GET", r"/account/balance", lambda c, m, p: account.balance(c.sandbox)),
    _api("GET", r"/account/invoices", lambda c, m, p: account.invoices(c.sandbox)),
    _api("GET", r"/orders/invoice/(\w+)", lambda c, m, p: account.order_invoice(c.sandbox, m.group(1))),
    # control endpoints (not the vendor's)
    _control("GET", r"/orders", lambda c, m, p: control.orders(c.sandbox)),
    _control("POST", r"/orders/(\w+)", lambda c, m, p: control.set_status(c.sandbox, m.group(1), p),
             json_body=True),
    _control("POST", r"/faults", lambda c, m, p: control.set_faults(c.sandbox, c.faults, p), json_body=True),
    _control("DELETE", r"/faults", lambda c, m, p: control.clear_faults(c.sandbox, c.faults)),
    _control("POST", r"/clock", lambda c, m, p: control.clock(c.sandbox, p), json_body=True),
    _control("GET", r"/requests", lambda c, m, p: control.requests(c.sandbox)),
    _control("GET", r"/ca", lambda c, m, p: control.ca(c.sandbox)),
)


def _lookup(verb: str, path: str) -> tuple[Route, re.Match[str]] | bool:
    """The route for verb and path, else whether some route has that path (under another verb)."""
    known = False
    for route in ROUTES:
        m = route.pattern.fullmatch(path)
        if m and route.verb == verb:
            return route, m
        known = known or m is not None
    return known


def _flatten(qs: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[-1] for k, v in qs.items()}


def call_api(ctx: Context, verb: str, path: str, query: str, raw: bytes) -> Response:
    """Run one API request (path under /api, without a trailing slash) and return its answer."""
    q = _flatten(parse_qs(query, keep_blank_values=True))
    form = _flatten(parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)) if raw else {}
    found = _lookup(verb, path)
    short = path[len(API_PREFIX):]  # the vendor's method name, as error descriptions quote it
    if isinstance(found, bool):
        if found:
            return error("Method not allowed", f"{verb} is not supported on {short}", 405)
        return error("Not found", f"Unknown API method {short}", 404)
    route, m = found
    if route.needs_key:
        denied = account.check_key(ctx.sandbox, q.get("auth_key") or form.get("auth_key"))
        if denied:
            return denied
    return route.handler(ctx, m, {**q, **form} if verb == "GET" else form)


def call_control(ctx: Context, verb: str, path: str, raw: bytes) -> Response:
    """Run one control request (path under /_sandbox, without a trailing slash) and return its answer."""
    found = _lookup(verb, path)
    if isinstance(found, bool):
        return error("Not found", f"No such control endpoint {path}", 404)
    route, m = found
    body: dict[str, Any] = {}
    if route.json_body:
        body, bad = _json_object(raw)
        if bad:
            return bad
    return route.handler(ctx, m, body)


def _json_object(raw: bytes) -> tuple[dict[str, Any], Response | None]:
    """A control endpoint's body: a JSON object (an empty body is {}), or a 400 answer."""
    if not raw.strip():
        return {}, None
    try:
        value = json.loads(raw)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        return {}, error("Invalid JSON", f"the body is not valid JSON: {exc}", 400)
    except RecursionError:  # json.loads recurses once per level: a deep body would otherwise answer 500
        return {}, error("Invalid JSON", "the body nests arrays or objects too deeply", 400)
    if not isinstance(value, dict):
        return {}, error("Invalid JSON", "the body must be a JSON object", 400)
    return value, None
