"""An impostor agent for the planted-socket tests (issue 12.1): a real process, another uid.

A child of the test forks, drops to uid 65534 (os.setresuid; the CI runs as root) and listens on
a Unix socket at the agent's path, answering like an agent (a token for the plugin, "ok" to any
control request) and recording every byte it receives, so a test can assert that nothing — no
request, no passphrase — reached it.
"""

from __future__ import annotations

import os
import socket
import tempfile

NOBODY = 65534
PLANTED_TOKEN = "planted-token-of-the-attacker"


def _serve_as_nobody(path: str, log: str, ready: int) -> None:
    """The impostor (runs in the forked child): answers like an agent, records what it gets."""
    os.setresgid(NOBODY, NOBODY, NOBODY)
    os.setresuid(NOBODY, NOBODY, NOBODY)
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(8)
    os.write(ready, b"x")
    answer_exec = ('0\n{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",'
                   '"status":{"token":"%s"}}\n' % PLANTED_TOKEN).encode()
    answer_json = b'{"ok":true,"protocol":1,"pid":1,"socket":"planted","unlocked":true,"served":0}\n'
    while True:
        conn, _ = server.accept()
        conn.settimeout(2)
        data = b""
        try:
            while not data.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        with open(log, "ab") as fh:
            fh.write(data)
        try:
            conn.sendall(answer_exec if data.startswith(b'{"op":"exec"') else answer_json)
        except OSError:
            pass
        conn.close()


def plant(base: str, kind: str) -> tuple[str, str, int]:
    """Plant an impostor under `base` (a folder uid 65534 can traverse): `kind` is "foreign" (a
    folder the other uid owns, 0755), "open" (ours, left 0755), "symlink" (to a foreign folder) or
    "peer" (ours, 0700, but the other uid's process answers in it). Returns (the socket path the
    victim uses, the log of what the impostor received, the impostor's pid: the caller kills it)."""
    folder = os.path.join(base, "kubewallet-0")
    os.mkdir(folder)
    os.chmod(folder, 0o777)
    if kind in ("foreign", "symlink"):
        os.chown(folder, NOBODY, NOBODY)
        os.chmod(folder, 0o755)
    logs = os.path.join(base, "logs")
    os.mkdir(logs, 0o777)
    os.chmod(logs, 0o777)
    log = os.path.join(logs, "received")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            _serve_as_nobody(os.path.join(folder, "agent.sock"), log, write)
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"x", "the impostor did not start"
    os.close(read)
    if kind == "open":
        os.chmod(folder, 0o755)
    elif kind == "peer":
        os.chmod(folder, 0o700)
    where = folder
    if kind == "symlink":
        where = os.path.join(base, "link")
        os.symlink(folder, where)
    return os.path.join(where, "agent.sock"), log, pid


def make_base() -> str:
    """A short folder (a socket path must stay under 108 bytes) that uid 65534 can traverse; the
    caller removes it. Needs root, as the impostor does (the CI runs as root)."""
    if os.getuid() != 0:
        raise AssertionError("the impostor needs root to run a process as another uid (the CI runs as root)")
    path = tempfile.mkdtemp(prefix="kw-plant-")
    os.chmod(path, 0o711)
    return path


def received(log: str) -> bytes:
    """Every byte the impostor was sent."""
    try:
        with open(log, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return b""
