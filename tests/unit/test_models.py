"""Response models tolerate the vendor's quirks; request models send exactly the documented form."""

import pytest

from provider.client._parse import parse
from provider.client.errors import ResponseFormatError
from provider.client.models import AddSSLOrderRequest, AddSSLOrderResult, ApproverMethod, OrderStatus, Product
from tests.support import minimal_order

REQ = minimal_order(csr="CSR", dcv_method="http")


def test_form_joins_lists_with_commas_and_omits_unset():
    form = AddSSLOrderRequest(**REQ, dns_names=["a.example.com", "b.example.com"],
                              approver_emails=["dns", "admin@b.example.com"]).to_form()
    assert form["dns_names"] == "a.example.com,b.example.com"
    assert form["approver_emails"] == "dns,admin@b.example.com"
    assert form["server_count"] == "-1"
    assert "approver_email" not in form and "org_name" not in form


def test_request_rejects_unknown_fields():
    with pytest.raises(ValueError):
        AddSSLOrderRequest(**REQ, bogus="x")


def test_vendor_example_response_parses():
    body = {
        "approver_method": {"http": {"link": "http://demo.gogetssl.com/.well-known/pki-validation/37D0.txt",
                                     "filename": "37D0.txt", "content": "D30C\r\nCOMODOCA.COM\r\nt08"}},
        "order_id": 783956, "invoice_id": 574941, "order_status": "active", "success": True,
        "order_amount": 0, "currency": "EUR", "tax": "0.00", "tax_rate": "21%",
    }
    r = parse(AddSSLOrderResult, body, "addSSLOrder")
    assert (r.order_id, r.invoice_id, r.order_amount, r.tax, r.tax_rate) == (783956, 574941, 0, 0.0, "21%")
    assert r.approver_method.http is not None and r.approver_method.http.filename == "37D0.txt"


def test_numbers_as_strings_and_unset_dates():
    s = parse(OrderStatus, {"order_id": "12", "product_id": "65", "validity_period": "24", "server_count": "-1",
                            "valid_from": "0000-00-00", "valid_till": "", "end_date": "2027-01-02",
                            "admin_firstname": "Ada", "org_name": None, "unknown_field": {"x": 1}},
              "getOrderStatus")
    assert (s.order_id, s.product_id, s.validity_period, s.server_count) == (12, 65, 24, -1)
    assert s.valid_from is None and s.valid_till is None and s.end_date == "2027-01-02"
    assert s.contacts["admin_firstname"] == "Ada" and s.contacts["org_name"] == ""


def test_missing_order_id_is_a_format_error():
    with pytest.raises(ResponseFormatError, match="order_id"):
        parse(AddSSLOrderResult, {"success": True}, "addSSLOrder")


def test_wrong_types_are_a_format_error_not_a_crash():
    with pytest.raises(ResponseFormatError):
        parse(OrderStatus, {"order_id": "twelve"}, "getOrderStatus")
    with pytest.raises(ResponseFormatError):
        parse(OrderStatus, ["not", "an", "object"], "getOrderStatus")


@pytest.mark.parametrize("raw, email", [("admin@x.io", "admin@x.io"), ({"email": "a@x.io"}, "a@x.io"),
                                        ({"email": {"email": "b@x.io"}}, "b@x.io"), ("", None), ([], None)])
def test_approver_method_email_shapes(raw, email):
    assert ApproverMethod.model_validate(raw).email == email


def test_product_periods_follow_vendor_prices_up_to_max_period():
    p = Product.model_validate({"id": "65", "max_period": "24", "san_enabled": "1", "wildcard_enabled": 0,
                                "prices": {"12": "5", "vendor": {"12": "5", "24": "9", "36": "12"}}})
    assert p.periods == [12, 24]
    assert p.san_enabled is True and p.wildcard_enabled is False
