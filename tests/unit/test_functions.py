"""Provider functions (provider/functions/) through the servicer's CallFunction, as Terraform calls them: on an
unconfigured provider, offline. Their answers through Terraform itself are in tests/e2e/test_functions.py."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from tests.support import call_function, make_csr, self_signed_certificate, tampered_csr

UTC = dt.UTC


def der_of(csr_pem: str) -> bytes:
    return x509.load_pem_x509_csr(csr_pem.encode()).public_bytes(serialization.Encoding.DER)


def test_csr_info_reads_names_key_and_the_digests_validation_uses() -> None:
    made = make_csr("shop.example.com", key="ec256", sans=["shop.example.com", "www.shop.example.com"])
    got = call_function("csr_info", made.csr_pem)
    der = der_of(made.csr_pem)
    assert got.error is None, got.error
    assert got.result == {
        "common_name": "shop.example.com", "dns_names": ["shop.example.com", "www.shop.example.com"],
        "key_type": "EC", "key_size": 256, "key_curve": "P-256", "signature_algorithm": "ecdsa-with-SHA256",
        "md5": hashlib.md5(der).hexdigest(), "sha1": hashlib.sha1(der).hexdigest(),
        "sha256": hashlib.sha256(der).hexdigest()}


def test_csr_info_of_an_rsa_csr_without_sans() -> None:
    got = call_function("csr_info", make_csr("plain.example.com").csr_pem).result
    assert (got["key_type"], got["key_size"], got["key_curve"]) == ("RSA", 2048, None)
    assert got["dns_names"] == [] and got["signature_algorithm"] == "sha256WithRSAEncryption"


@pytest.mark.parametrize("text, says", [
    ("not a csr", "not a PEM certificate request"),
    ("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----", "cannot be decoded"),
])
def test_csr_info_refuses_what_is_not_a_csr_naming_the_argument(text: str, says: str) -> None:
    got = call_function("csr_info", text)
    assert got.argument == 0 and says in (got.error or ""), got


def test_a_csr_edited_after_signing_is_refused() -> None:
    got = call_function("csr_info", tampered_csr())
    assert got.argument == 0 and "signature does not verify" in (got.error or "")


def _csr_with_oid_replaced(old_hex: str, new_last_byte: int, last: bool) -> str:
    """A CSR whose DER has one OID's last byte changed: the signature algorithm's (outside the signed part: the
    CSR still parses) or the key's (inside it)."""
    import base64

    der = der_of(make_csr("odd.example.com", sans=["odd.example.com"]).csr_pem)
    old = bytes.fromhex(old_hex)
    at = der.rfind(old) if last else der.find(old)
    der = der[:at] + old[:-1] + bytes([new_last_byte]) + der[at + len(old):]
    return ("-----BEGIN CERTIFICATE REQUEST-----\n" + base64.encodebytes(der).decode()
            + "-----END CERTIFICATE REQUEST-----\n")


@pytest.mark.parametrize("function, extra", [("csr_info", ()), ("dcv_records", ("Code12345678901", "dns"))])
def test_a_csr_of_a_key_type_nobody_knows_is_refused_naming_the_argument_not_a_provider_bug(
        function: str, extra: tuple) -> None:
    """A CSR whose key is of an unknown algorithm (here rsaEncryption's OID with its last arc changed): the CSR's
    fault, named as such, not "This is a bug in the provider" (cryptography raises UnsupportedAlgorithm, which is
    not a ValueError)."""
    csr = _csr_with_oid_replaced("06092A864886F70D010101", 0x7E, last=False)
    got = call_function(function, csr, *extra)
    assert got.argument == 0 and "bug in the provider" not in (got.error or ""), got
    assert "key" in (got.error or ""), got


def test_csr_info_names_an_unknown_signature_algorithm_by_its_oid() -> None:
    csr = make_csr("sha3.example.com")
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sha3 = (x509.CertificateSigningRequestBuilder()
            .subject_name(x509.load_pem_x509_csr(csr.csr_pem.encode()).subject).sign(key, hashes.SHA3_256()))
    got = call_function("csr_info", sha3.public_bytes(serialization.Encoding.PEM).decode())
    assert got.error is None, got.error
    assert got.result["signature_algorithm"] == sha3.signature_algorithm_oid.dotted_string, got.result


def test_cert_info_reads_the_first_certificate_of_a_chain() -> None:
    start, end = dt.datetime(2026, 12, 1, 8, 30, tzinfo=UTC), dt.datetime(2027, 6, 19, 8, 30, tzinfo=UTC)
    leaf = self_signed_certificate("api.example.com", ["api.example.com", "*.api.example.com"], start, end,
                                   serial=0xABC123)
    other = self_signed_certificate("other.example.com", ["other.example.com"], start, end)
    got = call_function("cert_info", leaf + other)
    cert = x509.load_pem_x509_certificate(leaf.encode())
    assert got.error is None, got.error
    assert got.result == {
        "common_name": "api.example.com", "dns_names": ["api.example.com", "*.api.example.com"],
        "not_before": "2026-12-01T08:30:00Z", "not_after": "2027-06-19T08:30:00Z", "serial": "abc123",
        "issuer": "CN=api.example.com", "subject": "CN=api.example.com",
        "sha256_fingerprint": cert.fingerprint(hashes.SHA256()).hex()}


