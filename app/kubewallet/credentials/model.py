"""Which credential kubectl actually sends for a kubeconfig user entry: client-go's precedence for
every pair of fields, decided once here for `secure`, the inventory, `whoami` and `lint`.

client-go, read in order (v0.35):
- tools/clientcmd/validation.go `validateAuthInfo`: kubectl refuses an entry with both
  `client-certificate` and `client-certificate-data`, both `client-key` and `client-key-data`,
  a certificate without its key, a `token` together with `username`/`password` ("more than one
  authentication method"), or `exec` together with `auth-provider`.
- tools/clientcmd/client_config.go `getUserIdentificationPartialConfig`: `token` is copied with
  the `tokenFile` path beside it; transport/round_trippers.go `NewBearerAuthWithRefreshRoundTripper`
  then reads the FILE before every request and sends its token, falling back to the inline
  `token` only when the file cannot be read. So with both set, the file's token is sent.
- transport/transport.go `loadTLSFiles` (`dataFromSliceOrFile`): a `-data` field wins over its
  file field (moot for kubectl, which refuses both, see above).
- plugin/pkg/client/auth/exec `UpdateTransportConfig`: the exec plugin is not run when a token,
  basic auth or a client certificate is configured: static credentials win over `exec`.
- transport/round_trippers.go `HTTPWrappersForConfig`: an auth-provider wraps the transport inside
  the bearer round tripper, and the oidc provider passes a request that already carries
  `Authorization`: a static token wins over an `auth-provider`.
- A client certificate and a bearer token are both sent (TLS and the header); the API server's
  authenticators try x509 first (kube-apiserver `authenticator.Config.New`).
"""

from __future__ import annotations

from dataclasses import dataclass

CERT, TOKEN, BASIC, AUTH_PROVIDER, EXEC, NONE = (
    "client-certificate", "token", "basic", "auth-provider", "exec", "none")


@dataclass(frozen=True)
class Sent:
    """What kubectl sends for one user entry (field names only, never values).

    `certificate`/`key`: the field the client certificate and its key come from; `bearer`: the
    field the Authorization bearer token comes from (`tokenFile`, `token`, `auth-provider`, or
    `exec` when the plugin runs); `basic`: username/password sent; `fallback_token`: with
    `tokenFile` and `token` both set, the inline token is sent only if the file cannot be read.
    `refused`: kubectl rejects the entry (client-go's message), and sends nothing."""

    certificate: str | None = None
    key: str | None = None
    bearer: str | None = None
    basic: bool = False
    fallback_token: bool = False
    refused: str = ""

    @property
    def kind(self) -> str:
        """The credential the API server authenticates first: x509, then the bearer token."""
        if self.refused:
            return NONE
        if self.certificate:
            return CERT
        if self.bearer in ("token", "tokenFile"):
            return TOKEN
        if self.bearer:
            return self.bearer
        return BASIC if self.basic else NONE


def _refused(body: dict, user: str) -> str:
    """client-go `validateAuthInfo`'s refusals, in its words."""
    if body.get("client-certificate") and body.get("client-certificate-data"):
        return f"client-cert-data and client-cert are both specified for {user}. client-cert-data will override."
    if body.get("client-key") and body.get("client-key-data"):
        return f"client-key-data and client-key are both specified for {user}; client-key-data will override"
    has_cert = body.get("client-certificate") or body.get("client-certificate-data")
    has_key = body.get("client-key") or body.get("client-key-data")
    if has_cert and not has_key:
        return f"client-key-data or client-key must be specified for {user} to use the clientCert authentication method."
    if has_key and not has_cert:
        return (f"client-cert-data or client-cert must be specified for {user} to use the clientCert "
                "authentication method.")
    if body.get("token") and (body.get("username") or body.get("password")):
        return f"more than one authentication method found for {user}; found [token basicAuth], only one is allowed"
    if body.get("exec") and body.get("auth-provider"):
        return f"authProvider cannot be provided in combination with an exec plugin for {user}"
    return ""


def sent(body: dict, user: str = "") -> Sent:
    """The credential kubectl sends for a user `body` (client-go's precedence, see the module)."""
    if not isinstance(body, dict):
        return Sent()
    refused = _refused(body, user)
    if refused:
        return Sent(refused=refused)
    certificate = ("client-certificate-data" if body.get("client-certificate-data")
                   else "client-certificate" if body.get("client-certificate") else None)
    key = "client-key-data" if body.get("client-key-data") else "client-key" if body.get("client-key") else None
    basic = bool(body.get("username"))  # transport.Config.HasBasicAuth: a username
    bearer = "tokenFile" if body.get("tokenFile") else "token" if body.get("token") else None
    fallback = bool(body.get("tokenFile") and body.get("token"))
    if bearer is None and not basic:
        if isinstance(body.get("auth-provider"), dict):
            bearer = AUTH_PROVIDER
        elif isinstance(body.get("exec"), dict) and not certificate:
            bearer = EXEC
    return Sent(certificate, key, bearer, basic, fallback)
