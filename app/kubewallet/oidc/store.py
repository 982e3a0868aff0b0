"""Where the refresh token and the client secret live: the vault, behind a three-method protocol.

The session only needs `get/put/delete` of a string by reference, so tests of the story can hand
it any store, and the real one is `kubewallet.vault.open_vault()` (an AES-GCM file keyed by the
OS keyring). Opened lazily: the cached-token path never touches it.
"""

from __future__ import annotations

from typing import Protocol


class SecretStore(Protocol):
    def get(self, ref: str) -> str | None: ...

    def put(self, ref: str, value: str) -> None: ...

    def delete(self, ref: str) -> None: ...


class MemoryStore:
    """A dict behind the protocol: for unit tests of the session story only (the integration
    tests use the real vault on the real Secret Service). Counts writes, so tests can check that
    an unchanged refresh token is not written again."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.writes = 0

    def get(self, ref: str) -> str | None:
        return self.values.get(ref)

    def put(self, ref: str, value: str) -> None:
        self.writes += 1
        self.values[ref] = value

    def delete(self, ref: str) -> None:
        self.values.pop(ref, None)


class NoStore:
    """Keeps nothing: kubelogin's `--token-cache-storage=none` (every call logs in afresh)."""

    def get(self, ref: str) -> str | None:
        return None

    def put(self, ref: str, value: str) -> None:
        pass

    def delete(self, ref: str) -> None:
        pass


def open_storage(storage: str, cache_dir: str | None):
    """kubelogin's `--token-cache-storage` mapped onto kubewallet's storage, as (TokenCache,
    SecretStore). `disk` (kubelogin's default) and `keyring` both keep the refresh token only in
    the vault — whose data key is in the OS keyring — and the short-lived id_token (sent to the
    API server on every request anyway) in a 0600 cache file; a refresh token never lands in a
    plaintext file. `none` caches nothing across calls: no id_token file, no refresh token."""
    from kubewallet.oidc.tokencache import NullCache, TokenCache

    if storage == "none":
        return NullCache(cache_dir), NoStore()
    return TokenCache(cache_dir), VaultStore()


class AgentMemory:
    """The running agent's memory, for a refresh token the vault cannot keep here (an SSH
    session without a D-Bus session bus): silent refresh then works while the agent runs, and
    the token is gone when it locks or stops. Nothing is written anywhere else."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path

    def get(self, ref: str) -> str | None:
        from kubewallet.agent import client

        try:
            answer = client.held(ref, self.path)
        except client.NoAgent:
            return None
        return answer.get("value") if answer.get("ok") else None

    def put(self, ref: str, value: str) -> bool:
        """True when an agent took it."""
        from kubewallet.agent import client

        try:
            return bool(client.hold(ref, value, self.path).get("ok"))
        except client.NoAgent:
            return False


class VaultStore:
    """The user's vault; OIDC entries carry `kind` metadata so `kubewallet vault list` can say
    what they are without showing them."""

    def __init__(self, vault=None) -> None:
        self._vault = vault

    @property
    def vault(self):
        if self._vault is None:
            from kubewallet.vault import open_vault

            self._vault = open_vault()
        return self._vault

    def get(self, ref: str) -> str | None:
        return self.vault.get(ref)

    def put(self, ref: str, value: str) -> None:
        kind = "oidc-client-secret" if ref.endswith("/client-secret") else "oidc-refresh-token"
        self.vault.put(ref, value, meta={"kind": kind})

    def delete(self, ref: str) -> None:
        self.vault.delete(ref)


def client_secret_ref(issuer: str, client_id: str) -> str:
    """The reference `oidc-login setup` stores a client secret under: the whole issuer URL (host,
    port and path — two Keycloak realms on one host are two issuers) and the client ID, named
    rather than hashed so a person recognises it in `kubewallet vault list`."""
    from urllib.parse import quote, urlsplit

    parts = urlsplit(issuer)
    where = (parts.netloc + parts.path.rstrip("/")) if parts.netloc else issuer
    return f"oidc/{where}/{quote(client_id, safe='')}/client-secret"


def login_refs(exec_body: dict) -> tuple[str, ...]:
    """The vault references an OIDC login exec entry uses (its client secret, its refresh
    token), for `vault list` and `vault rm`; () for any other exec entry."""
    from kubewallet.oidc.flags import login_from_exec

    flags = login_from_exec(exec_body)
    if flags is None:
        return ()
    config = flags.config()
    refs = [config.refresh_token_ref()]
    if config.client_secret_ref:
        refs.append(config.client_secret_ref)
    return tuple(refs)
