"""The token endpoint's grants: authorization code, refresh token, device code; and revocation.

Client authentication (RFC 6749 §2.3): a public client sends only `client_id`; a confidential
one uses HTTP Basic (`client_secret_basic`, the default of OIDC Core §9) unless the provider
advertises only `client_secret_post`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubewallet.errors import OidcError
from kubewallet.oidc.discovery import Discovery
from kubewallet.oidc.http import HttpClient

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass(frozen=True)
class TokenResponse:
    id_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    expires_in: float | None = None


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str | None = field(default=None, repr=False)


def _auth(client: Client, disco: Discovery, data: dict) -> tuple[dict, tuple[str, str] | None]:
    data = dict(data, client_id=client.client_id)
    if not client.client_secret:
        return data, None
    methods = disco.token_auth_methods
    if methods and "client_secret_basic" not in methods and "client_secret_post" in methods:
        return dict(data, client_secret=client.client_secret), None
    return data, (client.client_id, client.client_secret)


def token_request(http: HttpClient, disco: Discovery, client: Client, data: dict) -> TokenResponse:
    """The token request body is Authlib's (`prepare_token_request`, RFC 6749 §4.1.3, §6)."""
    from authlib.oauth2.rfc6749.parameters import prepare_token_request

    fields, basic = _auth(client, disco, data)
    fields = dict(fields)
    body = prepare_token_request(fields.pop("grant_type"), **fields)
    answer = http.post_form(disco.token_endpoint, body, "the provider's token endpoint", basic)
    id_token = answer.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise OidcError("the provider's token response has no id_token",
                        hint="the client must request the 'openid' scope and be an OIDC client")
    refresh = answer.get("refresh_token")
    access = answer.get("access_token")
    expires_in = answer.get("expires_in")
    return TokenResponse(id_token, refresh if isinstance(refresh, str) and refresh else None,
                         access if isinstance(access, str) else None,
                         float(expires_in) if isinstance(expires_in, (int, float))
                         and not isinstance(expires_in, bool) and expires_in > 0 else None)


def exchange_code(http: HttpClient, disco: Discovery, client: Client, code: str,
                  redirect_uri: str, verifier: str) -> TokenResponse:
    """RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5)."""
    return token_request(http, disco, client, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "code_verifier": verifier})


def refresh(http: HttpClient, disco: Discovery, client: Client, refresh_token: str,
            scopes: tuple[str, ...]) -> TokenResponse:
    """RFC 6749 §6; OIDC Core §12.2: the response carries a new id_token."""
    return token_request(http, disco, client, {
        "grant_type": "refresh_token", "refresh_token": refresh_token, "scope": list(scopes)})


def revoke(http: HttpClient, disco: Discovery, client: Client, token: str,
           hint: str = "refresh_token") -> bool:
    """RFC 7009; False when the provider has no revocation endpoint."""
    if not disco.revocation_endpoint:
        return False
    body, basic = _auth(client, disco, {"token": token, "token_type_hint": hint})
    http.post_form(disco.revocation_endpoint, body, "the provider's revocation endpoint", basic)
    return True
