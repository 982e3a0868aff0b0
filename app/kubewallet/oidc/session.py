"""The story of one `get-token` (after kubelogin's `usecases/credentialplugin`): serve a fresh
cached id_token; else, under the per-issuer/client lock, look again (another process may have
just logged in), refresh silently with the refresh token from the vault, and only when that is
impossible run a login — or, when kubectl says nobody can answer (spec.interactive=false), stop
with an error naming the command to run. Every new id_token is verified before it is cached or
returned; the vault is written only when the refresh token actually changed.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from kubewallet.errors import OidcError, VaultError
from kubewallet.oidc.config import ProviderConfig
from kubewallet.oidc.flags import GRANT_TYPES
from kubewallet.oidc.jwtpeek import numeric_claim
from kubewallet.oidc.lock import login_lock
from kubewallet.oidc.store import SecretStore
from kubewallet.oidc.tokencache import CachedToken, TokenCache


@dataclass(frozen=True)
class LoginOptions:
    """How a login runs when one is needed (kubelogin's authentication flags)."""

    grant_type: str = "auto"
    listen_addresses: tuple[str, ...] = ()       # empty: kubelogin's 127.0.0.1:8000, then :18000
    redirect_url: str | None = None
    redirect_hostname: str | None = None          # --oidc-redirect-url-hostname (default localhost)
    skip_open_browser: bool = False
    browser_command: str | None = None
    timeout: float = 180.0
    force_refresh: bool = False
    extra_params: tuple[tuple[str, str], ...] = ()  # --oidc-auth-request-extra-params
    local_server_tls: tuple[str, str] | None = None  # --local-server-cert, --local-server-key
    open_url_after: str | None = None             # --open-url-after-authentication


def stderr_progress(step: str, text: str) -> None:
    """The CLI's narration; the URL is printed in case no browser opens (an SSH session)."""
    if step == "opening-browser":
        print(f"Open this URL in your browser to sign in (if it did not open by itself):\n  {text}",
              file=sys.stderr)
    elif step == "show-url":
        print(f"Open this URL in a browser and sign in:\n  {text}", file=sys.stderr)
    elif step == "waiting-callback":
        print(f"Waiting for the sign-in to come back to {text} ...", file=sys.stderr)
    elif step == "warning":
        print(f"warning: {text}", file=sys.stderr)


def stderr_device_code(auth) -> None:
    where = auth.verification_uri
    print(f"To sign in, open {where} on any device and enter the code  {auth.user_code}",
          file=sys.stderr)
    if auth.verification_uri_complete:
        print(f"  (or open {auth.verification_uri_complete})", file=sys.stderr)


def tty_prompt(question: str) -> str:
    """Read the pasted code from the terminal, not from stdin (kubectl owns stdin)."""
    try:
        with open("/dev/tty", "r+", encoding="utf-8") as tty:
            tty.write(question)
            tty.flush()
            return tty.readline()
    except OSError:
        raise OidcError("authcode-keyboard needs a terminal to paste the code into") from None


def system_browser(command: str | None, skip: bool) -> Callable[[str], None]:
    """Open the URL without letting the browser near our stdout: kubectl reads the plugin's
    stdout as the ExecCredential and waits until every holder of that pipe closes it, so a
    browser that prints "Opening in existing browser session." there (or a child that keeps it
    open) breaks or stalls kubectl. The default browser is Python's `webbrowser` run in a child
    with stdin, stdout and stderr on /dev/null, in its own session — exactly how
    `--browser-command` runs."""
    def open_url(url: str) -> None:
        if skip:
            return
        argv = [*shlex.split(command), url] if command else [sys.executable, "-m", "webbrowser", "-t", url]
        try:
            subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            what = f"--browser-command {command!r}" if command else "the default browser"
            raise OidcError(f"cannot run {what}: {exc.strerror}") from None

    return open_url


def browser_can_open(environ=None) -> bool:
    """Whether a browser can open on this screen: on Linux/BSD only with a display (X11 or
    Wayland); an SSH session without one gets the device code grant instead, as kubelogin users
    on such boxes choose."""
    env = os.environ if environ is None else environ
    if sys.platform in ("darwin", "win32") or env.get("BROWSER"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


@dataclass
class Environment:
    """The session's collaborators (side effects at the edges)."""

    store: SecretStore
    cache: TokenCache
    interactive: bool = True
    browser: Callable[[str], None] | None = None
    progress: Callable[[str, str], None] = stderr_progress
    on_device_code: Callable[[object], None] = stderr_device_code
    prompt: Callable[[str], str] = tty_prompt
    cancel: threading.Event | None = None
    login_command: str = "kubewallet oidc-login get-token"
    clock: Callable[[], float] = time.time
    memory: object | None = None      # store.AgentMemory: where a refresh token goes when the vault cannot


@dataclass(frozen=True)
class Outcome:
    token: CachedToken
    source: str                      # "cache" | "refresh" | "login"
    claims: dict = field(default_factory=dict)


class LoginRequired(OidcError):
    """No fresh token, no usable refresh token, and nobody at a terminal to log in."""


def cached_token(config: ProviderConfig, cache: TokenCache, now: float | None = None) -> CachedToken | None:
    token = cache.load(config.cache_key())
    return token if token is not None and token.is_fresh(now) else None


def get_token(config: ProviderConfig, options: LoginOptions, env: Environment) -> Outcome:
    if options.grant_type not in GRANT_TYPES:
        raise OidcError(f"--grant-type must be one of {', '.join(GRANT_TYPES)} "
                        f"(got {options.grant_type!r})")
    key = config.cache_key()
    if not options.force_refresh:
        hit = cached_token(config, env.cache, env.clock())
        if hit is not None:
            return Outcome(hit, "cache")
    env.cache.ensure_directory()
    with login_lock(env.cache.directory, config.lock_key(), timeout=options.timeout + 60):
        if not options.force_refresh:
            hit = cached_token(config, env.cache, env.clock())
            if hit is not None:
                return Outcome(hit, "cache")
        return _renew(config, options, env, key)


def _renew(config: ProviderConfig, options: LoginOptions, env: Environment, key: str) -> Outcome:
    from kubewallet.oidc import authcode, devicecode, grants
    from kubewallet.oidc.discovery import discover
    from kubewallet.oidc.http import HttpClient, OAuthError
    from kubewallet.oidc.idtoken import Jwks, verify_id_token

    ref = config.refresh_token_ref()
    vault_down = None
    try:
        old_refresh = env.store.get(ref)
    except VaultError as exc:
        # A vault that cannot be opened here (no D-Bus session bus over SSH, a locked keyring)
        # must not stop a login: a refresh token the agent holds in memory still refreshes
        # silently; else log in, serve the token, and say once (below) where the new refresh
        # token went.
        old_refresh, vault_down = None, exc
    if not old_refresh and env.memory is not None:
        old_refresh = env.memory.get(ref)     # held by the agent since the vault could not keep it
    if not old_refresh and not env.interactive:
        raise _login_required(config, env, None)      # fail fast: nothing to try without a person
    env.progress("discovering", config.issuer)
    http = HttpClient(config.tls)
    disco = discover(http, config.issuer)
    client = grants.Client(config.client_id, resolve_client_secret(config, env.store))
    jwks = Jwks(lambda: http.get_json(disco.jwks_uri, "the provider's JWKS"))

    tokens, claims, source, refused = None, None, "", None
    if old_refresh:
        env.progress("refreshing", disco.token_endpoint)
        try:
            tokens = grants.refresh(http, disco, client, old_refresh, config.scopes)
        except OAuthError as exc:
            # invalid_grant: revoked, expired, or already used. The token is dead: forget it.
            refused = exc
            if vault_down is None:
                env.store.delete(ref)
            elif env.memory is not None:
                env.memory.put(ref, "")
            old_refresh = None
        if tokens is not None:
            env.progress("verifying", "")
            claims = verify_id_token(tokens.id_token, issuer=disco.issuer, client_id=config.client_id,
                                     jwks=jwks, now=env.clock())
            source = "refresh"

    if tokens is None:
        if not env.interactive:
            raise _login_required(config, env, refused)
        nonce = None
        grant = options.grant_type
        if (grant == "auto" and disco.device_authorization_endpoint and env.browser is None
                and not options.browser_command and not options.skip_open_browser
                and not browser_can_open()):
            grant = "device-code"
        if grant == "device-code":
            auth, device_code = devicecode.start(http, disco, client, config.scopes)
            env.on_device_code(auth)
            if not options.skip_open_browser and (env.browser or options.browser_command
                                                  or browser_can_open()):
                # Like kubelogin: open the verification page too (with the code in it, when the
                # provider gives such a URL); the code is shown either way for another device.
                browser = env.browser or system_browser(options.browser_command, False)
                browser(auth.verification_uri_complete or auth.verification_uri)
            env.progress("waiting-device", auth.user_code)
            tokens = devicecode.poll(http, disco, client, auth, device_code, cancel=env.cancel)
        elif grant == "authcode-keyboard":
            result = authcode.login_keyboard(http, disco, client, config.scopes, prompt=env.prompt,
                                             progress=env.progress, redirect_url=options.redirect_url,
                                             extra_params=options.extra_params)
            tokens, nonce = result.tokens, result.nonce
        else:
            browser = env.browser or system_browser(options.browser_command, options.skip_open_browser)
            result = authcode.login_browser(
                http, disco, client, config.scopes, open_browser=browser, progress=env.progress,
                options=options, cancel=env.cancel)
            tokens, nonce = result.tokens, result.nonce
        env.progress("verifying", "")
        claims = verify_id_token(tokens.id_token, issuer=disco.issuer, client_id=config.client_id,
                                 jwks=jwks, nonce=nonce, now=env.clock())
        source = "login"

    new_refresh = tokens.refresh_token or old_refresh
    if new_refresh != old_refresh and vault_down is None:
        try:
            if new_refresh:
                env.store.put(ref, new_refresh)
            else:
                env.store.delete(ref)
        except VaultError as exc:
            vault_down = exc
    if vault_down is not None and (new_refresh != old_refresh or source == "login"):
        # The login itself worked: serve its token, and say once where the refresh token went.
        held = bool(new_refresh) and env.memory is not None and env.memory.put(ref, new_refresh)
        if source == "login" or not held:
            env.progress("warning", _refresh_off(vault_down, held))
    token = _credential(config, tokens, claims, env.clock())
    env.cache.save(key, token)
    env.progress("done", source)
    return Outcome(token, source, claims)


def _refresh_off(exc: VaultError, held_by_agent: bool = False) -> str:
    """The one plain sentence for a vault that cannot keep the refresh token here."""
    if held_by_agent:
        return (f"kubewallet cannot use its vault here ({exc.one_line()}): the refresh token is "
                "kept in the running agent's memory only, so silent refresh works until the "
                "agent locks or stops")
    return (f"kubewallet cannot use its vault here ({exc.one_line()}), so the refresh token is "
            "not kept: silent refresh is off here, and when this token expires you sign in again")


def _credential(config: ProviderConfig, tokens, claims: dict, now: float) -> CachedToken:
    """The token kubectl gets: the verified id_token, or with `--oidc-use-access-token` the
    access_token from the same response (kubelogin's flag, for API servers that take the
    provider's JWT access tokens), valid for its `expires_in` (RFC 6749 §5.1) when given."""
    exp, iat = numeric_claim(claims, "exp") or 0.0, numeric_claim(claims, "iat") or 0.0
    if not config.use_access_token:
        return CachedToken(tokens.id_token, exp, iat, config.issuer, config.client_id)
    if not tokens.access_token:
        raise OidcError("the provider's token response has no access_token "
                        "(--oidc-use-access-token needs one)")
    if tokens.expires_in:
        exp, iat = now + tokens.expires_in, now
    return CachedToken(tokens.access_token, exp, iat, config.issuer, config.client_id)


def _login_required(config: ProviderConfig, env: Environment, refused) -> LoginRequired:
    why = (f"the refresh token was refused ({refused.error})" if refused is not None
           else "no refresh token is stored")
    return LoginRequired(
        f"a new OIDC login is needed for {config.issuer} (client {config.client_id}): {why}, "
        "and kubectl runs this plugin without a terminal (spec.interactive is false)",
        hint=f"run '{env.login_command}' in a terminal to sign in, then retry")


def resolve_client_secret(config: ProviderConfig, store: SecretStore) -> str | None:
    if config.client_secret:
        return config.client_secret
    if config.client_secret_ref:
        secret = store.get(config.client_secret_ref)
        if secret is None:
            raise VaultError(f"the vault has no client secret under {config.client_secret_ref!r}",
                             hint="run 'kubewallet oidc-login setup' again to store it")
        return secret
    return None


def logout(config: ProviderConfig, env: Environment, revoke: bool = True) -> list[str]:
    """Forget this login: the cached id_token and the refresh token (revoked at the provider
    first, best effort, RFC 7009). Returns what was removed, for the person to read."""
    removed = []
    env.cache.ensure_directory()
    with login_lock(env.cache.directory, config.lock_key(), timeout=30):
        ref = config.refresh_token_ref()
        refresh = env.store.get(ref)
        if refresh:
            if revoke:
                try:
                    from kubewallet.oidc import grants
                    from kubewallet.oidc.discovery import discover
                    from kubewallet.oidc.http import HttpClient

                    http = HttpClient(config.tls, timeout=10)
                    disco = discover(http, config.issuer)
                    client = grants.Client(config.client_id, resolve_client_secret(config, env.store))
                    if grants.revoke(http, disco, client, refresh):
                        removed.append("refresh token revoked at the provider")
                except OidcError as exc:
                    removed.append(f"refresh token not revoked ({exc.message})")
            env.store.delete(ref)
            removed.append("refresh token removed from the vault")
        if env.cache.delete(config.cache_key()):
            removed.append("cached id_token deleted")
    return removed


def environment_is_interactive(environ=None) -> bool:
    """kubectl's `spec.interactive`; a person running the command by hand (no
    KUBERNETES_EXEC_INFO) is at a terminal or at least at the browser we open."""
    env = os.environ if environ is None else environ
    if not env.get("KUBERNETES_EXEC_INFO"):
        return True
    from kubewallet.execplugin.protocol import read_exec_info

    return read_exec_info(env).interactive
