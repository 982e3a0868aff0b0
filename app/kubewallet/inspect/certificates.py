"""X.509 certificates and private keys as a kubeconfig carries them.

kubectl reads `certificate-authority-data` and `client-certificate-data` as base64 of PEM and the
file forms as PEM (client-go `rest.TLSClientConfig`, `crypto/tls.X509KeyPair`). People also paste
DER, or base64 of DER, so every loader here accepts all four and says precisely which one it
found wrong: the PEM block number and line, the base64, or what the DER parser refused.

Messages never quote key material; a certificate is public, a key is not.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kubewallet.errors import InspectError
from kubewallet.inspect.timewords import expiry_words

SYSTEM_MASTERS = "system:masters"

# GUI colour buckets of the issue: expired, under 14 days, under 60 days, fine.
URGENT = dt.timedelta(days=14)
SOON = dt.timedelta(days=60)

_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)(?:-----END ([A-Z0-9 ]+)-----|\Z)", re.DOTALL)
_B64_TEXT = re.compile(rb"^[A-Za-z0-9+/=_\-\s]+$")


# ----------------------------------------------------------------------------- decoding


@dataclass(frozen=True)
class PemBlock:
    """One `-----BEGIN X-----` block: its type, DER body and 1-based starting line."""

    label: str
    der: bytes
    line: int


def _as_bytes(data: bytes | str, source: str) -> bytes:
    if isinstance(data, str):
        try:
            return data.encode("ascii")
        except UnicodeEncodeError:
            raise InspectError(f"{source} contains characters that are not ASCII: it is neither PEM, "
                               "base64 nor binary DER read as bytes") from None
    return bytes(data)


def pem_blocks(data: bytes, source: str) -> list[PemBlock]:
    """Every PEM block in `data`, in order; a block without its END line, or whose body is not
    base64, is an error naming the block (RFC 7468 textual encoding)."""
    blocks = []
    for number, match in enumerate(_PEM_BLOCK.finditer(data), start=1):
        label = match.group(1).decode()
        line = data.count(b"\n", 0, match.start()) + 1
        where = f"{source}: PEM block {number} ({label}, line {line})"
        if match.group(3) is None:
            raise InspectError(f"{where} is truncated: no '-----END {label}-----' line")
        if match.group(3).decode() != label:
            raise InspectError(f"{where} ends with '-----END {match.group(3).decode()}-----'")
        body = match.group(2)
        if b":" in body:
            raise InspectError(f"{where} has RFC 1421 headers (an encrypted legacy key?); "
                               "kubectl cannot use it either",
                               hint="decrypt it first, for example with 'openssl pkey'")
        compact = b"".join(body.split())
        try:
            der = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            raise InspectError(f"{where}: the body is not valid base64") from None
        if not der:
            raise InspectError(f"{where} is empty")
        blocks.append(PemBlock(label, der, line))
    return blocks


def _unwrap(data: bytes | str, source: str) -> tuple[str, bytes]:
    """Tell PEM, DER and base64-of-either apart: returns ('pem', text) or ('der', der)."""
    raw = _as_bytes(data, source)
    stripped = raw.strip()
    if not stripped:
        raise InspectError(f"{source} is empty")
    if b"-----BEGIN" in stripped:
        return "pem", stripped
    if raw[:1] == b"\x30" and not _B64_TEXT.match(stripped):
        # DER is binary: its last byte may be 0x20 or 0x0a, so it is taken as is, never stripped.
        return "der", raw
    if _B64_TEXT.match(stripped):
        compact = b"".join(stripped.split())
        try:
            decoded = base64.b64decode(compact + b"=" * (-len(compact) % 4), validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if not decoded:
            try:
                decoded = base64.urlsafe_b64decode(compact + b"=" * (-len(compact) % 4))
            except (binascii.Error, ValueError):
                decoded = b""
        if b"-----BEGIN" in decoded:
            return "pem", decoded.strip()
        if decoded[:1] == b"\x30":
            return "der", decoded
        raise InspectError(f"{source} is base64, but what it decodes to is neither PEM nor DER")
    if raw[:1] == b"\x30":
        return "der", raw
    raise InspectError(f"{source} is neither PEM, DER, nor base64 of either")


def encoding(data: bytes | str) -> str:
    """'pem', 'der', or 'base64' (base64 of PEM or DER): what kubectl would find in the bytes.
    kubectl reads only PEM once the YAML's base64 is undone (client-go `certutil` and Go's
    `tls.X509KeyPair`), so anything else works in kubewallet but not in kubectl."""
    kind, _ = _unwrap(data, "data")
    raw = _as_bytes(data, "data").strip()
    if kind == "pem":
        return "pem" if b"-----BEGIN" in raw else "base64"
    return "der" if raw[:1] == b"\x30" and not _B64_TEXT.match(raw) else "base64"


def load_certificates(data: bytes | str, source: str) -> list[x509.Certificate]:
    """All certificates in a PEM bundle, a DER certificate, or base64 of either.

    `source` names where the bytes came from ("users/jane client-certificate-data",
    "/home/me/.kube/ca.crt") and starts every error message. Non-certificate PEM blocks in a
    bundle are ignored (as Go's `AppendCertsFromPEM` does), but a bundle with none is an error.
    """
    kind, body = _unwrap(data, source)
    if kind == "der":
        return [_der_certificate(body, source)]
    certs = []
    for block in pem_blocks(body, source):
        if block.label not in ("CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"):
            continue
        certs.append(_der_certificate(block.der, f"{source}: PEM block at line {block.line}"))
    if not certs:
        raise InspectError(f"{source} holds no '-----BEGIN CERTIFICATE-----' block")
    return certs


def _der_certificate(der: bytes, where: str) -> x509.Certificate:
    try:
        cert = x509.load_der_x509_certificate(der)
        # Fields the report reads are parsed lazily by cryptography: touch them here so a bad
        # certificate fails at load time with this message, not later in the middle of a table.
        cert.subject, cert.issuer, cert.not_valid_after_utc, cert.not_valid_before_utc
        cert.extensions
        cert.public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise InspectError(f"{where} is not a valid X.509 certificate ({reason})") from None
    return cert


PrivateKey = (rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
              | ed448.Ed448PrivateKey | dsa.DSAPrivateKey)


def load_private_key(data: bytes | str, source: str):
    """A private key from PEM (PKCS#8, PKCS#1 'RSA PRIVATE KEY', SEC1 'EC PRIVATE KEY'), DER or
    base64 of either. An encrypted key is refused: kubectl cannot use one either."""
    kind, body = _unwrap(data, source)
    if kind == "pem":
        blocks = [b for b in pem_blocks(body, source) if b.label.endswith("PRIVATE KEY")]
        if not blocks:
            raise InspectError(f"{source} holds no '-----BEGIN ... PRIVATE KEY-----' block")
        if blocks[0].label == "ENCRYPTED PRIVATE KEY":
            raise InspectError(f"{source} is an encrypted private key; kubectl cannot use it",
                               hint="decrypt it first, for example with 'openssl pkey'")
        der = blocks[0].der
    else:
        der = body
    try:
        # The RSA consistency check (55 ms a key) guards signing with a corrupt key; kubewallet
        # only compares the public half with a certificate, so it is skipped: 1,000 users in a
        # kubeconfig would otherwise take a minute.
        return serialization.load_der_private_key(der, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        raise InspectError(f"{source} is an encrypted private key; kubectl cannot use it") from None
    except (ValueError, UnsupportedAlgorithm):
        # Never echo the parser's words: they could quote key bytes.
        raise InspectError(f"{source} is not a private key that can be read "
                           "(PKCS#8, PKCS#1 or SEC1)") from None


# ----------------------------------------------------------------------------- description


@dataclass(frozen=True)
class KeyInfo:
    """A public key's algorithm and strength ('RSA', 2048) or ('ECDSA', 256, 'P-256')."""

    algorithm: str
    size: int
    curve: str = ""

    def __str__(self) -> str:
        if self.curve:
            return f"{self.algorithm} {self.curve}"
        return f"{self.algorithm} {self.size}"

    @property
    def weak(self) -> bool:
        """Below what NIST SP 800-131A allows today: RSA/DSA under 2048 bits, EC under 224."""
        if self.algorithm in ("RSA", "DSA"):
            return self.size < 2048
        if self.algorithm == "ECDSA":
            return self.size < 224
        return False


_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521", "secp224r1": "P-224"}


def key_info(public_key) -> KeyInfo:
    if isinstance(public_key, rsa.RSAPublicKey):
        return KeyInfo("RSA", public_key.key_size)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return KeyInfo("ECDSA", public_key.curve.key_size,
                       _CURVES.get(public_key.curve.name, public_key.curve.name))
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return KeyInfo("Ed25519", 256)
    if isinstance(public_key, ed448.Ed448PublicKey):
        return KeyInfo("Ed448", 456)
    if isinstance(public_key, dsa.DSAPublicKey):
        return KeyInfo("DSA", public_key.key_size)
    return KeyInfo(type(public_key).__name__, 0)


@dataclass(frozen=True)
class CertInfo:
    """What a person (and the API server) needs to know about one certificate.

    `common_name` and `organizations` are the identity a *client* certificate carries: the API
    server's x509 authenticator takes CN as the user name and every O as a group
    (k8s.io/apiserver `pkg/authentication/request/x509.CommonNameUserConversion`).
    """

    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    sans: tuple[str, ...]
    key: KeyInfo
    signature_algorithm: str
    common_name: str
    organizations: tuple[str, ...]
    is_ca: bool
    self_signed: bool
    client_auth: bool | None  # None: no extended key usage extension (any use allowed)
    server_auth: bool | None
    sha256: str
    pem: str = field(repr=False, compare=False)

    # -- time

    def remaining(self, now: dt.datetime) -> dt.timedelta:
        return self.not_after - now

    def expiry_words(self, now: dt.datetime) -> str:
        if now < self.not_before:
            return f"not valid yet ({expiry_words(self.not_before, now).replace('expires', 'starts')})"
        return expiry_words(self.not_after, now)

    def status(self, now: dt.datetime, warn: dt.timedelta) -> str:
        """'expired', 'not-yet-valid', 'expiring' (within `warn`) or 'ok'."""
        if now >= self.not_after:
            return "expired"
        if now < self.not_before:
            return "not-yet-valid"
        if self.not_after - now <= warn:
            return "expiring"
        return "ok"

    def urgency(self, now: dt.datetime) -> str:
        """The timeline colour bucket: 'expired', 'urgent' (< 14 days), 'soon' (< 60 days), 'fine'."""
        left = self.not_after - now
        if left <= dt.timedelta(0) or now < self.not_before:
            return "expired"
        if left < URGENT:
            return "urgent"
        if left < SOON:
            return "soon"
        return "fine"

    # -- identity

    @property
    def masters(self) -> bool:
        """Carries the `system:masters` group: the API server lets it do anything, before RBAC
        is even asked, and a certificate cannot be revoked — only the CA can be rotated."""
        return SYSTEM_MASTERS in self.organizations

    @property
    def masters_warning(self) -> str:
        return ("this certificate is in the group system:masters: it bypasses all authorization "
                "(RBAC is never consulted) and cannot be revoked until it expires or the cluster "
                "CA is rotated; use it for break-glass only and keep a day-to-day identity")

    def to_json(self, now: dt.datetime) -> dict:
        return {
            "subject": self.subject, "issuer": self.issuer, "serial": self.serial,
            "notBefore": self.not_before.isoformat(), "notAfter": self.not_after.isoformat(),
            "expiry": self.expiry_words(now), "sans": list(self.sans), "key": str(self.key),
            "keyAlgorithm": self.key.algorithm, "keySize": self.key.size,
            "signatureAlgorithm": self.signature_algorithm, "commonName": self.common_name,
            "organizations": list(self.organizations), "isCA": self.is_ca,
            "selfSigned": self.self_signed, "sha256": self.sha256,
            "systemMasters": self.masters,
        }


def _name_values(name: x509.Name, oid) -> tuple[str, ...]:
    out = []
    for attr in name.get_attributes_for_oid(oid):
        value = attr.value
        out.append(value if isinstance(value, str) else value.decode("utf-8", "replace"))
    return tuple(out)


def _format_serial(serial: int) -> str:
    raw = serial.to_bytes((serial.bit_length() + 7) // 8 or 1, "big", signed=False) \
        if serial >= 0 else str(serial).encode()
    return ":".join(f"{b:02X}" for b in raw) if serial >= 0 else str(serial)


def _sans(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    out = []
    for name in ext:
        if isinstance(name, x509.DNSName):
            out.append(f"DNS:{name.value}")
        elif isinstance(name, x509.IPAddress):
            out.append(f"IP:{name.value}")
        elif isinstance(name, x509.RFC822Name):
            out.append(f"email:{name.value}")
        elif isinstance(name, x509.UniformResourceIdentifier):
            out.append(f"URI:{name.value}")
        else:
            out.append(f"{type(name).__name__}:{name.value!r}")
    return tuple(out)


def _eku(cert: x509.Certificate) -> tuple[bool | None, bool | None]:
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None, None
    return (ExtendedKeyUsageOID.CLIENT_AUTH in usages, ExtendedKeyUsageOID.SERVER_AUTH in usages)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _signature_algorithm(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid
    return getattr(oid, "_name", None) or oid.dotted_string


def describe(cert: x509.Certificate, source: str = "certificate") -> CertInfo:
    """The report view of one certificate. Raises InspectError when a field cannot be read."""
    try:
        eku = _eku(cert)
        return CertInfo(
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            serial=_format_serial(cert.serial_number),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            sans=_sans(cert),
            key=key_info(cert.public_key()),
            signature_algorithm=_signature_algorithm(cert),
            common_name=", ".join(_name_values(cert.subject, NameOID.COMMON_NAME)),
            organizations=_name_values(cert.subject, NameOID.ORGANIZATION_NAME),
            is_ca=_is_ca(cert),
            self_signed=cert.issuer == cert.subject,
            client_auth=eku[0], server_auth=eku[1],
            sha256=hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
            pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise InspectError(f"{source}: a field of the certificate cannot be read ({reason})") from None


# ----------------------------------------------------------------------------- checks


def _spki(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def key_matches(cert: x509.Certificate, key) -> bool:
    """Does the private key belong to the certificate? (what `tls.X509KeyPair` checks before
    kubectl ever connects: "private key does not match public key")."""
    return _spki(cert.public_key()) == _spki(key.public_key())


def issued_by(cert: x509.Certificate, bundle: Iterable[x509.Certificate]) -> x509.Certificate | None:
    """The certificate in `bundle` that signed `cert` (name match and a good signature), or None.

    Only the direct issuer is looked for: a client certificate under an intermediate needs the
    intermediate in the bundle, which is also what the API server's --client-ca-file demands.
    """
    for ca in bundle:
        if ca.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(ca)
        except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
            continue
        return ca
    return None


@dataclass(frozen=True)
class Check:
    """One verdict about a certificate: `level` is 'error', 'warning' or 'ok'."""

    level: str
    text: str
    fatal: bool = False   # kubectl or the API server will refuse the credential because of it


def bundle_checks(bundle: Sequence[CertInfo], now: dt.datetime, warn: dt.timedelta) -> list[Check]:
    """The offline part of "does the cluster's CA verify the server": the bundle's own validity.
    (Whether the server's chain ends in it needs a connection; kubewallet never connects.)"""
    checks = []
    for info in bundle:
        status = info.status(now, warn)
        if status == "expired":
            checks.append(Check("error", f"CA {info.subject} {info.expiry_words(now)}: "
                                         "kubectl will refuse the server's certificate"))
        elif status == "not-yet-valid":
            checks.append(Check("error", f"CA {info.subject} is {info.expiry_words(now)}"))
        elif status == "expiring":
            checks.append(Check("warning", f"CA {info.subject} {info.expiry_words(now)}"))
        if not info.is_ca:
            checks.append(Check("warning", f"{info.subject} in the CA bundle is not a CA "
                                           "certificate (basicConstraints CA:FALSE or missing)"))
    if bundle and not checks:
        checks.append(Check("ok", f"{len(bundle)} CA certificate(s), all valid"))
    return checks


def client_checks(cert: x509.Certificate, info: CertInfo, *, key=None,
                  bundle: Sequence[x509.Certificate] = (), now: dt.datetime,
                  warn: dt.timedelta) -> list[Check]:
    """Everything worth saying about a client certificate, loudest first."""
    checks = []
    if info.masters:
        checks.append(Check("error", info.masters_warning))
    status = info.status(now, warn)
    if status in ("expired", "not-yet-valid"):
        checks.append(Check("error", f"{info.expiry_words(now)}: the API server will answer 401"))
    elif status == "expiring":
        checks.append(Check("warning", info.expiry_words(now)))
    if key is not None:
        if key_matches(cert, key):
            checks.append(Check("ok", "the private key matches the certificate"))
        else:
            checks.append(Check("error", "the private key does not match the certificate: "
                                         "kubectl fails with 'private key does not match public key'",
                                fatal=True))
    if bundle:
        ca = issued_by(cert, bundle)
        if ca is not None:
            checks.append(Check("ok", f"signed by {ca.subject.rfc4514_string()} from the cluster's CA bundle"))
        else:
            checks.append(Check("warning", "not signed by any certificate in the cluster's CA bundle "
                                           "(the API server may use a different client CA)"))
    if info.client_auth is False:
        checks.append(Check("error", "extended key usage does not include clientAuth: "
                                     "the API server will reject it", fatal=True))
    if not info.common_name:
        checks.append(Check("error", "no Common Name: the API server derives no user name from it",
                            fatal=True))
    if info.key.weak:
        checks.append(Check("warning", f"weak key ({info.key})"))
    return checks
