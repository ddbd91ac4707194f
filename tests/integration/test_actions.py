"""The actions gogetssl_recheck_validation and gogetssl_resend_approver_email (issue 23), in-process over the
servicer's InvokeAction against the sandbox; through Terraform's `-invoke` and `action_trigger` in
tests/e2e/test_actions.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support import (
    Sandbox,
    call_function,
    configured_provider,
    created,
    errors_of,
    invoke_action,
    make_csr,
    unique_domain,
)

Start = Callable[..., Sandbox]


def _dns_order(box: Sandbox, code: str = "Recheck000000001") -> tuple[int, list[dict]]:
    """A pending dns-validated multi-domain order and its predicted records."""
    base = unique_domain("recheck")
    www = "www." + base
    made = make_csr(base, sans=[base, www])
    state, diags = created(configured_provider(box), csr=made.csr_pem, product_id=67, dns_names=[www],
                           approver_emails=["dns"], unique_code=code)
    assert state is not None and not errors_of(diags), diags.diagnostics
    return int(state["order_id"]), call_function("dcv_records", made.csr_pem, code, "dns").result


def test_recheck_prints_the_cas_answer_per_domain_and_issues_once_every_record_is_published(
        new_sandbox: Start, tmp_path: Path) -> None:
    zone = tmp_path / "zone.json"
    box = new_sandbox("--dcv-dns-zone", str(zone))
    order_id, records = _dns_order(box)

    first = invoke_action(configured_provider(box), "recheck_validation", order_id=order_id)
    assert first.errors == [] and len(first.lines) == 2, first
    assert all("pending" in line and "no CNAME record" in line for line in first.lines), first.lines
    assert [line.split(":")[0] for line in first.lines] == [r["domain"] for r in records]
    assert box.order(order_id)["status"] == "processing"

    zone.write_text(json.dumps({r["record_name"]: r["record_value"] for r in records}))
    second = invoke_action(configured_provider(box), "recheck_validation", order_id=order_id)
    assert second.errors == [], second
    assert second.lines[-1] == f"order {order_id} is issued (active)", second.lines
    assert box.order(order_id)["status"] == "active"

    late = invoke_action(configured_provider(box), "recheck_validation", order_id=order_id)
    assert late.errors == [] and late.lines == [f"order {order_id} is already issued (active): nothing to recheck"]


def test_recheck_of_one_domain_checks_only_that_domain(new_sandbox: Start, tmp_path: Path) -> None:
    box = new_sandbox("--dcv-dns-zone", str(tmp_path / "zone.json"))
    order_id, records = _dns_order(box)
    run = invoke_action(configured_provider(box), "recheck_validation", order_id=order_id,
                        domain=records[1]["domain"].upper())
    assert run.errors == [] and [line.split(":")[0] for line in run.lines] == [records[1]["domain"]], run


def test_a_refused_invocation_names_the_order(new_sandbox: Start, tmp_path: Path) -> None:
    box = new_sandbox("--dcv-dns-zone", str(tmp_path / "zone.json"))
    order_id, _ = _dns_order(box)
    provider = configured_provider(box)

    not_ours = invoke_action(provider, "recheck_validation", order_id=order_id, domain="other.example.com")
    assert not_ours.lines == [] and f"other.example.com is not a domain of order {order_id}" in not_ours.errors[0]

    unknown = invoke_action(provider, "recheck_validation", order_id=99999999)
    assert unknown.lines == [] and "99999999" in unknown.errors[0], unknown

    box.set_status(order_id, "cancelled")
    cancelled = invoke_action(provider, "recheck_validation", order_id=order_id)
    # Terraform prints a diagnostic's summary, then its detail: the detail does not say the summary again
    assert cancelled.errors == [f"Order {order_id} is cancelled: Validation can be rechecked only while the order's "
                                "validation is pending (status processing or reissue)."]


def test_resend_mails_every_approver_again_and_the_sandbox_records_it(new_sandbox: Start) -> None:
    box = new_sandbox()
    base = unique_domain("resend")
    www = "www." + base
    made = make_csr(base, sans=[base, www])
    state, diags = created(configured_provider(box), csr=made.csr_pem, product_id=67, dcv_method="email",
                           approver_email=f"admin@{made.common_name}", dns_names=[www],
                           approver_emails=[f"webmaster@{made.common_name}"])
    assert state is not None and not errors_of(diags), diags.diagnostics
    order_id = int(state["order_id"])

    run = invoke_action(configured_provider(box), "resend_approver_email", order_id=order_id)
    assert run.errors == [], run
    assert run.lines[:2] == [f"{made.common_name}: approval e-mail sent again to admin@{made.common_name}",
                             f"{www}: approval e-mail sent again to webmaster@{made.common_name}"]
    assert [(m["domain"], m["to"]) for m in box.order(order_id)["emails_sent"]] == [
        (made.common_name, f"admin@{made.common_name}"), (www, f"webmaster@{made.common_name}")]

    one = invoke_action(configured_provider(box), "resend_approver_email", order_id=order_id, domain=www)
    assert one.errors == [] and one.lines[0] == f"{www}: approval e-mail sent again to webmaster@{made.common_name}"
    assert len(box.order(order_id)["emails_sent"]) == 3


def test_resend_for_an_order_validated_by_dns_is_refused_and_sends_nothing(new_sandbox: Start,
                                                                          tmp_path: Path) -> None:
    box = new_sandbox("--dcv-dns-zone", str(tmp_path / "zone.json"))
    order_id, _ = _dns_order(box)
    run = invoke_action(configured_provider(box), "resend_approver_email", order_id=order_id)
    assert run.lines == [] and f"No approval e-mail to send for order {order_id}" in run.errors[0], run
    assert box.order(order_id)["emails_sent"] == []


def test_the_sandbox_refuses_a_resend_for_a_domain_not_validated_by_email(new_sandbox: Start,
                                                                         tmp_path: Path) -> None:
    """The vendor's own endpoints, without the action's check in front: the sandbox is never kinder."""
    from provider.client import ClientSettings, GoGetSSLClient, errors

    box = new_sandbox("--dcv-dns-zone", str(tmp_path / "zone.json"))
    order_id, records = _dns_order(box)
    client = GoGetSSLClient(ClientSettings(box.url, box.user, box.password, max_retries=0))
    for domain in (None, records[0]["domain"]):
        try:
            client.orders.resend_validation_email(order_id, domain)
        except errors.APIError as exc:
            assert "not sent" in exc.message or "not sent" in str(exc), exc
        else:
            raise AssertionError(f"the sandbox resent mail for a dns-validated order (domain {domain})")
    assert box.order(order_id)["emails_sent"] == []


def test_ctrl_c_stops_an_invocation_at_once_and_asks_nothing_more(new_sandbox: Start, tmp_path: Path) -> None:
    """A recheck whose first domain's request hangs at the vendor: StopProvider (Ctrl-C) ends the invocation
    within the bound, with an error naming the order, and the second domain is never asked about."""
    from tests.support import stop_while

    box = new_sandbox("--dcv-dns-zone", str(tmp_path / "zone.json"))
    order_id, _ = _dns_order(box)
    path = f"/orders/ssl/revalidate/{order_id}"
    box.faults({"match": path, "mode": "slow", "delay_ms": 120_000, "times": 20})
    provider = configured_provider(box)

    stopped = stop_while(provider, lambda: invoke_action(provider, "recheck_validation", order_id=order_id),
                         lambda: box.count(path) >= 1)

    assert stopped.after_stop < 3
    run = stopped.result
    assert run.lines == [] and any(f"order {order_id}" in e for e in run.errors), run
    assert box.count(path) == 1, "asked about another domain after the stop"


def test_a_vendors_answer_reaches_the_progress_lines_as_one_plain_short_line(new_sandbox: Start,
                                                                            tmp_path: Path) -> None:
    """Terraform prints progress lines as they come: an answer with escape sequences (clear the screen, retitle
    the window), a line break that forges a line of Terraform's own output, a megabyte of text, or a message
    that is not text at all must reach them as one short line of plain text, as the vendor's error texts do."""
    box = new_sandbox("--dcv-dns-zone", str(tmp_path / "zone.json"))
    order_id, _ = _dns_order(box)
    hostile = "checked\x1b[2J\x1b]0;owned\x07\r\nApply complete! Resources: 0 added.\x9b31m" + "x" * 100_000
    box.faults({"match": "/orders/ssl/revalidate/", "mode": "patch_body", "patch": {"message": hostile},
                "times": 2})
    run = invoke_action(configured_provider(box), "recheck_validation", order_id=order_id)
    assert run.errors == [] and len(run.lines) == 2, run.errors
    for line in run.lines:
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in line), repr(line[:120])
        assert "checked" in line and len(line) <= 1200, len(line)

    box.faults({"match": "/orders/ssl/revalidate/", "mode": "patch_body", "patch": {"message": {"a": [1, 2]}},
                "times": 2})
    shaped = invoke_action(configured_provider(box), "recheck_validation", order_id=order_id)
    assert shaped.errors == [] and not any("{" in line for line in shaped.lines), shaped.lines
