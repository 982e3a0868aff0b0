"""The credential a context makes kubectl send, as request headers and a client certificate.

Which fields a user entry carries is read by the one reader (`inspect.sources.user_credentials`);
this module only turns them into what goes on the wire, in client-go's precedence
(`rest.Config` from `clientcmd`): a client certificate (with its key), a bearer token
(`tokenFile` over `token`), basic auth, a legacy `auth-provider` oidc id-token; an `exec` plugin
only when no static token or certificate is set (client-go's exec round tripper leaves an
`Authorization` header already set alone). The user's impersonation fields become the
`Impersonate-*` headers kubectl sends.

Exec plugins — kubewallet's own `credential get` for a secured user included, which serves from
the agent or the vault — run exactly as kubectl runs them (`execplugin.run`), never with a
person: a plugin that needs a login fails with `NeedsLogin` unless interaction was allowed.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from kubewallet.errors import KubewalletError
from kubewallet.execplugin.run import run_plugin
from kubewallet.inspect.sources import Material, token_text, user_credentials
from kubewallet.probe.endpoint import cluster_info


@dataclass(frozen=True)
class Credential:
    """What to send (secret values: never print `headers` or `client_cert`)."""

    what: str                                   # "bearer token (users/alice token)", "none"
    headers: tuple[tuple[str, str], ...]        # in order; Impersonate-Group may repeat
    client_cert: tuple[bytes, bytes] | None = None

    def __repr__(self) -> str:
        return f"Credential({self.what!r})"


def _data(material: Material | None) -> bytes | None:
    if material is None:
        return None
    if material.data is None:
        raise KubewalletError(material.error)
    return material.data


def _pem(data: bytes) -> bytes:
    """A `-data` field decodes to PEM (kubectl's form) or DER; OpenSSL's chain file wants PEM."""
    if b"-----BEGIN" in data:
        return data
    import ssl

    return ssl.DER_cert_to_PEM_cert(data).encode()


def obtain(ws, context: str, *, allow_interactive: bool = False, timeout: float = 60.0) -> Credential:
    """The credential of `context`'s user; raises `NeedsLogin` or a `KubewalletError` (plain words)."""
    body = ws.contexts[context].body or {}
    user, cluster = str(body.get("user") or ""), str(body.get("cluster") or "")
    if not user:
        return Credential("none (anonymous)", ())
    creds = user_credentials(ws, user)
    if creds.missing:
        raise KubewalletError(f"user {user!r} does not exist in the kubeconfig")
    entry = ws.users[user]
    ubody = entry.body or {}
    headers: dict[str, str] = {}
    what: list[str] = []
    cert, key = _data(creds.client_cert), _data(creds.client_key)
    if bool(cert) != bool(key):
        raise KubewalletError(f"user {user!r} has a client certificate without its key, or a key alone")
    client = (_pem(cert), key) if cert and key else None
    if client:
        what.append(f"client certificate ({creds.client_cert.source})")
    token = token_text(creds.token) if creds.token is not None and _data(creds.token) else None
    provider = creds.auth_provider_config or {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
        what.append(f"bearer token ({creds.token.source})")
    elif creds.basic_username and ubody.get("password"):
        pair = f"{creds.basic_username}:{ubody['password']}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        what.append("username/password")
    elif creds.auth_provider:
        if creds.auth_provider != "oidc":
            raise KubewalletError(f"auth-provider {creds.auth_provider!r} was removed from kubectl in 1.26")
        if not isinstance(provider.get("id-token"), str) or not provider["id-token"]:
            from kubewallet.execplugin.run import NeedsLogin

            raise NeedsLogin("the oidc auth-provider holds no id-token: log in first")
        headers["Authorization"] = f"Bearer {provider['id-token']}"
        what.append("auth-provider oidc id-token")
    exec_body = ubody.get("exec") if isinstance(ubody.get("exec"), dict) else None
    if exec_body is not None and "Authorization" not in headers and client is None:
        answer = run_plugin(exec_body, kubeconfig_file=entry.file, cluster_info=cluster_info(ws, cluster),
                            allow_interactive=allow_interactive, timeout=timeout)
        name = os.path.basename(str(exec_body.get("command") or "?"))
        if answer.cert_pem and answer.key_pem:
            client = (answer.cert_pem.encode(), answer.key_pem.encode())
            what.append(f"client certificate from the exec plugin {name}")
        if answer.token:
            headers["Authorization"] = f"Bearer {answer.token}"
            what.append(f"bearer token from the exec plugin {name}")
    pairs = list(headers.items())
    if creds.impersonate_user:
        pairs.append(("Impersonate-User", creds.impersonate_user))
        pairs += [("Impersonate-Group", g) for g in creds.impersonate_groups]
        if creds.impersonate_uid:
            pairs.append(("Impersonate-Uid", creds.impersonate_uid))
    return Credential(" and ".join(what) or "none (anonymous)", tuple(pairs), client)
