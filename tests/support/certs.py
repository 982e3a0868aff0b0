"""Certificates and keys made at test time with `cryptography` (never checked in).

A `Pki` is a CA that signs server and client certificates; client certificates carry the
identity the API server derives (CN = user name, each O = a group). Validity can be put in the
past or the near future to make expired and expiring certificates.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = dt.timezone.utc


def new_key(kind: str = "ec"):
    """An EC P-256 key (fast) or a 2048-bit RSA key."""
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class Issued:
    """A certificate with its private key, in the forms a kubeconfig holds them."""

    cert: x509.Certificate
    key: object

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return key_pem(self.key)

    @property
    def cert_b64(self) -> str:
        return b64(self.cert_pem)

    @property
    def key_b64(self) -> str:
        return b64(self.key_pem)


class Pki:
    """A throwaway certificate authority."""

    def __init__(self, cn: str = "kubewallet-test-ca", key_kind: str = "ec",
                 days: float = 365, not_before: dt.datetime | None = None) -> None:
        self.key = new_key(key_kind)
        now = dt.datetime.now(UTC)
        start = not_before or now - dt.timedelta(days=1)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def cert_b64(self) -> str:
        return b64(self.cert_pem)

    def issue(self, cn: str, orgs: tuple[str, ...] | list[str] = (), *, server: bool = False,
              dns: tuple[str, ...] = (), ips: tuple[str, ...] = (), key_kind: str = "ec",
              days: float = 30, not_before: dt.datetime | None = None,
              not_after: dt.datetime | None = None, key=None) -> Issued:
        """A leaf certificate: a client one (CN = user, O = groups) unless `server`."""
        key = key or new_key(key_kind)
        now = dt.datetime.now(UTC)
        start = not_before or now - dt.timedelta(hours=1)
        end = not_after or now + dt.timedelta(days=days)
        attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attrs)).issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                           critical=False)
        )
        sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
        sans += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return Issued(builder.sign(self.key, hashes.SHA256()), key)
