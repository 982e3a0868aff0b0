"""OpenID Provider metadata from `/.well-known/openid-configuration` (OIDC Discovery 1.0)."""

from __future__ import annotations

from dataclasses import dataclass

from kubewallet.errors import OidcError
from kubewallet.oidc.config import check_issuer_url
from kubewallet.oidc.http import HttpClient


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    device_authorization_endpoint: str | None = None
    revocation_endpoint: str | None = None
    code_challenge_methods: tuple[str, ...] = ()
    token_auth_methods: tuple[str, ...] = ()


def discover(http: HttpClient, issuer: str) -> Discovery:
    """Fetch and check the metadata (see `parse_discovery`)."""
    check_issuer_url(issuer)
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    return parse_discovery(http.get_json(url, "the provider's discovery document"), issuer, url)


def parse_discovery(doc: dict, issuer: str, url: str = "") -> Discovery:
    """Check a discovery document.

    §4.3: the `issuer` in the document must be identical to the URL it was fetched for, else
    a provider could speak for another one (mix-up). Every endpoint must obey the same
    https-or-loopback rule as the issuer.
    """
    url = url or issuer.rstrip("/") + "/.well-known/openid-configuration"
    if not isinstance(doc, dict):
        raise OidcError(f"the discovery document at {url} is not a JSON object")
    if doc.get("issuer") != issuer:
        raise OidcError(f"the discovery document at {url} names the issuer {str(doc.get('issuer'))[:200]!r}, "
                        f"not {issuer!r} (OIDC Discovery §4.3)",
                        hint="use the issuer URL exactly as the provider spells it, trailing slash included")

    def endpoint(name: str, required: bool = True) -> str | None:
        value = doc.get(name)
        if not value:
            if required:
                raise OidcError(f"the provider's discovery document has no {name}")
            return None
        if not isinstance(value, str):
            raise OidcError(f"the provider's {name} is not a string")
        try:
            check_issuer_url(value.split("?")[0])
        except (OidcError, ValueError):
            raise OidcError(f"the provider's {name} {value[:200]!r} is not https (nor loopback http)") from None
        return value

    def strings(name: str) -> tuple[str, ...]:
        value = doc.get(name) or []
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    return Discovery(
        issuer=issuer,
        authorization_endpoint=endpoint("authorization_endpoint"),
        token_endpoint=endpoint("token_endpoint"),
        jwks_uri=endpoint("jwks_uri"),
        device_authorization_endpoint=endpoint("device_authorization_endpoint", required=False),
        revocation_endpoint=endpoint("revocation_endpoint", required=False),
        code_challenge_methods=strings("code_challenge_methods_supported"),
        token_auth_methods=strings("token_endpoint_auth_methods_supported"),
    )
