"""The story of one plugin call: find the secret, answer kubectl, warn if it is stale.

Read it like kubelogin's `get_token.go`. When an agent runs, it calls `credential()` itself and
hands the plugin the finished answer (`kubewallet.agent.fastclient`); without one the plugin calls
`from_vault()` and opens the vault itself (one keyring read, or a passphrase), which always works
but costs more. What comes back is the JSON value `kubewallet secure` stored —
`{"token": ...}` or `{"clientCertificateData": PEM, "clientKeyData": PEM}` — with `meta.expires`
(RFC 3339) computed when it was stored, so this path never imports `cryptography` to read a
certificate. Standard library only until the vault fallback.

An expired credential is still served (the API server decides; a clock can be wrong), with one
line on stderr naming the user, when it expired and the command that renews it, because kubectl
itself only says "You must be logged in to the server" (kubernetes/kubernetes#39767).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

from kubewallet.errors import ExecPluginError, VaultError, VaultLockedError
from kubewallet.execplugin.expiry import jwt_expiry, parse_rfc3339
from kubewallet.execplugin.protocol import ExecInfo, exec_credential

KIND_WORDS = {"token": "token", "client-certificate": "client certificate",
              "auth-provider": "id-token", "password": "password"}


def renew_command(user: str, kind: str) -> str:
    if kind == "client-certificate":
        return f"kubewallet credential update {user} --client-certificate NEW.crt --client-key NEW.key"
    return f"kubewallet credential update {user} --token-stdin"


def open_for_plugin(info: ExecInfo):
    """The vault opened by this process (no agent), asking for a passphrase only when kubectl
    handed us a terminal; its errors become the plugin's one-line messages."""
    from kubewallet.vault import open_vault

    try:
        vault = open_vault(prompt=_ask_on_terminal if info.interactive else None,
                           interactive=info.interactive)
        vault.unlock()
        return vault
    except VaultError as exc:
        _plugin_error(exc, info)


def from_vault(ref: str, info: ExecInfo) -> tuple[str, dict]:
    """The stored value and meta of `ref`, read from the vault by this process (no agent)."""
    vault = open_for_plugin(info)
    try:
        entry = vault.get_entry(ref)
    except VaultError as exc:
        _plugin_error(exc, info)
    if entry is None:
        raise ExecPluginError(f"no secret {ref!r} in the vault",
                              hint="'kubewallet vault list' shows what it holds; "
                                   "secure the user again with 'kubewallet secure USER'")
    return entry.value, entry.meta


def _plugin_error(exc: VaultError, info: ExecInfo):
    """Raise the plugin's message for a vault that cannot be opened or read."""
    if isinstance(exc, VaultLockedError):
        from kubewallet.vault.vaultfile import WrongPassphrase

        if isinstance(exc, WrongPassphrase) or info.interactive:
            raise ExecPluginError(exc.message, hint=exc.hint) from None
        raise ExecPluginError(f"{exc.message}; kubectl runs this plugin without a terminal, so "
                              "kubewallet cannot ask", hint=exc.hint) from None
    raise ExecPluginError(exc.message, hint=exc.hint) from None


def _ask_on_terminal(text: str) -> str:
    """The passphrase prompt when kubectl hands the plugin a terminal (interactiveMode IfAvailable):
    getpass reads /dev/tty without echo; the prompt goes to stderr, never to stdout."""
    import getpass

    return getpass.getpass(text, stream=sys.stderr)


def credential(value: str, meta: dict, info: ExecInfo, *, ref: str, user: str | None = None,
               now: datetime | None = None, warn=None) -> dict:
    """The ExecCredential for a stored value, warning on stderr when it has expired; refused
    when kubectl is about to talk to a cluster the secret was not secured for (`binding`)."""
    from kubewallet.execplugin.binding import refusal

    refused = refusal(meta, info.cluster, ref=ref, user=user)
    if refused:
        raise ExecPluginError(refused)
    try:
        parsed = json.loads(value) if value.startswith("{") else {"token": value}
    except ValueError:
        parsed = {"token": value}
    token = parsed.get("token")
    cert, key = parsed.get("clientCertificateData"), parsed.get("clientKeyData")
    if not isinstance(token, str) or not token:
        token = None
    if not (isinstance(cert, str) and cert and isinstance(key, str) and key):
        cert = key = None
    if not (token or cert):
        raise ExecPluginError(f"the secret {ref!r} holds no token and no client certificate with its key",
                              hint="'kubewallet unsecure USER' restores the user's inline form")
    expires = parse_rfc3339(meta["expires"]) if meta.get("expires") else None
    if expires is None and token:
        expires = jwt_expiry(token)
    who = user or meta.get("user") or ref
    kind = meta.get("kind") or ("token" if token else "client-certificate")
    now = now or datetime.now(timezone.utc)
    if expires is not None and expires <= now:
        (warn or _stderr)(_expired_line(who, kind, expires, now, meta.get("renew")))
        # A past expirationTimestamp makes client-go run the plugin again before every request
        # (one warning per request); without it client-go reuses the credential until a 401.
        expires = None
    # Both when both are stored: a user with a client certificate and a token sends both (TLS and
    # the header), and client-go accepts an ExecCredential carrying both.
    return exec_credential(info.api_version, token=token,
                           client_certificate_data=cert, client_key_data=key,
                           expiration=expires)


def _expired_line(user: str, kind: str, expires: datetime, now: datetime, renew: str | None) -> str:
    ago = now - expires
    if ago.days >= 1:
        span = f"{ago.days} day{'s' if ago.days != 1 else ''} ago"
    elif ago.seconds >= 3600:
        span = f"{ago.seconds // 3600} h ago"
    else:
        span = f"{max(1, ago.seconds // 60)} min ago"
    when = expires.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    what = KIND_WORDS.get(kind, "credential")
    return (f"kubewallet: the {what} of user {user!r} expired at {when} ({span}); "
            f"renew it with: {renew or renew_command(user, kind)}")


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
