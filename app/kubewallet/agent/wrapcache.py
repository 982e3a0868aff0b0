"""The agent's memory of wrapped plugins' answers (see `kubewallet.execplugin.wrapped`).

Held only in this process, dropped by `lock()` (so `agent lock` and the timeout forget them) and
by `kubewallet credential flush`. The plugin's hot path asks with the ordinary `exec` op for a
`plugins/USER` reference; the agent answers SERVE with the held credential, or FALLBACK with
{"record", "user", "key", "api_version", "interactive", "cluster"} on the stdout line (the plugin
then runs the original itself, importing no json, and hands the answer back with `wrapped-put`).

Ops: `wrapped-get` {key} (a concurrent caller that waited for the lock), `wrapped-put`
(or {user, uncached: true} for an answer without expiry) {key, user, status, until}, `wrapped-flush` {user?}, `wrapped-list`.
"""

from __future__ import annotations

import threading
import time

OPS = ("wrapped-get", "wrapped-put", "wrapped-flush", "wrapped-list")


class WrapCache:
    def __init__(self) -> None:
        self._held: dict[str, tuple[str, dict, float]] = {}  # key -> (user, status, until epoch)
        self._uncached: set[str] = set()  # users whose plugin answered without an expiry
        self._lock = threading.Lock()

    def get(self, key: str, now: float | None = None) -> dict | None:
        now = time.time() if now is None else now
        with self._lock:
            held = self._held.get(key)
            if held is None:
                return None
            if held[2] <= now:
                del self._held[key]
                return None
            return held[1]

    def put(self, key: str, user: str, status: dict, until: float) -> None:
        with self._lock:
            self._held[key] = (user, dict(status), until)
            self._uncached.discard(user)

    def note_uncached(self, user: str) -> None:
        """The plugin's last answer said no expiry: it is passed through, never held."""
        with self._lock:
            self._uncached.add(user)

    def flush(self, user: str | None = None) -> int:
        with self._lock:
            gone = [k for k, (u, _s, _t) in self._held.items() if user is None or u == user]
            for k in gone:
                del self._held[k]
            self._uncached = {u for u in self._uncached if user is not None and u != user}
            return len(gone)

    def listing(self) -> list[dict]:
        """What is held, without a secret: user, when it stops being served, its expiry."""
        with self._lock:
            return [{"user": u, "until": t, "expires": s.get("expirationTimestamp")}
                    for u, s, t in self._held.values()] + [{"user": u, "uncached": True}
                                                           for u in sorted(self._uncached)]

    def dispatch(self, message: dict) -> dict:
        op = message.get("op")
        if op == "wrapped-get":
            return {"ok": True, "status": self.get(str(message.get("key") or ""))}
        if op == "wrapped-put" and message.get("uncached"):
            self.note_uncached(str(message.get("user") or ""))
            return {"ok": True}
        if op == "wrapped-put":
            status, until = message.get("status"), message.get("until")
            if not isinstance(status, dict) or not isinstance(until, (int, float)):
                return {"ok": False, "error": "bad-request", "message": "status and until required"}
            self.put(str(message.get("key") or ""), str(message.get("user") or ""), status, float(until))
            return {"ok": True}
        if op == "wrapped-flush":
            user = message.get("user")
            return {"ok": True, "dropped": self.flush(user if isinstance(user, str) else None)}
        return {"ok": True, "held": self.listing()}


def exec_answer(server, message: dict, info) -> bytes:
    """The hot path's answer for a wrapped reference: SERVE the held credential in the apiVersion
    kubectl asked for, or FALLBACK so the plugin runs the original (a miss, or no record here)."""
    from kubewallet.agent.fastclient import FAIL, FALLBACK, SERVE
    from kubewallet.execplugin.wrapped import answer, cache_key, is_wrapped_ref

    ref = str(message.get("ref") or "")
    if not is_wrapped_ref(ref):
        return f"{FALLBACK}\n\n".encode()
    got = server._get(ref)
    if not got.get("ok"):
        return f"{FALLBACK}\n\n".encode()
    import json

    try:
        block = json.loads(got["value"])["body"]["exec"]
    except (ValueError, KeyError, TypeError):
        return f"{FALLBACK}\n\n".encode()
    user = str(got["meta"].get("user") or message.get("user") or "")
    from kubewallet.execplugin.binding import refusal

    refused = refusal(got["meta"], info.cluster, ref=ref, user=user)
    if refused:
        return f"{FAIL}\n\nerror: {refused}\n".encode()
    key = cache_key(user, block, info.cluster)
    status = server.wrapped.get(key) or _adopt_from_vault(server, ref, key, user)
    if status is None:  # a miss: what the plugin needs to run the original, parsed here
        miss = {"record": got["value"], "user": user, "key": key, "api_version": info.api_version,
                "interactive": info.interactive, "cluster": info.cluster}
        return f"{FALLBACK}\n{json.dumps(miss, separators=(',', ':'))}\n".encode()
    return f"{SERVE}\n{answer(status, info.api_version)}\n".encode()


def _adopt_from_vault(server, ref: str, key: str, user: str) -> dict | None:
    """An answer a process kept in the vault while no agent ran (`plugins/USER/cache`): moved
    into memory, so the plugin is not run again and `agent lock` forgets it."""
    import json

    got = server._get(f"{ref}/cache")
    if not got.get("ok"):
        return None
    try:
        item = json.loads(got["value"]).get(key)
        status, until = item["status"], float(item["until"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(status, dict) or until <= time.time():
        return None
    server.wrapped.put(key, user, status, until)
    try:  # moved, not copied: from now on `agent lock` forgets it for good
        server.delete(f"{ref}/cache")
    except Exception:  # noqa: BLE001 - the answer is held; a stale vault copy only costs a rerun
        pass
    return status
