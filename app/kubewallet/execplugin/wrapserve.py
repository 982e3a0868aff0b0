"""The story of one call to a wrapped plugin when the agent's memory had no answer (or none runs).

Read it like kubelogin's `get_token.go`: take a lock so concurrent kubectl calls run the original
plugin once, look in the cache again (unless this call is client-go's retry after a 401: then
the held credential was refused and is replaced), run the original exactly as client-go would,
check its answer, keep it until shortly before it expires, answer kubectl.

Where answers are kept (`AgentStore`, `VaultStore`): in the agent's memory when an agent
answers, else in the encrypted vault (`plugins/USER/cache`) so a later process finds it; never
in a plaintext file. A failing original plugin's exit status and stderr reach kubectl unchanged,
and nothing is kept. Through the agent this path imports no `json` (`oidc.fastjson`, and the
agent's miss answer carries the record, the cache key and the parsed KUBERNETES_EXEC_INFO).
"""

from __future__ import annotations

import os
import sys
import time

from kubewallet.errors import ExecPluginError
from kubewallet.execplugin import wrapped
from kubewallet.execplugin.clientgo import MalformedCredential, validate
from kubewallet.oidc import fastjson


class Call:
    """What kubectl asked (the fields of `protocol.ExecInfo`, which this path does not import)."""

    def __init__(self, api_version: str, interactive: bool, cluster: dict | None) -> None:
        self.api_version, self.interactive, self.cluster = api_version, interactive, cluster


def cache_ref(ref: str) -> str:
    return f"{ref}/cache"


def _agent(message: dict) -> dict | None:
    from kubewallet.agent.fastclient import ask

    raw = ask(fastjson.dumps(message) + "\n")
    try:
        answer = fastjson.loads(raw) if raw else None
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


class AgentStore:
    """Answers held in the agent's memory (`kubewallet.agent.wrapcache`)."""

    def __init__(self, user: str) -> None:
        self.user = user

    def get(self, key: str) -> dict | None:
        """Asked again under the lock: a concurrent first call may have put it meanwhile."""
        status = (_agent({"op": "wrapped-get", "key": key}) or {}).get("status")
        return status if isinstance(status, dict) else None

    def put(self, key: str, user: str, status: dict, until: float) -> None:
        _agent({"op": "wrapped-put", "key": key, "user": user, "status": status, "until": until})

    def note_uncached(self, user: str) -> None:
        _agent({"op": "wrapped-put", "user": user, "uncached": True})

    def drop(self, key: str) -> None:
        """A retry's new answer replaces the entry; one without expiry leaves nothing held."""
        _agent({"op": "wrapped-flush", "user": self.user})


class VaultStore:
    """Answers kept in the encrypted vault for a later process, one entry per wrapped user."""

    def __init__(self, vault, ref: str) -> None:
        self.vault, self.ref = vault, cache_ref(ref)

    def _held(self) -> dict:
        raw = self.vault.get(self.ref)
        try:
            held = fastjson.loads(raw) if raw else {}
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
        self.vault.put(self.ref, fastjson.dumps(held), meta={"kind": "wrapped-cache", "user": user})

    def note_uncached(self, user: str) -> None:
        """Nothing to keep; the Credentials page learns it from the agent only."""

    def drop(self, key: str) -> None:
        held = self._held()
        if held.pop(key, None) is not None:
            self.vault.put(self.ref, fastjson.dumps(held), meta={"kind": "wrapped-cache"})


def after_agent_miss(ref: str, miss: str) -> int:
    """The agent held nothing: its answer carries the record, the key and the call (see
    `agent.wrapcache.exec_answer`; it checked the cluster binding already)."""
    try:
        held = fastjson.loads(miss)
        record, user, key = fastjson.loads(held["record"]), str(held["user"]), str(held["key"])
        call = Call(str(held["api_version"]), bool(held["interactive"]), held.get("cluster"))
    except (ValueError, KeyError, TypeError):
        raise ExecPluginError(f"the agent's answer for {ref!r} is not understood",
                              hint="restart it: 'kubewallet agent stop; kubewallet agent start'") from None
    return _serve(record, user, key, call, AgentStore(user), retry=False)


def serve(ref: str, user: str | None, info, *, retry: bool, agent_answered: bool) -> int:
    """Answer kubectl for a wrapped plugin (no agent, or client-go's retry after a 401); returns
    the exit status (the original's on failure)."""
    from kubewallet.execplugin.binding import refusal

    record, meta, store = None, {}, None
    if agent_answered:
        got = _agent({"op": "get", "ref": ref}) or {}
        if got.get("ok"):
            record, meta = fastjson.loads(got["value"]), got.get("meta") or {}
            store = AgentStore(str(meta.get("user") or user or ref))
    if record is None:
        from kubewallet.execplugin.serve import open_for_plugin

        vault = open_for_plugin(info)
        entry = vault.get_entry(ref)
        if entry is None:
            raise ExecPluginError(f"no wrapped plugin {ref!r} in the vault",
                                  hint="'kubewallet secure USER' wraps the user's plugin again")
        record, meta, store = fastjson.loads(entry.value), entry.meta, VaultStore(vault, ref)
    who = str(meta.get("user") or user or ref)
    refused = refusal(meta, info.cluster, ref=ref, user=who)
    if refused:
        raise ExecPluginError(refused)
    key = wrapped.cache_key(who, _block(record, ref), info.cluster)
    return _serve(record, who, key, info, store, retry=retry)


def _block(record: dict, ref: str) -> dict:
    body = record.get("body") if isinstance(record, dict) else None
    block = body.get("exec") if isinstance(body, dict) else None
    if not isinstance(block, dict):
        raise ExecPluginError(f"the vault record {ref!r} holds no exec block",
                              hint="'kubewallet unsecure USER' restores the user's original entry")
    return block


def _lock(key: str) -> int:
    """An exclusive lock per cache key in the agent's private folder (held until the returned
    descriptor is closed), so concurrent first calls run the original once."""
    import fcntl

    from kubewallet.agent.paths import ensure_private_dir, socket_path

    folder = os.path.dirname(socket_path())
    ensure_private_dir(folder)
    fd = os.open(os.path.join(folder, f"wrapped-{key[:32]}.lock"),
                 os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _serve(record: dict, who: str, key: str, call, store, *, retry: bool) -> int:
    block = _block(record, who)
    fd = _lock(key)
    try:
        held = None if retry else store.get(key)
        if held is not None:
            return _write(wrapped.answer(held, call.api_version))
        obtained = time.time()
        code, stdout = wrapped.run_original(block, str(record.get("base") or "."),
                                            interactive=call.interactive, cluster=call.cluster)
        if code != 0:
            if retry:
                store.drop(key)
            return code
        try:
            status = validate(stdout, str(block.get("apiVersion")))
        except MalformedCredential as exc:
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
        return _write(wrapped.answer(status, call.api_version))
    finally:
        os.close(fd)


def _write(line: str) -> int:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    return 0
