""""Secure this user": move a kubeconfig user's inline secrets into the vault and serve them back
through kubewallet's exec plugin; "unsecure" puts them back.

What moves (client-go `AuthInfo` fields): `client-key-data` with its certificate (data or file),
`token`, `password` (only alongside another credential: an exec plugin cannot send basic auth,
and the API server dropped it in 1.19), a legacy `auth-provider`'s `id-token`/`access-token`,
`refresh-token` and `client-secret`; and, when asked (`include_files`), the content of
`client-key` and `tokenFile` files, which are then removed. Impersonation fields (`as`,
`as-groups`, `as-uid`, `as-user-extra`) and `extensions` stay in the file.

Two vault entries per user:
- `users/NAME` — what the plugin serves: `{"token": ...}` or `{"clientCertificateData": PEM,
  "clientKeyData": PEM}`, with `meta` kind, user and `expires` (computed here, so the plugin
  never parses a certificate). Renewals (`credential update`, `certs import`) replace this one.
- `users/NAME/inline` — the user's body exactly as it was, the files removed, and the value
  served at the time; `unsecure` writes that body back (byte for byte when nothing was renewed
  since; with the renewed credential inline otherwise).

Order (verify, then commit), so the kubeconfig works for kubectl at every moment and a failure
changes nothing: 1. the vault (`put_many` raises VaultError unless the write is durable and reads
back); 2. the kubeconfig (the safe save: atomic, under the locks, after a backup); 3. the vault's
backup key made if missing, and scrubbed (or sealed) copies of the earlier backups and of live
shell copies written beside them (`credentials.scrub`); 4. the files the old
entry named removed; 5. the backups replaced by their scrubbed copies. A failure in 2 deletes
the new vault entries; a failure in 3 or 4 also puts the inline bodies back and recreates any
removed file. `unsecure` goes the other way: files recreated, then the kubeconfig, then the vault entries removed.
"""

from __future__ import annotations

import base64
import copy
import json
import os
from dataclasses import dataclass, field

from kubewallet.errors import KubeconfigError, KubewalletError, VaultError
from kubewallet.credentials.fields import CREDENTIAL_FIELDS, redact_diff
from kubewallet.credentials.model import AUTH_PROVIDER, CERT, EXEC, Sent, sent
from kubewallet.execplugin.protocol import API_V1, rfc3339

INSTALL_HINT = ("This user's credential is kept in the OS keyring by kubewallet. Install kubewallet "
                "(pip install kubewallet) and make sure 'kubewallet' is on PATH, or run "
                "'kubewallet unsecure USER' on a machine that has it to restore the inline form.")


@dataclass(frozen=True)
class SecureResult:
    user: str
    ref: str
    moved: tuple[str, ...]                   # field names, for the person (never values)
    removed_files: tuple[str, ...] = ()
    file: str = ""


@dataclass(frozen=True)
class Plan:
    user: str
    ref: str
    value: str
    meta: dict
    inline: dict
    new_body: dict
    moved: tuple[str, ...]
    remove_files: tuple[str, ...] = field(default=())


def ref_for(user: str) -> str:
    return f"users/{user}"


def inline_ref(ref: str) -> str:
    return f"{ref}/inline"


def kubewallet_ref(body: dict) -> str | None:
    """The vault reference when the user runs kubewallet's plugin (`credential get --ref REF`)."""
    return exec_ref(body.get("exec") if isinstance(body, dict) else None)


def exec_ref(exec_body: dict | None) -> str | None:
    """REF when an exec entry runs kubewallet's own plugin (`kubewallet credential get --ref REF`,
    also through `kubectl wallet`); the one parser of the entry `secure` writes."""
    if not isinstance(exec_body, dict):
        return None
    command = os.path.basename(str(exec_body.get("command") or ""))
    args = [str(a) for a in (exec_body.get("args") or []) if a is not None]
    if command in ("kubectl", "kubectl.exe") and args[:1] == ["wallet"]:
        args = args[1:]
    elif command not in ("kubewallet", "kubectl-wallet", "kubewallet.exe"):
        return None
    if args[:2] != ["credential", "get"]:
        return None
    for i, arg in enumerate(args):
        if arg == "--ref" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--ref="):
            return arg.split("=", 1)[1]
    return None


