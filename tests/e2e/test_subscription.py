"""A multi-year order is a subscription of short certificates (SC-081): through real Terraform against a sandbox
that checks validation for real, a two-year order runs through two free reissues and one paid renewal, each
plan saying what it will do and what it costs, each in one apply, and the state never without a certificate.

The sandbox's clock moves; the provider judges dates by GoGetSSL's clock (the `time_stamp` of its answers), so
its plans follow."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from tests.e2e.harness import TerraformWorkdir
from tests.support import PROVIDER_BLOCK, Sandbox, make_csr, validated_order_hcl

pytestmark = pytest.mark.e2e

SITE = "gogetssl_ssl_order.site"
WAITER = "gogetssl_ssl_order_validation.site"


def _lifetime(pem: str) -> int:
    cert = x509.load_pem_x509_certificate(pem.encode())
    return (cert.not_valid_after_utc - cert.not_valid_before_utc).days


def _planned(wd: TerraformWorkdir) -> tuple[dict[str, Any], list[str]]:
    """The order's planned change (after values) and what the plan says of it: its planned_* lines as a user
    reads them, then the planned_* values of `terraform show -json` (a value that does not change has no line)."""
    printed, plan = wd.saved_plan()
    lines = [line.strip() for line in printed.text.splitlines() if re.search(r"planned_(action|price|tax)\s", line)]
    (change,) = [c for c in plan["resource_changes"] if c["address"] == SITE]
    after = change["change"]["after"]
    lines.append("json: " + ", ".join(f"{k}={after.get(k)!r}" for k in ("planned_action", "planned_price",
                                                                          "planned_tax", "planned_currency")))
    return change["change"], lines


def test_a_two_year_order_is_reissued_free_twice_and_renewed_once(
        tmp_path: Path, own_sandbox: Callable[..., Sandbox], workdir: TerraformWorkdir,
        capsys: pytest.CaptureFixture[str]) -> None:
    www = tmp_path / "www"
    sb = own_sandbox("--dcv-http-root", str(www), timeout=None, retries=None)
    kc = make_csr(key="ec256")
    workdir.write("site.csr", kc.csr_pem)
    workdir.write("main.tf", PROVIDER_BLOCK + validated_order_hcl("site", www, period=24))
    workdir.init()

    # Ordered and issued 185 days ago, in the era of 200-day certificates.
    sb.clock(-185)
    workdir.apply()
    workdir.run("apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
    order, first = workdir.resource(SITE), workdir.resource(WAITER)
    begin, end = dt.date.fromisoformat(order["begin_date"]), dt.date.fromisoformat(order["end_date"])
    assert _lifetime(first["certificate_pem"]) <= 200, "a certificate lasts at most 200 days since 2026-03-15"
    assert (end - begin).days in range(729, 733), "the subscription spans the 24 months ordered"
    assert order["valid_till"] == first["valid_till"] and dt.date.fromisoformat(order["valid_till"]) < end
    assert workdir.plan().rc == 0

    # Today: 15 days of the certificate are left, the subscription runs 18 months more: a free reissue.
    sb.clock(185)
    paid_before = sb.count("add_ssl_order") + sb.count("add_ssl_renew_order")
    change, first_lines = _planned(workdir)
    assert change["actions"] == ["update"]
    assert (change["after"]["planned_action"], change["after"]["planned_price"]) == ("reissue", 0)
    workdir.apply()
    second = workdir.resource(WAITER)
    assert second["certificate_pem"] != first["certificate_pem"], "the apply waited for the new certificate"
    assert second["valid_till"] > first["valid_till"] and workdir.resource(SITE)["order_id"] == order["order_id"]
    assert workdir.plan().rc == 0, "the plan after the reissue is empty"

    # 185 days later the certificate (issued before 2027-03-15: 200 days) is due again. The order's domain
    # validation is older than the 100 days it may be reused from 2027-03-15: the reissue validates again.
    sb.clock(185)
    change, second_lines = _planned(workdir)
    assert (change["after"]["planned_action"], change["after"]["planned_price"]) == ("reissue", 0)
    workdir.apply()
    during = workdir.resource(SITE)  # as the order's update left it, before the waiter saw the new certificate
    assert during["order_status"] == "processing"
    assert during["certificate_pem"] == second["certificate_pem"], "the state keeps the certificate until its successor"
    third = workdir.resource(WAITER)
    assert third["certificate_pem"] not in (first["certificate_pem"], second["certificate_pem"])
    assert _lifetime(third["certificate_pem"]) <= 100, "a certificate lasts at most 100 days since 2027-03-15"
    assert workdir.plan().rc == 0
    assert sb.count("add_ssl_order") + sb.count("add_ssl_renew_order") == paid_before, "reissues buy nothing"
    assert sb.count(f"/orders/ssl/reissue/{order['order_id']}") == 2

    # 20 days before the subscription ends: a paid renewal, a new order continuing this one.
    sandbox_today = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=185)
    sb.clock((end - dt.timedelta(days=20) - sandbox_today).days)
    change, renew_lines = _planned(workdir)
    price = change["after"]["planned_price"]
    assert change["after"]["planned_action"] == "renew" and price > 0
    workdir.apply()
    renewed = workdir.resource(SITE)
    assert renewed["order_id"] != order["order_id"] and sb.count("add_ssl_renew_order") == 1
    assert sb.order(renewed["order_id"])["amount"] == pytest.approx(price), "charged what the plan said"
    assert workdir.resource(WAITER)["order_id"] == renewed["order_id"]
    workdir.run("apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
    renewed = workdir.resource(SITE)
    assert renewed["order_status"] == "active" and dt.date.fromisoformat(renewed["end_date"]) > end
    assert workdir.plan().rc == 0

    with capsys.disabled():  # the closing note quotes these
        for label, lines in (("reissue 1", first_lines), ("reissue 2", second_lines), ("renewal", renew_lines)):
            print(f"\n[{label}] " + " | ".join(lines))
