"""provider::gogetssl::dcv_records(csr, unique_code, method): a Sectigo order's validation records, before the
order exists.

Sectigo (and GoGetSSL-brand) orders build their domain-control records from the CSR alone: the MD5 and SHA-256
of its DER encoding, and the order's unique value (docs/vendor-api.md §3.2; the vendor's wiki page
"Sectigo DCV methods"). With `unique_code` set on the order, every part is known before the order is placed,
so a DNS or file resource can plan with its values on the first plan. DigiCert-family orders (GeoTrust,
RapidSSL, Thawte, DigiCert) get random tokens from the CA: for them only the order's `validation_records`,
after apply, can say what to publish.
"""

from __future__ import annotations

import re
from typing import Any

from tf.function import FunctionSignature, Parameter, Return
from tf.types import List, String

from provider.functions import _x509
from provider.functions._base import ArgumentError, ProviderFunction
from provider.tfext.types import Object

FIELDS = ("record_name", "record_type", "record_value", "url", "file_path", "file_name", "file_content")
DCV_RECORD_TYPE = Object({"domain": String(), "method": String(), **{f: String() for f in FIELDS}})
UNIQUE_CODE = re.compile(r"^[A-Za-z0-9]{15,20}$")
CA_DOMAIN = "sectigo.com"
METHODS = ("dns", "http", "https")


class DcvRecordsFunction(ProviderFunction):
    NAME = "dcv_records"
    SIGNATURE = FunctionSignature(
        parameters=[
            Parameter("csr", String(), "The order's certificate request, PEM (the same text as its `csr`)."),
            Parameter("unique_code", String(), "The order's `unique_code`: 15 to 20 letters and digits."),
            Parameter("method", String(), "The validation method: `dns`, `http` or `https`."),
        ],
        return_type=Return(List(DCV_RECORD_TYPE)),
        summary="The validation records a Sectigo order will ask for, before it exists",
        description=(
            "For an order of a Sectigo or GoGetSSL product placed with this `csr` and `unique_code` (set the "
            "same value on the `gogetssl_ssl_order`), returns one object per name of the CSR (its common name "
            "first, then its subjectAltName DNS names) with the fields of the order's `validation_records`: "
            "`domain`, `method`, and for `dns` `record_name`, `record_type` (`CNAME`) and `record_value`, for "
            "`http`/`https` `url`, `file_path`, `file_name` and `file_content`. A wildcard name is validated on "
            "its base domain. Offline and pure, so DNS and file resources plan with these values on the first "
            "plan. Not for DigiCert-family products (GeoTrust, RapidSSL, Thawte, DigiCert): their CA makes "
            "random tokens, known only from the order's `validation_records` after apply."),
    )

    def run(self, csr: str, unique_code: str, method: str) -> list[dict[str, Any]]:
        try:
            parsed = _x509.load_csr(csr)
        except ValueError as exc:
            raise ArgumentError(0, str(exc)) from None
        cn = _x509.common_name(parsed.subject)
        if cn is None:
            raise ArgumentError(0, "it has no common name (CN); the CN is the order's primary domain")
        code = (unique_code or "").strip()
        if not UNIQUE_CODE.match(code):
            raise ArgumentError(1, f"it is {unique_code!r}; give 15 to 20 letters and digits, the same value as "
                                   "the order's unique_code")
        how = (method or "").strip()
        if how == "email":
            raise ArgumentError(2, "e-mail validation publishes no record (the CA mails the approver address); "
                                   "give dns, http or https")
        if how not in METHODS:
            raise ArgumentError(2, f"it is {method!r}; give dns, http or https (lower case)")
        digests = _x509.csr_digests(parsed)
        names: list[str] = []
        for name in [cn.lower(), *(n.lower() for n in _x509.dns_names(parsed))]:
            if name not in names:
                names.append(name)
        return [record(name, how, digests["md5"], digests["sha256"], code) for name in names]


def record(domain: str, method: str, md5: str, sha256: str, unique: str) -> dict[str, Any]:
    base = domain[2:] if domain.startswith("*.") else domain
    out: dict[str, Any] = {"domain": domain, "method": method, **{f: None for f in FIELDS}}
    if method == "dns":
        out.update(record_name=f"_{md5}.{base}", record_type="CNAME",
                   record_value=f"{sha256[:32]}.{sha256[32:]}.{unique}.{CA_DOMAIN}")
        return out
    path = f"/.well-known/pki-validation/{md5.upper()}.txt"
    out.update(url=f"{method}://{base}{path}", file_path=path, file_name=f"{md5.upper()}.txt",
               file_content=f"{sha256.upper()}\r\n{CA_DOMAIN}\r\n{unique}")
    return out
