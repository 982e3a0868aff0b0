"""Renewing a client certificate through the Kubernetes CSR API.

`start_renewal` makes a fresh private key of the same kind as the current one, keeps it in the
vault (never on disk, never printed) and writes a `certificates.k8s.io/v1`
CertificateSigningRequest for the *same* identity — CN and every O of the current certificate —
with signer `kubernetes.io/kube-apiserver-client` and usage `client auth`, the only combination
that signer accepts for client certificates (Kubernetes docs, "Certificates and Certificate
Signing Requests"). An admin approves it (`kubectl certificate approve`), and
`import_certificate` takes the issued certificate back: it must match the kept key, carry the
same identity (unless told otherwise) and be valid now; then it is swapped in — into the vault
for a user kubewallet secured, else inline in the kubeconfig through the engine's safe save.

Where keys are kept is injected (`SecretStore`: get/put/delete), so tests and the GUI can pass
the vault they already opened.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol

from kubewallet.errors import InspectError
from kubewallet.inspect import certificates as certs
from kubewallet.inspect.sources import Material, user_credentials

SIGNER = "kubernetes.io/kube-apiserver-client"
USAGES = ("client auth",)
MIN_EXPIRATION = 600  # the API server rejects spec.expirationSeconds below 10 minutes


class SecretStore(Protocol):
    def get(self, ref: str) -> str | None: ...
    def put(self, ref: str, value: str, *, meta: dict | None = None) -> None: ...
    def delete(self, ref: str) -> None: ...


def vault_store() -> SecretStore:
    """The user's vault (`kubewallet.vault.open_vault()`)."""
    from kubewallet.vault import open_vault

    return open_vault()


def key_ref(user: str) -> str:
    """Where the pending renewal key of `user` is kept until its certificate is imported."""
    return f"renewal/{user}/client-key"


@dataclass(frozen=True)
class RenewalRequest:
    user: str
    name: str
    key_ref: str
    key_type: str
    common_name: str
    organizations: tuple[str, ...]
    csr_pem: str
    manifest: str


@dataclass(frozen=True)
class ImportResult:
    user: str
    destination: str     # "vault users/jane" or the kubeconfig file written
    info: certs.CertInfo
    summary: str


def _current(ws, user: str, store: SecretStore | None):
    """The user's current client certificate (leaf) and where it is kept."""
    creds = user_credentials(ws, user, (lambda ref: store.get(ref)) if store is not None else None)
    if creds.missing:
        raise InspectError(f"user {user!r} not found", hint="'kubewallet config view' lists the users")
    material = creds.client_cert
    if material is None and creds.vault is not None:
        if creds.vault.error:
            raise InspectError(creds.vault.error)
        if creds.vault.cert_pem:
            material = Material(f"vault {creds.vault.ref}", creds.vault.cert_pem.encode())
    if material is None:
        raise InspectError(f"user {user!r} has no client certificate to renew")
    if material.data is None:
        raise InspectError(material.error)
    leaf = certs.load_certificates(material.data, material.source)[0]
    return leaf, creds


def _new_key(kind: str, like):
    """A key of `kind`, as strong as `like` (the current public key) and never below RSA 2048."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if kind == "rsa":
        size = max(2048, like.key_size if isinstance(like, rsa.RSAPublicKey) else 2048)
        key = rsa.generate_private_key(public_exponent=65537, key_size=size)
    else:
        curve = like.curve if isinstance(like, ec.EllipticCurvePublicKey) else ec.SECP256R1()
        key = ec.generate_private_key(curve)
    return key, str(certs.key_info(key.public_key()))


def make_csr(key, common_name: str, organizations: tuple[str, ...]) -> str:
    """A PKCS#10 request with the identity in the subject (O before CN, as kubeadm writes it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519
    from cryptography.x509.oid import NameOID

    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    algorithm = None if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)) else hashes.SHA256()
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attrs)).sign(key, algorithm)
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def csr_name(user: str, now: dt.datetime) -> str:
    """A valid object name (DNS subdomain): lower case, digits, '-' and '.'."""
    slug = re.sub(r"[^a-z0-9.-]+", "-", user.lower()).strip("-.")[:200] or "user"
    return f"kubewallet-{slug}-{now.strftime('%Y%m%d-%H%M%S')}"


def csr_manifest(name: str, csr_pem: str, *, user: str, expiration_seconds: int | None = None) -> str:
    import yaml

    spec: dict = {"request": base64.b64encode(csr_pem.encode()).decode(), "signerName": SIGNER,
                  "usages": list(USAGES)}
    if expiration_seconds is not None:
        if expiration_seconds < MIN_EXPIRATION:
            raise InspectError("--expiration must be at least 10 minutes (the API server's minimum)")
        spec["expirationSeconds"] = int(expiration_seconds)
    doc = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
           "metadata": {"name": name, "annotations": {"kubewallet.io/user": user}},
           "spec": spec}
    return yaml.safe_dump(doc, sort_keys=False)


def start_renewal(ws, user: str, *, store: SecretStore, key_type: str | None = None,
                  expiration_seconds: int | None = None, name: str | None = None,
                  now: dt.datetime | None = None) -> RenewalRequest:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = now or dt.datetime.now(dt.timezone.utc)
    leaf, _ = _current(ws, user, store)
    info = certs.describe(leaf)
    if not info.common_name:
        raise InspectError(f"the current certificate of {user!r} has no Common Name to renew")
    current_key = leaf.public_key()
    kind = key_type or ("rsa" if isinstance(current_key, rsa.RSAPublicKey) else "ecdsa")
    key, words = _new_key(kind, current_key)
    csr_pem = make_csr(key, info.common_name, info.organizations)
    name = name or csr_name(user, now)
    manifest = csr_manifest(name, csr_pem, user=user, expiration_seconds=expiration_seconds)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    ref = key_ref(user)
    store.put(ref, pem, meta={"kind": "renewal-key", "user": user, "csr": name,
                              "created": now.replace(microsecond=0).isoformat()})
    return RenewalRequest(user, name, ref, words, info.common_name, info.organizations, csr_pem, manifest)


def import_certificate(rules, user: str, data: bytes | str, *, store: SecretStore,
                       allow_identity_change: bool = False,
                       now: dt.datetime | None = None) -> ImportResult:
    """Check the issued certificate against the kept key and the current identity, then swap it
    in. Nothing is written when a check fails."""
    from cryptography.hazmat.primitives import serialization

    from kubewallet.kubeconfig import load_workspace, run_edit

    now = now or dt.datetime.now(dt.timezone.utc)
    chain = certs.load_certificates(data, "the signed certificate")
    leaf = chain[0]
    info = certs.describe(leaf, "the signed certificate")
    ref = key_ref(user)
    key_pem = store.get(ref)
    if key_pem is None:
        raise InspectError(f"no renewal key for {user!r} in the vault",
                           hint=f"run 'kubewallet certs renew {user}' first")
    key = certs.load_private_key(key_pem, f"vault {ref}")
    if not certs.key_matches(leaf, key):
        raise InspectError("the certificate does not match the key made by 'kubewallet certs renew' "
                           f"for {user!r} (signed for another request?)")
    status = info.status(now, dt.timedelta(0))
    if status != "ok":
        raise InspectError(f"the signed certificate {info.expiry_words(now)}")
    if info.client_auth is False:
        raise InspectError("the signed certificate is not for client authentication (no clientAuth usage)")

    ws = load_workspace(rules)
    old, creds = _current(ws, user, store)
    old_info = certs.describe(old)
    if not allow_identity_change and (old_info.common_name, sorted(old_info.organizations)) != (
            info.common_name, sorted(info.organizations)):
        raise InspectError(
            f"the signed certificate is for CN={info.common_name} O={','.join(info.organizations) or '-'}, "
            f"the current one for CN={old_info.common_name} O={','.join(old_info.organizations) or '-'}",
            hint="pass --allow-identity-change if that is intended")

    cert_pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain)
    if creds.vault is not None and creds.client_cert is None:
        from kubewallet.credentials.secure import served_record

        value, meta = served_record({"clientCertificateData": cert_pem, "clientKeyData": key_pem},
                                    "client-certificate", user)
        store.put(creds.vault.ref, value, meta=meta)
        destination = f"vault {creds.vault.ref}"
    else:
        def edit(ws):
            body = dict(ws.users[user].body)
            for field_name in ("client-certificate", "client-key"):
                body.pop(field_name, None)
            body["client-certificate-data"] = base64.b64encode(cert_pem.encode()).decode()
            body["client-key-data"] = base64.b64encode(key_pem.encode()).decode()
            ws.set_entry("users", user, body)
            return ws.users[user].file

        destination = run_edit(rules, edit)
    store.delete(ref)
    summary = (f"user {user}: new client certificate CN={info.common_name}"
               + "".join(f", O={o}" for o in info.organizations)
               + f", {info.expiry_words(now)}, stored in {destination}")
    return ImportResult(user, destination, info, summary)
