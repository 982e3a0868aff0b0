"""A security lint of the kubeconfig: findings with a severity and, where one exists, a fix.

Each rule is a small function over the workspace that yields `Finding`s; the rules and why they
matter:

- plaintext-secret: a token, client key, password or auth-provider secret written in the file
  (anyone who can read it, or a backup of it, is you) -> `kubewallet secure USER`.
- file-mode: a kubeconfig readable by group or others (kubectl itself warns about this for
  Helm's files; client-go writes 0600) -> `chmod 600`.
- insecure-skip-tls-verify: the server is not authenticated; any machine in the path can read
  the credentials kubectl sends.
- http-server: `http://` sends the credentials in clear text.
- system-masters: a `system:masters` certificate in daily use (bypasses RBAC, cannot be revoked).
- cert-expired / cert-expiring / cert-unreadable, token-expired / token-expiring.
- legacy-sa-token: a Secret-based ServiceAccount token, which never expires.
- removed-auth-provider: the in-tree `gcp` and `azure` auth-providers, removed in Kubernetes 1.26.
- exec-not-found: an exec plugin command that is not on PATH (relative commands with a slash are
  resolved against the kubeconfig's directory, as client-go does).
- dangling-reference: a context naming a cluster or user that no file defines, or a
  current-context that does not exist.
- duplicate-entry: the same name in several KUBECONFIG files; the first file wins and the others
  are silently ignored by kubectl.
- planted-kubewallet-ref: an exec entry running kubewallet's plugin for a secret `secure` did not
  write there (another user's reference: a vendor file borrowing it), see execplugin/binding.py.
- wrap-exec (with `--time-exec`, which runs each foreign plugin once): a plugin taking 0.1 s or
  more runs at every kubectl call; `kubewallet secure USER` wraps it and answers from a cache.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass

from kubewallet.credentials.fields import SECRET_FILES, plaintext_users
from kubewallet.errors import InspectError
from kubewallet.inspect import report as cert_report
from kubewallet.inspect import tokens as jwt_tokens
from kubewallet.inspect.sources import VaultReader, token_text, user_credentials
from kubewallet.inspect.whoami import REMOVED_PROVIDERS

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One thing to fix. `fix_action` is machine-readable for the GUI's fix buttons:
    ("chmod600", PATH), ("secure", USER), ("renew", USER), or None."""

    severity: str
    code: str
    subject: str
    message: str
    fix: str = ""
    fix_action: tuple[str, str] | None = None

    def to_json(self) -> dict:
        return {"severity": self.severity, "code": self.code, "subject": self.subject,
                "message": self.message, "fix": self.fix,
                "fixAction": list(self.fix_action) if self.fix_action else None}


def _files(ws) -> Iterator:
    return (f for f in ws.files if f.exists)


def check_file_modes(ws) -> Iterator[Finding]:
    for f in _files(ws):
        try:
            mode = stat.S_IMODE(os.stat(f.path).st_mode)
        except OSError:
            continue
        if mode & 0o077:
            who = "everyone" if mode & 0o004 else "its group"
            yield Finding("error" if mode & 0o004 else "warning", "file-mode", f.path,
                          f"the kubeconfig is readable by {who} (mode {mode:04o})",
                          f"chmod 600 {f.path}", ("chmod600", f.path))


def check_secret_file_modes(ws) -> Iterator[Finding]:
    """A `client-key` or `tokenFile` readable by others leaks the credential as surely as a
    world-readable kubeconfig does."""
    for name, entry in ws.users.items():
        body = entry.body or {}
        for field in SECRET_FILES:
            value = body.get(field)
            if not isinstance(value, str) or not value:
                continue
            path = ws.resolve_path(entry, os.path.expanduser(value))
            try:
                mode = stat.S_IMODE(os.stat(path).st_mode)
            except OSError:
                continue
            if mode & 0o077:
                yield Finding("error" if mode & 0o004 else "warning", "file-mode", f"users/{name}",
                              f"{field} {path} is readable by {'everyone' if mode & 0o004 else 'its group'} "
                              f"(mode {mode:04o})", f"chmod 600 {path}", ("chmod600", path))


def check_plaintext(ws) -> Iterator[Finding]:
    for name, fields in plaintext_users(ws).items():
        yield Finding("warning", "plaintext-secret", f"users/{name}",
                          f"{', '.join(fields)} stored in plain text in {ws.users[name].file}",
                          f"kubewallet secure {name}", ("secure", name))


def check_clusters(ws) -> Iterator[Finding]:
    for name, entry in ws.clusters.items():
        body = entry.body or {}
        if body.get("insecure-skip-tls-verify"):
            yield Finding("error", "insecure-skip-tls-verify", f"clusters/{name}",
                          "insecure-skip-tls-verify: the server's identity is not checked, so the "
                          "credentials go to whoever answers",
                          "set certificate-authority-data to the cluster's CA and remove the flag")
        server = str(body.get("server") or "")
        if server.lower().startswith("http://"):
            host = server[7:].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
            local = host in ("localhost", "127.0.0.1", "::1")
            yield Finding("warning" if local else "error", "http-server", f"clusters/{name}",
                          f"server {server} is plain http: tokens and passwords travel in clear text",
                          "use the https:// endpoint with its CA")


