"""`secure` and `unsecure` for a user whose exec plugin is not kubewallet's: wrap it, unwrap it.

Wrapping keeps the user's whole original body in the vault (`plugins/USER`, see
`kubewallet.execplugin.wrapped`) and rewrites its exec block to run `kubewallet credential get
--ref plugins/USER`. The new block keeps the original's `apiVersion` and `interactiveMode`, so
kubectl computes `spec.interactive` for us exactly as it would for the original, and sets
`provideClusterInfo: true`, so the cluster reaches us (and, when the original asked for it, the
original). Order, as `secure`: the vault first, then the kubeconfig (atomic, locked); on failure
the vault entry is removed again. `unwrap` writes the original body back, then drops the record
and anything held for it.
"""

from __future__ import annotations

import copy
import json
import os

from kubewallet.errors import KubeconfigError, KubewalletError, VaultError
from kubewallet.execplugin import wrapped
from kubewallet.execplugin.binding import clusters_of_user
from kubewallet.execplugin.protocol import API_V1
from kubewallet.credentials.secure import exec_ref, kubewallet_ref

INSTALL_HINT = ("kubewallet runs this user's original exec plugin ({command}) and keeps its answer "
                "until shortly before it expires. Install kubewallet (pip install kubewallet), or run "
                "'kubewallet unsecure {user}' on a machine that has it to restore the original entry.")


def foreign_exec(body: dict) -> bool:
    """A user whose credential comes from someone else's exec plugin (aws, gke-gcloud-auth-plugin,
    kubelogin): only when kubectl runs that plugin at all (`credentials.model.sent`: a static
    token or certificate beside it wins, and `secure` moves that instead)."""
    from kubewallet.credentials.model import EXEC, sent

    block = body.get("exec") if isinstance(body, dict) else None
    return (isinstance(block, dict) and bool(block.get("command")) and exec_ref(block) is None
            and sent(body).bearer == EXEC)


def wrapper_block(user: str, original: dict, command: str = "kubewallet") -> dict:
    return {"apiVersion": original.get("apiVersion") or API_V1,
            "command": command,
            "args": ["credential", "get", "--user", user, "--ref", wrapped.ref_for(user)],
            "env": None,
            "installHint": INSTALL_HINT.format(command=original.get("command"), user=user),
            "interactiveMode": original.get("interactiveMode") or "IfAvailable",
            "provideClusterInfo": True}


def wrap_body(ws, user: str, command: str = "kubewallet") -> tuple[dict, dict]:
    """(the vault record, the new user body); raises KubewalletError when `user` cannot be wrapped."""
    entry = ws.users.get(user)
    if entry is None:
        raise KubeconfigError(f"user {user!r} is not in the kubeconfig")
    body = entry.body or {}
    if not foreign_exec(body):
        raise KubewalletError(f"user {user!r} runs no foreign exec plugin to wrap")
    new_body = copy.deepcopy(body)
    new_body["exec"] = wrapper_block(user, body["exec"], command)
    base = os.path.dirname(os.path.abspath(entry.file)) if entry.file else os.getcwd()
    return wrapped.record(body, base), new_body


def wrap(rules, users: list[str], *, vault=None, command: str = "kubewallet") -> list[tuple[str, str]]:
    """Wrap the named users' plugins; returns (user, original command) per user."""
    from kubewallet.kubeconfig import load_workspace, run_edit
    from kubewallet.vault import open_vault

    vault = vault or open_vault()
    ws = load_workspace(rules)
    plans = {u: wrap_body(ws, u, command) for u in users}
    items = {wrapped.ref_for(u): (json.dumps(rec), {"kind": "wrapped-exec", "user": u,
                                                    "clusters": clusters_of_user(ws, u)})
             for u, (rec, _new) in plans.items()}
    vault.put_many(items)

    def edit(ws):
        for u, (rec, new_body) in plans.items():
            current = ws.users.get(u)
            if current is None or current.body != rec["body"]:
                raise KubeconfigError(f"user {u!r} changed while it was being wrapped; nothing was "
                                      "changed", hint="run the command again")
            ws.set_entry("users", u, new_body)

    try:
        run_edit(rules, edit)
    except BaseException:
        for ref in items:
            try:
                vault.delete(ref)
            except VaultError:
                pass
        raise
    return [(u, str(rec["body"]["exec"].get("command"))) for u, (rec, _n) in plans.items()]


def wrapped_users(ws) -> list[str]:
    return [n for n, e in ws.users.items() if wrapped.is_wrapped_ref(kubewallet_ref(e.body) or "")]


def original_body(vault, user_ref: str) -> dict:
    saved = vault.get(user_ref)
    if saved is None:
        raise VaultError(f"the vault holds no original entry for {user_ref!r}",
                         hint="it was wrapped elsewhere or the entry was removed")
    return json.loads(saved)["body"]


