"""After `secure`: rewrite the earlier backups of a kubeconfig, and the copies live `kubewallet
shell`s use, so the secrets now in the vault no longer appear in them ("no plaintext left
behind"); backups still holding another secret are sealed (`credentials.sealing`).

A backup user entry that still carries a moved secret gets the secured entry's credential (the
exec entry serving it from the vault), so restoring that backup keeps working; any other string
equal to a moved secret is replaced with kubectl's word REDACTED. Runs only after the vault write
was verified and the kubeconfig rewritten (verify-then-commit): until then the backups are the
only other copy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kubewallet.credentials.fields import CREDENTIAL_FIELDS, PROVIDER_SECRETS, REDACTED, USER_SECRETS


def moved_secrets(body: dict) -> set[str]:
    """The secret strings of a user body as it was before `secure` (inline secrets and the
    auth-provider's)."""
    found = {str(body[k]) for k in USER_SECRETS if body.get(k)}
    provider = body.get("auth-provider") if isinstance(body.get("auth-provider"), dict) else {}
    config = provider.get("config") if isinstance(provider.get("config"), dict) else {}
    return found | {str(config[k]) for k in PROVIDER_SECRETS if config.get(k)}


def _redact(value: Any, secrets: set[str]) -> Any:
    if isinstance(value, str):
        return REDACTED if value in secrets else value
    if isinstance(value, dict):
        return {k: _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    return value


def scrub_document(doc: Any, secured: dict[str, dict], secrets: set[str]) -> Any:
    """`doc` with the secured users' credentials replaced by their exec entries (`secured`:
    user -> its new body) when they still carry a moved secret, and every other moved secret
    redacted."""
    if not isinstance(doc, dict):
        return doc
    for item in doc.get("users") or []:
        if not isinstance(item, dict) or not isinstance(item.get("user"), dict):
            continue
        body, new = item["user"], secured.get(item.get("name"))
        if new is not None and moved_secrets(body) & secrets:
            item["user"] = {**{k: v for k, v in body.items() if k not in CREDENTIAL_FIELDS and k != "exec"},
                            "exec": new["exec"]}
    return _redact(doc, secrets)


def _scrubbed_bytes(raw: bytes, where: str, secured: dict[str, dict], secrets: set[str]) -> bytes:
    from kubewallet.kubeconfig.yamlio import dump_yaml, parse_yaml

    try:
        return dump_yaml(scrub_document(parse_yaml(raw, where), secured, secrets)).encode()
    except ValueError:  # a backup that does not parse (kubectl wrote garbage once): bytes only
        for secret in sorted(secrets, key=len, reverse=True):
            raw = raw.replace(secret.encode(), REDACTED.encode())
        return raw


def prepare(paths: list[Path], secured: dict[str, dict], secrets: set[str], *,
            seal: bool) -> list[tuple[Path, Path]]:
    """Write beside each of `paths` that still holds one of `secrets` its scrubbed copy (and, with
    `seal`, sealed when it still holds another secret: backups; a `kubewallet shell` copy must
    stay readable by kubectl), user-only and fsynced; returns (copy, original) pairs for
    `commit`, nothing replaced yet. Raises OSError (after removing its copies) when a file
    cannot be read or written."""
    from kubewallet.credentials.sealing import is_sealed, seal_if_secret

    ready: list[tuple[Path, Path]] = []
    try:
        for path in paths:
            raw = path.read_bytes()
            if is_sealed(raw):
                continue
            new = (_scrubbed_bytes(raw, str(path), secured, secrets)
                   if any(s.encode() in raw for s in secrets) else raw)
            if seal:
                new = seal_if_secret(new)  # other users' secrets: sealed with the backup key
            if new == raw:
                continue
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            ready.append((tmp, path))
            with os.fdopen(fd, "wb") as out:
                out.write(new)
                out.flush()
                os.fsync(out.fileno())
    except BaseException:
        discard(ready)
        raise
    return ready


def commit(ready: list[tuple[Path, Path]]) -> None:
    """Replace each file with its scrubbed copy (`os.replace`: atomic per file)."""
    for tmp, backup in ready:
        os.replace(tmp, backup)


def discard(ready: list[tuple[Path, Path]]) -> None:
    for tmp, _backup in ready:
        tmp.unlink(missing_ok=True)
