"""Never someone else's order, through real Terraform: only what Terraform itself adds to the provider's answers.

- An import id Terraform passes as typed ("18³", digits `str.isdigit()` accepts) reaches the user through
  `terraform import` as the provider's clear error, not a crash.
- A destroy whose cancellation may have been requested fails, and Terraform keeps the state that failed destroy
  returned (the order, marked with the time of its uncertain cancellation): so the next destroy, in a new plugin
  process, sends no second cancellation while the vendor may still be reviewing the first.

What the provider answers under each sandbox fault or condition (adoption, uncertain and unreadable answers,
reissue, refresh, secrets, deadlines, transport rules, imports of closed orders, each destroy's answer) is tested
in-process in tests/integration/test_never_wrong_order.py; the listing's page caps and offset ceilings in
tests/integration/test_listing_reach.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, order_hcl, state_orders

pytestmark = pytest.mark.e2e

Start = Callable[..., Sandbox]


def _single(wd: TerraformWorkdir, name: str = "site", **args: object) -> str:
    pem = make_csr().csr_pem
    wd.write(f"{name}.csr", pem)
    wd.write("main.tf", PROVIDER_BLOCK + order_hcl(name, **args))
    wd.init()
    return pem


def test_an_import_id_with_unicode_digits_is_a_clear_error(workdir: TerraformWorkdir):
    _single(workdir)
    out = workdir.import_("gogetssl_ssl_order.site", "18³", ok=(1,)).text
    assert "Invalid import id" in out and "Traceback" not in out


def test_a_second_destroy_sends_no_second_cancellation_during_the_review(own_sandbox: Start,
                                                                         workdir: TerraformWorkdir):
    sb = own_sandbox("--cancel-review-seconds", "600")
    _single(workdir)
    workdir.apply()
    order_id = state_orders(workdir.state())["site"]
    # Both the request and the one resend it gets after an uncertain answer lose their answers.
    sb.faults({"match": "cancel_ssl_order", "mode": "commit_then_reset", "times": 2})
    first = workdir.run("destroy", "-auto-approve", "-no-color", ok=(1,)).text
    assert "may have been requested" in first
    assert state_orders(workdir.state()) == {"site": order_id}
    assert workdir.resource("gogetssl_ssl_order.site")["cancel_requested_at"], "the failed destroy's state was kept"
    assert sb.order(order_id)["cancel_requested"]
    second = workdir.run("destroy", "-auto-approve", "-no-color", ok=(1,)).text
    assert "may be under review" in second
    assert sb.count("cancel_ssl_order") == 2, "a further cancellation request was sent during the review"
    assert state_orders(workdir.state()) == {"site": order_id}