def unwrap(rules, users: list[str], *, vault=None) -> list[str]:
    """Give the named wrapped users their original exec entry back, exactly."""
    from kubewallet.kubeconfig import load_workspace, run_edit
    from kubewallet.vault import open_vault

    vault = vault or open_vault()
    ws = load_workspace(rules)
    bodies = {}
    for u in users:
        entry = ws.users.get(u)
        ref = kubewallet_ref(entry.body) if entry else None
        if not ref or not wrapped.is_wrapped_ref(ref):
            raise KubewalletError(f"user {u!r} has no wrapped plugin")
        bodies[u] = (ref, original_body(vault, ref))

    def edit(ws):
        for u, (_ref, body) in bodies.items():
            ws.set_entry("users", u, body)

    run_edit(rules, edit)
    for u, (ref, _body) in bodies.items():
        vault.delete(ref)
        _drop_held(vault, ref, u)
    return list(bodies)


def _drop_held(vault, ref: str, user: str | None) -> int:
    from kubewallet.agent import client
    from kubewallet.execplugin.wrapserve import cache_ref

    dropped = 0
    try:
        dropped += int(client.request({"op": "wrapped-flush", "user": user}).get("dropped") or 0)
    except client.NoAgent:
        pass
    if cache_ref(ref) in set(vault.refs()):
        dropped += len(json.loads(vault.get(cache_ref(ref)) or "{}"))
        vault.delete(cache_ref(ref))
    return dropped


def flush(user: str | None = None, *, vault=None) -> int:
    """Drop held answers (every wrapped plugin's, or one user's): the agent's and the vault's."""
    from kubewallet.vault import open_vault

    vault = vault or open_vault()
    if user is not None:
        return _drop_held(vault, wrapped.ref_for(user), user)
    dropped = _drop_held(vault, "", None)
    for ref in vault.refs():
        if wrapped.is_wrapped_ref(ref) and ref.endswith("/cache"):
            dropped += len(json.loads(vault.get(ref) or "{}"))
            vault.delete(ref)
    return dropped


def preview(rules, users: list[str], command: str = "kubewallet", *, action: str = "secure",
            vault=None) -> dict[str, str]:
    """The kubeconfig diff wrapping (or unwrapping) `users` would write; nothing is written."""
    from kubewallet.credentials.fields import redact_diff
    from kubewallet.kubeconfig import load_workspace

    ws = load_workspace(rules)
    for u in users:
        if action == "secure":
            ws.set_entry("users", u, wrap_body(ws, u, command)[1])
        else:
            from kubewallet.vault import open_vault

            vault = vault or open_vault()
            ws.set_entry("users", u, original_body(vault, wrapped.ref_for(u)))
    return {path: redact_diff(diff) for path, diff in ws.pending_diff().items()}


def split_secure(ws, users: list[str] | None) -> tuple[list[str], list[str] | None, list[str]]:
    """`secure USERS` (None: --all) as (users to wrap, users to secure — None: all with an inline
    secret —, foreign plugins only offered): --all never wraps unasked, it names them."""
    foreign = [n for n, e in ws.users.items() if foreign_exec(e.body)]
    if users is None:
        return [], None, foreign
    wrap = [u for u in users if u in foreign]
    return wrap, [u for u in users if u not in wrap], []


def split_unsecure(ws, users: list[str] | None) -> tuple[list[str], list[str] | None]:
    """`unsecure USERS` (None: --all) as (users to unwrap, users to put back inline)."""
    mine = wrapped_users(ws)
    if users is None:
        return mine, None
    return [u for u in users if u in mine], [u for u in users if u not in mine]


def held(ws, now: float | None = None) -> list[tuple[str, str]]:
    """(user, what is held) per wrapped user, for the Credentials page and
    `vault list`: "expires in 12 min", "no expiry: passed through uncached", "nothing held".
    Asks the agent only (no vault read, so no keyring prompt)."""
    import time

    from kubewallet.agent import client

    now = time.time() if now is None else now
    try:
        listing = client.request({"op": "wrapped-list"}).get("held") or []
    except client.NoAgent:
        listing = []
    out = []
    for name in wrapped_users(ws):
        mine = [h for h in listing if isinstance(h, dict) and h.get("user") == name]
        words = "nothing held (the next kubectl call runs the plugin)"
        timed = [h for h in mine if isinstance(h.get("until"), (int, float)) and h["until"] > now]
        if timed:
            left = int(max(h["until"] for h in timed) - now)
            words = f"held; served for {left // 60} min {left % 60:02d} s more"
        elif any(h.get("uncached") for h in mine):
            words = "no expiry: passed through uncached"
        out.append((name, words))
    return out

