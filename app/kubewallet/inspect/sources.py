"""Where a kubeconfig keeps each credential, read the way kubectl reads it.

- `certificate-authority` / `client-certificate` / `client-key` / `tokenFile` are paths relative
  to the file that names them (client-go `ResolveLocalPaths`); the `-data` forms are base64 in
  YAML (kubewallet also takes PEM or DER pasted there); a `-data` field wins over its file field,
  as client-go's `rest.TLSClientConfig` does.
- Which field kubectl sends is `credentials.model.sent` (client-go's precedence): `tokenFile`
  wins over `token`, which is sent only when the file cannot be read.
- A user *secured* by kubewallet is an `exec` entry running `kubewallet credential get --ref REF`:
  its certificate or token lives in the vault under REF, as JSON `{"token": ...}` or
  `{"clientCertificateData": PEM, "clientKeyData": PEM}` (see `execplugin/serve.py`). The vault is
  reached through an injected `VaultReader` so this module never opens a keyring by itself.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kubewallet.credentials.model import sent
from kubewallet.errors import InspectError, KubewalletError

# ref -> stored value (None when absent); raises a KubewalletError when the vault is locked.
VaultReader = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Material:
    """Bytes of one credential field, or why they could not be read. `source` is the words a
    person needs to find it: "users/jane client-certificate-data" or "users/jane
    client-certificate /home/me/.kube/jane.crt"."""

    source: str
    data: bytes | None
    error: str = ""
    path: str = ""


def _decode_data_field(value, source: str) -> Material:
    if not isinstance(value, str):
        return Material(source, None, f"{source} is not a string")
    text = value.strip()
    if "-----BEGIN" in text:
        return Material(source, text.encode())
    compact = "".join(text.split())
    try:
        return Material(source, base64.b64decode(compact, validate=True))
    except (binascii.Error, ValueError):
        return Material(source, None, f"{source} is not valid base64 (kubectl cannot read it either)")


def read_file_field(path: str, source: str) -> Material:
    try:
        return Material(source, Path(path).read_bytes(), path=path)
    except FileNotFoundError:
        return Material(source, None, f"{source}: no such file {path}", path)
    except IsADirectoryError:
        return Material(source, None, f"{source}: {path} is a directory", path)
    except PermissionError:
        return Material(source, None, f"{source}: permission denied reading {path}", path)
    except OSError as exc:
        return Material(source, None, f"{source}: cannot read {path} ({exc.strerror})", path)


def field_material(ws, entry, data_key: str, file_key: str) -> Material | None:
    """The `-data` field (preferred) or the file field of an entry; None when neither is set."""
    owner = f"{entry.kind}/{entry.name}"
    body = entry.body or {}
    if body.get(data_key):
        return _decode_data_field(body[data_key], f"{owner} {data_key}")
    if body.get(file_key):
        value = body[file_key]
        if not isinstance(value, str):
            return Material(f"{owner} {file_key}", None, f"{owner} {file_key} is not a string")
        path = ws.resolve_path(entry, os.path.expanduser(value))
        return read_file_field(path, f"{owner} {file_key} {path}")
    return None


# ----------------------------------------------------------------------------- exec / vault


def kubewallet_ref(exec_body: dict) -> str | None:
    """REF when the exec entry runs kubewallet's own plugin (`credential get --ref REF`)."""
    from kubewallet.credentials.secure import exec_ref

    return exec_ref(exec_body)


@dataclass(frozen=True)
class VaultCredential:
    """What a secured user's vault entry holds (values are secrets: keep them out of output)."""

    ref: str
    token: str | None = None
    cert_pem: str | None = None
    key_pem: str | None = None
    error: str = ""


def read_vault_credential(ref: str, reader: VaultReader | None) -> VaultCredential:
    if reader is None:
        return VaultCredential(ref, error=f"in the vault ({ref}); not read")
    try:
        value = reader(ref)
    except KubewalletError as exc:
        return VaultCredential(ref, error=f"in the vault ({ref}), which cannot be read now: {exc.one_line()}")
    if value is None:
        return VaultCredential(ref, error=f"the vault holds nothing under {ref}")
    if not value.startswith("{"):
        return VaultCredential(ref, token=value)
    try:
        parsed = json.loads(value)
    except ValueError:
        return VaultCredential(ref, token=value)
    if not isinstance(parsed, dict):
        return VaultCredential(ref, error=f"the vault entry {ref} is not a credential")
    pick = lambda k: parsed.get(k) if isinstance(parsed.get(k), str) else None  # noqa: E731
    found = VaultCredential(ref, token=pick("token"), cert_pem=pick("clientCertificateData"),
                            key_pem=pick("clientKeyData"))
    if not (found.token or found.cert_pem):
        return VaultCredential(ref, error=f"the vault entry {ref} holds no token and no client certificate")
    return found


def default_vault_reader() -> VaultReader:
    """The user's vault, opened on first use (the keyring is read once, never prompted for)."""
    cache: dict = {}

    def read(ref: str) -> str | None:
        if "vault" not in cache:
            from kubewallet.vault import open_vault

            cache["vault"] = open_vault()
        return cache["vault"].get(ref)

    return read


# ----------------------------------------------------------------------------- user credentials


