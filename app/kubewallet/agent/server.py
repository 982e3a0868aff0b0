"""The agent: secrets read from the vault, held in memory for a set time, served over a Unix socket.

Why an agent: kubectl starts the exec plugin on every call, and opening the keyring and decrypting
the vault in each fresh process costs several times a bare interpreter. Like ssh-agent and gpg-agent,
one long-lived process reads the vault once (one keyring read, or one passphrase) and answers the
plugin over a socket.

Who may ask: the socket is created 0600 inside a 0700 directory, and on Linux every connection's
peer uid (SO_PEERCRED) must be ours; anything else is refused before a byte is read. The clients
check the same of the agent (`trust`) before they send anything.

Holding: the vault is decrypted once into `memory.SecretStore` (mlock'ed, zeroable); the vault's
key and its decrypted copies are zeroed right after. A `secure` that changes the vault file while
the agent runs is picked up on the next request (the file's stamp is checked each time).

Forgetting: `lock()` (`kubewallet agent lock`, the GUI's lock button) and the timeout (counted from
the moment the vault was opened, like `ssh-add -t`) zero the store and the passphrase in place.
A keyring vault is opened again on the next request (a keyring that asks on each read asks again);
a passphrase vault stays locked until someone unlocks the agent with its passphrase — also one
that came from KUBEWALLET_VAULT_PASSPHRASE, which `serve_forever` reads once and removes.

`AgentServer` is embeddable: the GUI owns one and calls start()/stop(); `kubewallet agent run`
serves one in the foreground. Nothing here imports Qt.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kubewallet.agent import memory
from kubewallet.agent.paths import ensure_private_dir, socket_path
from kubewallet.agent.trust import peer_uid
from kubewallet.agent.wrapcache import OPS as WRAPPED_OPS
from kubewallet.agent.wrapcache import WrapCache
from kubewallet.errors import AgentError, VaultError, VaultLockedError

PROTOCOL = 1
# Only what the plugin needs leaves the agent; e.g. `original` (the inline form kept for
# `unsecure`) never does.
SERVED_META = ("kind", "user", "expires", "renew", "clusters")


def _own_copy(text: str | None) -> str | None:
    """A str object of the agent's own, so zeroing it at lock never touches the caller's."""
    return None if text is None else (text + "\0")[:-1]


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class AgentServer:
    """`server = AgentServer(timeout=3600); server.start(); ...; server.stop()`.

    `vault_factory(passphrase)` returns a `kubewallet.vault.Vault` (default: `open_vault`).
    `on_change` is called (from a server thread) after lock/unlock, so a window can refresh.
    """

    def __init__(self, path: Path | str | None = None, *, timeout: float | None = None,
                 passphrase: str | None = None,
                 vault_factory: Callable[..., object] | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        self.path = Path(path if path is not None else socket_path())
        self.timeout = timeout
        self._passphrase = _own_copy(passphrase)
        self._vault_factory = vault_factory
        self._on_change = on_change
        self._store = memory.SecretStore()
        self._loaded: tuple[str, tuple[int, int, int] | None] | None = None  # (vault path, stamp)
        self._opened_at: float | None = None
        self._served = 0
        # OIDC refresh tokens handed over where the vault cannot be opened (no D-Bus session bus
        # over SSH): kept in memory only, forgotten on lock, on timeout and when the agent stops.
        self._held: dict[str, str] = {}
        self._state_lock = threading.RLock()
        self._server: socketserver.UnixStreamServer | None = None
        self._thread: threading.Thread | None = None
        self.stopped = threading.Event()
        self.wrapped = WrapCache()  # wrapped foreign plugins' answers, dropped by lock()

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self) -> AgentServer:
        """Bind the socket (0600) and serve from a daemon thread. Raises AgentError when another
        agent already answers on the same socket."""
        ensure_private_dir(self.path.parent)
        if self.path.exists() or self.path.is_symlink():
            from kubewallet.agent import client

            try:
                client.request({"op": "status"}, self.path, timeout=1.0)
            except client.NoAgent as exc:
                if exc.untrusted:  # a socket some other uid answers on, in our folder
                    print(f"kubewallet: replacing it ({exc})", file=sys.stderr)
                self.path.unlink()  # a stale socket left by an agent that died
            else:
                raise AgentError(f"an agent is already running on {self.path}",
                                 hint="'kubewallet agent stop' first, or use it")
        agent = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                agent._handle(self.connection, self.rfile, self.wfile)

        old = os.umask(0o177)
        try:
            server = socketserver.ThreadingUnixStreamServer(str(self.path), Handler)
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        server.daemon_threads = True
        server.service_actions = self._expire  # type: ignore[method-assign]
        self._server = server
        self.stopped.clear()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.25},
                                        name="kubewallet-agent", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, remove the socket and forget every secret."""
        server, self._server = self._server, None
        if server is not None:
            if threading.current_thread() is not self._thread:
                server.shutdown()
            else:
                threading.Thread(target=server.shutdown, daemon=True).start()
            server.server_close()
            try:
                if self.path.is_socket():
                    self.path.unlink()
            except FileNotFoundError:
                pass
        self.lock(notify=False)
        self.stopped.set()

    @property
    def running(self) -> bool:
        return self._server is not None

    # ---- state --------------------------------------------------------------------------------
    @property
    def unlocked(self) -> bool:
        return self._loaded is not None

    def _open(self):
        passphrase = _own_copy(self._passphrase)
        if self._vault_factory is not None:
            return self._vault_factory(passphrase)
        from kubewallet.vault import open_vault

        return open_vault(passphrase=passphrase)

    def delete(self, ref: str) -> None:
        """Remove one entry from the vault file and the store (a wrapped plugin's answer the agent
        took over from the vault: from then on only its memory holds it)."""
        with self._state_lock:
            vault = self._open()
            try:
                vault.unlock()
                vault.delete(ref)
            finally:
                vault.lock(wipe=memory.wipe)
            self._loaded = None  # the file changed: read it again on the next request

    def _load(self) -> None:
        """Read the whole vault once (one keyring read, or one scrypt) into the store, then forget
        the vault's key and decrypted copies: only the store holds secrets between requests."""
        vault = self._open()
        try:
            vault.unlock()
            stamp = _stamp(vault.path)
            self._store.clear()
            for entry in vault.entries():
                self._store.put(entry.ref, entry.value,
                                {k: entry.meta[k] for k in SERVED_META if k in entry.meta})
        finally:
            vault.lock(wipe=memory.wipe)
        self._loaded = (vault.path, stamp)
        if self._opened_at is None:
            self._opened_at = time.monotonic()

    def _current(self) -> bool:
        """The store still holds what the vault file holds (a `secure` since may have added to it)."""
        return self._loaded is not None and _stamp(self._loaded[0]) == self._loaded[1]

    def unlock(self, passphrase: str | None = None) -> None:
        """Open the vault now (checking a passphrase); raises VaultLockedError when it is wrong."""
        with self._state_lock:
            old = self._passphrase
            if passphrase is not None:
                self._passphrase = _own_copy(passphrase)
            try:
                self._load()
            except VaultError:
                if self._passphrase is not old:
                    memory.wipe(self._passphrase)
                self._passphrase = old
                raise
            if old is not None and old is not self._passphrase:
                memory.wipe(old)
        self._notify()

    def lock(self, notify: bool = True) -> None:
        """Forget every secret: zero the store and the passphrase in place, then drop them."""
        with self._state_lock:
            self._store.clear()
            self._loaded = None
            self._opened_at = None
            if self._passphrase is not None:
                memory.wipe(self._passphrase)
            self._passphrase = None
            self._held.clear()
            self.wrapped.flush()
        if notify:
            self._notify()

    def _expire(self) -> None:
        if self.timeout is not None and self._opened_at is not None and \
                time.monotonic() - self._opened_at >= self.timeout:
            self.lock()

    def _notify(self) -> None:
        if self._on_change is not None:
            try:
                self._on_change()
            except Exception:  # a window's callback must never take the agent down
                pass

    def status(self) -> dict:
        with self._state_lock:
            left = None
            if self.timeout is not None and self._opened_at is not None:
                left = max(0, round(self.timeout - (time.monotonic() - self._opened_at)))
            return {"ok": True, "protocol": PROTOCOL, "pid": os.getpid(), "socket": str(self.path),
                    "unlocked": self.unlocked, "timeout": self.timeout,
                    "forget_in": left, "served": self._served, "dumpable": memory.dumpable(),
                    "locked_memory": self._store.in_locked_memory,
                    "hardened_allocator": memory.is_hardened()}

    # ---- requests -----------------------------------------------------------------------------
    def _handle(self, conn: socket.socket, rfile, wfile) -> None:
        uid = peer_uid(conn)
        if uid is not None and uid != os.getuid():
            self._reply(wfile, {"ok": False, "error": "denied",
                                "message": "the agent serves only its own user"})
            return
        line = rfile.readline(1 << 20)
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise ValueError
        except ValueError:
            self._reply(wfile, {"ok": False, "error": "bad-request", "message": "not a JSON object"})
            return
        if message.get("op") == "exec":
            data = self.exec_answer(message)
            self._reply_raw(wfile, data)
            memory.wipe(data)
            return
        self._reply(wfile, self.dispatch(message))
        if isinstance(message.get("passphrase"), str):
            memory.wipe(message["passphrase"])

    def exec_answer(self, message: dict) -> bytes:
        """The plugin's whole answer (see `fastclient`): the ExecCredential line for stdout and
        any warning for stderr, built here so the plugin process parses no JSON."""
        from kubewallet.agent.fastclient import FAIL, FALLBACK, SERVE
        from kubewallet.errors import KubewalletError
        from kubewallet.execplugin import serve
        from kubewallet.execplugin.protocol import read_exec_info

        ref, user = str(message.get("ref") or ""), str(message.get("user") or "") or None
        warnings: list[str] = []
        try:
            info = read_exec_info({"KUBERNETES_EXEC_INFO": str(message.get("exec_info") or "")})
        except ValueError as exc:
            return f"{FAIL}\n\nerror: {exc}\n".encode()
        from kubewallet.execplugin.wrapped import is_wrapped_ref

        if is_wrapped_ref(ref):
            from kubewallet.agent.wrapcache import exec_answer

            return exec_answer(self, message, info)
        answer = self._get(ref)
        if not answer.get("ok"):
            if answer.get("error") == "not-found":
                return (f"{FAIL}\n\nerror: no secret {ref!r} in the vault ('kubewallet vault list' "
                        "shows what it holds; secure the user again with 'kubewallet secure USER')\n").encode()
            return f"{FALLBACK}\n\n".encode()
        value = answer["value"]
        try:
            cred = serve.credential(value, answer["meta"], info, ref=ref, user=user,
                                    warn=warnings.append)
        except KubewalletError as exc:
            memory.wipe(value)
            return f"{FAIL}\n\nerror: {exc.one_line()}\n".encode()
        # As few copies of the secret as the json module allows: the JSON text, its bytes, the
        # answer; each zeroed once the next exists (the answer after it is sent, in _handle).
        text = json.dumps(cred, separators=(",", ":"))
        for held in {id(v): v for v in (value, cred["status"].get("token"),
                                        cred["status"].get("clientKeyData"))}.values():
            memory.wipe(held)
        line = text.encode()
        memory.wipe(text)
        err = "".join(warning + "\n" for warning in warnings)
        data = b"%d\n%s\n%s" % (SERVE, line, err.encode())
        memory.wipe(line)
        return data

    def dispatch(self, message: dict) -> dict:
        op = message.get("op")
        try:
            if op == "status":
                return self.status()
            if op == "hold":
                return self._hold(message.get("ref"), message.get("value"))
            if op == "held":
                with self._state_lock:
                    value = self._held.get(message.get("ref"))
                if value is None:
                    return {"ok": False, "error": "not-found", "message": "the agent holds no such token"}
                return {"ok": True, "value": value, "meta": {"kind": "oidc-refresh-token"}}
            if op == "lock":
                self.lock()
                return {"ok": True}
            if op == "unlock":
                passphrase = message.get("passphrase")
                self.unlock(passphrase if isinstance(passphrase, str) else None)
                return {"ok": True}
            if op in WRAPPED_OPS:
                return self.wrapped.dispatch(message)
            if op == "stop":
                threading.Thread(target=self.stop, daemon=True).start()
                return {"ok": True}
        except VaultLockedError as exc:
            return {"ok": False, "error": "locked", "message": exc.message, "hint": exc.hint}
        except VaultError as exc:
            return {"ok": False, "error": "vault", "message": exc.message, "hint": exc.hint}
        return {"ok": False, "error": "bad-request", "message": f"unknown op {op!r}"}

    def _hold(self, ref, value) -> dict:
        """Keep an OIDC refresh token in memory only (`oidc/.../refresh-token`, nothing else:
        a secret the vault holds is never shadowed); an empty value forgets it."""
        if not isinstance(ref, str) or not ref.startswith("oidc/") or not ref.endswith("/refresh-token") \
                or not isinstance(value, str):
            return {"ok": False, "error": "bad-request",
                    "message": "hold takes an OIDC refresh-token reference and a string"}
        with self._state_lock:
            if value:
                self._held[ref] = value
            else:
                self._held.pop(ref, None)
        return {"ok": True}

    def _get(self, ref: str) -> dict:
        with self._state_lock:
            if ref in self._held:
                self._served += 1
                return {"ok": True, "value": self._held[ref], "meta": {"kind": "oidc-refresh-token"}}
        try:
            return self._get_unguarded(ref)
        except VaultLockedError as exc:
            return {"ok": False, "error": "locked", "message": exc.message, "hint": exc.hint}
        except VaultError as exc:
            return {"ok": False, "error": "vault", "message": exc.message, "hint": exc.hint}

    def _get_unguarded(self, ref: str) -> dict:
        """{"ok": True, "value": a transient copy (the caller wipes it), "meta": ...} or an error."""
        with self._state_lock:
            if not self._current():
                if self._loaded is None and self._passphrase is None and self._needs_passphrase():
                    return {"ok": False, "error": "locked", "message": "the agent is locked",
                            "hint": "run 'kubewallet agent unlock'"}
                self._load()
            found = self._store.get(ref)
            if found is None:
                return {"ok": False, "error": "not-found", "message": f"no secret {ref!r} in the vault"}
            self._served += 1
            value, meta = found
            return {"ok": True, "value": value, "meta": meta}

    def _needs_passphrase(self) -> bool:
        """A passphrase vault stays locked until unlocked: never reopened from the environment
        (issue 12.7: `serve_forever` takes KUBEWALLET_VAULT_PASSPHRASE once, at start)."""
        if self._vault_factory is not None:
            return False
        from kubewallet.vault import open_vault

        return open_vault().backend() == "passphrase"

    @staticmethod
    def _reply_raw(wfile, data: bytes) -> None:
        try:
            wfile.write(data)
            wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    @staticmethod
    def _reply(wfile, answer: dict) -> None:
        try:
            wfile.write(json.dumps(answer, separators=(",", ":")).encode() + b"\n")
            wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def serve_forever(server: AgentServer) -> int:
    """Run an agent in this process until `stop` (over the socket), SIGTERM or SIGINT: made
    non-dumpable first, and holding KUBEWALLET_VAULT_PASSPHRASE (removed from its environment)
    only until the first lock or timeout, like a passphrase typed to `agent unlock`."""
    import signal

    from kubewallet.vault.store import PASSPHRASE_ENV

    memory.make_undumpable()
    from_env = memory.scrub_environment(PASSPHRASE_ENV)  # read once; later locks are real
    if server._passphrase is None and from_env:
        server._passphrase = _own_copy(from_env)
    memory.wipe(from_env)
    server.start()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: server.stopped.set())
    try:
        server.stopped.wait()
    finally:
        server.stop()
    print("kubewallet agent stopped", file=sys.stderr)
    return 0
