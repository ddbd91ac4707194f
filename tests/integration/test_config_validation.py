"""Bad input never reaches the API: each bad configuration fails the plan (validate, then plan, as Terraform
calls them) with an error on the attribute at fault, saying what is accepted, and the sandbox receives no
add_ssl_order request. In-process through the resource against the session's sandbox: what Terraform adds
(the attribute's line printed under the diagnostic) is tested once in tests/e2e/test_validation.py."""

from __future__ import annotations

from typing import Any

import pytest
from tf.utils import Diagnostics

from provider.resources.ssl_order import SslOrderResource
from provider.tfext.context import ResourcePlanContext
from tests.support import ORGANIZATION, Sandbox, csr_of_kind, make_csr, minimal_order, new_provider

# (case id, attribute expected in the diagnostic, text expected in its summary, config overrides of an
#  http-validated minimal order, CSR kind: None = a fresh valid one, "literal" = overrides carry csr, else a
#  make_csr/tampered recipe)
CASES: list[tuple[str, str, str, dict[str, Any], str | None]] = [
    ("dcv-unknown-method", "dcv_method", "Invalid dcv_method", {"dcv_method": "ftp"}, None),
    ("dcv-upper-case", "dcv_method", "Invalid dcv_method", {"dcv_method": "HTTP"}, None),
    ("dcv-email-without-approver", "approver_email", "approver_email is required", {"dcv_method": "email"}, None),
    ("approver-with-http", "approver_email", "only for e-mail validation",
     {"approver_email": "admin@example.com"}, None),
    ("approver-not-email", "approver_email", "Invalid approver_email",
     {"dcv_method": "email", "approver_email": "not-an-address"}, None),
    ("admin-email", "admin_email", "Invalid admin_email", {"admin_email": "ada-at-example.com"}, None),
    ("tech-email", "tech_email", "Invalid tech_email", {"tech_email": "ops@"}, None),
    ("admin-phone-words", "admin_phone", "Invalid admin_phone", {"admin_phone": "call me"}, None),
    ("tech-phone-short", "tech_phone", "Invalid tech_phone", {"tech_phone": "12"}, None),
    ("phone-fullwidth-digits", "admin_phone", "Invalid admin_phone", {"admin_phone": "+44 ２０ ７９４６ ００００"},
     None),
    ("admin-fax", "admin_fax", "Invalid admin_fax", {"admin_fax": "fax me"}, None),
    ("country-uk", "admin_country", "Invalid admin_country", {"admin_country": "UK"}, None),
    ("country-lower", "org_country", "Invalid org_country", {"org_country": "gb"}, None),
    ("country-alpha3", "tech_country", "Invalid tech_country", {"tech_country": "USA"}, None),
    ("signature-sha1", "signature_hash", "Invalid signature_hash", {"signature_hash": "SHA1"}, None),
    ("unique-code-short", "unique_code", "Invalid unique_code", {"unique_code": "short"}, None),
    ("server-count-zero", "server_count", "Invalid server_count", {"server_count": 0}, None),
    ("server-count-negative", "server_count", "Invalid server_count", {"server_count": -5}, None),
    ("server-count-fraction", "server_count", "Invalid server_count", {"server_count": 1.5}, None),
    ("period-zero", "period", "Invalid period", {"period": 0}, None),
    ("period-fraction", "period", "Invalid period", {"period": 12.5}, None),
    ("product-negative", "product_id", "Invalid product_id", {"product_id": -3}, None),
    ("webserver-fraction", "webserver_type", "Invalid webserver_type", {"webserver_type": 2.5}, None),
    ("csr-not-pem", "csr", "Invalid csr", {"csr": "hello"}, "literal"),
    ("csr-empty", "csr", "csr is empty", {"csr": ""}, "literal"),
    ("csr-garbage-base64", "csr", "Invalid csr",
     {"csr": "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----\n"}, "literal"),
    ("csr-bad-signature", "csr", "Invalid csr", {}, "tampered"),
    ("csr-no-common-name", "csr", "Invalid csr", {}, "nocn"),
    ("csr-rsa-1024", "csr", "Invalid csr", {}, "rsa1024"),
    ("csr-ed25519", "csr", "Invalid csr", {}, "ed25519"),
    ("csr-huge", "csr", "csr is too long", {"csr": "A" * 20_000}, "literal"),
    ("wildcard-http", "dcv_method", "not allowed for a wildcard", {"product_id": 66}, "wildcard"),
    ("firstname-empty", "admin_firstname", "admin_firstname is empty", {"admin_firstname": ""}, None),
    ("title-blank", "tech_title", "tech_title is empty", {"tech_title": "   "}, None),
    ("lastname-huge", "admin_lastname", "admin_lastname is too long", {"admin_lastname": "L" * 300}, None),
    ("san-contains-primary", "dns_names", "must not contain the primary domain", {"product_id": 67}, "san-primary"),
    ("san-duplicate", "dns_names", "Duplicate dns_names entry",
     {"product_id": 67, "dns_names": ["a.example.com", "A.example.com"]}, None),
    ("san-not-a-domain", "dns_names", "Invalid dns_names entry",
     {"product_id": 67, "dns_names": ["not a domain!"]}, None),
    ("approvers-count", "approver_emails", "approver_emails does not match dns_names",
     {"product_id": 67, "dns_names": ["a.example.com", "b.example.com"], "approver_emails": ["dns"]}, None),
    ("approvers-bad-entry", "approver_emails", "Invalid approver_emails entry",
     {"product_id": 67, "dns_names": ["a.example.com"], "approver_emails": ["ftp"]}, None),
    ("approvers-repeat-primary", "approver_emails", "must not repeat the primary's approver",
     {"product_id": 67, "dcv_method": "email", "approver_email": "admin@example.com",
      "dns_names": ["a.example.com"], "approver_emails": ["admin@example.com"]}, None),
    ("approvers-missing-for-email", "approver_emails", "approver_emails is required",
     {"product_id": 67, "dcv_method": "email", "approver_email": "admin@example.com",
      "dns_names": ["a.example.com"]}, None),
    # Rules that need the product catalogue: checked at plan, once the provider is configured.
    ("period-not-offered", "period", "Invalid period", {"product_id": 66, "period": 36, "dcv_method": "dns"},
     "wildcard"),
    ("product-unknown", "product_id", "Unknown product_id", {"product_id": 999}, None),
    ("san-on-single-domain", "dns_names", "dns_names needs a multi-domain product",
     {"dns_names": ["a.example.com"]}, None),
    ("wildcard-on-single-domain", "csr", "Wildcard CSR needs a wildcard product", {"dcv_method": "dns"},
     "wildcard"),
    ("ov-missing-org", "org_name", "org_name is required for OV certificates",
     {"product_id": 68, **{k: v for k, v in ORGANIZATION.items() if k != "org_name"}}, None),
    ("ev-missing-division", "org_division", "org_division is required for EV certificates",
     {"product_id": 69, **{k: v for k, v in ORGANIZATION.items() if k != "org_division"}}, None),
    ("san-too-many", "dns_names", "Too many dns_names",
     {"product_id": 67, "dns_names": [f"h{i}.example.com" for i in range(251)]}, None),
    ("san-wildcard-entry", "dns_names", "Wildcard dns_names entry not allowed",
     {"product_id": 67, "dcv_method": "dns", "dns_names": ["*.example.com"]}, None),
    ("dcv-http-not-offered", "dcv_method", "is not offered for this product",
     {"product_id": 66, "dcv_method": "http"}, None),
]