def exec_entry(user: str, ref: str, command: str = "kubewallet") -> dict:
    """The `exec` block `secure` writes (client.authentication.k8s.io/v1 ExecConfig).

    interactiveMode IfAvailable: a passphrase vault can ask when kubectl runs in a terminal, and
    the plugin fails fast with what to run when it does not. provideClusterInfo: the plugin serves
    the secret only to the clusters it was secured for (`execplugin.binding`, issue 12.4)."""
    return {"apiVersion": API_V1, "command": command,
            "args": ["credential", "get", "--user", user, "--ref", ref],
            "env": None, "installHint": INSTALL_HINT.replace("USER", user),
            "interactiveMode": "IfAvailable", "provideClusterInfo": True}


def _read_file(path: str, what: str, user: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise KubeconfigError(f"user {user!r}: cannot read its {what} {path} ({exc.strerror})") from None


def _b64text(value: str, what: str, user: str) -> str:
    try:
        return base64.b64decode(value, validate=False).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise KubeconfigError(f"user {user!r}: {what} is not base64 PEM") from None


def _expires(value: dict) -> str | None:
    from kubewallet.execplugin.expiry import certificate_not_after, jwt_expiry

    when = None
    if value.get("token"):
        when = jwt_expiry(value["token"])
    elif value.get("clientCertificateData"):
        when = certificate_not_after(value["clientCertificateData"])
    return rfc3339(when) if when else None


def served_record(value: dict, kind: str, user: str, old_meta: dict | None = None) -> tuple[str, dict]:
    """The vault entry kubewallet's plugin serves for a user, as (stored JSON, meta): the one
    writer of that record for `secure`, `credential update` and certificate renewal. `expires` is
    computed here so the plugin never parses a certificate; `renew` (how to get a new credential)
    only survives for an auth-provider token."""
    meta = dict(old_meta or {}, kind=kind, user=user, expires=_expires(value))
    if kind == AUTH_PROVIDER:
        from kubewallet.execplugin.serve import renew_command

        meta["renew"] = renew_command(user, "token")
    else:
        meta.pop("renew", None)
    return json.dumps(value), meta


@dataclass
class _Moving:
    """What a planner collects: the value to serve, the fields moved (for the person), the files
    to remove once the kubeconfig no longer names them."""

    value: dict = field(default_factory=dict)
    moved: list = field(default_factory=list)
    remove: list = field(default_factory=list)


def _plan_certificate(ws, entry, user: str, what: Sent, include_files: bool, out: _Moving) -> None:
    """The client certificate and its key (the `-data` field, or the file with --include-files)."""
    body = entry.body
    if what.key == "client-key-data":
        key = _b64text(body["client-key-data"], "client-key-data", user)
        out.moved.append("client-key-data")
    elif include_files:
        path = ws.resolve_path(entry, body["client-key"])
        key = _read_file(path, "client key file", user)
        out.moved.append(f"client-key ({path})")
        out.remove.append(path)
    else:
        raise KubewalletError(f"user {user!r} keeps its key in a file ({body['client-key']})",
                              hint="pass --include-files to move the file's content into the vault")
    if what.certificate == "client-certificate-data":
        cert = _b64text(body["client-certificate-data"], "client-certificate-data", user)
        out.moved.append("client-certificate-data")
    else:
        cert = _read_file(ws.resolve_path(entry, body["client-certificate"]), "client certificate", user)
        out.moved.append("client-certificate (copied; the file stays)")
    out.value.update(clientCertificateData=cert, clientKeyData=key)


def _plan_token(ws, entry, user: str, what: Sent, include_files: bool, out: _Moving) -> None:
    """The bearer token kubectl sends: the `tokenFile`'s content when set (read before every
    request, the inline `token` only its fallback when the file cannot be read), else `token`."""
    body = entry.body
    if what.bearer == "tokenFile":
        if not include_files:
            raise KubewalletError(f"user {user!r} reads its token from a file ({body['tokenFile']}), "
                                  "and kubectl sends that file's token" + (
                                      ", not the inline one" if what.fallback_token else ""),
                                  hint="pass --include-files to move the file's content into the vault")
        path = ws.resolve_path(entry, body["tokenFile"])
        if what.fallback_token and not os.path.isfile(path):
            out.value["token"] = str(body["token"])  # what kubectl sends while the file is missing
            out.moved.append("token")
            return
        out.value["token"] = _read_file(path, "token file", user).strip()
        out.moved.append(f"tokenFile ({path})")
        out.remove.append(path)
        if body.get("token"):
            out.moved.append("token (never sent: the file wins)")
        return
    out.value["token"] = str(body["token"])
    out.moved.append("token")


def _plan_auth_provider(body: dict, user: str, out: _Moving) -> None:
    """A legacy auth-provider's stored id-token (or access-token); its refresh secrets move along."""
    config = body["auth-provider"].get("config") or {}
    token = config.get("id-token") or config.get("access-token")
    if not token:
        raise KubewalletError(f"user {user!r} uses the {body['auth-provider'].get('name')!r} "
                              "auth-provider without a stored token", hint="log in once first")
    out.value["token"] = str(token)
    out.moved.extend(f"auth-provider.{k}" for k in ("id-token", "access-token", "refresh-token",
                                                     "client-secret") if config.get(k))


def plan(ws, user: str, *, include_files: bool = False, command: str = "kubewallet",
         ref: str | None = None) -> Plan:
    """What securing `user` would do; raises KubewalletError (nothing done) when it cannot.

    The vault serves exactly what kubectl sends today (`credentials.model.sent`), so securing
    never changes who the user is; an entry kubectl refuses is refused here too. An exec entry
    that never runs (a static credential wins over it) is replaced, kept in the inline form."""
    entry = ws.users.get(user)
    if entry is None:
        raise KubeconfigError(f"user {user!r} is not in the kubeconfig")
    body = entry.body or {}
    if kubewallet_ref(body):
        raise KubewalletError(f"user {user!r} is already secured (vault {kubewallet_ref(body)})")
    what = sent(body, user)
    if what.refused:
        raise KubewalletError(f"kubectl refuses user {user!r}: {what.refused}",
                              hint="fix the entry first; securing it would change what kubectl does")
    if what.kind == EXEC:
        raise KubewalletError(f"user {user!r} already runs an exec plugin "
                              f"({body['exec'].get('command')}); it keeps its own secrets")
    out = _Moving()
    if what.certificate:
        _plan_certificate(ws, entry, user, what, include_files, out)
    if what.bearer in ("token", "tokenFile"):
        _plan_token(ws, entry, user, what, include_files, out)
    elif what.bearer == AUTH_PROVIDER:
        _plan_auth_provider(body, user, out)
    if not out.value:
        if body.get("password"):
            raise KubewalletError(
                f"user {user!r} authenticates with a password only (basic auth): an exec plugin "
                "cannot send one, and Kubernetes 1.19+ no longer accepts it", hint="remove it with "
                f"'kubewallet config unset users.{user}.password'")
        raise KubewalletError(f"user {user!r} has no inline secret to move")
    if body.get("password"):
        out.moved.append("password")
    new_body = {k: copy.deepcopy(v) for k, v in body.items() if k not in CREDENTIAL_FIELDS}
    ref = ref or ref_for(user)
    new_body["exec"] = exec_entry(user, ref, command)
    kind = CERT if what.certificate else what.kind
    stored, meta = served_record(out.value, kind, user)
    # issue 12.4: served only to the clusters (server + CA) of the contexts using this user now
    from kubewallet.execplugin.binding import clusters_of_user

    meta["clusters"] = clusters_of_user(ws, user)
    inline = {"body": body, "served": stored, "files": {}}
    for path in out.remove:
        st = os.stat(path)
        inline["files"][path] = {"content": _read_file(path, "file", user), "mode": st.st_mode & 0o777}
    return Plan(user, ref, stored, meta, inline, new_body, tuple(out.moved), tuple(out.remove))


def _shared(ws, path: str, user: str) -> bool:
    """Does another user name this file? Then it is not removed."""
    for name, entry in ws.users.items():
        if name == user:
            continue
        for key in ("client-key", "client-certificate", "tokenFile"):
            if entry.body.get(key) and os.path.abspath(ws.resolve_path(entry, entry.body[key])) == \
                    os.path.abspath(path):
                return True
    return False


def secure(rules, users: list[str] | None, *, vault=None, include_files: bool = False,
           command: str = "kubewallet") -> list[SecureResult]:
    """Secure the named users (None: every user that has an inline secret)."""
    from kubewallet.kubeconfig import load_workspace, run_edit
    from kubewallet.vault import open_vault

    vault = vault or open_vault()
    ws = load_workspace(rules)
    names = users if users is not None else [n for n, e in ws.users.items() if securable(e.body)]
    taken = set(vault.refs())
    plans = []
    for n in names:
        ref, k = ref_for(n), 1
        while ref in taken or inline_ref(ref) in taken:  # never overwrite another file's user
            k += 1
            ref = f"{ref_for(n)}#{k}"
        taken |= {ref, inline_ref(ref)}
        plans.append(plan(ws, n, include_files=include_files, command=command, ref=ref))
    if not plans:
        return []
    items = {}
    for p in plans:
        items[p.ref] = (p.value, p.meta)
        items[inline_ref(p.ref)] = (json.dumps(p.inline), {"kind": "inline-form", "user": p.user})
    vault.put_many(items)  # 1. the vault: raises VaultError unless the write is durable and readable
    try:
        files = run_edit(rules, lambda ws: _apply(ws, plans))  # 2. the kubeconfig, atomically
    except BaseException:
        _forget(vault, items)
        raise
    scrubs: list = []
    try:
        from kubewallet.credentials.sealing import ensure_key

        ensure_key(vault)  # from now on a backup holding a secret is sealed (credentials.sealing)
        scrubs = _prepare_scrubs(plans, files)  # 3. the scrubbed backups, written beside them
        removed = _remove_files(rules, plans)   # 4. the files the old entries named
    except BaseException:
        from kubewallet.credentials.scrub import discard

        discard(scrubs)
        _restore(rules, plans, files)
        _forget(vault, items)
        raise
    from kubewallet.credentials.scrub import commit

    commit(scrubs)  # 5. last: the earlier backups lose the moved secrets
    return [SecureResult(p.user, p.ref, p.moved, removed[p.user], files.get(p.user, "")) for p in plans]


def _apply(ws, plans: list[Plan]) -> dict[str, str]:
    """The kubeconfig edit of `secure`: each user's new body, if nobody changed it meanwhile."""
    for p in plans:
        current = ws.users.get(p.user)
        if current is None or current.body != p.inline["body"]:
            raise KubeconfigError(f"user {p.user!r} changed while it was being secured; "
                                  "nothing was changed", hint="run the command again")
        ws.set_entry("users", p.user, p.new_body)
    return {p.user: ws.users[p.user].file for p in plans}


def _forget(vault, items: dict) -> None:
    """Roll the vault back: nothing refers to these entries (any more)."""
    for ref in items:
        try:
            vault.delete(ref)
        except VaultError:
            pass


def _restore(rules, plans: list[Plan], files: dict[str, str]) -> None:
    """Roll the kubeconfig back to the inline bodies and recreate any file already removed."""
    from kubewallet.kubeconfig import run_edit

    for p in plans:
        _recreate(p.inline["files"])

    def edit(ws):
        for p in plans:
            ws.set_entry("users", p.user, p.inline["body"])

    run_edit(rules, edit)


def _recreate(files: dict[str, dict]) -> None:
    """Write back the secret files an inline form names (path -> content and mode), never over
    a file that exists."""
    for path, spec in files.items():
        if not os.path.exists(path):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, int(spec.get("mode", 0o600)))
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(spec["content"])


