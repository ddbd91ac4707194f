"""The data sources, read in-process against the sandbox by a provider configured as Terraform configures it,
with Terraform's checks of each answer (tests/support.py read_data_source: only declared attributes, each of its
type, configured ones unchanged). Moved from tests/e2e/test_day2.py (issue 21): Terraform adds nothing here but
printing the outputs."""

from __future__ import annotations

from provider.data_sources.account_balance import AccountBalanceDataSource
from provider.data_sources.domain_emails import DomainEmailsDataSource
from provider.data_sources.product import ProductDataSource
from provider.data_sources.products import ProductsDataSource
from provider.data_sources.ssl_order import SslOrderDataSource
from provider.data_sources.webservers import WebserversDataSource
from tests.support import CONTACTS, Sandbox, configured_provider, errors_of, make_csr, read_data_source


def _read_all(box: Sandbox, domain: str, order_id: int) -> dict[str, dict]:
    """Every data source of the configuration, read in one plugin process; no error allowed."""
    provider = configured_provider(box)
    reads = {
        "ev": (ProductsDataSource, {"validation": "EV"}),
        "wildcard_sectigo": (ProductsDataSource, {"brand": "sectigo", "wildcard": True}),
        "multi": (ProductDataSource, {"id": 67}),
        "rapidssl": (WebserversDataSource, {"brand": "rapidssl"}),
        "emails": (DomainEmailsDataSource, {"domain": domain}),
        "order": (SslOrderDataSource, {"order_id": order_id}),
        "balance": (AccountBalanceDataSource, {}),
    }
    out = {}
    for name, (klass, config) in reads.items():
        state, diags = read_data_source(provider, klass, **config)
        assert state is not None and not errors_of(diags), (name, diags.diagnostics)
        out[name] = state
    return out


def test_data_sources(sandbox: Sandbox):
    kc = make_csr()
    order_id = sandbox.place(kc.csr_pem, dcv_method="dns")
    out = _read_all(sandbox, kc.common_name, order_id)
    assert [p["id"] for p in out["ev"]["products"]] == [69]
    assert [p["name"] for p in out["wildcard_sectigo"]["products"]] == [
        "Sectigo PositiveSSL Wildcard", "Sectigo PositiveSSL Multi-Domain Wildcard"]
    multi = out["multi"]
    assert multi["multi_domain"] is True and multi["periods"] == [12, 24]
    assert multi["san_max"] == 250 and multi["refund_days"] == 30 and multi["prices"]["12"]
    assert {"id": 18, "software": "Apache 2"} in out["rapidssl"]["webservers"]
    assert f"admin@{kc.common_name}" in out["emails"]["emails"]
    order = out["order"]
    assert order["order_id"] == order_id and order["product_id"] == 65 and order["dcv_method"] == "dns"
    assert order["admin_email"] == CONTACTS["admin_email"] and order["order_status"] == "processing"
    assert order["validation_records"][0]["record_type"] == "CNAME"
    assert out["balance"]["currency"] == "EUR" and out["balance"]["balance"] > 0
    # The next plan reads them again, in a process of its own: the same answers, so nothing to show.
    again = _read_all(sandbox, kc.common_name, order_id)
    assert {k: v for k, v in again.items() if k != "balance"} == {k: v for k, v in out.items() if k != "balance"}
