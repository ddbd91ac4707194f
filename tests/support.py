"""Test support: CSRs made on the spot, a sandbox process on a free loopback port, its control API."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

_counter = itertools.count(1)


def unique_domain(prefix: str = "site") -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}.example.com"


@dataclass
class KeyAndCSR:
    key_pem: str
    csr_pem: str
    common_name: str
    public_key_der: bytes


def make_csr(common_name: str | None = None, *, key: str = "rsa2048", sans: list[str] | None = None,
             with_cn: bool = True) -> KeyAndCSR:
    """A fresh key and CSR. key: rsa2048, rsa1024, ec256, ec521 or ed25519."""
    cn = common_name or unique_domain()
    private: Any
    if key.startswith("rsa"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=int(key[3:]))
    elif key == "ec256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif key == "ec521":
        private = ec.generate_private_key(ec.SECP521R1())
    elif key == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ValueError(key)
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, cn)] if with_cn else [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "No CN Ltd")]
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(subject))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    csr = builder.sign(private, None if key == "ed25519" else hashes.SHA256())
    return KeyAndCSR(
        key_pem=private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()).decode(),
        csr_pem=csr.public_bytes(serialization.Encoding.PEM).decode(),
        common_name=cn,
        public_key_der=private.public_key().public_bytes(serialization.Encoding.DER,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo),
    )


CONTACTS = {
    "admin_firstname": "Ada", "admin_lastname": "Lovelace", "admin_phone": "+44 20 7946 0000",
    "admin_title": "CTO", "admin_email": "ada@example.com",
    "tech_firstname": "Grace", "tech_lastname": "Hopper", "tech_phone": "+1 202 555 0100",
    "tech_title": "Ops lead", "tech_email": "ops@example.com",
}


class Sandbox:
    """A gogetssl-sandbox process; `url` is its API base, `control` its /_sandbox root."""

    def __init__(self, db: Path, *extra: str, user: str = "sandbox", password: str = "sandbox-pass"):
        self.user, self.password = user, password
        self.db = db
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "provider.sandbox.main", "--port", "0", "--db", str(db),
             "--user", user, "--password", password, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        url = next((w for w in first.split() if w.startswith("http://")), None)
        if url is None:
            self.proc.kill()
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"sandbox did not start: {first!r} {err}")
        self.url = url
        self.root = url[: -len("/api")]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    # -- control endpoints --
    def orders(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.root}/_sandbox/orders", timeout=10).json()

    def order(self, order_id: int) -> dict[str, Any]:
        return next(o for o in self.orders() if o["order_id"] == int(order_id))

    def set_status(self, order_id: int, status: str) -> dict[str, Any]:
        return requests.post(f"{self.root}/_sandbox/orders/{order_id}", json={"status": status}, timeout=10).json()

    def requests(self) -> dict[str, int]:
        return requests.get(f"{self.root}/_sandbox/requests", timeout=10).json()

    def count(self, fragment: str, method: str | None = None) -> int:
        return sum(n for k, n in self.requests().items()
                   if fragment in k and (method is None or k.startswith(method + " ")))

    def auth_key(self) -> str:
        return requests.post(f"{self.url}/auth/", data={"user": self.user, "pass": self.password},
                             timeout=10).json()["key"]


def tampered_csr() -> str:
    """A well-formed CSR whose signature no longer matches its content (one signature byte flipped)."""
    der = bytearray(x509.load_pem_x509_csr(make_csr().csr_pem.encode()).public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0xFF
    import base64
    body = base64.encodebytes(bytes(der)).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE REQUEST-----\n"


def issued_auth_keys(box: Sandbox) -> list[str]:
    """Every auth key the sandbox has handed out (read from its database)."""
    import sqlite3

    with sqlite3.connect(box.db) as conn:
        return [row[0] for row in conn.execute("SELECT key FROM auth_keys")]