def _diagnostics(box: Sandbox, config: dict[str, Any]) -> Diagnostics:
    """The error diagnostics of validating `config`, then (when valid) planning it as a new order, as the
    servicer does: every schema attribute present, unset ones null (computed ones at their default)."""
    resource = SslOrderResource(new_provider(box))
    attributes = SslOrderResource.get_schema().attributes
    full = {a.name: config.get(a.name) for a in attributes}
    diags = Diagnostics()
    resource.validate(diags, "gogetssl_ssl_order", full)
    if not diags.has_errors():
        planned = {a.name: full[a.name] if full[a.name] is not None or not a.computed else a.default
                   for a in attributes}
        ctx = ResourcePlanContext(diags, "gogetssl_ssl_order", changed_fields=set(planned), config=full,
                                  is_create=True)
        resource.plan(ctx, None, planned)
    return diags


@pytest.mark.parametrize("case_id, attribute, summary, overrides, csr_kind", CASES, ids=[c[0] for c in CASES])
def test_bad_configuration_fails_the_plan_on_the_attribute(sandbox: Sandbox, case_id: str, attribute: str,
                                                           summary: str, overrides: dict[str, Any],
                                                           csr_kind: str | None):
    kc = make_csr()
    csr = csr_of_kind(csr_kind) if csr_kind not in (None, "literal", "san-primary") else kc.csr_pem
    if csr_kind == "san-primary":
        overrides = {**overrides, "dns_names": ["www." + kc.common_name, kc.common_name.upper()]}
    config = minimal_order(**{"dcv_method": "http", "csr": csr, **overrides})
    adds = sandbox.count("add_ssl_order")

    errors = [d for d in _diagnostics(sandbox, config).diagnostics if d.severity == "error"]

    matching = [d for d in errors if summary in d.summary]
    assert matching, f"no error with {summary!r}: {[d.summary for d in errors]}"
    d = matching[0]
    if config.get(attribute) is not None:
        # on the attribute: Terraform prints that attribute's line of the configuration under it
        assert d.path is not None and list(d.path)[:1] == [attribute], (d.summary, d.path)
    else:
        assert attribute in d.summary  # a missing attribute has no line: the summary names it
    assert d.detail, "the detail must say what is accepted"
    assert sandbox.count("add_ssl_order") == adds