def test_cert_info_refuses_a_csr_naming_the_argument() -> None:
    got = call_function("cert_info", make_csr().csr_pem)
    assert got.argument == 0 and "not a PEM certificate" in (got.error or "")


@pytest.mark.parametrize("valid_till, days, now, expected", [
    ("2027-01-05", 30, "2026-12-06T20:00:00Z", True),     # 29 days 4 hours away
    ("2027-01-06", 30, "2026-12-06T20:00:00Z", False),    # midnight at the start of the 6th: 30 days 4 hours
    ("2027-01-05T20:00:00Z", 30, "2026-12-06T20:00:00Z", True),   # exactly 30 days
    ("2027-01-05T20:00:01Z", 30, "2026-12-06T20:00:00Z", False),
    ("2026-11-30", 0, "2026-12-06T20:00:00Z", True),      # already expired
    ("2027-01-05T21:00:00+01:00", 30, "2026-12-06T20:00:00Z", True),  # offsets count
    (None, 30, "2026-12-06T20:00:00Z", False),            # not issued yet
    ("", 30, "2026-12-06T20:00:00Z", False),
    ("2027-01-06", 31, "2026-12-06", True),               # two dates: 31 days apart
    ("2027-01-06", 30.5, "2026-12-06", False),
])
def test_expires_within(valid_till: str | None, days: float, now: str, expected: bool) -> None:
    got = call_function("expires_within", valid_till, days, now)
    assert got.error is None, got.error
    assert got.result is expected


@pytest.mark.parametrize("args, index, says", [
    (("next week", 30, "2026-12-06T20:00:00Z"), 0, "an order's valid_till"),
    (("2027-01-05", -1, "2026-12-06T20:00:00Z"), 1, "0 or more"),
    (("2027-01-05", 30, "yesterday"), 2, "plantimestamp()"),
    (("2027-01-05", 30, "2026-12-06T20:00:00"), 2, "RFC 3339"),  # no time zone: which moment is it?
])
def test_expires_within_names_the_argument_it_refuses(args: tuple, index: int, says: str) -> None:
    got = call_function("expires_within", *args)
    assert got.argument == index and says in (got.error or ""), got


def test_dcv_records_for_dns_follow_sectigos_rule() -> None:
    made = make_csr("shop.example.com", sans=["shop.example.com", "*.shop.example.com"])
    der = der_of(made.csr_pem)
    md5, sha256 = hashlib.md5(der).hexdigest(), hashlib.sha256(der).hexdigest()
    got = call_function("dcv_records", made.csr_pem, "Code12345678901", "dns")
    assert got.error is None, got.error
    empty = {"url": None, "file_path": None, "file_name": None, "file_content": None}
    record = {"method": "dns", "record_name": f"_{md5}.shop.example.com", "record_type": "CNAME",
              "record_value": f"{sha256[:32]}.{sha256[32:]}.Code12345678901.sectigo.com", **empty}
    assert got.result == [{"domain": "shop.example.com", **record}, {"domain": "*.shop.example.com", **record}]


def test_dcv_records_for_http_name_the_file_and_its_content() -> None:
    made = make_csr("files.example.com")
    der = der_of(made.csr_pem)
    md5, sha256 = hashlib.md5(der).hexdigest().upper(), hashlib.sha256(der).hexdigest().upper()
    (got,) = call_function("dcv_records", made.csr_pem, "abcdefghij0123456789", "https").result
    assert got == {"domain": "files.example.com", "method": "https", "record_name": None, "record_type": None,
                   "record_value": None, "url": f"https://files.example.com/.well-known/pki-validation/{md5}.txt",
                   "file_path": f"/.well-known/pki-validation/{md5}.txt", "file_name": f"{md5}.txt",
                   "file_content": f"{sha256}\r\nsectigo.com\r\nabcdefghij0123456789"}


@pytest.mark.parametrize("unique_code, method, index, says", [
    ("short", "dns", 1, "15 to 20 letters and digits"),
    ("has-a-dash-000000", "dns", 1, "15 to 20 letters and digits"),
    ("Code12345678901", "email", 2, "publishes no record"),
    ("Code12345678901", "DNS", 2, "dns, http or https"),
])
def test_dcv_records_names_the_argument_it_refuses(unique_code: str, method: str, index: int, says: str) -> None:
    got = call_function("dcv_records", make_csr().csr_pem, unique_code, method)
    assert got.argument == index and says in (got.error or ""), got


def test_an_unknown_function_or_a_wrong_argument_count_is_an_error_not_a_crash() -> None:
    assert "no function 'nope'" in (call_function("nope", "x").error or "")
    assert "takes 3 arguments, 1 were given" in (call_function("dcv_records", "x").error or "")
