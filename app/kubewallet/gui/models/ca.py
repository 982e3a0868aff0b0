"""A one-line summary of a certificate authority bundle for the cluster editor (no Qt).

kubectl reads `certificate-authority-data` as base64 of PEM and `certificate-authority` as a PEM
file (client-go `rest.TLSClientConfig`); a bundle may hold several certificates — the summary
names the first and counts the rest. The bytes are parsed by the engine's
`inspect.certificates.load_certificates`, the parser `kubewallet certs` uses, so the editor
accepts exactly what `certs` accepts (PEM, DER, base64 of either).
"""

from __future__ import annotations

import datetime as dt


def ca_summary(data: bytes | str, now: dt.datetime | None = None) -> str:
    """`subject · expires DATE (in N days)`, or `... EXPIRED N days ago`; raises InspectError."""
    from kubewallet.inspect.certificates import load_certificates

    certs = load_certificates(data, "the certificate authority")
    cert = certs[0]
    now = now or dt.datetime.now(dt.timezone.utc)
    end = cert.not_valid_after_utc
    subject = cert.subject.rfc4514_string() or "(empty subject)"
    when = end.strftime("%Y-%m-%d")
    if end < now:
        state = f"EXPIRED on {when} ({(now - end).days} days ago)"
    else:
        state = f"expires {when} (in {(end - now).days} days)"
    more = f" · +{len(certs) - 1} more" if len(certs) > 1 else ""
    return f"{subject} · {state}{more}"
