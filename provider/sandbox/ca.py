"""The sandbox's certificate authority: parses CSRs and signs certificates for issued orders.

A real CA issues for exactly the CSR's public key and the ordered names; so does this one,
so that tests can check a certificate against the key that made the CSR.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


class CSRError(ValueError):
    """The CSR cannot be used: not PEM, bad signature, or no common name."""


@dataclass(frozen=True)
class ParsedCSR:
    common_name: str
    der: bytes
    key_description: str
    csr: x509.CertificateSigningRequest

    @property
    def md5(self) -> str:
        return hashlib.md5(self.der).hexdigest()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.der).hexdigest()


def parse_csr(pem: str) -> ParsedCSR:
    text = (pem or "").strip()
    if "-----BEGIN" not in text:
        raise CSRError("CSR is not PEM encoded (no -----BEGIN CERTIFICATE REQUEST----- line)")
    try:
        csr = x509.load_pem_x509_csr(text.encode())
    except (ValueError, UnicodeError) as exc:
        raise CSRError(f"CSR cannot be decoded: {exc}") from None
    if not csr.is_signature_valid:
        raise CSRError("CSR signature is not valid")
    cns = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not cns or not str(cns[0].value).strip():
        raise CSRError("CSR has no common name (CN)")
    key = csr.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        desc = f"RSA {key.key_size}"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        desc = f"EC {key.curve.name}"
    else:
        desc = type(key).__name__
    return ParsedCSR(
        common_name=str(cns[0].value).strip().lower(),
        der=csr.public_bytes(serialization.Encoding.DER),
        key_description=desc,
        csr=csr,
    )


class SandboxCA:
    """A two-level CA (root + issuing intermediate) whose keys persist with the sandbox's data."""

    def __init__(self, root_pem: bytes, inter_pem: bytes, inter_key_pem: bytes):
        self.root_pem = root_pem
        self.inter_pem = inter_pem
        self._inter = x509.load_pem_x509_certificate(inter_pem)
        key = serialization.load_pem_private_key(inter_key_pem, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        self._inter_key = key

    @staticmethod
    def generate(now: dt.datetime) -> tuple[bytes, bytes, bytes]:
        """Return (root PEM, intermediate PEM, intermediate key PEM) for a new CA."""
        root_key = ec.generate_private_key(ec.SECP256R1())
        inter_key = ec.generate_private_key(ec.SECP256R1())
        root_name = x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "GoGetSSL Sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, "GoGetSSL Sandbox Root CA"),
        ])
        inter_name = x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "GoGetSSL Sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, "GoGetSSL Sandbox Issuing CA"),
        ])
        start = now - dt.timedelta(days=1)
        root = (
            x509.CertificateBuilder()
            .subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=365 * 20))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(root_key, hashes.SHA256())
        )
        inter = (
            x509.CertificateBuilder()
            .subject_name(inter_name).issuer_name(root_name)
            .public_key(inter_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=365 * 10))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(root_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        return (
            root.public_bytes(pem),
            inter.public_bytes(pem),
            inter_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        )

    @property
    def chain_pem(self) -> str:
        """The CA bundle as the vendor's ca_code: intermediate first, then the root."""
        return (self.inter_pem + self.root_pem).decode()

    def issue(self, csr_pem: str, names: list[str], not_before: dt.datetime, not_after: dt.datetime) -> str:
        parsed = parse_csr(csr_pem)
        cn = names[0]
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(self._inter.subject)
            .public_key(parsed.csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        )
        cert = builder.sign(self._inter_key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM).decode()
