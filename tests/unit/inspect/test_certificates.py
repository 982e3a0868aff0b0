"""Certificates and keys in every form a kubeconfig (or a person pasting) holds them."""

from __future__ import annotations

import base64
import re
import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization

from kubewallet.errors import InspectError
from kubewallet.inspect import certificates as c
from tests.support.certs import Pki, new_key
from tests.support.inspect import der, intermediate

UTC = dt.timezone.utc
NOW = dt.datetime.now(UTC)
WARN = dt.timedelta(days=30)


@pytest.fixture(scope="module")
def jane(pki):
    return pki.issue("jane", ("dev", "ops"), key_kind="rsa",
                     not_after=NOW + dt.timedelta(days=12, minutes=-1))


def test_pem_der_and_base64_of_either_give_the_same_certificate(jane):
    forms = [jane.cert_pem, jane.cert_pem.decode(), der(jane), jane.cert_b64,
             base64.b64encode(der(jane)).decode(), "\n  " + jane.cert_b64 + "\n"]
    fingerprints = {c.describe(c.load_certificates(f, "x")[0]).sha256 for f in forms}
    assert len(fingerprints) == 1


def test_a_bundle_keeps_every_certificate_in_order_and_skips_other_blocks(pki, jane):
    sub = intermediate(pki)
    bundle = (sub.cert_pem + b"junk between blocks\n" + jane.key_pem + pki.cert_pem)
    certs = c.load_certificates(bundle, "ca.crt")
    assert [x.subject.rfc4514_string() for x in certs] == [
        "CN=kubewallet-intermediate", "CN=kubewallet-test-ca"]


def test_report_fields_of_a_client_certificate(jane, pki):
    info = c.describe(jane.cert)
    assert info.common_name == "jane"
    assert info.organizations == ("dev", "ops")
    assert info.subject == "CN=jane,O=ops,O=dev"
    assert info.issuer == "CN=kubewallet-test-ca"
    assert info.key == c.KeyInfo("RSA", 2048)
    assert str(info.key) == "RSA 2048"
    assert info.signature_algorithm == "ecdsa-with-SHA256"
    assert info.client_auth is True and info.is_ca is False and not info.self_signed
    assert len(info.serial.split(":")) >= 1 and all(len(b) == 2 for b in info.serial.split(":"))
    assert info.expiry_words(NOW) == "expires in 11 days"
    assert info.status(NOW, WARN) == "expiring"
    assert info.urgency(NOW) == "urgent"
    assert not info.masters


def test_server_certificate_sans_and_ecdsa_key(pki):
    server = pki.issue("apiserver", server=True, dns=("kubernetes.default",), ips=("127.0.0.1",))
    info = c.describe(server.cert)
    assert info.sans == ("DNS:kubernetes.default", "IP:127.0.0.1")
    assert str(info.key) == "ECDSA P-256"
    assert info.server_auth is True and info.client_auth is False


@pytest.mark.parametrize(("days", "status", "urgency", "words"), [
    (-3, "expired", "expired", "expired 3 days ago"),
    (5, "expiring", "urgent", "expires in 4 days"),
    (45, "ok", "soon", "expires in 44 days"),
    (400, "ok", "fine", "expires in 399 days"),
    (3650, "ok", "fine", "expires in 9 years"),
])
def test_expiry_status_buckets_and_words(pki, days, status, urgency, words):
    issued = pki.issue("u", not_before=NOW - dt.timedelta(days=500),
                       not_after=NOW + dt.timedelta(days=days, minutes=-1))
    info = c.describe(issued.cert)
    assert info.status(NOW, WARN if days > 0 else WARN) == status
    assert info.urgency(NOW) == urgency
    assert info.expiry_words(NOW) == words


def test_not_yet_valid(pki):
    info = c.describe(pki.issue("u", not_before=NOW + dt.timedelta(days=2, hours=1)).cert)
    assert info.status(NOW, WARN) == "not-yet-valid"
    assert info.expiry_words(NOW) == "not valid yet (starts in 2 days)"


def test_system_masters_is_loud(pki):
    admin = pki.issue("kubernetes-admin", ("system:masters",), days=365)
    info = c.describe(admin.cert)
    assert info.masters
    checks = c.client_checks(admin.cert, info, key=admin.key, bundle=[pki.cert], now=NOW, warn=WARN)
    assert checks[0].level == "error" and "bypasses all authorization" in checks[0].text
    assert "cannot be revoked" in checks[0].text