@dataclass(frozen=True)
class UserCredentials:
    """Everything a user entry authenticates with, read (but not judged)."""

    user: str
    client_cert: Material | None = None
    client_key: Material | None = None
    token: Material | None = None
    vault: VaultCredential | None = None
    exec_command: str = ""
    auth_provider: str = ""
    auth_provider_config: dict | None = None
    basic_username: str = ""
    impersonate_user: str = ""
    impersonate_groups: tuple[str, ...] = ()
    impersonate_uid: str = ""
    impersonate_extra: dict | None = None
    missing: bool = False


def user_credentials(ws, user_name: str, vault_reader: VaultReader | None = None) -> UserCredentials:
    entry = ws.users.get(user_name)
    if entry is None:
        return UserCredentials(user_name, missing=True)
    body = entry.body or {}
    what = sent(body, user_name)
    token: Material | None = None
    if what.bearer == "tokenFile":
        token = field_material(ws, entry, "\0never", "tokenFile")
    if what.bearer == "token" or (what.fallback_token and token is not None and token.data is None):
        value = body["token"]  # client-go sends it when the tokenFile cannot be read
        token = Material(f"users/{user_name} token",
                         value.encode() if isinstance(value, str) else None,
                         "" if isinstance(value, str) else f"users/{user_name} token is not a string")
    exec_body = body.get("exec") if isinstance(body.get("exec"), dict) else None
    ref = kubewallet_ref(exec_body) if exec_body else None
    vault = read_vault_credential(ref, vault_reader) if ref else None
    provider = body.get("auth-provider") if isinstance(body.get("auth-provider"), dict) else {}
    groups = body.get("as-groups") or []
    return UserCredentials(
        user=user_name,
        client_cert=field_material(ws, entry, "client-certificate-data", "client-certificate"),
        client_key=field_material(ws, entry, "client-key-data", "client-key"),
        token=token, vault=vault,
        exec_command=str(exec_body.get("command") or "") if exec_body else "",
        auth_provider=str(provider.get("name") or ""),
        auth_provider_config=provider.get("config") if isinstance(provider.get("config"), dict) else None,
        basic_username=str(body.get("username") or ""),
        impersonate_user=str(body.get("as") or ""),
        impersonate_groups=tuple(str(g) for g in groups) if isinstance(groups, list) else (),
        impersonate_uid=str(body.get("as-uid") or ""),
        impersonate_extra=body.get("as-user-extra") if isinstance(body.get("as-user-extra"), dict) else None,
    )


def token_text(material: Material | None) -> str | None:
    if material is None or material.data is None:
        return None
    try:
        return material.data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InspectError(f"{material.source} is not text") from None


def token_users(ws) -> list[tuple[str, str]]:
    """[(user, what)] for every user that holds a bearer token the Tokens page can decode:
    'token', 'tokenFile', 'auth-provider id-token' or 'vault token' (a secured user)."""
    out = []
    for name, entry in ws.users.items():
        body = entry.body or {}
        provider = body.get("auth-provider") if isinstance(body.get("auth-provider"), dict) else {}
        config = provider.get("config") if isinstance(provider.get("config"), dict) else {}
        exec_body = body.get("exec") if isinstance(body.get("exec"), dict) else None
        if body.get("tokenFile"):
            out.append((name, "tokenFile"))
        elif body.get("token"):
            out.append((name, "token"))
        elif config.get("id-token"):
            out.append((name, "auth-provider id-token"))
        elif exec_body and kubewallet_ref(exec_body):
            out.append((name, "vault"))
    return out


def user_token(ws, user: str, vault_reader: VaultReader | None = None) -> tuple[str, str]:
    """(token, where it came from) for a user, in client-go's order: tokenFile, token, then an
    auth-provider's id-token, then the vault entry of a secured user."""
    creds = user_credentials(ws, user, vault_reader)
    if creds.missing:
        raise InspectError(f"user {user!r} not found")
    if creds.token is not None:
        if creds.token.data is None:
            raise InspectError(creds.token.error)
        return token_text(creds.token) or "", creds.token.source
    config = creds.auth_provider_config or {}
    if isinstance(config.get("id-token"), str) and config["id-token"]:
        return config["id-token"], f"users/{user} auth-provider id-token"
    if creds.vault is not None:
        if creds.vault.error:
            raise InspectError(creds.vault.error)
        if creds.vault.token:
            return creds.vault.token, f"vault {creds.vault.ref}"
    raise InspectError(f"user {user!r} holds no token", hint="'kubewallet whoami' shows what it uses")


def oidc_cache_entries() -> list[tuple[str, str, str]]:
    """[(cache key, issuer, client id)] of the id_tokens `kubewallet oidc-login` has cached."""
    try:
        from kubewallet.oidc.tokencache import TokenCache

        return [(key, tok.issuer, tok.client_id) for key, tok in TokenCache().entries()]
    except (ImportError, OSError, ValueError, AttributeError):
        return []


def oidc_cache_token(key: str) -> tuple[str, str]:
    """(id_token, where it came from) for one cache entry."""
    from kubewallet.oidc.tokencache import TokenCache

    cached = TokenCache().load(key)
    if cached is None:
        raise InspectError(f"the OIDC token cache has no readable entry {key!r}")
    return cached.id_token, f"the oidc-login cache ({cached.issuer or key})"


def token_file(path: str) -> tuple[str, str]:
    """(token, where it came from) read from a file a person picked."""
    material = read_file_field(os.path.expanduser(path), f"file {path}")
    if material.data is None:
        raise InspectError(material.error)
    return token_text(material) or "", f"file {path}"
