"""The attacks the issue names, each against the real provider and refused with a clear error:
wrong state, replayed code, wrong nonce, a token for another audience, a tampered signature, an
expired token, a non-loopback http issuer — and key rotation handled (one JWKS refetch)."""

from __future__ import annotations

import base64
import json
import threading
import urllib.request
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from kubewallet.errors import OidcError
from kubewallet.oidc import authcode, grants
from kubewallet.oidc.discovery import discover
from kubewallet.oidc.http import HttpClient, OAuthError
from kubewallet.oidc.idtoken import IdTokenError, Jwks, verify_id_token
from kubewallet.oidc.jwtpeek import peek
from kubewallet.oidc.loopback import RedirectListener
from kubewallet.oidc.pkce import new_pkce, random_token
from kubewallet.oidc.session import get_token
from kubewallet.oidc.store import MemoryStore
from tests.integration.oidc.helpers import ANY_PORT, PersonAtBrowser, config, environment
from tests.oidc_provider.person import Browser

pytestmark = pytest.mark.oidc


def _setup(provider):
    http = HttpClient(config(provider).tls)
    disco = discover(http, provider.issuer)
    jwks = Jwks(lambda: http.get_json(disco.jwks_uri, "jwks"))
    return http, disco, jwks


def _manual_login(provider, client_id="kubewallet", login="mallory"):
    """Every step of kubewallet's authcode flow, spelled out so a test can keep the code."""
    http, disco, jwks = _setup(provider)
    pkce, state, nonce = new_pkce(), random_token(), random_token()
    with RedirectListener(state, issuer=disco.issuer, listen_addresses=ANY_PORT.listen_addresses) as listener:
        url = authcode.authorization_url(disco, client_id, listener.redirect_uri,
                                         ("openid", "email"), state, nonce, pkce.challenge)
        threading.Thread(target=Browser(login).open, args=(url,), daemon=True).start()
        code = listener.wait(20).code
    tokens = grants.exchange_code(http, disco, grants.Client(client_id), code,
                                  listener.redirect_uri, pkce.verifier)
    return http, disco, jwks, tokens, nonce, (code, listener.redirect_uri, pkce.verifier)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_wrong_state_is_turned_away_and_the_real_callback_still_wins(oidc_provider, tmp_path):
    """A forged redirect (an attacker's code, CSRF) hits the listener first: 400, keep waiting."""
    forged = []

    class Attacker(PersonAtBrowser):
        def __call__(self, url):
            redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
            forged.append(_get(redirect + "/?code=attackers-code&state=forged"))
            super().__call__(url)

    env = environment(tmp_path, Attacker("alice"), store=MemoryStore())
    out = get_token(config(oidc_provider), ANY_PORT, env)
    assert out.claims["sub"] == "alice"
    status, page = forged[0]
    assert status == 400 and "state mismatch" in page


def test_only_a_forged_callback_times_out_with_a_clear_error(oidc_provider, tmp_path):
    def attacker(url):
        redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        threading.Thread(target=_get, args=(redirect + "/?code=x&state=forged",), daemon=True).start()

    env = environment(tmp_path, attacker, store=MemoryStore())
    with pytest.raises(OidcError, match="no sign-in arrived within 1 s"):
        get_token(config(oidc_provider), replace(ANY_PORT, timeout=1), env)
    assert env.cache.load(config(oidc_provider).cache_key()) is None


def test_listener_accepts_exactly_one_callback():
    with RedirectListener("s1", listen_addresses=ANY_PORT.listen_addresses) as listener:
        assert _get(listener.redirect_uri + "/?code=c1&state=s1")[0] == 200
        status, page = _get(listener.redirect_uri + "/?code=c2&state=s1")
        assert status == 410 and "already finished" in page
        assert listener.wait(1).code == "c1"


def test_replayed_code_is_refused_by_the_provider(oidc_provider):
    http, disco, jwks, tokens, nonce, (code, redirect, verifier) = _manual_login(oidc_provider)
    assert verify_id_token(tokens.id_token, issuer=disco.issuer, client_id="kubewallet",
                           jwks=jwks, nonce=nonce)["sub"] == "mallory"
    with pytest.raises(OAuthError) as err:
        grants.exchange_code(http, disco, grants.Client("kubewallet"), code, redirect, verifier)
    assert err.value.error == "invalid_grant"
    assert "token endpoint refused the request: invalid_grant" in str(err.value)


def test_wrong_pkce_verifier_is_refused(oidc_provider):
    http, disco, jwks = _setup(oidc_provider)
    pkce, state = new_pkce(), random_token()
    with RedirectListener(state, listen_addresses=ANY_PORT.listen_addresses) as listener:
        url = authcode.authorization_url(disco, "kubewallet", listener.redirect_uri, ("openid",),
                                         state, random_token(), pkce.challenge)
        threading.Thread(target=Browser().open, args=(url,), daemon=True).start()
        code = listener.wait(20).code
    with pytest.raises(OAuthError) as err:
        grants.exchange_code(http, disco, grants.Client("kubewallet"), code, listener.redirect_uri,
                             new_pkce().verifier)
    assert err.value.error == "invalid_grant"


