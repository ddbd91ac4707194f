"""Reading CSRs and certificates for the functions: facts only, each refusal a sentence that says why."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

CSR_MARKERS = ("-----BEGIN CERTIFICATE REQUEST-----", "-----BEGIN NEW CERTIFICATE REQUEST-----")
CERT_MARKER = "-----BEGIN CERTIFICATE-----"
_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


def load_csr(pem: str) -> x509.CertificateSigningRequest:
    """The CSR in `pem`; ValueError with a reason when it is not one or its signature does not verify."""
    text = (pem or "").strip()
    if not any(m in text for m in CSR_MARKERS):
        raise ValueError("it is not a PEM certificate request (no -----BEGIN CERTIFICATE REQUEST----- line); "
                         "pass the CSR's text, e.g. file(\"site.csr\")")
    try:
        csr = x509.load_pem_x509_csr(text.encode("utf-8", "replace"))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"it cannot be decoded ({exc})") from None
    try:
        csr.public_key()
        signature_ok = csr.is_signature_valid
    except UnsupportedAlgorithm as exc:  # not a ValueError: uncaught, it read as a bug of the provider
        raise ValueError(f"its key or signature algorithm is not one this provider can read ({exc}); the CAs "
                         "accept RSA 2048+ or EC P-256/P-384 keys") from None
    except (ValueError, TypeError) as exc:
        raise ValueError(f"it cannot be read ({exc})") from None
    if not signature_ok:
        raise ValueError("its signature does not verify (was it edited after signing?)")
    return csr


def common_name(name: x509.Name) -> str | None:
    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = str(cns[0].value).strip() if cns else ""
    return value or None


def dns_names(obj: x509.CertificateSigningRequest | x509.Certificate) -> list[str]:
    """The DNS names of a CSR's subjectAltName request or a certificate's subjectAltName, in their order."""
    try:
        san = obj.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return []
    return [str(n) for n in san.get_values_for_type(x509.DNSName)]


def key_facts(key: Any) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPublicKey):
        return {"key_type": "RSA", "key_size": key.key_size, "key_curve": None}
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"key_type": "EC", "key_size": key.curve.key_size,
                "key_curve": _CURVES.get(key.curve.name, key.curve.name)}
    if isinstance(key, ed25519.Ed25519PublicKey):
        return {"key_type": "Ed25519", "key_size": 256, "key_curve": None}
    if isinstance(key, ed448.Ed448PublicKey):
        return {"key_type": "Ed448", "key_size": 456, "key_curve": None}
    return {"key_type": type(key).__name__, "key_size": None, "key_curve": None}


def signature_algorithm(obj: x509.CertificateSigningRequest | x509.Certificate) -> str:
    oid = obj.signature_algorithm_oid
    name = getattr(oid, "_name", None)  # e.g. sha256WithRSAEncryption, ecdsa-with-SHA256; "Unknown OID" otherwise
    return name if name and name != "Unknown OID" else oid.dotted_string


def csr_digests(csr: x509.CertificateSigningRequest) -> dict[str, str]:
    """The hashes of the CSR's DER encoding that Sectigo's validation is built from (lower-case hex)."""
    der = csr.public_bytes(serialization.Encoding.DER)
    return {"md5": hashlib.md5(der).hexdigest(), "sha1": hashlib.sha1(der).hexdigest(),
            "sha256": hashlib.sha256(der).hexdigest()}


def load_certificate(pem: str) -> x509.Certificate:
    """The first certificate in `pem` (a chain's leaf comes first); ValueError with a reason otherwise."""
    text = (pem or "").strip()
    start = text.find(CERT_MARKER)
    if start < 0:
        raise ValueError("it is not a PEM certificate (no -----BEGIN CERTIFICATE----- line)")
    end = text.find("-----END CERTIFICATE-----", start)
    if end < 0:
        raise ValueError("its first certificate has no -----END CERTIFICATE----- line")
    try:
        return x509.load_pem_x509_certificate(text[start:end + len("-----END CERTIFICATE-----")].encode())
    except ValueError as exc:
        raise ValueError(f"its first certificate cannot be decoded ({exc})") from None


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(text: str) -> dt.datetime:
    """An RFC 3339 timestamp (as plantimestamp() and timestamp() give) or a date (YYYY-MM-DD: midnight UTC at
    its start); ValueError otherwise."""
    value = text.strip()
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment
