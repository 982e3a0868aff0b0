"""Test material for the inspect area, all made at test time: JWTs signed with PyJWT (RSA and EC
keys, with their JWKS), ServiceAccount and OIDC claim sets, and certificate chains with an
intermediate CA. Nothing here is ever written to the repository.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from tests.support.certs import Issued, Pki, new_key

UTC = dt.timezone.utc


class Signer:
    """A token issuer's signing key with its JWKS (what an OIDC provider or the API server's
    --service-account-signing-key-file holds)."""

    def __init__(self, kind: str = "rsa", kid: str = "test-key-1") -> None:
        self.key = new_key(kind)
        self.kid = kid
        self.alg = "RS256" if kind == "rsa" else "ES256"

    @property
    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)

    @property
    def jwks(self) -> dict:
        algo = jwt.algorithms.RSAAlgorithm if self.alg == "RS256" else jwt.algorithms.ECAlgorithm
        jwk = json.loads(algo.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", alg=self.alg)
        return {"keys": [jwk]}

    def sign(self, claims: dict, headers: dict | None = None) -> str:
        return jwt.encode(claims, self.key, algorithm=self.alg,
                          headers={"kid": self.kid, **(headers or {})})


def oidc_claims(sub: str = "1234", *, iss: str = "https://issuer.example", aud: str = "kubernetes",
                expires_in: float = 3600, **extra) -> dict:
    now = int(time.time())
    return {"iss": iss, "sub": sub, "aud": aud, "iat": now, "exp": now + int(expires_in), **extra}


def bound_sa_claims(ns: str = "team-a", name: str = "deployer", *, expires_in: float = 3600,
                    pod: str | None = "web-0", node: str | None = "node-1") -> dict:
    """What the TokenRequest API puts in a bound ServiceAccount token (k8s claims.go)."""
    now = int(time.time())
    private: dict = {"namespace": ns, "serviceaccount": {"name": name, "uid": "sa-uid-1"}}
    if pod:
        private["pod"] = {"name": pod, "uid": "pod-uid-1"}
    if node:
        private["node"] = {"name": node, "uid": "node-uid-1"}
    return {"aud": ["https://kubernetes.default.svc"], "exp": now + int(expires_in), "iat": now,
            "nbf": now, "iss": "https://kubernetes.default.svc", "jti": "jti-1",
            "sub": f"system:serviceaccount:{ns}:{name}", "kubernetes.io": private}


def legacy_sa_claims(ns: str = "kube-system", name: str = "ci-bot") -> dict:
    """A Secret-based ServiceAccount token as Kubernetes before 1.24 minted them (legacy.go):
    no exp, no aud."""
    return {"iss": "kubernetes/serviceaccount",
            "kubernetes.io/serviceaccount/namespace": ns,
            "kubernetes.io/serviceaccount/secret.name": f"{name}-token-abcde",
            "kubernetes.io/serviceaccount/service-account.name": name,
            "kubernetes.io/serviceaccount/service-account.uid": "legacy-uid-1",
            "sub": f"system:serviceaccount:{ns}:{name}"}


def intermediate(root: Pki, cn: str = "kubewallet-intermediate") -> Pki:
    """A Pki whose CA certificate is signed by `root` (a two-level chain)."""
    sub = Pki(cn)
    now = dt.datetime.now(UTC)
    sub.cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(root.cert.subject)
        .public_key(sub.key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=300))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(root.key, hashes.SHA256())
    )
    return sub


def der(issued: Issued) -> bytes:
    return issued.cert.public_bytes(serialization.Encoding.DER)
