"""Request models: the forms of addSSLOrder, addSSLRenewOrder and reissueSSLOrder, explicit and strict.

What we send is exactly what the vendor documents: unknown fields are refused.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


def _form(model: BaseModel) -> dict[str, str]:
    """Form fields as the vendor expects them: lists joined with commas, unset fields left out."""
    form: dict[str, str] = {}
    for name, value in model.model_dump().items():
        if value is None:
            continue
        if isinstance(value, list):
            if not value:
                continue
            value = ",".join(value)
        form[name] = str(value)
    return form


class AddSSLOrderRequest(BaseModel):
    """The form of addSSLOrder (and addSSLRenewOrder), field for field as the vendor names them."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    product_id: int
    period: int
    csr: str
    server_count: int
    webserver_type: int
    dcv_method: str
    approver_email: str | None = None
    approver_emails: list[str] | None = None
    dns_names: list[str] | None = None
    signature_hash: str | None = None
    unique_code: str | None = None
    admin_firstname: str
    admin_lastname: str
    admin_phone: str
    admin_title: str
    admin_email: str
    admin_organization: str | None = None
    admin_addressline1: str | None = None
    admin_city: str | None = None
    admin_country: str | None = None
    admin_fax: str | None = None
    admin_postalcode: str | None = None
    admin_region: str | None = None
    tech_firstname: str
    tech_lastname: str
    tech_phone: str
    tech_title: str
    tech_email: str
    tech_organization: str | None = None
    tech_addressline1: str | None = None
    tech_city: str | None = None
    tech_country: str | None = None
    tech_fax: str | None = None
    tech_postalcode: str | None = None
    tech_region: str | None = None
    org_name: str | None = None
    org_division: str | None = None
    org_duns: str | None = None
    org_addressline1: str | None = None
    org_city: str | None = None
    org_country: str | None = None
    org_fax: str | None = None
    org_phone: str | None = None
    org_postalcode: str | None = None
    org_region: str | None = None

    def to_form(self) -> dict[str, str]:
        """Form fields as the vendor expects them: lists joined with commas, unset fields left out."""
        return _form(self)


class ReissueRequest(BaseModel):
    """The form of reissueSSLOrder."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    csr: str
    webserver_type: int
    dcv_method: str
    approver_email: str | None = None
    approver_emails: list[str] | None = None
    dns_names: list[str] | None = None
    signature_hash: str | None = None
    unique_code: str | None = None

    def to_form(self) -> dict[str, str]:
        form = _form(self)  # same encoding rules as AddSSLOrderRequest
        if self.dns_names is not None and not self.dns_names:
            form["dns_names"] = ""  # an explicit empty list removes every SAN
        return form
