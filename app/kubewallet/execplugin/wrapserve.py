"""The story of one call to a wrapped plugin when the agent's memory had no answer (or none runs).

Read it like kubelogin's `get_token.go`: take a lock so concurrent kubectl calls run the original
plugin once, look in the cache again (unless this call is client-go's retry after a 401: then
the held credential was refused and is replaced), run the original exactly as client-go would,
check its answer, keep it until shortly before it expires, answer kubectl.

Where answers are kept (`Store`): in the agent's memory when an agent answers, else in the
encrypted vault (`plugins/USER/cache`) so a later process finds it; never in a plaintext file.
A failing original plugin's exit status and stderr reach kubectl unchanged, and nothing is kept.
"""

from __future__ import annotations

import json
import os
import sys
import time

from kubewallet.errors import ExecPluginError
from kubewallet.execplugin import wrapped
from kubewallet.execplugin.protocol import ExecInfo


def cache_ref(ref: str) -> str:
    return f"{ref}/cache"


class AgentStore:
    """Answers held in the agent's memory (`kubewallet.agent.wrapcache`)."""

    def __init__(self, meta: dict) -> None:
        self.meta = meta

    def get(self, key: str) -> dict | None:
        """Asked again under the lock: a concurrent first call may have put it meanwhile."""
        from kubewallet.agent import client

        try:
            status = client.request({"op": "wrapped-get", "key": key}).get("status")
        except client.NoAgent:
            return None
        return status if isinstance(status, dict) else None

    def put(self, key: str, user: str, status: dict, until: float) -> None:
        from kubewallet.agent import client

        try:
            client.request({"op": "wrapped-put", "key": key, "user": user, "status": status,
                            "until": until})
        except client.NoAgent:
            pass

    def note_uncached(self, user: str) -> None:
        from kubewallet.agent import client

        try:
            client.request({"op": "wrapped-put", "user": user, "uncached": True})
        except client.NoAgent:
            pass

    def drop(self, key: str) -> None:
        """A retry's new answer replaces the entry; one without expiry leaves nothing held."""
        from kubewallet.agent import client

        try:
            client.request({"op": "wrapped-flush", "user": self.meta.get("user")})
        except client.NoAgent:
            pass


class VaultStore:
    """Answers kept in the encrypted vault for a later process, one entry per wrapped user."""

    def __init__(self, vault, ref: str) -> None:
        self.vault, self.ref = vault, cache_ref(ref)

    def _held(self) -> dict:
        raw = self.vault.get(self.ref)
        try:
            held = json.loads(raw) if raw else {}
        except ValueError:
            held = {}
        return held if isinstance(held, dict) else {}

    def get(self, key: str) -> dict | None:
        item = self._held().get(key)
        if isinstance(item, dict) and isinstance(item.get("until"), (int, float)) \
                and item["until"] > time.time() and isinstance(item.get("status"), dict):
            return item["status"]
        return None

    def put(self, key: str, user: str, status: dict, until: float) -> None:
        now = time.time()
        held = {k: v for k, v in self._held().items()
                if isinstance(v, dict) and isinstance(v.get("until"), (int, float)) and v["until"] > now}
        held[key] = {"status": status, "until": until}
        self.vault.put(self.ref, json.dumps(held), meta={"kind": "wrapped-cache",
                                                         "user": self.ref[len(wrapped.PREFIX):-6]})

    def note_uncached(self, user: str) -> None:
        """Nothing to keep; the Credentials page learns it from the agent only."""

    def drop(self, key: str) -> None:
        held = self._held()
        if held.pop(key, None) is not None:
            self.vault.put(self.ref, json.dumps(held), meta={"kind": "wrapped-cache"})


def _load(ref: str, info: ExecInfo, agent_answered: bool, held_record: str = "") -> tuple[dict, dict, object]:
    """The wrapped user's record (original body, base directory) and where answers are kept.
    `held_record` is what the agent sent with its miss answer (no second round trip then)."""
    if held_record:
        try:
            held = json.loads(held_record)
            meta = {"user": held["user"]}  # the agent checked the cluster before answering
            return json.loads(held["record"]), meta, AgentStore(meta)
        except (ValueError, KeyError, TypeError):
            pass
    if agent_answered:
        from kubewallet.agent import client

        try:
            got = client.get(ref)
        except client.NoAgent:
            got = {"ok": False}
        if got.get("ok"):
            record = json.loads(got["value"])
            return record, got.get("meta") or {}, AgentStore(got.get("meta") or {})
    from kubewallet.execplugin.serve import open_for_plugin

    vault = open_for_plugin(info)
    entry = vault.get_entry(ref)
    if entry is None:
        raise ExecPluginError(f"no wrapped plugin {ref!r} in the vault",
                              hint="'kubewallet secure USER' wraps the user's plugin again")
    return json.loads(entry.value), entry.meta, VaultStore(vault, ref)


def _lock(key: str):
    """An exclusive lock per cache key in the agent's private folder (held until the process
    ends or the returned file is closed), so concurrent first calls run the original once."""
    import fcntl

    from kubewallet.agent.paths import ensure_private_dir, socket_path

    folder = os.path.dirname(socket_path())
    ensure_private_dir(folder)
    fd = os.open(os.path.join(folder, f"wrapped-{key[:32]}.lock"),
                 os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def serve(ref: str, user: str | None, info: ExecInfo, *, retry: bool, agent_answered: bool,
          held_record: str = "", out=None) -> int:
    """Answer kubectl for a wrapped plugin; returns the exit status (the original's on failure)."""
    record, meta, store = _load(ref, info, agent_answered, held_record)
    body = record.get("body") or {}
    block = body.get("exec") if isinstance(body, dict) else None
    if not isinstance(block, dict):
        raise ExecPluginError(f"the vault record {ref!r} holds no exec block",
                              hint="'kubewallet unsecure USER' restores the user's original entry")
    who = str(meta.get("user") or user or ref)
    from kubewallet.execplugin.binding import refusal

    refused = refusal(meta, info.cluster, ref=ref, user=who)
    if refused:
        raise ExecPluginError(refused)
    key = wrapped.cache_key(who, block, info.cluster)
    fd = _lock(key)
    try:
        held = None if retry else store.get(key)
        if held is not None:
            return _write(wrapped.answer(held, info.api_version), out)
        obtained = time.time()
        code, stdout = wrapped.run_original(block, str(record.get("base") or "."),
                                            interactive=info.interactive, cluster=info.cluster)
        if code != 0:
            if retry:
                store.drop(key)
            return code
        try:
            status = wrapped.validate(stdout, str(block.get("apiVersion")))
        except wrapped.MalformedCredential as exc:
            if retry:
                store.drop(key)
            sys.stderr.write(f"kubewallet: the plugin wrapped for user {who!r} "
                             f"({block.get('command')}): {exc}\n")
            return 1
        until = wrapped.cache_until(wrapped.expires_at(status), obtained)
        if until is not None:
            store.put(key, who, status, until)
        else:
            if retry:
                store.drop(key)
            if wrapped.expires_at(status) is None:
                store.note_uncached(who)
        return _write(wrapped.answer(status, info.api_version), out)
    finally:
        os.close(fd)


def _write(line: str, out=None) -> int:
    stream = sys.stdout if out is None else out
    stream.write(line + "\n")
    stream.flush()
    return 0