def _remove_files(rules, plans: list[Plan]) -> dict[str, tuple[str, ...]]:
    """Remove the secret files the secured entries named (unless another user names them too)."""
    from kubewallet.kubeconfig import load_workspace

    ws = load_workspace(rules)
    out = {}
    for p in plans:
        removed = []
        for path in p.remove_files:
            if not _shared(ws, path, p.user):
                try:
                    os.unlink(path)
                    removed.append(path)
                except FileNotFoundError:
                    pass
        out[p.user] = tuple(removed)
    return out


def _prepare_scrubs(plans: list[Plan], files: dict[str, str]) -> list:
    """The scrubbed copies of the earlier backups of every kubeconfig written and of the
    kubeconfig copies of live `kubewallet shell`s (see `credentials.scrub`), ready to replace them."""
    from kubewallet.credentials.copies import SHELL, live_copies
    from kubewallet.credentials.scrub import discard, moved_secrets, prepare
    from kubewallet.kubeconfig.saving import list_backups

    ready: list = []
    try:
        for path in sorted(set(files.values())):
            mine = [p for p in plans if files.get(p.user) == path]
            secrets = set().union(*(moved_secrets(p.inline["body"]) for p in mine))
            if secrets:
                ready += prepare([b.path for b in list_backups(path)], {p.user: p.new_body for p in mine},
                                 secrets, seal=True)
        secrets = set().union(*(moved_secrets(p.inline["body"]) for p in plans))
        ready += prepare(live_copies(SHELL, "config"), {p.user: p.new_body for p in plans}, secrets, seal=False)
    except BaseException:
        discard(ready)
        raise
    return ready


