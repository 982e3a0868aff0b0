"""A person logs in through kubewallet against the real provider: first login, cached reuse,
silent refresh, refresh-token revocation, device code, the keyboard variant, log out."""

from __future__ import annotations

import os
import stat
import threading
import time
from dataclasses import replace

import pytest

from kubewallet.oidc import grants
from kubewallet.oidc.discovery import discover
from kubewallet.oidc.http import HttpClient
from kubewallet.oidc.session import LoginOptions, LoginRequired, get_token, logout
from kubewallet.oidc.store import VaultStore
from tests.integration.oidc.helpers import ANY_PORT, PersonAtBrowser, config, environment

pytestmark = pytest.mark.oidc


class CountingStore(VaultStore):
    """The real vault, counting writes (the issue: write only when a value changed)."""

    def __init__(self) -> None:
        super().__init__()
        self.puts = 0

    def put(self, ref, value):
        self.puts += 1
        super().put(ref, value)


def test_first_login_then_cached_reuse(oidc_provider, vault_env, tmp_path):
    person = PersonAtBrowser("alice")
    store = CountingStore()
    env = environment(tmp_path, person, store=store)
    cfg = config(oidc_provider)

    first = get_token(cfg, ANY_PORT, env)
    assert first.source == "login"
    assert first.claims["sub"] == "alice"
    assert first.claims["email"] == "alice@example.test"
    assert first.claims["groups"] == ["developers", "team-alice"]
    assert len(person.opened) == 1
    url = person.opened[0]
    assert "code_challenge_method=S256" in url and "nonce=" in url and "state=" in url
    steps = [s for s, _ in env.steps]
    assert steps[:4] == ["discovering", "opening-browser", "waiting-callback", "exchanging"]
    assert "verifying" in steps

    # The id_token is in a 0600 file; the refresh token in the vault, not in the file.
    cache_file = env.cache.path(cfg.cache_key())
    assert stat.S_IMODE(os.stat(cache_file).st_mode) == 0o600
    refresh = store.get(cfg.refresh_token_ref())
    with open(cache_file, encoding="utf-8") as fh:
        assert refresh and refresh not in fh.read()
    assert store.puts == 1

    before = oidc_provider.stats().get("token", 0)
    second = get_token(cfg, ANY_PORT, env)
    assert second.source == "cache"
    assert second.token.id_token == first.token.id_token
    assert len(person.opened) == 1
    assert oidc_provider.stats().get("token", 0) == before
    assert store.puts == 1


def test_silent_refresh_after_expiry(oidc_provider, vault_env, tmp_path):
    person = PersonAtBrowser("bob")
    env = environment(tmp_path, person)
    cfg = config(oidc_provider, "kubewallet-short")
    first = get_token(cfg, ANY_PORT, env)
    assert first.token.expiry - first.token.issued_at == 3
    time.sleep(max(0.0, first.token.refresh_at() - time.time()) + 0.1)

    renewed = get_token(cfg, ANY_PORT, env)
    assert renewed.source == "refresh"
    assert renewed.claims["sub"] == "bob"
    assert renewed.token.id_token != first.token.id_token
    assert renewed.token.expiry > first.token.expiry
    assert len(person.opened) == 1, "a refresh must not open the browser"


def test_force_refresh_writes_the_vault_only_when_the_refresh_token_changed(
        oidc_provider, vault_env, tmp_path):
    rotating = CountingStore()
    env = environment(tmp_path / "a", PersonAtBrowser(), store=rotating)
    cfg = config(oidc_provider)
    get_token(cfg, ANY_PORT, env)
    assert get_token(cfg, replace(ANY_PORT, force_refresh=True), env).source == "refresh"
    assert rotating.puts == 2, "this client's refresh tokens rotate: one write per new value"

    steady = CountingStore()
    env = environment(tmp_path / "b", PersonAtBrowser(), store=steady)
    cfg = config(oidc_provider, "kubewallet-steady")
    get_token(cfg, ANY_PORT, env)
    for _ in range(2):
        assert get_token(cfg, replace(ANY_PORT, force_refresh=True), env).source == "refresh"
    assert steady.puts == 1, "the provider returned the same refresh token: no vault write"


