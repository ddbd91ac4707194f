"""A credential failure is reported once per run: after GoGetSSL refuses the provider's credentials, the other
resources of the same process fail at once, without asking again, and only the first error explains it in full.

In-process against a sandbox: the provider logs in at configure, then its key breaks (every order call refused
with 403, and a new login refused) for a run of five resources: three refreshes and two plans of new orders."""

from __future__ import annotations

from tf.iface import ReadContext
from tf.utils import Diagnostics

from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, configured_provider, errors_of, issued_order, plan_create

FULL = "GoGetSSL refused the credentials"


def test_a_broken_key_is_asked_about_once_and_reported_in_full_once(new_sandbox):
    box: Sandbox = new_sandbox()
    states = [issued_order(box) for _ in range(3)]
    provider = configured_provider(box)
    box.faults({"match": "/orders/", "mode": "auth_expired", "times": 1000},
               {"match": "/products/", "mode": "auth_expired", "times": 1000},
               {"match": "/account/", "mode": "auth_expired", "times": 1000},
               {"match": "/auth/", "mode": "vendor_error", "message": "Wrong username/password",
                "description": "Wrong username/password", "times": 1000})
    asked_before = sum(box.requests().values())
    summaries: list[str] = []
    for state in states:
        diags = Diagnostics()
        assert SslOrderResource(provider).read(ReadContext(diags, "gogetssl_ssl_order"), dict(state)) == state
        assert errors_of(diags), "a refresh that could not check went through"
        summaries += errors_of(diags)
    for _ in range(2):
        planned, diags = plan_create(provider)
        assert errors_of(diags), "a purchase was planned without checking the price and the balance"
        summaries += errors_of(diags)
    assert summaries.count(FULL) == 1, summaries
    # One refused request and one refused login; nothing after GoGetSSL said no.
    assert sum(box.requests().values()) - asked_before == 2, box.requests()
