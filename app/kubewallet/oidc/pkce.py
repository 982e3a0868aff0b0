"""PKCE (RFC 7636) with S256 only, and the one-time `state` and `nonce` values.

`plain` is never offered: it protects nothing against an attacker who sees the authorization
request (RFC 7636 §4.2, RFC 9700 §2.1.1 "S256 ... MUST be used"). The challenge is Authlib's
(`rfc7636.create_s256_code_challenge`); only the random values are ours (`secrets`).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field

from authlib.oauth2.rfc7636 import create_s256_code_challenge


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def challenge_for(verifier: str) -> str:
    return create_s256_code_challenge(verifier)


@dataclass(frozen=True)
class Pkce:
    verifier: str = field(repr=False)
    challenge: str
    method: str = "S256"


def new_pkce() -> Pkce:
    """A 43-character verifier (32 random bytes, §4.1's minimum entropy) and its S256 challenge."""
    verifier = _b64(secrets.token_bytes(32))
    return Pkce(verifier, challenge_for(verifier))


def random_token() -> str:
    """An unguessable `state` or `nonce` value (OIDC Core §15.5.2)."""
    return _b64(secrets.token_bytes(24))
