"""When a credential stops working: a JWT's `exp`, a certificate's `notAfter`.

`jwt_expiry` is standard library only (it runs on the plugin's hot path when a vault entry carries
no precomputed expiry); it reads the claim without checking the signature, which is the API
server's job — we only need to know when to tell kubectl to ask again (RFC 7519 §4.1.4).
`certificate_not_after` imports `cryptography` and is used when a secret is stored (by `secure`),
never on the hot path: the vault entry keeps the result as `meta["expires"]`.
"""

from __future__ import annotations

from datetime import datetime, timezone


def jwt_expiry(token: str) -> datetime | None:
    """The `exp` of a JWT (compact JWS), or None when the token is not a JWT or has no `exp`."""
    import base64
    import json

    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = claims["exp"]
        if isinstance(exp, bool) or not isinstance(exp, (int, float)):
            return None
        return datetime.fromtimestamp(exp, timezone.utc)
    except (ValueError, KeyError, TypeError, OverflowError, OSError):
        return None


def certificate_not_after(pem: str | bytes) -> datetime | None:
    """The first certificate's notAfter in a PEM bundle, or None when it does not parse."""
    from cryptography import x509

    data = pem.encode() if isinstance(pem, str) else pem
    try:
        return x509.load_pem_x509_certificate(data).not_valid_after_utc
    except ValueError:
        return None


def parse_rfc3339(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
