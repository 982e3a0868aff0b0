"""Reading a JWT's claims without checking it — for display and for the cache's expiry only.

Standard library only. A token read here is never trusted for identity: the id_token was
verified (signature, iss, aud, exp, nonce) by `idtoken.verify_id_token` before it was cached.
"""

from __future__ import annotations

import base64
import json

from kubewallet.errors import OidcError


def _b64json(part: str, what: str) -> dict:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise OidcError(f"the token's {what} is not base64url-encoded JSON") from None
    if not isinstance(value, dict):
        raise OidcError(f"the token's {what} is not a JSON object")
    return value


def peek(token: str) -> tuple[dict, dict]:
    """(header, claims) of a compact JWS; OidcError on anything that is not one (RFC 7515 §7.1)."""
    if not isinstance(token, str):
        raise OidcError("the token is not a string")
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise OidcError(f"the token is not a JWT (expected 3 dot-separated parts, got {len(parts)})")
    return _b64json(parts[0], "header"), _b64json(parts[1], "payload")


def numeric_claim(claims: dict, name: str) -> float | None:
    """A NumericDate claim (RFC 7519 §2) as float seconds, or None when absent or not a number."""
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
