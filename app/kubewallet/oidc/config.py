"""What identifies one OIDC login: the provider, the client, the scopes and the TLS settings.

Standard library only (on the cached-token path). The cache key is a hash over every setting
that changes which token the provider hands out or which server we trust to hand it out — the
same inputs kubelogin keys its cache on (issuer, client id and secret, extra scopes, username,
CA and TLS settings) — so two kubeconfig users never share a token by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TlsSettings:
    """How to trust the issuer: extra CA files, base64 PEM data, or (at the user's risk) nothing."""

    ca_files: tuple[str, ...] = ()
    ca_data: tuple[str, ...] = ()
    insecure_skip_verify: bool = False


@dataclass(frozen=True)
class ProviderConfig:
    """One OIDC client registration as the kubeconfig's exec arguments describe it.

    `client_secret` may come from argv (kubelogin users keep it there); `client_secret_ref` names
    a vault entry instead (what `oidc-login setup` writes) and is resolved only on the slow path.
    """

    issuer: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    client_secret_ref: str | None = None
    extra_scopes: tuple[str, ...] = ()
    username: str = ""
    tls: TlsSettings = TlsSettings()
    use_access_token: bool = False     # kubelogin's --oidc-use-access-token

    @property
    def scopes(self) -> tuple[str, ...]:
        """`openid` first (OIDC Core §3.1.2.1 requires it), then the extra scopes in order."""
        return ("openid", *[s for s in self.extra_scopes if s != "openid"])

    def cache_key(self) -> str:
        """A stable hex digest over everything that changes the token (see `tokencache.cache_key`)."""
        from kubewallet.oidc.tokencache import cache_key

        return cache_key(self.issuer, self.client_id, self.client_secret, self.client_secret_ref,
                         self.extra_scopes, self.username, self.tls.ca_files, self.tls.ca_data,
                         self.tls.insecure_skip_verify, self.use_access_token)

    def lock_key(self) -> str:
        """One lock per issuer and client: parallel kubectl calls for the same login share it."""
        from kubewallet.oidc.tokencache import _sha256_hex

        return _sha256_hex(f"{self.issuer}\n{self.client_id}".encode())[:32]

    def refresh_token_ref(self) -> str:
        """The vault reference of this login's refresh token."""
        return f"oidc/{self.cache_key()[:32]}/refresh-token"


def is_loopback_host(host: str) -> bool:
    """Loopback only when the host is an IP literal in 127.0.0.0/8 or ::1, or exactly `localhost`
    (RFC 8252 §8.3, RFC 6761 §6.3). A name that merely starts with "127." (`127.evil.example`,
    `127.0.0.1.nip.io`) is a DNS name anyone can point anywhere."""
    import ipaddress

    host = host.lower().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return is_loopback_host(host)


def check_issuer_url(url: str) -> str:
    """Refuse an issuer that would let the network read or forge the login.

    OIDC Discovery §3 requires https; plain http is accepted only on loopback (a provider on this
    machine, as RFC 8252 §8.3 allows for loopback redirects), like a developer's Dex on localhost.
    """
    from urllib.parse import urlsplit

    from kubewallet.errors import OidcError

    try:
        parts = urlsplit(url)
        parts.port
    except ValueError:
        raise OidcError(f"the issuer URL {url!r} is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise OidcError(f"the issuer URL {url!r} is not an http(s) URL",
                        hint="pass --oidc-issuer-url=https://your-provider")
    if parts.query or parts.fragment:
        raise OidcError(f"the issuer URL {url!r} must not have a query or fragment (OIDC Discovery §2)")
    if parts.scheme == "http" and not is_loopback_url(url):
        raise OidcError(f"refusing the plain http issuer {url!r}: tokens would cross the network "
                        "unencrypted and anyone on the path could forge a login",
                        hint="use the provider's https URL (http is allowed only on loopback)")
    return url
