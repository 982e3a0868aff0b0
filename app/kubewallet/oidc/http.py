"""HTTP to the provider: JSON GETs and form POSTs over the TLS settings the user gave.

urllib from the standard library is enough for the few calls a login makes (discovery, JWKS,
token, device authorization, revocation); it is imported only when one of them is due. OAuth
error bodies (RFC 6749 §5.2: `error`, `error_description`) become OidcErrors naming the
endpoint; secrets in the request are never part of a message.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from kubewallet.errors import OidcError
from kubewallet.oidc.config import TlsSettings

USER_AGENT = "kubewallet-oidc-login"


class OAuthError(OidcError):
    """The provider answered with an OAuth error (RFC 6749 §5.2, RFC 8628 §3.5)."""

    def __init__(self, endpoint: str, status: int, error: str, description: str = "") -> None:
        text = f"{endpoint} refused the request: {error}"
        if description:
            text += f" ({description})"
        super().__init__(text)
        self.endpoint = endpoint
        self.status = status
        self.error = error
        self.description = description


def ssl_context(tls: TlsSettings) -> ssl.SSLContext:
    """The system trust store plus the given CAs, or no verification when the user asked for that."""
    ctx = ssl.create_default_context()
    if tls.insecure_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    for path in tls.ca_files:
        try:
            ctx.load_verify_locations(cafile=path)
        except (OSError, ssl.SSLError) as exc:
            raise OidcError(f"cannot load the certificate authority file {path}: {exc}") from None
    for data in tls.ca_data:
        try:
            pem = base64.b64decode(data, validate=False).decode("ascii")
            ctx.load_verify_locations(cadata=pem)
        except (ValueError, UnicodeDecodeError, ssl.SSLError):
            raise OidcError("--certificate-authority-data is not base64-encoded PEM") from None
    return ctx


@dataclass
class HttpClient:
    tls: TlsSettings
    timeout: float = 30.0

    def __post_init__(self) -> None:
        self._ctx = ssl_context(self.tls)

    def _open(self, req: urllib.request.Request, endpoint: str) -> tuple[int, bytes]:
        req.add_header("User-Agent", USER_AGENT)
        req.add_header("Accept", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout, context=self._ctx) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ssl.SSLCertVerificationError):
                raise OidcError(f"cannot verify the TLS certificate of {endpoint} "
                                f"({reason.verify_message})",
                                hint="pass --certificate-authority=CA.pem for a private CA") from None
            raise OidcError(f"cannot reach {endpoint}: {reason}") from None
        except (TimeoutError, OSError) as exc:
            raise OidcError(f"cannot reach {endpoint}: {exc}") from None

    @staticmethod
    def _json(body: bytes, endpoint: str) -> dict:
        try:
            value = json.loads(body)
        except ValueError:
            raise OidcError(f"{endpoint} did not answer with JSON") from None
        if not isinstance(value, dict):
            raise OidcError(f"{endpoint} answered with JSON that is not an object")
        return value

    def get_json(self, url: str, endpoint: str) -> dict:
        status, body = self._open(urllib.request.Request(url), endpoint)
        if status != 200:
            raise OidcError(f"{endpoint} answered HTTP {status} ({url})")
        return self._json(body, endpoint)

    def post_form(self, url: str, data: dict[str, str] | str, endpoint: str,
                  basic_auth: tuple[str, str] | None = None) -> dict:
        """POST application/x-www-form-urlencoded (a dict, or a body already encoded by Authlib);
        an OAuth error body raises OAuthError."""
        encoded = data if isinstance(data, str) else urllib.parse.urlencode(data)
        req = urllib.request.Request(url, data=encoded.encode(), method="POST")
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
        if basic_auth is not None:
            # RFC 6749 §2.3.1: both parts form-urlencoded before base64.
            user, password = (urllib.parse.quote(p, safe="") for p in basic_auth)
            req.add_header("Authorization",
                           "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
        status, body = self._open(req, endpoint)
        if status == 200 and not body.strip():
            return {}
        try:
            value = json.loads(body) if body.strip() else {}
        except ValueError:
            value = None
        if status != 200:
            if isinstance(value, dict) and isinstance(value.get("error"), str):
                raise OAuthError(endpoint, status, value["error"],
                                 str(value.get("error_description") or ""))
            raise OidcError(f"{endpoint} answered HTTP {status}")
        if not isinstance(value, dict):
            raise OidcError(f"{endpoint} did not answer with a JSON object")
        return value
