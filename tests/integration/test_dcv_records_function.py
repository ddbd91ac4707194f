"""provider::gogetssl::dcv_records predicts, before the order exists, the validation records the vendor then
asks for (issue 23): here the sandbox, on orders placed in-process with the same CSR and unique_code."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support import Sandbox, call_function, created, errors_of, make_csr, new_provider, unique_domain

Start = Callable[..., Sandbox]


@pytest.mark.parametrize("method", ["dns", "http", "https"])
def test_dcv_records_equal_the_records_of_the_order_placed_with_that_csr_and_unique_code(
        new_sandbox: Start, method: str) -> None:
    box = new_sandbox()
    base = unique_domain("predict")
    sans = [f"www.{base}", f"api.{base}"]
    made = make_csr(base, sans=[base, *sans])
    predicted = call_function("dcv_records", made.csr_pem, "Predict00000000001", method)
    assert predicted.error is None, predicted.error

    state, diags = created(new_provider(box), csr=made.csr_pem, product_id=67, dcv_method=method,
                           dns_names=sans, approver_emails=[method, method], unique_code="Predict00000000001")
    assert state is not None and not errors_of(diags), diags.diagnostics

    ordered = [{k: v for k, v in r.items() if k != "email"} for r in state["validation_records"]]
    assert ordered == predicted.result


def test_dcv_records_of_a_wildcard_order_validate_its_base_domain(new_sandbox: Start) -> None:
    box = new_sandbox()
    base = unique_domain("wild")
    made = make_csr(f"*.{base}")
    predicted = call_function("dcv_records", made.csr_pem, "Wildcard000000001", "dns").result
    state, diags = created(new_provider(box), csr=made.csr_pem, product_id=66, unique_code="Wildcard000000001")
    assert state is not None and not errors_of(diags), diags.diagnostics
    assert [{k: v for k, v in r.items() if k != "email"} for r in state["validation_records"]] == predicted
    assert predicted[0]["record_name"].endswith(f".{base}") and "*" not in predicted[0]["record_name"]


def test_a_unique_code_on_a_digicert_family_product_is_a_warning_at_plan(new_sandbox: Start) -> None:
    """unique_code sets the DCV unique value of Sectigo and GoGetSSL products only (../shared/reference §3.2):
    a DigiCert-family CA (RapidSSL here) makes its own tokens, so records from dcv_records would never be
    asked for. Whether the vendor refuses the field there is not public: a warning, not an error."""
    from tests.support import plan_create

    box = new_sandbox()
    _planned, diags = plan_create(new_provider(box), product_id=71, unique_code="Digicert000000001")
    warnings = [d for d in diags.diagnostics if d.severity == "warning"]
    assert not errors_of(diags), diags.diagnostics
    assert any("unique_code" in d.summary and "dcv_records" in d.detail for d in warnings), diags.diagnostics
    assert [d.path for d in warnings if "unique_code" in d.summary] == [["unique_code"]]

    _planned, sectigo = plan_create(new_provider(box), product_id=65, unique_code="Sectigo0000000001")
    assert not [d for d in sectigo.diagnostics if "unique_code" in d.summary], sectigo.diagnostics
