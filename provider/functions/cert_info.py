"""provider::gogetssl::cert_info(pem): the facts of an issued certificate (the first one of a chain)."""

from __future__ import annotations

from typing import Any

from tf.function import FunctionSignature, Parameter, Return
from tf.types import List, String

from provider.functions import _x509
from provider.functions._base import ArgumentError, ProviderFunction
from provider.tfext.types import Object

CERT_INFO_TYPE = Object({
    "common_name": String(), "dns_names": List(String()), "not_before": String(), "not_after": String(),
    "serial": String(), "issuer": String(), "subject": String(), "sha256_fingerprint": String(),
})


class CertInfoFunction(ProviderFunction):
    NAME = "cert_info"
    SIGNATURE = FunctionSignature(
        parameters=[Parameter("pem", String(), "A PEM certificate, or a chain whose first certificate is the "
                                               "one to read: a gogetssl_ssl_order_validation's `certificate_pem` "
                                               "(known once issued), or an order's `certificate_pem` or "
                                               "`ca_bundle_pem`, which are empty, an error here, until the "
                                               "certificate is issued.")],
        return_type=Return(CERT_INFO_TYPE),
        summary="The facts of a certificate",
        description=(
            "Reads the first certificate of a PEM text and returns `common_name`, `dns_names` (its "
            "subjectAltName DNS names), `not_before` and `not_after` (RFC 3339, UTC: compare them with "
            "`timecmp()`), `serial` (lower-case hex), `issuer` and `subject` (RFC 4514 strings) and "
            "`sha256_fingerprint` (lower-case hex of the DER). Offline and pure. A text with no PEM certificate "
            "is an error naming `pem`."),
    )

    def run(self, pem: str) -> dict[str, Any]:
        try:
            cert = _x509.load_certificate(pem)
        except ValueError as exc:
            raise ArgumentError(0, str(exc)) from None
        return {"common_name": _x509.common_name(cert.subject), "dns_names": _x509.dns_names(cert),
                "not_before": _x509.rfc3339(cert.not_valid_before_utc),
                "not_after": _x509.rfc3339(cert.not_valid_after_utc), "serial": format(cert.serial_number, "x"),
                "issuer": cert.issuer.rfc4514_string(), "subject": cert.subject.rfc4514_string(),
                "sha256_fingerprint": _x509.fingerprint(cert)}
