"""The authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636, RFC 8252 for native apps).

The OAuth 2.0 pieces are Authlib's (the authorization URL, the PKCE challenge, parsing the
authorization response, the token request bodies), so less protocol code is written here by hand;
Authlib is imported on the login and refresh paths only, never on the cached one.

The browser opens the provider's authorization URL; the person signs in there; the provider
redirects to our loopback listener with `code` and `state`; we exchange the code with the PKCE
verifier. `nonce` binds the id_token to this login (checked by the caller). The keyboard variant
(kubelogin's `authcode-keyboard`) prints the URL and reads the code the person pastes — for a
machine whose browser cannot reach its loopback.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from authlib.oauth2.rfc6749.parameters import prepare_grant_uri

from kubewallet.errors import OidcError
from kubewallet.oidc.discovery import Discovery
from kubewallet.oidc.grants import Client, TokenResponse, exchange_code
from kubewallet.oidc.http import HttpClient
from kubewallet.oidc.loopback import ListenerTls, RedirectListener, parse_response
from kubewallet.oidc.pkce import new_pkce, random_token

OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob"   # kubelogin's default for authcode-keyboard

Progress = Callable[[str, str], None]          # (step, text for a person)


@dataclass(frozen=True)
class AuthCodeResult:
    tokens: TokenResponse
    nonce: str


def authorization_url(disco: Discovery, client_id: str, redirect_uri: str, scopes: tuple[str, ...],
                      state: str, nonce: str, challenge: str,
                      extra_params: tuple[tuple[str, str], ...] = ()) -> str:
    """RFC 6749 §4.1.1 with PKCE; `extra_params` (kubelogin's --oidc-auth-request-extra-params,
    e.g. `prompt=consent`, `audience=...`) come after ours and never replace a protocol parameter
    this login's safety rests on (state, nonce, PKCE, redirect_uri, client_id)."""
    ours = {"nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256"}
    protected = {"response_type", "client_id", "redirect_uri", "state", *ours}
    extra: dict[str, str] = {}
    for key, value in extra_params:
        if key in protected:
            raise OidcError(f"--oidc-auth-request-extra-params cannot set {key!r}: kubewallet sets it "
                            "for this login")
        extra[key] = value
    scope = extra.pop("scope", None) or list(scopes)
    return prepare_grant_uri(disco.authorization_endpoint, client_id, "code", redirect_uri, scope,
                             state, **ours, **extra)


def login_browser(http: HttpClient, disco: Discovery, client: Client, scopes: tuple[str, ...], *,
                  open_browser: Callable[[str], None], progress: Progress, options=None,
                  cancel: threading.Event | None = None) -> AuthCodeResult:
    """`options` is the session's `LoginOptions` (listen addresses, redirect URL or host name,
    the listener's TLS files, extra parameters, the page to open afterwards, the timeout)."""
    if options is None:
        from kubewallet.oidc.session import LoginOptions

        options = LoginOptions()
    pkce, state, nonce = new_pkce(), random_token(), random_token()
    tls = ListenerTls(*options.local_server_tls) if options.local_server_tls else None
    with RedirectListener(state, listen_addresses=options.listen_addresses,
                          redirect_url=options.redirect_url,
                          redirect_hostname=options.redirect_hostname, tls=tls,
                          success_url=options.open_url_after, issuer=disco.issuer) as listener:
        url = authorization_url(disco, client.client_id, listener.redirect_uri, scopes, state,
                                nonce, pkce.challenge, options.extra_params)
        progress("opening-browser", url)
        open_browser(url)
        progress("waiting-callback", listener.redirect_uri)
        callback = listener.wait(options.timeout, cancel)
    progress("exchanging", disco.token_endpoint)
    tokens = exchange_code(http, disco, client, callback.code, listener.redirect_uri, pkce.verifier)
    return AuthCodeResult(tokens, nonce)


def code_from_pasted(text: str, state: str) -> str:
    """The person pastes either the bare code or the whole URL the browser landed on; a URL must
    carry our state (the same CSRF rule as the listener)."""
    text = text.strip()
    if not text:
        raise OidcError("no authorization code was entered")
    if "code=" in text or "error=" in text:
        uri = text if "?" in text else "?" + text
        params = {k: v[0] for k, v in parse_qs(urlsplit(uri).query).items()}
        if "error" in params and params.get("state") == state:
            raise OidcError(f"the provider refused the login: {params['error']}")
        return parse_response(uri, state).code
    return text


def login_keyboard(http: HttpClient, disco: Discovery, client: Client, scopes: tuple[str, ...], *,
                   prompt: Callable[[str], str], progress: Progress,
                   redirect_url: str | None = None,
                   extra_params: tuple[tuple[str, str], ...] = ()) -> AuthCodeResult:
    pkce, state, nonce = new_pkce(), random_token(), random_token()
    redirect_uri = redirect_url or OOB_REDIRECT
    url = authorization_url(disco, client.client_id, redirect_uri, scopes, state, nonce,
                            pkce.challenge, extra_params)
    progress("show-url", url)
    code = code_from_pasted(prompt("Enter the authorization code (or the URL you were sent to): "),
                            state)
    progress("exchanging", disco.token_endpoint)
    tokens = exchange_code(http, disco, client, code, redirect_uri, pkce.verifier)
    return AuthCodeResult(tokens, nonce)
