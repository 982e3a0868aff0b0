"""Small helpers shared by the OIDC integration tests."""

from __future__ import annotations

import threading

from kubewallet.oidc.config import ProviderConfig
from kubewallet.oidc.session import Environment, LoginOptions
from kubewallet.oidc.store import VaultStore
from kubewallet.oidc.tokencache import TokenCache
from tests.oidc_provider.person import Browser

SCOPES = ("email", "groups")
# Any free port, redirect http://localhost:PORT: the provider's clients register only kubelogin's
# http://localhost:8000 and :18000, and (RFC 8252 §7.3 native clients) accept another port.
# The tests of kubelogin's fixed ports hold tests.support.kubelogin_ports' lock instead.
ANY_PORT = LoginOptions(listen_addresses=("127.0.0.1:0",))


class PersonAtBrowser:
    """The browser callable the session opens: the person (tests.oidc_provider.person) signs in
    on a background thread, as a real browser would, while kubewallet waits on its listener."""

    def __init__(self, login: str = "alice") -> None:
        self.browser = Browser(login)
        self.opened: list[str] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> None:
        self.opened.append(url)
        t = threading.Thread(target=self.browser.open, args=(url,), daemon=True)
        t.start()
        self.threads.append(t)


def config(provider, client_id: str = "kubewallet", **kw) -> ProviderConfig:
    return ProviderConfig(provider.issuer, client_id, extra_scopes=kw.pop("extra_scopes", SCOPES), **kw)


def environment(tmp_path, person=None, *, interactive: bool = True, store=None, **kw) -> Environment:
    progress: list[tuple[str, str]] = []
    env = Environment(store=store or VaultStore(), cache=TokenCache(tmp_path / "cache"),
                      interactive=interactive, browser=person,
                      progress=lambda step, text: progress.append((step, text)), **kw)
    env.steps = progress   # type: ignore[attr-defined]
    return env
