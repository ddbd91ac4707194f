"""provider::gogetssl::csr_info(csr): what a CSR asks for, and the digests the CAs' validation is built from."""

from __future__ import annotations

from typing import Any

from tf.function import FunctionSignature, Parameter, Return
from tf.types import List, Number, String

from provider.functions import _x509
from provider.functions._base import ArgumentError, ProviderFunction
from provider.tfext.types import Object

CSR_INFO_TYPE = Object({
    "common_name": String(), "dns_names": List(String()), "key_type": String(), "key_size": Number(),
    "key_curve": String(), "signature_algorithm": String(), "md5": String(), "sha1": String(), "sha256": String(),
})


class CsrInfoFunction(ProviderFunction):
    NAME = "csr_info"
    SIGNATURE = FunctionSignature(
        parameters=[Parameter("csr", String(), "The certificate request, PEM (e.g. `file(\"site.csr\")`).")],
        return_type=Return(CSR_INFO_TYPE),
        summary="What a certificate request asks for",
        description=(
            "Reads a PEM certificate request (CSR) and returns its `common_name`, `dns_names` (the DNS names of "
            "its subjectAltName request, in order), `key_type` (`RSA`, `EC`, `Ed25519`), `key_size` in bits, "
            "`key_curve` (`P-256`, `P-384`; null for RSA), `signature_algorithm` (e.g. "
            "`sha256WithRSAEncryption`), and the `md5`, `sha1` and `sha256` of its DER encoding (lower-case hex), "
            "from which Sectigo's domain validation records are made. Offline and pure. A text that is not a "
            "CSR, or a CSR whose signature does not verify, is an error naming `csr`."),
    )

    def run(self, csr: str) -> dict[str, Any]:
        try:
            parsed = _x509.load_csr(csr)
        except ValueError as exc:
            raise ArgumentError(0, str(exc)) from None
        return {"common_name": _x509.common_name(parsed.subject), "dns_names": _x509.dns_names(parsed),
                **_x509.key_facts(parsed.public_key()), "signature_algorithm": _x509.signature_algorithm(parsed),
                **_x509.csr_digests(parsed)}