def securable(body: dict) -> bool:
    """Does `secure` (without --include-files) have this user's sent credential inline to move?
    (`credentials.model.sent`: a token read from a file, or a key in a file, needs the flag.)"""
    if not isinstance(body, dict):
        return False
    what = sent(body)
    if what.refused or what.key == "client-key" or what.bearer in ("tokenFile", EXEC):
        return False
    if what.bearer == AUTH_PROVIDER:
        config = body["auth-provider"].get("config") or {}
        return bool(config.get("id-token") or config.get("access-token"))
    return bool(what.key or what.bearer == "token")


def _with_current_credential(body: dict, served_then: str, served_now: str | None) -> dict:
    """The inline body, carrying the credential the vault serves now if it was renewed since."""
    if served_now is None or served_now == served_then:
        return body
    body = copy.deepcopy(body)
    try:
        now = json.loads(served_now) if served_now.startswith("{") else {"token": served_now}
    except ValueError:
        now = {"token": served_now}
    if now.get("token"):
        if isinstance(body.get("auth-provider"), dict):
            cfg = body["auth-provider"].setdefault("config", {})
            cfg["id-token" if "id-token" in cfg or "access-token" not in cfg else "access-token"] = now["token"]
        else:
            body.pop("tokenFile", None)
            body["token"] = now["token"]
    elif now.get("clientCertificateData") and now.get("clientKeyData"):
        for k in ("client-certificate", "client-key"):
            body.pop(k, None)
        body["client-certificate-data"] = base64.b64encode(now["clientCertificateData"].encode()).decode()
        body["client-key-data"] = base64.b64encode(now["clientKeyData"].encode()).decode()
    return body


