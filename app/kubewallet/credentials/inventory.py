"""Where each user's secret lives: the Credentials page's and `vault list`'s view of a workspace.

Plain data over the kubeconfig engine's `Workspace`; no keyring access (the vault's own state is
`Vault.status()`), no Qt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from kubewallet.credentials.secure import _securable, kubewallet_ref

INLINE, FILE, VAULT, PLUGIN, NONE = "inline", "file", "vault", "plugin", "none"


@dataclass(frozen=True)
class UserCredential:
    """One kubeconfig user as the Credentials page lists it (never a secret value)."""

    user: str
    kind: str          # "client certificate", "token", "auth-provider (oidc)", "exec: aws", ...
    location: str      # INLINE (plaintext in the kubeconfig: flagged), FILE, VAULT, PLUGIN, NONE
    detail: str        # the file path, the vault reference, the plugin command
    file: str          # the kubeconfig file that defines the user
    securable: bool    # "Move to keyring" applies
    secured: bool      # "Restore inline" applies


def describe(ws) -> list[UserCredential]:
    out = []
    for name, entry in ws.users.items():
        body = entry.body or {}
        ref = kubewallet_ref(body)
        securable = _securable(body)
        if ref:
            out.append(UserCredential(name, "kubewallet vault", VAULT, ref, entry.file, False, True))
            continue
        if isinstance(body.get("exec"), dict):
            command = os.path.basename(str(body["exec"].get("command") or "?"))
            sub = " ".join(str(a) for a in (body["exec"].get("args") or [])[:1])
            out.append(UserCredential(name, f"exec: {command} {sub}".strip(), PLUGIN,
                                      str(body["exec"].get("command") or ""), entry.file, False, False))
            continue
        if body.get("client-key-data"):
            kind, loc, detail = "client certificate", INLINE, "client-key-data"
        elif body.get("client-key"):
            kind, loc, detail = "client certificate", FILE, ws.resolve_path(entry, body["client-key"])
        elif body.get("token"):
            kind, loc, detail = "token", INLINE, "token"
        elif body.get("tokenFile"):
            kind, loc, detail = "token", FILE, ws.resolve_path(entry, body["tokenFile"])
        elif isinstance(body.get("auth-provider"), dict):
            kind = f"auth-provider ({body['auth-provider'].get('name') or '?'})"
            loc, detail = INLINE, "auth-provider config"
        elif body.get("password"):
            kind, loc, detail = "password (basic auth)", INLINE, "password"
        else:
            kind, loc, detail = "none", NONE, ""
        out.append(UserCredential(name, kind, loc, detail, entry.file,
                                  securable or loc == FILE and kind != "password (basic auth)", False))
    return out
