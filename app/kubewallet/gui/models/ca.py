"""A one-line summary of a certificate authority bundle for the cluster editor (no Qt).

kubectl reads `certificate-authority-data` as base64 of PEM and `certificate-authority` as a PEM
file (client-go `rest.TLSClientConfig`); a bundle may hold several certificates — the summary
names the first and counts the rest.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from kubewallet.errors import InspectError


def _pem_from(data: bytes) -> bytes:
    stripped = data.strip()
    if stripped.startswith(b"-----BEGIN"):
        return stripped
    try:
        decoded = base64.b64decode(stripped, validate=False)
    except (binascii.Error, ValueError):
        raise InspectError("the certificate authority is neither PEM nor base64 of PEM") from None
    if b"-----BEGIN" not in decoded:
        raise InspectError("the certificate authority data does not decode to a PEM certificate")
    return decoded


def ca_summary(data: bytes | str, now: dt.datetime | None = None) -> str:
    """`subject · expires DATE (in N days)`, or `... EXPIRED N days ago`; raises InspectError."""
    from cryptography import x509

    raw = data.encode() if isinstance(data, str) else data
    pem = _pem_from(raw)
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise InspectError(f"the certificate authority does not parse: {exc}") from None
    if not certs:
        raise InspectError("no certificate found in the certificate authority data")
    cert = certs[0]
    now = now or dt.datetime.now(dt.timezone.utc)
    end = cert.not_valid_after_utc
    days = (end - now).days
    subject = cert.subject.rfc4514_string() or "(empty subject)"
    when = end.strftime("%Y-%m-%d")
    if end < now:
        state = f"EXPIRED on {when} ({(now - end).days} days ago)"
    else:
        state = f"expires {when} (in {days} days)"
    more = f" · +{len(certs) - 1} more" if len(certs) > 1 else ""
    return f"{subject} · {state}{more}"