def unsecure(rules, users: list[str] | None, *, vault=None, keep_in_vault: bool = False) -> list[str]:
    """Put the named secured users (None: all) back inline; returns their names."""
    from kubewallet.kubeconfig import load_workspace, run_edit
    from kubewallet.vault import open_vault

    vault = vault or open_vault()
    ws = load_workspace(rules)
    if users is None:
        users = [n for n, e in ws.users.items() if kubewallet_ref(e.body)]
    restore: dict[str, tuple[str, dict, dict]] = {}
    for name in users:
        entry = ws.users.get(name)
        if entry is None:
            raise KubeconfigError(f"user {name!r} is not in the kubeconfig")
        ref = kubewallet_ref(entry.body)
        if not ref:
            raise KubewalletError(f"user {name!r} is not secured by kubewallet")
        saved = vault.get(inline_ref(ref))
        if saved is None:
            raise VaultError(f"the vault holds no inline form for user {name!r} ({inline_ref(ref)})",
                             hint="it was secured elsewhere or the entry was removed")
        inline = json.loads(saved)
        body = _with_current_credential(inline["body"], inline.get("served", ""), vault.get(ref))
        restore[name] = (ref, body, inline.get("files") or {})
    for _ref, _body, files in restore.values():  # 1. files the inline form names
        _recreate(files)

    def edit(ws):
        for name, (_ref, body, _files) in restore.items():
            ws.set_entry("users", name, body)

    run_edit(rules, edit)  # 2. the kubeconfig
    if not keep_in_vault:  # 3. the vault entries nothing refers to any more
        ws = load_workspace(rules)
        still = usage(ws)
        for ref, _body, _files in restore.values():
            if ref not in still:
                vault.delete(ref)
                vault.delete(inline_ref(ref))
    return list(restore)


