"""Checking an id_token before anyone uses it (OIDC Core §3.1.3.7).

Signature against the provider's JWKS (refetched once when the token names a key we do not know:
the provider rotated its keys), then `iss`, `aud`/`azp`, `exp` (with a small clock-skew
allowance), `iat`, and `nonce` when the token came from a login we started. Only asymmetric
algorithms are accepted: `none` and HMAC (keyed with the client secret, which a public client does
not have) are refused. PyJWT does the cryptography; it is imported only here, on the slow path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from kubewallet.errors import OidcError
from kubewallet.oidc.jwtpeek import numeric_claim, peek

ALLOWED_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
CLOCK_SKEW = 60.0


class IdTokenError(OidcError):
    """The id_token failed a check; no token is used or cached."""


@dataclass
class Jwks:
    """The provider's signing keys, fetched lazily, refetched at most once per verification."""

    fetch: Callable[[], dict]
    _keys: dict | None = field(default=None, repr=False)
    fetches: int = 0

    def _load(self) -> dict:
        doc = self.fetch()
        self.fetches += 1
        keys = doc.get("keys") if isinstance(doc, dict) else None
        if not isinstance(keys, list):
            raise OidcError("the provider's JWKS has no 'keys' list")
        self._keys = {}
        for i, jwk in enumerate(keys):
            if isinstance(jwk, dict) and jwk.get("use", "sig") == "sig":
                self._keys[jwk.get("kid") or f"#{i}"] = jwk
        return self._keys

    def key_for(self, kid: str | None) -> dict:
        keys = self._keys if self._keys is not None else self._load()
        found = self._find(keys, kid)
        if found is None and self.fetches < 2:
            found = self._find(self._load(), kid)   # key rotation: refetch once
        if found is None:
            raise IdTokenError(f"the id_token is signed with a key the provider does not publish "
                               f"(kid {kid!r} is not in its JWKS)")
        return found

    @staticmethod
    def _find(keys: dict, kid: str | None) -> dict | None:
        if kid is not None:
            return keys.get(kid)
        return next(iter(keys.values())) if len(keys) == 1 else None


def verify_id_token(token: str, *, issuer: str, client_id: str, jwks: Jwks,
                    nonce: str | None = None, now: float | None = None,
                    skew: float = CLOCK_SKEW) -> dict:
    """The token's claims when every check passes; IdTokenError naming the first that fails."""
    import jwt
    from jwt.exceptions import InvalidSignatureError, InvalidTokenError, PyJWKError

    header, _ = peek(token)
    alg = header.get("alg")
    if alg not in ALLOWED_ALGS:
        raise IdTokenError(f"the id_token uses the algorithm {alg!r}; only asymmetric signatures "
                           f"({', '.join(ALLOWED_ALGS[:3])}, ...) are accepted")
    jwk = jwks.key_for(header.get("kid"))
    if jwk.get("alg") not in (None, alg):
        raise IdTokenError(f"the id_token says it is signed with {alg} but the provider's key "
                           f"{header.get('kid')!r} is for {jwk.get('alg')} (algorithm confusion)")
    try:
        key = jwt.PyJWK(jwk, algorithm=alg).key
        claims = jwt.decode(token, key=key, algorithms=[alg], options={
            "verify_signature": True, "verify_aud": False, "verify_iss": False,
            "verify_exp": False, "verify_iat": False, "verify_nbf": False})
    except InvalidSignatureError:
        raise IdTokenError("the id_token's signature does not verify against the provider's keys; "
                           "it was altered or not issued by this provider") from None
    except (InvalidTokenError, PyJWKError) as exc:
        raise IdTokenError(f"the id_token cannot be verified: {exc}") from None

    clock = time.time() if now is None else now
    if claims.get("iss") != issuer:
        raise IdTokenError(f"the id_token was issued by {claims.get('iss')!r}, not {issuer!r}")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if client_id not in audiences:
        raise IdTokenError(f"the id_token is for the audience {aud!r}, not this client "
                           f"({client_id!r}); it was issued to another application")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise IdTokenError(f"the id_token's authorized party (azp) is {azp!r}, not {client_id!r}")
    exp = numeric_claim(claims, "exp")
    if exp is None:
        raise IdTokenError("the id_token has no exp claim")
    if exp + skew < clock:
        raise IdTokenError(f"the id_token expired {int(clock - exp)} s ago")
    iat = numeric_claim(claims, "iat")
    if iat is None:
        raise IdTokenError("the id_token has no iat claim")
    if iat - skew > clock:
        raise IdTokenError(f"the id_token is issued {int(iat - clock)} s in the future; "
                           "check this machine's clock")
    if nonce is not None and claims.get("nonce") != nonce:
        raise IdTokenError("the id_token's nonce does not match the login kubewallet started; "
                           "it was replayed from another login")
    return claims
