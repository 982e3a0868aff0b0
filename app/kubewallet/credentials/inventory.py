"""Where each user's secret lives: the Credentials page's and `vault list`'s view of a workspace.

Plain data over the kubeconfig engine's `Workspace` and the credential model
(`credentials.model.sent`: what kubectl sends); no keyring access (the vault's own state is
`Vault.status()`), no Qt. A user is INLINE exactly when `lint` flags plaintext secrets in it
(`credentials.fields.plaintext_fields`), so the page and `lint` always agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from kubewallet.credentials.fields import plaintext_fields
from kubewallet.credentials.model import AUTH_PROVIDER, BASIC, CERT, EXEC, TOKEN, sent
from kubewallet.credentials.secure import kubewallet_ref, securable

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


def _describe_one(ws, name: str, entry) -> UserCredential:
    body = entry.body or {}
    ref = kubewallet_ref(body)
    if ref:
        return UserCredential(name, "kubewallet vault", VAULT, ref, entry.file, False, True)
    what = sent(body, name)
    inline = plaintext_fields(body)
    kind = {CERT: "client certificate", TOKEN: "token", BASIC: "password (basic auth)"}.get(what.kind, "none")
    loc, detail = NONE, ""
    if what.refused:
        kind = "invalid: kubectl refuses it"
    elif what.kind == EXEC:
        command = os.path.basename(str(body["exec"].get("command") or "?"))
        sub = " ".join(str(a) for a in (body["exec"].get("args") or [])[:1])
        kind, loc, detail = f"exec: {command} {sub}".strip(), PLUGIN, str(body["exec"].get("command") or "")
    elif what.kind == AUTH_PROVIDER:
        kind = f"auth-provider ({body['auth-provider'].get('name') or '?'})"
        loc, detail = INLINE, "auth-provider config"
    elif what.kind == CERT and what.key == "client-key":
        loc, detail = FILE, ws.resolve_path(entry, body["client-key"])
    elif what.kind == TOKEN and what.bearer == "tokenFile":
        loc, detail = FILE, ws.resolve_path(entry, body["tokenFile"])
    if inline:
        loc, detail = INLINE, ", ".join(inline)
    can_secure = securable(body) or (loc in (FILE, INLINE) and not what.refused and what.kind in (CERT, TOKEN))
    return UserCredential(name, kind, loc, detail, entry.file, can_secure, False)


def describe(ws) -> list[UserCredential]:
    """Every user of the workspace, in kubeconfig order."""
    return [_describe_one(ws, name, entry) for name, entry in ws.users.items()]