def test_wrong_nonce_is_refused(oidc_provider):
    _, disco, jwks, tokens, nonce, _ = _manual_login(oidc_provider)
    with pytest.raises(IdTokenError, match="nonce does not match"):
        verify_id_token(tokens.id_token, issuer=disco.issuer, client_id="kubewallet", jwks=jwks,
                        nonce=random_token())


def test_token_for_another_audience_is_refused(oidc_provider):
    _, disco, jwks, tokens, nonce, _ = _manual_login(oidc_provider, client_id="other-app")
    with pytest.raises(IdTokenError, match="audience 'other-app', not this client"):
        verify_id_token(tokens.id_token, issuer=disco.issuer, client_id="kubewallet", jwks=jwks,
                        nonce=nonce)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tampered_token_is_refused(oidc_provider):
    _, disco, jwks, tokens, nonce, _ = _manual_login(oidc_provider)
    header, payload, signature = tokens.id_token.split(".")
    _, claims = peek(tokens.id_token)
    promoted = ".".join([header, _b64(dict(claims, sub="admin", groups=["system:masters"])), signature])
    with pytest.raises(IdTokenError, match="signature does not verify"):
        verify_id_token(promoted, issuer=disco.issuer, client_id="kubewallet", jwks=jwks, nonce=nonce)
    flipped = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")
    with pytest.raises(IdTokenError, match="signature does not verify"):
        verify_id_token(".".join([header, payload, flipped]), issuer=disco.issuer,
                        client_id="kubewallet", jwks=jwks, nonce=nonce)
    unsigned = ".".join([_b64({"alg": "none"}), payload, ""])
    with pytest.raises(IdTokenError, match="algorithm 'none'"):
        verify_id_token(unsigned, issuer=disco.issuer, client_id="kubewallet", jwks=jwks)


def test_expired_token_and_wrong_issuer_are_refused(oidc_provider):
    _, disco, jwks, tokens, nonce, _ = _manual_login(oidc_provider)
    _, claims = peek(tokens.id_token)
    with pytest.raises(IdTokenError, match="expired"):
        verify_id_token(tokens.id_token, issuer=disco.issuer, client_id="kubewallet", jwks=jwks,
                        nonce=nonce, now=claims["exp"] + 61)
    # Inside the 60 s skew it is still accepted (clocks differ a little).
    verify_id_token(tokens.id_token, issuer=disco.issuer, client_id="kubewallet", jwks=jwks,
                    nonce=nonce, now=claims["exp"] + 30)
    with pytest.raises(IdTokenError, match="issued by"):
        verify_id_token(tokens.id_token, issuer="https://other.example", client_id="kubewallet",
                        jwks=jwks, nonce=nonce)


def test_unknown_key_id_refetches_the_jwks_once(oidc_provider):
    """Key rotation: the cached JWKS lacks the token's kid; one refetch finds it."""
    _, disco, _, tokens, nonce, _ = _manual_login(oidc_provider)
    answers = [{"keys": []}, oidc_provider.jwks(), oidc_provider.jwks()]
    jwks = Jwks(lambda: answers.pop(0))
    jwks._load()   # the stale set, as fetched before the rotation
    claims = verify_id_token(tokens.id_token, issuer=disco.issuer, client_id="kubewallet",
                             jwks=jwks, nonce=nonce)
    assert claims["sub"] == "mallory" and jwks.fetches == 2
    # A kid the provider never published: refused after one refetch, never looped on.
    header, payload, sig = tokens.id_token.split(".")
    other = ".".join([_b64(dict(peek(tokens.id_token)[0], kid="rotated-away")), payload, sig])
    fresh = Jwks(lambda: oidc_provider.jwks())
    with pytest.raises(IdTokenError, match="kid 'rotated-away' is not in its JWKS"):
        verify_id_token(other, issuer=disco.issuer, client_id="kubewallet", jwks=fresh)
    assert fresh.fetches == 2


def test_plain_http_issuer_off_loopback_is_refused_before_any_request(tmp_path):
    from kubewallet.oidc.config import ProviderConfig

    opened = []
    env = environment(tmp_path, opened.append, store=MemoryStore())
    with pytest.raises(OidcError, match="refusing the plain http issuer 'http://idp.example.com'"):
        get_token(ProviderConfig("http://idp.example.com", "kubewallet"), ANY_PORT, env)
    assert opened == []


def test_algorithm_confusion_is_refused(oidc_provider):
    """A token whose header names another algorithm than the provider's key is for."""
    _, disco, _, tokens, nonce, _ = _manual_login(oidc_provider)
    header, payload, sig = tokens.id_token.split(".")
    confused = ".".join([_b64(dict(peek(tokens.id_token)[0], alg="PS256")), payload, sig])
    jwks = Jwks(lambda: oidc_provider.jwks())
    with pytest.raises(IdTokenError, match="algorithm confusion"):
        verify_id_token(confused, issuer=disco.issuer, client_id="kubewallet", jwks=jwks, nonce=nonce)