def test_key_match_and_mismatch(pki):
    a, b = pki.issue("a"), pki.issue("b")
    assert c.key_matches(a.cert, c.load_private_key(a.key_pem, "k"))
    assert not c.key_matches(a.cert, c.load_private_key(b.key_b64, "k"))
    checks = c.client_checks(a.cert, c.describe(a.cert), key=b.key, now=NOW, warn=WARN)
    assert any(ch.level == "error" and "does not match" in ch.text for ch in checks)


def test_private_key_forms(pki):
    rsa = pki.issue("r", key_kind="rsa")
    pkcs1 = rsa.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption())
    key_der = rsa.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    sec1 = pki.issue("e").key.private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.TraditionalOpenSSL,
                                             serialization.NoEncryption())
    for form in (pkcs1, key_der, base64.b64encode(key_der), sec1):
        assert c.load_private_key(form, "k") is not None


def test_encrypted_key_is_refused_without_quoting_it():
    key = new_key()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(b"pw"))
    with pytest.raises(InspectError, match="encrypted private key") as err:
        c.load_private_key(pem, "users/jane client-key-data")
    assert pem.decode().splitlines()[1][:20] not in str(err.value)


def test_signed_by_the_bundle_and_by_an_intermediate(pki):
    sub = intermediate(pki)
    leaf = sub.issue("carol", ("dev",))
    assert c.issued_by(leaf.cert, [pki.cert]) is None
    assert c.issued_by(leaf.cert, [pki.cert, sub.cert]) == sub.cert
    other = Pki("kubewallet-test-ca")  # same name, different key: a name match is not enough
    assert c.issued_by(pki.issue("x").cert, [other.cert]) is None
    checks = c.client_checks(leaf.cert, c.describe(leaf.cert), bundle=[pki.cert], now=NOW, warn=WARN)
    assert any("not signed by any certificate" in ch.text for ch in checks)


def test_bundle_checks(pki):
    expired_ca = Pki("old-ca", not_before=NOW - dt.timedelta(days=30), days=-1.5)
    infos = [c.describe(expired_ca.cert), c.describe(pki.cert)]
    checks = c.bundle_checks(infos, NOW, WARN)
    assert checks[0].level == "error" and "CN=old-ca expired 1 day ago" in checks[0].text
    assert c.bundle_checks([c.describe(pki.cert)], NOW, WARN)[0].level == "ok"
    leaf = c.describe(pki.issue("leaf", days=300).cert)
    assert "is not a CA" in c.bundle_checks([leaf], NOW, WARN)[0].text


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty"),
    (b"   \n", "is empty"),
    (b"-----BEGIN CERTIFICATE-----\nMIIB", "PEM block 1 (CERTIFICATE, line 1) is truncated"),
    (b"-----BEGIN CERTIFICATE-----\nMII*B\n-----END CERTIFICATE-----\n", "not valid base64"),
    (b"-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n", "not a valid X.509"),
    (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFIKATE-----\n", "ends with"),
    (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "no '-----BEGIN CERTIFICATE-----'"),
    (b"\x30\x03\x02\x01\x01", "not a valid X.509"),
    (b"hello world!", "neither PEM, DER"),
    (b"aGVsbG8gd29ybGQ=", "base64, but what it decodes to is neither"),
    ("caf\u00e9", "not ASCII"),
])
def test_bad_certificate_input_is_named_precisely(data, message):
    with pytest.raises(InspectError, match=re.escape(message)) as err:
        c.load_certificates(data, "clusters/prod certificate-authority-data")
    assert str(err.value).startswith("clusters/prod certificate-authority-data")


def test_a_der_certificate_ending_in_a_whitespace_byte_is_read_whole():
    """DER is binary: a signature whose last byte is 0x20 or 0x0a must not be stripped (about 2%
    of certificates; seen as a flaky 'ShortData' parse error before this was fixed)."""
    from cryptography.hazmat.primitives import serialization

    from kubewallet.inspect.certificates import load_certificates
    from tests.support.certs import Pki

    pki = Pki()
    for _ in range(400):
        leaf = pki.issue("late", ("ops",))
        der = leaf.cert.public_bytes(serialization.Encoding.DER)
        if der[-1:] in (b" ", b"\n", b"\t", b"\r", b"\x0b", b"\x0c"):
            break
    else:
        raise AssertionError("no certificate ended in a whitespace byte in 400 tries")
    assert load_certificates(der, "late.der")[0].serial_number == leaf.cert.serial_number
