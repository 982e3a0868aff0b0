"""JSON Web Tokens: decode any JWT, optionally check its signature.

Decoding is done here by hand (RFC 7515 §7.1 compact serialization: three base64url segments,
RFC 7519 claims) rather than with `jwt.decode(verify_signature=False)`, because a person pasting
a broken token deserves to know *which* part is broken: the segment count, the base64url of one
segment, or its JSON. Signature checks use PyJWT against a JWKS (file or URL) or a PEM public
key/certificate; without one the token is labelled "unverified", never silently trusted.

Errors never quote the token: a JWT is a bearer credential.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kubewallet.errors import InspectError
from kubewallet.inspect.timewords import UTC, expiry_words, relative

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_SEGMENTS = ("header", "claims", "signature")
TIME_CLAIMS = ("exp", "iat", "nbf")


def _b64url_decode(segment: str, index: int) -> bytes:
    name = _SEGMENTS[index]
    bad = next((i for i, c in enumerate(segment) if not (c.isascii() and (c.isalnum() or c in "-_"))), None)
    if bad is not None:
        hint = " ('=' padding is not allowed in a JWT)" if segment[bad] == "=" else ""
        if segment[bad] in "+/":
            hint = " ('+' and '/' are standard base64, a JWT uses the URL-safe '-' and '_')"
        raise InspectError(f"segment {index + 1} ({name}) is not base64url: "
                           f"a character at position {bad + 1} is outside A-Z a-z 0-9 - _{hint}")
    if len(segment) % 4 == 1:
        raise InspectError(f"segment {index + 1} ({name}) is not base64url: its length "
                           f"({len(segment)}) cannot be valid (truncated?)")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise InspectError(f"segment {index + 1} ({name}) is not base64url") from None


def _json_segment(segment: str, index: int) -> dict:
    raw = _b64url_decode(segment, index)
    name = _SEGMENTS[index]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InspectError(f"segment {index + 1} ({name}) decodes to bytes that are not UTF-8 "
                           "text, so not JSON") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InspectError(f"segment {index + 1} ({name}) is not JSON "
                           f"({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InspectError(f"segment {index + 1} ({name}) is JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise InspectError(f"segment {index + 1} ({name}) is JSON but not an object "
                           f"(it is a {type(value).__name__})")
    return value


@dataclass(frozen=True)
class DecodedToken:
    """A JWT taken apart. `raw` is the token itself (a secret: never print it)."""

    header: dict
    claims: dict
    signature: bytes
    raw: str = field(repr=False)
    problems: tuple[str, ...] = ()

    @property
    def algorithm(self) -> str:
        return str(self.header.get("alg", ""))

    @property
    def key_id(self) -> str:
        return str(self.header.get("kid", ""))

    @property
    def issuer(self) -> str:
        iss = self.claims.get("iss")
        return iss if isinstance(iss, str) else ""

    @property
    def audience(self) -> tuple[str, ...]:
        aud = self.claims.get("aud")
        if isinstance(aud, str):
            return (aud,)
        if isinstance(aud, list):
            return tuple(a for a in aud if isinstance(a, str))
        return ()

    def time(self, claim: str) -> dt.datetime | None:
        """A NumericDate claim (RFC 7519 §2) as an aware UTC datetime; None when absent or bad."""
        value = self.claims.get(claim)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        try:
            return dt.datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None

    @property
    def expires_at(self) -> dt.datetime | None:
        return self.time("exp")

    def expired(self, now: dt.datetime) -> bool:
        exp = self.expires_at
        return exp is not None and now >= exp

    def expiry_words(self, now: dt.datetime) -> str:
        return expiry_words(self.expires_at, now)

    def times(self, now: dt.datetime) -> list[tuple[str, dt.datetime, str]]:
        """[(claim, when, 'in 3 hours' | '2 days ago')] for exp, iat and nbf when present."""
        out = []
        for claim in TIME_CLAIMS:
            when = self.time(claim)
            if when is not None:
                out.append((claim, when, relative(when, now)))
        return out


def decode(token: str) -> DecodedToken:
    """Take a compact JWS apart without checking its signature.

    A 'Bearer ' prefix and surrounding whitespace (a pasted header, a token file's newline) are
    forgiven; anything else wrong is an `InspectError` that names the segment and the fault.
    """
    if not isinstance(token, str):
        raise InspectError("a token is text")
    text = token.strip()
    if text[:7].lower() == "bearer ":
        text = text[7:].strip()
    if not text:
        raise InspectError("the token is empty")
    if any(c.isspace() for c in text):
        raise InspectError("the token contains whitespace inside it (a line break from copying?)")
    parts = text.split(".")
    if len(parts) == 5:
        raise InspectError("this is a JWE (an encrypted token, five segments): its claims cannot "
                           "be read without the recipient's private key")
    if len(parts) != 3:
        raise InspectError(f"a JWT has 3 segments separated by dots (header.claims.signature); "
                           f"this has {len(parts)}",
                           hint="a token with no dots at all is an opaque token: only the server "
                                "that issued it knows what it means" if len(parts) == 1 else None)
    header = _json_segment(parts[0], 0)
    claims = _json_segment(parts[1], 1)
    signature = _b64url_decode(parts[2], 2)
    problems = []
    if "alg" not in header:
        problems.append("the header has no 'alg'")
    elif header.get("alg") == "none":
        problems.append("alg is 'none': the token is unsigned and no server may accept it")
    for claim in TIME_CLAIMS:
        if claim in claims and (isinstance(claims[claim], bool)
                                or not isinstance(claims[claim], (int, float))
                                or DecodedToken(header, claims, b"", "").time(claim) is None):
            problems.append(f"claim '{claim}' is not a NumericDate (seconds since 1970)")
    if header.get("alg") not in (None, "none") and not signature:
        problems.append("the signature segment is empty")
    return DecodedToken(header, claims, signature, text, tuple(problems))


def looks_like_jwt(token: str) -> bool:
    text = token.strip()
    parts = text.split(".")
    return len(parts) == 3 and all(_B64URL.match(p) for p in parts) and text.startswith("eyJ")


# ----------------------------------------------------------------------------- signatures


@dataclass(frozen=True)
class Verification:
    """The outcome of a signature check. `state` is 'verified', 'unverified' (nothing to check
    against) or 'invalid' (checked, and it does not hold)."""

    state: str
    detail: str

    @property
    def label(self) -> str:
        return {"verified": "signature verified", "unverified": "unverified (signature not checked)",
                "invalid": "INVALID signature"}[self.state] + (f": {self.detail}" if self.detail else "")


UNVERIFIED = Verification("unverified", "no JWKS or public key given")

_ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
               "ES256K", "EdDSA")


def _check(token: DecodedToken, key) -> Verification:
    import jwt

    try:
        jwt.decode(token.raw, key=key, algorithms=[token.algorithm],
                   options={"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                            "verify_iat": False, "verify_aud": False, "verify_iss": False,
                            "require": []})
    except jwt.InvalidSignatureError:
        return Verification("invalid", "the signature does not match the key")
    except jwt.InvalidAlgorithmError as exc:
        return Verification("invalid", f"the key cannot check {token.algorithm} ({exc})")
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        return Verification("invalid", f"{type(exc).__name__}: {str(exc)[:120]}")
    return Verification("verified", "")


def _precheck(token: DecodedToken) -> Verification | None:
    if token.algorithm == "none":
        return Verification("invalid", "alg 'none' is never accepted")
    if token.algorithm.startswith("HS"):
        return Verification("unverified", f"{token.algorithm} is a shared-secret MAC; "
                                          "no public key can check it")
    if token.algorithm not in _ASYMMETRIC:
        return Verification("invalid", f"unsupported algorithm {token.algorithm!r}")
    return None


def verify_with_public_key(token: DecodedToken, pem: bytes | str) -> Verification:
    """Check against a PEM public key or a PEM certificate (its public key)."""
    early = _precheck(token)
    if early:
        return early
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    data = pem.encode() if isinstance(pem, str) else pem
    try:
        if b"CERTIFICATE" in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InspectError("the public key is not a PEM public key or certificate") from None
    return _check(token, key)


def verify_with_jwks(token: DecodedToken, jwks: dict | str) -> Verification:
    """Check against a JWK Set (RFC 7517 §5), given as a dict or its JSON text; the key is picked
    by the token's `kid`, or the only key of the set when the token names none."""
    early = _precheck(token)
    if early:
        return early
    import jwt

    if isinstance(jwks, str):
        try:
            jwks = json.loads(jwks)
        except json.JSONDecodeError as exc:
            raise InspectError(f"the JWKS is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise InspectError("the JWKS has no 'keys' list")
    try:
        keyset = jwt.PyJWKSet.from_dict(jwks)
    except jwt.PyJWTError as exc:
        raise InspectError(f"the JWKS has no usable key ({str(exc)[:120]})") from None
    keys = [k for k in keyset.keys if not token.key_id or k.key_id == token.key_id]
    if not keys:
        return Verification("invalid", f"no key with kid {token.key_id!r} in the JWKS "
                                       "(rotated away, or the wrong issuer)")
    last = UNVERIFIED
    for key in keys:
        last = _check(token, key.key)
        if last.state == "verified":
            return last
    return last


def verify_with_jwks_url(token: DecodedToken, url: str, timeout: float = 10.0) -> Verification:
    """Fetch a JWKS over HTTP(S) (an issuer's `jwks_uri`) and check against it."""
    import urllib.error
    import urllib.request

    if not url.startswith(("https://", "http://")):
        raise InspectError(f"the JWKS URL must be http(s): {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            body = response.read(2_000_000).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise InspectError(f"cannot fetch the JWKS from {url} ({getattr(exc, 'reason', exc)})") from None
    return verify_with_jwks(token, body)


def verify(token: DecodedToken, source: str | None) -> Verification:
    """`--verify SOURCE`: a JWKS URL, a JWKS file, or a PEM public key / certificate file."""
    if not source:
        return UNVERIFIED
    if source.startswith(("https://", "http://")):
        return verify_with_jwks_url(token, source)
    path = Path(source).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InspectError(f"cannot read {path} ({exc.strerror})") from None
    if data.lstrip().startswith(b"{"):
        return verify_with_jwks(token, data.decode("utf-8", "replace"))
    return verify_with_public_key(token, data)