def test_revoked_refresh_token(oidc_provider, vault_env, tmp_path):
    person = PersonAtBrowser("carol")
    env = environment(tmp_path, person)
    cfg = config(oidc_provider, "kubewallet-short")
    first = get_token(cfg, ANY_PORT, env)
    refresh = env.store.get(cfg.refresh_token_ref())
    http = HttpClient(cfg.tls)
    assert grants.revoke(http, discover(http, cfg.issuer), grants.Client(cfg.client_id), refresh)
    time.sleep(max(0.0, first.token.refresh_at() - time.time()) + 0.1)

    # kubectl without a terminal: a clear error naming the command, and no browser.
    env.interactive = False
    env.login_command = "kubewallet oidc-login get-token --oidc-issuer-url=X --oidc-client-id=Y"
    with pytest.raises(LoginRequired) as err:
        get_token(cfg, ANY_PORT, env)
    assert "invalid_grant" in err.value.message
    assert "spec.interactive is false" in err.value.message
    assert "kubewallet oidc-login get-token --oidc-issuer-url=X" in err.value.hint
    assert len(person.opened) == 1
    assert env.store.get(cfg.refresh_token_ref()) is None, "a dead refresh token is forgotten"

    # At a terminal: the failed refresh falls back to a login.
    env.interactive = True
    again = get_token(cfg, ANY_PORT, env)
    assert again.source == "login" and len(person.opened) == 2


def test_device_code(oidc_provider, vault_env, tmp_path):
    from tests.oidc_provider.person import Browser

    shown = []
    pages = []

    def on_device_code(auth):
        shown.append(auth)
        t = threading.Thread(target=lambda: pages.append(
            Browser("dave").confirm_device(auth.verification_uri_complete)), daemon=True)
        t.start()

    opened = []
    env = environment(tmp_path, opened.append, on_device_code=on_device_code)
    out = get_token(config(oidc_provider), LoginOptions(grant_type="device-code"), env)
    assert out.source == "login" and out.claims["sub"] == "dave"
    assert opened == [shown[0].verification_uri_complete], "the verification page is opened too"
    assert shown[0].user_code and shown[0].verification_uri.startswith(oidc_provider.issuer)
    assert "Sign-in Success" in pages[0]


def test_device_code_typed_by_hand(oidc_provider, vault_env, tmp_path):
    from tests.oidc_provider.person import Browser

    def on_device_code(auth):
        threading.Thread(target=Browser("erin").enter_device_code,
                         args=(auth.verification_uri, auth.user_code), daemon=True).start()

    env = environment(tmp_path, None, on_device_code=on_device_code)
    out = get_token(config(oidc_provider), LoginOptions(grant_type="device-code",
                                                        skip_open_browser=True), env)
    assert out.claims["sub"] == "erin"


def test_authcode_keyboard(oidc_provider, vault_env, tmp_path):
    """The person opens the printed URL elsewhere, lands on a redirect URL nothing listens on,
    and pastes that URL back (kubelogin's authcode-keyboard)."""
    from tests.oidc_provider.person import Browser

    person = Browser("frank")
    printed = []
    env = environment(tmp_path, None)
    env.progress = lambda step, text: printed.append((step, text))

    def prompt(question):
        url = dict(printed)["show-url"]
        person.open(url)
        return person.redirects[-1]

    env.prompt = prompt
    out = get_token(config(oidc_provider),
                    LoginOptions(grant_type="authcode-keyboard",
                                 redirect_url="http://localhost:9"), env)
    assert out.claims["sub"] == "frank"


def test_logout_revokes_and_forgets(oidc_provider, vault_env, tmp_path):
    env = environment(tmp_path, PersonAtBrowser())
    cfg = config(oidc_provider)
    get_token(cfg, ANY_PORT, env)
    refresh = env.store.get(cfg.refresh_token_ref())
    done = logout(cfg, env)
    assert "refresh token revoked at the provider" in done
    assert env.store.get(cfg.refresh_token_ref()) is None
    assert env.cache.load(cfg.cache_key()) is None
    http = HttpClient(cfg.tls)
    from kubewallet.oidc.http import OAuthError

    with pytest.raises(OAuthError) as err:
        grants.refresh(http, discover(http, cfg.issuer), grants.Client(cfg.client_id), refresh, cfg.scopes)
    assert err.value.error == "invalid_grant"
