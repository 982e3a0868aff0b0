"""The agent: secrets read from the vault, held in memory for a set time, served over a Unix socket.

Why an agent: kubectl starts the exec plugin on every call, and opening the keyring and decrypting
the vault in each fresh process costs several times a bare interpreter. Like ssh-agent and gpg-agent,
one long-lived process reads the vault once (one keyring read, or one passphrase) and answers the
plugin over a socket.

Who may ask: the socket is created 0600 inside a 0700 directory, and on Linux every connection's
peer uid (SO_PEERCRED) must be ours; anything else is refused before a byte is read.

Forgetting: `lock()` (`kubewallet agent lock`, the GUI's lock button) and the timeout (counted from
the moment the vault was opened, like `ssh-add -t`) drop the data key and every decrypted secret.
A keyring vault is opened again on the next request (a keyring that asks on each read asks again);
a passphrase vault stays locked until someone unlocks the agent with its passphrase.

`AgentServer` is embeddable: the GUI owns one and calls start()/stop(); `kubewallet agent run`
serves one in the foreground. Nothing here imports Qt.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kubewallet.agent.paths import ensure_private_dir, socket_path
from kubewallet.agent.wrapcache import OPS as WRAPPED_OPS
from kubewallet.agent.wrapcache import WrapCache
from kubewallet.errors import AgentError, VaultError, VaultLockedError

PROTOCOL = 1
# Only what the plugin needs leaves the agent; e.g. `original` (the inline form kept for
# `unsecure`) never does.
SERVED_META = ("kind", "user", "expires", "renew", "clusters")


def peer_uid(conn: socket.socket) -> int | None:
    """The connecting process's uid (Linux SO_PEERCRED); None where the platform has no such call."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


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
        self._passphrase = passphrase
        self._vault_factory = vault_factory
        self._on_change = on_change
        self._vault = None
        self._opened_at: float | None = None
        self._served = 0
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
            except client.NoAgent:
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
    def _open_vault(self):
        if self._vault is None:
            if self._vault_factory is not None:
                vault = self._vault_factory(self._passphrase)
            else:
                from kubewallet.vault import open_vault

                vault = open_vault(passphrase=self._passphrase)
            vault.unlock()  # one keyring read (or one scrypt) now; later reads use the held key
            self._vault = vault
            self._opened_at = time.monotonic()
        return self._vault

    def unlock(self, passphrase: str | None = None) -> None:
        """Open the vault now (checking a passphrase); raises VaultLockedError when it is wrong."""
        with self._state_lock:
            old = self._passphrase
            if passphrase is not None:
                self._passphrase = passphrase
                self._vault = None
            try:
                self._open_vault()
            except VaultError:
                self._passphrase = old
                self._vault = None
                raise
        self._notify()

    def lock(self, notify: bool = True) -> None:
        """Forget the data key, every decrypted secret and the passphrase."""
        with self._state_lock:
            if self._vault is not None:
                self._vault.lock()
            self._vault = None
            self._opened_at = None
            self._passphrase = None
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
                    "unlocked": self._vault is not None, "timeout": self.timeout,
                    "forget_in": left, "served": self._served}

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
            self._reply_raw(wfile, self.exec_answer(message))
            return
        self._reply(wfile, self.dispatch(message))

    def exec_answer(self, message: dict) -> bytes:
        """The plugin's whole answer (see `fastclient`): the ExecCredential line for stdout and
        any warning for stderr, built here so the plugin process parses no JSON."""
        import io

        from kubewallet.agent.fastclient import FAIL, FALLBACK, SERVE
        from kubewallet.errors import KubewalletError
        from kubewallet.execplugin import serve
        from kubewallet.execplugin.protocol import read_exec_info, write_exec_credential

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
        try:
            cred = serve.credential(answer["value"], answer["meta"], info, ref=ref, user=user,
                                    warn=warnings.append)
        except KubewalletError as exc:
            return f"{FAIL}\n\nerror: {exc.one_line()}\n".encode()
        out = io.StringIO()
        write_exec_credential(cred, out)
        err = "".join(line + "\n" for line in warnings)
        return f"{SERVE}\n{out.getvalue().rstrip()}\n{err}".encode()

    def dispatch(self, message: dict) -> dict:
        op = message.get("op")
        try:
            if op == "get":
                return self._get(str(message.get("ref", "")))
            if op == "status":
                return self.status()
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

    def _get(self, ref: str) -> dict:
        try:
            return self._get_unguarded(ref)
        except VaultLockedError as exc:
            return {"ok": False, "error": "locked", "message": exc.message, "hint": exc.hint}
        except VaultError as exc:
            return {"ok": False, "error": "vault", "message": exc.message, "hint": exc.hint}

    def _get_unguarded(self, ref: str) -> dict:
        with self._state_lock:
            if self._vault is None and self._passphrase is None and self._needs_passphrase():
                return {"ok": False, "error": "locked", "message": "the agent is locked",
                        "hint": "run 'kubewallet agent unlock'"}
            entry = self._open_vault().get_entry(ref)
            if entry is None:
                return {"ok": False, "error": "not-found", "message": f"no secret {ref!r} in the vault"}
            self._served += 1
            meta = {k: entry.meta[k] for k in SERVED_META if k in entry.meta}
            return {"ok": True, "value": entry.value, "meta": meta}

    def _needs_passphrase(self) -> bool:
        if self._vault_factory is not None or os.environ.get("KUBEWALLET_VAULT_PASSPHRASE"):
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
    """Run an agent in this process until `stop` (over the socket), SIGTERM or SIGINT."""
    import signal

    server.start()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: server.stopped.set())
    try:
        server.stopped.wait()
    finally:
        server.stop()
    print("kubewallet agent stopped", file=sys.stderr)
    return 0
