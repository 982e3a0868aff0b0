"""The one registry of secret fields in a kubeconfig, and the one redaction of them.

Every place that hides, counts or moves a secret reads this module: `config view` without `--raw`
(kubeconfig/view.py), `secure`/`unsecure` and `secure --dry-run`, the inventory and the
Credentials page, `lint`'s plaintext check, `check`'s diff and the GUI's save diff. A new secret
field added here is hidden everywhere at once.

Stdlib only: kubeconfig/view.py imports it on `config view`'s path.
"""

from __future__ import annotations

import re

# Inline secrets of a user entry (client-go `AuthInfo`): whoever reads them can act as the user.
USER_SECRETS = ("token", "password", "client-key-data")
# Secrets inside a legacy `auth-provider`'s `config` map (the oidc provider's field names).
PROVIDER_SECRETS = ("id-token", "access-token", "refresh-token", "client-secret")
# Fields holding public certificate data: not secret, but shown shortened by `kubectl config view`.
PUBLIC_DATA = {"users": ("client-certificate-data",), "clusters": ("certificate-authority-data",)}
# User fields that name a file holding a secret (its content is the secret).
SECRET_FILES = ("client-key", "tokenFile")
# Every user field that carries a credential (what `secure` replaces with the exec entry).
CREDENTIAL_FIELDS = ("client-certificate", "client-certificate-data", "client-key", "client-key-data",
                     "token", "tokenFile", "username", "password", "auth-provider")

REDACTED, DATA_OMITTED = "REDACTED", "DATA+OMITTED"

# What `kubectl config view` (without --raw) replaces, and with which word: client-go
# `clientcmdapi.ShortenConfig` writes DATA+OMITTED for the byte fields and REDACTED for the token;
# kubectl's `RedactSecrets` adds the password.
VIEW_WORDS = {
    "users": {"client-key-data": DATA_OMITTED, "client-certificate-data": DATA_OMITTED,
              "token": REDACTED, "password": REDACTED},
    "clusters": {"certificate-authority-data": DATA_OMITTED},
}

_SECRET_KEYS = USER_SECRETS + PROVIDER_SECRETS
_DATA_KEYS = PUBLIC_DATA["users"] + PUBLIC_DATA["clusters"]
_LINE = re.compile(r"^([-+ ]?\s*(?:- )?)(" + "|".join(map(re.escape, _SECRET_KEYS + _DATA_KEYS))
                   + r"):[ \t]*(\S.*)$")


_SECRET_BYTES = re.compile(rb"^[ \t]*(?:- )?(?:" + b"|".join(re.escape(k.encode()) for k in _SECRET_KEYS)
                           + rb"):[ \t]*[^\s'\"]", re.M)


def holds_secret(content: bytes) -> bool:
    """Does this kubeconfig text carry a plaintext secret (a non-empty secret field)? A textual
    check, so the save path that asks it never parses YAML twice."""
    return _SECRET_BYTES.search(content) is not None


def plaintext_fields(body: dict) -> list[str]:
    """The secret fields a user entry holds in plain text, in the words `lint` and the
    Credentials page show ("token", "auth-provider id-token")."""
    if not isinstance(body, dict):
        return []
    found = [f for f in USER_SECRETS if body.get(f)]
    provider = body.get("auth-provider") if isinstance(body.get("auth-provider"), dict) else {}
    config = provider.get("config") if isinstance(provider.get("config"), dict) else {}
    return found + [f"auth-provider {k}" for k in PROVIDER_SECRETS if config.get(k)]


def plaintext_users(ws) -> dict[str, list[str]]:
    """user -> the secret fields it keeps in plain text in its kubeconfig file (users with none are
    left out). The one count behind `lint`'s plaintext-secret finding and the Credentials page."""
    out = {}
    for name, entry in ws.users.items():
        fields = plaintext_fields(entry.body)
        if fields:
            out[name] = fields
    return out


def redact_diff(diff: str) -> str:
    """A kubeconfig diff (or YAML text) safe to show: secret values replaced with kubectl's
    redaction words (REDACTED; DATA+OMITTED for certificate data), as `kubectl config view` does."""

    def fix(line: str) -> str:
        m = _LINE.match(line)
        if not m:
            return line
        word = DATA_OMITTED if m.group(2) in _DATA_KEYS else REDACTED
        return f"{m.group(1)}{m.group(2)}: {word}"

    return "".join(fix(line.rstrip("\n")) + ("\n" if line.endswith("\n") else "")
                   for line in diff.splitlines(keepends=True))
