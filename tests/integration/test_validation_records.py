"""validation_records stay consumable: on an issued order every record carries the data of its method, whatever
DCV setting was changed in the configuration since (issue 20); in-process against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tf.types import Unknown

from tests.support import Sandbox, applied, errors_of, issued_order, new_provider, plan_change, refreshed

Start = Callable[..., Sandbox]

#: the fields a `for_each` over validation_records reads for each method
DATA = {"dns": ("record_name", "record_type", "record_value"),
        "http": ("url", "file_path", "file_name", "file_content"),
        "https": ("url", "file_path", "file_name", "file_content")}


def _consumable(records: Any) -> bool:
    return isinstance(records, list) and bool(records) and all(
        all(r[f] not in (None, Unknown, "") for f in DATA[r["method"]]) for r in records)


def test_a_dcv_method_change_on_an_issued_order_keeps_validation_records_consumable(new_sandbox: Start):
    """dcv_method dns -> http on an issued order is recorded for the next reissue; validation_records named the
    new method with every data field null, so the README's for_each over them failed halfway through an apply."""
    box = new_sandbox()
    state = issued_order(box, product_id=67, dcv_method="dns", dns_names=["a.example.org"], approver_emails=["dns"])
    assert _consumable(state["validation_records"])

    planned, diags = plan_change(new_provider(box), state, dcv_method="http", approver_emails=["http"])
    assert not errors_of(diags), diags.diagnostics
    assert planned["planned_action"] == "none" and planned["planned_price"] == 0
    assert _consumable(planned["validation_records"]), planned["validation_records"]

    after, diags = applied(box, state, planned)
    assert after is not None and not errors_of(diags), diags.diagnostics
    assert after["validation_records"] == planned["validation_records"], "Terraform rejects what the plan did not say"
    assert after["dcv_method"] == "http", "recorded for the next reissue"
    assert _consumable(refreshed(box, after)["validation_records"])