def check_references(ws) -> Iterator[Finding]:
    current = ws.current_context
    if current and current not in ws.contexts:
        yield Finding("error", "dangling-reference", "current-context",
                      f"current-context {current!r} names a context no file defines",
                      "kubewallet use CONTEXT")
    for name, entry in ws.contexts.items():
        body = entry.body or {}
        for kind, field in (("clusters", "cluster"), ("users", "user")):
            target = body.get(field)
            if target and target not in ws.entries(kind):
                yield Finding("error", "dangling-reference", f"contexts/{name}",
                              f"context {name!r} names {field} {target!r}, which no file defines",
                              f"define {kind}/{target} or point the context elsewhere")
            if not target and field == "cluster":
                yield Finding("warning", "dangling-reference", f"contexts/{name}",
                              f"context {name!r} names no cluster")


def check_duplicates(ws) -> Iterator[Finding]:
    for kind in ("clusters", "users", "contexts"):
        seen: dict[str, str] = {}
        for f in _files(ws):
            for item in f.entries(kind):
                if not isinstance(item, dict):
                    continue
                name = str(item.get("name") or "")
                if name in seen and seen[name] != f.path:
                    yield Finding("warning", "duplicate-entry", f"{kind}/{name}",
                                  f"{kind}/{name} is defined in {seen[name]} and again in {f.path}; "
                                  f"kubectl uses the first and ignores the second",
                                  "rename or delete one of them")
                else:
                    seen.setdefault(name, f.path)


def check_users(ws, now: dt.datetime, warn: dt.timedelta,
                vault_reader: VaultReader | None) -> Iterator[Finding]:
    for name, entry in ws.users.items():
        body = entry.body or {}
        subject = f"users/{name}"
        provider = body.get("auth-provider") if isinstance(body.get("auth-provider"), dict) else {}
        pname = str(provider.get("name") or "")
        if pname in REMOVED_PROVIDERS:
            yield Finding("error", "removed-auth-provider", subject,
                          f"auth-provider {pname!r} was removed from kubectl in Kubernetes 1.26",
                          f"install {REMOVED_PROVIDERS[pname]} and switch the user to its exec entry")
        exec_body = body.get("exec") if isinstance(body.get("exec"), dict) else None
        if exec_body and exec_body.get("command"):
            command = str(exec_body["command"])
            if os.sep in command or "/" in command:
                path = ws.resolve_path(entry, os.path.expanduser(command))
                found = os.path.isfile(path) and os.access(path, os.X_OK)
            else:
                found = shutil.which(command) is not None
            if not found:
                hint = str(exec_body.get("installHint") or "").strip()
                yield Finding("error", "exec-not-found", subject,
                              f"exec plugin command {command!r} is not on PATH: kubectl will fail",
                              hint.splitlines()[0] if hint else f"install {command} or fix the path")
        creds = user_credentials(ws, name, vault_reader)
        text = None
        source = creds.token.source if creds.token is not None else ""
        try:
            text = token_text(creds.token)
        except InspectError:
            pass
        if creds.token is not None and creds.token.data is None:
            yield Finding("error", "token-unreadable", subject, creds.token.error)
        if text is None and creds.vault is not None and creds.vault.token:
            text, source = creds.vault.token, f"vault {creds.vault.ref}"
        if text and text.count(".") == 2:
            try:
                decoded = jwt_tokens.decode(text)
            except InspectError as exc:
                yield Finding("warning", "token-unreadable", subject,
                              f"the token looks like a JWT but cannot be decoded: {exc.message}")
                continue
            yield from _token_findings(decoded, subject, now, warn, source)
        config = provider.get("config") if isinstance(provider.get("config"), dict) else {}
        if pname == "oidc" and isinstance(config.get("id-token"), str):
            try:
                decoded = jwt_tokens.decode(config["id-token"])
                if decoded.expired(now) and not config.get("refresh-token"):
                    yield Finding("warning", "token-expired", subject,
                                  f"the auth-provider id-token {decoded.expiry_words(now)} and "
                                  "there is no refresh-token", "log in again")
            except InspectError:
                pass


SLOW_EXEC = 0.1  # seconds: above this a plugin costs more per kubectl call than a cached answer