def usage(ws) -> dict[str, list[str]]:
    """vault reference -> the users whose exec entry names it (for `vault list` and `vault rm`);
    the backup key is always in use while a sealed backup may exist."""
    from kubewallet.credentials.sealing import BACKUP_KEY_REF
    from kubewallet.oidc.store import login_refs

    out: dict[str, list[str]] = {BACKUP_KEY_REF: ["(sealed kubeconfig backups)"]}
    for name, entry in ws.users.items():
        ref = kubewallet_ref(entry.body)
        if ref:
            out.setdefault(ref, []).append(name)
            out.setdefault(inline_ref(ref), []).append(name)
        exec_body = entry.body.get("exec") if isinstance(entry.body, dict) else None
        for oidc_ref in login_refs(exec_body) if isinstance(exec_body, dict) else ():
            out.setdefault(oidc_ref, []).append(name)
    return out


def update_credential(user: str, *, token: str | None = None, cert_pem: str | None = None,
                      key_pem: str | None = None, kubeconfig: str | None = None, vault=None) -> str:
    """Replace what a secured user serves (a renewed token or certificate); returns the ref."""
    from kubewallet.kubeconfig import LoadingRules, load_workspace
    from kubewallet.vault import open_vault

    ws = load_workspace(LoadingRules.from_env(kubeconfig))
    entry = ws.users.get(user)
    if entry is None:
        raise KubeconfigError(f"user {user!r} is not in the kubeconfig")
    ref = kubewallet_ref(entry.body)
    if not ref:
        raise KubewalletError(f"user {user!r} is not secured by kubewallet",
                              hint=f"run 'kubewallet secure {user}' first")
    if token is not None:
        if not token:
            raise KubewalletError("the new token is empty")
        value, kind = {"token": token}, "token"
    else:
        from kubewallet.inspect import certificates as certs

        chain = certs.load_certificates(cert_pem or "", "the new certificate")
        key = certs.load_private_key(key_pem or "", "the new key")
        if not certs.key_matches(chain[0], key):
            raise KubewalletError("the new certificate does not match the new key")
        value, kind = {"clientCertificateData": cert_pem, "clientKeyData": key_pem}, "client-certificate"
    vault = vault or open_vault()
    old = vault.get_entry(ref)
    stored, meta = served_record(value, kind, user, old.meta if old else None)
    vault.put(ref, stored, meta=meta)
    return ref


def preview(rules, users: list[str], action: str, *, include_files: bool = False,
            vault=None) -> dict[str, str]:
    """The kubeconfig diff `secure`/`unsecure` of `users` would write, secrets redacted; nothing
    is written. For the GUI's "show the diff first"."""
    from kubewallet.kubeconfig import load_workspace
    from kubewallet.vault import open_vault

    ws = load_workspace(rules)
    for name in users:
        if action == "secure":
            ws.set_entry("users", name, plan(ws, name, include_files=include_files).new_body)
            continue
        entry = ws.users.get(name)
        ref = kubewallet_ref(entry.body) if entry else None
        if not ref:
            raise KubewalletError(f"user {name!r} is not secured by kubewallet")
        vault = vault or open_vault()
        saved = vault.get(inline_ref(ref))
        if saved is None:
            raise VaultError(f"the vault holds no inline form for user {name!r}")
        inline = json.loads(saved)
        ws.set_entry("users", name, _with_current_credential(inline["body"], inline.get("served", ""),
                                                              vault.get(ref)))
    return {path: redact_diff(diff) for path, diff in ws.pending_diff().items()}