def check_exec_plugins(ws, time_exec: bool = False) -> Iterator[Finding]:
    """Planted kubewallet references; and, when asked (`--time-exec`: it runs each foreign
    plugin once, as kubectl would), plugins slow enough that wrapping pays."""
    from kubewallet.execplugin.binding import planted_reference
    from kubewallet.execplugin.wrapping import foreign_exec

    for name, entry in ws.users.items():
        body = entry.body if isinstance(entry.body, dict) else {}
        planted = planted_reference(name, body)
        if planted:
            yield Finding("warning", "planted-kubewallet-ref", f"users/{name}", planted,
                          "if this file is yours, 'kubewallet credential allow --ref REF --context "
                          "CONTEXT'; else delete the user")
        elif time_exec and foreign_exec(body):
            from kubewallet.execplugin.wrapped import time_one_call

            seconds = time_one_call(body["exec"], os.path.dirname(os.path.abspath(entry.file or ".")))
            if seconds is not None and seconds >= SLOW_EXEC:
                command = os.path.basename(str(body["exec"].get("command")))
                yield Finding("info", "wrap-exec", f"users/{name}",
                              f"the exec plugin {command!r} took {seconds:.2f} s, at every kubectl call",
                              f"kubewallet secure {name}  (answers from a cache until shortly before expiry)")


def _token_findings(decoded, subject: str, now: dt.datetime, warn: dt.timedelta,
                    source: str) -> Iterator[Finding]:
    claims = decoded.claims
    if decoded.issuer == "kubernetes/serviceaccount" or "kubernetes.io/serviceaccount/namespace" in claims:
        yield Finding("warning", "legacy-sa-token", subject,
                      "a legacy ServiceAccount token (Secret-based): it never expires and works "
                      "until its Secret is deleted",
                      "use 'kubectl create token SA --duration ...' or an exec plugin, then delete "
                      "the Secret")
    if decoded.expired(now):
        yield Finding("error", "token-expired", subject,
                      f"the token in {source} {decoded.expiry_words(now)}", "get a new token")
    elif decoded.expires_at is not None and decoded.expires_at - now <= warn and _long_lived(decoded, warn):
        yield Finding("warning", "token-expiring", subject,
                      f"the token in {source} {decoded.expiry_words(now)}", "get a new token")


def _long_lived(decoded, warn: dt.timedelta) -> bool:
    """A token meant to last longer than the warning window (a static token someone pasted);
    short-lived ones (an hour-long id_token, a bound token) are renewed by their tooling and
    warning about them would be noise."""
    issued = decoded.time("iat") or decoded.time("nbf")
    return issued is None or decoded.expires_at - issued > warn


def check_certificates(ws, now: dt.datetime, warn: dt.timedelta,
                       vault_reader: VaultReader | None) -> Iterator[Finding]:
    records = cert_report.certificate_report(ws, list(ws.contexts), now=now, warn=warn,
                                             vault_reader=vault_reader)
    for r in records:
        user = r.owner.split("/", 1)[1]
        renew = ("renew", user) if r.role == "client" else None
        renew_fix = f"kubewallet certs renew {user}" if r.role == "client" else "rotate the cluster CA"
        status = r.status(now, warn)
        if status == "unreadable":
            yield Finding("error", "cert-unreadable", r.owner, r.error)
            continue
        if status in ("expired", "not-yet-valid"):
            yield Finding("error", "cert-expired", r.owner, f"{r.label} {r.info.expiry_words(now)}",
                          renew_fix, renew)
        elif status == "expiring":
            yield Finding("warning", "cert-expiring", r.owner, f"{r.label} {r.info.expiry_words(now)}",
                          renew_fix, renew)
        if r.role == "client" and r.info.masters:
            yield Finding("warning", "system-masters", r.owner,
                          f"{r.label} is in system:masters, used by context(s) "
                          f"{', '.join(r.contexts)}: it bypasses RBAC and cannot be revoked",
                          "use a day-to-day identity bound to a ClusterRole; keep this one for "
                          "break-glass only")
        for check in r.checks:
            if check.fatal:
                code = "key-mismatch" if "private key does not match" in check.text else "cert-unusable"
                yield Finding("error", code, r.owner, check.text)


def lint(ws, *, now: dt.datetime, warn: dt.timedelta = dt.timedelta(days=30),
         vault_reader: VaultReader | None = None, time_exec: bool = False) -> list[Finding]:
    """Every finding, errors first, then by subject."""
    found: list[Finding] = []
    for rule in (check_file_modes(ws), check_secret_file_modes(ws), check_plaintext(ws), check_clusters(ws),
                 check_references(ws), check_duplicates(ws), check_exec_plugins(ws, time_exec),
                 check_users(ws, now, warn, vault_reader),
                 check_certificates(ws, now, warn, vault_reader)):
        found.extend(rule)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(found, key=lambda f: (order[f.severity], f.subject, f.code))


def exit_status(findings: list[Finding]) -> int:
    """0 clean (or only info), 1 warnings, 2 errors."""
    severities = {f.severity for f in findings}
    return 2 if "error" in severities else 1 if "warning" in severities else 0


__all__ = ["Finding", "lint", "exit_status"]
